/*
 * parse.c - policy_parse(): validates a JSON policy document against the
 * grammar of the IAM User Guide ("IAM JSON policy elements reference",
 * "Grammar of the IAM JSON policy language") and compiles it into the
 * immutable form of internal.h: lower-cased actions, flagged wildcard and
 * variable strings, typed principals.  Conditions are compiled by cond.c.
 * jansson is used here and in cond.c only, never while evaluating.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

#define PREFIX "Syntax errors in policy. "

int policy__malformed(struct err *e, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(e, CC_EINVAL, "MalformedPolicyDocument", "%s", msg);
}

size_t policy_size_nows(const char *json, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)json[i];

		/* count characters, not bytes: skip UTF-8 continuation bytes */
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (c & 0xc0) == 0x80)
			continue;
		n++;
	}
	return n;
}

enum policy_kind policy_kind_of(const struct policy *p) { return p->kind; }
size_t policy_statement_count(const struct policy *p) { return p->nstmts; }

const char *policy_statement_sid(const struct policy *p, size_t i)
{
	return i < p->nstmts ? p->stmts[i].sid : NULL;
}

void policy_free(struct policy *p)
{
	if (p)
		arena_free(p->arena); /* p lives in its own arena */
}

/* ---- element helpers ---------------------------------------------------------- */

/* a string or a non-empty array of strings; returns the count or an error */
static int str_list(json_t *j, const char *what, int idx, size_t *n, struct err *e)
{
	if (json_is_string(j)) {
		*n = 1;
		return 0;
	}
	if (!json_is_array(j))
		return policy__malformed(e, PREFIX "Statement[%d].%s must be a string or an array "
					 "of strings", idx, what);
	*n = json_array_size(j);
	if (*n == 0)
		return policy__malformed(e, PREFIX "Statement[%d].%s must not be empty", idx, what);
	if (*n > POLICY_MAX_VALUES)
		return policy__malformed(e, PREFIX "Statement[%d].%s has more than %d entries", idx,
					 what, POLICY_MAX_VALUES);
	for (size_t i = 0; i < *n; i++)
		if (!json_is_string(json_array_get(j, i)))
			return policy__malformed(e, PREFIX "Statement[%d].%s[%zu] must be a string",
						 idx, what, i);
	return 0;
}

static json_t *list_at(json_t *j, size_t i)
{
	return json_is_array(j) ? json_array_get(j, i) : j;
}

static bool is_action_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '*' || c == '?' || c == '-' || c == '_' || c == '.';
}

static int action_compile(struct pstmt *st, struct pstr *ps, struct pact *pa, struct arena *a,
			  json_t *j, const char *what, int idx, struct err *e)
{
	const char *s = json_string_value(j);
	size_t n = json_string_length(j), colon = n;
	char *low;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':' && colon == n)
			colon = i;
		else if (!is_action_char(s[i]))
			return policy__malformed(e, PREFIX "Statement[%d].%s '%.60s' is not a valid "
						 "action", idx, what, s);
	}
	if (!(n == 1 && s[0] == '*') && (colon == 0 || colon + 1 >= n))
		return policy__malformed(e, PREFIX "Statement[%d].%s '%.60s': Actions/Conditions must "
					 "be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", idx, what, s);
	if ((low = arena_strndup(a, s, n)) == NULL)
		return err_oom(e);
	for (size_t i = 0; i < n; i++)
		if (low[i] >= 'A' && low[i] <= 'Z')
			low[i] = (char)(low[i] - 'A' + 'a');
	ps->s = low;
	ps->n = n;
	policy__pstr_flags(ps);
	policy__pact_compile(pa, ps);
	st->act_mask |= policy__act_bit(low, n, colon,
					(ps->flags & PSTR_ANY) ? 0 : (ps->flags & PSTR_WILD) ? ps->lit : n);
	return 0;
}

static int resource_compile(struct pstr *ps, struct policy *p, json_t *j, const char *what,
			    int idx, struct err *e)
{
	const char *s = json_string_value(j);
	size_t n = json_string_length(j), colons = 0;
	char where[96];

	for (size_t i = 0; i < n; i++)
		colons += s[i] == ':';
	/* "arn:" and six parts, though a wildcard may stand for the last ones */
	if (!(n == 1 && s[0] == '*') &&
	    (n < 5 || memcmp(s, "arn:", 4) != 0 || (colons < 5 && !memchr(s, '*', n))))
		return policy__malformed(e, PREFIX "Statement[%d].%s: Resource %.80s must be in ARN "
					 "format or \"*\".", idx, what, s);
	if ((ps->s = arena_strndup(p->arena, s, n)) == NULL)
		return err_oom(e);
	ps->n = n;
	policy__pstr_flags(ps);
	snprintf(where, sizeof where, "Statement[%d].%s", idx, what);
	return p->vars ? policy__vars_compile(ps, p->arena, where, e) : 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static int principal_one(struct pprin *pp, struct arena *a, enum pprin_type type, const char *tname,
			 const char *s, size_t n, struct err *e)
{
	pp->type = (uint8_t)type;
	if (n == 1 && s[0] == '*') {
		pp->form = PPRIN_FORM_ANY;
		return 0;
	}
	if (n == 0 || memchr(s, '*', n) || memchr(s, '?', n))
		goto bad;
	pp->form = PPRIN_FORM_EXACT;
	if (type == PPRIN_AWS) {
		if (n == 12 && all_digits(s, n)) {
			pp->form = PPRIN_FORM_ACCOUNT;
		} else if (n > 4 && memcmp(s, "arn:", 4) == 0) {
			/* arn:PARTITION:iam::ACCOUNT:root names the account */
			const char *acct = NULL;
			int colons = 0;

			for (size_t i = 0; i < n; i++)
				if (s[i] == ':' && ++colons == 4)
					acct = s + i + 1;
			if (colons != 5)
				goto bad;
			if (n - (size_t)(acct - s) == 17 && memcmp(acct + 12, ":root", 5) == 0 &&
			    all_digits(acct, 12)) {
				pp->form = PPRIN_FORM_ACCOUNT;
				s = acct;
				n = 12;
			}
		} else {
			goto bad;
		}
	}
	if ((pp->s = arena_strndup(a, s, n)) == NULL)
		return err_oom(e);
	pp->n = n;
	return 0;
bad:
	return policy__malformed(e, "Invalid principal in policy: \"%s\":\"%.80s\"", tname, s);
}

static int principal_compile(struct pstmt *st, struct policy *p, json_t *j, const char *what,
			     int idx, struct err *e)
{
	static const struct { const char *name; enum pprin_type type; } types[] = {
		{"AWS", PPRIN_AWS}, {"Federated", PPRIN_FEDERATED},
		{"Service", PPRIN_SERVICE}, {"CanonicalUser", PPRIN_CANONICAL},
	};
	const char *tname;
	json_t *v;
	size_t total = 0, n;
	int rc;

	if (json_is_string(j)) {
		if (strcmp(json_string_value(j), "*") != 0)
			return policy__malformed(e, "Invalid principal in policy: \"%.80s\"",
						 json_string_value(j));
		st->principal_any = true;
		return 0;
	}
	if (!json_is_object(j) || json_object_size(j) == 0)
		return policy__malformed(e, PREFIX "Statement[%d].%s must be \"*\" or an object",
					 idx, what);
	json_object_foreach(j, tname, v) {
		char sub[64];
		size_t t;

		for (t = 0; t < ARRAY_SIZE(types) && strcmp(types[t].name, tname) != 0; t++)
			;
		if (t == ARRAY_SIZE(types))
			return policy__malformed(e, PREFIX "Statement[%d].%s: unknown principal type "
						 "'%.40s'", idx, what, tname);
		snprintf(sub, sizeof sub, "%s.%s", what, tname);
		if ((rc = str_list(v, sub, idx, &n, e)) < 0)
			return rc;
		total += n;
	}
	if ((st->principals = arena_alloc(p->arena, total * sizeof(*st->principals))) == NULL)
		return err_oom(e);
	json_object_foreach(j, tname, v) {
		size_t t;

		for (t = 0; strcmp(types[t].name, tname) != 0; t++)
			;
		n = json_is_array(v) ? json_array_size(v) : 1;
		for (size_t i = 0; i < n; i++) {
			json_t *s = list_at(v, i);

			rc = principal_one(&st->principals[st->nprincipals++], p->arena, types[t].type,
					   tname, json_string_value(s), json_string_length(s), e);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * The actions a trust policy may name: those STS checks against a role's
 * trust policy when the role is assumed (lower case, as compiled actions are).
 */
static const char *const trust_actions[] = {
	"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
	"sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
};

/* An Action entry of a trust policy must match one of trust_actions ("sts:*" does). */
static bool trust_action_ok(const struct pstr *ps)
{
	for (size_t i = 0; i < ARRAY_SIZE(trust_actions); i++)
		if (policy__pstr_match(ps, trust_actions[i], strlen(trust_actions[i]), 0))
			return true;
	return false;
}

/* ---- statements ------------------------------------------------------------------- */

struct stmt_json {
	json_t *sid, *effect, *action, *notaction, *resource, *notresource, *principal,
		*notprincipal, *condition;
};

static int stmt_fields(struct stmt_json *f, json_t *j, int idx, struct err *e)
{
	static const struct { const char *name; size_t off; } fields[] = {
		{"Sid", offsetof(struct stmt_json, sid)},
		{"Effect", offsetof(struct stmt_json, effect)},
		{"Action", offsetof(struct stmt_json, action)},
		{"NotAction", offsetof(struct stmt_json, notaction)},
		{"Resource", offsetof(struct stmt_json, resource)},
		{"NotResource", offsetof(struct stmt_json, notresource)},
		{"Principal", offsetof(struct stmt_json, principal)},
		{"NotPrincipal", offsetof(struct stmt_json, notprincipal)},
		{"Condition", offsetof(struct stmt_json, condition)},
	};
	const char *k;
	json_t *v;

	memset(f, 0, sizeof(*f));
	if (!json_is_object(j))
		return policy__malformed(e, PREFIX "Statement[%d] must be an object", idx);
	json_object_foreach(j, k, v) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fields) && strcmp(fields[i].name, k) != 0; i++)
			;
		if (i == ARRAY_SIZE(fields))
			return policy__malformed(e, PREFIX "Statement[%d] has an unknown field "
						 "'%.60s'", idx, k);
		*(json_t **)((char *)f + fields[i].off) = v;
	}
	return 0;
}

static bool sid_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static int stmt_compile(struct pstmt *st, struct policy *p, json_t *j, int idx, struct err *e)
{
	struct stmt_json f;
	struct pact *acts;
	json_t *list;
	const char *what, *eff;
	size_t n;
	int rc;
	bool principal_ok = p->kind == POLICY_RESOURCE || p->kind == POLICY_TRUST;

	if ((rc = stmt_fields(&f, j, idx, e)) < 0)
		return rc;
	if (f.sid) {
		if (!json_is_string(f.sid))
			return policy__malformed(e, PREFIX "Statement[%d].Sid must be a string", idx);
		/* IAM's own policies take alphanumeric Sids; resource policies are freer */
		if (p->kind != POLICY_RESOURCE && !sid_ok(json_string_value(f.sid)))
			return policy__malformed(e, "Statement IDs (SID) must be alpha-numeric. Check "
						 "that your input satisfies the regular expression "
						 "[0-9A-Za-z]*");
		if ((st->sid = arena_strdup(p->arena, json_string_value(f.sid))) == NULL)
			return err_oom(e);
	}
	eff = json_is_string(f.effect) ? json_string_value(f.effect) : "";
	if (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0)
		return policy__malformed(e, PREFIX "Statement[%d].Effect must be Allow or Deny", idx);
	st->deny = eff[0] == 'D';

	/* Action / NotAction: exactly one */
	if (f.action && f.notaction)
		return policy__malformed(e, PREFIX "Statement[%d] must not have both Action and "
					 "NotAction", idx);
	if (!f.action && !f.notaction)
		return policy__malformed(e, "Policy statement must contain actions. (Statement[%d])",
					 idx);
	st->not_action = f.notaction != NULL;
	list = f.action ? f.action : f.notaction;
	what = f.action ? "Action" : "NotAction";
	if ((rc = str_list(list, what, idx, &n, e)) < 0)
		return rc;
	if ((st->actions = arena_alloc(p->arena, n * sizeof(*st->actions))) == NULL ||
	    (acts = arena_alloc(p->arena, n * sizeof(*acts))) == NULL)
		return err_oom(e);
	st->acts = acts;
	for (st->nactions = 0; st->nactions < n; st->nactions++)
		if ((rc = action_compile(st, &st->actions[st->nactions], &acts[st->nactions],
					 p->arena, list_at(list, st->nactions), what, idx, e)) < 0)
			return rc;

	/* Resource / NotResource: at most one; required, except that trust policies (whose
	 * resource is their role) must have neither, as in IAM */
	if (p->kind == POLICY_TRUST && (f.resource || f.notresource))
		return policy__malformed(e, "Has prohibited field %s",
					 f.resource ? "Resource" : "NotResource");
	if (f.resource && f.notresource)
		return policy__malformed(e, PREFIX "Statement[%d] must not have both Resource and "
					 "NotResource", idx);
	if (!f.resource && !f.notresource && p->kind != POLICY_TRUST)
		return policy__malformed(e, "Policy statement must contain resources. "
					 "(Statement[%d])", idx);
	if (f.resource || f.notresource) {
		st->has_resource = true;
		st->not_resource = f.notresource != NULL;
		list = f.resource ? f.resource : f.notresource;
		what = f.resource ? "Resource" : "NotResource";
		if ((rc = str_list(list, what, idx, &n, e)) < 0)
			return rc;
		if ((st->resources = arena_alloc(p->arena, n * sizeof(*st->resources))) == NULL)
			return err_oom(e);
		for (st->nresources = 0; st->nresources < n; st->nresources++)
			if ((rc = resource_compile(&st->resources[st->nresources], p,
						   list_at(list, st->nresources), what, idx, e)) < 0)
				return rc;
	}

	/* Principal / NotPrincipal: only in resource and trust policies, and required there */
	if ((f.principal || f.notprincipal) && !principal_ok)
		return policy__malformed(e, "Policy document should not specify a principal.");
	if (principal_ok) {
		if (f.principal && f.notprincipal)
			return policy__malformed(e, PREFIX "Statement[%d] must not have both Principal "
						 "and NotPrincipal", idx);
		if (!f.principal && !f.notprincipal)
			return policy__malformed(e, "Missing required field Principal (Statement[%d])",
						 idx);
		st->has_principal = true;
		st->not_principal = f.notprincipal != NULL;
		rc = principal_compile(st, p, f.principal ? f.principal : f.notprincipal,
				       f.principal ? "Principal" : "NotPrincipal", idx, e);
		if (rc < 0)
			return rc;
	}
	/* trust policies grant only the assuming of their role (NotAction is left as written) */
	for (size_t i = 0; p->kind == POLICY_TRUST && !st->not_action && i < st->nactions; i++)
		if (!trust_action_ok(&st->actions[i]))
			return policy__malformed(e, "AssumeRole policy may only specify STS AssumeRole "
						 "actions.");
	if (f.condition && (rc = policy__cond_compile(st, p, idx, f.condition, e)) < 0)
		return rc;
	return 0;
}

static int sid_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "Statement IDs (SID) in a single policy must be unique." */
static int sids_unique(const struct policy *p, struct err *e)
{
	const char **v;
	size_t n = 0;
	int rc = 0;

	if ((v = malloc((p->nstmts + 1) * sizeof(*v))) == NULL)
		return err_oom(e);
	for (size_t i = 0; i < p->nstmts; i++)
		if (p->stmts[i].sid && p->stmts[i].sid[0])
			v[n++] = p->stmts[i].sid;
	qsort(v, n, sizeof(*v), sid_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i - 1], v[i]) == 0) {
			rc = policy__malformed(e, "Statement IDs (SID) in a single policy must be "
					       "unique.");
			break;
		}
	}
	free(v);
	return rc;
}

static int doc_compile(struct policy *p, json_t *root, struct err *e)
{
	json_t *stmts = NULL, *v;
	const char *k;
	size_t n;
	int rc;

	if (!json_is_object(root))
		return policy__malformed(e, PREFIX "The policy must be a JSON object");
	json_object_foreach(root, k, v) {
		if (strcmp(k, "Version") == 0) {
			const char *ver = json_is_string(v) ? json_string_value(v) : "";

			if (strcmp(ver, "2012-10-17") != 0 && strcmp(ver, "2008-10-17") != 0)
				return policy__malformed(e, PREFIX "Version must be \"2012-10-17\" or "
							 "\"2008-10-17\"");
			p->vars = strcmp(ver, "2012-10-17") == 0;
		} else if (strcmp(k, "Id") == 0) {
			if (!json_is_string(v))
				return policy__malformed(e, PREFIX "Id must be a string");
			if ((p->id = arena_strdup(p->arena, json_string_value(v))) == NULL)
				return err_oom(e);
		} else if (strcmp(k, "Statement") == 0) {
			stmts = v;
		} else {
			return policy__malformed(e, PREFIX "Unknown field '%.60s'", k);
		}
	}
	if (stmts == NULL)
		return policy__malformed(e, PREFIX "Missing required field Statement");
	if (!json_is_array(stmts) && !json_is_object(stmts))
		return policy__malformed(e, PREFIX "Statement must be an object or an array");
	n = json_is_array(stmts) ? json_array_size(stmts) : 1;
	if (n == 0)
		return policy__malformed(e, PREFIX "Statement must not be empty");
	if (n > POLICY_MAX_STATEMENTS)
		return policy__malformed(e, PREFIX "Statement has more than %d entries",
					 POLICY_MAX_STATEMENTS);
	if ((p->stmts = arena_alloc(p->arena, n * sizeof(*p->stmts))) == NULL)
		return err_oom(e);
	for (p->nstmts = 0; p->nstmts < n; p->nstmts++)
		if ((rc = stmt_compile(&p->stmts[p->nstmts], p, list_at(stmts, p->nstmts),
				       (int)p->nstmts, e)) < 0)
			return rc;
	return sids_unique(p, e);
}

int policy_parse(struct policy **out, const char *json, size_t len, enum policy_kind kind,
		 size_t max_chars, struct err *e)
{
	struct arena *a = NULL;
	struct policy *p;
	json_error_t jerr;
	json_t *root = NULL;
	size_t size;
	int rc;

	*out = NULL;
	if (max_chars && (size = policy_size_nows(json, len)) > max_chars)
		return err_set(e, CC_ELIMIT, "LimitExceeded", "Cannot exceed quota for PolicySize: "
			       "%zu (the document has %zu characters)", max_chars, size);
	if (!utf8_valid(json, len))
		return policy__malformed(e, PREFIX "The policy is not valid UTF-8 or contains a NUL");
	root = json_loadb(json, len, 0, &jerr);
	if (root == NULL)
		return policy__malformed(e, PREFIX "%s (line %d, column %d)", jerr.text, jerr.line,
					 jerr.column);
	if ((a = arena_new()) == NULL || (p = arena_alloc(a, sizeof(*p))) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	p->arena = a;
	p->kind = kind;
	if ((rc = doc_compile(p, root, e)) < 0)
		goto out;
	*out = p;
	a = NULL; /* handed over to *out */
	rc = 0;
out:
	arena_free(a);
	json_decref(root);
	return rc;
}
