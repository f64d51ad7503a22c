/*
 * policy.h - the contract of src/policy: parse an IAM policy document once
 * into an immutable compiled form, and decide a request against a set of
 * compiled policies the way AWS's "Policy evaluation logic" describes.
 *
 * policy/ knows nothing about HTTP or the store; callers build the request
 * context (action, resource ARN, principal, condition keys) themselves.
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>

#include "core/core.h"

enum policy_kind {
	POLICY_IDENTITY, /* user/group/role inline or managed: no Principal, Resource required */
	POLICY_RESOURCE, /* attached to a resource: Principal required, Resource required */
	POLICY_TRUST,    /* role trust policy: Principal required, no Resource, and Action
			  * only STS's role-assuming actions (sts:AssumeRole*, TagSession,
			  * SetSourceIdentity, SetContext; wildcards that match one) */
	POLICY_BOUNDARY, /* permissions boundary: as identity */
	POLICY_SESSION,  /* session policy: as identity */
	POLICY_SCP,      /* service control policy: as identity */
};

/* Caps enforced by policy_parse (MalformedPolicyDocument when exceeded). */
#define POLICY_MAX_STATEMENTS 1000
#define POLICY_MAX_VALUES 4096     /* entries in one list (ReadOnlyAccess has 1430 actions) */
#define POLICY_MAX_CONDITIONS 1000 /* operator/key pairs in one statement */

/* A compiled policy: immutable after parse, safe to share between threads. */
struct policy;

/*
 * Parses and validates a JSON policy document into compiled form; *out is
 * the caller's, freed with policy_free().  On failure returns CC_EINVAL with
 * e->aws_code = "MalformedPolicyDocument" and a message saying what and
 * where (e.g. "Syntax errors in policy. Statement[1].Effect must be Allow or
 * Deny"; statement indexes count from 0), or CC_ELIMIT / "LimitExceeded"
 * when policy_size_nows() exceeds max_chars (0 = no limit), or CC_ERROR on
 * out of memory.  json need not be NUL-terminated.
 */
int policy_parse(struct policy **out, const char *json, size_t len, enum policy_kind kind,
		 size_t max_chars, struct err *e);
void policy_free(struct policy *p); /* NULL is a no-op */
/* characters (code points) not counting whitespace: AWS's size rule */
size_t policy_size_nows(const char *json, size_t len);

enum policy_kind policy_kind_of(const struct policy *p);
size_t policy_statement_count(const struct policy *p);
/* the Sid of statement i, or NULL when it has none or i is out of range */
const char *policy_statement_sid(const struct policy *p, size_t i);

/* ---- the request being decided ------------------------------------------ */

struct policy_value_list {
	const char *const *v;
	size_t n; /* 0: the key is treated as absent */
};

/* name e.g. "aws:username"; compared case-insensitively */
struct policy_key {
	const char *name;
	struct policy_value_list values;
};

/* Who is calling, for matching a Principal element. */
enum policy_principal_type {
	POLICY_PRINCIPAL_AWS = 0,   /* IAM user, role session, root: principal_arn is an ARN */
	POLICY_PRINCIPAL_FEDERATED, /* principal_arn is the identity provider (ARN or domain) */
	POLICY_PRINCIPAL_SERVICE,   /* principal_arn is e.g. "codecommit.amazonaws.com" */
	POLICY_PRINCIPAL_CANONICAL, /* principal_arn is a canonical user id */
	POLICY_PRINCIPAL_ANONYMOUS, /* unauthenticated: matches only Principal "*" */
};

/*
 * All pointers are borrowed for the duration of the call; NULL strings act
 * as "".  For a role session, principal_arn is the session ARN
 * (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION) and the key aws:PrincipalArn
 * should hold the role ARN: a Principal naming the role then matches the
 * session, as in AWS.
 */
struct policy_ctx {
	const char *action;            /* "iam:CreateUser" */
	const char *resource;          /* "arn:aws:iam::123456789012:user/Sonali" */
	const char *principal_arn;     /* caller, e.g. arn:aws:iam::123456789012:user/Bob */
	const char *principal_account; /* 12 digits */
	const char *resource_account;  /* account owning the resource, NULL = same as principal */
	const struct policy_key *keys; /* condition keys and policy-variable values */
	size_t nkeys;
	enum policy_principal_type principal_type; /* 0 (AWS) unless said otherwise */
};

enum policy_decision { POLICY_IMPLICIT_DENY = 0, POLICY_ALLOW = 1, POLICY_EXPLICIT_DENY = 2 };

/* The policies that apply to one request (any pointer/array may be NULL/0). */
struct policy_set {
	const struct policy *const *identity; /* user/group/role inline+managed */
	size_t n_identity;
	const struct policy *boundary;        /* permissions boundary or NULL */
	const struct policy *const *session;  /* session policies (NULL/0: not a session with policies) */
	size_t n_session;
	const struct policy *resource;        /* resource-based policy or NULL */
	const struct policy *const *scp;      /* service control policies: at least one must allow */
	size_t n_scp;
};

/* Optional explanation: which statements matched (for the policy simulator). */
struct policy_match {
	const struct policy *policy;
	int statement_index; /* from 0, in document order */
	const char *sid;     /* borrowed from policy; NULL when none */
	enum policy_decision effect; /* POLICY_ALLOW or POLICY_EXPLICIT_DENY */
};

/*
 * Caller-provided storage: set matches/cap and n = 0; evaluation appends up
 * to cap entries.  With a trace every statement is examined (no early exit),
 * so every matching statement is listed.
 */
struct policy_trace {
	struct policy_match *matches;
	size_t n, cap;
};

/*
 * Decides a request (see eval.c for the exact rules): an explicit Deny in any
 * policy wins; SCPs (when given) must allow; within one account an identity
 * allow (limited by boundary and session policies) or a resource-policy allow
 * naming the principal suffices; across accounts both the resource policy and
 * the identity side must allow.  Never allocates in the common case.
 */
enum policy_decision policy_eval(const struct policy_set *set, const struct policy_ctx *ctx,
				 struct policy_trace *trace);
/* Evaluates one policy alone (trust policies, resource policies with Principal). */
enum policy_decision policy_eval_one(const struct policy *p, const struct policy_ctx *ctx,
				     struct policy_trace *trace);

/*
 * The condition keys a policy refers to, for the policy simulator's
 * MissingContextValues: the keys of the Condition elements and of the policy
 * variables (${aws:username}) in Resource and condition values, of every
 * statement whose Action and Resource apply to ctx's action and resource
 * (conditions and Principal not considered; a Resource entry holding a
 * variable counts as applying).  ctx NULL: every statement.  Each key once
 * (compared case-insensitively), in document order, as spans borrowed from
 * p.  Returns how many there are; at most cap are stored in out (when the
 * answer exceeds cap, keys past cap may be counted more than once).
 */
size_t policy_context_keys(const struct policy *p, const struct policy_ctx *ctx,
			   struct span *out, size_t cap);

#endif
