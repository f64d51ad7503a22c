/*
 * fuzz_query.c - libFuzzer target for the query protocol's input
 * (src/aws/query_in.c): the input is a form body such as
 * "Action=CreateUser&Version=2010-05-08&UserName=bob".  It goes through
 * aws_query_action() and aws_query_parse() for the IAM and STS models; a
 * parsed input is then written back as XML and JSON.
 *
 * Checked beyond "no crash": aws_query_parse() and aws_query_action() agree
 * on Action and Version, and the XML written is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_service(const char *name, const char *body, size_t size, int action_rc,
			const char *action, const char *version)
{
	const struct aws_service *svc = aws_model_service(name);
	struct aws_query_head head;
	struct err e = ERR_INIT;
	json_t *in = NULL;
	const struct aws_op *op;
	struct buf out = BUF_INIT(1 << 20);
	char *dump;

	if (svc == NULL)
		abort();
	if (aws_query_parse(&in, &head, body, size, svc, &e) < 0) {
		if (in != NULL)
			abort(); /* on error *out is NULL */
		return;
	}
	/* whatever parses must also route */
	if (action_rc < 0 || strcmp(head.action, action) != 0 || strcmp(head.version, version) != 0)
		abort();
	if ((op = aws_model_op(svc, head.action, strlen(head.action))) == NULL || !json_is_object(in))
		abort();
	if ((dump = json_dumps(in, JSON_COMPACT)) != NULL)
		free(dump);
	/* the input written as if it were the op's result: members that fit are kept */
	if (aws_xml_response(&out, svc, op, in, "req-1", &e) == 0 && !utf8_valid(out.ptr, out.len))
		abort();
	buf_release(&out);
	out = (struct buf)BUF_INIT(1 << 20);
	(void)aws_json_response(&out, svc, op, in, &e);
	buf_release(&out);
	json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char action[128], version[32];
	char *body;
	int rc;

	/* exactly size bytes: the parsers take (ptr, len) */
	if ((body = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	rc = aws_query_action(action, sizeof action, version, sizeof version, body, size);
	/* small output buffers must fail cleanly, not overflow */
	{
		char a2[4], v2[2];

		(void)aws_query_action(a2, sizeof a2, v2, sizeof v2, body, size);
	}
	one_service("iam", body, size, rc, action, version);
	one_service("sts", body, size, rc, action, version);
	if (rc == 0)
		(void)aws_model_op_for_action(action, strlen(action), NULL);
	free(body);
	return 0;
}
