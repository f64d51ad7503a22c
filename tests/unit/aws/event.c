/* tests of src/aws/event.c: CloudTrail records as text, and secrets kept out of them */
#include <string.h>

#include "aws/aws.h"
#include "audit/audit.h"
#include "unit.h"

/* the record of ev, parsed back */
static json_t *record(const struct aws_event *ev, struct audit_entry *h, struct buf *text)
{
	json_error_t je;

	buf_clear(text);
	CHECK(aws_event_text(text, h, ev) == 0);
	return json_loads(buf_cstr(text), 0, &je);
}

static const char *at(json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	if (b)
		o = json_object_get(o, b);
	if (c)
		o = json_object_get(o, c);
	return json_string_value(o);
}

void test_aws_event__secrets_hidden_at_any_depth(void)
{
	json_t *in = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:s, s:s, s:s}", "UserName",
			       "Sonali", "AccessKey", "AccessKeyId", "AKIAEXAMPLE", "SecretAccessKey",
			       "wJalrXUtnFEMI", "Status", "Active", "Credentials", "SessionToken",
			       "CDT1secret", "NewPassword", "hunter2", "TokenCode", "123456", "Quote",
			       "a\"b\\c\n");
	struct aws_event ev = {.service = "iam", .name = "CreateAccessKey", .region = "us-east-1",
			       .time = 1700000000, .request = in, .response = in};
	struct audit_entry h;
	struct buf text = BUF_INIT(0);
	json_t *r = record(&ev, &h, &text);

	CHECK(r != NULL); /* valid JSON, escapes included */
	CHECK(strstr(buf_cstr(&text), "wJalrXUtnFEMI") == NULL);
	CHECK(strstr(buf_cstr(&text), "CDT1secret") == NULL);
	CHECK(strstr(buf_cstr(&text), "hunter2") == NULL);
	CHECK(strstr(buf_cstr(&text), "123456") == NULL);
	/* CloudTrail's names: lowerCamelCase; what is not secret stays */
	CHECK_STR(at(r, "requestParameters", "userName", NULL), "Sonali");
	CHECK_STR(at(r, "requestParameters", "quote", NULL), "a\"b\\c\n");
	CHECK_STR(at(r, "responseElements", "accessKey", "accessKeyId"), "AKIAEXAMPLE");
	CHECK_STR(at(r, "responseElements", "accessKey", "secretAccessKey"),
		  "HIDDEN_DUE_TO_SECURITY_REASONS");
	json_decref(r);
	json_decref(in);
	buf_release(&text);
}

void test_aws_event__long_strings_cut(void)
{
	char big[12000];
	json_t *in, *r;
	struct aws_event ev = {.service = "codecommit", .name = "PutFile", .region = "us-east-1"};
	struct audit_entry h;
	struct buf text = BUF_INIT(0);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	in = json_pack("{s:s}", "fileContent", big);
	ev.request = in;
	r = record(&ev, &h, &text);
	CHECK(strlen(at(r, "requestParameters", "fileContent", NULL)) < 100);
	json_decref(r);
	json_decref(in);
	buf_release(&text);
}

void test_aws_event__record_shape_and_index(void)
{
	struct principal p = {.kind = PRINCIPAL_ASSUMED_ROLE, .temporary = true, .mfa = true};
	struct session s;
	struct aws_event ev = {0};
	struct audit_entry h;
	struct buf text = BUF_INIT(0);
	json_t *r;

	memset(&s, 0, sizeof(s));
	strcpy(p.account, "123456789012");
	strcpy(p.arn, "arn:aws:sts::123456789012:assumed-role/Deploy/ci");
	strcpy(p.principal_id, "AROAEXAMPLE:ci");
	strcpy(p.user_id, "AROAEXAMPLE");
	strcpy(p.access_key_id, "ASIAEXAMPLE");
	strcpy(s.role_arn, "arn:aws:iam::123456789012:role/Deploy");
	strcpy(s.source_identity, "sonali");
	ev.service = "codecommit";
	ev.name = "GetRepository";
	ev.region = "us-east-1";
	ev.time = 1700000000;
	ev.who = &p;
	ev.session = &s;
	ev.account = p.account;
	ev.resource = "arn:aws:codecommit:us-east-1:123456789012:MyDemoRepo";
	ev.read_only = aws_event_read_only("codecommit", "GetRepository");
	ev.error_code = "AccessDeniedException";
	ev.error_message = "no";
	r = record(&ev, &h, &text);
	CHECK(r != NULL);
	CHECK_STR(at(r, "eventSource", NULL, NULL), "codecommit.amazonaws.com");
	CHECK_STR(at(r, "eventTime", NULL, NULL), "2023-11-14T22:13:20Z");
	CHECK(json_is_true(json_object_get(r, "readOnly")));
	CHECK_STR(at(r, "errorCode", NULL, NULL), "AccessDeniedException");
	CHECK(strlen(at(r, "eventID", NULL, NULL)) == 36);
	CHECK_STR(at(r, "userIdentity", "type", NULL), "AssumedRole");
	CHECK_STR(at(json_object_get(r, "userIdentity"), "sessionContext", "sessionIssuer",
		     "userName"), "Deploy");
	CHECK_STR(at(json_object_get(r, "userIdentity"), "sessionContext", "attributes",
		     "mfaAuthenticated"), "true");
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(json_object_get(r, "resources"), 0), "type")),
		  "AWS::CodeCommit::Repository");
	/* the index the trail keeps beside the text */
	CHECK_STR(h.event_id, at(r, "eventID", NULL, NULL));
	CHECK_STR(h.user, "Deploy");
	CHECK_STR(h.access_key_id, "ASIAEXAMPLE");
	CHECK_STR(h.resource_type, "AWS::CodeCommit::Repository");
	CHECK(h.read_only);
	CHECK(!aws_event_read_only("iam", "CreateUser"));
	CHECK(aws_event_read_only("sts", "AssumeRole"));
	json_decref(r);
	buf_release(&text);
}
