/* tests of src/audit/lookup.c: LookupEvents by each attribute kind, paged
 * with next tokens, newest first, within the caller's account; malformed
 * and misused tokens; records that are not UTF-8; a damaged index or
 * segment; the export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "afx.h"

#define N 400 /* events 1..N, four a second: t0 + i / 4 */

static int64_t t0;

static int64_t when(int i)
{
	return i >= 1000 ? t0 : t0 + i / 4; /* events from 1000 on are late: stamped t0 */
}

static struct audit *trail(char **dir)
{
	struct audit_config cfg = {.data_dir = NULL, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;

	t0 = time_now() - 100000;
	*dir = afx_dir();
	cfg.data_dir = *dir;
	CHECK(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; a && i <= N; i++)
		afx_emit(a, i, afx_account(i), when(i)); /* not closed: lookups flush */
	return a;
}

/* what the trail indexed event i by must be what a lookup matches */
static bool matches(int i, const char *account, enum audit_attr attr, const char *v)
{
	struct audit_entry h;
	char *text = afx_event(&h, i, afx_account(i), when(i));
	const char *last = strrchr(h.resource, '/');
	bool ok;

	free(text);
	if (strcmp(h.account, account) != 0)
		return false;
	if (last == NULL)
		last = strrchr(h.resource, ':');
	switch (attr) {
	case AUDIT_ATTR_EVENT_ID: ok = strcmp(h.event_id, v) == 0; break;
	case AUDIT_ATTR_EVENT_NAME: ok = strcmp(h.name, v) == 0; break;
	case AUDIT_ATTR_READ_ONLY: ok = h.read_only == (strcmp(v, "true") == 0); break;
	case AUDIT_ATTR_USERNAME: ok = strcmp(h.user, v) == 0; break;
	case AUDIT_ATTR_RESOURCE_TYPE: ok = h.resource_type[0] && strcmp(h.resource_type, v) == 0; break;
	case AUDIT_ATTR_RESOURCE_NAME:
		ok = h.resource[0] && (strcmp(h.resource, v) == 0 || (last && strcmp(last + 1, v) == 0));
		break;
	case AUDIT_ATTR_EVENT_SOURCE: ok = strcmp(h.source, v) == 0; break;
	case AUDIT_ATTR_ACCESS_KEY_ID: ok = strcmp(h.access_key_id, v) == 0; break;
	default: ok = true; break;
	}
	return ok;
}

/* event i as LookupEvents shows it */
static void check_event(json_t *ev, int i)
{
	struct audit_entry h;
	char *text = afx_event(&h, i, afx_account(i), when(i));
	json_t *res = json_object_get(ev, "Resources");

	CHECK_STR(json_string_value(json_object_get(ev, "EventId")), h.event_id);
	CHECK_STR(json_string_value(json_object_get(ev, "EventName")), h.name);
	CHECK_STR(json_string_value(json_object_get(ev, "ReadOnly")), h.read_only ? "true" : "false");
	CHECK_STR(json_string_value(json_object_get(ev, "AccessKeyId")), h.access_key_id);
	CHECK_STR(json_string_value(json_object_get(ev, "EventSource")), h.source);
	CHECK_STR(json_string_value(json_object_get(ev, "Username")), h.user);
	CHECK(json_is_integer(json_object_get(ev, "EventTime")));
	CHECK_INT(json_integer_value(json_object_get(ev, "EventTime")), h.time);
	CHECK_STR(json_string_value(json_object_get(ev, "CloudTrailEvent")), text);
	if (h.resource[0]) {
		CHECK_INT(json_array_size(res), 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(res, 0), "ResourceName")),
			  h.resource);
		CHECK_STR(json_string_value(json_object_get(json_array_get(res, 0), "ResourceType")),
			  h.resource_type);
	} else {
		CHECK(res == NULL); /* empty members are left out */
	}
	free(text);
}

/* every page of q: the events' numbers, in the order given */
static size_t collect(struct audit *a, struct audit_query q, int *ids, size_t max_ids)
{
	struct err e = ERR_INIT;
	size_t n = 0, pages = 0;
	char *next = NULL, *prev = NULL;

	do {
		json_t *ev = NULL;

		q.next_token = prev;
		if (audit_lookup(a, &q, &ev, &next, &e) != 0) {
			unit_fail(__FILE__, __LINE__, e.msg);
			break;
		}
		CHECK(json_array_size(ev) <= q.max);
		CHECK(next == NULL || json_array_size(ev) == q.max);
		for (size_t k = 0; k < json_array_size(ev); k++) {
			const char *id = json_string_value(json_object_get(json_array_get(ev, k), "EventId"));
			int i = id && strlen(id) == 36 ? (int)strtoll(id + 24, NULL, 10) : -1;

			check_event(json_array_get(ev, k), i);
			if (n < max_ids)
				ids[n] = i;
			n++;
		}
		json_decref(ev);
		free(prev);
		prev = next;
	} while (next && ++pages < 1000);
	free(prev);
	return n;
}

static void expect(struct audit *a, const char *account, enum audit_attr attr, const char *v,
		   size_t page, int64_t start, int64_t end, int line)
{
	struct audit_query q = {.account = account, .attr = attr, .value = v, .max = page,
				.start = start, .end = end};
	int got[N + 10], want[N + 10];
	size_t n = collect(a, q, got, ARRAY_SIZE(got)), m = 0;
	char what[200];

	for (int i = N; i >= 1; i--) { /* seq order is i order, and so is time */
		if (!matches(i, account, attr, v ? v : "") || (start && when(i) < start) ||
		    (end && when(i) > end))
			continue;
		want[m++] = i;
	}
	snprintf(what, sizeof(what), "line %d: attribute %d '%s': %zu events, %zu wanted", line,
		 (int)attr, v ? v : "", n, m);
	if (n != m || m == 0) /* each case here finds some */
		unit_fail(__FILE__, line, what);
	for (size_t k = 0; k < n && k < m; k++)
		if (got[k] != want[k]) {
			snprintf(what, sizeof(what), "line %d: event %zu is %d, not %d", line, k,
				 got[k], want[k]);
			unit_fail(__FILE__, line, what);
			break;
		}
}

#define EXPECT(acct, attr, v, page) expect(a, acct, attr, v, page, 0, 0, __LINE__)

void test_audit_lookup__each_attribute(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);

	REQUIRE(a != NULL);
	EXPECT(AFX_A, AUDIT_ATTR_NONE, NULL, 50);
	EXPECT(AFX_A, AUDIT_ATTR_EVENT_ID, "00000000-0000-4000-8000-000000000100", 7);
	EXPECT(AFX_A, AUDIT_ATTR_EVENT_NAME, "GitPush", 7);
	EXPECT(AFX_A, AUDIT_ATTR_READ_ONLY, "true", 20);
	EXPECT(AFX_A, AUDIT_ATTR_READ_ONLY, "false", 20);
	EXPECT(AFX_A, AUDIT_ATTR_USERNAME, "user3", 7);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_TYPE, "AWS::CodeCommit::Repository", 9);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_TYPE, "AWS::IAM::User", 9);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_NAME, "repo2", 3);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_NAME, "arn:aws:codecommit:us-east-1:111111111111:repo2", 3);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_NAME, "target3", 5);
	EXPECT(AFX_A, AUDIT_ATTR_RESOURCE_NAME, "arn:aws:iam::111111111111:user/dev/target3", 50);
	EXPECT(AFX_A, AUDIT_ATTR_EVENT_SOURCE, "codecommit.amazonaws.com", 11);
	EXPECT(AFX_A, AUDIT_ATTR_ACCESS_KEY_ID, "AKIAFIXTURE0002", 13);
	/* the other account's */
	EXPECT(AFX_B, AUDIT_ATTR_NONE, NULL, 50);
	EXPECT(AFX_B, AUDIT_ATTR_USERNAME, "user3", 4);
	EXPECT(AFX_B, AUDIT_ATTR_RESOURCE_NAME, "repo2", 4);
	audit_close(a);
	afx_rm(dir);
}

void test_audit_lookup__only_whole_values(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	int ids[4];
	struct audit_query q = {.account = AFX_A, .max = 50};

	REQUIRE(a != NULL);
	/* another account's event is not found by its id */
	q.attr = AUDIT_ATTR_EVENT_ID;
	q.value = "00000000-0000-4000-8000-000000000099"; /* 99 is B's */
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.account = "999999999999";
	q.attr = AUDIT_ATTR_NONE;
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.account = AFX_A;
	/* a resource name is a whole line: not a part of a path, nor two lines */
	q.attr = AUDIT_ATTR_RESOURCE_NAME;
	q.value = "dev";
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.value = "repo";
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.value = "arn:aws:codecommit:us-east-1:111111111111:repo2\nrepo2";
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.attr = AUDIT_ATTR_USERNAME;
	q.value = "user%";
	CHECK_INT(collect(a, q, ids, 4), 0);
	q.value = "";
	CHECK_INT(collect(a, q, ids, 4), 0);
	audit_close(a);
	afx_rm(dir);
}

void test_audit_lookup__time_range(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct audit_query q = {.account = AFX_A, .max = 5};
	int ids[8];

	REQUIRE(a != NULL);
	expect(a, AFX_A, AUDIT_ATTR_NONE, NULL, 4, t0 + 20, t0 + 30, __LINE__);
	expect(a, AFX_A, AUDIT_ATTR_NONE, NULL, 1, t0 + 20, t0 + 20, __LINE__);
	expect(a, AFX_A, AUDIT_ATTR_USERNAME, "user1", 2, t0 + 20, t0 + 60, __LINE__);
	expect(a, AFX_A, AUDIT_ATTR_NONE, NULL, 3, t0 + 90, 0, __LINE__);
	expect(a, AFX_A, AUDIT_ATTR_NONE, NULL, 3, 0, t0 + 5, __LINE__);
	/* a late event (stamped before events written earlier) sorts by its time */
	afx_emit(a, 1000, afx_account(1000), t0);
	q.end = t0;
	CHECK_INT(collect(a, q, ids, 8), 3);
	CHECK_INT(ids[0], 1000); /* t0, the newest seq */
	CHECK_INT(ids[1], 2);
	CHECK_INT(ids[2], 1);
	q.start = t0 + 50;
	q.end = t0 + 40;
	CHECK_INT(collect(a, q, ids, 8), 0);
	audit_close(a);
	afx_rm(dir);
}

static int lookup_rc(struct audit *a, const struct audit_query *q, struct err *e)
{
	json_t *ev = NULL;
	char *next = NULL;
	int rc = audit_lookup(a, q, &ev, &next, e);

	CHECK(rc == 0 || (ev == NULL && next == NULL));
	json_decref(ev);
	free(next);
	return rc;
}

void test_audit_lookup__next_token(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct audit_query q = {.account = AFX_A, .attr = AUDIT_ATTR_USERNAME, .value = "user3",
				.max = 2};
	struct err e = ERR_INIT;
	json_t *ev = NULL;
	char *tok = NULL, bad[300], *big;
	const char *dot1, *dot2, *dot3;
	static const char *const malformed[] = {
		"", "garbage", "CDA2.", "CDA2...", "CDA1.5", "cda2.1.2.0000000000000000",
		"CDA2.1.2", "CDA2.1.2.", "CDA2.1.2.0123456789abcdef.", "CDA2.1.2.0123456789abcdeg",
		"CDA2.99999999999999999999.2.0123456789abcdef",
	};

	REQUIRE(a != NULL);
	REQUIRE(audit_lookup(a, &q, &ev, &tok, &e) == 0);
	json_decref(ev);
	REQUIRE(tok != NULL);
	CHECK(strncmp(tok, "CDA2.", 5) == 0);
	q.next_token = tok;
	CHECK_INT(lookup_rc(a, &q, &e), 0);
	for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
		q.next_token = malformed[i];
		err_clear(&e);
		CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
		CHECK_STR(e.aws_code, "InvalidNextTokenException");
	}
	/* the good token, bent: each part must be as it was written */
	dot1 = strchr(tok + 5, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	dot3 = dot2 ? strchr(dot2 + 1, '.') : NULL;
	REQUIRE(dot1 && dot2 && dot3 == NULL);
	snprintf(bad, sizeof(bad), "CDA2.0%s", tok + 5);  /* a leading zero */
	q.next_token = bad;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	snprintf(bad, sizeof(bad), "CDA2.+%s", tok + 5);  /* a sign */
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	snprintf(bad, sizeof(bad), "%.*s.0%s", (int)(dot1 - tok), tok, dot2); /* seq 0 */
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	snprintf(bad, sizeof(bad), "%s0", tok);           /* a longer hash */
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0'; /* another query's */
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	big = malloc(100001);
	REQUIRE(big != NULL);
	memset(big, '7', 100000);
	memcpy(big, "CDA2.", 5);
	big[100000] = '\0';
	q.next_token = big;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	free(big);
	/* a token is good only for the query that gave it (MaxResults aside) */
	q.next_token = tok;
	q.value = "user4";
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidNextTokenException");
	q.value = "user3";
	q.account = AFX_B;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.account = AFX_A;
	q.start = 5;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.start = 0;
	q.max = 50;
	CHECK_INT(lookup_rc(a, &q, &e), 0);
	free(tok);
	audit_close(a);
	afx_rm(dir);
}

void test_audit_lookup__bad_queries(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct audit_query q = {.account = AFX_A, .max = 0};
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.max = 51;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.max = 50;
	q.attr = AUDIT_ATTR_USERNAME; /* no value */
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.attr = AUDIT_ATTR_READ_ONLY;
	q.value = "yes";
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidLookupAttributesException");
	q.attr = (enum audit_attr)99;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	q.attr = AUDIT_ATTR_NONE;
	q.account = NULL;
	CHECK_INT(lookup_rc(a, &q, &e), CC_EINVAL);
	audit_close(a);
	afx_rm(dir);
}

/* a record that is not UTF-8 (a raw header kept in it) still comes back, as JSON can carry it */
void test_audit_lookup__not_utf8(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct audit_query q = {.account = AFX_A, .attr = AUDIT_ATTR_EVENT_ID, .max = 5};
	struct audit_entry h;
	struct err e = ERR_INIT;
	json_t *ev = NULL;
	char *next = NULL, *text = afx_event(&h, 1001, AFX_A, t0);
	char *dump;

	REQUIRE(a != NULL);
	free(text);
	{
		static const char rec[] = "{\"userAgent\":\"a\xff\xc3(\xe2\x82\",\"x\":\"\xc3\xa9\"}";

		audit_emit(a, &h, rec, strlen(rec));
	}
	q.value = h.event_id;
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(ev, 0), "CloudTrailEvent")),
		  "{\"userAgent\":\"a\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\","
		  "\"x\":\"\xc3\xa9\"}");
	dump = json_dumps(ev, 0);
	CHECK(dump != NULL);
	free(dump);
	json_decref(ev);
	audit_close(a);
	afx_rm(dir);
}

void test_audit_lookup__export(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct err e = ERR_INIT;
	struct buf want = BUF_INIT(0);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int lines = 0;

	REQUIRE(a != NULL);
	afx_emit(a, 1000, AFX_A, t0); /* late: written last, exported last */
	audit_close(a);
	/* [t0 + 10, t0 + 12]: events 40..51, every account, in the order written */
	f = open_memstream(&out, &outlen);
	REQUIRE(f != NULL);
	CHECK_INT(audit_export(dir, t0 + 10, t0 + 12, f, &e), 0);
	fclose(f);
	for (int i = 40; i <= 51; i++) {
		struct audit_entry h;
		char *text = afx_event(&h, i, afx_account(i), when(i));

		buf_printf(&want, "%s\n", text);
		free(text);
	}
	CHECK_STR(out, buf_cstr(&want));
	free(out);
	/* unbounded: everything, one line each, the late event last */
	f = open_memstream(&out, &outlen);
	REQUIRE(f != NULL);
	CHECK_INT(audit_export(dir, 0, 0, f, &e), 0);
	fclose(f);
	for (size_t k = 0; k < outlen; k++)
		lines += out[k] == '\n';
	CHECK_INT(lines, N + 1);
	CHECK(strstr(out, "\"eventID\":\"00000000-0000-4000-8000-000000001000\"") >
	      strstr(out, "\"eventID\":\"00000000-0000-4000-8000-000000000400\""));
	free(out);
	buf_release(&want);
	afx_rm(dir);
}

/* a damaged index chunk is skipped, a record not where the index says is left out: no crash */
void test_audit_lookup__damaged_index(void)
{
	char *dir = NULL;
	struct audit *a = trail(&dir);
	struct audit_query q = {.account = AFX_A, .max = 50};
	struct err e = ERR_INIT;
	json_t *ev = NULL;
	char *next = NULL, *path;

	REQUIRE(a != NULL);
	audit__flush(a);
	/* the record's offset moved: the event without its CloudTrailEvent */
	afx_sql(dir, "UPDATE chunks SET entries = substr(entries, 1, 16) || x'0100000000000000' ||"
		     " substr(entries, 25) WHERE account = '" AFX_A "'");
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 50);
	json_decref(ev);
	free(next);
	q.attr = AUDIT_ATTR_EVENT_ID;
	q.value = "00000000-0000-4000-8000-000000000001";
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 1);
	CHECK(json_object_get(json_array_get(ev, 0), "CloudTrailEvent") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(ev, 0), "EventName")), "GetUser");
	json_decref(ev);
	free(next);
	/* a chunk of garbage and one cut short: skipped */
	afx_sql(dir, "UPDATE chunks SET entries = randomblob(300) WHERE account = '" AFX_B "'");
	afx_sql(dir, "UPDATE chunks SET entries = substr(entries, 1, 200) WHERE account = '"
		     AFX_A "'");
	q.attr = AUDIT_ATTR_NONE;
	q.account = AFX_B;
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	json_decref(ev);
	free(next);
	q.account = AFX_A;
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK(json_array_size(ev) <= 3);
	json_decref(ev);
	free(next);
	/* the segment gone: the events without their records */
	audit_close(a);
	afx_rm(dir);
	a = trail(&dir);
	REQUIRE(a != NULL);
	audit__flush(a);
	path = afx_seg_file(dir, 1);
	CHECK(unlink(path) == 0);
	free(path);
	REQUIRE(audit_lookup(a, &q, &ev, &next, &e) == 0);
	CHECK_INT(json_array_size(ev), 50);
	CHECK(json_object_get(json_array_get(ev, 0), "CloudTrailEvent") == NULL);
	json_decref(ev);
	free(next);
	audit_close(a);
	afx_rm(dir);
}

/* export reads across segment files, from where pruning left the first */
void test_audit_lookup__export_segments(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .segment_max = 8192};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int lines = 0;
	int64_t now = time_now();

	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	for (int i = 1; i <= 1500; i++) {
		afx_emit(a, i, afx_account(i), i <= 1200 ? now - 40 * 86400 : now - 1500 + i);
		if (i % 50 == 0)
			audit__flush(a);
	}
	audit_close(a);
	cfg.retention_days = 30;
	REQUIRE(audit_open(&a, &cfg, &e) == 0); /* prunes 1-1000 */
	audit_close(a);
	CHECK(afx_int(dir, "SELECT count(*) FROM segments") > 3);
	REQUIRE((f = open_memstream(&out, &outlen)) != NULL);
	CHECK_INT(audit_export(dir, 0, 0, f, &e), 0);
	fclose(f);
	for (size_t k = 0; k < outlen; k++)
		lines += out[k] == '\n';
	CHECK_INT(lines, 500);
	{
		const char *first = strstr(out, "\"eventID\":\"00000000-0000-4000-8000-000000001001\"");

		CHECK(first != NULL && first < strchr(out, '\n')); /* the first line */
	}
	CHECK(strstr(out, "\"eventID\":\"00000000-0000-4000-8000-000000001000\"") == NULL);
	free(out);
	/* a missing file is an error, not a short export */
	{
		char *path = afx_seg_file(dir, 1400);

		CHECK(unlink(path) == 0);
		free(path);
	}
	REQUIRE((f = open_memstream(&out, &outlen)) != NULL);
	CHECK_INT(audit_export(dir, 0, 0, f, &e), CC_ERROR);
	CHECK(strstr(e.msg, "damaged or missing") != NULL);
	fclose(f);
	free(out);
	afx_rm(dir);
}
