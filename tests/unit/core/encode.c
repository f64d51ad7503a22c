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
