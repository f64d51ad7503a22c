/*
 * repo_util.c - what the CodeCommit handlers share about repositories:
 * name checks with CodeCommit's own exceptions, lookups in the caller's
 * account, ARNs, clone URLs, repositoryMetadata, and the resource builders
 * of the operation table.
 */
#include <stdio.h>
#include <string.h>

#include "cc_int.h"

int cc_check_repo_name(const char *name, struct err *e)
{
	if (name == NULL || name[0] == '\0')
		return err_set(e, CC_EINVAL, "RepositoryNameRequiredException",
			       "A repository name is required, but was not specified.");
	if (!git_repo_name_ok(name, strlen(name)))
		return err_set(e, CC_EINVAL, "InvalidRepositoryNameException",
			       "The repository name '%.200s' is not valid. A repository name has 1 to"
			       " %d letters, digits, '.', '_' or '-', and does not end in '.git'.",
			       name, GIT_REPO_NAME_MAX);
	return 0;
}

const char *cc_repo_arn(struct aws_call *c, const char *account, const char *name)
{
	return arena_printf(c->ar, "arn:aws:codecommit:%s:%s:%s", c->env->region, account, name);
}

static int repo_row(struct cc_repo *out, struct aws_call *c, struct store_stmt *q)
{
	snprintf(out->id, sizeof(out->id), "%s", store_col_text(q, 0));
	snprintf(out->account, sizeof(out->account), "%s", store_col_text(q, 1));
	snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 2));
	out->description = store_col_null(q, 3) ? NULL : arena_strdup(c->ar, store_col_text(q, 3));
	out->created = store_col_int(q, 4);
	out->modified = store_col_int(q, 5);
	out->policy = store_col_null(q, 6) ? NULL : arena_strdup(c->ar, store_col_text(q, 6));
	snprintf(out->arn, sizeof(out->arn), "arn:aws:codecommit:%s:%s:%s", c->env->region,
		 out->account, out->name);
	return 0;
}

int cc_repo_find(struct cc_repo *out, struct aws_call *c, const char *name, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	if ((rc = cc_check_repo_name(name, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT id, account, name, description, created, modified, policy"
			 " FROM repositories WHERE account = $1 AND name = $2",
			 "ss", c->caller->account, name);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 1)
		rc = repo_row(out, c, q);
	else if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "RepositoryDoesNotExistException",
			     "%s does not exist", name);
	store_stmt_free(q);
	return rc;
}

const char *cc_repo_dir(struct aws_call *c, const struct cc_repo *r)
{
	struct buf b = BUF_INIT(0);
	const char *out = NULL;

	if (gitrepo_dir(&b, c->env->data_dir, r->account, r->id) == 0)
		out = arena_strdup(c->ar, buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* "ssh://HOST/v1/repos/NAME": the host of the public URL; SSH listens on its own port */
static char *ssh_url(struct aws_call *c, const char *name)
{
	const char *u = c->env->public_url, *h = strstr(u, "://");
	size_t n;

	h = h ? h + 3 : u;
	n = strcspn(h, "/");
	if (h[0] != '[') { /* drop the HTTP port, keep an IPv6 literal whole */
		const char *colon = memchr(h, ':', n);

		if (colon)
			n = (size_t)(colon - h);
	} else {
		const char *end = memchr(h, ']', n);

		if (end)
			n = (size_t)(end - h) + 1;
	}
	return arena_printf(c->ar, "ssh://%.*s:%u/v1/repos/%s", (int)n, h, c->env->ssh_port, name);
}

json_t *cc_repo_json(struct aws_call *c, const struct cc_repo *r)
{
	struct err e = ERR_INIT;
	char branch[300];
	const char *dir = cc_repo_dir(c, r);
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s}", "accountId", r->account,
		      "repositoryId", r->id, "repositoryName", r->name, "lastModifiedDate",
		      aws_time(r->modified), "creationDate", aws_time(r->created), "cloneUrlHttp",
		      arena_printf(c->ar, "%s/v1/repos/%s", c->env->public_url, r->name),
		      "cloneUrlSsh", ssh_url(c, r->name), "Arn", r->arn);
	if (o == NULL)
		return NULL;
	if (r->description)
		json_object_set_new(o, "repositoryDescription", json_string(r->description));
	if (dir && gitrepo_default_branch(branch, sizeof(branch), dir, &e) == 0 && branch[0])
		json_object_set_new(o, "defaultBranch", json_string(branch));
	else if (e.code)
		log_warnx("codecommit: %s", e.msg);
	return o;
}

int cc_repo_policy_load(struct aws_call *c, const char *name, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT policy FROM repositories WHERE account = $1 AND name = $2"
			 " AND policy IS NOT NULL", "ss", c->caller->account, name);
	if (rc < 0)
		return rc;
	if ((rc = store_step(q, e)) == 1)
		c->resource_policy = arena_strdup(c->ar, store_col_text(q, 0));
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

int cc_res_repo(struct aws_call *c, const char **out, struct err *e)
{
	const char *name = aws_in_str(c, "repositoryName");
	int rc;

	if ((rc = cc_check_repo_name(name, e)) < 0 || (rc = cc_repo_policy_load(c, name, e)) < 0)
		return rc;
	*out = cc_repo_arn(c, c->caller->account, name);
	return *out ? 0 : err_oom(e);
}

int cc_res_arn(struct aws_call *c, const char **out, struct err *e)
{
	const char *arn = aws_in_str(c, "resourceArn");
	char prefix[128];
	size_t n;

	if (arn == NULL || arn[0] == '\0')
		return err_set(e, CC_EINVAL, "ResourceArnRequiredException",
			       "A valid Amazon Resource Name (ARN) for a CodeCommit resource is"
			       " required but was not specified.");
	n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:codecommit:%s:%s:", c->env->region,
			     c->caller->account);
	if (strncmp(arn, prefix, n) != 0 || cc_check_repo_name(arn + n, e) < 0)
		return err_set(e, CC_EINVAL, "InvalidResourceArnException",
			       "The value for the resource ARN is not valid: '%.300s' is not the"
			       " ARN of a repository in account %s (%s).", arn, c->caller->account,
			       c->env->region);
	*out = arn;
	return cc_repo_policy_load(c, arn + n, e);
}
