/*
 * migrate.c - a trail of schema 1 or 2 (each event a row of `events`,
 * its record and hash among the index columns) moved into schema 3: the
 * rows, in sequence order, become the frames of one segment file and the
 * chunks that index them, in one transaction that also drops `events`.
 * Nothing is recomputed: each record and each stored hash is copied as it
 * is, so a trail altered before it was moved still fails verification at
 * the same event (a hash that is not 32 bytes becomes zeros, which no
 * chain has).  Run by trail.c when the writer opens the trail; the
 * layout is audit_int.h's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_int.h"

static void column(char *out, size_t outsz, sqlite3_stmt *q, int col, bool first_line);
static int move_rows(sqlite3 *db, int fd, int64_t first, int64_t *last, unsigned char hash[32],
		     int64_t *size);

/* a column's text cut to fit out (of "\nA\nB\n", the first line A) */
static void column(char *out, size_t outsz, sqlite3_stmt *q, int col, bool first_line)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	size_t n = s ? (size_t)sqlite3_column_bytes(q, col) : 0;

	if (first_line && n > 0 && s[0] == '\n') {
		const char *nl = memchr(s + 1, '\n', n - 1);

		s++;
		n = nl ? (size_t)(nl - s) : n - 1;
	}
	if (n >= outsz)
		n = outsz - 1;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	out[strnlen(out, n)] = '\0'; /* a NUL inside ends it */
}

static int move_rows(sqlite3 *db, int fd, int64_t first, int64_t *last, unsigned char hash[32],
		     int64_t *size)
{
	sqlite3_stmt *q = NULL;
	struct chunkset cs;
	struct buf out = BUF_INIT(0);
	int64_t off = 0, flushed = 0;
	int rc = CC_ERROR, step;

	audit__chunks_init(&cs);
	if (sqlite3_prepare_v2(db, "SELECT seq, time, event_id, account, event_name, event_source,"
				   " username, access_key_id, read_only, resource_names,"
				   " resource_types, record, hash FROM events ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct audit_entry h = {0};
		struct frame f = {0};
		unsigned char hdr[FRAME_HDR];
		const void *rec = sqlite3_column_blob(q, 11);
		size_t len = rec ? (size_t)sqlite3_column_bytes(q, 11) : 0;

		f.seq = sqlite3_column_int64(q, 0);
		f.time = h.time = sqlite3_column_int64(q, 1);
		if (len > AUDIT_RECORD_MAX)
			len = AUDIT_RECORD_MAX; /* cannot be one of ours: its hash will say so */
		f.len = (uint32_t)len;
		if (sqlite3_column_bytes(q, 12) == 32)
			memcpy(f.hash, sqlite3_column_blob(q, 12), 32);
		column(h.event_id, sizeof(h.event_id), q, 2, false);
		column(h.account, sizeof(h.account), q, 3, false);
		column(h.name, sizeof(h.name), q, 4, false);
		column(h.source, sizeof(h.source), q, 5, false);
		column(h.user, sizeof(h.user), q, 6, false);
		column(h.access_key_id, sizeof(h.access_key_id), q, 7, false);
		h.read_only = sqlite3_column_int(q, 8) != 0;
		column(h.resource, sizeof(h.resource), q, 9, true);
		column(h.resource_type, sizeof(h.resource_type), q, 10, true);
		audit__frame_put(hdr, &f);
		buf_add(&out, hdr, sizeof(hdr));
		if (len)
			buf_add(&out, rec, len);
		/* a seq at or before the anchor (which only tampering makes) is in no chunk */
		if (f.seq >= first && audit__chunks_add(&cs, &h, first, f.seq, off, f.len) < 0)
			goto out;
		off += FRAME_HDR + (int64_t)len;
		*last = f.seq;
		memcpy(hash, f.hash, 32);
		if (out.len >= (1 << 20) || cs.n >= 256) {
			if (buf_failed(&out) || audit__seg_pwrite(fd, out.ptr, out.len, flushed) < 0 ||
			    audit__chunks_insert(db, &cs) < 0)
				goto out;
			flushed += (int64_t)out.len;
			buf_clear(&out);
			audit__chunks_reset(&cs);
		}
	}
	if (step != SQLITE_DONE || buf_failed(&out) ||
	    (out.len && audit__seg_pwrite(fd, out.ptr, out.len, flushed) < 0) ||
	    audit__chunks_insert(db, &cs) < 0 || fdatasync(fd) < 0)
		goto out;
	*size = off;
	rc = 0;
out:
	sqlite3_finalize(q);
	audit__chunks_release(&cs);
	buf_release(&out);
	return rc;
}

int audit__migrate(sqlite3 *db, const char *dir, struct err *e)
{
	unsigned char hash[32];
	int64_t anchor, last, size = 0, n;
	char *path = NULL;
	sqlite3_stmt *q = NULL;
	int fd = -1, rc = CC_ERROR;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, CC_ERROR, NULL, "audit: moving the trail: %s", sqlite3_errmsg(db));
		return CC_ERROR;
	}
	if (audit__anchor(db, &anchor, hash) < 0) {
		err_set(e, CC_ERROR, NULL, "audit: moving the trail: the anchor is corrupt");
		goto out;
	}
	last = anchor;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	else
		n = -1;
	sqlite3_finalize(q);
	log_info("audit: moving the %lld events of '%s/" AUDIT_DB "' into segment files"
		 " (schema %d)", (long long)n, dir, SCHEMA_VERSION);
	if ((path = audit__seg_path(dir, anchor + 1)) == NULL ||
	    (fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		err_set(e, CC_ERROR, NULL, "audit: cannot make %s: %s", path ? path : "a segment",
			strerror(errno));
		goto out;
	}
	audit__seg_dir_sync(dir);
	if (sqlite3_exec(db, audit__schema, NULL, NULL, NULL) != SQLITE_OK ||
	    move_rows(db, fd, anchor + 1, &last, hash, &size) < 0) {
		err_set(e, CC_ERROR, NULL, "audit: moving the trail: %s",
			sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : strerror(errno));
		goto out;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO segments VALUES (?1, ?2, 0, ?3, ?4)", -1, &q,
			       NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_int64(q, 1, anchor + 1);
	sqlite3_bind_int64(q, 2, last > anchor ? last : anchor);
	sqlite3_bind_int64(q, 3, size);
	sqlite3_bind_blob(q, 4, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto sqlerr;
	if (sqlite3_exec(db, "DROP TABLE events; COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_exec(db, "VACUUM", NULL, NULL, NULL); /* the records' pages given back */
	rc = 0;
	goto out;
sqlerr:
	err_set(e, CC_ERROR, NULL, "audit: moving the trail: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(q);
	if (rc < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (path)
			unlink(path);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}
