/*
 * awscreds_int.h - the pieces of aws_resolve() (awscfg.h), apart for the
 * unit tests: credential_process, STS AssumeRole and its session cache.
 */
#ifndef TOOLS_AWSCREDS_INT_H
#define TOOLS_AWSCREDS_INT_H

#include "tools/awscfg.h"

void aws_creds_release(struct aws_creds *c);

/* ---- credproc.c ------------------------------------------------------------ */

/* s split as a POSIX shell (and Python's shlex.split) would: quotes, backslashes; no expansion */
int shell_split(char ***argv_out, size_t *argc_out, const char *s, struct err *e);
void shell_split_free(char **argv);
/* runs the command line (no shell) and reads its Version 1 JSON answer */
int credproc_run(struct aws_creds *out, const char *cmdline, int64_t now, struct err *e);

/* ---- stsclient.c ------------------------------------------------------------- */

struct stsc_assume {
	const char *endpoint;     /* "https://sts.us-east-1.amazonaws.com" */
	const char *region;       /* signing region */
	const char *role_arn, *session_name, *external_id, *serial, *token_code;
	int64_t duration;         /* seconds; 0: the role's default */
};
/* AssumeRole at a->endpoint, signed with src; CC_EDENIED for STS's refusals */
int stsc_assume_role(struct aws_creds *out, const struct aws_creds *src, const struct stsc_assume *a,
		    struct err *e);
/* the answer (XML) into out; STS's <Error> as CC_EDENIED with its code and message */
int stsc_parse_answer(struct aws_creds *out, const char *xml, size_t n, long http_status,
		     struct err *e);

/* the session cache: ${XDG_CACHE_HOME:-~/.cache}/commitd/sts/<key>.json */
void stsc_cache_key(char out[65], const struct stsc_assume *a, const struct aws_creds *src);
int stsc_cache_get(struct aws_creds *out, const char *key, int64_t now);  /* 0, or CC_ENOTFOUND */
void stsc_cache_put(const char *key, const struct aws_creds *c);

#endif
