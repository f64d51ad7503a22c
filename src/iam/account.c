/*
 * account.c - the account itself: GetAccountSummary, account aliases, and
 * the bootstrap `commitd init` runs (a new account, its administrator with
 * AdministratorAccess, and the administrator's first access key).
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

int iam_key_insert(struct store_tx *tx, const struct sealer *sl, const char *account,
		   const char *user_id, int64_t now, char *key_id, size_t key_id_sz, char *secret,
		   size_t secret_sz, struct err *e);

int iam_get_account_summary(struct aws_call *c, struct err *e)
{
	static const struct {
		const char *key;
		const char *sql; /* NULL: a fixed quota */
		int64_t quota;
	} rows[] = {
		{"Users", "SELECT count(*) FROM users WHERE account = $1", 0},
		{"UsersQuota", NULL, 5000},
		{"Groups", "SELECT count(*) FROM groups WHERE account = $1", 0},
		{"GroupsQuota", NULL, 300},
		{"Policies", "SELECT count(*) FROM policies WHERE account = $1", 0},
		{"PoliciesQuota", NULL, 1500},
		{"PolicySizeQuota", NULL, IAM_MANAGED_CHARS},
		{"PolicyVersionsInUse",
		 "SELECT count(*) FROM attachments WHERE account = $1", 0},
		{"PolicyVersionsInUseQuota", NULL, 10000},
		{"VersionsPerPolicyQuota", NULL, IAM_MAX_POLICY_VERSIONS},
		{"AttachedPoliciesPerUserQuota", NULL, IAM_MAX_ATTACHED},
		{"AttachedPoliciesPerGroupQuota", NULL, IAM_MAX_ATTACHED},
		{"AttachedPoliciesPerRoleQuota", NULL, IAM_MAX_ATTACHED},
		{"GroupsPerUserQuota", NULL, IAM_MAX_GROUPS_PER_USER},
		{"AccessKeysPerUserQuota", NULL, IAM_MAX_ACCESS_KEYS},
		{"UserPolicySizeQuota", NULL, IAM_INLINE_USER_CHARS},
		{"GroupPolicySizeQuota", NULL, IAM_INLINE_GROUP_CHARS},
		{"RolePolicySizeQuota", NULL, IAM_INLINE_ROLE_CHARS},
		{"AssumeRolePolicySizeQuota", NULL, IAM_TRUST_CHARS},
		{"AccountAccessKeysPresent",
		 "SELECT count(*) > 0 FROM access_keys WHERE account = $1 AND user_id IS NULL", 0},
		{"AccountMFAEnabled", NULL, 0},
		{"MFADevices", NULL, 0},
		{"MFADevicesInUse", NULL, 0},
		{"ServerCertificates", NULL, 0},
		{"ServerCertificatesQuota", NULL, 20},
		{"AccountSigningCertificatesPresent", NULL, 0},
		{"Roles", "SELECT count(*) FROM roles WHERE account = $1", 0},
		{"RolesQuota", NULL, IAM_MAX_ROLES},
		{"Providers", NULL, 0},
		{"InstanceProfiles", NULL, 0},
		{"InstanceProfilesQuota", NULL, 1000},
		{"GlobalEndpointTokenVersion", NULL, 1},
	};
	json_t *map = json_object();
	size_t i;
	int rc;

	c->out = json_pack("{s:o}", "SummaryMap", map);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		int64_t v = rows[i].quota;

		if (rows[i].sql &&
		    (rc = store_query_int(&v, c->tx, e, rows[i].sql, "s", c->caller->account)) < 0)
			return rc;
		json_object_set_new(map, rows[i].key, json_integer((json_int_t)v));
	}
	return 0;
}

/* 3 to 63 of [a-z0-9-], no leading, trailing or doubled hyphen (AWS's rule) */
static int alias_check(const char *a, struct err *e)
{
	size_t n = strlen(a), i;

	if (n < 3 || n > 63 || a[0] == '-' || a[n - 1] == '-' || strstr(a, "--"))
		goto bad;
	for (i = 0; i < n; i++)
		if (!((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9') || a[i] == '-'))
			goto bad;
	return 0;
bad:
	return err_set(e, CC_EINVAL, "ValidationError",
		       "1 validation error detected: Value '%.63s' at 'accountAlias' failed to"
		       " satisfy constraint: Member must satisfy regular expression pattern:"
		       " ^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$",
		       a);
}

int iam_create_account_alias(struct aws_call *c, struct err *e)
{
	const char *alias = aws_in_str(c, "AccountAlias");
	int rc;

	if ((rc = alias_check(alias, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE accounts SET alias = $1 WHERE id = $2", "ss", alias,
			c->caller->account);
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "The account alias %s already exists.", alias);
	return rc < 0 ? rc : 0;
}

int iam_list_account_aliases(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	json_t *aliases = json_array();
	int rc;

	c->out = json_pack("{s:o, s:b}", "AccountAliases", aliases, "IsTruncated", 0);
	rc = store_query(&q, c->tx, e, "SELECT alias FROM accounts WHERE id = $1 AND alias IS NOT NULL",
			 "s", c->caller->account);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1)
		json_array_append_new(aliases, json_string(store_col_text(q, 0)));
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

int iam_delete_account_alias(struct aws_call *c, struct err *e)
{
	const char *alias = aws_in_str(c, "AccountAlias");
	int rc;

	rc = store_exec(c->tx, e, "UPDATE accounts SET alias = NULL WHERE id = $1 AND alias = $2",
			"ss", c->caller->account, alias);
	if (rc == 0)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "The account alias %s cannot be found.", alias);
	return rc < 0 ? rc : 0;
}

/* ---- bootstrap -------------------------------------------------------------- */

static int account_id_new(char out[13])
{
	unsigned char r[12];
	int i;

	if (rand_bytes(r, sizeof(r)) < 0)
		return CC_ERROR;
	for (i = 0; i < 12; i++)
		out[i] = (char)('0' + r[i] % 10);
	if (out[0] == '0')
		out[0] = '1';
	out[12] = '\0';
	return 0;
}

int iam_bootstrap_account(struct iam_bootstrap *b, struct store *st, const struct sealer *sl,
			  struct err *e)
{
	struct store_tx *tx = NULL;
	char user_id[32], policy_id[32];
	int64_t now = time_now(), have = 0;
	int rc;

	if (b->account[0] == '\0' && account_id_new(b->account) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	if ((rc = iam_managed_sync(st, e)) < 0)
		return rc;
	if ((rc = store_begin(&tx, st, true, e)) < 0)
		return rc;
	rc = store_query_int(&have, tx, e, "SELECT count(*) FROM accounts WHERE id = $1", "s",
			     b->account);
	if (rc < 0)
		goto out;
	if (have) {
		rc = err_set(e, CC_EEXISTS, NULL, "account %s already exists", b->account);
		goto out;
	}
	if ((rc = store_exec(tx, e, "INSERT INTO accounts (id, created) VALUES ($1, $2)", "si",
			     b->account, now)) < 0)
		goto out;
	if ((rc = iam_new_id(user_id, sizeof(user_id), "AIDA", e)) < 0)
		goto out;
	if ((rc = store_exec(tx, e,
			     "INSERT INTO users (id, account, name, path, created)"
			     " VALUES ($1, $2, $3, '/', $4)",
			     "sssi", user_id, b->account, b->user_name, now)) < 0)
		goto out;
	{
		struct store_stmt *q = NULL;

		rc = store_query(&q, tx, e,
				 "SELECT id FROM policies WHERE arn = 'arn:aws:iam::aws:policy/AdministratorAccess'",
				 "");
		if (rc < 0)
			goto out;
		rc = store_step(q, e);
		if (rc == 1)
			snprintf(policy_id, sizeof(policy_id), "%s", store_col_text(q, 0));
		store_stmt_free(q);
		if (rc <= 0) {
			rc = rc < 0 ? rc : err_set(e, CC_ERROR, NULL, "AdministratorAccess is missing");
			goto out;
		}
	}
	if ((rc = store_exec(tx, e,
			     "INSERT INTO attachments (policy_id, account, kind, entity_id)"
			     " VALUES ($1, $2, 'user', $3)",
			     "sss", policy_id, b->account, user_id)) < 0)
		goto out;
	rc = iam_key_insert(tx, sl, b->account, user_id, now, b->access_key_id,
			    sizeof(b->access_key_id), b->secret_key, sizeof(b->secret_key), e);
	if (rc < 0)
		goto out;
	snprintf(b->user_arn, sizeof(b->user_arn), "arn:aws:iam::%s:user/%s", b->account,
		 b->user_name);
	rc = store_commit(tx, e);
	tx = NULL;
out:
	store_rollback(tx);
	return rc;
}
