/*
 * entity.c - what the IAM handlers share: finding users, groups, roles and
 * policies by name in the caller's account, their JSON forms, the checks
 * the botocore model cannot express (paths, tag sets, boundaries, what
 * blocks a deletion), the tag tables, Marker/MaxItems pagination, and the
 * resource builders the operation table names.
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

char *iam_arn(struct aws_call *c, const char *kind, const char *path, const char *name)
{
	return arena_printf(c->ar, "arn:aws:iam::%s:%s%s%s", c->caller->account, kind,
			    path ? path : "/", name);
}

int iam_new_id(char *out, size_t outsz, const char *prefix, struct err *e)
{
	/* ids are 21 characters, access key ids 20, as AWS's */
	size_t n = strcmp(prefix, "AKIA") == 0 || strcmp(prefix, "ASIA") == 0 ||
			   strcmp(prefix, "APKA") == 0 ? 16 : 17;

	if (id_new(out, outsz, prefix, n) < 0)
		return err_set(e, CC_ERROR, NULL, "cannot make an id");
	return 0;
}

/* ---- lookups ----------------------------------------------------------------- */

static int user_row(struct iam_user *out, struct aws_call *c, struct store_stmt *q,
		    const char *what, struct err *e)
{
	int rc = store_step(q, e);

	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity", "The user with name %s cannot be found.",
			     what);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", store_col_text(q, 0));
	snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 1));
	snprintf(out->path, sizeof(out->path), "%s", store_col_text(q, 2));
	out->created = store_col_int(q, 3);
	out->password_last_used = store_col_int(q, 4);
	snprintf(out->boundary, sizeof(out->boundary), "%s", store_col_text(q, 5));
	snprintf(out->arn, sizeof(out->arn), "arn:aws:iam::%s:user%s%s", c->caller->account,
		 out->path, out->name);
	return 0;
}

int iam_user_find(struct iam_user *out, struct aws_call *c, const char *name, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT id, name, path, created, password_last_used, boundary_arn FROM users"
			 " WHERE account = $1 AND name = $2 COLLATE NOCASE",
			 "ss", c->caller->account, name);
	if (rc == 0)
		rc = user_row(out, c, q, name, e);
	store_stmt_free(q);
	return rc;
}

int iam_user_by_id(struct iam_user *out, struct aws_call *c, const char *id, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT id, name, path, created, password_last_used, boundary_arn FROM users"
			 " WHERE account = $1 AND id = $2",
			 "ss", c->caller->account, id);
	if (rc == 0)
		rc = user_row(out, c, q, id, e);
	store_stmt_free(q);
	return rc;
}

int iam_target_user(struct iam_user **out, struct iam_user *storage, struct aws_call *c,
		    struct err *e)
{
	const char *name = aws_in_str(c, "UserName");
	int rc;

	*out = NULL;
	if (name == NULL) {
		if (c->caller->kind == PRINCIPAL_ROOT)
			return 0;
		if (c->caller->kind != PRINCIPAL_USER)
			return err_set(e, CC_EINVAL, "ValidationError",
				       "Must specify userName when calling with non-User credentials");
		rc = iam_user_by_id(storage, c, c->caller->user_id, e);
	} else {
		rc = iam_user_find(storage, c, name, e);
	}
	if (rc == 0)
		*out = storage;
	return rc;
}

int iam_group_find(struct iam_group *out, struct aws_call *c, const char *name, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT id, name, path, created FROM groups"
			 " WHERE account = $1 AND name = $2 COLLATE NOCASE",
			 "ss", c->caller->account, name);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "The group with name %s cannot be found.", name);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		snprintf(out->id, sizeof(out->id), "%s", store_col_text(q, 0));
		snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 1));
		snprintf(out->path, sizeof(out->path), "%s", store_col_text(q, 2));
		out->created = store_col_int(q, 3);
		snprintf(out->arn, sizeof(out->arn), "arn:aws:iam::%s:group%s%s",
			 c->caller->account, out->path, out->name);
		rc = 0;
	}
	store_stmt_free(q);
	return rc;
}

int iam_role_read(struct iam_role *out, struct aws_call *c, struct store_stmt *q,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", store_col_text(q, 0));
	snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 1));
	snprintf(out->path, sizeof(out->path), "%s", store_col_text(q, 2));
	out->description = arena_strdup(c->ar, store_col_text(q, 3));
	out->trust_policy = arena_strdup(c->ar, store_col_text(q, 4));
	out->max_session = store_col_int(q, 5);
	snprintf(out->boundary, sizeof(out->boundary), "%s", store_col_text(q, 6));
	out->created = store_col_int(q, 7);
	out->last_used = store_col_int(q, 8);
	snprintf(out->last_used_region, sizeof(out->last_used_region), "%s",
		 store_col_text(q, 9));
	snprintf(out->arn, sizeof(out->arn), "arn:aws:iam::%s:role%s%s", c->caller->account,
		 out->path, out->name);
	if (out->description == NULL || out->trust_policy == NULL)
		return err_oom(e);
	return 0;
}

static int role_row(struct iam_role *out, struct aws_call *c, struct store_stmt *q,
		    const char *what, struct err *e)
{
	int rc = store_step(q, e);

	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity", "The role with name %s cannot be found.",
			     what);
	if (rc < 0)
		return rc;
	return iam_role_read(out, c, q, e);
}

int iam_role_find(struct iam_role *out, struct aws_call *c, const char *name, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT " IAM_ROLE_COLS " FROM roles"
			 " WHERE account = $1 AND name = $2 COLLATE NOCASE",
			 "ss", c->caller->account, name);
	if (rc == 0)
		rc = role_row(out, c, q, name, e);
	store_stmt_free(q);
	return rc;
}

int iam_policy_find(struct iam_policy *out, struct aws_call *c, const char *arn, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT p.id, p.name, p.path, p.arn, p.account, p.description,"
			 " p.default_version, p.created, p.updated,"
			 " (SELECT count(*) FROM attachments a WHERE a.policy_id = p.id"
			 "  AND a.account = $2)"
			 " FROM policies p WHERE p.arn = $1 AND p.account IN ($2, 'aws')",
			 "ss", arn, c->caller->account);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "Policy %s does not exist or is not attachable.", arn);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		snprintf(out->id, sizeof(out->id), "%s", store_col_text(q, 0));
		snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 1));
		snprintf(out->path, sizeof(out->path), "%s", store_col_text(q, 2));
		snprintf(out->arn, sizeof(out->arn), "%s", store_col_text(q, 3));
		snprintf(out->account, sizeof(out->account), "%s", store_col_text(q, 4));
		snprintf(out->description, sizeof(out->description), "%s", store_col_text(q, 5));
		snprintf(out->default_version, sizeof(out->default_version), "%s",
			 store_col_text(q, 6));
		out->created = store_col_int(q, 7);
		out->updated = store_col_int(q, 8);
		out->attachments = store_col_int(q, 9);
		rc = 0;
	}
	store_stmt_free(q);
	return rc;
}

/* ---- JSON forms --------------------------------------------------------------- */

json_t *iam_doc_json(const char *doc)
{
	struct buf b = BUF_INIT(0);
	json_t *s;

	url_encode(&b, doc, strlen(doc), false);
	if (buf_failed(&b)) {
		buf_release(&b);
		return NULL;
	}
	s = json_string(buf_cstr(&b));
	buf_release(&b);
	return s;
}

/* sets Tags on o when the owner has any, as AWS leaves the member out otherwise */
static void tags_set(json_t *o, struct aws_call *c, const struct iam_tags *t, const char *owner)
{
	json_t *tags = iam_tags_json(c, t, owner);

	if (json_array_size(tags) > 0)
		json_object_set_new(o, "Tags", tags);
	else
		json_decref(tags);
}

static json_t *boundary_json(const char *arn)
{
	return json_pack("{s:s, s:s}", "PermissionsBoundaryType", "PermissionsBoundaryPolicy",
			 "PermissionsBoundaryArn", arn);
}

json_t *iam_user_json(struct aws_call *c, const struct iam_user *u, bool with_tags)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", u->path, "UserName", u->name,
			      "UserId", u->id, "Arn", u->arn, "CreateDate", aws_time(u->created));

	if (o == NULL)
		return NULL;
	if (u->password_last_used)
		json_object_set_new(o, "PasswordLastUsed", aws_time(u->password_last_used));
	if (u->boundary[0])
		json_object_set_new(o, "PermissionsBoundary", boundary_json(u->boundary));
	if (with_tags)
		tags_set(o, c, &iam_user_tags, u->id);
	return o;
}

json_t *iam_group_json(const struct iam_group *g)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", g->path, "GroupName", g->name,
			 "GroupId", g->id, "Arn", g->arn, "CreateDate", aws_time(g->created));
}

json_t *iam_role_json(struct aws_call *c, const struct iam_role *r, bool full)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "Path", r->path,
			      "RoleName", r->name, "RoleId", r->id, "Arn", r->arn,
			      "CreateDate", aws_time(r->created), "AssumeRolePolicyDocument",
			      iam_doc_json(r->trust_policy), "MaxSessionDuration",
			      (json_int_t)r->max_session);

	if (o == NULL)
		return NULL;
	if (r->description[0])
		json_object_set_new(o, "Description", json_string(r->description));
	if (!full)
		return o; /* ListRoles gives no boundary, tags or last use, as AWS */
	if (r->boundary[0])
		json_object_set_new(o, "PermissionsBoundary", boundary_json(r->boundary));
	tags_set(o, c, &iam_role_tags, r->id);
	if (r->last_used)
		json_object_set_new(o, "RoleLastUsed",
				    json_pack("{s:o, s:s}", "LastUsedDate", aws_time(r->last_used),
					      "Region", r->last_used_region));
	else
		json_object_set_new(o, "RoleLastUsed", json_object());
	return o;
}

json_t *iam_policy_json(const struct iam_policy *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:o}",
			      "PolicyName", p->name, "PolicyId", p->id, "Arn", p->arn,
			      "Path", p->path, "DefaultVersionId", p->default_version,
			      "AttachmentCount", (json_int_t)p->attachments,
			      "PermissionsBoundaryUsageCount", (json_int_t)0,
			      "IsAttachable", 1, "CreateDate", aws_time(p->created),
			      "UpdateDate", aws_time(p->updated));

	if (o && p->description[0])
		json_object_set_new(o, "Description", json_string(p->description));
	return o;
}

/* ---- validation --------------------------------------------------------------- */

int iam_check_path(const char *path, const char *member, struct err *e)
{
	size_t n = strlen(path), i;

	if (n == 0 || n > 512 || path[0] != '/' || path[n - 1] != '/')
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x21 || (unsigned char)path[i] > 0x7e)
			goto bad;
	if (strstr(path, "//"))
		goto bad;
	return 0;
bad:
	return err_set(e, CC_EINVAL, "ValidationError",
		       "1 validation error detected: Value '%.100s' at '%s' failed to satisfy"
		       " constraint: Member must satisfy regular expression pattern:"
		       " (\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)",
		       path, member);
}

int iam_check_path_prefix(const char *prefix, struct err *e)
{
	size_t n = strlen(prefix), i;

	if (n == 0 || n > 512 || prefix[0] != '/')
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)prefix[i] < 0x21 || (unsigned char)prefix[i] > 0x7e)
			goto bad;
	return 0;
bad:
	return err_set(e, CC_EINVAL, "ValidationError",
		       "1 validation error detected: Value '%.100s' at 'pathPrefix' failed to"
		       " satisfy constraint: Member must satisfy regular expression pattern:"
		       " \\u002F[\\u0021-\\u007F]*",
		       prefix);
}

int iam_check_tags(json_t *tags, struct err *e)
{
	size_t i, j, n = json_array_size(tags);

	if (n > IAM_MAX_TAGS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "The number of tags has reached the maximum limit of %d.",
			       IAM_MAX_TAGS);
	for (i = 0; i < n; i++) {
		const char *k = json_string_value(json_object_get(json_array_get(tags, i), "Key"));

		if (k == NULL || k[0] == '\0' || strncasecmp(k, "aws:", 4) == 0)
			return err_set(e, CC_EINVAL, "InvalidInput",
				       "Tag keys must be 1 to 128 characters and cannot begin"
				       " with 'aws:'.");
		for (j = 0; j < i; j++) {
			const char *k2 = json_string_value(
				json_object_get(json_array_get(tags, j), "Key"));

			if (k2 && strcasecmp(k, k2) == 0)
				return err_set(e, CC_EINVAL, "InvalidInput",
					       "Duplicate tag keys found. Please note that Tag keys"
					       " are case insensitive.");
		}
	}
	return 0;
}

int iam_check_boundary(struct aws_call *c, const char *arn, struct err *e)
{
	struct iam_policy p;

	if (arn == NULL)
		return 0;
	if (iam_policy_find(&p, c, arn, e) < 0)
		return e->code == CC_ENOTFOUND
			       ? err_set(e, CC_EINVAL, "InvalidInput", "ARN %s is not valid.", arn)
			       : e->code;
	return 0;
}

int iam_check_no_policies(struct aws_call *c, const char *kind, const char *id, struct err *e)
{
	static const struct {
		const char *sql;
		const char *msg;
	} deps[] = {
		{"SELECT count(*) FROM inline_policies WHERE kind = $1 AND entity_id = $2",
		 "Cannot delete entity, must delete policies first."},
		{"SELECT count(*) FROM attachments WHERE kind = $1 AND entity_id = $2",
		 "Cannot delete entity, must detach all policies first."},
	};
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		int64_t n = 0;

		if ((rc = store_query_int(&n, c->tx, e, deps[i].sql, "ss", kind, id)) < 0)
			return rc;
		if (n > 0)
			return err_set(e, CC_ECONFLICT, "DeleteConflict", "%s", deps[i].msg);
	}
	return 0;
}

/* ---- tags ------------------------------------------------------------------------ */

#define TAG_TABLE(table, col)                                                               \
	{                                                                                   \
		"SELECT coalesce(max(seq), 0) FROM " table " WHERE " col " = $1",           \
		"INSERT INTO " table " (" col ", key, value, seq) VALUES ($1, $2, $3, $4)"   \
		" ON CONFLICT (" col ", key) DO UPDATE SET value = excluded.value",         \
		"SELECT count(*) FROM " table " WHERE " col " = $1",                        \
		"DELETE FROM " table " WHERE " col " = $1 AND key = $2 COLLATE NOCASE",     \
		"SELECT key, value FROM " table " WHERE " col " = $1 ORDER BY seq"          \
		" LIMIT $2 OFFSET $3",                                                      \
	}

const struct iam_tags iam_user_tags = TAG_TABLE("user_tags", "user_id");
const struct iam_tags iam_role_tags = TAG_TABLE("role_tags", "role_id");
const struct iam_tags iam_policy_tags = TAG_TABLE("policy_tags", "policy_id");
const struct iam_tags iam_oidc_tags = TAG_TABLE("oidc_provider_tags", "provider_arn");

int iam_tags_add(struct aws_call *c, const struct iam_tags *t, const char *owner, json_t *tags,
		 struct err *e)
{
	int64_t seq = 0, n = 0;
	size_t i;
	int rc;

	if ((rc = store_query_int(&seq, c->tx, e, t->next_seq, "s", owner)) < 0)
		return rc;
	for (i = 0; i < json_array_size(tags); i++) {
		json_t *tag = json_array_get(tags, i);
		const char *v = json_string_value(json_object_get(tag, "Value"));

		rc = store_exec(c->tx, e, t->upsert, "sssi", owner,
				json_string_value(json_object_get(tag, "Key")), v ? v : "",
				(int64_t)(seq + 1 + (int64_t)i));
		if (rc < 0)
			return rc;
	}
	if ((rc = store_query_int(&n, c->tx, e, t->count, "s", owner)) < 0)
		return rc;
	if (n > IAM_MAX_TAGS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "The number of tags has reached the maximum limit of %d.",
			       IAM_MAX_TAGS);
	return 0;
}

int iam_tags_remove(struct aws_call *c, const struct iam_tags *t, const char *owner,
		    json_t *keys, struct err *e)
{
	size_t i;
	int rc;

	for (i = 0; i < json_array_size(keys); i++)
		if ((rc = store_exec(c->tx, e, t->remove, "ss", owner,
				     json_string_value(json_array_get(keys, i)))) < 0)
			return rc;
	return 0;
}

int iam_tags_list(struct aws_call *c, const struct iam_tags *t, const char *owner,
		  struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *tags;
	int rc;

	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	if ((rc = store_query(&q, c->tx, e, t->list, "sii", owner, pg.limit + 1, pg.offset)) < 0)
		return rc;
	tags = json_array();
	c->out = json_pack("{s:o}", "Tags", tags);
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > pg.limit)
			break;
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key", store_col_text(q, 0),
						      "Value", store_col_text(q, 1)));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

json_t *iam_tags_json(struct aws_call *c, const struct iam_tags *t, const char *owner)
{
	struct store_stmt *q = NULL;
	struct err e = ERR_INIT;
	json_t *a = json_array();

	/* a stored set never holds more than IAM_MAX_TAGS; the limit only bounds the query */
	if (store_query(&q, c->tx, &e, t->list, "sii", owner, (int64_t)1000, (int64_t)0) < 0)
		return a;
	while (store_step(q, &e) == 1)
		json_array_append_new(a, json_pack("{s:s, s:s}", "Key", store_col_text(q, 0),
						   "Value", store_col_text(q, 1)));
	store_stmt_free(q);
	return a;
}

/* ---- pagination ---------------------------------------------------------------- */

int iam_page_init(struct iam_page *pg, struct aws_call *c, struct err *e)
{
	const char *marker = aws_in_str(c, "Marker");
	uint64_t off = 0;

	pg->limit = aws_in_int(c, "MaxItems", 100);
	if (pg->limit < 1 || pg->limit > 1000)
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value '%lld' at 'maxItems' failed to"
			       " satisfy constraint: Member must have value between 1 and 1000",
			       (long long)pg->limit);
	if (marker && parse_u64(marker, strlen(marker), 1, INT32_MAX, &off) < 0)
		return err_set(e, CC_EINVAL, "InvalidInput", "Invalid Marker '%.64s'.", marker);
	pg->offset = (int64_t)off;
	return 0;
}

void iam_page_finish(json_t *out, const struct iam_page *pg, int64_t seen)
{
	bool more = seen > pg->limit;

	json_object_set_new(out, "IsTruncated", json_boolean(more));
	if (more) {
		char m[32];

		snprintf(m, sizeof(m), "%lld", (long long)(pg->offset + pg->limit));
		json_object_set_new(out, "Marker", json_string(m));
	}
}

/* ---- resource builders --------------------------------------------------------- */

int iam_res_user(struct aws_call *c, const char **out, struct err *e)
{
	const char *name = aws_in_str(c, "UserName");
	struct iam_user u;

	if (name == NULL)
		return iam_res_self_user(c, out, e);
	/* a user that does not exist is still named by an ARN, with path "/" */
	if (iam_user_find(&u, c, name, e) == 0)
		*out = arena_strdup(c->ar, u.arn);
	else
		*out = iam_arn(c, "user", "/", name);
	err_clear(e);
	return *out ? 0 : err_oom(e);
}

int iam_res_user_new(struct aws_call *c, const char **out, struct err *e)
{
	const char *path = aws_in_str(c, "Path");

	*out = iam_arn(c, "user", path ? path : "/", aws_in_str(c, "UserName"));
	return *out ? 0 : err_oom(e);
}

/* GetAccessKeyLastUsed names only the key: the resource is its owner. */
int iam_res_key_owner(struct aws_call *c, const char **out, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = c->caller->arn;
	rc = store_query(&q, c->tx, e,
			 "SELECT u.path, u.name FROM access_keys k JOIN users u ON u.id = k.user_id"
			 " WHERE k.id = $1 AND k.account = $2",
			 "ss", aws_in_str(c, "AccessKeyId"), c->caller->account);
	if (rc < 0)
		return rc;
	if ((rc = store_step(q, e)) == 1)
		*out = iam_arn(c, "user", store_col_text(q, 0), store_col_text(q, 1));
	else if (rc == 0) /* root's key, or none: the account */
		*out = arena_printf(c->ar, "arn:aws:iam::%s:root", c->caller->account);
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	return *out ? 0 : err_oom(e);
}

int iam_res_self_user(struct aws_call *c, const char **out, struct err *e)
{
	*out = c->caller->arn;
	return 0;
}

int iam_res_group(struct aws_call *c, const char **out, struct err *e)
{
	const char *name = aws_in_str(c, "GroupName");
	struct iam_group g;

	if (iam_group_find(&g, c, name, e) == 0)
		*out = arena_strdup(c->ar, g.arn);
	else
		*out = iam_arn(c, "group", "/", name);
	err_clear(e);
	return *out ? 0 : err_oom(e);
}

int iam_res_group_new(struct aws_call *c, const char **out, struct err *e)
{
	const char *path = aws_in_str(c, "Path");

	*out = iam_arn(c, "group", path ? path : "/", aws_in_str(c, "GroupName"));
	return *out ? 0 : err_oom(e);
}

int iam_res_role(struct aws_call *c, const char **out, struct err *e)
{
	const char *name = aws_in_str(c, "RoleName");
	struct iam_role r;

	/* a role that does not exist is still named by an ARN, with path "/" */
	if (iam_role_find(&r, c, name, e) == 0)
		*out = arena_strdup(c->ar, r.arn);
	else
		*out = iam_arn(c, "role", "/", name);
	err_clear(e);
	return *out ? 0 : err_oom(e);
}

int iam_res_role_new(struct aws_call *c, const char **out, struct err *e)
{
	const char *path = aws_in_str(c, "Path");

	*out = iam_arn(c, "role", path ? path : "/", aws_in_str(c, "RoleName"));
	return *out ? 0 : err_oom(e);
}

int iam_res_policy(struct aws_call *c, const char **out, struct err *e)
{
	const char *arn = aws_in_str(c, "PolicyArn");

	*out = arn ? arn : "*";
	return 0;
}

int iam_res_policy_new(struct aws_call *c, const char **out, struct err *e)
{
	const char *path = aws_in_str(c, "Path");

	*out = iam_arn(c, "policy", path ? path : "/", aws_in_str(c, "PolicyName"));
	return *out ? 0 : err_oom(e);
}
