/*
 * tree_edit.c - the tree of a new commit: the parent's tree with files put,
 * deleted or given a new mode.  Each path is checked against the parent
 * first, so a conflict gets CodeCommit's own exception rather than
 * libgit2's; then libgit2's git_tree_create_updated() writes the trees
 * (it also drops folders left empty).  Objects only: nothing is checked out.
 * Contract: cc_git.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cc_git.h"

/* the entry at path in tree, or *out NULL when there is none (or no tree) */
static int entry_at(git_tree_entry **out, const git_tree *tree, const char *path, struct err *e)
{
	int rc;

	*out = NULL;
	if (tree == NULL)
		return 0;
	rc = git_tree_entry_bypath(out, tree, path);
	if (rc == GIT_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	return rc < 0 ? cc_git_fail(e, "cannot read the tree") : 0;
}

/* a file (or symbolic link) the change needs in the parent */
static int need_file(git_oid *id, git_filemode_t *mode, const struct cc_target *t,
		     const char *path, const char *what, struct err *e)
{
	git_tree_entry *ent = NULL;
	int rc;

	if ((rc = entry_at(&ent, t->base, path, e)) < 0)
		return rc;
	if (ent && cc_mode_name(git_tree_entry_filemode(ent))) {
		git_oid_cpy(id, git_tree_entry_id(ent));
		*mode = git_tree_entry_filemode(ent);
		git_tree_entry_free(ent);
		return 0;
	}
	git_tree_entry_free(ent);
	return err_set(e, CC_ENOTFOUND, "FileDoesNotExistException",
		       "%s '%.200s' does not exist in branch '%.100s'.", what, path, t->branch);
}

/* where a file goes: not a folder or submodule itself, no file or submodule on the way */
static int check_put(struct cc_change *ch, const struct cc_target *t, struct err *e)
{
	char prefix[CC_PATH_MAX + 1];
	git_tree_entry *ent = NULL;
	git_filemode_t m;
	const char *slash;
	int rc;

	if ((rc = entry_at(&ent, t->base, ch->path, e)) < 0)
		return rc;
	if (ent) {
		m = git_tree_entry_filemode(ent);
		ch->existed = cc_mode_name(m) != NULL;
		git_oid_cpy(&ch->old_id, git_tree_entry_id(ent));
		ch->old_mode = m;
		git_tree_entry_free(ent);
		if (m == GIT_FILEMODE_TREE)
			return err_set(e, CC_ECONFLICT, "FileNameConflictsWithDirectoryNameException",
				       "The file name '%.200s' conflicts with the folder of that name in"
				       " branch '%.100s'.", ch->path, t->branch);
		if (!ch->existed)
			return err_set(e, CC_ECONFLICT, "FilePathConflictsWithSubmodulePathException",
				       "The path '%.200s' is a submodule in branch '%.100s'.", ch->path,
				       t->branch);
		return 0;
	}
	for (slash = strchr(ch->path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - ch->path);

		if (n >= sizeof(prefix))
			break; /* cannot happen: paths are checked shorter */
		memcpy(prefix, ch->path, n);
		prefix[n] = '\0';
		if ((rc = entry_at(&ent, t->base, prefix, e)) < 0)
			return rc;
		if (ent == NULL)
			return 0; /* the rest of the way is new */
		m = git_tree_entry_filemode(ent);
		git_tree_entry_free(ent);
		if (m == GIT_FILEMODE_COMMIT)
			return err_set(e, CC_ECONFLICT, "FilePathConflictsWithSubmodulePathException",
				       "The folder '%.150s' of path '%.200s' is a submodule in branch"
				       " '%.100s'.", prefix, ch->path, t->branch);
		if (m != GIT_FILEMODE_TREE)
			return err_set(e, CC_ECONFLICT, "DirectoryNameConflictsWithFileNameException",
				       "The folder name '%.150s' in path '%.200s' conflicts with"
				       " the file of that name in branch '%.100s'.", prefix,
				       ch->path, t->branch);
	}
	return 0;
}

static int change_prepare(struct cc_change *ch, struct cc_git *g, const struct cc_target *t,
			  git_tree_update *up, struct err *e)
{
	int rc;

	up->path = ch->path;
	switch (ch->kind) {
	case CC_CHANGE_DELETE:
		if ((rc = need_file(&ch->old_id, &ch->old_mode, t, ch->path, "File", e)) < 0)
			return rc;
		ch->existed = true;
		up->action = GIT_TREE_UPDATE_REMOVE;
		return 0;
	case CC_CHANGE_MODE:
		if ((rc = need_file(&ch->old_id, &ch->old_mode, t, ch->path, "File", e)) < 0)
			return rc;
		ch->existed = true;
		git_oid_cpy(&ch->new_id, &ch->old_id);
		ch->new_mode = ch->mode;
		break;
	case CC_CHANGE_PUT: {
		git_filemode_t src_mode = GIT_FILEMODE_BLOB;

		if ((rc = check_put(ch, t, e)) < 0)
			return rc;
		if (ch->src) {
			if ((rc = need_file(&ch->new_id, &src_mode, t, ch->src, "Source file", e)) < 0)
				return rc;
		} else if (git_blob_create_from_buffer(&ch->new_id, g->r, ch->data, ch->len) < 0) {
			return cc_git_fail(e, "cannot write the file");
		}
		/* no mode given: a file keeps its own, a copy its source's */
		ch->new_mode = ch->mode ? ch->mode
			       : ch->src ? src_mode
			       : ch->existed ? ch->old_mode : GIT_FILEMODE_BLOB;
		break;
	}
	}
	up->action = GIT_TREE_UPDATE_UPSERT;
	git_oid_cpy(&up->id, &ch->new_id);
	up->filemode = ch->new_mode;
	return 0;
}

/* Folders the deletions emptied get an empty .gitkeep (keepEmptyFolders). */
static int keep_folders(git_oid *out, struct cc_git *g, struct aws_call *c,
			const struct cc_change *ch, size_t n, struct err *e)
{
	git_tree_update *up = calloc(n ? n : 1, sizeof(*up));
	git_tree *tree = NULL;
	git_oid empty;
	size_t i, j, k = 0;
	int rc = 0;

	if (up == NULL)
		return err_oom(e);
	if (git_tree_lookup(&tree, g->r, out) < 0 ||
	    git_blob_create_from_buffer(&empty, g->r, "", 0) < 0) {
		rc = cc_git_fail(e, "cannot keep empty folders");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *slash = strrchr(ch[i].path, '/');
		git_tree_entry *ent = NULL;
		char *dir, *keep;
		bool still;

		if (ch[i].kind != CC_CHANGE_DELETE || slash == NULL)
			continue; /* the root needs no .gitkeep */
		if ((dir = arena_strndup(c->ar, ch[i].path, (size_t)(slash - ch[i].path))) == NULL ||
		    (keep = arena_printf(c->ar, "%s/.gitkeep", dir)) == NULL) {
			rc = err_oom(e);
			goto out;
		}
		if ((rc = entry_at(&ent, tree, dir, e)) < 0)
			goto out;
		still = ent != NULL;
		git_tree_entry_free(ent);
		for (j = 0; j < k && strcmp(up[j].path, keep) != 0; j++)
			;
		if (still || j < k)
			continue;
		up[k].action = GIT_TREE_UPDATE_UPSERT;
		up[k].filemode = GIT_FILEMODE_BLOB;
		git_oid_cpy(&up[k].id, &empty);
		up[k++].path = keep;
	}
	if (k && git_tree_create_updated(out, g->r, tree, k, up) < 0)
		rc = cc_git_fail(e, "cannot keep empty folders");
out:
	git_tree_free(tree);
	free(up);
	return rc;
}

int cc_tree_build(git_oid *out, struct cc_git *g, struct aws_call *c, const struct cc_target *t,
		  struct cc_change *ch, size_t n, bool keep_empty, struct err *e)
{
	git_tree_update *up = calloc(n ? n : 1, sizeof(*up));
	size_t i;
	int rc = 0;

	if (up == NULL)
		return err_oom(e);
	for (i = 0; i < n; i++)
		if ((rc = change_prepare(&ch[i], g, t, &up[i], e)) < 0)
			goto out;
	if (git_tree_create_updated(out, g->r, t->base, n, up) < 0) {
		rc = cc_git_fail(e, "cannot write the tree");
		goto out;
	}
	if (keep_empty)
		rc = keep_folders(out, g, c, ch, n, e);
out:
	free(up);
	return rc;
}
