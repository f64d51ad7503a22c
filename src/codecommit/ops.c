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

	if ((rc = cc_check_repo_name(name, e)) < 0 || (rc = cc_repo_policy_load(c, name, e)) < 0)
		return rc;
	*out = cc_repo_arn(c, c->caller->account, name);
	return *out ? 0 : err_oom(e);
}

static const struct aws_oprow rows[] = {
	/* name                           handler                            IAM action                                  resource      flags */
	{"BatchGetCommits",               cc_batch_get_commits,              "codecommit:BatchGetCommits",               cc_res_repo,  0},
	{"BatchGetRepositories",          cc_batch_get_repositories,         "codecommit:BatchGetRepositories",          NULL,         EACH},
	{"CreateBranch",                  cc_create_branch,                  "codecommit:CreateBranch",                  cc_res_branch, W},
	{"CreateCommit",                  cc_create_commit,                  "codecommit:CreateCommit",                  cc_res_branch, W},
	{"CreateRepository",              cc_create_repository,              "codecommit:CreateRepository",              cc_res_repo,  W},
	{"DeleteBranch",                  cc_delete_branch,                  "codecommit:DeleteBranch",                  cc_res_branch, W},
	{"DeleteFile",                    cc_delete_file,                    "codecommit:DeleteFile",                    cc_res_branch, W},
	{"DeleteRepository",              cc_delete_repository,              "codecommit:DeleteRepository",              cc_res_repo,  W},
	{"DeleteRepositoryPolicy",        cc_delete_repository_policy,       "codecommit:DeleteRepositoryPolicy",        cc_res_repo,  W},
	{"GetBlob",                       cc_get_blob,                       "codecommit:GetBlob",                       cc_res_repo,  0},
	{"GetBranch",                     cc_get_branch,                     "codecommit:GetBranch",                     cc_res_repo,  0},
	{"GetCommit",                     cc_get_commit,                     "codecommit:GetCommit",                     cc_res_repo,  0},
	{"GetDifferences",                cc_get_differences,                "codecommit:GetDifferences",                cc_res_repo,  0},
	{"GetFile",                       cc_get_file,                       "codecommit:GetFile",                       cc_res_repo,  0},
	{"GetFolder",                     cc_get_folder,                     "codecommit:GetFolder",                     cc_res_repo,  0},
	{"GetRepository",                 cc_get_repository,                 "codecommit:GetRepository",                 cc_res_repo,  0},
	{"GetRepositoryPolicy",           cc_get_repository_policy,          "codecommit:GetRepositoryPolicy",           cc_res_repo,  0},
	{"ListBranches",                  cc_list_branches,                  "codecommit:ListBranches",                  cc_res_repo,  0},
	{"ListRepositories",              cc_list_repositories,              "codecommit:ListRepositories",              NULL,         0},
	{"ListTagsForResource",           cc_list_tags_for_resource,         "codecommit:ListTagsForResource",           cc_res_arn,   0},
	{"PutFile",                       cc_put_file,                       "codecommit:PutFile",                       cc_res_branch, W},
	{"PutRepositoryPolicy",           cc_put_repository_policy,          "codecommit:PutRepositoryPolicy",           cc_res_repo,  W},
	{"TagResource",                   cc_tag_resource,                   "codecommit:TagResource",                   cc_res_arn,   W},
	{"UntagResource",                 cc_untag_resource,                 "codecommit:UntagResource",                 cc_res_arn,   W},
	{"UpdateDefaultBranch",           cc_update_default_branch,          "codecommit:UpdateDefaultBranch",           cc_res_repo,  W},
	{"UpdateRepositoryDescription",   cc_update_repository_description,  "codecommit:UpdateRepositoryDescription",   cc_res_repo,  W},
	{"UpdateRepositoryName",          cc_update_repository_name,         "codecommit:UpdateRepositoryName",          res_old_name, W},
};

const struct aws_optable codecommit_optable = {"codecommit", rows, ARRAY_SIZE(rows), true};
