/*
 * tests of src/auth/jwt.c: ID tokens signed here with keys made at test time
 * (RSA 2048 and 1024, EC P-256) against JWKS documents built from those
 * keys' parameters, and RFC 7515's own RS256 and ES256 examples.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "auth/auth.h"
#include "unit.h"

enum test_key { KEY_RSA, KEY_EC, KEY_RSA1024, KEY_COUNT };

/* made once for the whole run (RSA key generation is slow under ASan) and
 * reachable until exit */
static EVP_PKEY *test_keys[KEY_COUNT];

static EVP_PKEY *key(enum test_key which)
{
	if (test_keys[which] == NULL) {
		if (which == KEY_EC)
			test_keys[which] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		else
			test_keys[which] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
							     (size_t)(which == KEY_RSA ? 2048 : 1024));
	}
	return test_keys[which];
}

static void b64u(struct buf *out, const void *p, size_t n)
{
	char *enc = malloc(n / 3 * 4 + 8);

	if (enc == NULL)
		abort();
	b64url_encode(enc, n / 3 * 4 + 8, p, n);
	buf_puts(out, enc);
	free(enc);
}

static void b64s(struct buf *out, const char *s)
{
	b64u(out, s, strlen(s));
}

/* a JSON string member: the base64url of bn, left-padded to pad bytes (0: none) */
static void set_bn(json_t *o, const char *name, const BIGNUM *bn, int pad)
{
	unsigned char raw[1024];
	struct buf s = BUF_INIT(0);
	int n = pad ? BN_bn2binpad(bn, raw, pad) : BN_bn2bin(bn, raw);

	b64u(&s, raw, (size_t)n);
	json_object_set_new(o, name, json_string(buf_cstr(&s)));
	buf_release(&s);
}

/* the public JWK of pk, with kid if not NULL */
static json_t *jwk(EVP_PKEY *pk, const char *kid)
{
	json_t *o = json_object();
	BIGNUM *a = NULL, *b = NULL;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &a);
		EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &b);
		json_object_set_new(o, "kty", json_string("RSA"));
		set_bn(o, "n", a, 0);
		set_bn(o, "e", b, 0);
	} else {
		EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &a);
		EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &b);
		json_object_set_new(o, "kty", json_string("EC"));
		json_object_set_new(o, "crv", json_string("P-256"));
		set_bn(o, "x", a, 32);
		set_bn(o, "y", b, 32);
	}
	if (kid)
		json_object_set_new(o, "kid", json_string(kid));
	BN_free(a);
	BN_free(b);
	return o;
}

/* {"keys":[k1, k2]} (k2 may be NULL); takes the keys; caller frees */
static char *jwks_of(json_t *k1, json_t *k2)
{
	json_t *keys = json_array(), *set;
	char *s;

	json_array_append_new(keys, k1);
	if (k2)
		json_array_append_new(keys, k2);
	set = json_pack("{s:o}", "keys", keys);
	s = json_dumps(set, JSON_COMPACT);
	json_decref(set);
	return s;
}

/* JWS's r||s from OpenSSL's DER ECDSA signature */
static size_t der_to_raw(unsigned char *out, const unsigned char *der, size_t n)
{
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &der, (long)n);
	const BIGNUM *r, *s;

	if (sig == NULL)
		abort();
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, out, 32);
	BN_bn2binpad(s, out + 32, 32);
	ECDSA_SIG_free(sig);
	return 64;
}

/*
 * out = b64(header) "." b64(payload) "." b64(signature by pk with SHA-256);
 * flip != 0 flips that byte of the signature (counted from 1).
 */
static void sign(struct buf *out, EVP_PKEY *pk, const char *header, const char *payload,
		 size_t flip)
{
	unsigned char sig[1024], raw[64];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = sizeof(sig);

	buf_clear(out);
	b64s(out, header);
	buf_putc(out, '.');
	b64s(out, payload);
	if (md == NULL || EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, pk, NULL) != 1 ||
	    EVP_DigestSign(md, sig, &n, (const unsigned char *)out->ptr, out->len) != 1)
		abort();
	EVP_MD_CTX_free(md);
	if (EVP_PKEY_is_a(pk, "EC")) {
		n = der_to_raw(raw, sig, n);
		memcpy(sig, raw, n);
	}
	if (flip)
		sig[flip - 1] ^= 0x01;
	buf_putc(out, '.');
	b64u(out, sig, n);
}

static const char *const claims_json = "{\"iss\":\"https://idp.example.com\",\"sub\":\"alice\"}";

/* jwt_verify refuses token with InvalidIdentityToken and a message holding want */
static void refused(const char *token, const char *jwks, const char *want)
{
	struct err e = ERR_INIT;
	json_t *claims = (json_t *)1;
	const char *dot;

	CHECK_INT(jwt_verify(&claims, token, strlen(token), jwks, jwks ? strlen(jwks) : 0, &e),
		  CC_EINVAL);
	CHECK(claims == NULL);
	if (claims != NULL && claims != (json_t *)1)
		json_decref(claims);
	CHECK_INT(e.code, CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidIdentityToken");
	if (strstr(e.msg, want) == NULL) {
		fprintf(stderr, "  message: %s\n  wanted:  %s\n", e.msg, want);
		CHECK(strstr(e.msg, want) != NULL);
	}
	/* the message never quotes the token's parts */
	for (dot = token; dot; dot = strchr(dot, '.')) {
		char part[17];

		dot += *dot == '.';
		snprintf(part, sizeof(part), "%s", dot);
		if (strlen(part) == 16 && strchr(part, '.') == NULL)
			CHECK(strstr(e.msg, part) == NULL);
	}
}

static void verifies(const char *token, const char *jwks, const char *sub)
{
	struct err e = ERR_INIT;
	json_t *claims = NULL;

	if (jwt_verify(&claims, token, strlen(token), jwks, strlen(jwks), &e) != 0)
		fprintf(stderr, "  refused: %s\n", e.msg);
	REQUIRE(claims != NULL);
	CHECK(json_is_object(claims));
	CHECK_STR(json_string_value(json_object_get(claims, "sub")), sub);
	json_decref(claims);
}

void test_auth_jwt__rs256_and_es256_verify(void)
{
	struct buf t = BUF_INIT(0);
	char *jwks = jwks_of(jwk(key(KEY_RSA), "r1"), jwk(key(KEY_EC), "e1"));

	REQUIRE(key(KEY_RSA) && key(KEY_EC));
	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", claims_json, 0);
	verifies(t.ptr, jwks, "alice");
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\",\"kid\":\"e1\"}", claims_json, 0);
	verifies(t.ptr, jwks, "alice");
	/* without a kid every key that fits is tried */
	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\"}", claims_json, 0);
	verifies(t.ptr, jwks, "alice");
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\"}", claims_json, 0);
	verifies(t.ptr, jwks, "alice");
	free(jwks);
	buf_release(&t);
}

void test_auth_jwt__rfc7515_examples(void)
{
	/* RFC 7515 appendix A.2 (RS256) and A.3 (ES256): the public keys and
	 * the complete JWS from the RFC's text */
	static const char a2_jwks[] =
		"{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\""
		"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrc"
		"S2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGz"
		"jb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xs"
		"mtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8"
		"q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"}]}";
	static const char a2_token[] =
		"eyJhbGciOiJSUzI1NiJ9"
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9p"
		"c19yb290Ijp0cnVlfQ"
		".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Q"
		"c_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTy"
		"WzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwu"
		"sC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5A"
		"XLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
	static const char a3_jwks[] =
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
		"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
		"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";
	static const char a3_token[] =
		"eyJhbGciOiJFUzI1NiJ9"
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9p"
		"c19yb290Ijp0cnVlfQ"
		".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqP"
		"P3-Kg6NU1Q";
	struct err e = ERR_INIT;
	json_t *claims = NULL;

	if (jwt_verify(&claims, a2_token, strlen(a2_token), a2_jwks, strlen(a2_jwks), &e) != 0)
		fprintf(stderr, "  refused: %s\n", e.msg);
	REQUIRE(claims != NULL);
	CHECK_STR(json_string_value(json_object_get(claims, "iss")), "joe");
	CHECK_INT(json_integer_value(json_object_get(claims, "exp")), 1300819380);
	CHECK(json_is_true(json_object_get(claims, "http://example.com/is_root")));
	json_decref(claims);
	claims = NULL;
	if (jwt_verify(&claims, a3_token, strlen(a3_token), a3_jwks, strlen(a3_jwks), &e) != 0)
		fprintf(stderr, "  refused: %s\n", e.msg);
	REQUIRE(claims != NULL);
	CHECK_STR(json_string_value(json_object_get(claims, "iss")), "joe");
	json_decref(claims);
	/* and each refuses the other's key */
	refused(a2_token, a3_jwks, "can verify RS256: it needs an RSA key");
	refused(a3_token, a2_jwks, "can verify ES256: it needs an EC P-256 key");
}

void test_auth_jwt__tampered_tokens_refused(void)
{
	struct buf t = BUF_INIT(0), u = BUF_INIT(0);
	char *jwks = jwks_of(jwk(key(KEY_RSA), "r1"), jwk(key(KEY_EC), "e1"));
	const char *dot;

	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 100);
	refused(t.ptr, jwks, "signature does not verify with the provider's key \"r1\"");
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\",\"kid\":\"e1\"}", claims_json, 5);
	refused(t.ptr, jwks, "signature does not verify with the provider's key \"e1\"");
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\"}", claims_json, 64);
	refused(t.ptr, jwks, "signature does not verify with the provider's key \"e1\"");

	/* a payload changed after signing */
	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 0);
	dot = strchr(t.ptr, '.');
	buf_add(&u, t.ptr, (size_t)(dot - t.ptr + 1));
	b64s(&u, "{\"iss\":\"https://idp.example.com\",\"sub\":\"admin\"}");
	buf_puts(&u, strrchr(t.ptr, '.'));
	refused(u.ptr, jwks, "signature does not verify");
	/* a signature moved to another alg of the same key type */
	buf_clear(&u);
	b64s(&u, "{\"alg\":\"RS512\",\"kid\":\"r1\"}");
	buf_puts(&u, strchr(t.ptr, '.'));
	refused(u.ptr, jwks, "signature does not verify");
	free(jwks);
	buf_release(&t);
	buf_release(&u);
}

void test_auth_jwt__algs_refused_by_name(void)
{
	struct buf t = BUF_INIT(0);
	char *jwks = jwks_of(jwk(key(KEY_RSA), "r1"), NULL);

	/* alg "none" with no signature at all */
	b64s(&t, "{\"alg\":\"none\"}");
	buf_putc(&t, '.');
	b64s(&t, claims_json);
	buf_putc(&t, '.');
	refused(t.ptr, jwks, "alg \"none\" (an unsigned token) is not allowed");
	/* HS256 "signed" with the public key's text, the classic confusion */
	buf_clear(&t);
	b64s(&t, "{\"alg\":\"HS256\",\"kid\":\"r1\"}");
	buf_puts(&t, ".eyJzdWIiOiJhIn0.c2lnbmF0dXJl");
	refused(t.ptr, jwks, "alg \"HS256\" (a shared-secret MAC) is not allowed");
	buf_clear(&t);
	b64s(&t, "{\"alg\":\"PS256\"}");
	buf_puts(&t, ".eyJzdWIiOiJhIn0.c2lnbmF0dXJl");
	refused(t.ptr, jwks, "alg \"PS256\" is not allowed: only RS256");
	buf_clear(&t);
	b64s(&t, "{\"typ\":\"JWT\"}");
	buf_puts(&t, ".eyJzdWIiOiJhIn0.c2lnbmF0dXJl");
	refused(t.ptr, jwks, "header has no alg");
	/* two algs: one parser might read the first, another the last */
	buf_clear(&t);
	b64s(&t, "{\"alg\":\"RS256\",\"alg\":\"none\"}");
	buf_puts(&t, ".eyJzdWIiOiJhIn0.c2lnbmF0dXJl");
	refused(t.ptr, jwks, "the token's header has a name twice");
	buf_clear(&t);
	b64s(&t, "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}");
	buf_puts(&t, ".eyJzdWIiOiJhIn0.c2lnbmF0dXJl");
	refused(t.ptr, jwks, "critical extensions");
	free(jwks);
	buf_release(&t);
}

void test_auth_jwt__key_selection(void)
{
	struct buf t = BUF_INIT(0);
	json_t *k;
	char *jwks = jwks_of(jwk(key(KEY_RSA), "r1"), jwk(key(KEY_EC), "e1")), *other;

	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"nope\"}", claims_json, 0);
	refused(t.ptr, jwks, "no key in the provider's JWKS has the token's kid \"nope\"");
	/* an RSA key named by the kid of an ES256 token */
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\",\"kid\":\"r1\"}", claims_json, 0);
	refused(t.ptr, jwks, "key \"r1\" is of type \"RSA\", which cannot verify ES256");
	/* without a kid, only keys of the alg's type are tried */
	other = jwks_of(jwk(key(KEY_RSA), "r1"), NULL);
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\"}", claims_json, 0);
	refused(t.ptr, other, "no key in the provider's JWKS can verify ES256");
	free(other);
	/* the right key, but not for signatures, or for another alg */
	k = jwk(key(KEY_RSA), "r1");
	json_object_set_new(k, "use", json_string("enc"));
	other = jwks_of(k, NULL);
	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 0);
	refused(t.ptr, other, "key \"r1\" is not for signatures (its use is \"enc\")");
	free(other);
	k = jwk(key(KEY_RSA), "r1");
	json_object_set_new(k, "use", json_string("sig"));
	json_object_set_new(k, "alg", json_string("RS384"));
	other = jwks_of(k, NULL);
	refused(t.ptr, other, "key \"r1\" is for alg \"RS384\", but the token's alg is RS256");
	free(other);
	/* "use": "sig" and the same alg are fine */
	k = jwk(key(KEY_RSA), "r1");
	json_object_set_new(k, "use", json_string("sig"));
	json_object_set_new(k, "alg", json_string("RS256"));
	other = jwks_of(jwk(key(KEY_EC), "e1"), k);
	verifies(t.ptr, other, "alice");
	free(other);
	free(jwks);
	buf_release(&t);
}

void test_auth_jwt__weak_and_bad_keys_refused(void)
{
	struct buf t = BUF_INIT(0);
	char *jwks;
	json_t *k;

	REQUIRE(key(KEY_RSA1024));
	jwks = jwks_of(jwk(key(KEY_RSA1024), "small"), NULL);
	sign(&t, key(KEY_RSA1024), "{\"alg\":\"RS256\",\"kid\":\"small\"}", claims_json, 0);
	refused(t.ptr, jwks, "key \"small\" is a 1024-bit RSA key: at least 2048 bits");
	sign(&t, key(KEY_RSA1024), "{\"alg\":\"RS256\"}", claims_json, 0);
	refused(t.ptr, jwks, "is a 1024-bit RSA key");
	free(jwks);
	/* a point that is not on the curve */
	k = jwk(key(KEY_EC), "e1");
	json_object_set_new(k, "y", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"));
	jwks = jwks_of(k, NULL);
	sign(&t, key(KEY_EC), "{\"alg\":\"ES256\",\"kid\":\"e1\"}", claims_json, 0);
	refused(t.ptr, jwks, "the provider's JWKS is malformed: key \"e1\" is not a valid EC");
	free(jwks);
	/* e = 1 */
	k = jwk(key(KEY_RSA), "r1");
	json_object_set_new(k, "e", json_string("AQ"));
	jwks = jwks_of(k, NULL);
	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 0);
	refused(t.ptr, jwks, "key \"r1\" is not a valid RSA public key");
	free(jwks);
	buf_release(&t);
}

void test_auth_jwt__malformed_tokens_refused(void)
{
	struct buf t = BUF_INIT(0), u = BUF_INIT(0);
	char *jwks = jwks_of(jwk(key(KEY_RSA), "r1"), jwk(key(KEY_EC), "e1"));
	char *big;

	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 0);
	buf_add(&u, t.ptr, t.len);
	buf_puts(&u, ".e30");
	refused(u.ptr, jwks, "has 4 parts, not 3");
	refused("a.b.c.d.e", jwks, "an encrypted token (JWE) is not supported");
	refused("eyJhbGciOiJSUzI1NiJ9.e30", jwks, "has 2 parts, not 3");
	refused("", jwks, "the web identity token is empty");
	/* padding: {"sub":"a"} is eyJzdWIiOiJhIn0= in padded base64 */
	buf_clear(&u);
	buf_add(&u, t.ptr, (size_t)(strchr(t.ptr, '.') - t.ptr));
	buf_puts(&u, ".eyJzdWIiOiJhIn0=");
	buf_puts(&u, strrchr(t.ptr, '.'));
	refused(u.ptr, jwks, "the token's payload is not base64url");
	/* the standard alphabet's '+' and '/' */
	buf_clear(&u);
	buf_puts(&u, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.ab+/");
	refused(u.ptr, jwks, "the token's signature is not base64url");
	buf_clear(&u);
	buf_puts(&u, "eyJhbGciOiJSUzI1NiJ9=.eyJzdWIiOiJhIn0.abcd");
	refused(u.ptr, jwks, "the token's header is not base64url");
	/* header and payload that are JSON but not objects */
	refused("WzFd.eyJzdWIiOiJhIn0.abcd", jwks, "the token's header is not a JSON object");
	refused("eyJhbGciOiJSUzI1NiJ9.WzFd.abcd", jwks, "the token's payload is not a JSON object");
	refused("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIiwic3ViIjoiYiJ9.abcd", jwks,
		"the token's payload has a name twice");
	refused("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.abcd", jwks,
		"the token's payload is not a JSON object");
	/* an ES256 signature in DER (71 bytes here) rather than r||s */
	{
		unsigned char der[71] = {0x30, 69, 2, 33, 0};

		buf_clear(&u);
		buf_puts(&u, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.");
		b64u(&u, der, sizeof(der));
		refused(u.ptr, jwks, "ES256 signature is 71 bytes; it must be 64");
	}
	refused("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.", jwks, "the token's signature is empty");
	/* longer than AWS allows */
	big = malloc(JWT_MAX + 2);
	REQUIRE(big != NULL);
	memset(big, 'A', JWT_MAX + 1);
	big[JWT_MAX + 1] = '\0';
	refused(big, jwks, "longer than 20000 characters");
	free(big);
	free(jwks);
	buf_release(&t);
	buf_release(&u);
}

void test_auth_jwt__malformed_jwks_refused(void)
{
	struct buf t = BUF_INIT(0);
	json_t *k;
	char *jwks;

	sign(&t, key(KEY_RSA), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims_json, 0);
	refused(t.ptr, "", "the provider's JWKS is malformed: it is empty");
	refused(t.ptr, NULL, "the provider's JWKS is malformed: it is empty");
	refused(t.ptr, "{\"keys\":[]}", "the provider's JWKS has no keys");
	refused(t.ptr, "{\"keys\":[", "the provider's JWKS is malformed: not JSON (line 1");
	refused(t.ptr, "[]", "the provider's JWKS is malformed: not a JSON object");
	refused(t.ptr, "{\"keys\":{}}", "the provider's JWKS is malformed: no \"keys\" array");
	refused(t.ptr, "{\"keys\":[1]}", "malformed: key #0 is not a JSON object");
	refused(t.ptr, "{\"keys\":[{\"kid\":\"r1\"}]}", "malformed: key #0 has no kty");
	refused(t.ptr, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":7}]}", "malformed: key #0's kid is not");
	refused(t.ptr, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"e\":\"AQAB\"}]}",
		"malformed: key \"r1\" has no n");
	k = jwk(key(KEY_RSA), "r1");
	json_object_set_new(k, "e", json_string("AQAB=="));
	jwks = jwks_of(k, NULL);
	refused(t.ptr, jwks, "malformed: key \"r1\"'s e is empty or not base64url");
	free(jwks);
	/* a key type this does not know is passed over, not an error */
	k = jwk(key(KEY_RSA), "r1");
	jwks = jwks_of(json_pack("{s:s, s:s, s:s}", "kty", "oct", "kid", "r1", "k", "c2VjcmV0"), k);
	verifies(t.ptr, jwks, "alice");
	free(jwks);
	buf_release(&t);
}
