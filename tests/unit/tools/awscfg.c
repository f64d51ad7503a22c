/*
 * awscfg.c - the AWS config files read as botocore reads them.  The
 * expected values are what Python's configparser.RawConfigParser (which
 * botocore uses) gives for the same text.
 */
#include <stdlib.h>
#include <unistd.h>

#include "tools/awscfg.h"
#include "unit.h"

static struct awscfg_file *parse(const char *text)
{
	struct awscfg_file *f = NULL;
	struct err e = ERR_INIT;

	if (awscfg_parse(&f, text, strlen(text), "test", &e) < 0)
		return NULL;
	return f;
}

static void parse_fails(int line, const char *text, const char *msg)
{
	struct awscfg_file *f = NULL;
	struct err e = ERR_INIT;

	if (awscfg_parse(&f, text, strlen(text), "FILE", &e) != CC_EINVAL)
		unit_fail(__FILE__, line, text);
	else if (strstr(e.msg, msg) == NULL)
		unit_fail(__FILE__, line, e.msg);
	awscfg_free(f);
}

void test_tools_awscfg__sections_and_keys(void)
{
	struct awscfg_file *f = parse("[default]\nregion = us-east-1\n[profile dev]\n"
				      "Region: eu-west-1\naws_access_key_id=K # not a comment\n");

	REQUIRE(f != NULL);
	CHECK_STR(awscfg_get(f, "default", "region"), "us-east-1");
	CHECK_STR(awscfg_get(f, "profile dev", "region"), "eu-west-1"); /* keys lower-cased */
	CHECK_STR(awscfg_get(f, "profile dev", "aws_access_key_id"), "K # not a comment");
	CHECK(awscfg_get(f, "dev", "region") == NULL);
	CHECK(awscfg_has_section(f, "profile dev"));
	CHECK(!awscfg_has_section(f, "dev"));
	CHECK_STR(awscfg_section_name(f, 1), "profile dev");
	CHECK(awscfg_section_name(f, 2) == NULL);
	awscfg_free(f);
}

void test_tools_awscfg__comments_whitespace_crlf(void)
{
	struct awscfg_file *f = parse("# top\n; also\n[a]\n  # indented comment\nk = v\n;k2 = x\n"
				      "[b]\r\n  spaced   =   value with  spaces  \r\nurl = http://x:1\r\n"
				      "c: v = w\n");

	REQUIRE(f != NULL);
	CHECK_STR(awscfg_get(f, "a", "k"), "v");
	CHECK(awscfg_get(f, "a", "k2") == NULL);
	CHECK_STR(awscfg_get(f, "b", "spaced"), "value with  spaces");
	CHECK_STR(awscfg_get(f, "b", "url"), "http://x:1"); /* the first '=' or ':' splits */
	CHECK_STR(awscfg_get(f, "b", "c"), "v = w");
	awscfg_free(f);
}

void test_tools_awscfg__continuations(void)
{
	struct awscfg_file *f = parse("[a]\nk = line1\n  line2\n\n  line3\nj = x\n"
				      "[sonali]\naws_access_key_id=K\n   aws_secret_access_key = S\n");

	REQUIRE(f != NULL);
	CHECK_STR(awscfg_get(f, "a", "k"), "line1\nline2\n\nline3");
	CHECK_STR(awscfg_get(f, "a", "j"), "x");
	/* an indented key continues the value above, for botocore too */
	CHECK_STR(awscfg_get(f, "sonali", "aws_access_key_id"), "K\naws_secret_access_key = S");
	CHECK(awscfg_get(f, "sonali", "aws_secret_access_key") == NULL);
	awscfg_free(f);
}

void test_tools_awscfg__sub_sections(void)
{
	struct awscfg_file *f = parse("[services s]\ncodecommit =\n  endpoint_url = http://h:1\n"
				      "  other=2\nsts=\n endpoint_url=https://s\n[profile p]\n"
				      "flat = endpoint_url = x\n");

	REQUIRE(f != NULL);
	CHECK_STR(awscfg_sub(f, "services s", "codecommit", "endpoint_url"), "http://h:1");
	CHECK_STR(awscfg_sub(f, "services s", "codecommit", "other"), "2");
	CHECK_STR(awscfg_sub(f, "services s", "sts", "endpoint_url"), "https://s");
	CHECK(awscfg_sub(f, "services s", "codecommit", "missing") == NULL);
	CHECK(awscfg_sub(f, "profile p", "flat", "endpoint_url") == NULL); /* not nested */
	awscfg_free(f);
}

void test_tools_awscfg__header_forms(void)
{
	struct awscfg_file *f = parse("[profile x] ; trailing\nk=v\n[a] b]\nk=w\n[DEFAULT]\nd = 1\n");

	REQUIRE(f != NULL);
	CHECK_STR(awscfg_get(f, "profile x", "k"), "v");
	CHECK_STR(awscfg_get(f, "a] b", "k"), "w"); /* up to the last ']', as Python's regex */
	CHECK_STR(awscfg_get(f, "profile x", "d"), "1"); /* [DEFAULT] values apply everywhere */
	awscfg_free(f);
}

void test_tools_awscfg__malformed(void)
{
	parse_fails(__LINE__, "k = v\n", "FILE line 1: a line before the first [section]");
	parse_fails(__LINE__, "[a]\n[a]\n", "FILE line 2: this section was already opened");
	parse_fails(__LINE__, "[a]\nk=1\nK=2\n", "FILE line 3: this key was already set");
	parse_fails(__LINE__, "[a]\nk=1\n\njunk\n", "FILE line 4: not a [section]");
	parse_fails(__LINE__, "[a]\n= v\n", "FILE line 2: a value without a key");
	parse_fails(__LINE__, "[]\n", "FILE line 1: a line before the first [section]");
	{
		struct awscfg_file *f = NULL;
		struct err e = ERR_INIT;

		CHECK_INT(awscfg_parse(&f, "[a]\nk=\0v\n", 8, "FILE", &e), CC_EINVAL);
		CHECK(strstr(e.msg, "NUL") != NULL);
	}
}

void test_tools_awscfg__files(void)
{
	char dir[] = "/tmp/commitd-awscfg-XXXXXX", path[64];
	struct awscfg_file *f = NULL;
	struct err e = ERR_INIT;
	FILE *fp;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/none", dir);
	CHECK_INT(awscfg_load(&f, path, &e), 0); /* a missing file is an empty one */
	CHECK(f != NULL && !awscfg_has_section(f, "default"));
	awscfg_free(f);
	CHECK_INT(awscfg_load(&f, dir, &e), CC_EINVAL); /* a directory */
	CHECK(strstr(e.msg, dir) != NULL);
	snprintf(path, sizeof(path), "%s/config", dir);
	REQUIRE((fp = fopen(path, "w")) != NULL);
	for (int i = 0; i < 70000; i++)
		fputs("; a long comment line, repeated to pass 1 MiB\n", fp);
	fclose(fp);
	CHECK_INT(awscfg_load(&f, path, &e), CC_EINVAL);
	CHECK(strstr(e.msg, "1 MiB") != NULL);
	unlink(path);
	rmdir(dir);
}
