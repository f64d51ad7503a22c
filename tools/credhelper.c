/*
 * credhelper.c - a git credential helper (gitcredentials(7)) that answers
 * `get` with the user name and password `aws codecommit credential-helper`
 * would give: the access key id (and session token) and a SigV4 signature
 * of the host and path, from the same credential sources as the AWS CLI.
 * `store` and `erase` read their input and do nothing: nothing is kept.
 *
 * It answers for AWS's CodeCommit hosts, for hosts named with --host, and
 * for any host with --ignore-host-check; for others it says nothing, so git
 * goes on to its next helper.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tools.h"

#define INPUT_MAX 65536 /* bytes of git's request */
#define HOSTS_MAX 16

static const char usage_text[] =
	"usage: git-credential-commitd [options] get|store|erase\n"
	"       commitd credential-helper [options] get|store|erase\n"
	"\n"
	"A git credential helper for CodeCommit and commitd: `get` prints the\n"
	"user name and password (a SigV4 signature valid for 15 minutes) that\n"
	"`aws codecommit credential-helper` would, from the same credentials:\n"
	"AWS_ACCESS_KEY_ID..., the profile's keys, credential_process, or a\n"
	"role_arn profile (AssumeRole, the session cached until it expires).\n"
	"`store` and `erase` do nothing.  git must send the path:\n"
	"\n"
	"  git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.helper commitd\n"
	"  git config --global credential.http://127.0.0.1:8080.helper 'commitd --host 127.0.0.1:8080'\n"
	"  git config --global credential.useHttpPath true\n"
	"\n"
	"options:\n"
	"  --profile NAME        the AWS CLI profile (default: AWS_PROFILE, else default)\n"
	"  --region REGION       the region to sign for when the host does not name one\n"
	"                        (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)\n"
	"  --host HOST[:PORT]    answer for this host too (repeat for more)\n"
	"  --ignore-host-check   answer for any host git asks about\n"
	"  -h, --help            this text\n";

struct request {
	char protocol[16];
	char host[256];
	char path[2048];
	bool has_path;
};

/* git's "key=value" lines up to a blank line or the end; unknown keys are ignored */
static int read_request(struct request *r, FILE *in, struct err *e)
{
	char line[4096];
	size_t total = 0;

	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), in)) {
		size_t n = strlen(line);
		char *eq;

		total += n;
		if (total > INPUT_MAX)
			return err_set(e, CC_EINVAL, NULL, "git's request is too long");
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (n == sizeof(line) - 1)
			return err_set(e, CC_EINVAL, NULL, "a line of git's request is too long");
		if (n == 0)
			break;
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(line, "protocol") == 0) {
			snprintf(r->protocol, sizeof(r->protocol), "%s", eq + 1);
		} else if (strcmp(line, "host") == 0) {
			if (strlen(eq + 1) >= sizeof(r->host))
				return err_set(e, CC_EINVAL, NULL, "the host is too long");
			snprintf(r->host, sizeof(r->host), "%s", eq + 1);
		} else if (strcmp(line, "path") == 0) {
			if (strlen(eq + 1) + 1 >= sizeof(r->path))
				return err_set(e, CC_EINVAL, NULL, "the path is too long");
			snprintf(r->path, sizeof(r->path), "/%s", eq + 1);
			r->has_path = true;
		}
	}
	return 0;
}

/*
 * The region of an AWS CodeCommit host, as the AWS CLI reads it:
 * [vpce-....]git-codecommit[-fips].REGION.[vpce.]amazonaws.com[.cn]
 */
static bool aws_host_region(const char *host, char *region, size_t regionsz)
{
	const char *p = strstr(host, "git-codecommit"), *dot;
	size_t n = strcspn(host, ":");

	if (p == NULL || (p != host && strncmp(host, "vpce-", 5) != 0))
		return false;
	p += 14;
	if (strncmp(p, "-fips", 5) == 0)
		p += 5;
	if (*p != '.' || (dot = strchr(p + 1, '.')) == NULL || (size_t)(dot - p - 1) >= regionsz)
		return false;
	if (strncmp(dot + 1, "vpce.", 5) == 0)
		dot += 5;
	if (!((size_t)(host + n - dot) == 14 && strncmp(dot, ".amazonaws.com", 14) == 0) &&
	    !((size_t)(host + n - dot) == 17 && strncmp(dot, ".amazonaws.com.cn", 17) == 0))
		return false;
	memcpy(region, p + 1, (size_t)(dot - p - 1));
	region[dot - p - 1] = '\0';
	return cc_region_ok(region);
}

static int fail(const char *fmt, const char *msg)
{
	fprintf(stderr, "git-credential-commitd: ");
	fprintf(stderr, fmt, msg);
	fputc('\n', stderr);
	return 1;
}

int credential_helper_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"region", required_argument, NULL, 'r'},
		{"host", required_argument, NULL, 'H'},
		{"ignore-host-check", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *region_opt = NULL, *hosts[HOSTS_MAX];
	size_t nhosts = 0;
	bool any_host = false, ours = false;
	struct aws_resolve_opts ro = {0};
	struct aws_profile p = {0};
	struct request r;
	struct err e = ERR_INIT;
	struct buf user = BUF_INIT(0);
	char region[64] = "", password[SIGV4_GIT_PASSWORD_LEN + 1];
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': profile = optarg; break;
		case 'r': region_opt = optarg; break;
		case 'H':
			if (nhosts == HOSTS_MAX)
				return fail("at most %s --host options", "16");
			hosts[nhosts++] = optarg;
			break;
		case 'i': any_host = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (strcmp(argv[optind], "store") == 0 || strcmp(argv[optind], "erase") == 0) {
		read_request(&r, stdin, &e); /* read, so git never writes to a closed pipe */
		return 0;
	}
	if (strcmp(argv[optind], "get") != 0) /* git: unknown actions are ignored */
		return 0;
	if (read_request(&r, stdin, &e) < 0)
		return fail("%s", e.msg);
	if (strcmp(r.protocol, "https") != 0 && strcmp(r.protocol, "http") != 0)
		return 0;
	if (aws_host_region(r.host, region, sizeof(region)))
		ours = true;
	for (size_t i = 0; i < nhosts && !ours; i++)
		ours = strcmp(hosts[i], r.host) == 0;
	if (!ours && !any_host)
		return 0; /* not a host of ours: the next helper's */
	if (!r.has_path)
		return fail("%s", "git did not send the path, which is signed: run"
			    " `git config --global credential.useHttpPath true`");
	ro.profile = profile;
	ro.need_creds = true;
	if (aws_resolve(&p, &ro, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (region[0] == '\0')
		snprintf(region, sizeof(region), "%s", region_opt ? region_opt :
			 p.region ? p.region : "");
	if (region[0] == '\0') {
		fail("no region for %s: pass --region, set AWS_REGION, or set region in the profile",
		     r.host);
		goto out;
	}
	if (cc_git_credentials(&user, password, &p.creds, region, r.host, r.path, time_now(),
			       &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	printf("username=%s\npassword=%s\n", user.ptr, password);
	fflush(stdout);
	rc = 0;
out:
	mem_wipe(password, sizeof(password));
	if (user.ptr)
		mem_wipe(user.ptr, user.len);
	buf_release(&user);
	aws_profile_release(&p);
	return rc;
}
