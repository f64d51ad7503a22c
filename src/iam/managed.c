/*
 * managed.c - the AWS managed policies commitd ships (managed_gen.c, made
 * by scripts/gen-managed-policies.py): iam_managed_sync() inserts or
 * refreshes them in the store under the account 'aws', at every start and
 * by `commitd init`.  A policy keeps a stable id (derived from its ARN) so
 * that attachments survive a refresh; only its default version is stored.
 * Policies no longer shipped are left alone: they may still be attached.
 */
#include <string.h>

#include <openssl/sha.h>

#include "iam_int.h"
#include "managed.h"

/* "ANPA" and 17 characters of [A-Z0-9] from SHA-256 of the ARN */
static void managed_id(char *out, size_t outsz, const char *arn)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char id[4 + 17 + 1];
	size_t i;

	SHA256((const unsigned char *)arn, strlen(arn), md);
	memcpy(id, "ANPA", 4);
	for (i = 0; i < 17; i++)
		id[4 + i] = alphabet[md[i] & 31];
	id[21] = '\0';
	snprintf(out, outsz, "%s", id);
}

static int sync_one(struct store_tx *tx, const struct iam_managed_def *d, struct err *e)
{
	struct store_stmt *q = NULL;
	struct policy *p = NULL;
	char id[32];
	int rc;

	/* shipped documents must parse: a failure here is a build defect */
	if ((rc = policy_parse(&p, d->document, strlen(d->document), POLICY_IDENTITY, 0, e)) < 0) {
		log_warnx("managed: '%s' does not parse: %s", d->name, e->msg);
		return err_set(e, CC_ERROR, NULL, "AWS managed policy %s does not parse", d->name);
	}
	policy_free(p);
	managed_id(id, sizeof(id), d->arn);
	rc = store_exec(tx, e,
			"INSERT INTO policies (id, account, name, path, arn, description,"
			" default_version, next_version, created, updated)"
			" VALUES ($1, 'aws', $2, $3, $4, $5, $6, 1, $7, $8)"
			" ON CONFLICT (arn) DO UPDATE SET name = excluded.name, path = excluded.path,"
			" description = excluded.description,"
			" default_version = excluded.default_version,"
			" created = excluded.created, updated = excluded.updated",
			"ssssssii", id, d->name, d->path, d->arn, d->description, d->default_version,
			(int64_t)d->created, (int64_t)d->updated);
	if (rc < 0)
		return rc;
	/* the row may predate stable ids: use whatever id it has */
	if ((rc = store_query(&q, tx, e, "SELECT id FROM policies WHERE arn = $1", "s",
			      d->arn)) < 0)
		return rc;
	if ((rc = store_step(q, e)) == 1)
		snprintf(id, sizeof(id), "%s", store_col_text(q, 0));
	store_stmt_free(q);
	if (rc == 0)
		rc = err_set(e, CC_ERROR, NULL, "AWS managed policy %s vanished", d->name);
	if (rc < 0)
		return rc;
	rc = store_exec(tx, e, "DELETE FROM policy_versions WHERE policy_id = $1 AND version <> $2",
			"ss", id, d->default_version);
	if (rc < 0)
		return rc;
	rc = store_exec(tx, e,
			"INSERT INTO policy_versions (policy_id, version, document, created)"
			" VALUES ($1, $2, $3, $4) ON CONFLICT (policy_id, version)"
			" DO UPDATE SET document = excluded.document, created = excluded.created",
			"sssi", id, d->default_version, d->document, (int64_t)d->updated);
	return rc < 0 ? rc : 0;
}

int iam_managed_sync(struct store *st, struct err *e)
{
	struct store_tx *tx = NULL;
	size_t i;
	int rc;

	if ((rc = store_begin(&tx, st, true, e)) < 0)
		return rc;
	for (i = 0; i < iam_managed_ndefs; i++) {
		if ((rc = sync_one(tx, &iam_managed_defs[i], e)) < 0) {
			store_rollback(tx);
			return rc;
		}
	}
	store_tx_bump(tx); /* a refreshed document changes what its holders may do */
	return store_commit(tx, e);
}
