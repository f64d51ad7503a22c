/*
 * trail.c - the audit trail's writer: a queue that audit_emit() appends to
 * without touching the disk, and one thread that writes what is queued in
 * one transaction at a time (so a burst costs one commit, not one per
 * call), extends the hash chain, signs a digest every AUDIT_DIGEST_EVERY
 * events, and prunes what retention no longer keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>

#include "audit_int.h"

#define BATCH_WAKE 2000      /* queued events that wake the writer early */
#define PRUNE_EVERY 3600     /* seconds between retention passes */

struct item {
	struct audit_entry h;
	char *text;
	struct item *next;
};

struct audit {
	sqlite3 *db;            /* the writer thread's */
	sqlite3 *rdb;           /* lookups', read only, under rmu */
	pthread_mutex_t rmu;
	EVP_PKEY *key;
	char *dir;
	int64_t retention_days, last_prune;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, written_cv, room;
	struct item *head, *tail;
	size_t n;
	uint64_t queued, written; /* events ever queued and ever written */
	bool stop;
	/* the writer's own state */
	int64_t seq, since_digest;
	unsigned char hash[32];
};

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
	"CREATE INDEX IF NOT EXISTS events_account ON events(account, seq);"
	"CREATE TABLE IF NOT EXISTS digests ("
	"  seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, time INTEGER NOT NULL,"
	"  signature BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT OR IGNORE INTO meta VALUES ('version', '1');";

int audit__chain(unsigned char out[32], const unsigned char prev[32], const char *rec, size_t n)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
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

/* the signing key, made on first use (Ed25519, PEM, 0600; the public key beside it) */
static int load_key(struct audit *a, struct err *e)
{
	char *dir = audit__path(a->dir, "audit"), *kp = audit__path(a->dir, AUDIT_KEY),
	     *pp = audit__path(a->dir, AUDIT_PUB);
	FILE *f = NULL;
	int rc = CC_ERROR;

	if (!dir || !kp || !pp)
		goto out;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(e, CC_ERROR, NULL, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((f = fopen(kp, "r")) != NULL) {
		a->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (a->key == NULL)
			err_set(e, CC_ERROR, NULL, "%s is not a private key", kp);
		rc = a->key ? 0 : CC_ERROR;
		goto out;
	}
	a->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (a->key == NULL) {
		err_set(e, CC_ERROR, NULL, "cannot make the audit signing key");
		goto out;
	}
	{
		int fd = open(kp, O_WRONLY | O_CREAT | O_EXCL, 0600);

		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (f == NULL || PEM_write_PrivateKey(f, a->key, NULL, NULL, 0, NULL, NULL) != 1 ||
		    fclose(f) != 0) {
			err_set(e, CC_ERROR, NULL, "cannot write %s: %s", kp, strerror(errno));
			goto out;
		}
		f = fopen(pp, "w");
		if (f == NULL || PEM_write_PUBKEY(f, a->key) != 1 || fclose(f) != 0) {
			err_set(e, CC_ERROR, NULL, "cannot write %s: %s", pp, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(dir);
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
static void resource_names(struct buf *names, const char *arn)
{
	const char *last = strrchr(arn, '/');

	if (last == NULL)
		last = strrchr(arn, ':');
	buf_putc(names, '\n');
	if (arn[0] == '\0')
		return;
	buf_printf(names, "%s\n", arn);
	if (last && last[1])
		buf_printf(names, "%s\n", last + 1);
}

static int write_one(struct audit *a, sqlite3_stmt *ins, const struct item *it)
{
	const struct audit_entry *h = &it->h;
	struct buf names = BUF_INIT(0);
	char types[64];
	size_t n = strlen(it->text);
	unsigned char hash[32];
	int rc = CC_ERROR;

	if (audit__chain(hash, a->hash, it->text, n) < 0)
		goto out;
	resource_names(&names, h->resource);
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
	sqlite3_bind_text(ins, 10, buf_cstr(&names), -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 11, types, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 12, it->text, (int)n, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 13, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		goto out;
	a->seq++;
	memcpy(a->hash, hash, 32);
	a->since_digest++;
	rc = 0;
out:
	buf_release(&names);
	return rc;
}

/* the oldest events past retention: a prefix of the chain, its last hash the new anchor */
static void prune(struct audit *a, int64_t now)
{
	sqlite3_stmt *q = NULL;
	int64_t cut = 0;
	char sql[256], hex[65] = "";

	a->last_prune = now;
	if (a->retention_days <= 0)
		return;
	/* from the oldest on, while they are old: events come in time order, so this
	 * reads only what goes, with no index on time to keep up on every insert */
	if (sqlite3_prepare_v2(a->db, "SELECT seq, hash, time FROM events ORDER BY seq", -1, &q,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW &&
		       sqlite3_column_int64(q, 2) < now - a->retention_days * 86400) {
			if (sqlite3_column_bytes(q, 1) != 32)
				break;
			cut = sqlite3_column_int64(q, 0);
			hex_encode(hex, sqlite3_column_blob(q, 1), 32);
		}
	}
	sqlite3_finalize(q);
	if (cut == 0)
		return;
	snprintf(sql, sizeof(sql),
		 "BEGIN; DELETE FROM events WHERE seq <= %lld; DELETE FROM digests WHERE seq <= %lld;"
		 " INSERT OR REPLACE INTO meta VALUES ('anchor_seq', '%lld'),"
		 " ('anchor_hash', '%s'); COMMIT;",
		 (long long)cut, (long long)cut, (long long)cut, hex);
	if (exec(a->db, sql) < 0) {
		exec(a->db, "ROLLBACK");
		log_warnx("audit: pruning failed: %s", sqlite3_errmsg(a->db));
		return;
	}
	log_info("audit: pruned events up to %lld (older than %lld days)", (long long)cut,
		 (long long)a->retention_days);
}

/* one batch in one transaction; on failure the events are logged as lost */
static void write_batch(struct audit *a, struct item *list, size_t n)
{
	sqlite3_stmt *ins = NULL;
	int64_t seq0 = a->seq, since0 = a->since_digest;
	unsigned char hash0[32];
	bool ok;

	memcpy(hash0, a->hash, 32);
	ok = exec(a->db, "BEGIN IMMEDIATE") == 0 &&
	     sqlite3_prepare_v2(a->db, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				       " ?, ?, ?)", -1, &ins, NULL) == SQLITE_OK;
	for (struct item *it = list; ok && it; it = it->next) {
		ok = write_one(a, ins, it) == 0;
		if (ok && a->since_digest >= AUDIT_DIGEST_EVERY)
			ok = sign_digest(a, time_now()) == 0;
	}
	sqlite3_finalize(ins);
	if (ok && exec(a->db, "COMMIT") == 0)
		return;
	log_warnx("audit: %zu event(s) could not be written: %s", n, sqlite3_errmsg(a->db));
	exec(a->db, "ROLLBACK");
	a->seq = seq0;
	a->since_digest = since0;
	memcpy(a->hash, hash0, 32);
}

static void *writer(void *arg)
{
	struct audit *a = arg;

	for (;;) {
		struct item *list, *next;
		struct timespec until;
		size_t n;
		bool stop;

		pthread_mutex_lock(&a->mu);
		clock_gettime(CLOCK_REALTIME, &until);
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
			write_batch(a, list, n);
		for (; list; list = next) {
			next = list->next;
			free(list->text);
			free(list);
		}
		if (time_now() - a->last_prune >= PRUNE_EVERY)
			prune(a, time_now());
		pthread_mutex_lock(&a->mu);
		a->written += n;
		pthread_cond_broadcast(&a->written_cv);
		pthread_mutex_unlock(&a->mu);
		if (stop && n == 0)
			break;
	}
	if (a->since_digest > 0 && sign_digest(a, time_now()) < 0)
		log_warnx("audit: the final digest could not be written");
	return NULL;
}

int audit_open(struct audit **out, const struct audit_config *cfg, struct err *e)
{
	struct audit *a = calloc(1, sizeof(*a));
	char *path = NULL;
	sqlite3_stmt *q = NULL;

	*out = NULL;
	if (a == NULL || (a->dir = strdup(cfg->data_dir)) == NULL ||
	    (path = audit__path(cfg->data_dir, AUDIT_DB)) == NULL) {
		free(a ? a->dir : NULL);
		free(a);
		return err_oom(e);
	}
	a->retention_days = cfg->retention_days;
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			"PRAGMA wal_autocheckpoint=10000;") < 0 ||
	    exec(a->db, schema) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "no");
		goto fail;
	}
	chmod(path, 0600);
	sqlite3_busy_timeout(a->db, 5000);
	if (load_key(a, e) < 0)
		goto fail;
	/* the chain goes on from the newest event, or from the anchor */
	if (audit__anchor(a->db, &a->seq, a->hash) < 0) {
		err_set(e, CC_ERROR, NULL, "%s: the anchor is corrupt", path);
		goto fail;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", -1,
			       &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 1) == 32) {
		a->seq = sqlite3_column_int64(q, 0);
		memcpy(a->hash, sqlite3_column_blob(q, 1), 32);
	}
	sqlite3_finalize(q);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->wake, NULL);
	pthread_cond_init(&a->written_cv, NULL);
	pthread_cond_init(&a->room, NULL);
	prune(a, time_now());
	pthread_mutex_init(&a->rmu, NULL);
	if (sqlite3_open_v2(path, &a->rdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err_set(e, CC_ERROR, NULL, "%s: %s", path, sqlite3_errmsg(a->rdb));
		goto fail;
	}
	sqlite3_busy_timeout(a->rdb, 5000);
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		err_set(e, CC_ERROR, NULL, "cannot start the audit writer");
		goto fail;
	}
	free(path);
	*out = a;
	return 0;
fail:
	sqlite3_close(a->rdb);
	sqlite3_close(a->db);
	EVP_PKEY_free(a->key);
	free(a->dir);
	free(a);
	free(path);
	return CC_ERROR;
}

void audit_emit(struct audit *a, const struct audit_entry *h, char *record)
{
	struct item *it = malloc(sizeof(*it));

	if (it == NULL || record == NULL) {
		log_warnx("audit: out of memory: the event %s is lost", h->event_id);
		free(it);
		free(record);
		return;
	}
	it->h = *h;
	it->text = record;
	it->next = NULL;
	pthread_mutex_lock(&a->mu);
	while (a->n >= AUDIT_QUEUE_MAX && !a->stop)
		pthread_cond_wait(&a->room, &a->mu);
	if (a->tail)
		a->tail->next = it;
	else
		a->head = it;
	a->tail = it;
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
	sqlite3_close(a->rdb);
	sqlite3_close(a->db);
	pthread_mutex_destroy(&a->rmu);
	EVP_PKEY_free(a->key);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->written_cv);
	pthread_cond_destroy(&a->room);
	free(a->dir);
	free(a);
}
