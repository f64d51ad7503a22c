/*
 * login.c - console passwords: CreateLoginProfile, GetLoginProfile,
 * UpdateLoginProfile, DeleteLoginProfile, ChangePassword, and the account
 * password policy (GetAccountPasswordPolicy, UpdateAccountPasswordPolicy,
 * DeleteAccountPasswordPolicy).  Passwords are kept only as Argon2id hashes
 * (auth/password.c).  The policy is stored as JSON in
 * accounts.password_policy; with none set, IAM's default rules apply: at
 * least 8 characters, at least three of upper case, lower case, digits and
 * other characters, and not the user's name or the account's e-mail address.
 *
 * Not enforced here: PasswordReusePrevention (no history is kept) and
 * MaxPasswordAge/HardExpiry, which are the console sign-in's concern.
 */
#include <stdlib.h>
#include <string.h>

#include "iam_int.h"

#define HASH_MAX 256 /* bytes of an encoded Argon2id hash */

/* the symbols IAM's RequireSymbols counts */
static const char iam_symbols[] = "!@#$%^&*()_+-=[]{}|'";

struct pw_policy {
	bool set;           /* false: none set, IAM's defaults apply */
	int64_t min_len;
	bool symbols, numbers, upper, lower;
	bool allow_change;
	int64_t max_age;    /* days, 0: none */
	int64_t reuse;      /* 0: none */
	bool hard_expiry;
};

static int policy_load(struct pw_policy *p, struct aws_call *c, struct err *e);
static int password_check(struct aws_call *c, const char *user, const char *pw, struct err *e);

static bool jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int policy_load(struct pw_policy *p, struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	json_t *o = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = store_query(&q, c->tx, e, "SELECT password_policy FROM accounts WHERE id = $1", "s",
			 c->caller->account);
	if (rc < 0)
		return rc;
	if ((rc = store_step(q, e)) < 0)
		goto out;
	rc = 0;
	if (store_col_null(q, 0) || (o = json_loads(store_col_text(q, 0), 0, NULL)) == NULL)
		goto out;
	p->set = true;
	p->min_len = jint(o, "MinimumPasswordLength");
	p->symbols = jbool(o, "RequireSymbols");
	p->numbers = jbool(o, "RequireNumbers");
	p->upper = jbool(o, "RequireUppercaseCharacters");
	p->lower = jbool(o, "RequireLowercaseCharacters");
	p->allow_change = jbool(o, "AllowUsersToChangePassword");
	p->max_age = jint(o, "MaxPasswordAge");
	p->reuse = jint(o, "PasswordReusePrevention");
	p->hard_expiry = jbool(o, "HardExpiry");
out:
	json_decref(o);
	store_stmt_free(q);
	return rc;
}

static int violation(struct err *e)
{
	return err_set(e, CC_EINVAL, "PasswordPolicyViolation",
		       "Password does not conform to the account password policy.");
}

/* The new password of user `user` against the account's policy or IAM's defaults. */
static int password_check(struct aws_call *c, const char *user, const char *pw, struct err *e)
{
	struct pw_policy p;
	size_t n = strlen(pw), i;
	bool up = false, low = false, dig = false, sym = false, other = false;
	int rc;

	if ((rc = policy_load(&p, c, e)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)pw[i];

		if (ch >= 'A' && ch <= 'Z')
			up = true;
		else if (ch >= 'a' && ch <= 'z')
			low = true;
		else if (ch >= '0' && ch <= '9')
			dig = true;
		else {
			other = true;
			if (strchr(iam_symbols, ch))
				sym = true;
		}
	}
	if (p.set) {
		if ((int64_t)n < (p.min_len ? p.min_len : 6) || (p.symbols && !sym) ||
		    (p.numbers && !dig) || (p.upper && !up) || (p.lower && !low))
			return violation(e);
		return 0;
	}
	/* IAM's default policy */
	if (n < 8 || (int)up + (int)low + (int)dig + (int)other < 3 || strcasecmp(pw, user) == 0)
		return violation(e);
	{
		int64_t same = 0;

		rc = store_query_int(&same, c->tx, e,
				     "SELECT count(*) FROM accounts WHERE id = $1 AND root_email IS NOT"
				     " NULL AND lower(root_email) = lower($2)",
				     "ss", c->caller->account, pw);
		if (rc < 0)
			return rc;
		if (same)
			return violation(e);
	}
	return 0;
}

static int no_profile(struct err *e, const char *user)
{
	return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
		       "Login Profile for User %s cannot be found.", user);
}

static json_t *profile_json(const struct iam_user *u, int64_t created, bool reset)
{
	return json_pack("{s:{s:s, s:o, s:b}}", "LoginProfile", "UserName", u->name, "CreateDate",
			 aws_time(created), "PasswordResetRequired", reset);
}

/* hashes pw into out (HASH_MAX bytes) */
static int hash_new(char *out, const char *pw, struct err *e)
{
	return password_hash(out, HASH_MAX, pw, e);
}

int iam_create_login_profile(struct aws_call *c, struct err *e)
{
	const char *pw = aws_in_str(c, "Password");
	bool reset = aws_in_bool(c, "PasswordResetRequired", false);
	char hash[HASH_MAX];
	struct iam_user u;
	int64_t n = 0;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM login_profiles WHERE user_id = $1", "s",
				  u.id)) < 0)
		return rc;
	if (n > 0)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "Login Profile for user %s already exists.", u.name);
	if ((rc = password_check(c, u.name, pw, e)) < 0 || (rc = hash_new(hash, pw, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"INSERT INTO login_profiles (user_id, hash, reset_required, created)"
			" VALUES ($1, $2, $3, $4)",
			"ssii", u.id, hash, (int64_t)reset, (int64_t)c->now);
	mem_wipe(hash, sizeof(hash));
	if (rc == CC_EEXISTS)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "Login Profile for user %s already exists.", u.name);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	c->out = profile_json(&u, c->now, reset);
	return c->out ? 0 : err_oom(e);
}

int iam_get_login_profile(struct aws_call *c, struct err *e)
{
	struct store_stmt *q = NULL;
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e,
			 "SELECT created, reset_required FROM login_profiles WHERE user_id = $1", "s",
			 u.id);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = no_profile(e, u.name);
	if (rc == 1) {
		c->out = profile_json(&u, store_col_int(q, 0), store_col_int(q, 1) != 0);
		rc = c->out ? 0 : err_oom(e);
	}
	store_stmt_free(q);
	return rc;
}

static int profile_exists(struct aws_call *c, const struct iam_user *u, struct err *e)
{
	int64_t n = 0;
	int rc = store_query_int(&n, c->tx, e,
				 "SELECT count(*) FROM login_profiles WHERE user_id = $1", "s", u->id);

	if (rc < 0)
		return rc;
	return n ? 0 : no_profile(e, u->name);
}

int iam_update_login_profile(struct aws_call *c, struct err *e)
{
	const char *pw = aws_in_str(c, "Password");
	char hash[HASH_MAX];
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = profile_exists(c, &u, e)) < 0)
		return rc;
	if (pw) {
		if ((rc = password_check(c, u.name, pw, e)) < 0 || (rc = hash_new(hash, pw, e)) < 0)
			return rc;
		rc = store_exec(c->tx, e, "UPDATE login_profiles SET hash = $1 WHERE user_id = $2",
				"ss", hash, u.id);
		mem_wipe(hash, sizeof(hash));
		if (rc < 0)
			return rc;
	}
	if (aws_in_has(c, "PasswordResetRequired")) {
		rc = store_exec(c->tx, e,
				"UPDATE login_profiles SET reset_required = $1 WHERE user_id = $2",
				"is", (int64_t)aws_in_bool(c, "PasswordResetRequired", false), u.id);
		if (rc < 0)
			return rc;
	}
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_login_profile(struct aws_call *c, struct err *e)
{
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = profile_exists(c, &u, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "DELETE FROM login_profiles WHERE user_id = $1", "s", u.id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_change_password(struct aws_call *c, struct err *e)
{
	const char *old_pw = aws_in_str(c, "OldPassword");
	const char *new_pw = aws_in_str(c, "NewPassword");
	struct store_stmt *q = NULL;
	char hash[HASH_MAX];
	struct iam_user u;
	bool ok;
	int rc;

	/* the root user and role sessions have no IAM login profile to change */
	if (c->caller->kind != PRINCIPAL_USER)
		return err_set(e, CC_EINVAL, "InvalidUserType",
			       "Only IAM users can change their own password with ChangePassword.");
	if ((rc = iam_user_by_id(&u, c, c->caller->user_id, e)) < 0)
		return rc;
	rc = store_query(&q, c->tx, e, "SELECT hash FROM login_profiles WHERE user_id = $1", "s",
			 u.id);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = no_profile(e, u.name);
	if (rc < 0) {
		store_stmt_free(q);
		return rc;
	}
	ok = password_verify(store_col_text(q, 0), old_pw);
	store_stmt_free(q);
	if (!ok)
		return err_set(e, CC_EDENIED, "AccessDenied", "The old password was incorrect.");
	if ((rc = password_check(c, u.name, new_pw, e)) < 0 || (rc = hash_new(hash, new_pw, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e,
			"UPDATE login_profiles SET hash = $1, reset_required = 0 WHERE user_id = $2",
			"ss", hash, u.id);
	mem_wipe(hash, sizeof(hash));
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

/* ---- the account password policy ------------------------------------------------ */

int iam_get_account_password_policy(struct aws_call *c, struct err *e)
{
	struct pw_policy p;
	json_t *o;
	int rc;

	if ((rc = policy_load(&p, c, e)) < 0)
		return rc;
	if (!p.set)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "The Password Policy with domain name %s cannot be found.",
			       c->caller->account);
	o = json_pack("{s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "MinimumPasswordLength",
		      (json_int_t)p.min_len, "RequireSymbols", p.symbols, "RequireNumbers", p.numbers,
		      "RequireUppercaseCharacters", p.upper, "RequireLowercaseCharacters", p.lower,
		      "AllowUsersToChangePassword", p.allow_change, "ExpirePasswords",
		      p.max_age > 0, "HardExpiry", p.hard_expiry);
	if (o == NULL)
		return err_oom(e);
	if (p.max_age > 0)
		json_object_set_new(o, "MaxPasswordAge", json_integer(p.max_age));
	if (p.reuse > 0)
		json_object_set_new(o, "PasswordReusePrevention", json_integer(p.reuse));
	c->out = json_pack("{s:o}", "PasswordPolicy", o);
	return c->out ? 0 : err_oom(e);
}

int iam_update_account_password_policy(struct aws_call *c, struct err *e)
{
	json_t *o;
	char *text;
	int rc;

	/* every member left out takes its default, as in IAM: the call replaces the policy */
	o = json_pack("{s:I, s:b, s:b, s:b, s:b, s:b, s:b}", "MinimumPasswordLength",
		      (json_int_t)aws_in_int(c, "MinimumPasswordLength", 6), "RequireSymbols",
		      aws_in_bool(c, "RequireSymbols", false), "RequireNumbers",
		      aws_in_bool(c, "RequireNumbers", false), "RequireUppercaseCharacters",
		      aws_in_bool(c, "RequireUppercaseCharacters", false),
		      "RequireLowercaseCharacters", aws_in_bool(c, "RequireLowercaseCharacters", false),
		      "AllowUsersToChangePassword", aws_in_bool(c, "AllowUsersToChangePassword", false),
		      "HardExpiry", aws_in_bool(c, "HardExpiry", false));
	if (o == NULL)
		return err_oom(e);
	if (aws_in_has(c, "MaxPasswordAge"))
		json_object_set_new(o, "MaxPasswordAge",
				    json_integer(aws_in_int(c, "MaxPasswordAge", 0)));
	if (aws_in_has(c, "PasswordReusePrevention"))
		json_object_set_new(o, "PasswordReusePrevention",
				    json_integer(aws_in_int(c, "PasswordReusePrevention", 0)));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		return err_oom(e);
	rc = store_exec(c->tx, e, "UPDATE accounts SET password_policy = $1 WHERE id = $2", "ss",
			text, c->caller->account);
	free(text);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_account_password_policy(struct aws_call *c, struct err *e)
{
	struct pw_policy p;
	int rc;

	if ((rc = policy_load(&p, c, e)) < 0)
		return rc;
	if (!p.set)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "The account policy with name PasswordPolicy cannot be found.");
	rc = store_exec(c->tx, e, "UPDATE accounts SET password_policy = NULL WHERE id = $1", "s",
			c->caller->account);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}
