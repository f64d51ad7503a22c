/*
 * awscfg.c - ~/.aws/config and ~/.aws/credentials, parsed as botocore
 * parses them (configloader.raw_config_parse over Python's
 * RawConfigParser), so that a file means to these tools what it means to
 * the AWS CLI:
 *
 *   - "[name]" opens a section: the name is everything between the first
 *     '[' and the last ']' of the line (what follows is ignored);
 *   - "key = value" or "key: value", split at the first '=' or ':'; the key
 *     is lower-cased, key and value stripped;
 *   - a line whose first non-blank character is '#' or ';' is a comment;
 *     there are no inline comments ("a = b # c" is "b # c");
 *   - a line indented deeper than its option continues the value; an empty
 *     value continued by "k = v" lines is a sub-section ("s3 =\n  k = v");
 *   - a section or key twice is an error, as is a line before any section
 *     or a line that is none of these;
 *   - "[DEFAULT]" gives every section its values as defaults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/awscfg.h"

#define FILE_MAX (1 << 20)

struct opt {
	char *key, *value; /* value: lines joined with '\n' */
	int indent;
};

struct section {
	char *name;
	struct opt *opts;
	size_t n, cap;
};

struct awscfg_file {
	struct section *secs;
	size_t n, cap;
};

void awscfg_free(struct awscfg_file *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->secs[i].n; j++) {
			free(f->secs[i].opts[j].key);
			free_wiped(f->secs[i].opts[j].value); /* may be a secret key */
		}
		free(f->secs[i].opts);
		free(f->secs[i].name);
	}
	free(f->secs);
	free(f);
}

static struct section *find_section(const struct awscfg_file *f, const char *name)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->secs[i].name, name) == 0)
			return &f->secs[i];
	return NULL;
}

static struct opt *find_opt(const struct section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->opts[i].key, key) == 0)
			return &s->opts[i];
	return NULL;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* s[0..n) without leading and trailing blanks, as a new string */
static char *stripped(const char *s, size_t n)
{
	char *out;

	while (n && blank(*s))
		s++, n--;
	while (n && blank(s[n - 1]))
		n--;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static int bad(struct err *e, const char *name, int line, const char *what)
{
	return err_set(e, CC_EINVAL, NULL, "%s line %d: %s", name, line, what);
}

/* appends "\n" and the stripped text to o's value */
static int continue_value(struct opt *o, const char *s, size_t n)
{
	char *add = stripped(s, n), *v;
	size_t ol = strlen(o->value), al;

	if (add == NULL)
		return CC_ERROR;
	al = strlen(add);
	if ((v = realloc(o->value, ol + al + 2)) == NULL) {
		free(add);
		return CC_ERROR;
	}
	v[ol] = '\n';
	memcpy(v + ol + 1, add, al + 1);
	o->value = v;
	free(add);
	return 0;
}

static int parse_lines(struct awscfg_file *f, const char *text, size_t len, const char *name,
		       struct err *e)
{
	struct section *cur = NULL;
	struct opt *last = NULL;
	int lineno = 0, indent_level = 0;

	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, i = 0, vn;
		const char *v;

		pos += n + (nl != NULL);
		lineno++;
		while (i < n && blank(line[i]))
			i++;
		v = line + i;
		vn = n - i;
		while (vn && blank(v[vn - 1]))
			vn--;
		if (vn && (v[0] == '#' || v[0] == ';'))
			continue; /* a comment, indented or not */
		if (vn == 0) {
			if (last)   /* an empty line inside a value: kept, trimmed at the end */
				if (continue_value(last, "", 0) < 0)
					return err_oom(e);
			continue;
		}
		if (last && (int)i > indent_level) {
			if (continue_value(last, v, vn) < 0)
				return err_oom(e);
			continue;
		}
		indent_level = (int)i;
		if (v[0] == '[') {
			const char *close = NULL;

			for (size_t k = vn; k > 1; k--)
				if (v[k - 1] == ']') {
					close = v + k - 1;
					break;
				}
			if (close && close - v > 1) {
				char *sname = malloc((size_t)(close - v));

				if (sname == NULL)
					return err_oom(e);
				memcpy(sname, v + 1, (size_t)(close - v - 1));
				sname[close - v - 1] = '\0';
				if (find_section(f, sname)) {
					free(sname);
					return bad(e, name, lineno, "this section was already opened above");
				}
				if (f->n == f->cap) {
					size_t cap = f->cap ? 2 * f->cap : 8;
					struct section *ns = realloc(f->secs, cap * sizeof(*ns));

					if (ns == NULL) {
						free(sname);
						return err_oom(e);
					}
					f->secs = ns;
					f->cap = cap;
				}
				cur = &f->secs[f->n++];
				memset(cur, 0, sizeof(*cur));
				cur->name = sname;
				last = NULL;
				continue;
			}
		}
		if (cur == NULL)
			return bad(e, name, lineno, "a line before the first [section]");
		{
			size_t d = 0;

			while (d < vn && v[d] != '=' && v[d] != ':') /* v is not NUL-terminated */
				d++;
			char *key, *val;

			if (d >= vn)
				return bad(e, name, lineno, "not a [section], a key = value or a comment");
			key = stripped(v, d);
			val = stripped(v + d + 1, vn - d - 1);
			if (key == NULL || val == NULL) {
				free(key);
				free(val);
				return err_oom(e);
			}
			for (char *k = key; *k; k++)
				if (*k >= 'A' && *k <= 'Z')
					*k = (char)(*k - 'A' + 'a');
			if (key[0] == '\0' || find_opt(cur, key)) {
				bool empty = key[0] == '\0';

				free(key);
				free(val);
				return bad(e, name, lineno, empty ? "a value without a key"
							 : "this key was already set in this section");
			}
			if (cur->n == cur->cap) {
				size_t cap = cur->cap ? 2 * cur->cap : 8;
				struct opt *no = realloc(cur->opts, cap * sizeof(*no));

				if (no == NULL) {
					free(key);
					free(val);
					return err_oom(e);
				}
				cur->opts = no;
				cur->cap = cap;
			}
			last = &cur->opts[cur->n++];
			last->key = key;
			last->value = val;
			last->indent = (int)i;
		}
	}
	/* a value's trailing empty lines go, as RawConfigParser's rstrip does */
	for (size_t s = 0; s < f->n; s++)
		for (size_t o = 0; o < f->secs[s].n; o++) {
			char *val = f->secs[s].opts[o].value;
			size_t vl = strlen(val);

			while (vl && (val[vl - 1] == '\n' || blank(val[vl - 1])))
				val[--vl] = '\0';
		}
	return 0;
}

int awscfg_parse(struct awscfg_file **out, const char *text, size_t len, const char *name,
		 struct err *e)
{
	struct awscfg_file *f;
	int rc;

	*out = NULL;
	if (len > FILE_MAX)
		return err_set(e, CC_EINVAL, NULL, "%s: larger than 1 MiB", name);
	if (memchr(text, '\0', len))
		return err_set(e, CC_EINVAL, NULL, "%s: not a text file (a NUL byte)", name);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return err_oom(e);
	if ((rc = parse_lines(f, text, len, name, e)) < 0) {
		awscfg_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int awscfg_load(struct awscfg_file **out, const char *path, struct err *e)
{
	struct buf b = BUF_INIT(FILE_MAX + 1);
	struct stat st;
	FILE *fp;
	char chunk[8192];
	size_t n;
	int rc;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT) /* no file: nothing set, as for the AWS CLI */
			return awscfg_parse(out, "", 0, path, e);
		return err_set(e, CC_EINVAL, NULL, "%s: %s", path, strerror(errno));
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return err_set(e, CC_EINVAL, NULL, "%s: a directory, not a file", path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	if (ferror(fp) || buf_failed(&b)) {
		rc = err_set(e, CC_EINVAL, NULL, "%s: %s", path,
			     buf_failed(&b) ? "larger than 1 MiB" : strerror(errno));
	} else {
		rc = awscfg_parse(out, b.ptr ? b.ptr : "", b.len, path, e);
	}
	fclose(fp);
	if (b.ptr)
		mem_wipe(b.ptr, b.len);
	buf_release(&b);
	return rc;
}

const char *awscfg_section_name(const struct awscfg_file *f, size_t i)
{
	return f && i < f->n ? f->secs[i].name : NULL;
}

bool awscfg_has_section(const struct awscfg_file *f, const char *section)
{
	return find_section(f, section) != NULL;
}

const char *awscfg_get(const struct awscfg_file *f, const char *section, const char *key)
{
	struct opt *o;

	if (f == NULL || find_section(f, section) == NULL)
		return NULL;
	if ((o = find_opt(find_section(f, section), key)) == NULL)
		o = find_opt(find_section(f, "DEFAULT"), key);
	return o ? o->value : NULL;
}

const char *awscfg_sub(const struct awscfg_file *f, const char *section, const char *key,
		       const char *subkey)
{
	static __thread char found[1024];
	const char *v = awscfg_get(f, section, key);
	size_t kl = strlen(subkey);

	/* botocore's _parse_nested: a value starting with a newline, "k = v" lines */
	if (v == NULL || v[0] != '\n')
		return NULL;
	for (const char *line = v + 1; *line;) {
		size_t n = strcspn(line, "\n"), eq = strcspn(line, "=");

		if (eq < n) {
			size_t a = eq;

			while (a && blank(line[a - 1]))
				a--;
			if (a == kl && strncmp(line, subkey, kl) == 0) {
				const char *val = line + eq + 1;
				size_t vn = n - eq - 1;

				while (vn && blank(*val))
					val++, vn--;
				while (vn && blank(val[vn - 1]))
					vn--;
				if (vn >= sizeof(found))
					return NULL;
				memcpy(found, val, vn);
				found[vn] = '\0';
				return found;
			}
		}
		line += n + (line[n] == '\n');
	}
	return NULL;
}
