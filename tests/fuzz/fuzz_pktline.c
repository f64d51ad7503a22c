/*
 * fuzz_pktline.c - libFuzzer target for the part of a push the server reads
 * itself (src/git/pktline.c): push_cmds_parse() and push_cmds_end() over the
 * whole input, git_refname_ok() over it as a ref name, and
 * git_ssh_command_parse() over it as an SSH exec request.
 *
 * Checked beyond "no crash": every parsed command carries object ids of 40
 * or 64 lower-case hex digits of equal length and a ref that git_refname_ok()
 * accepts; a ref accepted by git_refname_ok() starts with "refs/", holds no
 * "..", no control character and no "@{"; push_cmds_end() ends within the
 * input, just after a flush packet; an accepted SSH command names a valid
 * repository.
 */
#include <stdint.h>
#include <stdio.h>
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

	long end = push_cmds_end((const char *)data, size);
	char cmd[2048], name[GIT_REPO_NAME_MAX + 1];
	enum git_service svc;

	check_ref((const char *)data, size);
	if (end > 0 && ((size_t)end > size || memcmp(data + end - 4, "0000", 4) != 0))
		abort();
	snprintf(cmd, sizeof(cmd), "%.*s", (int)(size < sizeof(cmd) ? size : sizeof(cmd) - 1),
		 (const char *)data);
	if (git_ssh_command_parse(cmd, &svc, name, sizeof(name), &e) == 0 &&
	    !git_repo_name_ok(name, strlen(name)))
		abort();
	err_clear(&e);
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
