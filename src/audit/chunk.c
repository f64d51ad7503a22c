/*
 * chunk.c - the index LookupEvents searches: per account and per batch
 * written, one `chunks` row packing a small entry for each event (where
 * its frame is, its time, and the values it can be looked up by), so that
 * the writer inserts a row per batch rather than per event.  An entry is
 *   seq, time, offset (i64), record length (u32), flags (u8: 1 read-only),
 *   then each field of enum IX_*: a u16 length and its bytes, or the length
 *   0xffff for "the same as the entry before" (most are),
 * little-endian.  Decoding reads the data as hostile.  The layout is in
 * audit_int.h; trail.c writes chunks, lookup.c and verify.c read them.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#define SAME 0xffff
#define ENTRY_FIXED 29 /* bytes before an entry's fields */

static int32_t *slot_of(struct chunkset *cs, const char *account);
static struct chunk *chunk_new(struct chunkset *cs, const char *account, int64_t segment);
static void put_le(unsigned char *p, uint64_t v, int n);
static uint64_t get_le(const unsigned char *p, int n);

void audit__chunks_init(struct chunkset *cs)
{
	memset(cs, 0, sizeof(*cs));
}

void audit__chunks_reset(struct chunkset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		buf_clear(&cs->c[i].data);
	cs->n = 0;
	memset(cs->slot, 0, sizeof(cs->slot));
}

void audit__chunks_release(struct chunkset *cs)
{
	for (size_t i = 0; i < cs->cap; i++)
		buf_release(&cs->c[i].data);
	free(cs->c);
	audit__chunks_init(cs);
}

/* the hash slot of account: its open chunk, or the empty slot it would take */
static int32_t *slot_of(struct chunkset *cs, const char *account)
{
	size_t mask = ARRAY_SIZE(cs->slot) - 1, i = hash_str(HASH_SEED, account) & mask;

	for (size_t probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
		int32_t s = cs->slot[i];

		if (s == 0 || strcmp(cs->c[s - 1].account, account) == 0)
			return &cs->slot[i];
	}
	return NULL; /* full: more accounts in one batch than slots */
}

static struct chunk *chunk_new(struct chunkset *cs, const char *account, int64_t segment)
{
	struct chunk *c;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 16;
		struct chunk *p = realloc(cs->c, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		for (size_t i = cs->cap; i < cap; i++)
			p[i].data = (struct buf)BUF_INIT(0);
		cs->c = p;
		cs->cap = cap;
	}
	c = &cs->c[cs->n++];
	snprintf(c->account, sizeof(c->account), "%s", account);
	c->segment = segment;
	c->n = 0;
	buf_clear(&c->data);
	return c;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int audit__chunks_add(struct chunkset *cs, const struct audit_entry *h, int64_t segment,
		      int64_t seq, int64_t off, uint32_t len)
{
	const char *fv[IX_FIELDS] = {h->event_id, h->name, h->source, h->user, h->access_key_id,
				     h->resource, h->resource_type};
	int32_t *slot = slot_of(cs, h->account);
	struct chunk *c = slot && *slot ? &cs->c[*slot - 1] : NULL;
	unsigned char fixed[ENTRY_FIXED];

	/* a chunk ends at CHUNK_MAX events, at its segment's end, and before it
	 * would span more than CHUNK_SPAN seconds (a lookup by time relies on it) */
	if (c && (c->n >= CHUNK_MAX || c->segment != segment ||
		  (h->time > c->time_hi ? h->time : c->time_hi) -
				  (h->time < c->time_lo ? h->time : c->time_lo) > CHUNK_SPAN))
		c = NULL; /* the slot goes to the next one */
	if (c == NULL) {
		if ((c = chunk_new(cs, h->account, segment)) == NULL)
			return CC_ERROR;
		if (slot) /* else unhashed: this event alone */
			*slot = (int32_t)cs->n;
		c->seq_lo = c->seq_hi = seq;
		c->time_lo = c->time_hi = h->time;
	}
	put_le(fixed, (uint64_t)seq, 8);
	put_le(fixed + 8, (uint64_t)h->time, 8);
	put_le(fixed + 16, (uint64_t)off, 8);
	put_le(fixed + 24, len, 4);
	fixed[28] = h->read_only ? 1 : 0;
	buf_add(&c->data, fixed, sizeof(fixed));
	for (int i = 0; i < IX_FIELDS; i++) {
		size_t n = strlen(fv[i]); /* each a field of audit_entry: a few hundred bytes at most */
		unsigned char ln[2];

		if (c->n > 0 && n == c->prevn[i] && memcmp(c->data.ptr + c->prev[i], fv[i], n) == 0) {
			put_le(ln, SAME, 2);
			buf_add(&c->data, ln, 2);
			continue;
		}
		put_le(ln, n, 2);
		buf_add(&c->data, ln, 2);
		c->prev[i] = c->data.len;
		c->prevn[i] = (uint16_t)n;
		buf_add(&c->data, fv[i], n);
	}
	if (buf_failed(&c->data))
		return CC_ERROR;
	c->n++;
	c->seq_hi = seq;
	if (h->time < c->time_lo)
		c->time_lo = h->time;
	if (h->time > c->time_hi)
		c->time_hi = h->time;
	return 0;
}

int audit__chunks_insert(sqlite3 *db, const struct chunkset *cs)
{
	sqlite3_stmt *ins = NULL;
	int rc = 0;

	if (cs->n == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO chunks (account, time_lo, time_hi, seq_lo, seq_hi,"
				   " segment, n, entries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins,
			       NULL) != SQLITE_OK)
		return CC_ERROR;
	for (size_t i = 0; i < cs->n && rc == 0; i++) {
		const struct chunk *c = &cs->c[i];

		if (c->n == 0)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, c->account, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, c->time_lo);
		sqlite3_bind_int64(ins, 3, c->time_hi);
		sqlite3_bind_int64(ins, 4, c->seq_lo);
		sqlite3_bind_int64(ins, 5, c->seq_hi);
		sqlite3_bind_int64(ins, 6, c->segment);
		sqlite3_bind_int64(ins, 7, c->n);
		sqlite3_bind_blob(ins, 8, c->data.ptr, (int)c->data.len, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = CC_ERROR;
	}
	sqlite3_finalize(ins);
	return rc;
}

int audit__chunk_next(struct ientry *e, const unsigned char **cur, const unsigned char *end)
{
	const unsigned char *p = *cur;
	bool first = e->seq == 0;

	if (p == end)
		return 0;
	if (end - p < ENTRY_FIXED)
		return CC_ECONFLICT;
	e->seq = (int64_t)get_le(p, 8);
	e->time = (int64_t)get_le(p + 8, 8);
	e->off = (int64_t)get_le(p + 16, 8);
	e->len = (uint32_t)get_le(p + 24, 4);
	e->read_only = p[28] & 1;
	p += ENTRY_FIXED;
	if (e->seq <= 0 || e->off < 0)
		return CC_ECONFLICT;
	for (int i = 0; i < IX_FIELDS; i++) {
		size_t n;

		if (end - p < 2)
			return CC_ECONFLICT;
		n = (size_t)get_le(p, 2);
		p += 2;
		if (n == SAME) {
			if (first)
				return CC_ECONFLICT;
			continue;
		}
		if ((size_t)(end - p) < n)
			return CC_ECONFLICT;
		e->f[i] = (const char *)p;
		e->fn[i] = (uint16_t)n;
		p += n;
	}
	*cur = p;
	return 1;
}

bool audit__resource_match(const struct ientry *e, const char *v, size_t vn)
{
	const char *arn = e->f[IX_RESOURCE];
	size_t n = e->fn[IX_RESOURCE], last = n;

	if (n == 0 || vn == 0)
		return false;
	if (n == vn && memcmp(arn, v, n) == 0)
		return true;
	/* its last part: after the last '/', or the last ':' when it has no '/' */
	while (last > 0 && arn[last - 1] != '/')
		last--;
	if (last == 0)
		for (last = n; last > 0 && arn[last - 1] != ':'; last--)
			;
	return last > 0 && last < n && n - last == vn && memcmp(arn + last, v, vn) == 0;
}

void audit__event_id(char *out, size_t outsz, sqlite3 *db, int64_t seq)
{
	sqlite3_stmt *q = NULL;
	bool found = false;

	snprintf(out, outsz, "?");
	if (sqlite3_prepare_v2(db, "SELECT entries FROM chunks WHERE seq_hi >= ?1 AND seq_lo <= ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(q, 1, seq);
	while (!found && sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(q, 0), *end;
		struct ientry e = {0};

		if (p == NULL)
			continue;
		end = p + sqlite3_column_bytes(q, 0);
		while (audit__chunk_next(&e, &p, end) == 1)
			if (e.seq == seq) {
				audit__safe_id(out, outsz, (const unsigned char *)e.f[IX_EVENT_ID],
					       e.fn[IX_EVENT_ID]);
				found = true;
				break;
			}
	}
	sqlite3_finalize(q);
}
