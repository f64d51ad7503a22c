/*
 * paths.c - file and folder paths of the API, checked before they reach a
 * tree: every input is hostile.  A path names an entry of a Git tree, never
 * a file on disk; still, ".", "..", empty components, ".git" in any
 * spelling a Windows or macOS checkout would read as ".git", and control
 * characters are refused, so no commit we write can hurt a clone.
 * Contract: cc_git.h.
 */
#include <string.h>
#include <strings.h>

#include "cc_git.h"

/*
 * Code points HFS+ ignores when it compares names (git's is_hfs_dotgit):
 * ".g\u200cit" is ".git" on a Mac.  Returns the bytes of one at p, or 0.
 */
static size_t hfs_ignorable(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x8c && p[2] <= 0x8f) || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 3; /* U+200C..U+200F, U+202A..U+202E */
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xaa && p[2] <= 0xaf)
		return 3; /* U+206A..U+206F */
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3; /* U+FEFF */
	return 0;
}

/* ".git", ".GIT.", ".git " (NTFS), "git~1" (8.3 name), ".g\u200cit" (HFS+) */
static bool is_dotgit(const char *s, size_t n)
{
	char name[8];
	size_t i = 0, k = 0, skip;

	while (i < n && k < sizeof(name)) {
		if ((skip = hfs_ignorable((const unsigned char *)s + i, n - i)) > 0) {
			i += skip;
			continue;
		}
		name[k++] = s[i++];
	}
	if (i < n)
		return false; /* longer than anything below */
	while (k > 0 && (name[k - 1] == '.' || name[k - 1] == ' '))
		k--;
	return (k == 4 && strncasecmp(name, ".git", 4) == 0) ||
	       (k == 5 && strncasecmp(name, "git~1", 5) == 0);
}

static int invalid(struct err *e, const char *in, const char *why)
{
	return err_set(e, CC_EINVAL, "InvalidPathException", "The path '%.120s' is not valid: %s.",
		       in, why);
}

int cc_path_clean(const char **out, struct aws_call *c, const char *in, bool folder,
		  struct err *e)
{
	const char *p, *part;
	size_t len, i, plen;

	*out = NULL;
	if (in == NULL || (in[0] == '\0' && !folder))
		return err_set(e, CC_EINVAL, "PathRequiredException",
			       "A path is required, but was not specified.");
	if (strlen(in) > CC_PATH_MAX)
		return invalid(e, in, "it is longer than 4096 bytes");
	/* "/examples/file.md" as AWS writes it: the root of the repository */
	p = in[0] == '/' ? in + 1 : in;
	len = strlen(p);
	if (folder && len > 0 && p[len - 1] == '/')
		len--;
	if (len == 0) {
		if (!folder)
			return invalid(e, in, "it names no file");
		*out = "";
		return 0;
	}
	if (p[len - 1] == '/')
		return invalid(e, in, folder ? "it has an empty component ('//' at the end)"
					     : "a file path cannot end in '/'");
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return invalid(e, in, "it contains a control character");
	for (part = p; part < p + len; part += plen + 1) {
		const char *slash = memchr(part, '/', (size_t)(p + len - part));

		plen = slash ? (size_t)(slash - part) : (size_t)(p + len - part);
		if (plen == 0)
			return invalid(e, in, "it has an empty component ('//' or a '/' at the end)");
		if ((plen == 1 && part[0] == '.') || (plen == 2 && part[0] == '.' && part[1] == '.'))
			return invalid(e, in, "'.' and '..' are not allowed");
		if (is_dotgit(part, plen))
			return invalid(e, in, "'.git' is not allowed as a file or folder name");
		if (plen > CC_PATH_PART_MAX)
			return invalid(e, in, "a file or folder name is longer than 255 bytes");
	}
	*out = arena_strndup(c->ar, p, len);
	return *out ? 0 : err_oom(e);
}

const char *cc_path_join(struct aws_call *c, const char *dir, const char *name)
{
	if (dir[0] == '\0')
		return arena_strdup(c->ar, name);
	return arena_printf(c->ar, "%s/%s", dir, name);
}
