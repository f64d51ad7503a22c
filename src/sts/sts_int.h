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
/* a session's key id: ASIA, then the account and random bits in Base32 */
int session_key_id(char *out, size_t outsz, const char *account);
/*
 * New temporary credentials for the session s describes (everything but
 * the key id and secret, which this makes): *creds is AWS's Credentials
 * object with the sealed session token.
 */
int sts_issue(struct aws_call *c, struct session *s, json_t **creds, struct err *e);

#endif
