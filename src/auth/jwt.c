/*
 * jwt.c - verifies an OpenID Connect ID token (a JWT in JWS compact form,
 * RFC 7515/7519) against its provider's JWKS (RFC 7517): the shapes of the
 * three parts and the signature, RS256/384/512 or ES256/384.
 *
 * It does not check claims (iss, aud, exp, nbf are the caller's), never
 * fetches anything and never uses a key the token brings itself (jwk, jku,
 * x5u).  HMAC algorithms are refused (a public JWKS is no shared secret), and
 * so is "none".  Every input is hostile and bounded.  Contract: auth.h.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "auth/auth.h"

#define TOKEN_ERR "InvalidIdentityToken"
#define JWKS_MAX (256 * 1024) /* bytes of a JWKS document */
#define JWKS_KEYS_MAX 100     /* keys in one: each may cost a verification */
#define HEADER_MAX 4096       /* bytes of a decoded header */
#define SIG_MAX 1024          /* bytes of a signature: RSA-8192 */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define RSA_E_MAX 8           /* bytes of a public exponent */
#define EC_COORD_MAX 48       /* bytes of a P-384 coordinate */
#define SHOWN_MAX 64          /* characters of a token's or JWKS's text quoted */

/* one accepted "alg" and what it needs of a key */
struct jwt_alg {
	const char *name; /* the JWS name */
	const char *md;   /* OpenSSL's digest name */
	const char *kty;  /* the JWK key type it needs */
	const char *crv;  /* EC: the JWK curve, also OpenSSL's group name; RSA: NULL */
	size_t half;      /* EC: bytes of r and of s in the signature; RSA: 0 */
};

static const struct jwt_alg jwt_algs[] = {
	{"RS256", "SHA256", "RSA", NULL, 0},
	{"RS384", "SHA384", "RSA", NULL, 0},
	{"RS512", "SHA512", "RSA", NULL, 0},
	{"ES256", "SHA256", "EC", "P-256", 32},
	{"ES384", "SHA384", "EC", "P-384", 48},
};

/* a token taken apart; alg and kid point into header */
struct jws {
	struct span part[3];       /* header, payload and signature as sent */
	struct span input;         /* header "." payload: what was signed */
	json_t *header;            /* owned */
	const struct jwt_alg *alg;
	const char *kid;           /* the header's kid, or NULL */
	unsigned char *sig;        /* owned, siglen bytes */
	size_t siglen;
};

/* what trying the JWKS's keys found, for the message when none verified */
struct tried {
	size_t n;                 /* keys that fit and were tried */
	char last[SHOWN_MAX + 8]; /* the name of the last of them */
	struct err unusable;      /* the first fitting key that could not be built */
	struct err skipped;       /* why a key with the token's kid was passed over */
};

static const char *jwt__shown(char *out, size_t outsz, const char *s);
static int jwks__malformed(struct err *e, const char *fmt, ...) CC_PRINTF(2, 3);
static int jwt__split(struct jws *j, const char *token, size_t n, struct err *e);
static int jwt__decode(unsigned char **out, size_t *outlen, struct span s, size_t max,
		       const char *what, struct err *e);
static int jwt__object(json_t **out, struct span s, size_t max, const char *what,
		       struct err *e);
static int jwt__header(struct jws *j, struct err *e);
static int jwt__alg_refused(const char *alg, struct err *e);
static int jwt__signature(struct jws *j, struct err *e);
static int jwks__keys(json_t **root, const json_t **keys, const char *jwks, size_t len,
		      struct err *e);
static int jwt__check(const struct jws *j, const json_t *keys, struct err *e);
static int jwt__none_verified(const struct jws *j, const struct tried *t, struct err *e);
static int jwk__member(const char **out, const json_t *k, size_t idx, const char *name,
		       struct err *e);
static void jwk__name(char *out, size_t outsz, const json_t *k, size_t idx);
static int jwk__fits(const json_t *k, size_t idx, const struct jws *j, struct tried *t,
		     struct err *e);
static int jwk__verify(const json_t *k, const char *name, const struct jws *j, struct err *e);
static int jwk__bytes(unsigned char *out, size_t outsz, size_t *outlen, const json_t *k,
		      const char *member, const char *name, struct err *e);
static int jwk__rsa(EVP_PKEY **out, const json_t *k, const char *name, struct err *e);
static int jwk__ec(EVP_PKEY **out, const json_t *k, const char *name, const struct jwt_alg *alg,
		   struct err *e);
static int jwk__pkey(EVP_PKEY **out, const char *type, OSSL_PARAM_BLD *bld, const char *name,
		     struct err *e);
static int jwt__verify_with(EVP_PKEY *pk, const struct jws *j, struct err *e);
static int jwt__ecdsa_der(unsigned char **der, size_t *derlen, const unsigned char *rs,
			  size_t half);

int jwt_verify(json_t **claims, const char *token, size_t n, const char *jwks, size_t jwks_len,
	       struct err *e)
{
	struct jws j;
	json_t *payload = NULL, *set = NULL;
	const json_t *keys = NULL;
	int rc;

	assert(claims != NULL);
	*claims = NULL;
	memset(&j, 0, sizeof(j));
	/* the token first: its faults are the caller's, cheap to find, and
	 * need no key */
	if ((rc = jwt__split(&j, token, n, e)) < 0 || (rc = jwt__header(&j, e)) < 0 ||
	    (rc = jwt__object(&payload, j.part[1], JWT_MAX, "payload", e)) < 0 ||
	    (rc = jwt__signature(&j, e)) < 0 ||
	    (rc = jwks__keys(&set, &keys, jwks, jwks_len, e)) < 0 ||
	    (rc = jwt__check(&j, keys, e)) < 0)
		goto out;
	*claims = payload;
	payload = NULL; /* handed to the caller */
	rc = 0;
out:
	ERR_clear_error(); /* failed verifications leave OpenSSL errors queued */
	json_decref(payload);
	json_decref(set);
	json_decref(j.header);
	free(j.sig);
	return rc;
}

int jwt_peek(json_t **claims, const char *token, size_t n, struct err *e)
{
	struct jws j;
	int rc;

	*claims = NULL;
	memset(&j, 0, sizeof(j));
	if ((rc = jwt__split(&j, token, n, e)) == 0)
		rc = jwt__object(claims, j.part[1], JWT_MAX, "payload", e);
	return rc;
}

/* s made fit to quote in a message: printable ASCII, at most SHOWN_MAX characters */
static const char *jwt__shown(char *out, size_t outsz, const char *s)
{
	size_t i;

	assert(outsz > SHOWN_MAX + 3);
	for (i = 0; s[i] && i < SHOWN_MAX; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\') ? s[i] : '?';
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int jwks__malformed(struct err *e, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(e, CC_EINVAL, TOKEN_ERR, "the provider's JWKS is malformed: %s", why);
}

/* ---- the token ------------------------------------------------------------ */

static int jwt__split(struct jws *j, const char *token, size_t n, struct err *e)
{
	size_t i, parts = 0, start = 0;

	if (token == NULL || n == 0)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the web identity token is empty");
	if (n > JWT_MAX)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the web identity token is longer than %d characters", JWT_MAX);
	for (i = 0; i <= n; i++) {
		if (i < n && token[i] != '.')
			continue;
		if (parts < 3)
			j->part[parts] = span_of(token + start, i - start);
		parts++;
		start = i + 1;
	}
	if (parts == 5)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the web identity token has 5 parts: an encrypted token (JWE) is "
			       "not supported, only a signed one (header.payload.signature)");
	if (parts != 3)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the web identity token has %zu parts, not 3 "
			       "(header.payload.signature, each base64url)", parts);
	j->input = span_of(token, j->part[0].n + 1 + j->part[1].n);
	return 0;
}

/* one part's bytes (caller frees); what names the part in messages */
static int jwt__decode(unsigned char **out, size_t *outlen, struct span s, size_t max,
		       const char *what, struct err *e)
{
	size_t cap = s.n * 3 / 4; /* what s.n characters hold (s.n <= JWT_MAX) */
	long m;

	*out = NULL;
	if (cap > max)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's %s is longer than %zu bytes",
			       what, max);
	if ((*out = malloc(cap ? cap : 1)) == NULL)
		return err_oom(e);
	if ((m = b64url_decode(*out, cap, s.p, s.n)) < 0) {
		free(*out);
		*out = NULL;
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the token's %s is not base64url (A-Z a-z 0-9 - _, no padding)",
			       what);
	}
	*outlen = (size_t)m;
	return 0;
}

/* one part decoded and parsed: *out is a JSON object */
static int jwt__object(json_t **out, struct span s, size_t max, const char *what,
		       struct err *e)
{
	unsigned char *raw;
	json_error_t jerr;
	size_t len;
	int rc;

	if ((rc = jwt__decode(&raw, &len, s, max, what, e)) < 0)
		return rc;
	/* a name twice is refused: two readers must not see two algs or subs */
	*out = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, &jerr);
	free(raw);
	if (*out == NULL && json_error_code(&jerr) == json_error_duplicate_key)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's %s has a name twice", what);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's %s is not a JSON object",
			       what);
	}
	return 0;
}

static int jwt__header(struct jws *j, struct err *e)
{
	const json_t *alg, *kid;
	size_t i;
	int rc;

	if ((rc = jwt__object(&j->header, j->part[0], HEADER_MAX, "header", e)) < 0)
		return rc;
	if ((alg = json_object_get(j->header, "alg")) == NULL)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's header has no alg");
	if (!json_is_string(alg))
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's alg is not a string");
	for (i = 0; i < ARRAY_SIZE(jwt_algs) && j->alg == NULL; i++)
		if (strcmp(json_string_value(alg), jwt_algs[i].name) == 0)
			j->alg = &jwt_algs[i];
	if (j->alg == NULL)
		return jwt__alg_refused(json_string_value(alg), e);
	/* RFC 7515 4.1.11: extensions named critical must be understood, and
	 * this verifier understands none */
	if (json_object_get(j->header, "crit") != NULL)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the token's header names critical extensions (crit), which are "
			       "not supported");
	if ((kid = json_object_get(j->header, "kid")) != NULL) {
		if (!json_is_string(kid))
			return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's kid is not a string");
		j->kid = json_string_value(kid);
	}
	return 0;
}

static int jwt__alg_refused(const char *alg, struct err *e)
{
	char shown[SHOWN_MAX + 4];
	const char *why = "";

	if (strcmp(alg, "none") == 0)
		why = " (an unsigned token)";
	else if (alg[0] == 'H' && alg[1] == 'S')
		why = " (a shared-secret MAC)";
	return err_set(e, CC_EINVAL, TOKEN_ERR,
		       "the token's alg \"%s\"%s is not allowed: only RS256, RS384, RS512, ES256 "
		       "and ES384 are", jwt__shown(shown, sizeof(shown), alg), why);
}

static int jwt__signature(struct jws *j, struct err *e)
{
	int rc;

	if ((rc = jwt__decode(&j->sig, &j->siglen, j->part[2], SIG_MAX, "signature", e)) < 0)
		return rc;
	/* ES*: the fixed-size r||s of RFC 7518 3.4, not DER; RSA's length is
	 * the key's, checked against each key */
	if (j->alg->half && j->siglen != 2 * j->alg->half)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the token's %s signature is %zu bytes; it must be %zu (r and s)",
			       j->alg->name, j->siglen, 2 * j->alg->half);
	if (j->siglen == 0)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the token's signature is empty");
	return 0;
}

/* ---- the key set ---------------------------------------------------------- */

/* *root owns the document; *keys is its "keys" array, every member an object */
static int jwks__keys(json_t **root, const json_t **keys, const char *jwks, size_t len,
		      struct err *e)
{
	char shown[SHOWN_MAX + 4];
	json_error_t jerr;
	const json_t *k;
	size_t i;

	if (jwks == NULL || len == 0)
		return jwks__malformed(e, "it is empty");
	if (len > JWKS_MAX)
		return jwks__malformed(e, "it is larger than %d bytes", JWKS_MAX);
	if ((*root = json_loadb(jwks, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return jwks__malformed(e, "not JSON (line %d, column %d: %s)", jerr.line,
				       jerr.column, jwt__shown(shown, sizeof(shown), jerr.text));
	if (!json_is_object(*root))
		return jwks__malformed(e, "not a JSON object");
	*keys = json_object_get(*root, "keys");
	if (!json_is_array(*keys))
		return jwks__malformed(e, "no \"keys\" array");
	if (json_array_size(*keys) == 0)
		return err_set(e, CC_EINVAL, TOKEN_ERR, "the provider's JWKS has no keys");
	if (json_array_size(*keys) > JWKS_KEYS_MAX)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the provider's JWKS has %zu keys; at most %d are read",
			       json_array_size(*keys), JWKS_KEYS_MAX);
	json_array_foreach(*keys, i, k)
		if (!json_is_object(k))
			return jwks__malformed(e, "key #%zu is not a JSON object", i);
	return 0;
}

/* tries each key that fits the token: 0 when one verifies the signature */
static int jwt__check(const struct jws *j, const json_t *keys, struct err *e)
{
	struct err ke = ERR_INIT;
	struct tried t;
	const json_t *k;
	size_t i;
	int rc;

	memset(&t, 0, sizeof(t));
	json_array_foreach(keys, i, k) {
		char name[SHOWN_MAX + 8];

		if ((rc = jwk__fits(k, i, j, &t, e)) < 0)
			return rc;
		if (rc == 0)
			continue;
		jwk__name(name, sizeof(name), k, i);
		err_clear(&ke);
		if ((rc = jwk__verify(k, name, j, &ke)) == 1)
			return 0;
		if (rc == CC_ERROR) {
			if (e)
				*e = ke;
			return rc;
		}
		if (rc < 0) {
			if (t.unusable.code == 0)
				t.unusable = ke;
			continue;
		}
		t.n++;
		snprintf(t.last, sizeof(t.last), "%s", name);
	}
	return jwt__none_verified(j, &t, e);
}

/* the most useful message when no key verified the signature */
static int jwt__none_verified(const struct jws *j, const struct tried *t, struct err *e)
{
	char shown[SHOWN_MAX + 4];
	const struct jwt_alg *a = j->alg;

	if (t->n == 1)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the token's signature does not verify with the provider's key %s",
			       t->last);
	if (t->n > 1)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "the token's signature does not verify with any of the provider's "
			       "%zu %s keys", t->n, a->kty);
	if (t->unusable.code || t->skipped.code) {
		if (e)
			*e = t->unusable.code ? t->unusable : t->skipped;
		return CC_EINVAL;
	}
	if (j->kid)
		return err_set(e, CC_EINVAL, TOKEN_ERR,
			       "no key in the provider's JWKS has the token's kid \"%s\"",
			       jwt__shown(shown, sizeof(shown), j->kid));
	return err_set(e, CC_EINVAL, TOKEN_ERR,
		       "no key in the provider's JWKS can verify %s: it needs an %s%s%s key",
		       a->name, a->kty, a->crv ? " " : "", a->crv ? a->crv : "");
}

/* ---- one key ---------------------------------------------------------------- */

/* *out is k's string member name, or NULL when k has none */
static int jwk__member(const char **out, const json_t *k, size_t idx, const char *name,
		       struct err *e)
{
	const json_t *v = json_object_get(k, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return jwks__malformed(e, "key #%zu's %s is not a string", idx, name);
	*out = json_string_value(v);
	return 0;
}

/* how messages name a key: its kid, else its place in the set */
static void jwk__name(char *out, size_t outsz, const json_t *k, size_t idx)
{
	const char *kid = json_string_value(json_object_get(k, "kid"));
	char shown[SHOWN_MAX + 4];

	if (kid)
		snprintf(out, outsz, "\"%s\"", jwt__shown(shown, sizeof(shown), kid));
	else
		snprintf(out, outsz, "#%zu", idx);
}

/*
 * 1 when k may verify j: the same kid (if the token names one), a type and
 * curve that fit the alg, and no "use" or "alg" that rule it out.  0 when
 * not: t->skipped says why if k had the token's kid.  <0 for a key whose
 * members are not strings.
 */
static int jwk__fits(const json_t *k, size_t idx, const struct jws *j, struct tried *t,
		     struct err *e)
{
	const struct jwt_alg *a = j->alg;
	const char *kid, *kty, *use, *alg, *crv;
	char name[SHOWN_MAX + 8], shown[SHOWN_MAX + 4];
	struct err *why = t->skipped.code ? NULL : &t->skipped;

	if (jwk__member(&kid, k, idx, "kid", e) < 0 || jwk__member(&kty, k, idx, "kty", e) < 0 ||
	    jwk__member(&use, k, idx, "use", e) < 0 || jwk__member(&alg, k, idx, "alg", e) < 0 ||
	    jwk__member(&crv, k, idx, "crv", e) < 0)
		return CC_EINVAL;
	if (kty == NULL)
		return jwks__malformed(e, "key #%zu has no kty", idx);
	if (j->kid && (kid == NULL || strcmp(kid, j->kid) != 0))
		return 0;
	if (j->kid == NULL)
		why = NULL; /* without a kid, a key that does not fit is no news */
	jwk__name(name, sizeof(name), k, idx);
	if (use && strcmp(use, "sig") != 0) {
		err_set(why, CC_EINVAL, TOKEN_ERR,
			"the provider's key %s is not for signatures (its use is \"%s\")", name,
			jwt__shown(shown, sizeof(shown), use));
		return 0;
	}
	if (alg && strcmp(alg, a->name) != 0) {
		err_set(why, CC_EINVAL, TOKEN_ERR,
			"the provider's key %s is for alg \"%s\", but the token's alg is %s", name,
			jwt__shown(shown, sizeof(shown), alg), a->name);
		return 0;
	}
	if (strcmp(kty, a->kty) != 0 || (a->crv && (crv == NULL || strcmp(crv, a->crv) != 0))) {
		err_set(why, CC_EINVAL, TOKEN_ERR,
			"the provider's key %s is of type \"%s\"%s%s, which cannot verify %s "
			"(it needs an %s%s%s key)", name, jwt__shown(shown, sizeof(shown), kty),
			crv ? " on " : "", crv ? crv : "", a->name, a->kty, a->crv ? " " : "",
			a->crv ? a->crv : "");
		return 0;
	}
	return 1;
}

/* 1: k verifies j's signature; 0: it does not; CC_EINVAL: k cannot be used */
static int jwk__verify(const json_t *k, const char *name, const struct jws *j, struct err *e)
{
	EVP_PKEY *pk = NULL;
	int rc;

	if (j->alg->half)
		rc = jwk__ec(&pk, k, name, j->alg, e);
	else
		rc = jwk__rsa(&pk, k, name, e);
	if (rc < 0)
		return rc;
	rc = jwt__verify_with(pk, j, e);
	EVP_PKEY_free(pk);
	return rc;
}

/* k's base64url member, big-endian bytes of at most outsz */
static int jwk__bytes(unsigned char *out, size_t outsz, size_t *outlen, const json_t *k,
		      const char *member, const char *name, struct err *e)
{
	const json_t *v = json_object_get(k, member);
	long m;

	if (!json_is_string(v))
		return jwks__malformed(e, "key %s has no %s", name, member);
	if (json_string_length(v) * 3 / 4 > outsz)
		return jwks__malformed(e, "key %s's %s is longer than %zu bytes", name, member,
				       outsz);
	if ((m = b64url_decode(out, outsz, json_string_value(v), json_string_length(v))) <= 0)
		return jwks__malformed(e, "key %s's %s is empty or not base64url", name, member);
	*outlen = (size_t)m;
	return 0;
}

static int jwk__rsa(EVP_PKEY **out, const json_t *k, const char *name, struct err *e)
{
	unsigned char nb[RSA_MAX_BITS / 8 + 1], eb[RSA_E_MAX]; /* n may carry a 0 byte */
	BIGNUM *n = NULL, *x = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	size_t nl, el;
	int rc, bits;

	if ((rc = jwk__bytes(nb, sizeof(nb), &nl, k, "n", name, e)) < 0 ||
	    (rc = jwk__bytes(eb, sizeof(eb), &el, k, "e", name, e)) < 0)
		return rc;
	if ((n = BN_bin2bn(nb, (int)nl, NULL)) == NULL || (x = BN_bin2bn(eb, (int)el, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	bits = BN_num_bits(n);
	if (bits < RSA_MIN_BITS) {
		rc = err_set(e, CC_EINVAL, TOKEN_ERR,
			     "the provider's key %s is a %d-bit RSA key: at least %d bits are "
			     "required", name, bits, RSA_MIN_BITS);
	} else if (bits > RSA_MAX_BITS) {
		rc = err_set(e, CC_EINVAL, TOKEN_ERR,
			     "the provider's key %s is a %d-bit RSA key: at most %d bits are read",
			     name, bits, RSA_MAX_BITS);
	} else if (!BN_is_odd(n) || !BN_is_odd(x) || BN_num_bits(x) < 2) {
		/* an even modulus or e = 1 would make forgery easy */
		rc = jwks__malformed(e, "key %s is not a valid RSA public key", name);
	} else if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		   !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, x)) {
		rc = err_oom(e);
	} else {
		rc = jwk__pkey(out, "RSA", bld, name, e);
	}
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(x);
	return rc;
}

static int jwk__ec(EVP_PKEY **out, const json_t *k, const char *name, const struct jwt_alg *alg,
		   struct err *e)
{
	unsigned char pub[1 + 2 * EC_COORD_MAX], y[EC_COORD_MAX];
	OSSL_PARAM_BLD *bld;
	size_t xl, yl;
	int rc;

	/* the uncompressed point: 0x04, then x and y at the curve's full size
	 * (RFC 7518 6.2.1.2) */
	pub[0] = 4;
	if ((rc = jwk__bytes(pub + 1, EC_COORD_MAX, &xl, k, "x", name, e)) < 0 ||
	    (rc = jwk__bytes(y, sizeof(y), &yl, k, "y", name, e)) < 0)
		return rc;
	if (xl != alg->half || yl != alg->half)
		return jwks__malformed(e, "key %s's x and y are not %zu bytes each, as %s needs",
				       name, alg->half, alg->crv);
	memcpy(pub + 1 + xl, y, yl);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return err_oom(e);
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, alg->crv, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					      1 + 2 * alg->half))
		rc = err_oom(e);
	else
		rc = jwk__pkey(out, "EC", bld, name, e); /* refuses a point off the curve */
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

static int jwk__pkey(EVP_PKEY **out, const char *type, OSSL_PARAM_BLD *bld, const char *name,
		     struct err *e)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int rc = 0;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0)
		rc = err_oom(e);
	else if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		rc = jwks__malformed(e, "key %s is not a valid %s public key", name, type);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return rc;
}

/* ---- the signature ------------------------------------------------------------ */

/* 1 when pk verifies j's signature, 0 when not */
static int jwt__verify_with(EVP_PKEY *pk, const struct jws *j, struct err *e)
{
	const unsigned char *sig = j->sig;
	size_t siglen = j->siglen;
	unsigned char *der = NULL;
	EVP_MD_CTX *md = NULL;
	int rc = 0;

	/* RSASSA-PKCS1-v1_5 signatures are exactly as long as the modulus */
	if (j->alg->half == 0 && siglen != (size_t)EVP_PKEY_get_size(pk))
		return 0;
	if (j->alg->half) {
		if (jwt__ecdsa_der(&der, &siglen, j->sig, j->alg->half) < 0)
			return err_oom(e);
		sig = der;
	}
	if ((md = EVP_MD_CTX_new()) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	/* RSA keys default to PKCS #1 v1.5 padding, which RS* means */
	if (EVP_DigestVerifyInit_ex(md, NULL, j->alg->md, NULL, NULL, pk, NULL) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)j->input.p, j->input.n) == 1)
		rc = 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return rc;
}

/* JWS's r||s (two big-endian numbers of half bytes) as the DER OpenSSL verifies */
static int jwt__ecdsa_der(unsigned char **der, size_t *derlen, const unsigned char *rs,
			  size_t half)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *s = BN_bin2bn(rs + half, (int)half, NULL);
	int len;

	*der = NULL;
	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(s);
		return CC_ERROR;
	}
	/* sig owns r and s now */
	len = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	if (len <= 0)
		return CC_ERROR;
	*derlen = (size_t)len;
	return 0;
}
