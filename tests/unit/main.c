/*
 * main.c - runs every unit test case (or those whose name contains argv[1])
 * and ends with the line "N passed, N failed".
 */
#include <stdlib.h>

#include "unit.h"

#define T(name) void name(void);
#include "unit_list.h"
#undef T

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
#define T(name) {#name, name},
#include "unit_list.h"
#undef T
};

int unit_failures;
static int case_failed;

void unit_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, what);
	unit_failures++;
	case_failed = 1;
}

const char *unit_data_dir(void)
{
	const char *d = getenv("UNIT_DATA_DIR");

	return d ? d : "tests/data";
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
			continue;
		case_failed = 0;
		cases[i].fn();
		if (case_failed) {
			printf("not ok %s\n", cases[i].name);
			failed++;
		} else {
			printf("ok %s\n", cases[i].name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
