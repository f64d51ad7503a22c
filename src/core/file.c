/*
 * file.c - whole-file reads and crash-safe writes (temporary file, fsync,
 * rename, fsync of the directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

int file_read(struct buf *out, const char *path, struct err *e)
{
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno == ENOENT ? CC_ENOTFOUND : CC_ERROR, NULL,
			       "cannot open '%s': %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return err_set(e, CC_ERROR, NULL, "cannot read '%s': %s", path,
				       strerror(errno));
		}
		if (buf_add(out, chunk, (size_t)n) < 0) {
			close(fd);
			return err_set(e, CC_ELIMIT, NULL, "'%s' is too large", path);
		}
	}
	close(fd);
	if (out->ptr == NULL)
		buf_add(out, "", 0);
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t n, int mode, struct err *e)
{
	struct buf tmp = BUF_INIT(0);
	const char *p = data;
	char *dir = NULL;
	int fd = -1, rc = CC_ERROR;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (buf_failed(&tmp))
		return err_oom(e);
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err_set(e, CC_ERROR, NULL, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto out;
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, CC_ERROR, NULL, "cannot write '%s': %s", tmp.ptr, strerror(errno));
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		err_set(e, CC_ERROR, NULL, "cannot sync '%s': %s", tmp.ptr, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0) {
		err_set(e, CC_ERROR, NULL, "cannot rename to '%s': %s", path, strerror(errno));
		goto out;
	}
	dir = strdup(path);
	if (dir) {
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	free(dir);
	buf_release(&tmp);
	return rc;
}
