/*
 * webid.c - AssumeRoleWithWebIdentity: temporary credentials for a role in
 * exchange for an OpenID Connect ID token, with no AWS credentials at all
 * (the call is unsigned, as in AWS).
 *
 * The token's issuer must be an OIDC provider registered in the role's
 * account (IAM CreateOpenIDConnectProvider).  Its signing keys are the
 * issuer's JWKS (jwks.c): a file the administrator installed, so an
 * air-gapped server needs nothing else, or fetched from the provider.  The token must verify (RS256 or
 * ES256, auth/jwt.c), be unexpired, be valid already (nbf, with five
 * minutes' leeway for clocks), name one of the provider's client ids in
 * aud, and carry a sub.  Only then is the role looked at, so a stranger
 * learns nothing about which roles exist.  The role's trust policy decides
 * alone: its principal is {"Federated": PROVIDER-ARN}, its condition keys
 * HOST[/PATH]:sub, :aud and :amr, aws:FederatedProvider and
 * sts:RoleSessionName.
 */
#include <stdio.h>
#include <string.h>

#include "sts_int.h"
#include "policy/policy.h"

#define NBF_LEEWAY 300
#define OIDC_URL_MAX 255

struct provider {
	char arn[400];
	char url[OIDC_URL_MAX + 1]; /* HOST[/PATH] */
	json_t *client_ids;
};

static int invalid(struct err *e, const char *msg)
{
	return err_set(e, CC_EINVAL, "InvalidIdentityToken", "%s", msg);
}

/* the provider of issuer iss in account, from the iss claim */
static int provider_find(struct provider *p, struct aws_call *c, const char *account,
			 const char *iss, struct err *e)
{
	struct store_stmt *q = NULL;
	size_t n;
	int rc;

	memset(p, 0, sizeof(*p));
	if (iss == NULL || strncmp(iss, "https://", 8) != 0)
		return invalid(e, "The token's iss claim must be the provider's https:// URL");
	n = strlen(iss + 8);
	if (n > 0 && iss[8 + n - 1] == '/')
		n--;
	if (n == 0 || n > OIDC_URL_MAX)
		return invalid(e, "The token's iss claim is not a provider URL");
	memcpy(p->url, iss + 8, n);
	p->url[n] = '\0';
	rc = store_query(&q, c->tx, e,
			 "SELECT arn, client_ids FROM oidc_providers WHERE account = $1 AND url = $2",
			 "ss", account, p->url);
	if (rc == 0 && (rc = store_step(q, e)) == 1) {
		snprintf(p->arn, sizeof(p->arn), "%s", store_col_text(q, 0));
		p->client_ids = json_loads(store_col_text(q, 1), 0, NULL);
		rc = json_is_array(p->client_ids) ? 0
						   : err_set(e, CC_ERROR, NULL,
							     "oidc provider %s: stored client ids are corrupt",
							     p->arn);
	} else if (rc == 0) {
		rc = err_set(e, CC_EINVAL, "InvalidIdentityToken",
			     "No OpenIDConnect provider found in your account for https://%s", p->url);
	}
	store_stmt_free(q);
	return rc;
}

/* the first aud that is one of the provider's client ids, or NULL */
static const char *audience(json_t *claims, const struct provider *p)
{
	json_t *aud = json_object_get(claims, "aud"), *one;
	size_t i, k, n = json_is_array(aud) ? json_array_size(aud) : 1;

	for (i = 0; i < n && i < 100; i++) {
		one = json_is_array(aud) ? json_array_get(aud, i) : aud;
		if (!json_is_string(one))
			continue;
		for (k = 0; k < json_array_size(p->client_ids); k++)
			if (strcmp(json_string_value(one),
				   json_string_value(json_array_get(p->client_ids, k))) == 0)
				return json_string_value(one);
	}
	return NULL;
}

/* exp, nbf and sub: the claims that make a verified token usable now */
static int claims_check(json_t *claims, int64_t now, struct err *e)
{
	json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	char t_now[32], t_exp[32];

	if (!json_is_number(exp))
		return invalid(e, "The token has no exp claim (a number of seconds)");
	if ((double)now >= json_number_value(exp)) {
		time_iso8601(t_now, sizeof(t_now), now);
		time_iso8601(t_exp, sizeof(t_exp), (int64_t)json_number_value(exp));
		return err_set(e, CC_EINVAL, "ExpiredTokenException",
			       "Token expired: current date/time %s must be before the expiration"
			       " date/time %s",
			       t_now, t_exp);
	}
	if (nbf && (!json_is_number(nbf) || (double)(now + NBF_LEEWAY) < json_number_value(nbf)))
		return invalid(e, "The token is not valid yet (its nbf claim is in the future)");
	if (sub == NULL || sub[0] == '\0' || strlen(sub) > 255)
		return invalid(e, "The token's sub claim must be a string of 1 to 255 characters");
	return 0;
}

struct keys {
	struct policy_key k[12];
	const char *v[12];
	const char *amr[16];
	char names[3][OIDC_URL_MAX + 8];
	char now_iso[32], epoch[24];
	size_t n;
};

static void key1(struct keys *ks, const char *name, const char *value)
{
	if (value == NULL || ks->n >= ARRAY_SIZE(ks->k))
		return;
	ks->v[ks->n] = value;
	ks->k[ks->n].name = name;
	ks->k[ks->n].values.v = &ks->v[ks->n];
	ks->k[ks->n].values.n = 1;
	ks->n++;
}

/* may the token's subject assume role r: its trust policy alone decides */
static int trust_allows(struct aws_call *c, const struct sts_role *r, const struct provider *p,
			json_t *claims, const char *aud, const char *sname, struct err *e)
{
	struct keys ks = {.n = 0};
	struct policy *trust = NULL;
	struct policy_ctx ctx = {0};
	struct err pe = ERR_INIT;
	json_t *amr = json_object_get(claims, "amr");
	enum policy_decision d = POLICY_IMPLICIT_DENY;
	const char *ua = c->user_agent;
	size_t i, namr = 0;

	snprintf(ks.names[0], sizeof(ks.names[0]), "%s:sub", p->url);
	snprintf(ks.names[1], sizeof(ks.names[1]), "%s:aud", p->url);
	snprintf(ks.names[2], sizeof(ks.names[2]), "%s:amr", p->url);
	key1(&ks, ks.names[0], json_string_value(json_object_get(claims, "sub")));
	key1(&ks, ks.names[1], aud);
	for (i = 0; json_is_array(amr) && i < json_array_size(amr) && namr < ARRAY_SIZE(ks.amr); i++)
		if (json_is_string(json_array_get(amr, i)))
			ks.amr[namr++] = json_string_value(json_array_get(amr, i));
	if (namr > 0) {
		ks.k[ks.n].name = ks.names[2];
		ks.k[ks.n].values.v = ks.amr;
		ks.k[ks.n].values.n = namr;
		ks.n++;
	}
	time_iso8601(ks.now_iso, sizeof(ks.now_iso), c->now);
	snprintf(ks.epoch, sizeof(ks.epoch), "%lld", (long long)c->now);
	key1(&ks, "aws:FederatedProvider", p->arn);
	key1(&ks, "sts:RoleSessionName", sname);
	key1(&ks, "aws:SourceIp", c->source_ip);
	key1(&ks, "aws:CurrentTime", ks.now_iso);
	key1(&ks, "aws:EpochTime", ks.epoch);
	key1(&ks, "aws:SecureTransport", c->secure ? "true" : "false");
	key1(&ks, "aws:RequestedRegion", c->env->region);
	key1(&ks, "aws:UserAgent", ua);

	if (policy_parse(&trust, r->trust, strlen(r->trust), POLICY_TRUST, 0, &pe) == 0) {
		ctx.action = "sts:AssumeRoleWithWebIdentity";
		ctx.resource = r->arn;
		ctx.principal_arn = p->arn;
		ctx.principal_account = r->account;
		ctx.resource_account = r->account;
		ctx.principal_type = POLICY_PRINCIPAL_FEDERATED;
		ctx.keys = ks.k;
		ctx.nkeys = ks.n;
		d = policy_eval_one(trust, &ctx, NULL);
	} else {
		log_warnx("sts: stored trust policy of %s does not parse: %s", r->arn, pe.msg);
	}
	policy_free(trust);
	if (d == POLICY_ALLOW)
		return 0;
	return err_set(e, CC_EDENIED, "AccessDenied",
		       "Not authorized to perform sts:AssumeRoleWithWebIdentity");
}

/*
 * The role's last use, recorded after the answer is made: the call reads
 * in a read transaction, so a slow identity provider (jwks.c) never holds
 * the store's write lock.
 */
static void role_used(struct aws_call *c, void *arg)
{
	struct store_tx *tx = NULL;
	struct err e = ERR_INIT;

	if (store_begin(&tx, c->env->store, true, &e) < 0)
		goto fail;
	if (store_exec(tx, &e, "UPDATE roles SET last_used = $1, last_used_region = $2 WHERE id = $3",
		       "iss", (int64_t)c->now, c->env->region, (const char *)arg) < 0) {
		store_rollback(tx);
		goto fail;
	}
	if (store_commit(tx, &e) == 0)
		return;
fail:
	log_warnx("sts: cannot record the last use of role %s: %s", (const char *)arg, e.msg);
}

int sts_assume_role_with_web_identity(struct aws_call *c, struct err *e)
{
	const char *arn = aws_in_str(c, "RoleArn");
	const char *sname = aws_in_str(c, "RoleSessionName");
	const char *token = aws_in_str(c, "WebIdentityToken");
	const char *policy = aws_in_str(c, "Policy");
	int64_t duration = aws_in_int(c, "DurationSeconds", 3600);
	struct provider p = {.client_ids = NULL};
	struct buf jwks = BUF_INIT(0);
	json_t *peek = NULL, *claims = NULL, *creds = NULL;
	char account[13], name[65];
	const char *aud;
	struct span tok;
	struct session s;
	struct sts_role r;
	bool have_session = false;
	int rc;

	if (aws_in_has(c, "ProviderId"))
		return err_set(e, CC_EINVAL, "InvalidParameterValue",
			       "ProviderId names an OAuth 2.0 provider (Login with Amazon,"
			       " Facebook); commitd accepts OpenID Connect ID tokens only:"
			       " leave ProviderId out");
	if (json_array_size(json_object_get(c->in, "PolicyArns")) > 0)
		return err_set(e, CC_EINVAL, "InvalidParameterValue",
			       "PolicyArns is not implemented by this version of commitd;"
			       " give a session policy with Policy");
	if ((rc = sts_check_session_name(sname, e)) < 0 ||
	    (policy && (rc = sts_check_session_policy(policy, e)) < 0))
		return rc;
	if (!sts_role_arn_split(arn, account, name, sizeof(name)))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "%s is invalid: a role ARN is arn:aws:iam::ACCOUNT:role/NAME", arn);
	if (token == NULL || strlen(token) > JWT_MAX)
		return invalid(e, "The WebIdentityToken is missing or longer than 20000 characters");
	/* a token file written with a final newline (echo TOKEN > file) still works */
	tok = span_of(token, strlen(token));
	while (tok.n && strchr(" \t\r\n", tok.p[tok.n - 1]))
		tok.n--;

	/* the token first: nothing about the role is said to an unproven caller */
	if ((rc = jwt_peek(&peek, tok.p, tok.n, e)) < 0 ||
	    (rc = provider_find(&p, c, account,
				json_string_value(json_object_get(peek, "iss")), e)) < 0 ||
	    (rc = sts_jwks(&jwks, c, p.url, e)) < 0 ||
	    (rc = jwt_verify(&claims, tok.p, tok.n, buf_cstr(&jwks), jwks.len, e)) < 0 ||
	    (rc = claims_check(claims, c->now, e)) < 0)
		goto out;
	/* the event goes to the role's account, as the federated user it names */
	snprintf(c->event_account, sizeof(c->event_account), "%s", account);
	json_decref(c->event_identity);
	c->event_identity = json_pack(
		"{s:s, s:s, s:s, s:s}", "type", "WebIdentityUser", "principalId",
		json_string_value(json_object_get(claims, "sub")), "userName",
		json_string_value(json_object_get(claims, "sub")), "identityProvider", p.arn);
	if ((aud = audience(claims, &p)) == NULL) {
		rc = invalid(e, "Incorrect token audience");
		goto out;
	}
	if ((rc = sts_role_load(&r, c, arn, "sts:AssumeRoleWithWebIdentity", e)) < 0 ||
	    (rc = trust_allows(c, &r, &p, claims, aud, sname, e)) < 0)
		goto out;
	if (duration < STS_ROLE_MIN_DURATION || duration > r.max_session) {
		rc = err_set(e, CC_EINVAL, "ValidationError",
			     "The requested DurationSeconds (%lld) must be between %d and the"
			     " role's MaxSessionDuration (%lld).",
			     (long long)duration, STS_ROLE_MIN_DURATION, (long long)r.max_session);
		goto out;
	}

	memset(&s, 0, sizeof(s));
	sts_role_session(&s, &r, sname, c->now, duration);
	have_session = true;
	if (policy)
		snprintf(s.policy, sizeof(s.policy), "%s", policy);
	if ((rc = sts_issue(c, &s, &creds, e)) < 0)
		goto out;
	if ((c->after_arg = arena_strdup(c->ar, r.id)) != NULL)
		c->after_commit = role_used;
	c->out = json_pack("{s:o, s:s, s:{s:s, s:s}, s:s, s:s}", "Credentials", creds,
			   "SubjectFromWebIdentityToken",
			   json_string_value(json_object_get(claims, "sub")), "AssumedRoleUser",
			   "AssumedRoleId", s.who.principal_id, "Arn", s.who.arn, "Provider",
			   json_string_value(json_object_get(claims, "iss")), "Audience", aud);
	if (c->out && policy)
		json_object_set_new(c->out, "PackedPolicySize",
				    json_integer(sts_packed_percent(&s)));
	rc = c->out ? 0 : err_oom(e);
	if (rc == 0)
		log_info("sts: %s (sub %s) assumed %s as %s until %lld", p.arn,
			 json_string_value(json_object_get(claims, "sub")), r.arn, s.who.arn,
			 (long long)s.who.expires);
out:
	if (have_session)
		session_wipe(&s);
	json_decref(peek);
	json_decref(claims);
	json_decref(p.client_ids);
	buf_release(&jwks);
	return rc;
}
