/* tests of src/audit/trail.c and migrate.c: the writer.  The chain and its
 * digests across reopenings, segment files (a new one past the size, the
 * frames a crash left cut off, a missing one), retention (pruning at a
 * signed digest, whole files deleted once no reader holds them), several
 * emitting threads, one writer per trail, the signing key, hostile index
 * fields, and trails of schemas 1 and 2 moved into segments. */
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "afx.h"

void test_audit_trail__chain_and_digests(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	struct stat sb;
	char path[300];

	afx_fill(dir, 1, 2500, time_now() - 100000, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 2500 events (seq 1-2500), 3 signed digests: intact"));
	CHECK_INT(afx_int(dir, "SELECT group_concat(seq) FROM digests"), 1000);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM digests WHERE seq IN (1000, 2000, 2500)"), 3);
	/* reopening goes on with the same chain */
	afx_fill(dir, 2501, 2510, time_now() - 1000, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "2510 events (seq 1-2510), 4 signed digests: intact"));
	/* opened and closed with nothing written: no digest more */
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM digests"), 4);
	/* the key and the database are the server's own */
	snprintf(path, sizeof(path), "%s/audit/signing.key", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/audit", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/audit/events-00000000000000000001.seg", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'version'"), 3);
	/* one segment, all of it committed, indexed by a chunk per account per batch */
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM segments"), 1);
	CHECK_INT(afx_int(dir, "SELECT last_seq FROM segments"), 2510);
	CHECK_INT(afx_int(dir, "SELECT size FROM segments"), sb.st_size);
	CHECK_INT(afx_int(dir, "SELECT sum(n) FROM chunks"), 2510);
	CHECK_INT(afx_index(dir, NULL, NULL), 2510);
	buf_release(&r);
	afx_rm(dir);
}

/* the record is stored as given, and what is hashed is what is stored */
void test_audit_trail__record_bytes_kept(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct audit_entry h;
	struct buf r = BUF_INIT(0), rec = BUF_INIT(0);
	char *text;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	text = afx_event(&h, 1, AFX_A, time_now());
	buf_printf(&rec, "{ \"spaces\" : [1, 2],\n %s", text + 1);
	audit_emit(a, &h, rec.ptr, rec.len);
	audit_close(a);
	free(text);
	{
		struct afx_seg sg;

		REQUIRE(afx_seg_load(&sg, dir, 1));
		CHECK_INT(sg.n, 1);
		CHECK_STR(sg.ev[0].rec, buf_cstr(&rec));
		CHECK_INT(sg.ev[0].seq, 1);
		CHECK_INT(sg.ev[0].time, h.time);
		afx_seg_free(&sg);
	}
	CHECK_INT(afx_verify(dir, &r), 0);
	buf_release(&r);
	buf_release(&rec);
	afx_rm(dir);
}

/* events a crash left after the last digest are covered by the next one */
void test_audit_trail__digest_after_crash(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 1500, time_now() - 5000, 0);
	afx_sql(dir, "DELETE FROM digests WHERE seq = 1500"); /* as if killed before it */
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "1 signed digests: intact; events 1001-1500 are not yet covered"));
	afx_fill(dir, 1, 0, 0, 0); /* opened and closed: the digest the crash missed */
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "1500 events (seq 1-1500), 2 signed digests: intact"));
	CHECK(strstr(buf_cstr(&r), "not yet covered") == NULL);
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_trail__retention_prunes_at_a_digest(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();

	/* 1200 old events (digests at 1000 and 1200), then 20 recent ones */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30); /* reopened with 30 days */
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "20 events (seq 1201-1220), 2 signed digests: intact; events 1-1200"
			  " were pruned"));
	/* the file stays (it holds the newer events): its pruned frames are skipped */
	CHECK_INT(afx_int(dir, "SELECT start FROM segments"), afx_frame_off(dir, 1201));
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM chunks WHERE seq_hi <= 1200"), 0);
	CHECK_INT(afx_int(dir, "SELECT min(seq) FROM digests"), 1200); /* the anchor's */
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'anchor_seq'"), 1200);
	/* the chain goes on from what is left */
	afx_fill(dir, 1221, 1230, now - 50, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "30 events (seq 1201-1230)"));
	buf_release(&r);
	afx_rm(dir);
}

/* pruning stops before an altered event: the evidence stays for verify */
void test_audit_trail__retention_keeps_the_evidence(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();

	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_record_edit(dir, 500, "\"user3\"", "\"user9\""); /* same length: nothing moves */
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 500 "));
	afx_fill(dir, 1, 0, 0, 30); /* reopened with 30 days */
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM meta WHERE key = 'anchor_seq'"), 0);
	CHECK_INT(afx_int(dir, "SELECT min(seq) FROM digests"), 1000); /* nothing pruned */
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 500 "));
	buf_release(&r);
	afx_rm(dir);
}

/* a segment file a crash left before its first batch was committed is
 * removed at open, whatever name the next one takes */
void test_audit_trail__orphan_segment(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .segment_max = 4096};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	char *path;
	FILE *f;

	afx_fill(dir, 1, 0, 0, 0);
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; i <= 40; i++) {
		afx_emit(a, i, AFX_A, time_now());
		if (i % 5 == 0)
			audit__flush(a);
	}
	audit_close(a);
	path = audit__seg_path(dir, afx_int(dir, "SELECT max(last_seq) FROM segments") + 1);
	REQUIRE((f = fopen(path, "w")) != NULL);
	fputs("frames of a batch never committed", f);
	fclose(f);
	cfg.segment_max = 1 << 30; /* the trail goes on in its newest file */
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = 41; i <= 60; i++)
		afx_emit(a, i, AFX_A, time_now());
	audit_close(a);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "60 events"));
	free(path);
	buf_release(&r);
	afx_rm(dir);
}

/* rows no writer makes: opening, writing, looking up and exporting go on
 * or fail cleanly, with no overflow (the sanitizers would stop the test) */
void test_audit_trail__hostile_rows(void)
{
	char *dir = afx_dir();
	static const char *const rows[] = {
		"UPDATE segments SET start = -1, size = 9223372036854775807",
		"INSERT OR REPLACE INTO meta VALUES ('anchor_seq', '9223372036854775807'),"
		" ('anchor_hash', '" "0000000000000000000000000000000000000000000000000000000000000000')",
		"UPDATE segments SET last_seq = 9223372036854775807",
		"UPDATE segments SET first_seq = 9223372036854775807",
		"UPDATE segments SET size = 9223372036854775807",
		"UPDATE chunks SET time_hi = 9223372036854775807, time_lo = -9223372036854775807",
		"UPDATE digests SET seq = 9223372036854775807 WHERE seq = 1200",
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct audit_config cfg = {.data_dir = dir, .retention_days = 30};
		struct audit_query q = {.account = AFX_A, .max = 50};
		struct audit *a = NULL;
		struct err e = ERR_INIT;
		struct buf r = BUF_INIT(0);
		FILE *null = fopen("/dev/null", "w");
		json_t *ev = NULL;
		char *next = NULL;

		afx_reset(dir);
		afx_fill(dir, 1, 1200, time_now() - 40 * 86400, 0);
		afx_sql(dir, rows[i]);
		if (afx_verify(dir, &r) >= 0) {
			fprintf(stderr, "  %s: %s\n", rows[i], buf_cstr(&r));
			unit_fail(__FILE__, __LINE__, "a hostile row passed verify");
		}
		e = (struct err)ERR_INIT;
		audit_export(dir, 0, 0, null, &e);
		e = (struct err)ERR_INIT;
		if (audit_open(&a, &cfg, &e) == 0) {
			for (int k = 0; k < 5; k++)
				afx_emit(a, 2000 + k, AFX_A, time_now());
			audit_lookup(a, &q, &ev, &next, &e);
			json_decref(ev);
			free(next);
			audit_close(a);
		}
		fclose(null);
		buf_release(&r);
	}
	afx_rm(dir);
}

/* old events that end between digests: the cut is the last digest among them */
void test_audit_trail__retention_keeps_events_after_the_last_old_digest(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; i <= 1500; i++) /* digest at 1000 only, while open */
		afx_emit(a, i, AFX_A, now - 40 * 86400 + i);
	for (int i = 1501; i <= 1520; i++)
		afx_emit(a, i, AFX_A, now - 100 + i % 50);
	audit_close(a); /* and at 1520 */
	afx_fill(dir, 1, 0, 0, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "520 events (seq 1001-1520), 2 signed digests: intact; events 1-1000"
			  " were pruned"));
	/* everything old: pruned up to the newest digest, the table may be empty */
	afx_fill(dir, 1, 0, 0, 0);
	{ /* the hashes cover the record, not the frame's time */
		struct afx_seg sg;

		REQUIRE(afx_seg_load(&sg, dir, 1520));
		for (size_t i = 0; i < sg.n; i++)
			sg.ev[i].time = 1000;
		afx_seg_save(&sg, dir, false);
		afx_seg_free(&sg);
	}
	afx_fill(dir, 1, 0, 0, 30);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM chunks"), 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 0 events, 1 signed digests: intact; events 1-1520 were pruned"));
	afx_fill(dir, 1521, 1525, now, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "5 events (seq 1521-1525), 2 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

struct many {
	struct audit *a;
	int base;
	int found; /* lookups that saw this thread's first event */
};

static void *emit_many(void *arg)
{
	struct many *m = arg;

	for (int i = 0; i < 2000; i++) {
		afx_emit(m->a, m->base + i, AFX_A, time_now());
		if (i == 0 || i == 1500) { /* a lookup while the others write */
			struct audit_query q = {.account = AFX_A, .max = 5,
						.attr = AUDIT_ATTR_EVENT_ID};
			struct audit_entry h;
			struct err e = ERR_INIT;
			json_t *ev = NULL;
			char *next = NULL, *text = afx_event(&h, m->base, AFX_A, 0);

			q.value = h.event_id;
			if (audit_lookup(m->a, &q, &ev, &next, &e) == 0 && json_array_size(ev) == 1)
				m->found++;
			json_decref(ev);
			free(next);
			free(text);
		}
	}
	return NULL;
}

void test_audit_trail__threads(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	pthread_t t[4];
	struct many m[4];

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = 0; i < 4; i++) {
		m[i] = (struct many){a, i * 10000, 0};
		CHECK(pthread_create(&t[i], NULL, emit_many, &m[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(m[i].found, 2);
	}
	audit_close(a);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "8000 events (seq 1-8000), 8 signed digests: intact"));
	CHECK_INT(afx_index(dir, NULL, NULL), 8000);
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_trail__one_writer(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL, *b = NULL;
	struct err e = ERR_INIT;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	CHECK_INT(audit_open(&b, &cfg, &e), CC_ERROR);
	CHECK(b == NULL);
	CHECK(strstr(e.msg, "another commitd is writing this audit trail") != NULL);
	audit_close(a);
	CHECK(audit_open(&b, &cfg, &e) == 0);
	audit_close(b);
	audit_close(NULL);
	afx_rm(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

void test_audit_trail__signing_key(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	char path[300];

	afx_fill(dir, 1, 10, time_now(), 0);
	/* a lost public key is written again from the private one */
	snprintf(path, sizeof(path), "%s/audit/signing.pub", dir);
	CHECK(unlink(path) == 0);
	afx_fill(dir, 11, 20, time_now(), 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	/* a key that is not one is refused, not replaced */
	write_file(dir, "audit/signing.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
					     "-----END PRIVATE KEY-----\n");
	CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
	CHECK(strstr(e.msg, "is not an Ed25519 private key") != NULL);
	snprintf(path, sizeof(path),
		 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '%s/audit/"
		 "signing.key' 2>/dev/null", dir);
	if (system(path) == 0) {
		CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
		CHECK(strstr(e.msg, "is not an Ed25519 private key") != NULL);
	}
	/* a public key that is not the trail's fails every digest */
	afx_reset(dir);
	afx_fill(dir, 1, 10, time_now(), 0);
	snprintf(path, sizeof(path),
		 "openssl genpkey -algorithm ED25519 2>/dev/null | openssl pkey -pubout"
		 " -out '%s/audit/signing.pub' 2>/dev/null", dir);
	if (system(path) == 0) {
		CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
		CHECK(afx_has(&r, "the signed digest at event 10 does not verify"));
	}
	buf_release(&r);
	afx_rm(dir);
}

static void hostile_entry(void *arg, const char *account, const struct ientry *x)
{
	CHECK_INT(strlen(account), 12);
	CHECK_INT(x->fn[IX_RESOURCE], 399);
	CHECK_INT(x->fn[IX_USER], 129);
	CHECK_INT(x->fn[IX_EVENT_ID], 39);
}

/* index fields that fill their arrays are cut, never read past; verify
 * knows a cut field from an altered one */
void test_audit_trail__hostile_entry(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct audit_entry h;
	struct buf r = BUF_INIT(0);
	char when[32], *rec, long_a[501];
	json_t *j;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	memset(&h, 'A', sizeof(h));
	h.time = time_now();
	h.read_only = true;
	memset(long_a, 'A', sizeof(long_a) - 1);
	long_a[sizeof(long_a) - 1] = '\0';
	time_iso8601(when, sizeof(when), h.time);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:s, s:s, s:s}, s:[{s:s, s:s}]}",
		      "eventTime", when, "recipientAccountId", long_a, "eventID", long_a,
		      "eventName", long_a, "eventSource", long_a, "readOnly", 1, "userIdentity",
		      "type", "IAMUser", "arn", "x", "userName", long_a, "accessKeyId", long_a,
		      "resources", "ARN", long_a, "type", long_a);
	REQUIRE((rec = json_dumps(j, JSON_COMPACT)) != NULL);
	audit_emit(a, &h, rec, strlen(rec));
	audit_emit(a, &h, NULL, 0);   /* nothing to record: logged, not queued */
	audit_emit(NULL, &h, "{}", 2); /* no trail: nothing happens */
	audit_close(a);
	CHECK_INT(afx_index(dir, hostile_entry, NULL), 1);
	CHECK_INT(afx_int(dir, "SELECT length(account) FROM chunks"), 12);
	CHECK_INT(afx_verify(dir, &r), 0);
	/* a record that does not say what the index says: verify says so */
	afx_reset(dir);
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	audit_emit(a, &h, "{}", 2);
	audit_close(a);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "index entry of event 1") != NULL);
	free(rec);
	json_decref(j);
	buf_release(&r);
	afx_rm(dir);
}

/* a trail of schema 2, moved into a segment as it was: the same chain, digests, lookups and export */
void test_audit_trail__migrates_schema_2(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	char *before = NULL, *after = NULL;
	size_t n = 0;
	FILE *f;
	json_t *ev = NULL;
	char *next = NULL;
	struct audit_query q = {.account = AFX_A, .attr = AUDIT_ATTR_EVENT_ID,
				.value = "00000000-0000-4000-8000-000000000017", .max = 5};

	afx_v2(dir);
	CHECK_INT(afx_verify(dir, &r), 0); /* legacy.c, as it is */
	CHECK(afx_has(&r, "audit: 30 events (seq 1-30), 1 signed digests: intact (a trail of"
			  " schema 2"));
	REQUIRE((f = open_memstream(&before, &n)) != NULL);
	CHECK_INT(audit_export(dir, 0, 0, f, &e), 0);
	fclose(f);
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 1);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(ev, 0), "EventTime")),
		  1700000017);
	json_decref(ev);
	afx_emit(a, 31, AFX_A, 1700000031);
	audit_close(a);
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'version'"), 3);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 31 events (seq 1-31), 2 signed digests: intact"));
	REQUIRE((f = open_memstream(&after, &n)) != NULL);
	CHECK_INT(audit_export(dir, 0, 1700000030, f, &e), 0);
	fclose(f);
	CHECK_STR(after, before);
	free(before);
	free(after);
	/* one from a newer commitd is left alone */
	afx_sql(dir, "UPDATE meta SET value = '4' WHERE key = 'version'");
	CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
	CHECK(strstr(e.msg, "schema version '4'") != NULL);
	buf_release(&r);
	afx_rm(dir);
}

/* schema 1 had an (account, seq) index, and is moved the same way */
void test_audit_trail__migrates_schema_1(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_v2(dir);
	afx_sql(dir, "DROP INDEX events_account_time;"
		     " CREATE INDEX events_account ON events(account, seq);"
		     " UPDATE meta SET value = '1' WHERE key = 'version'");
	afx_fill(dir, 31, 40, 1700000031, 0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'events_account'"),
		  0);
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'version'"), 3);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "40 events (seq 1-40), 2 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

/* what was altered or removed before the move is still found after it, at the same event */
void test_audit_trail__migrates_the_evidence(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_v2(dir);
	afx_sql(dir, "UPDATE events SET record = replace(record, 'user3', 'user4') WHERE seq = 17");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 17 (eventID 00000000-0000-4000-8000-000000000017) was altered"));
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 17 (eventID 00000000-0000-4000-8000-000000000017) was altered"));
	afx_v2(dir);
	afx_sql(dir, "DELETE FROM events WHERE seq = 23; UPDATE events SET hash = x'00'"
		     " WHERE seq = 3");
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 3 (eventID 00000000-0000-4000-8000-000000000003) was altered"));
	afx_v2(dir);
	afx_sql(dir, "DELETE FROM events WHERE seq = 23");
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 23 was removed (the trail goes from event 22 to 24)"));
	buf_release(&r);
	afx_rm(dir);
}

static int seg_files(const char *dir)
{
	char path[300];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/audit", dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "events-", 7) == 0;
	closedir(d);
	return n;
}

static void fill_small(const char *dir, int from, int to, int64_t t0, int64_t retention)
{
	struct audit_config cfg = {.data_dir = dir, .retention_days = retention,
				   .segment_max = 16 * 1024};
	struct audit *a = NULL;
	struct err e = ERR_INIT;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = from; i <= to; i++) {
		afx_emit(a, i, afx_account(i), t0 + i);
		if (i % 100 == 0)
			audit__flush(a); /* a batch at a time: a file ends at a batch's end */
	}
	audit_close(a);
}

/* small segments: a new file past the size; retention deletes the files it empties */
void test_audit_trail__segments(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();
	struct audit_query q = {.account = AFX_A, .max = 50};
	struct audit_config cfg = {.data_dir = dir, .segment_max = 16 * 1024};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	json_t *ev = NULL;
	char *next = NULL;
	int files;

	fill_small(dir, 1, 3000, now - 40 * 86400, 0);
	fill_small(dir, 3001, 3500, now - 1000 - 3000, 0);
	files = seg_files(dir);
	CHECK(files > 20);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM segments"), files);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 3500 events (seq 1-3500), 4 signed digests: intact"));
	/* a chunk never spans two files */
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM chunks c JOIN segments s ON s.first_seq ="
			       " c.segment WHERE c.seq_lo < s.first_seq OR c.seq_hi > s.last_seq"), 0);
	fill_small(dir, 1, 0, 0, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 500 events (seq 3001-3500), 2 signed digests: intact; events"
			  " 1-3000 were pruned"));
	CHECK(seg_files(dir) < files / 2);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM segments"), seg_files(dir));
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM pruned_files"), 0);
	/* lookups read across files */
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 50);
	CHECK(next != NULL);
	json_decref(ev);
	free(next);
	audit_close(a);
	buf_release(&r);
	afx_rm(dir);
}

/* a pruned file is deleted only once no reader (verify, export) holds the trail */
void test_audit_trail__pruned_files_wait_for_readers(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();
	char path[300];
	int fd, files;

	fill_small(dir, 1, 2000, now - 40 * 86400, 0);
	fill_small(dir, 2001, 2100, now - 1000 - 2000, 0);
	files = seg_files(dir);
	snprintf(path, sizeof(path), "%s/" AUDIT_READERS, dir);
	fd = audit__readers_lock(dir);
	CHECK(fd >= 0);
	fill_small(dir, 1, 0, 0, 30);
	CHECK_INT(seg_files(dir), files); /* pruned, but not deleted under a reader */
	CHECK(afx_int(dir, "SELECT count(*) FROM pruned_files") > 0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM pruned_files"),
		  files - afx_int(dir, "SELECT count(*) FROM segments"));
	audit__readers_unlock(fd);
	fill_small(dir, 1, 0, 0, 30); /* the next writer deletes them */
	CHECK_INT(seg_files(dir), afx_int(dir, "SELECT count(*) FROM segments"));
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM pruned_files"), 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "events 1-2000 were pruned"));
	buf_release(&r);
	afx_rm(dir);
}

/* frames a crash wrote past the committed end are cut off; the chain goes on */
void test_audit_trail__crash_tail(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	char *path;
	FILE *f;
	struct stat sb;

	afx_fill(dir, 1, 20, time_now(), 0);
	path = afx_seg_file(dir, 20);
	REQUIRE((f = fopen(path, "a")) != NULL);
	fputs("half a frame a crash left behind", f);
	fclose(f);
	CHECK_INT(afx_verify(dir, &r), 0); /* only the committed bytes count */
	afx_fill(dir, 21, 30, time_now(), 0);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(sb.st_size, afx_int(dir, "SELECT size FROM segments"));
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 30 events (seq 1-30)"));
	free(path);
	buf_release(&r);
	afx_rm(dir);
}

/* a newest file gone or cut short is not written after: a new one starts, and verify tells */
void test_audit_trail__newest_segment_lost(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	char *path;

	afx_fill(dir, 1, 20, time_now(), 0);
	path = afx_seg_file(dir, 20);
	CHECK(truncate(path, afx_frame_off(dir, 2) + 10) == 0);
	afx_fill(dir, 21, 30, time_now(), 0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM segments"), 2);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 2 was removed or damaged: its segment file"
			  " audit/events-00000000000000000001.seg is cut short"));
	CHECK(unlink(path) == 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "events 1-20 were removed: their segment file"
			  " audit/events-00000000000000000001.seg is missing"));
	free(path);
	buf_release(&r);
	afx_rm(dir);
}

/* a database that is not one, or a corrupt anchor: a clear error at open */
void test_audit_trail__corrupt_database(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	char junk[4096];

	afx_fill(dir, 1, 5, time_now(), 0);
	afx_sql(dir, "INSERT INTO meta VALUES ('anchor_hash', 'xyz')");
	CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
	CHECK(strstr(e.msg, "corrupt") != NULL);
	afx_reset(dir);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)('a' + i % 26);
	junk[sizeof(junk) - 1] = '\0';
	write_file(dir, "audit.db", junk);
	CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
	CHECK(a == NULL);
	afx_rm(dir);
}
