/*
 * hook.c - per-ref push decisions, enforced inside git receive-pack.
 *
 * The server decides every ref update of a push before git runs (smart.c)
 * and writes the decisions to a file named by COMMITD_PUSH_DECISIONS:
 *
 *   A <TAB> refs/heads/feature <LF>                      allowed
 *   D <TAB> refs/heads/main <TAB> why it was refused <LF>  denied
 *
 * git receive-pack runs its `update` hook once per ref before updating it;
 * core.hooksPath points at <data>/hooks, where `update` is a symbolic link
 * to this very binary, and main() comes here when started under that name.
 * A denied ref is not updated, the others are, and git shows the client
 * "! [remote rejected] main -> main (hook declined)" with our reason on the
 * "remote:" line above it.  Anything unexpected refuses: a ref missing from
 * the file, a missing file, a malformed line.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git.h"

#define DECISIONS_MAX (64u << 20)

/* <data>/tmp holds request bodies and push decisions; what a crash left is stale */
static int tmp_dir_reset(const char *data_dir, struct err *e)
{
	struct buf dir = BUF_INIT(0);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	buf_printf(&dir, "%s/tmp", data_dir);
	if (mkdir(buf_cstr(&dir), 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&dir),
			     strerror(errno));
		goto out;
	}
	if ((d = opendir(buf_cstr(&dir))) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "push-", 5) == 0 || strncmp(de->d_name, "body-", 5) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
out:
	buf_release(&dir);
	return rc;
}

int git_hooks_install(const char *data_dir, struct err *e)
{
	struct buf dir = BUF_INIT(0), link = BUF_INIT(0), tmp = BUF_INIT(0);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc = 0;

	if (n <= 0) {
		rc = err_set(e, CC_ERROR, NULL, "cannot find this program's path: %s",
			     strerror(errno));
		goto out;
	}
	exe[n] = '\0';
	buf_printf(&dir, "%s/hooks", data_dir);
	buf_printf(&link, "%s/update", buf_cstr(&dir));
	if (mkdir(buf_cstr(&dir), 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&dir),
			     strerror(errno));
		goto out;
	}
	if ((rc = tmp_dir_reset(data_dir, e)) < 0)
		goto out;
	/* hooks/none: core.hooksPath for a push where every ref is allowed */
	buf_printf(&tmp, "%s/none", buf_cstr(&dir));
	if (mkdir(buf_cstr(&tmp), 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&tmp),
			     strerror(errno));
		goto out;
	}
	buf_clear(&tmp);
	/* replaced atomically: a push in flight sees the old link or the new */
	buf_printf(&tmp, "%s/.update.%d", buf_cstr(&dir), (int)getpid());
	unlink(buf_cstr(&tmp));
	if (symlink(exe, buf_cstr(&tmp)) < 0 || rename(buf_cstr(&tmp), buf_cstr(&link)) < 0) {
		rc = err_set(e, CC_ERROR, NULL, "cannot install the push hook %s: %s",
			     buf_cstr(&link), strerror(errno));
		unlink(buf_cstr(&tmp));
	}
out:
	buf_release(&dir);
	buf_release(&link);
	buf_release(&tmp);
	return rc;
}

static int refuse(const char *ref, const char *why)
{
	fprintf(stderr, "commitd: %s: %s\n", ref, why);
	return 1;
}

int git_hook_update_main(int argc, char **argv)
{
	const char *path = getenv("COMMITD_PUSH_DECISIONS");
	struct buf file = BUF_INIT(DECISIONS_MAX);
	const char *ref, *p, *end;
	struct err e = ERR_INIT;
	size_t reflen;
	int rc = 1;

	if (argc != 4)
		return refuse("?", "the update hook takes a ref, an old and a new commit");
	ref = argv[1];
	reflen = strlen(ref);
	if (path == NULL || file_read(&file, path, &e) < 0)
		return refuse(ref, "push refused: the server's decisions for this push are missing");
	p = file.ptr ? file.ptr : "";
	end = p + file.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *name, *tab;

		if (nl == NULL || nl - p < 3 || p[1] != '\t')
			break;
		name = p + 2;
		tab = memchr(name, '\t', (size_t)(nl - name));
		if ((size_t)((tab ? tab : nl) - name) == reflen && memcmp(name, ref, reflen) == 0) {
			if (p[0] == 'A' && tab == NULL) {
				rc = 0;
			} else {
				fprintf(stderr, "commitd: %.*s\n",
					tab ? (int)(nl - tab - 1) : 20, tab ? tab + 1 : "refused");
				rc = 1;
			}
			buf_release(&file);
			return rc;
		}
		p = nl + 1;
	}
	buf_release(&file);
	return refuse(ref, "push refused: this ref update was not in the push's command list");
}
