/*
 * creds.c - long-term access keys: from key id to secret and principal.
 * A small cache keeps the unsealed secret and the principal for recently
 * used keys; an entry is trusted only while the store's IAM generation is
 * the one it was filled at, so deactivating a key takes effect at once.
 */
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"

struct cred_entry {
	char key_id[32];
	uint64_t generation;
	struct principal who;
	struct secret secret;
	int64_t touched; /* last time last_used was written */
	bool used;
};

struct cred_cache {
	pthread_mutex_t lock;
	size_t n;
	struct cred_entry *e;
};

struct cred_cache *cred_cache_new(size_t max_entries)
{
	struct cred_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->n = max_entries ? max_entries : 1;
	c->e = calloc(c->n, sizeof(*c->e));
	if (c->e == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void cred_cache_free(struct cred_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		secret_release(&c->e[i].secret);
	pthread_mutex_destroy(&c->lock);
	free(c->e);
	free(c);
}

static size_t slot_of(const struct cred_cache *c, const char *key_id)
{
	return (size_t)(hash_str(HASH_SEED, key_id) % c->n);
}

void principal_root(struct principal *out, const char *account)
{
	memset(out, 0, sizeof(*out));
	out->kind = PRINCIPAL_ROOT;
	snprintf(out->account, sizeof(out->account), "%s", account);
	snprintf(out->arn, sizeof(out->arn), "arn:aws:iam::%s:root", account);
	snprintf(out->principal_id, sizeof(out->principal_id), "%s", account);
}

int creds_principal_load(struct principal *out, struct store_tx *tx, const char *account,
			 const char *user_id, struct err *e)
{
	struct store_stmt *q = NULL;
	int rc;

	if (user_id == NULL) {
		principal_root(out, account);
		return 0;
	}
	rc = store_query(&q, tx, e, "SELECT name, path, account FROM users WHERE id = $1", "s",
			 user_id);
	if (rc < 0)
		return rc;
	rc = store_step(q, e);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->kind = PRINCIPAL_USER;
		snprintf(out->account, sizeof(out->account), "%s", store_col_text(q, 2));
		snprintf(out->name, sizeof(out->name), "%s", store_col_text(q, 0));
		snprintf(out->path, sizeof(out->path), "%s", store_col_text(q, 1));
		snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
		snprintf(out->principal_id, sizeof(out->principal_id), "%s", user_id);
		snprintf(out->arn, sizeof(out->arn), "arn:aws:iam::%s:user%s%s", out->account,
			 out->path, out->name);
		rc = 0;
	} else if (rc == 0) {
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity", "user '%s' does not exist", user_id);
	}
	store_stmt_free(q);
	return rc;
}

static int invalid_key(struct err *e)
{
	return err_set(e, CC_EAUTH, "InvalidClientTokenId",
		       "The security token included in the request is invalid.");
}

static int lookup_store(struct principal *who, struct secret *secret, struct store *st,
			const struct sealer *sl, const char *key_id, struct err *e)
{
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	char account[13], user_id[32];
	const void *sealed;
	size_t sealed_len;
	bool root;
	int rc;

	if ((rc = store_begin(&tx, st, false, e)) < 0)
		return rc;
	rc = store_query(&q, tx, e,
			 "SELECT account, user_id, secret, status FROM access_keys WHERE id = $1", "s",
			 key_id);
	if (rc < 0)
		goto out;
	rc = store_step(q, e);
	if (rc <= 0) {
		if (rc == 0) {
			log_info("auth: unknown access key '%s'", key_id);
			rc = invalid_key(e);
		}
		goto out;
	}
	if (strcmp(store_col_text(q, 3), "Active") != 0) {
		log_info("auth: inactive access key '%s'", key_id);
		rc = invalid_key(e);
		goto out;
	}
	snprintf(account, sizeof(account), "%s", store_col_text(q, 0));
	root = store_col_null(q, 1);
	snprintf(user_id, sizeof(user_id), "%s", store_col_text(q, 1));
	sealed = store_col_blob(q, 2, &sealed_len);
	if ((rc = unseal(sl, secret, sealed, sealed_len, key_id, e)) < 0) {
		log_warnx("auth: secret of access key '%s' does not unseal", key_id);
		rc = err_set(e, CC_ERROR, NULL, "internal error");
		goto out;
	}
	store_stmt_free(q);
	q = NULL;
	rc = creds_principal_load(who, tx, account, root ? NULL : user_id, e);
	if (rc == CC_ENOTFOUND)
		rc = invalid_key(e);
	if (rc == 0)
		snprintf(who->access_key_id, sizeof(who->access_key_id), "%s", key_id);
out:
	store_stmt_free(q);
	store_rollback(tx);
	return rc;
}

int creds_lookup(struct principal *out, struct secret *secret, struct store *st,
		 const struct sealer *sl, struct cred_cache *cache, const char *key_id,
		 struct err *e)
{
	uint64_t gen = store_generation(st);
	struct cred_entry *ent;
	int rc;

	if (strlen(key_id) >= sizeof(ent->key_id))
		return invalid_key(e);
	if (cache) {
		pthread_mutex_lock(&cache->lock);
		ent = &cache->e[slot_of(cache, key_id)];
		if (ent->used && ent->generation == gen && strcmp(ent->key_id, key_id) == 0) {
			*out = ent->who;
			rc = secret_set(secret, ent->secret.ptr, ent->secret.len);
			pthread_mutex_unlock(&cache->lock);
			return rc < 0 ? err_oom(e) : 0;
		}
		pthread_mutex_unlock(&cache->lock);
	}
	rc = lookup_store(out, secret, st, sl, key_id, e);
	if (rc < 0 || cache == NULL)
		return rc;
	pthread_mutex_lock(&cache->lock);
	ent = &cache->e[slot_of(cache, key_id)];
	if (!(ent->used && strcmp(ent->key_id, key_id) == 0))
		ent->touched = 0;
	secret_release(&ent->secret);
	if (secret_set(&ent->secret, secret->ptr, secret->len) == 0) {
		snprintf(ent->key_id, sizeof(ent->key_id), "%s", key_id);
		ent->who = *out;
		ent->generation = gen;
		ent->used = true;
	} else {
		ent->used = false;
	}
	pthread_mutex_unlock(&cache->lock);
	return 0;
}

void creds_touch(struct store *st, struct cred_cache *cache, const char *key_id,
		 const char *service, const char *region, int64_t now)
{
	struct store_tx *tx = NULL;
	struct err e = ERR_INIT;
	bool due = true;

	if (cache) {
		struct cred_entry *ent;

		pthread_mutex_lock(&cache->lock);
		ent = &cache->e[slot_of(cache, key_id)];
		if (ent->used && strcmp(ent->key_id, key_id) == 0) {
			due = now - ent->touched >= 60;
			if (due)
				ent->touched = now;
		}
		pthread_mutex_unlock(&cache->lock);
	}
	if (!due || store_begin(&tx, st, true, &e) < 0)
		return;
	if (store_exec(tx, &e,
		       "UPDATE access_keys SET last_used = $1, last_service = $2, last_region = $3"
		       " WHERE id = $4",
		       "isss", now, service, region, key_id) < 0) {
		store_rollback(tx);
		return;
	}
	store_commit(tx, &e);
}

/*
 * Git credentials (service-specific credentials for CodeCommit).  A user
 * may hold two with the same login, so every active one is tried; each
 * comparison is of salted hashes, in constant time.
 */
int gitcred_lookup(struct principal *out, struct store *st, const char *login,
		   const char *password, struct err *e)
{
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	char user_id[32] = "", account[13] = "";
	int rc;

	if ((rc = store_begin(&tx, st, false, e)) < 0)
		return rc;
	rc = store_query(&q, tx, e,
			 "SELECT c.salt, c.hash, u.id, u.account FROM service_creds c"
			 " JOIN users u ON u.id = c.user_id WHERE c.login = $1 AND"
			 " c.service = 'codecommit.amazonaws.com' AND c.status = 'Active'",
			 "s", login);
	while (rc == 0 && (rc = store_step(q, e)) == 1) {
		size_t saltlen = 0, hashlen = 0;
		const void *salt = store_col_blob(q, 0, &saltlen);
		const void *hash = store_col_blob(q, 1, &hashlen);
		unsigned char got[32];

		gitpw_hash(got, salt, saltlen, password);
		if (hashlen == sizeof(got) && CRYPTO_memcmp(got, hash, sizeof(got)) == 0) {
			snprintf(user_id, sizeof(user_id), "%s", store_col_text(q, 2));
			snprintf(account, sizeof(account), "%s", store_col_text(q, 3));
		}
		mem_wipe(got, sizeof(got));
		rc = 0;
	}
	store_stmt_free(q);
	if (rc == 0 && user_id[0] == '\0')
		rc = err_set(e, CC_EAUTH, NULL, "the Git credentials are not valid");
	else if (rc == 0)
		rc = creds_principal_load(out, tx, account, user_id, e);
	store_rollback(tx);
	return rc;
}

int sshkey_lookup(struct principal *out, struct store *st, const char *key_id, const void *blob,
		  size_t n, struct err *e)
{
	struct store_tx *tx = NULL;
	struct store_stmt *q = NULL;
	char user_id[32] = "", account[13] = "";
	int rc;

	if ((rc = store_begin(&tx, st, false, e)) < 0)
		return rc;
	rc = store_query(&q, tx, e,
			 "SELECT k.blob, u.id, u.account FROM ssh_keys k"
			 " JOIN users u ON u.id = k.user_id WHERE k.id = $1 AND k.status = 'Active'",
			 "s", key_id);
	if (rc == 0 && (rc = store_step(q, e)) == 1) {
		size_t len = 0;
		const void *want = store_col_blob(q, 0, &len);

		/* public keys are not secret; the constant-time compare costs nothing */
		if (len == n && CRYPTO_memcmp(want, blob, n) == 0) {
			snprintf(user_id, sizeof(user_id), "%s", store_col_text(q, 1));
			snprintf(account, sizeof(account), "%s", store_col_text(q, 2));
		}
		rc = 0;
	}
	store_stmt_free(q);
	if (rc == 0 && user_id[0] == '\0')
		rc = err_set(e, CC_EAUTH, NULL, "no active SSH key %s with this public key", key_id);
	else if (rc == 0)
		rc = creds_principal_load(out, tx, account, user_id, e);
	if (rc == CC_ENOTFOUND)
		rc = err_set(e, CC_EAUTH, NULL, "the SSH key's user no longer exists");
	store_rollback(tx);
	return rc;
}
