/*
 * plan.c - what both Git transports share once they know who is calling and
 * which repository they named: find the repository, authorize
 * codecommit:GitPull or codecommit:GitPush on it, decide each ref update of a
 * push, and run git's own program.  smart.c (HTTP) and ssh.c (SSH) differ
 * only in how they get there and how they carry the bytes.
 *
 * A refusal comes before "not found", so repository names cannot be probed
 * without permission.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git_int.h"
#include "audit/audit.h"

int git_plan_fail(struct git_plan *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->status = status;
	buf_clear(&p->text);
	va_start(ap, fmt);
	buf_vprintf(&p->text, fmt, ap);
	va_end(ap);
	buf_putc(&p->text, '\n');
	return -1;
}

char *git_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort(); /* a few bytes at startup of a request: nothing sensible to do */
	return d;
}

static void env_add(struct git_plan *p, const char *name, const char *value)
{
	struct buf b = BUF_INIT(0);

	if (p->nenv + 1 >= ARRAY_SIZE(p->envp) || value == NULL)
		return;
	buf_printf(&b, "%s=%s", name, value);
	p->envp[p->nenv++] = git_xstrdup(buf_cstr(&b));
	p->envp[p->nenv] = NULL;
	buf_release(&b);
}

/* GIT_PROTOCOL passes through only when it looks like "version=2[:k=v]" */
static bool git_protocol_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 256)
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '=' || s[i] == ':' || s[i] == '.' || s[i] == '_' || s[i] == '-' ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

void git_plan_init(struct git_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->text.max = 1 << 20;
	p->out_fd = p->err_fd = p->decisions_fd = -1;
}

static int authorize(struct git_plan *p, const struct env *env, struct store_tx *tx,
		     const char *action, const struct policy_key *keys, size_t nkeys,
		     struct err *e)
{
	struct aws_call c = {0};
	int rc;

	c.env = env;
	c.tx = tx;
	c.ar = arena_new();
	if (c.ar == NULL)
		return err_oom(e);
	c.caller = &p->who;
	c.source_ip = p->source_ip;
	c.user_agent = p->user_agent;
	c.secure = p->secure;
	c.now = time_now();
	c.session = p->has_session ? &p->session : NULL;
	c.resource_policy = p->repo_policy;
	rc = aws_authorize(&c, action, p->repo_arn, keys, nkeys, e);
	arena_free(c.ar);
	return rc;
}

static void build_argv(struct git_plan *p, const struct env *env)
{
	size_t n = 0;
	struct buf b = BUF_INIT(0);

	p->argv[n++] = git_xstrdup("git");
	if (p->service == GIT_RECEIVE_PACK) {
		buf_printf(&b, "core.hooksPath=%s/hooks", env->data_dir);
		p->argv[n++] = git_xstrdup("-c");
		p->argv[n++] = git_xstrdup(buf_cstr(&b));
		/* what a push brings is checked, and what it acknowledges is on disk */
		p->argv[n++] = git_xstrdup("-c");
		p->argv[n++] = git_xstrdup("receive.fsckObjects=true");
		p->argv[n++] = git_xstrdup("-c");
		p->argv[n++] = git_xstrdup("core.fsync=committed");
		p->argv[n++] = git_xstrdup("-c");
		p->argv[n++] = git_xstrdup("core.fsyncMethod=batch");
		p->argv[n++] = git_xstrdup("receive-pack");
	} else {
		p->argv[n++] = git_xstrdup("-c");
		p->argv[n++] = git_xstrdup("uploadpack.allowFilter=true");
		p->argv[n++] = git_xstrdup("upload-pack");
	}
	if (p->stateless)
		p->argv[n++] = git_xstrdup("--stateless-rpc");
	if (p->advertise)
		p->argv[n++] = git_xstrdup("--advertise-refs");
	p->argv[n++] = git_xstrdup(p->dir);
	p->argv[n] = NULL;
	buf_release(&b);
}

static void build_env(struct git_plan *p, const struct env *env, const char *git_protocol)
{
	env_add(p, "PATH", "/usr/local/bin:/usr/bin:/bin");
	env_add(p, "HOME", env->data_dir);
	env_add(p, "LC_ALL", "C");
	/* the server's configuration only: no /etc/gitconfig, no ~/.gitconfig */
	env_add(p, "GIT_CONFIG_NOSYSTEM", "1");
	env_add(p, "GIT_CONFIG_GLOBAL", "/dev/null");
	if (git_protocol && git_protocol_ok(git_protocol))
		env_add(p, "GIT_PROTOCOL", git_protocol);
	/* the sanitizer build's options reach the hook, which is this binary */
	env_add(p, "ASAN_OPTIONS", getenv("ASAN_OPTIONS"));
	env_add(p, "UBSAN_OPTIONS", getenv("UBSAN_OPTIONS"));
}

void git_plan_client(struct git_plan *p, const char *source_ip, const char *user_agent,
		     bool secure)
{
	snprintf(p->source_ip, sizeof(p->source_ip), "%s", source_ip ? source_ip : "");
	free(p->user_agent);
	p->user_agent = git_xstrdup(user_agent ? user_agent : "");
	p->secure = secure;
}

/* the pull's or push's event for the audit trail, once */
static void audit_git(struct git_plan *p, const char *error_code, const char *error_message)
{
	struct aws_event ev = {0};
	json_t *req;

	if (p->env == NULL || p->env->audit == NULL || p->audited)
		return;
	p->audited = true;
	req = json_pack("{s:s, s:s}", "repositoryName", p->repo_name, "protocol",
			p->protocol ? p->protocol : p->secure ? "HTTPS" : "HTTP");
	if (req && p->refs)
		json_object_set(req, "references", p->refs);
	ev.service = "codecommit";
	ev.name = p->service == GIT_RECEIVE_PACK ? "GitPush" : "GitPull";
	ev.region = p->env->region;
	ev.time = time_now();
	ev.who = &p->who;
	ev.session = p->has_session ? &p->session : NULL;
	ev.account = p->who.account;
	ev.source_ip = p->source_ip;
	ev.user_agent = p->user_agent;
	ev.request = req;
	ev.error_code = error_code;
	ev.error_message = error_message;
	ev.resource = p->repo_arn;
	ev.read_only = p->service != GIT_RECEIVE_PACK;
	aws_event_emit(p->env->audit, &ev);
	json_decref(req);
}

/* a refusal before git runs: its event, with the code AWS would give */
static int open_failed(struct git_plan *p, int rc)
{
	audit_git(p, p->status == 403 ? "AccessDenied"
		     : p->status == 404 ? "RepositoryDoesNotExistException" : "InternalFailure",
		  buf_cstr(&p->text));
	return rc;
}

int git_plan_open(struct git_plan *p, const struct env *env, const char *git_protocol)
{
	struct err e = ERR_INIT;
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	struct buf d = BUF_INIT(0);
	char id[40] = "";
	int rc;

	p->env = env;
	snprintf(p->account, sizeof(p->account), "%s", p->who.account);
	snprintf(p->repo_arn, sizeof(p->repo_arn), "arn:aws:codecommit:%s:%s:%s", env->region,
		 p->account, p->repo_name);
	if (store_begin(&tx, env->store, false, &e) < 0)
		return git_plan_fail(p, 500, "commitd: internal error");
	rc = store_query(&q, tx, &e,
			 "SELECT id, policy FROM repositories WHERE account = $1 AND name = $2",
			 "ss", p->account, p->repo_name);
	if (rc == 0 && (rc = store_step(q, &e)) == 1) {
		snprintf(id, sizeof(id), "%s", store_col_text(q, 0));
		if (!store_col_null(q, 1))
			p->repo_policy = git_xstrdup(store_col_text(q, 1));
	}
	store_stmt_free(q);
	if (rc < 0) {
		rc = git_plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	snprintf(p->repo_id, sizeof(p->repo_id), "%s", id);
	rc = authorize(p, env, tx,
		       p->service == GIT_RECEIVE_PACK ? "codecommit:GitPush" : "codecommit:GitPull",
		       NULL, 0, &e);
	if (rc < 0) {
		rc = git_plan_fail(p, rc == CC_EDENIED ? 403 : 500, "commitd: %s",
				   rc == CC_EDENIED ? e.msg : "internal error");
		goto out;
	}
	if (id[0] == '\0') {
		rc = git_plan_fail(p, 404, "commitd: repository '%s' does not exist in account %s",
				   p->repo_name, p->account);
		goto out;
	}
	if (gitrepo_dir(&d, env->data_dir, p->account, id) < 0) {
		rc = git_plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	p->dir = git_xstrdup(buf_cstr(&d));
	build_argv(p, env);
	build_env(p, env, git_protocol);
out:
	buf_release(&d);
	store_rollback(tx);
	return rc < 0 ? open_failed(p, rc) : rc;
}

/* reasons go on one line of the decisions file */
static void put_reason(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, *s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
}

int git_plan_decisions_file(struct git_plan *p, const struct env *env)
{
	struct buf path = BUF_INIT(0);

	buf_printf(&path, "%s/tmp/push-XXXXXX", env->data_dir);
	p->decisions_fd = buf_failed(&path) ? -1 : mkostemp(path.ptr, O_CLOEXEC);
	if (p->decisions_fd < 0) {
		log_warnx("git: cannot create %s: %s", buf_cstr(&path), strerror(errno));
		buf_release(&path);
		return git_plan_fail(p, 500, "commitd: internal error");
	}
	p->decisions = git_xstrdup(buf_cstr(&path));
	buf_release(&path);
	env_add(p, "COMMITD_PUSH_DECISIONS", p->decisions);
	return 0;
}

int git_plan_decide(struct git_plan *p, const struct env *env, const char *cmdlist, size_t len)
{
	struct push_cmds cmds;
	struct store_tx *tx = NULL;
	struct buf out = BUF_INIT(0);
	struct err e = ERR_INIT;
	size_t i, denied = 0;
	int rc = 0;

	if (push_cmds_parse(&cmds, cmdlist, len, &e) < 0)
		return git_plan_fail(p, 400, "commitd: %s", e.msg);
	if (store_begin(&tx, env->store, false, &e) < 0) {
		rc = git_plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	json_decref(p->refs);
	p->refs = NULL;
	p->refs = json_array();
	for (i = 0; i < cmds.n; i++) {
		struct policy_key key;
		const char *ref = cmds.v[i].ref;
		int arc;

		key.name = "codecommit:References";
		key.values.v = &ref;
		key.values.n = 1;
		err_clear(&e);
		arc = authorize(p, env, tx, "codecommit:GitPush", &key, 1, &e);
		json_array_append_new(p->refs, json_pack("{s:s, s:s, s:s, s:s}", "ref", ref,
							 "oldCommit", cmds.v[i].old_oid,
							 "newCommit", cmds.v[i].new_oid, "decision",
							 arc == 0 ? "allowed" : "denied"));
		if (arc == 0) {
			buf_printf(&out, "A\t%s\n", ref);
		} else {
			buf_printf(&out, "D\t%s\t%s: ", ref, ref);
			put_reason(&out, arc == CC_EDENIED ? e.msg : "internal error");
			buf_putc(&out, '\n');
			denied++;
		}
	}
	store_rollback(tx);
	if (buf_failed(&out) || p->decisions_fd < 0 ||
	    write(p->decisions_fd, out.ptr ? out.ptr : "", out.len) != (ssize_t)out.len) {
		log_warnx("git: cannot write %s: %s", p->decisions ? p->decisions : "decisions",
			  strerror(errno));
		rc = git_plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	if (denied == 0 && p->pid == 0) {
		/* nothing to refuse and git not yet started: it runs no hook at all
		 * (a hook is a process per ref); the file still names every ref */
		struct buf hp = BUF_INIT(0);

		buf_printf(&hp, "core.hooksPath=%s/hooks/none", env->data_dir);
		free(p->argv[2]);
		p->argv[2] = git_xstrdup(buf_cstr(&hp));
		buf_release(&hp);
	}
	p->nrefs = cmds.n;
	p->ndenied = denied;
out:
	buf_release(&out);
	push_cmds_free(&cmds);
	return rc;
}

int git_plan_spawn(struct git_plan *p, int in_fd, bool stderr_pipe, struct err *e)
{
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, errfd = -1, rc;

	if (pipe2(out, O_CLOEXEC) < 0)
		return err_set(e, CC_ERROR, NULL, "pipe: %s", strerror(errno));
	if (stderr_pipe) {
		/* SSH: git's standard error goes to the client's, as under sshd */
		if (pipe2(errp, O_CLOEXEC) < 0) {
			close(out[0]);
			close(out[1]);
			return err_set(e, CC_ERROR, NULL, "pipe: %s", strerror(errno));
		}
		errfd = errp[1];
	} else {
		/* HTTP: kept in memory for the log line if it fails */
		errfd = memfd_create("git-stderr", MFD_CLOEXEC);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (errfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, p->dir);
	rc = posix_spawnp(&p->pid, p->argv[0], &fa, NULL, p->argv, p->envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (stderr_pipe) {
		close(errp[1]);
		errfd = errp[0];
	}
	if (rc != 0) {
		close(out[0]);
		if (errfd >= 0)
			close(errfd);
		p->pid = 0;
		return err_set(e, CC_ERROR, NULL, "cannot run git: %s", strerror(rc));
	}
	p->out_fd = out[0];
	p->err_fd = errfd;
	p->err_is_pipe = stderr_pipe;
	return 0;
}

void git_plan_finish(struct git_plan *p, int exit_status)
{
	if (p->dir == NULL)
		return;
	if (exit_status != 0 && p->err_fd >= 0 && !p->err_is_pipe) {
		char msg[512];
		ssize_t n = pread(p->err_fd, msg, sizeof(msg) - 1, 0);

		msg[n > 0 ? n : 0] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		log_info("git: %s for %s on %s exited %d: %s",
			 p->service == GIT_RECEIVE_PACK ? "receive-pack" : "upload-pack",
			 p->who.arn, p->repo_arn, exit_status, msg);
	} else if (exit_status != 0) {
		log_info("git: %s for %s on %s exited %d",
			 p->service == GIT_RECEIVE_PACK ? "receive-pack" : "upload-pack",
			 p->who.arn, p->repo_arn, exit_status);
	}
	if (p->service == GIT_RECEIVE_PACK && !p->advertise) {
		gitrepo_fix_head(p->dir);
		log_info("git: push by %s to %s: %zu ref(s), %zu refused", p->who.arn, p->repo_arn,
			 p->nrefs, p->ndenied);
	}
	if (!p->advertise) {
		char why[96];

		snprintf(why, sizeof(why), "%zu of %zu ref(s) refused", p->ndenied, p->nrefs);
		if (p->ndenied > 0)
			audit_git(p, "AccessDenied", why);
		else if (exit_status != 0)
			audit_git(p, "GitError", "git exited with an error");
		else
			audit_git(p, NULL, NULL);
	}
}

void git_plan_free(struct git_plan *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p->argv) && p->argv[i]; i++)
		free(p->argv[i]);
	for (i = 0; i < p->nenv; i++)
		free(p->envp[i]);
	if (p->decisions) {
		unlink(p->decisions);
		free(p->decisions);
	}
	if (p->decisions_fd >= 0)
		close(p->decisions_fd);
	json_decref(p->refs);
	p->refs = NULL;
	free(p->dir);
	free(p->repo_policy);
	free(p->user_agent);
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	if (p->has_session)
		session_wipe(&p->session);
	buf_release(&p->text);
	git_plan_init(p);
}
