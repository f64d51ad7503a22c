/*
 * inline.c - inline policies of users, groups and roles: Put, Get, List and
 * Delete{User,Group,Role}Policy.  A document is validated with policy_parse()
 * and stored as given; Put replaces a policy of the same name.  AWS's size
 * quota counts every inline policy of the entity together, whitespace not
 * counted (2,048 characters for a user, 5,120 for a group, 10,240 for a
 * role).  Documents are handed out URL-encoded, as IAM does.
 */
#include <string.h>

#include "iam_int.h"

struct owner {
	const char *kind;  /* "user", "group" or "role" */
	const char *member; /* the owner's name member: "UserName", ... */
	const char *name;  /* as stored */
	size_t max_chars;  /* aggregate size quota */
	char id[32];
	char stored_name[129];
};

static int owner_find(struct owner *o, struct aws_call *c, const char *kind, struct err *e)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	if (strcmp(kind, "user") == 0) {
		struct iam_user u;

		o->member = "UserName";
		o->max_chars = IAM_INLINE_USER_CHARS;
		if ((rc = iam_user_find(&u, c, aws_in_str(c, o->member), e)) < 0)
			return rc;
		snprintf(o->id, sizeof(o->id), "%s", u.id);
		snprintf(o->stored_name, sizeof(o->stored_name), "%s", u.name);
	} else if (strcmp(kind, "role") == 0) {
		struct iam_role r;

		o->member = "RoleName";
		o->max_chars = IAM_INLINE_ROLE_CHARS;
		if ((rc = iam_role_find(&r, c, aws_in_str(c, o->member), e)) < 0)
			return rc;
		snprintf(o->id, sizeof(o->id), "%s", r.id);
		snprintf(o->stored_name, sizeof(o->stored_name), "%s", r.name);
	} else {
		struct iam_group g;

		o->member = "GroupName";
		o->max_chars = IAM_INLINE_GROUP_CHARS;
		if ((rc = iam_group_find(&g, c, aws_in_str(c, o->member), e)) < 0)
			return rc;
		snprintf(o->id, sizeof(o->id), "%s", g.id);
		snprintf(o->stored_name, sizeof(o->stored_name), "%s", g.name);
	}
	o->name = o->stored_name;
	return 0;
}

static int policy_missing(struct err *e, const struct owner *o, const char *name)
{
	return err_set(e, CC_ENOTFOUND, "NoSuchEntity", "The %s policy with name %s cannot be found.",
		       o->kind, name);
}

/* The size of the entity's other inline policies, for the aggregate quota. */
static int others_size(size_t *out, struct aws_call *c, const struct owner *o, const char *name,
		       struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = 0;
	rc = store_query(&q, c->tx, e, "SELECT document FROM inline_policies WHERE kind = $1"
				       " AND entity_id = $2 AND name <> $3", "sss", o->kind, o->id,
			 name);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1) {
		const char *doc = store_col_text(q, 0);

		*out += policy_size_nows(doc, strlen(doc));
	}
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

static int put_policy(struct aws_call *c, const char *kind, struct err *e)
{
	const char *name = aws_in_str(c, "PolicyName");
	const char *doc = aws_in_str(c, "PolicyDocument");
	struct policy *p = NULL;
	struct owner o;
	size_t others = 0;
	int rc;

	if ((rc = owner_find(&o, c, kind, e)) < 0)
		return rc;
	if ((rc = policy_parse(&p, doc, strlen(doc), POLICY_IDENTITY, 0, e)) < 0)
		return rc;
	policy_free(p);
	if ((rc = others_size(&others, c, &o, name, e)) < 0)
		return rc;
	if (others + policy_size_nows(doc, strlen(doc)) > o.max_chars)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Maximum policy size of %zu bytes exceeded for %s %s", o.max_chars,
			       o.kind, o.name);
	rc = store_exec(c->tx, e,
			"INSERT INTO inline_policies (kind, entity_id, name, document)"
			" VALUES ($1, $2, $3, $4)"
			" ON CONFLICT (kind, entity_id, name) DO UPDATE SET document = excluded.document",
			"ssss", o.kind, o.id, name, doc);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

static int get_policy(struct aws_call *c, const char *kind, struct err *e)
{
	const char *name = aws_in_str(c, "PolicyName");
	struct store_stmt *q = NULL;
	struct owner o;
	int rc;

	if ((rc = owner_find(&o, c, kind, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e, "SELECT name, document FROM inline_policies WHERE kind = $1"
				       " AND entity_id = $2 AND name = $3", "sss", o.kind, o.id, name);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = policy_missing(e, &o, name);
	if (rc == 1) {
		c->out = json_pack("{s:s, s:s, s:o}", o.member, o.name, "PolicyName",
				   store_col_text(q, 0), "PolicyDocument",
				   iam_doc_json(store_col_text(q, 1)));
		rc = c->out ? 0 : err_oom(e);
	}
	store_stmt_free(q);
	return rc;
}

static int list_policies(struct aws_call *c, const char *kind, struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_page pg;
	struct owner o;
	int64_t seen = 0;
	json_t *names;
	int rc;

	if ((rc = owner_find(&o, c, kind, e)) < 0 || (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e, "SELECT name FROM inline_policies WHERE kind = $1"
				       " AND entity_id = $2 ORDER BY name LIMIT $3 OFFSET $4",
			 "ssii", o.kind, o.id, pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	names = json_array();
	c->out = json_pack("{s:o}", "PolicyNames", names);
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > pg.limit)
			break;
		json_array_append_new(names, json_string(store_col_text(q, 0)));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

static int delete_policy(struct aws_call *c, const char *kind, struct err *e)
{
	const char *name = aws_in_str(c, "PolicyName");
	struct owner o;
	int rc;

	if ((rc = owner_find(&o, c, kind, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "DELETE FROM inline_policies WHERE kind = $1 AND entity_id = $2"
				  " AND name = $3", "sss", o.kind, o.id, name);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return policy_missing(e, &o, name);
	store_tx_bump(c->tx);
	return 0;
}

int iam_put_user_policy(struct aws_call *c, struct err *e) { return put_policy(c, "user", e); }
int iam_get_user_policy(struct aws_call *c, struct err *e) { return get_policy(c, "user", e); }
int iam_list_user_policies(struct aws_call *c, struct err *e) { return list_policies(c, "user", e); }
int iam_delete_user_policy(struct aws_call *c, struct err *e) { return delete_policy(c, "user", e); }
int iam_put_group_policy(struct aws_call *c, struct err *e) { return put_policy(c, "group", e); }
int iam_get_group_policy(struct aws_call *c, struct err *e) { return get_policy(c, "group", e); }

int iam_list_group_policies(struct aws_call *c, struct err *e)
{
	return list_policies(c, "group", e);
}

int iam_delete_group_policy(struct aws_call *c, struct err *e)
{
	return delete_policy(c, "group", e);
}

int iam_put_role_policy(struct aws_call *c, struct err *e) { return put_policy(c, "role", e); }
int iam_get_role_policy(struct aws_call *c, struct err *e) { return get_policy(c, "role", e); }

int iam_list_role_policies(struct aws_call *c, struct err *e)
{
	return list_policies(c, "role", e);
}

int iam_delete_role_policy(struct aws_call *c, struct err *e)
{
	return delete_policy(c, "role", e);
}
