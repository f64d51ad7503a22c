/*
 * time.c - the clock and the three time formats AWS uses: ISO 8601 in
 * responses, the compact X-Amz-Date form in signatures, and epoch seconds.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int64_t time_now(void) { return (int64_t)time(NULL); }

double time_now_hires(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * YYYY-MM-DDTHH:MM:SSZ.  Years 1970-9999 are worked out here (the civil
 * date of a day number, as in Howard Hinnant's days_from_civil): every audit
 * record has one, and gmtime_r and strftime were a tenth of its cost.
 */
void time_iso8601(char *out, size_t outsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t >= 0 && t < 253402300800LL && outsz >= 21) {
		int64_t days = t / 86400, secs = t % 86400;
		int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
		int64_t y = yoe + era * 400 + (m <= 2);
		int v[6] = {(int)y, (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
			    (int)(secs % 60)};
		static const char sep[] = "--T::Z";
		char *p = out;

		for (int i = 0; i < 6; i++) {
			if (i == 0) {
				*p++ = (char)('0' + v[0] / 1000);
				*p++ = (char)('0' + v[0] / 100 % 10);
			}
			*p++ = (char)('0' + v[i] / 10 % 10);
			*p++ = (char)('0' + v[i] % 10);
			*p++ = sep[i];
		}
		*p = '\0';
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_amz(char *out, size_t outsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y%m%dT%H%M%SZ", &tm);
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CC_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01 */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int civil_check(int y, int mo, int d, int h, int mi, int s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || s > 60)
		return CC_EINVAL;
	return 0;
}

int time_parse_amz(int64_t *out, const char *s, size_t n)
{
	int y, mo, d, h, mi, sec;

	if (n != 16 || s[8] != 'T' || s[15] != 'Z' || digits(s, 4, &y) ||
	    digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || digits(s + 9, 2, &h) ||
	    digits(s + 11, 2, &mi) || digits(s + 13, 2, &sec) ||
	    civil_check(y, mo, d, h, mi, sec))
		return CC_EINVAL;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int time_parse_iso8601(int64_t *out, const char *s, size_t n)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	size_t i;

	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return CC_EINVAL;
	i = 10;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		if (n - i < 9 || digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
		    digits(s + i + 4, 2, &mi) || s[i + 6] != ':' || digits(s + i + 7, 2, &sec))
			return CC_EINVAL;
		i += 9;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int oh, om;

			if (n - i != 6 || digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
			    digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
				return CC_EINVAL;
			off = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
			i += 6;
		}
	}
	if (i != n || civil_check(y, mo, d, h, mi, sec))
		return CC_EINVAL;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* an offset must not carry the instant out of the years we accept */
	if (*out < 0 || *out >= days_from_civil(10000, 1, 1) * 86400)
		return CC_EINVAL;
	return 0;
}
