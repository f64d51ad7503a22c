/*
 * model.c - lookups over the generated botocore tables (model_gen.c):
 * services by name, operations by name (binary search), error shapes by
 * code and structure members by name.  Nothing here allocates.
 * Contract: src/aws/model.h.
 */
#include <string.h>

#include "aws/model.h"

/* strcmp order between a (p, n) span and a NUL-terminated string */
static int span_cmp(const char *p, size_t n, const char *s)
{
	size_t sl = strlen(s);
	int c = memcmp(p, s, n < sl ? n : sl);

	if (c != 0)
		return c;
	return n < sl ? -1 : n > sl ? 1 : 0;
}

const struct aws_service *aws_model_service(const char *name)
{
	for (size_t i = 0; i < aws_nservices; i++)
		if (strcmp(aws_services[i].name, name) == 0)
			return &aws_services[i];
	return NULL;
}

const struct aws_op *aws_model_op(const struct aws_service *svc, const char *op_name, size_t len)
{
	size_t lo = 0, hi = svc->nops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = span_cmp(op_name, len, svc->ops[mid].name);

		if (c == 0)
			return &svc->ops[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct aws_op *aws_model_op_for_action(const char *action, size_t len,
                                             const struct aws_service **svc_out)
{
	/* sts first: it is the service that is called unsigned */
	static const char *const order[] = {"sts", "iam"};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct aws_service *svc = aws_model_service(order[i]);
		const struct aws_op *op;

		if (svc == NULL || svc->protocol != AWS_PROTO_QUERY)
			continue;
		if ((op = aws_model_op(svc, action, len)) != NULL) {
			if (svc_out)
				*svc_out = svc;
			return op;
		}
	}
	return NULL;
}

const struct aws_error_shape *aws_model_error(const struct aws_service *svc, const char *code)
{
	size_t lo = 0, hi = svc->nerrors;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, svc->errors[mid].code);

		if (c == 0)
			return &svc->errors[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct aws_member *aws_model_member(const struct aws_shape *sh, const char *name, size_t len)
{
	if (sh->type != AWS_T_STRUCTURE)
		return NULL;
	for (size_t i = 0; i < sh->nmembers; i++) {
		const struct aws_member *m = aws_shape_member(sh, i);

		if (span_cmp(name, len, m->name) == 0)
			return m;
	}
	return NULL;
}

size_t aws__utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t more;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		more = 1, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		more = 2, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		more = 3, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n <= more)
		return 0;
	for (size_t k = 1; k <= more; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return more + 1;
}
