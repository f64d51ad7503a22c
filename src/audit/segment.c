/*
 * segment.c - the trail's segment files: the frame each event is written
 * as, the files' names, a buffered reader that walks a file frame by frame
 * (verify, export, pruning) and the lock readers hold so that the writer
 * does not delete a file under them.  A file is read as hostile: a frame
 * that runs past the committed end is reported, never followed.  Writing
 * is trail.c's.  The layout is described in audit_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "audit_int.h"

#define READ_BLOCK (1 << 20) /* bytes read at a time */

static void put_u32(unsigned char *p, uint32_t v);
static void put_u64(unsigned char *p, uint64_t v);
static uint32_t get_u32(const unsigned char *p);
static uint64_t get_u64(const unsigned char *p);
static int fill(struct seg_reader *r, size_t need, struct err *e);

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void audit__frame_put(unsigned char out[FRAME_HDR], const struct frame *f)
{
	put_u32(out, f->len);
	put_u64(out + 4, (uint64_t)f->seq);
	put_u64(out + 12, (uint64_t)f->time);
	memcpy(out + 20, f->hash, 32);
}

void audit__frame_get(struct frame *f, const unsigned char in[FRAME_HDR])
{
	f->len = get_u32(in);
	f->seq = (int64_t)get_u64(in + 4);
	f->time = (int64_t)get_u64(in + 12);
	memcpy(f->hash, in + 20, 32);
}

void audit__seg_name(char *out, size_t outsz, int64_t first)
{
	snprintf(out, outsz, "audit/events-%020lld.seg", (long long)first);
}

char *audit__seg_path(const char *dir, int64_t first)
{
	char name[64];

	audit__seg_name(name, sizeof(name), first);
	return audit__path(dir, name);
}

int audit__seg_open(struct seg_reader *r, const char *dir, int64_t first, int64_t start,
		    int64_t end, struct err *e)
{
	char *path = audit__seg_path(dir, first);

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (path == NULL)
		return err_oom(e);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int rc = errno == ENOENT ? CC_ENOTFOUND : CC_ERROR;

		err_set(e, rc, NULL, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	r->pos = start;
	r->end = end;
	r->bad = start < 0 || end < start || end > SEG_SIZE_LIMIT;
	return 0;
}

/* at least need bytes of the file from r->pos in buf (fewer at the end of the file) */
static int fill(struct seg_reader *r, size_t need, struct err *e)
{
	if (r->len - r->off >= need)
		return 0;
	if (r->off > 0) { /* what is left to the front */
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (need > r->cap) {
		size_t cap = need > READ_BLOCK ? need : READ_BLOCK;
		unsigned char *p = realloc(r->buf, cap);

		if (p == NULL)
			return err_oom(e);
		r->buf = p;
		r->cap = cap;
	}
	while (r->len < need) {
		int64_t at = r->pos + (int64_t)r->len;
		size_t want = r->cap - r->len;
		ssize_t got;

		if (at >= r->end)
			break;
		if ((int64_t)want > r->end - at)
			want = (size_t)(r->end - at);
		got = pread(r->fd, r->buf + r->len, want, at);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return err_set(e, CC_ERROR, NULL, "audit: reading a segment: %s",
				       strerror(errno));
		if (got == 0)
			break; /* the file is shorter than its committed size */
		r->len += (size_t)got;
	}
	return 0;
}

int audit__seg_next(struct seg_reader *r, struct frame *f, const char **rec, int64_t *at,
		    struct err *e)
{
	int rc;

	if (r->bad)
		return CC_ECONFLICT;
	if (r->pos >= r->end)
		return 0;
	if ((rc = fill(r, FRAME_HDR, e)) < 0)
		return rc;
	if (r->len - r->off < FRAME_HDR)
		return CC_ECONFLICT;
	audit__frame_get(f, r->buf + r->off);
	if (f->len > AUDIT_RECORD_MAX || r->end - r->pos < FRAME_HDR + (int64_t)f->len)
		return CC_ECONFLICT;
	if ((rc = fill(r, FRAME_HDR + f->len, e)) < 0)
		return rc;
	if (r->len - r->off < FRAME_HDR + f->len)
		return CC_ECONFLICT;
	*rec = (const char *)r->buf + r->off + FRAME_HDR;
	*at = r->pos;
	r->off += FRAME_HDR + f->len;
	r->pos += FRAME_HDR + f->len;
	return 1;
}

void audit__seg_close(struct seg_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

int audit__readers_lock(const char *dir)
{
	char *path = audit__path(dir, AUDIT_READERS);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	free(path);
	if (fd >= 0 && flock(fd, LOCK_SH) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void audit__readers_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with it */
}

int audit__seg_pwrite(int fd, const void *data, size_t n, int64_t at)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CC_ERROR;
		p += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

/* DIR/audit's entries made durable (a new segment file's name) */
void audit__seg_dir_sync(const char *dir)
{
	char *path = audit__path(dir, "audit");
	int fd = path ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(path);
}
