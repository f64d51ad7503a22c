/*
 * internal.h - private to src/policy: the compiled form of a policy and the
 * helpers the folder's files share.  Nothing outside src/policy includes it;
 * policy.h is the contract.
 *
 * Every compiled object lives in the policy's arena and is immutable after
 * policy_parse() returns, so evaluation may run on any thread.
 */
#ifndef POLICY_INTERNAL_H
#define POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

/* ---- strings that may hold wildcards and policy variables ---------------- */

#define PSTR_WILD 0x1 /* the literal text holds '*' or '?' */
#define PSTR_VARS 0x2 /* holds ${...} policy variables (Version 2012-10-17 only) */
#define PSTR_ANY 0x4  /* exactly "*" */
#define PSTR_PREFIX 0x8 /* WILD, and the only wildcard is one trailing '*' */

enum pseg_kind {
	PSEG_TEXT,    /* policy text: wildcards keep their meaning */
	PSEG_LITERAL, /* ${*} ${?} ${$}: one character taken literally */
	PSEG_KEY,     /* ${key} or ${key, 'default'}: the value is taken literally */
};

struct pseg {
	uint8_t kind;    /* enum pseg_kind */
	bool has_def;    /* PSEG_KEY: a default was given */
	const char *s;   /* text, literal character or key name */
	size_t n;
	const char *def; /* PSEG_KEY default value */
	size_t defn;
};

struct pstr {
	const char *s;     /* as written (actions: lower-cased); NUL-terminated */
	size_t n;
	unsigned flags;    /* PSTR_* */
	size_t lit;        /* WILD: bytes before the first wildcard */
	struct pseg *seg;  /* when PSTR_VARS */
	size_t nseg;
};

/* ---- conditions ------------------------------------------------------------ */

enum pcond_op {
	COP_STR_EQ, COP_STR_EQ_IC, COP_STR_LIKE,
	COP_NUM_EQ, COP_NUM_LT, COP_NUM_LE, COP_NUM_GT, COP_NUM_GE,
	COP_DATE_EQ, COP_DATE_LT, COP_DATE_LE, COP_DATE_GT, COP_DATE_GE,
	COP_BOOL, COP_BIN_EQ, COP_IP, COP_ARN_LIKE, COP_NULL,
};

enum pcond_set { CSET_NONE, CSET_ALL, CSET_ANY };

struct pcval {
	struct pstr str; /* the value as a string (variables for string/ARN operators) */
	union {
		double num;     /* numeric operators */
		int64_t date;   /* date operators: seconds since the epoch */
		bool b;         /* Null: true means "must be absent" */
		struct {
			uint8_t fam;   /* 4 or 6 */
			uint8_t bits;  /* prefix length */
			uint8_t addr[16];
		} ip;
		struct {
			unsigned char *p; /* BinaryEquals: decoded bytes */
			size_t n;
		} bin;
	} u;
};

struct pcond {
	uint8_t op;       /* enum pcond_op, the positive form */
	uint8_t set;      /* enum pcond_set */
	bool neg;         /* StringNotEquals, NotIpAddress, ...: !(any value matches) */
	bool ifexists;    /* ...IfExists: true when the key is absent */
	const char *key;  /* as written; compared case-insensitively */
	size_t keyn;
	struct pcval *vals;
	size_t nvals;
};

/* ---- principals and statements --------------------------------------------- */

enum pprin_type { PPRIN_AWS, PPRIN_FEDERATED, PPRIN_SERVICE, PPRIN_CANONICAL };
enum pprin_form { PPRIN_FORM_ANY, PPRIN_FORM_ACCOUNT, PPRIN_FORM_EXACT };

struct pprin {
	uint8_t type; /* enum pprin_type */
	uint8_t form; /* enum pprin_form */
	const char *s; /* account id (ACCOUNT) or the exact value (EXACT) */
	size_t n;
};

/*
 * The action prefilter: an Action entry's first literal bytes (at most 16,
 * lower-cased, zero-padded) and a mask of the bytes that must match, compared
 * against the request action loaded the same way with two ANDs and two
 * compares.  Action text never holds a NUL, so a masked byte past the end of
 * a shorter request (a zero there) fails the compare: the length test is
 * built in.  An exact entry of up to 15 bytes also masks its terminating
 * zero, so the compare decides equality.  "*" has an empty mask.
 */
#define PACT_DONE 0 /* the masked compare decides */
#define PACT_MORE 1 /* the masked compare only filters: policy__pstr_match decides */

struct pact {
	uint64_t v[2]; /* pattern bytes 0..15, zero where the mask is */
	uint64_t m[2]; /* 0xff for every byte that must equal v's */
	uint8_t how;   /* PACT_DONE or PACT_MORE */
};

struct pstmt {
	/* hot: read for every statement before the action test */
	bool deny;
	bool not_action;
	uint64_t act_mask;  /* Action: policy__act_bit() of each entry; see policy__act_bit */
	const struct pact *acts; /* nactions prefilters, parallel to actions */
	size_t nactions;
	/* cold: read once the action applies */
	struct pstr *actions;
	const char *sid; /* NULL when absent */
	bool not_resource, not_principal;
	bool has_resource, has_principal;
	bool principal_any; /* Principal "*" */
	struct pstr *resources;
	size_t nresources;
	struct pprin *principals;
	size_t nprincipals;
	struct pcond *conds;
	size_t nconds;
};

struct policy {
	struct arena *arena; /* owns everything below, this struct included */
	enum policy_kind kind;
	bool vars;           /* Version 2012-10-17: policy variables are live */
	const char *id;
	struct pstmt *stmts;
	size_t nstmts;
};

/* ---- shared helpers ------------------------------------------------------- */

#define GLOB_NOCASE 0x1 /* ASCII case-insensitive */
#define GLOB_ESC 0x2    /* '\\' makes the next pattern character literal */

/* match.c: '*' any run (even across ':'), '?' one character */
bool policy__glob(const char *pat, size_t pn, const char *s, size_t sn, unsigned flags);
/* match.c: six colon-separated parts, each matched as a glob */
bool policy__arn_like(const char *pat, size_t pn, const char *s, size_t sn, unsigned flags);
/*
 * match.c: a one-word Bloom filter of action prefixes, so that a statement
 * none of whose actions can match is skipped with one AND.  An Action entry
 * sets the bit of the hash of its literal text cut after the service's ':'
 * and at most POLICY_ACT_K more bytes ("codecommit:get" for
 * "codecommit:Get*", "iam:" for "iam:*"), or every bit when a wildcard comes
 * before the ':' ("*", "code*:x").  The request sets the bits of its own
 * such prefixes, with 0..POLICY_ACT_K bytes after the ':'.  An entry that
 * matches has its cut text as a prefix of the request (the literal text is
 * one, and the ':' lies at the same place in both), so its bit is among the
 * request's: a zero AND proves that no entry matches.
 */
#define POLICY_ACT_K 3
uint64_t policy__act_bit(const char *low, size_t n, size_t colon, size_t lit);
/* match.c: the request side, over a lower-cased action (~0: no ':') */
uint64_t policy__act_req_mask(const char *low, size_t n);
/* match.c: sets PSTR_WILD/ANY/PREFIX and lit from the text */
void policy__pstr_flags(struct pstr *ps);
/* match.c: the prefilter of a lower-cased action whose flags are set */
void policy__pact_compile(struct pact *pa, const struct pstr *ps);

/*
 * memcmp(a, b, n) == 0 for the short strings of policies, without a call:
 * whole words, the tail as one overlapping load instead of a byte loop.
 * The last word goes first: the literal texts of a policy share their
 * beginnings ("arn:aws:codecommit:us-east-1:111122223333:") and differ
 * near their ends.
 */
static inline bool policy__bytes_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t x4, y4;

	if (n >= 8) {
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		if (x != y)
			return false;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		return true;
	}
	if (n >= 4) {
		memcpy(&x4, a, 4);
		memcpy(&y4, b, 4);
		if (x4 != y4)
			return false;
		memcpy(&x4, a + n - 4, 4);
		memcpy(&y4, b + n - 4, 4);
		return x4 == y4;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return false;
	return true;
}

/*
 * A compiled pattern without variables against s; flags as for
 * policy__glob (actions: GLOB_NOCASE unless s is already lower-case).  The
 * literal prefix is compared first: most patterns ("codecommit:Get*",
 * "arn:aws:codecommit:*:111122223333:*") are decided there without the glob.
 * Inline because evaluation calls it for every Action and Resource entry.
 */
static inline bool policy__pstr_match(const struct pstr *ps, const char *s, size_t n,
				      unsigned flags)
{
	bool nocase = flags & GLOB_NOCASE;

	if (ps->flags & PSTR_ANY)
		return true;
	if (!(ps->flags & PSTR_WILD))
		return ps->n == n &&
		       (nocase ? strncasecmp(ps->s, s, n) == 0 : policy__bytes_eq(ps->s, s, n));
	if (n < ps->lit ||
	    !(nocase ? strncasecmp(ps->s, s, ps->lit) == 0 : policy__bytes_eq(ps->s, s, ps->lit)))
		return false;
	if (ps->flags & PSTR_PREFIX)
		return true;
	return policy__glob(ps->s + ps->lit, ps->n - ps->lit, s + ps->lit, n - ps->lit, flags);
}
/* match.c: the ARN's account field, or an empty span */
struct span policy__arn_account(const char *arn);

/* parse.c: MalformedPolicyDocument error with a printf message */
int policy__malformed(struct err *e, const char *fmt, ...) CC_PRINTF(2, 3);

/* vars.c */
int policy__vars_compile(struct pstr *ps, struct arena *a, const char *where, struct err *e);
const struct policy_key *policy__ctx_key(const struct policy_ctx *ctx, const char *name,
					 size_t n);

/*
 * vars.c: expands ps into stk (stksz bytes) or, when that is too small, into
 * a malloc'd *heap the caller frees.  esc: escape every character that came
 * from a variable (and every '\\') for a GLOB_ESC match.  Returns 0 and sets
 * *out and *outn, 1 when a variable has no value and no default (no match), or
 * CC_ERROR on out of memory.
 */
int policy__vars_expand(const struct pstr *ps, const struct policy_ctx *ctx, bool esc,
			char *stk, size_t stksz, char **heap, const char **out, size_t *outn);

/* cond.c: compiles statement idx's Condition object (a json_t) into st */
struct json_t;
int policy__cond_compile(struct pstmt *st, struct policy *p, int idx, struct json_t *cond,
			 struct err *e);
/* cond.c: one operator/key pair against the request */
bool policy__cond_eval(const struct pcond *c, const struct policy_ctx *ctx);
/* cond.c: a decimal number as AWS's numeric operators read it */
int policy__parse_num(const char *s, size_t n, double *out);

#endif
