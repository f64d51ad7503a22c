/*
 * awscfg.h - what the AWS tools read to find credentials, a region and an
 * endpoint, read the way the AWS CLI v2 and botocore read it, for the client
 * programs in tools/ (git-remote-codecommit, git-credential-commitd).
 *
 * Errors follow src/core: 0 on success, a negative CC_E* code with a message
 * for the user in struct err.  No message ever holds a secret.
 */
#ifndef TOOLS_AWSCFG_H
#define TOOLS_AWSCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ---- the INI files: ~/.aws/config and ~/.aws/credentials ---------------- */

/*
 * One parsed file, with the rules of botocore's raw_config_parse (Python's
 * RawConfigParser): "[section]" headers, "key = value" or "key: value",
 * whole-line comments starting with '#' or ';', keys lower-cased, key and
 * value stripped of surrounding whitespace, indented lines continuing the
 * value above (an empty value followed by indented "k = v" lines is a
 * sub-section such as "s3 =\n  max_concurrent_requests = 10"), a duplicate
 * section or key refused.  Section names are kept as written:
 * "profile dev", "default", "sso-session x", "services y".
 */
struct awscfg_file;

/* text of len bytes (need not be NUL-terminated); name is for messages */
int awscfg_parse(struct awscfg_file **out, const char *text, size_t len, const char *name,
		 struct err *e);
/* reads path; a missing file is an empty one (CC_OK), unreadable is an error */
int awscfg_load(struct awscfg_file **out, const char *path, struct err *e);
void awscfg_free(struct awscfg_file *f);

bool awscfg_has_section(const struct awscfg_file *f, const char *section);
/* the i-th section's name, in file order; NULL past the last */
const char *awscfg_section_name(const struct awscfg_file *f, size_t i);
/* the value, or NULL; key is matched lower-cased */
const char *awscfg_get(const struct awscfg_file *f, const char *section, const char *key);
/* a sub-section value: awscfg_sub(f, "services dev", "codecommit", "endpoint_url");
 * valid until the next call in the same thread */
const char *awscfg_sub(const struct awscfg_file *f, const char *section, const char *key,
		       const char *subkey);

/* ---- one profile, resolved ----------------------------------------------- */

struct aws_creds {
	char *access_key_id;
	char *secret_access_key; /* wiped when released */
	char *session_token;     /* NULL if none; wiped when released */
	int64_t expiration;      /* seconds since the epoch; 0: does not expire */
	const char *source;      /* for messages: "environment", "shared credentials file",
				    "config file", "credential_process", "assume role" */
};

struct aws_profile {
	char *name;         /* the profile used: "default" when none was named */
	char *region;       /* AWS_REGION, AWS_DEFAULT_REGION, then the profile's; NULL if none */
	char *config_path;  /* the files read, for messages */
	char *credentials_path;
	struct awscfg_file *config;      /* kept for aws_endpoint() */
	struct awscfg_file *credentials;
	struct aws_creds creds;          /* empty (access_key_id NULL) if not asked for */
};

struct aws_resolve_opts {
	/*
	 * A profile the user named explicitly (codecommit://PROFILE@REPO).  As
	 * in botocore, an explicit profile skips the environment credentials
	 * (AWS_ACCESS_KEY_ID...), while AWS_PROFILE does not.  NULL: AWS_PROFILE,
	 * else AWS_DEFAULT_PROFILE, else "default".
	 */
	const char *profile;
	bool need_creds; /* false: region and endpoints only */
	int64_t now;     /* 0: time_now(); tests set it */
};

/*
 * Resolves the profile the way the AWS CLI does: files from
 * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/config and
 * ~/.aws/credentials), "[profile NAME]" in config and "[NAME]" in
 * credentials ("[default]" in both).  Credentials, first that has them:
 * the environment (unless the profile was explicit); role_arn with
 * source_profile or credential_source = Environment (STS AssumeRole at
 * aws_endpoint(p, "sts"), the session cached in
 * ${XDG_CACHE_HOME:-~/.cache}/commitd/sts/ until 15 minutes before it
 * expires); the credentials file; credential_process (split like a POSIX
 * shell would, run with an argv, never through a shell); the config file.
 * Errors:
 *   CC_ENOTFOUND  "The config profile (NAME) could not be found"
 *   CC_EAUTH      "Unable to locate credentials for profile NAME. ..." (what was tried)
 *   CC_EINVAL     a malformed file ("FILE line N: ..."), a source_profile
 *                 loop, a credential_process answer that is not Version 1
 *   CC_EDENIED    STS refused the AssumeRole (its code and message)
 *   CC_ERROR      STS unreachable, a process that failed (its exit status)
 */
int aws_resolve(struct aws_profile *out, const struct aws_resolve_opts *o, struct err *e);
void aws_profile_release(struct aws_profile *p);

/*
 * The endpoint URL for service ("codecommit", "sts") as the AWS CLI v2 picks
 * it: AWS_ENDPOINT_URL_<SERVICE>, the profile's "services" section
 * ("[services NAME]" with "SERVICE =\n  endpoint_url = URL"), AWS_ENDPOINT_URL,
 * the profile's endpoint_url.  NULL when none is set (the caller uses AWS's).
 * The string belongs to p or to the environment.
 */
const char *aws_endpoint(const struct aws_profile *p, const char *service);

#endif
