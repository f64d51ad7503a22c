/*
 * sigv4.c - AWS Signature Version 4 for the non-S3 services (IAM, STS,
 * CodeCommit): parse the Authorization header or presigned query, check the
 * time and scope, canonicalize (path normalized and its encoded form encoded
 * again, query decoded and re-encoded, headers trimmed), sign and verify
 * with HMAC-SHA256 from libcrypto, cache derived keys, and the CodeCommit
 * Git password.  Does not look up keys nor speak HTTP.  Contract: sigv4.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "auth/sigv4.h"

#define AUTHZ_MAX 16384          /* bytes of an Authorization header value */
#define PATH_MAX_LEN 16384       /* bytes of a raw path */
#define QUERY_MAX 65536          /* bytes of a raw query string */
#define VALUE_MAX 65536          /* bytes of one signed header value */
#define CANON_MAX (1024 * 1024)  /* bytes of a canonical request */
#define SECRET_MAX 1024          /* bytes of a secret access key */
#define HEADER_NAME_MAX 256      /* bytes of a header name worth comparing */
#define METHOD_MAX 32
#define GIT_HOST_MAX 255
#define GIT_PATH_MAX 4096
#define CACHE_DEFAULT 1024
#define CACHE_LIMIT (1u << 20)
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

#define MSG_MISMATCH                                                                      \
	"The request signature we calculated does not match the signature you provided. " \
	"Check your AWS Secret Access Key and signing method. Consult the service "        \
	"documentation for details."

/* ---- declarations --------------------------------------------------------- */

struct qpair {
	const char *name; /* RFC 3986-encoded */
	size_t nlen;
	const char *val;
	size_t vlen;
};

static int fail(struct err *e, int http, const char *code, const char *fmt, ...) CC_PRINTF(4, 5);
static int fail_mismatch(struct err *e);
static size_t header_find(const struct sigv4_request *req, const char *lname, const char **first);
static void put_printable(struct buf *b, const char *s, size_t n, size_t max);
static int sha256(unsigned char out[32], const void *data, size_t n);
static int hmac(unsigned char out[32], const void *key, size_t klen, const void *data, size_t n);
static int parse_date(struct sigv4_auth *out, const struct sigv4_request *req, bool *present,
		      struct err *e);
static int parse_http_date(char out[17], struct span s);
static int parse_credential(struct sigv4_auth *out, struct span cred, struct err *e);
static int parse_signed_headers(struct sigv4_auth *out, struct span sh, struct err *e);
static int parse_signature(struct sigv4_auth *out, struct span sig, struct err *e);
static int parse_token(struct sigv4_auth *out, struct span tok, struct err *e);
static int parse_header_form(struct sigv4_auth *out, const struct sigv4_request *req,
			     const char *authz, struct err *e);
static int parse_query_form(struct sigv4_auth *out, const struct sigv4_request *req,
			    struct err *e);
static int check_scope_date(const struct sigv4_auth *a, struct err *e);
static bool query_next(struct span *q, struct span *name, struct span *val);
static bool query_has_param(const char *query, const char *name);
static int canon_uri(struct buf *out, const char *path);
static int canon_query(struct buf *out, const char *query, bool presigned);
static int canon_headers(struct buf *out, const struct sigv4_auth *a,
			 const struct sigv4_request *req);
static void put_trimall(struct buf *out, const char *v, size_t n);
static bool name_is(const char *hname, struct span lname);
static int payload_hash(struct buf *out, const struct sigv4_request *req);
static int check_payload(const struct sigv4_request *req, struct err *e);
static int derive_key(unsigned char key[32], const char *secret, size_t slen, const char *date,
		      const char *region, const char *service);
static int signing_key(unsigned char key[32], const struct sigv4_auth *a, const char *secret,
		       size_t slen, struct sigv4_key_cache *cache);
static int compute_signature(char sig[65], const struct sigv4_auth *a,
			     const struct sigv4_request *req, const char *secret, size_t slen,
			     struct sigv4_key_cache *cache, struct err *e);
static bool cache_get(struct sigv4_key_cache *c, const struct sigv4_auth *a,
		      const unsigned char fp[32], unsigned char key[32]);
static void cache_put(struct sigv4_key_cache *c, const struct sigv4_auth *a,
		      const unsigned char fp[32], const unsigned char key[32]);
static void buf_wipe_release(struct buf *b);

/* ---- small helpers -------------------------------------------------------- */

static int fail(struct err *e, int http, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return CC_EAUTH;
	e->code = CC_EAUTH;
	e->aws_code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->http = http;
	return CC_EAUTH;
}

static int fail_mismatch(struct err *e)
{
	return fail(e, 403, "SignatureDoesNotMatch", "%s", MSG_MISMATCH);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* RFC 7230 token characters, lower case only */
static bool is_lower_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Counts the headers named lname (lower case); *first gets the first value. */
static size_t header_find(const struct sigv4_request *req, const char *lname, const char **first)
{
	size_t i, count = 0;

	if (first)
		*first = NULL;
	for (i = 0; i < req->nheaders; i++) {
		const struct sigv4_header *h = &req->headers[i];

		if (h->name == NULL || h->value == NULL)
			continue;
		if (!span_eq_nocase(span_of(h->name, strnlen(h->name, HEADER_NAME_MAX)), lname))
			continue;
		if (count++ == 0 && first)
			*first = h->value;
	}
	return count;
}

/* Appends at most max bytes of s, with anything but printable ASCII as '?'. */
static void put_printable(struct buf *b, const char *s, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		buf_putc(b, (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
	if (n > max)
		buf_puts(b, "...");
}

/*
 * OpenSSL 3's one-shot EVP_Digest() and HMAC() look the algorithm up on every
 * call, which costs more than the hashing itself on a short request.  The
 * digest and an HMAC context carrying it are fetched once; each call dups
 * the template context and sets only the key.
 */
static EVP_MD *sha256_md;
static EVP_MAC_CTX *hmac_template;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static pthread_key_t tl_key;
static void tl_free(void *p);

static void crypto_init(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	pthread_key_create(&tl_key, tl_free);
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (mac != NULL) {
		hmac_template = EVP_MAC_CTX_new(mac);
		if (hmac_template && EVP_MAC_CTX_set_params(hmac_template, params) != 1) {
			EVP_MAC_CTX_free(hmac_template);
			hmac_template = NULL;
		}
		EVP_MAC_free(mac); /* the context holds its own reference */
	}
}

/*
 * One digest and one MAC context per thread, reused: OpenSSL then keeps its
 * provider state between calls.  A thread-specific key frees them when the
 * thread ends.
 */
struct tl_ctx {
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;
};

static void tl_free(void *p)
{
	struct tl_ctx *t = p;

	EVP_MD_CTX_free(t->md);
	EVP_MAC_CTX_free(t->mac);
	free(t);
}

static struct tl_ctx *tl_get(void)
{
	struct tl_ctx *t;

	pthread_once(&crypto_once, crypto_init);
	t = pthread_getspecific(tl_key);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return NULL;
		t->md = EVP_MD_CTX_new();
		t->mac = hmac_template ? EVP_MAC_CTX_dup(hmac_template) : NULL;
		if (t->md == NULL || t->mac == NULL || pthread_setspecific(tl_key, t) != 0) {
			tl_free(t);
			return NULL;
		}
	}
	return t;
}

static int sha256(unsigned char out[32], const void *data, size_t n)
{
	struct tl_ctx *t = tl_get();
	unsigned int len = 0;

	if (t == NULL || sha256_md == NULL)
		return CC_ERROR;
	if (EVP_DigestInit_ex2(t->md, sha256_md, NULL) != 1 ||
	    EVP_DigestUpdate(t->md, n ? data : "", n) != 1 ||
	    EVP_DigestFinal_ex(t->md, out, &len) != 1 || len != 32)
		return CC_ERROR;
	return 0;
}

static int hmac(unsigned char out[32], const void *key, size_t klen, const void *data, size_t n)
{
	struct tl_ctx *t = tl_get();
	size_t len = 0;

	if (t == NULL)
		return CC_ERROR;
	if (EVP_MAC_init(t->mac, key, klen, NULL) != 1 ||
	    EVP_MAC_update(t->mac, n ? data : (const void *)"", n) != 1 ||
	    EVP_MAC_final(t->mac, out, &len, 32) != 1 || len != 32)
		return CC_ERROR;
	return 0;
}

static void buf_wipe_release(struct buf *b)
{
	if (b->ptr) /* appended to only, so nothing was written past len */
		OPENSSL_cleanse(b->ptr, b->len + 1 < b->cap ? b->len + 1 : b->cap);
	buf_release(b);
}

/* ---- parsing --------------------------------------------------------------- */

int sigv4_parse(struct sigv4_auth *out, const struct sigv4_request *req, struct err *e)
{
	const char *authz = NULL;
	size_t nauth;
	bool in_query;

	memset(out, 0, sizeof(*out));
	nauth = header_find(req, "authorization", &authz);
	in_query = req->raw_query && query_has_param(req->raw_query, "X-Amz-Algorithm");
	if (nauth == 0 && !in_query)
		return fail(e, 403, "MissingAuthenticationToken",
			    "Request is missing Authentication Token");
	if (nauth > 0 && in_query)
		return fail(e, 400, "IncompleteSignature",
			    "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
			    "parameter or the Authorization header should be specified");
	if (nauth > 1)
		return fail(e, 400, "IncompleteSignature",
			    "Only one Authorization header is allowed");
	if (in_query)
		return parse_query_form(out, req, e);
	return parse_header_form(out, req, authz, e);
}

/*
 * The request time: X-Amz-Date, else Date (RFC 1123), into out->amz_date and
 * out->request_time.  *present tells whether either header exists.
 */
static int parse_date(struct sigv4_auth *out, const struct sigv4_request *req, bool *present,
		      struct err *e)
{
	const char *v;
	struct span s;
	size_t n;

	*present = false;
	n = header_find(req, "x-amz-date", &v);
	if (n > 1)
		return fail(e, 400, "IncompleteSignature", "Only one X-Amz-Date header is allowed");
	if (n == 1) {
		*present = true;
		s = span_trim(span_of(v, strnlen(v, 65)));
		if (s.n != 16 || time_parse_amz(&out->request_time, s.p, s.n) < 0)
			goto bad;
		memcpy(out->amz_date, s.p, 16);
		out->amz_date[16] = '\0';
		return 0;
	}
	n = header_find(req, "date", &v);
	if (n == 0)
		return 0;
	*present = true;
	if (n > 1)
		return fail(e, 400, "IncompleteSignature", "Only one Date header is allowed");
	s = span_trim(span_of(v, strnlen(v, 65)));
	if (parse_http_date(out->amz_date, s) < 0 ||
	    time_parse_amz(&out->request_time, out->amz_date, 16) < 0)
		goto bad;
	return 0;
bad:
	s = span_of(v, strnlen(v, 64));
	{
		struct buf m = BUF_INIT(128);

		put_printable(&m, s.p, s.n, 40);
		fail(e, 400, "IncompleteSignature",
		     "Date must be in ISO-8601 'basic format'. Got '%s'. See "
		     "http://en.wikipedia.org/wiki/ISO_8601", buf_cstr(&m));
		buf_release(&m);
	}
	out->amz_date[0] = '\0';
	return CC_EAUTH;
}

/*
 * "Sun, 06 Nov 1994 08:49:37 GMT" (the day name optional; zone GMT, UTC,
 * +0000 or -0000, the last being what Python's formatdate() writes) ->
 * "19941106T084937Z", validated later by time_parse_amz().
 */
static int parse_http_date(char out[17], struct span s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct span zone;
	const char *p = s.p;
	int m;

	if (s.n >= 5 && p[3] == ',' && p[4] == ' ') {
		p += 5; /* skip the day name */
		s.n -= 5;
	}
	/* "06 Nov 1994 08:49:37 GMT" */
	if (s.n < 21 || p[2] != ' ' || p[6] != ' ' || p[11] != ' ' || p[14] != ':' ||
	    p[17] != ':' || p[20] != ' ')
		return CC_EINVAL;
	zone = span_of(p + 21, s.n - 21);
	if (!span_eq(zone, "GMT") && !span_eq(zone, "UTC") && !span_eq(zone, "+0000") &&
	    !span_eq(zone, "-0000"))
		return CC_EINVAL;
	for (m = 0; m < 12; m++)
		if (memcmp(p + 3, months + 3 * m, 3) == 0)
			break;
	if (m == 12)
		return CC_EINVAL;
	memcpy(out, p + 7, 4);
	out[4] = (char)('0' + (m + 1) / 10);
	out[5] = (char)('0' + (m + 1) % 10);
	memcpy(out + 6, p, 2);
	out[8] = 'T';
	memcpy(out + 9, p + 12, 2);
	memcpy(out + 11, p + 15, 2);
	memcpy(out + 13, p + 18, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return 0;
}

/* "AKID/YYYYMMDD/region/service/aws4_request" */
static int parse_credential(struct sigv4_auth *out, struct span cred, struct err *e)
{
	struct span part[5];
	size_t i, k = 0, start = 0;
	struct buf m = BUF_INIT(160);
	int rc;

	for (i = 0; i <= cred.n; i++) {
		if (i < cred.n && cred.p[i] != '/')
			continue;
		if (k == 5) {
			k++;
			break;
		}
		part[k++] = span_of(cred.p + start, i - start);
		start = i + 1;
	}
	if (k != 5) {
		put_printable(&m, cred.p, cred.n, 100);
		rc = fail(e, 400, "IncompleteSignature",
			  "Credential must have exactly 5 slash-delimited elements, e.g. "
			  "keyid/date/region/service/term, got '%s'", buf_cstr(&m));
		buf_release(&m);
		return rc;
	}
	if (part[0].n == 0 || part[0].n > SIGV4_KEY_ID_MAX)
		return fail(e, 400, "IncompleteSignature",
			    "Credential must name an access key id of 1 to %d characters",
			    SIGV4_KEY_ID_MAX);
	for (i = 0; i < part[0].n; i++)
		if (part[0].p[i] <= 0x20 || part[0].p[i] >= 0x7f || part[0].p[i] == ',')
			return fail(e, 400, "IncompleteSignature",
				    "Credential names a malformed access key id");
	if (part[1].n != 8) {
		put_printable(&m, part[1].p, part[1].n, 40);
		rc = fail(e, 400, "IncompleteSignature",
			  "Credential should be scoped to a valid date, not '%s'.", buf_cstr(&m));
		buf_release(&m);
		return rc;
	}
	for (i = 0; i < 8; i++)
		if (part[1].p[i] < '0' || part[1].p[i] > '9')
			return fail(e, 400, "IncompleteSignature",
				    "Credential should be scoped to a valid date.");
	for (k = 2; k <= 3; k++) {
		if (part[k].n == 0 || part[k].n > SIGV4_SCOPE_PART_MAX)
			goto bad_part;
		for (i = 0; i < part[k].n; i++) {
			char c = part[k].p[i];

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
				goto bad_part;
		}
	}
	if (!span_eq(part[4], "aws4_request")) {
		put_printable(&m, part[4].p, part[4].n, 40);
		rc = fail(e, 400, "IncompleteSignature",
			  "Credential should be scoped with a valid terminator: 'aws4_request', "
			  "not '%s'.", buf_cstr(&m));
		buf_release(&m);
		return rc;
	}
	memcpy(out->access_key_id, part[0].p, part[0].n);
	out->access_key_id[part[0].n] = '\0';
	memcpy(out->date, part[1].p, 8);
	out->date[8] = '\0';
	memcpy(out->region, part[2].p, part[2].n);
	out->region[part[2].n] = '\0';
	memcpy(out->service, part[3].p, part[3].n);
	out->service[part[3].n] = '\0';
	return 0;
bad_part:
	return fail(e, 400, "IncompleteSignature", "Credential should be scoped to a valid %s.",
		    k == 2 ? "region" : "service");
}

/* "host;x-amz-date": lower-case token names, no duplicates, host included */
static int parse_signed_headers(struct sigv4_auth *out, struct span sh, struct err *e)
{
	size_t i, start = 0;
	bool host = false;

	if (sh.n == 0)
		return fail(e, 400, "IncompleteSignature", "SignedHeaders must not be empty");
	if (sh.n > SIGV4_SIGNED_HEADERS_MAX)
		return fail(e, 400, "IncompleteSignature",
			    "SignedHeaders is longer than %d characters", SIGV4_SIGNED_HEADERS_MAX);
	for (i = 0; i <= sh.n; i++) {
		struct span name;

		if (i < sh.n && sh.p[i] != ';') {
			if (!is_lower_tchar(sh.p[i]))
				return fail(e, 400, "IncompleteSignature",
					    "SignedHeaders must list lower-case header names "
					    "separated by ';'");
			continue;
		}
		name = span_of(sh.p + start, i - start);
		if (name.n == 0)
			return fail(e, 400, "IncompleteSignature",
				    "SignedHeaders must not contain an empty header name");
		host = host || span_eq(name, "host");
		/* a repeated name would make the canonical form ambiguous */
		for (size_t j = 0; j + name.n <= start; j++) {
			if ((j == 0 || sh.p[j - 1] == ';') && sh.p[j + name.n] == ';' &&
			    memcmp(sh.p + j, name.p, name.n) == 0)
				return fail(e, 400, "IncompleteSignature",
					    "SignedHeaders must not name a header twice");
		}
		start = i + 1;
	}
	if (!host)
		return fail(e, 400, "IncompleteSignature",
			    "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
			    "Authorization.");
	memcpy(out->signed_headers, sh.p, sh.n);
	out->signed_headers[sh.n] = '\0';
	return 0;
}

static int parse_signature(struct sigv4_auth *out, struct span sig, struct err *e)
{
	if (sig.n != 64)
		return fail_mismatch(e);
	for (size_t i = 0; i < 64; i++)
		if (!is_lower_hex(sig.p[i]))
			return fail_mismatch(e);
	memcpy(out->signature, sig.p, 64);
	out->signature[64] = '\0';
	return 0;
}

static int parse_token(struct sigv4_auth *out, struct span tok, struct err *e)
{
	if (tok.n > SIGV4_TOKEN_MAX || memchr(tok.p, '\0', tok.n) != NULL)
		return fail(e, 403, "InvalidClientTokenId",
			    "The security token included in the request is invalid.");
	memcpy(out->security_token, tok.p, tok.n);
	out->security_token[tok.n] = '\0';
	return 0;
}

static int check_scope_date(const struct sigv4_auth *a, struct err *e)
{
	if (memcmp(a->date, a->amz_date, 8) == 0)
		return 0;
	return fail(e, 403, "SignatureDoesNotMatch",
		    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
		    "date from HTTP: '%s' != '%.8s', from '%s'.", a->date, a->amz_date,
		    a->amz_date);
}

static int parse_header_form(struct sigv4_auth *out, const struct sigv4_request *req,
			     const char *authz, struct err *e)
{
	struct span v = span_of(authz, strnlen(authz, AUTHZ_MAX + 1));
	struct span cred = {0}, sh = {0}, sig = {0};
	bool have_cred = false, have_sh = false, have_sig = false, have_date;
	const char *tok;
	size_t i, ntok;
	int rc;

	if (v.n > AUTHZ_MAX)
		return fail(e, 400, "IncompleteSignature", "Authorization header is too long");
	v = span_trim(v);
	for (i = 0; i < v.n && v.p[i] != ' '; i++)
		;
	if (!span_eq(span_of(v.p, i), SIGV4_ALGORITHM)) {
		struct buf m = BUF_INIT(128);

		put_printable(&m, v.p, i, 40);
		rc = fail(e, 400, "IncompleteSignature", "Unsupported AWS 'algorithm': '%s'",
			  buf_cstr(&m));
		buf_release(&m);
		return rc;
	}
	while (i < v.n) {
		struct span item, key, val;
		size_t j = i, eq;

		while (j < v.n && v.p[j] != ',')
			j++;
		item = span_trim(span_of(v.p + i, j - i));
		i = j + 1;
		if (item.n == 0)
			continue;
		for (eq = 0; eq < item.n && item.p[eq] != '='; eq++)
			;
		if (eq == item.n) {
			unsigned char md[32];
			char b64[48];

			if (sha256(md, v.p, v.n) < 0)
				return err_set(e, CC_ERROR, NULL, "sha256 failed");
			b64_encode(b64, sizeof(b64), md, sizeof(md));
			return fail(e, 400, "IncompleteSignature",
				    "Invalid key=value pair (missing equal-sign) in Authorization "
				    "header (hashed with SHA-256 and encoded with Base64): '%s'.", b64);
		}
		key = span_trim(span_of(item.p, eq));
		val = span_trim(span_of(item.p + eq + 1, item.n - eq - 1));
		bool *seen = span_eq(key, "Credential")	   ? &have_cred
			     : span_eq(key, "SignedHeaders") ? &have_sh
			     : span_eq(key, "Signature")	   ? &have_sig
							   : NULL;
		if (seen == NULL)
			continue; /* unknown parameters are ignored */
		if (*seen) {
			struct buf m = BUF_INIT(64);

			put_printable(&m, key.p, key.n, 20);
			rc = fail(e, 400, "IncompleteSignature",
				  "Authorization header has a duplicate '%s' parameter",
				  buf_cstr(&m));
			buf_release(&m);
			return rc;
		}
		*seen = true;
		if (seen == &have_cred)
			cred = val;
		else if (seen == &have_sh)
			sh = val;
		else
			sig = val;
	}
	if ((rc = parse_date(out, req, &have_date, e)) < 0)
		return rc;
	if (!have_cred || !have_sh || !have_sig || !have_date) {
		struct buf m = BUF_INIT(sizeof(e->msg) * 2);

		if (!have_cred)
			buf_puts(&m, "Authorization header requires 'Credential' parameter. ");
		if (!have_sig)
			buf_puts(&m, "Authorization header requires 'Signature' parameter. ");
		if (!have_sh)
			buf_puts(&m, "Authorization header requires 'SignedHeaders' parameter. ");
		if (!have_date)
			buf_puts(&m, "Authorization header requires existence of either a "
				     "'X-Amz-Date' or a 'Date' header. ");
		buf_puts(&m, "Authorization=");
		put_printable(&m, v.p, v.n, 200);
		rc = fail(e, 400, "IncompleteSignature", "%s", buf_cstr(&m));
		buf_release(&m);
		return rc;
	}
	if ((rc = parse_credential(out, cred, e)) < 0 ||
	    (rc = parse_signed_headers(out, sh, e)) < 0 || (rc = parse_signature(out, sig, e)) < 0)
		return rc;
	ntok = header_find(req, "x-amz-security-token", &tok);
	if (ntok > 1)
		return fail(e, 400, "IncompleteSignature",
			    "Only one X-Amz-Security-Token header is allowed");
	if (ntok == 1 && (rc = parse_token(out, span_of(tok, strnlen(tok, SIGV4_TOKEN_MAX + 1)),
					   e)) < 0)
		return rc;
	return check_scope_date(out, e);
}

/* Splits off the next "name=value" pair of q; false at the end. */
static bool query_next(struct span *q, struct span *name, struct span *val)
{
	while (q->n > 0) {
		size_t i = 0, eq;

		while (i < q->n && q->p[i] != '&')
			i++;
		struct span item = span_of(q->p, i);

		q->p += i < q->n ? i + 1 : i;
		q->n -= i < q->n ? i + 1 : i;
		if (item.n == 0)
			continue;
		for (eq = 0; eq < item.n && item.p[eq] != '='; eq++)
			;
		*name = span_of(item.p, eq);
		*val = eq < item.n ? span_of(item.p + eq + 1, item.n - eq - 1) : span_of(item.p + eq, 0);
		return true;
	}
	return false;
}

/* Decodes a query name of up to 63 bytes into out; false if longer or malformed. */
static bool query_name(char out[64], struct span raw)
{
	size_t n;

	if (raw.n >= 64 || url_decode(out, &n, raw.p, raw.n, true) < 0)
		return false;
	return true;
}

static bool query_has_param(const char *query, const char *name)
{
	struct span q = span_of(query, strnlen(query, QUERY_MAX + 1)), k, v;
	char dec[64];

	if (q.n > QUERY_MAX)
		q.n = QUERY_MAX;
	while (query_next(&q, &k, &v))
		if (query_name(dec, k) && strcmp(dec, name) == 0)
			return true;
	return false;
}

static int parse_query_form(struct sigv4_auth *out, const struct sigv4_request *req,
			    struct err *e)
{
	static const char *const names[] = {
		"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
	};
	enum { ALG, CRED, DATE, EXPIRES, SH, SIG, TOKEN, NPARAMS };
	struct span q = span_of(req->raw_query, strnlen(req->raw_query, QUERY_MAX + 1)), k, v;
	struct span val[NPARAMS] = {{0}};
	char *dec[NPARAMS] = {0};
	const char *htok;
	size_t p, n, nhtok;
	char name[64];
	int rc = CC_EAUTH;

	out->presigned = 1;
	if (q.n > QUERY_MAX)
		return fail(e, 400, "IncompleteSignature", "The query string is too long");
	while (query_next(&q, &k, &v)) {
		if (!query_name(name, k))
			continue;
		for (p = 0; p < NPARAMS && strcmp(name, names[p]) != 0; p++)
			;
		if (p == NPARAMS)
			continue;
		if (dec[p] != NULL) {
			rc = fail(e, 400, "IncompleteSignature",
				  "The query string has a duplicate '%s' parameter", names[p]);
			goto out;
		}
		if ((dec[p] = malloc(v.n + 1)) == NULL) {
			rc = err_oom(e);
			goto out;
		}
		if (url_decode(dec[p], &n, v.p, v.n, true) < 0) {
			rc = fail(e, 400, "IncompleteSignature",
				  "The '%s' query parameter is not properly encoded", names[p]);
			goto out;
		}
		val[p] = span_of(dec[p], n);
	}
	if (!dec[ALG] || !dec[CRED] || !dec[DATE] || !dec[SH] || !dec[SIG] || !dec[EXPIRES]) {
		rc = fail(e, 400, "IncompleteSignature",
			  "AWS query-string parameters must include 'X-Amz-Algorithm', "
			  "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
			  "'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Re-examine the "
			  "query-string parameters.");
		goto out;
	}
	if (!span_eq(val[ALG], SIGV4_ALGORITHM)) {
		rc = fail(e, 400, "IncompleteSignature",
			  "X-Amz-Algorithm only supports \"" SIGV4_ALGORITHM "\"");
		goto out;
	}
	if (val[DATE].n != 16 || time_parse_amz(&out->request_time, val[DATE].p, 16) < 0) {
		struct buf m = BUF_INIT(128);

		put_printable(&m, val[DATE].p, val[DATE].n, 40);
		rc = fail(e, 400, "IncompleteSignature",
			  "Date must be in ISO-8601 'basic format'. Got '%s'. See "
			  "http://en.wikipedia.org/wiki/ISO_8601", buf_cstr(&m));
		buf_release(&m);
		goto out;
	}
	memcpy(out->amz_date, val[DATE].p, 16);
	out->amz_date[16] = '\0';
	if (parse_i64(val[EXPIRES].p, val[EXPIRES].n, INT64_MIN, INT64_MAX, &out->expires) < 0) {
		rc = fail(e, 400, "IncompleteSignature", "X-Amz-Expires should be a number");
		goto out;
	}
	if (out->expires < 0) {
		rc = fail(e, 400, "IncompleteSignature",
			  "X-Amz-Expires must be non-negative");
		goto out;
	}
	if (out->expires > SIGV4_EXPIRES_MAX) {
		rc = fail(e, 400, "IncompleteSignature",
			  "X-Amz-Expires must be less than a week (in seconds); that is, the "
			  "given X-Amz-Expires must be less than %d seconds", SIGV4_EXPIRES_MAX);
		goto out;
	}
	if ((rc = parse_credential(out, val[CRED], e)) < 0 ||
	    (rc = parse_signed_headers(out, val[SH], e)) < 0 ||
	    (rc = parse_signature(out, val[SIG], e)) < 0)
		goto out;
	if (dec[TOKEN]) {
		if ((rc = parse_token(out, val[TOKEN], e)) < 0)
			goto out;
	} else if ((nhtok = header_find(req, "x-amz-security-token", &htok)) > 0) {
		if (nhtok > 1) {
			rc = fail(e, 400, "IncompleteSignature",
				  "Only one X-Amz-Security-Token header is allowed");
			goto out;
		}
		if ((rc = parse_token(out, span_of(htok, strnlen(htok, SIGV4_TOKEN_MAX + 1)), e)) < 0)
			goto out;
	}
	rc = check_scope_date(out, e);
out:
	for (p = 0; p < NPARAMS; p++) {
		if (dec[p])
			OPENSSL_cleanse(dec[p], val[p].n); /* the token is a secret */
		free(dec[p]);
	}
	return rc;
}

/* ---- checks ------------------------------------------------------------------ */

int sigv4_check_scope(const struct sigv4_auth *a, const char *region, const char *service,
		      struct err *e)
{
	if (strcmp(a->region, region) != 0)
		return fail(e, 403, "SignatureDoesNotMatch",
			    "Credential should be scoped to a valid region, not '%s'. ", a->region);
	if (strcmp(a->service, service) != 0)
		return fail(e, 403, "SignatureDoesNotMatch",
			    "Credential should be scoped to correct service: '%s'. ", service);
	return 0;
}

int sigv4_check_time(const struct sigv4_auth *a, int64_t now, struct err *e)
{
	char t_now[17], t_edge[17];

	if (a->request_time > now + SIGV4_SKEW) {
		time_amz(t_now, sizeof(t_now), now);
		time_amz(t_edge, sizeof(t_edge), now + SIGV4_SKEW);
		return fail(e, 403, "SignatureDoesNotMatch",
			    "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			    a->amz_date, t_edge, t_now);
	}
	if (a->presigned) {
		if (now > a->request_time + a->expires)
			return fail(e, 400, "RequestExpired", "Request has expired.");
		return 0;
	}
	if (a->request_time < now - SIGV4_SKEW) {
		time_amz(t_now, sizeof(t_now), now);
		time_amz(t_edge, sizeof(t_edge), now - SIGV4_SKEW);
		return fail(e, 403, "SignatureDoesNotMatch",
			    "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			    a->amz_date, t_edge, t_now);
	}
	return 0;
}

/* ---- canonicalization ------------------------------------------------------ */

/*
 * Removes empty and "." segments, applies "..", and URI-encodes each segment
 * of the path as sent (so "%20" becomes "%2520"), as botocore does for every
 * service but S3.
 */
static int canon_uri(struct buf *out, const char *path)
{
	size_t n = strnlen(path, PATH_MAX_LEN + 1), i, start = 0, base = out->len;
	bool any = false;

	if (n > PATH_MAX_LEN)
		return CC_ELIMIT;
	if (n == 0)
		return buf_putc(out, '/');
	for (i = 0; i <= n; i++) {
		struct span seg;

		if (i < n && path[i] != '/')
			continue;
		seg = span_of(path + start, i - start);
		start = i + 1;
		if (seg.n == 0 || span_eq(seg, "."))
			continue;
		if (span_eq(seg, "..")) {
			/* drop the last segment written, if any */
			while (out->len > base && out->ptr[out->len - 1] != '/')
				out->len--;
			if (out->len > base)
				out->len--;
			if (out->ptr)
				out->ptr[out->len] = '\0';
			continue;
		}
		buf_putc(out, '/');
		url_encode(out, seg.p, seg.n, false);
	}
	any = out->len > base;
	if (!any) {
		if (path[0] == '/')
			buf_putc(out, '/');
	} else {
		if (path[0] != '/') {
			/* botocore keeps a relative path relative */
			memmove(out->ptr + base, out->ptr + base + 1, out->len - base - 1);
			out->len--;
			out->ptr[out->len] = '\0';
		}
		if (path[n - 1] == '/')
			buf_putc(out, '/');
	}
	return buf_failed(out) ? CC_ELIMIT : 0;
}

static int qpair_cmp(const void *x, const void *y)
{
	const struct qpair *a = x, *b = y;
	size_t n = a->nlen < b->nlen ? a->nlen : b->nlen;
	int c = memcmp(a->name, b->name, n);

	if (c != 0 || a->nlen != b->nlen)
		return c != 0 ? c : (a->nlen < b->nlen ? -1 : 1);
	n = a->vlen < b->vlen ? a->vlen : b->vlen;
	c = n ? memcmp(a->val, b->val, n) : 0;
	if (c != 0 || a->vlen == b->vlen)
		return c;
	return a->vlen < b->vlen ? -1 : 1;
}

/* Appends the RFC 3986 form of raw after decoding it ('+' is a space). */
static void put_reencoded(struct buf *out, char *scratch, struct span raw)
{
	size_t n;

	if (url_decode(scratch, &n, raw.p, raw.n, true) < 0)
		url_encode(out, raw.p, raw.n, false); /* malformed %: take it literally */
	else
		url_encode(out, scratch, n, false);
}

/*
 * Each name and value decoded and encoded again, sorted by name then value,
 * joined with '&'.  A presigned request leaves out X-Amz-Signature.
 */
static int canon_query(struct buf *out, const char *query, bool presigned)
{
	struct span q, k, v;
	struct buf enc = BUF_INIT(CANON_MAX);
	struct qpair *pairs = NULL;
	size_t *offs = NULL, np = 0, cap = 1, i, qn;
	char *scratch = NULL, name[64];
	int rc = CC_ELIMIT;

	if (query == NULL || (qn = strnlen(query, QUERY_MAX + 1)) == 0)
		return 0;
	if (qn > QUERY_MAX)
		return CC_ELIMIT;
	for (i = 0; i < qn; i++)
		cap += query[i] == '&';
	pairs = calloc(cap, sizeof(*pairs));
	offs = calloc(cap * 4, sizeof(*offs));
	scratch = malloc(qn + 1);
	if (pairs == NULL || offs == NULL || scratch == NULL)
		goto out;
	q = span_of(query, qn);
	while (query_next(&q, &k, &v) && np < cap) {
		if (presigned && query_name(name, k) && strcmp(name, "X-Amz-Signature") == 0)
			continue;
		offs[4 * np] = enc.len;
		put_reencoded(&enc, scratch, k);
		offs[4 * np + 1] = enc.len;
		put_reencoded(&enc, scratch, v);
		offs[4 * np + 2] = enc.len;
		np++;
	}
	if (buf_failed(&enc))
		goto out;
	/* buf_cstr: enc.ptr is NULL when every name and value is empty ("?=") */
	for (i = 0; i < np; i++) {
		pairs[i].name = buf_cstr(&enc) + offs[4 * i];
		pairs[i].nlen = offs[4 * i + 1] - offs[4 * i];
		pairs[i].val = buf_cstr(&enc) + offs[4 * i + 1];
		pairs[i].vlen = offs[4 * i + 2] - offs[4 * i + 1];
	}
	qsort(pairs, np, sizeof(*pairs), qpair_cmp);
	for (i = 0; i < np; i++) {
		if (i > 0)
			buf_putc(out, '&');
		buf_add(out, pairs[i].name, pairs[i].nlen);
		buf_putc(out, '=');
		buf_add(out, pairs[i].val, pairs[i].vlen);
	}
	rc = buf_failed(out) ? CC_ELIMIT : 0;
out:
	if (scratch)
		OPENSSL_cleanse(scratch, qn + 1);
	free(scratch);
	free(offs);
	free(pairs);
	buf_wipe_release(&enc);
	return rc;
}

/* Trims the ends and turns each run of white space into one space. */
static void put_trimall(struct buf *out, const char *v, size_t n)
{
	bool pending = false, started = false;

	for (size_t i = 0; i < n; i++) {
		if (is_space(v[i])) {
			pending = started;
			continue;
		}
		if (pending)
			buf_putc(out, ' ');
		buf_putc(out, v[i]);
		pending = false;
		started = true;
	}
}

/* true if the header name hname (any case) is lname (lower case) */
static bool name_is(const char *hname, struct span lname)
{
	for (size_t c = 0; c < lname.n; c++) {
		char x = hname[c];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != lname.p[c])
			return false;
	}
	return true;
}

/* "name:v1,v2\n" for each signed header, in the order of SignedHeaders */
static int canon_headers(struct buf *out, const struct sigv4_auth *a,
			 const struct sigv4_request *req)
{
	const char *sh = a->signed_headers;
	size_t shn = strnlen(sh, SIGV4_SIGNED_HEADERS_MAX + 1), i, start = 0;

	if (shn > SIGV4_SIGNED_HEADERS_MAX)
		return CC_ELIMIT;
	for (i = 0; i <= shn; i++) {
		struct span name;
		bool first = true;

		if (i < shn && sh[i] != ';')
			continue;
		name = span_of(sh + start, i - start);
		start = i + 1;
		buf_add(out, name.p, name.n);
		buf_putc(out, ':');
		for (size_t h = 0; h < req->nheaders; h++) {
			const struct sigv4_header *hd = &req->headers[h];
			size_t nn, vn;

			if (hd->name == NULL || hd->value == NULL)
				continue;
			nn = strnlen(hd->name, HEADER_NAME_MAX);
			if (nn != name.n || !name_is(hd->name, name))
				continue;
			vn = strnlen(hd->value, VALUE_MAX + 1);
			if (vn > VALUE_MAX)
				return CC_ELIMIT;
			if (!first)
				buf_putc(out, ',');
			put_trimall(out, hd->value, vn);
			first = false;
		}
		buf_putc(out, '\n');
		if (out->len > CANON_MAX)
			return CC_ELIMIT;
	}
	return buf_failed(out) ? CC_ELIMIT : 0;
}

/* x-amz-content-sha256 as sent, else the SHA-256 of the body in hex */
static int payload_hash(struct buf *out, const struct sigv4_request *req)
{
	const char *v;
	unsigned char md[32];
	char hex[65];

	if (header_find(req, "x-amz-content-sha256", &v) > 0) {
		struct span s = span_trim(span_of(v, strnlen(v, 128)));

		return buf_add(out, s.p, s.n);
	}
	if (req->body_len == 0)
		return buf_puts(out, EMPTY_SHA256);
	if (sha256(md, req->body, req->body_len) < 0)
		return CC_ERROR;
	hex_encode(hex, md, sizeof(md));
	return buf_add(out, hex, 64);
}

/* An x-amz-content-sha256 other than UNSIGNED-PAYLOAD must be the body's hash. */
static int check_payload(const struct sigv4_request *req, struct err *e)
{
	const char *v;
	unsigned char md[32];
	char hex[65];
	struct span s;

	if (header_find(req, "x-amz-content-sha256", &v) == 0)
		return 0;
	s = span_trim(span_of(v, strnlen(v, 128)));
	if (span_eq(s, UNSIGNED_PAYLOAD))
		return 0;
	if (sha256(md, req->body_len ? req->body : "", req->body_len) < 0)
		return err_set(e, CC_ERROR, NULL, "sha256 failed");
	hex_encode(hex, md, sizeof(md));
	if (!span_eq_nocase(s, hex))
		return fail(e, 403, "SignatureDoesNotMatch",
			    "The provided 'x-amz-content-sha256' header does not match what was "
			    "computed.");
	return 0;
}

int sigv4_canonical_request(struct buf *out, const struct sigv4_auth *a,
			    const struct sigv4_request *req, struct err *e)
{
	size_t mn = req->method ? strnlen(req->method, METHOD_MAX + 1) : 0;
	int rc;

	if (mn == 0 || mn > METHOD_MAX)
		return fail(e, 400, "IncompleteSignature", "The request method is malformed");
	buf_grow(out, 1024); /* one allocation for a typical request */
	for (size_t i = 0; i < mn; i++) {
		char c = req->method[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf_putc(out, c);
	}
	buf_putc(out, '\n');
	if ((rc = canon_uri(out, req->raw_path ? req->raw_path : "")) < 0)
		goto too_big;
	buf_putc(out, '\n');
	if ((rc = canon_query(out, req->raw_query, a->presigned != 0)) < 0)
		goto too_big;
	buf_putc(out, '\n');
	if ((rc = canon_headers(out, a, req)) < 0)
		goto too_big;
	buf_putc(out, '\n');
	buf_puts(out, a->signed_headers);
	buf_putc(out, '\n');
	if ((rc = payload_hash(out, req)) == CC_ERROR)
		return err_set(e, CC_ERROR, NULL, "sha256 failed");
	if (buf_failed(out) || out->len > CANON_MAX)
		goto too_big;
	return 0;
too_big:
	return fail(e, 403, "SignatureDoesNotMatch",
		    "The request is too large to canonicalize for signature verification");
}

int sigv4_string_to_sign(struct buf *out, const struct sigv4_auth *a,
			 const char *canonical_request, size_t canonical_len, struct err *e)
{
	unsigned char md[32];
	char hex[65];

	if (sha256(md, canonical_request, canonical_len) < 0)
		return err_set(e, CC_ERROR, NULL, "sha256 failed");
	hex_encode(hex, md, sizeof(md));
	/* appended piece by piece: printf costs more than the hashing here */
	buf_puts(out, SIGV4_ALGORITHM "\n");
	buf_puts(out, a->amz_date);
	buf_putc(out, '\n');
	buf_puts(out, a->date);
	buf_putc(out, '/');
	buf_puts(out, a->region);
	buf_putc(out, '/');
	buf_puts(out, a->service);
	buf_puts(out, "/aws4_request\n");
	buf_add(out, hex, 64);
	return buf_failed(out) ? err_oom(e) : 0;
}

/* ---- keys and signatures ---------------------------------------------------- */

static int derive_key(unsigned char key[32], const char *secret, size_t slen, const char *date,
		      const char *region, const char *service)
{
	unsigned char k1[32], k2[32], kbuf[4 + SECRET_MAX];
	int rc = CC_ERROR;

	if (slen > SECRET_MAX)
		return CC_EINVAL;
	memcpy(kbuf, "AWS4", 4);
	memcpy(kbuf + 4, secret, slen);
	if (hmac(k1, kbuf, 4 + slen, date, strlen(date)) < 0 ||
	    hmac(k2, k1, 32, region, strlen(region)) < 0 ||
	    hmac(k1, k2, 32, service, strlen(service)) < 0 ||
	    hmac(key, k1, 32, "aws4_request", 12) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(kbuf, sizeof(kbuf));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

static int signing_key(unsigned char key[32], const struct sigv4_auth *a, const char *secret,
		       size_t slen, struct sigv4_key_cache *cache)
{
	unsigned char fp[32];
	int rc;

	if (cache == NULL)
		return derive_key(key, secret, slen, a->date, a->region, a->service);
	if (sha256(fp, secret, slen) < 0)
		return CC_ERROR;
	if (cache_get(cache, a, fp, key)) {
		OPENSSL_cleanse(fp, sizeof(fp));
		return 0;
	}
	rc = derive_key(key, secret, slen, a->date, a->region, a->service);
	if (rc == 0)
		cache_put(cache, a, fp, key);
	OPENSSL_cleanse(fp, sizeof(fp));
	return rc;
}

static int compute_signature(char sig[65], const struct sigv4_auth *a,
			     const struct sigv4_request *req, const char *secret, size_t slen,
			     struct sigv4_key_cache *cache, struct err *e)
{
	struct buf cr = BUF_INIT(CANON_MAX + 1024), sts = BUF_INIT(4096);
	unsigned char key[32], mac[32];
	int rc;

	if ((rc = sigv4_canonical_request(&cr, a, req, e)) < 0 ||
	    (rc = sigv4_string_to_sign(&sts, a, buf_cstr(&cr), cr.len, e)) < 0)
		goto out;
	rc = signing_key(key, a, secret, slen, cache);
	if (rc == CC_EINVAL) {
		rc = err_set(e, CC_EINVAL, NULL, "the secret access key is too long");
		goto out;
	}
	if (rc < 0 || hmac(mac, key, 32, sts.ptr, sts.len) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "hmac-sha256 failed");
		goto out;
	}
	hex_encode(sig, mac, sizeof(mac));
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_wipe_release(&cr); /* may hold a session token */
	buf_release(&sts);
	return rc;
}

int sigv4_verify(const struct sigv4_auth *a, const struct sigv4_request *req,
		 const char *secret, size_t secret_len, struct sigv4_key_cache *cache,
		 struct err *e)
{
	char sig[65];
	int rc;

	if (strnlen(a->signature, sizeof(a->signature)) != 64)
		return fail_mismatch(e);
	if ((rc = check_payload(req, e)) < 0)
		return rc;
	if ((rc = compute_signature(sig, a, req, secret, secret_len, cache, e)) < 0)
		return rc;
	rc = CRYPTO_memcmp(sig, a->signature, 64) == 0 ? 0 : fail_mismatch(e);
	OPENSSL_cleanse(sig, sizeof(sig));
	return rc;
}

int sigv4_sign(struct buf *authorization, const struct sigv4_request *req,
	       const char *access_key_id, const char *secret, const char *amz_date,
	       const char *region, const char *service, const char *signed_headers,
	       struct err *e)
{
	struct sigv4_auth *a;
	struct buf cred = BUF_INIT(512);
	char sig[65];
	int rc = CC_EINVAL;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_oom(e);
	if (strnlen(amz_date, 17) != 16 || time_parse_amz(&a->request_time, amz_date, 16) < 0) {
		rc = err_set(e, CC_EINVAL, NULL, "amz_date must be YYYYMMDDTHHMMSSZ");
		goto out;
	}
	memcpy(a->amz_date, amz_date, 17);
	buf_printf(&cred, "%s/%.8s/%s/%s/aws4_request", access_key_id, amz_date, region, service);
	if (buf_failed(&cred) || parse_credential(a, span_of(cred.ptr, cred.len), e) < 0 ||
	    parse_signed_headers(a, span_cstr(signed_headers), e) < 0) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e ? e->msg : "bad input");
		rc = err_set(e, CC_EINVAL, NULL, "cannot sign: %s", why);
		goto out;
	}
	if ((rc = compute_signature(sig, a, req, secret, strlen(secret), NULL, e)) < 0)
		goto out;
	buf_printf(authorization, SIGV4_ALGORITHM " Credential=%s, SignedHeaders=%s, Signature=%s",
		   buf_cstr(&cred), a->signed_headers, sig);
	rc = buf_failed(authorization) ? err_oom(e) : 0;
out:
	buf_release(&cred);
	free(a);
	return rc;
}

int sigv4_git_password(char out[SIGV4_GIT_PASSWORD_LEN + 1], const char *secret,
		       size_t secret_len, const char *amz_date, const char *region,
		       const char *host, const char *path, struct err *e)
{
	struct buf cr = BUF_INIT(GIT_PATH_MAX + GIT_HOST_MAX + 64), sts = BUF_INIT(512);
	unsigned char md[32], key[32], mac[32];
	char hex[65], date[9];
	int64_t t;
	int rc = CC_EINVAL;

	if (strnlen(amz_date, 17) != 16 || time_parse_amz(&t, amz_date, 16) < 0)
		return err_set(e, CC_EINVAL, NULL, "amz_date must be YYYYMMDDTHHMMSSZ");
	if (strnlen(host, GIT_HOST_MAX + 1) > GIT_HOST_MAX ||
	    strnlen(path, GIT_PATH_MAX + 1) > GIT_PATH_MAX || strchr(host, '\n') ||
	    strchr(path, '\n') || strnlen(region, SIGV4_SCOPE_PART_MAX + 1) > SIGV4_SCOPE_PART_MAX)
		return err_set(e, CC_EINVAL, NULL, "host, path or region is malformed");
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	buf_printf(&cr, "GIT\n%s\n\nhost:%s\n\nhost\n", path, host);
	if (buf_failed(&cr) || sha256(md, cr.ptr, cr.len) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "cannot hash the canonical request");
		goto out;
	}
	hex_encode(hex, md, sizeof(md));
	/* the credential helper's timestamp has no 'Z' in the string to sign */
	buf_printf(&sts, SIGV4_ALGORITHM "\n%.15s\n%s/%s/codecommit/aws4_request\n%s", amz_date,
		   date, region, hex);
	if (buf_failed(&sts) ||
	    (rc = derive_key(key, secret, secret_len, date, region, "codecommit")) < 0 ||
	    hmac(mac, key, 32, sts.ptr, sts.len) < 0) {
		rc = err_set(e, rc == CC_EINVAL ? CC_EINVAL : CC_ERROR, NULL,
			     "cannot compute the git password");
		goto out;
	}
	memcpy(out, amz_date, 16);
	hex_encode(out + 16, mac, sizeof(mac));
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_release(&cr);
	buf_release(&sts);
	return rc;
}

int sigv4_git_verify(const char *password, size_t password_len, const char *secret,
		     size_t secret_len, const char *region, const char *host, const char *path,
		     int64_t now, struct err *e)
{
	char want[SIGV4_GIT_PASSWORD_LEN + 1], date[17];
	struct sigv4_auth t;
	int rc;

	if (password_len != SIGV4_GIT_PASSWORD_LEN)
		return fail_mismatch(e);
	memcpy(date, password, 16);
	date[16] = '\0';
	memset(&t, 0, sizeof(t));
	if (time_parse_amz(&t.request_time, date, 16) < 0)
		return fail_mismatch(e);
	memcpy(t.amz_date, date, 17);
	if ((rc = sigv4_check_time(&t, now, e)) < 0)
		return rc;
	if ((rc = sigv4_git_password(want, secret, secret_len, date, region, host, path, e)) < 0)
		return rc;
	rc = CRYPTO_memcmp(want, password, SIGV4_GIT_PASSWORD_LEN) == 0 ? 0 : fail_mismatch(e);
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* ---- the derived key cache --------------------------------------------------- */

struct cache_entry {
	int used;
	int next;                         /* next index in the bucket chain, -1 at the end */
	uint64_t hash;                    /* of key id, date, region, service */
	char key_id[SIGV4_KEY_ID_MAX + 1];
	char date[9];
	char region[SIGV4_SCOPE_PART_MAX + 1];
	char service[SIGV4_SCOPE_PART_MAX + 1];
	unsigned char secret_fp[32];      /* SHA-256 of the secret */
	unsigned char key[32];            /* the derived signing key */
};

struct sigv4_key_cache {
	pthread_mutex_t lock;
	struct cache_entry *entries; /* max entries, filled as a ring: oldest first out */
	int *buckets;                /* nbuckets heads, -1 empty */
	size_t max, nbuckets, ring;  /* ring: the slot the next insertion takes */
	uint64_t hits, misses;
};

static uint64_t cache_hash(const struct sigv4_auth *a)
{
	const char *parts[4] = {a->access_key_id, a->date, a->region, a->service};
	uint64_t h = HASH_SEED;

	for (size_t i = 0; i < 4; i++)
		h = (hash_str(h, parts[i]) ^ 0xff) * 1099511628211ULL; /* 0xff: a separator */
	return h;
}

struct sigv4_key_cache *sigv4_key_cache_new(size_t max_entries)
{
	struct sigv4_key_cache *c;
	size_t i;

	if (max_entries == 0)
		max_entries = CACHE_DEFAULT;
	if (max_entries > CACHE_LIMIT)
		max_entries = CACHE_LIMIT;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max = max_entries;
	for (c->nbuckets = 16; c->nbuckets < 2 * max_entries; c->nbuckets *= 2)
		;
	c->entries = calloc(c->max, sizeof(*c->entries));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	if (c->entries == NULL || c->buckets == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->entries);
		free(c->buckets);
		free(c);
		return NULL;
	}
	for (i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	return c;
}

void sigv4_key_cache_free(struct sigv4_key_cache *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c->entries, c->max * sizeof(*c->entries));
	free(c->entries);
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void sigv4_key_cache_stats(struct sigv4_key_cache *c, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&c->lock);
	if (hits)
		*hits = c->hits;
	if (misses)
		*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}

static bool entry_matches(const struct cache_entry *en, const struct sigv4_auth *a, uint64_t h,
			  const unsigned char fp[32])
{
	return en->hash == h && strcmp(en->key_id, a->access_key_id) == 0 &&
	       strcmp(en->date, a->date) == 0 && strcmp(en->region, a->region) == 0 &&
	       strcmp(en->service, a->service) == 0 &&
	       CRYPTO_memcmp(en->secret_fp, fp, 32) == 0;
}

static bool cache_get(struct sigv4_key_cache *c, const struct sigv4_auth *a,
		      const unsigned char fp[32], unsigned char key[32])
{
	uint64_t h = cache_hash(a);
	bool found = false;
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = c->buckets[h & (c->nbuckets - 1)]; i >= 0; i = c->entries[i].next) {
		if (entry_matches(&c->entries[i], a, h, fp)) {
			memcpy(key, c->entries[i].key, 32);
			found = true;
			break;
		}
	}
	if (found)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return found;
}

static void cache_unlink(struct sigv4_key_cache *c, int slot)
{
	int *pp = &c->buckets[c->entries[slot].hash & (c->nbuckets - 1)];

	while (*pp >= 0 && *pp != slot)
		pp = &c->entries[*pp].next;
	if (*pp == slot)
		*pp = c->entries[slot].next;
	OPENSSL_cleanse(&c->entries[slot], sizeof(c->entries[slot]));
}

static void cache_put(struct sigv4_key_cache *c, const struct sigv4_auth *a,
		      const unsigned char fp[32], const unsigned char key[32])
{
	uint64_t h = cache_hash(a);
	struct cache_entry *en;
	int slot, i;

	pthread_mutex_lock(&c->lock);
	/* another thread may have derived the same key meanwhile */
	for (i = c->buckets[h & (c->nbuckets - 1)]; i >= 0; i = c->entries[i].next)
		if (entry_matches(&c->entries[i], a, h, fp))
			goto out;
	slot = (int)c->ring;
	c->ring = (c->ring + 1) % c->max;
	if (c->entries[slot].used)
		cache_unlink(c, slot); /* evicts the oldest entry */
	en = &c->entries[slot];
	en->used = 1;
	en->hash = h;
	memcpy(en->key_id, a->access_key_id, sizeof(en->key_id));
	memcpy(en->date, a->date, sizeof(en->date));
	memcpy(en->region, a->region, sizeof(en->region));
	memcpy(en->service, a->service, sizeof(en->service));
	memcpy(en->secret_fp, fp, 32);
	memcpy(en->key, key, 32);
	en->next = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = slot;
out:
	pthread_mutex_unlock(&c->lock);
}
