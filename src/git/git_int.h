/*
 * git_int.h - private to src/git: what smart.c and sshcmd.c share with
 * plan.c and gitauth.c.
 */
#ifndef GIT_INT_H
#define GIT_INT_H

#include "git.h"

/*
 * Who sent these Basic credentials, in one of the three forms CodeCommit
 * accepts over HTTPS:
 *
 *   NAME-at-ACCOUNT : password          a Git credential (IAM service-specific)
 *   AKIA...         : <date>Z<sig>      SigV4 over "GIT\n<path>\n\nhost:<host>\n\nhost\n"
 *   ASIA...%TOKEN   : <date>Z<sig>      the same, with temporary credentials
 *
 * repo_path is the path the signature covers ("/v1/repos/NAME").
 * CC_EAUTH with a message for the client when there are none (no_creds set)
 * or they are wrong.
 */
struct git_who {
	struct principal who;
	struct session session;
	bool has_session;
};

char *git_xstrdup(const char *s);
/* the client's address and agent, for the plan's authorization */
void git_plan_client(struct git_plan *p, const char *source_ip, const char *user_agent,
		     bool secure);
/*
 * p->who, p->service and p->repo_name set: finds the repository, authorizes
 * GitPull or GitPush, builds argv and envp.  -1 with p->status otherwise.
 */
int git_plan_open(struct git_plan *p, const struct env *env, const char *git_protocol);
/* creates the push's decisions file and names it in git's environment */
int git_plan_decisions_file(struct git_plan *p, const struct env *env);

int git_authenticate(struct git_who *out, const struct env *env, const char *authorization,
		     const char *host, const char *repo_path, bool *no_creds, struct err *e);

#endif
