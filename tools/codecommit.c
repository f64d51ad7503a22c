/*
 * codecommit.c - codecommit:// URLs, where Git goes for them, and the user
 * name and password CodeCommit takes (tools.h).  Nothing here touches the
 * network or the files: awscfg.h has found the credentials already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tools.h"

#define URL_FORMS "A URL must be in one of the two following formats:" \
	" codecommit://<profile>@<repository> or codecommit::<region>://<profile>@<repository>"

/* the URL as it may be shown: printable, cut short */
static void shown(char *out, size_t outsz, const char *s)
{
	size_t i = 0;

	for (; *s && i + 4 < outsz; s++)
		out[i++] = (*s > 0x20 && *s < 0x7f) ? *s : '?';
	if (*s)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

static int malformed(struct err *e, const char *url, const char *why)
{
	char s[160];

	shown(s, sizeof(s), url);
	return err_set(e, CC_EINVAL, NULL, "The following URL is malformed: %s (%s). " URL_FORMS,
		       s, why);
}

/* "xx-word[-word...]-N": two letters, one or more words of letters, a number */
bool cc_region_ok(const char *r)
{
	size_t n = strlen(r), parts = 0, i = 0;

	if (n > 32)
		return false;
	while (i <= n) {
		size_t start = i, len;
		bool letters = true, digits = true;

		while (i < n && r[i] != '-') {
			letters &= r[i] >= 'a' && r[i] <= 'z';
			digits &= r[i] >= '0' && r[i] <= '9';
			i++;
		}
		len = i - start;
		if (len == 0)
			return false;
		parts++;
		if (i == n) /* the last part: a number, after at least two others */
			return digits && parts >= 3;
		if (!letters || (parts == 1 && len != 2))
			return false;
		i++;
	}
	return false;
}

int cc_url_parse(struct cc_url *out, const char *url, struct err *e)
{
	const char *rest, *sep = strstr(url, "://"), *at;
	size_t pn;

	memset(out, 0, sizeof(*out));
	if (sep == NULL)
		return malformed(e, url, "no '://'");
	if (sep - url == 10 && strncmp(url, "codecommit", 10) == 0) {
		/* codecommit://...: the region is the profile's */
	} else if ((size_t)(sep - url) < sizeof(out->region)) {
		memcpy(out->region, url, (size_t)(sep - url));
		if (!cc_region_ok(out->region))
			return malformed(e, url, "the part before '://' is neither codecommit nor a region");
	} else {
		return malformed(e, url, "the part before '://' is neither codecommit nor a region");
	}
	rest = sep + 3;
	if ((at = strchr(rest, '@'))) {
		pn = (size_t)(at - rest);
		if (pn == 0 || pn > CC_PROFILE_MAX)
			return malformed(e, url, "the profile before '@' is empty or too long");
		memcpy(out->profile, rest, pn);
		if (!word_chars_ok(out->profile, 1, CC_PROFILE_MAX, "_.+=,-"))
			return malformed(e, url, "a profile name is letters, digits and _.+=,-");
		rest = at + 1;
	}
	if (rest[strcspn(rest, "/?#\\")] != '\0')
		return malformed(e, url, "nothing may follow the repository name");
	if (!word_chars_ok(rest, 1, CC_REPO_MAX, "_.-") || strcmp(rest, ".") == 0 ||
	    strcmp(rest, "..") == 0)
		return malformed(e, url, "a repository name is 1 to 100 letters, digits and _.-");
	memcpy(out->repo, rest, strlen(rest) + 1);
	return 0;
}

/* host[:port]: letters, digits, '.', '-', '[', ']', ':' (IPv6), and a number after the last ':' */
static bool host_ok(const char *h, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || strchr(".-[]:", h[i])))
			return false;
	return h[0] != ':' && h[0] != '.' && h[0] != '-';
}

/* "http(s)://HOST[:PORT][/]" or a bare "HOST[:PORT]" (https, as the Python helper) into out */
static int base_from(struct buf *out, const char *ep, const char *what, struct err *e)
{
	const char *scheme = "https", *host = ep, *sep = strstr(ep, "://");
	size_t n;

	if (sep) {
		if (sep - ep == 4 && strncmp(ep, "http", 4) == 0)
			scheme = "http";
		else if (!(sep - ep == 5 && strncmp(ep, "https", 5) == 0))
			return err_set(e, CC_EINVAL, NULL, "%s: only http:// and https:// endpoints"
				       " are supported", what);
		host = sep + 3;
	}
	n = strcspn(host, "/");
	if (!host_ok(host, n) || (host[n] && strcmp(host + n, "/") != 0))
		return err_set(e, CC_EINVAL, NULL, "%s is not a host[:port] or an http(s)://host[:port]"
			       " URL without a path", what);
	buf_printf(out, "%s://%.*s", scheme, (int)n, host);
	return buf_failed(out) ? err_oom(e) : 0;
}

int cc_git_base(struct buf *out, const struct aws_profile *p, const char *region, struct err *e)
{
	const char *ep = getenv("CODE_COMMIT_ENDPOINT");

	if (ep && ep[0])
		return base_from(out, ep, "CODE_COMMIT_ENDPOINT", e);
	if (p && (ep = aws_endpoint(p, "codecommit")))
		return base_from(out, ep, "the profile's codecommit endpoint_url", e);
	buf_printf(out, "https://git-codecommit.%s.amazonaws.com%s", region,
		   strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	return buf_failed(out) ? err_oom(e) : 0;
}

int cc_git_credentials(struct buf *user, char password[SIGV4_GIT_PASSWORD_LEN + 1],
		       const struct aws_creds *c, const char *region, const char *host_port,
		       const char *path, int64_t now, struct err *e)
{
	char amz_date[20], host[256];
	size_t hn = strcspn(host_port, ":"); /* the port is not signed, as the AWS CLI signs */

	if (c == NULL || c->access_key_id == NULL || c->secret_access_key == NULL)
		return err_set(e, CC_EAUTH, NULL, "no credentials to sign with");
	if (hn >= sizeof(host))
		return err_set(e, CC_EINVAL, NULL, "the host name is too long");
	memcpy(host, host_port, hn);
	host[hn] = '\0';
	time_amz(amz_date, sizeof(amz_date), now);
	if (sigv4_git_password(password, c->secret_access_key, strlen(c->secret_access_key),
			       amz_date, region, host, path, e) < 0)
		return e->code;
	buf_puts(user, c->access_key_id);
	if (c->session_token && c->session_token[0]) {
		buf_putc(user, '%');
		buf_puts(user, c->session_token);
	}
	return buf_failed(user) ? err_oom(e) : 0;
}
