/*
 * svccreds.c - Git credentials, which IAM calls service-specific
 * credentials: CreateServiceSpecificCredential, ListServiceSpecificCredentials,
 * ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
 * DeleteServiceSpecificCredential.  Only codecommit.amazonaws.com is served.
 *
 * The user name is NAME-at-ACCOUNT; the password is 32 random bytes in
 * base64 (44 characters of [A-Za-z0-9+/=], like AWS's), shown once, and kept
 * only as SHA-256(salt || password) (auth/password.c).  Matching a Git login
 * against these rows is auth/'s job, not this file's.
 */
#include <string.h>

#include "iam_int.h"

#define SVC_CODECOMMIT "codecommit.amazonaws.com"
#define SVC_SALT_LEN 16
#define SVC_PW_BYTES 32
#define SVC_PW_LEN 44 /* base64 of SVC_PW_BYTES */

struct svc_pw {
	char text[SVC_PW_LEN + 1];
	unsigned char salt[SVC_SALT_LEN];
	unsigned char hash[32];
};

static int svc_pw_new(struct svc_pw *pw, struct err *e);
static void svc_pw_wipe(struct svc_pw *pw);

static int svc_pw_new(struct svc_pw *pw, struct err *e)
{
	unsigned char raw[SVC_PW_BYTES];

	if (rand_bytes(raw, sizeof(raw)) < 0 || rand_bytes(pw->salt, sizeof(pw->salt)) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	b64_encode(pw->text, sizeof(pw->text), raw, sizeof(raw));
	mem_wipe(raw, sizeof(raw));
	gitpw_hash(pw->hash, pw->salt, sizeof(pw->salt), pw->text);
	return 0;
}

static void svc_pw_wipe(struct svc_pw *pw)
{
	mem_wipe(pw, sizeof(*pw));
}

static int check_service(const char *service, struct err *e)
{
	if (strcmp(service, SVC_CODECOMMIT) != 0)
		return err_set(e, CC_ENOTFOUND, "NotSupportedService",
			       "Service %.128s is not supported.", service);
	return 0;
}

/* ServiceSpecificCredential, the full form with the password */
static json_t *cred_json(const struct iam_user *u, const char *id, const char *service,
			 const char *login, const char *password, const char *status,
			 int64_t created)
{
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "CreateDate", aws_time(created),
			 "ServiceName", service, "ServiceUserName", login, "ServicePassword",
			 password, "ServiceSpecificCredentialId", id, "UserName", u->name, "Status",
			 status);
}

int iam_create_service_specific_credential(struct aws_call *c, struct err *e)
{
	const char *service = aws_in_str(c, "ServiceName");
	struct svc_pw pw;
	struct iam_user u;
	char id[32];
	char *login;
	int64_t n = 0;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = check_service(service, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM service_creds WHERE user_id = $1"
				  " AND service = $2",
				  "ss", u.id, service)) < 0)
		return rc;
	if (n >= IAM_MAX_SERVICE_CREDS)
		return err_set(e, CC_ELIMIT, "LimitExceeded",
			       "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d",
			       IAM_MAX_SERVICE_CREDS);
	/* at most 64 + 4 + 12 characters, well inside serviceUserName's 200 */
	if ((login = arena_printf(c->ar, "%s-at-%s", u.name, c->caller->account)) == NULL)
		return err_oom(e);
	if ((rc = iam_new_id(id, sizeof(id), "ACCA", e)) < 0 || (rc = svc_pw_new(&pw, e)) < 0)
		goto out;
	rc = store_exec(c->tx, e,
			"INSERT INTO service_creds (id, user_id, service, login, salt, hash, status,"
			" created) VALUES ($1, $2, $3, $4, $5, $6, 'Active', $7)",
			"ssssbbi", id, u.id, service, login, pw.salt, sizeof(pw.salt), pw.hash,
			sizeof(pw.hash), (int64_t)c->now);
	if (rc < 0)
		goto out;
	store_tx_bump(c->tx);
	c->out = json_pack("{s:o}", "ServiceSpecificCredential",
			   cred_json(&u, id, service, login, pw.text, "Active", c->now));
	rc = c->out ? 0 : err_oom(e);
out:
	svc_pw_wipe(&pw);
	return rc;
}

int iam_list_service_specific_credentials(struct aws_call *c, struct err *e)
{
	const char *service = aws_in_str(c, "ServiceName");
	struct iam_user storage, *u;
	struct store_stmt *q = NULL;
	json_t *list;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0)
		return rc;
	if (service && (rc = check_service(service, e)) < 0)
		return rc;
	list = json_array();
	c->out = json_pack("{s:o}", "ServiceSpecificCredentials", list);
	if (c->out == NULL)
		return err_oom(e);
	if (u == NULL)
		return 0; /* the root user has no service-specific credentials */
	rc = store_query(&q, c->tx, e,
			 "SELECT id, service, login, status, created FROM service_creds"
			 " WHERE user_id = $1 AND ($2 IS NULL OR service = $2) ORDER BY created, id",
			 "ss", u->id, service);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1)
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "UserName",
						u->name, "Status", store_col_text(q, 3),
						"ServiceUserName", store_col_text(q, 2), "CreateDate",
						aws_time(store_col_int(q, 4)),
						"ServiceSpecificCredentialId", store_col_text(q, 0),
						"ServiceName", store_col_text(q, 1)));
	store_stmt_free(q);
	return rc < 0 ? rc : 0;
}

/* The credential (service, login, status, created) if it is the target user's. */
struct svc_row {
	struct iam_user storage, *u;
	char service[64];
	char login[160];
	char status[16];
	int64_t created;
};

static int cred_of_target(struct svc_row *r, struct aws_call *c, const char *id, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	if ((rc = iam_target_user(&r->u, &r->storage, c, e)) < 0)
		return rc;
	if (r->u == NULL)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity", "No such credential %s exists", id);
	rc = store_query(&q, c->tx, e,
			 "SELECT service, login, status, created FROM service_creds"
			 " WHERE id = $1 AND user_id = $2",
			 "ss", id, r->u->id);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity", "No such credential %s exists", id);
	if (rc == 1) {
		snprintf(r->service, sizeof(r->service), "%s", store_col_text(q, 0));
		snprintf(r->login, sizeof(r->login), "%s", store_col_text(q, 1));
		snprintf(r->status, sizeof(r->status), "%s", store_col_text(q, 2));
		r->created = store_col_int(q, 3);
		rc = 0;
	}
	store_stmt_free(q);
	return rc;
}

int iam_reset_service_specific_credential(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "ServiceSpecificCredentialId");
	struct svc_row r;
	struct svc_pw pw;
	int rc;

	memset(&pw, 0, sizeof(pw));
	if ((rc = cred_of_target(&r, c, id, e)) < 0)
		return rc;
	if ((rc = svc_pw_new(&pw, e)) < 0)
		goto out;
	rc = store_exec(c->tx, e, "UPDATE service_creds SET salt = $1, hash = $2 WHERE id = $3",
			"bbs", pw.salt, sizeof(pw.salt), pw.hash, sizeof(pw.hash), id);
	if (rc < 0)
		goto out;
	store_tx_bump(c->tx);
	c->out = json_pack("{s:o}", "ServiceSpecificCredential",
			   cred_json(r.u, id, r.service, r.login, pw.text, r.status, r.created));
	rc = c->out ? 0 : err_oom(e);
out:
	svc_pw_wipe(&pw);
	return rc;
}

int iam_update_service_specific_credential(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "ServiceSpecificCredentialId");
	struct svc_row r;
	int rc;

	if ((rc = cred_of_target(&r, c, id, e)) < 0)
		return rc;
	rc = store_exec(c->tx, e, "UPDATE service_creds SET status = $1 WHERE id = $2", "ss",
			aws_in_str(c, "Status"), id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_service_specific_credential(struct aws_call *c, struct err *e)
{
	const char *id = aws_in_str(c, "ServiceSpecificCredentialId");
	struct svc_row r;
	int rc;

	if ((rc = cred_of_target(&r, c, id, e)) < 0)
		return rc;
	if ((rc = store_exec(c->tx, e, "DELETE FROM service_creds WHERE id = $1", "s", id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}
