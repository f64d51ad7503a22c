/*
 * refs.c - branches and commits by name: opening a repository for the Git
 * side of the API, branch-name and commit-id checks with CodeCommit's
 * exceptions, branch tips, commit specifiers (resolved by libgit2's own
 * shorthand rules, never by revision expressions), and the resource builder
 * that hands codecommit:References to authorization.  Contract: cc_git.h.
 */
#include <stdio.h>
#include <string.h>

#include "cc_git.h"

int cc_git_fail(struct err *e, const char *what)
{
	/* libgit2's reason may name paths of the data directory: the log has it, the client not */
	log_warnx("codecommit: %s: %s", what, gitrepo_errmsg());
	return err_set(e, CC_ERROR, NULL, "%s", what);
}

int cc_git_open(struct cc_git *g, struct aws_call *c, struct err *e)
{
	int rc;

	g->r = NULL;
	g->dir = NULL;
	if ((rc = cc_repo_find(&g->repo, c, aws_in_str(c, "repositoryName"), e)) < 0)
		return rc;
	if ((g->dir = cc_repo_dir(c, &g->repo)) == NULL)
		return err_oom(e);
	if (git_repository_open_bare(&g->r, g->dir) < 0)
		return cc_git_fail(e, "cannot open the repository");
	return 0;
}

void cc_git_close(struct cc_git *g)
{
	git_repository_free(g->r);
	g->r = NULL;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

bool cc_oid_parse(git_oid *out, const char *s)
{
	return s && strlen(s) == GIT_OID_HEXSZ && all_hex(s, GIT_OID_HEXSZ) &&
	       git_oid_fromstrn(out, s, GIT_OID_HEXSZ) == 0;
}

int cc_commit_by_id(git_commit **out, struct cc_git *g, const char *cid,
		    const char *missing_code, struct err *e)
{
	git_oid id;
	int rc;

	*out = NULL;
	if (cid == NULL || cid[0] == '\0')
		return err_set(e, CC_EINVAL, "CommitIdRequiredException",
			       "A commit ID is required, but was not specified.");
	if (!cc_oid_parse(&id, cid))
		return err_set(e, CC_EINVAL, "InvalidCommitIdException",
			       "The commit ID '%.100s' is not valid: a full commit ID is 40"
			       " hexadecimal characters.", cid);
	if ((rc = git_commit_lookup(out, g->r, &id)) == GIT_ENOTFOUND)
		return err_set(e, CC_ENOTFOUND, missing_code,
			       "Commit %s does not exist in repository %s.", cid, g->repo.name);
	if (rc < 0)
		return cc_git_fail(e, "cannot read the commit");
	return 0;
}

int cc_check_branch_name(const char *name, struct err *e)
{
	char ref[CC_BRANCH_NAME_MAX * 4 + 16];
	const char *why = NULL;
	int valid = 0;

	if (name == NULL || name[0] == '\0')
		return err_set(e, CC_EINVAL, "BranchNameRequiredException",
			       "A branch name is required, but was not specified.");
	if (utf8_chars(name) > CC_BRANCH_NAME_MAX)
		why = "it has more than 256 characters";
	else if (strlen(name) == GIT_OID_HEXSZ && all_hex(name, GIT_OID_HEXSZ))
		why = "a branch name cannot be exactly 40 hexadecimal characters";
	else if (strcmp(name, "@") == 0 || strcmp(name, "HEAD") == 0)
		why = "it is reserved";
	else if ((size_t)snprintf(ref, sizeof(ref), "refs/heads/%s", name) >= sizeof(ref) ||
		 git_reference_name_is_valid(&valid, ref) < 0 || !valid)
		why = "branch names follow git check-ref-format: no spaces, no ? ^ * [ \\ ~ :,"
		      " no '..', '//' or '@{', and no '/' or '.' at either end";
	if (why)
		return err_set(e, CC_EINVAL, "InvalidBranchNameException",
			       "The branch name '%.100s' is not valid: %s.", name, why);
	return 0;
}

const char *cc_branch_ref(struct aws_call *c, const char *name)
{
	return arena_printf(c->ar, "refs/heads/%s", name);
}

int cc_branch_tip(git_oid *out, struct cc_git *g, struct aws_call *c, const char *branch,
		  struct err *e)
{
	const char *ref = cc_branch_ref(c, branch);
	int rc;

	if (ref == NULL)
		return err_oom(e);
	rc = git_reference_name_to_id(out, g->r, ref);
	if (rc == GIT_ENOTFOUND)
		return err_set(e, CC_ENOTFOUND, "BranchDoesNotExistException",
			       "Branch '%.100s' does not exist in repository %s.", branch,
			       g->repo.name);
	return rc < 0 ? cc_git_fail(e, "cannot read branch") : 0;
}

bool cc_ref_in_the_way(struct cc_git *g, const char *ref)
{
	char prefix[CC_BRANCH_NAME_MAX * 4 + 16];
	const char *slash, *name;
	git_reference_iterator *it = NULL;
	git_reference *r = NULL;
	bool found = false;

	/* refs/heads/a is a file where refs/heads/a/b needs a folder */
	for (slash = strchr(ref + strlen("refs/heads/"), '/'); slash && !found;
	     slash = strchr(slash + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(slash - ref), ref);
		found = git_reference_lookup(&r, g->r, prefix) == 0;
		git_reference_free(r);
		r = NULL;
	}
	/* and refs/heads/a/b is in a folder where refs/heads/a would be a file */
	if (!found && (size_t)snprintf(prefix, sizeof(prefix), "%s/*", ref) < sizeof(prefix) &&
	    git_reference_iterator_glob_new(&it, g->r, prefix) == 0)
		found = git_reference_next_name(&name, it) == 0;
	git_reference_iterator_free(it);
	return found;
}

int cc_default_branch(char *out, size_t outsz, struct cc_git *g, struct err *e)
{
	return gitrepo_default_branch(out, outsz, g->dir, e);
}

int cc_has_branches(bool *out, struct cc_git *g, struct err *e)
{
	git_branch_iterator *it = NULL;
	git_reference *ref = NULL;
	git_branch_t type;
	int rc;

	if (git_branch_iterator_new(&it, g->r, GIT_BRANCH_LOCAL) < 0)
		return cc_git_fail(e, "cannot list branches");
	rc = git_branch_next(&ref, &type, it);
	git_reference_free(ref);
	git_branch_iterator_free(it);
	if (rc < 0 && rc != GIT_ITEROVER)
		return cc_git_fail(e, "cannot list branches");
	*out = rc == 0;
	return 0;
}

int cc_commit_resolve(git_commit **out, struct cc_git *g, const char *spec, struct err *e)
{
	git_reference *ref = NULL;
	git_object *obj = NULL;
	git_oid id;
	size_t i, n;
	int rc;

	*out = NULL;
	if (spec && cc_oid_parse(&id, spec)) {
		rc = git_commit_lookup(out, g->r, &id);
		if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
			return err_set(e, CC_ENOTFOUND, "CommitDoesNotExistException",
				       "Commit %s does not exist in repository %s.", spec,
				       g->repo.name);
		return rc < 0 ? cc_git_fail(e, "cannot read commit") : 0;
	}
	n = spec ? strlen(spec) : 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)spec[i] < 0x20 || spec[i] == 0x7f)
			break;
	if (spec && (n == 0 || n > 1024 || i < n))
		return err_set(e, CC_EINVAL, "InvalidCommitException",
			       "The commit specifier '%.100s' is not valid: give a full commit ID, a"
			       " branch, a tag or a reference such as refs/heads/main.", spec);
	/* libgit2's shorthand rules: NAME, refs/NAME, refs/tags/NAME, refs/heads/NAME, ... */
	rc = git_reference_dwim(&ref, g->r, spec ? spec : "HEAD");
	if (rc == GIT_ENOTFOUND && spec == NULL)
		return err_set(e, CC_ENOTFOUND, "CommitDoesNotExistException",
			       "No commit was specified, and repository %s has no default branch.",
			       g->repo.name);
	if (rc == GIT_ENOTFOUND)
		return err_set(e, CC_ENOTFOUND, "CommitDoesNotExistException",
			       "The commit specifier '%.100s' names no branch, tag or reference of"
			       " repository %s.", spec, g->repo.name);
	if (rc == GIT_EINVALIDSPEC)
		return err_set(e, CC_EINVAL, "InvalidCommitException",
			       "The commit specifier '%.100s' is not valid: give a full commit ID, a"
			       " branch, a tag or a reference such as refs/heads/main.", spec);
	if (rc < 0)
		return cc_git_fail(e, "cannot resolve the commit specifier");
	rc = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT);
	git_reference_free(ref);
	if (rc < 0)
		return err_set(e, CC_EINVAL, "InvalidCommitException",
			       "The commit specifier '%.100s' does not name a commit.",
			       spec ? spec : "HEAD");
	*out = (git_commit *)obj; /* peeled to GIT_OBJECT_COMMIT */
	return 0;
}

/*
 * The resource builder of the operations that change one branch: the
 * repository, and codecommit:References = refs/heads/BRANCH so that
 * branch-protection policies (Deny PutFile on refs/heads/main) apply.
 */
int cc_res_branch(struct aws_call *c, const char **out, struct err *e)
{
	const char *branch = aws_in_str(c, "branchName");
	struct policy_key *key;
	const char **values;
	int rc;

	if ((rc = cc_res_repo(c, out, e)) < 0 || (rc = cc_check_branch_name(branch, e)) < 0)
		return rc;
	key = arena_alloc(c->ar, sizeof(*key));
	values = arena_alloc(c->ar, sizeof(*values));
	if (key == NULL || values == NULL || (values[0] = cc_branch_ref(c, branch)) == NULL)
		return err_oom(e);
	key->name = "codecommit:References";
	key->values.v = values;
	key->values.n = 1;
	c->keys = key;
	c->nkeys = 1;
	return 0;
}
