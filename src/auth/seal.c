/*
 * seal.c - the only code that sees the master key.  Secrets at rest and
 * session tokens are sealed with AES-256-GCM: a random 96-bit nonce, the
 * ciphertext and a 128-bit tag, with associated data naming what the value
 * belongs to so that sealed values cannot be swapped between rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"

#define NONCE_LEN 12
#define TAG_LEN 16

struct sealer {
	unsigned char key[MASTER_KEY_LEN];
};

int seal_keyfile_create(const char *path, struct err *e)
{
	unsigned char key[MASTER_KEY_LEN];
	char hex[2 * MASTER_KEY_LEN + 2];
	int fd, rc = CC_ERROR;

	if (rand_bytes(key, sizeof(key)) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	hex_encode(hex, key, sizeof(key));
	hex[2 * MASTER_KEY_LEN] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, errno == EEXIST ? CC_EEXISTS : CC_ERROR, NULL,
			"cannot create master key '%s': %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, hex, 2 * MASTER_KEY_LEN + 1) != 2 * MASTER_KEY_LEN + 1 || fsync(fd) < 0) {
		err_set(e, CC_ERROR, NULL, "cannot write master key '%s': %s", path,
			strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	mem_wipe(key, sizeof(key));
	mem_wipe(hex, sizeof(hex));
	return rc;
}

int seal_open(struct sealer **out, const char *keyfile, struct err *e)
{
	struct buf b = BUF_INIT(4096);
	struct sealer *s = NULL;
	struct stat sb;
	size_t n;
	int rc = CC_ERROR;

	if (stat(keyfile, &sb) < 0)
		return err_set(e, CC_ERROR, NULL, "cannot read master key '%s': %s", keyfile,
			       strerror(errno));
	if (sb.st_mode & 077)
		log_warnx("seal: master key '%s' is readable by others; chmod 600 it", keyfile);
	if (file_read(&b, keyfile, e) < 0)
		goto out;
	n = b.len;
	while (n > 0 && (b.ptr[n - 1] == '\n' || b.ptr[n - 1] == '\r'))
		n--;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_oom(e);
		goto out;
	}
	if (n != 2 * MASTER_KEY_LEN || hex_decode(s->key, sizeof(s->key), b.ptr, n) < 0) {
		err_set(e, CC_ERROR, NULL, "master key '%s' is not %d hex digits", keyfile,
			2 * MASTER_KEY_LEN);
		goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (b.ptr)
		mem_wipe(b.ptr, b.len);
	buf_release(&b);
	seal_free(s);
	return rc;
}

void seal_free(struct sealer *s)
{
	if (s == NULL)
		return;
	mem_wipe(s, sizeof(*s));
	free(s);
}

/* A subkey for one purpose, so the master key itself never touches data. */
static void subkey(unsigned char out[32], const struct sealer *s, const char *purpose)
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), s->key, sizeof(s->key), (const unsigned char *)purpose,
	     strlen(purpose), out, &len);
}

int seal(const struct sealer *s, struct buf *out, const void *pt, size_t n, const char *aad,
	 struct err *e)
{
	unsigned char key[32], nonce[NONCE_LEN], tag[TAG_LEN];
	EVP_CIPHER_CTX *c = NULL;
	size_t start = out->len;
	int len, rc = CC_ERROR;

	if (n > INT32_MAX / 2)
		return err_set(e, CC_ELIMIT, NULL, "value too large to seal");
	subkey(key, s, "commitd seal v1");
	if (rand_bytes(nonce, sizeof(nonce)) < 0 || buf_add(out, nonce, sizeof(nonce)) < 0 ||
	    buf_grow(out, n + TAG_LEN) < 0)
		goto out;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(c, (unsigned char *)out->ptr + out->len, &len, pt, (int)n) != 1)
		goto out;
	out->len += (size_t)len;
	if (EVP_EncryptFinal_ex(c, (unsigned char *)out->ptr + out->len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
		goto out;
	out->len += (size_t)len;
	if (buf_add(out, tag, TAG_LEN) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		out->len = start;
		err_set(e, CC_ERROR, NULL, "sealing failed");
	}
	EVP_CIPHER_CTX_free(c);
	mem_wipe(key, sizeof(key));
	return rc;
}

int unseal(const struct sealer *s, struct secret *out, const void *ct, size_t n, const char *aad,
	   struct err *e)
{
	const unsigned char *p = ct;
	unsigned char key[32], *pt = NULL;
	EVP_CIPHER_CTX *c = NULL;
	size_t ptlen;
	int len, rc = CC_EAUTH;

	if (n < NONCE_LEN + TAG_LEN || n > INT32_MAX / 2)
		return err_set(e, CC_EAUTH, NULL, "sealed value is malformed");
	ptlen = n - NONCE_LEN - TAG_LEN;
	pt = malloc(ptlen + 1);
	if (pt == NULL)
		return err_oom(e);
	subkey(key, s, "commitd seal v1");
	c = EVP_CIPHER_CTX_new();
	if (c == NULL || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, p) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(c, pt, &len, p + NONCE_LEN, (int)ptlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
				(void *)(p + n - TAG_LEN)) != 1 ||
	    EVP_DecryptFinal_ex(c, pt + len, &len) != 1) {
		err_set(e, CC_EAUTH, NULL, "sealed value does not authenticate");
		goto out;
	}
	pt[ptlen] = '\0';
	secret_release(out);
	out->ptr = pt;
	out->len = ptlen;
	pt = NULL; /* handed over to out */
	rc = 0;
out:
	if (pt) {
		mem_wipe(pt, ptlen);
		free(pt);
	}
	EVP_CIPHER_CTX_free(c);
	mem_wipe(key, sizeof(key));
	return rc;
}
