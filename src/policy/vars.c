/*
 * vars.c - policy variables (IAM User Guide, "Policy variables"): ${key},
 * ${key, 'default'} and the literal escapes ${*} ${?} ${$}, found once at
 * parse time (only for Version 2012-10-17) and expanded at evaluation into a
 * caller's stack buffer, falling back to the heap for long results.  Also
 * the case-insensitive lookup of request keys.  Contract: internal.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static void seg_add(struct pstr *ps, enum pseg_kind kind, const char *s, size_t n)
{
	struct pseg *g = &ps->seg[ps->nseg++];

	g->kind = (uint8_t)kind;
	g->s = s;
	g->n = n;
}

/* parses "${...}" at s[i]; returns the index after '}' or 0 on error */
static size_t var_parse(struct pstr *ps, size_t i)
{
	const char *s = ps->s;
	size_t n = ps->n, j = i + 2, k;
	struct span name;

	while (j < n && s[j] != '}' && s[j] != ',')
		j++;
	if (j >= n)
		return 0;
	name = span_trim(span_of(s + i + 2, j - i - 2));
	if (name.n == 0)
		return 0;
	if (s[j] == '}') {
		if (name.n == 1 && (name.p[0] == '*' || name.p[0] == '?' || name.p[0] == '$'))
			seg_add(ps, PSEG_LITERAL, name.p, 1);
		else
			seg_add(ps, PSEG_KEY, name.p, name.n);
		return j + 1;
	}
	/* ${key, 'default'}: "a comma and a space" in the docs; any blanks here */
	k = j + 1;
	while (k < n && is_space(s[k]))
		k++;
	if (k >= n || s[k] != '\'')
		return 0;
	size_t d0 = ++k;
	while (k < n && s[k] != '\'')
		k++;
	if (k >= n)
		return 0;
	size_t d1 = k++;
	while (k < n && is_space(s[k]))
		k++;
	if (k >= n || s[k] != '}')
		return 0;
	seg_add(ps, PSEG_KEY, name.p, name.n);
	ps->seg[ps->nseg - 1].has_def = true;
	ps->seg[ps->nseg - 1].def = s + d0;
	ps->seg[ps->nseg - 1].defn = d1 - d0;
	return k + 1;
}

int policy__vars_compile(struct pstr *ps, struct arena *a, const char *where, struct err *e)
{
	const char *s = ps->s;
	size_t n = ps->n, nvar = 0, i, text;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '$' && s[i + 1] == '{')
			nvar++;
	if (nvar == 0)
		return 0;
	ps->seg = arena_alloc(a, (2 * nvar + 1) * sizeof(*ps->seg));
	if (ps->seg == NULL)
		return err_oom(e);
	ps->flags |= PSTR_VARS;
	for (i = 0, text = 0; i + 1 < n;) {
		size_t next;

		if (s[i] != '$' || s[i + 1] != '{') {
			i++;
			continue;
		}
		if (i > text)
			seg_add(ps, PSEG_TEXT, s + text, i - text);
		if ((next = var_parse(ps, i)) == 0)
			return policy__malformed(e, "Syntax errors in policy. %s has an invalid policy "
						 "variable near '%.40s'", where, s + i);
		i = text = next;
	}
	if (text < n)
		seg_add(ps, PSEG_TEXT, s + text, n - text);
	return 0;
}

const struct policy_key *policy__ctx_key(const struct policy_ctx *ctx, const char *name, size_t n)
{
	for (size_t i = 0; i < ctx->nkeys; i++) {
		const char *k = ctx->keys[i].name;

		if (k && strncasecmp(k, name, n) == 0 && k[n] == '\0')
			return &ctx->keys[i];
	}
	return NULL;
}

/* appends (or, with dst NULL, only counts) v, escaping as the mode asks */
static size_t put(char *dst, size_t at, const char *v, size_t vn, bool esc, bool literal)
{
	for (size_t i = 0; i < vn; i++) {
		char c = v[i];

		if (esc && (c == '\\' || (literal && (c == '*' || c == '?')))) {
			if (dst)
				dst[at] = '\\';
			at++;
		}
		if (dst)
			dst[at] = c;
		at++;
	}
	return at;
}

/* one pass: returns 1 if a variable has no value, else 0 with *len set */
static int expand_pass(const struct pstr *ps, const struct policy_ctx *ctx, bool esc, char *dst,
		       size_t *len)
{
	size_t at = 0;

	for (size_t i = 0; i < ps->nseg; i++) {
		const struct pseg *g = &ps->seg[i];
		const struct policy_key *k;

		switch (g->kind) {
		case PSEG_TEXT:
			at = put(dst, at, g->s, g->n, esc, false);
			break;
		case PSEG_LITERAL:
			at = put(dst, at, g->s, 1, esc, true);
			break;
		default:
			/*
			 * A key that is absent (or multivalued: AWS cannot use
			 * those as variables) takes the default when there is
			 * one; otherwise the string matches nothing (IAM User
			 * Guide, "Policy variables": "if the key is not present
			 * ... the policy variable ... does not match").
			 */
			k = policy__ctx_key(ctx, g->s, g->n);
			if (k && k->values.n == 1 && k->values.v[0])
				at = put(dst, at, k->values.v[0], strlen(k->values.v[0]), esc, true);
			else if (g->has_def)
				at = put(dst, at, g->def, g->defn, esc, true);
			else
				return 1;
			break;
		}
	}
	*len = at;
	return 0;
}

int policy__vars_expand(const struct pstr *ps, const struct policy_ctx *ctx, bool esc,
			char *stk, size_t stksz, char **heap, const char **out, size_t *outn)
{
	size_t need, got;
	char *dst = stk;

	*heap = NULL;
	if (expand_pass(ps, ctx, esc, NULL, &need))
		return 1;
	if (need >= stksz) {
		if ((*heap = malloc(need + 1)) == NULL)
			return CC_ERROR;
		dst = *heap;
	}
	if (expand_pass(ps, ctx, esc, dst, &got) || got != need) {
		free(*heap);
		*heap = NULL;
		return 1;
	}
	dst[need] = '\0';
	*out = dst;
	*outn = need;
	return 0;
}
