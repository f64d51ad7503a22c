/*
 * managed.c - unit tests of the built-in AWS managed policies: the
 * generated table (src/iam/managed_gen.c) is sorted and every document
 * parses with no size limit, and iam_managed_sync() loads them into a fresh
 * store, is idempotent and keeps each policy's id across runs.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "iam/iam.h"
#include "iam/managed.h"

void test_iam_managed__table_parses(void)
{
	size_t i;

	REQUIRE(iam_managed_ndefs >= 10);
	for (i = 0; i < iam_managed_ndefs; i++) {
		const struct iam_managed_def *d = &iam_managed_defs[i];
		struct policy *p = NULL;
		struct err e = ERR_INIT;

		CHECK_INT(policy_parse(&p, d->document, strlen(d->document), POLICY_IDENTITY, 0, &e),
			  0);
		policy_free(p);
		CHECK(strncmp(d->arn, "arn:aws:iam::aws:policy/", 24) == 0);
		CHECK(d->default_version[0] == 'v');
		CHECK(d->created > 0 && d->updated >= d->created);
		if (i > 0)
			CHECK(strcmp(iam_managed_defs[i - 1].name, d->name) < 0);
	}
}

static int64_t count(struct store *st, const char *sql)
{
	struct store_tx *tx = NULL;
	struct err e = ERR_INIT;
	int64_t n = -1;

	if (store_begin(&tx, st, false, &e) < 0)
		return -1;
	store_query_int(&n, tx, &e, sql, "");
	store_rollback(tx);
	return n;
}

void test_iam_managed__sync(void)
{
	char dir[] = "/tmp/commitd-unit-managed.XXXXXX", path[128];
	struct store *st = NULL;
	struct err e = ERR_INIT;
	int64_t n;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/meta.db", dir);
	REQUIRE(store_open(&st, path, true, &e) == 0);
	CHECK_INT(iam_managed_sync(st, &e), 0);
	CHECK_INT(count(st, "SELECT count(*) FROM policies WHERE account = 'aws'"),
		  iam_managed_ndefs);
	CHECK_INT(count(st, "SELECT count(*) FROM policy_versions"), iam_managed_ndefs);
	n = count(st, "SELECT count(*) FROM policies WHERE id LIKE 'ANPA%' AND length(id) = 21");
	CHECK_INT(n, iam_managed_ndefs);
	/* a second run refreshes in place: same rows, same ids */
	CHECK_INT(iam_managed_sync(st, &e), 0);
	CHECK_INT(count(st, "SELECT count(*) FROM policies"), iam_managed_ndefs);
	CHECK_INT(count(st, "SELECT count(DISTINCT id) FROM policies"), iam_managed_ndefs);
	CHECK_INT(count(st, "SELECT count(*) FROM policy_versions v JOIN policies p"
			    " ON p.id = v.policy_id AND p.default_version = v.version"),
		  iam_managed_ndefs);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meta.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meta.db-shm", dir);
	unlink(path);
	rmdir(dir);
}
