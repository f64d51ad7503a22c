/*
 * commits.c - commits and what changed: GetCommit, BatchGetCommits,
 * GetDifferences.  Commits are read with libgit2; differences are
 * libgit2's tree-to-tree diff without rename detection (CodeCommit reports
 * only A, M and D), paged by position.
 */
#include <stdio.h>
#include <string.h>

#include "cc_git.h"

#define DIFF_PAGE 100      /* differences per answer when MaxResults is not given */
#define DIFF_PAGE_MAX 1000 /* and at most, whatever MaxResults says */

int cc_get_commit(struct aws_call *c, struct err *e)
{
	const char *cid = aws_in_str(c, "commitId");
	git_commit *cm = NULL;
	struct cc_git g;
	json_t *o;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_commit_by_id(&cm, &g, cid, "CommitIdDoesNotExistException", e)) < 0)
		goto out;
	o = cc_commit_json(cm);
	c->out = o ? json_pack("{s:o}", "commit", o) : NULL;
	rc = c->out ? 0 : err_oom(e);
out:
	git_commit_free(cm);
	cc_git_close(&g);
	return rc;
}

static int batch_error(json_t *errors, const char *cid, const char *code, const char *msg)
{
	json_t *o = json_pack("{s:o, s:s, s:s}", "commitId", cc_json_text(cid, strlen(cid)),
			      "errorCode", code, "errorMessage", msg);

	return json_array_append_new(errors, o);
}

int cc_batch_get_commits(struct aws_call *c, struct err *e)
{
	json_t *ids = json_object_get(c->in, "commitIds"), *commits, *errors;
	struct cc_git g;
	size_t i;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0)
		goto out;
	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		rc = err_set(e, CC_EINVAL, "CommitIdsListRequiredException",
			     "A list of commit IDs is required, but was either not specified or"
			     " empty.");
		goto out;
	}
	if (json_array_size(ids) > CC_COMMIT_IDS_MAX) {
		rc = err_set(e, CC_EINVAL, "CommitIdsLimitExceededException",
			     "The maximum number of commit IDs in a batch request is %d.",
			     CC_COMMIT_IDS_MAX);
		goto out;
	}
	commits = json_array();
	errors = json_array();
	if ((c->out = json_pack("{s:o, s:o}", "commits", commits, "errors", errors)) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	for (i = 0; i < json_array_size(ids); i++) {
		const char *cid = json_string_value(json_array_get(ids, i));
		git_commit *cm = NULL;
		git_oid id;

		if (cid == NULL)
			cid = "";
		if (!cc_oid_parse(&id, cid)) {
			rc = batch_error(errors, cid, "InvalidCommitIdException",
					 "The commit ID is not valid: a full commit ID is 40"
					 " hexadecimal characters.");
		} else if ((rc = git_commit_lookup(&cm, g.r, &id)) == GIT_ENOTFOUND) {
			rc = batch_error(errors, cid, "CommitIdDoesNotExistException",
					 "The commit does not exist in this repository.");
		} else if (rc < 0) {
			rc = cc_git_fail(e, "cannot read a commit");
			goto out;
		} else {
			rc = json_array_append_new(commits, cc_commit_json(cm));
			git_commit_free(cm);
		}
		if (rc < 0) {
			rc = err_oom(e);
			goto out;
		}
	}
	rc = 0;
out:
	cc_git_close(&g);
	return rc;
}

/* ---- GetDifferences ------------------------------------------------------------------ */

/* one side of a comparison: a commit's tree, or a folder or file in it */
struct side {
	git_commit *commit;     /* NULL: nothing (no beforeCommitSpecifier) */
	git_tree *root;
	const char *path;       /* "" for the whole tree */
	git_tree_entry *entry;  /* what path names; NULL for the root or when missing */
	git_tree *tree;         /* the tree compared: root, the folder, or NULL */
};

static void side_release(struct side *s)
{
	if (s->tree != s->root)
		git_tree_free(s->tree);
	git_tree_free(s->root);
	git_tree_entry_free(s->entry);
	git_commit_free(s->commit);
}

static int side_open(struct side *s, struct cc_git *g, const char *path, struct err *e)
{
	int rc;

	s->path = path;
	if (s->commit == NULL)
		return 0;
	if (git_commit_tree(&s->root, s->commit) < 0)
		return cc_git_fail(e, "cannot read the commit's tree");
	if (path[0] == '\0') {
		s->tree = s->root;
		return 0;
	}
	rc = git_tree_entry_bypath(&s->entry, s->root, path);
	if (rc == GIT_ENOTFOUND) {
		s->entry = NULL;
		return 0;
	}
	if (rc < 0)
		return cc_git_fail(e, "cannot read the tree");
	if (git_tree_entry_type(s->entry) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&s->tree, g->r, git_tree_entry_id(s->entry)) < 0)
		return cc_git_fail(e, "cannot read the folder");
	return 0;
}

static json_t *blob_meta(struct aws_call *c, const char *prefix, const git_diff_file *f)
{
	char mode[16];
	const char *path = prefix[0] ? cc_path_join(c, prefix, f->path) : f->path;

	snprintf(mode, sizeof(mode), "%06o", (unsigned)f->mode);
	return json_pack("{s:o, s:o, s:s}", "blobId", cc_json_oid(&f->id), "path",
			 path ? cc_json_text(path, strlen(path)) : NULL, "mode", mode);
}

static json_t *delta_json(struct aws_call *c, const struct side *b, const struct side *a,
			  const git_diff_delta *d)
{
	const char *type = d->status == GIT_DELTA_ADDED ? "A"
			   : d->status == GIT_DELTA_DELETED ? "D" : "M";
	json_t *o = json_pack("{s:s}", "changeType", type);
	/* a diff of folders names files from the folders compared */
	const char *bdir = b->tree ? b->path : "", *adir = a->tree ? a->path : "";

	if (o && d->status != GIT_DELTA_ADDED &&
	    json_object_set_new(o, "beforeBlob", blob_meta(c, bdir, &d->old_file)) < 0)
		goto fail;
	if (o && d->status != GIT_DELTA_DELETED &&
	    json_object_set_new(o, "afterBlob", blob_meta(c, adir, &d->new_file)) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* Two files named by the paths: at most one difference, made by hand as a diff would. */
static int file_pair(json_t *list, struct aws_call *c, const struct side *b,
		     const struct side *a)
{
	git_diff_delta d;

	memset(&d, 0, sizeof(d));
	if (b->entry && a->entry && git_oid_equal(git_tree_entry_id(b->entry),
						  git_tree_entry_id(a->entry)) &&
	    git_tree_entry_filemode(b->entry) == git_tree_entry_filemode(a->entry))
		return 0;
	d.status = !b->entry ? GIT_DELTA_ADDED : !a->entry ? GIT_DELTA_DELETED : GIT_DELTA_MODIFIED;
	if (b->entry) {
		git_oid_cpy(&d.old_file.id, git_tree_entry_id(b->entry));
		d.old_file.path = b->path;
		d.old_file.mode = (uint16_t)git_tree_entry_filemode(b->entry);
	}
	if (a->entry) {
		git_oid_cpy(&d.new_file.id, git_tree_entry_id(a->entry));
		d.new_file.path = a->path;
		d.new_file.mode = (uint16_t)git_tree_entry_filemode(a->entry);
	}
	return json_array_append_new(list, delta_json(c, b, a, &d));
}

/* MaxResults and NextToken: InvalidMaxResultsException, InvalidContinuationTokenException */
static int diff_page(size_t *offset, size_t *max, struct aws_call *c, struct err *e)
{
	const char *tok = NULL;
	uint64_t off = 0;
	int64_t m = aws_in_int(c, "MaxResults", DIFF_PAGE);
	int rc;

	if (m < 1)
		return err_set(e, CC_EINVAL, "InvalidMaxResultsException",
			       "The specified number of maximum results is not valid: it must be at"
			       " least 1.");
	*max = m > DIFF_PAGE_MAX ? DIFF_PAGE_MAX : (size_t)m;
	if ((rc = cc_token_read(&tok, c, 'd', aws_in_str(c, "NextToken"), e)) < 0)
		return rc;
	if (tok && parse_u64(tok, strlen(tok), 0, UINT32_MAX, &off) < 0)
		return err_set(e, CC_EINVAL, "InvalidContinuationTokenException",
			       "The specified continuation token is not valid.");
	*offset = (size_t)off;
	return 0;
}

static int diff_list(json_t *list, size_t *total, struct aws_call *c, struct cc_git *g,
		     const struct side *b, const struct side *a, size_t offset, size_t max,
		     struct err *e)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	size_t i;
	int rc = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_tree(&diff, g->r, b->tree, a->tree, &opts) < 0)
		return cc_git_fail(e, "cannot compare the trees");
	*total = git_diff_num_deltas(diff);
	for (i = offset; i < *total && i - offset < max; i++)
		if (json_array_append_new(list, delta_json(c, b, a, git_diff_get_delta(diff, i)))) {
			rc = err_oom(e);
			break;
		}
	git_diff_free(diff);
	return rc;
}

int cc_get_differences(struct aws_call *c, struct err *e)
{
	const char *bspec = aws_in_str(c, "beforeCommitSpecifier");
	const char *aspec = aws_in_str(c, "afterCommitSpecifier");
	const char *bpath = NULL, *apath = NULL;
	struct side b = {0}, a = {0};
	size_t offset = 0, max = 0, total = 0;
	struct cc_git g;
	json_t *list;
	char tok[32];
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0)
		goto out;
	if (aspec == NULL || aspec[0] == '\0') {
		rc = err_set(e, CC_EINVAL, "CommitRequiredException",
			     "A commit was not specified: afterCommitSpecifier is required.");
		goto out;
	}
	if ((rc = diff_page(&offset, &max, c, e)) < 0 ||
	    (bspec && (rc = cc_commit_resolve(&b.commit, &g, bspec, e)) < 0) ||
	    (rc = cc_commit_resolve(&a.commit, &g, aspec, e)) < 0)
		goto out;
	if ((aws_in_str(c, "beforePath") &&
	     (rc = cc_path_clean(&bpath, c, aws_in_str(c, "beforePath"), true, e)) < 0) ||
	    (aws_in_str(c, "afterPath") &&
	     (rc = cc_path_clean(&apath, c, aws_in_str(c, "afterPath"), true, e)) < 0))
		goto out;
	/* one path given limits both sides to it */
	if ((rc = side_open(&b, &g, bpath ? bpath : apath ? apath : "", e)) < 0 ||
	    (rc = side_open(&a, &g, apath ? apath : bpath ? bpath : "", e)) < 0)
		goto out;
	if ((b.path[0] || a.path[0]) && !b.entry && !a.entry) {
		rc = err_set(e, CC_ENOTFOUND, "PathDoesNotExistException",
			     "The path '%.150s' does not exist in the commits compared.",
			     a.path[0] ? a.path : b.path);
		goto out;
	}
	list = json_array();
	if ((c->out = json_pack("{s:o}", "differences", list)) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if ((b.entry && !b.tree) || (a.entry && !a.tree)) {
		/* a path names a file (or submodule) on one side at least */
		if ((b.entry && b.tree) || (a.entry && a.tree)) {
			rc = err_set(e, CC_EINVAL, "InvalidPathException",
				     "The paths compared name a file on one side and a folder on the"
				     " other.");
			goto out;
		}
		rc = offset ? 0 : file_pair(list, c, &b, &a);
		rc = rc < 0 ? err_oom(e) : 0;
		goto out;
	}
	if ((rc = diff_list(list, &total, c, &g, &b, &a, offset, max, e)) < 0)
		goto out;
	if (offset + max < total) {
		snprintf(tok, sizeof(tok), "%zu", offset + max);
		if (json_object_set_new(c->out, "NextToken", cc_token_new('d', tok)) < 0)
			rc = err_oom(e);
	}
out:
	side_release(&b);
	side_release(&a);
	cc_git_close(&g);
	return rc;
}
