/*
 * password.c - console passwords as Argon2id (memory-hard, libargon2) and
 * Git credential passwords as salted SHA-256 (they are long random strings,
 * so a fast hash is enough and keeps Git authentication cheap).
 */
#include <string.h>

#include <argon2.h>
#include <openssl/evp.h>

#include "auth.h"

/* OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane */
#define ARGON_T 2
#define ARGON_M 19456
#define ARGON_P 1

int password_hash(char *out, size_t outsz, const char *password, struct err *e)
{
	unsigned char salt[16];
	int rc;

	if (rand_bytes(salt, sizeof(salt)) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, password, strlen(password), salt,
				   sizeof(salt), 32, out, outsz);
	if (rc != ARGON2_OK) {
		log_warnx("password: argon2: %s", argon2_error_message(rc));
		return err_set(e, CC_ERROR, NULL, "cannot hash password");
	}
	return 0;
}

bool password_verify(const char *encoded, const char *password)
{
	return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

void gitpw_hash(unsigned char out[32], const unsigned char *salt, size_t saltlen,
		const char *password)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = 32;

	if (c == NULL) {
		memset(out, 0, 32);
		return;
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, salt, saltlen);
	EVP_DigestUpdate(c, password, strlen(password));
	EVP_DigestFinal_ex(c, out, &len);
	EVP_MD_CTX_free(c);
}
