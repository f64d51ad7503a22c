/*
 * repos.c - repositories: CreateRepository, GetRepository,
 * BatchGetRepositories, ListRepositories, DeleteRepository,
 * UpdateRepositoryName, UpdateRepositoryDescription.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_int.h"

#define CC_BATCH_MAX 25

static int check_description(const char *d, struct err *e)
{
	if (d && utf8_chars(d) > CC_MAX_DESCRIPTION)
		return err_set(e, CC_EINVAL, "InvalidRepositoryDescriptionException",
			       "The repository description is not valid: it has more than %d"
			       " characters.", CC_MAX_DESCRIPTION);
	return 0;
}

static int metadata_out(struct aws_call *c, const struct cc_repo *r, struct err *e)
{
	json_t *m = cc_repo_json(c, r);

	c->out = m ? json_pack("{s:o}", "repositoryMetadata", m) : NULL;
	return c->out ? 0 : err_oom(e);
}

int cc_create_repository(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "repositoryName");
	const char *desc = aws_in_str(c, "repositoryDescription");
	json_t *tags = json_object_get(c->in, "tags");
	struct cc_repo r;
	char id[37];
	int64_t n = 0;
	int rc;

	if ((rc = cc_check_repo_name(name, e)) < 0 || (rc = check_description(desc, e)) < 0 ||
	    (tags && (rc = cc_check_tags(tags, e)) < 0))
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM repositories WHERE account = $1", "s",
				  c->caller->account)) < 0)
		return rc;
	if (n >= CC_MAX_REPOS)
		return err_set(e, CC_ELIMIT, "RepositoryLimitExceededException",
			       "A repository limit was exceeded: an account has at most %d"
			       " repositories.", CC_MAX_REPOS);
	if (uuid_new(id) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	rc = store_exec(c->tx, e,
			"INSERT INTO repositories (id, account, name, description, created, modified)"
			" VALUES ($1, $2, $3, $4, $5, $5)",
			"ssssi", id, c->caller->account, name, desc, c->now);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "RepositoryNameExistsException",
			       "Repository named %s already exists", name);
	if (rc < 0 || (tags && (rc = cc_tags_put(c, id, tags, e)) < 0))
		return rc;
	if ((rc = gitrepo_create(c->env->data_dir, c->caller->account, id, e)) < 0)
		return rc;
	if ((rc = cc_repo_find(&r, c, name, e)) < 0) {
		gitrepo_remove(c->env->data_dir, c->caller->account, id, e);
		return rc;
	}
	return metadata_out(c, &r, e);
}

int cc_get_repository(struct aws_call *c, struct err *e)
{
	struct cc_repo r;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e)) < 0)
		return rc;
	return metadata_out(c, &r, e);
}

int cc_batch_get_repositories(struct aws_call *c, struct err *e)
{
	json_t *names = json_object_get(c->in, "repositoryNames");
	json_t *found, *missing;
	size_t i;
	int rc;

	if (!json_is_array(names) || json_array_size(names) == 0)
		return err_set(e, CC_EINVAL, "RepositoryNamesRequiredException",
			       "At least one repository name is required, but was not specified.");
	if (json_array_size(names) > CC_BATCH_MAX)
		return err_set(e, CC_EINVAL, "MaximumRepositoryNamesExceededException",
			       "The maximum number of allowed repository names (%d) was exceeded.",
			       CC_BATCH_MAX);
	/* every name is checked and authorized before anything is answered */
	for (i = 0; i < json_array_size(names); i++) {
		const char *name = json_string_value(json_array_get(names, i));

		c->resource_policy = NULL;
		if ((rc = cc_check_repo_name(name, e)) < 0 ||
		    (rc = cc_repo_policy_load(c, name, e)) < 0 ||
		    (rc = aws_authorize(c, c->row->action, cc_repo_arn(c, c->caller->account, name),
					NULL, 0, e)) < 0)
			return rc;
	}
	found = json_array();
	missing = json_array();
	c->out = json_pack("{s:o, s:o}", "repositories", found, "repositoriesNotFound", missing);
	if (c->out == NULL)
		return err_oom(e);
	for (i = 0; i < json_array_size(names); i++) {
		const char *name = json_string_value(json_array_get(names, i));
		struct err e2 = ERR_INIT;
		struct cc_repo r;

		rc = cc_repo_find(&r, c, name, &e2);
		if (rc == CC_ENOTFOUND)
			json_array_append_new(missing, json_string(name));
		else if (rc < 0)
			return *e = e2, rc;
		else
			json_array_append_new(found, cc_repo_json(c, &r));
	}
	return 0;
}

/* nextToken: "o<offset>" in base64url; anything else is refused */
static int token_decode(const char *tok, int64_t *offset, struct err *e)
{
	unsigned char raw[32];
	long n;

	*offset = 0;
	if (tok == NULL)
		return 0;
	n = b64_decode(raw, sizeof(raw) - 1, tok, strlen(tok));
	if (n < 2 || raw[0] != 'o' ||
	    parse_i64((const char *)raw + 1, (size_t)n - 1, 0, INT32_MAX, offset) < 0)
		return err_set(e, CC_EINVAL, "InvalidContinuationTokenException",
			       "The specified continuation token is not valid.");
	return 0;
}

static json_t *token_encode(int64_t offset)
{
	char raw[32], out[64];
	int n = snprintf(raw, sizeof(raw), "o%lld", (long long)offset);

	b64url_encode(out, sizeof(out), (const unsigned char *)raw, (size_t)n);
	return json_string(out);
}

int cc_list_repositories(struct aws_call *c, struct err *e)
{
	const char *sort = aws_in_str(c, "sortBy"), *order = aws_in_str(c, "order");
	struct store_stmt *q = NULL;
	const char *sql;
	int64_t offset, seen = 0;
	bool desc = false, by_date = false;
	json_t *list;
	int rc;

	if (sort && !(by_date = strcmp(sort, "lastModifiedDate") == 0) &&
	    strcmp(sort, "repositoryName") != 0)
		return err_set(e, CC_EINVAL, "InvalidSortByException",
			       "The specified sort by value is not valid: use repositoryName or"
			       " lastModifiedDate.");
	if (order && !(desc = strcmp(order, "descending") == 0) && strcmp(order, "ascending") != 0)
		return err_set(e, CC_EINVAL, "InvalidOrderException",
			       "The specified sort order is not valid: use ascending or descending.");
	if ((rc = token_decode(aws_in_str(c, "nextToken"), &offset, e)) < 0)
		return rc;
	/* four literal statements: the store caches prepared statements by SQL text */
	if (by_date)
		sql = desc ? "SELECT name, id FROM repositories WHERE account = $1"
			     " ORDER BY modified DESC, name DESC LIMIT $2 OFFSET $3"
			   : "SELECT name, id FROM repositories WHERE account = $1"
			     " ORDER BY modified, name LIMIT $2 OFFSET $3";
	else
		sql = desc ? "SELECT name, id FROM repositories WHERE account = $1"
			     " ORDER BY name DESC LIMIT $2 OFFSET $3"
			   : "SELECT name, id FROM repositories WHERE account = $1"
			     " ORDER BY name LIMIT $2 OFFSET $3";
	rc = store_query(&q, c->tx, e, sql, "sii", c->caller->account, (int64_t)CC_LIST_PAGE + 1,
			 offset);
	if (rc < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "repositories", list);
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > CC_LIST_PAGE)
			break;
		json_array_append_new(list, json_pack("{s:s, s:s}", "repositoryName",
						      store_col_text(q, 0), "repositoryId",
						      store_col_text(q, 1)));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	if (seen > CC_LIST_PAGE)
		json_object_set_new(c->out, "nextToken", token_encode(offset + CC_LIST_PAGE));
	return 0;
}

struct doomed {
	char account[13];
	char id[37];
};

static void remove_files(struct aws_call *c, void *arg)
{
	struct doomed *d = arg;
	struct err e = ERR_INIT;

	if (gitrepo_remove(c->env->data_dir, d->account, d->id, &e) < 0)
		log_warnx("codecommit: %s", e.msg);
}

int cc_delete_repository(struct aws_call *c, struct err *e)
{
	struct cc_repo r;
	struct doomed *d;
	int rc;

	rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e);
	if (rc == CC_ENOTFOUND) { /* as AWS: deleting what is gone is not an error */
		err_clear(e);
		c->out = json_object();
		return c->out ? 0 : err_oom(e);
	}
	if (rc < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM repositories WHERE id = $1", "s", r.id)) < 0)
		return rc;
	if ((d = arena_alloc(c->ar, sizeof(*d))) == NULL)
		return err_oom(e);
	memcpy(d->account, r.account, sizeof(d->account));
	memcpy(d->id, r.id, sizeof(d->id));
	c->after_commit = remove_files;
	c->after_arg = d;
	c->out = json_pack("{s:s}", "repositoryId", r.id);
	return c->out ? 0 : err_oom(e);
}

int cc_update_repository_name(struct aws_call *c, struct err *e)
{
	const char *newname = aws_in_str(c, "newName");
	struct cc_repo r;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "oldName"), e)) < 0 ||
	    (rc = cc_check_repo_name(newname, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE repositories SET name = $1, modified = $2 WHERE id = $3",
			"sis", newname, c->now, r.id);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "RepositoryNameExistsException",
			       "Repository named %s already exists", newname);
	return rc < 0 ? rc : 0;
}

int cc_update_repository_description(struct aws_call *c, struct err *e)
{
	const char *desc = aws_in_str(c, "repositoryDescription");
	struct cc_repo r;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e)) < 0 ||
	    (rc = check_description(desc, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"UPDATE repositories SET description = $1, modified = $2 WHERE id = $3",
			"sis", desc, c->now, r.id);
	return rc < 0 ? rc : 0;
}
