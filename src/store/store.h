/*
 * store.h - the metadata store: a pool of connections, transactions, and
 * SQL with typed parameters.  The SQL is shared by every driver: parameters
 * are written $1, $2, ... and bound from a type string:
 *
 *   's' const char * (NULL binds NULL)   'i' int64_t
 *   'b' const void *, size_t (a blob)    'd' double
 *
 * The store knows nothing of IAM rules; schema and migrations live here,
 * the meaning of rows in the handlers.  Constraint violations come back as
 * CC_EEXISTS, everything unexpected as CC_ERROR (logged).
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct store;      /* a pool of connections; thread-safe */
struct store_tx;   /* one connection inside one transaction; one thread */
struct store_stmt; /* a running query; belongs to its transaction */

/* Opens (creating if asked) the store at path and brings its schema up to date. */
int store_open(struct store **out, const char *path, bool create, struct err *e);
void store_close(struct store *st);

/* write: take the write lock at once (BEGIN IMMEDIATE) */
int store_begin(struct store_tx **out, struct store *st, bool write, struct err *e);
/* Both end the transaction and give the connection back; tx is gone after. */
int store_commit(struct store_tx *tx, struct err *e);
void store_rollback(struct store_tx *tx);

/* Returns the number of rows changed (>= 0) or a CC_E* code. */
int store_exec(struct store_tx *tx, struct err *e, const char *sql, const char *types, ...);
int store_query(struct store_stmt **out, struct store_tx *tx, struct err *e, const char *sql,
		const char *types, ...);
/* 1: a row is ready; 0: done; < 0: error */
int store_step(struct store_stmt *s, struct err *e);
const char *store_col_text(struct store_stmt *s, int col); /* "" for NULL; valid until next step */
int64_t store_col_int(struct store_stmt *s, int col);
const void *store_col_blob(struct store_stmt *s, int col, size_t *len);
bool store_col_null(struct store_stmt *s, int col);
void store_stmt_free(struct store_stmt *s);

/* Runs a query expected to give at most one row and one integer: *out, or
 * CC_ENOTFOUND when there is no row. */
int store_query_int(int64_t *out, struct store_tx *tx, struct err *e, const char *sql,
		    const char *types, ...);

/*
 * The IAM generation: every write that changes who may do what calls
 * store_tx_bump() and the number moves on when that transaction commits.
 * Caches of compiled policies and credentials compare it to know they are
 * stale.
 */
void store_tx_bump(struct store_tx *tx);
uint64_t store_generation(const struct store *st);

#endif
