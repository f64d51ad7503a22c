/*
 * ops.c - the STS API: one row per operation, sorted by name.
 *
 * GetCallerIdentity and GetSessionToken need no permission, as in AWS.
 * AssumeRole authorizes itself (OP_AUTHZ_EACH): the role's trust policy
 * takes part in the decision, which the dispatcher's check cannot know.
 * AssumeRoleWithWebIdentity is called unsigned: the ID token is the
 * credential, and the trust policy alone decides (webid.c).
 * The writers: an MFA code, once accepted, is recorded so that it is never
 * accepted again (and AssumeRole records the role's last use).
 */
#include "sts_int.h"

static const struct aws_oprow rows[] = {
	/* name               handler                  IAM action               resource  flags */
	{"AssumeRole",        sts_assume_role,         "sts:AssumeRole",        NULL,     OP_AUTHZ_EACH | OP_WRITE},
	{"AssumeRoleWithWebIdentity", sts_assume_role_with_web_identity, "sts:AssumeRoleWithWebIdentity", NULL, OP_NO_AUTH},
	{"DecodeAuthorizationMessage", sts_decode_authorization_message, "sts:DecodeAuthorizationMessage", NULL, 0},
	{"GetAccessKeyInfo",  sts_get_access_key_info, "sts:GetAccessKeyInfo",  NULL,     0},
	{"GetCallerIdentity", sts_get_caller_identity, "sts:GetCallerIdentity", NULL,     OP_NO_AUTHZ},
	{"GetSessionToken",   sts_get_session_token,   "sts:GetSessionToken",   NULL,     OP_NO_AUTHZ | OP_WRITE},
};

const struct aws_optable sts_optable = {"sts", rows, ARRAY_SIZE(rows), false};
