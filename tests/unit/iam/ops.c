/* tests of the operation tables (src/iam/ops.c, src/sts/session.c, src/codecommit/ops.c) */
#include <stdio.h>
#include <string.h>

#include "iam/iam.h"
#include "sts/sts.h"
#include "codecommit/codecommit.h"
#include "unit.h"

static void check_table(const struct aws_optable *t, const char *prefix)
{
	const struct aws_service *svc = aws_model_service(t->service);
	size_t i;

	REQUIRE(svc != NULL);
	for (i = 0; i < t->nrows; i++) {
		const struct aws_oprow *r = &t->rows[i];
		char want[160];

		/* sorted: the dispatcher searches the table */
		if (i > 0 && strcmp(t->rows[i - 1].name, r->name) >= 0) {
			fprintf(stderr, "  %s: '%s' is out of order\n", t->service, r->name);
			CHECK(!"rows sorted by name");
		}
		/* every row is an operation of the botocore model */
		if (aws_model_op(svc, r->name, strlen(r->name)) == NULL) {
			fprintf(stderr, "  %s: '%s' is not in the model\n", t->service, r->name);
			CHECK(!"row names a modelled operation");
		}
		/* the IAM action is service:OperationName, as AWS names them */
		snprintf(want, sizeof(want), "%s:%s", prefix, r->name);
		CHECK_STR(r->action, want);
		CHECK(r->handler != NULL);
	}
}

void test_iam_ops__table_sorted_and_modelled(void)
{
	check_table(&iam_optable, "iam");
	CHECK(iam_optable.nrows >= 70);
}

void test_iam_ops__sts_table_sorted_and_modelled(void)
{
	check_table(&sts_optable, "sts");
}

void test_iam_ops__codecommit_table_sorted_and_modelled(void)
{
	check_table(&codecommit_optable, "codecommit");
	CHECK(codecommit_optable.own_checks);
}
