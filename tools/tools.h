/*
 * tools.h - what the two client programs share: codecommit:// URLs, where
 * Git goes for a region, and the user name and password CodeCommit takes.
 *
 *   codecommit.c   URLs, endpoints, the signed Git credentials
 *   remote.c       git-remote-codecommit
 *   credhelper.c   the git credential helper (git-credential-commitd,
 *                  `commitd credential-helper`)
 *   awscfg.h       the AWS config, credentials and endpoints they read
 */
#ifndef TOOLS_TOOLS_H
#define TOOLS_TOOLS_H

#include "auth/sigv4.h"
#include "core/core.h"
#include "tools/awscfg.h"

#define CC_REPO_MAX 100    /* CodeCommit's limit on a repository name */
#define CC_PROFILE_MAX 128

/* codecommit://[PROFILE@]REPO, or what git passes for codecommit::REGION://[PROFILE@]REPO */
struct cc_url {
	char profile[CC_PROFILE_MAX + 1]; /* "" when the URL names none */
	char region[64];                  /* "" when the URL names none */
	char repo[CC_REPO_MAX + 1];
};

/* CC_EINVAL, saying which forms are accepted, for anything else */
int cc_url_parse(struct cc_url *out, const char *url, struct err *e);

/* "us-east-1", "ap-northeast-1", "us-gov-west-1", "cn-north-1" */
bool cc_region_ok(const char *region);

/*
 * Where Git goes, as "https://HOST[:PORT]" or "http://HOST[:PORT]" with no
 * path: CODE_COMMIT_ENDPOINT (a host name as the Python helper takes it, or
 * a URL), else the profile's codecommit endpoint (aws_endpoint), else
 * AWS's git-codecommit.REGION.amazonaws.com (.com.cn in China).
 */
int cc_git_base(struct buf *out, const struct aws_profile *p, const char *region, struct err *e);

/*
 * The user name and password CodeCommit accepts for a Git request to
 * host_port and path, made at time now: the access key id (with "%" and the
 * session token after it when there is one) and the SigV4 signature of
 * "GIT path" for the host without its port, as `aws codecommit
 * credential-helper` makes it.  user receives the plain name; the caller
 * quotes it for a URL.
 */
int cc_git_credentials(struct buf *user, char password[SIGV4_GIT_PASSWORD_LEN + 1],
		       const struct aws_creds *c, const char *region, const char *host_port,
		       const char *path, int64_t now, struct err *e);

/* the programs: argv as main() has it */
int remote_main(int argc, char **argv);
int credential_helper_main(int argc, char **argv);

#endif
