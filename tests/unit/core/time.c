/* tests of src/core/time.c */
#include "core/core.h"
#include "unit.h"

void test_core_time__amz_round_trip(void)
{
	int64_t t;
	char s[32];

	REQUIRE(time_parse_amz(&t, "20150830T123600Z", 16) == 0);
	CHECK_INT(t, 1440938160);
	time_amz(s, sizeof(s), t);
	CHECK_STR(s, "20150830T123600Z");
	CHECK(time_parse_amz(&t, "20150230T123600Z", 16) < 0);
}

void test_core_time__iso8601_with_offset(void)
{
	int64_t t;

	REQUIRE(time_parse_iso8601(&t, "2015-08-30T14:36:00+02:00", 25) == 0);
	CHECK_INT(t, 1440938160);
	REQUIRE(time_parse_iso8601(&t, "2015-08-30T12:36:00.123Z", 24) == 0);
	CHECK_INT(t, 1440938160);
	CHECK(time_parse_iso8601(&t, "2015-08-30X", 11) < 0);
}

void test_core_time__offset_cannot_leave_the_range(void)
{
	int64_t t;

	CHECK(time_parse_iso8601(&t, "1970-01-01T00:30:00+01:00", 25) < 0);
	CHECK(time_parse_iso8601(&t, "9999-12-31T23:30:00-01:00", 25) < 0);
	CHECK(time_parse_iso8601(&t, "1970-01-01T01:00:00+01:00", 25) == 0 && t == 0);
}
