/*
 * cc_git.h - private to src/codecommit: what the branch, commit and file
 * handlers share about the Git side of a repository, done with libgit2:
 * opening it, checking branch names, commit ids and paths with CodeCommit's
 * own exceptions, resolving commit specifiers, JSON for commits and modes,
 * paging tokens, and writing a commit that moves a branch by
 * compare-and-swap.  It never touches the filesystem below the repository
 * directory itself: trees are built as Git objects, never checked out.
 */
#ifndef CC_GIT_H
#define CC_GIT_H

#include <git2.h>

#include "cc_int.h"

/* CodeCommit's quotas for the file and commit APIs */
#define CC_FILE_MAX (6 * 1024 * 1024)          /* bytes of one file's content */
#define CC_COMMIT_CONTENT_MAX (7 * 1024 * 1024) /* bytes of all content in one commit */
#define CC_BRANCH_NAME_MAX 256                  /* characters */
#define CC_AUTHOR_NAME_MAX 1024                 /* characters */
#define CC_EMAIL_MAX 320                        /* bytes (RFC 5321: 64 + 1 + 255) */
#define CC_MESSAGE_MAX (256 * 1024)             /* bytes: "limited to 256 KB" */
#define CC_PATH_MAX 4096                        /* bytes of a whole path */
#define CC_PATH_PART_MAX 255                    /* bytes of one path component */
#define CC_FILE_ENTRIES_MAX 100                 /* changes in one CreateCommit */
#define CC_COMMIT_IDS_MAX 100                   /* BatchGetCommits */

/* An open repository of the caller's account. */
struct cc_git {
	struct cc_repo repo;
	const char *dir;     /* arena */
	git_repository *r;
};

/* Finds the input's repositoryName (RepositoryDoesNotExistException, ...) and opens it. */
int cc_git_open(struct cc_git *g, struct aws_call *c, struct err *e);
void cc_git_close(struct cc_git *g);
/* CC_ERROR saying what failed; libgit2's reason goes to the log.  For the unexpected only. */
int cc_git_fail(struct err *e, const char *what);

/* ---- names and ids (refs.c) ------------------------------------------------------ */

/* BranchNameRequiredException / InvalidBranchNameException (AWS's and git's rules) */
int cc_check_branch_name(const char *name, struct err *e);
/* "refs/heads/NAME" in arena memory */
const char *cc_branch_ref(struct aws_call *c, const char *name);
/* true and *out set when s is a full 40-digit hex object id */
bool cc_oid_parse(git_oid *out, const char *s);
/* a commit named by its full id: CommitIdRequiredException,
 * InvalidCommitIdException, or missing_code (operations name it differently) */
int cc_commit_by_id(git_commit **out, struct cc_git *g, const char *cid,
		    const char *missing_code, struct err *e);
/* the branch's tip; CC_ENOTFOUND (BranchDoesNotExistException) when there is none */
int cc_branch_tip(git_oid *out, struct cc_git *g, struct aws_call *c, const char *branch,
		  struct err *e);
/* whether another branch is in the way of creating ref: "a" of "a/b", or "a/b" of "a"
 * (git keeps refs as files, and a name cannot be both a file and a folder) */
bool cc_ref_in_the_way(struct cc_git *g, const char *ref);
/* the default branch (HEAD's, when it exists) into out, "" when there is none */
int cc_default_branch(char *out, size_t outsz, struct cc_git *g, struct err *e);
/* whether the repository has any branch at all */
int cc_has_branches(bool *out, struct cc_git *g, struct err *e);
/*
 * A commit specifier: a full commit id, a branch, a tag, HEAD or a full
 * reference name such as refs/heads/main; NULL is the default branch.
 * InvalidCommitException / CommitDoesNotExistException.  *out is the
 * caller's (git_commit_free).
 */
int cc_commit_resolve(git_commit **out, struct cc_git *g, const char *spec, struct err *e);

/* ---- paths (paths.c) --------------------------------------------------------------- */

/*
 * A repository path as the API takes it ("dir/file", or "/dir/file" as
 * AWS's examples write it) made canonical: no leading or trailing slash.
 * PathRequiredException when absent; InvalidPathException for empty
 * components, ".", "..", ".git" (and what Windows or macOS would read as
 * .git), control characters or over-long paths.  folder: "" and "/" are the
 * root and a trailing slash is allowed.  *out is arena memory.
 */
int cc_path_clean(const char **out, struct aws_call *c, const char *in, bool folder,
		  struct err *e);
/* "dir" + "name" -> "dir/name" ("name" when dir is the root), arena memory */
const char *cc_path_join(struct aws_call *c, const char *dir, const char *name);

/* ---- JSON (git_json.c) ------------------------------------------------------------ */

json_t *cc_json_oid(const git_oid *id);
/* a string from bytes that may not be UTF-8 (file names, messages): bad bytes become U+FFFD */
json_t *cc_json_text(const char *s, size_t n);
/* "NORMAL", "EXECUTABLE", "SYMLINK", or NULL for trees and submodules */
const char *cc_mode_name(git_filemode_t m);
/* InvalidFileModeException unless s is NORMAL, EXECUTABLE or SYMLINK */
int cc_mode_parse(git_filemode_t *out, const char *s, struct err *e);
/* the Commit shape: commitId, treeId, parents, message, author, committer, additionalData */
json_t *cc_commit_json(const git_commit *cm);

/* nextToken: base64url of a kind letter and a payload; anything else is
 * InvalidContinuationTokenException.  *payload is arena memory. */
json_t *cc_token_new(char kind, const char *payload);
int cc_token_read(const char **payload, struct aws_call *c, char kind, const char *tok,
		  struct err *e);

/* ---- writing commits (commit_write.c) ------------------------------------------------ */

/* Who a commit is by: checked input, or the caller as AWS defaults it. */
struct cc_author {
	const char *name;  /* arena */
	const char *email; /* arena; "" when none was given */
};

/* name_member: "name" (PutFile, DeleteFile) or "authorName" (CreateCommit).
 * NameLengthExceededException, InvalidEmailException. */
int cc_author_get(struct cc_author *out, struct aws_call *c, const char *name_member,
		  struct err *e);
/* the input's commitMessage, or NULL: CommitMessageLengthExceededException */
int cc_message_get(const char **out, struct aws_call *c, struct err *e);

/* The branch a new commit goes on, checked by the parentCommitId rules. */
struct cc_target {
	const char *branch;  /* borrowed from the input */
	const char *ref;     /* refs/heads/BRANCH, arena */
	bool exists;         /* the branch exists and tip is its commit */
	git_oid tip;
	git_commit *parent;  /* NULL: the new commit is a root commit */
	git_tree *base;      /* the parent's tree, NULL for a root commit */
};

/*
 * Applies CodeCommit's parentCommitId rules to branch and parent_id (may be
 * NULL): when the branch exists the parent must be given and be its tip
 * (ParentCommitIdRequiredException, ParentCommitIdOutdatedException); a
 * missing branch starts from the given parent, or from nothing in an empty
 * repository.  must_exist: BranchDoesNotExistException for a missing branch
 * (DeleteFile).  Release with cc_target_release().
 */
int cc_target_get(struct cc_target *t, struct cc_git *g, struct aws_call *c, const char *branch,
		  const char *parent_id, bool must_exist, struct err *e);
void cc_target_release(struct cc_target *t);
/*
 * Writes a commit of tree on t's parent and moves the branch to it only if
 * it still points where t found it: ParentCommitIdOutdatedException when
 * the branch moved (or appeared) meanwhile.  A new branch in a repository
 * whose HEAD names no branch becomes the default.
 */
int cc_commit_write(git_oid *out, struct cc_git *g, struct aws_call *c, struct cc_target *t,
		    const git_oid *tree, const struct cc_author *a, const char *message,
		    struct err *e);

/* ---- building trees (tree_edit.c) --------------------------------------------------- */

enum cc_change_kind { CC_CHANGE_PUT, CC_CHANGE_DELETE, CC_CHANGE_MODE };

/* One change of a commit being built. */
struct cc_change {
	enum cc_change_kind kind;
	const char *path;      /* canonical (cc_path_clean) */
	const char *data;      /* PUT: the content, borrowed; may hold NUL bytes */
	size_t len;            /* bytes of data */
	const char *src;       /* PUT: copy this file of the parent instead of data */
	git_filemode_t mode;   /* PUT, MODE: the mode wanted; 0 for PUT: keep the file's
				* (or the source's), NORMAL for a new file */
	/* filled in by cc_tree_build() */
	bool existed;          /* a file was at path in the parent */
	git_oid old_id, new_id;
	git_filemode_t old_mode, new_mode;
};

/*
 * The tree of t's parent with the changes applied; the changes name
 * distinct paths.  Every path is checked against the parent's tree first:
 * FileDoesNotExistException, FileNameConflictsWithDirectoryNameException,
 * DirectoryNameConflictsWithFileNameException,
 * FilePathConflictsWithSubmodulePathException.  keep_empty: a folder that
 * the deletions leave empty keeps an empty .gitkeep file, as CodeCommit's
 * keepEmptyFolders does; otherwise it goes, as in Git.
 */
int cc_tree_build(git_oid *out, struct cc_git *g, struct aws_call *c, const struct cc_target *t,
		  struct cc_change *ch, size_t n, bool keep_empty, struct err *e);

#endif
