/*
 * users.c - IAM users: CreateUser, GetUser, ListUsers, UpdateUser,
 * DeleteUser, and their tags (TagUser, UntagUser, ListUserTags).
 * Names are unique in an account without regard to case, as in AWS.
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

#define IAM_MAX_USERS 5000

int iam_create_user(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "UserName");
	const char *path = aws_in_str(c, "Path");
	const char *boundary = aws_in_str(c, "PermissionsBoundary");
	json_t *tags = json_object_get(c->in, "Tags");
	struct iam_user u;
	int64_t n = 0;
	int rc;

	if (path == NULL)
		path = "/";
	if ((rc = iam_check_path(path, "path", e)) < 0 || (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = iam_check_boundary(c, boundary, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM users WHERE account = $1",
				  "s", c->caller->account)) < 0)
		return rc;
	if (n >= IAM_MAX_USERS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for UsersPerAccount: %d.", IAM_MAX_USERS);
	memset(&u, 0, sizeof(u));
	if ((rc = iam_new_id(u.id, sizeof(u.id), "AIDA", e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"INSERT INTO users (id, account, name, path, created, boundary_arn)"
			" VALUES ($1, $2, $3, $4, $5, $6)",
			"ssssis", u.id, c->caller->account, name, path, c->now, boundary);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "User with name %s already exists.", name);
	if (rc < 0)
		return rc;
	if (json_array_size(tags) > 0 && (rc = iam_tags_add(c, &iam_user_tags, u.id, tags, e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	if ((rc = iam_user_by_id(&u, c, u.id, e)) < 0)
		return rc;
	c->out = json_pack("{s:o}", "User", iam_user_json(c, &u, true));
	return c->out ? 0 : err_oom(e);
}

int iam_get_user(struct aws_call *c, struct err *e)
{
	struct iam_user storage, *u;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0)
		return rc;
	if (u == NULL) {
		/* the root user asking about itself */
		c->out = json_pack("{s:{s:s, s:s, s:o}}", "User", "UserId", c->caller->account,
				   "Arn", c->caller->arn, "CreateDate", aws_time(c->now));
		return c->out ? 0 : err_oom(e);
	}
	c->out = json_pack("{s:o}", "User", iam_user_json(c, u, true));
	return c->out ? 0 : err_oom(e);
}

int iam_list_users(struct aws_call *c, struct err *e)
{
	const char *prefix = aws_in_str(c, "PathPrefix");
	struct store_stmt *q = NULL;
	struct iam_page pg;
	json_t *users;
	int64_t seen = 0;
	int rc;

	if (prefix && (rc = iam_check_path_prefix(prefix, e)) < 0)
		return rc;
	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT id FROM users WHERE account = $1 AND substr(path, 1, length($2)) = $2"
			 " ORDER BY name COLLATE NOCASE LIMIT $3 OFFSET $4",
			 "ssii", c->caller->account, prefix ? prefix : "/", pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	users = json_array();
	c->out = json_pack("{s:o}", "Users", users);
	while ((rc = store_step(q, e)) == 1) {
		struct iam_user u;
		struct err e2 = ERR_INIT;

		if (++seen > pg.limit)
			break;
		if (iam_user_by_id(&u, c, store_col_text(q, 0), &e2) == 0)
			json_array_append_new(users, iam_user_json(c, &u, false));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_update_user(struct aws_call *c, struct err *e)
{
	const char *new_name = aws_in_str(c, "NewUserName");
	const char *new_path = aws_in_str(c, "NewPath");
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	if (new_path && (rc = iam_check_path(new_path, "newPath", e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE users SET name = $1, path = $2 WHERE id = $3", "sss",
			new_name ? new_name : u.name, new_path ? new_path : u.path, u.id);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "User with name %s already exists.", new_name);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

/* What must go before a user can: AWS's DeleteConflict order. */
int iam_user_has_dependents(struct aws_call *c, const struct iam_user *u, struct err *e)
{
	static const struct {
		const char *sql;
		const char *what;
	} deps[] = {
		{"SELECT count(*) FROM login_profiles WHERE user_id = $1", "login profile"},
		{"SELECT count(*) FROM access_keys WHERE user_id = $1", "access keys"},
		{"SELECT count(*) FROM service_creds WHERE user_id = $1",
		 "service specific credentials"},
		{"SELECT count(*) FROM ssh_keys WHERE user_id = $1", "SSH public keys"},
		{"SELECT count(*) FROM mfa_devices WHERE owner = $1", "MFA devices"},
		{"SELECT count(*) FROM inline_policies WHERE kind = 'user' AND entity_id = $1",
		 "policies"},
		{"SELECT count(*) FROM attachments WHERE kind = 'user' AND entity_id = $1",
		 "policies"},
		{"SELECT count(*) FROM group_members WHERE user_id = $1", "groups"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		int64_t n = 0;
		int rc = store_query_int(&n, c->tx, e, deps[i].sql, "s", u->id);

		if (rc < 0)
			return rc;
		if (n > 0)
			return err_set(e, CC_ECONFLICT, "DeleteConflict",
				       "Cannot delete entity, must %s %s first.",
				       strcmp(deps[i].what, "groups") == 0 ? "remove users from"
									  : "delete",
				       deps[i].what);
	}
	return 0;
}

int iam_delete_user(struct aws_call *c, struct err *e)
{
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	if ((rc = iam_user_has_dependents(c, &u, e)) < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM users WHERE id = $1", "s", u.id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_tag_user(struct aws_call *c, struct err *e)
{
	json_t *tags = json_object_get(c->in, "Tags");
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = iam_check_tags(tags, e)) < 0 ||
	    (rc = iam_tags_add(c, &iam_user_tags, u.id, tags, e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_untag_user(struct aws_call *c, struct err *e)
{
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = iam_tags_remove(c, &iam_user_tags, u.id, json_object_get(c->in, "TagKeys"),
				  e)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_list_user_tags(struct aws_call *c, struct err *e)
{
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	return iam_tags_list(c, &iam_user_tags, u.id, e);
}
