/*
 * session.c - GetCallerIdentity and GetSessionToken.  Neither needs a
 * permission (as in AWS); GetSessionToken refuses session credentials, so a
 * session cannot extend itself.  With an MFA device's serial number and a
 * code, the session carries aws:MultiFactorAuthPresent and
 * aws:MultiFactorAuthAge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_int.h"

#define STS_DEFAULT_DURATION 43200
#define STS_MIN_DURATION 900
#define STS_MAX_DURATION 129600
#define STS_ROOT_MAX_DURATION 3600

int sts_get_caller_identity(struct aws_call *c, struct err *e)
{
	const struct principal *p = c->caller;

	c->out = json_pack("{s:s, s:s, s:s}", "UserId", p->principal_id, "Account", p->account,
			   "Arn", p->arn);
	return c->out ? 0 : err_oom(e);
}

int sts_get_session_token(struct aws_call *c, struct err *e)
{
	int64_t duration = aws_in_int(c, "DurationSeconds", STS_DEFAULT_DURATION);
	int64_t max = c->caller->kind == PRINCIPAL_ROOT ? STS_ROOT_MAX_DURATION : STS_MAX_DURATION;
	json_t *creds = NULL;
	struct session s;
	bool mfa = false;
	int rc;

	if (c->session)
		return err_set(e, CC_EDENIED, "AccessDenied",
			       "Cannot call GetSessionToken with session credentials");
	if (aws_in_has(c, "SerialNumber") || aws_in_has(c, "TokenCode")) {
		const char *serial = aws_in_str(c, "SerialNumber");
		const char *code = aws_in_str(c, "TokenCode");

		if (serial == NULL || code == NULL)
			return err_set(e, CC_EINVAL, "ValidationError",
				       "SerialNumber and TokenCode go together: give both or neither");
		if (!totp_code_ok(code))
			return err_set(e, CC_EINVAL, "ValidationError",
				       "1 validation error detected: Value at 'tokenCode' failed to"
				       " satisfy constraint: Member must be 6 digits");
		/* the device must be the caller's own: a user's, or the root user's */
		rc = mfa_check(c->tx, c->env->sealer, serial,
			       c->caller->kind == PRINCIPAL_ROOT ? c->caller->account
								 : c->caller->user_id,
			       code, c->now, e);
		if (rc < 0)
			return rc;
		mfa = true;
	}
	if (duration < STS_MIN_DURATION || duration > max)
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value '%lld' at 'durationSeconds' failed"
			       " to satisfy constraint: Member must have value between %d and %lld",
			       (long long)duration, STS_MIN_DURATION, (long long)max);
	if (duration > max)
		duration = max;
	memset(&s, 0, sizeof(s));
	s.who = *c->caller;
	s.who.temporary = true;
	s.who.mfa = mfa;
	s.who.mfa_time = mfa ? c->now : 0;
	s.who.token_issued = c->now;
	s.who.expires = c->now + duration;
	snprintf(s.source_key, sizeof(s.source_key), "%s", c->caller->access_key_id);
	if ((rc = sts_issue(c, &s, &creds, e)) == 0) {
		c->out = json_pack("{s:o}", "Credentials", creds);
		rc = c->out ? 0 : err_oom(e);
	}
	session_wipe(&s);
	return rc;
}

int sts_issue(struct aws_call *c, struct session *s, json_t **creds, struct err *e)
{
	struct buf token = BUF_INIT(0);
	int rc;

	if (session_key_id(s->who.access_key_id, sizeof(s->who.access_key_id), s->who.account) < 0 ||
	    secret_text_new(s->secret, sizeof(s->secret), 40) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	if ((rc = session_token_make(&token, c->env->sealer, s, e)) == 0 &&
	    token.len > SIGV4_TOKEN_MAX)
		/* it must fit X-Amz-Security-Token: policies and tags share the room */
		rc = err_set(e, CC_ELIMIT, "PackedPolicyTooLarge",
			     "The session policies and tags together are too large: the session"
			     " token would exceed %d characters",
			     SIGV4_TOKEN_MAX);
	if (rc == 0) {
		*creds = json_pack("{s:s, s:s, s:s, s:o}", "AccessKeyId", s->who.access_key_id,
				   "SecretAccessKey", s->secret, "SessionToken", token.ptr,
				   "Expiration", aws_time(s->who.expires));
		rc = *creds ? 0 : err_oom(e);
	}
	if (token.ptr)
		mem_wipe(token.ptr, token.len);
	buf_release(&token);
	return rc;
}

/*
 * ASIA + 16 Base32 characters: the account in the first 40 bits (as AWS's
 * key ids carry theirs, so GetAccessKeyInfo can answer without state),
 * then 40 random bits.
 */
int session_key_id(char *out, size_t outsz, const char *account)
{
	unsigned char raw[10];
	uint64_t acct = 0;
	int i;

	if (outsz < 21 || parse_u64(account, strlen(account), 0, 999999999999ULL, &acct) < 0 ||
	    rand_bytes(raw + 5, 5) < 0)
		return -1;
	for (i = 4; i >= 0; i--) {
		raw[i] = (unsigned char)(acct & 0xff);
		acct >>= 8;
	}
	memcpy(out, "ASIA", 4);
	b32_encode(out + 4, outsz - 4, raw, sizeof(raw));
	return 0;
}

/* the account of a session key id made by session_key_id, or -1 */
static int session_key_account(char out[13], const char *id)
{
	unsigned char raw[10];
	uint64_t acct = 0;
	int i;

	if (strlen(id) != 20 || strncmp(id, "ASIA", 4) != 0 || b32_decode(raw, sizeof(raw), id + 4, 16) != 10)
		return -1;
	for (i = 0; i < 5; i++)
		acct = acct << 8 | raw[i];
	if (acct > 999999999999ULL)
		return -1;
	snprintf(out, 13, "%012llu", (unsigned long long)acct);
	return 0;
}

int sts_get_access_key_info(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "AccessKeyId");
	char account[13] = "";
	struct store_stmt *q = NULL;
	int rc = 0;

	if (strncmp(id, "ASIA", 4) == 0) {
		if (session_key_account(account, id) < 0)
			account[0] = '\0';
	} else {
		rc = store_query(&q, c->tx, e, "SELECT account FROM access_keys WHERE id = $1", "s",
				 id);
		if (rc == 0 && (rc = store_step(q, e)) == 1) {
			snprintf(account, sizeof(account), "%s", store_col_text(q, 0));
			rc = 0;
		}
		store_stmt_free(q);
		if (rc < 0)
			return rc;
	}
	if (account[0] == '\0')
		return err_set(e, CC_EINVAL, "InvalidParameterValue",
			       "The access key ID %.128s does not exist.", id);
	c->out = json_pack("{s:s}", "Account", account);
	return c->out ? 0 : err_oom(e);
}

/* the explanation behind an AccessDenied of this account (aws/denials.c) */
int sts_decode_authorization_message(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "EncodedMessage");
	char *msg = c->env->denials ? denials_get(c->env->denials, c->caller->account, id) : NULL;

	if (msg == NULL)
		return err_set(e, CC_EINVAL, "InvalidAuthorizationMessageException",
			       "The message is not one this server issued to this account, or it"
			       " has been forgotten: commitd keeps the last %d refusals until it"
			       " restarts",
			       DENIALS_KEPT);
	c->out = json_pack("{s:s}", "DecodedMessage", msg);
	free(msg);
	return c->out ? 0 : err_oom(e);
}
