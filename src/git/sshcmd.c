/*
 * sshcmd.c - Git over SSH: the command an SSH client asks to run, parsed
 * strictly, and planned as over HTTP (plan.c).
 *
 * git and OpenSSH send  git-upload-pack '/v1/repos/NAME'  (the path quoted
 * as a shell word).  Nothing is ever given to a shell: the only programs are
 * git upload-pack and git receive-pack, on the repository the name maps to.
 */
#include <stdio.h>
#include <string.h>

#include "git_int.h"

#define SSH_COMMAND_MAX 1024

int git_ssh_command_parse(const char *cmd, enum git_service *svc, char *name, size_t namesz,
			  struct err *e)
{
	const char *s = cmd, *path, *end;
	char word[SSH_COMMAND_MAX];
	size_t n;

	if (strlen(cmd) >= SSH_COMMAND_MAX)
		return err_set(e, CC_EINVAL, NULL, "command too long");
	if (strncmp(s, "git-", 4) == 0 || strncmp(s, "git ", 4) == 0)
		s += 4;
	else
		goto unknown;
	if (strncmp(s, "upload-pack ", 12) == 0) {
		*svc = GIT_UPLOAD_PACK;
		s += 12;
	} else if (strncmp(s, "receive-pack ", 13) == 0) {
		*svc = GIT_RECEIVE_PACK;
		s += 13;
	} else {
		goto unknown;
	}
	/* one shell word: 'quoted' as git sends it, or bare; never anything a
	 * shell would expand or split */
	if (*s == '\'') {
		end = strchr(s + 1, '\'');
		if (end == NULL || end[1] != '\0')
			goto badpath;
		n = (size_t)(end - s - 1);
		memcpy(word, s + 1, n);
	} else {
		n = strlen(s);
		if (n == 0 || strpbrk(s, " \t\"'\\$`;&|<>*?()[]{}~\n") != NULL)
			goto badpath;
		memcpy(word, s, n);
	}
	word[n] = '\0';
	path = word[0] == '/' ? word + 1 : word;
	if (strncmp(path, "v1/repos/", 9) != 0)
		goto badpath;
	path += 9;
	n = strlen(path);
	if (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0 || n >= namesz || !git_repo_name_ok(path, n) || memchr(path, '/', n))
		goto badpath;
	memcpy(name, path, n);
	name[n] = '\0';
	return 0;
unknown:
	return err_set(e, CC_EINVAL, NULL,
		       "only git-upload-pack and git-receive-pack are served over SSH, not '%.80s'",
		       cmd);
badpath:
	return err_set(e, CC_ENOTFOUND, NULL,
		       "not a repository path: %.200s (expected /v1/repos/NAME)", s);
}

void git_ssh_plan_start(struct git_plan *p, const struct env *env, const struct principal *who,
			const char *command, const char *git_protocol, const char *source_ip,
			const char *client_version)
{
	struct err e = ERR_INIT;

	git_plan_init(p);
	p->protocol = "SSH";
	if (git_ssh_command_parse(command, &p->service, p->repo_name, sizeof(p->repo_name), &e) <
	    0) {
		git_plan_fail(p, e.code == CC_ENOTFOUND ? 404 : 400, "commitd: %s", e.msg);
		return;
	}
	p->who = *who;
	git_plan_client(p, source_ip, client_version, true);
	if (git_plan_open(p, env, git_protocol) < 0)
		return;
	if (p->service == GIT_RECEIVE_PACK)
		git_plan_decisions_file(p, env);
}
