/*
 * fuzz_time.c - libFuzzer target for the small parsers of src/core: the
 * input is taken whole by time_parse_iso8601(), time_parse_amz(),
 * url_decode(), b64_decode(), b64url_decode(), hex_decode(),
 * parse_u64()/parse_i64() and utf8_valid().
 *
 * Checked beyond "no crash": a parsed time printed and parsed again is the
 * same time; url and base64 decoding invert their encoders (strict base64url
 * exactly: its text is canonical); the decoders stay within their output
 * buffers (sized exactly); utf8_valid() agrees with the model's UTF-8
 * decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "aws/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void times(const char *s, size_t n)
{
	char out[32];
	int64_t t, t2;

	/* whatever parses lies in 1970-9999 and its printed form reads back */
	if (time_parse_iso8601(&t, s, n) == 0) {
		if (t < 0 || t >= 253402300800LL)
			abort();
		time_iso8601(out, sizeof out, t);
		if (time_parse_iso8601(&t2, out, strlen(out)) < 0 || t2 != t)
			abort();
	}
	if (time_parse_amz(&t, s, n) == 0) {
		time_amz(out, sizeof out, t);
		if (strlen(out) != 16 || time_parse_amz(&t2, out, 16) < 0 || t2 != t)
			abort();
	}
}

static void urls(const char *s, size_t n)
{
	char *dec = malloc(n + 1), *dec2;
	struct buf enc = BUF_INIT(0);
	size_t dn, dn2;

	if (dec == NULL)
		return;
	if (url_decode(dec, &dn, s, n, false) == 0) {
		if (dn > n)
			abort();
		url_encode(&enc, dec, dn, false);
		if (!buf_failed(&enc) && (dec2 = malloc(enc.len + 1)) != NULL) {
			if (url_decode(dec2, &dn2, buf_cstr(&enc), enc.len, true) < 0 || dn2 != dn ||
			    memcmp(dec, dec2, dn) != 0)
				abort();
			free(dec2);
		}
	}
	(void)url_decode(dec, &dn, s, n, true);
	buf_release(&enc);
	free(dec);
}

/* strict base64url has one text per value: what decodes encodes back to itself */
static void base64url(const char *s, size_t n, unsigned char *raw, size_t cap)
{
	char *enc;
	long m;

	if ((m = b64url_decode(raw, cap, s, n)) < 0)
		return;
	if ((size_t)m > cap)
		abort();
	if ((enc = malloc(n + 5)) == NULL)
		return;
	if (b64url_encode(enc, n + 5, raw, (size_t)m) != n || memcmp(enc, s, n) != 0)
		abort();
	free(enc);
	if (cap > 1)
		(void)b64url_decode(raw, cap / 2, s, n);
}

static void base64(const char *s, size_t n)
{
	size_t cap = n * 3 / 4; /* exactly what n characters can hold */
	unsigned char *raw = malloc(cap ? cap : 1), *raw2;
	char *enc;
	long m, m2;

	if (raw == NULL)
		return;
	if ((m = b64_decode(raw, cap, s, n)) >= 0) {
		size_t ecap = ((size_t)m + 2) / 3 * 4 + 1;

		if ((size_t)m > cap)
			abort();
		enc = malloc(ecap);
		raw2 = malloc((size_t)m + 1);
		if (enc && raw2) {
			size_t el = b64_encode(enc, ecap, raw, (size_t)m);

			if ((m2 = b64_decode(raw2, (size_t)m + 1, enc, el)) != m ||
			    memcmp(raw, raw2, (size_t)m) != 0)
				abort();
			el = b64url_encode(enc, ecap, raw, (size_t)m);
			if ((m2 = b64_decode(raw2, (size_t)m + 1, enc, el)) != m ||
			    memcmp(raw, raw2, (size_t)m) != 0)
				abort();
		}
		free(enc);
		free(raw2);
	}
	/* too small an output must fail, not overflow */
	if (cap > 1)
		(void)b64_decode(raw, cap / 2, s, n);
	base64url(s, n, raw, cap);
	free(raw);
}

static void numbers(const char *s, size_t n)
{
	unsigned char *hex = malloc(n / 2 + 1);
	uint64_t u;
	int64_t i;

	if (hex) {
		(void)hex_decode(hex, n / 2, s, n);
		free(hex);
	}
	(void)parse_u64(s, n, 0, UINT64_MAX, &u);
	(void)parse_u64(s, n, 1, 1000, &u);
	(void)parse_i64(s, n, INT64_MIN, INT64_MAX, &i);
	(void)parse_i64(s, n, INT32_MIN, INT32_MAX, &i);
	(void)span_trim(span_of(s, n));
}

static void utf8(const char *s, size_t n)
{
	uint32_t cp;
	size_t i = 0, len;

	if (!utf8_valid(s, n))
		return;
	while (i < n) {
		if ((len = aws__utf8_next(s + i, n - i, &cp)) == 0)
			abort(); /* valid UTF-8 that the model's decoder refuses */
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	times(s, size);
	urls(s, size);
	base64(s, size);
	numbers(s, size);
	utf8(s, size);
	free(s);
	return 0;
}
