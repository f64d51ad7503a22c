/* tests of src/iam/simulate.c: where the policy simulator says a statement is */
#include <string.h>

#include "iam/iam_int.h"
#include "unit.h"

static int pos(const char *doc, size_t idx, int *l0, int *c0, int *l1, int *c1)
{
	struct iam_pos a = {0, 0}, b = {0, 0};
	int rc = iam_sim_statement_pos(&a, &b, doc, strlen(doc), idx);

	*l0 = a.line;
	*c0 = a.column;
	*l1 = b.line;
	*c1 = b.column;
	return rc;
}

/* the AWS CLI documentation's example output: 1:38 to 1:167 */
void test_iam_simulate__documented_positions(void)
{
	const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
			  "\"dynamodb:*\",\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":"
			  "{\"aws:CurrentTime\":\"2018-08-16T12:00:00Z\"}}}}";
	int l0, c0, l1, c1;

	REQUIRE(pos(doc, 0, &l0, &c0, &l1, &c1) == 0);
	CHECK_INT(l0, 1);
	CHECK_INT(c0, 38);
	CHECK_INT(l1, 1);
	CHECK_INT(c1, 167);
	CHECK_INT(pos(doc, 1, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
}

void test_iam_simulate__statement_list_over_lines(void)
{
	const char *doc = "{\n"
			  "  \"Statement\": [\n"
			  "    {\"Effect\": \"Allow\", \"Action\": \"a:b\", \"Resource\": \"}{\\\"\"},\n"
			  "    {\n"
			  "      \"Effect\": \"Deny\", \"Action\": [\"x:y\"], \"Resource\": \"*\"\n"
			  "    }\n"
			  "  ],\n"
			  "  \"Version\": \"2012-10-17\"\n"
			  "}\n";
	int l0, c0, l1, c1;

	REQUIRE(pos(doc, 0, &l0, &c0, &l1, &c1) == 0);
	CHECK_INT(l0, 3);
	CHECK_INT(c0, 6);
	CHECK_INT(l1, 3);
	CHECK_INT(c1, 61); /* braces and quotes inside strings do not count */
	REQUIRE(pos(doc, 1, &l0, &c0, &l1, &c1) == 0);
	CHECK_INT(l0, 4);
	CHECK_INT(c0, 6);
	CHECK_INT(l1, 6);
	CHECK_INT(c1, 6);
	CHECK_INT(pos(doc, 2, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
}

/* the last Statement member is the one the parser keeps; columns count characters */
void test_iam_simulate__last_statement_and_utf8(void)
{
	const char *doc = "{\"Statement\":[{\"Sid\":\"old\"}],\"Id\":\"\xc3\xa9\xc3\xa9\","
			  "\"Statement\":[{\"Sid\":\"new\"}]}";
	int l0, c0, l1, c1;

	REQUIRE(pos(doc, 0, &l0, &c0, &l1, &c1) == 0);
	CHECK_INT(c0, 54);
	CHECK_INT(c1, 66); /* a two-byte character counts once */
}

void test_iam_simulate__not_a_statement(void)
{
	int l0, c0, l1, c1;

	CHECK_INT(pos("", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("[]", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":[", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":[{\"a\":\"", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":\"x\"}", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":[1,{}]}", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
	CHECK_INT(pos("{\"Statement\":[1,{}]}", 1, &l0, &c0, &l1, &c1), 0);
	CHECK_INT(pos("{\"Version\" \"x\"}", 0, &l0, &c0, &l1, &c1), CC_ENOTFOUND);
}
