/*
 * commit_write.c - the commits PutFile, DeleteFile and CreateCommit write:
 * who they are by (the input's name and email, or the caller, as AWS
 * defaults them), CodeCommit's parentCommitId rules, and moving the branch
 * by compare-and-swap so that a concurrent push or API call is never
 * overwritten.  The tree itself comes from tree_edit.c.  Contract: cc_git.h.
 */
#include <stdio.h>
#include <string.h>

#include "cc_git.h"

#define REFLOG_MSG "commitd: commit by the CodeCommit API"

/*
 * As git's ident code does: '<', '>' and control characters would break the
 * "name <email> time zone" line of a commit, so they are dropped, and the
 * ends are trimmed.
 */
static char *name_clean(struct aws_call *c, const char *in)
{
	size_t i, n = strlen(in), k = 0;
	char *out = arena_alloc(c->ar, n + 1);

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch != '<' && ch != '>' && ch >= 0x20 && ch != 0x7f)
			out[k++] = in[i];
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	for (i = 0; out[i] == ' '; i++)
		;
	return out + i;
}

int cc_author_get(struct cc_author *out, struct aws_call *c, const char *name_member,
		  struct err *e)
{
	const char *name = aws_in_str(c, name_member), *email = aws_in_str(c, "email");
	const char *user = aws_caller_user(c);
	size_t i;

	out->name = NULL;
	out->email = "";
	if (name && utf8_chars(name) > CC_AUTHOR_NAME_MAX)
		return err_set(e, CC_EINVAL, "NameLengthExceededException",
			       "The author name is not valid: it has more than %d characters.",
			       CC_AUTHOR_NAME_MAX);
	if (name && (out->name = name_clean(c, name)) == NULL)
		return err_oom(e);
	if (out->name == NULL || out->name[0] == '\0')
		/* AWS: the IAM user's name; root and sessions have only an ARN */
		out->name = user && user[0] ? user : c->caller->arn;
	if (email == NULL)
		return 0; /* AWS leaves the email blank */
	if (strlen(email) > CC_EMAIL_MAX)
		return err_set(e, CC_EINVAL, "InvalidEmailException",
			       "The email address is not valid: it is longer than %d bytes.",
			       CC_EMAIL_MAX);
	for (i = 0; email[i]; i++) {
		unsigned char ch = (unsigned char)email[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>')
			return err_set(e, CC_EINVAL, "InvalidEmailException",
				       "The email address '%.100s' is not valid: it may not contain"
				       " spaces, control characters, '<' or '>'.", email);
	}
	out->email = email;
	return 0;
}

int cc_message_get(const char **out, struct aws_call *c, struct err *e)
{
	const char *m = aws_in_str(c, "commitMessage");

	*out = m && m[0] ? m : NULL;
	if (m && strlen(m) > CC_MESSAGE_MAX)
		return err_set(e, CC_EINVAL, "CommitMessageLengthExceededException",
			       "The commit message is too long: it is limited to 256 KB.");
	return 0;
}

void cc_target_release(struct cc_target *t)
{
	git_tree_free(t->base);
	git_commit_free(t->parent);
	t->base = NULL;
	t->parent = NULL;
}

static int parent_get(git_commit **out, struct cc_git *g, const char *parent_id, struct err *e)
{
	git_oid id;
	int rc;

	if (!cc_oid_parse(&id, parent_id))
		return err_set(e, CC_EINVAL, "InvalidParentCommitIdException",
			       "The parent commit ID '%.100s' is not valid: a full commit ID is 40"
			       " hexadecimal characters.", parent_id);
	rc = git_commit_lookup(out, g->r, &id);
	if (rc == GIT_ENOTFOUND)
		return err_set(e, CC_ENOTFOUND, "ParentCommitDoesNotExistException",
			       "The parent commit ID %s does not exist in repository %s.",
			       parent_id, g->repo.name);
	return rc < 0 ? cc_git_fail(e, "cannot read the parent commit") : 0;
}

/* the branch is missing: a tag of that name, a new branch from the parent, or a first commit */
static int target_new_branch(struct cc_target *t, struct cc_git *g, struct aws_call *c,
			     bool parent_given, struct err *e)
{
	const char *tag = arena_printf(c->ar, "refs/tags/%s", t->branch);
	git_reference *ref = NULL;
	bool any = false;
	int rc;

	if (tag == NULL)
		return err_oom(e);
	rc = git_reference_lookup(&ref, g->r, tag);
	git_reference_free(ref);
	if (rc == 0)
		return err_set(e, CC_EINVAL, "BranchNameIsTagNameException",
			       "'%.100s' is the name of a tag in repository %s, not of a branch.",
			       t->branch, g->repo.name);
	if (rc != GIT_ENOTFOUND)
		return cc_git_fail(e, "cannot read tags");
	if (parent_given)
		return 0;
	if ((rc = cc_has_branches(&any, g, e)) < 0)
		return rc;
	if (any)
		return err_set(e, CC_EINVAL, "ParentCommitIdRequiredException",
			       "A parent commit ID is required: branch '%.100s' does not exist in"
			       " repository %s, and a new branch starts from the parent commit"
			       " given.", t->branch, g->repo.name);
	return 0; /* an empty repository: the first commit */
}

int cc_target_get(struct cc_target *t, struct cc_git *g, struct aws_call *c, const char *branch,
		  const char *parent_id, bool must_exist, struct err *e)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	memset(t, 0, sizeof(*t));
	t->branch = branch;
	if ((rc = cc_check_branch_name(branch, e)) < 0)
		return rc;
	if ((t->ref = cc_branch_ref(c, branch)) == NULL)
		return err_oom(e);
	if (parent_id && (rc = parent_get(&t->parent, g, parent_id, e)) < 0)
		return rc;
	rc = git_reference_name_to_id(&t->tip, g->r, t->ref);
	if (rc < 0 && rc != GIT_ENOTFOUND)
		return cc_git_fail(e, "cannot read the branch");
	t->exists = rc == 0;
	if (!t->exists && must_exist)
		return err_set(e, CC_ENOTFOUND, "BranchDoesNotExistException",
			       "Branch '%.100s' does not exist in repository %s.", branch,
			       g->repo.name);
	if (!t->exists && (rc = target_new_branch(t, g, c, parent_id != NULL, e)) < 0)
		return rc;
	git_oid_tostr(hex, sizeof(hex), &t->tip);
	if (t->exists && parent_id == NULL)
		return err_set(e, CC_EINVAL, "ParentCommitIdRequiredException",
			       "A parent commit ID is required: the tip of branch '%.100s' is %s"
			       " (GetBranch shows it).", branch, hex);
	if (t->exists && !git_oid_equal(&t->tip, git_commit_id(t->parent)))
		return err_set(e, CC_ECONFLICT, "ParentCommitIdOutdatedException",
			       "The parent commit ID %s is not the tip of branch '%.100s', which is"
			       " now %s.", parent_id, branch, hex);
	if (t->parent && git_commit_tree(&t->base, t->parent) < 0)
		return cc_git_fail(e, "cannot read the parent's tree");
	return 0;
}

static int signature_new(git_signature **out, struct aws_call *c, const struct cc_author *a,
			 struct err *e)
{
	const char *line;

	if (a->email[0]) {
		if (git_signature_new(out, a->name, a->email, (git_time_t)c->now, 0) < 0)
			return cc_git_fail(e, "cannot make the signature");
		return 0;
	}
	/* git_signature_new refuses an empty email; AWS leaves it blank and Git allows it */
	line = arena_printf(c->ar, "%s <> %lld +0000", a->name, (long long)c->now);
	if (line == NULL)
		return err_oom(e);
	if (git_signature_from_buffer(out, line) < 0)
		return cc_git_fail(e, "cannot make the signature");
	return 0;
}

/* Moves t's branch to id if it is still where t found it. */
static int ref_swap(struct cc_git *g, struct cc_target *t, const git_oid *id, struct err *e)
{
	git_reference *ref = NULL;
	int rc;

	if (t->exists)
		rc = git_reference_create_matching(&ref, g->r, t->ref, id, 1, &t->tip, REFLOG_MSG);
	else
		rc = git_reference_create(&ref, g->r, t->ref, id, 0, REFLOG_MSG);
	git_reference_free(ref);
	if (rc < 0 && !t->exists && rc != GIT_EEXISTS && cc_ref_in_the_way(g, t->ref))
		return err_set(e, CC_EINVAL, "InvalidBranchNameException",
			       "Branch '%.100s' cannot be created in repository %s: another branch"
			       " is in its way ('a' and 'a/b' cannot both be branches).", t->branch,
			       g->repo.name);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ENOTFOUND || rc == GIT_ELOCKED)
		return err_set(e, CC_ECONFLICT, "ParentCommitIdOutdatedException",
			       "Branch '%.100s' of repository %s changed while the commit was made;"
			       " get its tip (GetBranch) and try again.", t->branch, g->repo.name);
	if (rc < 0)
		return cc_git_fail(e, "cannot update the branch");
	if (!t->exists)
		gitrepo_fix_head(g->dir); /* the first branch of a repository is its default */
	return 0;
}

int cc_commit_write(git_oid *out, struct cc_git *g, struct aws_call *c, struct cc_target *t,
		    const git_oid *tree_id, const struct cc_author *a, const char *message,
		    struct err *e)
{
	const git_commit *parents[1];
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	int rc;

	parents[0] = t->parent;
	if ((rc = signature_new(&sig, c, a, e)) < 0)
		goto out;
	if (git_tree_lookup(&tree, g->r, tree_id) < 0) {
		rc = cc_git_fail(e, "cannot read the new tree");
		goto out;
	}
	if (git_commit_create(out, g->r, NULL, sig, sig, NULL, message, tree, t->parent ? 1 : 0,
			      parents) < 0) {
		rc = cc_git_fail(e, "cannot write the commit");
		goto out;
	}
	rc = ref_swap(g, t, out, e);
out:
	git_tree_free(tree);
	git_signature_free(sig);
	return rc;
}
