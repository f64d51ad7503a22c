/*
 * xml_out.c - the query protocol's output: a handler's result object written
 * as the XML that botocore's QueryParser and the AWS CLI read, following the
 * op's output shape, and <ErrorResponse> documents.  Every piece of text goes
 * through aws_xml_text(); element names come only from the model.  It does
 * not parse XML.  Contract: src/aws/model.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"

#define MAX_DEPTH 64

static int x_value(struct buf *out, const json_t *v, int shape, int depth);
static int x_element(struct buf *out, const char *tag, const char *ns, const json_t *v,
                     int shape, int depth);

void aws_xml_text(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0, len;
	uint32_t cp;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\t': rep = "&#9;"; break;
		case '\n': rep = "&#10;"; break;
		case '\r': rep = "&#13;"; break;
		default:
			break;
		}
		if (rep == NULL && c >= 0x20 && c < 0x80) {
			i++;
			run++;
			continue;
		}
		buf_add(out, s + i - run, run);
		run = 0;
		if (rep) {
			buf_puts(out, rep);
			i++;
			continue;
		}
		/*
		 * Other control characters, invalid UTF-8 and U+FFFE/U+FFFF cannot
		 * appear in XML 1.0 at all, not even as references: U+FFFD instead.
		 */
		len = c < 0x20 ? 0 : aws__utf8_next(s + i, n - i, &cp);
		if (len == 0 || cp == 0xfffe || cp == 0xffff) {
			buf_puts(out, "\xef\xbf\xbd");
			i += len ? len : 1;
		} else {
			buf_add(out, s + i, len);
			i += len;
		}
	}
	buf_add(out, s + i - run, run);
}

static void x_cstr(struct buf *out, const char *s)
{
	aws_xml_text(out, s, strlen(s));
}

/* a timestamp (epoch seconds) as 2024-01-02T03:04:05Z or ...05.123Z */
static int x_timestamp(struct buf *out, const json_t *v)
{
	char iso[32];
	int64_t t;
	double d, frac = 0;

	if (json_is_integer(v)) {
		t = json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (!isfinite(d) || d < -62135596800.0 || d > 253402300799.0)
			return CC_ERROR;
		t = (int64_t)d; /* floor without libm */
		if ((double)t > d)
			t--;
		frac = d - (double)t;
	} else if (json_is_string(v)) {
		if (time_parse_iso8601(&t, json_string_value(v), json_string_length(v)) < 0)
			return CC_ERROR;
	} else {
		return CC_ERROR;
	}
	if (t < -62135596800LL || t > 253402300799LL) /* years 1-9999 */
		return CC_ERROR;
	time_iso8601(iso, sizeof iso, t);
	if (frac > 0) {
		int ms = (int)(frac * 1000.0 + 0.5);

		if (ms > 999)
			ms = 999;
		if (ms > 0) {
			size_t n = strlen(iso);

			if (n > 0 && iso[n - 1] == 'Z')
				snprintf(iso + n - 1, sizeof iso - (n - 1), ".%03dZ", ms);
		}
	}
	buf_puts(out, iso);
	return 0;
}

static int x_double(struct buf *out, const json_t *v)
{
	char tmp[40];
	double d;

	if (!json_is_number(v) || !isfinite(d = json_number_value(v)))
		return CC_ERROR;
	snprintf(tmp, sizeof tmp, "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof tmp, "%.17g", d);
	buf_puts(out, tmp);
	return 0;
}

static int x_blob(struct buf *out, const json_t *v)
{
	size_t n, cap;
	char *enc;

	if (!json_is_string(v))
		return CC_ERROR;
	n = json_string_length(v);
	if (n > SIZE_MAX / 2)
		return CC_ERROR;
	cap = (n + 2) / 3 * 4 + 1;
	if ((enc = malloc(cap)) == NULL)
		return CC_ERROR;
	n = b64_encode(enc, cap, (const unsigned char *)json_string_value(v), n);
	buf_add(out, enc, n);
	free(enc);
	return 0;
}

/* the repeated element of a list: <member> or the member's location name */
static const char *list_item_name(const struct aws_shape *sh)
{
	const struct aws_member *lm = aws_shape_member(sh, 0);

	return lm->location_name ? lm->location_name : "member";
}

static int x_map_entry(struct buf *out, const struct aws_shape *sh, const char *key,
                       const json_t *val, int depth)
{
	const struct aws_member *km = aws_shape_member(sh, 0), *vm = aws_shape_member(sh, 1);
	json_t *k = json_string(key);
	int rc;

	if (k == NULL)
		return CC_ERROR;
	rc = x_element(out, km->location_name ? km->location_name : "key", NULL, k,
	               km->shape, depth + 1);
	json_decref(k);
	if (rc < 0)
		return rc;
	return x_element(out, vm->location_name ? vm->location_name : "value", NULL, val,
	                 vm->shape, depth + 1);
}

/* the content of an element holding v (not the element itself) */
static int x_value(struct buf *out, const json_t *v, int shape, int depth)
{
	const struct aws_shape *sh = &aws_shapes[shape];
	const char *key;
	json_t *x;
	size_t i;
	int rc;

	if (depth > MAX_DEPTH)
		return CC_ERROR;
	switch (sh->type) {
	case AWS_T_STRUCTURE:
		if (!json_is_object(v))
			return CC_ERROR;
		for (i = 0; i < sh->nmembers; i++) {
			const struct aws_member *m = aws_shape_member(sh, i);
			const struct aws_shape *msh = &aws_shapes[m->shape];

			if ((x = json_object_get(v, m->name)) == NULL || json_is_null(x))
				continue;
			if (msh->type == AWS_T_LIST && (m->flattened || (msh->flags & AWS_SHAPE_FLATTENED))) {
				/* flattened: the items repeat in place of the wrapper */
				const struct aws_member *lm = aws_shape_member(msh, 0);
				const char *tag = lm->location_name ? lm->location_name
				                                    : aws_member_wire_name(m);
				size_t j;
				json_t *y;

				if (!json_is_array(x))
					return CC_ERROR;
				json_array_foreach(x, j, y)
					if ((rc = x_element(out, tag, NULL, y, lm->shape, depth + 1)) < 0)
						return rc;
				continue;
			}
			if (msh->type == AWS_T_MAP && (m->flattened || (msh->flags & AWS_SHAPE_FLATTENED))) {
				const char *k;
				json_t *y;

				if (!json_is_object(x))
					return CC_ERROR;
				json_object_foreach(x, k, y) {
					buf_printf(out, "<%s>", aws_member_wire_name(m));
					if ((rc = x_map_entry(out, msh, k, y, depth + 1)) < 0)
						return rc;
					buf_printf(out, "</%s>", aws_member_wire_name(m));
				}
				continue;
			}
			if ((rc = x_element(out, aws_member_wire_name(m), m->xml_namespace, x, m->shape,
			                    depth + 1)) < 0)
				return rc;
		}
		return 0;
	case AWS_T_LIST:
		if (!json_is_array(v))
			return CC_ERROR;
		json_array_foreach(v, i, x)
			if ((rc = x_element(out, list_item_name(sh), NULL, x,
			                    aws_shape_member(sh, 0)->shape, depth + 1)) < 0)
				return rc;
		return 0;
	case AWS_T_MAP:
		if (!json_is_object(v))
			return CC_ERROR;
		json_object_foreach((json_t *)v, key, x) {
			buf_puts(out, "<entry>");
			if ((rc = x_map_entry(out, sh, key, x, depth)) < 0)
				return rc;
			buf_puts(out, "</entry>");
		}
		return 0;
	case AWS_T_STRING:
		if (!json_is_string(v))
			return CC_ERROR;
		aws_xml_text(out, json_string_value(v), json_string_length(v));
		return 0;
	case AWS_T_INTEGER:
	case AWS_T_LONG:
		if (!json_is_integer(v))
			return CC_ERROR;
		buf_printf(out, "%lld", (long long)json_integer_value(v));
		return 0;
	case AWS_T_BOOLEAN:
		if (!json_is_boolean(v))
			return CC_ERROR;
		buf_puts(out, json_is_true(v) ? "true" : "false");
		return 0;
	case AWS_T_TIMESTAMP:
		return x_timestamp(out, v);
	case AWS_T_DOUBLE:
	case AWS_T_FLOAT:
		return x_double(out, v);
	case AWS_T_BLOB:
		return x_blob(out, v);
	}
	return CC_ERROR;
}

/* <tag xmlns="ns">value</tag>; tag comes from the model, never from input */
static int x_element(struct buf *out, const char *tag, const char *ns, const json_t *v,
                     int shape, int depth)
{
	int rc;

	buf_printf(out, "<%s", tag);
	if (ns) {
		buf_puts(out, " xmlns=\"");
		x_cstr(out, ns);
		buf_putc(out, '"');
	}
	buf_putc(out, '>');
	if ((rc = x_value(out, v, shape, depth)) < 0) {
		log_warnx("aws: output element '%s' does not fit shape '%s'", tag,
		          aws_shapes[shape].name);
		return rc;
	}
	buf_printf(out, "</%s>", tag);
	return 0;
}

static void x_open_root(struct buf *out, const struct aws_service *svc, const char *name,
                        const char *suffix)
{
	buf_printf(out, "<%s%s", name, suffix);
	if (svc && svc->xml_namespace) {
		buf_puts(out, " xmlns=\"");
		x_cstr(out, svc->xml_namespace);
		buf_putc(out, '"');
	}
	buf_puts(out, ">\n");
}

int aws_xml_response(struct buf *out, const struct aws_service *svc, const struct aws_op *op,
                     const json_t *result, const char *request_id, struct err *e)
{
	int rc;

	x_open_root(out, svc, op->name, "Response");
	if (op->output >= 0) {
		char wrapper[160];

		if (op->result_wrapper)
			snprintf(wrapper, sizeof wrapper, "%s", op->result_wrapper);
		else
			snprintf(wrapper, sizeof wrapper, "%sResult", op->name);
		buf_printf(out, "  <%s>", wrapper);
		if (result != NULL && (rc = x_value(out, result, op->output, 0)) < 0)
			return err_set(e, CC_ERROR, NULL, "the %s result does not fit its shape",
			               op->name);
		buf_printf(out, "</%s>\n", wrapper);
	}
	buf_puts(out, "  <ResponseMetadata>\n    <RequestId>");
	x_cstr(out, request_id ? request_id : "");
	buf_printf(out, "</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n", op->name);
	if (buf_failed(out))
		return err_set(e, CC_ELIMIT, NULL, "response too large");
	return 0;
}

int aws_xml_error(struct buf *out, const struct aws_service *svc, const char *type,
                  const char *code, const char *message, const char *request_id)
{
	x_open_root(out, svc, "ErrorResponse", "");
	buf_puts(out, "  <Error>\n    <Type>");
	x_cstr(out, type ? type : "Sender");
	buf_puts(out, "</Type>\n    <Code>");
	x_cstr(out, code ? code : "InternalFailure");
	buf_puts(out, "</Code>\n    <Message>");
	x_cstr(out, message ? message : "");
	buf_puts(out, "</Message>\n  </Error>\n  <RequestId>");
	x_cstr(out, request_id ? request_id : "");
	buf_puts(out, "</RequestId>\n</ErrorResponse>\n");
	return buf_failed(out) ? CC_ELIMIT : 0;
}
