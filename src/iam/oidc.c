/*
 * oidc.c - OpenID Connect identity providers: CreateOpenIDConnectProvider,
 * GetOpenIDConnectProvider, ListOpenIDConnectProviders,
 * DeleteOpenIDConnectProvider, AddClientIDToOpenIDConnectProvider,
 * RemoveClientIDFromOpenIDConnectProvider,
 * UpdateOpenIDConnectProviderThumbprint, and their tags.
 *
 * A provider is its issuer URL (https://HOST[/PATH], stored and shown
 * without the scheme, as IAM does), the client ids (audiences) it may issue
 * tokens for, and thumbprints.  The signing keys are not IAM's: STS reads
 * the issuer's JWKS from DIR/oidc/URL/jwks.json or fetches it (sts/jwks.c),
 * so the URL must be safe to use as a relative path.  Thumbprints are kept
 * and shown; the fetch verifies the provider's certificate against trusted
 * CAs instead, as AWS now does for most providers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam_int.h"

#define OIDC_MAX_PROVIDERS 100      /* per account, as AWS */
#define OIDC_MAX_CLIENT_IDS 100
#define OIDC_MAX_THUMBPRINTS 5
#define OIDC_URL_MAX 255

static bool host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '.';
}

static bool path_char(char ch)
{
	return host_char(ch) || ch == '_' || ch == '~';
}

/*
 * "https://HOST[:PORT][/PATH]" to "HOST[:PORT][/PATH]" in out, without a
 * trailing slash.  No query, fragment or user part; path segments of
 * unreserved characters, none empty, "." or "..".  (AWS allows no port; a
 * provider on one's own network often has one.)
 */
static int url_check(char *out, size_t outsz, const char *url, struct err *e)
{
	const char *p;
	size_t n, i, seg = 0;

	if (url == NULL || strncmp(url, "https://", 8) != 0)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "The Url must begin with https:// (the issuer of the tokens)");
	p = url + 8;
	n = strlen(p);
	if (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0 || n + 8 > OIDC_URL_MAX || n >= outsz)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "The Url must name a host, in at most %d characters", OIDC_URL_MAX);
	for (i = 0; i < n && p[i] != '/' && p[i] != ':'; i++)
		if (!host_char(p[i]))
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "The Url's host may hold letters, digits, '-' and '.' only:"
				       " no user, query or fragment");
	if (i == 0 || p[0] == '.' || p[i - 1] == '.' || memmem(p, i, "..", 2))
		return err_set(e, CC_EINVAL, "InvalidInput", "The Url's host name is malformed");
	if (i < n && p[i] == ':') { /* a port: AWS has none, a self-hosted provider may */
		size_t start = ++i;
		uint64_t port;

		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (parse_u64(p + start, i - start, 1, 65535, &port) < 0 || (i < n && p[i] != '/'))
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "The Url's port must be a number from 1 to 65535");
	}
	while (i < n) { /* at a '/': one path segment */
		size_t start = ++i;

		while (i < n && p[i] != '/')
			if (!path_char(p[i++]))
				goto bad_path;
		seg = i - start;
		if (seg == 0 || (seg <= 2 && p[start] == '.' && p[i - 1] == '.'))
			goto bad_path;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
bad_path:
	return err_set(e, CC_EINVAL, "InvalidInput",
		       "The Url's path may hold segments of letters, digits and '-._~' only,"
		       " none empty, '.' or '..', and no query or fragment");
}

static int thumbprints_check(json_t *list, struct err *e)
{
	size_t i, k;

	if (json_array_size(list) > OIDC_MAX_THUMBPRINTS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Thumbprint list must contain fewer than %d entries.",
			       OIDC_MAX_THUMBPRINTS + 1);
	for (i = 0; i < json_array_size(list); i++) {
		const char *t = json_string_value(json_array_get(list, i));

		if (t == NULL || strlen(t) != 40 || strspn(t, "0123456789abcdefABCDEF") != 40)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "A thumbprint is the SHA-1 of a certificate: 40 hex digits");
		for (k = 0; k < i; k++)
			if (strcasecmp(t, json_string_value(json_array_get(list, k))) == 0)
				return err_set(e, CC_EINVAL, "InvalidInput",
					       "Thumbprint %s is listed twice", t);
	}
	return 0;
}

/* the client ids, each once, in the order given */
static int client_ids_check(json_t *list, struct err *e)
{
	size_t i, k;

	if (json_array_size(list) > OIDC_MAX_CLIENT_IDS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d",
			       OIDC_MAX_CLIENT_IDS);
	for (i = 0; i < json_array_size(list); i++) {
		const char *id = json_string_value(json_array_get(list, i));

		if (id == NULL || id[0] == '\0' || strlen(id) > 255)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "A client id is 1 to 255 characters");
		for (k = 0; k < i; k++)
			if (strcmp(id, json_string_value(json_array_get(list, k))) == 0)
				return err_set(e, CC_EINVAL, "InvalidInput",
					       "Client id %s is listed twice", id);
	}
	return 0;
}

struct provider {
	char arn[400];
	char url[OIDC_URL_MAX + 1];
	json_t *client_ids;  /* owned */
	json_t *thumbprints; /* owned */
	int64_t created;
};

static void provider_free(struct provider *p)
{
	json_decref(p->client_ids);
	json_decref(p->thumbprints);
	p->client_ids = p->thumbprints = NULL;
}

/* the provider ARN names in the caller's account, else NoSuchEntity */
static int provider_find(struct provider *p, struct aws_call *c, const char *arn, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = store_query(&q, c->tx, e,
			 "SELECT arn, url, client_ids, thumbprints, created FROM oidc_providers"
			 " WHERE arn = $1 AND account = $2",
			 "ss", arn, c->caller->account);
	if (rc == 0 && (rc = store_step(q, e)) == 1) {
		snprintf(p->arn, sizeof(p->arn), "%s", store_col_text(q, 0));
		snprintf(p->url, sizeof(p->url), "%s", store_col_text(q, 1));
		p->client_ids = json_loads(store_col_text(q, 2), 0, NULL);
		p->thumbprints = json_loads(store_col_text(q, 3), 0, NULL);
		p->created = store_col_int(q, 4);
		rc = json_is_array(p->client_ids) && json_is_array(p->thumbprints)
			     ? 0
			     : err_set(e, CC_ERROR, NULL, "oidc provider %s: stored lists are corrupt",
				       arn);
	} else if (rc == 0) {
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "OpenIDConnect Provider not found for arn %s", arn);
	}
	store_stmt_free(q);
	if (rc < 0)
		provider_free(p);
	return rc;
}

static int provider_save(struct aws_call *c, struct provider *p, struct err *e)
{
	char *ids = json_dumps(p->client_ids, JSON_COMPACT);
	char *tps = json_dumps(p->thumbprints, JSON_COMPACT);
	int rc = ids && tps ? store_exec(c->tx, e,
					 "UPDATE oidc_providers SET client_ids = $1, thumbprints = $2"
					 " WHERE arn = $3",
					 "sss", ids, tps, p->arn)
			    : err_oom(e);

	free(ids);
	free(tps);
	return rc;
}

int iam_res_oidc(struct aws_call *c, const char **out, struct err *e)
{
	const char *arn = aws_in_str(c, "OpenIDConnectProviderArn");

	*out = arn ? arn : "*";
	(void)e;
	return 0;
}

int iam_res_oidc_new(struct aws_call *c, const char **out, struct err *e)
{
	char url[OIDC_URL_MAX + 1];
	struct err ignored = ERR_INIT;

	/* a malformed Url is refused by the handler; authorize against its text */
	if (url_check(url, sizeof(url), aws_in_str(c, "Url"), &ignored) < 0)
		snprintf(url, sizeof(url), "%.255s", aws_in_str(c, "Url") ? aws_in_str(c, "Url") : "");
	*out = arena_printf(c->ar, "arn:aws:iam::%s:oidc-provider/%s", c->caller->account, url);
	return *out ? 0 : err_oom(e);
}

int iam_create_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	json_t *ids = json_object_get(c->in, "ClientIDList");
	json_t *tps = json_object_get(c->in, "ThumbprintList");
	json_t *tags = json_object_get(c->in, "Tags");
	char url[OIDC_URL_MAX + 1], *sids = NULL, *stps = NULL;
	const char *arn;
	int64_t n = 0;
	int rc;

	if ((rc = url_check(url, sizeof(url), aws_in_str(c, "Url"), e)) < 0 ||
	    (rc = client_ids_check(ids, e)) < 0 || (rc = thumbprints_check(tps, e)) < 0 ||
	    (rc = iam_check_tags(tags, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM oidc_providers WHERE account = $1", "s",
				  c->caller->account)) < 0)
		return rc;
	if (n >= OIDC_MAX_PROVIDERS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d",
			       OIDC_MAX_PROVIDERS);
	arn = arena_printf(c->ar, "arn:aws:iam::%s:oidc-provider/%s", c->caller->account, url);
	sids = ids ? json_dumps(ids, JSON_COMPACT) : strdup("[]");
	stps = tps ? json_dumps(tps, JSON_COMPACT) : strdup("[]");
	if (arn == NULL || sids == NULL || stps == NULL) {
		rc = err_oom(e);
		goto out;
	}
	rc = store_exec(c->tx, e,
			"INSERT INTO oidc_providers (arn, account, url, client_ids, thumbprints,"
			" created) VALUES ($1, $2, $3, $4, $5, $6)",
			"sssssi", arn, c->caller->account, url, sids, stps, c->now);
	if (rc == CC_EEXISTS)
		rc = err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			     "Provider with url https://%s already exists.", url);
	if (rc < 0)
		goto out;
	if (json_array_size(tags) > 0 && (rc = iam_tags_add(c, &iam_oidc_tags, arn, tags, e)) < 0)
		goto out;
	c->out = json_pack("{s:s, s:o}", "OpenIDConnectProviderArn", arn, "Tags",
			   iam_tags_json(c, &iam_oidc_tags, arn));
	rc = c->out ? 0 : err_oom(e);
out:
	free(sids);
	free(stps);
	return rc;
}

int iam_get_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	c->out = json_pack("{s:s, s:O, s:O, s:o, s:o}", "Url", p.url, "ClientIDList",
			   p.client_ids, "ThumbprintList", p.thumbprints, "CreateDate",
			   aws_time(p.created), "Tags", iam_tags_json(c, &iam_oidc_tags, p.arn));
	provider_free(&p);
	return c->out ? 0 : err_oom(e);
}

int iam_list_open_id_connect_providers(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	json_t *list = json_array();
	int rc;

	c->out = json_pack("{s:o}", "OpenIDConnectProviderList", list);
	if (c->out == NULL)
		return err_oom(e);
	rc = store_query(&q, c->tx, e,
			 "SELECT arn FROM oidc_providers WHERE account = $1 ORDER BY arn", "s",
			 c->caller->account);
	while (rc == 0 && (rc = store_step(q, e)) == 1) {
		json_array_append_new(list, json_pack("{s:s}", "Arn", store_col_text(q, 0)));
		rc = 0;
	}
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

int iam_delete_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "DELETE FROM oidc_providers WHERE arn = $1", "s", p.arn);
	provider_free(&p);
	return rc;
}

/* adding a client id that is there already changes nothing, as in AWS */
int iam_add_client_id_to_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "ClientID");
	struct provider p;
	size_t i;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	for (i = 0; i < json_array_size(p.client_ids); i++)
		if (strcmp(id, json_string_value(json_array_get(p.client_ids, i))) == 0)
			goto out;
	if (json_array_size(p.client_ids) >= OIDC_MAX_CLIENT_IDS) {
		rc = err_set(e, CC_ELIMIT, "LimitExceeded",
			     "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d",
			     OIDC_MAX_CLIENT_IDS);
		goto out;
	}
	json_array_append_new(p.client_ids, json_string(id));
	rc = provider_save(c, &p, e);
out:
	provider_free(&p);
	return rc;
}

/* removing one that is not there is no error either */
int iam_remove_client_id_from_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "ClientID");
	struct provider p;
	size_t i;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	for (i = 0; i < json_array_size(p.client_ids); i++)
		if (strcmp(id, json_string_value(json_array_get(p.client_ids, i))) == 0) {
			json_array_remove(p.client_ids, i);
			rc = provider_save(c, &p, e);
			break;
		}
	provider_free(&p);
	return rc;
}

int iam_update_open_id_connect_provider_thumbprint(struct aws_call *c, struct err *e)
{
	json_t *tps = json_object_get(c->in, "ThumbprintList");
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	if ((rc = thumbprints_check(tps, e)) == 0) {
		json_decref(p.thumbprints);
		p.thumbprints = tps ? json_incref(tps) : json_array();
		rc = provider_save(c, &p, e);
	}
	provider_free(&p);
	return rc;
}

int iam_tag_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	json_t *tags = json_object_get(c->in, "Tags");
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	if ((rc = iam_check_tags(tags, e)) == 0)
		rc = iam_tags_add(c, &iam_oidc_tags, p.arn, tags, e);
	provider_free(&p);
	return rc;
}

int iam_untag_open_id_connect_provider(struct aws_call *c, struct err *e)
{
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	rc = iam_tags_remove(c, &iam_oidc_tags, p.arn, json_object_get(c->in, "TagKeys"), e);
	provider_free(&p);
	return rc;
}

int iam_list_open_id_connect_provider_tags(struct aws_call *c, struct err *e)
{
	struct provider p;
	int rc;

	if ((rc = provider_find(&p, c, aws_in_str(c, "OpenIDConnectProviderArn"), e)) < 0)
		return rc;
	rc = iam_tags_list(c, &iam_oidc_tags, p.arn, e);
	provider_free(&p);
	return rc;
}
