/*
 * token.c - self-contained session tokens: the temporary credentials and
 * the session's principal, as JSON, sealed (seal.c) and base64url-encoded
 * behind a version prefix.  Verifying one needs the master key, not the
 * store.  Does not decide what a session may do: that is policy's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"

#define TOKEN_PREFIX "CDT1"
#define TOKEN_AAD "commitd session token v1"
#define TOKEN_MAX 8192

static int bad_token(struct err *e)
{
	return err_set(e, CC_EAUTH, "InvalidClientTokenId",
		       "The security token included in the request is invalid.");
}

int session_token_make(struct buf *out, const struct sealer *sl, const struct session *s,
		       struct err *e)
{
	const struct principal *w = &s->who;
	struct buf sealed = BUF_INIT(0);
	char *claims = NULL;
	json_t *o;
	size_t n;
	int rc = CC_ERROR;

	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I}",
		      "v", 1, "k", w->access_key_id, "s", s->secret, "src", s->source_key,
		      "a", w->account, "arn", w->arn, "pid", w->principal_id, "uid", w->user_id,
		      "n", w->name, "p", w->path, "mfa", w->mfa, "iat", (json_int_t)w->token_issued,
		      "mt", (json_int_t)w->mfa_time, "exp", (json_int_t)w->expires);
	if (o == NULL || json_object_set_new(o, "kind", json_integer(w->kind)) < 0)
		goto out;
	if ((s->role_arn[0] && json_object_set_new(o, "ra", json_string(s->role_arn)) < 0) ||
	    (s->policy[0] && json_object_set_new(o, "sp", json_string(s->policy)) < 0) ||
	    (s->policy_arns[0] &&
	     json_object_set_new(o, "spa", json_string(s->policy_arns)) < 0) ||
	    (s->tags[0] && json_object_set_new(o, "st", json_string(s->tags)) < 0) ||
	    (s->transitive[0] && json_object_set_new(o, "tt", json_string(s->transitive)) < 0) ||
	    (s->source_identity[0] &&
	     json_object_set_new(o, "si", json_string(s->source_identity)) < 0))
		goto out;
	claims = json_dumps(o, JSON_COMPACT);
	if (claims == NULL)
		goto out;
	if ((rc = seal(sl, &sealed, claims, strlen(claims), TOKEN_AAD, e)) < 0)
		goto out;
	rc = CC_ERROR;
	buf_puts(out, TOKEN_PREFIX);
	n = sealed.len * 4 / 3 + 4;
	if (buf_grow(out, n) < 0)
		goto out;
	out->len += b64url_encode(out->ptr + out->len, n, (unsigned char *)sealed.ptr, sealed.len);
	out->ptr[out->len] = '\0';
	rc = 0;
out:
	if (rc < 0 && e->code == 0)
		err_set(e, CC_ERROR, NULL, "cannot make session token");
	if (claims) {
		mem_wipe(claims, strlen(claims));
		free(claims);
	}
	json_decref(o);
	if (sealed.ptr)
		mem_wipe(sealed.ptr, sealed.len);
	buf_release(&sealed);
	return rc;
}

static void copy_str(char *dst, size_t dstsz, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, dstsz, "%s", v ? v : "");
}

int session_token_open(struct session *out, const struct sealer *sl, const char *token,
		       size_t len, int64_t now, struct err *e)
{
	struct secret plain = {0};
	unsigned char *raw = NULL;
	json_t *o = NULL;
	long rawlen;
	int rc = CC_EAUTH;

	memset(out, 0, sizeof(*out));
	if (len < 5 || len > TOKEN_MAX || memcmp(token, TOKEN_PREFIX, 4) != 0)
		return bad_token(e);
	raw = malloc(len);
	if (raw == NULL)
		return err_oom(e);
	rawlen = b64_decode(raw, len, token + 4, len - 4);
	if (rawlen <= 0 || unseal(sl, &plain, raw, (size_t)rawlen, TOKEN_AAD, e) < 0) {
		rc = bad_token(e);
		goto out;
	}
	o = json_loadb((const char *)plain.ptr, plain.len, 0, NULL);
	if (o == NULL || json_integer_value(json_object_get(o, "v")) != 1) {
		rc = bad_token(e);
		goto out;
	}
	out->who.kind = (enum principal_kind)json_integer_value(json_object_get(o, "kind"));
	copy_str(out->who.access_key_id, sizeof(out->who.access_key_id), o, "k");
	copy_str(out->secret, sizeof(out->secret), o, "s");
	copy_str(out->source_key, sizeof(out->source_key), o, "src");
	copy_str(out->who.account, sizeof(out->who.account), o, "a");
	copy_str(out->who.arn, sizeof(out->who.arn), o, "arn");
	copy_str(out->who.principal_id, sizeof(out->who.principal_id), o, "pid");
	copy_str(out->who.user_id, sizeof(out->who.user_id), o, "uid");
	copy_str(out->who.name, sizeof(out->who.name), o, "n");
	copy_str(out->who.path, sizeof(out->who.path), o, "p");
	copy_str(out->role_arn, sizeof(out->role_arn), o, "ra");
	copy_str(out->policy, sizeof(out->policy), o, "sp");
	copy_str(out->policy_arns, sizeof(out->policy_arns), o, "spa");
	copy_str(out->tags, sizeof(out->tags), o, "st");
	copy_str(out->transitive, sizeof(out->transitive), o, "tt");
	copy_str(out->source_identity, sizeof(out->source_identity), o, "si");
	out->who.mfa = json_is_true(json_object_get(o, "mfa"));
	out->who.token_issued = json_integer_value(json_object_get(o, "iat"));
	out->who.mfa_time = json_integer_value(json_object_get(o, "mt"));
	out->who.expires = json_integer_value(json_object_get(o, "exp"));
	out->who.temporary = true;
	if (now >= out->who.expires) {
		session_wipe(out);
		rc = err_set(e, CC_EAUTH, "ExpiredToken",
			     "The security token included in the request is expired");
		goto out;
	}
	rc = 0;
out:
	secret_release(&plain);
	json_decref(o);
	free(raw);
	return rc;
}

void session_wipe(struct session *s) { mem_wipe(s, sizeof(*s)); }
