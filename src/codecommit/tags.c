/*
 * tags.c - repository tags: TagResource, UntagResource,
 * ListTagsForResource, and the tags map of CreateRepository.
 */
#include <string.h>

#include "cc_int.h"

static int check_key(const char *k, struct err *e)
{
	size_t n = utf8_chars(k);

	if (n < 1 || n > 128)
		return err_set(e, CC_EINVAL, "InvalidTagsMapException",
			       "The map of tags is not valid: a tag key has 1 to 128 characters.");
	if (strncasecmp(k, "aws:", 4) == 0)
		return err_set(e, CC_EINVAL, "InvalidSystemTagUsageException",
			       "The tag key '%.128s' is not valid: the prefix aws: is reserved for"
			       " system use.", k);
	return 0;
}

int cc_check_tags(json_t *tags, struct err *e)
{
	const char *k;
	json_t *v;
	int rc;

	if (!json_is_object(tags))
		return err_set(e, CC_EINVAL, "InvalidTagsMapException",
			       "The map of tags is not valid.");
	if (json_object_size(tags) > CC_MAX_TAGS)
		return err_set(e, CC_ELIMIT, "TooManyTagsException",
			       "The maximum number of tags for a resource (%d) was exceeded.",
			       CC_MAX_TAGS);
	json_object_foreach(tags, k, v) {
		if ((rc = check_key(k, e)) < 0)
			return rc;
		if (!json_is_string(v) || utf8_chars(json_string_value(v)) > 256)
			return err_set(e, CC_EINVAL, "InvalidTagsMapException",
				       "The map of tags is not valid: the value of tag '%.128s' has"
				       " more than 256 characters.", k);
	}
	return 0;
}

int cc_tags_put(struct aws_call *c, const char *repo_id, json_t *tags, struct err *e)
{
	const char *k;
	json_t *v;
	int64_t n = 0;
	int rc;

	json_object_foreach(tags, k, v) {
		rc = store_exec(c->tx, e,
				"INSERT INTO repository_tags (repo_id, key, value) VALUES ($1, $2, $3)"
				" ON CONFLICT (repo_id, key) DO UPDATE SET value = excluded.value",
				"sss", repo_id, k, json_string_value(v));
		if (rc < 0)
			return rc;
	}
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM repository_tags WHERE repo_id = $1", "s",
				  repo_id)) < 0)
		return rc;
	if (n > CC_MAX_TAGS)
		return err_set(e, CC_ELIMIT, "TooManyTagsException",
			       "The maximum number of tags for a resource (%d) was exceeded.",
			       CC_MAX_TAGS);
	return 0;
}

/* the repository a resourceArn names, checked by cc_res_arn() already */
static int arn_repo(struct cc_repo *r, struct aws_call *c, struct err *e)
{
	const char *arn = aws_in_str(c, "resourceArn");

	return cc_repo_find(r, c, strrchr(arn, ':') + 1, e);
}

int cc_tag_resource(struct aws_call *c, struct err *e)
{
	json_t *tags = json_object_get(c->in, "tags");
	struct cc_repo r;
	int rc;

	if ((rc = arn_repo(&r, c, e)) < 0)
		return rc;
	if (tags == NULL)
		return err_set(e, CC_EINVAL, "TagsMapRequiredException",
			       "A map of tags is required.");
	if ((rc = cc_check_tags(tags, e)) < 0)
		return rc;
	return cc_tags_put(c, r.id, tags, e);
}

int cc_untag_resource(struct aws_call *c, struct err *e)
{
	json_t *keys = json_object_get(c->in, "tagKeys");
	struct cc_repo r;
	size_t i;
	int rc;

	if ((rc = arn_repo(&r, c, e)) < 0)
		return rc;
	if (keys == NULL)
		return err_set(e, CC_EINVAL, "TagKeysListRequiredException",
			       "A list of tag keys is required.");
	if (!json_is_array(keys) || json_array_size(keys) > CC_MAX_TAGS)
		return err_set(e, CC_EINVAL, "InvalidTagKeysListException",
			       "The list of tags is not valid.");
	for (i = 0; i < json_array_size(keys); i++) {
		const char *k = json_string_value(json_array_get(keys, i));

		if (k == NULL || (rc = check_key(k, e)) < 0)
			return err_set(e, CC_EINVAL, "InvalidTagKeysListException",
				       "The list of tags is not valid.");
		rc = store_exec(c->tx, e,
				"DELETE FROM repository_tags WHERE repo_id = $1 AND key = $2", "ss",
				r.id, k);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cc_list_tags_for_resource(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	struct cc_repo r;
	json_t *tags;
	int rc;

	if ((rc = arn_repo(&r, c, e)) < 0)
		return rc;
	if (aws_in_str(c, "nextToken")) /* every tag fits one page (at most 50) */
		return err_set(e, CC_EINVAL, "InvalidContinuationTokenException",
			       "The specified continuation token is not valid.");
	rc = store_query(&q, c->tx, e,
			 "SELECT key, value FROM repository_tags WHERE repo_id = $1 ORDER BY key",
			 "s", r.id);
	if (rc < 0)
		return rc;
	tags = json_object();
	c->out = json_pack("{s:o}", "tags", tags);
	while ((rc = store_step(q, e)) == 1)
		json_object_set_new(tags, store_col_text(q, 0), json_string(store_col_text(q, 1)));
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}
