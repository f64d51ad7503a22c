/* fixture.c - what the tests of src/audit share: a temporary trail and
 * events whose every indexed attribute follows from their number i, so a
 * test can say which events a lookup must return.  No test cases here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "audit/audit.h"
#include "unit.h"

/* declared again at the top of each test file that uses them */
#define AFX_A "111111111111"
#define AFX_B "222222222222"

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
	struct audit_config cfg = {dir, retention};
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
