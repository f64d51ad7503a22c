/*
 * match.c - the string matching of the policy language: '*'/'?' globs (used
 * for Action, Resource, StringLike), the segment-wise ARN match of
 * ArnLike/ArnEquals, and the action test.  Pure functions over (ptr, len)
 * spans: no allocation, no policy variables (vars.c expands those first).
 * Contract: internal.h.
 */
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

static inline unsigned char fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static inline bool ch_eq(unsigned char a, unsigned char b, unsigned flags)
{
	return a == b || ((flags & GLOB_NOCASE) && fold(a) == fold(b));
}

/* one UTF-8 character forward from s[i] */
static inline size_t utf8_next(const char *s, size_t i, size_t n)
{
	i++;
	while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/*
 * Iterative glob with single-star backtracking: linear in practice, never
 * exponential.  '?' matches one UTF-8 character; '*' any run, ':' and '/'
 * included (AWS matches Resource ARNs as plain strings).
 */
bool policy__glob(const char *pat, size_t pn, const char *s, size_t sn, unsigned flags)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < sn) {
		if (pi < pn) {
			unsigned char c = (unsigned char)pat[pi];
			size_t adv = 1;

			if (c == '*') {
				star_p = ++pi;
				star_s = si;
				continue;
			}
			if (c == '?') {
				pi++;
				si = utf8_next(s, si, sn);
				continue;
			}
			if ((flags & GLOB_ESC) && c == '\\' && pi + 1 < pn) {
				c = (unsigned char)pat[pi + 1];
				adv = 2;
			}
			if (ch_eq(c, (unsigned char)s[si], flags)) {
				pi += adv;
				si++;
				continue;
			}
		}
		if (star_p == (size_t)-1)
			return false;
		/* let the last star swallow one more character and retry */
		star_s = utf8_next(s, star_s, sn);
		si = star_s;
		pi = star_p;
	}
	while (pi < pn && pat[pi] == '*')
		pi++;
	return pi == pn;
}

/* splits at the first five ':' into six parts; false when there are fewer */
static bool arn_split(const char *s, size_t n, struct span part[6])
{
	size_t start = 0, k = 0;

	for (size_t i = 0; i < n && k < 5; i++) {
		if (s[i] == ':') {
			part[k++] = span_of(s + start, i - start);
			start = i + 1;
		}
	}
	if (k < 5)
		return false;
	part[5] = span_of(s + start, n - start);
	return true;
}

/*
 * ArnEquals/ArnLike: "Each of the six colon-delimited components of the ARN
 * is checked separately and each can include multi-character match
 * wildcards (*) or single-character match wildcards (?)" (IAM User Guide,
 * Condition operators, ARN condition operators).  A pattern that does not
 * start with "arn:" (typically "*") is matched as a whole-string glob; one
 * that does but has fewer than six parts matches nothing.
 */
bool policy__arn_like(const char *pat, size_t pn, const char *s, size_t sn, unsigned flags)
{
	struct span pp[6], sp[6];

	if (!arn_split(pat, pn, pp))
		return (pn < 4 || memcmp(pat, "arn:", 4) != 0) && policy__glob(pat, pn, s, sn, flags);
	if (!arn_split(s, sn, sp))
		return false;
	for (int i = 0; i < 6; i++)
		if (!policy__glob(pp[i].p, pp[i].n, sp[i].p, sp[i].n, flags))
			return false;
	return true;
}

void policy__pstr_flags(struct pstr *ps)
{
	const char *w1 = memchr(ps->s, '*', ps->n), *w2 = memchr(ps->s, '?', ps->n);
	const char *w = w1 && (!w2 || w1 < w2) ? w1 : w2;

	ps->flags &= ~(unsigned)(PSTR_ANY | PSTR_WILD | PSTR_PREFIX);
	if (ps->n == 1 && ps->s[0] == '*') {
		ps->flags |= PSTR_ANY;
	} else if (w) {
		ps->flags |= PSTR_WILD;
		ps->lit = (size_t)(w - ps->s);
		if (ps->lit == ps->n - 1 && w2 == NULL)
			ps->flags |= PSTR_PREFIX;
	}
}

/*
 * Bytes [0, k) of s with their mask into pa (k <= 16); the rest stays zero.
 * Built through a byte array so that the request side, loaded the same way
 * in eval.c, agrees whatever the byte order.
 */
static void pact_set(struct pact *pa, const char *s, size_t k)
{
	unsigned char v[16] = {0}, m[16] = {0};

	memcpy(v, s, k);
	memset(m, 0xff, k);
	memcpy(pa->v, v, 16);
	memcpy(pa->m, m, 16);
}

void policy__pact_compile(struct pact *pa, const struct pstr *ps)
{
	memset(pa, 0, sizeof(*pa));
	pa->how = PACT_DONE;
	if (ps->flags & PSTR_ANY)
		return; /* empty mask: everything passes */
	if (!(ps->flags & PSTR_WILD)) {
		/* exact: the text and its terminating zero, when that fits */
		if (ps->n < 16) {
			pact_set(pa, ps->s, ps->n + 1);
		} else {
			pact_set(pa, ps->s, 16);
			pa->how = PACT_MORE;
		}
		return;
	}
	pact_set(pa, ps->s, ps->lit < 16 ? ps->lit : 16);
	if (!(ps->flags & PSTR_PREFIX) || ps->lit > 16)
		pa->how = PACT_MORE;
}

static inline uint32_t fnv_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u; /* FNV-1a */
}

/* the top six bits of a multiplicative mix choose the bit */
static inline uint64_t fnv_bit(uint32_t h)
{
	return (uint64_t)1 << ((h * 0x9e3779b1u) >> 26);
}

/*
 * low[0..n) is an Action entry, lower-cased, with its first ':' at colon
 * and lit bytes before its first wildcard (n when it has none).
 */
uint64_t policy__act_bit(const char *low, size_t n, size_t colon, size_t lit)
{
	uint32_t h = 2166136261u;
	size_t cut;

	if (lit > n)
		lit = n;
	if (lit <= colon)
		return ~(uint64_t)0; /* a wildcard in the service part (or "*") */
	cut = colon + 1 + (lit - colon - 1 < POLICY_ACT_K ? lit - colon - 1 : POLICY_ACT_K);
	for (size_t i = 0; i < cut; i++)
		h = fnv_step(h, (unsigned char)low[i]);
	return fnv_bit(h);
}

uint64_t policy__act_req_mask(const char *low, size_t n)
{
	const char *colon = memchr(low, ':', n);
	uint32_t h = 2166136261u;
	uint64_t m = 0;
	size_t i, end;

	if (colon == NULL)
		return ~(uint64_t)0;
	end = (size_t)(colon - low) + 1;
	for (i = 0; i < end; i++)
		h = fnv_step(h, (unsigned char)low[i]);
	m |= fnv_bit(h);
	for (end = end + POLICY_ACT_K < n ? end + POLICY_ACT_K : n; i < end; i++) {
		h = fnv_step(h, (unsigned char)low[i]);
		m |= fnv_bit(h);
	}
	return m;
}

struct span policy__arn_account(const char *arn)
{
	struct span part[6];

	if (arn == NULL || !arn_split(arn, strlen(arn), part) || !span_eq(part[0], "arn"))
		return span_of("", 0);
	return part[4];
}
