/*
 * managed.h - private to src/iam: the table of AWS managed policies that
 * commitd ships, generated into managed_gen.c by
 * scripts/gen-managed-policies.py and loaded into the store by managed.c.
 */
#ifndef IAM_MANAGED_H
#define IAM_MANAGED_H

#include <stddef.h>
#include <stdint.h>

struct iam_managed_def {
	const char *name;            /* "AdministratorAccess" */
	const char *arn;             /* "arn:aws:iam::aws:policy/AdministratorAccess" */
	const char *path;            /* "/" */
	const char *default_version; /* "v1" */
	const char *description;     /* "" when none */
	int64_t created, updated;    /* epoch seconds */
	const char *document;        /* compact JSON */
};

extern const struct iam_managed_def iam_managed_defs[];
extern const size_t iam_managed_ndefs;

#endif
