/*
 * keys.c - access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey,
 * DeleteAccessKey, GetAccessKeyLastUsed.  The secret is shown once, at
 * creation, and kept only sealed under the master key (auth/seal.c).
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

int iam_key_insert(struct store_tx *tx, const struct sealer *sl, const char *account,
		   const char *user_id, int64_t now, char *key_id, size_t key_id_sz, char *secret,
		   size_t secret_sz, struct err *e);

int iam_key_insert(struct store_tx *tx, const struct sealer *sl, const char *account,
		   const char *user_id, int64_t now, char *key_id, size_t key_id_sz, char *secret,
		   size_t secret_sz, struct err *e)
{
	struct buf sealed = BUF_INIT(0);
	int rc;

	if (id_new(key_id, key_id_sz, "AKIA", 16) < 0 || secret_text_new(secret, secret_sz, 40) < 0)
		return err_set(e, CC_ERROR, NULL, "cannot make a key");
	if ((rc = seal(sl, &sealed, secret, strlen(secret), key_id, e)) < 0)
		goto out;
	rc = store_exec(tx, e,
			"INSERT INTO access_keys (id, account, user_id, secret, status, created)"
			" VALUES ($1, $2, $3, $4, 'Active', $5)",
			"sssbi", key_id, account, user_id, sealed.ptr, sealed.len, now);
	if (rc > 0)
		rc = 0;
	store_tx_bump(tx);
out:
	buf_release(&sealed);
	return rc;
}

static const char *key_owner_name(const struct iam_user *u)
{
	return u ? u->name : "root";
}

int iam_create_access_key(struct aws_call *c, struct err *e)
{
	struct iam_user storage, *u;
	char key_id[32], secret[64];
	int64_t n = 0;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0)
		return rc;
	if (u)
		rc = store_query_int(&n, c->tx, e,
				     "SELECT count(*) FROM access_keys WHERE user_id = $1", "s", u->id);
	else
		rc = store_query_int(&n, c->tx, e,
				     "SELECT count(*) FROM access_keys WHERE account = $1"
				     " AND user_id IS NULL", "s", c->caller->account);
	if (rc < 0)
		return rc;
	if (n >= IAM_MAX_ACCESS_KEYS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for AccessKeysPerUser: %d", IAM_MAX_ACCESS_KEYS);
	rc = iam_key_insert(c->tx, c->env->sealer, c->caller->account, u ? u->id : NULL, c->now,
			    key_id, sizeof(key_id), secret, sizeof(secret), e);
	if (rc < 0)
		goto out;
	c->out = json_pack("{s:{s:s, s:s, s:s, s:s, s:o}}", "AccessKey", "UserName",
			   key_owner_name(u), "AccessKeyId", key_id, "Status", "Active",
			   "SecretAccessKey", secret, "CreateDate", aws_time(c->now));
	rc = c->out ? 0 : err_oom(e);
out:
	mem_wipe(secret, sizeof(secret));
	return rc;
}

int iam_list_access_keys(struct aws_call *c, struct err *e)
{
	struct iam_user storage, *u;
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *keys;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0 || (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	if (u)
		rc = store_query(&q, c->tx, e,
				 "SELECT id, status, created FROM access_keys WHERE user_id = $1"
				 " ORDER BY created, id LIMIT $2 OFFSET $3",
				 "sii", u->id, pg.limit + 1, pg.offset);
	else
		rc = store_query(&q, c->tx, e,
				 "SELECT id, status, created FROM access_keys WHERE account = $1"
				 " AND user_id IS NULL ORDER BY created, id LIMIT $2 OFFSET $3",
				 "sii", c->caller->account, pg.limit + 1, pg.offset);
	if (rc < 0)
		return rc;
	keys = json_array();
	c->out = json_pack("{s:o}", "AccessKeyMetadata", keys);
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > pg.limit)
			break;
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:o}", "UserName",
						      key_owner_name(u), "AccessKeyId",
						      store_col_text(q, 0), "Status",
						      store_col_text(q, 1), "CreateDate",
						      aws_time(store_col_int(q, 2))));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

/* The key must belong to the target user (or to the root user). */
static int key_of_target(struct aws_call *c, const struct iam_user *u, const char *key_id,
			 struct err *e)
{
	int64_t n = 0;
	int rc;

	if (u)
		rc = store_query_int(&n, c->tx, e,
				     "SELECT count(*) FROM access_keys WHERE id = $1 AND user_id = $2",
				     "ss", key_id, u->id);
	else
		rc = store_query_int(&n, c->tx, e,
				     "SELECT count(*) FROM access_keys WHERE id = $1 AND account = $2"
				     " AND user_id IS NULL", "ss", key_id, c->caller->account);
	if (rc < 0)
		return rc;
	if (n == 0)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "The Access Key with id %s cannot be found.", key_id);
	return 0;
}

int iam_update_access_key(struct aws_call *c, struct err *e)
{
	const char *key_id = aws_in_str(c, "AccessKeyId");
	struct iam_user storage, *u;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0 ||
	    (rc = key_of_target(c, u, key_id, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE access_keys SET status = $1 WHERE id = $2", "ss",
			aws_in_str(c, "Status"), key_id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_access_key(struct aws_call *c, struct err *e)
{
	const char *key_id = aws_in_str(c, "AccessKeyId");
	struct iam_user storage, *u;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0 ||
	    (rc = key_of_target(c, u, key_id, e)) < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM access_keys WHERE id = $1", "s", key_id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_get_access_key_last_used(struct aws_call *c, struct err *e)
{
	const char *key_id = aws_in_str(c, "AccessKeyId");
	struct store_stmt *q = NULL;
	json_t *last;
	int rc;

	rc = store_query(&q, c->tx, e,
			 "SELECT k.last_used, k.last_service, k.last_region, u.name FROM access_keys k"
			 " LEFT JOIN users u ON u.id = k.user_id WHERE k.id = $1 AND k.account = $2",
			 "ss", key_id, c->caller->account);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "The Access Key with id %s cannot be found.", key_id);
	if (rc < 0)
		goto out;
	if (store_col_null(q, 0)) {
		last = json_pack("{s:s, s:s}", "ServiceName", "N/A", "Region", "N/A");
	} else {
		last = json_pack("{s:o, s:s, s:s}", "LastUsedDate", aws_time(store_col_int(q, 0)),
				 "ServiceName", store_col_text(q, 1), "Region", store_col_text(q, 2));
	}
	c->out = json_pack("{s:s, s:o}", "UserName",
			   store_col_null(q, 3) ? "root" : store_col_text(q, 3), "AccessKeyLastUsed",
			   last);
	rc = c->out ? 0 : err_oom(e);
out:
	store_stmt_free(q);
	return rc;
}
