/*
 * fuzz_json.c - libFuzzer target for JSON 1.1 input and the output writers
 * (src/aws/json_io.c, xml_out.c, model.c).
 *
 * Input: an optional first line "service.Operation" (e.g.
 * "codecommit.CreateRepository") naming the op, then the JSON body.  Without
 * a known op on the first line the whole input is the body and a fixed set of
 * CodeCommit and CloudTrail ops is used.  The body goes through
 * aws_json_parse() and aws_json_validate() (on a copy per op); whatever
 * parses is also written, as if it were a result, with aws_json_response()
 * for those ops and aws_xml_response() for a few IAM/STS ops.
 *
 * Checked beyond "no crash": what aws_json_response() writes parses again
 * with aws_json_parse(), what aws_xml_response() writes is valid UTF-8, and
 * a validated input still validates (normalisation is idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const json_ops[][2] = {
	{"codecommit", "CreateRepository"},
	{"codecommit", "CreatePullRequest"},
	{"codecommit", "PutFile"},
	{"codecommit", "BatchGetRepositories"},
	{"codecommit", "TagResource"},
	{"cloudtrail", "LookupEvents"},
	{"cloudtrail", "PutEventSelectors"},
};

static const char *const xml_ops[][2] = {
	{"iam", "GetUser"},
	{"iam", "ListUsers"},
	{"iam", "GetAccountAuthorizationDetails"},
	{"sts", "AssumeRole"},
};

static const struct aws_op *find_op(const char *svc_name, const char *op_name,
				    const struct aws_service **svc)
{
	*svc = aws_model_service(svc_name);
	if (*svc == NULL)
		abort();
	return aws_model_op(*svc, op_name, strlen(op_name));
}

static void write_json(const struct aws_service *svc, const struct aws_op *op, const json_t *v)
{
	struct buf out = BUF_INIT(4 << 20);
	struct err e = ERR_INIT;
	json_t *back = NULL;

	if (aws_json_response(&out, svc, op, v, &e) == 0) {
		if (aws_json_parse(&back, out.ptr, out.len, &e) < 0)
			abort(); /* we wrote JSON we cannot read */
		json_decref(back);
	}
	buf_release(&out);
}

static void write_xml(const struct aws_service *svc, const struct aws_op *op, const json_t *v)
{
	struct buf out = BUF_INIT(4 << 20);
	struct err e = ERR_INIT;

	if (aws_xml_response(&out, svc, op, v, "00000000-0000-0000-0000-000000000000", &e) == 0 &&
	    !utf8_valid(out.ptr, out.len))
		abort(); /* XML must be UTF-8 without NUL */
	buf_release(&out);
}

static void one_op(const struct aws_service *svc, const struct aws_op *op, const json_t *parsed)
{
	struct err e = ERR_INIT;
	json_t *in = json_deep_copy(parsed);

	if (in == NULL)
		return;
	if (aws_json_validate(in, svc, op, &e) == 0) {
		json_t *again = json_deep_copy(in);
		struct err e2 = ERR_INIT;

		/* timestamps and blobs are normalised already: a second pass agrees */
		if (again && aws_json_validate(again, svc, op, &e2) != 0 &&
		    strcmp(e2.aws_code ? e2.aws_code : "", "SerializationException") != 0)
			abort();
		json_decref(again);
		write_json(svc, op, in);
	}
	json_decref(in);
	write_json(svc, op, parsed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aws_service *svc = NULL;
	const struct aws_op *chosen = NULL;
	const char *p = (const char *)data, *nl, *dot;
	struct err e = ERR_INIT;
	json_t *parsed = NULL;
	char *body;
	size_t off = 0;

	/* an optional "service.Operation\n" line */
	nl = memchr(p, '\n', size < 96 ? size : 96);
	dot = nl ? memchr(p, '.', (size_t)(nl - p)) : NULL;
	if (dot && dot - p < 16) {
		char sname[16];

		memcpy(sname, p, (size_t)(dot - p));
		sname[dot - p] = '\0';
		if ((svc = aws_model_service(sname)) != NULL &&
		    (chosen = aws_model_op(svc, dot + 1, (size_t)(nl - dot - 1))) != NULL)
			off = (size_t)(nl - p) + 1;
	}
	if ((body = malloc(size - off ? size - off : 1)) == NULL)
		return 0;
	memcpy(body, p + off, size - off);
	if (aws_json_parse(&parsed, body, size - off, &e) < 0) {
		free(body);
		return 0;
	}
	if (chosen) {
		one_op(svc, chosen, parsed);
		write_xml(svc, chosen, parsed);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(json_ops); i++) {
			const struct aws_op *op = find_op(json_ops[i][0], json_ops[i][1], &svc);

			if (op)
				one_op(svc, op, parsed);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(xml_ops); i++) {
		const struct aws_op *op = find_op(xml_ops[i][0], xml_ops[i][1], &svc);

		if (op)
			write_xml(svc, op, parsed);
	}
	json_decref(parsed);
	free(body);
	return 0;
}
