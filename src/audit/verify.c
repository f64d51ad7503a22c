/*
 * verify.c - `commitd audit verify`: the trail checked without a running
 * server.  From the anchor on, every event's sequence number must follow
 * the one before (a gap is a removed event) and its hash must follow from
 * the one before and its own bytes (altered or reordered events break it);
 * every digest must carry a valid signature of the trail's key and name
 * the hash the chain has at its event, and the anchor left by pruning must
 * be a signed digest's.  The database is read as hostile: nothing in it is
 * trusted to be well formed.  The contract is audit.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "audit_int.h"

static EVP_PKEY *public_key(const char *dir, struct err *e);
static bool signature_ok(EVP_PKEY *k, int64_t seq, const unsigned char *hash, int64_t t,
			 const unsigned char *sig, size_t siglen);
static int broken(struct buf *report, struct err *e, const char *fmt, ...) CC_PRINTF(3, 4);
static void safe_id(char *out, size_t outsz, const unsigned char *id);
static int check_chain(sqlite3 *db, struct buf *report, struct err *e, int64_t *seq,
		       unsigned char hash[32], int64_t *n);
static int check_digests(sqlite3 *db, EVP_PKEY *key, int64_t anchor,
			 const unsigned char anchor_hash[32], struct buf *report, struct err *e,
			 int64_t *ndig, int64_t *last_digest);

static EVP_PKEY *public_key(const char *dir, struct err *e)
{
	char *path = audit__path(dir, AUDIT_PUB);
	FILE *f = path ? fopen(path, "r") : NULL;
	EVP_PKEY *k = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;

	if (k && !EVP_PKEY_is_a(k, "ED25519")) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	if (k == NULL)
		err_set(e, CC_ERROR, NULL, "%s: cannot read the trail's public key (Ed25519, PEM)",
			path ? path : dir);
	if (f)
		fclose(f);
	free(path);
	return k;
}

static bool signature_ok(EVP_PKEY *k, int64_t seq, const unsigned char *hash, int64_t t,
			 const unsigned char *sig, size_t siglen)
{
	struct buf text = BUF_INIT(0);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok;

	audit__digest_text(&text, seq, hash, t);
	ok = c && !buf_failed(&text) &&
	     EVP_DigestVerifyInit_ex(c, NULL, NULL, NULL, NULL, k, NULL) == 1 &&
	     EVP_DigestVerify(c, sig, siglen, (const unsigned char *)text.ptr, text.len) == 1;
	EVP_MD_CTX_free(c);
	buf_release(&text);
	return ok;
}

static int broken(struct buf *report, struct err *e, const char *fmt, ...)
{
	va_list ap;

	buf_clear(report);
	buf_puts(report, "audit: ");
	va_start(ap, fmt);
	buf_vprintf(report, fmt, ap);
	va_end(ap);
	return err_set(e, CC_ECONFLICT, NULL, "%s", buf_cstr(report));
}

/* an eventID from the database, fit for a terminal whatever it holds */
static void safe_id(char *out, size_t outsz, const unsigned char *id)
{
	size_t i = 0;

	for (; id && id[i] && i + 1 < outsz; i++)
		out[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	out[i] = '\0';
	if (i == 0)
		snprintf(out, outsz, "?");
}

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

		safe_id(id, sizeof(id), sqlite3_column_text(q, 1));
		if (s <= *seq) {
			rc = broken(report, e,
				    "event %lld (eventID %s) is older than the anchor (event %lld):"
				    " the record of what was pruned was altered",
				    (long long)s, id, (long long)*seq);
			goto out;
		}
		if (s != *seq + 1) {
			rc = broken(report, e,
				    "event %lld was removed (the trail goes from event %lld to %lld)",
				    (long long)(*seq + 1), (long long)*seq, (long long)s);
			goto out;
		}
		if (audit__chain(h, hash, rec ? rec : "", rec ? len : 0) < 0) {
			rc = err_set(e, CC_ERROR, NULL, "audit verify: sha-256 failed");
			goto out;
		}
		if (sqlite3_column_bytes(q, 3) != 32 || memcmp(h, sqlite3_column_blob(q, 3), 32) != 0) {
			if (*seq)
				rc = broken(report, e,
					    "event %lld (eventID %s) was altered, removed or reordered:"
					    " its hash does not follow from event %lld and its own record",
					    (long long)s, id, (long long)*seq);
			else
				rc = broken(report, e,
					    "event %lld (eventID %s) was altered, removed or reordered:"
					    " its hash does not follow from its own record",
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

/*
 * Each digest: signed by the trail's key, and naming the chain's hash at its
 * event.  The anchor (the last pruned event) must be a digest's: pruning
 * cuts at one and keeps it, so that deleting the oldest events and moving
 * the anchor by hand does not pass for retention.
 */
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
		    !signature_ok(key, s, dh, sqlite3_column_int64(q, 2), sqlite3_column_blob(q, 3),
				  (size_t)sqlite3_column_bytes(q, 3))) {
			rc = broken(report, e, "the signed digest at event %lld does not verify",
				    (long long)s);
			goto out;
		}
		if (s == anchor) {
			if (memcmp(dh, anchor_hash, 32) != 0) {
				rc = broken(report, e,
					    "the anchor (event %lld, the last pruned) is not the one"
					    " its signed digest names: the trail before it was rewritten",
					    (long long)s);
				goto out;
			}
			anchor_signed = true;
		} else if (s > anchor && sqlite3_column_type(q, 4) == SQLITE_NULL) {
			rc = broken(report, e,
				    "event %lld, which a signed digest covers, was removed",
				    (long long)s);
			goto out;
		} else if (s > anchor && (sqlite3_column_bytes(q, 4) != 32 ||
					  memcmp(dh, sqlite3_column_blob(q, 4), 32) != 0)) {
			rc = broken(report, e,
				    "event %lld does not have the hash its signed digest names: the"
				    " trail up to it was rewritten",
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
		rc = broken(report, e,
			    "events 1-%lld are gone and no signed digest vouches for the anchor"
			    " (event %lld): they were deleted, not pruned",
			    (long long)anchor, (long long)anchor);
out:
	sqlite3_finalize(q);
	return rc;
}

int audit_verify(const char *data_dir, struct buf *report, struct err *e)
{
	sqlite3 *db = NULL;
	EVP_PKEY *key = NULL;
	unsigned char hash[32], anchor_hash[32];
	int64_t anchor, seq, n = 0, ndig = 0, last_digest = 0;
	int rc;

	buf_clear(report);
	if ((rc = audit__open_ro(&db, data_dir, e)) < 0)
		return rc;
	if ((key = public_key(data_dir, e)) == NULL) {
		rc = CC_ERROR;
		goto out;
	}
	/* one snapshot for every read below, whatever a running server writes or prunes
	 * meanwhile; a file that is not a trail is an error to report, not a trail to judge */
	if (sqlite3_exec(db, "BEGIN; SELECT value FROM meta WHERE key = 'version'", NULL, NULL,
			 NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "%s/" AUDIT_DB ": %s", data_dir, sqlite3_errmsg(db));
		goto out;
	}
	if (audit__anchor(db, &anchor, anchor_hash) < 0) {
		rc = broken(report, e, "the anchor (the last pruned event) is corrupt");
		goto out;
	}
	seq = anchor;
	memcpy(hash, anchor_hash, 32);
	if ((rc = check_chain(db, report, e, &seq, hash, &n)) < 0 ||
	    (rc = check_digests(db, key, anchor, anchor_hash, report, e, &ndig, &last_digest)) < 0)
		goto out;
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
	rc = 0;
out:
	sqlite3_close(db);
	EVP_PKEY_free(key);
	return rc;
}
