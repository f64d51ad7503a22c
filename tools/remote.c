/*
 * remote.c - git-remote-codecommit: git runs it for codecommit:// URLs
 * (gitremote-helpers(7)) with the remote's name and its URL.  It finds the
 * profile, region and credentials, signs the repository's path as
 * CodeCommit expects, and hands everything else to git's own HTTP
 * transport: it becomes `git remote-http REMOTE SIGNED-URL`, as the Python
 * helper does, so the transfer is git's and costs nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/tools.h"

static const char usage_text[] =
	"usage: git-remote-codecommit REMOTE URL   (git runs it; see below)\n"
	"\n"
	"A git remote helper for codecommit:// URLs, for AWS CodeCommit and commitd:\n"
	"\n"
	"  git clone codecommit://MyDemoRepo                       default profile\n"
	"  git clone codecommit://CodeCommitProfile@MyDemoRepo     a named profile\n"
	"  git clone codecommit::ap-northeast-1://MyDemoRepo       another region\n"
	"\n"
	"Credentials are read as the AWS CLI reads them: AWS_ACCESS_KEY_ID,\n"
	"AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (unless the URL names a\n"
	"profile), then the profile (AWS_PROFILE, else default) in\n"
	"~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,\n"
	"AWS_CONFIG_FILE): its keys, credential_process, or role_arn with\n"
	"source_profile (STS AssumeRole; the session is cached in\n"
	"~/.cache/commitd/sts until 15 minutes before it expires).  The region is\n"
	"the URL's, else AWS_REGION, AWS_DEFAULT_REGION or the profile's.\n"
	"\n"
	"Git goes to CODE_COMMIT_ENDPOINT if set (a host name, https, as the\n"
	"Python helper takes it, or an http:// or https:// URL), else the\n"
	"profile's endpoint_url (or its services section's codecommit one, or\n"
	"AWS_ENDPOINT_URL_CODECOMMIT / AWS_ENDPOINT_URL), else\n"
	"https://git-codecommit.REGION.amazonaws.com.  For commitd, set\n"
	"endpoint_url = http://HOST:PORT in the profile.\n";

static int fail(const char *msg)
{
	fprintf(stderr, "git-remote-codecommit: %s\n", msg);
	return 1;
}

/* s percent-encoded except RFC 3986's unreserved characters, as botocore quotes it */
static void quote(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_putc(out, (char)c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

int remote_main(int argc, char **argv)
{
	struct aws_resolve_opts ro = {0};
	struct aws_profile p = {0};
	struct cc_url u;
	struct err e = ERR_INIT;
	struct buf base = BUF_INIT(0), user = BUF_INIT(0), url = BUF_INIT(0), path = BUF_INIT(0);
	char password[SIGV4_GIT_PASSWORD_LEN + 1];
	const char *region, *host;
	char msg[sizeof(e.msg) + 256];
	int rc = 1;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 3)
		return fail("Too few arguments. This hook requires the git command and remote"
			    " (git runs it for codecommit:// URLs; see --help).");
	if (argc > 3)
		return fail("Too many arguments. The hook takes only the remote's name and URL.");
	if (cc_url_parse(&u, argv[2], &e) < 0)
		return fail(e.msg);
	ro.profile = u.profile[0] ? u.profile : NULL;
	ro.need_creds = true;
	if (aws_resolve(&p, &ro, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	region = u.region[0] ? u.region : p.region;
	if (region == NULL || region[0] == '\0') {
		snprintf(msg, sizeof(msg), "The following profile does not have an AWS Region: %s."
			 " Set region in the profile (or AWS_REGION), or name one in the URL:"
			 " codecommit::REGION://%s", p.name, argv[2] + strlen("codecommit://"));
		fail(msg);
		goto out;
	}
	if (cc_git_base(&base, &p, region, &e) < 0) {
		fail(e.msg);
		goto out;
	}
	host = strstr(base.ptr, "://") + 3;
	buf_printf(&path, "/v1/repos/%s", u.repo);
	if (buf_failed(&path) ||
	    cc_git_credentials(&user, password, &p.creds, region, host, path.ptr, time_now(),
			       &e) < 0) {
		fail(e.code ? e.msg : "out of memory");
		goto out;
	}
	buf_add(&url, base.ptr, (size_t)(host - base.ptr));
	quote(&url, user.ptr);
	buf_printf(&url, ":%s@%s%s", password, host, path.ptr);
	if (buf_failed(&url)) {
		fail("out of memory");
		goto out;
	}
	fflush(NULL);
	/* git's own HTTP transport does the rest; it handles https:// URLs too */
	execlp("git", "git", "remote-http", argv[1], url.ptr, (char *)NULL);
	snprintf(msg, sizeof(msg), "cannot run git remote-http: %s", strerror(errno));
	fail(msg);
out:
	mem_wipe(password, sizeof(password));
	if (url.ptr)
		mem_wipe(url.ptr, url.len);
	if (user.ptr)
		mem_wipe(user.ptr, user.len);
	buf_release(&url);
	buf_release(&user);
	buf_release(&base);
	buf_release(&path);
	aws_profile_release(&p);
	return rc;
}
