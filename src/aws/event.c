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

/* how many of s's first n bytes need no escaping: eight at a time (a byte
 * below 0x20, or equal to '"' or '\\', sets the high bit of its lane) */
static size_t plain_prefix(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, q, bs;

		memcpy(&x, s + i, 8);
		q = x ^ (ones * '"');
		bs = x ^ (ones * '\\');
		if (((x - ones * 0x20) | (q - ones) | (bs - ones)) & ~x & highs)
			break;
	}
	while (i < n && !escaped[(unsigned char)s[i]])
		i++;
	return i;
}

/* a JSON string: quotes, backslashes and control characters escaped */
static void put_str(struct buf *b, const char *s, size_t n)
{
	size_t start = 0, i = plain_prefix(s, n);

	if (i == n && buf_grow(b, n + 2) == 0) { /* the usual case: nothing to escape */
		b->ptr[b->len] = '"';
		memcpy(b->ptr + b->len + 1, s, n);
		b->ptr[b->len + 1 + n] = '"';
		b->len += n + 2;
		b->ptr[b->len] = '\0';
		return;
	}
	buf_putc(b, '"');
	for (;;) {
		unsigned char c;

		buf_add(b, s + start, i - start);
		if (i == n)
			break;
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			buf_printf(b, "\\u%04x", c);
		}
		start = i + 1;
		i = start + plain_prefix(s + start, n - start);
	}
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

/* ,"key": for a key written here (nothing in it to escape): lit starts
 * with the comma, which the first member goes without */
static void put_lit(struct buf *b, bool *first, const char *lit, size_t n)
{
	size_t skip = *first ? 1 : 0;

	buf_add(b, lit + skip, n - skip);
	*first = false;
}
#define KEY(b, first, k) put_lit((b), (first), ",\"" k "\":", sizeof(",\"" k "\":") - 1)
#define KV(b, first, k, v) (KEY(b, first, k), put_cstr((b), (v)))

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
	KV(b, &first, "type", identity_type(p));
	KV(b, &first, "principalId", p->principal_id);
	KV(b, &first, "arn", p->arn);
	KV(b, &first, "accountId", p->account);
	if (p->access_key_id[0])
		KV(b, &first, "accessKeyId", p->access_key_id);
	FIELD(h->access_key_id, p->access_key_id);
	if (p->kind == PRINCIPAL_USER)
		KV(b, &first, "userName", p->name);
	FIELD(h->user, p->kind == PRINCIPAL_USER ? p->name : p->principal_id);
	if (p->temporary) {
		KEY(b, &first, "sessionContext");
		buf_putc(b, '{');
		f2 = true;
		time_iso8601(when, sizeof(when), p->token_issued);
		KEY(b, &f2, "attributes");
		buf_printf(b, "{\"creationDate\":\"%s\",\"mfaAuthenticated\":\"%s\"}", when,
			   p->mfa ? "true" : "false");
		if (s && s->role_arn[0]) {
			const char *name = strrchr(s->role_arn, '/');
			bool f3 = true;

			name = name ? name + 1 : s->role_arn;
			KEY(b, &f2, "sessionIssuer");
			buf_putc(b, '{');
			KV(b, &f3, "type", "Role");
			KV(b, &f3, "principalId", p->user_id);
			KV(b, &f3, "arn", s->role_arn);
			KV(b, &f3, "accountId", p->account);
			KV(b, &f3, "userName", name);
			buf_putc(b, '}');
			FIELD(h->user, name);
		}
		if (s && s->source_identity[0])
			KV(b, &f2, "sourceIdentity", s->source_identity);
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
	{ /* SERVICE.amazonaws.com, without printf (a tenth of a record's cost) */
		static const char dom[] = ".amazonaws.com";
		size_t n = strnlen(ev->service, sizeof(h->source) - sizeof(dom));

		memcpy(h->source, ev->service, n);
		memcpy(h->source + n, dom, sizeof(dom));
	}
	time_iso8601(when, sizeof(when), ev->time);

	buf_putc(b, '{');
	KV(b, &first, "eventVersion", "1.09");
	KEY(b, &first, "userIdentity");
	put_identity(b, ev, h);
	KV(b, &first, "eventTime", when);
	KV(b, &first, "eventSource", h->source);
	KV(b, &first, "eventName", ev->name);
	KV(b, &first, "awsRegion", ev->region);
	KV(b, &first, "sourceIPAddress", ev->source_ip);
	KV(b, &first, "userAgent", ev->user_agent);
	KEY(b, &first, "requestParameters");
	if (ev->request)
		put_params(b, ev->request, 0);
	else
		buf_puts(b, "null");
	/* as CloudTrail: the response of a call that changes nothing is not kept
	 * (a ListUsers answer can be large); STS's, which are all "reads", are */
	KEY(b, &first, "responseElements");
	if (ev->response && (!ev->read_only || strcmp(ev->service, "sts") == 0))
		put_params(b, ev->response, 0);
	else
		buf_puts(b, "null");
	if (ev->error_code) {
		KV(b, &first, "errorCode", ev->error_code);
		KV(b, &first, "errorMessage", ev->error_message);
	}
	KV(b, &first, "requestID", ev->request_id);
	KV(b, &first, "eventID", h->event_id);
	KEY(b, &first, "readOnly");
	buf_puts(b, ev->read_only ? "true" : "false");
	KV(b, &first, "eventType", ev->event_type ? ev->event_type : "AwsApiCall");
	KEY(b, &first, "managementEvent");
	buf_puts(b, "true");
	KV(b, &first, "recipientAccountId", h->account);
	KV(b, &first, "eventCategory", "Management");
	if (rtype) {
		bool f2 = true;

		KEY(b, &first, "resources");
		buf_puts(b, "[{");
		KV(b, &f2, "ARN", ev->resource);
		KV(b, &f2, "accountId", h->account);
		KV(b, &f2, "type", rtype);
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
