/* tests of src/audit: the chain, the digests, tampering found, lookups,
 * retention and writers on several threads */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit/audit.h"
#include "unit.h"

static char *tmp_dir(void)
{
	char tmpl[] = "/tmp/commitd-audit-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static void rm_dir(const char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d); /* a test's own temporary directory */
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d);
}

/* an empty directory again, for the next case */
static void reset(const char *d)
{
	rm_dir(d);
	CHECK(mkdir(d, 0700) == 0);
}

/* event i: its index and its record's text, as aws/event.c makes them */
static void emit(struct audit *a, int i, const char *account, int64_t t)
{
	struct audit_entry h = {0};
	char when[32];
	json_t *r;

	time_iso8601(when, sizeof(when), t);
	h.time = t;
	snprintf(h.event_id, sizeof(h.event_id), "00000000-0000-0000-0000-%012d", i);
	snprintf(h.account, sizeof(h.account), "%s", account);
	snprintf(h.name, sizeof(h.name), "%s", i % 2 ? "CreateUser" : "GetUser");
	snprintf(h.source, sizeof(h.source), "iam.amazonaws.com");
	snprintf(h.user, sizeof(h.user), "user%d", i % 7);
	snprintf(h.access_key_id, sizeof(h.access_key_id), "AKIATEST");
	h.read_only = i % 2 == 0;
	snprintf(h.resource, sizeof(h.resource), "arn:aws:iam::%s:user/target%d", account, i % 5);
	snprintf(h.resource_type, sizeof(h.resource_type), "AWS::IAM::User");
	r = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "eventTime", when, "eventID", h.event_id,
		      "eventName", h.name, "recipientAccountId", account, "userIdentity", "userName",
		      h.user);
	audit_emit(a, &h, json_dumps(r, JSON_COMPACT));
	json_decref(r);
}

static void fill(const char *dir, int n, int64_t t0, int64_t retention)
{
	struct audit_config cfg = {dir, retention};
	struct audit *a = NULL;
	struct err e = ERR_INIT;

	CHECK(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; i <= n; i++)
		emit(a, i, i % 3 ? "111111111111" : "222222222222", t0 + i);
	audit_close(a);
}

static int verify(const char *dir, struct buf *report)
{
	struct err e = ERR_INIT;

	buf_clear(report);
	return audit_verify(dir, report, &e);
}

static void sql(const char *dir, const char *stmt)
{
	char path[256];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/audit.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, stmt, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

void test_audit_trail__chain_and_digests(void)
{
	char *dir = tmp_dir();
	struct buf r = BUF_INIT(0);

	fill(dir, 2500, time_now() - 100000, 0);
	CHECK_INT(verify(dir, &r), 0);
	CHECK(strstr(buf_cstr(&r), "2500 events") != NULL);
	CHECK(strstr(buf_cstr(&r), "3 signed digests: intact") != NULL);
	/* reopening goes on with the same chain */
	fill(dir, 10, time_now() - 1000, 0);
	CHECK_INT(verify(dir, &r), 0);
	CHECK(strstr(buf_cstr(&r), "2510 events") != NULL);
	buf_release(&r);
	rm_dir(dir);
	free(dir);
}

void test_audit_trail__tampering_found(void)
{
	char *dir = tmp_dir();
	struct buf r = BUF_INIT(0);

	fill(dir, 50, time_now() - 1000, 0);
	sql(dir, "UPDATE events SET record = replace(record, 'user3', 'user4') WHERE seq = 17");
	CHECK_INT(verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "event 17 ") != NULL);
	reset(dir);

	fill(dir, 50, time_now() - 1000, 0);
	sql(dir, "DELETE FROM events WHERE seq = 23");
	CHECK_INT(verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "event 23 was removed") != NULL);
	reset(dir);

	/* two records and their hashes swapped: the chain breaks at the first */
	fill(dir, 50, time_now() - 1000, 0);
	sql(dir, "UPDATE events SET seq = -1 WHERE seq = 30; UPDATE events SET seq = 30 WHERE seq = 31;"
		 " UPDATE events SET seq = 31 WHERE seq = -1");
	CHECK_INT(verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "event 30 ") != NULL);
	reset(dir);

	/* the whole chain rewritten from scratch still fails its signed digest */
	fill(dir, 50, time_now() - 1000, 0);
	sql(dir, "UPDATE digests SET signature = zeroblob(64)");
	CHECK_INT(verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "does not verify") != NULL);
	reset(dir);

	/* the newest events removed, under the final digest */
	fill(dir, 50, time_now() - 1000, 0);
	sql(dir, "DELETE FROM events WHERE seq > 45");
	CHECK_INT(verify(dir, &r), CC_ECONFLICT);
	CHECK(strstr(buf_cstr(&r), "event 50, which a signed digest covers, was removed") != NULL);
	buf_release(&r);
	rm_dir(dir);
	free(dir);
}

void test_audit_trail__lookup(void)
{
	char *dir = tmp_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct audit_query q = {.account = "111111111111", .max = 10};
	json_t *ev = NULL;
	char *next = NULL;
	int64_t t0 = time_now() - 1000;
	size_t seen = 0;

	CHECK(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; i <= 60; i++)
		emit(a, i, i % 3 ? "111111111111" : "222222222222", t0 + i);
	/* what was just emitted is found: lookups wait for the writer */
	q.attr = AUDIT_ATTR_USERNAME;
	q.value = "user1";
	do {
		CHECK(audit_lookup(a, &q, &ev, &next, &e) == 0);
		for (size_t i = 0; i < json_array_size(ev); i++)
			CHECK_STR(json_string_value(json_object_get(json_array_get(ev, i),
								     "Username")), "user1");
		seen += json_array_size(ev);
		json_decref(ev);
		q.next_token = next;
	} while (next && seen < 100);
	/* i in 1..60 with i % 7 == 1 and i % 3 != 0: 1 8 22 29 43 50 and 15 36 57 are 222... */
	CHECK_INT((int)seen, 6);
	q.next_token = NULL;
	q.attr = AUDIT_ATTR_RESOURCE_NAME;
	q.value = "target2";
	CHECK(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK(json_array_size(ev) == 8);
	CHECK_STR(json_string_value(json_object_get(json_array_get(ev, 0), "EventId")),
		  "00000000-0000-0000-0000-000000000052");
	json_decref(ev);
	free(next);
	q.attr = AUDIT_ATTR_NONE;
	q.start = t0 + 10;
	q.end = t0 + 12;
	CHECK(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK(json_array_size(ev) == 2); /* 10 and 11; 12 is the other account's */
	json_decref(ev);
	q.next_token = "CDA1.x";
	CHECK(audit_lookup(a, &q, &ev, &next, &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidNextTokenException");
	audit_close(a);
	rm_dir(dir);
	free(dir);
}

void test_audit_trail__retention_keeps_verification(void)
{
	char *dir = tmp_dir();
	struct buf r = BUF_INIT(0);
	char cmd[300], line[64];
	FILE *f;

	fill(dir, 1200, time_now() - 40 * 86400, 0);  /* old */
	fill(dir, 20, time_now() - 100, 0);           /* recent */
	fill(dir, 0, 0, 30);                          /* reopened with 30 days */
	CHECK_INT(verify(dir, &r), 0);
	CHECK(strstr(buf_cstr(&r), "20 events (1201-1220)") != NULL);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s/audit.db' 'SELECT count(*) FROM events'", dir);
	f = popen(cmd, "r");
	CHECK(f && fgets(line, sizeof(line), f) && atoi(line) == 20);
	if (f)
		pclose(f);
	buf_release(&r);
	rm_dir(dir);
	free(dir);
}

struct many {
	struct audit *a;
	int base;
};

static void *emit_many(void *arg)
{
	struct many *m = arg;

	for (int i = 0; i < 2000; i++)
		emit(m->a, m->base + i, "111111111111", time_now());
	return NULL;
}

void test_audit_trail__threads(void)
{
	char *dir = tmp_dir();
	struct audit_config cfg = {dir, 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	pthread_t t[4];
	struct many m[4];

	CHECK(audit_open(&a, &cfg, &e) == 0);
	for (int i = 0; i < 4; i++) {
		m[i].a = a;
		m[i].base = i * 10000;
		pthread_create(&t[i], NULL, emit_many, &m[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	audit_close(a);
	CHECK_INT(verify(dir, &r), 0);
	CHECK(strstr(buf_cstr(&r), "8000 events") != NULL);
	buf_release(&r);
	rm_dir(dir);
	free(dir);
}
