/*
 * repo.c - bare repositories on disk, named by repository id so that a
 * rename touches only metadata: <data>/repos/<account>/<id>.git.  Created
 * and read with libgit2; removed by renaming into <data>/repos/.trash first,
 * so a crash half-way through a delete never leaves half a repository under
 * a live name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "git.h"

bool git_repo_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > GIT_REPO_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	if (len >= 4 && strncasecmp(name + len - 4, ".git", 4) == 0)
		return false;
	return !((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'));
}

/* account ids are 12 digits and repository ids UUIDs: nothing else reaches a path */
static bool id_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
			return false;
	return true;
}

int gitrepo_dir(struct buf *out, const char *data_dir, const char *account, const char *id)
{
	if (!id_ok(account, 12) || !id_ok(id, 36))
		return CC_EINVAL;
	return buf_printf(out, "%s/repos/%s/%s.git", data_dir, account, id);
}

const char *gitrepo_errmsg(void)
{
	const git_error *ge = git_error_last();

	return ge && ge->message ? ge->message : "unknown libgit2 error";
}

int gitrepo_create(const char *data_dir, const char *account, const char *id, struct err *e)
{
	git_repository_init_options opts;
	struct buf dir = BUF_INIT(0), parent = BUF_INIT(0);
	git_repository *r = NULL;
	int rc = 0;

	if (gitrepo_dir(&dir, data_dir, account, id) < 0 ||
	    buf_printf(&parent, "%s/repos/%s", data_dir, account) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "bad repository location");
		goto out;
	}
	if (mkdir(buf_cstr(&parent), 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&parent),
			     strerror(errno));
		goto out;
	}
	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT |
		     GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	opts.mode = GIT_REPOSITORY_INIT_SHARED_UMASK;
	if (git_repository_init_ext(&r, buf_cstr(&dir), &opts) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create repository %s: %s", buf_cstr(&dir),
			     gitrepo_errmsg());
		goto out;
	}
out:
	git_repository_free(r);
	buf_release(&dir);
	buf_release(&parent);
	return rc;
}

static int rm_tree(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR)
			rm_tree(fd, de->d_name);
		else
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int gitrepo_remove(const char *data_dir, const char *account, const char *id, struct err *e)
{
	struct buf dir = BUF_INIT(0), trash = BUF_INIT(0), tdir = BUF_INIT(0);
	int rc = 0;

	if (gitrepo_dir(&dir, data_dir, account, id) < 0 ||
	    buf_printf(&tdir, "%s/repos/.trash", data_dir) < 0 ||
	    buf_printf(&trash, "%s/%s-%s", buf_cstr(&tdir), account, id) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "bad repository location");
		goto out;
	}
	if (mkdir(buf_cstr(&tdir), 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&tdir),
			     strerror(errno));
		goto out;
	}
	if (rename(buf_cstr(&dir), buf_cstr(&trash)) < 0) {
		if (errno != ENOENT)
			rc = err_set(e, CC_ERROR, NULL, "cannot remove %s: %s", buf_cstr(&dir),
				     strerror(errno));
		goto out;
	}
	if (rm_tree(AT_FDCWD, buf_cstr(&trash)) < 0)
		log_warnx("repo: could not delete all of %s: %s", buf_cstr(&trash), strerror(errno));
out:
	buf_release(&dir);
	buf_release(&trash);
	buf_release(&tdir);
	return rc;
}

int gitrepo_default_branch(char *out, size_t outsz, const char *dir, struct err *e)
{
	git_repository *r = NULL;
	git_reference *head = NULL, *target = NULL;
	const char *name;
	int rc = 0;

	out[0] = '\0';
	if (git_repository_open_bare(&r, dir) < 0)
		return err_set(e, CC_ERROR, NULL, "cannot open repository %s: %s", dir,
			       gitrepo_errmsg());
	if (git_reference_lookup(&head, r, "HEAD") < 0 ||
	    git_reference_type(head) != GIT_REFERENCE_SYMBOLIC)
		goto out;
	name = git_reference_symbolic_target(head);
	if (strncmp(name, "refs/heads/", 11) == 0 &&
	    git_reference_lookup(&target, r, name) == 0)
		snprintf(out, outsz, "%s", name + 11);
out:
	git_reference_free(target);
	git_reference_free(head);
	git_repository_free(r);
	return rc;
}

void gitrepo_fix_head(const char *dir)
{
	static const char *const prefer[] = {"refs/heads/main", "refs/heads/master"};
	git_repository *r = NULL;
	git_reference *head = NULL, *ref = NULL, *newhead = NULL;
	git_reference_iterator *it = NULL;
	char best[1100] = "";
	size_t i;

	if (git_repository_open_bare(&r, dir) < 0)
		return;
	if (git_reference_lookup(&head, r, "HEAD") < 0 ||
	    git_reference_type(head) != GIT_REFERENCE_SYMBOLIC)
		goto out;
	if (git_reference_lookup(&ref, r, git_reference_symbolic_target(head)) == 0)
		goto out; /* HEAD names a branch that exists */
	for (i = 0; i < ARRAY_SIZE(prefer) && best[0] == '\0'; i++) {
		git_reference *p = NULL;

		if (git_reference_lookup(&p, r, prefer[i]) == 0)
			snprintf(best, sizeof(best), "%s", prefer[i]);
		git_reference_free(p);
	}
	if (best[0] == '\0' && git_reference_iterator_glob_new(&it, r, "refs/heads/*") == 0) {
		const char *name;

		while (git_reference_next_name(&name, it) == 0)
			if (best[0] == '\0' || strcmp(name, best) < 0)
				snprintf(best, sizeof(best), "%s", name);
	}
	if (best[0] && git_reference_symbolic_create(&newhead, r, "HEAD", best, 1,
						     "commitd: first branch is the default") < 0)
		log_warnx("repo: cannot point HEAD of %s at %s: %s", dir, best, gitrepo_errmsg());
out:
	git_reference_iterator_free(it);
	git_reference_free(newhead);
	git_reference_free(ref);
	git_reference_free(head);
	git_repository_free(r);
}
