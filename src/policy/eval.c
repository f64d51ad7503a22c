/*
 * eval.c - deciding a request: does a statement apply (action, resource,
 * principal, conditions), what does one policy say, and how the policy
 * types combine (IAM User Guide, "Policy evaluation logic").  Read-only over
 * compiled policies; no heap allocation unless a policy variable expands to
 * more than a stack buffer.  Parsing is parse.c/cond.c.  Contract: policy.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

#define VAR_STACK 512 /* bytes of stack for one expanded Resource */

/* How a resource-policy statement's Principal matched the caller, weakest first. */
enum pkind {
	PK_NONE = 0,
	PK_ACCOUNT,    /* the caller's account (12 digits or :root): a delegation to IAM */
	PK_UNDERLYING, /* the identity behind a session (role ARN via aws:PrincipalArn) */
	PK_DIRECT,     /* the caller's own ARN, or "*" */
};

/* what one policy said */
struct pres {
	bool deny, allow;
	int allow_kind; /* best enum pkind among matching Allow statements */
};

struct req {
	const struct policy_ctx *ctx;
	const char *action, *resource, *arn;
	size_t an, rn, arnn;
	unsigned action_flags;           /* GLOB_NOCASE unless action is lower-cased */
	uint64_t act_mask;               /* policy__act_req_mask of the action; ~0: not lowered */
	uint64_t a16[2];                 /* action_low's first 16 bytes, zero-padded (struct pact) */
	char action_low[128];
	struct span account;             /* the caller's account */
};

static bool resource_match(const struct pstmt *st, const struct req *r)
{
	bool any = false;

	if (!st->has_resource)
		return true; /* trust policies may omit Resource */
	for (size_t i = 0; i < st->nresources && !any; i++) {
		const struct pstr *ps = &st->resources[i];

		if (ps->flags & PSTR_ANY) {
			any = true;
		} else if (ps->flags & PSTR_VARS) {
			char stk[VAR_STACK], *heap = NULL;
			const char *s;
			size_t n;

			/* an unresolved variable makes this entry match nothing */
			if (policy__vars_expand(ps, r->ctx, true, stk, sizeof stk, &heap, &s, &n) == 0)
				any = policy__glob(s, n, r->resource, r->rn, GLOB_ESC);
			free(heap);
		} else {
			any = policy__pstr_match(ps, r->resource, r->rn, 0);
		}
	}
	return st->not_resource ? !any : any;
}

static bool type_is(const struct pprin *pp, enum policy_principal_type t)
{
	switch (pp->type) {
	case PPRIN_AWS: return t == POLICY_PRINCIPAL_AWS;
	case PPRIN_FEDERATED: return t == POLICY_PRINCIPAL_FEDERATED;
	case PPRIN_SERVICE: return t == POLICY_PRINCIPAL_SERVICE;
	default: return t == POLICY_PRINCIPAL_CANONICAL;
	}
}

/*
 * The best way any entry of a Principal list names the caller.  "*" and
 * {"AWS": "*"} name everyone (the User Guide, "Principal": they are
 * equivalent).  An AWS account id or arn:...:root names every principal of
 * that account; an IAM role ARN names that role's sessions (matched through
 * aws:PrincipalArn, which for a session holds the role ARN).
 */
static int principal_kind(const struct pstmt *st, const struct req *r)
{
	enum policy_principal_type t = r->ctx->principal_type;
	const struct policy_key *parn = NULL; /* aws:PrincipalArn, looked up when needed */
	bool parn_done = false;
	int best = PK_NONE;

	if (st->principal_any)
		return PK_DIRECT;
	for (size_t i = 0; i < st->nprincipals && best != PK_DIRECT; i++) {
		const struct pprin *pp = &st->principals[i];

		if (pp->type == PPRIN_AWS && pp->form == PPRIN_FORM_ANY) {
			best = PK_DIRECT;
			break;
		}
		if (!type_is(pp, t))
			continue;
		if (pp->form == PPRIN_FORM_ANY) {
			best = PK_DIRECT;
		} else if (pp->form == PPRIN_FORM_ACCOUNT) {
			if (r->account.n == pp->n && memcmp(r->account.p, pp->s, pp->n) == 0 &&
			    best < PK_ACCOUNT)
				best = PK_ACCOUNT;
		} else if (pp->type == PPRIN_SERVICE) {
			if (pp->n == r->arnn && strncasecmp(pp->s, r->arn, pp->n) == 0)
				best = PK_DIRECT;
		} else if (pp->n == r->arnn && memcmp(pp->s, r->arn, pp->n) == 0) {
			best = PK_DIRECT;
		} else if (pp->type == PPRIN_AWS && best < PK_UNDERLYING) {
			if (!parn_done) {
				parn = policy__ctx_key(r->ctx, "aws:PrincipalArn", 16);
				parn_done = true;
			}
			for (size_t k = 0; parn && k < parn->values.n; k++) {
				const char *v = parn->values.v[k];

				if (v && strlen(v) == pp->n && memcmp(v, pp->s, pp->n) == 0)
					best = PK_UNDERLYING;
			}
		}
	}
	if (st->not_principal)
		return best == PK_NONE ? PK_DIRECT : PK_NONE;
	return best;
}

/*
 * Does any entry of the Action (or NotAction) list match the request
 * action?  A lower-cased request goes through the prefilters of struct
 * pact, which decide most entries ("codecommit:Get*", "iam:listusers", "*")
 * with two masked compares; the rest, and a request too long to lower,
 * take the full match.
 */
static inline bool action_any(const struct pstmt *st, const struct req *r)
{
	if (r->action_flags == 0) {
		for (size_t i = 0; i < st->nactions; i++) {
			const struct pact *pa = &st->acts[i];

			if (((r->a16[0] & pa->m[0]) ^ pa->v[0]) | ((r->a16[1] & pa->m[1]) ^ pa->v[1]))
				continue;
			if (pa->how == PACT_DONE ||
			    policy__pstr_match(&st->actions[i], r->action, r->an, 0))
				return true;
		}
		return false;
	}
	for (size_t i = 0; i < st->nactions; i++)
		if (policy__pstr_match(&st->actions[i], r->action, r->an, r->action_flags))
			return true;
	return false;
}

/* Does the statement apply?  *kind says how its Principal matched. */
static bool stmt_match(const struct pstmt *st, const struct req *r, int *kind)
{
	/* an Action list whose prefixes the request lacks cannot match */
	if (!st->not_action && !(st->act_mask & r->act_mask))
		return false;
	if (action_any(st, r) == st->not_action)
		return false;
	if (!resource_match(st, r))
		return false;
	*kind = PK_DIRECT;
	if (st->has_principal && (*kind = principal_kind(st, r)) == PK_NONE)
		return false;
	for (size_t i = 0; i < st->nconds; i++)
		if (!policy__cond_eval(&st->conds[i], r->ctx))
			return false;
	return true;
}

static void trace_add(struct policy_trace *t, const struct policy *p, size_t i)
{
	struct policy_match *m;

	if (t == NULL || t->matches == NULL || t->n >= t->cap)
		return;
	m = &t->matches[t->n++];
	m->policy = p;
	m->statement_index = (int)i;
	m->sid = p->stmts[i].sid;
	m->effect = p->stmts[i].deny ? POLICY_EXPLICIT_DENY : POLICY_ALLOW;
}

/*
 * Without a trace, an Allow statement is skipped once the policy has
 * allowed as strongly as it can; a Deny ends the walk.
 */
static void policy_run(const struct policy *p, const struct req *r, struct policy_trace *t,
		       struct pres *out)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nstmts; i++) {
		const struct pstmt *st = &p->stmts[i];
		int kind;

		if (!st->deny && t == NULL && out->allow_kind == PK_DIRECT)
			continue;
		if (!stmt_match(st, r, &kind))
			continue;
		trace_add(t, p, i);
		if (st->deny) {
			out->deny = true;
			if (t == NULL)
				return;
		} else {
			out->allow = true;
			if (kind > out->allow_kind)
				out->allow_kind = kind;
		}
	}
}

static void req_init(struct req *r, const struct policy_ctx *ctx)
{
	r->ctx = ctx;
	r->action = ctx->action ? ctx->action : "";
	r->resource = ctx->resource ? ctx->resource : "";
	r->arn = ctx->principal_arn ? ctx->principal_arn : "";
	r->an = strlen(r->action);
	r->action_flags = GLOB_NOCASE;
	if (r->an < sizeof r->action_low) {
		/* action patterns were lower-cased at parse time: lower the action once */
		for (size_t i = 0; i <= r->an; i++) {
			char c = r->action[i];

			r->action_low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		r->action = r->action_low;
		r->action_flags = 0;
	}
	{
		unsigned char pad[16] = {0};

		memcpy(pad, r->action, r->an < 16 ? r->an : 16);
		memcpy(r->a16, pad, 16);
	}
	r->act_mask = r->action_flags == 0 ? policy__act_req_mask(r->action, r->an) : ~(uint64_t)0;
	r->rn = strlen(r->resource);
	r->arnn = strlen(r->arn);
	r->account = ctx->principal_account ? span_cstr(ctx->principal_account)
					    : policy__arn_account(ctx->principal_arn);
}

static enum policy_decision verdict(const struct pres *res)
{
	return res->deny ? POLICY_EXPLICIT_DENY : res->allow ? POLICY_ALLOW : POLICY_IMPLICIT_DENY;
}

enum policy_decision policy_eval_one(const struct policy *p, const struct policy_ctx *ctx,
				     struct policy_trace *trace)
{
	struct pres res = {0};
	struct req r;

	req_init(&r, ctx);
	policy_run(p, &r, trace, &res);
	return verdict(&res);
}

/* runs a list of policies into one result; true when a Deny ended the walk */
static bool run_list(const struct policy *const *v, size_t n, const struct req *r,
		     struct policy_trace *t, struct pres *out)
{
	for (size_t i = 0; i < n && !(out->deny && t == NULL); i++)
		policy_run(v[i], r, t, out);
	return out->deny && t == NULL;
}

/*
 * The combination, following "Policy evaluation logic" and "Policy
 * evaluation for requests within a single account":
 *
 *  1. An explicit Deny in any SCP, resource, boundary, session or identity
 *     policy wins.
 *  2. SCPs, when any are given, must allow (one allowing suffices: the list
 *     is taken as the SCPs of one level of the organization).
 *  3. Same account: the identity side allows when an identity policy
 *     allows AND the boundary (if any) allows AND the session policies (if
 *     any) allow.  A resource-policy Allow is additive ("the resulting
 *     permissions are the union"), with the documented nuances:
 *       - naming the caller's own ARN (an IAM user, or a role/federated
 *         session ARN) or "*" grants on its own: "an implicit deny in a
 *         permissions boundary does not limit the permissions granted to an
 *         IAM user by a resource-based policy", and permissions granted to a
 *         session principal ARN are "not limited by the session policy" nor
 *         the role's boundary;
 *       - naming the role behind a session (matched via aws:PrincipalArn)
 *         grants only if the boundary and the session policies do not
 *         implicitly deny ("an implicit deny in a permissions boundary does
 *         limit the permissions granted to the ARN of the underlying IAM
 *         role", and session policies limit resource grants to the role or
 *         user ARN);
 *       - naming the account (12 digits or :root) delegates to IAM ("All
 *         identities inside the account can access the resource if they have
 *         the appropriate IAM permissions"), so the identity side decides.
 *  4. Cross account: the resource policy must allow the caller (any of the
 *     above forms) AND the identity side must allow.
 * The account root user's unconditional access is the caller's business.
 */
enum policy_decision policy_eval(const struct policy_set *set, const struct policy_ctx *ctx,
				 struct policy_trace *trace)
{
	struct pres scp = {0}, res = {0}, bnd = {0}, ses = {0}, id = {0};
	bool same, bnd_ok, ses_ok, id_ok;
	struct req r;

	if (set == NULL || ctx == NULL)
		return POLICY_IMPLICIT_DENY;
	req_init(&r, ctx);
	if (run_list(set->scp, set->n_scp, &r, trace, &scp))
		return POLICY_EXPLICIT_DENY;
	policy_run(set->resource, &r, trace, &res);
	if (res.deny && trace == NULL)
		return POLICY_EXPLICIT_DENY;
	policy_run(set->boundary, &r, trace, &bnd);
	if (bnd.deny && trace == NULL)
		return POLICY_EXPLICIT_DENY;
	if (run_list(set->session, set->n_session, &r, trace, &ses) ||
	    run_list(set->identity, set->n_identity, &r, trace, &id))
		return POLICY_EXPLICIT_DENY;
	if (scp.deny || res.deny || bnd.deny || ses.deny || id.deny)
		return POLICY_EXPLICIT_DENY;

	if (set->n_scp > 0 && !scp.allow)
		return POLICY_IMPLICIT_DENY;
	bnd_ok = set->boundary == NULL || bnd.allow;
	ses_ok = set->n_session == 0 || ses.allow;
	id_ok = id.allow && bnd_ok && ses_ok;
	same = ctx->resource_account == NULL || span_eq(r.account, ctx->resource_account);
	if (!same)
		return res.allow && id_ok ? POLICY_ALLOW : POLICY_IMPLICIT_DENY;
	if (id_ok)
		return POLICY_ALLOW;
	if (res.allow && res.allow_kind == PK_DIRECT)
		return POLICY_ALLOW;
	if (res.allow && res.allow_kind == PK_UNDERLYING && bnd_ok && ses_ok)
		return POLICY_ALLOW;
	return POLICY_IMPLICIT_DENY;
}

/* ---- the keys a policy refers to (policy_context_keys) -------------------------- */

/* Action and Resource apply; a Resource entry with a variable counts as applying. */
static bool stmt_relevant(const struct pstmt *st, const struct req *r)
{
	if (action_any(st, r) == st->not_action)
		return false;
	if (!st->has_resource)
		return true;
	for (size_t i = 0; i < st->nresources; i++)
		if (st->resources[i].flags & PSTR_VARS)
			return true;
	return resource_match(st, r);
}

static void key_note(struct span *out, size_t cap, size_t *n, const char *k, size_t kn)
{
	size_t i;

	for (i = 0; i < *n && i < cap; i++)
		if (out[i].n == kn && strncasecmp(out[i].p, k, kn) == 0)
			return;
	if (*n < cap)
		out[*n] = span_of(k, kn);
	(*n)++;
}

static void pstr_keys(const struct pstr *ps, struct span *out, size_t cap, size_t *n)
{
	if (!(ps->flags & PSTR_VARS))
		return;
	for (size_t i = 0; i < ps->nseg; i++)
		if (ps->seg[i].kind == PSEG_KEY)
			key_note(out, cap, n, ps->seg[i].s, ps->seg[i].n);
}

size_t policy_context_keys(const struct policy *p, const struct policy_ctx *ctx,
			   struct span *out, size_t cap)
{
	struct req r;
	size_t n = 0;

	if (p == NULL)
		return 0;
	if (ctx)
		req_init(&r, ctx);
	for (size_t i = 0; i < p->nstmts; i++) {
		const struct pstmt *st = &p->stmts[i];

		if (ctx && !stmt_relevant(st, &r))
			continue;
		for (size_t j = 0; j < st->nresources; j++)
			pstr_keys(&st->resources[j], out, cap, &n);
		for (size_t j = 0; j < st->nconds; j++) {
			const struct pcond *c = &st->conds[j];

			key_note(out, cap, &n, c->key, c->keyn);
			for (size_t k = 0; k < c->nvals; k++)
				pstr_keys(&c->vals[k].str, out, cap, &n);
		}
	}
	return n;
}
