/*
 * roles.c - IAM roles: CreateRole, GetRole, ListRoles, UpdateRole,
 * UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, and their tags
 * (TagRole, UntagRole, ListRoleTags).  A role's inline policies live in
 * inline.c, its attachments and permissions boundary in policies.c.
 *
 * The trust policy is validated by policy_parse() as POLICY_TRUST (a
 * Principal in every statement, no Resource, only the STS actions that
 * assume a role) within AWS's ACLSizePerRole quota, and stored as given;
 * it is handed out URL-encoded, as IAM does.  Assuming a role is STS's.
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

static int trust_check(const char *doc, struct err *e)
{
	struct policy *p = NULL;
	size_t n = strlen(doc);
	int rc;

	/* AWS words this quota its own way, not as PolicySize */
	if (policy_size_nows(doc, n) > IAM_TRUST_CHARS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for ACLSizePerRole: %d", IAM_TRUST_CHARS);
	rc = policy_parse(&p, doc, n, POLICY_TRUST, 0, e);
	policy_free(p);
	return rc;
}

int iam_create_role(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "RoleName");
	const char *path = aws_in_str(c, "Path");
	const char *doc = aws_in_str(c, "AssumeRolePolicyDocument");
	const char *desc = aws_in_str(c, "Description");
	const char *boundary = aws_in_str(c, "PermissionsBoundary");
	int64_t max_session = aws_in_int(c, "MaxSessionDuration", 3600);
	json_t *tags = json_object_get(c->in, "Tags");
	json_t *role;
	struct iam_role r;
	char id[32];
	int64_t n = 0;
	int rc;

	if (path == NULL)
		path = "/";
	/* the model bounds MaxSessionDuration (3600..43200) and the name's length and pattern */
	if ((rc = iam_check_path(path, "path", e)) < 0 || (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = trust_check(doc, e)) < 0 || (rc = iam_check_boundary(c, boundary, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM roles WHERE account = $1",
				  "s", c->caller->account)) < 0)
		return rc;
	if (n >= IAM_MAX_ROLES)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for RolesPerAccount: %d", IAM_MAX_ROLES);
	if ((rc = iam_new_id(id, sizeof(id), "AROA", e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"INSERT INTO roles (id, account, name, path, description, trust_policy,"
			" max_session, boundary_arn, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			"ssssssisi", id, c->caller->account, name, path, desc ? desc : "", doc,
			max_session, boundary, c->now);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "Role with name %s already exists.", name);
	if (rc < 0)
		return rc;
	if (json_array_size(tags) > 0 && (rc = iam_tags_add(c, &iam_role_tags, id, tags, e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	if ((rc = iam_role_find(&r, c, name, e)) < 0)
		return rc;
	/* a new role has not been used: CreateRole leaves RoleLastUsed out */
	if ((role = iam_role_json(c, &r, true)) != NULL)
		json_object_del(role, "RoleLastUsed");
	c->out = json_pack("{s:o}", "Role", role);
	return c->out ? 0 : err_oom(e);
}

int iam_get_role(struct aws_call *c, struct err *e)
{
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0)
		return rc;
	c->out = json_pack("{s:o}", "Role", iam_role_json(c, &r, true));
	return c->out ? 0 : err_oom(e);
}

int iam_list_roles(struct aws_call *c, struct err *e)
{
	const char *prefix = aws_in_str(c, "PathPrefix");
	struct store_stmt *q = NULL;
	struct iam_page pg;
	json_t *roles;
	int64_t seen = 0;
	int rc;

	if ((prefix && (rc = iam_check_path_prefix(prefix, e)) < 0) ||
	    (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT " IAM_ROLE_COLS " FROM roles WHERE account = $1"
			 " AND substr(path, 1, length($2)) = $2"
			 " ORDER BY name COLLATE NOCASE LIMIT $3 OFFSET $4",
			 "ssii", c->caller->account, prefix ? prefix : "/", pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	roles = json_array();
	c->out = json_pack("{s:o}", "Roles", roles);
	while ((rc = store_step(q, e)) == 1) {
		struct iam_role r;

		if (++seen > pg.limit)
			break;
		if ((rc = iam_role_read(&r, c, q, e)) < 0)
			break;
		json_array_append_new(roles, iam_role_json(c, &r, false));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

/* UpdateRole: what is given changes, what is not stays */
int iam_update_role(struct aws_call *c, struct err *e)
{
	const char *desc = aws_in_str(c, "Description");
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE roles SET description = $2, max_session = $3 WHERE id = $1",
			"ssi", r.id, desc ? desc : r.description,
			aws_in_int(c, "MaxSessionDuration", r.max_session));
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	c->out = json_object(); /* UpdateRoleResponse has no members */
	return c->out ? 0 : err_oom(e);
}

int iam_update_role_description(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "RoleName");
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, name, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE roles SET description = $2 WHERE id = $1", "ss", r.id,
			aws_in_str(c, "Description"));
	if (rc < 0 || (rc = iam_role_find(&r, c, name, e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	c->out = json_pack("{s:o}", "Role", iam_role_json(c, &r, true));
	return c->out ? 0 : err_oom(e);
}

int iam_update_assume_role_policy(struct aws_call *c, struct err *e)
{
	const char *doc = aws_in_str(c, "PolicyDocument");
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0 ||
	    (rc = trust_check(doc, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE roles SET trust_policy = $2 WHERE id = $1", "ss", r.id,
			doc);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_role(struct aws_call *c, struct err *e)
{
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0 ||
	    (rc = iam_check_no_policies(c, "role", r.id, e)) < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM role_tags WHERE role_id = $1", "s", r.id)) < 0 ||
	    (rc = store_exec(c->tx, e, "DELETE FROM roles WHERE id = $1", "s", r.id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

/* ---- tags ------------------------------------------------------------------------ */

int iam_tag_role(struct aws_call *c, struct err *e)
{
	json_t *tags = json_object_get(c->in, "Tags");
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0 ||
	    (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = iam_tags_add(c, &iam_role_tags, r.id, tags, e)) < 0)
		return rc;
	store_tx_bump(c->tx); /* a session's aws:PrincipalTag comes from its role */
	return 0;
}

int iam_untag_role(struct aws_call *c, struct err *e)
{
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0 ||
	    (rc = iam_tags_remove(c, &iam_role_tags, r.id, json_object_get(c->in, "TagKeys"),
				  e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_list_role_tags(struct aws_call *c, struct err *e)
{
	struct iam_role r;
	int rc;

	if ((rc = iam_role_find(&r, c, aws_in_str(c, "RoleName"), e)) < 0)
		return rc;
	return iam_tags_list(c, &iam_role_tags, r.id, e);
}
