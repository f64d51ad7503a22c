/*
 * awscreds.c - a profile resolved as the AWS CLI resolves it: which
 * credentials win, which region, which endpoint, credential_process, the
 * source_profile chain and the STS session cache.  Each case writes its own
 * files in a temporary directory and sets the environment it needs.
 */
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/awscreds_int.h"
#include "unit.h"

static const char *const vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CODECOMMIT",
	"AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "XDG_CACHE_HOME",
};

struct fx {
	char dir[64];
	char *saved[ARRAY_SIZE(vars)];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
		chmod(path, mode);
	}
}

static void fx_start(struct fx *x, const char *config, const char *credentials)
{
	char p[128];

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		x->saved[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
		unsetenv(vars[i]);
	}
	snprintf(x->dir, sizeof(x->dir), "/tmp/commitd-awscreds-XXXXXX");
	if (mkdtemp(x->dir) == NULL)
		return;
	snprintf(p, sizeof(p), "%s/config", x->dir);
	write_file(p, config, 0600);
	setenv("AWS_CONFIG_FILE", p, 1);
	snprintf(p, sizeof(p), "%s/credentials", x->dir);
	write_file(p, credentials, 0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	snprintf(p, sizeof(p), "%s/cache", x->dir);
	setenv("XDG_CACHE_HOME", p, 1);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void fx_end(struct fx *x)
{
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		if (x->saved[i])
			setenv(vars[i], x->saved[i], 1);
		else
			unsetenv(vars[i]);
		free(x->saved[i]);
	}
	nftw(x->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* resolves profile (NULL: none named); the key id, or the error message */
static const char *key_of(struct aws_profile *p, const char *profile, struct err *e)
{
	struct aws_resolve_opts o = {.profile = profile, .need_creds = true};

	aws_profile_release(p);
	if (aws_resolve(p, &o, e) < 0)
		return e->msg;
	return p->creds.access_key_id;
}

#define CREDS "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n" \
	      "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s2\n" \
	      "aws_session_token = tok\n"

void test_tools_awscreds__precedence(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;

	fx_start(&x, "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-west-1\n"
		 "[profile cfgonly]\naws_access_key_id = AKIACFG\naws_secret_access_key = s3\n", CREDS);
	CHECK_STR(key_of(&p, NULL, &e), "AKIADEFAULT");
	CHECK_STR(p.name, "default");
	CHECK_STR(p.region, "us-west-2");
	CHECK_STR(p.creds.source, "shared credentials file");
	CHECK_STR(key_of(&p, "dev", &e), "AKIADEV");
	CHECK_STR(p.creds.session_token, "tok");
	CHECK_STR(p.region, "eu-west-1");
	CHECK_STR(key_of(&p, "cfgonly", &e), "AKIACFG");
	CHECK_STR(p.creds.source, "config file");
	/* the environment wins over the default profile and over AWS_PROFILE... */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s4", 1);
	CHECK_STR(key_of(&p, NULL, &e), "AKIAENV");
	setenv("AWS_PROFILE", "dev", 1);
	CHECK_STR(key_of(&p, NULL, &e), "AKIAENV");
	CHECK_STR(p.name, "dev");
	CHECK_STR(p.region, "eu-west-1");
	/* ...but not over a profile named explicitly */
	CHECK_STR(key_of(&p, "dev", &e), "AKIADEV");
	/* region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's */
	setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
	key_of(&p, "dev", &e);
	CHECK_STR(p.region, "ap-south-1");
	setenv("AWS_REGION", "ca-central-1", 1);
	key_of(&p, "dev", &e);
	CHECK_STR(p.region, "ca-central-1");
	/* half the environment's pair is an error, as for botocore */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_PROFILE");
	CHECK(strstr(key_of(&p, NULL, &e), "Partial credentials") != NULL);
	aws_profile_release(&p);
	fx_end(&x);
}

void test_tools_awscreds__missing(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;

	fx_start(&x, "[profile noregion]\n[profile nocreds]\nregion = us-east-1\n", "");
	CHECK_STR(key_of(&p, "nosuch", &e), "The config profile (nosuch) could not be found");
	CHECK_INT(e.code, CC_ENOTFOUND);
	setenv("AWS_PROFILE", "alsonot", 1);
	CHECK_STR(key_of(&p, NULL, &e), "The config profile (alsonot) could not be found");
	unsetenv("AWS_PROFILE");
	CHECK(strstr(key_of(&p, "nocreds", &e), "Unable to locate credentials for profile nocreds")
	      != NULL);
	CHECK_INT(e.code, CC_EAUTH);
	CHECK(strstr(e.msg, "/credentials") != NULL); /* says where it looked */
	/* no default profile at all, and no keys: a missing-credentials error */
	CHECK(strstr(key_of(&p, NULL, &e), "Unable to locate credentials") != NULL);
	/* region and endpoints only: no credentials needed */
	{
		struct aws_resolve_opts o = {.profile = "noregion"};

		aws_profile_release(&p);
		CHECK_INT(aws_resolve(&p, &o, &e), 0);
		CHECK(p.region == NULL);
	}
	aws_profile_release(&p);
	fx_end(&x);
}

void test_tools_awscreds__malformed_files(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;

	fx_start(&x, "[default]\nregion = us-east-1\nthis is not a setting\n", CREDS);
	CHECK(strstr(key_of(&p, NULL, &e), "/config line 3") != NULL);
	CHECK_INT(e.code, CC_EINVAL);
	fx_end(&x);
}

void test_tools_awscreds__shell_split(void)
{
	static const struct {
		const char *in;
		const char *out[4];
	} cases[] = { /* what Python's shlex.split gives */
		{"a b", {"a", "b"}},
		{"'a b' c", {"a b", "c"}},
		{"\"a \\\"b\\\" \\$x\" d", {"a \"b\" \\$x", "d"}},
		{"a\\ b", {"a b"}},
		{"''", {""}},
		{"x\"y z\"w", {"xy zw"}},
		{"  /bin/creds   --profile\tdev  ", {"/bin/creds", "--profile", "dev"}},
	};
	struct err e = ERR_INIT;
	char **argv;
	size_t argc;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t want = 0;

		while (want < 4 && cases[i].out[want])
			want++;
		if (shell_split(&argv, &argc, cases[i].in, &e) < 0) {
			unit_fail(__FILE__, __LINE__, cases[i].in);
			continue;
		}
		CHECK_INT(argc, want);
		for (size_t j = 0; j < want && j < argc; j++)
			CHECK_STR(argv[j], cases[i].out[j]);
		shell_split_free(argv);
	}
	CHECK_INT(shell_split(&argv, &argc, "'open", &e), CC_EINVAL);
	CHECK(strstr(e.msg, "no closing quotation") != NULL);
	CHECK_INT(shell_split(&argv, &argc, "\"open", &e), CC_EINVAL);
	CHECK_INT(shell_split(&argv, &argc, "trailing\\", &e), CC_EINVAL);
	CHECK_INT(shell_split(&argv, &argc, "   ", &e), CC_EINVAL);
}

void test_tools_awscreds__credential_process(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;
	char cfg[1024], path[128];

	fx_start(&x, "", "");
	snprintf(path, sizeof(path), "%s/creds.sh", x.dir);
	/* prints its arguments back in the answer: the quoting is checked end to end */
	write_file(path, "#!/bin/sh\n"
		   "case \"$1\" in\n"
		   "ok) printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\":"
		   " \"s\", \"SessionToken\": \"%s\", \"Expiration\": \"2999-01-01T00:00:00Z\"}' \"$2\";;\n"
		   "v2) echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}';;\n"
		   "junk) echo 'not json';;\n"
		   "old) echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\","
		   " \"Expiration\": \"2001-01-01T00:00:00Z\"}';;\n"
		   "fail) echo 'no credentials for you' >&2; exit 3;;\n"
		   "esac\n", 0700);
	snprintf(cfg, sizeof(cfg),
		 "[profile ok]\ncredential_process = %s ok \"two words\"\n"
		 "[profile v2]\ncredential_process = %s v2\n"
		 "[profile junk]\ncredential_process = %s junk\n"
		 "[profile old]\ncredential_process = %s old\n"
		 "[profile fail]\ncredential_process = %s fail\n"
		 "[profile nosuch]\ncredential_process = %s/does-not-exist\n"
		 "[profile shell]\ncredential_process = echo hi; touch %s/pwned\n",
		 path, path, path, path, path, x.dir, x.dir);
	snprintf(path, sizeof(path), "%s/config", x.dir);
	write_file(path, cfg, 0600);
	CHECK_STR(key_of(&p, "ok", &e), "AKIAPROC");
	CHECK_STR(p.creds.session_token, "two words");
	CHECK_STR(p.creds.source, "credential_process");
	CHECK(p.creds.expiration > 0);
	CHECK(strstr(key_of(&p, "v2", &e), "Version must be 1") != NULL);
	CHECK(strstr(key_of(&p, "junk", &e), "not a JSON object") != NULL);
	CHECK(strstr(key_of(&p, "old", &e), "expired") != NULL);
	CHECK(strstr(key_of(&p, "fail", &e), "exit status 3") != NULL);
	CHECK(strstr(key_of(&p, "nosuch", &e), "cannot run") != NULL);
	/* never a shell: "echo hi; touch ..." is echo with three arguments */
	key_of(&p, "shell", &e);
	snprintf(path, sizeof(path), "%s/pwned", x.dir);
	CHECK(access(path, F_OK) != 0);
	aws_profile_release(&p);
	fx_end(&x);
}

void test_tools_awscreds__source_profiles(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;

	fx_start(&x, "[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
		 "[profile b]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n"
		 "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n"
		 "credential_source = Environment\n"
		 "[profile ec2]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n"
		 "[profile nosrc]\nrole_arn = arn:aws:iam::1:role/r\n"
		 "[profile emptysrc]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n"
		 "[profile empty]\nregion = us-east-1\n",
		 CREDS);
	CHECK(strstr(key_of(&p, "a", &e), "source_profile loop") != NULL);
	CHECK(strstr(key_of(&p, "both", &e), "only one may be set") != NULL);
	CHECK(strstr(key_of(&p, "ec2", &e), "not supported by this tool") != NULL);
	CHECK(strstr(key_of(&p, "nosrc", &e), "neither source_profile nor credential_source") != NULL);
	CHECK(strstr(key_of(&p, "emptysrc", &e), "the source_profile empty has no credentials")
	      != NULL);
	aws_profile_release(&p);
	fx_end(&x);
}

void test_tools_awscreds__role_session_cache(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct err e = ERR_INIT;
	struct stsc_assume a = {.endpoint = "http://127.0.0.1:9", .region = "us-east-1",
				.role_arn = "arn:aws:iam::123456789012:role/Dev",
				.session_name = "me"};
	struct aws_creds src = {.access_key_id = "AKIADEV"}, c = {0};
	char key[65], path[256], text[512];

	fx_start(&x, "[profile role]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n"
		 "role_arn = arn:aws:iam::123456789012:role/Dev\nrole_session_name = me\n"
		 "source_profile = dev\n", CREDS);
	/* a cached session is used without asking STS (port 9 answers nothing) */
	stsc_cache_key(key, &a, &src);
	REQUIRE(strlen(key) == 64);
	c.access_key_id = "ASIACACHED";
	c.secret_access_key = "s";
	c.session_token = "t";
	c.expiration = time_now() + 3600;
	stsc_cache_put(key, &c);
	CHECK_STR(key_of(&p, "role", &e), "ASIACACHED");
	CHECK_STR(p.creds.session_token, "t");
	snprintf(path, sizeof(path), "%s/cache/commitd/sts/%s.json", x.dir, key);
	{
		struct stat st;

		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	/* one about to expire is not: STS is asked, and here cannot be reached */
	c.expiration = time_now() + 600;
	stsc_cache_put(key, &c);
	CHECK(strstr(key_of(&p, "role", &e), "cannot reach STS at http://127.0.0.1:9/") != NULL);
	/* nor is a corrupt one */
	write_file(path, "{\"AccessKeyId\": 5}", 0600);
	CHECK(strstr(key_of(&p, "role", &e), "cannot reach STS") != NULL);
	/* another source key is another cache entry */
	src.access_key_id = "AKIAOTHER";
	{
		char key2[65];

		stsc_cache_key(key2, &a, &src);
		CHECK(strcmp(key, key2) != 0);
	}
	snprintf(text, sizeof(text), "%s", key);
	aws_profile_release(&p);
	fx_end(&x);
}

void test_tools_awscreds__sts_answers(void)
{
	static const char ok[] =
		"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
		"</AssumedRoleUser><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
		"<SecretAccessKey>a&amp;b&lt;c</SecretAccessKey><SessionToken>tok&#x2F;</SessionToken>"
		"<Expiration>2026-11-22T12:00:00Z</Expiration></Credentials></AssumeRoleResult>"
		"</AssumeRoleResponse>";
	static const char denied[] =
		"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
		"<Message>User is not authorized &amp; so on</Message></Error></ErrorResponse>";
	struct aws_creds c;
	struct err e = ERR_INIT;

	REQUIRE(stsc_parse_answer(&c, ok, strlen(ok), 200, &e) == 0);
	CHECK_STR(c.access_key_id, "ASIAX");
	CHECK_STR(c.secret_access_key, "a&b<c");
	CHECK_STR(c.session_token, "tok&#x2F;"); /* only the five named entities */
	CHECK(c.expiration > 0);
	aws_creds_release(&c);
	CHECK_INT(stsc_parse_answer(&c, denied, strlen(denied), 403, &e), CC_EDENIED);
	CHECK(strstr(e.msg, "AccessDenied: User is not authorized & so on") != NULL);
	CHECK_INT(stsc_parse_answer(&c, "<html>", 6, 502, &e), CC_ERROR);
	CHECK_INT(stsc_parse_answer(&c, ok, 120, 200, &e), CC_ERROR); /* cut short */
}

void test_tools_awscreds__endpoints(void)
{
	struct fx x;
	struct aws_profile p = {0};
	struct aws_resolve_opts o = {.profile = "svc"};
	struct err e = ERR_INIT;

	fx_start(&x, "[profile svc]\nendpoint_url = http://profile:1\nservices = mine\n"
		 "[services mine]\ncodecommit =\n  endpoint_url = http://service:2\n"
		 "[profile plain]\nendpoint_url = http://plain:3\n", "");
	REQUIRE(aws_resolve(&p, &o, &e) == 0);
	CHECK_STR(aws_endpoint(&p, "codecommit"), "http://service:2");
	CHECK_STR(aws_endpoint(&p, "sts"), "http://profile:1");
	setenv("AWS_ENDPOINT_URL", "http://env:4", 1);
	CHECK_STR(aws_endpoint(&p, "codecommit"), "http://service:2");
	CHECK_STR(aws_endpoint(&p, "sts"), "http://env:4");
	setenv("AWS_ENDPOINT_URL_CODECOMMIT", "http://envsvc:5", 1);
	CHECK_STR(aws_endpoint(&p, "codecommit"), "http://envsvc:5");
	unsetenv("AWS_ENDPOINT_URL_CODECOMMIT");
	unsetenv("AWS_ENDPOINT_URL");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	CHECK(aws_endpoint(&p, "codecommit") == NULL);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	aws_profile_release(&p);
	o.profile = "plain";
	REQUIRE(aws_resolve(&p, &o, &e) == 0);
	CHECK_STR(aws_endpoint(&p, "codecommit"), "http://plain:3");
	aws_profile_release(&p);
	fx_end(&x);
}
