/*
 * sqlite.c - the embedded store: SQLite in WAL mode, a fixed pool of
 * connections shared by the request threads, and a per-connection cache of
 * prepared statements keyed by the SQL text (our SQL is always a literal).
 *
 * Write transactions start with BEGIN IMMEDIATE, so writers queue on
 * SQLite's lock (busy timeout) instead of failing half-way.  synchronous=FULL
 * makes every acknowledged write survive a crash of the machine.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

#define POOL_SIZE 8
#define STMT_CACHE 128
#define MAX_PARAMS 32

struct stmt_slot {
	const char *sql; /* the literal's address: the key */
	sqlite3_stmt *stmt;
};

struct store_tx {
	struct store *st;
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE];
	bool in_use;
	bool write;
	bool bump;
};

struct store_stmt {
	struct store_tx *tx;
	sqlite3_stmt *stmt;
};

struct store {
	struct store_tx conns[POOL_SIZE];
	pthread_mutex_t lock;
	pthread_cond_t freed;
	atomic_uint_fast64_t generation;
};

static int db_err(struct err *e, sqlite3 *db, int rc, const char *what)
{
	int ext = db ? sqlite3_extended_errcode(db) : rc;

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return err_set(e, CC_EEXISTS, NULL, "already exists");
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return err_set(e, CC_ECONFLICT, NULL, "conflicts with existing data");
	log_warnx("store: %s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	if ((rc & 0xff) == SQLITE_BUSY)
		return err_set(e, CC_ERROR, "ServiceUnavailable", "the store is busy, try again");
	return err_set(e, CC_ERROR, NULL, "internal store error");
}

static int conn_exec(sqlite3 *db, const char *sql, struct err *e)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_warnx("store: '%.60s': %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return db_err(e, NULL, rc, "exec");
	}
	return 0;
}

static int conn_open(sqlite3 **out, const char *path, bool create, struct err *e)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, flags, NULL);

	if (rc != SQLITE_OK) {
		err_set(e, CC_ERROR, NULL, "cannot open store '%s': %s", path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return CC_ERROR;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_extended_result_codes(db, 1);
	if (conn_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;", e) < 0) {
		sqlite3_close(db);
		return CC_ERROR;
	}
	*out = db;
	return 0;
}

static int migrate(sqlite3 *db, struct err *e)
{
	sqlite3_stmt *s = NULL;
	int64_t version = 0;
	size_t i;

	if (conn_exec(db, "CREATE TABLE IF NOT EXISTS store_meta (k TEXT PRIMARY KEY, v TEXT)", e) < 0)
		return CC_ERROR;
	if (sqlite3_prepare_v2(db, "SELECT v FROM store_meta WHERE k='schema_version'", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(e, db, SQLITE_ERROR, "migrate");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (version > (int64_t)store_nmigrations)
		return err_set(e, CC_ERROR, NULL,
			       "the store's schema (version %lld) is newer than this commitd (%zu)",
			       (long long)version, store_nmigrations);
	for (i = (size_t)version; i < store_nmigrations; i++) {
		char sql[128];

		snprintf(sql, sizeof(sql),
			 "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', '%zu')", i + 1);
		if (conn_exec(db, "BEGIN IMMEDIATE", e) < 0)
			return CC_ERROR;
		if (conn_exec(db, store_migrations[i], e) < 0 || conn_exec(db, sql, e) < 0) {
			conn_exec(db, "ROLLBACK", NULL);
			return CC_ERROR;
		}
		if (conn_exec(db, "COMMIT", e) < 0)
			return CC_ERROR;
		log_info("store: migrated to schema version %zu", i + 1);
	}
	return 0;
}

int store_open(struct store **out, const char *path, bool create, struct err *e)
{
	struct store *st = calloc(1, sizeof(*st));
	int i;

	if (st == NULL)
		return err_oom(e);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->freed, NULL);
	atomic_init(&st->generation, 1);
	for (i = 0; i < POOL_SIZE; i++) {
		st->conns[i].st = st;
		if (conn_open(&st->conns[i].db, path, create && i == 0, e) < 0)
			goto fail;
		if (i == 0 && migrate(st->conns[0].db, e) < 0)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return CC_ERROR;
}

void store_close(struct store *st)
{
	int i, j;

	if (st == NULL)
		return;
	for (i = 0; i < POOL_SIZE; i++) {
		for (j = 0; j < STMT_CACHE; j++)
			sqlite3_finalize(st->conns[i].cache[j].stmt);
		sqlite3_close(st->conns[i].db);
	}
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->freed);
	free(st);
}

static sqlite3_stmt *stmt_get(struct store_tx *tx, const char *sql, struct err *e);

/* BEGIN, COMMIT and ROLLBACK as cached statements: parsing them each time
 * was a measurable part of a short request. */
static int tx_ctl(struct store_tx *tx, const char *sql, struct err *e)
{
	sqlite3_stmt *s = stmt_get(tx, sql, e);
	int rc;

	if (s == NULL)
		return CC_ERROR;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_err(e, tx->db, rc, sql);
	return 0;
}

static void conn_release(struct store_tx *tx)
{
	struct store *st = tx->st;

	pthread_mutex_lock(&st->lock);
	tx->in_use = false;
	pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->lock);
}

int store_begin(struct store_tx **out, struct store *st, bool write, struct err *e)
{
	struct store_tx *tx = NULL;
	int i;

	pthread_mutex_lock(&st->lock);
	while (tx == NULL) {
		for (i = 0; i < POOL_SIZE; i++) {
			if (!st->conns[i].in_use) {
				tx = &st->conns[i];
				break;
			}
		}
		if (tx == NULL)
			pthread_cond_wait(&st->freed, &st->lock);
	}
	tx->in_use = true;
	pthread_mutex_unlock(&st->lock);

	tx->write = write;
	tx->bump = false;
	if (tx_ctl(tx, write ? "BEGIN IMMEDIATE" : "BEGIN", e) < 0) {
		conn_release(tx);
		return CC_ERROR;
	}
	*out = tx;
	return 0;
}

int store_commit(struct store_tx *tx, struct err *e)
{
	int rc = tx_ctl(tx, "COMMIT", e);

	if (rc < 0) {
		tx_ctl(tx, "ROLLBACK", NULL);
	} else if (tx->bump) {
		atomic_fetch_add(&tx->st->generation, 1);
	}
	conn_release(tx);
	return rc;
}

void store_rollback(struct store_tx *tx)
{
	if (tx == NULL)
		return;
	tx_ctl(tx, "ROLLBACK", NULL);
	conn_release(tx);
}

void store_tx_bump(struct store_tx *tx) { tx->bump = true; }

uint64_t store_generation(const struct store *st)
{
	return atomic_load(&((struct store *)st)->generation);
}

static sqlite3_stmt *stmt_get(struct store_tx *tx, const char *sql, struct err *e)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE, i;
	sqlite3_stmt *s = NULL;

	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *slot = &tx->cache[(h + i) % STMT_CACHE];

		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (slot->sql == NULL)
			break;
	}
	if (sqlite3_prepare_v3(tx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		db_err(e, tx->db, SQLITE_ERROR, "prepare");
		return NULL;
	}
	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *slot = &tx->cache[(h + i) % STMT_CACHE];

		if (slot->sql == NULL) {
			slot->sql = sql;
			slot->stmt = s;
			return s;
		}
	}
	/* cache full: this statement is finalized by store_stmt_free */
	return s;
}

static bool stmt_cached(struct store_tx *tx, sqlite3_stmt *s)
{
	size_t i;

	for (i = 0; i < STMT_CACHE; i++)
		if (tx->cache[i].stmt == s)
			return true;
	return false;
}

static int bind_args(struct store_tx *tx, sqlite3_stmt *s, const char *types, va_list ap,
		     struct err *e)
{
	size_t i, n = types ? strlen(types) : 0;

	if (n > MAX_PARAMS)
		return err_set(e, CC_ERROR, NULL, "too many parameters");
	for (i = 0; i < n; i++) {
		char name[8];
		int idx, rc = SQLITE_OK;

		snprintf(name, sizeof(name), "$%zu", i + 1);
		idx = sqlite3_bind_parameter_index(s, name);
		switch (types[i]) {
		case 's': {
			const char *v = va_arg(ap, const char *);

			if (idx > 0)
				rc = v ? sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT)
				       : sqlite3_bind_null(s, idx);
			break;
		}
		case 'i': {
			int64_t v = va_arg(ap, int64_t);

			if (idx > 0)
				rc = sqlite3_bind_int64(s, idx, v);
			break;
		}
		case 'd': {
			double v = va_arg(ap, double);

			if (idx > 0)
				rc = sqlite3_bind_double(s, idx, v);
			break;
		}
		case 'b': {
			const void *v = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);

			if (idx > 0)
				rc = sqlite3_bind_blob64(s, idx, v, len, SQLITE_TRANSIENT);
			break;
		}
		default:
			return err_set(e, CC_ERROR, NULL, "bad parameter type");
		}
		if (rc != SQLITE_OK)
			return db_err(e, tx->db, rc, "bind");
	}
	return 0;
}

static void stmt_done(struct store_tx *tx, sqlite3_stmt *s)
{
	if (stmt_cached(tx, s))
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
}

int store_exec(struct store_tx *tx, struct err *e, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s = stmt_get(tx, sql, e);
	va_list ap;
	int rc;

	if (s == NULL)
		return CC_ERROR;
	va_start(ap, types);
	rc = bind_args(tx, s, types, ap, e);
	va_end(ap);
	if (rc == 0) {
		int step;

		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			;
		rc = step == SQLITE_DONE ? sqlite3_changes(tx->db) : db_err(e, tx->db, step, "exec");
	}
	stmt_done(tx, s);
	return rc;
}

static int query_v(struct store_stmt **out, struct store_tx *tx, struct err *e, const char *sql,
		   const char *types, va_list ap)
{
	sqlite3_stmt *s = stmt_get(tx, sql, e);
	struct store_stmt *q;

	if (s == NULL)
		return CC_ERROR;
	if (bind_args(tx, s, types, ap, e) < 0) {
		stmt_done(tx, s);
		return CC_ERROR;
	}
	q = malloc(sizeof(*q));
	if (q == NULL) {
		stmt_done(tx, s);
		return err_oom(e);
	}
	q->tx = tx;
	q->stmt = s;
	*out = q;
	return 0;
}

int store_query(struct store_stmt **out, struct store_tx *tx, struct err *e, const char *sql,
		const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = query_v(out, tx, e, sql, types, ap);
	va_end(ap);
	return rc;
}

int store_query_int(int64_t *out, struct store_tx *tx, struct err *e, const char *sql,
		    const char *types, ...)
{
	struct store_stmt *q = NULL;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = query_v(&q, tx, e, sql, types, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 1) {
		*out = store_col_int(q, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = err_set(e, CC_ENOTFOUND, NULL, "no such row");
	}
	store_stmt_free(q);
	return rc;
}

int store_step(struct store_stmt *q, struct err *e)
{
	int rc = sqlite3_step(q->stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_err(e, q->tx->db, rc, "step");
}

const char *store_col_text(struct store_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q->stmt, col);

	return t ? (const char *)t : "";
}

int64_t store_col_int(struct store_stmt *q, int col) { return sqlite3_column_int64(q->stmt, col); }

const void *store_col_blob(struct store_stmt *q, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(q->stmt, col);

	*len = (size_t)sqlite3_column_bytes(q->stmt, col);
	return p;
}

bool store_col_null(struct store_stmt *q, int col)
{
	return sqlite3_column_type(q->stmt, col) == SQLITE_NULL;
}

void store_stmt_free(struct store_stmt *q)
{
	if (q == NULL)
		return;
	stmt_done(q->tx, q->stmt);
	free(q);
}
