/*
 * verify.c - `commitd audit verify`: the trail checked without a running
 * server.  From the anchor on, every event's sequence number must follow
 * the one before (a gap is a removed event) and its hash must follow from
 * the one before and its own bytes (altered or reordered events break it);
 * every digest must carry a valid signature of the trail's key and name
 * the hash the chain has at its event.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "audit_int.h"

static EVP_PKEY *public_key(const char *dir, struct err *e)
{
	char *path = audit__path(dir, AUDIT_PUB);
	FILE *f = path ? fopen(path, "r") : NULL;
	EVP_PKEY *k = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;

	if (k == NULL)
		err_set(e, CC_ERROR, NULL, "%s: cannot read the trail's public key", path ? path : dir);
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

static int broken(struct buf *report, struct err *e, const char *fmt, ...) CC_PRINTF(3, 4);
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

int audit_verify(const char *data_dir, struct buf *report, struct err *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	EVP_PKEY *key = NULL;
	unsigned char hash[32], h[32];
	int64_t seq, first, n = 0, ndig = 0, last_digest = 0;
	int rc, step;

	if ((rc = audit__open_ro(&db, data_dir, e)) < 0)
		return rc;
	if ((key = public_key(data_dir, e)) == NULL) {
		rc = CC_ERROR;
		goto out;
	}
	if (audit__anchor(db, &seq, hash) < 0) {
		rc = broken(report, e, "the anchor (the last pruned event) is corrupt");
		goto out;
	}
	first = seq + 1;
	if (sqlite3_prepare_v2(db, "SELECT seq, event_id, record, hash FROM events ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t s = sqlite3_column_int64(q, 0);
		const char *id = (const char *)sqlite3_column_text(q, 1);
		const char *rec = (const char *)sqlite3_column_blob(q, 2);
		int len = sqlite3_column_bytes(q, 2);

		if (s != seq + 1) {
			rc = broken(report, e,
				    "event %lld was removed (the trail goes from event %lld to %lld)",
				    (long long)(seq + 1), (long long)seq, (long long)s);
			goto out;
		}
		if (audit__chain(h, hash, rec ? rec : "", (size_t)len) < 0) {
			rc = err_set(e, CC_ERROR, NULL, "audit verify: sha-256 failed");
			goto out;
		}
		if (sqlite3_column_bytes(q, 3) != 32 || memcmp(h, sqlite3_column_blob(q, 3), 32) != 0) {
			rc = broken(report, e,
				    "event %lld (eventID %.64s) was altered, removed or reordered: its"
				    " hash does not follow from event %lld and its own record",
				    (long long)s, id ? id : "?", (long long)seq);
			goto out;
		}
		memcpy(hash, h, 32);
		seq = s;
		n++;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (step != SQLITE_DONE) {
		rc = err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
		goto out;
	}
	/* each digest: signed by the trail's key, and naming the chain's hash at its event */
	if (sqlite3_prepare_v2(db, "SELECT d.seq, d.hash, d.time, d.signature, e.hash FROM digests d"
				   " LEFT JOIN events e ON e.seq = d.seq ORDER BY d.seq",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(db));
		goto out;
	}
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
		if (s < first) /* pruned with its events: its signature still stands */
			continue;
		if (sqlite3_column_type(q, 4) == SQLITE_NULL) {
			rc = broken(report, e,
				    "event %lld, which a signed digest covers, was removed",
				    (long long)s);
			goto out;
		}
		if (sqlite3_column_bytes(q, 4) != 32 || memcmp(dh, sqlite3_column_blob(q, 4), 32) != 0) {
			rc = broken(report, e,
				    "event %lld does not have the hash its signed digest names: the"
				    " trail up to it was rewritten",
				    (long long)s);
			goto out;
		}
		ndig++;
		last_digest = s;
	}
	buf_clear(report);
	buf_printf(report, "audit: %lld events", (long long)n);
	if (n)
		buf_printf(report, " (%lld-%lld)", (long long)first, (long long)seq);
	buf_printf(report, ", %lld signed digests: intact", (long long)ndig);
	if (seq > last_digest && n)
		buf_printf(report, "; events after %lld are not yet covered by a signed digest",
			   (long long)last_digest);
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
	EVP_PKEY_free(key);
	return rc;
}
