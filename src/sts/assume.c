/*
 * assume.c - AssumeRole: temporary credentials for a role, in the caller's
 * account or another one on the same server.
 *
 * The role's trust policy is its resource-based policy for sts:AssumeRole,
 * and the caller's own policies are the identity side: the policy engine's
 * usual rules decide (policy/eval.c).  In one account, a trust policy that
 * names the caller (or "*") is enough; one that names the account leaves it
 * to the caller's IAM permissions; across accounts both must allow.  A role
 * that does not exist is refused the same way as one that does not trust
 * the caller, so role names cannot be probed.
 *
 * The session is a principal of the role's account,
 * arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, whose permissions are the
 * role's policies (and boundary), narrowed by the session policy if one
 * was given.  It carries MFA when the call did (SerialNumber and TokenCode)
 * or when the calling session had it.
 */
#include <stdio.h>
#include <string.h>

#include "sts_int.h"
#include "policy/policy.h"

#define CHAINED_MAX_DURATION 3600 /* a role session assuming a role: one hour at most */


/* "arn:aws:iam::ACCOUNT:role/PATH/NAME": the account and the name */
bool sts_role_arn_split(const char *arn, char account[13], char *name, size_t namesz)
{
	const char *p, *slash;

	if (arn == NULL || strncmp(arn, "arn:aws:iam::", 13) != 0)
		return false;
	p = arn + 13;
	if (strspn(p, "0123456789") != 12 || strncmp(p + 12, ":role/", 6) != 0)
		return false;
	memcpy(account, p, 12);
	account[12] = '\0';
	slash = strrchr(p + 18, '/');
	p = slash ? slash + 1 : p + 18;
	if (strlen(p) == 0 || strlen(p) >= namesz)
		return false;
	snprintf(name, namesz, "%s", p);
	return true;
}

/* NoSuchEntity is not said: a missing role is refused like an untrusting one */
int sts_role_load(struct sts_role *r, struct aws_call *c, const char *arn, const char *action,
		  struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!sts_role_arn_split(arn, r->account, r->name, sizeof(r->name)))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "%s is invalid: a role ARN is arn:aws:iam::ACCOUNT:role/NAME", arn);
	rc = store_query(&q, c->tx, e,
			 "SELECT id, name, path, trust_policy, max_session FROM roles"
			 " WHERE account = $1 AND name = $2 COLLATE NOCASE",
			 "ss", r->account, r->name);
	if (rc == 0 && (rc = store_step(q, e)) == 1) {
		snprintf(r->id, sizeof(r->id), "%s", store_col_text(q, 0));
		snprintf(r->name, sizeof(r->name), "%s", store_col_text(q, 1));
		snprintf(r->path, sizeof(r->path), "%s", store_col_text(q, 2));
		r->trust = arena_strdup(c->ar, store_col_text(q, 3));
		r->max_session = store_col_int(q, 4);
		snprintf(r->arn, sizeof(r->arn), "arn:aws:iam::%s:role%s%s", r->account, r->path,
			 r->name);
		rc = r->trust ? 0 : err_oom(e);
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	/* the ARN must name the role exactly, path included */
	if (r->id[0] == '\0' || strcasecmp(r->arn, arn) != 0)
		return err_set(e, CC_EDENIED, "AccessDenied",
			       "%s%s%snot authorized to perform: %s on resource: %s",
			       c->caller->arn[0] ? "User: " : "", c->caller->arn,
			       c->caller->arn[0] ? " is " : "", action, arn);
	return 0;
}

int sts_check_session_name(const char *name, struct err *e)
{
	if (!word_chars_ok(name, 2, 64, "_+=,.@-"))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'roleSessionName' failed to"
			       " satisfy constraint: Member must satisfy regular expression pattern:"
			       " [\\w+=,.@-]* and have length between 2 and 64");
	return 0;
}

int sts_check_session_policy(const char *policy, struct err *e)
{
	struct policy *sp = NULL;
	int rc;

	if (strlen(policy) > SESSION_POLICY_MAX)
		return err_set(e, CC_EINVAL, "PackedPolicyTooLarge",
			       "Packed size of the session policy exceeds the limit: at most"
			       " %d characters",
			       SESSION_POLICY_MAX);
	rc = policy_parse(&sp, policy, strlen(policy), POLICY_IDENTITY, SESSION_POLICY_MAX, e);
	policy_free(sp);
	return rc;
}

void sts_role_session(struct session *s, const struct sts_role *r, const char *sname,
		      int64_t now, int64_t duration)
{
	memset(&s->who, 0, sizeof(s->who));
	s->who.kind = PRINCIPAL_ASSUMED_ROLE;
	snprintf(s->who.account, sizeof(s->who.account), "%s", r->account);
	snprintf(s->who.arn, sizeof(s->who.arn), "arn:aws:sts::%s:assumed-role/%s/%s", r->account,
		 r->name, sname);
	snprintf(s->who.principal_id, sizeof(s->who.principal_id), "%s:%s", r->id, sname);
	snprintf(s->who.user_id, sizeof(s->who.user_id), "%s", r->id);
	snprintf(s->who.name, sizeof(s->who.name), "%s", sname);
	snprintf(s->who.path, sizeof(s->who.path), "%s", r->path);
	s->who.temporary = true;
	s->who.token_issued = now;
	s->who.expires = now + duration;
	snprintf(s->role_arn, sizeof(s->role_arn), "%s", r->arn);
}

int sts_assume_role(struct aws_call *c, struct err *e)
{
	const char *arn = aws_in_str(c, "RoleArn");
	const char *sname = aws_in_str(c, "RoleSessionName");
	const char *external = aws_in_str(c, "ExternalId");
	const char *policy = aws_in_str(c, "Policy");
	const char *serial = aws_in_str(c, "SerialNumber");
	const char *code = aws_in_str(c, "TokenCode");
	int64_t duration = aws_in_int(c, "DurationSeconds", 3600), max;
	struct principal who = *c->caller;
	const struct principal *saved = c->caller;
	struct policy_key keys[2];
	const char *kv[2];
	size_t nkeys = 0;
	json_t *creds = NULL;
	struct session s;
	struct sts_role r;
	int rc;

	if (aws_in_has(c, "ProvidedContexts"))
		return err_set(e, CC_EINVAL, "InvalidParameterValue",
			       "ProvidedContexts (trusted context assertions) is not implemented by"
			       " this version of commitd");
	if ((rc = sts_check_session_name(sname, e)) < 0)
		return rc;
	if (external && !word_chars_ok(external, 2, 1224, "_+=,.@:/-"))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'externalId' failed to satisfy"
			       " constraint: Member must satisfy regular expression pattern:"
			       " [\\w+=,.@:\\/-]* and have length between 2 and 1224");
	if (policy && (rc = sts_check_session_policy(policy, e)) < 0)
		return rc;
	if ((rc = sts_role_load(&r, c, arn, "sts:AssumeRole", e)) < 0)
		return rc;

	/* PolicyArns, Tags, TransitiveTagKeys, SourceIdentity, and what a
	 * calling session passes on */
	memset(&s, 0, sizeof(s));
	if ((rc = sts_session_extras(c, &s, r.account, e)) < 0)
		return rc;

	/* MFA: a code now, or the calling session's */
	if (serial || code) {
		if (!serial || !code || !totp_code_ok(code))
			return err_set(e, CC_EINVAL, "ValidationError",
				       "SerialNumber and TokenCode go together, and TokenCode is six"
				       " digits");
		if (c->caller->kind != PRINCIPAL_USER && c->caller->kind != PRINCIPAL_ROOT)
			return err_set(e, CC_EDENIED, "AccessDenied",
				       "MultiFactorAuthentication failed: only IAM users and the root"
				       " user have MFA devices");
		if ((rc = mfa_check(c->tx, c->env->sealer, serial,
				    c->caller->kind == PRINCIPAL_ROOT ? c->caller->account
								      : c->caller->user_id,
				    code, c->now, e)) < 0)
			return rc;
		who.mfa = true;
		who.mfa_time = c->now;
	}

	/* may they: the trust policy against the caller's own policies */
	if (external) {
		kv[nkeys] = external;
		keys[nkeys].name = "sts:ExternalId";
		keys[nkeys].values.v = &kv[nkeys];
		keys[nkeys].values.n = 1;
		nkeys++;
	}
	kv[nkeys] = sname;
	keys[nkeys].name = "sts:RoleSessionName";
	keys[nkeys].values.v = &kv[nkeys];
	keys[nkeys].values.n = 1;
	nkeys++;
	c->caller = &who;
	c->resource_policy = r.trust;
	c->resource_policy_trust = true;
	c->resource_account = r.account;
	rc = aws_authorize(c, "sts:AssumeRole", r.arn, keys, nkeys, e);
	if (rc == 0)
		rc = sts_authorize_extras(c, &s, r.arn, e);
	c->caller = saved;
	c->resource_policy = NULL;
	c->resource_policy_trust = false;
	c->resource_account = NULL;
	if (rc < 0)
		return rc;

	max = c->caller->kind == PRINCIPAL_ASSUMED_ROLE ? CHAINED_MAX_DURATION : r.max_session;
	if (duration < STS_ROLE_MIN_DURATION || duration > max)
		return err_set(e, CC_EINVAL, "ValidationError",
			       "The requested DurationSeconds (%lld) must be between %d and the"
			       " role's MaxSessionDuration%s (%lld).",
			       (long long)duration, STS_ROLE_MIN_DURATION,
			       c->caller->kind == PRINCIPAL_ASSUMED_ROLE ? ", for a chained role"
									 : "",
			       (long long)max);

	sts_role_session(&s, &r, sname, c->now, duration);
	s.who.mfa = who.mfa;
	s.who.mfa_time = who.mfa ? who.mfa_time : 0;
	if (policy)
		snprintf(s.policy, sizeof(s.policy), "%s", policy);
	snprintf(s.source_key, sizeof(s.source_key), "%s",
		 c->session ? c->session->source_key : c->caller->access_key_id);
	rc = store_exec(c->tx, e,
			"UPDATE roles SET last_used = $1, last_used_region = $2 WHERE id = $3", "iss",
			(int64_t)c->now, c->env->region, r.id);
	if (rc < 0 || (rc = sts_issue(c, &s, &creds, e)) < 0)
		goto out;
	c->out = json_pack("{s:o, s:{s:s, s:s}}", "Credentials", creds, "AssumedRoleUser",
			   "AssumedRoleId", s.who.principal_id, "Arn", s.who.arn);
	if (c->out && (s.policy[0] || s.policy_arns[0] || s.tags[0]))
		json_object_set_new(c->out, "PackedPolicySize",
				    json_integer(sts_packed_percent(&s)));
	if (c->out && s.source_identity[0])
		json_object_set_new(c->out, "SourceIdentity", json_string(s.source_identity));
	rc = c->out ? 0 : err_oom(e);
	log_info("sts: %s assumed %s as %s until %lld", c->caller->arn, r.arn, s.who.arn,
		 (long long)s.who.expires);
out:
	session_wipe(&s);
	return rc;
}
