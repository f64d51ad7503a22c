/*
 * sshkeys.c - SSH public keys for Git over SSH: UploadSSHPublicKey,
 * ListSSHPublicKeys, GetSSHPublicKey, UpdateSSHPublicKey,
 * DeleteSSHPublicKey.  Parsing and encodings are auth/sshkey.c's; here the
 * keys are tied to users.  A row keeps the body as uploaded, the SSH wire
 * blob the SSH server matches, and the fingerprint IAM shows: the MD5 of
 * the wire blob in colon-separated hex, which is what `ssh-keygen -l -E md5`
 * prints for the same key (IAM documents Fingerprint as "the MD5 message
 * digest of the SSH public key").
 */
#include <string.h>

#include "iam_int.h"

#define SSH_KEY_BLOB_MAX 4096 /* bytes */

static json_t *key_json(const struct iam_user *u, const char *id, const char *fp,
			const char *body, const char *status, int64_t uploaded);
static int key_of_user(struct store_stmt **out, struct aws_call *c, const struct iam_user *u,
		       const char *key_id, struct err *e);

static json_t *key_json(const struct iam_user *u, const char *id, const char *fp,
			const char *body, const char *status, int64_t uploaded)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "UserName", u->name, "SSHPublicKeyId",
			 id, "Fingerprint", fp, "SSHPublicKeyBody", body, "Status", status,
			 "UploadDate", aws_time(uploaded));
}

/* trims blank space and line ends around the body, as the key is stored */
static struct span body_trim(const char *s)
{
	struct span t = span_cstr(s);

	while (t.n && (t.p[0] == ' ' || t.p[0] == '\t' || t.p[0] == '\r' || t.p[0] == '\n')) {
		t.p++;
		t.n--;
	}
	while (t.n && (t.p[t.n - 1] == ' ' || t.p[t.n - 1] == '\t' || t.p[t.n - 1] == '\r' ||
		       t.p[t.n - 1] == '\n'))
		t.n--;
	return t;
}

int iam_upload_ssh_public_key(struct aws_call *c, struct err *e)
{
	const char *text = aws_in_str(c, "SSHPublicKeyBody");
	struct buf blob = BUF_INIT(SSH_KEY_BLOB_MAX);
	struct iam_user u;
	struct span body;
	char type[16], fp[48], id[32];
	char *stored;
	int64_t n = 0;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0)
		return rc;
	if ((rc = sshkey_parse(&blob, type, sizeof(type), text, strlen(text), e)) < 0)
		goto out;
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM ssh_keys WHERE user_id = $1",
				  "s", u.id)) < 0)
		goto out;
	if (n >= IAM_MAX_SSH_KEYS) {
		rc = err_set(e, CC_ELIMIT, "LimitExceeded",
			     "Cannot exceed quota for PublicKeysPerUser: %d", IAM_MAX_SSH_KEYS);
		goto out;
	}
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM ssh_keys WHERE user_id = $1 AND blob = $2",
				  "sb", u.id, blob.ptr, blob.len)) < 0)
		goto out;
	if (n > 0) {
		rc = err_set(e, CC_EEXISTS, "DuplicateSSHPublicKey",
			     "The public key is already associated with the user.");
		goto out;
	}
	sshkey_fingerprint_md5(fp, blob.ptr, blob.len);
	body = body_trim(text);
	if ((stored = arena_strndup(c->ar, body.p, body.n)) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if ((rc = iam_new_id(id, sizeof(id), "APKA", e)) < 0)
		goto out;
	rc = store_exec(c->tx, e,
			"INSERT INTO ssh_keys (id, user_id, body, blob, fingerprint, status, uploaded)"
			" VALUES ($1, $2, $3, $4, $5, 'Active', $6)",
			"sssbsi", id, u.id, stored, blob.ptr, blob.len, fp, (int64_t)c->now);
	if (rc < 0)
		goto out;
	store_tx_bump(c->tx);
	c->out = json_pack("{s:o}", "SSHPublicKey", key_json(&u, id, fp, stored, "Active", c->now));
	rc = c->out ? 0 : err_oom(e);
out:
	buf_release(&blob);
	return rc;
}

int iam_list_ssh_public_keys(struct aws_call *c, struct err *e)
{
	struct iam_user storage, *u;
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *keys;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0 || (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	keys = json_array();
	c->out = json_pack("{s:o}", "SSHPublicKeys", keys);
	if (c->out == NULL)
		return err_oom(e);
	if (u == NULL) {
		/* the root user has no SSH keys */
		iam_page_finish(c->out, &pg, 0);
		return 0;
	}
	/* AWS lists a user's keys by key id */
	rc = store_query(&q, c->tx, e,
			 "SELECT id, status, uploaded FROM ssh_keys WHERE user_id = $1"
			 " ORDER BY id LIMIT $2 OFFSET $3",
			 "sii", u->id, (int64_t)(pg.limit + 1), (int64_t)pg.offset);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1) {
		if (++seen > pg.limit)
			break;
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:o}", "UserName", u->name,
						      "SSHPublicKeyId", store_col_text(q, 0),
						      "Status", store_col_text(q, 1), "UploadDate",
						      aws_time(store_col_int(q, 2))));
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

/* The key's row (id, body, blob, fingerprint, status, uploaded), if it is the user's. */
static int key_of_user(struct store_stmt **out, struct aws_call *c, const struct iam_user *u,
		       const char *key_id, struct err *e)
{
	int rc;

	*out = NULL;
	rc = store_query(out, c->tx, e,
			 "SELECT id, body, blob, fingerprint, status, uploaded FROM ssh_keys"
			 " WHERE id = $1 AND user_id = $2",
			 "ss", key_id, u->id);
	if (rc < 0)
		return rc;
	rc = store_step(*out, e);
	if (rc == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "The Public Key with id %s cannot be found.", key_id);
	if (rc < 0) {
		store_stmt_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

int iam_get_ssh_public_key(struct aws_call *c, struct err *e)
{
	const char *encoding = aws_in_str(c, "Encoding");
	struct buf text = BUF_INIT(0);
	struct store_stmt *q = NULL;
	struct iam_user u;
	const void *blob;
	const char *body;
	size_t n;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = key_of_user(&q, c, &u, aws_in_str(c, "SSHPublicKeyId"), e)) < 0)
		return rc;
	blob = store_col_blob(q, 2, &n);
	body = store_col_text(q, 1);
	if (strcmp(encoding, "PEM") == 0) {
		rc = sshkey_to_pem(&text, blob, n, e);
	} else if (strncmp(body, "ssh-", 4) == 0) {
		/* uploaded in the OpenSSH form: give it back as it came, comment and all */
		rc = buf_puts(&text, body) < 0 ? err_oom(e) : 0;
	} else {
		rc = sshkey_to_openssh(&text, blob, n, e);
	}
	if (rc < 0)
		goto out;
	c->out = json_pack("{s:o}", "SSHPublicKey",
			   key_json(&u, store_col_text(q, 0), store_col_text(q, 3), buf_cstr(&text),
				    store_col_text(q, 4), store_col_int(q, 5)));
	rc = c->out ? 0 : err_oom(e);
out:
	buf_release(&text);
	store_stmt_free(q);
	return rc;
}

int iam_update_ssh_public_key(struct aws_call *c, struct err *e)
{
	const char *key_id = aws_in_str(c, "SSHPublicKeyId");
	struct store_stmt *q = NULL;
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = key_of_user(&q, c, &u, key_id, e)) < 0)
		return rc;
	store_stmt_free(q);
	rc = store_exec(c->tx, e, "UPDATE ssh_keys SET status = $1 WHERE id = $2", "ss",
			aws_in_str(c, "Status"), key_id);
	if (rc < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}

int iam_delete_ssh_public_key(struct aws_call *c, struct err *e)
{
	const char *key_id = aws_in_str(c, "SSHPublicKeyId");
	struct store_stmt *q = NULL;
	struct iam_user u;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = key_of_user(&q, c, &u, key_id, e)) < 0)
		return rc;
	store_stmt_free(q);
	if ((rc = store_exec(c->tx, e, "DELETE FROM ssh_keys WHERE id = $1", "s", key_id)) < 0)
		return rc;
	store_tx_bump(c->tx);
	return 0;
}
