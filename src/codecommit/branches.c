/*
 * branches.c - branches: CreateBranch, GetBranch, ListBranches,
 * DeleteBranch, UpdateDefaultBranch.  Branches are the repository's
 * refs/heads/ references, read and written with libgit2 under git's own
 * ref locks, so the API and pushes see one truth.  The default branch is
 * what HEAD names.
 */
#include <stdlib.h>
#include <string.h>

#include "cc_git.h"

#define BRANCH_PAGE 100 /* names per ListBranches answer */
#define DELETE_TRIES 3  /* a branch that keeps moving while it is deleted */

static json_t *branch_info(const char *name, const git_oid *id)
{
	return json_pack("{s:o, s:o}", "branchName", cc_json_text(name, strlen(name)), "commitId",
			 cc_json_oid(id));
}

int cc_create_branch(struct aws_call *c, struct err *e)
{
	const char *branch = aws_in_str(c, "branchName"), *cid = aws_in_str(c, "commitId");
	git_commit *commit = NULL;
	git_reference *ref = NULL;
	struct cc_git g;
	git_oid id;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 || (rc = cc_check_branch_name(branch, e)) < 0 ||
	    (rc = cc_commit_by_id(&commit, &g, cid, "CommitDoesNotExistException", e)) < 0)
		goto out;
	id = *git_commit_id(commit);
	rc = git_reference_create(&ref, g.r, cc_branch_ref(c, branch), &id, 0,
				  "commitd: CreateBranch");
	if (rc == GIT_EEXISTS || (rc < 0 && cc_ref_in_the_way(&g, cc_branch_ref(c, branch)))) {
		/* the name, or a branch whose name is a folder of it ("a" for "a/b") */
		rc = err_set(e, CC_EEXISTS, "BranchNameExistsException",
			     "Branch '%.100s' cannot be created in repository %s: a branch of that"
			     " name (or one in its way) already exists.", branch, g.repo.name);
		goto out;
	}
	if (rc < 0) {
		rc = cc_git_fail(e, "cannot create the branch");
		goto out;
	}
	gitrepo_fix_head(g.dir); /* a repository whose HEAD names no branch gets this one */
out:
	git_reference_free(ref);
	git_commit_free(commit);
	cc_git_close(&g);
	return rc;
}

int cc_get_branch(struct aws_call *c, struct err *e)
{
	const char *branch = aws_in_str(c, "branchName");
	struct cc_git g;
	git_oid id;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 || (rc = cc_check_branch_name(branch, e)) < 0 ||
	    (rc = cc_branch_tip(&id, &g, c, branch, e)) < 0)
		goto out;
	c->out = json_pack("{s:o}", "branch", branch_info(branch, &id));
	rc = c->out ? 0 : err_oom(e);
out:
	cc_git_close(&g);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the branch names after `after` (NULL: all), sorted; arena strings in a malloc'd array */
static int names_after(const char ***out, size_t *n, struct cc_git *g, struct aws_call *c,
		       const char *after, struct err *e)
{
	git_branch_iterator *it = NULL;
	git_reference *ref = NULL;
	const char **v = NULL, **nv;
	size_t cap = 0;
	git_branch_t type;
	bool oom = false;
	int rc;

	*n = 0;
	if (git_branch_iterator_new(&it, g->r, GIT_BRANCH_LOCAL) < 0)
		return cc_git_fail(e, "cannot list branches");
	while (!oom && (rc = git_branch_next(&ref, &type, it)) == 0) {
		const char *name = git_reference_name(ref) + strlen("refs/heads/");

		if (after == NULL || strcmp(name, after) > 0) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(v, cap * sizeof(*v))) != NULL)
					v = nv;
				else
					oom = true;
			}
			if (!oom && (v[*n] = arena_strdup(c->ar, name)) != NULL)
				(*n)++;
			else
				oom = true;
		}
		git_reference_free(ref);
		ref = NULL;
	}
	git_branch_iterator_free(it);
	if (oom || rc != GIT_ITEROVER) {
		free(v);
		return oom ? err_oom(e) : cc_git_fail(e, "cannot list branches");
	}
	if (*n)
		qsort(v, *n, sizeof(*v), name_cmp);
	*out = v;
	return 0;
}

int cc_list_branches(struct aws_call *c, struct err *e)
{
	const char *after = NULL, **names = NULL;
	struct cc_git g;
	json_t *list;
	size_t i, n = 0;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_token_read(&after, c, 'b', aws_in_str(c, "nextToken"), e)) < 0 ||
	    (rc = names_after(&names, &n, &g, c, after, e)) < 0)
		goto out;
	list = json_array();
	if ((c->out = json_pack("{s:o}", "branches", list)) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	for (i = 0; i < n && i < BRANCH_PAGE; i++)
		if (json_array_append_new(list, cc_json_text(names[i], strlen(names[i]))) < 0) {
			rc = err_oom(e);
			goto out;
		}
	/* the token is the last name given: a branch created meanwhile is not skipped */
	if (n > BRANCH_PAGE &&
	    json_object_set_new(c->out, "nextToken", cc_token_new('b', names[BRANCH_PAGE - 1])) < 0)
		rc = err_oom(e);
out:
	free(names);
	cc_git_close(&g);
	return rc;
}

int cc_delete_branch(struct aws_call *c, struct err *e)
{
	const char *branch = aws_in_str(c, "branchName");
	char def[1100];
	git_reference *ref = NULL;
	struct cc_git g;
	git_oid id;
	int rc, tries;

	if ((rc = cc_git_open(&g, c, e)) < 0 || (rc = cc_check_branch_name(branch, e)) < 0 ||
	    (rc = cc_default_branch(def, sizeof(def), &g, e)) < 0)
		goto out;
	if (strcmp(def, branch) == 0) {
		rc = err_set(e, CC_ECONFLICT, "DefaultBranchCannotBeDeletedException",
			     "Branch '%.100s' is the default branch of repository %s and cannot be"
			     " deleted; make another branch the default first.", branch, g.repo.name);
		goto out;
	}
	for (tries = 0; tries < DELETE_TRIES; tries++) {
		rc = git_reference_lookup(&ref, g.r, cc_branch_ref(c, branch));
		if (rc == GIT_ENOTFOUND) {
			/* as AWS: nothing to delete is no error, and no deletedBranch */
			c->out = json_object();
			rc = c->out ? 0 : err_oom(e);
			goto out;
		}
		if (rc < 0) {
			rc = cc_git_fail(e, "cannot read the branch");
			goto out;
		}
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT)
			git_oid_cpy(&id, git_reference_target(ref));
		else if (git_reference_name_to_id(&id, g.r, git_reference_name(ref)) < 0)
			memset(&id, 0, sizeof(id)); /* a symbolic ref pointing nowhere */
		/* libgit2 deletes only if the branch still points at id */
		rc = git_reference_delete(ref);
		git_reference_free(ref);
		ref = NULL;
		if (rc != GIT_EMODIFIED)
			break;
	}
	if (rc < 0) {
		rc = cc_git_fail(e, "cannot delete the branch");
		goto out;
	}
	c->out = json_pack("{s:o}", "deletedBranch", branch_info(branch, &id));
	rc = c->out ? 0 : err_oom(e);
out:
	git_reference_free(ref);
	cc_git_close(&g);
	return rc;
}

int cc_update_default_branch(struct aws_call *c, struct err *e)
{
	const char *branch = aws_in_str(c, "defaultBranchName");
	git_reference *head = NULL;
	struct cc_git g;
	git_oid id;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 || (rc = cc_check_branch_name(branch, e)) < 0 ||
	    (rc = cc_branch_tip(&id, &g, c, branch, e)) < 0)
		goto out;
	if (git_reference_symbolic_create(&head, g.r, "HEAD", cc_branch_ref(c, branch), 1,
					  "commitd: UpdateDefaultBranch") < 0)
		rc = cc_git_fail(e, "cannot set the default branch");
out:
	git_reference_free(head);
	cc_git_close(&g);
	return rc;
}
