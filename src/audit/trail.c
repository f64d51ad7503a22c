/*
 * trail.c - the audit trail's writer: a queue that audit_emit() appends to
 * without touching the disk, and one thread that writes what is queued a
 * batch at a time: the events' frames appended to the current segment
 * file with a few large writes and made durable with one fdatasync, then
 * one SQLite transaction that indexes the batch (a chunk per account, not
 * a row per event), commits the segment's new size and adds the signed
 * digests due every AUDIT_DIGEST_EVERY events.  It prunes what retention
 * no longer keeps (up to a signed digest, which stays as the proof of the
 * new anchor) and deletes a segment file once no reader holds it.  One
 * process writes a trail (a lock file says which).  It does not read
 * events back: lookup.c and verify.c do.  The contract is audit.h; the
 * layout, audit_int.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "audit_int.h"

#define BATCH_WAKE 2000      /* queued events that make a batch before AUDIT_FLUSH_MS */
#define PRUNE_EVERY 3600     /* seconds between retention passes */
#define AUDIT_LOCK "audit/writer.lock" /* flock'd by the one process that writes */
#define WRITE_TRIES 3        /* attempts at one batch before its events are lost */
#define RETENTION_MAX 365000 /* days; more is "keep everything" (and no overflow) */
#define OUT_FLUSH (1 << 20)  /* bytes of frames gathered before a write(2) */

/*
 * The queue is a list of blocks that events are copied into, each a
 * struct slot followed by its record's text; the writer hands written
 * blocks back for reuse.  So a request thread allocates nothing per event,
 * and nothing it allocated is freed by another thread (which made glibc
 * trim and refault the request threads' arenas: bench/audit.sh).
 */
#define BLOCK_SIZE (256 * 1024)
#define BLOCKS_KEPT 64 /* spare blocks kept for reuse: 16 MiB */

struct slot {
	struct audit_entry h;
	size_t len;   /* the record's bytes, followed by a NUL */
	char text[];
};

struct block {
	struct block *next;
	size_t cap, used; /* bytes of data */
	_Alignas(max_align_t) char data[];
};

/* a digest due in the batch being written: signed as the batch commits */
struct due {
	int64_t seq;
	unsigned char hash[32];
};

struct audit {
	sqlite3 *db;            /* the writer thread's */
	sqlite3 *rdb;           /* lookups', read only, under rmu */
	pthread_mutex_t rmu;    /* held by a lookup; the writer deletes no file meanwhile */
	EVP_PKEY *key;
	char *dir;
	int lock_fd;            /* DIR/audit/writer.lock, flock'd: one writer per trail */
	int readers_fd;         /* DIR/audit/readers.lock: held alone to delete a segment */
	int64_t retention_days, last_prune;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, written_cv, room; /* wake waits on CLOCK_MONOTONIC */
	struct block *head, *tail; /* what is queued */
	struct block *spare;        /* written blocks, for reuse */
	size_t n, nspare;
	uint64_t queued, written; /* events ever queued and ever written (or lost) */
	uint64_t flush_to;        /* audit__flush waits for the events up to here */
	struct timespec first_at; /* CLOCK_MONOTONIC: when the oldest queued event came */
	bool stop;
	/* the writer's own state: the chain's newest event, and where the next frame goes */
	int64_t seq, since_digest;
	unsigned char hash[32];
	int seg_fd;             /* the current segment file */
	int64_t seg_first;      /* its name: the seq of its first event */
	int64_t seg_size;       /* its committed bytes: the next frame's offset */
	int64_t seg_max;        /* bytes past which the next batch starts a new one */
	bool seg_new;           /* its row is not in `segments` yet */
	bool sweep_due;         /* pruned files wait for readers to let go */
	struct buf out;         /* frames on their way to the file */
	struct chunkset chunks; /* the batch's index */
	EVP_MD_CTX *md;         /* the chain's, reused */
	struct due *due;
	size_t ndue, capdue;
};

const char audit__schema[] =
	"CREATE TABLE IF NOT EXISTS segments ("
	"  first_seq INTEGER PRIMARY KEY," /* names the file: the seq of its first event */
	"  last_seq INTEGER NOT NULL,"     /* its last committed event; first_seq - 1: none */
	"  start INTEGER NOT NULL,"        /* the offset of its first unpruned frame */
	"  size INTEGER NOT NULL,"         /* its committed bytes */
	"  hash BLOB NOT NULL);"           /* the chain's hash after last_seq */
	"CREATE TABLE IF NOT EXISTS chunks ("
	"  id INTEGER PRIMARY KEY,"
	"  account TEXT NOT NULL,"
	"  time_lo INTEGER NOT NULL, time_hi INTEGER NOT NULL,"
	"  seq_lo INTEGER NOT NULL, seq_hi INTEGER NOT NULL,"
	"  segment INTEGER NOT NULL,"      /* first_seq of the segment its frames are in */
	"  n INTEGER NOT NULL,"
	"  entries BLOB NOT NULL);"        /* chunk.c */
	"CREATE INDEX IF NOT EXISTS chunks_account_time ON chunks(account, time_hi);"
	"CREATE INDEX IF NOT EXISTS chunks_seq ON chunks(seq_hi);"
	"CREATE TABLE IF NOT EXISTS pruned_files (first_seq INTEGER PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS digests ("
	"  seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, time INTEGER NOT NULL,"
	"  signature BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT OR REPLACE INTO meta VALUES ('version', '3');";

static int lock_trail(struct audit *a, struct err *e);
static int pem_write(const char *path, EVP_PKEY *k, bool private, struct err *e);
static EVP_PKEY *pem_read(const char *path, bool private, struct err *e);
static int load_key(struct audit *a, struct err *e);
static int exec(sqlite3 *db, const char *sql);
static int sign_digest(struct audit *a, int64_t seq, const unsigned char hash[32], int64_t now);
static int64_t one_int(sqlite3 *db, const char *sql, int64_t arg, int64_t none);
static int seg_roll(struct audit *a);
static int prune_walk(struct audit *a, int64_t anchor, int64_t limit, int64_t *cut,
		      unsigned char hash[32], int64_t *cut_seg, int64_t *next_off);
static int prune_txn(struct audit *a, int64_t limit, int64_t *cut_out);
static void prune(struct audit *a, int64_t now);
static void sweep(struct audit *a);
static int frames_write(struct audit *a, const struct block *list, int64_t *end);
static int index_commit(struct audit *a, int64_t end);
static int write_batch(struct audit *a, const struct block *list);
static void write_or_lose(struct audit *a, const struct block *list, size_t n);
static void *writer(void *arg);
static int schema_check(sqlite3 *db, const char *path, struct err *e);
static int tail_load(struct audit *a);

static EVP_MD *sha256;
static void sha256_fetch(void) { sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

int audit__chain(EVP_MD_CTX *ctx, unsigned char out[32], const unsigned char prev[32],
		 const char *rec, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	EVP_MD_CTX *c = ctx ? ctx : EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	/* fetched once: an implicit fetch per event was 10% of the chain's cost */
	pthread_once(&once, sha256_fetch);
	ok = c && sha256 && EVP_DigestInit_ex2(c, sha256, NULL) == 1 &&
		 EVP_DigestUpdate(c, prev, 32) == 1 && EVP_DigestUpdate(c, rec, n) == 1 &&
		 EVP_DigestFinal_ex(c, out, &len) == 1 && len == 32;

	if (c != ctx)
		EVP_MD_CTX_free(c);
	return ok ? 0 : CC_ERROR;
}

void audit__digest_text(struct buf *out, int64_t seq, const unsigned char hash[32], int64_t t)
{
	char hex[65];

	hex_encode(hex, hash, 32);
	buf_printf(out, AUDIT_DIGEST_TAG "\n%lld\n%s\n%lld\n", (long long)seq, hex, (long long)t);
}

char *audit__path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int audit__anchor(sqlite3 *db, int64_t *seq, unsigned char hash[32])
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	*seq = 0;
	memset(hash, 0, 32);
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta WHERE key IN ('anchor_seq',"
				   " 'anchor_hash')", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		const char *v = (const char *)sqlite3_column_text(q, 1);

		if (k && v && strcmp(k, "anchor_seq") == 0) {
			if (parse_i64(v, strlen(v), 0, SEQ_LIMIT, seq) < 0)
				rc = CC_ERROR;
		} else if (k && v && (strlen(v) != 64 || hex_decode(hash, 32, v, 64) != 32))
			rc = CC_ERROR;
	}
	sqlite3_finalize(q);
	return rc;
}

int audit__open_ro(sqlite3 **db, const char *dir, struct err *e)
{
	char *path = audit__path(dir, AUDIT_DB);
	struct stat sb;

	*db = NULL;
	if (path == NULL)
		return err_oom(e);
	if (stat(path, &sb) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: no audit trail here (%s)", path, strerror(errno));
		free(path);
		return CC_ERROR;
	}
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
		sqlite3_close(*db);
		*db = NULL;
		free(path);
		return CC_ERROR;
	}
	sqlite3_busy_timeout(*db, 5000);
	free(path);
	return 0;
}

/* one writer per trail: a second server on the same data directory would
 * fork the chain (and lose its events to the first one's sequence numbers) */
static int lock_trail(struct audit *a, struct err *e)
{
	char *dir = audit__path(a->dir, "audit"), *lp = audit__path(a->dir, AUDIT_LOCK);
	int rc = CC_ERROR;

	if (!dir || !lp) {
		rc = err_oom(e);
		goto out;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(e, CC_ERROR, NULL, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	a->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (a->lock_fd < 0) {
		err_set(e, CC_ERROR, NULL, "cannot open %s: %s", lp, strerror(errno));
		goto out;
	}
	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", lp,
			errno == EWOULDBLOCK ? "another commitd is writing this audit trail"
					     : strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(dir);
	free(lp);
	return rc;
}

static int pem_write(const char *path, EVP_PKEY *k, bool private, struct err *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n = 0;
	int rc = CC_ERROR;

	if (b && (private ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
			  : PEM_write_bio_PUBKEY(b, k)) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0)
		rc = file_write_atomic(path, data, (size_t)n, private ? 0600 : 0644, e);
	else
		err_set(e, CC_ERROR, NULL, "cannot encode %s", path);
	if (data && n > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
	return rc;
}

static EVP_PKEY *pem_read(const char *path, bool private, struct err *e)
{
	struct buf text = BUF_INIT(1 << 16);
	BIO *b = NULL;
	EVP_PKEY *k = NULL;

	if (file_read(&text, path, e) < 0)
		goto out;
	if ((b = BIO_new_mem_buf(text.ptr, (int)text.len)) != NULL)
		k = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)
			    : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	if (k == NULL || !EVP_PKEY_is_a(k, "ED25519")) {
		err_set(e, CC_ERROR, NULL, "%s is not an Ed25519 %s key", path,
			private ? "private" : "public");
		EVP_PKEY_free(k);
		k = NULL;
	}
out:
	BIO_free(b);
	if (text.ptr)
		mem_wipe(text.ptr, text.len);
	buf_release(&text);
	return k;
}

/* the signing key, made on first use (Ed25519, PEM, 0600; the public key beside it) */
static int load_key(struct audit *a, struct err *e)
{
	char *kp = audit__path(a->dir, AUDIT_KEY), *pp = audit__path(a->dir, AUDIT_PUB);
	EVP_PKEY *pub = NULL;
	struct err e2 = ERR_INIT;
	int rc = CC_ERROR;

	if (!kp || !pp) {
		rc = err_oom(e);
		goto out;
	}
	if (access(kp, F_OK) == 0) {
		if ((a->key = pem_read(kp, true, e)) == NULL)
			goto out;
	} else if (errno != ENOENT) {
		err_set(e, CC_ERROR, NULL, "%s: %s", kp, strerror(errno));
		goto out;
	} else {
		if ((a->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
			err_set(e, CC_ERROR, NULL, "cannot make the audit signing key");
			goto out;
		}
		if (pem_write(kp, a->key, true, e) < 0)
			goto out;
		log_info("audit: made the trail's signing key '%s'", kp);
	}
	/* the public key: written when missing; one that is not the key's own is
	 * kept (it is evidence) but said, since every digest will fail against it */
	if (access(pp, F_OK) != 0) {
		if (pem_write(pp, a->key, false, e) < 0)
			goto out;
	} else if ((pub = pem_read(pp, false, &e2)) == NULL || EVP_PKEY_eq(pub, a->key) != 1) {
		log_warnx("audit: '%s' is not the public half of '%s': verify will fail", pp, kp);
	}
	rc = 0;
out:
	EVP_PKEY_free(pub);
	free(kp);
	free(pp);
	return rc;
}

bool audit__has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *q = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(q) == SQLITE_ROW;
	}
	sqlite3_finalize(q);
	return found;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : CC_ERROR;
}

static int sign_digest(struct audit *a, int64_t seq, const unsigned char hash[32], int64_t now)
{
	struct buf text = BUF_INIT(0);
	unsigned char sig[64];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	sqlite3_stmt *q = NULL;
	int rc = CC_ERROR;

	audit__digest_text(&text, seq, hash, now);
	if (c == NULL || buf_failed(&text) ||
	    EVP_DigestSignInit_ex(c, NULL, NULL, NULL, NULL, a->key, NULL) != 1 ||
	    EVP_DigestSign(c, sig, &siglen, (unsigned char *)text.ptr, text.len) != 1)
		goto out;
	if (sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?)", -1, &q,
			       NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_blob(q, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_blob(q, 4, sig, (int)siglen, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(q);
	EVP_MD_CTX_free(c);
	buf_release(&text);
	return rc;
}

static int64_t one_int(sqlite3 *db, const char *sql, int64_t arg, int64_t none)
{
	sqlite3_stmt *q = NULL;
	int64_t v = none;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, arg);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_INTEGER)
			v = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return v;
}

/* a new segment file for the events from a->seq + 1 on; its row comes with its first batch */
static int seg_roll(struct audit *a)
{
	char *path = audit__seg_path(a->dir, a->seq + 1);
	int fd = path ? open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;

	if (fd < 0) {
		log_warn("audit: cannot make the segment '%s'", path ? path : "?");
		free(path);
		return CC_ERROR;
	}
	free(path);
	audit__seg_dir_sync(a->dir);
	if (a->seg_fd >= 0)
		close(a->seg_fd);
	a->seg_fd = fd;
	a->seg_first = a->seq + 1;
	a->seg_size = 0;
	a->seg_new = true;
	return 0;
}

/*
 * The run of old events (eventTime before limit) from the anchor on, read
 * from the segments: *cut is the last of them a signed digest covers (0:
 * none), with its hash, its segment and the offset of the frame after it.
 * The chain is hashed on the way: the run ends before an event that does
 * not follow from the one before, so pruning never deletes the evidence of
 * an alteration (verify reports it).
 */
static int prune_walk(struct audit *a, int64_t anchor, int64_t limit, int64_t *cut,
		      unsigned char hash[32], int64_t *cut_seg, int64_t *next_off)
{
	sqlite3_stmt *segs = NULL, *dig = NULL;
	struct err e = ERR_INIT;
	unsigned char prev[32], h[32];
	int64_t next_digest, seq = anchor;
	bool old = true;
	int rc = 0;

	*cut = 0;
	memcpy(prev, hash, 32); /* the anchor's */
	if (sqlite3_prepare_v2(a->db, "SELECT first_seq, start, size FROM segments ORDER BY first_seq",
			       -1, &segs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(a->db, "SELECT min(seq) FROM digests WHERE seq > ?1", -1, &dig,
			       NULL) != SQLITE_OK) {
		rc = CC_ERROR;
		goto out;
	}
	sqlite3_bind_int64(dig, 1, anchor);
	next_digest = sqlite3_step(dig) == SQLITE_ROW ? sqlite3_column_int64(dig, 0) : 0;
	while (old && next_digest > 0 && sqlite3_step(segs) == SQLITE_ROW) {
		struct seg_reader r;
		struct frame f;
		const char *rec;
		int64_t at, first = sqlite3_column_int64(segs, 0);
		int step;

		if (audit__seg_open(&r, a->dir, first, sqlite3_column_int64(segs, 1),
				    sqlite3_column_int64(segs, 2), &e) < 0)
			break; /* a missing file: pruning stops short of it */
		while ((step = audit__seg_next(&r, &f, &rec, &at, &e)) == 1) {
			if (f.time >= limit) {
				old = false;
				break;
			}
			if (f.seq != seq + 1 || audit__chain(a->md, h, prev, rec, f.len) < 0 ||
			    memcmp(h, f.hash, 32) != 0) {
				log_warnx("audit: not pruning past event %lld: the chain is broken"
					  " there (run commitd audit verify)", (long long)seq);
				old = false;
				break;
			}
			seq = f.seq;
			memcpy(prev, h, 32);
			if (f.seq != next_digest)
				continue;
			*cut = f.seq;
			memcpy(hash, f.hash, 32);
			*cut_seg = first;
			*next_off = at + FRAME_HDR + f.len;
			sqlite3_reset(dig);
			sqlite3_bind_int64(dig, 1, f.seq);
			next_digest = sqlite3_step(dig) == SQLITE_ROW ? sqlite3_column_int64(dig, 0) : 0;
			if (next_digest == 0)
				break;
		}
		audit__seg_close(&r);
		if (step < 0) /* damage: pruning stops short of it (verify says more) */
			break;
	}
out:
	sqlite3_finalize(segs);
	sqlite3_finalize(dig);
	return rc;
}

/*
 * The oldest events past retention go, as a prefix of the chain that ends
 * at a signed digest: the digest stays as the proof of the new anchor (its
 * seq and hash), so that `audit verify` can tell pruning from someone
 * deleting the oldest events.  What goes is the longest run of old events
 * from the anchor on, cut back to its last digest: a few more events than
 * the retention asks may stay, never fewer.  Their index chunks go (a chunk
 * that also holds newer events stays until they go: lookups skip what is
 * not past the anchor), and so do the segment files that hold nothing
 * newer, once no reader holds them (sweep).
 */
static int prune_txn(struct audit *a, int64_t limit, int64_t *cut_out)
{
	sqlite3_stmt *q = NULL;
	unsigned char hash[32], dh[32];
	char hex[65], num[24];
	int64_t anchor, cut = 0, cut_seg = 0, next_off = 0;
	int step;

	*cut_out = 0;
	if (audit__anchor(a->db, &anchor, hash) < 0 ||
	    prune_walk(a, anchor, limit, &cut, hash, &cut_seg, &next_off) < 0)
		return CC_ERROR;
	if (cut <= anchor)
		return 0;
	/* the anchor is the digest's event: the two must agree, or the chain was
	 * altered there and pruning would destroy the evidence */
	if (sqlite3_prepare_v2(a->db, "SELECT hash FROM digests WHERE seq = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32)
		memcpy(dh, sqlite3_column_blob(q, 0), 32);
	else
		step = SQLITE_ERROR;
	sqlite3_finalize(q);
	if (step != SQLITE_ROW || memcmp(hash, dh, 32) != 0) {
		log_warnx("audit: not pruning: event %lld does not match its signed digest"
			  " (run commitd audit verify)", (long long)cut);
		return CC_ERROR;
	}
	hex_encode(hex, hash, 32);
	snprintf(num, sizeof(num), "%lld", (long long)cut);
	if (sqlite3_prepare_v2(a->db, "UPDATE segments SET start = ?2 WHERE first_seq = ?1", -1, &q,
			       NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut_seg);
	sqlite3_bind_int64(q, 2, next_off);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE ||
	    sqlite3_prepare_v2(a->db, "INSERT OR IGNORE INTO pruned_files SELECT first_seq FROM"
				      " segments WHERE last_seq <= ?1 AND first_seq <> ?2", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut);
	sqlite3_bind_int64(q, 2, a->seg_first);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE)
		return CC_ERROR;
	{
		static const char *const dels[] = {
			"DELETE FROM segments WHERE last_seq <= ?1 AND first_seq <> ?2",
			"DELETE FROM chunks WHERE seq_hi <= ?1",
			"DELETE FROM digests WHERE seq < ?1",
		};

		for (size_t i = 0; i < ARRAY_SIZE(dels); i++) {
			if (sqlite3_prepare_v2(a->db, dels[i], -1, &q, NULL) != SQLITE_OK)
				return CC_ERROR;
			sqlite3_bind_int64(q, 1, cut);
			if (i == 0)
				sqlite3_bind_int64(q, 2, a->seg_first);
			step = sqlite3_step(q);
			sqlite3_finalize(q);
			if (step != SQLITE_DONE)
				return CC_ERROR;
		}
	}
	if (sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO meta VALUES ('anchor_seq', ?1),"
				      " ('anchor_hash', ?2)", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_text(q, 1, num, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, hex, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE)
		return CC_ERROR;
	*cut_out = cut;
	return 0;
}

static void prune(struct audit *a, int64_t now)
{
	int64_t cut = 0;

	a->last_prune = now;
	if (a->retention_days <= 0 || a->retention_days > RETENTION_MAX)
		return;
	if (exec(a->db, "BEGIN IMMEDIATE") < 0) {
		log_warnx("audit: pruning failed: %s", sqlite3_errmsg(a->db));
		return;
	}
	if (prune_txn(a, now - a->retention_days * 86400, &cut) < 0 || exec(a->db, "COMMIT") < 0) {
		log_warnx("audit: pruning failed: %s", sqlite3_errmsg(a->db));
		exec(a->db, "ROLLBACK");
		return;
	}
	if (cut) {
		log_info("audit: pruned the events up to %lld (older than %lld days)",
			 (long long)cut, (long long)a->retention_days);
		sweep(a);
	}
}

/*
 * The files of pruned segments deleted, when no reader holds them: not a
 * lookup of this process (rmu), not a verify or export (readers.lock);
 * else at a later batch.
 */
static void sweep(struct audit *a)
{
	sqlite3_stmt *q = NULL, *del = NULL;

	a->sweep_due = true;
	if (pthread_mutex_trylock(&a->rmu) != 0)
		return;
	if (a->readers_fd >= 0 && flock(a->readers_fd, LOCK_EX | LOCK_NB) < 0) {
		pthread_mutex_unlock(&a->rmu);
		return;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT first_seq FROM pruned_files", -1, &q, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(a->db, "DELETE FROM pruned_files WHERE first_seq = ?1", -1, &del,
			       NULL) == SQLITE_OK) {
		a->sweep_due = false;
		while (sqlite3_step(q) == SQLITE_ROW) {
			char *path = audit__seg_path(a->dir, sqlite3_column_int64(q, 0));

			if (!path || (unlink(path) < 0 && errno != ENOENT))
				log_warn("audit: cannot delete the pruned segment '%s'",
					 path ? path : "?");
			free(path);
		}
		/* a row is forgotten only once its file's deletion is durable: a
		 * power loss could otherwise bring back a file no row names */
		audit__seg_dir_sync(a->dir);
		sqlite3_reset(q);
		while (sqlite3_step(q) == SQLITE_ROW) {
			int64_t first = sqlite3_column_int64(q, 0);
			char *path = audit__seg_path(a->dir, first);

			if (path && access(path, F_OK) < 0 && errno == ENOENT) {
				sqlite3_reset(del);
				sqlite3_bind_int64(del, 1, first);
				sqlite3_step(del);
			}
			free(path);
		}
	}
	sqlite3_finalize(q);
	sqlite3_finalize(del);
	if (a->readers_fd >= 0)
		flock(a->readers_fd, LOCK_UN);
	pthread_mutex_unlock(&a->rmu);
}

/* each slot of the blocks from list on, in order */
#define SLOT_SIZE(len) \
	((offsetof(struct slot, text) + (len) + 1 + _Alignof(max_align_t) - 1) & \
	 ~(_Alignof(max_align_t) - 1))
#define FOR_EACH_SLOT(s, b, list) \
	for (const struct block *b = (list); b; b = b->next) \
		for (const struct slot *s = (const void *)b->data; \
		     (const char *)s < b->data + b->used; \
		     s = (const void *)((const char *)s + SLOT_SIZE(s->len)))

/*
 * The batch's frames appended to the segment (a->out gathers them into
 * large writes) and made durable before the index names them; the chain
 * moves on, and the batch's chunks and due digests are gathered.  *end:
 * the segment's size after them.
 */
static int frames_write(struct audit *a, const struct block *list, int64_t *end)
{
	int64_t off = a->seg_size, flushed = a->seg_size;
	unsigned char hdr[FRAME_HDR];

	audit__chunks_reset(&a->chunks);
	a->ndue = 0;
	buf_clear(&a->out);
	FOR_EACH_SLOT(it, b, list) {
		struct frame f = {a->seq + 1, it->h.time, (uint32_t)it->len, {0}};

		if (audit__chain(a->md, f.hash, a->hash, it->text, it->len) < 0)
			return CC_ERROR;
		audit__frame_put(hdr, &f);
		buf_add(&a->out, hdr, sizeof(hdr));
		buf_add(&a->out, it->text, it->len);
		if (audit__chunks_add(&a->chunks, &it->h, a->seg_first, f.seq, off, f.len) < 0)
			return CC_ERROR;
		off += FRAME_HDR + (int64_t)f.len;
		a->seq = f.seq;
		memcpy(a->hash, f.hash, 32);
		if (++a->since_digest >= AUDIT_DIGEST_EVERY) {
			if (a->ndue == a->capdue) {
				size_t cap = a->capdue ? 2 * a->capdue : 8;
				struct due *p = realloc(a->due, cap * sizeof(*p));

				if (p == NULL)
					return CC_ERROR;
				a->due = p;
				a->capdue = cap;
			}
			a->due[a->ndue].seq = f.seq;
			memcpy(a->due[a->ndue++].hash, f.hash, 32);
			a->since_digest = 0;
		}
		if (a->out.len >= OUT_FLUSH) {
			if (buf_failed(&a->out) ||
			    audit__seg_pwrite(a->seg_fd, a->out.ptr, a->out.len, flushed) < 0)
				return CC_ERROR;
			flushed += (int64_t)a->out.len;
			buf_clear(&a->out);
		}
	}
	if (buf_failed(&a->out) ||
	    (a->out.len && audit__seg_pwrite(a->seg_fd, a->out.ptr, a->out.len, flushed) < 0) ||
	    fdatasync(a->seg_fd) < 0)
		return CC_ERROR;
	*end = off;
	return 0;
}

/* the batch indexed and the segment's new end committed, with the digests due */
static int index_commit(struct audit *a, int64_t end)
{
	sqlite3_stmt *q = NULL;
	int64_t now = time_now();
	int step;

	if (exec(a->db, "BEGIN IMMEDIATE") < 0)
		return CC_ERROR;
	if (sqlite3_prepare_v2(a->db, a->seg_new
					      ? "INSERT INTO segments VALUES (?1, ?2, 0, ?3, ?4)"
					      : "UPDATE segments SET last_seq = ?2, size = ?3, hash = ?4"
						" WHERE first_seq = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, a->seg_first);
	sqlite3_bind_int64(q, 2, a->seq);
	sqlite3_bind_int64(q, 3, end);
	sqlite3_bind_blob(q, 4, a->hash, 32, SQLITE_STATIC);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE || sqlite3_changes(a->db) != 1 ||
	    audit__chunks_insert(a->db, &a->chunks) < 0)
		goto fail;
	for (size_t i = 0; i < a->ndue; i++)
		if (sign_digest(a, a->due[i].seq, a->due[i].hash, now) < 0)
			goto fail;
	if (exec(a->db, "COMMIT") == 0)
		return 0;
fail:
	exec(a->db, "ROLLBACK");
	return CC_ERROR;
}

/* one batch: 0, or CC_ERROR with the chain and the segment as they were */
static int write_batch(struct audit *a, const struct block *list)
{
	int64_t seq0 = a->seq, since0 = a->since_digest, end = 0;
	unsigned char hash0[32];

	if (a->seg_fd < 0 || a->seg_size >= a->seg_max) {
		if (seg_roll(a) < 0)
			return CC_ERROR;
	}
	memcpy(hash0, a->hash, 32);
	if (frames_write(a, list, &end) == 0 && index_commit(a, end) == 0) {
		a->seg_size = end;
		a->seg_new = false;
		return 0;
	}
	if (ftruncate(a->seg_fd, a->seg_size) < 0) /* the uncommitted frames */
		log_warn("audit: cannot cut the segment back");
	a->seq = seq0;
	a->since_digest = since0;
	memcpy(a->hash, hash0, 32);
	return CC_ERROR;
}

/* a failed batch is tried again (a lock held elsewhere, a full disk freed) before it is lost */
static void write_or_lose(struct audit *a, const struct block *list, size_t n)
{
	for (int i = 0; i < WRITE_TRIES; i++) {
		struct timespec pause = {0, 200 * 1000000L};
		int err;

		if (write_batch(a, list) == 0)
			return;
		err = errno;
		log_warnx("audit: writing %zu event(s) failed (try %d of %d): %s; %s", n, i + 1,
			  WRITE_TRIES, sqlite3_errmsg(a->db), strerror(err));
		if (i + 1 < WRITE_TRIES)
			nanosleep(&pause, NULL);
	}
	log_warnx("audit: %zu event(s) could not be written: they are lost", n);
}

static void *writer(void *arg)
{
	struct audit *a = arg;

	for (;;) {
		struct block *list, *next;
		struct timespec until;
		size_t n;
		bool stop;

		/* a batch is BATCH_WAKE events, or what came in AUDIT_FLUSH_MS since the
		 * oldest of them (the bound on what a crash loses), or what a lookup
		 * waits for: each batch costs an fdatasync and a transaction, so
		 * taking whatever came while the last one was written made batches of
		 * a few dozen events under load, and the trail cost twice as much */
		pthread_mutex_lock(&a->mu);
		while (!a->stop && a->n < BATCH_WAKE && !(a->n > 0 && a->flush_to > a->written)) {
			if (a->n > 0)
				until = a->first_at;
			else
				clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += AUDIT_FLUSH_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&a->wake, &a->mu, &until) == ETIMEDOUT &&
			    (a->n > 0 || a->sweep_due || a->retention_days > 0))
				break; /* the batch is due, or the idle writer has chores */
		}
		list = a->head;
		n = a->n;
		a->head = a->tail = NULL;
		a->n = 0;
		stop = a->stop;
		pthread_cond_broadcast(&a->room);
		pthread_mutex_unlock(&a->mu);

		if (n > 0)
			write_or_lose(a, list, n);
		if (time_now() - a->last_prune >= PRUNE_EVERY)
			prune(a, time_now());
		else if (a->sweep_due)
			sweep(a);
		pthread_mutex_lock(&a->mu);
		for (; list; list = next) {
			next = list->next;
			if (list->cap == BLOCK_SIZE && a->nspare < BLOCKS_KEPT) {
				list->next = a->spare;
				a->spare = list;
				a->nspare++;
			} else {
				free(list);
			}
		}
		a->written += n;
		pthread_cond_broadcast(&a->written_cv);
		pthread_mutex_unlock(&a->mu);
		if (stop && n == 0)
			break;
	}
	if (a->since_digest > 0) {
		if (sign_digest(a, a->seq, a->hash, time_now()) < 0)
			log_warnx("audit: the final digest could not be written: %s",
				  sqlite3_errmsg(a->db));
		else
			a->since_digest = 0;
	}
	return NULL;
}

/* a trail from a newer commitd is not written by this one */
static int schema_check(sqlite3 *db, const char *path, struct err *e)
{
	sqlite3_stmt *q = NULL;
	uint64_t v = 0;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'version'", -1, &q, NULL) !=
	    SQLITE_OK)
		return 0; /* no meta table: a new trail */
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);

		if (t == NULL || parse_u64(t, strlen(t), 1, 1000, &v) < 0 || v > SCHEMA_VERSION)
			rc = err_set(e, CC_ERROR, NULL,
				     "%s: schema version '%s' is not one this commitd knows", path,
				     t ? t : "");
	}
	sqlite3_finalize(q);
	return rc;
}

/*
 * Segment files past the newest committed event, other than the one the
 * trail goes on in: a crash after a new file was made and before its first
 * batch was committed left them, holding nothing the index counts.  Left
 * alone, one would keep its stale frames if a later roll took another name.
 */
static void orphans_remove(struct audit *a)
{
	char *path = audit__path(a->dir, "audit");
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *de;
	bool gone = false;

	while (d && (de = readdir(d)) != NULL) {
		char name[64], *file;
		long long first;
		int used = 0;

		if (sscanf(de->d_name, "events-%20lld.seg%n", &first, &used) != 1 ||
		    de->d_name[used] != '\0' || first <= a->seq || first == a->seg_first)
			continue;
		audit__seg_name(name, sizeof(name), first);
		if (strcmp(name + 6, de->d_name) != 0) /* not a name commitd gives */
			continue;
		if ((file = audit__seg_path(a->dir, first)) && unlink(file) == 0) {
			log_warnx("audit: removed '%s': a crash left it before its first batch"
				  " was committed", file);
			gone = true;
		}
		free(file);
	}
	if (d)
		closedir(d);
	free(path);
	if (gone)
		audit__seg_dir_sync(a->dir);
}

/*
 * The chain goes on from the newest segment's last event, or from the
 * anchor; digests from the last one.  Frames a crash left past the
 * committed end are cut off; a newest file that is missing or shorter than
 * committed is not written after (verify will say what happened to it): a
 * new segment starts.
 */
static int tail_load(struct audit *a)
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	if (audit__anchor(a->db, &a->seq, a->hash) < 0)
		return CC_ERROR;
	if (sqlite3_prepare_v2(a->db, "SELECT first_seq, last_seq, size, hash FROM segments"
				      " ORDER BY first_seq DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	if (sqlite3_step(q) == SQLITE_ROW) {
		int64_t first = sqlite3_column_int64(q, 0), last = sqlite3_column_int64(q, 1);
		int64_t size = sqlite3_column_int64(q, 2);

		if (sqlite3_column_bytes(q, 3) != 32 || last < a->seq || last > SEQ_LIMIT ||
		    first <= 0 || first > last + 1 || size < 0 || size > SEG_SIZE_LIMIT) {
			rc = CC_ERROR;
		} else {
			char *path = audit__seg_path(a->dir, first);
			struct stat sb;

			a->seq = last;
			memcpy(a->hash, sqlite3_column_blob(q, 3), 32);
			/* an empty one is made again; one with events is not */
			a->seg_fd = !path ? -1 : open(path, O_RDWR | O_CLOEXEC | (size ? 0 : O_CREAT),
						      0600);
			if (a->seg_fd >= 0 && fstat(a->seg_fd, &sb) == 0 && sb.st_size >= size &&
			    (sb.st_size == size || ftruncate(a->seg_fd, size) == 0)) {
				a->seg_first = first;
				a->seg_size = size;
				if (size == 0) /* it may have been made again just now */
					audit__seg_dir_sync(a->dir);
			} else {
				log_warnx("audit: the segment '%s' is missing or cut short: the trail"
					  " goes on in a new one (commitd audit verify says more)",
					  path ? path : "?");
				if (a->seg_fd >= 0)
					close(a->seg_fd);
				a->seg_fd = -1;
			}
			free(path);
		}
	}
	sqlite3_finalize(q);
	if (rc == 0)
		orphans_remove(a);
	/* events a crash left without a digest are covered by the next one (at close at the latest) */
	a->since_digest = a->seq - one_int(a->db, "SELECT max(seq) FROM digests WHERE seq <= ?1",
					   a->seq, 0);
	if (a->since_digest < 0)
		a->since_digest = 0;
	return rc;
}

int audit_open(struct audit **out, const struct audit_config *cfg, struct err *e)
{
	struct audit *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;
	char *path = NULL, *rpath = NULL;
	bool sync_made = false;

	*out = NULL;
	if (a == NULL || (a->dir = strdup(cfg->data_dir)) == NULL ||
	    (path = audit__path(cfg->data_dir, AUDIT_DB)) == NULL ||
	    (rpath = audit__path(cfg->data_dir, AUDIT_READERS)) == NULL) {
		free(path);
		free(a ? a->dir : NULL);
		free(a);
		return err_oom(e);
	}
	a->lock_fd = a->readers_fd = a->seg_fd = -1;
	a->retention_days = cfg->retention_days;
	a->seg_max = cfg->segment_max > 0 ? cfg->segment_max : SEG_MAX;
	a->out = (struct buf)BUF_INIT(0);
	audit__chunks_init(&a->chunks);
	if ((a->md = EVP_MD_CTX_new()) == NULL) {
		err_oom(e);
		goto fail;
	}
	if (lock_trail(a, e) < 0 || load_key(a, e) < 0)
		goto fail;
	if ((a->readers_fd = open(rpath, O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		err_set(e, CC_ERROR, NULL, "cannot open %s: %s", rpath, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(a->db, 5000) != SQLITE_OK ||
	    exec(a->db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "no memory");
		goto fail;
	}
	if (schema_check(a->db, path, e) < 0)
		goto fail;
	if (audit__has_table(a->db, "events") && audit__migrate(a->db, a->dir, e) < 0)
		goto fail;
	if (exec(a->db, audit__schema) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, sqlite3_errmsg(a->db));
		goto fail;
	}
	chmod(path, 0600);
	if (tail_load(a) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: the newest segment or the anchor is corrupt"
			" (commitd audit verify says more)", path);
		goto fail;
	}
	if (sqlite3_open_v2(path, &a->rdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, a->rdb ? sqlite3_errmsg(a->rdb) : "no memory");
		goto fail;
	}
	sqlite3_busy_timeout(a->rdb, 5000);
	pthread_mutex_init(&a->mu, NULL);
	pthread_mutex_init(&a->rmu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&a->written_cv, NULL);
	pthread_cond_init(&a->room, NULL);
	sync_made = true;
	prune(a, time_now()); /* after rmu is made: sweeping takes it */
	sweep(a);             /* what an earlier run could not delete */
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		err_set(e, CC_ERROR, NULL, "cannot start the audit writer");
		goto fail;
	}
	free(path);
	free(rpath);
	*out = a;
	return 0;
fail:
	if (sync_made) {
		pthread_mutex_destroy(&a->mu);
		pthread_mutex_destroy(&a->rmu);
		pthread_cond_destroy(&a->wake);
		pthread_cond_destroy(&a->written_cv);
		pthread_cond_destroy(&a->room);
	}
	sqlite3_close(a->rdb);
	sqlite3_close(a->db);
	EVP_PKEY_free(a->key);
	if (a->seg_fd >= 0)
		close(a->seg_fd);
	if (a->readers_fd >= 0)
		close(a->readers_fd);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	audit__chunks_release(&a->chunks);
	EVP_MD_CTX_free(a->md);
	free(a->dir);
	free(a);
	free(path);
	free(rpath);
	return CC_ERROR;
}

/* a caller's field, NUL-terminated whatever it holds */
#define TERMINATE(f) ((f)[sizeof(f) - 1] = '\0')

/* a block with room for need bytes at the queue's tail; NULL on OOM.  Under a->mu. */
static struct block *tail_room(struct audit *a, size_t need)
{
	struct block *b = a->tail;

	if (b && b->cap - b->used >= need)
		return b;
	if (need <= BLOCK_SIZE && a->spare) {
		b = a->spare;
		a->spare = b->next;
		a->nspare--;
	} else {
		size_t cap = need > BLOCK_SIZE ? need : BLOCK_SIZE;

		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->cap = cap;
	}
	b->next = NULL;
	b->used = 0;
	if (a->tail)
		a->tail->next = b;
	else
		a->head = b;
	a->tail = b;
	return b;
}

void audit_emit(struct audit *a, const struct audit_entry *h, const char *record, size_t len)
{
	size_t need = SLOT_SIZE(len);
	struct block *b;
	struct slot *it;

	if (a == NULL)
		return;
	if (record == NULL || len > AUDIT_RECORD_MAX) {
		log_warnx("audit: an event of '%.64s' could not be queued: it is lost", h->name);
		return;
	}
	pthread_mutex_lock(&a->mu);
	while (a->n >= AUDIT_QUEUE_MAX && !a->stop)
		pthread_cond_wait(&a->room, &a->mu);
	if ((b = tail_room(a, need)) == NULL) {
		pthread_mutex_unlock(&a->mu);
		log_warnx("audit: an event of '%.64s' could not be queued: it is lost", h->name);
		return;
	}
	it = (struct slot *)(b->data + b->used);
	b->used += need;
	it->h = *h;
	TERMINATE(it->h.event_id);
	TERMINATE(it->h.account);
	TERMINATE(it->h.name);
	TERMINATE(it->h.source);
	TERMINATE(it->h.user);
	TERMINATE(it->h.access_key_id);
	TERMINATE(it->h.resource);
	TERMINATE(it->h.resource_type);
	it->len = len;
	memcpy(it->text, record, len);
	it->text[len] = '\0';
	if (a->n == 0)
		clock_gettime(CLOCK_MONOTONIC, &a->first_at);
	a->n++;
	a->queued++;
	if (a->n >= BATCH_WAKE)
		pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->mu);
}

void audit__flush(struct audit *a)
{
	pthread_mutex_lock(&a->mu);
	uint64_t target = a->queued;

	if (a->flush_to < target)
		a->flush_to = target;
	pthread_cond_signal(&a->wake);
	while (a->written < target)
		pthread_cond_wait(&a->written_cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
}

sqlite3 *audit__reader(struct audit *a)
{
	pthread_mutex_lock(&a->rmu);
	return a->rdb;
}

void audit__reader_done(struct audit *a)
{
	pthread_mutex_unlock(&a->rmu);
}

const char *audit__dir(const struct audit *a)
{
	return a->dir;
}

void audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_cond_broadcast(&a->room);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	for (struct block *b = a->spare, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	sqlite3_close(a->rdb);
	sqlite3_close(a->db);
	pthread_mutex_destroy(&a->rmu);
	EVP_PKEY_free(a->key);
	if (a->seg_fd >= 0)
		close(a->seg_fd);
	close(a->readers_fd);
	audit__chunks_release(&a->chunks);
	EVP_MD_CTX_free(a->md);
	buf_release(&a->out);
	free(a->due);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->written_cv);
	pthread_cond_destroy(&a->room);
	close(a->lock_fd); /* the last: the trail is another process's to write from here */
	free(a->dir);
	free(a);
}
