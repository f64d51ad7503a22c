/* tests of src/audit/verify.c: `commitd audit verify` on a trail that was
 * tampered with in each way it can be (an altered, removed or reordered
 * event, a segment file cut short, missing or damaged, a rewritten chain, a
 * forged or moved anchor, a bad signature, an index that hides or misplaces
 * events), and on databases that are not what they should be. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "unit.h"

#include "afx.h"

void test_audit_verify__intact(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 50 events (seq 1-50), 1 signed digests: intact"));
	afx_rm(dir);
	dir = afx_dir(); /* an empty trail is intact too */
	afx_fill(dir, 1, 0, 0, 0);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "audit: 0 events, 0 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

static void *emit_3000(void *arg)
{
	for (int i = 1; i <= 3000; i++)
		afx_emit(arg, i, afx_account(i), time_now());
	return NULL;
}

/* verify reads one snapshot: a server writing meanwhile is no failure */
void test_audit_verify__while_written(void)
{
	char *dir = afx_dir();
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct err e = ERR_INIT;
	struct buf r = BUF_INIT(0);
	pthread_t t;
	int runs = 0;

	afx_fill(dir, 1, 10, time_now(), 0);
	REQUIRE(audit_open(&a, &cfg, &e) == 0);
	CHECK(pthread_create(&t, NULL, emit_3000, a) == 0);
	for (; runs < 20; runs++) {
		CHECK_INT(afx_verify(dir, &r), 0);
		if (strstr(buf_cstr(&r), "3010 events"))
			break;
	}
	pthread_join(t, NULL);
	audit_close(a);
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "3010 events (seq 1-3010), 4 signed digests: intact"));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__altered_event(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* one byte of one record */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_record_edit(dir, 17, "user3", "user4");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 17 (eventID 00000000-0000-4000-8000-000000000017) was"
			  " altered, removed or reordered: its hash does not follow from event 16"));
	/* and its hash recomputed: the next one breaks */
	afx_rechain(dir, 17, 17);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 18 (eventID 00000000-0000-4000-8000-000000000018) was"
			  " altered, removed or reordered: its hash does not follow from event 17"));
	/* and every hash after it: the signed digest breaks */
	afx_rechain(dir, 17, INT64_MAX);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 50 does not have the hash its signed digest names"));
	afx_reset(dir);

	/* the first event, which follows from nothing before it */
	afx_fill(dir, 1, 5, time_now() - 1000, 0);
	afx_record_edit(dir, 1, "}", "} ");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1 (eventID 00000000-0000-4000-8000-000000000001) was altered,"
			  " removed or reordered: its hash does not follow from its own record"));
	afx_reset(dir);

	/* the stored hash is evidence too: a damaged one is found */
	afx_fill(dir, 1, 5, time_now() - 1000, 0);
	{
		struct afx_seg sg;

		REQUIRE(afx_seg_load(&sg, dir, 3));
		afx_seg_ev(&sg, 3)->hash[7] ^= 1;
		afx_seg_save(&sg, dir, false);
		afx_seg_free(&sg);
	}
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 3 "));
	afx_reset(dir);

	/* one byte of the file, in place, as the end-to-end test does it */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	{
		char *path = afx_seg_file(dir, 30);
		FILE *f = fopen(path, "r+");
		int64_t at = afx_frame_off(dir, 30) + FRAME_HDR + 20;
		int c;

		REQUIRE(f != NULL);
		fseek(f, at, SEEK_SET);
		c = fgetc(f);
		fseek(f, at, SEEK_SET);
		fputc(c ^ 0x20, f);
		fclose(f);
		free(path);
	}
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 (eventID 00000000-0000-4000-8000-000000000030) was altered"));
	buf_release(&r);
	afx_rm(dir);
}

static void delete_frames(const char *dir, int64_t from, int64_t to, bool renumber, bool fix_last)
{
	struct afx_seg sg;

	if (!afx_seg_load(&sg, dir, from))
		return;
	for (int64_t i = from; i <= to; i++)
		afx_seg_delete(&sg, i);
	for (size_t i = 0; renumber && i < sg.n; i++)
		if (sg.ev[i].seq > to)
			sg.ev[i].seq -= to - from + 1;
	afx_seg_save(&sg, dir, fix_last);
	afx_seg_free(&sg);
}

void test_audit_verify__removed_event(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	char *path;

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	delete_frames(dir, 23, 23, false, false);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 23 was removed (the trail goes from event 22 to 24)"));
	afx_reset(dir);

	/* several, and the seqs closed up behind them: the hash of the next breaks */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	delete_frames(dir, 23, 23, true, false);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 23 (eventID 00000000-0000-4000-8000-000000000024)"));
	afx_reset(dir);

	/* the newest, which the last digest covers, with the segment's row made to agree */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	delete_frames(dir, 46, 50, false, true);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 50, which a signed digest covers, was removed"));
	afx_reset(dir);

	/* the same, the row left alone */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	delete_frames(dir, 46, 50, false, false);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "events 46-50 were removed: audit/events-00000000000000000001.seg ends"
			  " at event 45"));
	afx_reset(dir);

	/* the file cut short, its committed size left as it was */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	path = afx_seg_file(dir, 1);
	CHECK(truncate(path, afx_frame_off(dir, 40) + FRAME_HDR + 3) == 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 40 was removed or damaged: its segment file"
			  " audit/events-00000000000000000001.seg is cut short or its framing"
			  " was altered"));
	/* or gone */
	CHECK(unlink(path) == 0);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "events 1-50 were removed: their segment file"
			  " audit/events-00000000000000000001.seg is missing"));
	free(path);
	afx_reset(dir);

	/* a frame's length made to swallow the next */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	{
		struct afx_seg sg;
		struct afx_ev *a, *b;
		size_t len;

		REQUIRE(afx_seg_load(&sg, dir, 10));
		a = afx_seg_ev(&sg, 10);
		b = afx_seg_ev(&sg, 11);
		len = a->len + FRAME_HDR + b->len;
		a->rec = realloc(a->rec, len + 1);
		memset(a->rec + a->len, ' ', len - a->len);
		a->len = len;
		afx_seg_delete(&sg, 11);
		afx_seg_save(&sg, dir, false);
		afx_seg_free(&sg);
	}
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 10 "));
	afx_reset(dir);

	/* a whole segment's row, in a trail of several */
	{
		struct audit_config cfg = {.data_dir = dir, .segment_max = 4096};
		struct audit *a = NULL;
		struct err e = ERR_INIT;

		REQUIRE(audit_open(&a, &cfg, &e) == 0);
		for (int i = 1; i <= 100; i++) {
			afx_emit(a, i, afx_account(i), time_now());
			if (i % 10 == 0)
				audit__flush(a);
		}
		audit_close(a);
	}
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_int(dir, "SELECT count(*) FROM segments") > 3);
	afx_sql(dir, "DELETE FROM segments WHERE first_seq = (SELECT first_seq FROM segments"
		     " ORDER BY first_seq LIMIT 1 OFFSET 2)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, " were removed: no segment holds them (the next, audit/events-"));
	buf_release(&r);
	afx_rm(dir);
}

static void swap_frames(const char *dir, int64_t x, int64_t y, bool records_only, bool renumber)
{
	struct afx_seg sg;
	struct afx_ev *a, *b, t;

	if (!afx_seg_load(&sg, dir, x))
		return;
	a = afx_seg_ev(&sg, x);
	b = afx_seg_ev(&sg, y);
	if (records_only) {
		char *rec = a->rec;
		size_t len = a->len;

		a->rec = b->rec;
		a->len = b->len;
		b->rec = rec;
		b->len = len;
	} else {
		t = *a;
		*a = *b;
		*b = t;
		if (renumber) {
			int64_t s = a->seq;

			a->seq = b->seq;
			b->seq = s;
		}
	}
	afx_seg_save(&sg, dir, false);
	afx_seg_free(&sg);
}

void test_audit_verify__reordered_events(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* two frames swapped, their seqs made to follow: the chain breaks at the first */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	swap_frames(dir, 30, 31, false, true);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 (eventID 00000000-0000-4000-8000-000000000031) was altered,"
			  " removed or reordered"));
	afx_reset(dir);

	/* swapped as they are */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	swap_frames(dir, 30, 31, false, false);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 was removed (the trail goes from event 29 to 31)"));
	afx_reset(dir);

	/* swapped records, hashes left in place */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	swap_frames(dir, 30, 31, true, false);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 30 "));
	afx_reset(dir);

	/* an event repeated */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	{
		struct afx_seg sg;

		REQUIRE(afx_seg_load(&sg, dir, 20));
		afx_seg_ev(&sg, 21)->seq = 19;
		afx_seg_save(&sg, dir, false);
		afx_seg_free(&sg);
	}
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 19 (eventID 00000000-0000-4000-8000-000000000021) is out of"
			  " place: it follows event 20"));
	buf_release(&r);
	afx_rm(dir);
}

void test_audit_verify__digests(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	/* a signature that is not the key's */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET signature = zeroblob(64)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: the signed digest at event 50 does not verify"));
	afx_reset(dir);

	/* one bit of a signature; the time it signs; the seq it names */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET signature = x'00' || substr(signature, 2)");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "does not verify"));
	afx_reset(dir);
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET time = time + 1");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "does not verify"));
	afx_reset(dir);
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE digests SET seq = 49");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the signed digest at event 49 does not verify"));
	afx_reset(dir);

	/* the whole chain rewritten after an alteration: it holds, its digest does not */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_record_edit(dir, 5, "CreateUser", "CreateRole");
	afx_rechain(dir, 5, INT64_MAX);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: event 50 does not have the hash its signed digest names: the"
			  " trail up to it was rewritten"));
	afx_reset(dir);

	/* the digests removed: the chain holds, the events are not covered */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM digests");
	CHECK_INT(afx_verify(dir, &r), 0);
	CHECK(afx_has(&r, "50 events (seq 1-50), 0 signed digests: intact; events 1-50 are not yet"
			  " covered by a signed digest"));
	buf_release(&r);
	afx_rm(dir);
}

/* the anchor moved to event seq by hand, with its hash, and the events before it cut off */
static void anchor_set(const char *dir, int64_t seq, int64_t hash_of)
{
	char q[300], hex[65];

	afx_frame_hash(dir, hash_of, hex);
	snprintf(q, sizeof(q), "INSERT OR REPLACE INTO meta VALUES ('anchor_seq', '%lld'),"
		 " ('anchor_hash', '%s'); UPDATE segments SET start = %lld", (long long)seq, hex,
		 (long long)afx_frame_off(dir, seq + 1));
	afx_sql(dir, q);
}

void test_audit_verify__anchor(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	int64_t now = time_now();
	char q[200], hex[65];

	/* the oldest events cut off and the anchor moved by hand, as pruning would */
	afx_fill(dir, 1, 50, now - 1000, 0);
	anchor_set(dir, 10, 10);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "audit: events 1-10 are gone and no signed digest vouches for the anchor"
			  " (event 10): they were deleted, not pruned"));
	afx_reset(dir);

	/* a real pruning, then the anchor moved on past the next events */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	CHECK_INT(afx_verify(dir, &r), 0);
	anchor_set(dir, 1205, 1205);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "no signed digest vouches for the anchor (event 1205)"));
	afx_reset(dir);

	/* an anchor hash that is not its digest's */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	afx_frame_hash(dir, 1201, hex);
	snprintf(q, sizeof(q), "UPDATE meta SET value = '%s' WHERE key = 'anchor_hash'", hex);
	afx_sql(dir, q);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1201 "));
	afx_rechain(dir, 1201, INT64_MAX); /* and the chain made to follow from it */
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the anchor (event 1200, the last pruned) is not the one its signed"
			  " digest names"));
	afx_reset(dir);

	/* a pruned event put back: the file still holds it, the start moved back to it */
	afx_fill(dir, 1, 1200, now - 40 * 86400, 0);
	afx_fill(dir, 1201, 1220, now - 100, 0);
	afx_fill(dir, 1, 0, 0, 30);
	snprintf(q, sizeof(q), "UPDATE segments SET start = %lld",
		 (long long)afx_frame_off(dir, 1199));
	afx_sql(dir, q);
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1199 (eventID 00000000-0000-4000-8000-000000001199) is older than"
			  " the anchor (event 1200)"));
	afx_sql(dir, "UPDATE meta SET value = 'zz' WHERE key = 'anchor_seq'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the anchor (the last pruned event) is corrupt"));
	buf_release(&r);
	afx_rm(dir);
}

/* an index that would hide an event from LookupEvents, or show it wrong */
void test_audit_verify__index(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "DELETE FROM chunks WHERE account = '" AFX_B "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 3 is not in the index: LookupEvents does not find it"));
	afx_reset(dir);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "INSERT INTO chunks (account, time_lo, time_hi, seq_lo, seq_hi, segment, n,"
		     " entries) SELECT account, time_lo, time_hi, seq_lo, seq_hi, segment, n, entries"
		     " FROM chunks WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "event 1 is in the index twice"));
	afx_reset(dir);

	/* an entry's offset (the third field of the first entry) moved */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE chunks SET entries = substr(entries, 1, 16) || x'0100000000000000' ||"
		     " substr(entries, 25) WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the index entry of event 1 does not point at its record"));
	afx_reset(dir);

	/* an entry of an event that is not there */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE chunks SET entries = x'3300000000000000' || substr(entries, 9)"
		     " WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "the index names event 51, which is not in the trail"));
	afx_reset(dir);

	/* what lookups filter on, moved: the events are hidden, and verify says so */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE chunks SET account = '999999999999' WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "its account is not its record's"));
	afx_reset(dir);

	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE chunks SET time_hi = time_hi - 5000 WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "is damaged: LookupEvents does not see all of its events"));
	afx_reset(dir);

	/* the first entry's time (its second field), its read-only flag, its eventID */
	{
		static const char *const edits[][2] = {
			{"substr(entries, 1, 8) || x'0100000000000000' || substr(entries, 17)",
			 "its eventTime is not its record's"},
			{"substr(entries, 1, 28) || x'00' || substr(entries, 30)", /* event 1: GetUser */
			 "its readOnly is not its record's"},
			{"substr(entries, 1, 31) || x'58' || substr(entries, 33)",
			 "its eventID is not its record's"},
		};

		for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
			char q[256];

			afx_fill(dir, 1, 50, time_now() - 1000, 0);
			snprintf(q, sizeof(q), "UPDATE chunks SET entries = %s WHERE account = '" AFX_A
				 "'", edits[i][0]);
			afx_sql(dir, q);
			CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
			if (!afx_has(&r, edits[i][1])) {
				fprintf(stderr, "  %s: %s\n", edits[i][1], buf_cstr(&r));
				unit_fail(__FILE__, __LINE__, "the altered index field is not named");
			}
			afx_reset(dir);
		}
	}

	/* a chunk cut short */
	afx_fill(dir, 1, 50, time_now() - 1000, 0);
	afx_sql(dir, "UPDATE chunks SET entries = substr(entries, 1, length(entries) - 3)"
		     " WHERE account = '" AFX_A "'");
	CHECK_INT(afx_verify(dir, &r), CC_ECONFLICT);
	CHECK(afx_has(&r, "is damaged: LookupEvents does not see all of its events"));
	buf_release(&r);
	afx_rm(dir);
}

/* what verify cannot read is an error (CC_ERROR), never a crash and never "intact" */
void test_audit_verify__not_a_trail(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	struct err e = ERR_INIT;
	char path[300];
	FILE *f;

	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "no audit trail here") != NULL);
	CHECK_INT(audit_export(dir, 0, 0, stdout, &e), CC_ERROR);
	CHECK(strstr(e.msg, "no audit trail here") != NULL);
	/* not a database */
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	for (int i = 0; i < 5000; i++)
		fputc("SQLite format 3"[i % 15], f);
	fclose(f);
	{
		struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
		struct audit *a = NULL;

		CHECK_INT(audit_open(&a, &cfg, &e), CC_ERROR); /* refused: nothing is made of it */
		CHECK(strstr(e.msg, "not a database") != NULL);
	}
	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "not a database") != NULL);
	afx_reset(dir);
	/* no public key */
	afx_fill(dir, 1, 5, time_now(), 0);
	snprintf(path, sizeof(path), "%s/audit/signing.pub", dir);
	unlink(path);
	CHECK_INT(audit_verify(dir, &r, &e), CC_ERROR);
	CHECK(strstr(e.msg, "public key") != NULL);
	buf_release(&r);
	afx_rm(dir);
}

/* a database damaged on disk, one page at a time: judged or refused, never a crash */
void test_audit_verify__damaged_pages(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0), orig = BUF_INIT(0);
	struct err e = ERR_INIT;
	char path[300];
	int pages;

	afx_fill(dir, 1, 3000, time_now(), 0);
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	REQUIRE(file_read(&orig, path, &e) == 0);
	pages = (int)(orig.len / 4096);
	CHECK(pages > 4);
	for (int p = 1; p < pages; p++) { /* page 1 (the header) aside */
		struct buf damaged = BUF_INIT(0);
		int rc;

		buf_add(&damaged, orig.ptr, orig.len);
		for (int i = 0; i < 4096; i++)
			damaged.ptr[p * 4096 + i] = (char)(i * 7 + p);
		REQUIRE(file_write_atomic(path, damaged.ptr, damaged.len, 0600, &e) == 0);
		buf_release(&damaged);
		buf_clear(&r);
		rc = audit_verify(dir, &r, &e);
		CHECK(rc == 0 || rc == CC_ECONFLICT || rc == CC_ERROR);
	}
	buf_release(&orig);
	buf_release(&r);
	afx_rm(dir);
}

/* a segment file damaged on disk, a block at a time: every block holds events, each found */
void test_audit_verify__damaged_segment(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0), orig = BUF_INIT(0);
	struct err e = ERR_INIT;
	char *path;
	size_t blocks;

	afx_fill(dir, 1, 300, time_now(), 0);
	path = afx_seg_file(dir, 1);
	REQUIRE(file_read(&orig, path, &e) == 0);
	blocks = orig.len / 1000;
	CHECK(blocks > 50);
	for (size_t p = 0; p < blocks; p++) {
		struct buf damaged = BUF_INIT(0);

		buf_add(&damaged, orig.ptr, orig.len);
		for (size_t i = 0; i < 100; i++)
			damaged.ptr[p * 1000 + i] = (char)(i * 7 + p);
		REQUIRE(file_write_atomic(path, damaged.ptr, damaged.len, 0600, &e) == 0);
		buf_release(&damaged);
		CHECK_INT(audit_verify(dir, &r, &e), CC_ECONFLICT);
	}
	free(path);
	buf_release(&orig);
	buf_release(&r);
	afx_rm(dir);
}

/* rows of any type where the schema says otherwise: read, judged, no crash */
void test_audit_verify__hostile_rows(void)
{
	char *dir = afx_dir();
	struct buf r = BUF_INIT(0);
	static const char *const rows[] = {
		"UPDATE segments SET size = -5",
		"UPDATE segments SET size = 9223372036854775807",
		"UPDATE segments SET start = size + 1000",
		"UPDATE segments SET start = -1",
		"UPDATE segments SET first_seq = -3",
		"UPDATE segments SET last_seq = 9223372036854775807",
		"UPDATE segments SET hash = 'x', start = 'y', size = x'00'",
		"UPDATE chunks SET entries = 'text'",
		"UPDATE chunks SET entries = x'', segment = 'x'",
		"UPDATE chunks SET entries = zeroblob(100)",
		"UPDATE chunks SET entries = x'ffffffffffffffff' || substr(entries, 9)",
		"UPDATE chunks SET segment = 99",
		"UPDATE digests SET hash = x'01', signature = 'x'",
		"UPDATE digests SET time = 'x', hash = 5",
		"DROP TABLE segments",
		"DROP TABLE chunks",
		"DROP TABLE digests",
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		afx_reset(dir);
		afx_fill(dir, 1, 10, time_now(), 0);
		afx_sql(dir, rows[i]);
		if (afx_verify(dir, &r) >= 0) {
			fprintf(stderr, "  %s: %s\n", rows[i], buf_cstr(&r));
			unit_fail(__FILE__, __LINE__, "a hostile row passed");
		}
	}
	buf_release(&r);
	afx_rm(dir);
}
