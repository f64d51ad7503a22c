/* tests of src/git/pktline.c: ref names and the command list of a push */
#include <stdio.h>
#include <string.h>

#include "git/git.h"
#include "unit.h"

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "1111111111111111111111111111111111111111"

void test_git_pktline__refname_rules(void)
{
	static const char *const good[] = {
		"refs/heads/main", "refs/heads/feature/one", "refs/tags/v1.0", "refs/heads/a-b_c",
		"refs/heads/x.y", "refs/notes/commits",
	};
	static const char *const bad[] = {
		"main", "refs/", "refs/heads/", "refs/heads/a..b", "refs/heads/.hidden",
		"refs/heads/a/.b", "refs/heads/a.lock", "refs/heads/a.lock/b", "refs/heads/a//b",
		"refs/heads/a.", "refs/heads/a b", "refs/heads/a~1", "refs/heads/a^", "refs/heads/a:b",
		"refs/heads/a?", "refs/heads/a*", "refs/heads/a[", "refs/heads/a\\b",
		"refs/heads/a@{1}", "refs/heads/\x01", "refs/heads/\x7f", "heads/refs/x",
	};
	char longref[1100];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (!git_refname_ok(good[i], strlen(good[i]))) {
			fprintf(stderr, "  refused: %s\n", good[i]);
			CHECK(!"a valid ref name is accepted");
		}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (git_refname_ok(bad[i], strlen(bad[i]))) {
			fprintf(stderr, "  accepted: %s\n", bad[i]);
			CHECK(!"an invalid ref name is refused");
		}
	memset(longref, 'a', sizeof(longref));
	memcpy(longref, "refs/heads/", 11);
	CHECK(!git_refname_ok(longref, sizeof(longref)));
	CHECK(git_refname_ok(longref, 1024));
	CHECK(!git_refname_ok("refs/heads/a\0b", 14));
}

static size_t pkt(char *out, const char *payload, size_t n)
{
	snprintf(out, 5, "%04x", (unsigned)(n + 4));
	memcpy(out + 4, payload, n);
	return n + 4;
}

void test_git_pktline__push_commands(void)
{
	char body[1024];
	const char c1[] = Z40 " " A40 " refs/heads/main\0report-status side-band-64k";
	const char c2[] = A40 " " Z40 " refs/tags/old\n";
	struct push_cmds cmds;
	struct err e = ERR_INIT;
	size_t n = 0;

	n += pkt(body + n, c1, sizeof(c1) - 1);
	n += pkt(body + n, c2, sizeof(c2) - 1);
	memcpy(body + n, "0000PACK", 8);
	n += 8;
	REQUIRE(push_cmds_parse(&cmds, body, n, &e) == 0);
	CHECK_INT(cmds.n, 2);
	CHECK_STR(cmds.v[0].old_oid, Z40);
	CHECK_STR(cmds.v[0].new_oid, A40);
	CHECK_STR(cmds.v[0].ref, "refs/heads/main");
	CHECK_STR(cmds.v[1].ref, "refs/tags/old");
	push_cmds_free(&cmds);

	/* git's probe before a large push: a lone flush */
	CHECK(push_cmds_parse(&cmds, "0000", 4, &e) == 0);
	CHECK_INT(cmds.n, 0);
	push_cmds_free(&cmds);
}

void test_git_pktline__push_commands_refused(void)
{
	char body[512];
	struct push_cmds cmds;
	struct err e = ERR_INIT;
	const char badref[] = Z40 " " A40 " refs/heads/a..b";
	const char shortoid[] = "0000 " A40 " refs/heads/x";
	const char mixed[] = Z40 " 1111111111111111111111111111111111111111111111111111111111111111"
			     " refs/heads/x";
	const char upper[] = Z40 " 111111111111111111111111111111111111111A refs/heads/x";
	const char cert[] = "push-cert\0x";
	size_t n;

	CHECK(push_cmds_parse(&cmds, "zzzz", 4, &e) == CC_EINVAL);
	CHECK(push_cmds_parse(&cmds, "0003", 4, &e) == CC_EINVAL);
	CHECK(push_cmds_parse(&cmds, "00", 2, &e) == CC_EINVAL);
	CHECK(push_cmds_parse(&cmds, "0040" Z40, 44, &e) == CC_EINVAL); /* truncated */
	n = pkt(body, badref, sizeof(badref) - 1);
	memcpy(body + n, "0000", 4);
	CHECK(push_cmds_parse(&cmds, body, n + 4, &e) == CC_EINVAL);
	CHECK(strstr(e.msg, "not a valid ref name") != NULL);
	n = pkt(body, shortoid, sizeof(shortoid) - 1);
	memcpy(body + n, "0000", 4);
	CHECK(push_cmds_parse(&cmds, body, n + 4, &e) == CC_EINVAL);
	n = pkt(body, mixed, sizeof(mixed) - 1);
	memcpy(body + n, "0000", 4);
	CHECK(push_cmds_parse(&cmds, body, n + 4, &e) == CC_EINVAL);
	n = pkt(body, upper, sizeof(upper) - 1);
	memcpy(body + n, "0000", 4);
	CHECK(push_cmds_parse(&cmds, body, n + 4, &e) == CC_EINVAL);
	n = pkt(body, cert, sizeof(cert) - 1);
	memcpy(body + n, "0000", 4);
	CHECK(push_cmds_parse(&cmds, body, n + 4, &e) == CC_EINVAL);
	/* no flush at all: the list never ends */
	n = pkt(body, badref, 10);
	CHECK(push_cmds_parse(&cmds, body, n, &e) == CC_EINVAL);
}

void test_git_pktline__repository_names(void)
{
	CHECK(git_repo_name_ok("MyDemoRepo", 10));
	CHECK(git_repo_name_ok("a.b_c-d", 7));
	CHECK(!git_repo_name_ok("", 0));
	CHECK(!git_repo_name_ok(".", 1));
	CHECK(!git_repo_name_ok("..", 2));
	CHECK(!git_repo_name_ok("x.git", 5));
	CHECK(!git_repo_name_ok("x.GIT", 5));
	CHECK(!git_repo_name_ok("a/b", 3));
	CHECK(!git_repo_name_ok("a b", 3));
	CHECK(!git_repo_name_ok("a\0b", 3));
	CHECK(git_repo_name_ok("0123456789012345678901234567890123456789012345678901234567890123456789"
			       "012345678901234567890123456789", 100));
	CHECK(!git_repo_name_ok("0123456789012345678901234567890123456789012345678901234567890123456789"
				"0123456789012345678901234567890", 101));
}
