/* tests of src/git/sshcmd.c and push_cmds_end: what an SSH client may ask */
#include <stdio.h>
#include <string.h>

#include "git/git.h"
#include "unit.h"

void test_git_sshcmd__accepted_forms(void)
{
	static const struct {
		const char *cmd;
		enum git_service svc;
		const char *name;
	} good[] = {
		{"git-upload-pack '/v1/repos/MyDemoRepo'", GIT_UPLOAD_PACK, "MyDemoRepo"},
		{"git-receive-pack '/v1/repos/MyDemoRepo'", GIT_RECEIVE_PACK, "MyDemoRepo"},
		{"git upload-pack '/v1/repos/a.b-c_d'", GIT_UPLOAD_PACK, "a.b-c_d"},
		{"git-upload-pack 'v1/repos/x'", GIT_UPLOAD_PACK, "x"},       /* host:v1/repos/x */
		{"git-upload-pack '/v1/repos/x/'", GIT_UPLOAD_PACK, "x"},
		{"git-receive-pack /v1/repos/x", GIT_RECEIVE_PACK, "x"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct err e = ERR_INIT;
		enum git_service svc = GIT_UPLOAD_PACK;
		char name[GIT_REPO_NAME_MAX + 1] = "";
		int rc = git_ssh_command_parse(good[i].cmd, &svc, name, sizeof(name), &e);

		if (rc != 0 || svc != good[i].svc || strcmp(name, good[i].name) != 0) {
			fprintf(stderr, "  %s: rc %d svc %d name '%s' (%s)\n", good[i].cmd, rc, svc,
				name, e.msg);
			CHECK(!"a command git sends is accepted");
		}
	}
}

void test_git_sshcmd__refused_forms(void)
{
	static const struct {
		const char *cmd;
		int code;
	} bad[] = {
		{"", CC_EINVAL},
		{"ls /", CC_EINVAL},
		{"sh -c 'git-upload-pack /v1/repos/x'", CC_EINVAL},
		{"git-upload-archive '/v1/repos/x'", CC_EINVAL},
		{"git-upload-pack", CC_EINVAL},
		{"git-upload-packx '/v1/repos/x'", CC_EINVAL},
		{"git-upload-pack '/v1/repos/x'; id", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/x' '/v1/repos/y'", CC_ENOTFOUND},
		{"git-upload-pack /v1/repos/x;id", CC_ENOTFOUND},
		{"git-upload-pack /v1/repos/$(id)", CC_ENOTFOUND},
		{"git-upload-pack `id`", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/../x'", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/..'", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/x/y'", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/'", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/x.git'", CC_ENOTFOUND},
		{"git-upload-pack '/etc/passwd'", CC_ENOTFOUND},
		{"git-upload-pack '~/x'", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/x", CC_ENOTFOUND},
		{"git-upload-pack ", CC_ENOTFOUND},
		{"git-upload-pack '/v1/repos/a b'", CC_ENOTFOUND},
	};
	char longcmd[2048];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct err e = ERR_INIT;
		enum git_service svc;
		char name[GIT_REPO_NAME_MAX + 1];
		int rc = git_ssh_command_parse(bad[i].cmd, &svc, name, sizeof(name), &e);

		if (rc != bad[i].code || e.msg[0] == '\0') {
			fprintf(stderr, "  '%s': rc %d, want %d\n", bad[i].cmd, rc, bad[i].code);
			CHECK(!"a command other than git's is refused with a message");
		}
	}
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = '\0';
	memcpy(longcmd, "git-upload-pack '", 17);
	{
		struct err e = ERR_INIT;
		enum git_service svc;
		char name[GIT_REPO_NAME_MAX + 1];

		CHECK(git_ssh_command_parse(longcmd, &svc, name, sizeof(name), &e) == CC_EINVAL);
	}
}

void test_git_sshcmd__command_list_end(void)
{
	const char *list = "0030" "0000000000000000000000000000000000000000 11\n" "0000" "PACK";
	char two[512];
	int n;

	CHECK(push_cmds_end("", 0) == 0);
	CHECK(push_cmds_end("00", 2) == 0);
	CHECK(push_cmds_end("0000", 4) == 4);
	CHECK(push_cmds_end("0000PACK", 8) == 4);
	CHECK(push_cmds_end(list, 4) == 0);
	CHECK(push_cmds_end(list, 20) == 0);           /* in the middle of a line */
	CHECK(push_cmds_end(list, 0x30) == 0);          /* the line, no flush yet */
	CHECK(push_cmds_end(list, 0x30 + 4) == 0x30 + 4);
	CHECK(push_cmds_end(list, strlen(list)) == 0x30 + 4);
	CHECK(push_cmds_end("zzzz", 4) == -1);          /* not hex */
	CHECK(push_cmds_end("0003", 4) == -1);          /* shorter than its header */
	CHECK(push_cmds_end("0001", 4) == -1);          /* delim-pkt: not in a push */
	CHECK(push_cmds_end("fff5", 4) == -1);          /* longer than git writes */
	n = snprintf(two, sizeof(two), "0009line\n0009more\n0000");
	CHECK(push_cmds_end(two, (size_t)n) == n);
}
