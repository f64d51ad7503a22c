/* afx.h - what the tests of src/audit share (fixture.c): a temporary trail,
 * events whose every indexed attribute follows from their number i, and
 * the means to change a trail's files as someone with the disk but not the
 * signing key could. */
#ifndef TESTS_UNIT_AUDIT_AFX_H
#define TESTS_UNIT_AUDIT_AFX_H

#include "audit/audit_int.h"

#define AFX_A "111111111111"
#define AFX_B "222222222222"

char *afx_dir(void);
void afx_rm(char *d);
void afx_reset(const char *d);
char *afx_event(struct audit_entry *h, int i, const char *account, int64_t t);
void afx_emit(struct audit *a, int i, const char *account, int64_t t);
const char *afx_account(int i);
void afx_fill(const char *dir, int from, int to, int64_t t0, int64_t retention);
int afx_verify(const char *dir, struct buf *report);
void afx_sql(const char *dir, const char *stmt);
int64_t afx_int(const char *dir, const char *query);
bool afx_has(const struct buf *report, const char *what);
void afx_meta(const char *dir, const char *key, char *out, size_t outsz);

/* a segment file's frames, loaded, changed and saved back */
struct afx_ev {
	int64_t seq, time;
	unsigned char hash[32];
	char *rec;  /* NUL-terminated */
	size_t len;
};
struct afx_seg {
	int64_t first;
	size_t n, cap;
	struct afx_ev *ev;
};
int64_t afx_seg_first(const char *dir, int64_t seq);
char *afx_seg_file(const char *dir, int64_t seq);
bool afx_seg_load(struct afx_seg *s, const char *dir, int64_t seq);
void afx_seg_save(const struct afx_seg *s, const char *dir, bool fix_last);
void afx_seg_free(struct afx_seg *s);
struct afx_ev *afx_seg_ev(struct afx_seg *s, int64_t seq);
void afx_seg_delete(struct afx_seg *s, int64_t seq);
void afx_record_edit(const char *dir, int64_t seq, const char *from, const char *to);
void afx_rechain(const char *dir, int64_t from, int64_t to);
int64_t afx_frame_off(const char *dir, int64_t seq);
void afx_frame_hash(const char *dir, int64_t seq, char out[65]);
int afx_index(const char *dir, void (*fn)(void *arg, const char *account,
					  const struct ientry *x), void *arg);
void afx_v2(const char *dir);

#endif
