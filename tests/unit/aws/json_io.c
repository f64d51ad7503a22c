/*
 * tests/unit/aws/json_io.c - JSON 1.1 bodies of CodeCommit and CloudTrail:
 * parsing with duplicate keys refused, type errors (SerializationException),
 * constraint errors (ValidationException), normalisation of timestamps and
 * blobs, and output serialisation per the output shape.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "unit.h"

static const struct aws_service *cc(void) { return aws_model_service("codecommit"); }

static const struct aws_op *op_of(const struct aws_service *svc, const char *name)
{
	return aws_model_op(svc, name, strlen(name));
}

/* parses and validates body for svc/op; *out gets the object on success */
static int validate(json_t **out, const struct aws_service *svc, const char *op, const char *body,
                    struct err *e)
{
	json_t *v = NULL;
	int rc;

	*out = NULL;
	err_clear(e);
	if ((rc = aws_json_parse(&v, body, strlen(body), e)) < 0)
		return rc;
	if ((rc = aws_json_validate(v, svc, op_of(svc, op), e)) < 0) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return 0;
}

static int dump_eq(const json_t *v, const char *want)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	int eq = s && strcmp(s, want) == 0;

	if (!eq)
		fprintf(stderr, "  got %s\n  want %s\n", s ? s : "(null)", want);
	free(s);
	return eq;
}

void test_aws_json_io__parse(void)
{
	struct err e = ERR_INIT;
	json_t *v = NULL;

	CHECK(aws_json_parse(&v, "", 0, &e) == 0);
	CHECK(json_is_object(v) && json_object_size(v) == 0);
	json_decref(v);
	CHECK(aws_json_parse(&v, " \n", 2, &e) == 0);
	json_decref(v);
	CHECK(aws_json_parse(&v, "{\"a\":1,\"a\":2}", 13, &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
	CHECK(v == NULL);
	CHECK(aws_json_parse(&v, "[1]", 3, &e) == CC_EINVAL);
	CHECK(aws_json_parse(&v, "{\"a\":", 5, &e) == CC_EINVAL);
	CHECK(aws_json_parse(&v, "{\"a\":\"\xff\"}", 9, &e) == CC_EINVAL);
}

void test_aws_json_io__get_repository(void)
{
	struct err e = ERR_INIT;
	json_t *v;

	REQUIRE(validate(&v, cc(), "GetRepository", "{\"repositoryName\":\"my-repo\",\"extra\":1,"
	                 "\"x\":null}", &e) == 0);
	CHECK(dump_eq(v, "{\"repositoryName\":\"my-repo\"}"));
	json_decref(v);
}

void test_aws_json_io__validation(void)
{
	struct err e = ERR_INIT;
	json_t *v;

	CHECK(validate(&v, cc(), "GetRepository", "{}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "ValidationException");
	CHECK_STR(e.msg, "1 validation error detected: Value null at 'repositoryName' failed to "
	                 "satisfy constraint: Member must not be null");
	CHECK(validate(&v, cc(), "GetRepository", "{\"repositoryName\":null}", &e) == CC_EINVAL);
	CHECK(validate(&v, cc(), "GetRepository", "{\"repositoryName\":\"a b\"}", &e) == CC_EINVAL);
	CHECK_STR(e.msg, "1 validation error detected: Value 'a b' at 'repositoryName' failed to "
	                 "satisfy constraint: Member must satisfy regular expression pattern: [\\w\\.-]+");
	CHECK(validate(&v, cc(), "ListRepositories", "{\"sortBy\":\"size\"}", &e) == CC_EINVAL);
	CHECK_STR(e.msg, "1 validation error detected: Value 'size' at 'sortBy' failed to satisfy "
	                 "constraint: Member must satisfy enum value set: [repositoryName, lastModifiedDate]");
	REQUIRE(validate(&v, cc(), "ListRepositories", "{\"sortBy\":\"repositoryName\"}", &e) == 0);
	json_decref(v);
}

void test_aws_json_io__types(void)
{
	struct err e = ERR_INIT;
	json_t *v;

	CHECK(validate(&v, cc(), "GetRepository", "{\"repositoryName\":5}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
	CHECK(strstr(e.msg, "repositoryName") != NULL);
	CHECK(validate(&v, cc(), "BatchGetRepositories", "{\"repositoryNames\":\"a\"}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
	CHECK(validate(&v, cc(), "BatchGetRepositories", "{\"repositoryNames\":[\"a\",1]}", &e) == CC_EINVAL);
	CHECK(strstr(e.msg, "repositoryNames.2.member") != NULL);
	CHECK(validate(&v, cc(), "BatchGetRepositories", "{\"repositoryNames\":[\"a\",\"b c\"]}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "ValidationException");
	CHECK(strstr(e.msg, "at 'repositoryNames.2.member'") != NULL);
	CHECK(validate(&v, cc(), "TagResource", "{\"resourceArn\":\"a\",\"tags\":[]}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
	CHECK(validate(&v, aws_model_service("cloudtrail"), "LookupEvents", "{\"MaxResults\":1.5}", &e) == CC_EINVAL);
	CHECK(validate(&v, aws_model_service("cloudtrail"), "LookupEvents", "{\"MaxResults\":99999999999}", &e) == CC_EINVAL);
}

void test_aws_json_io__map_constraints(void)
{
	struct err e = ERR_INIT;
	json_t *v;

	REQUIRE(validate(&v, cc(), "TagResource", "{\"resourceArn\":\"a\",\"tags\":{\"k\":\"v\"}}", &e) == 0);
	CHECK(dump_eq(v, "{\"resourceArn\":\"a\",\"tags\":{\"k\":\"v\"}}"));
	json_decref(v);
	CHECK(validate(&v, cc(), "TagResource", "{\"resourceArn\":\"a\",\"tags\":{\"\":\"v\"}}", &e) == CC_EINVAL);
	CHECK_STR(e.msg, "1 validation error detected: Value '' at 'tags' failed to satisfy constraint: "
	                 "Map keys must satisfy constraint: [Member must have length greater than or equal to 1]");
}

void test_aws_json_io__timestamps_and_blobs(void)
{
	const struct aws_service *ct = aws_model_service("cloudtrail");
	struct err e = ERR_INIT;
	json_t *v;

	REQUIRE(validate(&v, ct, "LookupEvents", "{\"StartTime\":\"2024-01-02T03:04:05Z\","
	                 "\"EndTime\":1704164646.5,\"MaxResults\":5}", &e) == 0);
	CHECK(dump_eq(v, "{\"EndTime\":1704164646.5,\"MaxResults\":5,\"StartTime\":1704164645}"));
	json_decref(v);
	CHECK(validate(&v, ct, "LookupEvents", "{\"StartTime\":\"yesterday\"}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
	CHECK(validate(&v, ct, "LookupEvents", "{\"StartTime\":true}", &e) == CC_EINVAL);

	REQUIRE(validate(&v, cc(), "PutFile", "{\"repositoryName\":\"r\",\"branchName\":\"main\","
	                 "\"filePath\":\"a.txt\",\"fileContent\":\"AP9h\"}", &e) == 0);
	{
		json_t *fc = json_object_get(v, "fileContent");

		REQUIRE(json_is_string(fc));
		CHECK_INT(json_string_length(fc), 3);
		CHECK(memcmp(json_string_value(fc), "\x00\xff" "a", 3) == 0);
	}
	json_decref(v);
	CHECK(validate(&v, cc(), "PutFile", "{\"repositoryName\":\"r\",\"branchName\":\"main\","
	               "\"filePath\":\"a.txt\",\"fileContent\":\"!!\"}", &e) == CC_EINVAL);
	CHECK_STR(e.aws_code, "SerializationException");
}

void test_aws_json_io__response(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	json_t *res = json_pack("{s:{s:s,s:s,s:I,s:f,s:s},s:s}", "repositoryMetadata",
	                        "repositoryName", "r", "accountId", "123456789012",
	                        "creationDate", (json_int_t)1704164645, "lastModifiedDate", 1704164645.25,
	                        "secret", "dropped", "alsoDropped", "x");

	REQUIRE(aws_json_response(&b, cc(), op_of(cc(), "GetRepository"), res, &e) == 0);
	CHECK_STR(buf_cstr(&b), "{\"repositoryMetadata\":{\"accountId\":\"123456789012\","
	                        "\"repositoryName\":\"r\",\"lastModifiedDate\":1704164645.25,"
	                        "\"creationDate\":1704164645}}"); /* model order */
	json_decref(res);
	buf_clear(&b);

	res = json_object();
	json_object_set_new(res, "content", json_stringn_nocheck("\x00\xff" "a", 3));
	REQUIRE(aws_json_response(&b, cc(), op_of(cc(), "GetBlob"), res, &e) == 0);
	CHECK_STR(buf_cstr(&b), "{\"content\":\"AP9h\"}");
	json_decref(res);
	buf_clear(&b);

	/* no output shape, or no result: {} */
	REQUIRE(aws_json_response(&b, cc(), op_of(cc(), "DeleteBranch"), NULL, &e) == 0);
	CHECK_STR(buf_cstr(&b), "{}");
	buf_clear(&b);

	res = json_pack("{s:{s:i}}", "repositoryMetadata", "repositoryName", 5);
	CHECK(aws_json_response(&b, cc(), op_of(cc(), "GetRepository"), res, &e) == CC_ERROR);
	json_decref(res);
	buf_release(&b);
}

void test_aws_json_io__error(void)
{
	struct buf b = BUF_INIT(0);

	REQUIRE(aws_json_error(&b, "RepositoryDoesNotExistException", "r \"x\" does not exist") == 0);
	CHECK_STR(buf_cstr(&b), "{\"__type\":\"RepositoryDoesNotExistException\","
	                        "\"message\":\"r \\\"x\\\" does not exist\"}");
	buf_clear(&b);
	REQUIRE(aws_json_error(&b, "X", "bad \xff utf8") == 0);
	CHECK_STR(buf_cstr(&b), "{\"__type\":\"X\",\"message\":\"\"}");
	buf_release(&b);
}
