/*
 * query_in.c - the query protocol's input: an application/x-www-form-urlencoded
 * body (or query string) such as "Action=TagUser&UserName=a&Tags.member.1.Key=k"
 * becomes a json object keyed by botocore member names, shaped and validated
 * by the op's input shape.  Lists and maps are first gathered as objects keyed
 * by their 1-based entry number, then checked for gaps and turned into arrays
 * and objects.  It does not authenticate or dispatch.  Contract: src/aws/model.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"

#define MALFORMED "MalformedQueryString"

/* a cursor over "a=b&c=d" pairs */
struct qscan {
	const char *p, *end;
};

static bool q_next(struct qscan *s, struct span *name, struct span *val);
static int q_decode(char *out, size_t *outlen, struct span in, struct err *e);
static int q_head(char *action, size_t asz, char *version, size_t vsz, char *scratch,
                  const char *body, size_t len, struct err *e);
static int q_scalar(json_t **out, const struct aws_shape *sh, const char *val, size_t n,
                    const struct buf *path, struct err *e);
static int q_insert(json_t *root, int shape, char *name, const char *val, size_t vlen,
                    struct err *e);
static int q_finish(json_t **out, json_t *v, int shape, int depth, struct err *e);

static bool q_next(struct qscan *s, struct span *name, struct span *val)
{
	while (s->p < s->end) {
		const char *start = s->p, *amp, *eq;
		size_t n;

		amp = memchr(start, '&', (size_t)(s->end - start));
		n = amp ? (size_t)(amp - start) : (size_t)(s->end - start);
		s->p = amp ? amp + 1 : s->end;
		if (n == 0)
			continue;
		eq = memchr(start, '=', n);
		*name = span_of(start, eq ? (size_t)(eq - start) : n);
		*val = eq ? span_of(eq + 1, n - (size_t)(eq - start) - 1) : span_of(eq, 0);
		return true;
	}
	return false;
}

/* %-decodes in into out (room for in.n + 1 bytes); the result must be UTF-8 */
static int q_decode(char *out, size_t *outlen, struct span in, struct err *e)
{
	if (url_decode(out, outlen, in.p, in.n, true) < 0)
		return err_set(e, CC_EINVAL, MALFORMED, "invalid %%-encoding in the request");
	if (!utf8_valid(out, *outlen))
		return err_set(e, CC_EINVAL, MALFORMED, "the request is not valid UTF-8");
	return 0;
}

/*
 * The first pass: checks the encoding and the limits of every parameter and
 * picks out Action and Version.  scratch holds len + 1 bytes.
 */
static int q_head(char *action, size_t asz, char *version, size_t vsz, char *scratch,
                  const char *body, size_t len, struct err *e)
{
	struct qscan s = {body, body + len};
	struct span name, val;
	size_t count = 0, n;
	bool have_action = false, have_version = false;
	int rc;

	action[0] = version[0] = '\0';
	while (q_next(&s, &name, &val)) {
		if (++count > AWS_QUERY_MAX_PARAMS)
			return err_set(e, CC_EINVAL, MALFORMED, "more than %d parameters",
			               AWS_QUERY_MAX_PARAMS);
		if ((rc = q_decode(scratch, &n, name, e)) < 0)
			return rc;
		if (n > AWS_QUERY_MAX_NAME)
			return err_set(e, CC_EINVAL, MALFORMED, "parameter name too long");
		if (n == 6 && memcmp(scratch, "Action", 6) == 0) {
			if (have_action)
				return err_set(e, CC_EINVAL, MALFORMED, "duplicate parameter 'Action'");
			have_action = true;
			if ((rc = q_decode(scratch, &n, val, e)) < 0)
				return rc;
			if (n >= asz)
				return err_set(e, CC_EINVAL, "InvalidAction", "Action is too long");
			memcpy(action, scratch, n + 1);
		} else if (n == 7 && memcmp(scratch, "Version", 7) == 0) {
			if (have_version)
				return err_set(e, CC_EINVAL, MALFORMED, "duplicate parameter 'Version'");
			have_version = true;
			if ((rc = q_decode(scratch, &n, val, e)) < 0)
				return rc;
			if (n >= vsz)
				return err_set(e, CC_EINVAL, MALFORMED, "Version is too long");
			memcpy(version, scratch, n + 1);
		} else if ((rc = q_decode(scratch, &n, val, e)) < 0) {
			return rc;
		}
	}
	return 0;
}

int aws_query_action(char *action, size_t action_sz, char *version, size_t version_sz,
                     const char *body, size_t len)
{
	struct err e = ERR_INIT;
	char *scratch;
	int rc;

	if (action_sz == 0 || version_sz == 0 || len == SIZE_MAX)
		return CC_EINVAL;
	if ((scratch = malloc(len + 1)) == NULL)
		return CC_ERROR;
	rc = q_head(action, action_sz, version, version_sz, scratch, body, len, &e);
	free(scratch);
	return rc;
}

static int q_value_err(struct err *e, const char *val, const struct buf *path, const char *what)
{
	return err_set(e, CC_EINVAL, "ValidationError",
	               "1 validation error detected: Value '%.64s' at '%s' failed to satisfy "
	               "constraint: Member must be %s", val, buf_cstr(path), what);
}

/* a scalar parameter value (NUL-terminated, UTF-8) as the json value of sh */
static int q_scalar(json_t **out, const struct aws_shape *sh, const char *val, size_t n,
                    const struct buf *path, struct err *e)
{
	int64_t i;

	*out = NULL;
	switch (sh->type) {
	case AWS_T_STRING:
		*out = json_stringn(val, n);
		break;
	case AWS_T_INTEGER:
		if (parse_i64(val, n, INT32_MIN, INT32_MAX, &i) < 0)
			return q_value_err(e, val, path, "an integer");
		*out = json_integer(i);
		break;
	case AWS_T_LONG:
		if (parse_i64(val, n, INT64_MIN, INT64_MAX, &i) < 0)
			return q_value_err(e, val, path, "an integer");
		*out = json_integer(i);
		break;
	case AWS_T_BOOLEAN:
		if (span_eq_nocase(span_of(val, n), "true"))
			*out = json_true();
		else if (span_eq_nocase(span_of(val, n), "false"))
			*out = json_false();
		else
			return q_value_err(e, val, path, "true or false");
		break;
	case AWS_T_TIMESTAMP:
		if (time_parse_iso8601(&i, val, n) < 0 &&
		    parse_i64(val, n, INT64_MIN / 2, INT64_MAX / 2, &i) < 0)
			return q_value_err(e, val, path, "an ISO 8601 timestamp");
		*out = json_integer(i);
		break;
	case AWS_T_DOUBLE:
	case AWS_T_FLOAT: {
		char *end;
		double d;

		if (n == 0 || n > 64)
			return q_value_err(e, val, path, "a number");
		d = strtod(val, &end);
		if (end != val + n || !isfinite(d))
			return q_value_err(e, val, path, "a number");
		*out = json_real(d);
		break;
	}
	case AWS_T_BLOB: {
		unsigned char *raw = malloc(n + 1);
		long m;

		if (raw == NULL)
			return err_oom(e);
		if ((m = b64_decode(raw, n + 1, val, n)) < 0) {
			free(raw);
			return q_value_err(e, val, path, "base64-encoded binary data");
		}
		*out = json_stringn_nocheck((const char *)raw, (size_t)m);
		free(raw);
		break;
	}
	default:
		return 0;
	}
	return *out ? 0 : err_oom(e);
}

static bool is_container(const struct aws_shape *sh)
{
	return sh->type == AWS_T_STRUCTURE || sh->type == AWS_T_LIST || sh->type == AWS_T_MAP;
}

/* an entry number "1".."1000", canonicalised into key */
static int q_index(char key[8], const char *seg, struct err *e)
{
	uint64_t idx;

	if (seg == NULL || parse_u64(seg, strlen(seg), 1, AWS_QUERY_MAX_INDEX, &idx) < 0)
		return err_set(e, CC_EINVAL, MALFORMED, "invalid list or map index '%.16s'",
		               seg ? seg : "");
	snprintf(key, 8, "%u", (unsigned)idx);
	return 0;
}

/* splits the next '.'-separated segment off *rest */
static char *q_seg(char **rest)
{
	char *s = *rest, *dot;

	if (s == NULL)
		return NULL;
	dot = strchr(s, '.');
	if (dot) {
		*dot = '\0';
		*rest = dot + 1;
	} else {
		*rest = NULL;
	}
	return s;
}

static void q_path_member(struct buf *path, const char *name)
{
	if (path->len)
		buf_putc(path, '.');
	buf_putc(path, name[0] >= 'A' && name[0] <= 'Z' ? (char)(name[0] - 'A' + 'a') : name[0]);
	buf_puts(path, name + 1);
}

/*
 * Places one parameter: name (mutable, split in place) walks the shapes from
 * shape; val lands at the end.  Names that fit no member are ignored.
 */
static int q_insert(json_t *root, int shape, char *name, const char *val, size_t vlen,
                    struct err *e)
{
	struct buf path = BUF_INIT(1024);
	const struct aws_shape *sh = &aws_shapes[shape];
	json_t *node = root, *x;
	char *rest = name, *seg, key[8];
	const char *slot;
	bool flat_ref = false; /* the reference that led here says flattened */
	int child, rc = 0;

	while ((seg = q_seg(&rest)) != NULL) {
		const struct aws_shape *csh;

		switch (sh->type) {
		case AWS_T_STRUCTURE: {
			const struct aws_member *m = NULL;

			for (size_t i = 0; i < sh->nmembers && m == NULL; i++)
				if (strcmp(aws_member_wire_name(aws_shape_member(sh, i)), seg) == 0)
					m = aws_shape_member(sh, i);
			if (m == NULL)
				goto out; /* unknown parameter */
			q_path_member(&path, m->name);
			slot = m->name;
			child = m->shape;
			flat_ref = m->flattened;
			break;
		}
		case AWS_T_LIST: {
			const struct aws_member *lm = aws_shape_member(sh, 0);

			if (!flat_ref && !(sh->flags & AWS_SHAPE_FLATTENED)) {
				if (strcmp(seg, lm->location_name ? lm->location_name : "member") != 0)
					goto out;
				seg = q_seg(&rest);
			}
			if ((rc = q_index(key, seg, e)) < 0)
				goto out;
			buf_printf(&path, ".%s.member", key);
			slot = key;
			child = lm->shape;
			flat_ref = false;
			break;
		}
		case AWS_T_MAP: {
			const struct aws_member *km = aws_shape_member(sh, 0);
			const struct aws_member *vm = aws_shape_member(sh, 1);
			json_t *entry;

			if (!flat_ref && !(sh->flags & AWS_SHAPE_FLATTENED)) {
				if (strcmp(seg, "entry") != 0)
					goto out;
				seg = q_seg(&rest);
			}
			if ((rc = q_index(key, seg, e)) < 0)
				goto out;
			if ((seg = q_seg(&rest)) == NULL)
				goto out;
			if ((entry = json_object_get(node, key)) == NULL) {
				if ((entry = json_object()) == NULL ||
				    json_object_set_new(node, key, entry) < 0) {
					rc = err_oom(e);
					goto out;
				}
			} else if (!json_is_object(entry)) {
				goto out;
			}
			node = entry;
			if (strcmp(seg, km->location_name ? km->location_name : "key") == 0) {
				slot = "key";
				child = km->shape;
			} else if (strcmp(seg, vm->location_name ? vm->location_name : "value") == 0) {
				slot = "value";
				child = vm->shape;
			} else {
				goto out;
			}
			flat_ref = false;
			break;
		}
		default:
			goto out; /* a scalar has no parts */
		}

		csh = &aws_shapes[child];
		x = json_object_get(node, slot);
		if (rest == NULL) {
			/* the last segment: the value itself */
			json_t *v = NULL;

			if (x != NULL) {
				rc = err_set(e, CC_EINVAL, MALFORMED, "duplicate parameter '%s'",
				             buf_cstr(&path));
				goto out;
			}
			if (csh->type == AWS_T_LIST && vlen == 0)
				v = json_array(); /* botocore sends an empty list as "Name=" */
			else if (is_container(csh))
				goto out;
			else if ((rc = q_scalar(&v, csh, val, vlen, &path, e)) < 0)
				goto out;
			if (v == NULL || json_object_set_new(node, slot, v) < 0)
				rc = err_oom(e);
			goto out;
		}
		if (!is_container(csh))
			goto out;
		if (x == NULL) {
			if ((x = json_object()) == NULL || json_object_set_new(node, slot, x) < 0) {
				rc = err_oom(e);
				goto out;
			}
		} else if (!json_is_object(x)) {
			goto out; /* "Tags=" and "Tags.member.1..." together: keep the first */
		}
		node = x;
		sh = csh;
	}
out:
	if (rc == 0 && buf_failed(&path))
		rc = err_oom(e);
	buf_release(&path);
	return rc;
}

/* turns the gathered tree v for shape into its final form in *out (new ref) */
static int q_finish(json_t **out, json_t *v, int shape, int depth, struct err *e)
{
	const struct aws_shape *sh = &aws_shapes[shape];
	char key[24];
	json_t *r = NULL, *x, *y;
	const char *k;
	void *tmp;
	size_t n, i;
	int rc;

	*out = NULL;
	if (depth > 64)
		return err_set(e, CC_EINVAL, MALFORMED, "parameters nested too deeply");
	if (!is_container(sh) || json_is_array(v)) {
		*out = json_incref(v);
		return 0;
	}
	switch (sh->type) {
	case AWS_T_STRUCTURE:
		json_object_foreach_safe(v, tmp, k, x) {
			const struct aws_member *m = aws_model_member(sh, k, strlen(k));

			if (m == NULL || !is_container(&aws_shapes[m->shape]))
				continue;
			if ((rc = q_finish(&y, x, m->shape, depth + 1, e)) < 0)
				return rc;
			if (json_object_set_new(v, k, y) < 0)
				return err_oom(e);
		}
		*out = json_incref(v);
		return 0;
	case AWS_T_LIST:
		n = json_object_size(v);
		if ((r = json_array()) == NULL)
			return err_oom(e);
		for (i = 1; i <= n; i++) {
			snprintf(key, sizeof key, "%zu", i);
			if ((x = json_object_get(v, key)) == NULL) {
				rc = err_set(e, CC_EINVAL, MALFORMED,
				             "list entries must be numbered from 1 without gaps");
				goto fail;
			}
			if ((rc = q_finish(&y, x, aws_shape_member(sh, 0)->shape, depth + 1, e)) < 0)
				goto fail;
			if (json_array_append_new(r, y) < 0) {
				rc = err_oom(e);
				goto fail;
			}
		}
		*out = r;
		return 0;
	case AWS_T_MAP:
		n = json_object_size(v);
		if ((r = json_object()) == NULL)
			return err_oom(e);
		for (i = 1; i <= n; i++) {
			json_t *mk, *mv;

			snprintf(key, sizeof key, "%zu", i);
			if ((x = json_object_get(v, key)) == NULL) {
				rc = err_set(e, CC_EINVAL, MALFORMED,
				             "map entries must be numbered from 1 without gaps");
				goto fail;
			}
			mk = json_object_get(x, "key");
			mv = json_object_get(x, "value");
			if (!json_is_string(mk) || mv == NULL) {
				rc = err_set(e, CC_EINVAL, MALFORMED, "map entry %zu lacks a key or value", i);
				goto fail;
			}
			if (json_object_get(r, json_string_value(mk)) != NULL) {
				rc = err_set(e, CC_EINVAL, MALFORMED, "duplicate map key");
				goto fail;
			}
			if ((rc = q_finish(&y, mv, aws_shape_member(sh, 1)->shape, depth + 1, e)) < 0)
				goto fail;
			if (json_object_set_new(r, json_string_value(mk), y) < 0) {
				rc = err_oom(e);
				goto fail;
			}
		}
		*out = r;
		return 0;
	default:
		break;
	}
	*out = json_incref(v);
	return 0;
fail:
	json_decref(r);
	return rc;
}

int aws_query_parse(json_t **out, struct aws_query_head *head, const char *body, size_t len,
                    const struct aws_service *svc, struct err *e)
{
	char name[AWS_QUERY_MAX_NAME + 1];
	struct qscan s = {body, body + len};
	struct span sn, sv;
	const struct aws_op *op;
	json_t *root = NULL, *fin = NULL;
	char *scratch;
	size_t n;
	int rc;

	*out = NULL;
	if (len == SIZE_MAX || (scratch = malloc(len + 1)) == NULL)
		return err_oom(e);
	rc = q_head(head->action, sizeof head->action, head->version, sizeof head->version,
	            scratch, body, len, e);
	if (rc < 0)
		goto out;
	if (head->action[0] == '\0') {
		rc = err_set(e, CC_EINVAL, "MissingAction", "Missing Action");
		goto out;
	}
	op = aws_model_op(svc, head->action, strlen(head->action));
	if (op == NULL) {
		rc = err_set(e, CC_EINVAL, "InvalidAction", "Could not find operation %.64s for version %.16s",
		             head->action, head->version[0] ? head->version : svc->api_version);
		goto out;
	}
	if ((root = json_object()) == NULL) {
		rc = err_oom(e);
		goto out;
	}
	if (op->input < 0)
		goto done;
	while (q_next(&s, &sn, &sv)) {
		/* q_head checked every name and value already */
		if ((rc = q_decode(scratch, &n, sn, e)) < 0)
			goto out;
		memcpy(name, scratch, n + 1);
		if (strcmp(name, "Action") == 0 || strcmp(name, "Version") == 0)
			continue;
		if ((rc = q_decode(scratch, &n, sv, e)) < 0)
			goto out;
		if ((rc = q_insert(root, op->input, name, scratch, n, e)) < 0)
			goto out;
	}
	if ((rc = q_finish(&fin, root, op->input, 0, e)) < 0)
		goto out;
	json_decref(root);
	root = fin; /* q_finish returned the same structure with a new reference */
	fin = NULL;
	if ((rc = aws__validate(root, op->input, "ValidationError", e)) < 0)
		goto out;
done:
	*out = root;
	root = NULL; /* handed to the caller */
	rc = 0;
out:
	json_decref(root);
	free(scratch);
	return rc;
}
