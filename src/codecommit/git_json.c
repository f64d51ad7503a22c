/*
 * git_json.c - Git things in the API's JSON shapes: object ids, file modes,
 * the Commit shape, text that may not be UTF-8 (Git stores bytes, JSON
 * wants UTF-8), and the nextToken of ListBranches and GetDifferences.
 * Contract: cc_git.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_git.h"

#define TOKEN_MAX 2048 /* characters of a nextToken we accept */

json_t *cc_json_oid(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return json_string(hex);
}

/* bytes of the UTF-8 sequence a lead byte starts, 0 if it starts none */
static size_t seq_len(unsigned char c)
{
	if (c >= 0x01 && c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 0;
}

json_t *cc_json_text(const char *s, size_t n)
{
	struct buf b = BUF_INIT(0);
	size_t i = 0, k;
	json_t *v;

	if (utf8_valid(s, n))
		return json_stringn(s, n);
	while (i < n) {
		k = seq_len((unsigned char)s[i]);
		if (k && k <= n - i && utf8_valid(s + i, k)) {
			buf_add(&b, s + i, k);
			i += k;
		} else {
			buf_add(&b, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
		}
	}
	v = buf_failed(&b) ? NULL : json_stringn(buf_cstr(&b), b.len);
	buf_release(&b);
	return v;
}

const char *cc_mode_name(git_filemode_t m)
{
	switch ((int)m) {
	case GIT_FILEMODE_BLOB:
	case 0100664: /* written by old versions of git; a normal file */
		return "NORMAL";
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return "EXECUTABLE";
	case GIT_FILEMODE_LINK:
		return "SYMLINK";
	default:
		return NULL;
	}
}

int cc_mode_parse(git_filemode_t *out, const char *s, struct err *e)
{
	if (s && strcmp(s, "NORMAL") == 0)
		*out = GIT_FILEMODE_BLOB;
	else if (s && strcmp(s, "EXECUTABLE") == 0)
		*out = GIT_FILEMODE_BLOB_EXECUTABLE;
	else if (s && strcmp(s, "SYMLINK") == 0)
		*out = GIT_FILEMODE_LINK;
	else
		return err_set(e, CC_EINVAL, "InvalidFileModeException",
			       "The file mode '%.40s' is not valid: use NORMAL, EXECUTABLE or"
			       " SYMLINK.", s ? s : "");
	return 0;
}

/* UserInfo: the date as CodeCommit writes it, "1484167798 -0800" */
static json_t *user_json(const git_signature *s)
{
	int off = s->when.offset;
	char date[48];

	snprintf(date, sizeof(date), "%lld %c%02d%02d", (long long)s->when.time,
		 off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	return json_pack("{s:o, s:o, s:s}", "name", cc_json_text(s->name, strlen(s->name)),
			 "email", cc_json_text(s->email, strlen(s->email)), "date", date);
}

json_t *cc_commit_json(const git_commit *cm)
{
	const char *msg = git_commit_message(cm);
	unsigned i, n = git_commit_parentcount(cm);
	json_t *o, *parents = json_array();

	for (i = 0; parents && i < n; i++)
		if (json_array_append_new(parents, cc_json_oid(git_commit_parent_id(cm, i))) < 0) {
			json_decref(parents);
			return NULL;
		}
	if (msg == NULL)
		msg = "";
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "commitId",
		      cc_json_oid(git_commit_id(cm)), "treeId", cc_json_oid(git_commit_tree_id(cm)),
		      "parents", parents, "message", cc_json_text(msg, strlen(msg)), "author",
		      user_json(git_commit_author(cm)), "committer",
		      user_json(git_commit_committer(cm)), "additionalData", "");
	return o;
}

json_t *cc_token_new(char kind, const char *payload)
{
	size_t n = strlen(payload) + 1, cap = (n + 2) / 3 * 4 + 1;
	char *raw = malloc(n), *out = malloc(cap);
	json_t *v = NULL;

	if (raw && out) {
		raw[0] = kind;
		memcpy(raw + 1, payload, n - 1);
		v = json_stringn(out, b64url_encode(out, cap, (unsigned char *)raw, n));
	}
	free(raw);
	free(out);
	return v;
}

int cc_token_read(const char **payload, struct aws_call *c, char kind, const char *tok,
		  struct err *e)
{
	unsigned char raw[TOKEN_MAX];
	size_t n = tok ? strlen(tok) : 0;
	long got = -1;

	*payload = NULL;
	if (tok == NULL)
		return 0;
	if (n <= TOKEN_MAX)
		got = b64_decode(raw, sizeof(raw), tok, n);
	/* a payload has no NUL: what we put in (branch names need not be UTF-8) */
	if (got < 1 || raw[0] != (unsigned char)kind || memchr(raw + 1, '\0', (size_t)got - 1))
		return err_set(e, CC_EINVAL, "InvalidContinuationTokenException",
			       "The specified continuation token is not valid.");
	*payload = arena_strndup(c->ar, (char *)raw + 1, (size_t)got - 1);
	return *payload ? 0 : err_oom(e);
}
