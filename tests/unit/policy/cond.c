/*
 * cond.c - unit tests of condition operators: every operator family, the
 * negated forms, ...IfExists, ForAllValues:/ForAnyValue:, absent keys, Null,
 * case-insensitive key names and policy variables in condition values.
 */
#include <stdio.h>

#include "helpers.h"

/*
 * Evaluates {"Condition": cond} in an Allow statement against keys:
 * 1 allowed, 0 not, -1 the policy did not parse.
 */
static int cond_with(const char *version, const char *cond, const struct policy_key *keys,
		     size_t nkeys)
{
	char doc[4096];
	struct policy *p = NULL;
	struct err e = ERR_INIT;
	struct policy_ctx ctx = {0};
	int r;

	snprintf(doc, sizeof doc, "{%s\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
		 "\"Resource\":\"*\",\"Condition\":%s}}", version, cond);
	if (policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, 0, &e) < 0) {
		fprintf(stderr, "  parse: %s\n", e.msg);
		return -1;
	}
	ctx.action = "s3:GetObject";
	ctx.resource = "arn:aws:s3:::b/k";
	ctx.keys = keys;
	ctx.nkeys = nkeys;
	r = policy_eval_one(p, &ctx, NULL) == POLICY_ALLOW;
	policy_free(p);
	return r;
}

#define V12 "\"Version\":\"2012-10-17\","
#define C(cond, ...)                                                                   \
	({                                                                             \
		const struct policy_key k_[] = {__VA_ARGS__};                          \
		cond_with(V12, (cond), k_, sizeof k_ / sizeof k_[0]);                  \
	})
#define C0(cond) cond_with(V12, (cond), NULL, 0)

void test_policy_cond__string(void)
{
	CHECK_INT(C("{\"StringEquals\":{\"aws:username\":\"bob\"}}", K("aws:username", "bob")), 1);
	CHECK_INT(C("{\"StringEquals\":{\"aws:username\":\"bob\"}}", K("aws:username", "Bob")), 0);
	CHECK_INT(C("{\"StringEquals\":{\"AWS:UserName\":[\"x\",\"bob\"]}}", K("aws:username", "bob")), 1);
	CHECK_INT(C("{\"StringEquals\":{\"aws:username\":\"bo*\"}}", K("aws:username", "bob")), 0);
	CHECK_INT(C("{\"StringNotEquals\":{\"aws:username\":[\"x\",\"bob\"]}}", K("aws:username", "bob")), 0);
	CHECK_INT(C("{\"StringNotEquals\":{\"aws:username\":[\"x\",\"y\"]}}", K("aws:username", "bob")), 1);
	CHECK_INT(C("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"BOB\"}}", K("aws:username", "bob")), 1);
	CHECK_INT(C("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"BOB\"}}", K("aws:username", "bob")), 0);
	CHECK_INT(C("{\"StringLike\":{\"s3:prefix\":[\"home/*\"]}}", K("s3:prefix", "home/bob/x")), 1);
	CHECK_INT(C("{\"StringLike\":{\"s3:prefix\":\"home/?ob\"}}", K("s3:prefix", "home/bob")), 1);
	CHECK_INT(C("{\"StringLike\":{\"s3:prefix\":\"home/?ob\"}}", K("s3:prefix", "home/bbob")), 0);
	CHECK_INT(C("{\"StringLike\":{\"s3:prefix\":\"HOME/*\"}}", K("s3:prefix", "home/x")), 0);
	CHECK_INT(C("{\"StringNotLike\":{\"s3:prefix\":\"home/*\"}}", K("s3:prefix", "tmp/x")), 1);
	CHECK_INT(C("{\"StringNotLike\":{\"s3:prefix\":\"home/*\"}}", K("s3:prefix", "home/x")), 0);
	/* numbers and booleans in the policy are strings */
	CHECK_INT(C("{\"StringEquals\":{\"x:n\":42}}", K("x:n", "42")), 1);
	CHECK_INT(C("{\"StringEquals\":{\"x:n\":true}}", K("x:n", "true")), 1);
}

void test_policy_cond__absent_keys(void)
{
	/* "Condition operators", Important box: absent key -> false, negated -> true */
	CHECK_INT(C0("{\"StringEquals\":{\"aws:username\":\"bob\"}}"), 0);
	CHECK_INT(C0("{\"StringNotEquals\":{\"aws:username\":\"bob\"}}"), 1);
	CHECK_INT(C0("{\"StringNotLike\":{\"aws:username\":\"b*\"}}"), 1);
	CHECK_INT(C0("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x\"}}"), 1);
	CHECK_INT(C0("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"), 1);
	CHECK_INT(C0("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}"), 0);
	CHECK_INT(C0("{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}"), 0);
	/* IfExists: absent -> true, present -> the plain operator */
	CHECK_INT(C0("{\"StringEqualsIfExists\":{\"aws:username\":\"bob\"}}"), 1);
	CHECK_INT(C0("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}"), 1);
	CHECK_INT(C("{\"StringEqualsIfExists\":{\"aws:username\":\"bob\"}}", K("aws:username", "al")), 0);
	CHECK_INT(C("{\"StringEqualsIfExists\":{\"aws:username\":\"bob\"}}", K("aws:username", "bob")), 1);
	CHECK_INT(C("{\"StringNotEqualsIfExists\":{\"aws:username\":\"bob\"}}", K("aws:username", "bob")), 0);
	/* Null */
	CHECK_INT(C0("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}"), 1);
	CHECK_INT(C0("{\"Null\":{\"aws:TokenIssueTime\":false}}"), 0);
	CHECK_INT(C("{\"Null\":{\"aws:TokenIssueTime\":\"false\"}}", K("aws:TokenIssueTime", "x")), 1);
	CHECK_INT(C("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", K("aws:TokenIssueTime", "x")), 0);
	/* a key present with no values counts as absent */
	{
		const struct policy_key k[] = {{"aws:username", {NULL, 0}}};

		CHECK_INT(cond_with(V12, "{\"Null\":{\"aws:username\":\"true\"}}", k, 1), 1);
	}
}

void test_policy_cond__numeric(void)
{
	CHECK_INT(C("{\"NumericEquals\":{\"s3:max-keys\":\"10\"}}", K("s3:max-keys", "10")), 1);
	CHECK_INT(C("{\"NumericEquals\":{\"s3:max-keys\":10}}", K("s3:max-keys", "10.0")), 1);
	CHECK_INT(C("{\"NumericNotEquals\":{\"s3:max-keys\":[10,11]}}", K("s3:max-keys", "11")), 0);
	CHECK_INT(C("{\"NumericNotEquals\":{\"s3:max-keys\":[10,11]}}", K("s3:max-keys", "12")), 1);
	CHECK_INT(C("{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}", K("s3:max-keys", "9")), 1);
	CHECK_INT(C("{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}", K("s3:max-keys", "10")), 0);
	CHECK_INT(C("{\"NumericLessThanEquals\":{\"s3:max-keys\":\"10\"}}", K("s3:max-keys", "10")), 1);
	CHECK_INT(C("{\"NumericGreaterThan\":{\"s3:max-keys\":\"-1.5\"}}", K("s3:max-keys", "-1")), 1);
	CHECK_INT(C("{\"NumericGreaterThanEquals\":{\"s3:max-keys\":\"2.5\"}}", K("s3:max-keys", "2.4")), 0);
	CHECK_INT(C("{\"NumericEquals\":{\"s3:max-keys\":\"10\"}}", K("s3:max-keys", "ten")), 0);
	CHECK_INT(C("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}",
		    K("aws:MultiFactorAuthAge", "120")), 1);
}

void test_policy_cond__date(void)
{
	CHECK_INT(C("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "2024-05-01T10:00:00Z")), 1);
	CHECK_INT(C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2020-01-01\"}}",
		    K("aws:CurrentTime", "2024-05-01T10:00:00Z")), 0);
	CHECK_INT(C("{\"DateEquals\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "1577836800")), 1);
	CHECK_INT(C("{\"DateEquals\":{\"aws:EpochTime\":1577836800}}",
		    K("aws:EpochTime", "2020-01-01T01:00:00+01:00")), 1);
	CHECK_INT(C("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "2020-01-01T00:00:01Z")), 1);
	CHECK_INT(C("{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "2020-01-01T00:00:00Z")), 1);
	CHECK_INT(C("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "2019-12-31T23:59:59Z")), 0);
	CHECK_INT(C("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}",
		    K("aws:CurrentTime", "garbage")), 0);
}

void test_policy_cond__bool_binary(void)
{
	CHECK_INT(C("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", K("aws:SecureTransport", "true")), 1);
	CHECK_INT(C("{\"Bool\":{\"aws:SecureTransport\":true}}", K("aws:SecureTransport", "TRUE")), 1);
	CHECK_INT(C("{\"Bool\":{\"aws:SecureTransport\":false}}", K("aws:SecureTransport", "true")), 0);
	/* "aGVsbG8=" is base64("hello"); the request value arrives base64-encoded too */
	CHECK_INT(C("{\"BinaryEquals\":{\"x:bin\":\"aGVsbG8=\"}}", K("x:bin", "aGVsbG8=")), 1);
	CHECK_INT(C("{\"BinaryEquals\":{\"x:bin\":\"aGVsbG8=\"}}", K("x:bin", "aGVsbG8")), 1);
	CHECK_INT(C("{\"BinaryEquals\":{\"x:bin\":\"aGVsbG8=\"}}", K("x:bin", "d29ybGQ=")), 0);
	CHECK_INT(C("{\"BinaryEquals\":{\"x:bin\":\"aGVsbG8=\"}}", K("x:bin", "*not*")), 0);
}

void test_policy_cond__ip(void)
{
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", K("aws:SourceIp", "203.0.113.77")), 1);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", K("aws:SourceIp", "203.0.114.1")), 0);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"203.0.113.5\"]}}",
		    K("aws:SourceIp", "203.0.113.5")), 1);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/27\"}}", K("aws:SourceIp", "203.0.113.33")), 0);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", K("aws:SourceIp", "8.8.8.8")), 1);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"2001:DB8:1234:5678::/64\"}}",
		    K("aws:SourceIp", "2001:db8:1234:5678::ab")), 1);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"2001:DB8:1234:5678::/64\"}}",
		    K("aws:SourceIp", "2001:db8:1234:5679::ab")), 0);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", K("aws:SourceIp", "::ffff:10.1.2.3")), 1);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", K("aws:SourceIp", "2001:db8::1")), 0);
	CHECK_INT(C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", K("aws:SourceIp", "not-an-ip")), 0);
	CHECK_INT(C("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}",
		    K("aws:SourceIp", "192.168.4.4")), 0);
	CHECK_INT(C("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}",
		    K("aws:SourceIp", "172.16.0.1")), 1);
}

void test_policy_cond__arn(void)
{
	const char *role = "arn:aws:iam::111122223333:role/Admin";

	CHECK_INT(C("{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/Admin\"}}",
		    K("aws:PrincipalArn", role)), 1);
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/Ad*\"}}",
		    K("aws:PrincipalArn", role)), 1);
	/* wildcards stay within their part: '*' in the account part cannot eat ':role' */
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*\"}}", K("aws:PrincipalArn", role)), 0);
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:*\"}}", K("aws:PrincipalArn", role)), 1);
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"*\"}}", K("aws:PrincipalArn", role)), 1);
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:*\"}}", K("aws:PrincipalArn", "nope")), 0);
	CHECK_INT(C("{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/Admin\"}}",
		    K("aws:PrincipalArn", role)), 0);
	CHECK_INT(C("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/Dev*\"}}",
		    K("aws:PrincipalArn", role)), 1);
	CHECK_INT(C("{\"ArnLike\":{\"codestar-notifications:NotificationsForResource\":\"arn:aws:codecommit:*:*:*\"}}",
		    K("codestar-notifications:NotificationsForResource", "arn:aws:codecommit:us-east-1:1:repo")), 1);
}

void test_policy_cond__set_operators(void)
{
	const char *anyv = "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
	const char *allv = "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";

	CHECK_INT(C(anyv, K("aws:TagKeys", "cost", "team")), 1);
	CHECK_INT(C(anyv, K("aws:TagKeys", "cost", "owner")), 0);
	CHECK_INT(C0(anyv), 0);
	CHECK_INT(C(allv, K("aws:TagKeys", "env", "team")), 1);
	CHECK_INT(C(allv, K("aws:TagKeys", "env", "cost")), 0);
	CHECK_INT(C0(allv), 1); /* absent: ForAllValues is true */
	{
		const struct policy_key k[] = {{"aws:TagKeys", {NULL, 0}}};

		CHECK_INT(cond_with(V12, allv, k, 1), 1);
		CHECK_INT(cond_with(V12, anyv, k, 1), 0);
	}
	/* negated per value */
	CHECK_INT(C("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}}",
		    K("aws:TagKeys", "env", "team")), 1);
	CHECK_INT(C("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}}",
		    K("aws:TagKeys", "env", "secret")), 0);
	CHECK_INT(C("{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}}",
		    K("aws:TagKeys", "env", "secret")), 1);
	CHECK_INT(C("{\"ForAnyValue:StringLike\":{\"aws:TagKeys\":\"cost-*\"}}",
		    K("aws:TagKeys", "env", "cost-center")), 1);
	CHECK_INT(C0("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"x\"}}"), 1);
	/* a multivalued key without a set operator: any value matching */
	CHECK_INT(C("{\"StringEquals\":{\"aws:TagKeys\":\"team\"}}", K("aws:TagKeys", "env", "team")), 1);
	CHECK_INT(C("{\"StringNotEquals\":{\"aws:TagKeys\":\"team\"}}", K("aws:TagKeys", "env", "team")), 0);
}

void test_policy_cond__blocks_and_or(void)
{
	const struct policy_key both[] = {K("aws:username", "bob"), K("aws:SourceIp", "10.1.1.1")};
	const struct policy_key one[] = {K("aws:username", "bob"), K("aws:SourceIp", "11.1.1.1")};
	const char *cond = "{\"StringEquals\":{\"aws:username\":\"bob\"},"
			   "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}";
	const char *keys2 = "{\"StringEquals\":{\"aws:username\":\"bob\",\"aws:userid\":\"AIDA1\"}}";

	CHECK_INT(cond_with(V12, cond, both, 2), 1);
	CHECK_INT(cond_with(V12, cond, one, 1), 0);
	CHECK_INT(cond_with(V12, cond, one, 2), 0);
	CHECK_INT(C(keys2, K("aws:username", "bob")), 0);
	CHECK_INT(C(keys2, K("aws:username", "bob"), K("aws:userid", "AIDA1")), 1);
}

void test_policy_cond__variables(void)
{
	const char *c = "{\"StringEquals\":{\"s3:prefix\":\"home/${aws:username}\"}}";
	const char *like = "{\"StringLike\":{\"s3:prefix\":\"home/${aws:username}/*\"}}";

	CHECK_INT(C(c, K("s3:prefix", "home/bob"), K("aws:username", "bob")), 1);
	CHECK_INT(C(c, K("s3:prefix", "home/bob"), K("aws:username", "al")), 0);
	CHECK_INT(C(c, K("s3:prefix", "home/")), 0); /* unresolved: no match */
	CHECK_INT(C(like, K("s3:prefix", "home/bob/x/y"), K("aws:username", "bob")), 1);
	/* a variable's value is literal: a user named "*" does not become a wildcard */
	CHECK_INT(C(like, K("s3:prefix", "home/alice/x"), K("aws:username", "*")), 0);
	CHECK_INT(C(like, K("s3:prefix", "home/*/x"), K("aws:username", "*")), 1);
	/* ${*} ${?} ${$} are literal characters */
	CHECK_INT(C("{\"StringLike\":{\"x:k\":\"a${*}b${?}${$}\"}}", K("x:k", "a*b?$")), 1);
	CHECK_INT(C("{\"StringLike\":{\"x:k\":\"a${*}b\"}}", K("x:k", "axxb")), 0);
	/* defaults */
	CHECK_INT(C("{\"StringEquals\":{\"x:k\":\"${aws:PrincipalTag/team, 'none'}\"}}", K("x:k", "none")), 1);
	CHECK_INT(C("{\"StringEquals\":{\"x:k\":\"${aws:PrincipalTag/team,'none'}\"}}",
		    K("x:k", "red"), K("aws:principaltag/TEAM", "red")), 1);
	CHECK_INT(C("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/${aws:username}\"}}",
		    K("aws:PrincipalArn", "arn:aws:iam::1:user/bob"), K("aws:username", "bob")), 1);
	/* Version 2008-10-17 (or none): no variables, the text is literal */
	{
		const struct policy_key k[] = {K("s3:prefix", "home/${aws:username}"), K("aws:username", "bob")};

		CHECK_INT(cond_with("", c, k, 2), 1);
		CHECK_INT(cond_with("\"Version\":\"2008-10-17\",", c, k, 2), 1);
	}
	/* long expansions fall back to the heap */
	{
		static char big[2000];
		static char want[2100];

		memset(big, 'x', sizeof big - 1);
		snprintf(want, sizeof want, "home/%s", big);
		CHECK_INT(C(c, K("s3:prefix", want), K("aws:username", big)), 1);
		CHECK_INT(C(like, K("s3:prefix", want), K("aws:username", big)), 0);
	}
}
