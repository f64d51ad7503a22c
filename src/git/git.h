/*
 * git.h - the contract of src/git: repositories on disk and the Git
 * transport.
 *
 *   repo.c     bare repositories under <data>/repos/<account>/<id>.git:
 *              create, remove, HEAD (the default branch)
 *   pktline.c  git's pkt-line framing, and the command list of a push
 *   gitauth.c  who is pushing or pulling: Basic credentials of the three
 *              kinds CodeCommit accepts
 *   plan.c     what both transports share: find the repository, authorize,
 *              decide each ref of a push, run git's program
 *   smart.c    smart HTTP: from a request to an authorized plan (which git
 *              program, with what environment)
 *   sshcmd.c   SSH: from an exec request ("git-upload-pack '/v1/repos/X'")
 *              to the same kind of plan
 *   hook.c     the `update` hook git receive-pack runs for each ref, which
 *              enforces those decisions
 *
 * Pack negotiation and pack generation are git's own programs, spawned with
 * an argv array.  git/ knows nothing of libmicrohttpd or libssh: http/ and
 * ssh/ carry the bytes.
 */
#ifndef GIT_GIT_H
#define GIT_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"
#include "aws/aws.h"

/* ---- repositories on disk (repo.c) --------------------------------------------- */

#define GIT_REPO_NAME_MAX 100

/* <data>/repos/<account>/<id>.git */
int gitrepo_dir(struct buf *out, const char *data_dir, const char *account, const char *id);
/* A new empty bare repository whose HEAD names refs/heads/main. */
int gitrepo_create(const char *data_dir, const char *account, const char *id, struct err *e);
/* Moves the repository out of the way at once, then deletes it; a missing one is fine. */
int gitrepo_remove(const char *data_dir, const char *account, const char *id, struct err *e);
/*
 * The default branch: HEAD's branch name when that branch exists, else ""
 * (an empty repository).  Errors only when the repository cannot be read.
 */
int gitrepo_default_branch(char *out, size_t outsz, const char *dir, struct err *e);
/*
 * After a push: when HEAD names a branch that does not exist and others do,
 * points HEAD at the first of "main", "master" or the first branch by name,
 * as CodeCommit makes the first branch pushed the default.
 */
void gitrepo_fix_head(const char *dir);
/* the libgit2 error text of the last call, for messages */
const char *gitrepo_errmsg(void);

/* ---- repository names -------------------------------------------------------- */

/* [A-Za-z0-9._-]{1,100}, not ".git"-suffixed, not "." or ".." */
bool git_repo_name_ok(const char *name, size_t len);

/* ---- pkt-line and push commands (pktline.c) ------------------------------------ */

#define PKT_MAX 65520 /* the largest pkt-line git writes */

/* One ref update of a push: "<old> <new> <ref>". */
struct push_cmd {
	char old_oid[65];
	char new_oid[65];
	char *ref; /* NUL-terminated, validated with git_refname_ok() */
};

struct push_cmds {
	struct push_cmd *v;
	size_t n;
};

/*
 * Reads the command list at the start of a git-receive-pack request body
 * (the pkt-lines up to the first flush; a push certificate is refused).
 * An empty list is fine: git probes with a lone flush before a large push.
 * CC_EINVAL with a message fit for the client when the list is malformed.
 */
int push_cmds_parse(struct push_cmds *out, const char *data, size_t len, struct err *e);
void push_cmds_free(struct push_cmds *c);
/* git check-ref-format rules, plus a length limit (1024) and "refs/" prefix */
bool git_refname_ok(const char *ref, size_t len);
/* pkt-line: appends one data line, or the flush packet for NULL */
int pkt_put(struct buf *b, const char *data, size_t len);
/*
 * Where a push's command list ends in a stream that starts with it: the
 * offset just past its flush packet, 0 when more bytes are needed, -1 when
 * the pkt-lines are malformed.
 */
long push_cmds_end(const char *data, size_t len);

/* ---- smart HTTP (smart.c) -------------------------------------------------------- */

struct git_http_req {
	const char *method;
	const char *path;          /* still percent-encoded, without the query */
	const char *query;         /* "" if none */
	const char *authorization; /* the Authorization header, or NULL */
	const char *host;          /* the Host header, or NULL */
	const char *git_protocol;  /* the Git-Protocol header, or NULL */
	const char *content_type;
	const char *user_agent;
	const char *source_ip;
	bool secure;
};

enum git_service { GIT_UPLOAD_PACK, GIT_RECEIVE_PACK };

/*
 * What to answer.  When status is not 0, answer that status with text (and,
 * for 401, a WWW-Authenticate challenge).  Otherwise spawn argv with env in
 * dir, feed it the request body, and answer 200 with content_type and
 * prefix then the program's output.
 */
struct git_plan {
	int status;
	struct buf text;           /* the error message, or the answer's prefix */
	const char *content_type;
	enum git_service service;
	bool advertise;            /* GET info/refs */
	char *dir;                 /* the repository */
	char *argv[16];
	char *envp[16];
	size_t nenv;
	/* the running program (git_plan_spawn) */
	pid_t pid;                 /* 0: none */
	int out_fd;                /* its standard output */
	int err_fd;                /* its standard error, kept in memory (memfd) */
	int err_is_pipe;           /* err_fd is a pipe (SSH), not a memfd (HTTP) */
	char *decisions;           /* the push's decisions file, removed by git_plan_free */
	int decisions_fd;
	size_t nrefs, ndenied;
	/* for the per-ref decisions of a push, filled by git_plan_push() */
	struct principal who;
	struct session session;
	bool has_session;
	char account[13];
	char repo_name[GIT_REPO_NAME_MAX + 1];
	char repo_arn[256];
	char repo_id[40];          /* "" when the repository does not exist */
	char *repo_policy;         /* its resource policy, or NULL */
	/* the client, for conditions such as aws:SourceIp */
	char source_ip[64];
	char *user_agent;
	bool secure;
	/* the audit event: one per pull or push (or refusal) */
	const char *protocol;      /* "HTTP", "HTTPS" or "SSH" */
	const struct env *env;     /* set by git_plan_open */
	json_t *refs;              /* a push's refs and decisions, owned */
	bool audited;
	bool stateless;            /* HTTP: git's --stateless-rpc */
};

void git_plan_init(struct git_plan *p);
/* Sets plan->status and plan->text (one line for the client); returns -1. */
int git_plan_fail(struct git_plan *p, int status, const char *fmt, ...) CC_PRINTF(3, 4);

/*
 * Phase one, from the headers: which repository, who, may they pull or push
 * at all.  Never fails; errors become plan->status.
 */
void git_plan_start(struct git_plan *p, const struct env *env, const struct git_http_req *req);
/*
 * Phase two for a push, once the body is read: decides each ref update of
 * body (the first bytes of the request, at least the command list) and
 * passes the decisions to the update hook through the environment.
 */
void git_plan_push(struct git_plan *p, const struct env *env, const struct git_http_req *req,
		   const char *body, size_t len);
/*
 * Decides each ref update of a push's command list (cmdlist, at least up to
 * its flush packet) into the decisions file the update hook reads.  HTTP
 * calls it through git_plan_push before git starts; SSH when the command
 * list has passed by, before git sees it.  -1 with plan->status on error.
 */
int git_plan_decide(struct git_plan *p, const struct env *env, const char *cmdlist, size_t len);
/*
 * Starts the program with in_fd as its standard input; fills pid, out_fd
 * and err_fd (a pipe when stderr_pipe, else a memfd kept for the log).
 */
int git_plan_spawn(struct git_plan *p, int in_fd, bool stderr_pipe, struct err *e);
/* After the program ended: default branch, bookkeeping. */
void git_plan_finish(struct git_plan *p, int exit_status);
void git_plan_free(struct git_plan *p);

/* ---- SSH (sshcmd.c) ------------------------------------------------------------- */

/*
 * The command of an SSH exec request: git-upload-pack or git-receive-pack
 * (or "git upload-pack", ...) and one shell word, '/v1/repos/NAME' or
 * v1/repos/NAME, at most one trailing slash.  The repository name into name.
 * CC_EINVAL for another command, CC_ENOTFOUND for another path, with a
 * message for the client.
 */
int git_ssh_command_parse(const char *cmd, enum git_service *svc, char *name, size_t namesz,
			  struct err *e);
/*
 * An SSH exec request from an authenticated IAM user: command must be
 * exactly git-upload-pack '/v1/repos/NAME' or git-receive-pack '...' (as
 * git and OpenSSH send it; "git upload-pack" and a path without the leading
 * slash too).  Plans git's stateful protocol like git_plan_start does.  For
 * a push the decisions file exists and is filled by git_plan_decide once
 * the command list has arrived.  Never fails; errors become plan->status
 * and plan->text, a line for the client.
 */
void git_ssh_plan_start(struct git_plan *p, const struct env *env, const struct principal *who,
			const char *command, const char *git_protocol, const char *source_ip,
			const char *client_version);

/* ---- the update hook (hook.c) ------------------------------------------------------ */

/* The directory git's core.hooksPath names; `update` in it runs commitd. */
int git_hooks_install(const char *data_dir, struct err *e);
/* `commitd` started as the update hook: argv[1..3] are ref, old, new. */
int git_hook_update_main(int argc, char **argv);

#endif
