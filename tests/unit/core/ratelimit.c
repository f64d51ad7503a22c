/* tests of src/core/ratelimit.c */
#include "core/core.h"
#include "unit.h"

void test_core_ratelimit__burst_then_refill(void)
{
	struct ratelimit *rl = ratelimit_new(16, 1.0, 3.0);
	int i;

	REQUIRE(rl != NULL);
	for (i = 0; i < 3; i++) {
		CHECK(!ratelimit_blocked(rl, "10.0.0.1", 100.0));
		ratelimit_spend(rl, "10.0.0.1", 100.0);
	}
	CHECK(ratelimit_blocked(rl, "10.0.0.1", 100.0));
	CHECK(!ratelimit_blocked(rl, "10.0.0.2", 100.0)); /* other keys are untouched */
	CHECK(!ratelimit_blocked(rl, "10.0.0.1", 101.5)); /* a token back after a second */
	ratelimit_free(rl);
}
