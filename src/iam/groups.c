/*
 * groups.c - IAM groups and membership: CreateGroup, GetGroup (with its
 * users), ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser.
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

#define IAM_MAX_GROUPS 300

int iam_create_group(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "GroupName");
	const char *path = aws_in_str(c, "Path");
	struct iam_group g;
	char id[32];
	int64_t n = 0;
	int rc;

	if (path == NULL)
		path = "/";
	if ((rc = iam_check_path(path, "path", e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM groups WHERE account = $1",
				  "s", c->caller->account)) < 0)
		return rc;
	if (n >= IAM_MAX_GROUPS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for GroupsPerAccount: %d.", IAM_MAX_GROUPS);
	if ((rc = iam_new_id(id, sizeof(id), "AGPA", e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"INSERT INTO groups (id, account, name, path, created) VALUES ($1, $2, $3, $4, $5)",
			"ssssi", id, c->caller->account, name, path, c->now);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "Group with name %s already exists.", name);
	if (rc < 0 || (rc = iam_group_find(&g, c, name, e)) < 0)
		return rc;
	c->out = json_pack("{s:o}", "Group", iam_group_json(&g));
	return c->out ? 0 : err_oom(e);
}

int iam_get_group(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_group g;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *users;
	int rc;

	if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0 ||
	    (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT u.id FROM group_members m JOIN users u ON u.id = m.user_id"
			 " WHERE m.group_id = $1 ORDER BY u.name COLLATE NOCASE LIMIT $2 OFFSET $3",
			 "sii", g.id, pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	users = json_array();
	c->out = json_pack("{s:o, s:o}", "Group", iam_group_json(&g), "Users", users);
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

static int list_groups_query(struct aws_call *c, struct store_stmt *q, const struct iam_page *pg,
			     const char *member, struct err *e)
{
	int64_t seen = 0;
	json_t *groups = json_array();
	int rc;

	c->out = json_pack("{s:o}", member, groups);
	while ((rc = store_step(q, e)) == 1) {
		struct iam_group g;

		if (++seen > pg->limit)
			break;
		memset(&g, 0, sizeof(g));
		snprintf(g.id, sizeof(g.id), "%s", store_col_text(q, 0));
		snprintf(g.name, sizeof(g.name), "%s", store_col_text(q, 1));
		snprintf(g.path, sizeof(g.path), "%s", store_col_text(q, 2));
		g.created = store_col_int(q, 3);
		snprintf(g.arn, sizeof(g.arn), "arn:aws:iam::%s:group%s%s", c->caller->account,
			 g.path, g.name);
		json_array_append_new(groups, iam_group_json(&g));
	}
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, pg, seen);
	return 0;
}

int iam_list_groups(struct aws_call *c, struct err *e)
{
	const char *prefix = aws_in_str(c, "PathPrefix");
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int rc;

	if ((prefix && (rc = iam_check_path_prefix(prefix, e)) < 0) ||
	    (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT id, name, path, created FROM groups WHERE account = $1"
			 " AND substr(path, 1, length($2)) = $2"
			 " ORDER BY name COLLATE NOCASE LIMIT $3 OFFSET $4",
			 "ssii", c->caller->account, prefix ? prefix : "/", pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	rc = list_groups_query(c, q, &pg, "Groups", e);
	store_stmt_free(q);
	return rc;
}

int iam_list_groups_for_user(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_user u;
	struct iam_page pg;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT g.id, g.name, g.path, g.created FROM group_members m"
			 " JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1"
			 " ORDER BY g.name COLLATE NOCASE LIMIT $2 OFFSET $3",
			 "sii", u.id, pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	rc = list_groups_query(c, q, &pg, "Groups", e);
	store_stmt_free(q);
	return rc;
}

int iam_update_group(struct aws_call *c, struct err *e)
{
	const char *new_name = aws_in_str(c, "NewGroupName");
	const char *new_path = aws_in_str(c, "NewPath");
	struct iam_group g;
	int rc;

	if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0)
		return rc;
	if (new_path && (rc = iam_check_path(new_path, "newPath", e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE groups SET name = $1, path = $2 WHERE id = $3", "sss",
			new_name ? new_name : g.name, new_path ? new_path : g.path, g.id);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "Group with name %s already exists.", new_name);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_group(struct aws_call *c, struct err *e)
{
	struct iam_group g;
	int64_t n = 0;
	int rc;

	if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM group_members WHERE group_id = $1", "s",
				  g.id)) < 0)
		return rc;
	if (n > 0)
		return err_set(e, CC_ECONFLICT, "DeleteConflict",
			       "Cannot delete entity, must remove users from group first.");
	if ((rc = iam_check_no_policies(c, "group", g.id, e)) < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM groups WHERE id = $1", "s", g.id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_add_user_to_group(struct aws_call *c, struct err *e)
{
	struct iam_group g;
	struct iam_user u;
	int64_t n = 0;
	int rc;

	if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0 ||
	    (rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM group_members WHERE user_id = $1", "s",
				  u.id)) < 0)
		return rc;
	if (n >= IAM_MAX_GROUPS_PER_USER)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for GroupsPerUser: %d", IAM_MAX_GROUPS_PER_USER);
	rc = store_exec(c->tx, e,
			"INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)"
			" ON CONFLICT DO NOTHING",
			"ss", g.id, u.id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_remove_user_from_group(struct aws_call *c, struct err *e)
{
	struct iam_group g;
	struct iam_user u;
	int rc;

	if ((rc = iam_group_find(&g, c, aws_in_str(c, "GroupName"), e)) < 0 ||
	    (rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
			"ss", g.id, u.id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "The user with name %s cannot be found in group %s.", u.name, g.name);
	store_tx_bump(c->tx);
	return 0;
}
