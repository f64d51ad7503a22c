/*
 * fuzz_jwt.c - libFuzzer target for web identity tokens (src/auth/jwt.c):
 * the input is a token, a NUL byte, then the provider's JWKS document (no
 * NUL: the whole input is the token and the JWKS is empty).  Each half is
 * copied into a buffer of exactly its size, so a read past either shows.
 *
 * Checked beyond "no crash, no leak": claims are an object exactly when
 * jwt_verify() succeeds, and every refusal says why with
 * InvalidIdentityToken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *copy(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (s)
		memcpy(s, p, n);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tn = nul ? (size_t)(nul - data) : size;
	size_t kn = nul ? size - tn - 1 : 0;
	char *token = copy(data, tn), *jwks = copy(nul ? nul + 1 : data, kn);
	struct err e = ERR_INIT;
	json_t *claims = NULL;
	int rc;

	if (token && jwks) {
		rc = jwt_verify(&claims, token, tn, jwks, kn, &e);
		if (rc == 0 && !json_is_object(claims))
			abort();
		if (rc < 0 && (claims != NULL || e.msg[0] == '\0'))
			abort();
		if (rc == CC_EINVAL && (e.aws_code == NULL ||
					strcmp(e.aws_code, "InvalidIdentityToken") != 0))
			abort();
		json_decref(claims);
	}
	free(token);
	free(jwks);
	return 0;
}
