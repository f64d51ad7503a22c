/* tests of src/audit/verify.c: `commitd audit verify` on a trail that was
 * tampered with in each way it can be (an altered, removed or reordered
 * event, a rewritten chain, a forged or moved anchor, a bad signature),
 * and on databases that are not what they should be. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "unit.h"

/* tests/unit/audit/fixture.c */
#define AFX_A "111111111111"
#define AFX_B "222222222222"
char *afx_dir(void);
void afx_rm(char *d);
void afx_reset(const char *d);
char *afx_event(struct audit_entry *h, int i, const char *account, int64_t t);
void afx_emit(struct audit *a, int i, const char *account, int64_t t);
const char *afx_account(int i);
void afx_fill(const char *dir, int from, int to, int64_t t0, int64_t retention);
int afx_verify(const char *dir, struct buf *report);
void afx_sql(const char *dir, const char *stmt);
int64_t afx_int(const char *dir, const char *query);
bool afx_has(const struct buf *report, const char *what);

/* what someone with the database but not the key can do: the hashes of
 * events from..to recomputed, so the chain itself holds again there */
static void rechain(const char *dir, int64_t from, int64_t to)
{
	char path[300];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL, *u = NULL;
	unsigned char h[32] = {0};
	unsigned int len;

	snprintf(path, sizeof(path), "%s/audit.db", dir);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT hash FROM events WHERE seq = ?1", -1, &q, NULL) == 0);
	sqlite3_bind_int64(q, 1, from - 1);
	if (sqlite3_step(q) == SQLITE_ROW)
		memcpy(h, sqlite3_column_blob(q, 0), 32);
	sqlite3_finalize(q);
	/* or from the anchor, when the one before was pruned */
	CHECK(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'anchor_hash' AND"
				 " (SELECT value FROM meta WHERE key = 'anchor_seq') = ?1", -1, &q,
				 NULL) == 0);
	{
		char num[24];

		snprintf(num, sizeof(num), "%lld", (long long)(from - 1));
		sqlite3_bind_text(q, 1, num, -1, SQLITE_TRANSIENT);
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		CHECK(hex_decode(h, 32, (const char *)sqlite3_column_text(q, 0), 64) == 32);
	sqlite3_finalize(q);
	CHECK(sqlite3_prepare_v2(db, "SELECT seq, record FROM events WHERE seq >= ?1 AND seq <= ?2"
				 " ORDER BY seq", -1, &q, NULL) == 0);
	CHECK(sqlite3_prepare_v2(db, "UPDATE events SET hash = ?1 WHERE seq = ?2", -1, &u, NULL) == 0);
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();

		EVP_DigestInit_ex(c, EVP_sha256(), NULL);
		EVP_DigestUpdate(c, h, 32);
		EVP_DigestUpdate(c, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1));
		EVP_DigestFinal_ex(c, h, &len);
		EVP_MD_CTX_free(c);
		sqlite3_reset(u);
		sqlite3_bind_blob(u, 1, h, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
		CHECK(sqlite3_step(u) == SQLITE_DONE);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	sqlite3_close(db);
}

void test_audit_verify__intact(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 50 events (seq 1-50), 1 signed digests: intact"));
	afx_rm(dir);
	dir = afx_dir(); /* an empty trail is intact too */
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 0 events, 0 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

static void *emit_3000(void *arg)
{
	for (int i = 1; i <= 3000; i++)
		afx_emit(arg, i, afx_account(i), time_now());
	return NULL;
}

/* verify reads one snapshot: a server writing meanwhile is no failure */
void test_audit_verify__while_written(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	pthread_t t;
	int runs = 0;

	afx_fill(dir, 1, 10, time_now(), 0);
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	CHECK(pthread_create(&t, NULL, emit_3000, a) == 0);
	for (; runs < 20; runs++) {
		CHECK_INT(afx_verify(dir, &r), 0);
		if (strstr(buf_cstr(&r), "3010 events"))
			break;
	}
	pthread_join(t, NULL);
	audit_close(a);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "3010 events (seq 1-3010), 4 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__altered_event(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* one byte of one record */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET record = replace(record, 'user3', 'user4') WHERE seq = 17");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 17 (eventID 00000000-0000-4000-8000-000000000017) was"
			  " altered, removed or reordered: its hash does not follow from event 16"));
	/* and its hash recomputed: the next one breaks */
	rechain(dir, 17, 17);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 18 (eventID 00000000-0000-4000-8000-000000000018) was"
			  " altered, removed or reordered: its hash does not follow from event 17"));
	/* and every hash after it: the signed digest breaks */
	rechain(dir, 17, INT64_MAX);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 50 does not have the hash its signed digest names"));
	afx_reset(dir);

	/* the first event, which follows from nothing before it */
	afx_fill(dir, 1, 5, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET record = record || ' ' WHERE seq = 1");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1 (eventID 00000000-0000-4000-8000-000000000001) was altered,"
			  " removed or reordered: its hash does not follow from its own record"));
	afx_reset(dir);

	/* an index column is not evidence, but the hash is: a damaged one is found */
	afx_fill(dir, 1, 5, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET hash = x'00' WHERE seq = 3");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 3 "));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__removed_event(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM events WHERE seq = 23");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 23 was removed (the trail goes from event 22 to 24)"));
	afx_reset(dir);

	/* several, and the seqs closed up behind them: the hash of the next breaks */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM events WHERE seq = 23; UPDATE events SET seq = seq - 1 WHERE seq > 23");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 23 (eventID 00000000-0000-4000-8000-000000000024)"));
	afx_reset(dir);

	/* the newest, which the last digest covers */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM events WHERE seq > 45");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 50, which a signed digest covers, was removed"));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__reordered_events(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* two records swapped with their hashes: the chain breaks at the first */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET seq = -1 WHERE seq = 30; UPDATE events SET seq = 30 WHERE seq = 31;"
		     " UPDATE events SET seq = 31 WHERE seq = -1");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 (eventID 00000000-0000-4000-8000-000000000031) was altered,"
			  " removed or reordered"));
	afx_reset(dir);

	/* swapped records, hashes left in place */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET record = CASE seq WHEN 30 THEN (SELECT record FROM events"
		     " WHERE seq = 31) ELSE (SELECT record FROM events WHERE seq = 30) END"
		     " WHERE seq IN (30, 31)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 "));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__digests(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* a signature that is not the key's */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET signature = zeroblob(64)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: the signed digest at event 50 does not verify"));
	afx_reset(dir);

	/* one bit of a signature; the time it signs; the seq it names */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET signature = x'00' || substr(signature, 2)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "does not verify"));
	afx_reset(dir);
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET time = time + 1");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "does not verify"));
	afx_reset(dir);
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET seq = 49");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the signed digest at event 49 does not verify"));
	afx_reset(dir);

	/* the whole chain rewritten after an alteration: it holds, its digest does not */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE events SET record = replace(record, 'CreateUser', 'CreateRole')"
		     " WHERE seq = 5");
	rechain(dir, 5, INT64_MAX);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 50 does not have the hash its signed digest names: the"
			  " trail up to it was rewritten"));
	afx_reset(dir);

	/* the digests removed: the chain holds, the events are not covered */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM digests");
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "50 events (seq 1-50), 0 signed digests: intact; events 1-50 are not yet"
			  " covered by a signed digest"));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__anchor(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();

	/* the oldest events deleted and the anchor moved by hand, as pruning would */
	afx_fill(dir, 1, 50, now - 1000, 0);
	afx_sql(dir, "INSERT INTO meta VALUES ('anchor_seq', '10'), ('anchor_hash',"
		     " (SELECT lower(hex(hash)) FROM events WHERE seq = 10));"
		     " DELETE FROM events WHERE seq <= 10");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: events 1-10 are gone and no signed digest vouches for the anchor"
			  " (event 10): they were deleted, not pruned"));
	afx_reset(dir);

	/* a real pruning, then the anchor moved on past the next events */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	afx_sql(dir, "UPDATE meta SET value = '1205' WHERE key = 'anchor_seq';"
		     " UPDATE meta SET value = (SELECT lower(hex(hash)) FROM events WHERE seq = 1205)"
		     " WHERE key = 'anchor_hash'; DELETE FROM events WHERE seq <= 1205");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "no signed digest vouches for the anchor (event 1205)"));
	afx_reset(dir);

	/* an anchor hash that is not its digest's */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	afx_sql(dir, "UPDATE meta SET value = (SELECT lower(hex(hash)) FROM events WHERE seq = 1201)"
		     " WHERE key = 'anchor_hash'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1201 "));
	rechain(dir, 1201, INT64_MAX); /* and the chain made to follow from it */
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the anchor (event 1200, the last pruned) is not the one its signed"
			  " digest names"));
	afx_reset(dir);

	/* an event older than the anchor put back */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	afx_sql(dir, "INSERT INTO events SELECT 7, time, event_id, account, event_name, event_source,"
		     " username, access_key_id, read_only, resource_names, resource_types, record,"
		     " hash FROM events WHERE seq = 1201");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 7 (eventID 00000000-0000-4000-8000-000000001201) is older than the"
			  " anchor (event 1200)"));
	afx_sql(dir, "DELETE FROM events WHERE seq = 7; UPDATE meta SET value = 'zz'"
		     " WHERE key = 'anchor_seq'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the anchor (the last pruned event) is corrupt"));
	buf_release(&r);
	afx_rm(dir);
}

/* what verify cannot read is an error (CC_ERROR), never a crash and never "intact" */
void test_audit_verify__not_a_trail(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	struct err e = ERR_INIT;
	char path[300];
	FILE *f;

	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "no audit trail here") != NULL);
	CHECK_INT(audit_export(dir, 0, 0, stdout, &e), CC_ERROR);
	CHECK(strstr(e.msg, "no audit trail here") != NULL);
	/* not a database */
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	for (int i = 0; i < 5000; i++)
		fputc("SQLite format 3"[i % 15], f);
	fclose(f);
	{
		struct audit_config cfg = {dir, 0};
		struct audit *a = NULL;

		CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR); /* refused: nothing is made of it */
		CHECK(strstr(e.msg, "not a database") != NULL);
	}
	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "not a database") != NULL);
	afx_reset(dir);
	/* no public key */
	afx_fill(dir, 1, 5, time_now(), 0);
	snprintf(path, sizeof(path), "%s/audit/signing.pub", dir);
	unlink(path);
	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "public key") != NULL);
	buf_release(&r);
	afx_rm(dir);
}

/* a database damaged on disk, one page at a time: judged or refused, never a crash */
void test_audit_verify__damaged_pages(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0), orig = BUF_INIT(0);
	struct err e = ERR_INIT;
	char path[300];
	int failed = 0, pages;

	afx_fill(dir, 1, 300, time_now(), 0);
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	REQUIRE(file_read(&orig, path, &e) == 0);
	pages = (int)(orig.len / 4096);
	CHECK(pages > 10);
	for (int p = 1; p < pages; p++) { /* page 1 (the header) aside */
		struct buf damaged = BUF_INIT(0);
		int rc;

		buf_add(&damaged, orig.ptr, orig.len);
		for (int i = 0; i < 4096; i++)
			damaged.ptr[p * 4096 + i] = (char)(i * 7 + p);
		REQUIRE(file_write_atomic(path, damaged.ptr, damaged.len, 0600, &e) == 0);
		buf_release(&damaged);
		buf_clear(&r);
		rc = audit_verify(dir, &r, &e);
		CHECK(rc == 0 || rc == CC_ECONFLICT || rc == CC_ERROR);
		failed += rc < 0;
	}
	CHECK(failed > pages / 2); /* most pages hold events; the index's are not evidence */
	buf_release(&orig);
	buf_release(&r);
	afx_rm(dir);
}

/* rows of any type where the schema says otherwise: read, judged, no crash */
void test_audit_verify__hostile_rows(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 10, time_now(), 0);
	afx_sql(dir, "CREATE TABLE loose AS SELECT * FROM events; DROP TABLE events;"
		     " CREATE TABLE events (seq INTEGER PRIMARY KEY, time, event_id, account,"
		     " event_name, event_source, username, access_key_id, read_only, resource_names,"
		     " resource_types, record, hash); INSERT INTO events SELECT * FROM loose;"
		     " UPDATE events SET record = NULL, event_id = x'1b5b324a00' WHERE seq = 4");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 4 (eventID ?[2J) was altered"));
	afx_sql(dir, "UPDATE events SET record = 12345, hash = 'text' WHERE seq = 4");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	afx_sql(dir, "DROP TABLE loose; UPDATE digests SET hash = x'01', signature = 'x'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	afx_sql(dir, "DROP TABLE digests");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT); /* event 4 still */
	afx_sql(dir, "DELETE FROM events WHERE seq >= 4");
	CHECK(afx_verify(dir, &r) == CC_ERROR); /* no digests table: not a trail */
	buf_release(&r);
	afx_rm(dir);
}
