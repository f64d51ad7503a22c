/*
 * event.c - one request as a CloudTrail record, for the audit trail
 * (audit/).  The shape is CloudTrail's (eventVersion 1.09): userIdentity
 * with the session's issuer for role sessions, requestParameters and
 * responseElements with lowerCamelCase names as CloudTrail shows IAM's and
 * STS's, errorCode and errorMessage, resources.
 *
 * Secrets never reach the trail: members that hold one (secret keys,
 * session tokens, passwords, MFA codes and seeds, ID tokens, private keys)
 * are replaced by CloudTrail's own placeholder, whatever their depth, and
 * very long strings (file contents) are cut.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aws.h"

#define HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"
#define STRING_KEPT 10240 /* characters of one string value kept; a policy fits */

static const char *const secret_members[] = {
	"secretAccessKey", "sessionToken", "password", "newPassword", "oldPassword",
	"servicePassword", "webIdentityToken", "tokenCode", "authenticationCode1",
	"authenticationCode2", "base32StringSeed", "qRCodePNG", "privateKey", "sAMLAssertion",
};

static bool is_secret(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(secret_members); i++)
		if (strcasecmp(name, secret_members[i]) == 0)
			return true;
	return false;
}

json_t *aws_event_params(json_t *v)
{
	const char *k;
	json_t *o, *x;
	size_t i;

	if (json_is_object(v)) {
		o = json_object();
		json_object_foreach(v, k, x) {
			char name[128];

			snprintf(name, sizeof(name), "%s", k);
			name[0] = (char)tolower((unsigned char)name[0]);
			json_object_set_new(o, name, is_secret(name) ? json_string(HIDDEN)
								     : aws_event_params(x));
		}
		return o;
	}
	if (json_is_array(v)) {
		o = json_array();
		for (i = 0; i < json_array_size(v); i++)
			json_array_append_new(o, aws_event_params(json_array_get(v, i)));
		return o;
	}
	if (json_is_string(v) && json_string_length(v) > STRING_KEPT) {
		char cut[80];

		snprintf(cut, sizeof(cut), "(%zu characters, not kept)", json_string_length(v));
		return json_string(cut);
	}
	return json_deep_copy(v);
}

static const char *identity_type(const struct principal *p)
{
	switch (p->kind) {
	case PRINCIPAL_ROOT: return "Root";
	case PRINCIPAL_USER: return "IAMUser";
	case PRINCIPAL_ASSUMED_ROLE: return "AssumedRole";
	default: return "FederatedUser";
	}
}

json_t *aws_event_identity(const struct principal *p, const struct session *s)
{
	json_t *id;
	char when[32];

	if (p == NULL || p->arn[0] == '\0')
		return json_pack("{s:s}", "type", "Unknown");
	id = json_pack("{s:s, s:s, s:s, s:s}", "type", identity_type(p), "principalId",
		       p->principal_id, "arn", p->arn, "accountId", p->account);
	if (id == NULL)
		return NULL;
	if (p->access_key_id[0])
		json_object_set_new(id, "accessKeyId", json_string(p->access_key_id));
	if (p->kind == PRINCIPAL_USER)
		json_object_set_new(id, "userName", json_string(p->name));
	if (p->temporary) {
		json_t *ctx = json_object();

		time_iso8601(when, sizeof(when), p->token_issued);
		json_object_set_new(ctx, "attributes",
				    json_pack("{s:s, s:s}", "creationDate", when, "mfaAuthenticated",
					      p->mfa ? "true" : "false"));
		if (s && s->role_arn[0]) {
			const char *name = strrchr(s->role_arn, '/');

			json_object_set_new(ctx, "sessionIssuer",
					    json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Role",
						      "principalId", p->user_id, "arn", s->role_arn,
						      "accountId", p->account, "userName",
						      name ? name + 1 : s->role_arn));
		}
		if (s && s->source_identity[0])
			json_object_set_new(ctx, "sourceIdentity", json_string(s->source_identity));
		json_object_set_new(id, "sessionContext", ctx);
	}
	return id;
}

/* the resource of an ARN, with CloudTrail's type: AWS::IAM::User, ... */
static json_t *resource_of(const char *arn, const char *account)
{
	static const struct {
		const char *kind, *type;
	} iam[] = {
		{"user/", "AWS::IAM::User"},     {"group/", "AWS::IAM::Group"},
		{"role/", "AWS::IAM::Role"},     {"policy/", "AWS::IAM::Policy"},
		{"mfa/", "AWS::IAM::VirtualMFADevice"},
		{"oidc-provider/", "AWS::IAM::OIDCProvider"},
	};
	const char *type = NULL, *rest;

	if (arn == NULL)
		return NULL;
	if (strncmp(arn, "arn:aws:codecommit:", 19) == 0) {
		type = "AWS::CodeCommit::Repository";
	} else if (strncmp(arn, "arn:aws:iam::", 13) == 0 && (rest = strchr(arn + 13, ':'))) {
		for (size_t i = 0; i < ARRAY_SIZE(iam) && type == NULL; i++)
			if (strncmp(rest + 1, iam[i].kind, strlen(iam[i].kind)) == 0)
				type = iam[i].type;
	}
	if (type == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:s}", "ARN", arn, "accountId", account, "type", type);
}

json_t *aws_event_record(const struct aws_event *ev)
{
	char when[32], id[40], source[64];
	json_t *r, *res;

	time_iso8601(when, sizeof(when), ev->time);
	if (uuid_new(id) < 0)
		id[0] = '\0';
	snprintf(source, sizeof(source), "%s.amazonaws.com", ev->service);
	r = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:s, s:s}",
		      "eventVersion", "1.09", "userIdentity",
		      aws_event_identity(ev->who, ev->session), "eventTime", when, "eventSource",
		      source, "eventName", ev->name, "awsRegion", ev->region, "sourceIPAddress",
		      ev->source_ip ? ev->source_ip : "", "userAgent",
		      ev->user_agent ? ev->user_agent : "", "requestID",
		      ev->request_id ? ev->request_id : "", "eventID", id, "readOnly",
		      ev->read_only, "eventType", ev->event_type ? ev->event_type : "AwsApiCall",
		      "managementEvent", 1, "recipientAccountId", ev->account ? ev->account : "",
		      "eventCategory", "Management");
	if (r == NULL)
		return NULL;
	json_object_set_new(r, "requestParameters",
			    ev->request ? aws_event_params(ev->request) : json_null());
	json_object_set_new(r, "responseElements",
			    ev->response ? aws_event_params(ev->response) : json_null());
	if (ev->error_code) {
		json_object_set_new(r, "errorCode", json_string(ev->error_code));
		json_object_set_new(r, "errorMessage",
				    json_string(ev->error_message ? ev->error_message : ""));
	}
	if (ev->extra)
		json_object_update(r, ev->extra);
	if ((res = resource_of(ev->resource, ev->account ? ev->account : "")) != NULL)
		json_object_set_new(r, "resources", json_pack("[o]", res));
	return r;
}

bool aws_event_read_only(const char *service, const char *op)
{
	static const char *const reads[] = {"Get", "List", "Describe", "BatchGet", "Lookup",
					    "Simulate", "Decode"};

	if (strcmp(service, "sts") == 0) /* CloudTrail counts every STS call as a read */
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(reads); i++)
		if (strncmp(op, reads[i], strlen(reads[i])) == 0)
			return true;
	return false;
}
