/* tests of src/aws/event.c: CloudTrail records, and secrets kept out of them */
#include <string.h>

#include "aws/aws.h"
#include "unit.h"

void test_aws_event__secrets_hidden_at_any_depth(void)
{
	json_t *in = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:s, s:s}", "UserName", "Sonali",
			       "AccessKey", "AccessKeyId", "AKIAEXAMPLE", "SecretAccessKey",
			       "wJalrXUtnFEMI", "Status", "Active", "Credentials",
			       "SessionToken", "CDT1secret", "NewPassword", "hunter2", "TokenCode",
			       "123456");
	json_t *out = aws_event_params(in);
	char *text = json_dumps(out, JSON_COMPACT);

	CHECK(text != NULL);
	CHECK(strstr(text, "wJalrXUtnFEMI") == NULL);
	CHECK(strstr(text, "CDT1secret") == NULL);
	CHECK(strstr(text, "hunter2") == NULL);
	CHECK(strstr(text, "123456") == NULL);
	/* CloudTrail's names: lowerCamelCase; what is not secret stays */
	CHECK(strcmp(json_string_value(json_object_get(out, "userName")), "Sonali") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(out, "accessKey"),
						       "accessKeyId")),
		     "AKIAEXAMPLE") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(out, "accessKey"),
						       "secretAccessKey")),
		     "HIDDEN_DUE_TO_SECURITY_REASONS") == 0);
	free(text);
	json_decref(in);
	json_decref(out);
}

void test_aws_event__long_strings_cut(void)
{
	char big[12000];
	json_t *in, *out;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	in = json_pack("{s:s}", "fileContent", big);
	out = aws_event_params(in);
	CHECK(json_string_length(json_object_get(out, "fileContent")) < 100);
	json_decref(in);
	json_decref(out);
}

void test_aws_event__record_shape(void)
{
	struct principal p = {.kind = PRINCIPAL_ASSUMED_ROLE, .temporary = true, .mfa = true};
	struct session s;
	struct aws_event ev = {0};
	json_t *r, *id;

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
	r = aws_event_record(&ev);
	CHECK(r != NULL);
	CHECK(strcmp(json_string_value(json_object_get(r, "eventSource")),
		     "codecommit.amazonaws.com") == 0);
	CHECK(strcmp(json_string_value(json_object_get(r, "eventTime")), "2023-11-14T22:13:20Z") == 0);
	CHECK(json_is_true(json_object_get(r, "readOnly")));
	CHECK(strcmp(json_string_value(json_object_get(r, "errorCode")), "AccessDeniedException") == 0);
	CHECK(strlen(json_string_value(json_object_get(r, "eventID"))) == 36);
	id = json_object_get(r, "userIdentity");
	CHECK(strcmp(json_string_value(json_object_get(id, "type")), "AssumedRole") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(json_object_get(
			     id, "sessionContext"), "sessionIssuer"), "userName")),
		     "Deploy") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(json_object_get(
			     id, "sessionContext"), "attributes"), "mfaAuthenticated")),
		     "true") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(r, "resources"),
								      0), "type")),
		     "AWS::CodeCommit::Repository") == 0);
	CHECK(!aws_event_read_only("iam", "CreateUser"));
	CHECK(aws_event_read_only("sts", "AssumeRole"));
	json_decref(r);
}
