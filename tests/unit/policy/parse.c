/*
 * parse.c - unit tests of policy_parse(): the grammar, the per-kind rules
 * on Principal and Resource, the caps and size limit, clear messages for
 * malformed documents, and every AWS managed policy in
 * /work/shared/aws-managed-policies (or $POLICY_MANAGED_DIR) parsing cleanly.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>

#include "helpers.h"

/* parses json expecting failure; returns the message (static storage) */
static const char *bad(const char *json, enum policy_kind kind, int *code)
{
	static struct err e;
	struct policy *p = NULL;

	err_clear(&e);
	*code = policy_parse(&p, json, strlen(json), kind, 0, &e);
	if (*code == 0) {
		policy_free(p);
		return "(parsed)";
	}
	return e.msg;
}

#define EXPECT_BAD(json, kind, needle)                                                       \
	do {                                                                                 \
		int code_;                                                                   \
		const char *msg_ = bad((json), (kind), &code_);                                \
		CHECK_INT(code_, CC_EINVAL);                                                 \
		if (strstr(msg_, (needle)) == NULL) {                                          \
			char b_[600];                                                        \
			snprintf(b_, sizeof b_, "message '%s' lacks '%s'", msg_, (needle));    \
			unit_fail(__FILE__, __LINE__, b_);                                   \
		}                                                                            \
	} while (0)

#define ALLOW_S3 "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\""

void test_policy_parse__minimal_and_shapes(void)
{
	struct policy *p;

	p = PARSE("{\"Version\":\"2012-10-17\",\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}",
		  POLICY_IDENTITY);
	REQUIRE(p);
	CHECK_INT(policy_statement_count(p), 1);
	CHECK(policy_statement_sid(p, 0) == NULL);
	CHECK_INT(policy_kind_of(p), POLICY_IDENTITY);
	policy_free(p);

	p = PARSE("{\"Id\":\"x\",\"Statement\":[{\"Sid\":\"A1\"," ALLOW_S3 ",\"Resource\":[\"*\"]},"
		  "{\"Sid\":\"B2\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"s3:Get?bject\"],"
		  "\"NotResource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":false},"
		  "\"NumericLessThan\":{\"s3:max-keys\":[10, 2.5]}}}]}",
		  POLICY_IDENTITY);
	REQUIRE(p);
	CHECK_INT(policy_statement_count(p), 2);
	CHECK_STR(policy_statement_sid(p, 1), "B2");
	policy_free(p);
	policy_free(NULL);
}

void test_policy_parse__malformed_messages(void)
{
	EXPECT_BAD("", POLICY_IDENTITY, "Syntax errors in policy.");
	EXPECT_BAD("[1]", POLICY_IDENTITY, "must be a JSON object");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}", POLICY_IDENTITY,
		   "Syntax errors in policy.");
	EXPECT_BAD("{\"Version\":\"2013-01-01\",\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "Version must be");
	EXPECT_BAD("{\"Version\":\"2012-10-17\"}", POLICY_IDENTITY, "Missing required field Statement");
	EXPECT_BAD("{\"Statement\":[]}", POLICY_IDENTITY, "Statement must not be empty");
	EXPECT_BAD("{\"Statement\":\"x\"}", POLICY_IDENTITY, "Statement must be an object or an array");
	EXPECT_BAD("{\"Foo\":1,\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}", POLICY_IDENTITY,
		   "Unknown field 'Foo'");
	EXPECT_BAD("{\"Statement\":[{" ALLOW_S3 ",\"Resource\":\"*\"},{\"Effect\":\"allow\","
		   "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", POLICY_IDENTITY,
		   "Statement[1].Effect must be Allow or Deny");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}", POLICY_IDENTITY,
		   "Policy statement must contain actions.");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 "}}", POLICY_IDENTITY,
		   "Policy statement must contain resources.");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "both Action and NotAction");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"NotResource\":\"*\"}}",
		   POLICY_IDENTITY, "both Resource and NotResource");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Principal\":\"*\"}}",
		   POLICY_IDENTITY, "Policy document should not specify a principal.");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"NotPrincipal\":{\"AWS\":\"*\"}}}",
		   POLICY_BOUNDARY, "Policy document should not specify a principal.");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}", POLICY_RESOURCE,
		   "Missing required field Principal");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetObject\",\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "Actions/Conditions must be prefaced by a vendor");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:Get Object\",\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "is not a valid action");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",3],\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "Statement[0].Action[1] must be a string");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "Statement[0].Action must not be empty");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[[\"s3:*\"]],\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "must be a string");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"bucket\"}}", POLICY_IDENTITY,
		   "must be in ARN format or \"*\"");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Extra\":1}}", POLICY_IDENTITY,
		   "Statement[0] has an unknown field 'Extra'");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":"
		   "{\"aws:username\":\"x\"}}}}", POLICY_IDENTITY, "unknown condition operator 'StringEqualz'");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":"
		   "{\"aws:username\":\"true\"}}}}", POLICY_IDENTITY, "unknown condition operator");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
		   "{\"aws:username\":{\"a\":1}}}}}", POLICY_IDENTITY, "values must be strings");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
		   "{\"aws:username\":null}}}}", POLICY_IDENTITY, "values must be strings");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
		   "{\"username\":\"x\"}}}}", POLICY_IDENTITY, "prefaced by a vendor");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":"
		   "{\"s3:max-keys\":\"ten\"}}}}", POLICY_IDENTITY, "is not a number");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":"
		   "{\"aws:CurrentTime\":\"yesterday\"}}}}", POLICY_IDENTITY, "is not a date");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
		   "{\"aws:SourceIp\":\"10.0.0.0/33\"}}}}", POLICY_IDENTITY, "not an IP address");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"BinaryEquals\":"
		   "{\"x:bin\":\"!!!\"}}}}", POLICY_IDENTITY, "is not base64");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":{\"Null\":"
		   "{\"aws:username\":\"maybe\"}}}}", POLICY_IDENTITY, "must be true or false");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\",\"Condition\":[]}}",
		   POLICY_IDENTITY, "Condition must be an object");
	EXPECT_BAD("{\"Version\":\"2012-10-17\",\"Statement\":{" ALLOW_S3 ",\"Resource\":"
		   "\"arn:aws:s3:::b/${aws:username\"}}", POLICY_IDENTITY, "invalid policy variable");
	EXPECT_BAD("{\"Statement\":[{\"Sid\":\"A\"," ALLOW_S3 ",\"Resource\":\"*\"},{\"Sid\":\"A\","
		   ALLOW_S3 ",\"Resource\":\"*\"}]}", POLICY_IDENTITY, "must be unique");
	EXPECT_BAD("{\"Statement\":{\"Sid\":\"no spaces\"," ALLOW_S3 ",\"Resource\":\"*\"}}",
		   POLICY_IDENTITY, "must be alpha-numeric");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/*\"}}}",
		   POLICY_TRUST, "Invalid principal in policy");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Principal\":{\"AWS\":\"bob\"}}}", POLICY_TRUST,
		   "Invalid principal in policy");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Principal\":{\"Bogus\":\"x\"}}}", POLICY_TRUST,
		   "unknown principal type");
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Principal\":\"someone\"}}", POLICY_TRUST,
		   "Invalid principal in policy");
	/* invalid UTF-8 and an embedded NUL */
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"arn:aws:s3:::\xff\xfe:::x\"}}",
		   POLICY_IDENTITY, "not valid UTF-8");
	{
		struct policy *p = NULL;
		struct err e = ERR_INIT;
		const char doc[] = "{\"Statement\":{}}\0junk";

		CHECK_INT(policy_parse(&p, doc, sizeof doc - 1, POLICY_IDENTITY, 0, &e), CC_EINVAL);
		CHECK_STR(e.aws_code, "MalformedPolicyDocument");
		CHECK(p == NULL);
	}
}

void test_policy_parse__kinds(void)
{
	struct policy *p;

	/* trust policies may omit Resource; resource policies may not */
	p = PARSE("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
		  "\"sts:AssumeRole\",\"Principal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::"
		  "444455556666:root\",\"arn:aws:iam::111122223333:user/Bob\"],\"Service\":"
		  "\"ec2.amazonaws.com\",\"Federated\":\"cognito-identity.amazonaws.com\"}}}",
		  POLICY_TRUST);
	policy_free(p);
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"codecommit:GitPull\","
		   "\"Principal\":\"*\"}}", POLICY_RESOURCE, "must contain resources");
	p = PARSE("{\"Statement\":{\"Sid\":\"any thing\",\"Effect\":\"Allow\",\"Action\":"
		  "\"codecommit:GitPull\",\"Principal\":\"*\",\"Resource\":\"*\"}}", POLICY_RESOURCE);
	policy_free(p);
	p = PARSE("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}", POLICY_SCP);
	policy_free(p);
	p = PARSE("{\"Statement\":{" ALLOW_S3 ",\"Resource\":\"*\"}}", POLICY_SESSION);
	policy_free(p);
}

#define TRUST_WHO ",\"Principal\":{\"AWS\":\"111122223333\"}"

void test_policy_parse__trust(void)
{
	struct policy *p;

	/* the role-assuming STS actions, and wildcards that cover one of them */
	p = PARSE("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"sts:AssumeRole\","
		  "\"sts:TagSession\",\"sts:SetSourceIdentity\",\"STS:AssumeRoleWithWebIdentity\"]"
		  TRUST_WHO "}}", POLICY_TRUST);
	policy_free(p);
	p = PARSE("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:Assume*\"" TRUST_WHO
		  "}}", POLICY_TRUST);
	policy_free(p);
	p = PARSE("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\"" TRUST_WHO "}}",
		  POLICY_TRUST);
	policy_free(p);
	EXPECT_BAD("{\"Statement\":{" ALLOW_S3 TRUST_WHO "}}", POLICY_TRUST,
		   "AssumeRole policy may only specify STS AssumeRole actions.");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"sts:AssumeRole\","
		   "\"sts:GetCallerIdentity\"]" TRUST_WHO "}}", POLICY_TRUST,
		   "may only specify STS AssumeRole actions");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
		   "\"Resource\":\"*\"" TRUST_WHO "}}", POLICY_TRUST, "Has prohibited field Resource");
	EXPECT_BAD("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
		   "\"NotResource\":\"*\"" TRUST_WHO "}}", POLICY_TRUST,
		   "Has prohibited field NotResource");
	EXPECT_BAD("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\""
		   TRUST_WHO "},{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}",
		   POLICY_TRUST, "Missing required field Principal (Statement[1])");
}

void test_policy_parse__limits(void)
{
	const char *doc = "{ \"Statement\" : {\n\t\"Effect\":\"Allow\", \"Action\":\"s3:*\", "
			  "\"Resource\":\"*\" } }";
	size_t nows = policy_size_nows(doc, strlen(doc));
	struct policy *p = NULL;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT(0);

	CHECK_INT(nows, strlen("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
			       "\"Resource\":\"*\"}}"));
	CHECK_INT(policy_size_nows("\xc3\xa9 a", 4), 2); /* characters, not bytes */
	CHECK_INT(policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, nows, &e), 0);
	policy_free(p);
	p = NULL;
	CHECK_INT(policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, nows - 1, &e), CC_ELIMIT);
	CHECK_STR(e.aws_code, "LimitExceeded");
	CHECK(p == NULL);

	/* 1001 statements */
	buf_puts(&b, "{\"Statement\":[");
	for (int i = 0; i <= POLICY_MAX_STATEMENTS; i++)
		buf_printf(&b, "%s{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}",
			   i ? "," : "");
	buf_puts(&b, "]}");
	REQUIRE(!buf_failed(&b));
	CHECK_INT(policy_parse(&p, b.ptr, b.len, POLICY_IDENTITY, 0, &e), CC_EINVAL);
	CHECK(strstr(e.msg, "more than 1000") != NULL);
	buf_clear(&b);

	/* one action too many */
	buf_puts(&b, "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\",\"Action\":[");
	for (int i = 0; i <= POLICY_MAX_VALUES; i++)
		buf_printf(&b, "%s\"s3:A%d\"", i ? "," : "", i);
	buf_puts(&b, "]}}");
	CHECK_INT(policy_parse(&p, b.ptr, b.len, POLICY_IDENTITY, 0, &e), CC_EINVAL);
	{
		char want[100];

		snprintf(want, sizeof want, "Statement[0].Action has more than %d", POLICY_MAX_VALUES);
		CHECK(strstr(e.msg, want) != NULL);
	}
	buf_clear(&b);

	/* deep nesting is refused by the grammar (and by jansson's own depth cap) */
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, '[');
	CHECK_INT(policy_parse(&p, b.ptr, b.len, POLICY_IDENTITY, 0, &e), CC_EINVAL);
	buf_clear(&b);
	buf_puts(&b, "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\",\"Action\":");
	for (int i = 0; i < 100; i++)
		buf_putc(&b, '[');
	buf_puts(&b, "\"s3:*\"");
	for (int i = 0; i < 100; i++)
		buf_putc(&b, ']');
	buf_puts(&b, "}}");
	CHECK_INT(policy_parse(&p, b.ptr, b.len, POLICY_IDENTITY, 0, &e), CC_EINVAL);
	buf_release(&b);
}

void test_policy_parse__managed_policies(void)
{
	const char *dir = getenv("POLICY_MANAGED_DIR");
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (dir == NULL)
		dir = "/work/shared/aws-managed-policies";
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "  (skipped: no %s)\n", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[1024], m[1200];
		json_error_t jerr;
		json_t *root, *doc;
		char *text;
		struct policy *p = NULL;
		struct err e = ERR_INIT;
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		root = json_load_file(path, 0, &jerr);
		doc = root ? json_object_get(root, "Document") : NULL;
		if (doc == NULL) {
			snprintf(m, sizeof m, "%s: no Document", path);
			unit_fail(__FILE__, __LINE__, m);
			json_decref(root);
			continue;
		}
		text = json_dumps(doc, JSON_COMPACT);
		REQUIRE(text);
		if (policy_parse(&p, text, strlen(text), POLICY_IDENTITY, 0, &e) < 0) {
			snprintf(m, sizeof m, "%s: %s", path, e.msg);
			unit_fail(__FILE__, __LINE__, m);
		}
		n++;
		policy_free(p);
		free(text);
		json_decref(root);
	}
	closedir(d);
	CHECK(n > 0);
}
