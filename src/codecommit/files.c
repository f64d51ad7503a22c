/*
 * files.c - files and folders: GetBlob, GetFile, GetFolder, and the
 * commits made through the API, PutFile, DeleteFile and CreateCommit.
 * Reading goes straight to Git objects; writing builds a tree from the
 * parent's (tree_edit.c) and commits it on the branch by compare-and-swap
 * (commit_write.c).  Blob members arrive as raw bytes in jansson strings
 * (the JSON layer decodes base64; json_string_length is the size, NUL bytes
 * included) and leave the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_git.h"

/* ---- reading --------------------------------------------------------------------------- */

/* a blob's content as a string of raw bytes: FileTooLargeException above 6 MB */
static int blob_content(json_t **out, size_t *size, struct cc_git *g, const git_oid *id,
			const char *what, struct err *e)
{
	git_blob *blob = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (git_repository_odb(&odb, g->r) < 0)
		return cc_git_fail(e, "cannot open the object database");
	/* the header only: a huge blob is refused without reading it */
	rc = git_odb_read_header(&len, &type, odb, id);
	git_odb_free(odb);
	if (rc == GIT_ENOTFOUND || (rc == 0 && type != GIT_OBJECT_BLOB))
		return CC_ENOTFOUND; /* the caller words it */
	if (rc < 0)
		return cc_git_fail(e, "cannot read the object");
	if (len > CC_FILE_MAX)
		return err_set(e, CC_ELIMIT, "FileTooLargeException",
			       "%s is %zu bytes, more than the 6 MB the API returns; use a Git"
			       " client to get it.", what, len);
	if (git_blob_lookup(&blob, g->r, id) < 0)
		return cc_git_fail(e, "cannot read the blob");
	*size = (size_t)git_blob_rawsize(blob);
	*out = json_stringn_nocheck(git_blob_rawcontent(blob), *size);
	git_blob_free(blob);
	return *out ? 0 : err_oom(e);
}

int cc_get_blob(struct aws_call *c, struct err *e)
{
	const char *bid = aws_in_str(c, "blobId");
	json_t *content = NULL;
	struct cc_git g;
	size_t size;
	git_oid id;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0)
		goto out;
	if (bid == NULL || bid[0] == '\0') {
		rc = err_set(e, CC_EINVAL, "BlobIdRequiredException",
			     "A blob ID is required, but was not specified.");
		goto out;
	}
	if (!cc_oid_parse(&id, bid)) {
		rc = err_set(e, CC_EINVAL, "InvalidBlobIdException",
			     "The blob ID '%.100s' is not valid: a full blob ID is 40 hexadecimal"
			     " characters.", bid);
		goto out;
	}
	rc = blob_content(&content, &size, &g, &id, "The blob", e);
	if (rc == CC_ENOTFOUND && e->code == 0)
		rc = err_set(e, CC_ENOTFOUND, "BlobIdDoesNotExistException",
			     "Blob %s does not exist in repository %s.", bid, g.repo.name);
	if (rc < 0)
		goto out;
	c->out = json_pack("{s:o}", "content", content);
	rc = c->out ? 0 : err_oom(e);
out:
	cc_git_close(&g);
	return rc;
}

int cc_get_file(struct aws_call *c, struct err *e)
{
	const char *path = NULL;
	git_commit *cm = NULL;
	git_tree *root = NULL;
	git_tree_entry *ent = NULL;
	json_t *content = NULL;
	struct cc_git g;
	size_t size = 0;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_path_clean(&path, c, aws_in_str(c, "filePath"), false, e)) < 0 ||
	    (rc = cc_commit_resolve(&cm, &g, aws_in_str(c, "commitSpecifier"), e)) < 0)
		goto out;
	if (git_commit_tree(&root, cm) < 0) {
		rc = cc_git_fail(e, "cannot read the commit's tree");
		goto out;
	}
	rc = git_tree_entry_bypath(&ent, root, path);
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		rc = cc_git_fail(e, "cannot read the tree");
		goto out;
	}
	if (rc == GIT_ENOTFOUND || !cc_mode_name(git_tree_entry_filemode(ent))) {
		rc = err_set(e, CC_ENOTFOUND, "FileDoesNotExistException",
			     "File '%.200s' does not exist in commit %s.", path,
			     git_oid_tostr_s(git_commit_id(cm)));
		goto out;
	}
	rc = blob_content(&content, &size, &g, git_tree_entry_id(ent), "The file", e);
	if (rc == CC_ENOTFOUND && e->code == 0)
		rc = cc_git_fail(e, "the file's blob is missing");
	if (rc < 0)
		goto out;
	c->out = json_pack("{s:o, s:o, s:o, s:s, s:I, s:o}", "commitId",
			   cc_json_oid(git_commit_id(cm)), "blobId",
			   cc_json_oid(git_tree_entry_id(ent)), "filePath",
			   cc_json_text(path, strlen(path)), "fileMode",
			   cc_mode_name(git_tree_entry_filemode(ent)), "fileSize", (json_int_t)size,
			   "fileContent", content);
	rc = c->out ? 0 : err_oom(e);
out:
	git_tree_entry_free(ent);
	git_tree_free(root);
	git_commit_free(cm);
	cc_git_close(&g);
	return rc;
}

/* one entry of a folder into the list its kind goes in */
static int folder_entry(json_t *lists[4], struct aws_call *c, const char *dir,
			const git_tree_entry *ent)
{
	const char *name = git_tree_entry_name(ent), *abs = cc_path_join(c, dir, name);
	git_filemode_t m = git_tree_entry_filemode(ent);
	const char *id_key = m == GIT_FILEMODE_TREE ? "treeId"
			     : m == GIT_FILEMODE_COMMIT ? "commitId" : "blobId";
	json_t *o;
	int which;

	if (abs == NULL)
		return -1;
	o = json_pack("{s:o, s:o, s:o}", id_key, cc_json_oid(git_tree_entry_id(ent)),
		      "absolutePath", cc_json_text(abs, strlen(abs)), "relativePath",
		      cc_json_text(name, strlen(name)));
	if (o == NULL)
		return -1;
	if (m == GIT_FILEMODE_TREE)
		which = 0;
	else if (m == GIT_FILEMODE_COMMIT)
		which = 3;
	else if (cc_mode_name(m))
		which = m == GIT_FILEMODE_LINK ? 2 : 1;
	else {
		json_decref(o);
		return 0; /* nothing Git writes today */
	}
	if (which == 1 || which == 2)
		json_object_set_new(o, "fileMode", json_string(cc_mode_name(m)));
	return json_array_append_new(lists[which], o);
}

int cc_get_folder(struct aws_call *c, struct err *e)
{
	const char *path = NULL;
	json_t *lists[4];
	git_commit *cm = NULL;
	git_tree *root = NULL, *tree = NULL;
	git_tree_entry *ent = NULL;
	struct cc_git g;
	size_t i;
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_path_clean(&path, c, aws_in_str(c, "folderPath"), true, e)) < 0 ||
	    (rc = cc_commit_resolve(&cm, &g, aws_in_str(c, "commitSpecifier"), e)) < 0)
		goto out;
	if (git_commit_tree(&root, cm) < 0) {
		rc = cc_git_fail(e, "cannot read the commit's tree");
		goto out;
	}
	if (path[0]) {
		rc = git_tree_entry_bypath(&ent, root, path);
		if (rc < 0 && rc != GIT_ENOTFOUND) {
			rc = cc_git_fail(e, "cannot read the tree");
			goto out;
		}
		if (rc == GIT_ENOTFOUND || git_tree_entry_type(ent) != GIT_OBJECT_TREE) {
			rc = err_set(e, CC_ENOTFOUND, "FolderDoesNotExistException",
				     "Folder '%.200s' does not exist in commit %s.", path,
				     git_oid_tostr_s(git_commit_id(cm)));
			goto out;
		}
		if (git_tree_lookup(&tree, g.r, git_tree_entry_id(ent)) < 0) {
			rc = cc_git_fail(e, "cannot read the folder");
			goto out;
		}
	} else {
		tree = root; /* freed once, as root */
	}
	lists[0] = json_array();
	lists[1] = json_array();
	lists[2] = json_array();
	lists[3] = json_array();
	c->out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "commitId",
			   cc_json_oid(git_commit_id(cm)), "folderPath",
			   cc_json_text(path, strlen(path)), "treeId",
			   cc_json_oid(git_tree_id(tree)), "subFolders", lists[0],
			   "files", lists[1], "symbolicLinks", lists[2], "subModules", lists[3]);
	if (c->out == NULL) {
		rc = err_oom(e);
		goto out;
	}
	for (i = 0; i < git_tree_entrycount(tree); i++)
		if (folder_entry(lists, c, path, git_tree_entry_byindex(tree, i)) < 0) {
			rc = err_oom(e);
			goto out;
		}
	rc = 0;
out:
	git_tree_entry_free(ent);
	if (tree != root)
		git_tree_free(tree);
	git_tree_free(root);
	git_commit_free(cm);
	cc_git_close(&g);
	return rc;
}

/* ---- writing --------------------------------------------------------------------------- */

/* the content of a blob member: its raw bytes and their number */
static const char *content_of(json_t *v, size_t *len)
{
	*len = json_is_string(v) ? json_string_length(v) : 0;
	return json_string_value(v);
}

static int too_large(struct err *e, const char *path, size_t len)
{
	return err_set(e, CC_ELIMIT, "FileContentSizeLimitExceededException",
		       "The file '%.200s' is %zu bytes: the API takes files up to 6 MB and up to"
		       " 7 MB of content in one commit; use a Git client for larger ones.", path,
		       len);
}

int cc_put_file(struct aws_call *c, struct err *e)
{
	const char *mode = aws_in_str(c, "fileMode"), *msg = NULL;
	struct cc_change ch = {0};
	struct cc_target t = {0};
	struct cc_author who;
	struct cc_git g;
	git_oid tree, commit;
	int rc;

	ch.kind = CC_CHANGE_PUT;
	ch.data = content_of(json_object_get(c->in, "fileContent"), &ch.len);
	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_check_branch_name(aws_in_str(c, "branchName"), e)) < 0)
		goto out;
	if (ch.data == NULL || ch.len == 0) {
		rc = err_set(e, CC_EINVAL, "FileContentRequiredException",
			     "The file content is required: the API does not add empty files.");
		goto out;
	}
	if ((rc = cc_path_clean(&ch.path, c, aws_in_str(c, "filePath"), false, e)) < 0)
		goto out;
	if (ch.len > CC_FILE_MAX) {
		rc = too_large(e, ch.path, ch.len);
		goto out;
	}
	if ((mode && (rc = cc_mode_parse(&ch.mode, mode, e)) < 0) ||
	    (rc = cc_author_get(&who, c, "name", e)) < 0 || (rc = cc_message_get(&msg, c, e)) < 0 ||
	    (rc = cc_target_get(&t, &g, c, aws_in_str(c, "branchName"),
				aws_in_str(c, "parentCommitId"), false, e)) < 0 ||
	    (rc = cc_tree_build(&tree, &g, c, &t, &ch, 1, false, e)) < 0)
		goto out;
	if (ch.existed && git_oid_equal(&ch.old_id, &ch.new_id) && ch.old_mode == ch.new_mode) {
		rc = err_set(e, CC_EINVAL, "SameFileContentException",
			     "The file '%.200s' was not changed: its content and mode are already"
			     " the same in branch '%.100s'.", ch.path, t.branch);
		goto out;
	}
	if (msg == NULL)
		msg = arena_printf(c->ar, "%s %s", ch.existed ? "Edited" : "Added", ch.path);
	if ((rc = cc_commit_write(&commit, &g, c, &t, &tree, &who, msg, e)) < 0)
		goto out;
	c->out = json_pack("{s:o, s:o, s:o}", "commitId", cc_json_oid(&commit), "blobId",
			   cc_json_oid(&ch.new_id), "treeId", cc_json_oid(&tree));
	rc = c->out ? 0 : err_oom(e);
out:
	cc_target_release(&t);
	cc_git_close(&g);
	return rc;
}

int cc_delete_file(struct aws_call *c, struct err *e)
{
	const char *msg = NULL, *parent = aws_in_str(c, "parentCommitId");
	struct cc_change ch = {0};
	struct cc_target t = {0};
	struct cc_author who;
	struct cc_git g;
	git_oid tree, commit;
	int rc;

	ch.kind = CC_CHANGE_DELETE;
	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_check_branch_name(aws_in_str(c, "branchName"), e)) < 0 ||
	    (rc = cc_path_clean(&ch.path, c, aws_in_str(c, "filePath"), false, e)) < 0 ||
	    (rc = cc_author_get(&who, c, "name", e)) < 0 || (rc = cc_message_get(&msg, c, e)) < 0)
		goto out;
	if (parent == NULL || parent[0] == '\0') {
		rc = err_set(e, CC_EINVAL, "ParentCommitIdRequiredException",
			     "A parent commit ID is required: the tip of the branch (GetBranch"
			     " shows it).");
		goto out;
	}
	if ((rc = cc_target_get(&t, &g, c, aws_in_str(c, "branchName"), parent, true, e)) < 0 ||
	    (rc = cc_tree_build(&tree, &g, c, &t, &ch, 1, aws_in_bool(c, "keepEmptyFolders", false),
				e)) < 0)
		goto out;
	if (msg == NULL)
		msg = arena_printf(c->ar, "Deleted %s", ch.path);
	if ((rc = cc_commit_write(&commit, &g, c, &t, &tree, &who, msg, e)) < 0)
		goto out;
	c->out = json_pack("{s:o, s:o, s:o, s:o}", "commitId", cc_json_oid(&commit), "blobId",
			   cc_json_oid(&ch.old_id), "treeId", cc_json_oid(&tree), "filePath",
			   cc_json_text(ch.path, strlen(ch.path)));
	rc = c->out ? 0 : err_oom(e);
out:
	cc_target_release(&t);
	cc_git_close(&g);
	return rc;
}

/* ---- CreateCommit ---------------------------------------------------------------------- */

struct commit_req {
	struct cc_change *ch; /* malloc'd */
	size_t n;
	size_t content;       /* bytes of fileContent, all entries */
};

/* the paths of a change list must be distinct, and no file may be a folder of another */
static int changes_distinct(struct commit_req *r, struct err *e)
{
	size_t i, j, li, lj;

	/* at most CC_FILE_ENTRIES_MAX (+ moves): quadratic is fine */
	for (i = 0; i < r->n; i++)
		for (j = i + 1; j < r->n; j++) {
			const struct cc_change *a = &r->ch[i], *b = &r->ch[j];

			if (strcmp(a->path, b->path) == 0)
				return err_set(e, CC_EINVAL, "SamePathRequestException",
					       "The path '%.200s' appears in more than one change of"
					       " the commit.", a->path);
			if (a->kind != CC_CHANGE_PUT || b->kind != CC_CHANGE_PUT)
				continue;
			li = strlen(a->path);
			lj = strlen(b->path);
			if ((li < lj && strncmp(a->path, b->path, li) == 0 && b->path[li] == '/') ||
			    (lj < li && strncmp(a->path, b->path, lj) == 0 && a->path[lj] == '/'))
				return err_set(e, CC_EINVAL, "PutFileEntryConflictException",
					       "The files '%.150s' and '%.150s' cannot both be put: one"
					       " is a folder of the other.", a->path, b->path);
		}
	return 0;
}

static bool is_gitkeep(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash ? slash + 1 : path, ".gitkeep") == 0;
}

/* one putFiles entry; a move adds the deletion of its source */
static int put_entry(struct commit_req *r, struct aws_call *c, json_t *v, struct err *e)
{
	struct cc_change *ch = &r->ch[r->n];
	json_t *content = json_object_get(v, "fileContent");
	json_t *src = json_object_get(v, "sourceFile");
	const char *mode = json_string_value(json_object_get(v, "fileMode"));
	int rc;

	ch->kind = CC_CHANGE_PUT;
	if ((rc = cc_path_clean(&ch->path, c, json_string_value(json_object_get(v, "filePath")),
				false, e)) < 0 ||
	    (mode && (rc = cc_mode_parse(&ch->mode, mode, e)) < 0))
		return rc;
	if (content && src)
		return err_set(e, CC_EINVAL, "FileContentAndSourceFileSpecifiedException",
			       "The file '%.200s' has both content and a source file: give one.",
			       ch->path);
	if (!content && !src)
		return err_set(e, CC_EINVAL, "SourceFileOrContentRequiredException",
			       "The file '%.200s' needs its content or a source file.", ch->path);
	if (content) {
		ch->data = content_of(content, &ch->len);
		if (ch->len > CC_FILE_MAX || sz_add(&r->content, r->content, ch->len) < 0 ||
		    r->content > CC_COMMIT_CONTENT_MAX)
			return too_large(e, ch->path, ch->len);
		r->n++;
		return 0;
	}
	if ((rc = cc_path_clean(&ch->src, c, json_string_value(json_object_get(src, "filePath")),
				false, e)) < 0)
		return rc;
	if (is_gitkeep(ch->src))
		return err_set(e, CC_EINVAL, "RestrictedSourceFileException",
			       "The source file '%.200s' is a .gitkeep file, which cannot be copied"
			       " or moved.", ch->src);
	r->n++;
	if (json_is_true(json_object_get(src, "isMove"))) {
		r->ch[r->n].kind = CC_CHANGE_DELETE;
		r->ch[r->n].path = ch->src;
		r->n++;
	}
	return 0;
}

/* putFiles, deleteFiles and setFileModes into r: FileEntryRequiredException, ... */
static int changes_read(struct commit_req *r, struct aws_call *c, struct err *e)
{
	json_t *puts = json_object_get(c->in, "putFiles");
	json_t *dels = json_object_get(c->in, "deleteFiles");
	json_t *modes = json_object_get(c->in, "setFileModes");
	size_t np = json_array_size(puts), nd = json_array_size(dels), nm = json_array_size(modes);
	size_t i;
	json_t *v;
	int rc;

	if (np + nd + nm == 0)
		return err_set(e, CC_EINVAL, "FileEntryRequiredException",
			       "The commit changes no file: give putFiles, deleteFiles or"
			       " setFileModes.");
	if (np + nd + nm > CC_FILE_ENTRIES_MAX)
		return err_set(e, CC_ELIMIT, "MaximumFileEntriesExceededException",
			       "A commit made through the API changes at most %d files; use a Git"
			       " client for more.", CC_FILE_ENTRIES_MAX);
	/* a move is a put and a delete */
	if ((r->ch = calloc(2 * np + nd + nm, sizeof(*r->ch))) == NULL)
		return err_oom(e);
	json_array_foreach(puts, i, v)
		if ((rc = put_entry(r, c, v, e)) < 0)
			return rc;
	json_array_foreach(dels, i, v) {
		struct cc_change *ch = &r->ch[r->n++];
		const char *path = json_string_value(json_object_get(v, "filePath"));

		ch->kind = CC_CHANGE_DELETE;
		if ((rc = cc_path_clean(&ch->path, c, path, false, e)) < 0)
			return rc;
	}
	json_array_foreach(modes, i, v) {
		struct cc_change *ch = &r->ch[r->n++];
		const char *mode = json_string_value(json_object_get(v, "fileMode"));
		const char *path = json_string_value(json_object_get(v, "filePath"));

		ch->kind = CC_CHANGE_MODE;
		if ((rc = cc_path_clean(&ch->path, c, path, false, e)) < 0)
			return rc;
		if (mode == NULL)
			return err_set(e, CC_EINVAL, "FileModeRequiredException",
				       "A file mode is required for '%.200s' in setFileModes.",
				       ch->path);
		if ((rc = cc_mode_parse(&ch->mode, mode, e)) < 0)
			return rc;
	}
	return changes_distinct(r, e);
}

static json_t *file_meta(const char *path, const git_oid *id, git_filemode_t mode)
{
	return json_pack("{s:o, s:o, s:s}", "absolutePath", cc_json_text(path, strlen(path)),
			 "blobId", cc_json_oid(id), "fileMode",
			 cc_mode_name(mode) ? cc_mode_name(mode) : "NORMAL");
}

/* filesAdded, filesUpdated, filesDeleted; the counts for a default message */
static int commit_out(struct aws_call *c, const struct commit_req *r, const git_oid *commit,
		      const git_oid *tree, size_t counts[3])
{
	json_t *lists[3] = {json_array(), json_array(), json_array()};
	size_t i;

	c->out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "commitId", cc_json_oid(commit),
			   "treeId", cc_json_oid(tree), "filesAdded", lists[0], "filesUpdated",
			   lists[1], "filesDeleted", lists[2]);
	if (c->out == NULL)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct cc_change *ch = &r->ch[i];
		int which = ch->kind == CC_CHANGE_DELETE ? 2 : ch->existed ? 1 : 0;
		json_t *o = which == 2 ? file_meta(ch->path, &ch->old_id, ch->old_mode)
					: file_meta(ch->path, &ch->new_id, ch->new_mode);

		if (ch->kind == CC_CHANGE_MODE && ch->old_mode == ch->new_mode) {
			json_decref(o);
			continue; /* not a change */
		}
		if (json_array_append_new(lists[which], o) < 0)
			return -1;
		counts[which]++;
	}
	return 0;
}

int cc_create_commit(struct aws_call *c, struct err *e)
{
	const char *msg = NULL;
	struct commit_req r = {0};
	struct cc_target t = {0};
	struct cc_author who;
	struct cc_git g;
	git_oid tree, commit;
	size_t counts[3] = {0, 0, 0};
	int rc;

	if ((rc = cc_git_open(&g, c, e)) < 0 ||
	    (rc = cc_check_branch_name(aws_in_str(c, "branchName"), e)) < 0 ||
	    (rc = cc_author_get(&who, c, "authorName", e)) < 0 ||
	    (rc = cc_message_get(&msg, c, e)) < 0 || (rc = changes_read(&r, c, e)) < 0 ||
	    (rc = cc_target_get(&t, &g, c, aws_in_str(c, "branchName"),
				aws_in_str(c, "parentCommitId"), false, e)) < 0 ||
	    (rc = cc_tree_build(&tree, &g, c, &t, r.ch, r.n,
				aws_in_bool(c, "keepEmptyFolders", false), e)) < 0)
		goto out;
	if (t.base && git_oid_equal(&tree, git_tree_id(t.base))) {
		rc = err_set(e, CC_EINVAL, "NoChangeException",
			     "The commit changes nothing: the files are already as given in branch"
			     " '%.100s'.", t.branch);
		goto out;
	}
	/* the answer first: its counts make the default message; the commit id follows */
	if (commit_out(c, &r, &tree, &tree, counts) < 0) {
		rc = err_oom(e);
		goto out;
	}
	if (msg == NULL)
		msg = arena_printf(c->ar, "Added %zu, updated %zu and deleted %zu files", counts[0],
				   counts[1], counts[2]);
	if ((rc = cc_commit_write(&commit, &g, c, &t, &tree, &who, msg, e)) < 0)
		goto out;
	if (json_object_set_new(c->out, "commitId", cc_json_oid(&commit)) < 0)
		rc = err_oom(e);
out:
	free(r.ch);
	cc_target_release(&t);
	cc_git_close(&g);
	return rc;
}
