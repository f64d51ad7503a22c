/*
 * awscreds.c - one profile resolved as botocore resolves it (awscfg.h):
 * which files, which profile, which region, and the credential chain in
 * botocore's order (environment, assume role, shared credentials file,
 * credential_process, config file), with the AWS CLI's messages.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/awscreds_int.h"

#define CHAIN_MAX 8 /* source_profile hops */

void aws_creds_release(struct aws_creds *c)
{
	free(c->access_key_id);
	free_wiped(c->secret_access_key);
	free_wiped(c->session_token);
	memset(c, 0, sizeof(*c));
}

void aws_profile_release(struct aws_profile *p)
{
	free(p->name);
	free(p->region);
	free(p->config_path);
	free(p->credentials_path);
	awscfg_free(p->config);
	awscfg_free(p->credentials);
	aws_creds_release(&p->creds);
	memset(p, 0, sizeof(*p));
}

static const char *env(const char *k)
{
	const char *v = getenv(k);

	return v && v[0] ? v : NULL;
}

/* AWS_CONFIG_FILE or ~/.aws/config, '~' expanded as botocore does */
static char *file_path(const char *var, const char *dflt)
{
	const char *v = env(var), *home = env("HOME");
	char *out = NULL;

	if (v && v[0] == '~' && (v[1] == '/' || v[1] == '\0') && home) {
		if (asprintf(&out, "%s%s", home, v + 1) < 0)
			out = NULL;
	} else if (v) {
		out = strdup(v);
	} else if (asprintf(&out, "%s/%s", home ? home : ".", dflt) < 0) {
		out = NULL;
	}
	return out;
}

/*
 * The config file's section for a profile: "default" (or "profile default"),
 * else "profile NAME", where botocore splits the header like a shell:
 * "[profile  dev]" and "[profile "dev"]" are dev too.  NULL if none.
 */
static const char *config_section(const struct awscfg_file *f, const char *name, char *buf,
				  size_t bufsz)
{
	char **argv;
	size_t argc;
	struct err e = ERR_INIT;

	if (strcmp(name, "default") == 0 && awscfg_has_section(f, "default"))
		return "default";
	snprintf(buf, bufsz, "profile %s", name);
	if (awscfg_has_section(f, buf))
		return buf;
	/* the unusual spellings: find a section that splits into {profile, NAME} */
	for (size_t i = 0;; i++) {
		const char *s = awscfg_section_name(f, i);

		if (s == NULL)
			return NULL;
		if (strncmp(s, "profile", 7) != 0 || shell_split(&argv, &argc, s, &e) < 0)
			continue;
		if (argc == 2 && strcmp(argv[0], "profile") == 0 && strcmp(argv[1], name) == 0) {
			snprintf(buf, bufsz, "%s", s);
			shell_split_free(argv);
			return buf;
		}
		shell_split_free(argv);
	}
}

struct ctx {
	struct aws_profile *p;
	int64_t now;
	const char *chain[CHAIN_MAX + 1];
	size_t depth;
};

static const char *cfg(const struct ctx *c, const char *profile, const char *key)
{
	char buf[300];
	const char *s = config_section(c->p->config, profile, buf, sizeof(buf));

	return s ? awscfg_get(c->p->config, s, key) : NULL;
}

static int copy_static(struct aws_creds *out, const char *k, const char *s, const char *t,
		       const char *source, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->access_key_id = strdup(k);
	out->secret_access_key = strdup(s);
	out->session_token = t && t[0] ? strdup(t) : NULL;
	out->source = source;
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
	    (t && t[0] && out->session_token == NULL)) {
		aws_creds_release(out);
		return err_oom(e);
	}
	return 0;
}

/* static keys of a profile: credentials file, then config file; CC_ENOTFOUND if none */
static int static_keys(struct aws_creds *out, const struct ctx *c, const char *profile,
		       bool config_too, struct err *e)
{
	const struct awscfg_file *cr = c->p->credentials;
	const char *k = awscfg_get(cr, profile, "aws_access_key_id");
	const char *s = awscfg_get(cr, profile, "aws_secret_access_key");
	const char *t = awscfg_get(cr, profile, "aws_session_token");

	if (k || s) {
		if (!(k && s && k[0] && s[0]))
			return err_set(e, CC_EINVAL, NULL, "Partial credentials found in shared"
				       " credentials file, profile %s: both aws_access_key_id and"
				       " aws_secret_access_key are needed", profile);
		return copy_static(out, k, s, t ? t : awscfg_get(cr, profile, "aws_security_token"),
				   "shared credentials file", e);
	}
	if (!config_too)
		return CC_ENOTFOUND;
	k = cfg(c, profile, "aws_access_key_id");
	s = cfg(c, profile, "aws_secret_access_key");
	t = cfg(c, profile, "aws_session_token");
	if (k || s) {
		if (!(k && s && k[0] && s[0]))
			return err_set(e, CC_EINVAL, NULL, "Partial credentials found in config"
				       " file, profile %s", profile);
		return copy_static(out, k, s, t, "config file", e);
	}
	return CC_ENOTFOUND;
}

static int env_keys(struct aws_creds *out, struct err *e)
{
	const char *k = env("AWS_ACCESS_KEY_ID"), *s = env("AWS_SECRET_ACCESS_KEY");
	const char *t = env("AWS_SESSION_TOKEN");

	if (k == NULL && s == NULL)
		return CC_ENOTFOUND;
	if (k == NULL || s == NULL)
		return err_set(e, CC_EINVAL, NULL, "Partial credentials found in env, missing: %s",
			       k ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	return copy_static(out, k, s, t ? t : env("AWS_SECURITY_TOKEN"), "environment", e);
}

static int profile_creds(struct aws_creds *out, struct ctx *c, const char *profile, bool source,
			 struct err *e);

/* the STS endpoint for profile: its own (aws_endpoint rules), else AWS's regional one */
static char *stsc_endpoint(const struct ctx *c, const char *profile, const char *region)
{
	struct aws_profile view = *c->p;
	const char *ep;
	char *out = NULL;

	view.name = (char *)profile;
	if ((ep = aws_endpoint(&view, "sts")))
		return strdup(ep);
	if (region == NULL)
		return strdup("https://sts.amazonaws.com");
	if (asprintf(&out, "https://sts.%s.amazonaws.com%s", region,
		     strncmp(region, "cn-", 3) == 0 ? ".cn" : "") < 0)
		return NULL;
	return out;
}

/* a line from the terminal, for mfa_serial (git owns our stdin and stdout) */
static int mfa_code(char *out, size_t outsz, const char *serial, struct err *e)
{
	FILE *tty = fopen("/dev/tty", "r+");
	size_t n;

	if (tty == NULL)
		return err_set(e, CC_EAUTH, NULL, "this profile needs an MFA code (mfa_serial %s)"
			       " and there is no terminal to ask for it", serial);
	fprintf(tty, "Enter MFA code for %s: ", serial);
	fflush(tty);
	if (fgets(out, (int)outsz, tty) == NULL) {
		fclose(tty);
		return err_set(e, CC_EAUTH, NULL, "no MFA code was given");
	}
	fclose(tty);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

static int assume_role(struct aws_creds *out, struct ctx *c, const char *profile, struct err *e)
{
	const char *src_profile = cfg(c, profile, "source_profile");
	const char *src_env = cfg(c, profile, "credential_source");
	const char *dur = cfg(c, profile, "duration_seconds"), *serial = cfg(c, profile, "mfa_serial");
	const char *region = cfg(c, profile, "region");
	struct aws_creds src = {0};
	struct stsc_assume a = {0};
	char session[80], key[65], code[64] = "", *endpoint = NULL;
	uint64_t d = 0;
	int rc;

	if (src_profile && src_env)
		return err_set(e, CC_EINVAL, NULL, "profile %s has both source_profile and"
			       " credential_source: only one may be set", profile);
	if (src_env) {
		if (strcmp(src_env, "Environment") != 0)
			return err_set(e, CC_EINVAL, NULL, "profile %s: credential_source %s is not"
				       " supported by this tool (Environment is)", profile, src_env);
		if ((rc = env_keys(&src, e)) == CC_ENOTFOUND)
			return err_set(e, CC_EAUTH, NULL, "profile %s: credential_source Environment,"
				       " but AWS_ACCESS_KEY_ID is not set", profile);
	} else if (src_profile && strcmp(src_profile, profile) == 0) {
		/* its own keys, as botocore allows */
		if ((rc = static_keys(&src, c, profile, true, e)) == CC_ENOTFOUND)
			return err_set(e, CC_EINVAL, NULL, "profile %s is its own source_profile"
				       " but has no keys", profile);
	} else if (src_profile) {
		for (size_t i = 0; i <= c->depth; i++)
			if (strcmp(c->chain[i], src_profile) == 0)
				return err_set(e, CC_EINVAL, NULL, "profile %s: a source_profile loop"
					       " (through %s)", profile, src_profile);
		if (c->depth == CHAIN_MAX)
			return err_set(e, CC_EINVAL, NULL, "profile %s: more than %d source_profile"
				       " hops", profile, CHAIN_MAX);
		c->chain[++c->depth] = src_profile;
		rc = profile_creds(&src, c, src_profile, true, e);
		c->depth--;
	} else {
		return err_set(e, CC_EINVAL, NULL, "profile %s has role_arn but neither"
			       " source_profile nor credential_source", profile);
	}
	if (rc < 0)
		return rc;
	if (dur && parse_u64(dur, strlen(dur), 900, 43200, &d) < 0) {
		aws_creds_release(&src);
		return err_set(e, CC_EINVAL, NULL, "profile %s: duration_seconds must be 900 to"
			       " 43200", profile);
	}
	snprintf(session, sizeof(session), "botocore-session-%lld", (long long)c->now);
	a.role_arn = cfg(c, profile, "role_arn");
	a.session_name = cfg(c, profile, "role_session_name");
	if (a.session_name == NULL)
		a.session_name = session;
	a.external_id = cfg(c, profile, "external_id");
	a.serial = serial;
	a.duration = (int64_t)d;
	a.region = region ? region : c->p->region ? c->p->region : "us-east-1";
	if ((endpoint = stsc_endpoint(c, profile, region ? region : c->p->region)) == NULL) {
		aws_creds_release(&src);
		return err_oom(e);
	}
	a.endpoint = endpoint;
	/* the cache key leaves the default session name out: it has the time in it */
	{
		struct stsc_assume k = a;

		if (a.session_name == session)
			k.session_name = "";
		stsc_cache_key(key, &k, &src);
	}
	if (stsc_cache_get(out, key, c->now) == 0) {
		rc = 0;
	} else if (serial && (rc = mfa_code(code, sizeof(code), serial, e)) < 0) {
		/* e says why */
	} else {
		a.token_code = code[0] ? code : NULL;
		if ((rc = stsc_assume_role(out, &src, &a, e)) == 0)
			stsc_cache_put(key, out);
	}
	mem_wipe(code, sizeof(code));
	aws_creds_release(&src);
	free(endpoint);
	return rc;
}

/*
 * A profile's credentials past the environment: as botocore's chain, or as
 * a source profile (static keys first, so a profile that has both keys and
 * role_arn serves its keys to the profiles that use it as a source).
 */
static int profile_creds(struct aws_creds *out, struct ctx *c, const char *profile, bool source,
			 struct err *e)
{
	const char *proc;
	int rc;

	if (source && (rc = static_keys(out, c, profile, true, e)) != CC_ENOTFOUND)
		return rc;
	if (cfg(c, profile, "role_arn"))
		return assume_role(out, c, profile, e);
	if ((rc = static_keys(out, c, profile, false, e)) != CC_ENOTFOUND)
		return rc;
	if ((proc = cfg(c, profile, "credential_process")))
		return credproc_run(out, proc, c->now, e);
	if ((rc = static_keys(out, c, profile, true, e)) != CC_ENOTFOUND)
		return rc;
	if (source)
		return err_set(e, CC_EAUTH, NULL, "the source_profile %s has no credentials",
			       profile);
	return CC_ENOTFOUND;
}

int aws_resolve(struct aws_profile *out, const struct aws_resolve_opts *o, struct err *e)
{
	struct ctx c = {.p = out, .now = o->now ? o->now : time_now()};
	const char *name = o->profile, *r;
	bool named = true;
	char buf[300];
	int rc;

	memset(out, 0, sizeof(*out));
	if (name == NULL && (name = env("AWS_PROFILE")) == NULL &&
	    (name = env("AWS_DEFAULT_PROFILE")) == NULL) {
		name = "default";
		named = false;
	}
	out->name = strdup(name);
	out->config_path = file_path("AWS_CONFIG_FILE", ".aws/config");
	out->credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
	if (out->name == NULL || out->config_path == NULL || out->credentials_path == NULL) {
		rc = err_oom(e);
		goto fail;
	}
	if ((rc = awscfg_load(&out->config, out->config_path, e)) < 0 ||
	    (rc = awscfg_load(&out->credentials, out->credentials_path, e)) < 0)
		goto fail;
	if (named && config_section(out->config, name, buf, sizeof(buf)) == NULL &&
	    !awscfg_has_section(out->credentials, name)) {
		rc = err_set(e, CC_ENOTFOUND, NULL, "The config profile (%s) could not be found",
			     name);
		goto fail;
	}
	r = env("AWS_REGION");
	if (r == NULL)
		r = env("AWS_DEFAULT_REGION");
	if (r == NULL)
		r = cfg(&c, name, "region");
	if (r && r[0] && (out->region = strdup(r)) == NULL) {
		rc = err_oom(e);
		goto fail;
	}
	if (!o->need_creds)
		return 0;
	c.chain[0] = name;
	/* as botocore: a profile named explicitly skips the environment's keys */
	rc = o->profile ? CC_ENOTFOUND : env_keys(&out->creds, e);
	if (rc == CC_ENOTFOUND)
		rc = profile_creds(&out->creds, &c, name, false, e);
	if (rc == CC_ENOTFOUND)
		rc = err_set(e, CC_EAUTH, NULL, "Unable to locate credentials for profile %s:"
			     " none in %s the environment (AWS_ACCESS_KEY_ID), %s or %s", name,
			     o->profile ? "(named explicitly, so not from)" : "", out->credentials_path,
			     out->config_path);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	aws_profile_release(out);
	return rc;
}

const char *aws_endpoint(const struct aws_profile *p, const char *service)
{
	static __thread char var[96];
	const struct ctx c = {.p = (struct aws_profile *)p};
	const char *v, *services;
	size_t i;
	char sect[300];
	bool ignore_config = (v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
			     strcasecmp(v, "true") == 0;

	i = (size_t)snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_");
	for (const char *s = service; *s && i + 1 < sizeof(var); s++)
		var[i++] = *s == ' ' || *s == '-' ? '_' : (char)toupper((unsigned char)*s);
	var[i] = '\0';
	if ((v = env(var)))
		return v;
	if (!ignore_config && p && p->config && p->name &&
	    (services = cfg(&c, p->name, "services"))) {
		snprintf(sect, sizeof(sect), "services %s", services);
		if ((v = awscfg_sub(p->config, sect, service, "endpoint_url")) && v[0])
			return v;
	}
	if ((v = env("AWS_ENDPOINT_URL")))
		return v;
	if (!ignore_config && p && p->config && p->name && (v = cfg(&c, p->name, "endpoint_url")))
		return v[0] ? v : NULL;
	return NULL;
}
