/*
 * stsclient.c - STS AssumeRole for a role_arn profile: one SigV4-signed
 * query POST over libcurl (TLS verified, no redirects, bounded in time and
 * size), the XML answer read for its four credential fields, and a cache
 * of the session in ${XDG_CACHE_HOME:-~/.cache}/commitd/sts/ (0700/0600,
 * written whole and renamed) so that every git command does not assume
 * the role again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "auth/sigv4.h"
#include "tools/awscreds_int.h"

#define ANSWER_MAX (1 << 20)
#define CACHE_MARGIN 900 /* seconds before expiry a cached session is still used */

/* ---- the answer -------------------------------------------------------------- */

/* the text of the first <tag>...</tag> inside from..end, entities decoded; NULL if absent */
static char *xml_text(const char *from, const char *end, const char *tag)
{
	char open[64], close[64];
	const char *a, *b;
	struct buf out = BUF_INIT(0);

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((a = memmem(from, (size_t)(end - from), open, strlen(open))) == NULL)
		return NULL;
	a += strlen(open);
	if ((b = memmem(a, (size_t)(end - a), close, strlen(close))) == NULL)
		return NULL;
	while (a < b) {
		static const struct { const char *ent; char c; } ents[] = {
			{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
		};
		size_t i;

		if (*a != '&') {
			buf_putc(&out, *a++);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(ents); i++)
			if ((size_t)(b - a) >= strlen(ents[i].ent) &&
			    strncmp(a, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i == ARRAY_SIZE(ents)) {
			buf_putc(&out, *a++);
		} else {
			buf_putc(&out, ents[i].c);
			a += strlen(ents[i].ent);
		}
	}
	buf_putc(&out, '\0'); /* an empty element is "" */
	out.len--;
	return buf_detach(&out);
}

int stsc_parse_answer(struct aws_creds *out, const char *xml, size_t n, long http_status,
		     struct err *e)
{
	const char *end = xml + n, *creds;
	char *exp;
	int rc = CC_ERROR;

	memset(out, 0, sizeof(*out));
	if (http_status != 200 || memmem(xml, n, "<Error>", 7)) {
		char *code = xml_text(xml, end, "Code"), *msg = xml_text(xml, end, "Message");

		if (code)
			rc = err_set(e, CC_EDENIED, NULL, "STS refused AssumeRole: %s: %.300s", code,
				     msg ? msg : "");
		else
			rc = err_set(e, CC_ERROR, NULL, "STS answered HTTP %ld without an error"
				     " document", http_status);
		free(code);
		free(msg);
		return rc;
	}
	if ((creds = memmem(xml, n, "<Credentials>", 13)) == NULL)
		return err_set(e, CC_ERROR, NULL, "STS's answer has no Credentials");
	out->access_key_id = xml_text(creds, end, "AccessKeyId");
	out->secret_access_key = xml_text(creds, end, "SecretAccessKey");
	out->session_token = xml_text(creds, end, "SessionToken");
	exp = xml_text(creds, end, "Expiration");
	out->source = "assume role";
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
	    out->session_token == NULL || exp == NULL ||
	    time_parse_iso8601(&out->expiration, exp, strlen(exp)) < 0) {
		aws_creds_release(out);
		rc = err_set(e, CC_ERROR, NULL, "STS's answer lacks a credential field");
	} else {
		rc = 0;
	}
	free(exp);
	return rc;
}

/* ---- the request ------------------------------------------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	return buf_add(b, p, size * n) < 0 ? 0 : size * n; /* 0 ends the transfer */
}

static void form_add(struct buf *b, const char *k, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	buf_printf(b, "%s%s=", b->len ? "&" : "", k);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~')
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
}

int stsc_assume_role(struct aws_creds *out, const struct aws_creds *src, const struct stsc_assume *a,
		    struct err *e)
{
	struct buf body = BUF_INIT(0), authz = BUF_INIT(0), answer = BUF_INIT(ANSWER_MAX), h = BUF_INIT(0);
	struct sigv4_header hdr[4];
	struct sigv4_request req = {.method = "POST", .raw_path = "/", .raw_query = "",
				    .headers = hdr};
	struct curl_slist *list = NULL;
	char amz_date[20], host[256], dur[24], url[512];
	const char *hp = strstr(a->endpoint, "://");
	size_t hn;
	long status = 0;
	CURL *c = NULL;
	CURLcode cr;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (hp == NULL || (hn = strcspn(hp + 3, "/")) == 0 || hn >= sizeof(host))
		return err_set(e, CC_EINVAL, NULL, "the STS endpoint '%.200s' is not a URL",
			       a->endpoint);
	memcpy(host, hp + 3, hn);
	host[hn] = '\0';
	snprintf(url, sizeof(url), "%.*s/", (int)(hp + 3 + hn - a->endpoint), a->endpoint);
	form_add(&body, "Action", "AssumeRole");
	form_add(&body, "Version", "2011-06-15");
	form_add(&body, "RoleArn", a->role_arn);
	form_add(&body, "RoleSessionName", a->session_name);
	form_add(&body, "ExternalId", a->external_id);
	if (a->duration > 0) {
		snprintf(dur, sizeof(dur), "%lld", (long long)a->duration);
		form_add(&body, "DurationSeconds", dur);
	}
	form_add(&body, "SerialNumber", a->serial);
	form_add(&body, "TokenCode", a->token_code);
	time_amz(amz_date, sizeof(amz_date), time_now());
	hdr[0] = (struct sigv4_header){"Host", host};
	hdr[1] = (struct sigv4_header){"X-Amz-Date", amz_date};
	req.nheaders = 2;
	if (src->session_token)
		hdr[req.nheaders++] = (struct sigv4_header){"X-Amz-Security-Token", src->session_token};
	req.body = body.ptr;
	req.body_len = body.len;
	if (buf_failed(&body) ||
	    (rc = sigv4_sign(&authz, &req, src->access_key_id, src->secret_access_key, amz_date,
			     a->region, "sts", src->session_token ? "host;x-amz-date;x-amz-security-token"
								   : "host;x-amz-date", e)) < 0) {
		rc = buf_failed(&body) ? err_oom(e) : rc;
		goto out;
	}
	buf_printf(&h, "Authorization: %s", authz.ptr);
	list = curl_slist_append(list, h.ptr);
	buf_clear(&h);
	buf_printf(&h, "X-Amz-Date: %s", amz_date);
	list = curl_slist_append(list, h.ptr);
	list = curl_slist_append(list, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
	if (src->session_token) {
		buf_clear(&h);
		buf_printf(&h, "X-Amz-Security-Token: %s", src->session_token);
		list = curl_slist_append(list, h.ptr);
	}
	if (buf_failed(&h) || list == NULL || (c = curl_easy_init()) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.ptr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "commitd-tools/1 (AssumeRole)");
	if ((cr = curl_easy_perform(c)) != CURLE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "cannot reach STS at %.200s: %s", url,
			     buf_failed(&answer) ? "the answer is over 1 MiB" : curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	rc = stsc_parse_answer(out, answer.ptr ? answer.ptr : "", answer.len, status, e);
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(list);
	if (answer.ptr)
		mem_wipe(answer.ptr, answer.len);
	if (h.ptr)
		mem_wipe(h.ptr, h.len);
	buf_release(&answer);
	buf_release(&h);
	buf_release(&authz);
	buf_release(&body);
	return rc;
}

/* ---- the cache ------------------------------------------------------------------ */

static int cache_dir(char *out, size_t outsz)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (x && x[0] == '/')
		n = snprintf(out, outsz, "%s/commitd/sts", x);
	else if (home && home[0])
		n = snprintf(out, outsz, "%s/.cache/commitd/sts", home);
	else
		return CC_ENOTFOUND;
	return n > 0 && (size_t)n < outsz ? 0 : CC_ENOTFOUND;
}

void stsc_cache_key(char out[65], const struct stsc_assume *a, const struct aws_creds *src)
{
	const char *parts[] = {a->role_arn, a->session_name, a->external_id, a->serial,
			       src->access_key_id, a->endpoint};
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[32];
	unsigned int n = 0;

	out[0] = '\0';
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) /* each with its NUL: no ambiguity */
		EVP_DigestUpdate(c, parts[i] ? parts[i] : "", parts[i] ? strlen(parts[i]) + 1 : 1);
	if (EVP_DigestFinal_ex(c, md, &n) == 1 && n == 32)
		hex_encode(out, md, 32);
	EVP_MD_CTX_free(c);
}

int stsc_cache_get(struct aws_creds *out, const char *key, int64_t now)
{
	char dir[4000], path[4200];
	json_t *o;
	const char *k, *s, *t;
	json_int_t exp;

	memset(out, 0, sizeof(*out));
	if (key[0] == '\0' || cache_dir(dir, sizeof(dir)) < 0)
		return CC_ENOTFOUND;
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return CC_ENOTFOUND;
	k = json_string_value(json_object_get(o, "AccessKeyId"));
	s = json_string_value(json_object_get(o, "SecretAccessKey"));
	t = json_string_value(json_object_get(o, "SessionToken"));
	exp = json_integer_value(json_object_get(o, "Expiration"));
	if (k && s && t && exp > now + CACHE_MARGIN) { /* else: missing, corrupt or old */
		out->access_key_id = strdup(k);
		out->secret_access_key = strdup(s);
		out->session_token = strdup(t);
		out->expiration = exp;
		out->source = "assume role (cached)";
	}
	json_decref(o);
	if (out->access_key_id && out->secret_access_key && out->session_token)
		return 0;
	aws_creds_release(out);
	return CC_ENOTFOUND;
}

static void mkdirs(const char *dir)
{
	char p[4000];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
}

void stsc_cache_put(const char *key, const struct aws_creds *c)
{
	char dir[4000], path[4200], tmp[4300];
	json_t *o;
	char *text = NULL;
	int fd;

	if (key[0] == '\0' || cache_dir(dir, sizeof(dir)) < 0)
		return;
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s.json", dir, key);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.tmp", dir, key, (long)getpid());
	o = json_pack("{s:s, s:s, s:s, s:I}", "AccessKeyId", c->access_key_id, "SecretAccessKey",
		      c->secret_access_key, "SessionToken", c->session_token, "Expiration",
		      (json_int_t)c->expiration);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return;
	}
	json_decref(o);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
		size_t n = strlen(text);
		bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;

		if (close(fd) == 0 && ok && rename(tmp, path) == 0)
			chmod(path, 0600);
		else
			unlink(tmp);
	}
	mem_wipe(text, strlen(text));
	free(text);
}
