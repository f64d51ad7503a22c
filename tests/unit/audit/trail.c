/* tests of src/audit/trail.c: the writer.  The chain and its digests across
 * reopenings, retention (pruning at a signed digest), several emitting
 * threads, one writer per trail, the signing key, hostile index fields and
 * a trail written by the previous schema. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'version'"), 2);
	buf_release(&r);
	afx_rm(dir);
}

/* the record is stored as given, and what is hashed is what is stored */
void test_audit_trail__record_bytes_kept(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct audit_entry h;
	struct buf r = BUF_INIT(0);
	char *text;

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	text = afx_event(&h, 1, AFX_A, time_now());
	{
		static const char rec[] = "{ \"spaces\" : [1, 2],\n \"eventID\": \"x\" }";

		audit_emit(a, &h, rec, strlen(rec));
	}
	audit_close(a);
	free(text);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM events WHERE record ="
			       " '{ \"spaces\" : [1, 2],' || char(10) || ' \"eventID\": \"x\" }'"), 1);
	CHECK_INT(afx_verify(dir, &r), 0);
	buf_release(&r);
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
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM events"), 20);
	CHECK_INT(afx_int(dir, "SELECT min(seq) FROM digests"), 1200); /* the anchor's */
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'anchor_seq'"), 1200);
	/* the chain goes on from what is left */
	afx_fill(dir, 1221, 1230, now - 50, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "30 events (seq 1201-1230)"));
	buf_release(&r);
	afx_rm(dir);
}

/* old events that end between digests: the cut is the last digest among them */
void test_audit_trail__retention_keeps_events_after_the_last_old_digest(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();
	struct audit_config cfg = {dir, 0};
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
	afx_sql(dir, "UPDATE events SET time = 1000"); /* the hashes cover the record, not this */
	afx_fill(dir, 1, 0, 0, 30);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM events"), 0);
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
	struct audit_config cfg = {dir, 0};
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
	CHECK_INT(afx_int(dir, "SELECT count(DISTINCT event_id) FROM events"), 8000);
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_trail__one_writer(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
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
	struct audit_config cfg = {dir, 0};
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

/* index fields that fill their arrays are cut, never read past */
void test_audit_trail__hostile_entry(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct audit_entry h;
	struct buf r = BUF_INIT(0);

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	memset(&h, 'A', sizeof(h));
	h.time = time_now();
	h.read_only = true;
	audit_emit(a, &h, "{}", 2);
	audit_emit(a, &h, NULL, 0);   /* nothing to record: logged, not queued */
	audit_emit(NULL, &h, "{}", 2); /* no trail: nothing happens */
	audit_close(a);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM events"), 1);
	CHECK_INT(afx_int(dir, "SELECT length(account) FROM events"), 12);
	CHECK_INT(afx_int(dir, "SELECT length(resource_names) FROM events"), 399 + 2);
	CHECK_INT(afx_verify(dir, &r), 0);
	buf_release(&r);
	afx_rm(dir);
}

/* a trail of the first schema: its (account, seq) index becomes (account, time) */
void test_audit_trail__schema_upgrade(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 20, time_now(), 0);
	afx_sql(dir, "DROP INDEX events_account_time;"
		     " CREATE INDEX events_account ON events(account, seq);"
		     " UPDATE meta SET value = '1' WHERE key = 'version'");
	afx_fill(dir, 21, 30, time_now(), 0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'events_account'"),
		  0);
	CHECK_INT(afx_int(dir, "SELECT count(*) FROM sqlite_master"
			       " WHERE name = 'events_account_time'"), 1);
	CHECK_INT(afx_int(dir, "SELECT value FROM meta WHERE key = 'version'"), 2);
	CHECK_INT(afx_verify(dir, &r), 0);
	/* one from a newer commitd is left alone */
	afx_sql(dir, "UPDATE meta SET value = '3' WHERE key = 'version'");
	CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR);
	CHECK(strstr(e.msg, "schema version '3'") != NULL);
	buf_release(&r);
	afx_rm(dir);
}

/* a database that is not one, or a corrupt anchor: a clear error at open */
void test_audit_trail__corrupt_database(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {dir, 0};
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
