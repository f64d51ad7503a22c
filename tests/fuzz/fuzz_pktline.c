/*
 * fuzz_pktline.c - libFuzzer target for the part of a push the server reads
 * itself (src/git/pktline.c): push_cmds_parse() over the whole input, and
 * git_refname_ok() over it as a ref name.
 *
 * Checked beyond "no crash": every parsed command carries object ids of 40
 * or 64 lower-case hex digits of equal length and a ref that git_refname_ok()
 * accepts; a ref accepted by git_refname_ok() starts with "refs/", holds no
 * "..", no control character and no "@{".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ref(const char *s, size_t n)
{
	size_t i;

	if (!git_refname_ok(s, n))
		return;
	if (n < 6 || memcmp(s, "refs/", 5) != 0 || memmem(s, n, "..", 2) || memmem(s, n, "@{", 2))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct push_cmds cmds;
	struct err e = ERR_INIT;
	size_t i;

	check_ref((const char *)data, size);
	if (push_cmds_parse(&cmds, (const char *)data, size, &e) < 0)
		return 0;
	for (i = 0; i < cmds.n; i++) {
		size_t a = strlen(cmds.v[i].old_oid), b = strlen(cmds.v[i].new_oid);

		if (a != b || (a != 40 && a != 64) ||
		    strspn(cmds.v[i].old_oid, "0123456789abcdef") != a ||
		    strspn(cmds.v[i].new_oid, "0123456789abcdef") != b)
			abort();
		if (!git_refname_ok(cmds.v[i].ref, strlen(cmds.v[i].ref)))
			abort();
	}
	push_cmds_free(&cmds);
	return 0;
}
