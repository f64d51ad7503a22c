/* tests of src/core/encode.c */
#include "core/core.h"
#include "unit.h"

void test_core_encode__base64_round_trip(void)
{
	unsigned char out[16];
	char enc[32];
	size_t n = b64_encode(enc, sizeof(enc), (const unsigned char *)"hello", 5);

	CHECK_INT(n, 8);
	CHECK_STR(enc, "aGVsbG8=");
	CHECK_INT(b64_decode(out, sizeof(out), enc, n), 5);
	CHECK(memcmp(out, "hello", 5) == 0);
	CHECK(b64_decode(out, sizeof(out), "a$==", 4) < 0);
}

void test_core_encode__url_decode_rejects_truncated_escape(void)
{
	char out[16];
	size_t n;

	CHECK(url_decode(out, &n, "a%2", 3, false) < 0);
	CHECK(url_decode(out, &n, "a%2Fb+c", 7, true) == 0);
	CHECK_STR(out, "a/b c");
}

void test_core_encode__utf8(void)
{
	CHECK(utf8_valid("h\xc3\xa9llo", 6));
	CHECK(!utf8_valid("\xc3", 1));
	CHECK(!utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!utf8_valid("a\0b", 3));
}

/* bytes that are not UTF-8 become U+FFFD, one each; valid text is kept */
void test_core_encode__utf8_fix(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{"h\xc3\xa9llo", 6, "h\xc3\xa9llo"},
		{"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
		{"\xc3", 1, "\xef\xbf\xbd"},                          /* cut short */
		{"\xe2\x82" "x", 3, "\xef\xbf\xbd\xef\xbf\xbd" "x"},   /* a lead and a lone continuation */
		{"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
		{"a\0b", 3, "a\xef\xbf\xbd" "b"},
		{"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT(0);

		utf8_fix(&b, cases[i].in, cases[i].n);
		CHECK_STR(buf_cstr(&b), cases[i].out);
		CHECK(utf8_valid(b.ptr, b.len));
		buf_release(&b);
	}
}

void test_core_encode__base64url_strict(void)
{
	unsigned char out[16];
	long n;

	/* RFC 4648 section 10's vectors, without padding */
	CHECK_INT(b64url_decode(out, sizeof(out), "", 0), 0);
	CHECK_INT(b64url_decode(out, sizeof(out), "Zg", 2), 1);
	CHECK_INT(b64url_decode(out, sizeof(out), "Zm8", 3), 2);
	n = b64url_decode(out, sizeof(out), "Zm9vYmFy", 8);
	CHECK(n == 6 && memcmp(out, "foobar", 6) == 0);
	/* the url alphabet: 0xfb 0xff is "-_8" */
	n = b64url_decode(out, sizeof(out), "-_8", 3);
	CHECK(n == 2 && out[0] == 0xfb && out[1] == 0xff);
	CHECK(b64url_decode(out, sizeof(out), "+/8", 3) < 0);    /* standard alphabet */
	CHECK(b64url_decode(out, sizeof(out), "Zg==", 4) < 0);   /* padding */
	CHECK(b64url_decode(out, sizeof(out), "Zm8=", 4) < 0);
	CHECK(b64url_decode(out, sizeof(out), "Zm 8", 4) < 0);   /* outside the alphabet */
	CHECK(b64url_decode(out, sizeof(out), "Zm\0" "8", 4) < 0);
	CHECK(b64url_decode(out, sizeof(out), "Z", 1) < 0);      /* a dangling character */
	CHECK(b64url_decode(out, sizeof(out), "Zh", 2) < 0);     /* trailing bits set */
	CHECK(b64url_decode(out, sizeof(out), "Zm9", 3) < 0);
	CHECK(b64url_decode(out, 5, "Zm9vYmFy", 8) < 0);         /* out too small */
}
