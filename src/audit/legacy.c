/*
 * legacy.c - trails of schemas 1 and 2, which kept each event as a row of
 * an `events` table (its record and hash beside the index columns):
 * `commitd audit verify` and `audit export` of such a trail that no server
 * has opened since (a server moves it into segment files: trail.c).  The
 * checks and messages are verify.c's; the database is read as hostile.
 * The contract is audit.h.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

static int check_chain(sqlite3 *db, struct buf *report, struct err *e, int64_t *seq,
		       unsigned char hash[32], int64_t *n);
static int check_digests(sqlite3 *db, EVP_PKEY *key, int64_t anchor,
			 const unsigned char anchor_hash[32], struct buf *report, struct err *e,
			 int64_t *ndig, int64_t *last_digest);

/* every event from the anchor on: consecutive, each hash following from the one before */
static int check_chain(sqlite3 *db, struct buf *report, struct err *e, int64_t *seq,
		       unsigned char hash[32], int64_t *n)
{
	sqlite3_stmt *q = NULL;
	unsigned char h[32];
	char id[65];
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, "SELECT seq, event_id, record, hash FROM events ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t s = sqlite3_column_int64(q, 0);
		const char *rec = sqlite3_column_blob(q, 2);
		size_t len = (size_t)sqlite3_column_bytes(q, 2);
		const unsigned char *idp = sqlite3_column_text(q, 1);

		audit__safe_id(id, sizeof(id), idp, idp ? strlen((const char *)idp) : 0);
		if (s <= *seq) {
			rc = audit__broken(report, e,
					   "event %lld (eventID %s) is older than the anchor (event"
					   " %lld): the record of what was pruned was altered",
					   (long long)s, id, (long long)*seq);
			goto out;
		}
		if (s != *seq + 1) {
			rc = audit__broken(report, e,
					   "event %lld was removed (the trail goes from event %lld to"
					   " %lld)",
					   (long long)(*seq + 1), (long long)*seq, (long long)s);
			goto out;
		}
		if (audit__chain(NULL, h, hash, rec ? rec : "", rec ? len : 0) < 0) {
			rc = err_set(e, CC_ERROR, NULL, "audit verify: sha-256 failed");
			goto out;
		}
		if (sqlite3_column_bytes(q, 3) != 32 || memcmp(h, sqlite3_column_blob(q, 3), 32) != 0) {
			if (*seq)
				rc = audit__broken(report, e,
						   "event %lld (eventID %s) was altered, removed or"
						   " reordered: its hash does not follow from event %lld"
						   " and its own record",
						   (long long)s, id, (long long)*seq);
			else
				rc = audit__broken(report, e,
						   "event %lld (eventID %s) was altered, removed or"
						   " reordered: its hash does not follow from its own"
						   " record",
						   (long long)s, id);
			goto out;
		}
		memcpy(hash, h, 32);
		*seq = s;
		(*n)++;
	}
	if (step != SQLITE_DONE)
		rc = err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(q);
	return rc;
}

/* each digest signed by the trail's key and naming the chain's hash at its event */
static int check_digests(sqlite3 *db, EVP_PKEY *key, int64_t anchor,
			 const unsigned char anchor_hash[32], struct buf *report, struct err *e,
			 int64_t *ndig, int64_t *last_digest)
{
	sqlite3_stmt *q = NULL;
	bool anchor_signed = anchor == 0;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, "SELECT d.seq, d.hash, d.time, d.signature, e.hash FROM digests d"
				   " LEFT JOIN events e ON e.seq = d.seq ORDER BY d.seq",
			       -1, &q, NULL) != SQLITE_OK)
		return err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t s = sqlite3_column_int64(q, 0);
		const unsigned char *dh = sqlite3_column_blob(q, 1);

		if (sqlite3_column_bytes(q, 1) != 32 ||
		    !audit__signature_ok(key, s, dh, sqlite3_column_int64(q, 2),
					 sqlite3_column_blob(q, 3),
					 (size_t)sqlite3_column_bytes(q, 3))) {
			rc = audit__broken(report, e, "the signed digest at event %lld does not verify",
					   (long long)s);
			goto out;
		}
		if (s == anchor) {
			if (memcmp(dh, anchor_hash, 32) != 0) {
				rc = audit__broken(report, e,
						   "the anchor (event %lld, the last pruned) is not the"
						   " one its signed digest names: the trail before it"
						   " was rewritten",
						   (long long)s);
				goto out;
			}
			anchor_signed = true;
		} else if (s > anchor && sqlite3_column_type(q, 4) == SQLITE_NULL) {
			rc = audit__broken(report, e,
					   "event %lld, which a signed digest covers, was removed",
					   (long long)s);
			goto out;
		} else if (s > anchor && (sqlite3_column_bytes(q, 4) != 32 ||
					  memcmp(dh, sqlite3_column_blob(q, 4), 32) != 0)) {
			rc = audit__broken(report, e,
					   "event %lld does not have the hash its signed digest names:"
					   " the trail up to it was rewritten",
					   (long long)s);
			goto out;
		}
		(*ndig)++;
		*last_digest = s;
	}
	if (step != SQLITE_DONE) {
		rc = err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (!anchor_signed)
		rc = audit__broken(report, e,
				   "events 1-%lld are gone and no signed digest vouches for the"
				   " anchor (event %lld): they were deleted, not pruned",
				   (long long)anchor, (long long)anchor);
out:
	sqlite3_finalize(q);
	return rc;
}

int audit__verify_v2(sqlite3 *db, EVP_PKEY *key, struct buf *report, struct err *e)
{
	unsigned char hash[32], anchor_hash[32];
	int64_t anchor, seq, n = 0, ndig = 0, last_digest = 0;
	int rc;

	if (audit__anchor(db, &anchor, anchor_hash) < 0)
		return audit__broken(report, e, "the anchor (the last pruned event) is corrupt");
	seq = anchor;
	memcpy(hash, anchor_hash, 32);
	if ((rc = check_chain(db, report, e, &seq, hash, &n)) < 0 ||
	    (rc = check_digests(db, key, anchor, anchor_hash, report, e, &ndig, &last_digest)) < 0)
		return rc;
	buf_printf(report, "audit: %lld events", (long long)n);
	if (n)
		buf_printf(report, " (seq %lld-%lld)", (long long)(anchor + 1), (long long)seq);
	buf_printf(report, ", %lld signed digests: intact", (long long)ndig);
	if (anchor)
		buf_printf(report, "; events 1-%lld were pruned", (long long)anchor);
	if (seq > last_digest && n)
		buf_printf(report, "; events %lld-%lld are not yet covered by a signed digest",
			   (long long)(last_digest > anchor ? last_digest + 1 : anchor + 1),
			   (long long)seq);
	buf_puts(report, " (a trail of schema 2: a server moves it into segment files when it"
			 " opens it)");
	return 0;
}

int audit__export_v2(sqlite3 *db, int64_t start, int64_t end, FILE *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	if (sqlite3_prepare_v2(db, "SELECT record FROM events WHERE time >= ?1 AND time <= ?2"
				   " ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, start ? start : INT64_MIN);
	sqlite3_bind_int64(st, 2, end ? end : INT64_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *rec = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if ((n && fwrite(rec, 1, n, out) != n) || fputc('\n', out) == EOF) {
			rc = err_set(e, CC_ERROR, NULL, "audit export: cannot write");
			goto out;
		}
	}
	rc = step == SQLITE_DONE ? 0
				 : err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	return rc;
}
