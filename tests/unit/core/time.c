/* tests of src/core/time.c */
#include <time.h>

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

/* the date worked out by hand is gmtime's and strftime's, whatever the day */
void test_core_time__iso8601_format(void)
{
	static const int64_t points[] = {0, 59, 86399, 86400, 951782400, 951868800, 1709164800,
					 4107542400LL, 253402300799LL, 253402300800LL, -1};

	for (int64_t t = 0; t < 253402300800LL; t += 86400 * 13 + 3607) {
		char got[32], want[32];
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		time_iso8601(got, sizeof(got), t);
		if (strcmp(got, want) != 0) {
			CHECK_STR(got, want);
			break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
		char got[32], want[32];
		time_t tt = (time_t)points[i];
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		time_iso8601(got, sizeof(got), points[i]);
		CHECK_STR(got, want);
	}
}
