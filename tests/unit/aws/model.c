/*
 * tests/unit/aws/model.c - the generated botocore tables and their lookups:
 * services, operation order and search, error shapes, compiled patterns and
 * the internal consistency of every index in model_gen.c.
 */
#include <string.h>

#include "aws/model.h"
#include "unit.h"

void test_aws_model__services(void)
{
	const struct aws_service *iam = aws_model_service("iam");
	const struct aws_service *cc = aws_model_service("codecommit");

	REQUIRE(iam != NULL && cc != NULL);
	CHECK(aws_model_service("sts") != NULL);
	CHECK(aws_model_service("cloudtrail") != NULL);
	CHECK(aws_model_service("s3") == NULL);
	CHECK_STR(iam->api_version, "2010-05-08");
	CHECK_INT(iam->protocol, AWS_PROTO_QUERY);
	CHECK_STR(iam->xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
	CHECK_INT(cc->protocol, AWS_PROTO_JSON);
	CHECK_STR(cc->target_prefix, "CodeCommit_20150413");
	CHECK_STR(cc->json_version, "1.1");
}

void test_aws_model__op_lookup(void)
{
	const struct aws_service *iam = aws_model_service("iam"), *svc = NULL;
	const struct aws_op *op;

	REQUIRE(iam != NULL);
	op = aws_model_op(iam, "CreateUser", 10);
	REQUIRE(op != NULL);
	CHECK_STR(op->name, "CreateUser");
	CHECK_STR(op->result_wrapper, "CreateUserResult");
	CHECK_STR(aws_shapes[op->input].name, "CreateUserRequest");
	CHECK_STR(aws_shapes[op->output].name, "CreateUserResponse");
	CHECK(aws_model_op(iam, "CreateUserX", 11) == NULL);
	CHECK(aws_model_op(iam, "CreateUse", 9) == NULL);
	CHECK(aws_model_op(iam, "createuser", 10) == NULL);
	CHECK(aws_model_op(iam, "CreateUserAndMore", 10) != NULL); /* length bounds it */
	op = aws_model_op(iam, "DeleteUser", 10);
	REQUIRE(op != NULL);
	CHECK_INT(op->output, -1);

	op = aws_model_op_for_action("GetCallerIdentity", 17, &svc);
	REQUIRE(op != NULL && svc != NULL);
	CHECK_STR(svc->name, "sts");
	op = aws_model_op_for_action("ListUsers", 9, &svc);
	REQUIRE(op != NULL);
	CHECK_STR(svc->name, "iam");
	CHECK(aws_model_op_for_action("GetRepository", 13, &svc) == NULL);
}

void test_aws_model__ops_sorted_and_complete(void)
{
	for (size_t s = 0; s < aws_nservices; s++) {
		const struct aws_service *svc = &aws_services[s];

		CHECK(svc->nops > 0);
		if (s > 0)
			CHECK(strcmp(aws_services[s - 1].name, svc->name) < 0);
		for (size_t i = 0; i < svc->nops; i++) {
			const struct aws_op *op = &svc->ops[i];

			if (i > 0)
				CHECK(strcmp(svc->ops[i - 1].name, op->name) < 0);
			CHECK(aws_model_op(svc, op->name, strlen(op->name)) == op);
			CHECK(op->input < 0 || (op->input >= svc->shapes &&
			                        op->input < svc->shapes + svc->nshapes));
			CHECK(op->output < 0 || (op->output >= svc->shapes &&
			                         op->output < svc->shapes + svc->nshapes));
			if (svc->protocol == AWS_PROTO_QUERY && op->output >= 0)
				CHECK(op->result_wrapper != NULL);
		}
		for (size_t i = 1; i < svc->nerrors; i++)
			CHECK(strcmp(svc->errors[i - 1].code, svc->errors[i].code) < 0);
	}
}

void test_aws_model__shapes_consistent(void)
{
	const struct aws_service *last = &aws_services[aws_nservices - 1];
	size_t nshapes = 0;

	for (size_t s = 0; s < aws_nservices; s++)
		if (aws_services[s].shapes + aws_services[s].nshapes > nshapes)
			nshapes = aws_services[s].shapes + aws_services[s].nshapes;
	CHECK(nshapes > 1000);
	(void)last;
	for (size_t i = 0; i < nshapes; i++) {
		const struct aws_shape *sh = &aws_shapes[i];

		CHECK(sh->name != NULL);
		CHECK(sh->type <= AWS_T_FLOAT);
		if (sh->type == AWS_T_LIST)
			CHECK_INT(sh->nmembers, 1);
		if (sh->type == AWS_T_MAP)
			CHECK_INT(sh->nmembers, 2);
		for (size_t m = 0; m < sh->nmembers; m++)
			CHECK(aws_shape_member(sh, m)->shape < nshapes);
		if (sh->flags & AWS_SHAPE_EXCEPTION)
			CHECK(sh->error_code != NULL && sh->http_status >= 400);
	}
}

void test_aws_model__errors(void)
{
	const struct aws_service *iam = aws_model_service("iam");
	const struct aws_service *cc = aws_model_service("codecommit");
	const struct aws_error_shape *er;

	REQUIRE(iam != NULL && cc != NULL);
	er = aws_model_error(iam, "NoSuchEntity");
	REQUIRE(er != NULL);
	CHECK_INT(er->http_status, 404);
	CHECK_INT(er->sender_fault, 1);
	CHECK_STR(aws_shapes[er->shape].name, "NoSuchEntityException");
	er = aws_model_error(iam, "ServiceFailure");
	REQUIRE(er != NULL);
	CHECK_INT(er->http_status, 500);
	CHECK_INT(er->sender_fault, 0);
	er = aws_model_error(iam, "EntityAlreadyExists");
	REQUIRE(er != NULL);
	CHECK_INT(er->http_status, 409);
	CHECK(aws_model_error(iam, "NoSuchEntityException") == NULL);
	er = aws_model_error(cc, "RepositoryDoesNotExistException");
	REQUIRE(er != NULL);
	CHECK_INT(er->http_status, 400);
	CHECK_INT(er->sender_fault, 1);
	er = aws_model_error(cc, "EncryptionIntegrityChecksFailedException");
	REQUIRE(er != NULL);
	CHECK_INT(er->http_status, 500);
	CHECK_INT(er->sender_fault, 0);
}

static const struct aws_shape *shape_named(const char *svc_name, const char *name)
{
	const struct aws_service *svc = aws_model_service(svc_name);

	for (size_t i = svc->shapes; i < (size_t)svc->shapes + svc->nshapes; i++)
		if (strcmp(aws_shapes[i].name, name) == 0)
			return &aws_shapes[i];
	return NULL;
}

void test_aws_model__patterns(void)
{
	const struct aws_shape *un = shape_named("iam", "userNameType");
	const struct aws_shape *path = shape_named("iam", "pathType");
	const struct aws_shape *tk = shape_named("iam", "tagKeyType");
	const struct aws_pattern *p;

	REQUIRE(un != NULL && path != NULL && tk != NULL);
	CHECK_INT(un->min, 1);
	CHECK_INT(un->max, 64);
	REQUIRE(un->pattern >= 0);
	p = &aws_patterns[un->pattern];
	CHECK_STR(p->src, "[\\w+=,.@-]+");
	CHECK_INT(p->checked, 1);
	CHECK_INT(p->min_repeat, 1);
	CHECK_INT(p->high_ok, 0);
	CHECK(p->bits['a' >> 3] & (1 << ('a' & 7)));
	CHECK(p->bits['@' >> 3] & (1 << ('@' & 7)));
	CHECK(!(p->bits[' ' >> 3] & (1 << (' ' & 7))));
	CHECK(!(p->bits['/' >> 3] & (1 << ('/' & 7))));
	/* alternations are beyond the bitmap compiler */
	REQUIRE(path->pattern >= 0);
	CHECK_INT(aws_patterns[path->pattern].checked, 0);
	/* \p{L}: letters, and all of non-ASCII */
	p = &aws_patterns[tk->pattern];
	CHECK_INT(p->checked, 1);
	CHECK_INT(p->high_ok, 1);
	CHECK(p->bits[0xe9 >> 3] & (1 << (0xe9 & 7)));
	CHECK(!(p->bits['!' >> 3] & (1 << ('!' & 7))));
	CHECK(shape_named("codecommit", "SortByEnum")->nenums == 2);
}

void test_aws_model__utf8_next(void)
{
	uint32_t cp = 0;

	CHECK_INT(aws__utf8_next("a", 1, &cp), 1);
	CHECK_INT(cp, 'a');
	CHECK_INT(aws__utf8_next("\xc3\xa9", 2, &cp), 2);
	CHECK_INT(cp, 0xe9);
	CHECK_INT(aws__utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	CHECK_INT(cp, 0x1f600);
	CHECK_INT(aws__utf8_next("\xc3", 1, &cp), 0);      /* truncated */
	CHECK_INT(aws__utf8_next("\xc0\xaf", 2, &cp), 0);  /* overlong */
	CHECK_INT(aws__utf8_next("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
	CHECK_INT(aws__utf8_next("\xff", 1, &cp), 0);
}
