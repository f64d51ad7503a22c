/*
 * simulate.c - the IAM policy simulator: SimulateCustomPolicy (policies
 * given as text) and SimulatePrincipalPolicy (a user's, group's or role's stored
 * policies, gathered as aws_authorize() gathers them, plus any given).
 * Each action is decided against each resource with policy_eval() and a
 * trace, and answered as AWS does now: one EvaluationResult per action with
 * the most restrictive decision, and ResourceSpecificResults per resource
 * when resources were named.  Nothing is written; nothing is really
 * authorized here (the dispatcher checked iam:Simulate*).  Contract:
 * iam_int.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam_int.h"

#define SIM_MAX_ACTIONS 1000
#define SIM_MAX_RESOURCES 1000
#define SIM_MAX_EVALS 10000     /* actions x resources in one call */
#define SIM_MAX_POLICIES 1000   /* policies of every kind in one call */
#define SIM_MAX_CONTEXT 1000    /* ContextEntries */
#define SIM_MAX_KEYS 256        /* keys one policy may refer to, for MissingContextValues */
#define SIM_MAX_TAGS 50

/* One policy taking part, and how the answer names it. */
struct src {
	struct policy *p;
	const char *id;   /* SourcePolicyId: "PolicyInputList.1", a policy name */
	const char *type; /* SourcePolicyType */
	const char *doc;  /* the text, for statement positions */
};

/* The simulated caller: whose ARN and keys the request carries. */
struct who {
	const char *arn;      /* NULL: none (SimulateCustomPolicy without CallerArn) */
	const char *account;
	const char *name;     /* user name */
	const char *user_id;  /* AIDA...; NULL when the user is not in the store */
};

struct sim {
	struct aws_call *c;
	struct src *srcs;
	size_t nsrcs, cap;
	size_t n_identity;          /* srcs[0..n_identity) are identity policies */
	struct src *boundary;       /* or NULL */
	struct src *resource;       /* or NULL */
	const struct policy **ids;  /* the identity policies, for policy_set */
	struct policy_key *keys;
	size_t nkeys, keycap;
	struct who who;
	const char *owner;          /* ResourceOwner's account, or NULL */
	struct policy_match *matches; /* trace storage */
	size_t nmatch_cap;
};

/* What one action on one resource came to. */
struct verdict {
	enum policy_decision d;
	int boundary;             /* -1: no boundary; else the boundary's own decision */
	json_t *statements;       /* MatchedStatements */
	json_t *missing;          /* MissingContextValues */
};

static int sim_fail(struct err *e, const char *fmt, const char *a)
{
	return err_set(e, CC_EINVAL, "InvalidInput", fmt, a);
}

/* ---- statement positions ------------------------------------------------------- */

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* the end (one past) of the JSON string starting at s[i] == '"', or n */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* the end (one past) of the JSON value starting at s[i], or n */
static size_t skip_value(const char *s, size_t i, size_t n)
{
	size_t depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_string(s, i, n);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
		       s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			i = skip_string(s, i, n) - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return n;
}

/* AWS's position of the byte at off: 1-based line, and the column just past it */
static void pos_of(struct iam_pos *out, const char *s, size_t off)
{
	int line = 1, col = 0;

	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			line++;
			col = 0;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			col++; /* characters, not bytes */
		}
	}
	out->line = line;
	out->column = col + 2;
}

int iam_sim_statement_pos(struct iam_pos *start, struct iam_pos *end, const char *doc,
			  size_t n, size_t idx)
{
	size_t i = skip_ws(doc, 0, n), v = n, vend = n, k;

	if (i >= n || doc[i] != '{')
		return CC_ENOTFOUND;
	for (i = skip_ws(doc, i + 1, n); i < n && doc[i] == '"';) {
		size_t kend = skip_string(doc, i, n), val;

		val = skip_ws(doc, kend, n);
		if (val >= n || doc[val] != ':')
			return CC_ENOTFOUND;
		val = skip_ws(doc, val + 1, n);
		k = skip_value(doc, val, n);
		if (kend - i == 11 && memcmp(doc + i, "\"Statement\"", 11) == 0) {
			v = val; /* the last one, as the parser keeps it */
			vend = k;
		}
		i = skip_ws(doc, k, n);
		if (i < n && doc[i] == ',')
			i = skip_ws(doc, i + 1, n);
	}
	if (v >= n)
		return CC_ENOTFOUND;
	if (doc[v] == '[') {
		size_t at = 0;

		for (i = skip_ws(doc, v + 1, n); i < vend && doc[i] != ']'; at++) {
			k = skip_value(doc, i, n);
			if (at == idx) {
				v = i;
				vend = k;
				break;
			}
			i = skip_ws(doc, k, n);
			if (i < n && doc[i] == ',')
				i = skip_ws(doc, i + 1, n);
		}
		if (at != idx || doc[v] != '{')
			return CC_ENOTFOUND;
	} else if (doc[v] != '{' || idx != 0) {
		return CC_ENOTFOUND;
	}
	if (vend == 0 || vend > n || doc[vend - 1] != '}')
		return CC_ENOTFOUND;
	pos_of(start, doc, v);
	pos_of(end, doc, vend - 1);
	return 0;
}

/* ---- gathering policies --------------------------------------------------------- */

static int src_add(struct sim *s, const char *doc, enum policy_kind kind, const char *id,
		   const char *type, struct err *e)
{
	struct src *x;
	int rc;

	if (s->nsrcs >= SIM_MAX_POLICIES)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "A simulation may include at most %d policies.", SIM_MAX_POLICIES);
	if (s->nsrcs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct src *n;

		if ((n = realloc(s->srcs, cap * sizeof(*n))) == NULL)
			return err_oom(e);
		s->srcs = n;
		s->cap = cap;
	}
	x = &s->srcs[s->nsrcs];
	memset(x, 0, sizeof(*x));
	if ((rc = policy_parse(&x->p, doc, strlen(doc), kind, 0, e)) < 0) {
		char msg[sizeof e->msg];

		/* say which input was wrong, keeping the parser's code and words */
		snprintf(msg, sizeof msg, "%s", e->msg);
		snprintf(e->msg, sizeof e->msg, "%s: %s", id, msg);
		return rc;
	}
	x->doc = arena_strdup(s->c->ar, doc);
	x->id = arena_strdup(s->c->ar, id);
	x->type = type;
	if (x->doc == NULL || x->id == NULL) {
		policy_free(x->p);
		return err_oom(e);
	}
	s->nsrcs++;
	return 0;
}

static int add_inputs(struct sim *s, const char *member, enum policy_kind kind, struct err *e)
{
	json_t *list = json_object_get(s->c->in, member);
	char id[64];
	size_t i;
	int rc;

	for (i = 0; i < json_array_size(list); i++) {
		const char *doc = json_string_value(json_array_get(list, i));

		snprintf(id, sizeof id, "%s.%zu", member, i + 1);
		if (doc && (rc = src_add(s, doc, kind, id, "IAM Policy", e)) < 0)
			return rc;
	}
	return 0;
}

/* a principal's stored policies: identity ones at once, the boundary kept for later */
struct stored {
	struct sim *s;
	const char *bdoc, *bname, *bsource; /* the boundary, in the arena, or NULL */
};

static int stored_doc(void *arg, const struct authz_doc *d, struct err *e)
{
	struct stored *st = arg;
	struct arena *ar = st->s->c->ar;

	if (!d->boundary)
		return src_add(st->s, d->document, POLICY_IDENTITY, d->name,
			       arena_strdup(ar, d->source), e);
	st->bdoc = arena_strdup(ar, d->document);
	st->bname = arena_strdup(ar, d->name);
	st->bsource = arena_strdup(ar, d->source);
	return st->bdoc && st->bname && st->bsource ? 0 : err_oom(e);
}

/* ---- the simulated caller ---------------------------------------------------------- */

/* arn:aws:iam::ACCOUNT:KIND/path/NAME: the account, kind and name, in the arena */
static int iam_arn_split(struct aws_call *c, const char *arn, const char **account,
			 const char **kind, const char **name)
{
	const char *p, *slash, *last;
	size_t i;

	if (arn == NULL || strncmp(arn, "arn:aws:iam::", 13) != 0)
		return CC_EINVAL;
	p = arn + 13;
	for (i = 0; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return CC_EINVAL;
	if (p[12] != ':' || (slash = strchr(p + 13, '/')) == NULL)
		return CC_EINVAL;
	last = strrchr(slash, '/');
	if (last[1] == '\0')
		return CC_EINVAL;
	*account = arena_strndup(c->ar, p, 12);
	*kind = arena_strndup(c->ar, p + 13, (size_t)(slash - (p + 13)));
	*name = arena_strdup(c->ar, last + 1);
	return *account && *kind && *name ? 0 : CC_ERROR;
}

static int key_add(struct sim *s, const char *name, const char *const *v, size_t n)
{
	if (s->nkeys == s->keycap)
		return CC_ELIMIT;
	s->keys[s->nkeys].name = name;
	s->keys[s->nkeys].values.v = v;
	s->keys[s->nkeys].values.n = n;
	s->nkeys++;
	return 0;
}

static int key_add1(struct sim *s, const char *name, const char *value)
{
	const char **v = arena_alloc(s->c->ar, sizeof(*v));

	if (v == NULL || value == NULL)
		return v ? 0 : CC_ERROR;
	*v = value;
	return key_add(s, name, v, 1);
}

/* The caller's keys: aws:username, aws:userid, aws:PrincipalArn, tags, ... */
static int who_keys(struct sim *s, struct err *e)
{
	struct aws_call *c = s->c;
	struct store_stmt *q = NULL;
	size_t n = 0;
	int rc;

	if (s->who.arn == NULL)
		return 0;
	if (key_add1(s, "aws:username", s->who.name) < 0 ||
	    key_add1(s, "aws:PrincipalArn", s->who.arn) < 0 ||
	    key_add1(s, "aws:PrincipalAccount", s->who.account) < 0 ||
	    key_add1(s, "aws:PrincipalType", "User") < 0)
		return err_oom(e);
	if (s->who.user_id == NULL)
		return 0;
	if (key_add1(s, "aws:userid", s->who.user_id) < 0)
		return err_oom(e);
	rc = store_query(&q, c->tx, e, "SELECT key, value FROM user_tags WHERE user_id = $1"
				       " ORDER BY seq", "s", s->who.user_id);
	if (rc < 0)
		return rc;
	while (n < SIM_MAX_TAGS && (rc = store_step(q, e)) == 1) {
		const char *k = arena_printf(c->ar, "aws:PrincipalTag/%s", store_col_text(q, 0));
		const char *v = arena_strdup(c->ar, store_col_text(q, 1));

		if (k == NULL || v == NULL || key_add1(s, k, v) < 0) {
			rc = err_oom(e);
			break;
		}
		n++;
	}
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

/* A user ARN as the caller: the stored user when it exists, else the ARN alone. */
static int who_from_user_arn(struct sim *s, const char *arn, bool must_exist, struct err *e)
{
	const char *account, *kind, *name;
	struct iam_user u;
	int rc;

	if (iam_arn_split(s->c, arn, &account, &kind, &name) < 0 || strcmp(kind, "user") != 0)
		return sim_fail(e, "Invalid ARN: %.200s. Only the ARN of an IAM user can be"
			       " the simulated caller.", arn);
	s->who.arn = arn;
	s->who.account = account;
	s->who.name = name;
	if (strcmp(account, s->c->caller->account) != 0)
		rc = CC_ENOTFOUND;
	else if ((rc = iam_user_find(&u, s->c, name, e)) == 0 && strcasecmp(u.arn, arn) != 0)
		rc = CC_ENOTFOUND; /* the name exists under another path */
	if (rc == CC_ENOTFOUND) {
		if (must_exist)
			return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
				       "The user with name %s cannot be found.", name);
		err_clear(e);
		return 0;
	}
	if (rc < 0)
		return rc;
	s->who.name = arena_strdup(s->c->ar, u.name);
	s->who.user_id = arena_strdup(s->c->ar, u.id);
	return s->who.name && s->who.user_id ? 0 : err_oom(e);
}

/* ---- checking the input ------------------------------------------------------------- */

static bool is_number(const char *s)
{
	size_t i = (*s == '-' || *s == '+') ? 1 : 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	return digits > 0 && s[i] == '\0';
}

static bool is_date(const char *s)
{
	int64_t t;
	size_t n = strlen(s);

	if (is_number(s) && strchr(s, '.') == NULL)
		return parse_i64(s, n, INT64_MIN, INT64_MAX, &t) == 0;
	return time_parse_iso8601(&t, s, n) == 0;
}

static bool is_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static bool is_b64(const char *s)
{
	size_t n = strlen(s);
	unsigned char *buf = malloc(n + 1);
	bool ok = buf && b64_decode(buf, n + 1, s, n) >= 0;

	free(buf);
	return ok;
}

/* a value of one ContextKeyType */
static bool value_ok(const char *type, const char *v)
{
	if (strncmp(type, "numeric", 7) == 0)
		return is_number(v);
	if (strncmp(type, "boolean", 7) == 0)
		return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0;
	if (strncmp(type, "date", 4) == 0)
		return is_date(v);
	if (strncmp(type, "ip", 2) == 0)
		return is_ip(v);
	if (strncmp(type, "binary", 6) == 0)
		return is_b64(v);
	return true;
}

/* ContextEntries: each becomes a key; they come first, so they win over derived keys */
static int context_keys(struct sim *s, struct err *e)
{
	json_t *list = json_object_get(s->c->in, "ContextEntries");
	size_t i, j;

	if (json_array_size(list) > SIM_MAX_CONTEXT)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "A simulation may include at most %d context entries.",
			       SIM_MAX_CONTEXT);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *ce = json_array_get(list, i);
		const char *name = json_string_value(json_object_get(ce, "ContextKeyName"));
		const char *type = json_string_value(json_object_get(ce, "ContextKeyType"));
		json_t *vals = json_object_get(ce, "ContextKeyValues");
		size_t nv = json_array_size(vals);
		const char **v;

		if (name == NULL)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "ContextEntries.%zu has no ContextKeyName.", i + 1);
		if (type == NULL)
			type = "string";
		if (nv > 1 && strstr(type, "List") == NULL)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "Context key %.200s of type %s takes one value; use type %sList"
				       " for several.", name, type, type);
		if ((v = arena_alloc(s->c->ar, (nv ? nv : 1) * sizeof(*v))) == NULL)
			return err_oom(e);
		for (j = 0; j < nv; j++) {
			v[j] = json_string_value(json_array_get(vals, j));
			if (v[j] == NULL || !value_ok(type, v[j]))
				return err_set(e, CC_EINVAL, "InvalidInput",
					       "Invalid value '%.100s' for context key %.100s of type %s.",
					       v[j] ? v[j] : "", name, type);
		}
		if (key_add(s, name, v, nv) < 0)
			return err_oom(e);
	}
	return 0;
}

static int check_actions(json_t *actions, struct err *e)
{
	size_t i;

	if (json_array_size(actions) == 0)
		return err_set(e, CC_EINVAL, "InvalidInput", "ActionNames must not be empty.");
	if (json_array_size(actions) > SIM_MAX_ACTIONS)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "A simulation may include at most %d action names.", SIM_MAX_ACTIONS);
	for (i = 0; i < json_array_size(actions); i++) {
		const char *a = json_string_value(json_array_get(actions, i));
		const char *colon = a ? strchr(a, ':') : NULL;

		if (colon == NULL || colon == a || colon[1] == '\0' || strchr(colon + 1, ':'))
			return sim_fail(e, "Invalid action name: %.200s. An action name is"
				       " service:Operation, such as iam:CreateUser.", a ? a : "");
		if (strpbrk(a, "*?"))
			return sim_fail(e, "Invalid action name: %.200s. The simulator does not"
				       " accept wildcards in action names.", a);
	}
	return 0;
}

static int check_resources(json_t *res, size_t nactions, struct err *e)
{
	size_t i;

	if (json_array_size(res) > SIM_MAX_RESOURCES)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "A simulation may include at most %d resource ARNs.",
			       SIM_MAX_RESOURCES);
	if (json_array_size(res) * nactions > SIM_MAX_EVALS)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "A simulation may evaluate at most %d action and resource pairs.",
			       SIM_MAX_EVALS);
	for (i = 0; i < json_array_size(res); i++) {
		const char *r = json_string_value(json_array_get(res, i));
		size_t colons = 0;

		if (r && strcmp(r, "*") == 0)
			continue;
		for (const char *p = r; p && *p; p++)
			colons += *p == ':';
		if (r == NULL || strncmp(r, "arn:", 4) != 0 || colons < 5)
			return sim_fail(e, "Invalid ARN: %.200s.", r ? r : "");
	}
	return 0;
}

static int check_handling(const char *opt, struct err *e)
{
	static const char *const ok[] = {
		"EC2-Classic-InstanceStore", "EC2-Classic-EBS", "EC2-VPC-InstanceStore",
		"EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS", "EC2-VPC-EBS-Subnet",
	};

	if (opt == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcmp(opt, ok[i]) == 0)
			return 0;
	return sim_fail(e, "Invalid ResourceHandlingOption: %.64s.", opt);
}

/* the account of ResourceOwner: an ARN such as arn:aws:iam::ACCOUNT:root, or 12 digits */
static const char *owner_account(struct aws_call *c, const char *owner)
{
	const char *p = owner;
	size_t i;

	if (strncmp(owner, "arn:", 4) == 0) {
		for (i = 0; i < 4 && p; i++)
			if ((p = strchr(p, ':')) != NULL)
				p++;
		if (p == NULL)
			return NULL;
	}
	for (i = 0; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return NULL;
	if (p[12] != '\0' && p[12] != ':')
		return NULL;
	return arena_strndup(c->ar, p, 12);
}

/* ---- evaluating ---------------------------------------------------------------------- */

static const struct src *src_of(const struct sim *s, const struct policy *p)
{
	for (size_t i = 0; i < s->nsrcs; i++)
		if (s->srcs[i].p == p)
			return &s->srcs[i];
	return NULL;
}

static json_t *pos_json(const struct iam_pos *p)
{
	return json_pack("{s:i, s:i}", "Line", p->line, "Column", p->column);
}

static json_t *statement_json(const struct src *x, int idx)
{
	struct iam_pos a, b;
	json_t *o = json_pack("{s:s, s:s}", "SourcePolicyId", x->id, "SourcePolicyType", x->type);

	if (o && iam_sim_statement_pos(&a, &b, x->doc, strlen(x->doc), (size_t)idx) == 0) {
		json_object_set_new(o, "StartPosition", pos_json(&a));
		json_object_set_new(o, "EndPosition", pos_json(&b));
	}
	return o;
}

static bool has_key(const struct sim *s, struct span k)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (s->keys[i].values.n > 0 && span_eq_nocase(k, s->keys[i].name))
			return true;
	return false;
}

static void note_missing(json_t *list, struct span k)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *v = json_string_value(json_array_get(list, i));

		if (v && span_eq_nocase(k, v))
			return;
	}
	json_array_append_new(list, json_stringn(k.p, k.n));
}

static void missing_of(const struct sim *s, const struct src *x, const struct policy_ctx *ctx,
		       json_t *list)
{
	struct span keys[SIM_MAX_KEYS];
	size_t n;

	if (x == NULL)
		return;
	n = policy_context_keys(x->p, ctx, keys, SIM_MAX_KEYS);
	for (size_t i = 0; i < n && i < SIM_MAX_KEYS; i++)
		if (!has_key(s, keys[i]))
			note_missing(list, keys[i]);
}

/* the account field of an ARN, or the caller's when it has none */
static const char *arn_account(const struct sim *s, const char *arn)
{
	const char *p = arn;

	for (int i = 0; i < 4 && p; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL || *p == ':' || *p == '\0' || strchr(p, ':') == NULL)
		return s->who.arn ? s->who.account : s->c->caller->account;
	return arena_strndup(s->c->ar, p, (size_t)(strchr(p, ':') - p));
}

static const char *decision_name(enum policy_decision d)
{
	return d == POLICY_ALLOW ? "allowed" : d == POLICY_EXPLICIT_DENY ? "explicitDeny"
									: "implicitDeny";
}

static int rank(enum policy_decision d)
{
	return d == POLICY_EXPLICIT_DENY ? 2 : d == POLICY_IMPLICIT_DENY ? 1 : 0;
}

static int evaluate(struct verdict *out, struct sim *s, const char *action, const char *resource,
		    struct err *e)
{
	struct policy_set set = {0};
	struct policy_ctx ctx = {0};
	struct policy_trace tr = {s->matches, 0, s->nmatch_cap};
	size_t i;

	ctx.action = action;
	ctx.resource = resource;
	ctx.principal_arn = s->who.arn;
	ctx.principal_account = s->who.arn ? s->who.account : s->c->caller->account;
	if (s->resource) /* a resource policy: the resource's owner decides cross-account */
		ctx.resource_account = s->owner ? s->owner : arn_account(s, resource);
	ctx.keys = s->keys;
	ctx.nkeys = s->nkeys;
	set.identity = (const struct policy *const *)s->ids;
	set.n_identity = s->n_identity;
	set.boundary = s->boundary ? s->boundary->p : NULL;
	set.resource = s->resource ? s->resource->p : NULL;

	out->d = policy_eval(&set, &ctx, &tr);
	out->boundary = s->boundary ? (int)policy_eval_one(s->boundary->p, &ctx, NULL) : -1;
	out->statements = json_array();
	out->missing = json_array();
	if (out->statements == NULL || out->missing == NULL)
		return err_oom(e);
	/* an explicit deny is explained by its Deny statements alone, an allow by its
	 * Allow statements; an implicit deny matched nothing that decides it */
	for (i = 0; i < tr.n && out->d != POLICY_IMPLICIT_DENY; i++) {
		const struct src *x = src_of(s, tr.matches[i].policy);

		if (x && tr.matches[i].effect == out->d)
			json_array_append_new(out->statements,
					      statement_json(x, tr.matches[i].statement_index));
	}
	for (i = 0; i < s->n_identity; i++)
		missing_of(s, &s->srcs[i], &ctx, out->missing);
	missing_of(s, s->boundary, &ctx, out->missing);
	missing_of(s, s->resource, &ctx, out->missing);
	return 0;
}

static void verdict_release(struct verdict *v)
{
	json_decref(v->statements);
	json_decref(v->missing);
}

static void merge_unique(json_t *into, json_t *from)
{
	for (size_t i = 0; i < json_array_size(from); i++) {
		json_t *x = json_array_get(from, i);
		bool dup = false;

		for (size_t j = 0; j < json_array_size(into) && !dup; j++)
			dup = json_equal(json_array_get(into, j), x);
		if (!dup)
			json_array_append(into, x);
	}
}

/* the per-resource details AWS adds: boundary decision, decision details */
static void details(json_t *o, const struct verdict *v, bool specific)
{
	json_t *dd = json_object();

	if (v->boundary >= 0) {
		json_object_set_new(o, "PermissionsBoundaryDecisionDetail",
				    json_pack("{s:b}", "AllowedByPermissionsBoundary",
					      v->boundary == POLICY_ALLOW));
		json_object_set_new(dd, "PermissionsBoundaryPolicy",
				    json_string(decision_name((enum policy_decision)v->boundary)));
	}
	if (specific || json_object_size(dd) > 0)
		json_object_set_new(o, "EvalDecisionDetails", dd);
	else
		json_decref(dd);
}

/* One EvaluationResult: the action against every resource, the most restrictive wins. */
static int simulate_action(json_t **out, struct sim *s, const char *action, json_t *resources,
			   bool specific, struct err *e)
{
	size_t nres = specific ? json_array_size(resources) : 1, i;
	struct verdict *v = calloc(nres, sizeof(*v));
	json_t *o = NULL, *per = NULL, *stmts = NULL, *missing = NULL;
	enum policy_decision agg = POLICY_ALLOW;
	int rc = 0, bnd = -1;

	if (v == NULL)
		return err_oom(e);
	for (i = 0; i < nres && rc == 0; i++) {
		const char *r = specific ? json_string_value(json_array_get(resources, i)) : "*";

		rc = evaluate(&v[i], s, action, r, e);
		if (rc == 0 && rank(v[i].d) > rank(agg))
			agg = v[i].d;
		if (rc == 0 && v[i].boundary >= 0 &&
		    (bnd < 0 || rank((enum policy_decision)v[i].boundary) >
					rank((enum policy_decision)bnd)))
			bnd = v[i].boundary;
	}
	if (rc < 0)
		goto out;
	stmts = json_array();
	missing = json_array();
	per = json_array();
	o = json_pack("{s:s, s:s}", "EvalActionName", action, "EvalDecision", decision_name(agg));
	if (o == NULL || stmts == NULL || missing == NULL || per == NULL) {
		rc = err_oom(e);
		goto out;
	}
	for (i = 0; i < nres; i++) {
		const char *r = specific ? json_string_value(json_array_get(resources, i)) : "*";
		json_t *one;

		if (v[i].d == agg)
			merge_unique(stmts, v[i].statements);
		merge_unique(missing, v[i].missing);
		if (!specific)
			continue;
		one = json_pack("{s:s, s:s, s:O, s:O}", "EvalResourceName", r,
				"EvalResourceDecision", decision_name(v[i].d), "MatchedStatements",
				v[i].statements, "MissingContextValues", v[i].missing);
		if (one == NULL) {
			rc = err_oom(e);
			goto out;
		}
		details(one, &v[i], true);
		json_array_append_new(per, one);
	}
	if (nres == 1)
		json_object_set_new(o, "EvalResourceName", json_string(specific ? json_string_value(
						  json_array_get(resources, 0)) : "*"));
	json_object_set(o, "MatchedStatements", stmts);
	json_object_set(o, "MissingContextValues", missing);
	{
		struct verdict top = {agg, bnd, NULL, NULL};

		details(o, &top, specific);
	}
	json_object_set_new(o, "OrganizationsDecisionDetail",
			    json_pack("{s:b}", "AllowedByOrganizations", 1));
	if (specific)
		json_object_set(o, "ResourceSpecificResults", per);
	*out = o;
	o = NULL; /* handed over to *out */
out:
	for (i = 0; i < nres; i++)
		verdict_release(&v[i]);
	free(v);
	json_decref(o);
	json_decref(per);
	json_decref(stmts);
	json_decref(missing);
	return rc;
}

/* ---- the two operations ------------------------------------------------------------ */

static void sim_release(struct sim *s)
{
	for (size_t i = 0; i < s->nsrcs; i++)
		policy_free(s->srcs[i].p);
	free(s->srcs);
	free(s->matches);
	free(s->ids);
}

/*
 * Everything after the policies are gathered: the boundary given as input,
 * the resource policy, the caller's keys, then each action of the page.
 * srcs[0..n_identity) are the identity policies when this is called, and a
 * stored boundary may follow them.
 */
static int run(struct sim *s, struct err *e)
{
	struct aws_call *c = s->c;
	json_t *actions = json_object_get(c->in, "ActionNames");
	json_t *resources = json_object_get(c->in, "ResourceArns");
	json_t *bl = json_object_get(c->in, "PermissionsBoundaryPolicyInputList");
	const char *rpol = aws_in_str(c, "ResourcePolicy");
	const char *owner = aws_in_str(c, "ResourceOwner");
	size_t nstmts = 0, i, nact = json_array_size(actions);
	bool specific;
	struct iam_page pg;
	json_t *list;
	int64_t seen;
	int rc;

	specific = json_array_size(resources) > 0 &&
		   !(json_array_size(resources) == 1 &&
		     strcmp(json_string_value(json_array_get(resources, 0)), "*") == 0);
	if (json_array_size(bl) > 1)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "Only one permissions boundary policy can be simulated.");
	if (json_array_size(bl) == 1) {
		/* given as input, it replaces the entity's own boundary */
		s->boundary = NULL;
		for (i = s->n_identity; i < s->nsrcs; i++)
			policy_free(s->srcs[i].p);
		s->nsrcs = s->n_identity;
		if ((rc = add_inputs(s, "PermissionsBoundaryPolicyInputList", POLICY_BOUNDARY, e)) < 0)
			return rc;
	}
	if (rpol) {
		if (s->who.arn == NULL)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "CallerArn must be given to simulate a ResourcePolicy"
				       " (the policy's Principal needs a caller to match).");
		if ((rc = src_add(s, rpol, POLICY_RESOURCE, "ResourcePolicy", "resource", e)) < 0)
			return rc;
		if (owner && (s->owner = owner_account(c, owner)) == NULL)
			return sim_fail(e, "Invalid ResourceOwner: %.200s. Give an account ARN such"
				       " as arn:aws:iam::123456789012:root.", owner);
	}
	/* the sources array is final now: point at its members */
	for (i = s->n_identity; i < s->nsrcs; i++) {
		if (policy_kind_of(s->srcs[i].p) == POLICY_BOUNDARY)
			s->boundary = &s->srcs[i];
		else if (policy_kind_of(s->srcs[i].p) == POLICY_RESOURCE)
			s->resource = &s->srcs[i];
	}
	if ((s->ids = calloc(s->n_identity + 1, sizeof(*s->ids))) == NULL)
		return err_oom(e);
	for (i = 0; i < s->nsrcs; i++) {
		if (i < s->n_identity)
			s->ids[i] = s->srcs[i].p;
		nstmts += policy_statement_count(s->srcs[i].p);
	}
	s->nmatch_cap = nstmts + 1;
	if ((s->matches = calloc(s->nmatch_cap, sizeof(*s->matches))) == NULL)
		return err_oom(e);
	if ((rc = who_keys(s, e)) < 0)
		return rc;

	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "EvaluationResults", list);
	if (c->out == NULL)
		return err_oom(e);
	for (i = (size_t)pg.offset; i < nact && i < (size_t)(pg.offset + pg.limit); i++) {
		json_t *r = NULL;

		if ((rc = simulate_action(&r, s, json_string_value(json_array_get(actions, i)),
					  resources, specific, e)) < 0)
			return rc;
		json_array_append_new(list, r);
	}
	seen = (int64_t)nact > pg.offset ? (int64_t)nact - pg.offset : 0;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

/* checks shared by both operations, before any policy is read */
static int check_common(struct sim *s, struct err *e)
{
	struct aws_call *c = s->c;
	json_t *actions = json_object_get(c->in, "ActionNames");
	size_t nctx = json_array_size(json_object_get(c->in, "ContextEntries"));
	int rc;

	if ((rc = check_actions(actions, e)) < 0 ||
	    (rc = check_resources(json_object_get(c->in, "ResourceArns"),
				  json_array_size(actions), e)) < 0 ||
	    (rc = check_handling(aws_in_str(c, "ResourceHandlingOption"), e)) < 0)
		return rc;
	s->keycap = nctx + 8 + SIM_MAX_TAGS;
	if ((s->keys = arena_alloc(c->ar, s->keycap * sizeof(*s->keys))) == NULL)
		return err_oom(e);
	return context_keys(s, e);
}

int iam_simulate_custom_policy(struct aws_call *c, struct err *e)
{
	const char *caller = aws_in_str(c, "CallerArn");
	struct sim s = {.c = c};
	int rc;

	if ((rc = check_common(&s, e)) < 0)
		goto out;
	if (caller && (rc = who_from_user_arn(&s, caller, false, e)) < 0)
		goto out;
	if ((rc = add_inputs(&s, "PolicyInputList", POLICY_IDENTITY, e)) < 0)
		goto out;
	s.n_identity = s.nsrcs;
	rc = run(&s, e);
out:
	sim_release(&s);
	return rc;
}

int iam_simulate_principal_policy(struct aws_call *c, struct err *e)
{
	const char *arn = aws_in_str(c, "PolicySourceArn");
	const char *caller = aws_in_str(c, "CallerArn");
	const char *account, *kind, *name;
	struct sim s = {.c = c};
	struct stored st = {&s, NULL, NULL, NULL};
	const char *id;
	int rc;

	if ((rc = check_common(&s, e)) < 0)
		goto out;
	if (iam_arn_split(c, arn, &account, &kind, &name) < 0 ||
	    (strcmp(kind, "user") != 0 && strcmp(kind, "group") != 0 && strcmp(kind, "role") != 0)) {
		rc = sim_fail(e, "Invalid ARN: %.200s. PolicySourceArn names an IAM user, group"
			      " or role.", arn ? arn : "");
		goto out;
	}
	if (strcmp(kind, "user") == 0) {
		if ((rc = who_from_user_arn(&s, arn, true, e)) < 0)
			goto out;
		id = s.who.user_id;
	} else if (strcmp(kind, "group") == 0) {
		struct iam_group g;

		rc = strcmp(account, c->caller->account) == 0 ? iam_group_find(&g, c, name, e)
							       : CC_ENOTFOUND;
		if (rc == 0 && strcasecmp(g.arn, arn) != 0)
			rc = CC_ENOTFOUND;
		if (rc == CC_ENOTFOUND)
			rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
				     "The group with name %s cannot be found.", name);
		if (rc < 0)
			goto out;
		id = arena_strdup(c->ar, g.id);
	} else {
		struct iam_role r;

		rc = strcmp(account, c->caller->account) == 0 ? iam_role_find(&r, c, name, e)
							       : CC_ENOTFOUND;
		if (rc == 0 && strcasecmp(r.arn, arn) != 0)
			rc = CC_ENOTFOUND;
		if (rc == CC_ENOTFOUND)
			rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
				     "The role with name %s cannot be found.", name);
		if (rc < 0)
			goto out;
		id = arena_strdup(c->ar, r.id);
	}
	/* CallerArn: simulate that user calling with the source's policies */
	if (caller) {
		memset(&s.who, 0, sizeof(s.who));
		if ((rc = who_from_user_arn(&s, caller, false, e)) < 0)
			goto out;
	}
	if ((rc = authz_policies_each(c->tx, kind, id, stored_doc, &st, e)) < 0 ||
	    (rc = add_inputs(&s, "PolicyInputList", POLICY_IDENTITY, e)) < 0)
		goto out;
	/* the stored boundary after the identity policies; run() may replace it */
	s.n_identity = s.nsrcs;
	if (st.bdoc && (rc = src_add(&s, st.bdoc, POLICY_BOUNDARY, st.bname, st.bsource, e)) < 0)
		goto out;
	rc = run(&s, e);
out:
	sim_release(&s);
	return rc;
}

int iam_res_policy_source(struct aws_call *c, const char **out, struct err *e)
{
	const char *arn = aws_in_str(c, "PolicySourceArn");

	*out = arn ? arn : "*";
	return 0;
}
