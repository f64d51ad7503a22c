/*
 * tests/unit/aws/query_in.c - form bodies of real IAM and STS operations
 * parsed into botocore-shaped json, AWS's validation messages, and hostile
 * bodies: bad %-escapes, too many parameters, list gaps, index overflow,
 * invalid UTF-8, over-long names.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "unit.h"

static json_t *parsed;
static struct err perr;
static struct aws_query_head phead;

/* parses body for svc; returns rc, leaves the result in parsed/perr */
static int parse(const char *svc, const char *body)
{
	json_decref(parsed);
	parsed = NULL;
	err_clear(&perr);
	memset(&phead, 0, sizeof phead);
	return aws_query_parse(&parsed, &phead, body, strlen(body), aws_model_service(svc), &perr);
}

/* the parsed object as sorted compact JSON (static storage) */
static const char *dump(void)
{
	static char out[4096];
	char *s;

	if (parsed == NULL)
		return "(null)";
	s = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(out, sizeof out, "%s", s ? s : "(oom)");
	free(s);
	json_decref(parsed);
	parsed = NULL;
	return out;
}

void test_aws_query_in__create_user(void)
{
	REQUIRE(parse("iam", "Action=CreateUser&Version=2010-05-08&UserName=Sonali"
	                     "&Path=%2Fdev%2F&Tags.member.1.Key=team&Tags.member.1.Value=a+b"
	                     "&Tags.member.2.Key=k2&Tags.member.2.Value=") == 0);
	CHECK_STR(phead.action, "CreateUser");
	CHECK_STR(phead.version, "2010-05-08");
	CHECK_STR(dump(), "{\"Path\":\"/dev/\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a b\"},"
	                  "{\"Key\":\"k2\",\"Value\":\"\"}],\"UserName\":\"Sonali\"}");
}

void test_aws_query_in__list_users(void)
{
	REQUIRE(parse("iam", "Action=ListUsers&Version=2010-05-08&MaxItems=10&Marker=abc&PathPrefix=%2F") == 0);
	CHECK_STR(dump(), "{\"Marker\":\"abc\",\"MaxItems\":10,\"PathPrefix\":\"/\"}");
	REQUIRE(parse("iam", "Action=ListUsers&Version=2010-05-08") == 0);
	CHECK_STR(dump(), "{}");
}

void test_aws_query_in__attach_user_policy(void)
{
	REQUIRE(parse("iam", "Version=2010-05-08&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess"
	                     "&UserName=bob&Action=AttachUserPolicy") == 0);
	CHECK_STR(dump(), "{\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\",\"UserName\":\"bob\"}");
}

void test_aws_query_in__tag_user_out_of_order(void)
{
	REQUIRE(parse("iam", "Action=TagUser&UserName=u&Tags.member.2.Value=v2&Tags.member.1.Key=k1"
	                     "&Tags.member.2.Key=k2&Tags.member.1.Value=v1&Unknown.Thing=1&Other=2") == 0);
	CHECK_STR(dump(), "{\"Tags\":[{\"Key\":\"k1\",\"Value\":\"v1\"},{\"Key\":\"k2\",\"Value\":\"v2\"}],"
	                  "\"UserName\":\"u\"}");
}

void test_aws_query_in__empty_list(void)
{
	/* botocore sends an empty list as "Name=" */
	REQUIRE(parse("iam", "Action=CreateUser&UserName=u&Tags=") == 0);
	CHECK_STR(dump(), "{\"Tags\":[],\"UserName\":\"u\"}");
}

void test_aws_query_in__sts_assume_role(void)
{
	REQUIRE(parse("sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr"
	                     "&RoleSessionName=s1&DurationSeconds=3600"
	                     "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA"
	                     "&TransitiveTagKeys.member.1=k") == 0);
	CHECK_STR(dump(), "{\"DurationSeconds\":3600,\"PolicyArns\":[{\"arn\":\"arn:aws:iam::aws:policy/A\"}],"
	                  "\"RoleArn\":\"arn:aws:iam::123456789012:role/r\",\"RoleSessionName\":\"s1\","
	                  "\"TransitiveTagKeys\":[\"k\"]}");
}

void test_aws_query_in__scalar_types(void)
{
	/* boolean, and an integer with its range */
	REQUIRE(parse("iam", "Action=UpdateAccountPasswordPolicy&RequireSymbols=true&AllowUsersToChangePassword=FALSE"
	                     "&MinimumPasswordLength=12") == 0);
	CHECK_STR(dump(), "{\"AllowUsersToChangePassword\":false,\"MinimumPasswordLength\":12,"
	                  "\"RequireSymbols\":true}");
	CHECK(parse("iam", "Action=UpdateAccountPasswordPolicy&RequireSymbols=yes") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "ValidationError");
	CHECK(parse("iam", "Action=ListUsers&MaxItems=ten") == CC_EINVAL);
	CHECK(parse("iam", "Action=ListUsers&MaxItems=99999999999") == CC_EINVAL);
}

void test_aws_query_in__map(void)
{
	/* no IAM/STS input has a map; the shapes of CodeCommit's TagResource do */
	REQUIRE(parse("codecommit", "Action=TagResource&resourceArn=arn%3Ax%3Ay%3Az"
	                            "&tags.entry.2.key=b&tags.entry.2.value=2"
	                            "&tags.entry.1.key=a&tags.entry.1.value=1") == 0);
	CHECK_STR(dump(), "{\"resourceArn\":\"arn:x:y:z\",\"tags\":{\"a\":\"1\",\"b\":\"2\"}}");
	CHECK(parse("codecommit", "Action=TagResource&resourceArn=a&tags.entry.1.key=a") == CC_EINVAL);
	CHECK(parse("codecommit", "Action=TagResource&resourceArn=a&tags.entry.1.key=a&tags.entry.1.value=1"
	                          "&tags.entry.2.key=a&tags.entry.2.value=2") == CC_EINVAL);
	CHECK(parse("codecommit", "Action=TagResource&resourceArn=a&tags.entry.2.key=a"
	                          "&tags.entry.2.value=2") == CC_EINVAL);
}

void test_aws_query_in__validation_pattern(void)
{
	CHECK(parse("iam", "Action=CreateUser&UserName=a+b") == CC_EINVAL);
	CHECK_INT(perr.code, CC_EINVAL);
	CHECK_STR(perr.aws_code, "ValidationError");
	CHECK_STR(perr.msg, "1 validation error detected: Value 'a b' at 'userName' failed to satisfy "
	                    "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
	CHECK(parsed == NULL);
}

void test_aws_query_in__validation_missing(void)
{
	CHECK(parse("iam", "Action=CreateUser&Version=2010-05-08") == CC_EINVAL);
	CHECK_STR(perr.msg, "1 validation error detected: Value null at 'userName' failed to satisfy "
	                    "constraint: Member must not be null");
	CHECK(parse("iam", "Action=AttachUserPolicy") == CC_EINVAL);
	CHECK_STR(perr.msg, "2 validation errors detected: Value null at 'userName' failed to satisfy "
	                    "constraint: Member must not be null; Value null at 'policyArn' failed to "
	                    "satisfy constraint: Member must not be null");
}

void test_aws_query_in__validation_empty_and_long(void)
{
	char body[256];

	CHECK(parse("iam", "Action=CreateUser&UserName=") == CC_EINVAL);
	CHECK_STR(perr.msg, "2 validation errors detected: Value '' at 'userName' failed to satisfy "
	                    "constraint: Member must have length greater than or equal to 1; Value '' at "
	                    "'userName' failed to satisfy constraint: Member must satisfy regular "
	                    "expression pattern: [\\w+=,.@-]+");
	snprintf(body, sizeof body, "Action=CreateUser&UserName=%065d", 7);
	CHECK(parse("iam", body) == CC_EINVAL);
	CHECK(strstr(perr.msg, "Member must have length less than or equal to 64") != NULL);
	snprintf(body, sizeof body, "Action=CreateUser&UserName=%064d", 7);
	CHECK(parse("iam", body) == 0);
}

void test_aws_query_in__validation_nested_and_range(void)
{
	CHECK(parse("iam", "Action=ListUsers&MaxItems=0") == CC_EINVAL);
	CHECK_STR(perr.msg, "1 validation error detected: Value '0' at 'maxItems' failed to satisfy "
	                    "constraint: Member must have value greater than or equal to 1");
	CHECK(parse("iam", "Action=ListUsers&MaxItems=1001") == CC_EINVAL);
	CHECK(strstr(perr.msg, "less than or equal to 1000") != NULL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1.Key=a%21&Tags.member.1.Value=v") == CC_EINVAL);
	CHECK_STR(perr.msg, "1 validation error detected: Value 'a!' at 'tags.1.member.key' failed to "
	                    "satisfy constraint: Member must satisfy regular expression pattern: "
	                    "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1.Key=a") == CC_EINVAL);
	CHECK_STR(perr.msg, "1 validation error detected: Value null at 'tags.1.member.value' failed to "
	                    "satisfy constraint: Member must not be null");
}

void test_aws_query_in__code_points(void)
{
	/* lengths count code points: 1000 x U+00E9 fits a 1000-character description */
	size_t n = 1000, i;
	struct buf b = BUF_INIT(0);

	buf_puts(&b, "Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Description=");
	for (i = 0; i < n; i++)
		buf_puts(&b, "%C3%A9");
	REQUIRE(!buf_failed(&b));
	CHECK(parse("iam", buf_cstr(&b)) == 0);
	buf_puts(&b, "%C3%A9");
	CHECK(parse("iam", buf_cstr(&b)) == CC_EINVAL);
	CHECK(strstr(perr.msg, "Member must have length less than or equal to 1000") != NULL);
	buf_release(&b);
	/* a tag key of non-ASCII letters passes \p{L} */
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1.Key=%C3%A9t%C3%A9&Tags.member.1.Value=v") == 0);
}

void test_aws_query_in__sensitive_not_echoed(void)
{
	CHECK(parse("iam", "Action=CreateLoginProfile&UserName=u&Password=") == CC_EINVAL);
	CHECK(strstr(perr.msg, "Value at 'password'") != NULL);
}

void test_aws_query_in__action_errors(void)
{
	CHECK(parse("iam", "UserName=x") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MissingAction");
	CHECK(parse("iam", "Action=DoThings") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "InvalidAction");
	CHECK(parse("iam", "Action=CreateUser&Action=DeleteUser&UserName=x") == CC_EINVAL);
	CHECK(parse("iam", "") == CC_EINVAL);
	CHECK(parse("iam", "&&&=&Action=GetAccountSummary&&") == 0);
	CHECK_STR(dump(), "{}");
}

void test_aws_query_in__bad_escapes(void)
{
	CHECK(parse("iam", "Action=CreateUser&UserName=%zz") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MalformedQueryString");
	CHECK(parse("iam", "Action=CreateUser&UserName=ab%4") == CC_EINVAL);
	CHECK(parse("iam", "Action=CreateUser&UserName=ab%") == CC_EINVAL);
	CHECK(parse("iam", "Action%=CreateUser") == CC_EINVAL);
}

void test_aws_query_in__invalid_utf8(void)
{
	CHECK(parse("iam", "Action=CreateUser&UserName=%C3%28") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MalformedQueryString");
	CHECK(parse("iam", "Action=CreateUser&UserName=a%00b") == CC_EINVAL);
	CHECK(parse("iam", "Action=CreateUser&UserName=%ED%A0%80") == CC_EINVAL);
	CHECK(parse("iam", "Action=CreateUser&UserName=x&Ign%FFored=1") == CC_EINVAL);
	CHECK(parse("iam", "Action=CreateUser&UserName=\xff") == CC_EINVAL);
}

void test_aws_query_in__too_many_params(void)
{
	struct buf b = BUF_INIT(0);
	int i;

	buf_puts(&b, "Action=ListUsers");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "&P%d=x", i);
	REQUIRE(!buf_failed(&b));
	CHECK(parse("iam", buf_cstr(&b)) == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MalformedQueryString");
	buf_clear(&b);
	buf_puts(&b, "Action=ListUsers");
	for (i = 0; i < 999; i++)
		buf_printf(&b, "&P%d=x", i);
	CHECK(parse("iam", buf_cstr(&b)) == 0);
	buf_release(&b);
}

void test_aws_query_in__list_gaps_and_indices(void)
{
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1.Key=a&Tags.member.1.Value=b"
	                   "&Tags.member.3.Key=c&Tags.member.3.Value=d") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MalformedQueryString");
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.0.Key=a&Tags.member.0.Value=b") == CC_EINVAL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1001.Key=a") == CC_EINVAL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.99999999999999999999999.Key=a") == CC_EINVAL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.-1.Key=a") == CC_EINVAL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.x.Key=a") == CC_EINVAL);
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member..Key=a") == CC_EINVAL);
	/* "01" and "1" are the same entry: a duplicate */
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1.Key=a&Tags.member.01.Key=b") == CC_EINVAL);
	/* the largest index, alone, is a gap */
	CHECK(parse("iam", "Action=TagUser&UserName=u&Tags.member.1000.Key=a&Tags.member.1000.Value=b") == CC_EINVAL);
	/* a list past its max length */
	{
		struct buf b = BUF_INIT(0);

		buf_puts(&b, "Action=TagUser&UserName=u");
		for (int i = 1; i <= 51; i++)
			buf_printf(&b, "&Tags.member.%d.Key=k%d&Tags.member.%d.Value=v", i, i, i);
		CHECK(parse("iam", buf_cstr(&b)) == CC_EINVAL);
		CHECK(strstr(perr.msg, "at 'tags' failed to satisfy constraint: Member must have length "
		                       "less than or equal to 50") != NULL);
		buf_release(&b);
	}
}

void test_aws_query_in__names(void)
{
	struct buf b = BUF_INIT(0);

	buf_puts(&b, "Action=ListUsers&");
	for (int i = 0; i < 300; i++)
		buf_putc(&b, 'A');
	buf_puts(&b, "=1");
	CHECK(parse("iam", buf_cstr(&b)) == CC_EINVAL);
	buf_clear(&b);
	/* deep dotted names that match nothing are ignored */
	buf_puts(&b, "Action=ListUsers&");
	for (int i = 0; i < 120; i++)
		buf_puts(&b, "a.");
	buf_puts(&b, "=1&UserName.x.y=2&Marker.member.1=3&PathPrefix=%2F");
	CHECK(parse("iam", buf_cstr(&b)) == 0);
	CHECK_STR(dump(), "{\"PathPrefix\":\"/\"}");
	buf_release(&b);
	CHECK(parse("iam", "Action=CreateUser&UserName=a&UserName=b") == CC_EINVAL);
	CHECK_STR(perr.aws_code, "MalformedQueryString");
	json_decref(parsed);
	parsed = NULL;
}

void test_aws_query_in__action_only(void)
{
	char action[64], version[16];

	CHECK(aws_query_action(action, sizeof action, version, sizeof version,
	                       "X=1&Version=2011-06-15&Action=GetCallerIdentity", 47) == 0);
	CHECK_STR(action, "GetCallerIdentity");
	CHECK_STR(version, "2011-06-15");
	CHECK(aws_query_action(action, sizeof action, version, sizeof version, "X=1", 3) == 0);
	CHECK_STR(action, "");
	CHECK_STR(version, "");
	CHECK(aws_query_action(action, 4, version, sizeof version, "Action=ListUsers", 16) == CC_EINVAL);
	CHECK(aws_query_action(action, sizeof action, version, sizeof version, "Action=%G0", 10) == CC_EINVAL);
	/* the span is authoritative: no NUL needed */
	CHECK(aws_query_action(action, sizeof action, version, sizeof version, "Action=ListUsersXYZ", 16) == 0);
	CHECK_STR(action, "ListUsers");
}
