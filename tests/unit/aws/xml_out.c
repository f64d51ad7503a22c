/*
 * tests/unit/aws/xml_out.c - query-protocol XML documents: ListUsers with
 * two users and paging, operations without output, maps, timestamps,
 * escaping of hostile text and <ErrorResponse>.  botocore_roundtrip.py
 * checks that botocore parses these shapes back.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "unit.h"

static const struct aws_op *iam_op(const char *name)
{
	return aws_model_op(aws_model_service("iam"), name, strlen(name));
}

void test_aws_xml_out__list_users(void)
{
	const struct aws_service *iam = aws_model_service("iam");
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	const char *want;
	json_error_t je;
	json_t *res = json_loads(
		"{\"Users\":[{\"Path\":\"/\",\"UserName\":\"alice\",\"UserId\":\"AIDA1\","
		"\"Arn\":\"arn:aws:iam::123456789012:user/alice\",\"CreateDate\":1704164645},"
		"{\"Path\":\"/ops/\",\"UserName\":\"bob\",\"UserId\":\"AIDA2\","
		"\"Arn\":\"arn:aws:iam::123456789012:user/ops/bob\",\"CreateDate\":1704164645.5,"
		"\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}],\"NotInShape\":1}],"
		"\"IsTruncated\":true,\"Marker\":\"m1\"}", 0, &je);

	REQUIRE(res != NULL);
	REQUIRE(aws_xml_response(&b, iam, iam_op("ListUsers"), res, "req-1", &e) == 0);
	want = "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
		"  <ListUsersResult><Users><member><Path>/</Path><UserName>alice</UserName>"
		"<UserId>AIDA1</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
		"<CreateDate>2024-01-02T03:04:05Z</CreateDate></member>"
		"<member><Path>/ops/</Path><UserName>bob</UserName><UserId>AIDA2</UserId>"
		"<Arn>arn:aws:iam::123456789012:user/ops/bob</Arn>"
		"<CreateDate>2024-01-02T03:04:05.500Z</CreateDate>"
		"<Tags><member><Key>k</Key><Value>v</Value></member></Tags></member></Users>"
		"<IsTruncated>true</IsTruncated><Marker>m1</Marker></ListUsersResult>\n"
		"  <ResponseMetadata>\n    <RequestId>req-1</RequestId>\n  </ResponseMetadata>\n"
		"</ListUsersResponse>\n";
	CHECK(strcmp(buf_cstr(&b), want) == 0);
	if (strcmp(buf_cstr(&b), want) != 0)
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", buf_cstr(&b), want);
	json_decref(res);
	buf_release(&b);
}

void test_aws_xml_out__no_output(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;

	REQUIRE(aws_xml_response(&b, aws_model_service("iam"), iam_op("DeleteUser"), NULL, "r2", &e) == 0);
	CHECK_STR(buf_cstr(&b),
		"<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
		"  <ResponseMetadata>\n    <RequestId>r2</RequestId>\n  </ResponseMetadata>\n"
		"</DeleteUserResponse>\n");
	buf_release(&b);
}

void test_aws_xml_out__map(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	json_t *res = json_pack("{s:{s:i}}", "SummaryMap", "Users", 3);

	REQUIRE(aws_xml_response(&b, aws_model_service("iam"), iam_op("GetAccountSummary"), res,
	                         "r", &e) == 0);
	CHECK(strstr(buf_cstr(&b), "<GetAccountSummaryResult><SummaryMap><entry><key>Users</key>"
	                           "<value>3</value></entry></SummaryMap></GetAccountSummaryResult>") != NULL);
	json_decref(res);
	buf_release(&b);
}

void test_aws_xml_out__sts_credentials(void)
{
	const struct aws_service *sts = aws_model_service("sts");
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	json_t *res = json_pack("{s:{s:s,s:s,s:s,s:I},s:{s:s,s:s},s:i}",
		"Credentials", "AccessKeyId", "ASIAX", "SecretAccessKey", "s/k+", "SessionToken", "tok",
		"Expiration", (json_int_t)1704164645,
		"AssumedRoleUser", "AssumedRoleId", "AROA:s", "Arn", "arn:aws:sts::1:assumed-role/r/s",
		"PackedPolicySize", 6);

	REQUIRE(aws_xml_response(&b, sts, aws_model_op(sts, "AssumeRole", 10), res, "r", &e) == 0);
	CHECK(strstr(buf_cstr(&b), "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	                           "  <AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
	                           "<SecretAccessKey>s/k+</SecretAccessKey><SessionToken>tok</SessionToken>"
	                           "<Expiration>2024-01-02T03:04:05Z</Expiration></Credentials>") != NULL);
	CHECK(strstr(buf_cstr(&b), "<PackedPolicySize>6</PackedPolicySize>") != NULL);
	json_decref(res);
	buf_release(&b);
}

void test_aws_xml_out__escaping(void)
{
	struct buf b = BUF_INIT(0);

	aws_xml_text(&b, "a<b>&\"c'\t\n\r", 11);
	CHECK_STR(buf_cstr(&b), "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;&#13;");
	buf_clear(&b);
	/* control characters and bad UTF-8 cannot be in XML 1.0: U+FFFD */
	aws_xml_text(&b, "x\x01y\xffz\xc3", 6);
	CHECK_STR(buf_cstr(&b), "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbd");
	buf_clear(&b);
	aws_xml_text(&b, "\xc3\xa9\xef\xbf\xbe", 5);
	CHECK_STR(buf_cstr(&b), "\xc3\xa9\xef\xbf\xbd");
	buf_clear(&b);
	aws_xml_text(&b, "a\0b", 3);
	CHECK_STR(buf_cstr(&b), "a\xef\xbf\xbd" "b");
	buf_release(&b);
}

void test_aws_xml_out__escaped_values(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	json_t *res = json_pack("{s:{s:s,s:s,s:s,s:s,s:i}}", "User", "Path", "/",
	                        "UserName", "<x>&</x>", "UserId", "A", "Arn", "arn", "CreateDate", 0);

	REQUIRE(aws_xml_response(&b, aws_model_service("iam"), iam_op("GetUser"), res, "<id>", &e) == 0);
	CHECK(strstr(buf_cstr(&b), "<UserName>&lt;x&gt;&amp;&lt;/x&gt;</UserName>") != NULL);
	CHECK(strstr(buf_cstr(&b), "<CreateDate>1970-01-01T00:00:00Z</CreateDate>") != NULL);
	CHECK(strstr(buf_cstr(&b), "<RequestId>&lt;id&gt;</RequestId>") != NULL);
	json_decref(res);
	buf_release(&b);
}

void test_aws_xml_out__shape_mismatch(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	json_t *res = json_pack("{s:s}", "Users", "not a list");

	CHECK(aws_xml_response(&b, aws_model_service("iam"), iam_op("ListUsers"), res, "r", &e) == CC_ERROR);
	CHECK_INT(e.code, CC_ERROR);
	json_decref(res);
	buf_release(&b);
}

void test_aws_xml_out__error(void)
{
	struct buf b = BUF_INIT(0);

	REQUIRE(aws_xml_error(&b, aws_model_service("iam"), "Sender", "NoSuchEntity",
	                      "The user with name <x> cannot be found.", "r3") == 0);
	CHECK_STR(buf_cstr(&b),
		"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
		"  <Error>\n    <Type>Sender</Type>\n    <Code>NoSuchEntity</Code>\n"
		"    <Message>The user with name &lt;x&gt; cannot be found.</Message>\n  </Error>\n"
		"  <RequestId>r3</RequestId>\n</ErrorResponse>\n");
	buf_clear(&b);
	REQUIRE(aws_xml_error(&b, NULL, NULL, NULL, NULL, NULL) == 0);
	CHECK(strstr(buf_cstr(&b), "<ErrorResponse>\n") == buf_cstr(&b));
	buf_release(&b);
}

void test_aws_xml_out__ceiling(void)
{
	struct buf b = BUF_INIT(64);
	struct err e = ERR_INIT;

	CHECK(aws_xml_response(&b, aws_model_service("iam"), iam_op("DeleteUser"), NULL, "r", &e) == CC_ELIMIT);
	buf_release(&b);
}
