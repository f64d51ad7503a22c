/*
 * tests/unit/aws/roundtrip.c - the C half of botocore_roundtrip.py.  When
 * AWS_ROUNDTRIP_DIR is set, every NAME.in.json there ({"service", "op",
 * "kind", "body" | "result" | "error"}) is run through our converters and
 * the outcome written to NAME.out.json for the script to check against
 * botocore.  Without the variable the case does nothing.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "unit.h"

/* runs one case; returns a new {"parsed"|"body"|"error","message"} object */
static json_t *run_case(const json_t *in)
{
	const char *kind = json_string_value(json_object_get(in, "kind"));
	const char *svc_name = json_string_value(json_object_get(in, "service"));
	const char *op_name = json_string_value(json_object_get(in, "op"));
	const json_t *body = json_object_get(in, "body");
	const struct aws_service *svc = svc_name ? aws_model_service(svc_name) : NULL;
	const struct aws_op *op = svc && op_name ? aws_model_op(svc, op_name, strlen(op_name)) : NULL;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT(0);
	json_t *v = NULL, *out = NULL;
	int rc = CC_ERROR;

	if (kind == NULL || svc == NULL)
		return json_pack("{s:s}", "error", "bad case");
	if (strcmp(kind, "query_in") == 0 && json_is_string(body)) {
		struct aws_query_head head;

		rc = aws_query_parse(&v, &head, json_string_value(body), json_string_length(body), svc, &e);
	} else if (strcmp(kind, "json_in") == 0 && json_is_string(body) && op) {
		rc = aws_json_parse(&v, json_string_value(body), json_string_length(body), &e);
		if (rc == 0 && (rc = aws_json_validate(v, svc, op, &e)) < 0) {
			json_decref(v);
			v = NULL;
		}
	} else if (strcmp(kind, "xml_out") == 0 && op) {
		rc = aws_xml_response(&b, svc, op, json_object_get(in, "result"), "rid-1", &e);
	} else if (strcmp(kind, "json_out") == 0 && op) {
		rc = aws_json_response(&b, svc, op, json_object_get(in, "result"), &e);
	} else if (strcmp(kind, "xml_error") == 0) {
		const json_t *er = json_object_get(in, "error");

		rc = aws_xml_error(&b, svc, json_string_value(json_object_get(er, "Type")),
		                   json_string_value(json_object_get(er, "Code")),
		                   json_string_value(json_object_get(er, "Message")), "rid-2");
	} else if (strcmp(kind, "json_error") == 0) {
		const json_t *er = json_object_get(in, "error");

		rc = aws_json_error(&b, json_string_value(json_object_get(er, "Code")),
		                    json_string_value(json_object_get(er, "Message")));
	}
	if (rc < 0)
		out = json_pack("{s:s,s:s}", "error", e.aws_code ? e.aws_code : "CC_ERROR",
		                "message", e.msg);
	else if (v)
		out = json_pack("{s:O}", "parsed", v);
	else
		out = json_pack("{s:s%}", "body", buf_cstr(&b), b.len);
	json_decref(v);
	buf_release(&b);
	return out;
}

void test_aws_roundtrip__fixtures(void)
{
	const char *dir = getenv("AWS_ROUNDTRIP_DIR");
	struct dirent *de;
	DIR *d;
	int cases = 0;

	if (dir == NULL)
		return;
	REQUIRE((d = opendir(dir)) != NULL);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct buf path = BUF_INIT(0);
		json_error_t je;
		json_t *in, *out;

		if (n < 9 || strcmp(de->d_name + n - 8, ".in.json") != 0)
			continue;
		buf_printf(&path, "%s/%s", dir, de->d_name);
		in = json_load_file(buf_cstr(&path), JSON_REJECT_DUPLICATES, &je);
		CHECK(in != NULL);
		out = in ? run_case(in) : NULL;
		CHECK(out != NULL);
		buf_clear(&path);
		buf_printf(&path, "%s/%.*s.out.json", dir, (int)(n - 8), de->d_name);
		CHECK(out == NULL || json_dump_file(out, buf_cstr(&path), JSON_SORT_KEYS) == 0);
		json_decref(in);
		json_decref(out);
		buf_release(&path);
		cases++;
	}
	closedir(d);
	CHECK(cases > 0);
}
