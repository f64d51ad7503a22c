/*
 * fuzz_sigv4.c - libFuzzer target for SigV4 (src/auth/sigv4.c).  The input is
 * a request dump:
 *
 *   POST /path?query          method, space, raw path with optional ?query
 *   Name: value               headers, one a line, until an empty line
 *
 *   body                      the rest, exactly as many bytes as remain
 *
 * Lines end in "\n" or "\r\n".  The request goes through sigv4_parse(),
 * sigv4_check_scope(), sigv4_check_time() (several clocks),
 * sigv4_canonical_request(), sigv4_string_to_sign() and sigv4_verify() with the
 * fixed secret below (the seeds are signed with it, so the signature can match),
 * with and without a key cache.  The password check of the Git credential
 * helper is also fed the first line.
 *
 * Checked beyond "no crash": a header-form request that parses, re-signed
 * with sigv4_sign(), parses again and verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

#define MAX_HEADERS 64
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define NOW 1704164645 /* 2024-01-02T03:04:05Z, the seeds' X-Amz-Date */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sigv4_key_cache *cache;

/* the end of the line starting at p (excluding "\r\n"), and the next line */
static char *line_end(char *p, char *end, char **next)
{
	char *nl = memchr(p, '\n', (size_t)(end - p));
	char *e = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

/* re-signs a header-form request and checks it verifies */
static void resign(const struct sigv4_auth *a, struct sigv4_request *req,
		   struct sigv4_header *hdrs, size_t nh)
{
	struct buf authz = BUF_INIT(65536);
	struct sigv4_auth *b;
	struct err e = ERR_INIT;
	size_t i;

	/* signing the Authorization header itself cannot round-trip */
	if (strstr(a->signed_headers, "authorization") != NULL)
		return;
	if (sigv4_sign(&authz, req, a->access_key_id, SECRET, a->amz_date, a->region, a->service,
		       a->signed_headers, &e) < 0) {
		buf_release(&authz);
		return;
	}
	for (i = 0; i < nh; i++)
		if (strcasecmp(hdrs[i].name, "authorization") == 0)
			hdrs[i].value = authz.ptr;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		abort();
	err_clear(&e);
	if (sigv4_parse(b, req, &e) < 0)
		abort(); /* what we signed, we cannot read */
	if (strcmp(b->access_key_id, a->access_key_id) || strcmp(b->amz_date, a->amz_date) ||
	    strcmp(b->signed_headers, a->signed_headers) || strcmp(b->region, a->region) ||
	    strcmp(b->service, a->service))
		abort();
	err_clear(&e);
	if (sigv4_verify(b, req, SECRET, strlen(SECRET), NULL, &e) < 0 &&
	    strstr(e.msg, "x-amz-content-sha256") == NULL)
		abort(); /* our own signature does not verify */
	free(b);
	buf_release(&authz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigv4_header hdrs[MAX_HEADERS];
	struct sigv4_request req = {0};
	struct sigv4_auth *a;
	struct err e = ERR_INIT;
	char *text, *end, *p, *next, *le, *sp, *q;
	char *body = NULL;
	size_t nh = 0, hlen;
	int rc;

	if (cache == NULL && (cache = sigv4_key_cache_new(4)) == NULL)
		return 0;
	/* the head, up to the first empty line, becomes NUL-terminated strings */
	hlen = size;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' && ((i + 1 < size && data[i + 1] == '\n') ||
					(i + 2 < size && data[i + 1] == '\r' && data[i + 2] == '\n'))) {
			hlen = i + 1;
			break;
		}
	}
	if ((text = malloc(hlen + 1)) == NULL)
		return 0;
	memcpy(text, data, hlen);
	text[hlen] = '\0';
	end = text + hlen;
	/* the body: exactly the remaining bytes after the empty line */
	if (hlen < size) {
		size_t skip = data[hlen] == '\r' ? 2 : 1;

		req.body_len = size - hlen - skip;
		if (req.body_len && (body = malloc(req.body_len)) != NULL)
			memcpy(body, data + hlen + skip, req.body_len);
		if (body == NULL)
			req.body_len = 0;
		req.body = body;
	}
	/* the request line */
	le = line_end(text, end, &next);
	*le = '\0';
	sp = strchr(text, ' ');
	req.method = text;
	req.raw_path = "";
	if (sp) {
		*sp = '\0';
		req.raw_path = sp + 1;
		if ((q = strchr(sp + 1, '?')) != NULL) {
			*q = '\0';
			req.raw_query = q + 1;
		}
	}
	/* the headers */
	for (p = next; p < end && nh < MAX_HEADERS; p = next) {
		char *colon;

		le = line_end(p, end, &next);
		*le = '\0';
		if (le == p)
			break;
		if ((colon = strchr(p, ':')) == NULL)
			continue;
		*colon = '\0';
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		hdrs[nh].name = p;
		hdrs[nh].value = colon;
		nh++;
	}
	req.headers = hdrs;
	req.nheaders = nh;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto out;
	rc = sigv4_parse(a, &req, &e);
	if (rc == 0) {
		struct buf cr = BUF_INIT(2 << 20), sts = BUF_INIT(4096);

		(void)sigv4_check_scope(a, "us-east-1", "iam", &e);
		(void)sigv4_check_time(a, NOW, &e);
		(void)sigv4_check_time(a, 0, &e);
		(void)sigv4_check_time(a, INT32_MAX, &e);
		if (!a->presigned && sigv4_check_time(a, a->request_time, &e) < 0)
			abort(); /* a request is always current at its own time */
		if (sigv4_canonical_request(&cr, a, &req, &e) == 0)
			(void)sigv4_string_to_sign(&sts, a, buf_cstr(&cr), cr.len, &e);
		buf_release(&cr);
		buf_release(&sts);
		{
			int r1 = sigv4_verify(a, &req, SECRET, strlen(SECRET), NULL, &e);
			int r2 = sigv4_verify(a, &req, SECRET, strlen(SECRET), cache, &e);

			if (r1 != r2)
				abort(); /* the key cache changes nothing */
		}
		(void)sigv4_verify(a, &req, "", 0, NULL, &e);
		if (!a->presigned)
			resign(a, &req, hdrs, nh);
	} else {
		/* canonicalisation does not depend on a successful parse */
		struct buf cr = BUF_INIT(2 << 20);

		memcpy(a->signed_headers, "host;x-amz-date", 16);
		(void)sigv4_canonical_request(&cr, a, &req, &e);
		buf_release(&cr);
	}
	/* the Git password form: the request line as the password */
	(void)sigv4_git_verify(text, strlen(text), SECRET, strlen(SECRET), "us-east-1",
			       "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/r", NOW, &e);
	free(a);
out:
	free(body);
	free(text);
	return 0;
}
