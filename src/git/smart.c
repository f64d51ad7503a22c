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
 * body on its standard input.  What SSH shares with this is in plan.c.
 */
#include <stdio.h>
#include <string.h>

#include "git_int.h"

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
		return git_plan_fail(p, 404, "commitd: not a Git service path: %.200s", path);
	if (n == 0 || n >= sizeof(decoded) || n >= rawsz ||
	    url_decode(decoded, &dn, name, n, false) < 0 || !git_repo_name_ok(decoded, dn) ||
	    memchr(decoded, '\0', dn))
		return git_plan_fail(p, 404, "commitd: '%.*s' is not a valid repository name",
				 (int)(n > 100 ? 100 : n), name);
	memcpy(p->repo_name, decoded, dn);
	p->repo_name[dn] = '\0';
	memcpy(raw, name, n);
	raw[n] = '\0';
	*rest = slash;
	return 0;
}

void git_plan_start(struct git_plan *p, const struct env *env, const struct git_http_req *req)
{
	struct err e = ERR_INIT;
	struct git_who gw;
	char raw[3 * GIT_REPO_NAME_MAX + 1], repo_path[400];
	const char *rest = NULL, *svc;
	bool no_creds;
	int rc;

	git_plan_init(p);
	p->stateless = true;
	if (split_path(p, req->path, raw, sizeof(raw), &rest) < 0)
		return;
	if (strcmp(rest, "/info/refs") == 0) {
		if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
			git_plan_fail(p, 405, "commitd: use GET for info/refs");
			return;
		}
		svc = query_service(req->query);
		if (svc == NULL || svc[0] == '\0') {
			git_plan_fail(p, 403, "commitd: only Git's smart HTTP protocol is served;"
					  " this client asked for the dumb protocol");
			return;
		}
		p->advertise = true;
	} else if (strcmp(rest, "/git-upload-pack") == 0 || strcmp(rest, "/git-receive-pack") == 0) {
		if (strcmp(req->method, "POST") != 0) {
			git_plan_fail(p, 405, "commitd: use POST for %s", rest + 1);
			return;
		}
		svc = rest + 1;
	} else {
		git_plan_fail(p, 404, "commitd: not found: %.200s (only the smart HTTP protocol is"
				  " served)", rest);
		return;
	}
	p->service = strcmp(svc, "git-receive-pack") == 0 ? GIT_RECEIVE_PACK : GIT_UPLOAD_PACK;
	if (!p->advertise) {
		const char *want = p->service == GIT_RECEIVE_PACK
					   ? "application/x-git-receive-pack-request"
					   : "application/x-git-upload-pack-request";

		if (req->content_type == NULL || strcmp(req->content_type, want) != 0) {
			git_plan_fail(p, 415, "commitd: expected Content-Type %s", want);
			return;
		}
	}

	/* who */
	if (ratelimit_blocked(env->auth_failures, req->source_ip, time_now_hires())) {
		git_plan_fail(p, 429, "commitd: too many failed sign-ins from %s; wait a minute and"
				  " try again", req->source_ip);
		return;
	}
	snprintf(repo_path, sizeof(repo_path), "/v1/repos/%s", raw);
	rc = git_authenticate(&gw, env, req->authorization, req->host, repo_path, &no_creds, &e);
	if (rc < 0) {
		if (rc == CC_EAUTH && !no_creds)
			ratelimit_spend(env->auth_failures, req->source_ip, time_now_hires());
		if (rc == CC_EAUTH)
			git_plan_fail(p, 401, "commitd: %s", e.msg);
		else
			git_plan_fail(p, 500, "commitd: internal error");
		return;
	}
	p->who = gw.who;
	p->session = gw.session;
	p->has_session = gw.has_session;
	mem_wipe(&gw, sizeof(gw));
	git_plan_client(p, req->source_ip, req->user_agent, req->secure);
	if (git_plan_open(p, env, req->git_protocol) < 0)
		return;
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
}

void git_plan_push(struct git_plan *p, const struct env *env, const struct git_http_req *req,
		   const char *body, size_t len)
{
	(void)req;
	if (git_plan_decisions_file(p, env) < 0)
		return;
	git_plan_decide(p, env, body, len);
}
