/*
 * authz.c - authorization for every call: gather the caller's policies,
 * build the request context (the aws:* condition keys), ask the policy
 * engine, and word a refusal as AWS does.
 *
 * A user's compiled policies (inline and managed, its groups', its
 * permissions boundary) and tags are cached per user and trusted while the
 * store's IAM generation is unchanged; any IAM write moves the generation on.
 * Entries are reference-counted so a request can use one without the lock.
 */
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

#define AUTHZ_SLOTS 512
#define MAX_KEYS 160 /* the principal's and the request's tags, 50 each, and the rest */
#define MAX_TAGS 50

struct authz_entry {
	atomic_int refs;
	char user_id[32];
	uint64_t generation;
	struct policy **pols; /* identity policies */
	size_t npols;
	struct policy *boundary;
	char **tag_keys;      /* "aws:PrincipalTag/<key>" */
	char **tag_values;
	size_t ntags;
	const char **group_arns; /* the user's groups, for commitd:PrincipalGroupArns */
	size_t ngroups;
};

struct authz_cache {
	pthread_mutex_t lock;
	struct authz_entry *slot[AUTHZ_SLOTS];
};

static void entry_put(struct authz_entry *en)
{
	size_t i;

	if (en == NULL || atomic_fetch_sub(&en->refs, 1) != 1)
		return;
	for (i = 0; i < en->npols; i++)
		policy_free(en->pols[i]);
	free(en->pols);
	policy_free(en->boundary);
	for (i = 0; i < en->ntags; i++) {
		free(en->tag_keys[i]);
		free(en->tag_values[i]);
	}
	free(en->tag_keys);
	free(en->tag_values);
	for (i = 0; i < en->ngroups; i++)
		free((char *)en->group_arns[i]);
	free(en->group_arns);
	free(en);
}

struct authz_cache *authz_cache_new(void)
{
	struct authz_cache *c = calloc(1, sizeof(*c));

	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void authz_cache_free(struct authz_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < AUTHZ_SLOTS; i++)
		entry_put(c->slot[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t slot_of(const char *s)
{
	return (size_t)(hash_str(HASH_SEED, s) % AUTHZ_SLOTS);
}

static int add_policy(struct authz_entry *en, const char *doc, struct err *e)
{
	struct policy *p = NULL, **np;
	struct err pe = ERR_INIT;

	if (policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, 0, &pe) < 0) {
		/* stored documents were validated when written; skip, but say so */
		log_warnx("authz: stored policy does not parse: %s", pe.msg);
		return 0;
	}
	np = realloc(en->pols, (en->npols + 1) * sizeof(*np));
	if (np == NULL) {
		policy_free(p);
		return err_oom(e);
	}
	en->pols = np;
	en->pols[en->npols++] = p;
	return 0;
}

/* How a managed policy's row says who owns it, as the simulator names sources. */
#define MANAGED_SOURCE "CASE WHEN p.account = 'aws' THEN 'aws-managed' ELSE 'user-managed' END"

/* Every identity policy of a user: its own and its groups', inline and managed. */
static const char *const user_policy_sql =
	"SELECT 'user', name, document FROM inline_policies WHERE kind = 'user' AND entity_id = $1"
	" UNION ALL"
	" SELECT " MANAGED_SOURCE ", p.name, v.document FROM attachments a"
	"  JOIN policies p ON p.id = a.policy_id"
	"  JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	"  WHERE a.kind = 'user' AND a.entity_id = $1"
	" UNION ALL"
	" SELECT 'group', i.name, i.document FROM group_members m JOIN inline_policies i"
	"  ON i.kind = 'group' AND i.entity_id = m.group_id WHERE m.user_id = $1"
	" UNION ALL"
	" SELECT " MANAGED_SOURCE ", p.name, v.document FROM group_members m JOIN attachments a"
	"  ON a.kind = 'group' AND a.entity_id = m.group_id"
	"  JOIN policies p ON p.id = a.policy_id"
	"  JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	"  WHERE m.user_id = $1";

/* A group's own identity policies, inline and managed. */
static const char *const group_policy_sql =
	"SELECT 'group', name, document FROM inline_policies WHERE kind = 'group' AND entity_id = $1"
	" UNION ALL"
	" SELECT " MANAGED_SOURCE ", p.name, v.document FROM attachments a"
	"  JOIN policies p ON p.id = a.policy_id"
	"  JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	"  WHERE a.kind = 'group' AND a.entity_id = $1";

/* A role's own identity policies, inline and managed. */
static const char *const role_policy_sql =
	"SELECT 'role', name, document FROM inline_policies WHERE kind = 'role' AND entity_id = $1"
	" UNION ALL"
	" SELECT " MANAGED_SOURCE ", p.name, v.document FROM attachments a"
	"  JOIN policies p ON p.id = a.policy_id"
	"  JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	"  WHERE a.kind = 'role' AND a.entity_id = $1";

static const char *const boundary_sql =
	"SELECT " MANAGED_SOURCE ", p.name, v.document FROM users u"
	" JOIN policies p ON p.arn = u.boundary_arn"
	" JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	" WHERE u.id = $1";

static const char *const role_boundary_sql =
	"SELECT " MANAGED_SOURCE ", p.name, v.document FROM roles r"
	" JOIN policies p ON p.arn = r.boundary_arn"
	" JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.default_version"
	" WHERE r.id = $1";

static int docs_run(struct store_tx *tx, const char *sql, const char *id, bool boundary,
		    authz_doc_fn fn, void *arg, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	if ((rc = store_query(&q, tx, e, sql, "s", id)) < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1) {
		struct authz_doc d = {store_col_text(q, 0), store_col_text(q, 1),
				      store_col_text(q, 2), boundary};

		if ((rc = fn(arg, &d, e)) < 0)
			break;
	}
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

int authz_policies_each(struct store_tx *tx, const char *kind, const char *id, authz_doc_fn fn,
			void *arg, struct err *e)
{
	int rc;

	if (strcmp(kind, "group") == 0)
		return docs_run(tx, group_policy_sql, id, false, fn, arg, e);
	if (strcmp(kind, "role") == 0) {
		if ((rc = docs_run(tx, role_policy_sql, id, false, fn, arg, e)) < 0)
			return rc;
		return docs_run(tx, role_boundary_sql, id, true, fn, arg, e);
	}
	if ((rc = docs_run(tx, user_policy_sql, id, false, fn, arg, e)) < 0)
		return rc;
	return docs_run(tx, boundary_sql, id, true, fn, arg, e);
}

static int entry_doc(void *arg, const struct authz_doc *d, struct err *e)
{
	struct authz_entry *en = arg;
	struct err pe = ERR_INIT;

	if (!d->boundary)
		return add_policy(en, d->document, e);
	policy_free(en->boundary);
	en->boundary = NULL;
	if (policy_parse(&en->boundary, d->document, strlen(d->document), POLICY_BOUNDARY, 0,
			 &pe) < 0)
		log_warnx("authz: stored boundary does not parse: %s", pe.msg);
	return 0;
}

static int load_user(struct authz_entry *en, struct store *st, const char *user_id,
		     struct err *e)
{
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	int rc;

	/* a role's sessions: its policies and boundary, its tags, no groups */
	bool role = strncmp(user_id, "AROA", 4) == 0;

	if ((rc = store_begin(&tx, st, false, e)) < 0)
		return rc;
	if ((rc = authz_policies_each(tx, role ? "role" : "user", user_id, entry_doc, en, e)) < 0)
		goto out;

	rc = store_query(&q, tx, e,
			 role ? "SELECT key, value FROM role_tags WHERE role_id = $1 ORDER BY seq"
			      : "SELECT key, value FROM user_tags WHERE user_id = $1 ORDER BY seq",
			 "s", user_id);
	if (rc < 0)
		goto out;
	en->tag_keys = calloc(MAX_TAGS, sizeof(char *));
	en->tag_values = calloc(MAX_TAGS, sizeof(char *));
	if (en->tag_keys == NULL || en->tag_values == NULL) {
		rc = err_oom(e);
		goto out;
	}
	while (en->ntags < MAX_TAGS && (rc = store_step(q, e)) == 1) {
		struct buf k = BUF_INIT(0);

		buf_printf(&k, "aws:PrincipalTag/%s", store_col_text(q, 0));
		en->tag_keys[en->ntags] = buf_detach(&k);
		en->tag_values[en->ntags] = strdup(store_col_text(q, 1));
		if (en->tag_keys[en->ntags] == NULL || en->tag_values[en->ntags] == NULL) {
			free(en->tag_keys[en->ntags]);
			free(en->tag_values[en->ntags]);
			rc = err_oom(e);
			goto out;
		}
		en->ntags++;
	}
	if (rc < 0 || role)
		goto out;
	store_stmt_free(q);
	q = NULL;
	/* group ARNs: repository policies grant to groups through them */
	rc = store_query(&q, tx, e,
			 "SELECT g.account, g.path, g.name FROM group_members m"
			 " JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY g.name",
			 "s", user_id);
	if (rc < 0)
		goto out;
	while ((rc = store_step(q, e)) == 1) {
		struct buf a = BUF_INIT(0);
		const char **ng = realloc(en->group_arns, (en->ngroups + 1) * sizeof(*ng));

		if (ng == NULL) {
			rc = err_oom(e);
			goto out;
		}
		en->group_arns = ng;
		buf_printf(&a, "arn:aws:iam::%s:group%s%s", store_col_text(q, 0),
			   store_col_text(q, 1), store_col_text(q, 2));
		if ((en->group_arns[en->ngroups] = buf_detach(&a)) == NULL) {
			rc = err_oom(e);
			goto out;
		}
		en->ngroups++;
	}
	rc = rc < 0 ? rc : 0;
out:
	store_stmt_free(q);
	store_rollback(tx);
	return rc;
}

static int entry_get(struct authz_entry **out, struct authz_cache *c, struct store *st,
		     const char *user_id, struct err *e)
{
	uint64_t gen = store_generation(st);
	size_t s = slot_of(user_id);
	struct authz_entry *en, *old;
	int rc;

	pthread_mutex_lock(&c->lock);
	en = c->slot[s];
	if (en && en->generation == gen && strcmp(en->user_id, user_id) == 0) {
		atomic_fetch_add(&en->refs, 1);
		pthread_mutex_unlock(&c->lock);
		*out = en;
		return 0;
	}
	pthread_mutex_unlock(&c->lock);

	en = calloc(1, sizeof(*en));
	if (en == NULL)
		return err_oom(e);
	atomic_init(&en->refs, 1);
	snprintf(en->user_id, sizeof(en->user_id), "%s", user_id);
	en->generation = gen;
	if ((rc = load_user(en, st, user_id, e)) < 0) {
		entry_put(en);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	old = c->slot[s];
	atomic_fetch_add(&en->refs, 1); /* the cache's reference */
	c->slot[s] = en;
	pthread_mutex_unlock(&c->lock);
	entry_put(old);
	*out = en;
	return 0;
}

struct keyset {
	struct policy_key k[MAX_KEYS];
	const char *vals[MAX_KEYS]; /* single values */
	size_t n;
};

static void key_add(struct keyset *ks, const char *name, const char *value)
{
	if (ks->n == MAX_KEYS || value == NULL)
		return;
	ks->vals[ks->n] = value;
	ks->k[ks->n].name = name;
	ks->k[ks->n].values.v = &ks->vals[ks->n];
	ks->k[ks->n].values.n = 1;
	ks->n++;
}

/* aws:RequestTag/KEY and aws:TagKeys from the input's Tags / TagKeys members. */
static void request_tag_keys(struct keyset *ks, struct aws_call *c, const char **tagkeys,
			     size_t *ntagkeys)
{
	json_t *tags = c->in ? json_object_get(c->in, "Tags") : NULL;
	json_t *keys = c->in ? json_object_get(c->in, "TagKeys") : NULL;

	if (c->in && tags == NULL) /* CodeCommit spells them in lower camel case */
		tags = json_object_get(c->in, "tags");
	if (c->in && keys == NULL)
		keys = json_object_get(c->in, "tagKeys");
	size_t i, n = 0;

	if (json_is_array(tags)) {
		for (i = 0; i < json_array_size(tags) && n < MAX_TAGS; i++) {
			json_t *t = json_array_get(tags, i);
			const char *k = json_string_value(json_object_get(t, "Key"));
			const char *v = json_string_value(json_object_get(t, "Value"));

			if (k == NULL)
				continue;
			key_add(ks, arena_printf(c->ar, "aws:RequestTag/%s", k), v ? v : "");
			tagkeys[n++] = k;
		}
	} else if (json_is_object(tags)) { /* CodeCommit's tags map */
		const char *k;
		json_t *v;

		json_object_foreach(tags, k, v) {
			if (n == MAX_TAGS)
				break;
			key_add(ks, arena_printf(c->ar, "aws:RequestTag/%s", k),
				json_string_value(v) ? json_string_value(v) : "");
			tagkeys[n++] = k;
		}
	}
	if (json_is_array(keys))
		for (i = 0; i < json_array_size(keys) && n < MAX_TAGS; i++)
			if (json_string_value(json_array_get(keys, i)))
				tagkeys[n++] = json_string_value(json_array_get(keys, i));
	*ntagkeys = n;
}

static const char *principal_type(const struct principal *p)
{
	switch (p->kind) {
	case PRINCIPAL_ROOT: return "Account";
	case PRINCIPAL_USER: return "User";
	case PRINCIPAL_ASSUMED_ROLE: return "AssumedRole";
	case PRINCIPAL_FEDERATED_USER: return "FederatedUser";
	}
	return "User";
}

static int denied(struct aws_call *c, const char *action, const char *resource,
		  enum policy_decision d, bool by_resource, struct err *e)
{
	const char *why = d != POLICY_EXPLICIT_DENY
		? "because no identity-based policy allows the"
		: by_resource ? "with an explicit deny in a resource-based policy"
			      : "with an explicit deny in an identity-based policy";

	if (d == POLICY_EXPLICIT_DENY)
		return err_set(e, CC_EDENIED, NULL,
			       "User: %s is not authorized to perform: %s on resource: %s %s",
			       c->caller->arn, action, resource, why);
	return err_set(e, CC_EDENIED, NULL,
		       "User: %s is not authorized to perform: %s on resource: %s %s %s action",
		       c->caller->arn, action, resource, why, action);
}

/*
 * The root user acting on another account's resource (assuming its role):
 * it has every permission in its own account, so only the resource's
 * policy decides, and it must name the root user's account or the root user.
 */
static int authorize_root_elsewhere(struct aws_call *c, const char *action, const char *resource,
				    const struct policy_key *extra, size_t nextra, struct err *e)
{
	const struct principal *p = c->caller;
	struct policy *rp = NULL;
	struct policy_ctx ctx = {0};
	struct err pe = ERR_INIT;
	enum policy_decision d = POLICY_IMPLICIT_DENY;

	if (c->resource_policy &&
	    policy_parse(&rp, c->resource_policy, strlen(c->resource_policy),
			 c->resource_policy_trust ? POLICY_TRUST : POLICY_RESOURCE, 0, &pe) == 0) {
		ctx.action = action;
		ctx.resource = resource;
		ctx.principal_arn = p->arn;
		ctx.principal_account = p->account;
		ctx.keys = extra;
		ctx.nkeys = nextra;
		d = policy_eval_one(rp, &ctx, NULL);
	}
	policy_free(rp);
	if (d == POLICY_ALLOW)
		return 0;
	return denied(c, action, resource, d, d == POLICY_EXPLICIT_DENY, e);
}

/*
 * Keeps an explanation of a refusal, in the shape of AWS's decoded
 * authorization messages, and appends its reference to the message, for
 * sts:DecodeAuthorizationMessage (denials.c).
 */
static void explain(struct aws_call *c, enum policy_decision d, const struct policy_set *set,
		    const struct policy_ctx *ctx, struct err *e)
{
	struct policy_match m[16];
	struct policy_trace tr = {m, 0, ARRAY_SIZE(m)};
	json_t *items = json_array(), *conds = json_array(), *msg;
	char id[DENIAL_ID_MAX], sid[32], *text = NULL;
	size_t i, k, len;

	if (c->env->denials == NULL || items == NULL || conds == NULL) {
		json_decref(items);
		json_decref(conds);
		return;
	}
	(void)policy_eval(set, ctx, &tr);
	for (i = 0; i < tr.n && i < tr.cap; i++) {
		snprintf(sid, sizeof(sid), "Statement[%d]", m[i].statement_index);
		json_array_append_new(items, json_pack("{s:s, s:s}", "statementId",
						       m[i].sid ? m[i].sid : sid, "effect",
						       m[i].effect == POLICY_ALLOW ? "Allow" : "Deny"));
	}
	for (k = 0; k < ctx->nkeys; k++) {
		json_t *vals = json_array();

		for (i = 0; i < ctx->keys[k].values.n; i++)
			json_array_append_new(vals, json_pack("{s:s}", "value",
							      ctx->keys[k].values.v[i]
								      ? ctx->keys[k].values.v[i]
								      : ""));
		json_array_append_new(conds, json_pack("{s:s, s:{s:o}}", "key", ctx->keys[k].name,
						       "values", "items", vals));
	}
	msg = json_pack("{s:b, s:b, s:{s:o}, s:{s:[]}, s:{s:{s:s, s:s, s:s}, s:s, s:s, s:{s:o}}}",
			"allowed", 0, "explicitDeny", d == POLICY_EXPLICIT_DENY, "matchedStatements",
			"items", items, "failures", "items", "context", "principal", "id",
			c->caller->principal_id, "name", c->caller->name, "arn", c->caller->arn,
			"action", ctx->action, "resource", ctx->resource, "conditions", "items",
			conds);
	if (msg)
		text = json_dumps(msg, JSON_COMPACT);
	if (text && denials_put(c->env->denials, c->caller->account, text, id) == 0) {
		len = strlen(e->msg);
		snprintf(e->msg + len, sizeof(e->msg) - len,
			 "%s Encoded authorization failure message: %s",
			 len && e->msg[len - 1] == '.' ? "" : ".", id);
	}
	free(text);
	json_decref(msg);
}

/* a member of object o whose name is key in any case, or NULL */
static json_t *json_object_get_nocase(json_t *o, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (strcasecmp(k, key) == 0)
			return v;
	return NULL;
}

/* a session's tags as aws:PrincipalTag/KEY; *tags keeps the values alive */
static void session_tag_keys(struct keyset *ks, struct aws_call *c, json_t **tags)
{
	const char *k;
	json_t *v;

	*tags = NULL;
	if (c->session == NULL || c->session->tags[0] == '\0')
		return;
	*tags = json_loads(c->session->tags, 0, NULL);
	json_object_foreach(*tags, k, v)
		key_add(ks, arena_printf(c->ar, "aws:PrincipalTag/%s", k), json_string_value(v));
}

/*
 * A session's policies: its inline Policy and the managed policies of its
 * PolicyArns, read now (so a new default version applies at once).  Each
 * counts even when it cannot be read, as a policy that allows nothing.
 */
static size_t session_policies(struct aws_call *c, struct policy **out)
{
	const struct session *s = c->session;
	size_t n = 0;
	const char *p, *nl;
	struct err pe = ERR_INIT;

	if (s == NULL)
		return 0;
	if (s->policy[0]) {
		out[n] = NULL;
		/* checked when the session was made; a failure here denies */
		if (policy_parse(&out[n], s->policy, strlen(s->policy), POLICY_IDENTITY, 0, &pe) < 0)
			log_warnx("authz: session policy of %s does not parse: %s", s->who.arn,
				  pe.msg);
		n++;
	}
	for (p = s->policy_arns; *p && n < 1 + SESSION_POLICY_ARNS; p = *nl ? nl + 1 : nl) {
		struct store_stmt *q = NULL;
		char arn[SESSION_POLICY_ARNS_MAX + 1];

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		snprintf(arn, sizeof(arn), "%.*s", (int)(nl - p), p);
		out[n] = NULL;
		if (c->tx && store_query(&q, c->tx, &pe,
					 "SELECT v.document FROM policies p JOIN policy_versions v"
					 " ON v.policy_id = p.id AND v.version = p.default_version"
					 " WHERE p.arn = $1",
					 "s", arn) == 0 &&
		    store_step(q, &pe) == 1 &&
		    policy_parse(&out[n], store_col_text(q, 0), strlen(store_col_text(q, 0)),
				 POLICY_IDENTITY, 0, &pe) < 0)
			log_warnx("authz: session policy %s does not parse: %s", arn, pe.msg);
		store_stmt_free(q);
		n++;
	}
	return n;
}

int aws_authorize(struct aws_call *c, const char *action, const char *resource,
		  const struct policy_key *extra, size_t nextra, struct err *e)
{
	const struct principal *p = c->caller;
	struct authz_entry *en = NULL;
	struct keyset ks = {.n = 0};
	const char *tagkeys[MAX_TAGS];
	size_t ntagkeys = 0, i;
	char now_iso[32], epoch[24], mfa_age[24], issued[32];
	struct policy_set set = {0};
	struct policy_ctx ctx = {0};
	struct policy *resource_pol = NULL, *session_pols[1 + SESSION_POLICY_ARNS];
	size_t nsession = 0;
	json_t *stags = NULL;
	enum policy_decision d;
	bool by_resource;
	int rc;

	/* the root user may do anything in its own account; in another, it is
	 * that account's policy (a role's trust policy) that decides */
	bool other = c->resource_account && strcmp(c->resource_account, p->account) != 0;

	if (p->kind == PRINCIPAL_ROOT && !other)
		return 0;
	if (p->kind != PRINCIPAL_USER && p->kind != PRINCIPAL_ROOT &&
	    !(p->kind == PRINCIPAL_ASSUMED_ROLE && c->session && c->session->role_arn[0]))
		return denied(c, action, resource, POLICY_IMPLICIT_DENY, false, e);
	if (p->kind == PRINCIPAL_ROOT)
		return authorize_root_elsewhere(c, action, resource, extra, nextra, e);
	if ((rc = entry_get(&en, c->env->authz, c->env->store, p->user_id, e)) < 0)
		return rc;

	time_iso8601(now_iso, sizeof(now_iso), c->now);
	snprintf(epoch, sizeof(epoch), "%lld", (long long)c->now);
	if (p->kind == PRINCIPAL_USER)
		key_add(&ks, "aws:username", p->name);
	key_add(&ks, "aws:userid", p->principal_id);
	/* for a role session, the role: what trust and resource policies name */
	key_add(&ks, "aws:PrincipalArn",
		p->kind == PRINCIPAL_ASSUMED_ROLE ? c->session->role_arn : p->arn);
	key_add(&ks, "aws:PrincipalAccount", p->account);
	key_add(&ks, "aws:PrincipalType", principal_type(p));
	key_add(&ks, "aws:SourceIp", c->source_ip);
	key_add(&ks, "aws:CurrentTime", now_iso);
	key_add(&ks, "aws:EpochTime", epoch);
	key_add(&ks, "aws:SecureTransport", c->secure ? "true" : "false");
	key_add(&ks, "aws:RequestedRegion", c->env->region);
	if (c->user_agent)
		key_add(&ks, "aws:UserAgent", c->user_agent);
	/* a long-term key with an MFA code in the same call (AssumeRole) counts too */
	if (p->temporary || p->mfa) {
		key_add(&ks, "aws:MultiFactorAuthPresent", p->mfa ? "true" : "false");
		time_iso8601(issued, sizeof(issued), p->temporary ? p->token_issued : c->now);
		if (p->temporary)
			key_add(&ks, "aws:TokenIssueTime", issued);
		if (p->mfa) {
			snprintf(mfa_age, sizeof(mfa_age), "%lld",
				 (long long)(c->now - p->mfa_time));
			key_add(&ks, "aws:MultiFactorAuthAge", mfa_age);
		}
	}
	if (c->session && c->session->source_identity[0])
		key_add(&ks, "aws:SourceIdentity", c->session->source_identity);
	session_tag_keys(&ks, c, &stags);
	for (i = 0; i < en->ntags; i++)
		if (!json_object_get_nocase(stags, en->tag_keys[i] + 17))
			key_add(&ks, en->tag_keys[i], en->tag_values[i]);
	request_tag_keys(&ks, c, tagkeys, &ntagkeys);
	if (ntagkeys > 0 && ks.n < MAX_KEYS) {
		ks.k[ks.n].name = "aws:TagKeys";
		ks.k[ks.n].values.v = tagkeys;
		ks.k[ks.n].values.n = ntagkeys;
		ks.n++;
	}
	if (en->ngroups > 0 && ks.n < MAX_KEYS) {
		ks.k[ks.n].name = "commitd:PrincipalGroupArns";
		ks.k[ks.n].values.v = en->group_arns;
		ks.k[ks.n].values.n = en->ngroups;
		ks.n++;
	}
	for (i = 0; i < nextra && ks.n < MAX_KEYS; i++)
		ks.k[ks.n++] = extra[i];
	if (c->resource_policy) {
		struct err pe = ERR_INIT;

		/* stored documents were validated when written: a failure here is ours */
		if (policy_parse(&resource_pol, c->resource_policy, strlen(c->resource_policy),
				 c->resource_policy_trust ? POLICY_TRUST : POLICY_RESOURCE, 0,
				 &pe) < 0)
			log_warnx("authz: stored resource policy of %s does not parse: %s", resource,
				  pe.msg);
	}

	nsession = session_policies(c, session_pols);
	set.identity = (const struct policy *const *)en->pols;
	set.n_identity = en->npols;
	set.boundary = en->boundary;
	set.resource = resource_pol;
	if (nsession > 0) {
		/* an unparsable or missing one still counts, as a policy that allows nothing */
		set.session = (const struct policy *const *)session_pols;
		set.n_session = nsession;
	}
	ctx.action = action;
	ctx.resource = resource;
	ctx.principal_arn = p->arn;
	ctx.principal_account = p->account;
	ctx.resource_account = c->resource_account;
	ctx.keys = ks.k;
	ctx.nkeys = ks.n;
	d = policy_eval(&set, &ctx, NULL);
	/* a trust policy is not one grant among others: it must allow the caller
	 * itself, whatever the caller's own policies say */
	if (d == POLICY_ALLOW && c->resource_policy_trust &&
	    (resource_pol == NULL || policy_eval_one(resource_pol, &ctx, NULL) != POLICY_ALLOW))
		d = POLICY_IMPLICIT_DENY;
	by_resource = d == POLICY_EXPLICIT_DENY && resource_pol &&
		      policy_eval_one(resource_pol, &ctx, NULL) == POLICY_EXPLICIT_DENY;
	if (d == POLICY_ALLOW)
		rc = 0;
	else
		rc = denied(c, action, resource, d, by_resource, e);
	if (rc < 0)
		explain(c, d, &set, &ctx, e); /* set holds en's policies: before entry_put */
	entry_put(en);
	policy_free(resource_pol);
	for (i = 0; i < nsession; i++)
		policy_free(session_pols[i]);
	json_decref(stags);
	return rc;
}
