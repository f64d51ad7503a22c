/* tests of src/codecommit/paths.c: repository paths of the file API are canonical or refused */
#include <string.h>

#include "codecommit/cc_git.h"
#include "unit.h"

/* the canonical form of in, or the exception it gets */
static const char *clean(struct aws_call *c, const char *in, bool folder)
{
	struct err e = ERR_INIT;
	const char *out = NULL;

	if (cc_path_clean(&out, c, in, folder, &e) < 0)
		return e.aws_code;
	return out;
}

void test_codecommit_paths__canonical(void)
{
	struct aws_call c = {0};

	REQUIRE((c.ar = arena_new()) != NULL);
	CHECK_STR(clean(&c, "README.md", false), "README.md");
	CHECK_STR(clean(&c, "/examples/file.md", false), "examples/file.md"); /* AWS's form */
	CHECK_STR(clean(&c, "a/.gitkeep", false), "a/.gitkeep");
	CHECK_STR(clean(&c, "a/.github/x", false), "a/.github/x");
	CHECK_STR(clean(&c, "caf\xc3\xa9/b c.txt", false), "caf\xc3\xa9/b c.txt");
	CHECK_STR(clean(&c, "", true), "");
	CHECK_STR(clean(&c, "/", true), "");
	CHECK_STR(clean(&c, "/src/", true), "src");
	arena_free(c.ar);
}

void test_codecommit_paths__hostile(void)
{
	static const char *const bad[] = {
		"../evil", "a/../../b", "a/./b", ".", "a//b", "//a", "a/", "/", ".git/config",
		"a/.GIT/hooks/x", ".git.", ".git ", "GIT~1/config", ".g\xe2\x80\x8cit/config",
		"\xef\xbb\xbf.git/x", "a\nb", "tab\there", "del\x7f",
	};
	struct aws_call c = {0};
	char longpart[300], longpath[4200];
	size_t i;

	REQUIRE((c.ar = arena_new()) != NULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *got = clean(&c, bad[i], false);

		if (got == NULL || strcmp(got, "InvalidPathException") != 0)
			fprintf(stderr, "  path '%s' gave '%s'\n", bad[i], got ? got : "(null)");
		CHECK_STR(got, "InvalidPathException");
	}
	CHECK_STR(clean(&c, "a//", true), "InvalidPathException");
	CHECK_STR(clean(&c, "x/../y", true), "InvalidPathException");
	memset(longpart, 'x', 256);
	longpart[256] = '\0';
	CHECK_STR(clean(&c, longpart, false), "InvalidPathException");
	longpart[255] = '\0';
	CHECK_STR(clean(&c, longpart, false), longpart);
	for (i = 0; i + 2 < sizeof(longpath); i += 2)
		memcpy(longpath + i, "a/", 2);
	longpath[i - 1] = '\0';
	CHECK_STR(clean(&c, longpath, false), "InvalidPathException");
	CHECK_STR(clean(&c, NULL, false), "PathRequiredException");
	CHECK_STR(clean(&c, "", false), "PathRequiredException");
	arena_free(c.ar);
}
