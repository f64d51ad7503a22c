/*
 * repo_policy.c - a resource policy per repository (commitd's own
 * operations, in the JSON API beside CodeCommit's): PutRepositoryPolicy,
 * GetRepositoryPolicy, DeleteRepositoryPolicy.
 *
 * The setup guide's "Access control" shortcuts, granting an IAM user, group
 * or role Read or ReadWrite on one repository, are expanded here into
 * ordinary statements, so the evaluator sees one resource-based policy:
 *
 *   user or role  Principal {"AWS": ARN}
 *   group         Principal {"AWS": "*"}, with conditions that the caller is
 *                 in this account and commitd:PrincipalGroupArns holds the
 *                 group's ARN (IAM has no group principals; aws/authz.c
 *                 supplies the key from the caller's memberships)
 */
#include <stdio.h>
#include <string.h>

#include "cc_int.h"

#define POLICY_MAX_CHARS 20480

static const char *const read_actions[] = {
	"codecommit:GitPull", "codecommit:BatchDescribe*", "codecommit:BatchGet*",
	"codecommit:Describe*", "codecommit:Get*", "codecommit:List*",
};

/* Read, and what changes branches, files, commits and pull requests */
static const char *const write_actions[] = {
	"codecommit:GitPush", "codecommit:CreateBranch", "codecommit:DeleteBranch",
	"codecommit:UpdateDefaultBranch", "codecommit:PutFile", "codecommit:DeleteFile",
	"codecommit:CreateCommit", "codecommit:CreateUnreferencedMergeCommit",
	"codecommit:Merge*", "codecommit:CreatePullRequest", "codecommit:UpdatePullRequest*",
	"codecommit:PostComment*", "codecommit:UpdateComment", "codecommit:DeleteCommentContent",
	"codecommit:PutCommentReaction",
};

static int malformed(struct err *e, const char *fmt, const char *arg)
{
	char msg[sizeof(e->msg)];

	snprintf(msg, sizeof(msg), fmt, arg);
	return err_set(e, CC_EINVAL, "MalformedPolicyDocumentException", "%s", msg);
}

/* "arn:aws:iam::<account>:<kind>/<path/>name" in the caller's account */
static int grant_principal(struct aws_call *c, const char *arn, const char **kind,
			   struct err *e)
{
	char prefix[64];
	const char *rest, *name;
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:",
				    c->caller->account);
	int64_t found = 0;
	int rc;

	if (arn == NULL || strncmp(arn, prefix, n) != 0)
		return malformed(e, "grant principal '%.300s' is not the ARN of a user, group or"
				    " role of this account", arn ? arn : "");
	rest = arn + n;
	if (strncmp(rest, "user/", 5) == 0)
		*kind = "user";
	else if (strncmp(rest, "group/", 6) == 0)
		*kind = "group";
	else if (strncmp(rest, "role/", 5) == 0)
		*kind = "role";
	else
		return malformed(e, "grant principal '%.300s' is not the ARN of a user, group or"
				    " role of this account", arn);
	name = strrchr(rest, '/') + 1;
	if (*name == '\0')
		return malformed(e, "grant principal '%.300s' names no entity", arn);
	if (strcmp(*kind, "role") == 0)
		return 0; /* roles arrive with STS AssumeRole; the ARN is kept as given */
	rc = store_query_int(&found, c->tx, e,
			     strcmp(*kind, "user") == 0
				     ? "SELECT count(*) FROM users WHERE account = $1 AND name = $2"
				     : "SELECT count(*) FROM groups WHERE account = $1 AND name = $2",
			     "ss", c->caller->account, name);
	if (rc < 0)
		return rc;
	if (found == 0)
		return malformed(e, "grant principal '%.300s' does not exist", arn);
	return 0;
}

static json_t *actions(bool write)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(read_actions); i++)
		json_array_append_new(a, json_string(read_actions[i]));
	for (i = 0; write && i < ARRAY_SIZE(write_actions); i++)
		json_array_append_new(a, json_string(write_actions[i]));
	return a;
}

static int grant_statement(struct aws_call *c, json_t *grant, size_t idx, const char *repo_arn,
			   json_t *stmts, struct err *e)
{
	const char *arn = json_string_value(json_object_get(grant, "principal"));
	const char *access = json_string_value(json_object_get(grant, "access"));
	const char *kind = NULL;
	bool write;
	json_t *st;
	int rc;

	if (access == NULL || (strcmp(access, "Read") != 0 && strcmp(access, "ReadWrite") != 0))
		return malformed(e, "grant access '%.40s' is neither Read nor ReadWrite",
				 access ? access : "");
	write = strcmp(access, "ReadWrite") == 0;
	if ((rc = grant_principal(c, arn, &kind, e)) < 0)
		return rc;
	st = json_pack("{s:s, s:s, s:o, s:s}", "Sid",
		       arena_printf(c->ar, "commitd%s%zu", access, idx + 1), "Effect", "Allow",
		       "Action", actions(write), "Resource", repo_arn);
	if (st == NULL)
		return err_oom(e);
	if (strcmp(kind, "group") == 0) {
		json_object_set_new(st, "Principal", json_pack("{s:s}", "AWS", "*"));
		json_object_set_new(st, "Condition",
				    json_pack("{s:{s:[s]}, s:{s:s}}", "ForAnyValue:StringEquals",
					      "commitd:PrincipalGroupArns", arn, "StringEquals",
					      "aws:PrincipalAccount", c->caller->account));
	} else {
		json_object_set_new(st, "Principal", json_pack("{s:s}", "AWS", arn));
	}
	json_array_append_new(stmts, st);
	return 0;
}

int cc_put_repository_policy(struct aws_call *c, struct err *e)
{
	const char *doc = aws_in_str(c, "policyDocument");
	json_t *grants = json_object_get(c->in, "grants");
	json_t *stmts = json_array(), *given = NULL, *out = NULL;
	struct policy *pol = NULL;
	struct err pe = ERR_INIT;
	struct cc_repo r;
	char *text = NULL;
	size_t i;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e)) < 0)
		goto out;
	if (doc == NULL && json_array_size(grants) == 0) {
		rc = malformed(e, "%s", "give a policyDocument, grants, or both");
		goto out;
	}
	if (doc) {
		json_t *s;

		given = json_loads(doc, JSON_REJECT_DUPLICATES, NULL);
		s = json_object_get(given, "Statement");
		if (!json_is_object(given) || s == NULL) {
			rc = malformed(e, "%s", "the policy document is not a JSON object with a"
						 " Statement");
			goto out;
		}
		if (json_is_array(s))
			json_array_extend(stmts, s);
		else
			json_array_append(stmts, s);
	}
	for (i = 0; i < json_array_size(grants); i++)
		if ((rc = grant_statement(c, json_array_get(grants, i), i, r.arn, stmts, e)) < 0)
			goto out;
	out = json_pack("{s:s, s:O}", "Version", "2012-10-17", "Statement", stmts);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	if (text == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if (policy_parse(&pol, text, strlen(text), POLICY_RESOURCE, POLICY_MAX_CHARS, &pe) < 0) {
		rc = malformed(e, "%s", pe.msg);
		goto out;
	}
	rc = store_exec(c->tx, e, "UPDATE repositories SET policy = $1, modified = $2 WHERE id = $3",
			"sis", text, c->now, r.id);
	if (rc < 0)
		goto out;
	c->out = json_pack("{s:s, s:s}", "repositoryName", r.name, "policyDocument", text);
	rc = c->out ? 0 : err_oom(e);
out:
	policy_free(pol);
	free(text);
	json_decref(out);
	json_decref(given);
	json_decref(stmts);
	return rc;
}

int cc_get_repository_policy(struct aws_call *c, struct err *e)
{
	struct cc_repo r;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e)) < 0)
		return rc;
	if (r.policy == NULL)
		return err_set(e, CC_ENOTFOUND, "RepositoryPolicyNotFoundException",
			       "Repository %s has no resource policy.", r.name);
	c->out = json_pack("{s:s, s:s}", "repositoryName", r.name, "policyDocument", r.policy);
	return c->out ? 0 : err_oom(e);
}

int cc_delete_repository_policy(struct aws_call *c, struct err *e)
{
	struct cc_repo r;
	int rc;

	if ((rc = cc_repo_find(&r, c, aws_in_str(c, "repositoryName"), e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"UPDATE repositories SET policy = NULL, modified = $1 WHERE id = $2", "is",
			c->now, r.id);
	if (rc < 0)
		return rc;
	c->out = json_object();
	return c->out ? 0 : err_oom(e);
}
