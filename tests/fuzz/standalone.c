/*
 * standalone.c - replays fuzz inputs without libFuzzer: every regular file in
 * the directories (or the files) named on the command line is read into a
 * heap buffer of exactly its size and handed to LLVMFuzzerTestOneInput, in
 * name order.  Linked with one fuzz_<parser>.c and the sanitizer build, it
 * turns each corpus into a regression test (libgit2's standalone_driver.c).
 * A crash ends the process through the sanitizers; otherwise it prints
 * "ok <file>" per input and ends with the line "N passed, 0 failed".
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INPUT_MAX (16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int passed, failed;

/* reads path whole into a buffer of exactly its size (never NUL-terminated) */
static int read_input(const char *path, uint8_t **out, size_t *outlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *p;
	size_t n;

	if (f == NULL)
		return -1;
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || st.st_size > INPUT_MAX) {
		fclose(f);
		return -1;
	}
	n = (size_t)st.st_size;
	/* malloc(0) may return NULL: ask for one byte but report zero */
	if ((p = malloc(n ? n : 1)) == NULL || fread(p, 1, n, f) != n) {
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = p;
	*outlen = n;
	return 0;
}

static void run_file(const char *path)
{
	uint8_t *data;
	size_t n;

	if (read_input(path, &data, &n) < 0) {
		printf("not ok %s: cannot read: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	printf("ok %s\n", path);
	passed++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		printf("not ok %s: cannot open: %s\n", dir, strerror(errno));
		failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		struct stat st;
		char *path;

		if (de->d_name[0] == '.')
			continue;
		if ((path = malloc(len)) == NULL)
			abort();
		snprintf(path, len, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				abort();
		}
		names[n++] = path;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
