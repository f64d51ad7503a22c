/*
 * cc_int.h - private to src/codecommit: the handlers, the resource builders
 * the operation table names, and what the handlers share (repository
 * lookups, metadata, the checks that answer with CodeCommit's own
 * exceptions).
 */
#ifndef CC_INT_H
#define CC_INT_H

#include "aws/aws.h"
#include "git/git.h"
#include "codecommit.h"

/* CodeCommit's quotas that commitd enforces */
#define CC_MAX_REPOS 5000            /* per account */
#define CC_MAX_DESCRIPTION 1000      /* characters */
#define CC_MAX_TAGS 50
#define CC_LIST_PAGE 1000            /* ListRepositories */

struct cc_repo {
	char id[37];
	char account[13];
	char name[GIT_REPO_NAME_MAX + 1];
	char *description;          /* arena; NULL when none */
	char *policy;               /* arena; NULL when none */
	int64_t created, modified;
	char arn[256];
};

/* ---- repositories (repo_util.c) ------------------------------------------------ */

/* RepositoryNameRequiredException / InvalidRepositoryNameException */
int cc_check_repo_name(const char *name, struct err *e);
/* finds name in the caller's account: RepositoryDoesNotExistException */
int cc_repo_find(struct cc_repo *out, struct aws_call *c, const char *name, struct err *e);
/* the on-disk directory (arena memory) */
const char *cc_repo_dir(struct aws_call *c, const struct cc_repo *r);
/* repositoryMetadata */
json_t *cc_repo_json(struct aws_call *c, const struct cc_repo *r);
/* arn:aws:codecommit:REGION:ACCOUNT:NAME (arena memory) */
const char *cc_repo_arn(struct aws_call *c, const char *account, const char *name);

/* ---- resource builders (repo_util.c) --------------------------------------------- */

/* the repository named by the input's repositoryName */
int cc_res_repo(struct aws_call *c, const char **out, struct err *e);
/* the repository named by the input's resourceArn (tagging) */
int cc_res_arn(struct aws_call *c, const char **out, struct err *e);
/* sets c->resource_policy from the named repository's policy, if any */
int cc_repo_policy_load(struct aws_call *c, const char *name, struct err *e);

/* ---- tags (tags.c) ------------------------------------------------------------------ */

/* checks a tags map: InvalidTagsMapException, TooManyTagsException, ... */
int cc_check_tags(json_t *tags, struct err *e);
int cc_tags_put(struct aws_call *c, const char *repo_id, json_t *tags, struct err *e);

/* ---- handlers ------------------------------------------------------------------------ */

#define H(name) int cc_##name(struct aws_call *c, struct err *e)
/* repos.c */
H(create_repository); H(get_repository); H(batch_get_repositories); H(list_repositories);
H(delete_repository); H(update_repository_name); H(update_repository_description);
/* tags.c */
H(tag_resource); H(untag_resource); H(list_tags_for_resource);
/* repo_policy.c */
H(put_repository_policy); H(get_repository_policy); H(delete_repository_policy);
/*
 * Branches, commits and files, done with libgit2 (their shared helpers: cc_git.h).
 * branches.c */
H(create_branch); H(get_branch); H(list_branches); H(delete_branch); H(update_default_branch);
/* commits.c */
H(get_commit); H(batch_get_commits); H(get_differences);
/* files.c */
H(get_blob); H(get_file); H(get_folder); H(put_file); H(delete_file); H(create_commit);
/* refs.c: the resource builder of the operations that change one branch (branchName):
 * the repository, with codecommit:References = refs/heads/BRANCH in c->keys */
int cc_res_branch(struct aws_call *c, const char **out, struct err *e);
#undef H

#endif
