/*
 * trail.c - the audit trail's writer: a queue that audit_emit() appends to
 * without touching the disk, and one thread that writes what is queued in
 * one transaction at a time (so a burst costs one commit, not one per
 * call), extends the hash chain, signs a digest every AUDIT_DIGEST_EVERY
 * events, and prunes what retention no longer keeps (up to a signed
 * digest, which stays as the proof of the new anchor).  One process
 * writes a trail (a lock file says which); readers need no lock.  It does
 * not read events back: lookup.c and verify.c do.  The contract is audit.h.
 */
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

#define BATCH_WAKE 2000      /* queued events that wake the writer early */
#define PRUNE_EVERY 3600     /* seconds between retention passes */
#define AUDIT_LOCK "audit/writer.lock" /* flock'd by the one process that writes */
#define WRITE_TRIES 3        /* attempts at one batch before its events are lost */
#define RETENTION_MAX 365000 /* days; more is "keep everything" (and no overflow) */

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

struct audit {
	sqlite3 *db;            /* the writer thread's */
	sqlite3 *rdb;           /* lookups', read only, under rmu */
	pthread_mutex_t rmu;
	EVP_PKEY *key;
	char *dir;
	int lock_fd;            /* DIR/audit/writer.lock, flock'd: one writer per trail */
	int64_t retention_days, last_prune;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, written_cv, room; /* wake waits on CLOCK_MONOTONIC */
	struct block *head, *tail; /* what is queued */
	struct block *spare;        /* written blocks, for reuse */
	size_t n, nspare;
	uint64_t queued, written; /* events ever queued and ever written (or lost) */
	bool stop;
	/* the writer's own state: the chain's newest event */
	int64_t seq, since_digest;
	unsigned char hash[32];
};

/*
 * Version 2 indexes the account's events by time (LookupEvents pages by
 * eventTime, newest first, and a time range is a range of the index);
 * version 1 had (account, seq).  One index only: each one more costs the
 * writer about 15% (bench: 100k events with three more, 1.6 s -> 2.3 s).
 */
#define SCHEMA_VERSION 2

static const char *const schema =
	"CREATE TABLE IF NOT EXISTS events ("
	"  seq INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  event_id TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  event_name TEXT NOT NULL,"
	"  event_source TEXT NOT NULL,"
	"  username TEXT NOT NULL,"
	"  access_key_id TEXT NOT NULL,"
	"  read_only INTEGER NOT NULL,"
	"  resource_names TEXT NOT NULL," /* '\n' around each: ARNs and their last parts */
	"  resource_types TEXT NOT NULL,"
	"  record TEXT NOT NULL,"         /* exactly the bytes hashed */
	"  hash BLOB NOT NULL);"
	"DROP INDEX IF EXISTS events_account;"
	"CREATE INDEX IF NOT EXISTS events_account_time ON events(account, time);"
	"CREATE TABLE IF NOT EXISTS digests ("
	"  seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, time INTEGER NOT NULL,"
	"  signature BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT OR REPLACE INTO meta VALUES ('version', '2');";

static int lock_trail(struct audit *a, struct err *e);
static int pem_write(const char *path, EVP_PKEY *k, bool private, struct err *e);
static EVP_PKEY *pem_read(const char *path, bool private, struct err *e);
static int load_key(struct audit *a, struct err *e);
static int exec(sqlite3 *db, const char *sql);
static int sign_digest(struct audit *a, int64_t now);
static void resource_names(char *out, size_t outsz, const char *arn);
static int write_one(struct audit *a, sqlite3_stmt *ins, const struct slot *it);
static int64_t one_int(sqlite3 *db, const char *sql, int64_t arg, int64_t none);
static int prune_txn(struct audit *a, int64_t limit, int64_t *cut_out);
static void prune(struct audit *a, int64_t now);
static int write_batch(struct audit *a, const struct block *list);
static void write_or_lose(struct audit *a, const struct block *list, size_t n);
static void *writer(void *arg);
static int schema_check(sqlite3 *db, const char *path, struct err *e);
static int tail_load(struct audit *a);

static EVP_MD *sha256;
static void sha256_fetch(void) { sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

int audit__chain(unsigned char out[32], const unsigned char prev[32], const char *rec, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	/* fetched once: an implicit fetch per event was 10% of the chain's cost */
	pthread_once(&once, sha256_fetch);
	ok = c && sha256 && EVP_DigestInit_ex2(c, sha256, NULL) == 1 &&
		 EVP_DigestUpdate(c, prev, 32) == 1 && EVP_DigestUpdate(c, rec, n) == 1 &&
		 EVP_DigestFinal_ex(c, out, &len) == 1 && len == 32;

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
			if (parse_i64(v, strlen(v), 0, INT64_MAX, seq) < 0)
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

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : CC_ERROR;
}

static int sign_digest(struct audit *a, int64_t now)
{
	struct buf text = BUF_INIT(0);
	unsigned char sig[64];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	sqlite3_stmt *q = NULL;
	int rc = CC_ERROR;

	audit__digest_text(&text, a->seq, a->hash, now);
	if (c == NULL || buf_failed(&text) ||
	    EVP_DigestSignInit_ex(c, NULL, NULL, NULL, NULL, a->key, NULL) != 1 ||
	    EVP_DigestSign(c, sig, &siglen, (unsigned char *)text.ptr, text.len) != 1)
		goto out;
	if (sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?)", -1, &q,
			       NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, a->seq);
	sqlite3_bind_blob(q, 2, a->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_blob(q, 4, sig, (int)siglen, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_DONE) {
		a->since_digest = 0;
		rc = 0;
	}
out:
	sqlite3_finalize(q);
	EVP_MD_CTX_free(c);
	buf_release(&text);
	return rc;
}

/* "\nARN\nNAME\n": so that a lookup by ARN or by plain name matches one whole line */
static void resource_names(char *out, size_t outsz, const char *arn)
{
	const char *last = strrchr(arn, '/');

	if (last == NULL)
		last = strrchr(arn, ':');
	if (arn[0] == '\0')
		snprintf(out, outsz, "\n");
	else if (last && last[1])
		snprintf(out, outsz, "\n%s\n%s\n", arn, last + 1);
	else
		snprintf(out, outsz, "\n%s\n", arn);
}

static int write_one(struct audit *a, sqlite3_stmt *ins, const struct slot *it)
{
	const struct audit_entry *h = &it->h;
	char names[2 * sizeof(h->resource) + 4];
	char types[64];
	size_t n = it->len;
	unsigned char hash[32];

	if (audit__chain(hash, a->hash, it->text, n) < 0)
		return CC_ERROR;
	resource_names(names, sizeof(names), h->resource);
	snprintf(types, sizeof(types), "\n%s%s", h->resource_type, h->resource_type[0] ? "\n" : "");
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, a->seq + 1);
	sqlite3_bind_int64(ins, 2, h->time);
	sqlite3_bind_text(ins, 3, h->event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, h->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, h->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, h->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, h->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 8, h->access_key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 9, h->read_only);
	sqlite3_bind_text(ins, 10, names, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 11, types, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 12, it->text, (int)n, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 13, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return CC_ERROR;
	a->seq++;
	memcpy(a->hash, hash, 32);
	a->since_digest++;
	return 0;
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

/*
 * The oldest events past retention go, as a prefix of the chain that ends
 * at a signed digest: the digest stays as the proof of the new anchor (its
 * seq and hash), so that `audit verify` can tell pruning from someone
 * deleting the oldest events.  What goes is the longest run of old events
 * from the anchor on, cut back to its last digest: a few more events than
 * the retention asks may stay, never fewer.
 */
static int prune_txn(struct audit *a, int64_t limit, int64_t *cut_out)
{
	sqlite3_stmt *q = NULL;
	unsigned char hash[32], dh[32];
	char hex[65], num[24];
	int64_t anchor, old = 0, cut;
	int step;

	*cut_out = 0;
	if (audit__anchor(a->db, &anchor, hash) < 0)
		return CC_ERROR;
	/* events come in about time order: this reads only what goes, with no index on
	 * time alone to keep up on every insert */
	if (sqlite3_prepare_v2(a->db, "SELECT seq, time FROM events WHERE seq > ?1 ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, anchor);
	while ((step = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_int64(q, 1) < limit)
		old = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return CC_ERROR;
	cut = one_int(a->db, "SELECT max(seq) FROM digests WHERE seq <= ?1", old, 0);
	if (old == 0 || cut <= anchor)
		return 0;
	/* the anchor is the digest's event: the two must agree, or the chain was
	 * altered there and pruning would destroy the evidence */
	if (sqlite3_prepare_v2(a->db, "SELECT e.hash, d.hash FROM events e JOIN digests d"
				      " ON d.seq = e.seq WHERE e.seq = ?1", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32 && sqlite3_column_bytes(q, 1) == 32) {
		memcpy(hash, sqlite3_column_blob(q, 0), 32);
		memcpy(dh, sqlite3_column_blob(q, 1), 32);
	} else {
		step = SQLITE_ERROR;
	}
	sqlite3_finalize(q);
	if (step != SQLITE_ROW || memcmp(hash, dh, 32) != 0) {
		log_warnx("audit: not pruning: event %lld does not match its signed digest"
			  " (run commitd audit verify)", (long long)cut);
		return CC_ERROR;
	}
	hex_encode(hex, hash, 32);
	snprintf(num, sizeof(num), "%lld", (long long)cut);
	if (sqlite3_prepare_v2(a->db, "DELETE FROM events WHERE seq <= ?1", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE ||
	    sqlite3_prepare_v2(a->db, "DELETE FROM digests WHERE seq < ?1", -1, &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	sqlite3_bind_int64(q, 1, cut);
	step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE ||
	    sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO meta VALUES ('anchor_seq', ?1),"
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
	if (cut)
		log_info("audit: pruned the events up to %lld (older than %lld days)",
			 (long long)cut, (long long)a->retention_days);
}

/* one batch in one transaction: 0, or CC_ERROR with the chain as it was */
/* each slot of the blocks from list on, in order */
#define SLOT_SIZE(len) \
	((offsetof(struct slot, text) + (len) + 1 + _Alignof(max_align_t) - 1) & \
	 ~(_Alignof(max_align_t) - 1))
#define FOR_EACH_SLOT(s, b, list) \
	for (const struct block *b = (list); b; b = b->next) \
		for (const struct slot *s = (const void *)b->data; \
		     (const char *)s < b->data + b->used; \
		     s = (const void *)((const char *)s + SLOT_SIZE(s->len)))

static int write_batch(struct audit *a, const struct block *list)
{
	sqlite3_stmt *ins = NULL;
	int64_t seq0 = a->seq, since0 = a->since_digest;
	unsigned char hash0[32];
	bool ok;

	memcpy(hash0, a->hash, 32);
	ok = exec(a->db, "BEGIN IMMEDIATE") == 0 &&
	     sqlite3_prepare_v2(a->db, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				       " ?, ?, ?)", -1, &ins, NULL) == SQLITE_OK;
	FOR_EACH_SLOT(it, b, list) {
		if (!ok)
			break;
		ok = write_one(a, ins, it) == 0;
		if (ok && a->since_digest >= AUDIT_DIGEST_EVERY)
			ok = sign_digest(a, time_now()) == 0;
	}
	sqlite3_finalize(ins);
	if (ok && exec(a->db, "COMMIT") == 0)
		return 0;
	exec(a->db, "ROLLBACK");
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

		if (write_batch(a, list) == 0)
			return;
		log_warnx("audit: writing %zu event(s) failed (try %d of %d): %s", n, i + 1,
			  WRITE_TRIES, sqlite3_errmsg(a->db));
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

		pthread_mutex_lock(&a->mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += AUDIT_FLUSH_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (a->n == 0 && !a->stop &&
		       pthread_cond_timedwait(&a->wake, &a->mu, &until) != ETIMEDOUT)
			;
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
	if (a->since_digest > 0 && sign_digest(a, time_now()) < 0)
		log_warnx("audit: the final digest could not be written: %s", sqlite3_errmsg(a->db));
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

/* the chain goes on from the newest event, or from the anchor; digests from the last one */
static int tail_load(struct audit *a)
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	if (audit__anchor(a->db, &a->seq, a->hash) < 0)
		return CC_ERROR;
	if (sqlite3_prepare_v2(a->db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", -1,
			       &q, NULL) != SQLITE_OK)
		return CC_ERROR;
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 1) != 32 || sqlite3_column_int64(q, 0) < a->seq) {
			rc = CC_ERROR;
		} else {
			a->seq = sqlite3_column_int64(q, 0);
			memcpy(a->hash, sqlite3_column_blob(q, 1), 32);
		}
	}
	sqlite3_finalize(q);
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
	char *path = NULL;
	bool sync_made = false;

	*out = NULL;
	if (a == NULL || (a->dir = strdup(cfg->data_dir)) == NULL ||
	    (path = audit__path(cfg->data_dir, AUDIT_DB)) == NULL) {
		free(a ? a->dir : NULL);
		free(a);
		return err_oom(e);
	}
	a->lock_fd = -1;
	a->retention_days = cfg->retention_days;
	if (lock_trail(a, e) < 0 || load_key(a, e) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(a->db, 5000) != SQLITE_OK ||
	    exec(a->db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			"PRAGMA wal_autocheckpoint=10000;") < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "no memory");
		goto fail;
	}
	if (schema_check(a->db, path, e) < 0)
		goto fail;
	if (exec(a->db, schema) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, sqlite3_errmsg(a->db));
		goto fail;
	}
	chmod(path, 0600);
	if (tail_load(a) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: the newest event or the anchor is corrupt"
			" (commitd audit verify says more)", path);
		goto fail;
	}
	prune(a, time_now());
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
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		err_set(e, CC_ERROR, NULL, "cannot start the audit writer");
		goto fail;
	}
	free(path);
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
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	free(a->dir);
	free(a);
	free(path);
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
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->written_cv);
	pthread_cond_destroy(&a->room);
	close(a->lock_fd); /* the last: the trail is another process's to write from here */
	free(a->dir);
	free(a);
}
