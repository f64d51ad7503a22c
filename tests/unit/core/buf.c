/* tests of src/core/buf.c */
#include "core/core.h"
#include "unit.h"

void test_core_buf__append_and_printf(void)
{
	struct buf b = BUF_INIT(0);

	buf_puts(&b, "abc");
	buf_printf(&b, "-%d-", 42);
	buf_putc(&b, 'z');
	CHECK(!buf_failed(&b));
	CHECK_STR(buf_cstr(&b), "abc-42-z");
	CHECK_INT(b.len, 8);
	buf_release(&b);
}

void test_core_buf__ceiling_is_sticky(void)
{
	struct buf b = BUF_INIT(4);

	CHECK(buf_puts(&b, "abcd") == 0);
	CHECK(buf_puts(&b, "e") < 0);
	CHECK(buf_failed(&b));
	CHECK(buf_puts(&b, "") < 0);
	CHECK(buf_detach(&b) == NULL);
}
