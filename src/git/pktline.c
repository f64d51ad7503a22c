/*
 * pktline.c - git's pkt-line framing (gitprotocol-common(5)), only as much
 * as the server must read itself: the command list at the start of a push,
 * which decides the per-ref authorization before git receive-pack runs.
 * Everything after the list (the pack) is git's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git.h"

#define PUSH_CMDS_MAX 100000
#define REF_MAX 1024

int pkt_put(struct buf *b, const char *data, size_t len)
{
	if (data == NULL)
		return buf_add(b, "0000", 4);
	if (len > PKT_MAX)
		return CC_EINVAL;
	if (buf_printf(b, "%04x", (unsigned)(len + 4)) < 0)
		return CC_ERROR;
	return buf_add(b, data, len);
}

/* the rules of git check-ref-format, for a full ref name under refs/ */
bool git_refname_ok(const char *ref, size_t len)
{
	size_t i, comp = 0; /* start of the current component */

	if (len < 6 || len > REF_MAX || strncmp(ref, "refs/", 5) != 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ref[i];

		if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' ||
		    c == '?' || c == '*' || c == '[' || c == '\\')
			return false;
		if (c == '.' && (i == comp || (i + 1 < len && ref[i + 1] == '.')))
			return false; /* ".x" components and ".." */
		if (c == '@' && i + 1 < len && ref[i + 1] == '{')
			return false;
		if (c == '/') {
			if (i == comp)
				return false; /* "//" */
			if (i - comp >= 5 && memcmp(ref + i - 5, ".lock", 5) == 0)
				return false;
			comp = i + 1;
		}
	}
	if (comp == len || ref[len - 1] == '.')
		return false; /* ends in "/" or "." */
	return !(len - comp >= 5 && memcmp(ref + len - 5, ".lock", 5) == 0);
}

static bool oid_ok(const char *s, size_t n)
{
	size_t i;

	if (n != 40 && n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void push_cmds_free(struct push_cmds *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].ref);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* one command line "<old> <new> <ref>[\0caps]" (trailing LF already cut) */
static int parse_cmd(struct push_cmds *out, const char *p, size_t n, struct err *e)
{
	const char *nul = memchr(p, '\0', n);
	const char *sp1, *sp2;
	size_t oidlen, reflen;
	struct push_cmd *cmd, *nv;

	if (nul)
		n = (size_t)(nul - p); /* capabilities: git's to read */
	sp1 = memchr(p, ' ', n);
	if (sp1 == NULL)
		goto bad;
	oidlen = (size_t)(sp1 - p);
	sp2 = memchr(sp1 + 1, ' ', n - oidlen - 1);
	if (sp2 == NULL || (size_t)(sp2 - sp1 - 1) != oidlen || !oid_ok(p, oidlen) ||
	    !oid_ok(sp1 + 1, oidlen))
		goto bad;
	reflen = n - (size_t)(sp2 + 1 - p);
	if (!git_refname_ok(sp2 + 1, reflen))
		return err_set(e, CC_EINVAL, NULL, "refusing to update '%.*s': not a valid ref name",
			       (int)(reflen > 200 ? 200 : reflen), sp2 + 1);
	if (out->n == PUSH_CMDS_MAX)
		return err_set(e, CC_ELIMIT, NULL, "a push may update at most %d refs",
			       PUSH_CMDS_MAX);
	if ((out->n & (out->n - 1)) == 0) { /* grow at powers of two */
		nv = realloc(out->v, (out->n ? out->n * 2 : 4) * sizeof(*nv));
		if (nv == NULL)
			return err_oom(e);
		out->v = nv;
	}
	cmd = &out->v[out->n];
	memcpy(cmd->old_oid, p, oidlen);
	cmd->old_oid[oidlen] = '\0';
	memcpy(cmd->new_oid, sp1 + 1, oidlen);
	cmd->new_oid[oidlen] = '\0';
	if ((cmd->ref = strndup(sp2 + 1, reflen)) == NULL)
		return err_oom(e);
	out->n++;
	return 0;
bad:
	return err_set(e, CC_EINVAL, NULL, "malformed push command in the request");
}

int push_cmds_parse(struct push_cmds *out, const char *data, size_t len, struct err *e)
{
	size_t off = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (;;) {
		unsigned char len2[2];
		size_t plen;
		const char *p;

		if (len - off < 4) {
			rc = err_set(e, CC_EINVAL, NULL, "the push's command list is truncated");
			goto fail;
		}
		if (hex_decode(len2, sizeof(len2), data + off, 4) < 0) {
			rc = err_set(e, CC_EINVAL, NULL, "malformed pkt-line in the request");
			goto fail;
		}
		plen = (size_t)len2[0] << 8 | len2[1];
		if (plen == 0)
			break; /* flush: the pack (if any) follows */
		if (plen < 5 || plen - 4 > PKT_MAX) {
			rc = err_set(e, CC_EINVAL, NULL, "malformed pkt-line in the request");
			goto fail;
		}
		if (plen > len - off) {
			rc = err_set(e, CC_EINVAL, NULL, "the push's command list is truncated");
			goto fail;
		}
		p = data + off + 4;
		plen -= 4;
		off += plen + 4;
		if (p[plen - 1] == '\n')
			plen--;
		if (plen >= 8 && memcmp(p, "shallow ", 8) == 0)
			continue; /* a shallow clone pushing: git checks these */
		if (plen >= 9 && memcmp(p, "push-cert", 9) == 0) {
			rc = err_set(e, CC_EINVAL, NULL, "signed pushes are not supported");
			goto fail;
		}
		if ((rc = parse_cmd(out, p, plen, e)) < 0)
			goto fail;
	}
	return 0; /* no command: git's probe of a large push ("0000"), answered by git */
fail:
	push_cmds_free(out);
	return rc;
}

long push_cmds_end(const char *data, size_t len)
{
	size_t off = 0;

	while (len - off >= 4) {
		unsigned char l2[2];
		size_t plen;

		if (hex_decode(l2, sizeof(l2), data + off, 4) < 0)
			return -1;
		plen = (size_t)l2[0] << 8 | l2[1];
		if (plen == 0)
			return (long)(off + 4);
		if (plen < 5 || plen - 4 > PKT_MAX)
			return -1;
		if (plen > len - off)
			return 0;
		off += plen;
	}
	return 0;
}
