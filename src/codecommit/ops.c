/*
 * ops.c - the CodeCommit API: one row per operation, sorted by name (the
 * dispatcher searches it; tests/unit/codecommit/ops.c checks the order).  A
 * row names the handler, the IAM action it requires and how to build the
 * resource ARN.  An operation of the model with no row here answers
 * "not implemented by this version of commitd" (README lists them).
 */
#include "cc_int.h"

#define W OP_WRITE
#define EACH OP_AUTHZ_EACH

/* UpdateRepositoryName acts on the repository by its old name */
static int res_old_name(struct aws_call *c, const char **out, struct err *e)
{
	const char *name = aws_in_str(c, "oldName");
	int rc;

	if ((rc = cc_check_repo_name(name, e)) < 0)
		return rc;
	*out = cc_repo_arn(c, c->caller->account, name);
	return *out ? 0 : err_oom(e);
}

static const struct aws_oprow rows[] = {
	/* name                           handler                            IAM action                                  resource      flags */
	{"BatchGetRepositories",          cc_batch_get_repositories,         "codecommit:BatchGetRepositories",          NULL,         EACH},
	{"CreateRepository",              cc_create_repository,              "codecommit:CreateRepository",              cc_res_repo,  W},
	{"DeleteRepository",              cc_delete_repository,              "codecommit:DeleteRepository",              cc_res_repo,  W},
	{"GetRepository",                 cc_get_repository,                 "codecommit:GetRepository",                 cc_res_repo,  0},
	{"ListRepositories",              cc_list_repositories,              "codecommit:ListRepositories",              NULL,         0},
	{"ListTagsForResource",           cc_list_tags_for_resource,         "codecommit:ListTagsForResource",           cc_res_arn,   0},
	{"TagResource",                   cc_tag_resource,                   "codecommit:TagResource",                   cc_res_arn,   W},
	{"UntagResource",                 cc_untag_resource,                 "codecommit:UntagResource",                 cc_res_arn,   W},
	{"UpdateRepositoryDescription",   cc_update_repository_description,  "codecommit:UpdateRepositoryDescription",   cc_res_repo,  W},
	{"UpdateRepositoryName",          cc_update_repository_name,         "codecommit:UpdateRepositoryName",          res_old_name, W},
};

const struct aws_optable codecommit_optable = {"codecommit", rows, ARRAY_SIZE(rows), true};
