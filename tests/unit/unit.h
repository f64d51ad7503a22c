/*
 * unit.h - the small unit-test harness.  A case is a function
 *   void test_<folder>_<file>__<case>(void)
 * in tests/unit/<folder>/<file>.c; the Makefile collects them by name.
 * CHECK records a failure and carries on; REQUIRE returns from the case.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_failures;
void unit_fail(const char *file, int line, const char *what);

#define CHECK(cond) \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, #cond); } while (0)
#define REQUIRE(cond) \
	do { if (!(cond)) { unit_fail(__FILE__, __LINE__, #cond); return; } } while (0)
#define CHECK_STR(a, b) \
	do { const char *a_ = (a), *b_ = (b); \
	     if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) { \
		char m_[1024]; snprintf(m_, sizeof m_, "%s == %s (\"%s\" vs \"%s\")", #a, #b, \
			a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		unit_fail(__FILE__, __LINE__, m_); } } while (0)
#define CHECK_INT(a, b) \
	do { long long a_ = (long long)(a), b_ = (long long)(b); \
	     if (a_ != b_) { char m_[512]; snprintf(m_, sizeof m_, "%s == %s (%lld vs %lld)", \
			#a, #b, a_, b_); unit_fail(__FILE__, __LINE__, m_); } } while (0)

/* the directory holding tests/data, for data-driven cases */
const char *unit_data_dir(void);

#endif
