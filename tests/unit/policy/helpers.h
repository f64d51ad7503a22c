/*
 * helpers.h - shared by the policy unit tests: parse a document or fail
 * the case, and build request keys tersely.  Test code only.
 */
#ifndef TESTS_UNIT_POLICY_HELPERS_H
#define TESTS_UNIT_POLICY_HELPERS_H

#include <string.h>

#include "policy/policy.h"
#include "unit.h"

/* K("aws:username", "bob") or K("aws:TagKeys", "a", "b") */
#define K(name, ...)                                                                   \
	{ (name), { (const char *const[]){__VA_ARGS__},                                \
		    sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *) } }

static inline struct policy *parse_ok(const char *json, enum policy_kind kind, const char *file,
				      int line)
{
	struct policy *p = NULL;
	struct err e = ERR_INIT;

	if (policy_parse(&p, json, strlen(json), kind, 0, &e) < 0) {
		char m[400];

		snprintf(m, sizeof m, "policy_parse failed: %s", e.msg);
		unit_fail(file, line, m);
		return NULL;
	}
	return p;
}
#define PARSE(json, kind) parse_ok((json), (kind), __FILE__, __LINE__)

#endif
