/*
 * gitauth.c - who is pulling or pushing over HTTP(S): Basic credentials in
 * the three forms CodeCommit accepts (see git_int.h).  The secrets involved
 * are wiped before returning; nothing here is logged.
 */
#include <stdio.h>
#include <string.h>

#include "git_int.h"

#define BASIC_MAX 8192 /* user:password, a session token included */

static int bad_creds(struct err *e)
{
	return err_set(e, CC_EAUTH, NULL, "the credentials are not valid for this server");
}

/* "host:port" -> "host", as aws codecommit credential-helper signs it */
static void sign_host(char *out, size_t outsz, const char *host)
{
	size_t n = host ? strcspn(host, ":") : 0;

	snprintf(out, outsz, "%.*s", (int)n, host ? host : "");
}

static int sigv4_pw(struct git_who *out, const struct env *env, const char *user,
		    const char *password, const char *host, const char *repo_path, struct err *e)
{
	const char *pct = strchr(user, '%');
	char key_id[32], h[256];
	size_t kl = pct ? (size_t)(pct - user) : strlen(user);
	struct secret secret = {0};
	int rc;

	if (kl < 16 || kl >= sizeof(key_id))
		return bad_creds(e);
	memcpy(key_id, user, kl);
	key_id[kl] = '\0';
	sign_host(h, sizeof(h), host);
	if (pct) {
		rc = session_token_open(&out->session, env->sealer, pct + 1, strlen(pct + 1),
					time_now(), e);
		if (rc < 0)
			return rc;
		out->has_session = true;
		if (strcmp(out->session.who.access_key_id, key_id) != 0)
			return bad_creds(e);
		out->who = out->session.who;
		return sigv4_git_verify(password, strlen(password), out->session.secret,
					strlen(out->session.secret), env->region, h, repo_path,
					time_now(), e);
	}
	if (strncmp(key_id, "ASIA", 4) == 0)
		return err_set(e, CC_EAUTH, NULL,
			       "temporary credentials need their session token: use"
			       " ACCESSKEYID%%SESSIONTOKEN as the user name");
	rc = creds_lookup(&out->who, &secret, env->store, env->sealer, env->creds, key_id, e);
	if (rc < 0)
		return rc;
	rc = sigv4_git_verify(password, strlen(password), (const char *)secret.ptr, secret.len,
			      env->region, h, repo_path, time_now(), e);
	secret_release(&secret);
	if (rc == 0)
		creds_touch(env->store, env->creds, key_id, "codecommit", env->region, time_now());
	return rc;
}

int git_authenticate(struct git_who *out, const struct env *env, const char *authorization,
		     const char *host, const char *repo_path, bool *no_creds, struct err *e)
{
	char raw[BASIC_MAX];
	const char *b64;
	char *colon;
	long n;
	int rc;

	memset(out, 0, sizeof(*out));
	*no_creds = false;
	if (authorization == NULL || strncasecmp(authorization, "Basic ", 6) != 0) {
		*no_creds = true;
		return err_set(e, CC_EAUTH, NULL, "authentication required");
	}
	b64 = authorization + 6;
	while (*b64 == ' ')
		b64++;
	n = b64_decode((unsigned char *)raw, sizeof(raw) - 1, b64, strlen(b64));
	if (n <= 0) {
		rc = bad_creds(e);
		goto out;
	}
	raw[n] = '\0';
	colon = strchr(raw, ':');
	if (colon == NULL || strlen(raw) != (size_t)n || colon == raw) {
		rc = bad_creds(e);
		goto out;
	}
	*colon = '\0';
	if (strstr(raw, "-at-"))
		rc = gitcred_lookup(&out->who, env->store, raw, colon + 1, e);
	else
		rc = sigv4_pw(out, env, raw, colon + 1, host, repo_path, e);
	if (rc < 0 && rc != CC_ERROR) /* a missing user is a failed sign-in, not a 404 */
		rc = e->code = CC_EAUTH;
out:
	mem_wipe(raw, sizeof(raw));
	if (rc < 0 && out->has_session) {
		session_wipe(&out->session);
		out->has_session = false;
	}
	return rc;
}
