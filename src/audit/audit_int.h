/*
 * audit_int.h - private to src/audit: the trail's layout on disk, which
 * trail.c writes and lookup.c, verify.c and legacy.c read.
 *
 * Schema 3 (this one):
 *   DIR/audit/events-<first seq, 20 digits>.seg  segment files: the events,
 *       one frame each (below), in sequence order, appended and never
 *       rewritten; a new one is started past SEG_MAX bytes
 *   DIR/audit.db  SQLite: `segments` (each file's committed size, its last
 *       event and the chain's hash there, and where its unpruned events
 *       start), `chunks` (the index LookupEvents searches: one row per
 *       account per batch written, packing a small entry per event that
 *       says where its frame is), `digests` and `meta` (version, anchor).
 * Schemas 1 and 2 kept each event as a row of an `events` table with its
 * record; trail.c moves such a trail into segments when it opens it, and
 * legacy.c verifies and exports one that was not opened since.
 */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include <sqlite3.h>
#include <openssl/evp.h>

#include "audit.h"

#define AUDIT_DB "audit.db"
#define AUDIT_KEY "audit/signing.key"
#define AUDIT_PUB "audit/signing.pub"
#define AUDIT_READERS "audit/readers.lock" /* flock'd shared by readers of segment files */
#define AUDIT_DIGEST_TAG "commitd-audit-digest-v1"

/* hash = SHA-256(prev || record); 0 or CC_ERROR.  ctx: one to reuse, or NULL */
int audit__chain(EVP_MD_CTX *ctx, unsigned char out[32], const unsigned char prev[32],
		 const char *rec, size_t n);
/* the bytes a digest signs */
void audit__digest_text(struct buf *out, int64_t seq, const unsigned char hash[32], int64_t t);
/* DIR/name, malloc'd */
char *audit__path(const char *dir, const char *name);
/* opens DIR/audit.db read-only, for lookups from other processes */
int audit__open_ro(sqlite3 **db, const char *dir, struct err *e);
/* waits until every event queued so far is written (lookups see them) */
void audit__flush(struct audit *a);
/* the running trail's read-only connection, held until audit__reader_done;
 * the writer deletes no segment file meanwhile */
sqlite3 *audit__reader(struct audit *a);
void audit__reader_done(struct audit *a);
const char *audit__dir(const struct audit *a);
/* the anchor: the last pruned event (seq 0 and zero hash when none) */
int audit__anchor(sqlite3 *db, int64_t *seq, unsigned char hash[32]);
/* does db hold table name? */
bool audit__has_table(sqlite3 *db, const char *name);

/* ---- segment files (segment.c) ---------------------------------------- */

#define SEG_MAX (64LL << 20)   /* bytes; a batch that passes it ends its file (default) */
#define FRAME_HDR 52           /* bytes before each record */
/* bounds no real trail reaches: an index row past them is damaged, and
 * arithmetic on what is read stays clear of overflow */
#define SEQ_LIMIT (1LL << 53)
#define SEG_SIZE_LIMIT (1LL << 48)

/*
 * A frame: the record's length (u32), its sequence number and eventTime
 * (i64), the chain's hash after it (32 bytes), all little-endian, then the
 * record's bytes, exactly those hashed.
 */
struct frame {
	int64_t seq, time;
	uint32_t len;               /* bytes of record, at most AUDIT_RECORD_MAX */
	unsigned char hash[32];
};

void audit__frame_put(unsigned char out[FRAME_HDR], const struct frame *f);
void audit__frame_get(struct frame *f, const unsigned char in[FRAME_HDR]);
/* "audit/events-%020lld.seg" of the segment whose first event is first */
void audit__seg_name(char *out, size_t outsz, int64_t first);
/* DIR/that name, malloc'd */
char *audit__seg_path(const char *dir, int64_t first);

/* a segment file read from start to end (its committed size), frame by frame */
struct seg_reader {
	int fd;
	int64_t pos, end;           /* file offsets: the next frame, the end */
	unsigned char *buf;
	size_t cap, off, len;       /* buf[off, len) holds the file from pos on */
	bool bad;                   /* start and end make no sense: damaged */
};
/* 0, or CC_ENOTFOUND (no such file), or CC_ERROR with e set */
int audit__seg_open(struct seg_reader *r, const char *dir, int64_t first, int64_t start,
		    int64_t end, struct err *e);
/*
 * The next frame: 1 with *f and *rec (valid until the next call) and *at
 * (its offset); 0 at the end; CC_ECONFLICT when the file ends before end or
 * a frame's length runs past it (damaged or cut short); CC_ERROR on a read
 * error (e set).
 */
int audit__seg_next(struct seg_reader *r, struct frame *f, const char **rec, int64_t *at,
		    struct err *e);
void audit__seg_close(struct seg_reader *r);
/* all of data at offset at: 0, or CC_ERROR with errno set */
int audit__seg_pwrite(int fd, const void *data, size_t n, int64_t at);
/* DIR/audit's entries made durable (a new segment file's name) */
void audit__seg_dir_sync(const char *dir);

/* readers of segment files hold DIR/audit/readers.lock shared: the writer
 * deletes a pruned segment only when it can hold it alone.  -1 when the
 * lock cannot be had (an old trail): read without it. */
int audit__readers_lock(const char *dir);
void audit__readers_unlock(int fd);

/* ---- index chunks (chunk.c) -------------------------------------------- */

#define CHUNK_MAX 4096       /* events of one chunk */
#define CHUNK_SPAN 3600      /* seconds between a chunk's oldest and newest eventTime */

enum { IX_EVENT_ID, IX_NAME, IX_SOURCE, IX_USER, IX_KEY, IX_RESOURCE, IX_TYPE, IX_FIELDS };

/* one event of a chunk, as decoded: the strings point into the chunk */
struct ientry {
	int64_t seq, time, off;     /* off: its frame's offset in the chunk's segment */
	uint32_t len;               /* its record's bytes */
	bool read_only;
	const char *f[IX_FIELDS];   /* not NUL-terminated: fn[] bytes each */
	uint16_t fn[IX_FIELDS];
};

/* a chunk being built: one account's events of one batch, in seq order */
struct chunk {
	char account[13];
	int64_t segment;            /* first seq of the segment its frames are in */
	int64_t seq_lo, seq_hi, time_lo, time_hi;
	uint32_t n;                 /* events */
	struct buf data;            /* the packed entries */
	size_t prev[IX_FIELDS];     /* where the last entry's fields are in data */
	uint16_t prevn[IX_FIELDS];
};

/* the chunks of one batch: each account's open one found by a small hash */
struct chunkset {
	struct chunk *c;
	size_t n, cap;
	int32_t slot[1024];         /* index into c + 1, 0: empty */
};

void audit__chunks_init(struct chunkset *cs);
/* empties cs for the next batch, keeping memory */
void audit__chunks_reset(struct chunkset *cs);
void audit__chunks_release(struct chunkset *cs);
/* adds an event; CC_ERROR on OOM */
int audit__chunks_add(struct chunkset *cs, const struct audit_entry *h, int64_t segment,
		      int64_t seq, int64_t off, uint32_t len);
/* INSERTs every chunk of cs into db; 0 or CC_ERROR */
int audit__chunks_insert(sqlite3 *db, const struct chunkset *cs);
/* the next entry of a chunk's packed data: 1, 0 at its end, CC_ECONFLICT when malformed */
int audit__chunk_next(struct ientry *e, const unsigned char **cur, const unsigned char *end);
/* does e's resource match v (the ARN, or its last part after '/' or ':')? */
bool audit__resource_match(const struct ientry *e, const char *v, size_t vn);
/* the eventID the index gives event seq, fit for a terminal ("?" when none) */
void audit__event_id(char *out, size_t outsz, sqlite3 *db, int64_t seq);

/* ---- schema 3's tables, and moving a trail of schema 1 or 2 into it (migrate.c) ---- */

#define SCHEMA_VERSION 3
extern const char audit__schema[];
/* the events table of db (schema 1 or 2) moved into DIR's segment files and
 * chunks, in one transaction: 0, or CC_ERROR with e set and nothing changed */
int audit__migrate(sqlite3 *db, const char *dir, struct err *e);

/* ---- schemas 1 and 2 (legacy.c) ----------------------------------------- */

int audit__verify_v2(sqlite3 *db, EVP_PKEY *key, struct buf *report, struct err *e);
int audit__export_v2(sqlite3 *db, int64_t start, int64_t end, FILE *out, struct err *e);

/* shared by verify.c and legacy.c */
bool audit__signature_ok(EVP_PKEY *k, int64_t seq, const unsigned char *hash, int64_t t,
			 const unsigned char *sig, size_t siglen);
int audit__broken(struct buf *report, struct err *e, const char *fmt, ...) CC_PRINTF(3, 4);
void audit__safe_id(char *out, size_t outsz, const unsigned char *id, size_t n);

#endif
