/*
 * verify.c - `commitd audit verify`: the trail checked without a running
 * server.  From the anchor on, the segment files are read frame by frame:
 * every event's sequence number must follow the one before (a gap is a
 * removed event), its hash must follow from the one before and its own
 * bytes (altered or reordered events break it), and a file must hold every
 * byte its committed size says (a missing or cut-short file is removed
 * events).  Every digest must carry a valid signature of the trail's key
 * and name the hash the chain has at its event, and the anchor left by
 * pruning must be a signed digest's.  Last, the index: every event must be
 * in it once, pointing at its own frame and saying what its record says
 * (account, time, name, user, ...), or LookupEvents would not show it as
 * written.  The database and the files are read as hostile.  A trail of
 * schema 1 or 2 is legacy.c's.  The contract is audit.h.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "audit_int.h"

/* a signed digest, and the hash the chain has at its event (when it was reached) */
struct dig {
	int64_t seq, time;
	unsigned char hash[32], at[32];
	bool hash_ok, reached;
	unsigned char *sig;
	size_t siglen;
};

struct walk {
	sqlite3 *db;
	const char *dir;
	struct buf *report;
	struct err *e;
	int64_t anchor, seq, n;     /* the anchor; the last event read; events read */
	unsigned char hash[32];     /* the chain's hash after seq */
	struct dig *digs;
	size_t ndigs, next_dig;
	EVP_MD_CTX *md;             /* the chain's, reused */
};

static EVP_PKEY *public_key(const char *dir, struct err *e);
static int digests_load(struct walk *w);
static void event_id(char *out, size_t outsz, struct walk *w, int64_t seq, const char *rec,
		     size_t len);
static int frame_check(struct walk *w, const struct frame *f, const char *rec);
static int segment_check(struct walk *w, int64_t first, int64_t last, int64_t start,
			 int64_t size);
static int chain_check(struct walk *w);
static int digests_check(struct walk *w, EVP_PKEY *key, const unsigned char anchor_hash[32],
			 int64_t *ndig, int64_t *last_digest);
static const char *entry_fields_differ(const struct ientry *x, const char *account,
				       const char *rec, size_t len);
static int entry_check(struct walk *w, const struct ientry *x, int64_t segment,
		       const char *account, unsigned char *seen, int *fd, int64_t *fd_seg,
		       struct buf *rec);
static int index_check(struct walk *w);

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

bool audit__signature_ok(EVP_PKEY *k, int64_t seq, const unsigned char *hash, int64_t t,
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

int audit__broken(struct buf *report, struct err *e, const char *fmt, ...)
{
	va_list ap;

	buf_clear(report);
	buf_puts(report, "audit: ");
	va_start(ap, fmt);
	buf_vprintf(report, fmt, ap);
	va_end(ap);
	return err_set(e, CC_ECONFLICT, NULL, "%s", buf_cstr(report));
}

/* an eventID from the trail, fit for a terminal whatever it holds */
void audit__safe_id(char *out, size_t outsz, const unsigned char *id, size_t n)
{
	size_t i = 0;

	for (; id && i < n && id[i] && i + 1 < outsz; i++)
		out[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	out[i] = '\0';
	if (i == 0)
		snprintf(out, outsz, "?");
}

/* every digest, in seq order (a handful per thousand events) */
static int digests_load(struct walk *w)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	int step;

	if (sqlite3_prepare_v2(w->db, "SELECT seq, hash, time, signature FROM digests ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct dig *d;
		size_t siglen = (size_t)sqlite3_column_bytes(q, 3);

		if (w->ndigs == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct dig *p = realloc(w->digs, ncap * sizeof(*p));

			if (p == NULL)
				break;
			w->digs = p;
			cap = ncap;
		}
		d = &w->digs[w->ndigs];
		memset(d, 0, sizeof(*d));
		d->seq = sqlite3_column_int64(q, 0);
		d->time = sqlite3_column_int64(q, 2);
		d->hash_ok = sqlite3_column_bytes(q, 1) == 32;
		if (d->hash_ok)
			memcpy(d->hash, sqlite3_column_blob(q, 1), 32);
		if ((d->sig = malloc(siglen + 1)) == NULL)
			break;
		if (siglen)
			memcpy(d->sig, sqlite3_column_blob(q, 3), siglen);
		d->siglen = siglen;
		w->ndigs++;
	}
	sqlite3_finalize(q);
	if (step == SQLITE_ROW)
		return err_oom(w->e);
	if (step != SQLITE_DONE)
		return err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
	return 0;
}

/* the eventID of the record found at seq (which may not be seq's own: the
 * record is what is judged), else the one the index gives seq */
static void event_id(char *out, size_t outsz, struct walk *w, int64_t seq, const char *rec,
		     size_t len)
{
	static const char key[] = "\"eventID\":\"";
	const char *p = memmem(rec, len, key, sizeof(key) - 1), *q;

	if (p) {
		p += sizeof(key) - 1;
		q = memchr(p, '"', (size_t)(rec + len - p));
		if (q && q > p && (size_t)(q - p) < outsz) {
			audit__safe_id(out, outsz, (const unsigned char *)p, (size_t)(q - p));
			return;
		}
	}
	audit__event_id(out, outsz, w->db, seq);
}

/* the next frame of the chain: where it must be, and what it must hash to */
static int frame_check(struct walk *w, const struct frame *f, const char *rec)
{
	unsigned char h[32];
	char id[65];

	if (f->seq != w->seq + 1) {
		if (f->seq > w->seq)
			return audit__broken(w->report, w->e,
					     "event %lld was removed (the trail goes from event %lld"
					     " to %lld)",
					     (long long)(w->seq + 1), (long long)w->seq,
					     (long long)f->seq);
		event_id(id, sizeof(id), w, f->seq, rec, f->len);
		if (w->seq == w->anchor)
			return audit__broken(w->report, w->e,
					     "event %lld (eventID %s) is older than the anchor (event"
					     " %lld): the record of what was pruned was altered",
					     (long long)f->seq, id, (long long)w->seq);
		return audit__broken(w->report, w->e,
				     "event %lld (eventID %s) is out of place: it follows event"
				     " %lld", (long long)f->seq, id, (long long)w->seq);
	}
	if (audit__chain(w->md, h, w->hash, rec, f->len) < 0)
		return err_set(w->e, CC_ERROR, NULL, "audit verify: sha-256 failed");
	if (memcmp(h, f->hash, 32) != 0) {
		event_id(id, sizeof(id), w, f->seq, rec, f->len);
		if (w->seq)
			return audit__broken(w->report, w->e,
					     "event %lld (eventID %s) was altered, removed or"
					     " reordered: its hash does not follow from event %lld and"
					     " its own record",
					     (long long)f->seq, id, (long long)w->seq);
		return audit__broken(w->report, w->e,
				     "event %lld (eventID %s) was altered, removed or reordered:"
				     " its hash does not follow from its own record",
				     (long long)f->seq, id);
	}
	while (w->next_dig < w->ndigs && w->digs[w->next_dig].seq < f->seq)
		w->next_dig++;
	if (w->next_dig < w->ndigs && w->digs[w->next_dig].seq == f->seq) {
		memcpy(w->digs[w->next_dig].at, h, 32);
		w->digs[w->next_dig].reached = true;
	}
	memcpy(w->hash, h, 32);
	w->seq = f->seq;
	w->n++;
	return 0;
}

/* one segment file, from its first unpruned frame to its committed size */
static int segment_check(struct walk *w, int64_t first, int64_t last, int64_t start,
			 int64_t size)
{
	struct seg_reader r;
	struct frame f;
	const char *rec;
	char name[64];
	int64_t at;
	int rc;

	audit__seg_name(name, sizeof(name), first);
	if (first <= 0 || first > SEQ_LIMIT || last > SEQ_LIMIT || last < first - 1)
		return audit__broken(w->report, w->e,
				     "the index row of the segment %s is damaged (events %lld-%lld)",
				     name, (long long)first, (long long)last);
	if (first > w->seq + 1)
		return audit__broken(w->report, w->e,
				     "events %lld-%lld were removed: no segment holds them (the"
				     " next, %s, starts at event %lld)",
				     (long long)(w->seq + 1), (long long)(first - 1), name,
				     (long long)first);
	if (size <= start && last <= w->seq)
		return 0; /* empty, or all pruned */
	rc = audit__seg_open(&r, w->dir, first, start, size, w->e);
	if (rc == CC_ENOTFOUND)
		return audit__broken(w->report, w->e,
				     "events %lld-%lld were removed: their segment file %s is"
				     " missing", (long long)(w->seq + 1), (long long)last, name);
	if (rc < 0)
		return rc;
	while ((rc = audit__seg_next(&r, &f, &rec, &at, w->e)) == 1)
		if ((rc = frame_check(w, &f, rec)) < 0)
			break;
	audit__seg_close(&r);
	if (rc == CC_ECONFLICT && buf_cstr(w->report)[0] == '\0')
		return audit__broken(w->report, w->e,
				     "event %lld was removed or damaged: its segment file %s is cut"
				     " short or its framing was altered",
				     (long long)(w->seq + 1), name);
	if (rc < 0)
		return rc;
	if (w->seq < last)
		return audit__broken(w->report, w->e,
				     "events %lld-%lld were removed: %s ends at event %lld",
				     (long long)(w->seq + 1), (long long)last, name,
				     (long long)w->seq);
	return 0;
}

/* every segment, in order */
static int chain_check(struct walk *w)
{
	sqlite3_stmt *q = NULL;
	int rc = 0, step;

	if (sqlite3_prepare_v2(w->db, "SELECT first_seq, last_seq, start, size FROM segments"
				      " ORDER BY first_seq", -1, &q, NULL) != SQLITE_OK)
		return err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = segment_check(w, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
					sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3))) < 0)
			break;
	sqlite3_finalize(q);
	if (rc == 0 && step != SQLITE_DONE)
		rc = err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
	return rc;
}

/*
 * Each digest: signed by the trail's key, and naming the chain's hash at its
 * event.  The anchor (the last pruned event) must be a digest's: pruning
 * cuts at one and keeps it, so that deleting the oldest events and moving
 * the anchor by hand does not pass for retention.
 */
static int digests_check(struct walk *w, EVP_PKEY *key, const unsigned char anchor_hash[32],
			 int64_t *ndig, int64_t *last_digest)
{
	bool anchor_signed = w->anchor == 0;

	for (size_t i = 0; i < w->ndigs; i++) {
		const struct dig *d = &w->digs[i];

		if (!d->hash_ok ||
		    !audit__signature_ok(key, d->seq, d->hash, d->time, d->sig, d->siglen))
			return audit__broken(w->report, w->e,
					     "the signed digest at event %lld does not verify",
					     (long long)d->seq);
		if (d->seq == w->anchor) {
			if (memcmp(d->hash, anchor_hash, 32) != 0)
				return audit__broken(w->report, w->e,
						     "the anchor (event %lld, the last pruned) is not"
						     " the one its signed digest names: the trail"
						     " before it was rewritten",
						     (long long)d->seq);
			anchor_signed = true;
		} else if (d->seq > w->anchor && !d->reached) {
			return audit__broken(w->report, w->e,
					     "event %lld, which a signed digest covers, was removed",
					     (long long)d->seq);
		} else if (d->seq > w->anchor && memcmp(d->hash, d->at, 32) != 0) {
			return audit__broken(w->report, w->e,
					     "event %lld does not have the hash its signed digest"
					     " names: the trail up to it was rewritten",
					     (long long)d->seq);
		}
		(*ndig)++;
		*last_digest = d->seq;
	}
	if (!anchor_signed)
		return audit__broken(w->report, w->e,
				     "events 1-%lld are gone and no signed digest vouches for the"
				     " anchor (event %lld): they were deleted, not pruned",
				     (long long)w->anchor, (long long)w->anchor);
	return 0;
}

/* a string member of o, or "" */
static const char *member(json_t *o, const char *k, size_t *n)
{
	json_t *v = json_object_get(o, k);

	*n = json_is_string(v) ? json_string_length(v) : 0;
	return json_is_string(v) ? json_string_value(v) : "";
}

/* the index's copy of a field (aws/event.c cuts it to cap - 1 bytes) against
 * the record's value; a value with U+FFFD in it may be what utf8_fix made of
 * hostile bytes, and cannot be judged */
static bool field_ok(const char *ix, size_t n, const char *v, size_t vn, size_t cap)
{
	if (n == vn && memcmp(ix, v, n) == 0)
		return true;
	if (n == cap - 1 && vn > n && memcmp(ix, v, n) == 0)
		return true;
	return memmem(v, vn, "\xef\xbf\xbd", 3) != NULL;
}

#define CAP(f) sizeof(((struct audit_entry *)0)->f)

/*
 * What LookupEvents finds an event by must be what its record says: the
 * account, time, eventID, name, source, user, access key, resource and
 * read-only flag an index entry holds are not in the chain, so an edit of
 * them would hide an event from lookups without breaking a hash.  The user
 * is the role of a role session, else an IAM user's name, else the
 * principal (aws/event.c's choice).  NULL when they agree, else which differs.
 */
static const char *entry_fields_differ(const struct ientry *x, const char *account,
				       const char *rec, size_t len)
{
	static const struct {
		int ix, in;             /* in: 0 the record, 1 userIdentity, 2 resources[0] */
		const char *key, *what;
		size_t cap;
	} fields[] = {
		{IX_EVENT_ID, 0, "eventID", "eventID", CAP(event_id)},
		{IX_NAME, 0, "eventName", "eventName", CAP(name)},
		{IX_SOURCE, 0, "eventSource", "eventSource", CAP(source)},
		{IX_KEY, 1, "accessKeyId", "accessKeyId", CAP(access_key_id)},
		{IX_RESOURCE, 2, "ARN", "resource", CAP(resource)},
		{IX_TYPE, 2, "type", "resource type", CAP(resource_type)},
	};
	struct buf fixed = BUF_INIT(0);
	json_t *r, *id, *res;
	const char *v, *why = NULL;
	size_t vn;
	int64_t t;

	if (!utf8_valid(rec, len)) {
		utf8_fix(&fixed, rec, len);
		rec = buf_cstr(&fixed);
		len = fixed.len;
	}
	r = json_loadb(rec, len, JSON_ALLOW_NUL, NULL);
	id = json_object_get(r, "userIdentity");
	res = json_array_get(json_object_get(r, "resources"), 0);
	if (!json_is_object(r)) {
		why = "its record is not a JSON object";
		goto out;
	}
	v = member(r, "eventTime", &vn);
	if (time_parse_iso8601(&t, v, vn) < 0 || t != x->time)
		why = "eventTime";
	else if (v = member(r, "recipientAccountId", &vn),
		 !field_ok(account, strlen(account), v, vn, CAP(account)))
		why = "account";
	else if (json_is_true(json_object_get(r, "readOnly")) != x->read_only)
		why = "readOnly";
	for (size_t i = 0; why == NULL && i < ARRAY_SIZE(fields); i++) {
		json_t *o = fields[i].in == 0 ? r : fields[i].in == 1 ? id : res;

		v = member(o, fields[i].key, &vn);
		if (!field_ok(x->f[fields[i].ix], x->fn[fields[i].ix], v, vn, fields[i].cap))
			why = fields[i].what;
	}
	if (why)
		goto out;
	v = member(json_object_get(json_object_get(id, "sessionContext"), "sessionIssuer"),
		   "userName", &vn);
	if (vn == 0 && json_object_get(id, "arn"))
		v = member(id, strcmp(member(id, "type", &vn), "IAMUser") == 0 ? "userName" :
			   "principalId", &vn);
	else if (vn == 0)
		v = member(id, "userName", &vn);
	if (!field_ok(x->f[IX_USER], x->fn[IX_USER], v, vn, CAP(user)))
		why = "user";
out:
	json_decref(r);
	buf_release(&fixed);
	return why;
}

/* one index entry: of an event of the chain, not seen before, naming its frame,
 * and saying what its record says */
static int entry_check(struct walk *w, const struct ientry *x, int64_t segment,
		       const char *account, unsigned char *seen, int *fd, int64_t *fd_seg,
		       struct buf *rec)
{
	unsigned char hdr[FRAME_HDR];
	struct frame f;
	const char *why;
	char id[65];
	int64_t i;

	if (x->seq <= w->anchor)
		return 0; /* pruned: a chunk that also held newer events keeps it */
	if (x->seq > w->seq)
		return audit__broken(w->report, w->e,
				     "the index names event %lld, which is not in the trail",
				     (long long)x->seq);
	i = x->seq - w->anchor - 1;
	if (seen[i / 8] & (1u << (i % 8)))
		return audit__broken(w->report, w->e, "event %lld is in the index twice",
				     (long long)x->seq);
	seen[i / 8] |= (unsigned char)(1u << (i % 8));
	if (*fd < 0 || *fd_seg != segment) {
		char *path = audit__seg_path(w->dir, segment);

		if (*fd >= 0)
			close(*fd);
		*fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		*fd_seg = segment;
		free(path);
	}
	if (*fd < 0 || pread(*fd, hdr, sizeof(hdr), x->off) != (ssize_t)sizeof(hdr) ||
	    (audit__frame_get(&f, hdr), f.seq != x->seq || f.len != x->len))
		return audit__broken(w->report, w->e,
				     "the index entry of event %lld does not point at its record:"
				     " LookupEvents would not show it as written",
				     (long long)x->seq);
	buf_clear(rec);
	if (buf_grow(rec, f.len + 1) < 0)
		return err_oom(w->e);
	if (pread(*fd, rec->ptr, f.len, x->off + FRAME_HDR) != (ssize_t)f.len)
		return audit__broken(w->report, w->e,
				     "the index entry of event %lld does not point at its record:"
				     " LookupEvents would not show it as written",
				     (long long)x->seq);
	rec->len = f.len;
	rec->ptr[f.len] = '\0';
	if (f.time != x->time)
		why = "eventTime";
	else
		why = entry_fields_differ(x, account, rec->ptr, rec->len);
	if (why) {
		audit__safe_id(id, sizeof(id), (const unsigned char *)x->f[IX_EVENT_ID],
			       x->fn[IX_EVENT_ID]);
		return audit__broken(w->report, w->e,
				     "the index entry of event %lld (eventID %s) was altered: its"
				     " %s is not its record's, so LookupEvents would not find it"
				     " as it happened", (long long)x->seq, id, why);
	}
	return 0;
}

/* a chunk's row: its bounds must be its entries', which lookups rely on */
static bool chunk_row_ok(sqlite3_stmt *q, int64_t seq_lo, int64_t seq_hi, int64_t time_lo,
			 int64_t time_hi, int64_t n)
{
	return n > 0 && sqlite3_column_int64(q, 3) == seq_lo &&
	       sqlite3_column_int64(q, 4) == seq_hi && sqlite3_column_int64(q, 5) == time_lo &&
	       sqlite3_column_int64(q, 6) == time_hi && sqlite3_column_int64(q, 7) == n &&
	       time_hi - time_lo <= CHUNK_SPAN && sqlite3_column_type(q, 8) == SQLITE_TEXT;
}

/* every event of the chain in the index once, where it is */
static int index_check(struct walk *w)
{
	sqlite3_stmt *q = NULL;
	struct buf rec = BUF_INIT(0);
	int64_t span = w->seq - w->anchor, fd_seg = 0;
	unsigned char *seen = calloc((size_t)(span / 8 + 1), 1);
	int rc = 0, step, fd = -1;

	if (seen == NULL)
		return err_oom(w->e);
	if (sqlite3_prepare_v2(w->db, "SELECT id, segment, entries, seq_lo, seq_hi, time_lo,"
				      " time_hi, n, account FROM chunks ORDER BY id", -1, &q,
			       NULL) != SQLITE_OK) {
		rc = err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
		goto out;
	}
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(q, 2), *end;
		const char *account = (const char *)sqlite3_column_text(q, 8);
		int64_t seq_lo = 0, seq_hi = 0, time_lo = INT64_MAX, time_hi = INT64_MIN, n = 0;
		struct ientry x = {0};
		int got = 0;

		if (p == NULL || account == NULL)
			continue;
		end = p + sqlite3_column_bytes(q, 2);
		while (rc == 0 && (got = audit__chunk_next(&x, &p, end)) == 1) {
			if (n > 0 && x.seq <= seq_hi) {
				got = CC_ECONFLICT; /* the writer adds entries in seq order */
				break;
			}
			if (n++ == 0)
				seq_lo = x.seq;
			seq_hi = x.seq;
			time_lo = x.time < time_lo ? x.time : time_lo;
			time_hi = x.time > time_hi ? x.time : time_hi;
			rc = entry_check(w, &x, sqlite3_column_int64(q, 1), account, seen, &fd,
					 &fd_seg, &rec);
		}
		if (rc == 0 && (got < 0 || !chunk_row_ok(q, seq_lo, seq_hi, time_lo, time_hi, n)))
			rc = audit__broken(w->report, w->e,
					   "the index chunk %lld is damaged: LookupEvents does not"
					   " see all of its events",
					   (long long)sqlite3_column_int64(q, 0));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = err_set(w->e, CC_ERROR, NULL, "audit verify: %s", sqlite3_errmsg(w->db));
	for (int64_t i = 0; rc == 0 && i < span; i++)
		if (!(seen[i / 8] & (1u << (i % 8))))
			rc = audit__broken(w->report, w->e,
					   "event %lld is not in the index: LookupEvents does not"
					   " find it",
					   (long long)(w->anchor + 1 + i));
out:
	sqlite3_finalize(q);
	if (fd >= 0)
		close(fd);
	free(seen);
	buf_release(&rec);
	return rc;
}

int audit_verify(const char *data_dir, struct buf *report, struct err *e)
{
	struct walk w = {.dir = data_dir, .report = report, .e = e};
	EVP_PKEY *key = NULL;
	unsigned char anchor_hash[32];
	int64_t ndig = 0, last_digest = 0;
	int rc, lock = -1;

	buf_clear(report);
	if ((rc = audit__open_ro(&w.db, data_dir, e)) < 0)
		return rc;
	if ((key = public_key(data_dir, e)) == NULL) {
		rc = CC_ERROR;
		goto out;
	}
	/* one snapshot for every read below, whatever a running server writes or prunes
	 * meanwhile (and no segment file of it deleted: the readers' lock is taken first);
	 * a file that is not a trail is an error to report, not a trail to judge */
	lock = audit__readers_lock(data_dir);
	if (sqlite3_exec(w.db, "BEGIN; SELECT value FROM meta WHERE key = 'version'", NULL, NULL,
			 NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "%s/" AUDIT_DB ": %s", data_dir, sqlite3_errmsg(w.db));
		goto out;
	}
	if (audit__has_table(w.db, "events")) {
		rc = audit__verify_v2(w.db, key, report, e);
		goto out;
	}
	if (audit__anchor(w.db, &w.anchor, anchor_hash) < 0) {
		rc = audit__broken(report, e, "the anchor (the last pruned event) is corrupt");
		goto out;
	}
	w.seq = w.anchor;
	memcpy(w.hash, anchor_hash, 32);
	if ((w.md = EVP_MD_CTX_new()) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if ((rc = digests_load(&w)) < 0 || (rc = chain_check(&w)) < 0 ||
	    (rc = digests_check(&w, key, anchor_hash, &ndig, &last_digest)) < 0 ||
	    (rc = index_check(&w)) < 0)
		goto out;
	buf_printf(report, "audit: %lld events", (long long)w.n);
	if (w.n)
		buf_printf(report, " (seq %lld-%lld)", (long long)(w.anchor + 1), (long long)w.seq);
	buf_printf(report, ", %lld signed digests: intact", (long long)ndig);
	if (w.anchor)
		buf_printf(report, "; events 1-%lld were pruned", (long long)w.anchor);
	if (w.seq > last_digest && w.n)
		buf_printf(report, "; events %lld-%lld are not yet covered by a signed digest",
			   (long long)(last_digest > w.anchor ? last_digest + 1 : w.anchor + 1),
			   (long long)w.seq);
	rc = 0;
out:
	for (size_t i = 0; i < w.ndigs; i++)
		free(w.digs[i].sig);
	free(w.digs);
	EVP_MD_CTX_free(w.md);
	sqlite3_close(w.db);
	audit__readers_unlock(lock);
	EVP_PKEY_free(key);
	return rc;
}
