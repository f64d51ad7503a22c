/*
 * event.c - one request as a CloudTrail record, for the audit trail
 * (audit/).  The shape is CloudTrail's (eventVersion 1.09): userIdentity
 * with the session's issuer for role sessions, requestParameters and
 * responseElements with lowerCamelCase names as CloudTrail shows IAM's and
 * STS's, errorCode and errorMessage, resources.
 *
 * The record is written straight to JSON text, in one pass, with the index
 * the trail keeps beside it: building it as jansson objects and dumping
 * them cost more than the rest of a typical request (bench/audit).
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
#include "audit/audit.h"

#define HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"
#define STRING_KEPT 10240 /* characters of one string value kept; a policy fits */
#define DEPTH_MAX 32

static const char *const secret_members[] = {
	"secretAccessKey", "sessionToken", "password", "newPassword", "oldPassword",
	"servicePassword", "webIdentityToken", "tokenCode", "authenticationCode1",
	"authenticationCode2", "base32StringSeed", "qRCodePNG", "privateKey", "sAMLAssertion",
};

static bool is_secret(const char *name, size_t n)
{
	/* by length first: this runs for every member of every record */
	static size_t lens[ARRAY_SIZE(secret_members)];

	if (lens[0] == 0)
		for (size_t i = 0; i < ARRAY_SIZE(secret_members); i++)
			lens[i] = strlen(secret_members[i]);
	for (size_t i = 0; i < ARRAY_SIZE(secret_members); i++)
		if (n == lens[i] && strcasecmp(name, secret_members[i]) == 0)
			return true;
	return false;
}

/* the bytes a JSON string must escape: '"', '\\' and control characters */
static const bool escaped[256] = {
	[0 ... 0x1f] = true, ['"'] = true, ['\\'] = true,
};

/* a JSON string: quotes, backslashes and control characters escaped */
static void put_str(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;

	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!escaped[c])
			continue;
		buf_add(b, s + start, i - start);
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			buf_printf(b, "\\u%04x", c);
		}
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
	buf_putc(b, '"');
}

static void put_cstr(struct buf *b, const char *s)
{
	put_str(b, s ? s : "", s ? strlen(s) : 0);
}

/* ,"key": */
static void put_key(struct buf *b, bool *first, const char *k)
{
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	put_cstr(b, k);
	buf_putc(b, ':');
}

static void kv(struct buf *b, bool *first, const char *k, const char *v)
{
	put_key(b, first, k);
	put_cstr(b, v);
}

/* v as CloudTrail shows it: lowerCamelCase names, secrets hidden, long strings cut */
static void put_params(struct buf *b, json_t *v, int depth)
{
	const char *k;
	json_t *x;
	bool first = true;
	char num[48];

	if (depth > DEPTH_MAX) {
		buf_puts(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_putc(b, '{');
		json_object_foreach(v, k, x) {
			char name[128];
			size_t n = strnlen(k, sizeof(name) - 1);

			memcpy(name, k, n);
			name[n] = '\0';
			name[0] = (char)tolower((unsigned char)name[0]);
			put_key(b, &first, name);
			if (is_secret(name, n))
				put_cstr(b, HIDDEN);
			else
				put_params(b, x, depth + 1);
		}
		buf_putc(b, '}');
		break;
	case JSON_ARRAY:
		buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_putc(b, ',');
			put_params(b, json_array_get(v, i), depth + 1);
		}
		buf_putc(b, ']');
		break;
	case JSON_STRING:
		if (json_string_length(v) > STRING_KEPT) {
			snprintf(num, sizeof(num), "(%zu characters, not kept)", json_string_length(v));
			put_cstr(b, num);
		} else {
			put_str(b, json_string_value(v), json_string_length(v));
		}
		break;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		buf_puts(b, num);
		break;
	case JSON_TRUE: buf_puts(b, "true"); break;
	case JSON_FALSE: buf_puts(b, "false"); break;
	default: buf_puts(b, "null"); break;
	}
}

/* an index field: src cut to fit, NUL-terminated (snprintf was a tenth of a record's cost) */
static void field_set(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}
#define FIELD(f, src) field_set((f), sizeof(f), (src))

static const char *identity_type(const struct principal *p)
{
	switch (p->kind) {
	case PRINCIPAL_ROOT: return "Root";
	case PRINCIPAL_USER: return "IAMUser";
	case PRINCIPAL_ASSUMED_ROLE: return "AssumedRole";
	default: return "FederatedUser";
	}
}

static void put_identity(struct buf *b, const struct aws_event *ev, struct audit_entry *h)
{
	const struct principal *p = ev->who;
	const struct session *s = ev->session;
	bool first = true, f2;
	char when[32];

	if (p == NULL || p->arn[0] == '\0') {
		if (ev->identity) { /* given by the handler: a federated caller */
			const char *u = json_string_value(json_object_get(ev->identity, "userName"));

			put_params(b, ev->identity, 0);
			FIELD(h->user, u ? u : "");
		} else {
			buf_puts(b, "{\"type\":\"Unknown\"}");
		}
		return;
	}
	buf_putc(b, '{');
	kv(b, &first, "type", identity_type(p));
	kv(b, &first, "principalId", p->principal_id);
	kv(b, &first, "arn", p->arn);
	kv(b, &first, "accountId", p->account);
	if (p->access_key_id[0])
		kv(b, &first, "accessKeyId", p->access_key_id);
	FIELD(h->access_key_id, p->access_key_id);
	if (p->kind == PRINCIPAL_USER)
		kv(b, &first, "userName", p->name);
	FIELD(h->user, p->kind == PRINCIPAL_USER ? p->name : p->principal_id);
	if (p->temporary) {
		put_key(b, &first, "sessionContext");
		buf_putc(b, '{');
		f2 = true;
		time_iso8601(when, sizeof(when), p->token_issued);
		put_key(b, &f2, "attributes");
		buf_printf(b, "{\"creationDate\":\"%s\",\"mfaAuthenticated\":\"%s\"}", when,
			   p->mfa ? "true" : "false");
		if (s && s->role_arn[0]) {
			const char *name = strrchr(s->role_arn, '/');
			bool f3 = true;

			name = name ? name + 1 : s->role_arn;
			put_key(b, &f2, "sessionIssuer");
			buf_putc(b, '{');
			kv(b, &f3, "type", "Role");
			kv(b, &f3, "principalId", p->user_id);
			kv(b, &f3, "arn", s->role_arn);
			kv(b, &f3, "accountId", p->account);
			kv(b, &f3, "userName", name);
			buf_putc(b, '}');
			FIELD(h->user, name);
		}
		if (s && s->source_identity[0])
			kv(b, &f2, "sourceIdentity", s->source_identity);
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

/* CloudTrail's type of an ARN: AWS::IAM::User, ...; NULL when it has none */
static const char *resource_type(const char *arn)
{
	static const struct {
		const char *kind, *type;
	} iam[] = {
		{"user/", "AWS::IAM::User"},     {"group/", "AWS::IAM::Group"},
		{"role/", "AWS::IAM::Role"},     {"policy/", "AWS::IAM::Policy"},
		{"mfa/", "AWS::IAM::VirtualMFADevice"},
		{"oidc-provider/", "AWS::IAM::OIDCProvider"},
	};
	const char *rest;

	if (arn == NULL)
		return NULL;
	if (strncmp(arn, "arn:aws:codecommit:", 19) == 0)
		return "AWS::CodeCommit::Repository";
	if (strncmp(arn, "arn:aws:iam::", 13) == 0 && (rest = strchr(arn + 13, ':')))
		for (size_t i = 0; i < ARRAY_SIZE(iam); i++)
			if (strncmp(rest + 1, iam[i].kind, strlen(iam[i].kind)) == 0)
				return iam[i].type;
	return NULL;
}

int aws_event_text(struct buf *b, struct audit_entry *h, const struct aws_event *ev)
{
	const char *rtype = resource_type(ev->resource);
	char when[32];
	bool first = true;

	memset(h, 0, sizeof(*h));
	h->time = ev->time;
	h->read_only = ev->read_only;
	if (uuid_new(h->event_id) < 0)
		return CC_ERROR;
	FIELD(h->account, ev->account ? ev->account : "");
	FIELD(h->name, ev->name);
	snprintf(h->source, sizeof(h->source), "%s.amazonaws.com", ev->service);
	time_iso8601(when, sizeof(when), ev->time);

	buf_putc(b, '{');
	kv(b, &first, "eventVersion", "1.09");
	put_key(b, &first, "userIdentity");
	put_identity(b, ev, h);
	kv(b, &first, "eventTime", when);
	kv(b, &first, "eventSource", h->source);
	kv(b, &first, "eventName", ev->name);
	kv(b, &first, "awsRegion", ev->region);
	kv(b, &first, "sourceIPAddress", ev->source_ip);
	kv(b, &first, "userAgent", ev->user_agent);
	put_key(b, &first, "requestParameters");
	if (ev->request)
		put_params(b, ev->request, 0);
	else
		buf_puts(b, "null");
	/* as CloudTrail: the response of a call that changes nothing is not kept
	 * (a ListUsers answer can be large); STS's, which are all "reads", are */
	put_key(b, &first, "responseElements");
	if (ev->response && (!ev->read_only || strcmp(ev->service, "sts") == 0))
		put_params(b, ev->response, 0);
	else
		buf_puts(b, "null");
	if (ev->error_code) {
		kv(b, &first, "errorCode", ev->error_code);
		kv(b, &first, "errorMessage", ev->error_message);
	}
	kv(b, &first, "requestID", ev->request_id);
	kv(b, &first, "eventID", h->event_id);
	put_key(b, &first, "readOnly");
	buf_puts(b, ev->read_only ? "true" : "false");
	kv(b, &first, "eventType", ev->event_type ? ev->event_type : "AwsApiCall");
	put_key(b, &first, "managementEvent");
	buf_puts(b, "true");
	kv(b, &first, "recipientAccountId", h->account);
	kv(b, &first, "eventCategory", "Management");
	if (rtype) {
		bool f2 = true;

		put_key(b, &first, "resources");
		buf_puts(b, "[{");
		kv(b, &f2, "ARN", ev->resource);
		kv(b, &f2, "accountId", h->account);
		kv(b, &f2, "type", rtype);
		buf_puts(b, "}]");
		FIELD(h->resource, ev->resource);
		FIELD(h->resource_type, rtype);
	}
	buf_putc(b, '}');
	return buf_failed(b) ? CC_ERROR : 0;
}

void aws_event_emit(struct audit *trail, const struct aws_event *ev)
{
	struct buf b = BUF_INIT(0);
	struct audit_entry h;

	if (buf_grow(&b, 2048) < 0 || aws_event_text(&b, &h, ev) < 0)
		log_warnx("audit: the event of %s could not be made: it is lost", ev->name);
	else
		audit_emit(trail, &h, b.ptr, b.len);
	buf_release(&b);
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
