/*
 * sshkey.c - SSH public keys as IAM's UploadSSHPublicKey takes them: the
 * OpenSSH one-line form ("ssh-rsa AAAA... comment", "ssh-ed25519 ...") and
 * PEM ("BEGIN PUBLIC KEY" SubjectPublicKeyInfo, "BEGIN RSA PUBLIC KEY"
 * PKCS#1).  Every form is reduced to the key's SSH wire blob, which is what
 * the SSH server compares and what the fingerprint is taken over.
 *
 * Only ssh-rsa (2048 to 16384 bits) and ssh-ed25519 are accepted.  This file
 * does not know where keys are stored; see auth.h for the contract.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384
#define ED25519_LEN 32
#define BLOB_MAX 4096 /* bytes; an RSA-16384 blob is about 2 KiB */

static int bad_key(struct err *e, const char *why);
static int unrecognized(struct err *e);

static int bad_key(struct err *e, const char *why)
{
	return err_set(e, CC_EINVAL, "InvalidPublicKey", "Public key is invalid: %s", why);
}

static int unrecognized(struct err *e)
{
	return err_set(e, CC_EINVAL, "UnrecognizedPublicKeyEncoding",
		       "Public key encoding is unrecognized");
}

/* ---- the SSH wire form: uint32 length-prefixed strings ----------------------- */

struct cursor {
	const unsigned char *p;
	size_t n;
};

static int get_string(struct cursor *c, const unsigned char **s, size_t *len)
{
	uint32_t l;

	if (c->n < 4)
		return -1;
	l = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	if (l > c->n - 4)
		return -1;
	*s = c->p + 4;
	*len = l;
	c->p += 4 + (size_t)l;
	c->n -= 4 + (size_t)l;
	return 0;
}

static void put_string(struct buf *b, const void *s, size_t len)
{
	unsigned char l[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
			      (unsigned char)(len >> 8), (unsigned char)len};

	buf_add(b, l, 4);
	buf_add(b, s, len);
}

/* An SSH mpint that must be positive and minimally encoded (RFC 4251 §5). */
static int check_mpint(const unsigned char *s, size_t len)
{
	if (len == 0 || (s[0] & 0x80))
		return -1; /* zero or negative */
	if (s[0] == 0 && (len == 1 || !(s[1] & 0x80)))
		return -1; /* a needless leading zero */
	return 0;
}

/* bits of a positive minimal mpint */
static size_t mpint_bits(const unsigned char *s, size_t len)
{
	size_t bits;
	unsigned char top;

	if (s[0] == 0) {
		s++;
		len--;
	}
	bits = len * 8;
	for (top = s[0]; !(top & 0x80); top <<= 1)
		bits--;
	return bits;
}

static int check_rsa(const unsigned char *ex, size_t exn, const unsigned char *mod, size_t modn,
		     struct err *e)
{
	size_t bits;

	if (check_mpint(ex, exn) < 0 || check_mpint(mod, modn) < 0)
		return bad_key(e, "malformed RSA key");
	if (exn > 8 || !(ex[exn - 1] & 1) || (exn == 1 && ex[0] < 3))
		return bad_key(e, "the RSA public exponent is not acceptable");
	if (!(mod[modn - 1] & 1))
		return bad_key(e, "the RSA modulus is even");
	bits = mpint_bits(mod, modn);
	if (bits < RSA_MIN_BITS)
		return bad_key(e, "RSA keys must be at least 2048 bits");
	if (bits > RSA_MAX_BITS)
		return bad_key(e, "RSA keys must be at most 16384 bits");
	return 0;
}

/* Checks a whole blob: its type, its fields, and that nothing follows them. */
static int blob_check(char *type_out, size_t type_sz, const unsigned char *blob, size_t n,
		      const char *want_type, struct err *e)
{
	struct cursor c = {blob, n};
	const unsigned char *t, *a, *b;
	size_t tn, an, bn;

	if (get_string(&c, &t, &tn) < 0)
		return bad_key(e, "the key data is truncated");
	if (want_type && (tn != strlen(want_type) || memcmp(t, want_type, tn) != 0))
		return bad_key(e, "the key type does not match the key data");
	if (tn == 7 && memcmp(t, "ssh-rsa", 7) == 0) {
		if (get_string(&c, &a, &an) < 0 || get_string(&c, &b, &bn) < 0)
			return bad_key(e, "the key data is truncated");
		if (c.n != 0)
			return bad_key(e, "unexpected data after the key");
		if (check_rsa(a, an, b, bn, e) < 0)
			return e->code;
		snprintf(type_out, type_sz, "ssh-rsa");
		return 0;
	}
	if (tn == 11 && memcmp(t, "ssh-ed25519", 11) == 0) {
		if (get_string(&c, &a, &an) < 0)
			return bad_key(e, "the key data is truncated");
		if (c.n != 0)
			return bad_key(e, "unexpected data after the key");
		if (an != ED25519_LEN)
			return bad_key(e, "an Ed25519 key is 32 bytes");
		snprintf(type_out, type_sz, "ssh-ed25519");
		return 0;
	}
	return unrecognized(e);
}

/* ---- the OpenSSH one-line form ---------------------------------------------- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int parse_openssh(struct buf *blob_out, char *type_out, size_t type_sz, struct span s,
			 struct err *e)
{
	unsigned char bin[BLOB_MAX];
	const char *p = s.p, *end = s.p + s.n, *ts, *bs;
	size_t tn, bn;
	long n;
	int rc;

	ts = p;
	while (p < end && !is_space(*p))
		p++;
	tn = (size_t)(p - ts);
	if (!(tn == 7 && memcmp(ts, "ssh-rsa", 7) == 0) &&
	    !(tn == 11 && memcmp(ts, "ssh-ed25519", 11) == 0))
		return unrecognized(e);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	bs = p;
	while (p < end && !is_space(*p))
		p++;
	bn = (size_t)(p - bs);
	/* what follows is a comment on the same line; a second line is not */
	for (; p < end; p++)
		if (*p == '\n' || *p == '\r')
			return bad_key(e, "the key must be on one line");
	if (bn == 0 || bn > (BLOB_MAX / 3) * 4)
		return bad_key(e, "the key data is missing or too long");
	if (memchr(bs, '-', bn) || memchr(bs, '_', bn))
		return bad_key(e, "the key data is not base64");
	n = b64_decode(bin, sizeof(bin), bs, bn);
	if (n <= 0)
		return bad_key(e, "the key data is not base64");
	{
		char ttype[16];

		snprintf(ttype, sizeof(ttype), "%.*s", (int)tn, ts);
		if ((rc = blob_check(type_out, type_sz, bin, (size_t)n, ttype, e)) < 0)
			return rc;
	}
	buf_clear(blob_out);
	if (buf_add(blob_out, bin, (size_t)n) < 0)
		return err_oom(e);
	return 0;
}

/* ---- PEM ---------------------------------------------------------------------- */

static int bn_mpint(struct buf *out, const BIGNUM *bn)
{
	unsigned char tmp[RSA_MAX_BITS / 8 + 2];
	int len = BN_num_bytes(bn);

	if (len <= 0 || (size_t)len + 1 > sizeof(tmp))
		return -1;
	tmp[0] = 0;
	BN_bn2bin(bn, tmp + 1);
	/* a leading zero only when the top bit is set */
	if (tmp[1] & 0x80)
		put_string(out, tmp, (size_t)len + 1);
	else
		put_string(out, tmp + 1, (size_t)len);
	return 0;
}

static int pkey_blob(struct buf *blob_out, char *type_out, size_t type_sz, EVP_PKEY *pk,
		     struct err *e)
{
	struct buf b = BUF_INIT(BLOB_MAX);
	BIGNUM *n = NULL, *x = NULL;
	int rc = CC_ERROR;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &x)) {
			rc = bad_key(e, "malformed RSA key");
			goto out;
		}
		if (BN_num_bits(n) > RSA_MAX_BITS) {
			rc = bad_key(e, "RSA keys must be at most 16384 bits");
			goto out;
		}
		put_string(&b, "ssh-rsa", 7);
		if (bn_mpint(&b, x) < 0 || bn_mpint(&b, n) < 0) {
			rc = bad_key(e, "malformed RSA key");
			goto out;
		}
	} else if (EVP_PKEY_is_a(pk, "ED25519")) {
		unsigned char raw[ED25519_LEN];
		size_t rl = sizeof(raw);

		if (!EVP_PKEY_get_raw_public_key(pk, raw, &rl) || rl != ED25519_LEN) {
			rc = bad_key(e, "malformed Ed25519 key");
			goto out;
		}
		put_string(&b, "ssh-ed25519", 11);
		put_string(&b, raw, rl);
	} else {
		rc = unrecognized(e);
		goto out;
	}
	if (buf_failed(&b)) {
		rc = err_oom(e);
		goto out;
	}
	if ((rc = blob_check(type_out, type_sz, (const unsigned char *)b.ptr, b.len, NULL, e)) < 0)
		goto out;
	buf_clear(blob_out);
	rc = buf_add(blob_out, b.ptr, b.len) < 0 ? err_oom(e) : 0;
out:
	BN_free(n);
	BN_free(x);
	buf_release(&b);
	return rc;
}

static int parse_pem(struct buf *blob_out, char *type_out, size_t type_sz, struct span s,
		     struct err *e)
{
	BIO *bio = BIO_new_mem_buf(s.p, (int)s.n);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	long len = 0;
	EVP_PKEY *pk = NULL;
	int rc;

	if (bio == NULL)
		return err_oom(e);
	if (!PEM_read_bio(bio, &name, &header, &der, &len) || len <= 0) {
		rc = bad_key(e, "the PEM data cannot be read");
		goto out;
	}
	/* one PEM block and nothing after it (whitespace aside) */
	{
		char rest[8];
		int got;

		while ((got = BIO_read(bio, rest, 1)) == 1)
			if (!is_space(rest[0])) {
				rc = bad_key(e, "unexpected data after the key");
				goto out;
			}
	}
	if (header && header[0]) {
		rc = bad_key(e, "PEM headers are not allowed");
		goto out;
	}
	p = der;
	if (strcmp(name, "PUBLIC KEY") == 0) {
		pk = d2i_PUBKEY(NULL, &p, len);
	} else if (strcmp(name, "RSA PUBLIC KEY") == 0) {
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	} else {
		rc = unrecognized(e);
		goto out;
	}
	if (pk == NULL) {
		rc = bad_key(e, "the key data cannot be decoded");
		goto out;
	}
	if (p != der + len) {
		rc = bad_key(e, "unexpected data after the key");
		goto out;
	}
	rc = pkey_blob(blob_out, type_out, type_sz, pk, e);
out:
	EVP_PKEY_free(pk);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	return rc;
}

int sshkey_parse(struct buf *blob_out, char *type_out, size_t type_sz, const char *text,
		 size_t len, struct err *e)
{
	struct span s = span_of(text, len);

	/* surrounding blank lines are common in pasted keys */
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	if (type_sz)
		type_out[0] = '\0';
	if (s.n == 0 || s.n > SSHKEY_TEXT_MAX)
		return bad_key(e, "the key is empty or too long");
	if (memchr(s.p, '\0', s.n))
		return bad_key(e, "the key contains a NUL byte");
	if (s.n >= 10 && memcmp(s.p, "-----BEGIN", 10) == 0)
		return parse_pem(blob_out, type_out, type_sz, s, e);
	return parse_openssh(blob_out, type_out, type_sz, s, e);
}

/* ---- other encodings of a parsed blob --------------------------------------- */

void sshkey_fingerprint_md5(char out[48], const void *blob, size_t n)
{
	unsigned char md[16];
	unsigned int mdlen = sizeof(md);
	size_t i, o = 0;

	if (!EVP_Digest(blob, n, md, &mdlen, EVP_md5(), NULL)) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < 16; i++) {
		static const char hx[] = "0123456789abcdef";

		if (i)
			out[o++] = ':';
		out[o++] = hx[md[i] >> 4];
		out[o++] = hx[md[i] & 15];
	}
	out[o] = '\0';
}

int sshkey_to_openssh(struct buf *out, const void *blob, size_t n, struct err *e)
{
	char type[16];
	char *b64;
	size_t cap, bl;
	int rc;

	if ((rc = blob_check(type, sizeof(type), blob, n, NULL, e)) < 0)
		return rc;
	cap = (n + 2) / 3 * 4 + 1;
	if ((b64 = malloc(cap)) == NULL)
		return err_oom(e);
	bl = b64_encode(b64, cap, blob, n);
	buf_clear(out);
	buf_printf(out, "%s %.*s", type, (int)bl, b64);
	free(b64);
	return buf_failed(out) ? err_oom(e) : 0;
}

int sshkey_to_pem(struct buf *out, const void *blob, size_t n, struct err *e)
{
	struct cursor c = {blob, n};
	const unsigned char *t, *a, *b;
	size_t tn, an, bn;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[3];
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	unsigned char *nbuf = NULL, *ebuf = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	char type[16];
	int rc;

	if ((rc = blob_check(type, sizeof(type), blob, n, NULL, e)) < 0)
		return rc;
	get_string(&c, &t, &tn);
	get_string(&c, &a, &an);
	rc = err_set(e, CC_ERROR, NULL, "cannot encode the key as PEM");
	if (strcmp(type, "ssh-ed25519") == 0) {
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a, an);
	} else {
		get_string(&c, &b, &bn);
		/* OSSL_PARAM big numbers are native-endian: go through BIGNUM */
		bn_e = BN_bin2bn(a, (int)an, NULL);
		bn_n = BN_bin2bn(b, (int)bn, NULL);
		ebuf = calloc(1, an + 1);
		nbuf = calloc(1, bn + 1);
		if (!bn_e || !bn_n || !ebuf || !nbuf ||
		    BN_bn2nativepad(bn_e, ebuf, (int)an + 1) < 0 ||
		    BN_bn2nativepad(bn_n, nbuf, (int)bn + 1) < 0)
			goto out;
		params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, nbuf, bn + 1);
		params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, ebuf, an + 1);
		params[2] = OSSL_PARAM_construct_end();
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
			goto out;
	}
	if (pk == NULL || (bio = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_PUBKEY(bio, pk))
		goto out;
	BIO_get_mem_ptr(bio, &mem);
	buf_clear(out);
	buf_add(out, mem->data, mem->length);
	/* without the final newline, as AWS returns it */
	while (out->len > 0 && out->ptr[out->len - 1] == '\n')
		out->ptr[--out->len] = '\0';
	rc = buf_failed(out) ? err_oom(e) : 0;
	if (rc == 0)
		err_clear(e);
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	free(nbuf);
	free(ebuf);
	return rc;
}
