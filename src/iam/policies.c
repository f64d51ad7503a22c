/*
 * policies.c - managed policies: CreatePolicy, GetPolicy, ListPolicies,
 * DeletePolicy, their versions, their tags, attaching them to users,
 * groups and roles (Attach/Detach/ListAttached*, ListEntitiesForPolicy) and
 * the permissions boundaries of users and roles.
 *
 * AWS managed policies (account 'aws', see managed.c) can be read and
 * attached but never changed: that is refused as AWS refuses it, with
 * AccessDenied.  Documents are validated here with policy_parse() and stored
 * as given; IAM returns them URL-encoded (RFC 3986), as AWS does.
 */
#include <string.h>

#include "iam_int.h"

struct pol {
	struct iam_policy p;
	int64_t boundary_uses; /* users and roles in the caller's account with it as boundary */
};

/* the columns pol_read() expects; $1 is the caller's account */
#define POL_SELECT                                                                          \
	"SELECT p.id, p.name, p.path, p.arn, p.account, p.description, p.default_version,"  \
	" p.created, p.updated,"                                                              \
	" (SELECT count(*) FROM attachments a WHERE a.policy_id = p.id AND a.account = $1)," \
	" (SELECT count(*) FROM users u WHERE u.account = $1 AND u.boundary_arn = p.arn)"    \
	" + (SELECT count(*) FROM roles r WHERE r.account = $1 AND r.boundary_arn = p.arn)"  \
	" FROM policies p"

static void pol_read(struct pol *out, struct store_stmt *q);
static json_t *pol_json(struct aws_call *c, const struct pol *p, bool full);
static int pol_find(struct pol *out, struct aws_call *c, const char *arn, struct err *e);
static int pol_find_local(struct pol *out, struct aws_call *c, const char *arn,
			  struct err *e);
static int check_arn(const char *arn, struct err *e);
static int check_document(const char *doc, struct err *e);

/* ---- shared -------------------------------------------------------------------- */

static void pol_read(struct pol *out, struct store_stmt *q)
{
	struct iam_policy *p = &out->p;

	memset(out, 0, sizeof(*out));
	snprintf(p->id, sizeof(p->id), "%s", store_col_text(q, 0));
	snprintf(p->name, sizeof(p->name), "%s", store_col_text(q, 1));
	snprintf(p->path, sizeof(p->path), "%s", store_col_text(q, 2));
	snprintf(p->arn, sizeof(p->arn), "%s", store_col_text(q, 3));
	snprintf(p->account, sizeof(p->account), "%s", store_col_text(q, 4));
	snprintf(p->description, sizeof(p->description), "%s", store_col_text(q, 5));
	snprintf(p->default_version, sizeof(p->default_version), "%s", store_col_text(q, 6));
	p->created = store_col_int(q, 7);
	p->updated = store_col_int(q, 8);
	p->attachments = store_col_int(q, 9);
	out->boundary_uses = store_col_int(q, 10);
}

/* full: GetPolicy/CreatePolicy (Description and Tags); lists give neither, as AWS */
static json_t *pol_json(struct aws_call *c, const struct pol *p, bool full)
{
	json_t *o = iam_policy_json(&p->p);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "PermissionsBoundaryUsageCount",
			    json_integer((json_int_t)p->boundary_uses));
	if (!full) {
		json_object_del(o, "Description");
	} else {
		json_t *tags = iam_tags_json(c, &iam_policy_tags, p->p.id);

		if (json_array_size(tags) > 0)
			json_object_set_new(o, "Tags", tags);
		else
			json_decref(tags);
	}
	return o;
}

static int pol_find(struct pol *out, struct aws_call *c, const char *arn, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	if ((rc = check_arn(arn, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e, POL_SELECT " WHERE p.arn = $2 AND p.account IN ($1, 'aws')",
			 "ss", c->caller->account, arn);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "Policy %s does not exist or is not attachable.", arn);
	if (rc == 1) {
		pol_read(out, q);
		rc = 0;
	}
	store_stmt_free(q);
	return rc;
}

/*
 * A policy the caller may change: one of its account's.  AWS managed policies
 * belong to AWS's own account, and AWS refuses changes to them as it refuses
 * any action on another account's resource.
 */
static int pol_find_local(struct pol *out, struct aws_call *c, const char *arn, struct err *e)
{
	int rc = pol_find(out, c, arn, e);

	if (rc < 0)
		return rc;
	if (strcmp(out->p.account, "aws") == 0)
		return err_set(e, CC_EDENIED, "AccessDenied",
			       "User: %s is not authorized to perform: %s on resource: policy %s",
			       c->caller->arn, c->row ? c->row->action : "iam:*", arn);
	return 0;
}

/* arn:aws:iam::ACCOUNT:policy/...: anything else is InvalidInput, as AWS says it */
static int check_arn(const char *arn, struct err *e)
{
	const char *p;

	if (arn == NULL || strncmp(arn, "arn:aws:iam::", 13) != 0)
		goto bad;
	p = strchr(arn + 13, ':');
	if (p == NULL || p == arn + 13 || strncmp(p, ":policy/", 8) != 0 || p[8] == '\0')
		goto bad;
	return 0;
bad:
	return err_set(e, CC_EINVAL, "InvalidInput", "ARN %.200s is not valid.",
		       arn ? arn : "");
}

static int check_document(const char *doc, struct err *e)
{
	struct policy *p = NULL;
	int rc;

	rc = policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, IAM_MANAGED_CHARS, e);
	policy_free(p);
	return rc;
}

/* ---- policies ------------------------------------------------------------------- */

#define IAM_MAX_POLICIES 1500 /* customer managed policies per account */

int iam_create_policy(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "PolicyName");
	const char *path = aws_in_str(c, "Path");
	const char *doc = aws_in_str(c, "PolicyDocument");
	const char *desc = aws_in_str(c, "Description");
	json_t *tags = json_object_get(c->in, "Tags");
	char id[32];
	char *arn;
	struct pol p;
	int64_t n = 0;
	int rc;

	if (path == NULL)
		path = "/";
	if ((rc = iam_check_path(path, "path", e)) < 0 || (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = check_document(doc, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM policies WHERE account = $1",
				  "s", c->caller->account)) < 0)
		return rc;
	if (n >= IAM_MAX_POLICIES)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for PoliciesPerAccount: %d", IAM_MAX_POLICIES);
	if ((rc = iam_new_id(id, sizeof(id), "ANPA", e)) < 0)
		return rc;
	if ((arn = iam_arn(c, "policy", path, name)) == NULL)
		return err_oom(e);
	rc = store_exec(c->tx, e,
			"INSERT INTO policies (id, account, name, path, arn, description,"
			" default_version, next_version, created, updated)"
			" VALUES ($1, $2, $3, $4, $5, $6, 'v1', 2, $7, $7)",
			"ssssssi", id, c->caller->account, name, path, arn, desc ? desc : "", c->now);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "A policy called %s already exists. Duplicate names are not allowed.",
			       name);
	if (rc < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"INSERT INTO policy_versions (policy_id, version, document, created)"
			" VALUES ($1, 'v1', $2, $3)", "ssi", id, doc, c->now);
	if (rc < 0)
		return rc;
	if (json_array_size(tags) > 0 && (rc = iam_tags_add(c, &iam_policy_tags, id, tags, e)) < 0)
		return rc;
	if ((rc = pol_find(&p, c, arn, e)) < 0)
		return rc;
	c->out = json_pack("{s:o}", "Policy", pol_json(c, &p, true));
	return c->out ? 0 : err_oom(e);
}

int iam_get_policy(struct aws_call *c, struct err *e)
{
	struct pol p;
	int rc;

	if ((rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	c->out = json_pack("{s:o}", "Policy", pol_json(c, &p, true));
	return c->out ? 0 : err_oom(e);
}

int iam_list_policies(struct aws_call *c, struct err *e)
{
	const char *scope = aws_in_str(c, "Scope");
	const char *prefix = aws_in_str(c, "PathPrefix");
	const char *usage = aws_in_str(c, "PolicyUsageFilter");
	bool only_attached = aws_in_bool(c, "OnlyAttached", false);
	int64_t want_aws, want_local, use_perm = 1, use_boundary = 1, seen = 0;
	struct store_stmt *q = NULL;
	struct iam_page pg;
	json_t *list;
	int rc;

	if (prefix && (rc = iam_check_path_prefix(prefix, e)) < 0)
		return rc;
	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	want_aws = scope == NULL || strcmp(scope, "Local") != 0;
	want_local = scope == NULL || strcmp(scope, "AWS") != 0;
	if (usage && strcmp(usage, "PermissionsPolicy") == 0)
		use_boundary = 0;
	if (usage && strcmp(usage, "PermissionsBoundary") == 0)
		use_perm = 0;
	rc = store_query(&q, c->tx, e,
			 POL_SELECT
			 " WHERE ((p.account = $1 AND $2 = 1) OR (p.account = 'aws' AND $3 = 1))"
			 " AND substr(p.path, 1, length($4)) = $4"
			 " AND ($5 = 0"
			 "  OR ($6 = 1 AND EXISTS (SELECT 1 FROM attachments a"
			 "   WHERE a.policy_id = p.id AND a.account = $1))"
			 "  OR ($7 = 1 AND (EXISTS (SELECT 1 FROM users u"
			 "   WHERE u.account = $1 AND u.boundary_arn = p.arn)"
			 "   OR EXISTS (SELECT 1 FROM roles r"
			 "   WHERE r.account = $1 AND r.boundary_arn = p.arn))))"
			 " ORDER BY p.name COLLATE NOCASE, p.arn LIMIT $8 OFFSET $9",
			 "siisiiiii", c->caller->account, want_local, want_aws,
			 prefix ? prefix : "/", (int64_t)only_attached, use_perm, use_boundary,
			 pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "Policies", list);
	while ((rc = store_step(q, e)) == 1) {
		struct pol p;

		if (++seen > pg.limit)
			break;
		pol_read(&p, q);
		json_array_append_new(list, pol_json(c, &p, false));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_delete_policy(struct aws_call *c, struct err *e)
{
	struct pol p;
	int64_t n = 0;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM attachments"
						" WHERE policy_id = $1", "s", p.p.id)) < 0)
		return rc;
	if (n > 0 || p.boundary_uses > 0)
		return err_set(e, CC_ECONFLICT, "DeleteConflict",
			       "Cannot delete a policy attached to entities.");
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM policy_versions"
						" WHERE policy_id = $1 AND version <> $2", "ss",
				  p.p.id, p.p.default_version)) < 0)
		return rc;
	if (n > 0)
		return err_set(e, CC_ECONFLICT, "DeleteConflict",
			       "This policy has more than one version. Before you delete a policy,"
			       " you must delete the policy's versions. The default version is"
			       " deleted with the policy.");
	if ((rc = store_exec(c->tx, e, "DELETE FROM policy_versions WHERE policy_id = $1", "s",
			     p.p.id)) < 0 ||
	    (rc = store_exec(c->tx, e, "DELETE FROM policy_tags WHERE policy_id = $1", "s",
			     p.p.id)) < 0 ||
	    (rc = store_exec(c->tx, e, "DELETE FROM policies WHERE id = $1", "s", p.p.id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

/* ---- versions ------------------------------------------------------------------- */

static int version_missing(struct err *e, const char *arn, const char *version)
{
	return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
		       "Policy %s version %s does not exist or is not attachable.", arn, version);
}

int iam_create_policy_version(struct aws_call *c, struct err *e)
{
	const char *doc = aws_in_str(c, "PolicyDocument");
	bool set_default = aws_in_bool(c, "SetAsDefault", false);
	char version[24];
	int64_t n = 0, next = 0;
	struct pol p;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0 ||
	    (rc = check_document(doc, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM policy_versions"
						" WHERE policy_id = $1", "s", p.p.id)) < 0)
		return rc;
	if (n >= IAM_MAX_POLICY_VERSIONS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "A managed policy can have up to %d versions. Before you create a"
			       " new version, you must delete an existing version.",
			       IAM_MAX_POLICY_VERSIONS);
	if ((rc = store_query_int(&next, c->tx, e, "SELECT next_version FROM policies"
						   " WHERE id = $1", "s", p.p.id)) < 0)
		return rc;
	snprintf(version, sizeof(version), "v%lld", (long long)next);
	rc = store_exec(c->tx, e,
			"INSERT INTO policy_versions (policy_id, version, document, created)"
			" VALUES ($1, $2, $3, $4)", "sssi", p.p.id, version, doc, c->now);
	if (rc < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"UPDATE policies SET next_version = next_version + 1, updated = $2,"
			" default_version = CASE WHEN $3 = 1 THEN $4 ELSE default_version END"
			" WHERE id = $1",
			"siis", p.p.id, c->now, (int64_t)set_default, version);
	if (rc < 0)
		return rc;
	if (set_default)
		store_tx_bump(c->tx);
	c->out = json_pack("{s:{s:s, s:b, s:o}}", "PolicyVersion", "VersionId", version,
			   "IsDefaultVersion", set_default, "CreateDate", aws_time(c->now));
	return c->out ? 0 : err_oom(e);
}

int iam_get_policy_version(struct aws_call *c, struct err *e)
{
	const char *version = aws_in_str(c, "VersionId");
	struct store_stmt *q = NULL;
	struct pol p;
	int rc;

	if ((rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT document, created FROM policy_versions"
			 " WHERE policy_id = $1 AND version = $2", "ss", p.p.id, version);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = version_missing(e, p.p.arn, version);
	if (rc == 1) {
		c->out = json_pack("{s:{s:o, s:s, s:b, s:o}}", "PolicyVersion", "Document",
				   iam_doc_json(store_col_text(q, 0)), "VersionId", version,
				   "IsDefaultVersion", strcmp(version, p.p.default_version) == 0,
				   "CreateDate", aws_time(store_col_int(q, 1)));
		rc = c->out ? 0 : err_oom(e);
	}
	store_stmt_free(q);
	return rc;
}

int iam_list_policy_versions(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *list;
	struct pol p;
	int rc;

	if ((rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0 ||
	    (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	/* newest first, as AWS lists them */
	rc = store_query(&q, c->tx, e,
			 "SELECT version, created FROM policy_versions WHERE policy_id = $1"
			 " ORDER BY CAST(substr(version, 2) AS INTEGER) DESC LIMIT $2 OFFSET $3",
			 "sii", p.p.id, pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "Versions", list);
	while ((rc = store_step(q, e)) == 1) {
		const char *v = store_col_text(q, 0);

		if (++seen > pg.limit)
			break;
		json_array_append_new(list, json_pack("{s:s, s:b, s:o}", "VersionId", v,
						      "IsDefaultVersion",
						      strcmp(v, p.p.default_version) == 0,
						      "CreateDate", aws_time(store_col_int(q, 1))));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_delete_policy_version(struct aws_call *c, struct err *e)
{
	const char *version = aws_in_str(c, "VersionId");
	struct pol p;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	if (strcmp(version, p.p.default_version) == 0)
		return err_set(e, CC_ECONFLICT, "DeleteConflict",
			       "Cannot delete the default version of a policy.");
	rc = store_exec(c->tx, e, "DELETE FROM policy_versions WHERE policy_id = $1"
				  " AND version = $2", "ss", p.p.id, version);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return version_missing(e, p.p.arn, version);
	return 0;
}

int iam_set_default_policy_version(struct aws_call *c, struct err *e)
{
	const char *version = aws_in_str(c, "VersionId");
	struct pol p;
	int64_t n = 0;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM policy_versions"
						" WHERE policy_id = $1 AND version = $2", "ss",
				  p.p.id, version)) < 0)
		return rc;
	if (n == 0)
		return version_missing(e, p.p.arn, version);
	if ((rc = store_exec(c->tx, e, "UPDATE policies SET default_version = $2 WHERE id = $1",
			     "ss", p.p.id, version)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

/* ---- tags ------------------------------------------------------------------------ */

int iam_tag_policy(struct aws_call *c, struct err *e)
{
	json_t *tags = json_object_get(c->in, "Tags");
	struct pol p;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0 ||
	    (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = iam_tags_add(c, &iam_policy_tags, p.p.id, tags, e)) < 0)
		return rc;
	store_tx_bump(c->tx); /* aws:ResourceTag conditions may change */
	return 0;
}

int iam_untag_policy(struct aws_call *c, struct err *e)
{
	struct pol p;
	int rc;

	if ((rc = pol_find_local(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0 ||
	    (rc = iam_tags_remove(c, &iam_policy_tags, p.p.id, json_object_get(c->in, "TagKeys"),
				  e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_list_policy_tags(struct aws_call *c, struct err *e)
{
	struct pol p;
	int rc;

	if ((rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	return iam_tags_list(c, &iam_policy_tags, p.p.id, e);
}

/* ---- attachments ------------------------------------------------------------------ */

/* The user, group or role named in the input: its id, kind and AWS's quota name. */
struct target {
	const char *kind;  /* "user", "group" or "role" */
	const char *quota; /* "PoliciesPerUser" */
	char id[32];
};

static int target_find(struct target *t, struct aws_call *c, const char *kind, struct err *e)
{
	int rc;

	t->kind = kind;
	if (strcmp(kind, "user") == 0) {
		struct iam_user u;

		t->quota = "PoliciesPerUser";
		if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
			return rc;
		snprintf(t->id, sizeof(t->id), "%s", u.id);
	} else if (strcmp(kind, "role") == 0) {
		struct iam_role r;

		t->quota = "PoliciesPerRole";
		if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0)
			return rc;
		snprintf(t->id, sizeof(t->id), "%s", r.id);
	} else {
		struct iam_group g;

		t->quota = "PoliciesPerGroup";
		if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0)
			return rc;
		snprintf(t->id, sizeof(t->id), "%s", g.id);
	}
	return 0;
}

static int attach(struct aws_call *c, const char *kind, struct err *e)
{
	struct target t;
	struct pol p;
	int64_t n = 0;
	int rc;

	if ((rc = target_find(&t, c, kind, e)) < 0 ||
	    (rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM attachments WHERE kind = $1"
						" AND entity_id = $2 AND policy_id = $3", "sss",
				  t.kind, t.id, p.p.id)) < 0)
		return rc;
	if (n > 0)
		return 0; /* attaching twice changes nothing, as in AWS */
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM attachments WHERE kind = $1"
						" AND entity_id = $2", "ss", t.kind, t.id)) < 0)
		return rc;
	if (n >= IAM_MAX_ATTACHED)
		return err_set(e, CC_ELIMIT, "LimitExceeded", "Cannot exceed quota for %s: %d",
			       t.quota, IAM_MAX_ATTACHED);
	rc = store_exec(c->tx, e,
			"INSERT INTO attachments (policy_id, account, kind, entity_id)"
			" VALUES ($1, $2, $3, $4)", "ssss", p.p.id, c->caller->account, t.kind, t.id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

static int detach(struct aws_call *c, const char *kind, struct err *e)
{
	const char *arn = aws_in_str(c, "PolicyArn");
	struct target t;
	struct pol p;
	int rc;

	if ((rc = target_find(&t, c, kind, e)) < 0 || (rc = pol_find(&p, c, arn, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "DELETE FROM attachments WHERE kind = $1 AND entity_id = $2"
				  " AND policy_id = $3", "sss", t.kind, t.id, p.p.id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity", "Policy %s was not found.", arn);
	store_tx_bump(c->tx);
	return 0;
}

static int list_attached(struct aws_call *c, const char *kind, struct err *e)
{
	const char *prefix = aws_in_str(c, "PathPrefix");
	struct store_stmt *q = NULL;
	struct iam_page pg;
	struct target t;
	int64_t seen = 0;
	json_t *list;
	int rc;

	if ((rc = target_find(&t, c, kind, e)) < 0)
		return rc;
	if (prefix && (rc = iam_check_path_prefix(prefix, e)) < 0)
		return rc;
	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT p.name, p.arn FROM attachments a JOIN policies p ON p.id = a.policy_id"
			 " WHERE a.kind = $1 AND a.entity_id = $2"
			 " AND substr(p.path, 1, length($3)) = $3"
			 " ORDER BY p.name COLLATE NOCASE, p.arn LIMIT $4 OFFSET $5",
			 "sssii", t.kind, t.id, prefix ? prefix : "/", pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "AttachedPolicies", list);
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > pg.limit)
			break;
		json_array_append_new(list, json_pack("{s:s, s:s}", "PolicyName",
						      store_col_text(q, 0), "PolicyArn",
						      store_col_text(q, 1)));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_attach_user_policy(struct aws_call *c, struct err *e) { return attach(c, "user", e); }
int iam_detach_user_policy(struct aws_call *c, struct err *e) { return detach(c, "user", e); }
int iam_attach_group_policy(struct aws_call *c, struct err *e) { return attach(c, "group", e); }
int iam_detach_group_policy(struct aws_call *c, struct err *e) { return detach(c, "group", e); }
int iam_attach_role_policy(struct aws_call *c, struct err *e) { return attach(c, "role", e); }
int iam_detach_role_policy(struct aws_call *c, struct err *e) { return detach(c, "role", e); }

int iam_list_attached_user_policies(struct aws_call *c, struct err *e)
{
	return list_attached(c, "user", e);
}

int iam_list_attached_group_policies(struct aws_call *c, struct err *e)
{
	return list_attached(c, "group", e);
}

int iam_list_attached_role_policies(struct aws_call *c, struct err *e)
{
	return list_attached(c, "role", e);
}

int iam_list_entities_for_policy(struct aws_call *c, struct err *e)
{
	const char *filter = aws_in_str(c, "EntityFilter");
	const char *prefix = aws_in_str(c, "PathPrefix");
	const char *usage = aws_in_str(c, "PolicyUsageFilter");
	int64_t want_users = 1, want_groups = 1, want_roles = 1, use_perm = 1, use_boundary = 1;
	int64_t seen = 0;
	struct store_stmt *q = NULL;
	json_t *users, *groups, *roles;
	struct iam_page pg;
	struct pol p;
	int rc;

	if ((rc = pol_find(&p, c, aws_in_str(c, "PolicyArn"), e)) < 0)
		return rc;
	if (prefix && (rc = iam_check_path_prefix(prefix, e)) < 0)
		return rc;
	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	if (filter && strcmp(filter, "User") == 0)
		want_groups = want_roles = 0;
	if (filter && strcmp(filter, "Group") == 0)
		want_users = want_roles = 0;
	if (filter && strcmp(filter, "Role") == 0)
		want_users = want_groups = 0;
	if (usage && strcmp(usage, "PermissionsPolicy") == 0)
		use_boundary = 0;
	if (usage && strcmp(usage, "PermissionsBoundary") == 0)
		use_perm = 0;
	rc = store_query(&q, c->tx, e,
			 "SELECT 'group', g.name, g.id FROM attachments a"
			 " JOIN groups g ON g.id = a.entity_id"
			 " WHERE a.kind = 'group' AND a.policy_id = $1 AND a.account = $2"
			 " AND substr(g.path, 1, length($3)) = $3 AND $4 = 1 AND $6 = 1"
			 " UNION"
			 " SELECT 'role', r.name, r.id FROM attachments a"
			 " JOIN roles r ON r.id = a.entity_id"
			 " WHERE a.kind = 'role' AND a.policy_id = $1 AND a.account = $2"
			 " AND substr(r.path, 1, length($3)) = $3 AND $11 = 1 AND $6 = 1"
			 " UNION"
			 " SELECT 'role', r.name, r.id FROM roles r"
			 " WHERE r.account = $2 AND r.boundary_arn = $7"
			 " AND substr(r.path, 1, length($3)) = $3 AND $11 = 1 AND $8 = 1"
			 " UNION"
			 " SELECT 'user', u.name, u.id FROM attachments a"
			 " JOIN users u ON u.id = a.entity_id"
			 " WHERE a.kind = 'user' AND a.policy_id = $1 AND a.account = $2"
			 " AND substr(u.path, 1, length($3)) = $3 AND $5 = 1 AND $6 = 1"
			 " UNION"
			 " SELECT 'user', u.name, u.id FROM users u"
			 " WHERE u.account = $2 AND u.boundary_arn = $7"
			 " AND substr(u.path, 1, length($3)) = $3 AND $5 = 1 AND $8 = 1"
			 " ORDER BY 1, 2 LIMIT $9 OFFSET $10",
			 "sssiiisiiii", p.p.id, c->caller->account, prefix ? prefix : "/",
			 want_groups, want_users, use_perm, p.p.arn, use_boundary, pg.limit + 1,
			 pg.offset, want_roles);
	if (rc < 0)
		return rc;
	users = json_array();
	groups = json_array();
	roles = json_array();
	c->out = json_pack("{s:o, s:o, s:o}", "PolicyGroups", groups, "PolicyUsers", users,
			   "PolicyRoles", roles);
	while ((rc = store_step(q, e)) == 1) {
		const char *kind = store_col_text(q, 0);
		json_t *list = kind[0] == 'u' ? users : kind[0] == 'r' ? roles : groups;
		const char *name = kind[0] == 'u' ? "UserName" : kind[0] == 'r' ? "RoleName"
										 : "GroupName";
		const char *id = kind[0] == 'u' ? "UserId" : kind[0] == 'r' ? "RoleId" : "GroupId";

		if (++seen > pg.limit)
			break;
		json_array_append_new(list, json_pack("{s:s, s:s}", name, store_col_text(q, 1), id,
						      store_col_text(q, 2)));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

/* ---- permissions boundaries ---------------------------------------------------------- */

/* Sets a user's or role's boundary to the input's PermissionsBoundary (put), or removes it. */
static int boundary_set(struct aws_call *c, const char *kind, bool put, struct err *e)
{
	struct target t;
	struct pol p;
	int rc;

	if ((rc = target_find(&t, c, kind, e)) < 0)
		return rc;
	if (put && (rc = pol_find(&p, c, aws_in_str(c, "PermissionsBoundary"), e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			strcmp(kind, "user") == 0 ? "UPDATE users SET boundary_arn = $2 WHERE id = $1"
						  : "UPDATE roles SET boundary_arn = $2 WHERE id = $1",
			"ss", t.id, put ? p.p.arn : NULL);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_put_user_permissions_boundary(struct aws_call *c, struct err *e)
{
	return boundary_set(c, "user", true, e);
}

int iam_delete_user_permissions_boundary(struct aws_call *c, struct err *e)
{
	return boundary_set(c, "user", false, e);
}

int iam_put_role_permissions_boundary(struct aws_call *c, struct err *e)
{
	return boundary_set(c, "role", true, e);
}

int iam_delete_role_permissions_boundary(struct aws_call *c, struct err *e)
{
	return boundary_set(c, "role", false, e);
}
