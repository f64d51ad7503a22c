/*
 * iam.h - the contract of src/iam: the IAM API (query protocol, 2010-05-08)
 * as one operation table, and the bootstrap that `commitd init` uses to make
 * an account, its administrator and the built-in AWS managed policies.
 */
#ifndef IAM_IAM_H
#define IAM_IAM_H

#include "core/core.h"
#include "store/store.h"
#include "auth/auth.h"
#include "aws/aws.h"

extern const struct aws_optable iam_optable;

/* Inserts or refreshes the AWS managed policies shipped with commitd. */
int iam_managed_sync(struct store *st, struct err *e);

struct iam_bootstrap {
	char account[13];          /* out: the new account id */
	char user_name[65];        /* in: the administrator's name */
	char user_arn[700];        /* out */
	char access_key_id[32];    /* out */
	char secret_key[64];       /* out: shown once */
};

/* A new account with its root user, an administrator with AdministratorAccess
 * and an access key for it.  b->account may be preset to a 12-digit id. */
int iam_bootstrap_account(struct iam_bootstrap *b, struct store *st, const struct sealer *sl,
			  struct err *e);

#endif
