/*
 * lookup.c - reading the trail: LookupEvents' search (newest first by
 * eventTime, one attribute, a time range, pages named by an opaque token)
 * and the export of a time range as JSON lines.
 *
 * A search walks the index (account, time) backwards from the end of the
 * range, so a time range costs what it returns; an attribute is a filter on
 * that walk (no index of its own: each would cost the writer).  The token
 * names where the page stopped and the query it belongs to.  Nothing here
 * writes.  The contract is audit.h.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#define TOKEN_PREFIX "CDA2."
#define TOKEN_MAX 64 /* "CDA2." time "." seq "." 16 hex digits */

struct pos {
	int64_t time, seq; /* the page goes on below (time, seq) */
};

static uint64_t query_hash(const struct audit_query *q);
static int token_num(int64_t *out, const char *s, size_t n, int64_t min);
static int token_parse(struct pos *out, const char *t, const struct audit_query *q,
		       struct err *e);
static json_t *text_json(const unsigned char *p, size_t n);
static void put(json_t *o, const char *k, sqlite3_stmt *q, int col);
static size_t first_line(const unsigned char **out, const unsigned char *s, size_t n);
static json_t *event_of(sqlite3_stmt *q);

static const char *const attr_sql[] = {
	[AUDIT_ATTR_NONE] = "",
	[AUDIT_ATTR_EVENT_ID] = " AND event_id = ?5",
	[AUDIT_ATTR_EVENT_NAME] = " AND event_name = ?5",
	[AUDIT_ATTR_READ_ONLY] = " AND read_only = ?5",
	[AUDIT_ATTR_USERNAME] = " AND username = ?5",
	[AUDIT_ATTR_RESOURCE_TYPE] = " AND instr(resource_types, char(10) || ?5 || char(10)) > 0",
	[AUDIT_ATTR_RESOURCE_NAME] = " AND instr(resource_names, char(10) || ?5 || char(10)) > 0",
	[AUDIT_ATTR_EVENT_SOURCE] = " AND event_source = ?5",
	[AUDIT_ATTR_ACCESS_KEY_ID] = " AND access_key_id = ?5",
};

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
	for (size_t i = 0; i < n;) {
		size_t len = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;

		if (len <= n - i && utf8_valid((const char *)p + i, len)) {
			buf_add(&b, p + i, len);
			i += len;
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	s = buf_failed(&b) ? NULL : json_stringn(buf_cstr(&b), b.len);
	buf_release(&b);
	return s;
}

static void put(json_t *o, const char *k, sqlite3_stmt *q, int col)
{
	const unsigned char *v = sqlite3_column_text(q, col);
	size_t n = (size_t)sqlite3_column_bytes(q, col);

	if (v && n)
		json_object_set_new(o, k, text_json(v, n));
}

/* the first line of "\nA\nB\n" */
static size_t first_line(const unsigned char **out, const unsigned char *s, size_t n)
{
	const unsigned char *nl;

	*out = NULL;
	if (s == NULL || n < 2 || s[0] != '\n')
		return 0;
	nl = memchr(s + 1, '\n', n - 1);
	if (nl == NULL || nl == s + 1)
		return 0;
	*out = s + 1;
	return (size_t)(nl - (s + 1));
}

/* one row as LookupEvents' Event; the resource is the one the trail indexed */
static json_t *event_of(sqlite3_stmt *q)
{
	json_t *ev = json_object(), *r;
	const unsigned char *name, *type;
	size_t nn = first_line(&name, sqlite3_column_text(q, 6), (size_t)sqlite3_column_bytes(q, 6));
	size_t tn = first_line(&type, sqlite3_column_text(q, 7), (size_t)sqlite3_column_bytes(q, 7));

	if (ev == NULL)
		return NULL;
	put(ev, "EventId", q, 1);
	put(ev, "EventName", q, 2);
	json_object_set_new(ev, "ReadOnly", json_string(sqlite3_column_int(q, 3) ? "true" : "false"));
	put(ev, "AccessKeyId", q, 4);
	json_object_set_new(ev, "EventTime", json_integer(sqlite3_column_int64(q, 9)));
	put(ev, "EventSource", q, 5);
	put(ev, "Username", q, 10);
	if (nn || tn) {
		r = json_object();
		if (tn)
			json_object_set_new(r, "ResourceType", text_json(type, tn));
		if (nn)
			json_object_set_new(r, "ResourceName", text_json(name, nn));
		json_object_set_new(ev, "Resources", json_pack("[o]", r));
	}
	put(ev, "CloudTrailEvent", q, 8);
	return ev;
}

int audit_lookup(struct audit *a, const struct audit_query *q, json_t **events,
		 char **next_token, struct err *e)
{
	char sql[1024];
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	struct pos hi = {q->end ? q->end : INT64_MAX, INT64_MAX}, tok, last = {0, 0};
	size_t n = 0;
	int rc, step;

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
	if ((*events = json_array()) == NULL)
		return err_oom(e);
	/* a line break cannot be in one resource line: no value with one matches */
	if ((q->attr == AUDIT_ATTR_RESOURCE_NAME || q->attr == AUDIT_ATTR_RESOURCE_TYPE) &&
	    strchr(q->value, '\n'))
		return 0;
	audit__flush(a);
	snprintf(sql, sizeof(sql),
		 "SELECT seq, event_id, event_name, read_only, access_key_id, event_source,"
		 " resource_names, resource_types, record, time, username FROM events"
		 " WHERE account = ?1 AND time >= ?2 AND time <= ?3 AND (time < ?3 OR seq < ?4)%s"
		 " ORDER BY time DESC, seq DESC LIMIT ?6",
		 attr_sql[q->attr]);
	db = audit__reader(a);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, q->account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->start ? q->start : INT64_MIN);
	sqlite3_bind_int64(st, 3, hi.time);
	sqlite3_bind_int64(st, 4, hi.seq);
	if (q->attr == AUDIT_ATTR_READ_ONLY)
		sqlite3_bind_int(st, 5, strcmp(q->value, "true") == 0);
	else if (q->attr != AUDIT_ATTR_NONE)
		sqlite3_bind_text(st, 5, q->value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)q->max + 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > q->max) { /* one more than a page: there is a next one */
			char tokbuf[TOKEN_MAX + 1];

			snprintf(tokbuf, sizeof(tokbuf), TOKEN_PREFIX "%lld.%lld.%016llx",
				 (long long)last.time, (long long)last.seq,
				 (unsigned long long)query_hash(q));
			if ((*next_token = strdup(tokbuf)) == NULL) {
				rc = err_oom(e);
				goto out;
			}
			break;
		}
		last.seq = sqlite3_column_int64(st, 0);
		last.time = sqlite3_column_int64(st, 9);
		if (json_array_append_new(*events, event_of(st)) < 0) {
			rc = err_oom(e);
			goto out;
		}
	}
	rc = step == SQLITE_ROW || step == SQLITE_DONE
		     ? 0
		     : err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	audit__reader_done(a);
	if (rc < 0) {
		json_decref(*events);
		*events = NULL;
		free(*next_token);
		*next_token = NULL;
	}
	return rc;
}

int audit_export(const char *data_dir, int64_t start, int64_t end, FILE *out, struct err *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = audit__open_ro(&db, data_dir, e)) < 0)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT record FROM events WHERE time >= ?1 AND time <= ?2"
				   " ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, start ? start : INT64_MIN);
	sqlite3_bind_int64(st, 2, end ? end : INT64_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *rec = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		/* the bytes as stored and hashed: a line a reader can check against the chain */
		if ((n && fwrite(rec, 1, n, out) != n) || fputc('\n', out) == EOF) {
			rc = err_set(e, CC_ERROR, NULL, "audit export: cannot write");
			goto out;
		}
	}
	rc = step == SQLITE_DONE ? 0
				 : err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
