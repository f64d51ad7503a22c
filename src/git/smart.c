/*
 * smart.c - Git's smart HTTP protocol at /v1/repos/NAME, decided here and
 * carried out by git's own programs:
 *
 *   GET  /v1/repos/NAME/info/refs?service=git-upload-pack    (advertisement)
 *   POST /v1/repos/NAME/git-upload-pack                      (fetch, clone)
 *   GET  /v1/repos/NAME/info/refs?service=git-receive-pack
 *   POST /v1/repos/NAME/git-receive-pack                     (push)
 *
 * Phase one (git_plan_start) runs on the headers alone: parse the path,
 * authenticate, authorize codecommit:GitPull or codecommit:GitPush on the
 * repository, find the repository in the caller's account.  A refusal is
 * answered before any of the body is read.  Phase two (git_plan_push) runs
 * when a push's body is in: each ref update is authorized with
 * codecommit:References set to its ref, and the decisions go to the update
 * hook (hook.c) through a file.  Then git runs (git_plan_spawn) with the
 * body on its standard input.
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

static int plan_fail(struct git_plan *p, int status, const char *fmt, ...) CC_PRINTF(3, 4);

static int plan_fail(struct git_plan *p, int status, const char *fmt, ...)
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

static char *xstrdup(const char *s)
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
	p->envp[p->nenv++] = xstrdup(buf_cstr(&b));
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

/* the value of service= in the query string */
static const char *query_service(const char *q)
{
	while (q && *q) {
		if (strncmp(q, "service=", 8) == 0) {
			size_t n = strcspn(q + 8, "&");

			if (n == 15 && strncmp(q + 8, "git-upload-pack", 15) == 0)
				return "git-upload-pack";
			if (n == 16 && strncmp(q + 8, "git-receive-pack", 16) == 0)
				return "git-receive-pack";
			return "";
		}
		q = strchr(q, '&');
		if (q)
			q++;
	}
	return NULL;
}

/* "/v1/repos/NAME/<rest>": the decoded name, the raw name, and rest */
static int split_path(struct git_plan *p, const char *path, char *raw, size_t rawsz,
		      const char **rest)
{
	const char *name = path + 10, *slash = strchr(name, '/');
	char decoded[3 * GIT_REPO_NAME_MAX + 1];
	size_t n = slash ? (size_t)(slash - name) : strlen(name), dn = 0;

	if (slash == NULL)
		return plan_fail(p, 404, "commitd: not a Git service path: %.200s", path);
	if (n == 0 || n >= sizeof(decoded) || n >= rawsz ||
	    url_decode(decoded, &dn, name, n, false) < 0 || !git_repo_name_ok(decoded, dn) ||
	    memchr(decoded, '\0', dn))
		return plan_fail(p, 404, "commitd: '%.*s' is not a valid repository name",
				 (int)(n > 100 ? 100 : n), name);
	memcpy(p->repo_name, decoded, dn);
	p->repo_name[dn] = '\0';
	memcpy(raw, name, n);
	raw[n] = '\0';
	*rest = slash;
	return 0;
}

static int authorize(struct git_plan *p, const struct env *env, const struct git_http_req *req,
		     struct store_tx *tx, const char *action, const struct policy_key *keys,
		     size_t nkeys, struct err *e)
{
	struct aws_call c = {0};
	int rc;

	c.env = env;
	c.tx = tx;
	c.ar = arena_new();
	if (c.ar == NULL)
		return err_oom(e);
	c.caller = &p->who;
	c.source_ip = req->source_ip;
	c.user_agent = req->user_agent;
	c.secure = req->secure;
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

	p->argv[n++] = xstrdup("git");
	if (p->service == GIT_RECEIVE_PACK) {
		buf_printf(&b, "core.hooksPath=%s/hooks", env->data_dir);
		p->argv[n++] = xstrdup("-c");
		p->argv[n++] = xstrdup(buf_cstr(&b));
		/* what a push brings is checked, and what it acknowledges is on disk */
		p->argv[n++] = xstrdup("-c");
		p->argv[n++] = xstrdup("receive.fsckObjects=true");
		p->argv[n++] = xstrdup("-c");
		p->argv[n++] = xstrdup("core.fsync=committed");
		p->argv[n++] = xstrdup("-c");
		p->argv[n++] = xstrdup("core.fsyncMethod=batch");
		p->argv[n++] = xstrdup("receive-pack");
	} else {
		p->argv[n++] = xstrdup("-c");
		p->argv[n++] = xstrdup("uploadpack.allowFilter=true");
		p->argv[n++] = xstrdup("upload-pack");
	}
	p->argv[n++] = xstrdup("--stateless-rpc");
	if (p->advertise)
		p->argv[n++] = xstrdup("--advertise-refs");
	p->argv[n++] = xstrdup(p->dir);
	p->argv[n] = NULL;
	buf_release(&b);
}

static void build_env(struct git_plan *p, const struct env *env, const struct git_http_req *req)
{
	env_add(p, "PATH", "/usr/local/bin:/usr/bin:/bin");
	env_add(p, "HOME", env->data_dir);
	env_add(p, "LC_ALL", "C");
	/* the server's configuration only: no /etc/gitconfig, no ~/.gitconfig */
	env_add(p, "GIT_CONFIG_NOSYSTEM", "1");
	env_add(p, "GIT_CONFIG_GLOBAL", "/dev/null");
	if (req->git_protocol && git_protocol_ok(req->git_protocol))
		env_add(p, "GIT_PROTOCOL", req->git_protocol);
	/* the sanitizer build's options reach the hook, which is this binary */
	env_add(p, "ASAN_OPTIONS", getenv("ASAN_OPTIONS"));
	env_add(p, "UBSAN_OPTIONS", getenv("UBSAN_OPTIONS"));
	p->envp[p->nenv] = NULL;
}

void git_plan_start(struct git_plan *p, const struct env *env, const struct git_http_req *req)
{
	struct err e = ERR_INIT;
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	struct git_who gw;
	char raw[3 * GIT_REPO_NAME_MAX + 1], repo_path[400], id[40] = "";
	const char *rest = NULL, *svc;
	bool no_creds;
	int rc;

	memset(p, 0, sizeof(*p));
	p->text.max = 1 << 20;
	p->out_fd = p->err_fd = -1;
	if (split_path(p, req->path, raw, sizeof(raw), &rest) < 0)
		return;
	if (strcmp(rest, "/info/refs") == 0) {
		if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
			plan_fail(p, 405, "commitd: use GET for info/refs");
			return;
		}
		svc = query_service(req->query);
		if (svc == NULL || svc[0] == '\0') {
			plan_fail(p, 403, "commitd: only Git's smart HTTP protocol is served;"
					  " this client asked for the dumb protocol");
			return;
		}
		p->advertise = true;
	} else if (strcmp(rest, "/git-upload-pack") == 0 || strcmp(rest, "/git-receive-pack") == 0) {
		if (strcmp(req->method, "POST") != 0) {
			plan_fail(p, 405, "commitd: use POST for %s", rest + 1);
			return;
		}
		svc = rest + 1;
	} else {
		plan_fail(p, 404, "commitd: not found: %.200s (only the smart HTTP protocol is"
				  " served)", rest);
		return;
	}
	p->service = strcmp(svc, "git-receive-pack") == 0 ? GIT_RECEIVE_PACK : GIT_UPLOAD_PACK;
	if (!p->advertise) {
		const char *want = p->service == GIT_RECEIVE_PACK
					   ? "application/x-git-receive-pack-request"
					   : "application/x-git-upload-pack-request";

		if (req->content_type == NULL || strcmp(req->content_type, want) != 0) {
			plan_fail(p, 415, "commitd: expected Content-Type %s", want);
			return;
		}
	}

	/* who */
	if (ratelimit_blocked(env->auth_failures, req->source_ip, time_now_hires())) {
		plan_fail(p, 429, "commitd: too many failed sign-ins from %s; wait a minute and"
				  " try again", req->source_ip);
		return;
	}
	snprintf(repo_path, sizeof(repo_path), "/v1/repos/%s", raw);
	rc = git_authenticate(&gw, env, req->authorization, req->host, repo_path, &no_creds, &e);
	if (rc < 0) {
		if (rc == CC_EAUTH && !no_creds)
			ratelimit_spend(env->auth_failures, req->source_ip, time_now_hires());
		if (rc == CC_EAUTH)
			plan_fail(p, 401, "commitd: %s", e.msg);
		else
			plan_fail(p, 500, "commitd: internal error");
		return;
	}
	p->who = gw.who;
	p->session = gw.session;
	p->has_session = gw.has_session;
	mem_wipe(&gw, sizeof(gw));
	snprintf(p->account, sizeof(p->account), "%s", p->who.account);
	snprintf(p->repo_arn, sizeof(p->repo_arn), "arn:aws:codecommit:%s:%s:%s", env->region,
		 p->account, p->repo_name);

	/* is it there, and may they: a refusal comes before "not found", so names
	 * cannot be probed without permission */
	if (store_begin(&tx, env->store, false, &e) < 0) {
		plan_fail(p, 500, "commitd: internal error");
		return;
	}
	rc = store_query(&q, tx, &e,
			 "SELECT id, policy FROM repositories WHERE account = $1 AND name = $2",
			 "ss", p->account, p->repo_name);
	if (rc == 0 && (rc = store_step(q, &e)) == 1) {
		snprintf(id, sizeof(id), "%s", store_col_text(q, 0));
		if (!store_col_null(q, 1))
			p->repo_policy = xstrdup(store_col_text(q, 1));
	}
	store_stmt_free(q);
	if (rc < 0) {
		plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	snprintf(p->repo_id, sizeof(p->repo_id), "%s", id);
	rc = authorize(p, env, req, tx,
		       p->service == GIT_RECEIVE_PACK ? "codecommit:GitPush" : "codecommit:GitPull",
		       NULL, 0, &e);
	if (rc < 0) {
		plan_fail(p, rc == CC_EDENIED ? 403 : 500, "commitd: %s",
			  rc == CC_EDENIED ? e.msg : "internal error");
		goto out;
	}
	if (id[0] == '\0') {
		plan_fail(p, 404, "commitd: repository '%s' does not exist in account %s",
			  p->repo_name, p->account);
		goto out;
	}
	{
		struct buf d = BUF_INIT(0);

		if (gitrepo_dir(&d, env->data_dir, p->account, id) < 0) {
			buf_release(&d);
			plan_fail(p, 500, "commitd: internal error");
			goto out;
		}
		p->dir = xstrdup(buf_cstr(&d));
		buf_release(&d);
	}
	build_argv(p, env);
	build_env(p, env, req);
	if (p->advertise) {
		/* protocol v0/v1 advertisements start with the service line; v2 does not */
		if (!(req->git_protocol && strstr(req->git_protocol, "version=2"))) {
			char line[64];
			int n = snprintf(line, sizeof(line), "# service=%s\n", svc);

			pkt_put(&p->text, line, (size_t)n);
			pkt_put(&p->text, NULL, 0);
		}
		p->content_type = p->service == GIT_RECEIVE_PACK
					  ? "application/x-git-receive-pack-advertisement"
					  : "application/x-git-upload-pack-advertisement";
	} else {
		p->content_type = p->service == GIT_RECEIVE_PACK
					  ? "application/x-git-receive-pack-result"
					  : "application/x-git-upload-pack-result";
	}
out:
	store_rollback(tx);
}

/* reasons go on one line of the decisions file */
static void put_reason(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, *s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
}

void git_plan_push(struct git_plan *p, const struct env *env, const struct git_http_req *req,
		   const char *body, size_t len)
{
	struct push_cmds cmds;
	struct store_tx *tx = NULL;
	struct buf out = BUF_INIT(0), path = BUF_INIT(0);
	struct err e = ERR_INIT;
	size_t i, denied = 0;
	int fd = -1;

	if (push_cmds_parse(&cmds, body, len, &e) < 0) {
		plan_fail(p, 400, "commitd: %s", e.msg);
		return;
	}
	if (store_begin(&tx, env->store, false, &e) < 0) {
		plan_fail(p, 500, "commitd: internal error");
		goto out;
	}
	for (i = 0; i < cmds.n; i++) {
		struct policy_key key;
		const char *ref = cmds.v[i].ref;
		int rc;

		key.name = "codecommit:References";
		key.values.v = &ref;
		key.values.n = 1;
		err_clear(&e);
		rc = authorize(p, env, req, tx, "codecommit:GitPush", &key, 1, &e);
		if (rc == 0) {
			buf_printf(&out, "A\t%s\n", ref);
		} else {
			buf_printf(&out, "D\t%s\t%s: ", ref, ref);
			put_reason(&out, rc == CC_EDENIED ? e.msg : "internal error");
			buf_putc(&out, '\n');
			denied++;
		}
	}
	store_rollback(tx);
	buf_printf(&path, "%s/tmp/push-XXXXXX", env->data_dir);
	fd = mkstemp(path.ptr);
	if (fd < 0 || write(fd, out.ptr ? out.ptr : "", out.len) != (ssize_t)out.len) {
		log_warnx("git: cannot write %s: %s", buf_cstr(&path), strerror(errno));
		plan_fail(p, 500, "commitd: internal error");
		if (fd >= 0)
			unlink(buf_cstr(&path));
		goto out;
	}
	p->decisions = xstrdup(buf_cstr(&path));
	if (denied == 0) {
		/* nothing to refuse: git runs no hook at all (a hook is a process per
		 * ref); the decisions file still names every ref, for the record */
		struct buf hp = BUF_INIT(0);

		buf_printf(&hp, "core.hooksPath=%s/hooks/none", env->data_dir);
		free(p->argv[2]);
		p->argv[2] = xstrdup(buf_cstr(&hp));
		buf_release(&hp);
	}
	env_add(p, "COMMITD_PUSH_DECISIONS", p->decisions);
	p->envp[p->nenv] = NULL;
	p->nrefs = cmds.n;
	p->ndenied = denied;
out:
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	buf_release(&out);
	push_cmds_free(&cmds);
}

int git_plan_spawn(struct git_plan *p, int in_fd, struct err *e)
{
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, errfd, rc;

	if (pipe2(out, O_CLOEXEC) < 0)
		return err_set(e, CC_ERROR, NULL, "pipe: %s", strerror(errno));
	/* git's standard error, kept in memory for the log line if it fails */
	errfd = memfd_create("git-stderr", MFD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (errfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, p->dir);
	rc = posix_spawnp(&p->pid, p->argv[0], &fa, NULL, p->argv, p->envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		if (errfd >= 0)
			close(errfd);
		p->pid = 0;
		return err_set(e, CC_ERROR, NULL, "cannot run git: %s", strerror(rc));
	}
	p->out_fd = out[0];
	p->err_fd = errfd;
	return 0;
}

void git_plan_finish(struct git_plan *p, int exit_status)
{
	if (p->dir == NULL)
		return;
	if (exit_status != 0 && p->err_fd >= 0) {
		char msg[512];
		ssize_t n = pread(p->err_fd, msg, sizeof(msg) - 1, 0);

		msg[n > 0 ? n : 0] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		log_info("git: %s for %s on %s exited %d: %s",
			 p->service == GIT_RECEIVE_PACK ? "receive-pack" : "upload-pack",
			 p->who.arn, p->repo_arn, exit_status, msg);
	}
	if (p->service == GIT_RECEIVE_PACK && !p->advertise) {
		gitrepo_fix_head(p->dir);
		log_info("git: push by %s to %s: %zu ref(s), %zu refused", p->who.arn, p->repo_arn,
			 p->nrefs, p->ndenied);
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
	free(p->dir);
	free(p->repo_policy);
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	if (p->has_session)
		session_wipe(&p->session);
	buf_release(&p->text);
	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
}
