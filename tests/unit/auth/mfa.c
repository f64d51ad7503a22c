/* tests of src/auth/mfa.c: TOTP against RFC 6238's own vectors, Base32
 * against RFC 4648's, and the QR code's PNG framing */
#include <string.h>

#include "auth/auth.h"
#include "unit.h"

void test_auth_mfa__rfc6238_vectors(void)
{
	/* RFC 6238 appendix B, SHA-1 key "12345678901234567890": the 8-digit
	 * codes, of which a 6-digit code is the last six */
	static const struct {
		int64_t t;
		int code;
	} v[] = {
		{59, 287082},         {1111111109, 81804}, {1111111111, 50471},
		{1234567890, 5924},   {2000000000, 279037}, {20000000000, 353130},
	};
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		CHECK_INT(totp_code(key, 20, v[i].t / TOTP_STEP), v[i].code);
}

void test_auth_mfa__find_and_format(void)
{
	const unsigned char *key = (const unsigned char *)"12345678901234567890";

	CHECK(totp_code_ok("287082"));
	CHECK(!totp_code_ok("28708"));
	CHECK(!totp_code_ok("2870822"));
	CHECK(!totp_code_ok("28708a"));
	CHECK(!totp_code_ok(""));
	CHECK(!totp_code_ok(NULL));
	CHECK_INT(totp_find(key, 20, "287082", 0, 5), 1);
	CHECK_INT(totp_find(key, 20, "287082", 2, 5), -1);
	CHECK_INT(totp_find(key, 20, "081804", 1111111109 / 30 - 1, 1111111109 / 30 + 1),
		  1111111109 / 30);
	CHECK_INT(totp_find(key, 20, "12345", 0, 100), -1);
}

void test_auth_mfa__base32(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"", ""},       {"f", "MY"},          {"fo", "MZXQ"},          {"foo", "MZXW6"},
		{"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
	};
	char out[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		unsigned char back[32];
		long n;

		b32_encode(out, sizeof(out), (const unsigned char *)v[i].in, strlen(v[i].in));
		CHECK_STR(out, v[i].out);
		n = b32_decode(back, sizeof(back), out, strlen(out));
		CHECK(n == (long)strlen(v[i].in) && memcmp(back, v[i].in, (size_t)n) == 0);
	}
	{
		unsigned char back[4];

		CHECK(b32_decode(back, sizeof(back), "MZ1W", 4) == -1);    /* 1 is not Base32 */
		CHECK(b32_decode(back, sizeof(back), "mzxw", 4) == -1);    /* lower case */
		CHECK(b32_decode(back, 1, "MZXW6", 5) == -1);              /* too long for out */
	}
}

void test_auth_mfa__qr_png(void)
{
	struct buf png = BUF_INIT(0);
	struct err e = ERR_INIT;

	REQUIRE(mfa_qr_png(&png, "otpauth://totp/x@123456789012?secret=MZXW6YTBOI", &e) == 0);
	CHECK(png.len > 100);
	CHECK(memcmp(png.ptr, "\x89PNG\r\n\x1a\n", 8) == 0);
	CHECK(memcmp(png.ptr + 12, "IHDR", 4) == 0);
	CHECK(memcmp(png.ptr + png.len - 8, "IEND", 4) == 0);
	buf_release(&png);
}
