/*
 * sts_int.h - private to src/sts: the handlers the operation table names.
 */
#ifndef STS_INT_H
#define STS_INT_H

#include "sts.h"
#include "auth/auth.h"

int sts_get_caller_identity(struct aws_call *c, struct err *e);
int sts_get_session_token(struct aws_call *c, struct err *e);
int sts_assume_role(struct aws_call *c, struct err *e);
int sts_get_access_key_info(struct aws_call *c, struct err *e);
int sts_decode_authorization_message(struct aws_call *c, struct err *e);
int sts_assume_role_with_web_identity(struct aws_call *c, struct err *e);

#define STS_ROLE_MIN_DURATION 900

/* the JWKS of the OIDC provider https://URL into out (jwks.c); IDPCommunicationError if none */
int sts_jwks(struct buf *out, struct aws_call *c, const char *url, struct err *e);

/* a role as assuming it needs it */
struct sts_role {
	char id[32];
	char name[65];
	char path[520];
	char account[13];
	char arn[700];
	char *trust;      /* the trust policy, in the call's arena */
	int64_t max_session;
};

/* "arn:aws:iam::ACCOUNT:role/PATH/NAME": the account and the name, or false */
bool sts_role_arn_split(const char *arn, char account[13], char *name, size_t namesz);
/*
 * The role arn names (path included, name case-insensitive).  A role that
 * does not exist is AccessDenied for action, like one whose trust policy
 * refuses, so role names cannot be probed; a malformed ARN is ValidationError.
 */
int sts_role_load(struct sts_role *r, struct aws_call *c, const char *arn, const char *action,
		  struct err *e);
/*
 * AssumeRole's PolicyArns (managed policies of account or AWS's, at most
 * 10), Tags (session tags, at most 50), TransitiveTagKeys and
 * SourceIdentity into s, with what a calling role session passes on: its
 * source identity, which cannot change, and its transitive tags, which
 * cannot be overridden.
 */
int sts_session_extras(struct aws_call *c, struct session *s, const char *account,
		       struct err *e);
/* sts:TagSession and sts:SetSourceIdentity on role_arn, when s has tags or a
 * source identity from this call (c is set up as for sts:AssumeRole) */
int sts_authorize_extras(struct aws_call *c, const struct session *s, const char *role_arn,
			 struct err *e);
/* how full the packed policies and tags are, in percent, as AWS reports it */
json_int_t sts_packed_percent(const struct session *s);
/* s->who and s->role_arn: a session of role r named sname, from now for
 * duration seconds, without MFA (the rest of s is left as it is) */
void sts_role_session(struct session *s, const struct sts_role *r, const char *sname,
		      int64_t now, int64_t duration);
/* the session name rule of every AssumeRole*: [\w+=,.@-], 2 to 64 */
int sts_check_session_name(const char *name, struct err *e);
/* a Policy parameter: at most SESSION_POLICY_MAX, and a valid identity policy */
int sts_check_session_policy(const char *policy, struct err *e);
/* a session's key id: ASIA, then the account and random bits in Base32 */
int session_key_id(char *out, size_t outsz, const char *account);
/*
 * New temporary credentials for the session s describes (everything but
 * the key id and secret, which this makes): *creds is AWS's Credentials
 * object with the sealed session token.
 */
int sts_issue(struct aws_call *c, struct session *s, json_t **creds, struct err *e);

#endif
