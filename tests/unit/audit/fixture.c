/* fixture.c - what the tests of src/audit share: a temporary trail and
 * events whose every indexed attribute follows from their number i, so a
 * test can say which events a lookup must return.  No test cases here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "audit/audit_int.h"
#include "unit.h"
#include "afx.h"


char *afx_dir(void)
{
	char tmpl[] = "/tmp/commitd-audit-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

void afx_rm(char *d)
{
	char cmd[256];

	if (d == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d); /* a test's own temporary directory */
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d);
	free(d);
}

void afx_reset(const char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	CHECK(system(cmd) == 0);
	CHECK(mkdir(d, 0700) == 0);
}

static const char *const names[] = {"CreateUser", "GetUser", "GitPush", "ListUsers", "GitPull"};

/* event i of account at time t: its index and its record's text, as aws/event.c makes them */
char *afx_event(struct audit_entry *h, int i, const char *account, int64_t t)
{
	const char *name = names[i % 5];
	bool git = name[0] == 'G' && name[1] == 'i';
	char when[32];
	json_t *r, *ident, *res;
	char *text;

	memset(h, 0, sizeof(*h));
	time_iso8601(when, sizeof(when), t);
	h->time = t;
	snprintf(h->event_id, sizeof(h->event_id), "00000000-0000-4000-8000-%012d", i);
	snprintf(h->account, sizeof(h->account), "%s", account);
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->source, sizeof(h->source), "%s", git ? "codecommit.amazonaws.com"
							 : "iam.amazonaws.com");
	snprintf(h->user, sizeof(h->user), "user%d", i % 7);
	snprintf(h->access_key_id, sizeof(h->access_key_id), "AKIAFIXTURE%04d", i % 3);
	h->read_only = strcmp(name, "GetUser") == 0 || strcmp(name, "ListUsers") == 0 ||
		       strcmp(name, "GitPull") == 0;
	if (i % 11 != 0) { /* some events name no resource */
		if (git) {
			snprintf(h->resource, sizeof(h->resource),
				 "arn:aws:codecommit:us-east-1:%s:repo%d", account, i % 5);
			snprintf(h->resource_type, sizeof(h->resource_type),
				 "AWS::CodeCommit::Repository");
		} else {
			snprintf(h->resource, sizeof(h->resource), "arn:aws:iam::%s:user/dev/target%d",
				 account, i % 5);
			snprintf(h->resource_type, sizeof(h->resource_type), "AWS::IAM::User");
		}
	}
	ident = json_pack("{s:s, s:s, s:s}", "type", "IAMUser", "userName", h->user, "accessKeyId",
			  h->access_key_id);
	r = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:s}", "eventVersion", "1.09",
		      "userIdentity", ident, "eventTime", when, "eventSource", h->source,
		      "eventName", h->name, "eventID", h->event_id, "readOnly", h->read_only,
		      "recipientAccountId", account);
	if (h->resource[0]) {
		res = json_pack("[{s:s, s:s}]", "ARN", h->resource, "type", h->resource_type);
		json_object_set_new(r, "resources", res);
	}
	text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return text;
}

void afx_emit(struct audit *a, int i, const char *account, int64_t t)
{
	struct audit_entry h;
	char *text = afx_event(&h, i, account, t);

	audit_emit(a, &h, text, strlen(text));
	free(text);
}

const char *afx_account(int i)
{
	return i % 3 ? AFX_A : AFX_B;
}

void afx_fill(const char *dir, int from, int to, int64_t t0, int64_t retention)
{
	struct audit_config cfg = {.data_dir = dir, .retention_days = retention};
	struct audit *a = NULL;
	struct err e = ERR_INIT;

	CHECK(audit_open(&a, &cfg, &e) == 0);
	if (a == NULL) {
		fprintf(stderr, "  audit_open: %s\n", e.msg);
		return;
	}
	for (int i = from; i <= to; i++)
		afx_emit(a, i, afx_account(i), t0 + i);
	audit_close(a);
}

int afx_verify(const char *dir, struct buf *report)
{
	struct err e = ERR_INIT;
	int rc;

	buf_clear(report);
	rc = audit_verify(dir, report, &e);
	if (rc == CC_ECONFLICT)
		CHECK_STR(e.msg, buf_cstr(report)); /* the error says what the report says */
	return rc;
}

void afx_sql(const char *dir, const char *stmt)
{
	char path[256];
	sqlite3 *db = NULL;
	char *msg = NULL;

	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_exec(db, stmt, NULL, NULL, &msg) != SQLITE_OK) {
		unit_fail(__FILE__, __LINE__, msg ? msg : stmt);
		sqlite3_free(msg);
	}
	sqlite3_close(db);
}

int64_t afx_int(const char *dir, const char *query)
{
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, query, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else
		unit_fail(__FILE__, __LINE__, query);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

bool afx_has(const struct buf *report, const char *what)
{
	if (strstr(buf_cstr(report), what))
		return true;
	fprintf(stderr, "  report: %s\n  wanted: %s\n", buf_cstr(report), what);
	return false;
}

/* ---- the segment files, as someone with the disk but not the key can change them ---- */

/* the first seq of the segment that holds event seq */
int64_t afx_seg_first(const char *dir, int64_t seq)
{
	char q[160];

	snprintf(q, sizeof(q), "SELECT coalesce(max(first_seq), 0) FROM segments WHERE first_seq"
		 " <= %lld", (long long)seq);
	return afx_int(dir, q);
}

char *afx_seg_file(const char *dir, int64_t seq)
{
	return audit__seg_path(dir, afx_seg_first(dir, seq));
}

/* every frame of the segment that holds event seq, from its start to its committed size */
bool afx_seg_load(struct afx_seg *s, const char *dir, int64_t seq)
{
	struct buf data = BUF_INIT(0);
	struct err e = ERR_INIT;
	char q[160], *path;
	int64_t size;
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	s->first = afx_seg_first(dir, seq);
	snprintf(q, sizeof(q), "SELECT size FROM segments WHERE first_seq = %lld",
		 (long long)s->first);
	size = afx_int(dir, q);
	path = audit__seg_path(dir, s->first);
	if (path == NULL || file_read(&data, path, &e) < 0 || (int64_t)data.len < size) {
		unit_fail(__FILE__, __LINE__, path ? path : "no memory");
		free(path);
		buf_release(&data);
		return false;
	}
	free(path);
	while ((int64_t)off + FRAME_HDR <= size) {
		struct frame f;
		struct afx_ev *ev;

		audit__frame_get(&f, (const unsigned char *)data.ptr + off);
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		}
		ev = &s->ev[s->n++];
		ev->seq = f.seq;
		ev->time = f.time;
		memcpy(ev->hash, f.hash, 32);
		ev->len = f.len;
		ev->rec = malloc(f.len + 1);
		memcpy(ev->rec, data.ptr + off + FRAME_HDR, f.len);
		ev->rec[f.len] = '\0';
		off += FRAME_HDR + f.len;
	}
	buf_release(&data);
	return true;
}

/* written back as the frames are now; the segment's committed size follows,
 * and its last event and hash when fix_last (as a careful forger would) */
void afx_seg_save(const struct afx_seg *s, const char *dir, bool fix_last)
{
	struct buf data = BUF_INIT(0);
	struct err e = ERR_INIT;
	char *path = audit__seg_path(dir, s->first), q[300], hex[65] = "";

	for (size_t i = 0; i < s->n; i++) {
		struct frame f = {s->ev[i].seq, s->ev[i].time, (uint32_t)s->ev[i].len, {0}};
		unsigned char hdr[FRAME_HDR];

		memcpy(f.hash, s->ev[i].hash, 32);
		audit__frame_put(hdr, &f);
		buf_add(&data, hdr, sizeof(hdr));
		buf_add(&data, s->ev[i].rec, s->ev[i].len);
	}
	CHECK(file_write_atomic(path, data.ptr ? data.ptr : "", data.len, 0600, &e) == 0);
	snprintf(q, sizeof(q), "UPDATE segments SET size = %zu WHERE first_seq = %lld", data.len,
		 (long long)s->first);
	afx_sql(dir, q);
	if (fix_last && s->n) {
		hex_encode(hex, s->ev[s->n - 1].hash, 32);
		snprintf(q, sizeof(q), "UPDATE segments SET last_seq = %lld, hash = x'%s' WHERE"
			 " first_seq = %lld", (long long)s->ev[s->n - 1].seq, hex,
			 (long long)s->first);
		afx_sql(dir, q);
	}
	free(path);
	buf_release(&data);
}

void afx_seg_free(struct afx_seg *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->ev[i].rec);
	free(s->ev);
	memset(s, 0, sizeof(*s));
}

struct afx_ev *afx_seg_ev(struct afx_seg *s, int64_t seq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ev[i].seq == seq)
			return &s->ev[i];
	unit_fail(__FILE__, __LINE__, "no such event in the segment");
	return NULL;
}

void afx_seg_delete(struct afx_seg *s, int64_t seq)
{
	struct afx_ev *ev = afx_seg_ev(s, seq);
	size_t i = ev ? (size_t)(ev - s->ev) : s->n;

	if (i == s->n)
		return;
	free(ev->rec);
	memmove(ev, ev + 1, (s->n - i - 1) * sizeof(*ev));
	s->n--;
}

/* replaces the first "from" in event seq's record by "to" (any length) */
void afx_record_edit(const char *dir, int64_t seq, const char *from, const char *to)
{
	struct afx_seg s;
	struct afx_ev *ev;
	struct buf b = BUF_INIT(0);
	char *at;

	if (!afx_seg_load(&s, dir, seq) || (ev = afx_seg_ev(&s, seq)) == NULL)
		return;
	at = strstr(ev->rec, from);
	CHECK(at != NULL);
	if (at) {
		buf_add(&b, ev->rec, (size_t)(at - ev->rec));
		buf_puts(&b, to);
		buf_puts(&b, at + strlen(from));
		free(ev->rec);
		ev->len = b.len;
		ev->rec = buf_detach(&b);
		afx_seg_save(&s, dir, false);
	}
	afx_seg_free(&s);
}

/* the hashes of events from..to recomputed, so the chain itself holds again
 * there (from the event before from, or the anchor, in the same segment) */
void afx_rechain(const char *dir, int64_t from, int64_t to)
{
	struct afx_seg s;
	unsigned char h[32] = {0};
	char q[120];
	bool from_anchor = false;

	if (!afx_seg_load(&s, dir, from))
		return;
	snprintf(q, sizeof(q), "SELECT count(*) FROM meta WHERE key = 'anchor_seq' AND value ="
		 " '%lld'", (long long)(from - 1));
	if (afx_int(dir, q) == 1) { /* the pruned frame before it may still be in the file */
		char hex[65];

		afx_meta(dir, "anchor_hash", hex, sizeof(hex));
		CHECK(hex_decode(h, 32, hex, 64) == 32);
		from_anchor = true;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (s.ev[i].seq == from - 1 && !from_anchor)
			memcpy(h, s.ev[i].hash, 32);
		if (s.ev[i].seq < from || s.ev[i].seq > to)
			continue;
		CHECK(audit__chain(NULL, h, h, s.ev[i].rec, s.ev[i].len) == 0);
		memcpy(s.ev[i].hash, h, 32);
	}
	afx_seg_save(&s, dir, false);
	afx_seg_free(&s);
}

/* the offset of event seq's frame in its segment */
int64_t afx_frame_off(const char *dir, int64_t seq)
{
	struct afx_seg s;
	int64_t off = 0;

	if (!afx_seg_load(&s, dir, seq))
		return -1;
	for (size_t i = 0; i < s.n && s.ev[i].seq != seq; i++)
		off += FRAME_HDR + (int64_t)s.ev[i].len;
	afx_seg_free(&s);
	return off;
}

/* event seq's stored hash, in hex */
void afx_frame_hash(const char *dir, int64_t seq, char out[65])
{
	struct afx_seg s;
	struct afx_ev *ev;

	out[0] = '\0';
	if (afx_seg_load(&s, dir, seq) && (ev = afx_seg_ev(&s, seq)) != NULL)
		hex_encode(out, ev->hash, 32);
	afx_seg_free(&s);
}

void afx_meta(const char *dir, const char *key, char *out, size_t outsz)
{
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) ==
		    SQLITE_OK) {
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* every index entry of the trail: calls fn for each (account, entry) */
int afx_index(const char *dir, void (*fn)(void *arg, const char *account,
					  const struct ientry *x), void *arg)
{
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT account, entries FROM chunks ORDER BY id", -1, &q,
			       NULL) == SQLITE_OK)
		while (sqlite3_step(q) == SQLITE_ROW) {
			const unsigned char *p = sqlite3_column_blob(q, 1);
			const unsigned char *end = p ? p + sqlite3_column_bytes(q, 1) : NULL;
			struct ientry x = {0};

			while (p && audit__chunk_next(&x, &p, end) == 1) {
				if (fn)
					fn(arg, (const char *)sqlite3_column_text(q, 0), &x);
				n++;
			}
		}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

/* the trail's v2 fixture (tests/data/audit/v2: 30 events of afx_event at
 * 1700000000 + i, one digest) made in dir, as a commitd of schema 2 left it */
void afx_v2(const char *dir)
{
	char path[512];
	struct buf sql = BUF_INIT(0), key = BUF_INIT(0);
	struct err e = ERR_INIT;
	static const char *const keys[] = {"signing.key", "signing.pub"};

	afx_reset(dir);
	snprintf(path, sizeof(path), "%s/audit", dir);
	CHECK(mkdir(path, 0700) == 0);
	for (size_t i = 0; i < 2; i++) {
		buf_clear(&key);
		snprintf(path, sizeof(path), "%s/audit/v2/%s", unit_data_dir(), keys[i]);
		CHECK(file_read(&key, path, &e) == 0);
		snprintf(path, sizeof(path), "%s/audit/%s", dir, keys[i]);
		CHECK(file_write_atomic(path, key.ptr, key.len, i ? 0644 : 0600, &e) == 0);
	}
	snprintf(path, sizeof(path), "%s/audit/v2/trail.sql", unit_data_dir());
	CHECK(file_read(&sql, path, &e) == 0);
	afx_sql(dir, buf_cstr(&sql));
	buf_release(&sql);
	buf_release(&key);
}
