/*
 * cond.c - the Condition element: compiles {operator: {key: value(s)}} into
 * flat operator/key pairs with pre-parsed values (numbers, dates, CIDRs,
 * base64), and evaluates one pair against the request's keys following the
 * IAM User Guide's "Condition operators" and "Multivalued context keys".
 * It does not decide statements or policies (eval.c).  Contract: internal.h.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

static const struct cop_name {
	const char *name;
	uint8_t op;
	bool neg;
} cop_names[] = {
	{"StringEquals", COP_STR_EQ, false},
	{"StringNotEquals", COP_STR_EQ, true},
	{"StringEqualsIgnoreCase", COP_STR_EQ_IC, false},
	{"StringNotEqualsIgnoreCase", COP_STR_EQ_IC, true},
	{"StringLike", COP_STR_LIKE, false},
	{"StringNotLike", COP_STR_LIKE, true},
	{"NumericEquals", COP_NUM_EQ, false},
	{"NumericNotEquals", COP_NUM_EQ, true},
	{"NumericLessThan", COP_NUM_LT, false},
	{"NumericLessThanEquals", COP_NUM_LE, false},
	{"NumericGreaterThan", COP_NUM_GT, false},
	{"NumericGreaterThanEquals", COP_NUM_GE, false},
	{"DateEquals", COP_DATE_EQ, false},
	{"DateNotEquals", COP_DATE_EQ, true},
	{"DateLessThan", COP_DATE_LT, false},
	{"DateLessThanEquals", COP_DATE_LE, false},
	{"DateGreaterThan", COP_DATE_GT, false},
	{"DateGreaterThanEquals", COP_DATE_GE, false},
	{"Bool", COP_BOOL, false},
	{"BinaryEquals", COP_BIN_EQ, false},
	{"IpAddress", COP_IP, false},
	{"NotIpAddress", COP_IP, true},
	/* AWS documents ArnEquals and ArnLike identically (wildcards per part) */
	{"ArnEquals", COP_ARN_LIKE, false},
	{"ArnLike", COP_ARN_LIKE, false},
	{"ArnNotEquals", COP_ARN_LIKE, true},
	{"ArnNotLike", COP_ARN_LIKE, true},
	{"Null", COP_NULL, false},
};

#define VAR_STACK 256 /* bytes of stack for one expanded value */

static bool span_starts_nocase(struct span s, const char *pre)
{
	size_t n = strlen(pre);

	return s.n >= n && span_eq_nocase(span_of(s.p, n), pre);
}

/* "ForAnyValue:StringLikeIfExists" -> op, neg, set, ifexists */
static int op_parse(struct pcond *c, const char *name)
{
	struct span s = span_cstr(name);

	c->set = CSET_NONE;
	if (span_starts_nocase(s, "ForAllValues:")) {
		c->set = CSET_ALL;
		s.p += 13;
		s.n -= 13;
	} else if (span_starts_nocase(s, "ForAnyValue:")) {
		c->set = CSET_ANY;
		s.p += 12;
		s.n -= 12;
	}
	c->ifexists = s.n > 8 && span_eq_nocase(span_of(s.p + s.n - 8, 8), "IfExists");
	if (c->ifexists)
		s.n -= 8;
	for (size_t i = 0; i < ARRAY_SIZE(cop_names); i++) {
		if (span_eq_nocase(s, cop_names[i].name)) {
			c->op = cop_names[i].op;
			c->neg = cop_names[i].neg;
			/* Null takes neither IfExists nor a set operator */
			if (c->op == COP_NULL && (c->ifexists || c->set != CSET_NONE))
				return CC_EINVAL;
			return 0;
		}
	}
	return CC_EINVAL;
}

int policy__parse_num(const char *s, size_t n, double *out)
{
	double v = 0, scale = 1;
	size_t i = 0, digits = 0;
	bool neg = false;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (n > 64)
		return CC_EINVAL;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		v = v * 10 + (s[i] - '0');
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			scale /= 10;
			v += (s[i] - '0') * scale;
		}
	}
	if (i != n || digits == 0)
		return CC_EINVAL;
	*out = neg ? -v : v;
	return 0;
}

/* ISO 8601 (as time_parse_iso8601 reads it) or epoch seconds */
static int date_parse(const char *s, size_t n, int64_t *out)
{
	size_t i = (n > 0 && s[0] == '-') ? 1 : 0;
	bool digits = i < n;

	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			digits = false;
	if (digits)
		return parse_i64(s, n, INT64_MIN, INT64_MAX, out);
	return time_parse_iso8601(out, s, n);
}

/* "a.b.c.d", "a.b.c.d/nn", "v6", "v6/nnn"; IPv4-mapped IPv6 reads as IPv4 */
static int ip_parse(const char *s, size_t n, bool cidr, uint8_t *fam, uint8_t *bits,
		    uint8_t addr[16])
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = memchr(s, '/', n);
	size_t hn = slash ? (size_t)(slash - s) : n;
	uint64_t b;

	if (hn == 0 || hn >= sizeof(host) || (slash && !cidr))
		return CC_EINVAL;
	memcpy(host, s, hn);
	host[hn] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1) {
		*fam = 4;
		*bits = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		*fam = 6;
		*bits = 128;
		if (!slash && memcmp(addr, mapped, 12) == 0) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*fam = 4;
			*bits = 32;
		}
	} else {
		return CC_EINVAL;
	}
	if (slash) {
		if (parse_u64(slash + 1, n - hn - 1, 0, *bits, &b) < 0)
			return CC_EINVAL;
		*bits = (uint8_t)b;
	}
	return 0;
}

static bool ip_in(const struct pcval *v, uint8_t fam, const uint8_t addr[16])
{
	unsigned full = v->u.ip.bits / 8, rest = v->u.ip.bits % 8;

	if (v->u.ip.fam != fam || memcmp(v->u.ip.addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (v->u.ip.addr[full] & mask) == (addr[full] & mask);
}

/* ---- compile ------------------------------------------------------------------ */

/* JSON strings, numbers and booleans become strings, as AWS reads them */
static const char *scalar_str(struct arena *a, json_t *j, size_t *n)
{
	char tmp[64];
	const char *s;

	switch (json_typeof(j)) {
	case JSON_STRING:
		*n = json_string_length(j);
		return arena_strndup(a, json_string_value(j), *n);
	case JSON_INTEGER:
		snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		/* the shortest form that reads back the same */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof tmp, "%.*g", prec, json_real_value(j));
			if (strtod(tmp, NULL) == json_real_value(j))
				break;
		}
		break;
	case JSON_TRUE:
		snprintf(tmp, sizeof tmp, "true");
		break;
	case JSON_FALSE:
		snprintf(tmp, sizeof tmp, "false");
		break;
	default:
		return NULL;
	}
	s = arena_strdup(a, tmp);
	*n = strlen(tmp);
	return s;
}

static int val_compile(struct pcval *v, const struct pcond *c, struct policy *p, json_t *j,
		       const char *where, struct err *e)
{
	struct arena *a = p->arena;
	const char *s;
	size_t n;
	long bn;

	if ((s = scalar_str(a, j, &n)) == NULL) {
		if (json_is_string(j) || json_is_number(j) || json_is_boolean(j))
			return err_oom(e);
		return policy__malformed(e, "Syntax errors in policy. %s values must be strings, "
					 "numbers or booleans", where);
	}
	v->str.s = s;
	v->str.n = n;
	switch (c->op) {
	case COP_STR_EQ:
	case COP_STR_EQ_IC:
	case COP_STR_LIKE:
	case COP_ARN_LIKE:
		policy__pstr_flags(&v->str);
		if (p->vars)
			return policy__vars_compile(&v->str, a, where, e);
		return 0;
	case COP_NUM_EQ:
	case COP_NUM_LT:
	case COP_NUM_LE:
	case COP_NUM_GT:
	case COP_NUM_GE:
		if (policy__parse_num(s, n, &v->u.num) < 0)
			return policy__malformed(e, "Syntax errors in policy. %s value '%.40s' is not "
						 "a number", where, s);
		return 0;
	case COP_DATE_EQ:
	case COP_DATE_LT:
	case COP_DATE_LE:
	case COP_DATE_GT:
	case COP_DATE_GE:
		if (date_parse(s, n, &v->u.date) < 0)
			return policy__malformed(e, "Syntax errors in policy. %s value '%.40s' is not "
						 "a date", where, s);
		return 0;
	case COP_IP:
		if (ip_parse(s, n, true, &v->u.ip.fam, &v->u.ip.bits, v->u.ip.addr) < 0)
			return policy__malformed(e, "Syntax errors in policy. %s value '%.40s' is not "
						 "an IP address or CIDR block", where, s);
		return 0;
	case COP_BIN_EQ:
		if ((v->u.bin.p = arena_alloc(a, n + 1)) == NULL)
			return err_oom(e);
		if ((bn = b64_decode(v->u.bin.p, n + 1, s, n)) < 0)
			return policy__malformed(e, "Syntax errors in policy. %s value '%.40s' is not "
						 "base64", where, s);
		v->u.bin.n = (size_t)bn;
		return 0;
	case COP_NULL:
		if (!span_eq_nocase(span_of(s, n), "true") && !span_eq_nocase(span_of(s, n), "false"))
			return policy__malformed(e, "Syntax errors in policy. %s value must be true "
						 "or false", where);
		v->u.b = span_eq_nocase(span_of(s, n), "true");
		return 0;
	default: /* COP_BOOL: compared as a case-insensitive string */
		return 0;
	}
}

static int key_compile(struct pcond *c, struct policy *p, const char *opname, const char *key,
		       json_t *jv, int idx, struct err *e)
{
	char where[192];
	size_t nv = json_is_array(jv) ? json_array_size(jv) : 1;
	const char *colon = strchr(key, ':');
	int rc;

	snprintf(where, sizeof where, "Statement[%d].Condition.%s.%s", idx, opname, key);
	if (colon == NULL || colon == key || colon[1] == '\0')
		return policy__malformed(e, "Syntax errors in policy. %s: Actions/Conditions must "
					 "be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", where);
	if (json_is_array(jv) && nv == 0)
		return policy__malformed(e, "Syntax errors in policy. %s has no values", where);
	if (nv > POLICY_MAX_VALUES)
		return policy__malformed(e, "Syntax errors in policy. %s has more than %d values",
					 where, POLICY_MAX_VALUES);
	if ((c->key = arena_strdup(p->arena, key)) == NULL ||
	    (c->vals = arena_alloc(p->arena, nv * sizeof(*c->vals))) == NULL)
		return err_oom(e);
	c->keyn = strlen(key);
	c->nvals = nv;
	for (size_t i = 0; i < nv; i++) {
		json_t *j = json_is_array(jv) ? json_array_get(jv, i) : jv;

		if ((rc = val_compile(&c->vals[i], c, p, j, where, e)) < 0)
			return rc;
	}
	return 0;
}

int policy__cond_compile(struct pstmt *st, struct policy *p, int idx, json_t *cond, struct err *e)
{
	const char *opname, *key;
	json_t *ops, *jv;
	size_t total = 0;
	int rc;

	if (!json_is_object(cond))
		return policy__malformed(e, "Syntax errors in policy. Statement[%d].Condition must "
					 "be an object", idx);
	json_object_foreach(cond, opname, ops) {
		if (!json_is_object(ops))
			return policy__malformed(e, "Syntax errors in policy. Statement[%d].Condition."
						 "%s must be an object", idx, opname);
		total += json_object_size(ops);
		if (total > POLICY_MAX_CONDITIONS)
			return policy__malformed(e, "Syntax errors in policy. Statement[%d].Condition "
						 "has more than %d keys", idx, POLICY_MAX_CONDITIONS);
	}
	if (total && (st->conds = arena_alloc(p->arena, total * sizeof(*st->conds))) == NULL)
		return err_oom(e);
	json_object_foreach(cond, opname, ops) {
		struct pcond proto = {0};

		if (op_parse(&proto, opname) < 0)
			return policy__malformed(e, "Syntax errors in policy. Statement[%d].Condition: "
						 "unknown condition operator '%.60s'", idx, opname);
		json_object_foreach(ops, key, jv) {
			struct pcond *c = &st->conds[st->nconds++];

			*c = proto;
			if ((rc = key_compile(c, p, opname, key, jv, idx, e)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- evaluate ------------------------------------------------------------------ */

/* a string/ARN policy value against one request value */
static bool str_match(const struct pcond *c, const struct pcval *v, const char *rv, size_t rn,
		      const struct policy_ctx *ctx)
{
	char stk[VAR_STACK], *heap = NULL;
	const char *s = v->str.s;
	size_t n = v->str.n;
	unsigned flags = 0;
	bool glob = c->op == COP_STR_LIKE || c->op == COP_ARN_LIKE, ok;

	if (v->str.flags & PSTR_VARS) {
		if (policy__vars_expand(&v->str, ctx, glob, stk, sizeof stk, &heap, &s, &n) != 0)
			return false; /* unresolved variable (or no memory): no match */
		flags |= GLOB_ESC;
	}
	switch (c->op) {
	case COP_STR_EQ:
		ok = n == rn && memcmp(s, rv, n) == 0;
		break;
	case COP_STR_EQ_IC:
		ok = n == rn && strncasecmp(s, rv, n) == 0;
		break;
	case COP_STR_LIKE:
		ok = (v->str.flags & PSTR_VARS) ? policy__glob(s, n, rv, rn, flags)
						: policy__pstr_match(&v->str, rv, rn, 0);
		break;
	default:
		ok = policy__arn_like(s, n, rv, rn, flags);
		break;
	}
	free(heap);
	return ok;
}

static bool num_cmp(uint8_t op, double x, double y)
{
	switch (op) {
	case COP_NUM_EQ: return x == y;
	case COP_NUM_LT: return x < y;
	case COP_NUM_LE: return x <= y;
	case COP_NUM_GT: return x > y;
	default: return x >= y;
	}
}

static bool date_cmp(uint8_t op, int64_t x, int64_t y)
{
	switch (op) {
	case COP_DATE_EQ: return x == y;
	case COP_DATE_LT: return x < y;
	case COP_DATE_LE: return x <= y;
	case COP_DATE_GT: return x > y;
	default: return x >= y;
	}
}

/* the positive operator: does request value rv match any policy value? */
static bool any_value(const struct pcond *c, const char *rv, const struct policy_ctx *ctx)
{
	size_t rn = strlen(rv), i;
	double x;
	int64_t t;
	uint8_t fam, bits, addr[16];

	switch (c->op) {
	case COP_NUM_EQ:
	case COP_NUM_LT:
	case COP_NUM_LE:
	case COP_NUM_GT:
	case COP_NUM_GE:
		if (policy__parse_num(rv, rn, &x) < 0)
			return false;
		for (i = 0; i < c->nvals; i++)
			if (num_cmp(c->op, x, c->vals[i].u.num))
				return true;
		return false;
	case COP_DATE_EQ:
	case COP_DATE_LT:
	case COP_DATE_LE:
	case COP_DATE_GT:
	case COP_DATE_GE:
		if (date_parse(rv, rn, &t) < 0)
			return false;
		for (i = 0; i < c->nvals; i++)
			if (date_cmp(c->op, t, c->vals[i].u.date))
				return true;
		return false;
	case COP_IP:
		if (ip_parse(rv, rn, false, &fam, &bits, addr) < 0)
			return false;
		for (i = 0; i < c->nvals; i++)
			if (ip_in(&c->vals[i], fam, addr))
				return true;
		return false;
	case COP_BOOL:
		for (i = 0; i < c->nvals; i++)
			if (c->vals[i].str.n == rn && strncasecmp(c->vals[i].str.s, rv, rn) == 0)
				return true;
		return false;
	case COP_BIN_EQ: {
		/* request values of binary keys arrive base64-encoded, like the policy's */
		unsigned char stk[VAR_STACK], *buf = rn < sizeof stk ? stk : malloc(rn + 1);
		long bn = buf ? b64_decode(buf, rn + 1, rv, rn) : -1;
		bool ok = false;

		for (i = 0; bn >= 0 && i < c->nvals && !ok; i++)
			ok = c->vals[i].u.bin.n == (size_t)bn &&
			     memcmp(c->vals[i].u.bin.p, buf, (size_t)bn) == 0;
		if (buf != stk)
			free(buf);
		return ok;
	}
	default:
		for (i = 0; i < c->nvals; i++)
			if (str_match(c, &c->vals[i], rv, rn, ctx))
				return true;
		return false;
	}
}

/*
 * One operator/key pair.  The rules, from the IAM User Guide:
 *  - several values for a key OR; for negated operators ("StringNotEquals",
 *    "NotIpAddress", ...) the request value must match none of them
 *    ("Condition operators": negated matching operators act as a logical
 *    AND over the listed values);
 *  - absent key: "If the key that you specify in a policy condition is not
 *    present in the request context, the values do not match and the
 *    condition is false.  If the policy condition requires that the key is
 *    not matched, such as StringNotLike or ArnNotLike, and the right key is
 *    not present, the condition is true.  This logic applies to all
 *    condition operators except ...IfExists and Null check" ("Condition
 *    operators", Important box).  So: negated -> true, others -> false,
 *    ...IfExists -> true, Null decides by itself;
 *  - ForAllValues: true when every request value matches, and true for an
 *    absent or empty key; ForAnyValue: true when at least one request value
 *    matches, false for an absent or empty key ("Set operators for
 *    multivalued context keys").  With IfExists an absent key is true.
 * A key present with several values and no set operator is read as "any
 * request value matches" (negated: none does).
 */
bool policy__cond_eval(const struct pcond *c, const struct policy_ctx *ctx)
{
	const struct policy_key *k = policy__ctx_key(ctx, c->key, c->keyn);
	size_t nv = k ? k->values.n : 0, i;

	if (c->op == COP_NULL) {
		for (i = 0; i < c->nvals; i++)
			if (c->vals[i].u.b == (nv == 0))
				return true;
		return false;
	}
	if (nv == 0) {
		if (c->ifexists)
			return true;
		if (c->set == CSET_ALL)
			return true;
		if (c->set == CSET_ANY)
			return false;
		return c->neg;
	}
	switch (c->set) {
	case CSET_ALL:
		for (i = 0; i < nv; i++) {
			const char *rv = k->values.v[i] ? k->values.v[i] : "";

			if (any_value(c, rv, ctx) == c->neg)
				return false;
		}
		return true;
	case CSET_ANY:
		for (i = 0; i < nv; i++) {
			const char *rv = k->values.v[i] ? k->values.v[i] : "";

			if (any_value(c, rv, ctx) != c->neg)
				return true;
		}
		return false;
	default:
		for (i = 0; i < nv; i++) {
			const char *rv = k->values.v[i] ? k->values.v[i] : "";

			if (any_value(c, rv, ctx))
				return !c->neg;
		}
		return c->neg;
	}
}
