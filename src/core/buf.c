/*
 * buf.c - growable, NUL-terminated byte buffers with a hard ceiling and a
 * sticky failure flag (see struct buf in core.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define BUF_DEFAULT_MAX (SIZE_MAX / 2)

int buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap, max = b->max ? b->max : BUF_DEFAULT_MAX;
	char *p;

	if (b->failed)
		return CC_ELIMIT;
	if (sz_add(&need, b->len, extra) < 0 || need > max)
		goto fail;
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1) {
		if (sz_mul(&cap, cap, 2) < 0)
			goto fail;
	}
	p = realloc(b->ptr, cap);
	if (p == NULL)
		goto fail;
	b->ptr = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return CC_ELIMIT;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) < 0)
		return CC_ELIMIT;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

int buf_putc_slow(struct buf *b, char c) { return buf_add(b, &c, 1); }

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->failed)
		return CC_ELIMIT;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_grow(b, (size_t)n) < 0) {
		b->failed = 1;
		return CC_ELIMIT;
	}
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_cstr(const struct buf *b) { return b->ptr ? b->ptr : ""; }

void buf_clear(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

char *buf_detach(struct buf *b)
{
	char *p;

	if (b->failed) {
		buf_release(b);
		return NULL;
	}
	if (b->ptr == NULL && buf_grow(b, 0) < 0)
		return NULL;
	b->ptr[b->len] = '\0';
	p = b->ptr;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}
