/*
 * lookup.c - reading the trail: LookupEvents' search (newest first by
 * eventTime, one attribute, a time range, pages named by an opaque token)
 * and the export of a time range as JSON lines.
 *
 * A search reads the account's index chunks (chunk.c) whose time range
 * meets the query's, newest first, and keeps the best max + 1 entries
 * that pass the attribute's filter; it stops at the first chunk whose
 * newest event is older than all it keeps (a chunk spans at most
 * CHUNK_SPAN seconds, so the range of chunks to read is bounded too).  The
 * records of the page are then read from their segment files.  An
 * attribute has no index of its own (each would cost the writer).  The
 * token names where the page stopped and the query it belongs to.  Nothing
 * here writes.  The contract is audit.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_int.h"

#define TOKEN_PREFIX "CDA2."
#define TOKEN_MAX 64 /* "CDA2." time "." seq "." 16 hex digits */

struct pos {
	int64_t time, seq; /* the page goes on below (time, seq) */
};

/* an event a page may show: its index entry, copied out of its chunk */
struct hit {
	int64_t time, seq, segment, off;
	uint32_t len;
	bool read_only;
	char f[IX_FIELDS][400];
	uint16_t fn[IX_FIELDS];
};

static uint64_t query_hash(const struct audit_query *q);
static int token_num(int64_t *out, const char *s, size_t n, int64_t min);
static int token_parse(struct pos *out, const char *t, const struct audit_query *q,
		       struct err *e);
static json_t *text_json(const unsigned char *p, size_t n);
static bool entry_matches(const struct ientry *x, const struct audit_query *q, size_t vn);
static void keep(struct hit *best, size_t *n, size_t max, const struct ientry *x,
		 int64_t segment);
static json_t *event_of(const struct hit *h, const char *record, size_t len);
static int record_read(struct buf *out, const char *dir, const struct hit *h, int *fd,
		       int64_t *fd_seg);
static int export_segment(const char *dir, sqlite3_stmt *s, int64_t start, int64_t end,
			  FILE *out, struct err *e);

/* what a token is good for: the same account, attribute, value and time range */
static uint64_t query_hash(const struct audit_query *q)
{
	char num[80];
	uint64_t h = hash_str(HASH_SEED, q->account);

	snprintf(num, sizeof(num), "\n%d\n%lld\n%lld\n", (int)q->attr, (long long)q->start,
		 (long long)q->end);
	h = hash_str(h, num);
	return q->attr != AUDIT_ATTR_NONE ? hash_str(h, q->value) : h;
}

/* a decimal with no sign and no leading zero, as the token was written */
static int token_num(int64_t *out, const char *s, size_t n, int64_t min)
{
	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return CC_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return CC_EINVAL;
	return parse_i64(s, n, min, INT64_MAX, out);
}

/* "CDA2.<time>.<seq>.<query hash, 16 hex>" */
static int token_parse(struct pos *out, const char *t, const struct audit_query *q,
		       struct err *e)
{
	size_t n = strnlen(t, TOKEN_MAX + 1), p = strlen(TOKEN_PREFIX);
	const char *a, *b, *end = t + n;
	char want[17];

	if (n > TOKEN_MAX || n <= p || memcmp(t, TOKEN_PREFIX, p) != 0)
		goto bad;
	a = memchr(t + p, '.', (size_t)(end - (t + p)));
	b = a ? memchr(a + 1, '.', (size_t)(end - (a + 1))) : NULL;
	if (b == NULL || token_num(&out->time, t + p, (size_t)(a - (t + p)), 0) < 0 ||
	    token_num(&out->seq, a + 1, (size_t)(b - (a + 1)), 1) < 0)
		goto bad;
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)query_hash(q));
	if ((size_t)(end - (b + 1)) != 16 || memcmp(b + 1, want, 16) != 0)
		goto bad;
	return 0;
bad:
	return err_set(e, CC_EINVAL, "InvalidNextTokenException",
		       "Invalid token or token that was previously used in a request with"
		       " different parameters.");
}

/* text as a JSON string; bytes that are not UTF-8 (a hostile header kept in a
 * record, a damaged database) become U+FFFD rather than losing the member */
static json_t *text_json(const unsigned char *p, size_t n)
{
	struct buf b = BUF_INIT(0);
	json_t *s;

	if (p == NULL)
		return NULL;
	if (utf8_valid((const char *)p, n))
		return json_stringn((const char *)p, n);
	utf8_fix(&b, (const char *)p, n);
	s = buf_failed(&b) ? NULL : json_stringn(buf_cstr(&b), b.len);
	buf_release(&b);
	return s;
}

/* does x pass q's attribute?  vn: strlen(q->value) */
static bool entry_matches(const struct ientry *x, const struct audit_query *q, size_t vn)
{
	int f;

	switch (q->attr) {
	case AUDIT_ATTR_NONE: return true;
	case AUDIT_ATTR_READ_ONLY: return x->read_only == (strcmp(q->value, "true") == 0);
	case AUDIT_ATTR_RESOURCE_NAME: return audit__resource_match(x, q->value, vn);
	case AUDIT_ATTR_EVENT_ID: f = IX_EVENT_ID; break;
	case AUDIT_ATTR_EVENT_NAME: f = IX_NAME; break;
	case AUDIT_ATTR_USERNAME: f = IX_USER; break;
	case AUDIT_ATTR_RESOURCE_TYPE: f = IX_TYPE; break;
	case AUDIT_ATTR_EVENT_SOURCE: f = IX_SOURCE; break;
	case AUDIT_ATTR_ACCESS_KEY_ID: f = IX_KEY; break;
	default: return false;
	}
	return vn > 0 && x->fn[f] == vn && memcmp(x->f[f], q->value, vn) == 0;
}

/* x among the best *n (newest first by time, then seq), which hold at most max */
static void keep(struct hit *best, size_t *n, size_t max, const struct ientry *x,
		 int64_t segment)
{
	size_t i = *n;
	struct hit *h;

	while (i > 0 && (best[i - 1].time < x->time ||
			 (best[i - 1].time == x->time && best[i - 1].seq < x->seq)))
		i--;
	if (i >= max)
		return;
	if (*n == max) /* the last one goes */
		(*n)--;
	memmove(&best[i + 1], &best[i], (*n - i) * sizeof(*best));
	(*n)++;
	h = &best[i];
	h->time = x->time;
	h->seq = x->seq;
	h->segment = segment;
	h->off = x->off;
	h->len = x->len;
	h->read_only = x->read_only;
	for (int f = 0; f < IX_FIELDS; f++) {
		size_t fn = x->fn[f] < sizeof(h->f[f]) ? x->fn[f] : sizeof(h->f[f]) - 1;

		if (fn)
			memcpy(h->f[f], x->f[f], fn);
		h->fn[f] = (uint16_t)fn;
	}
}

/* the record of h, from its segment file (fd kept open for the next one of the same) */
static int record_read(struct buf *out, const char *dir, const struct hit *h, int *fd,
		       int64_t *fd_seg)
{
	unsigned char hdr[FRAME_HDR];
	struct frame f;
	ssize_t got;

	buf_clear(out);
	if (*fd < 0 || *fd_seg != h->segment) {
		char *path = audit__seg_path(dir, h->segment);

		if (*fd >= 0)
			close(*fd);
		*fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		*fd_seg = h->segment;
		free(path);
		if (*fd < 0)
			return CC_ENOTFOUND;
	}
	if (h->len > AUDIT_RECORD_MAX || buf_grow(out, h->len + 1) < 0)
		return CC_ECONFLICT;
	got = pread(*fd, hdr, sizeof(hdr), h->off);
	if (got != (ssize_t)sizeof(hdr))
		return CC_ECONFLICT;
	audit__frame_get(&f, hdr);
	if (f.seq != h->seq || f.len != h->len)
		return CC_ECONFLICT;
	got = h->len ? pread(*fd, out->ptr, h->len, h->off + FRAME_HDR) : 0;
	if (got != (ssize_t)h->len)
		return CC_ECONFLICT;
	out->len = h->len;
	out->ptr[out->len] = '\0';
	return 0;
}

/* h as LookupEvents' Event; the resource is the one the trail indexed */
static json_t *event_of(const struct hit *h, const char *record, size_t len)
{
	static const struct {
		const char *name;
		int f;
	} members[] = {
		{"EventId", IX_EVENT_ID},   {"EventName", IX_NAME}, {"AccessKeyId", IX_KEY},
		{"EventSource", IX_SOURCE}, {"Username", IX_USER},
	};
	json_t *ev = json_object(), *r;

	if (ev == NULL)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(members); i++)
		if (h->fn[members[i].f])
			json_object_set_new(ev, members[i].name,
					    text_json((const unsigned char *)h->f[members[i].f],
						      h->fn[members[i].f]));
	json_object_set_new(ev, "ReadOnly", json_string(h->read_only ? "true" : "false"));
	json_object_set_new(ev, "EventTime", json_integer(h->time));
	if (h->fn[IX_RESOURCE] || h->fn[IX_TYPE]) {
		r = json_object();
		if (h->fn[IX_TYPE])
			json_object_set_new(r, "ResourceType",
					    text_json((const unsigned char *)h->f[IX_TYPE],
						      h->fn[IX_TYPE]));
		if (h->fn[IX_RESOURCE])
			json_object_set_new(r, "ResourceName",
					    text_json((const unsigned char *)h->f[IX_RESOURCE],
						      h->fn[IX_RESOURCE]));
		json_object_set_new(ev, "Resources", json_pack("[o]", r));
	}
	if (record && len)
		json_object_set_new(ev, "CloudTrailEvent", text_json((const unsigned char *)record, len));
	return ev;
}

int audit_lookup(struct audit *a, const struct audit_query *q, json_t **events,
		 char **next_token, struct err *e)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	struct pos hi = {q->end ? q->end : INT64_MAX, INT64_MAX}, tok;
	struct hit *best = NULL;
	struct buf rec = BUF_INIT(0);
	int64_t start = q->start ? q->start : INT64_MIN, anchor = 0, fd_seg = 0;
	unsigned char ahash[32];
	size_t n = 0, vn = 0;
	int rc, step, fd = -1;
	bool reading = false;

	*events = NULL;
	*next_token = NULL;
	if ((unsigned)q->attr > AUDIT_ATTR_ACCESS_KEY_ID || q->max < 1 || q->max > 50 ||
	    q->account == NULL || (q->attr != AUDIT_ATTR_NONE && q->value == NULL))
		return err_set(e, CC_EINVAL, "InvalidLookupAttributesException",
			       "The lookup is malformed");
	if (q->attr == AUDIT_ATTR_READ_ONLY && strcmp(q->value, "true") != 0 &&
	    strcmp(q->value, "false") != 0)
		return err_set(e, CC_EINVAL, "InvalidLookupAttributesException",
			       "ReadOnly is true or false");
	if (q->next_token) {
		if ((rc = token_parse(&tok, q->next_token, q, e)) < 0)
			return rc;
		if (tok.time < hi.time)
			hi = tok;
		else if (tok.time == hi.time)
			hi.seq = tok.seq;
	}
	if ((*events = json_array()) == NULL || (best = calloc(q->max + 1, sizeof(*best))) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if (q->attr != AUDIT_ATTR_NONE)
		vn = strlen(q->value);
	audit__flush(a);
	db = audit__reader(a);
	reading = true;
	/* one snapshot for the anchor and the chunks */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    audit__anchor(db, &anchor, ahash) < 0 ||
	    sqlite3_prepare_v2(db, "SELECT segment, entries, time_hi FROM chunks WHERE account = ?1"
				   " AND time_hi >= ?2 AND time_hi <= ?3 AND time_lo <= ?4"
				   " ORDER BY time_hi DESC", -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, q->account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, hi.time > INT64_MAX - CHUNK_SPAN ? INT64_MAX : hi.time + CHUNK_SPAN);
	sqlite3_bind_int64(st, 4, hi.time);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(st, 1), *end;
		int64_t segment = sqlite3_column_int64(st, 0);
		struct ientry x = {0};
		int got;

		/* nothing in this chunk or an older one can be newer than all that is kept */
		if (n == q->max + 1 && sqlite3_column_int64(st, 2) < best[n - 1].time)
			break;
		if (p == NULL)
			continue;
		end = p + sqlite3_column_bytes(st, 1);
		while ((got = audit__chunk_next(&x, &p, end)) == 1)
			if (x.seq > anchor && x.time >= start && x.time <= hi.time &&
			    (x.time < hi.time || x.seq < hi.seq) && entry_matches(&x, q, vn))
				keep(best, &n, q->max + 1, &x, segment);
		if (got < 0)
			log_warnx("audit: a damaged index chunk of account '%s' was skipped"
				  " (commitd audit verify says more)", q->account);
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < n && i < q->max; i++) {
		int got = record_read(&rec, audit__dir(a), &best[i], &fd, &fd_seg);

		if (got < 0 && got != CC_ENOTFOUND && got != CC_ECONFLICT) {
			rc = err_oom(e);
			goto out;
		}
		if (got < 0)
			log_warnx("audit: the record of event %lld is not where the index says"
				  " (commitd audit verify says more)", (long long)best[i].seq);
		if (json_array_append_new(*events, event_of(&best[i], got == 0 ? rec.ptr : NULL,
							   rec.len)) < 0) {
			rc = err_oom(e);
			goto out;
		}
	}
	if (n > q->max) { /* one more than a page: there is a next one */
		char tokbuf[TOKEN_MAX + 1];

		snprintf(tokbuf, sizeof(tokbuf), TOKEN_PREFIX "%lld.%lld.%016llx",
			 (long long)best[q->max - 1].time, (long long)best[q->max - 1].seq,
			 (unsigned long long)query_hash(q));
		if ((*next_token = strdup(tokbuf)) == NULL) {
			rc = err_oom(e);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (fd >= 0)
		close(fd);
	if (reading) {
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		audit__reader_done(a);
	}
	buf_release(&rec);
	free(best);
	if (rc < 0) {
		json_decref(*events);
		*events = NULL;
		free(*next_token);
		*next_token = NULL;
	}
	return rc;
}

/* the frames of one segment in [start, end] as JSON lines: 0, CC_ECONFLICT (damaged) or CC_ERROR */
static int export_segment(const char *dir, sqlite3_stmt *s, int64_t start, int64_t end,
			  FILE *out, struct err *e)
{
	struct seg_reader r;
	struct frame f;
	const char *rec;
	int64_t at;
	int rc;

	if ((rc = audit__seg_open(&r, dir, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
				  sqlite3_column_int64(s, 2), e)) < 0)
		return rc;
	while ((rc = audit__seg_next(&r, &f, &rec, &at, e)) == 1) {
		if (f.time < start || f.time > end)
			continue;
		/* the bytes as stored and hashed: a line a reader can check against the chain */
		if ((f.len && fwrite(rec, 1, f.len, out) != f.len) || fputc('\n', out) == EOF) {
			rc = err_set(e, CC_ERROR, NULL, "audit export: cannot write");
			break;
		}
	}
	audit__seg_close(&r);
	return rc;
}

int audit_export(const char *data_dir, int64_t start, int64_t end, FILE *out, struct err *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, step, lock = -1;

	if ((rc = audit__open_ro(&db, data_dir, e)) < 0)
		return rc;
	if (!start)
		start = INT64_MIN;
	if (!end)
		end = INT64_MAX;
	lock = audit__readers_lock(data_dir); /* before the snapshot: no file of it goes */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (audit__has_table(db, "events")) {
		rc = audit__export_v2(db, start, end, out, e);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT first_seq, start, size FROM segments ORDER BY first_seq",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = export_segment(data_dir, st, start, end, out, e);
		if (rc == CC_ECONFLICT || rc == CC_ENOTFOUND) {
			rc = err_set(e, CC_ERROR, NULL,
				     "audit export: the segment of event %lld is damaged or missing"
				     " (commitd audit verify says more)",
				     (long long)sqlite3_column_int64(st, 0));
		}
		if (rc < 0)
			goto out;
	}
	rc = step == SQLITE_DONE ? 0
				 : err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	audit__readers_unlock(lock);
	return rc;
}
