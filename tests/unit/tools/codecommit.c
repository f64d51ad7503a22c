/*
 * codecommit.c - codecommit:// URLs, endpoints and the Git credentials,
 * the last checked against SigV4 computed here independently (OpenSSL's
 * one-shot HMAC and SHA-256, the steps of AWS's signing documentation).
 */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "tools/tools.h"
#include "unit.h"

void test_tools_codecommit__urls(void)
{
	struct cc_url u;
	struct err e = ERR_INIT;

	REQUIRE(cc_url_parse(&u, "codecommit://MyDemoRepo", &e) == 0);
	CHECK_STR(u.repo, "MyDemoRepo");
	CHECK_STR(u.profile, "");
	CHECK_STR(u.region, "");
	REQUIRE(cc_url_parse(&u, "codecommit://CodeCommitProfile@MyDemoRepo", &e) == 0);
	CHECK_STR(u.profile, "CodeCommitProfile");
	CHECK_STR(u.repo, "MyDemoRepo");
	/* codecommit::REGION://... reaches the helper without "codecommit::" */
	REQUIRE(cc_url_parse(&u, "ap-northeast-1://MyDemoRepo", &e) == 0);
	CHECK_STR(u.region, "ap-northeast-1");
	CHECK_STR(u.repo, "MyDemoRepo");
	REQUIRE(cc_url_parse(&u, "us-gov-west-1://dev@my_repo.v2-x", &e) == 0);
	CHECK_STR(u.region, "us-gov-west-1");
	CHECK_STR(u.profile, "dev");
	CHECK_STR(u.repo, "my_repo.v2-x");
}

void test_tools_codecommit__bad_urls(void)
{
	static const char *const bad[] = {
		"", "codecommit:", "codecommit:/repo", "codecommit://", "codecommit://@repo",
		"codecommit://p@", "codecommit://repo/../other", "codecommit://../x",
		"codecommit://..", "codecommit://.", "codecommit://repo/", "codecommit://repo?x=1",
		"codecommit://repo#f", "codecommit://a b", "codecommit://re%2fpo",
		"codecommit://p/q@repo", "codecommit://repo\\x", "https://repo", "file://repo",
		"us-east://repo", "useast-1://repo", "US-EAST-1://repo", "us-east-1x://repo",
		"codecommit://p@q@repo",
		"codecommit://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"codecommit://x\nrepo", "codecommit://repo\r",
	};
	struct cc_url u;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct err e = ERR_INIT;

		if (cc_url_parse(&u, bad[i], &e) != CC_EINVAL) {
			unit_fail(__FILE__, __LINE__, bad[i]);
			continue;
		}
		CHECK(strstr(e.msg, "The following URL is malformed") != NULL);
		CHECK(strstr(e.msg, "codecommit::<region>://<profile>@<repository>") != NULL);
		CHECK(strchr(e.msg, '\n') == NULL); /* shown printable */
	}
}

void test_tools_codecommit__regions(void)
{
	CHECK(cc_region_ok("us-east-1"));
	CHECK(cc_region_ok("ap-northeast-1"));
	CHECK(cc_region_ok("us-gov-west-1"));
	CHECK(cc_region_ok("cn-north-1"));
	CHECK(cc_region_ok("il-central-1"));
	CHECK(!cc_region_ok("us-east"));
	CHECK(!cc_region_ok("u-east-1"));
	CHECK(!cc_region_ok("us--1"));
	CHECK(!cc_region_ok("us-east-"));
	CHECK(!cc_region_ok("us-east-1-"));
	CHECK(!cc_region_ok("us-1"));
	CHECK(!cc_region_ok("codecommit"));
	CHECK(!cc_region_ok(""));
}

void test_tools_codecommit__endpoints(void)
{
	struct buf b = BUF_INIT(0);
	struct err e = ERR_INIT;
	char *old = getenv("CODE_COMMIT_ENDPOINT") ? strdup(getenv("CODE_COMMIT_ENDPOINT")) : NULL;

	unsetenv("CODE_COMMIT_ENDPOINT");
	REQUIRE(cc_git_base(&b, NULL, "eu-west-1", &e) == 0);
	CHECK_STR(b.ptr, "https://git-codecommit.eu-west-1.amazonaws.com");
	buf_clear(&b);
	REQUIRE(cc_git_base(&b, NULL, "cn-north-1", &e) == 0);
	CHECK_STR(b.ptr, "https://git-codecommit.cn-north-1.amazonaws.com.cn");
	buf_clear(&b);
	/* a host name, as the Python helper takes it: https */
	setenv("CODE_COMMIT_ENDPOINT", "git.example.com:8443", 1);
	REQUIRE(cc_git_base(&b, NULL, "us-east-1", &e) == 0);
	CHECK_STR(b.ptr, "https://git.example.com:8443");
	buf_clear(&b);
	setenv("CODE_COMMIT_ENDPOINT", "http://127.0.0.1:8080/", 1);
	REQUIRE(cc_git_base(&b, NULL, "us-east-1", &e) == 0);
	CHECK_STR(b.ptr, "http://127.0.0.1:8080");
	buf_clear(&b);
	static const char *const bad[] = {
		"ftp://x", "http://", "http://user:pw@host", "http://host/path", "host/path",
		"ho st", "http://host?x", ":80", "http://host#x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		setenv("CODE_COMMIT_ENDPOINT", bad[i], 1);
		if (cc_git_base(&b, NULL, "us-east-1", &e) != CC_EINVAL)
			unit_fail(__FILE__, __LINE__, bad[i]);
		buf_clear(&b);
	}
	if (old)
		setenv("CODE_COMMIT_ENDPOINT", old, 1);
	else
		unsetenv("CODE_COMMIT_ENDPOINT");
	free(old);
	buf_release(&b);
}

static void hmac(unsigned char out[32], const void *key, size_t klen, const char *msg)
{
	unsigned int n = 32;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* the password by AWS's documented steps, at 2026-11-22T10:11:12Z */
static void expected(char out[81], const char *secret, const char *region, const char *host,
		     const char *path)
{
	char cr[512], sts[512], k0[128], hex[65];
	unsigned char md[32], k[32];

	snprintf(cr, sizeof(cr), "GIT\n%s\n\nhost:%s\n\nhost\n", path, host);
	SHA256((const unsigned char *)cr, strlen(cr), md);
	hex_encode(hex, md, 32);
	snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n20261122T101112\n20261122/%s/codecommit/"
		 "aws4_request\n%s", region, hex);
	snprintf(k0, sizeof(k0), "AWS4%s", secret);
	hmac(k, k0, strlen(k0), "20261122");
	hmac(k, k, 32, region);
	hmac(k, k, 32, "codecommit");
	hmac(k, k, 32, "aws4_request");
	hmac(md, k, 32, sts);
	memcpy(out, "20261122T101112Z", 16);
	hex_encode(out + 16, md, 32);
}

void test_tools_codecommit__credentials(void)
{
	struct aws_creds c = {.access_key_id = "AKIAIOSFODNN7EXAMPLE",
			      .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
	struct buf user = BUF_INIT(0);
	struct err e = ERR_INIT;
	char pw[SIGV4_GIT_PASSWORD_LEN + 1], want[81];
	int64_t t;

	REQUIRE(time_parse_iso8601(&t, "2026-11-22T10:11:12Z", 20) == 0);
	REQUIRE(cc_git_credentials(&user, pw, &c, "us-east-1",
				   "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/MyDemoRepo",
				   t, &e) == 0);
	expected(want, c.secret_access_key, "us-east-1", "git-codecommit.us-east-1.amazonaws.com",
		 "/v1/repos/MyDemoRepo");
	CHECK_STR(pw, want);
	CHECK_STR(user.ptr, "AKIAIOSFODNN7EXAMPLE");
	/* the port is not signed; a session token follows the key id after '%' */
	buf_clear(&user);
	c.session_token = "FQoGZXIvYXdzEXAMPLE/+=";
	REQUIRE(cc_git_credentials(&user, pw, &c, "eu-west-1", "127.0.0.1:8080", "/v1/repos/r",
				   t, &e) == 0);
	expected(want, c.secret_access_key, "eu-west-1", "127.0.0.1", "/v1/repos/r");
	CHECK_STR(pw, want);
	CHECK_STR(user.ptr, "AKIAIOSFODNN7EXAMPLE%FQoGZXIvYXdzEXAMPLE/+=");
	/* another path, another password */
	REQUIRE(cc_git_credentials(&user, pw, &c, "eu-west-1", "127.0.0.1:8080", "/v1/repos/s",
				   t, &e) == 0);
	CHECK(strcmp(pw, want) != 0);
	c.secret_access_key = NULL;
	CHECK_INT(cc_git_credentials(&user, pw, &c, "eu-west-1", "h", "/p", t, &e), CC_EAUTH);
	buf_release(&user);
}
