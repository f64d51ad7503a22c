/*
 * jwks.c - an OpenID Connect provider's signing keys (its JWKS), for
 * AssumeRoleWithWebIdentity.  Looked for in this order:
 *   1. DIR/oidc/URL/jwks.json, when the administrator put one there (an
 *      air-gapped server, or keys pinned on purpose);
 *   2. the copy fetched last, for JWKS_TTL seconds;
 *   3. fetched now, unless `serve --oidc-fetch off`: the provider's
 *      https://URL/.well-known/openid-configuration, whose issuer must be
 *      https://URL, then its jwks_uri.  libcurl, HTTPS only, the
 *      certificate verified against the system's CAs (or --oidc-ca-file),
 *      no redirects, JWKS_TIMEOUT seconds and JWKS_MAX bytes at most each.
 * A provider that failed is not asked again for JWKS_RETRY seconds, so a
 * flood of tokens cannot turn the server against it, nor wait on it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sts_int.h"

#define JWKS_MAX (256 * 1024)
#define JWKS_TTL 300
#define JWKS_RETRY 30
#define JWKS_TIMEOUT 5
#define JWKS_CACHED 64

struct cached {
	char url[300];
	char *jwks;       /* NULL: the last fetch failed */
	char why[200];    /* when it failed */
	int64_t at;       /* when it was fetched or failed */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[JWKS_CACHED];

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	return buf_add(b, p, size * n) < 0 ? 0 : size * n;
}

/* one HTTPS GET of url into out (JSON, at most JWKS_MAX bytes) */
static int get(struct buf *out, const char *url, const char *ca_file, char *why, size_t whysz)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	long status = 0;
	CURLcode rc;

	out->max = JWKS_MAX;
	if (h == NULL) {
		snprintf(why, whysz, "cannot start an HTTPS client");
		return CC_ERROR;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)JWKS_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)JWKS_MAX);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "commitd");
	if (ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		snprintf(why, whysz, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return CC_ERROR;
	}
	if (status != 200) {
		snprintf(why, whysz, "%s answered HTTP %ld", url, status);
		return CC_ERROR;
	}
	return 0;
}

/* discovery, then the JWKS: *jwks is malloc'd text */
static int fetch(char **jwks, const char *url, const char *ca_file, char *why, size_t whysz)
{
	struct buf b = BUF_INIT(JWKS_MAX), k = BUF_INIT(JWKS_MAX);
	char disc[400], issuer[300];
	json_t *doc = NULL;
	const char *iss, *uri;
	size_t n;
	int rc = CC_ERROR;

	*jwks = NULL;
	snprintf(disc, sizeof(disc), "https://%s/.well-known/openid-configuration", url);
	snprintf(issuer, sizeof(issuer), "https://%s", url);
	if (get(&b, disc, ca_file, why, whysz) < 0)
		goto out;
	doc = json_loadb(b.ptr ? b.ptr : "", b.len, 0, NULL);
	iss = json_string_value(json_object_get(doc, "issuer"));
	uri = json_string_value(json_object_get(doc, "jwks_uri"));
	n = iss ? strlen(iss) : 0;
	if (n && iss[n - 1] == '/')
		n--;
	if (iss == NULL || n != strlen(issuer) || strncmp(iss, issuer, n) != 0) {
		snprintf(why, whysz, "%s does not name %s as its issuer", disc, issuer);
		goto out;
	}
	if (uri == NULL || strncmp(uri, "https://", 8) != 0) {
		snprintf(why, whysz, "%s has no https jwks_uri", disc);
		goto out;
	}
	if (get(&k, uri, ca_file, why, whysz) < 0)
		goto out;
	if ((*jwks = strndup(k.ptr ? k.ptr : "", k.len)) == NULL) {
		snprintf(why, whysz, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(doc);
	buf_release(&b);
	buf_release(&k);
	return rc;
}

/* the cache entry of url (an empty one, or the oldest, if it has none): under cache_mu */
static struct cached *slot(const char *url)
{
	struct cached *oldest = &cache[0];

	for (size_t i = 0; i < JWKS_CACHED; i++) {
		if (strcmp(cache[i].url, url) == 0)
			return &cache[i];
		if (cache[i].at < oldest->at)
			oldest = &cache[i];
	}
	free(oldest->jwks);
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->url, sizeof(oldest->url), "%s", url);
	return oldest;
}

static int unreachable(struct err *e, const char *url, const char *why)
{
	return err_set(e, CC_EINVAL, "IDPCommunicationError",
		       "Could not get the signing keys of https://%s: %s", url, why);
}

int sts_jwks(struct buf *out, struct aws_call *c, const char *url, struct err *e)
{
	char *path = arena_printf(c->ar, "%s/oidc/%s/jwks.json", c->env->data_dir, url);
	struct err fe = ERR_INIT;
	char why[200] = "", *fetched = NULL;
	struct cached *s;
	int rc;

	if (path == NULL)
		return err_oom(e);
	out->max = JWKS_MAX;
	if (file_read(out, path, &fe) == 0)
		return 0;
	buf_release(out);
	if (!c->env->oidc_fetch) {
		log_warnx("sts: no keys for OIDC provider https://%s: %s (put its JWKS in %s)",
			  url, fe.msg, path);
		return unreachable(e, url, "fetching is off on this server and its JWKS is not"
					   " installed (docs/federation.md)");
	}
	pthread_mutex_lock(&cache_mu);
	s = slot(url);
	if (s->jwks && c->now - s->at < JWKS_TTL) {
		rc = buf_puts(out, s->jwks);
		pthread_mutex_unlock(&cache_mu);
		return rc < 0 ? err_oom(e) : 0;
	}
	if (!s->jwks && s->at && c->now - s->at < JWKS_RETRY) {
		snprintf(why, sizeof(why), "%s", s->why);
		pthread_mutex_unlock(&cache_mu);
		return unreachable(e, url, why);
	}
	pthread_mutex_unlock(&cache_mu);

	/* outside the lock: other providers are not kept waiting */
	rc = fetch(&fetched, url, c->env->oidc_ca_file, why, sizeof(why));
	pthread_mutex_lock(&cache_mu);
	s = slot(url);
	s->at = c->now;
	if (rc == 0) {
		free(s->jwks);
		s->jwks = fetched;
		rc = buf_puts(out, fetched) < 0 ? err_oom(e) : 0;
	} else {
		free(s->jwks);
		s->jwks = NULL;
		snprintf(s->why, sizeof(s->why), "%s", why);
	}
	pthread_mutex_unlock(&cache_mu);
	if (rc == 0)
		log_info("sts: fetched the JWKS of https://%s", url);
	else
		log_warnx("sts: could not get the JWKS of https://%s: %s", url, why);
	return rc == 0 ? 0 : rc == CC_ERROR ? unreachable(e, url, why) : rc;
}
