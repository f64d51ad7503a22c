/*
 * extras.c - what AssumeRole may add to a session beyond the role:
 * managed session policies (PolicyArns), session tags (Tags,
 * TransitiveTagKeys) and a source identity (SourceIdentity).
 *
 * Session policies narrow the session (aws/authz.c reads the managed ones
 * at each request).  Session tags are the session's aws:PrincipalTag/KEY,
 * over the role's own tags; transitive ones pass on when the session
 * assumes another role, and cannot be overridden there.  A source identity
 * is aws:SourceIdentity for the session's whole chain: once set it cannot
 * change.  Setting tags needs sts:TagSession, and a source identity
 * sts:SetSourceIdentity, in the trust policy (and across accounts in the
 * caller's policies), as in AWS.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sts_int.h"

#define SESSION_MAX_TAGS 50

#define bad(e, ...) err_set((e), CC_EINVAL, "InvalidParameterValue", __VA_ARGS__)

/* AWS's tag characters: letters, digits, spaces and _.:/=+-@ (non-ASCII letters pass) */
static bool tag_text_ok(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!((unsigned char)*s >= 0x80 || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(" _.:/=+-@", *s)))
			return false;
	return true;
}

static json_t *get_nocase(json_t *o, const char *key, const char **name)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (strcasecmp(k, key) == 0) {
			if (name)
				*name = k;
			return v;
		}
	return NULL;
}

static int policy_arns(struct aws_call *c, struct session *s, const char *account,
		       struct err *e)
{
	json_t *list = json_object_get(c->in, "PolicyArns");
	size_t i, used = 0;
	int64_t n;
	int rc;

	if (json_array_size(list) > SESSION_POLICY_ARNS)
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'policyArns' failed to satisfy"
			       " constraint: Member must have length less than or equal to %d",
			       SESSION_POLICY_ARNS);
	for (i = 0; i < json_array_size(list); i++) {
		const char *arn = json_string_value(json_object_get(json_array_get(list, i), "arn"));
		size_t len = arn ? strlen(arn) : 0;

		if (len == 0)
			return bad(e, "Each PolicyArns entry needs an arn");
		if ((rc = store_query_int(&n, c->tx, e,
					  "SELECT count(*) FROM policies WHERE arn = $1 AND"
					  " (account = $2 OR account = 'aws')",
					  "ss", arn, account)) < 0)
			return rc;
		if (n == 0)
			return err_set(e, CC_EINVAL, "InvalidParameterValue",
				       "Policy %.2048s is neither a managed policy of account %s nor an"
				       " AWS managed policy",
				       arn, account);
		if (used + len + 1 > SESSION_POLICY_ARNS_MAX)
			return err_set(e, CC_ELIMIT, "PackedPolicyTooLarge",
				       "The PolicyArns together exceed %d characters",
				       SESSION_POLICY_ARNS_MAX);
		if (used)
			s->policy_arns[used++] = '\n';
		memcpy(s->policy_arns + used, arn, len + 1);
		used += len;
	}
	return 0;
}

/* Tags and TransitiveTagKeys of this call, after the calling session's transitive tags */
static int session_tags(struct aws_call *c, struct session *s, struct err *e)
{
	json_t *list = json_object_get(c->in, "Tags");
	json_t *keys = json_object_get(c->in, "TransitiveTagKeys");
	json_t *tags = json_object(), *trans = json_array(), *old_tags = NULL, *old_trans = NULL;
	char *text = NULL, *ttext = NULL;
	const char *name;
	size_t i;
	int rc = 0;

	if (tags == NULL || trans == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if (json_array_size(list) > SESSION_MAX_TAGS) {
		rc = bad(e, "At most %d session tags may be passed", SESSION_MAX_TAGS);
		goto out;
	}
	/* what a calling role session passes on */
	if (c->session && c->session->transitive[0]) {
		old_tags = json_loads(c->session->tags, 0, NULL);
		old_trans = json_loads(c->session->transitive, 0, NULL);
		for (i = 0; i < json_array_size(old_trans); i++) {
			const char *k = json_string_value(json_array_get(old_trans, i));
			json_t *v = json_object_get(old_tags, k ? k : "");

			if (k && v) {
				json_object_set(tags, k, v);
				json_array_append_new(trans, json_string(k));
			}
		}
	}
	for (i = 0; i < json_array_size(list); i++) {
		json_t *t = json_array_get(list, i);
		const char *k = json_string_value(json_object_get(t, "Key"));
		const char *v = json_string_value(json_object_get(t, "Value"));

		if (!tag_text_ok(k, 1, 128) || !tag_text_ok(v ? v : "", 0, 256) ||
		    strncasecmp(k, "aws:", 4) == 0) {
			rc = bad(e, "Session tag '%.128s' is malformed: a key is 1 to 128 and a"
				    " value 0 to 256 letters, digits, spaces and _.:/=+-@, and keys"
				    " may not begin with aws:", k ? k : "");
			goto out;
		}
		if (get_nocase(tags, k, &name)) {
			bool inherited = false;

			for (size_t j = 0; j < json_array_size(trans); j++)
				inherited |= strcasecmp(json_string_value(json_array_get(trans, j)),
							k) == 0;
			if (inherited)
				rc = bad(e, "Session tag '%.128s' is a transitive tag of the calling"
					    " session and cannot be overridden", k);
			else
				rc = bad(e, "Duplicate tag keys found: '%.128s' (keys are case"
					    " insensitive)", k);
			goto out;
		}
		json_object_set_new(tags, k, json_string(v ? v : ""));
	}
	for (i = 0; i < json_array_size(keys); i++) {
		const char *k = json_string_value(json_array_get(keys, i));

		if (k == NULL || get_nocase(tags, k, &name) == NULL) {
			rc = bad(e, "TransitiveTagKeys names '%.128s', which is not a session tag",
				 k ? k : "");
			goto out;
		}
		json_array_append_new(trans, json_string(name));
	}
	if (json_object_size(tags) == 0)
		goto out;
	text = json_dumps(tags, JSON_COMPACT);
	ttext = json_array_size(trans) ? json_dumps(trans, JSON_COMPACT) : NULL;
	if (text == NULL || (json_array_size(trans) && ttext == NULL)) {
		rc = err_oom(e);
		goto out;
	}
	if (strlen(text) > SESSION_TAGS_MAX || (ttext && strlen(ttext) > SESSION_TAGS_MAX)) {
		rc = err_set(e, CC_ELIMIT, "PackedPolicyTooLarge",
			     "The session tags together exceed %d characters", SESSION_TAGS_MAX);
		goto out;
	}
	snprintf(s->tags, sizeof(s->tags), "%s", text);
	if (ttext)
		snprintf(s->transitive, sizeof(s->transitive), "%s", ttext);
out:
	free(text);
	free(ttext);
	json_decref(tags);
	json_decref(trans);
	json_decref(old_tags);
	json_decref(old_trans);
	return rc;
}

static int source_identity(struct aws_call *c, struct session *s, struct err *e)
{
	const char *si = aws_in_str(c, "SourceIdentity");
	const char *old = c->session ? c->session->source_identity : "";

	if (si && (!word_chars_ok(si, 2, 64, "_+=,.@-") || strncasecmp(si, "aws:", 4) == 0))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'sourceIdentity' failed to"
			       " satisfy constraint: Member must satisfy regular expression"
			       " pattern: [\\w+=,.@-]*, have length between 2 and 64, and not"
			       " begin with aws:");
	if (si && old[0] && strcmp(si, old) != 0)
		return err_set(e, CC_EDENIED, "AccessDenied",
			       "The calling session's SourceIdentity is %s; a chained session keeps"
			       " it and cannot set another",
			       old);
	snprintf(s->source_identity, sizeof(s->source_identity), "%s", si ? si : old);
	return 0;
}

int sts_session_extras(struct aws_call *c, struct session *s, const char *account,
		       struct err *e)
{
	int rc;

	if ((rc = policy_arns(c, s, account, e)) < 0 || (rc = session_tags(c, s, e)) < 0)
		return rc;
	return source_identity(c, s, e);
}

int sts_authorize_extras(struct aws_call *c, const struct session *s, const char *role_arn,
			 struct err *e)
{
	json_t *keys = json_object_get(c->in, "TransitiveTagKeys");
	const char *tk[SESSION_MAX_TAGS];
	struct policy_key k;
	size_t i, n = 0;
	int rc;

	if (json_array_size(json_object_get(c->in, "Tags")) > 0) {
		for (i = 0; i < json_array_size(keys) && n < SESSION_MAX_TAGS; i++)
			tk[n++] = json_string_value(json_array_get(keys, i));
		k.name = "sts:TransitiveTagKeys";
		k.values.v = tk;
		k.values.n = n;
		if ((rc = aws_authorize(c, "sts:TagSession", role_arn, &k, n ? 1 : 0, e)) < 0)
			return rc;
	}
	if (aws_in_has(c, "SourceIdentity")) {
		const char *v = s->source_identity;

		k.name = "sts:SourceIdentity";
		k.values.v = &v;
		k.values.n = 1;
		if ((rc = aws_authorize(c, "sts:SetSourceIdentity", role_arn, &k, 1, e)) < 0)
			return rc;
	}
	return 0;
}

json_int_t sts_packed_percent(const struct session *s)
{
	size_t used = strlen(s->policy) + strlen(s->policy_arns) + strlen(s->tags);
	size_t max = SESSION_POLICY_MAX + SESSION_POLICY_ARNS_MAX + SESSION_TAGS_MAX;

	return (json_int_t)(used ? used * 100 / max + 1 : 0);
}
