/*
 * secret.c - secret bytes that are wiped when released, constant-time
 * comparison, and every random value the server makes (OpenSSL's CSPRNG).
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core.h"

int secret_set(struct secret *s, const void *data, size_t len)
{
	secret_release(s);
	s->ptr = malloc(len ? len : 1);
	if (s->ptr == NULL)
		return CC_ERROR;
	memcpy(s->ptr, data, len);
	s->len = len;
	return 0;
}

void secret_release(struct secret *s)
{
	if (s->ptr) {
		OPENSSL_cleanse(s->ptr, s->len);
		free(s->ptr);
	}
	s->ptr = NULL;
	s->len = 0;
}

void mem_wipe(void *p, size_t n) { OPENSSL_cleanse(p, n); }

void free_wiped(void *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

bool secret_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return false;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

int rand_bytes(void *out, size_t n)
{
	if (n > INT32_MAX || RAND_bytes(out, (int)n) != 1) {
		log_warnx("rand: RAND_bytes failed");
		return CC_ERROR;
	}
	return 0;
}

/* Uniform choice from an alphabet by rejection sampling. */
static int rand_text(char *out, size_t n, const char *alphabet, size_t alen)
{
	unsigned char pool[64];
	size_t i = 0, j = sizeof(pool), lim = 256 - (256 % alen);

	while (i < n) {
		if (j == sizeof(pool)) {
			if (rand_bytes(pool, sizeof(pool)) < 0)
				return CC_ERROR;
			j = 0;
		}
		if (pool[j] < lim)
			out[i++] = alphabet[pool[j] % alen];
		j++;
	}
	mem_wipe(pool, sizeof(pool));
	return 0;
}

int id_new(char *out, size_t outsz, const char *prefix, size_t n)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t plen = strlen(prefix);

	if (plen + n + 1 > outsz)
		return CC_ERROR;
	memcpy(out, prefix, plen);
	if (rand_text(out + plen, n, alpha, sizeof(alpha) - 1) < 0)
		return CC_ERROR;
	out[plen + n] = '\0';
	return 0;
}

int secret_text_new(char *out, size_t outsz, size_t n)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (n + 1 > outsz)
		return CC_ERROR;
	if (rand_text(out, n, alpha, sizeof(alpha) - 1) < 0)
		return CC_ERROR;
	out[n] = '\0';
	return 0;
}

/*
 * Request ids must be unique, not secret: a per-thread generator seeded once
 * from the CSPRNG (splitmix64) spares the locked global DRBG on every request.
 */
static void unique_bytes(unsigned char r[16])
{
	static __thread uint64_t state;
	static __thread bool seeded;

	if (!seeded) {
		if (rand_bytes(&state, sizeof(state)) < 0)
			state = (uint64_t)time_now_hires() * 1000003u;
		seeded = true;
	}
	for (int i = 0; i < 2; i++) {
		uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(r + 8 * i, &z, 8);
	}
}

int uuid_new(char out[37])
{
	unsigned char r[16];
	char hex[33];

	unique_bytes(r);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	hex_encode(hex, r, sizeof(r));
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
	return 0;
}
