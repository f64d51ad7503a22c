/*
 * encode.c - hex, base64 and URL encodings, and UTF-8 validation.
 * Decoders take (ptr, len) and never read past len.
 */
#include <string.h>

#include "core.h"

void hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(unsigned char *out, size_t outsz, const char *in, size_t n)
{
	size_t i;

	if (n % 2 || n / 2 > outsz)
		return CC_EINVAL;
	for (i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)in[i]), lo = hexval((unsigned char)in[i + 1]);

		if (hi < 0 || lo < 0)
			return CC_EINVAL;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

static size_t b64_encode_alpha(char *out, size_t outsz, const unsigned char *in,
			       size_t n, const char *alpha, bool pad)
{
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t rem = n - i;

		if (rem > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (rem > 2)
			v |= in[i + 2];
		if (o + 5 > outsz)
			break;
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		if (rem > 1)
			out[o++] = alpha[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (rem > 2)
			out[o++] = alpha[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	if (o < outsz)
		out[o] = '\0';
	return o;
}

size_t b64_encode(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	return b64_encode_alpha(out, outsz, in, n,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

size_t b64url_encode(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	return b64_encode_alpha(out, outsz, in, n,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long b64_decode(unsigned char *out, size_t outsz, const char *in, size_t n)
{
	uint32_t acc = 0;
	size_t o = 0, i, bits = 0;

	while (n > 0 && in[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits >= 6)
		return -1; /* one dangling character is not base64 */
	return (long)o;
}

long b64url_decode(unsigned char *out, size_t outsz, const char *in, size_t n)
{
	size_t i;
	int last;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1; /* '+', '/' and '=' included */
	}
	/* the last character's unused low bits must be zero, so that each
	 * value has exactly one encoding */
	if (n % 4 == 2 || n % 4 == 3) {
		last = b64val((unsigned char)in[n - 1]);
		if (last & (n % 4 == 2 ? 15 : 3))
			return -1;
	}
	return b64_decode(out, outsz, in, n);
}

int url_decode(char *out, size_t *outlen, const char *in, size_t n, bool plus_space)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return CC_EINVAL;
			hi = hexval((unsigned char)in[i + 1]);
			lo = hexval((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return CC_EINVAL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

int url_encode(struct buf *b, const char *in, size_t n, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~' || (c == '/' && keep_slash)) {
			buf_putc(b, (char)c);
		} else {
			char esc[3] = {'%', digits[c >> 4], digits[c & 15]};

			buf_add(b, esc, 3);
		}
	}
	return buf_failed(b) ? CC_ELIMIT : 0;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p++;
		size_t more;
		uint32_t cp;

		if (c == 0)
			return false;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			more = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) < more)
			return false;
		for (size_t k = 0; k < more; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		p += more;
		if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
		    (more == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

void utf8_fix(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;

		if (len <= n - i && utf8_valid(s + i, len)) {
			buf_add(out, s + i, len);
			i += len;
		} else {
			buf_add(out, "\xef\xbf\xbd", 3);
			i++;
		}
	}
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80; /* continuation bytes do not count */
	return n;
}

size_t b32_encode(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, o = 0;
	unsigned int acc = 0, bits = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			if (o + 1 < outsz)
				out[o++] = alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outsz)
		out[o++] = alpha[(acc << (5 - bits)) & 31];
	if (outsz)
		out[o] = '\0';
	return o;
}

long b32_decode(unsigned char *out, size_t outsz, const char *in, size_t n)
{
	unsigned int acc = 0, bits = 0;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		const char c = in[i];
		unsigned int v;

		if (c >= 'A' && c <= 'Z')
			v = (unsigned int)(c - 'A');
		else if (c >= '2' && c <= '7')
			v = (unsigned int)(c - '2') + 26;
		else
			return -1;
		acc = (acc << 5 | v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (long)o;
}
