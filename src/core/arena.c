/*
 * arena.c - request-lifetime memory: many small allocations, one free.
 * Blocks are chained; a large request gets a block of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ARENA_BLOCK 8192

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[]; /* size bytes */
};

struct arena {
	struct arena_block *head;
};

struct arena *arena_new(void) { return calloc(1, sizeof(struct arena)); }

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t align = sizeof(max_align_t), total;
	void *p;

	if (sz_add(&n, n, align - 1) < 0)
		return NULL;
	n &= ~(align - 1);
	if (n == 0)
		n = align;
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if (sz_add(&total, sizeof(*b), size) < 0)
			return NULL;
		b = malloc(total);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t sz;
	char *p;

	if (sz_add(&sz, n, 1) < 0 || (p = arena_alloc(a, sz)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL) {
		va_end(ap);
		return NULL;
	}
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
