/*
 * audit.h - the contract of src/audit: the audit trail.
 *
 * Every API call and every Git pull or push is one event, a CloudTrail
 * record (JSON text written by the caller: aws/event.c).  Events are
 * queued in memory and written by one thread, in batches: appended to
 * segment files (DIR/audit/events-*.seg) and indexed in their own SQLite
 * database (DIR/audit.db), so a burst of requests never waits on the disk
 * and never contends with the metadata store's write lock.
 *
 * Tamper evidence: each event's hash is SHA-256(previous hash || the
 * event's stored bytes), the chain starting from 32 zero bytes; every
 * AUDIT_DIGEST_EVERY events (and at close) a digest names the last event's
 * sequence number and hash and is signed with the trail's Ed25519 key
 * (DIR/audit/signing.key, mode 0600; the public key beside it).  Pruning
 * old events keeps the hash of the last pruned one as the chain's new
 * anchor, so what remains still verifies.
 *
 * What a crash (of the process or of the machine) can lose: the events
 * still in the queue and the batch being written, about AUDIT_FLUSH_MS of
 * them (and never more than AUDIT_QUEUE_MAX): a batch is fdatasync'd to its
 * segment, then committed to the index with a synchronous (FULL) commit,
 * and only then counted written.  A clean close writes everything queued
 * before it returns.
 *
 *   trail.c    the queue, the writer thread, the database, the chain
 *   lookup.c   searching (LookupEvents) and exporting
 *   verify.c   checking the chain and the digests (`commitd audit verify`)
 */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/core.h"

#define AUDIT_FLUSH_MS 200       /* the writer writes at least this often */
#define AUDIT_QUEUE_MAX 100000   /* events waiting; past it, emit waits (never drops) */
#define AUDIT_DIGEST_EVERY 1000  /* events per signed digest */
#define AUDIT_RECORD_MAX (1 << 20) /* bytes of one record */

struct audit;

struct audit_config {
	const char *data_dir;      /* DIR: DIR/audit.db, DIR/audit/ */
	int64_t retention_days;    /* 0: keep every event */
	int64_t segment_max;       /* bytes of a segment file before the next; 0: 64 MiB */
};

/* Opens (creating when missing) the trail and starts its writer thread. */
int audit_open(struct audit **out, const struct audit_config *cfg, struct err *e);
/* Writes every queued event and a final digest, stops the thread, closes. */
void audit_close(struct audit *a);

/* what the trail indexes an event by, read by the caller as it writes the record */
struct audit_entry {
	int64_t time;              /* eventTime, seconds */
	char event_id[40];
	char account[13];          /* recipientAccountId: whose trail */
	char name[64];             /* eventName */
	char source[48];           /* eventSource */
	char user[130];            /* the user, the role of a session, or the principal */
	char access_key_id[32];
	bool read_only;
	char resource[400];        /* the ARN acted on, or "" */
	char resource_type[48];    /* its CloudTrail type, or "" */
};

/*
 * Queues one event: its index and a copy of its CloudTrail record (len
 * bytes of JSON text, at most AUDIT_RECORD_MAX).  Never touches the disk
 * and never fails: an event that cannot be queued is logged.  a NULL: no
 * trail, nothing happens.
 */
void audit_emit(struct audit *a, const struct audit_entry *h, const char *record, size_t len);

/* ---- search (lookup.c) -------------------------------------------------- */

/* LookupEvents' attribute keys */
enum audit_attr {
	AUDIT_ATTR_NONE,
	AUDIT_ATTR_EVENT_ID,
	AUDIT_ATTR_EVENT_NAME,
	AUDIT_ATTR_READ_ONLY,
	AUDIT_ATTR_USERNAME,
	AUDIT_ATTR_RESOURCE_TYPE,
	AUDIT_ATTR_RESOURCE_NAME,
	AUDIT_ATTR_EVENT_SOURCE,
	AUDIT_ATTR_ACCESS_KEY_ID,
};

struct audit_query {
	const char *account;       /* only this account's events (recipientAccountId) */
	int64_t start, end;        /* seconds, inclusive; 0: unbounded */
	enum audit_attr attr;
	const char *value;         /* the attribute's value */
	size_t max;                /* 1..50 */
	const char *next_token;    /* from a previous page, or NULL */
};

/*
 * The matching events, newest first, as LookupEvents' Events list
 * (EventId, EventName, ReadOnly, AccessKeyId, EventTime, EventSource,
 * Username, Resources, CloudTrailEvent as text); *next_token (malloc'd)
 * when more remain, else NULL.  A malformed next token is CC_EINVAL
 * "InvalidNextTokenException".  Sees events written so far: audit_lookup
 * flushes the queue first.
 */
int audit_lookup(struct audit *a, const struct audit_query *q, json_t **events,
		 char **next_token, struct err *e);

/* Writes the events of [start, end] (seconds; 0 unbounded) as JSON lines. */
int audit_export(const char *data_dir, int64_t start, int64_t end, FILE *out, struct err *e);

/* ---- verification (verify.c) ---------------------------------------------- */

/*
 * Checks the whole trail of data_dir without a running server: every
 * event's hash against its bytes and its predecessor, every digest's
 * signature and the hash it names, and the index LookupEvents searches
 * (every event in it once, saying what its record says).  0 when intact (report says how much was
 * checked); CC_ECONFLICT when not, report naming the first event that was
 * altered, removed or reordered, by sequence number and eventID.
 */
int audit_verify(const char *data_dir, struct buf *report, struct err *e);

#endif
