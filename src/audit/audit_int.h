/*
 * audit_int.h - private to src/audit: the database layout and the chain
 * and digest formats that trail.c writes and lookup.c and verify.c read.
 */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include <sqlite3.h>
#include <openssl/evp.h>

#include "audit.h"

#define AUDIT_DB "audit.db"
#define AUDIT_KEY "audit/signing.key"
#define AUDIT_PUB "audit/signing.pub"
#define AUDIT_DIGEST_TAG "commitd-audit-digest-v1"

/* hash = SHA-256(prev || record); 0 or CC_ERROR */
int audit__chain(unsigned char out[32], const unsigned char prev[32], const char *rec, size_t n);
/* the bytes a digest signs */
void audit__digest_text(struct buf *out, int64_t seq, const unsigned char hash[32], int64_t t);
/* DIR/name, malloc'd */
char *audit__path(const char *dir, const char *name);
/* opens DIR/audit.db read-only, for lookups from other processes */
int audit__open_ro(sqlite3 **db, const char *dir, struct err *e);
/* waits until every event queued so far is written (lookups see them) */
void audit__flush(struct audit *a);
/* the running trail's read-only connection, held until audit__reader_done */
sqlite3 *audit__reader(struct audit *a);
void audit__reader_done(struct audit *a);
/* the anchor: the last pruned event (seq 0 and zero hash when none) */
int audit__anchor(sqlite3 *db, int64_t *seq, unsigned char hash[32]);

#endif
