/*
 * json_io.c - JSON 1.1 input (parse, type check, normalise), JSON 1.1 output
 * (serialise per the output shape) and the constraint validator shared with
 * the query protocol (aws__validate), which words its errors as AWS does:
 * "1 validation error detected: Value 'x' at 'userName' failed to satisfy
 * constraint: ...".  It does not know about HTTP or handlers.
 * Contract: src/aws/model.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"

#define MAX_DEPTH 64        /* shape nesting we follow */
#define MAX_ERRORS 10       /* validation errors reported */
#define MAX_SHOWN_VALUE 96  /* bytes of a value echoed in a message */

/* what a constraint failure is about: the member itself, a map key or value */
enum vwhat { V_MEMBER, V_MAP_KEY, V_MAP_VALUE };

struct vstate {
	struct buf msgs; /* "; "-separated failures */
	struct buf path; /* "tags.1.member.key" */
	int count;       /* failures found (may exceed those in msgs) */
};

static void path_push_member(struct buf *path, const char *name);
static void v_render(struct buf *b, const json_t *v, int depth);
static void v_fail(struct vstate *st, const json_t *v, const struct aws_shape *sh,
                   enum vwhat what, const char *constraint);
static void v_scalar(struct vstate *st, const json_t *v, const struct aws_shape *sh,
                     enum vwhat what);
static void v_walk(struct vstate *st, const json_t *v, int shape, int depth);
static bool pattern_ok(const struct aws_pattern *pat, const char *s, size_t n);
static int jn_walk(json_t *v, int shape, json_t **repl, struct buf *path, int depth,
                   struct err *e);
static json_t *jo_value(const json_t *v, int shape, int depth);

/* ---- validation ---------------------------------------------------------- */

/* AWS prints member paths with the first letter lowered: UserName -> userName */
static void path_push_member(struct buf *path, const char *name)
{
	if (path->len)
		buf_putc(path, '.');
	if (name[0] >= 'A' && name[0] <= 'Z') {
		buf_putc(path, (char)(name[0] - 'A' + 'a'));
		buf_puts(path, name + 1);
	} else {
		buf_puts(path, name);
	}
}

static void path_pop(struct buf *path, size_t len)
{
	path->len = len;
	if (path->ptr)
		path->ptr[len] = '\0';
}

/* Java-ish toString of a value: strings bare, lists [a, b], maps {k=v} */
static void v_render(struct buf *b, const json_t *v, int depth)
{
	size_t i;
	const char *k;
	json_t *x;

	if (b->len > MAX_SHOWN_VALUE || depth > 4)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		buf_printf(b, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_NULL:
		buf_puts(b, "null");
		break;
	case JSON_ARRAY:
		buf_putc(b, '[');
		json_array_foreach(v, i, x) {
			if (i)
				buf_puts(b, ", ");
			v_render(b, x, depth + 1);
		}
		buf_putc(b, ']');
		break;
	case JSON_OBJECT:
		buf_putc(b, '{');
		i = 0;
		json_object_foreach((json_t *)v, k, x) {
			if (i++)
				buf_puts(b, ", ");
			buf_puts(b, k);
			buf_putc(b, '=');
			v_render(b, x, depth + 1);
		}
		buf_putc(b, '}');
		break;
	}
}

static void v_fail(struct vstate *st, const json_t *v, const struct aws_shape *sh,
                   enum vwhat what, const char *constraint)
{
	if (st->count++ >= MAX_ERRORS)
		return;
	if (st->msgs.len)
		buf_puts(&st->msgs, "; ");
	if (v == NULL) {
		buf_puts(&st->msgs, "Value null");
	} else if (sh && (sh->flags & AWS_SHAPE_SENSITIVE)) {
		buf_puts(&st->msgs, "Value");
	} else {
		struct buf r = BUF_INIT(0);
		size_t n;

		v_render(&r, v, 0);
		n = r.len;
		if (n > MAX_SHOWN_VALUE) {
			/* cut on a UTF-8 boundary */
			n = MAX_SHOWN_VALUE;
			while (n > 0 && ((unsigned char)r.ptr[n] & 0xc0) == 0x80)
				n--;
		}
		buf_puts(&st->msgs, "Value '");
		buf_add(&st->msgs, buf_cstr(&r), n);
		if (n < r.len)
			buf_puts(&st->msgs, "...");
		buf_putc(&st->msgs, '\'');
		buf_release(&r);
	}
	buf_printf(&st->msgs, " at '%s' failed to satisfy constraint: ", buf_cstr(&st->path));
	if (what == V_MAP_KEY)
		buf_printf(&st->msgs, "Map keys must satisfy constraint: [%s]", constraint);
	else if (what == V_MAP_VALUE)
		buf_printf(&st->msgs, "Map value must satisfy constraint: [%s]", constraint);
	else
		buf_puts(&st->msgs, constraint);
}

static bool pattern_ok(const struct aws_pattern *pat, const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	if (!pat->checked)
		return true;
	if (n == 0)
		return pat->min_repeat == 0;
	while (i < n) {
		if ((len = aws__utf8_next(s + i, n - i, &cp)) == 0)
			return false;
		if (cp > 0xff ? !pat->high_ok : !(pat->bits[cp >> 3] & (1u << (cp & 7))))
			return false;
		i += len;
	}
	return true;
}

/* code points in a valid UTF-8 string (invalid bytes count one each) */
static size_t utf8_len(const char *s, size_t n)
{
	size_t i = 0, count = 0, len;
	uint32_t cp;

	while (i < n) {
		len = aws__utf8_next(s + i, n - i, &cp);
		i += len ? len : 1;
		count++;
	}
	return count;
}

/* every failing constraint of a scalar value is one error, as AWS counts them */
static void v_scalar(struct vstate *st, const json_t *v, const struct aws_shape *sh,
                     enum vwhat what)
{
	char why[200];

	if (sh->type == AWS_T_STRING && json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), cps = utf8_len(s, n);

		if ((sh->flags & AWS_SHAPE_HAS_MIN) && (int64_t)cps < sh->min) {
			snprintf(why, sizeof why,
			         "Member must have length greater than or equal to %lld",
			         (long long)sh->min);
			v_fail(st, v, sh, what, why);
		}
		if ((sh->flags & AWS_SHAPE_HAS_MAX) && (int64_t)cps > sh->max) {
			snprintf(why, sizeof why,
			         "Member must have length less than or equal to %lld",
			         (long long)sh->max);
			v_fail(st, v, sh, what, why);
		}
		if (sh->pattern >= 0 && !pattern_ok(&aws_patterns[sh->pattern], s, n)) {
			struct buf w = BUF_INIT(0);

			buf_printf(&w, "Member must satisfy regular expression pattern: %s",
			           aws_patterns[sh->pattern].src);
			v_fail(st, v, sh, what, buf_cstr(&w));
			buf_release(&w);
		}
		if (sh->nenums) {
			bool found = false;

			for (size_t i = 0; i < sh->nenums && !found; i++) {
				const char *ev = aws_enum_values[sh->enums + i];

				found = strlen(ev) == n && memcmp(ev, s, n) == 0;
			}
			if (!found) {
				struct buf w = BUF_INIT(0);

				buf_puts(&w, "Member must satisfy enum value set: [");
				for (size_t i = 0; i < sh->nenums; i++)
					buf_printf(&w, "%s%s", i ? ", " : "",
					           aws_enum_values[sh->enums + i]);
				buf_putc(&w, ']');
				v_fail(st, v, sh, what, buf_cstr(&w));
				buf_release(&w);
			}
		}
		return;
	}
	if ((sh->type == AWS_T_INTEGER || sh->type == AWS_T_LONG) && json_is_integer(v)) {
		long long x = json_integer_value(v);

		if ((sh->flags & AWS_SHAPE_HAS_MIN) && x < sh->min) {
			snprintf(why, sizeof why, "Member must have value greater than or equal to %lld",
			         (long long)sh->min);
			v_fail(st, v, sh, what, why);
		}
		if ((sh->flags & AWS_SHAPE_HAS_MAX) && x > sh->max) {
			snprintf(why, sizeof why, "Member must have value less than or equal to %lld",
			         (long long)sh->max);
			v_fail(st, v, sh, what, why);
		}
		return;
	}
	if ((sh->type == AWS_T_DOUBLE || sh->type == AWS_T_FLOAT) && json_is_number(v)) {
		double x = json_number_value(v);

		if ((sh->flags & AWS_SHAPE_HAS_MIN) && x < (double)sh->min) {
			snprintf(why, sizeof why, "Member must have value greater than or equal to %lld",
			         (long long)sh->min);
			v_fail(st, v, sh, what, why);
		}
		if ((sh->flags & AWS_SHAPE_HAS_MAX) && x > (double)sh->max) {
			snprintf(why, sizeof why, "Member must have value less than or equal to %lld",
			         (long long)sh->max);
			v_fail(st, v, sh, what, why);
		}
	}
}

static void v_count(struct vstate *st, const json_t *v, const struct aws_shape *sh, size_t n)
{
	char why[128];

	if ((sh->flags & AWS_SHAPE_HAS_MIN) && (int64_t)n < sh->min) {
		snprintf(why, sizeof why, "Member must have length greater than or equal to %lld",
		         (long long)sh->min);
		v_fail(st, v, sh, V_MEMBER, why);
	}
	if ((sh->flags & AWS_SHAPE_HAS_MAX) && (int64_t)n > sh->max) {
		snprintf(why, sizeof why, "Member must have length less than or equal to %lld",
		         (long long)sh->max);
		v_fail(st, v, sh, V_MEMBER, why);
	}
}

static void v_walk(struct vstate *st, const json_t *v, int shape, int depth)
{
	const struct aws_shape *sh = &aws_shapes[shape];
	size_t plen = st->path.len, i;
	const char *key;
	json_t *x;

	if (depth > MAX_DEPTH)
		return;
	switch (sh->type) {
	case AWS_T_STRUCTURE:
		if (!json_is_object(v))
			return;
		for (i = 0; i < sh->nmembers; i++) {
			const struct aws_member *m = aws_shape_member(sh, i);

			x = json_object_get(v, m->name);
			path_push_member(&st->path, m->name);
			if (x == NULL || json_is_null(x)) {
				if (m->required)
					v_fail(st, NULL, NULL, V_MEMBER, "Member must not be null");
			} else {
				v_walk(st, x, m->shape, depth + 1);
			}
			path_pop(&st->path, plen);
		}
		break;
	case AWS_T_LIST:
		if (!json_is_array(v))
			return;
		v_count(st, v, sh, json_array_size(v));
		json_array_foreach(v, i, x) {
			buf_printf(&st->path, ".%zu.member", i + 1);
			if (json_is_null(x))
				v_fail(st, NULL, NULL, V_MEMBER, "Member must not be null");
			else
				v_walk(st, x, aws_shape_member(sh, 0)->shape, depth + 1);
			path_pop(&st->path, plen);
		}
		break;
	case AWS_T_MAP: {
		const struct aws_shape *ksh = &aws_shapes[aws_shape_member(sh, 0)->shape];
		const struct aws_shape *vsh = &aws_shapes[aws_shape_member(sh, 1)->shape];

		if (!json_is_object(v))
			return;
		v_count(st, v, sh, json_object_size(v));
		json_object_foreach((json_t *)v, key, x) {
			json_t *k = json_string(key);

			if (k) {
				v_scalar(st, k, ksh, V_MAP_KEY);
				json_decref(k);
			}
			if (vsh->type == AWS_T_STRUCTURE || vsh->type == AWS_T_LIST ||
			    vsh->type == AWS_T_MAP) {
				buf_printf(&st->path, ".%s", key);
				v_walk(st, x, aws_shape_member(sh, 1)->shape, depth + 1);
				path_pop(&st->path, plen);
			} else if (!json_is_null(x)) {
				v_scalar(st, x, vsh, V_MAP_VALUE);
			}
		}
		break;
	}
	default:
		v_scalar(st, v, sh, V_MEMBER);
		break;
	}
}

int aws__validate(const json_t *v, int shape, const char *aws_code, struct err *e)
{
	struct vstate st = {BUF_INIT(4096), BUF_INIT(1024), 0};
	int rc = 0;

	if (shape < 0)
		return 0;
	v_walk(&st, v, shape, 0);
	if (buf_failed(&st.path) || buf_failed(&st.msgs)) {
		rc = err_oom(e);
	} else if (st.count) {
		int shown = st.count > MAX_ERRORS ? MAX_ERRORS : st.count;

		rc = err_set(e, CC_EINVAL, aws_code, "%d validation error%s detected: %s", shown,
		             shown == 1 ? "" : "s", buf_cstr(&st.msgs));
	}
	buf_release(&st.msgs);
	buf_release(&st.path);
	return rc;
}

/* ---- JSON input ------------------------------------------------------------ */

int aws_json_parse(json_t **out, const char *body, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *v;
	size_t i = 0;

	*out = NULL;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len) {
		if ((*out = json_object()) == NULL)
			return err_oom(e);
		return 0;
	}
	v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL)
		return err_set(e, CC_EINVAL, "SerializationException", "%s", jerr.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return err_set(e, CC_EINVAL, "SerializationException",
		               "Start of structure or map expected");
	}
	*out = v;
	return 0;
}

static int jn_type_err(struct err *e, const struct buf *path, const char *want)
{
	return err_set(e, CC_EINVAL, "SerializationException",
	               "Unexpected value type at '%s': expected %s",
	               path->len ? buf_cstr(path) : "input", want);
}

/*
 * Checks JSON types and normalises v for shape; *repl receives a new value
 * for the parent to store in place of v (timestamps, blobs), or stays NULL.
 */
static int jn_walk(json_t *v, int shape, json_t **repl, struct buf *path, int depth,
                   struct err *e)
{
	const struct aws_shape *sh = &aws_shapes[shape];
	size_t plen = path->len, i;
	const char *key;
	json_t *x, *r;
	void *tmp;
	int rc;

	*repl = NULL;
	if (depth > MAX_DEPTH)
		return err_set(e, CC_EINVAL, "SerializationException", "input nested too deeply");
	switch (sh->type) {
	case AWS_T_STRUCTURE:
		if (!json_is_object(v))
			return jn_type_err(e, path, "a structure");
		json_object_foreach_safe(v, tmp, key, x) {
			const struct aws_member *m = aws_model_member(sh, key, strlen(key));

			if (m == NULL || json_is_null(x)) {
				json_object_del(v, key); /* unknown or null: as if absent */
				continue;
			}
			path_push_member(path, m->name);
			rc = jn_walk(x, m->shape, &r, path, depth + 1, e);
			path_pop(path, plen);
			if (rc < 0)
				return rc;
			if (r && json_object_set_new(v, key, r) < 0)
				return err_oom(e);
		}
		return 0;
	case AWS_T_LIST:
		if (!json_is_array(v))
			return jn_type_err(e, path, "a list");
		json_array_foreach(v, i, x) {
			buf_printf(path, ".%zu.member", i + 1);
			if (json_is_null(x))
				rc = 0, r = NULL; /* reported by the validator */
			else
				rc = jn_walk(x, aws_shape_member(sh, 0)->shape, &r, path, depth + 1, e);
			path_pop(path, plen);
			if (rc < 0)
				return rc;
			if (r && json_array_set_new(v, i, r) < 0)
				return err_oom(e);
		}
		return 0;
	case AWS_T_MAP:
		if (!json_is_object(v))
			return jn_type_err(e, path, "a map");
		json_object_foreach(v, key, x) {
			if (json_is_null(x))
				continue;
			buf_printf(path, ".%s", key);
			rc = jn_walk(x, aws_shape_member(sh, 1)->shape, &r, path, depth + 1, e);
			path_pop(path, plen);
			if (rc < 0)
				return rc;
			if (r && json_object_set_new(v, key, r) < 0)
				return err_oom(e);
		}
		return 0;
	case AWS_T_STRING:
		return json_is_string(v) ? 0 : jn_type_err(e, path, "a string");
	case AWS_T_BOOLEAN:
		return json_is_boolean(v) ? 0 : jn_type_err(e, path, "a boolean");
	case AWS_T_INTEGER:
		if (!json_is_integer(v))
			return jn_type_err(e, path, "an integer");
		if (json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
			return err_set(e, CC_EINVAL, "SerializationException",
			               "Value at '%s' is out of range for an integer", buf_cstr(path));
		return 0;
	case AWS_T_LONG:
		return json_is_integer(v) ? 0 : jn_type_err(e, path, "an integer");
	case AWS_T_DOUBLE:
	case AWS_T_FLOAT:
		return json_is_number(v) ? 0 : jn_type_err(e, path, "a number");
	case AWS_T_TIMESTAMP:
		if (json_is_number(v))
			return 0;
		if (json_is_string(v)) {
			int64_t t;

			if (time_parse_iso8601(&t, json_string_value(v), json_string_length(v)) < 0)
				return jn_type_err(e, path, "a timestamp");
			if ((*repl = json_integer(t)) == NULL)
				return err_oom(e);
			return 0;
		}
		return jn_type_err(e, path, "a timestamp");
	case AWS_T_BLOB: {
		unsigned char *raw;
		long n;

		if (!json_is_string(v))
			return jn_type_err(e, path, "base64-encoded binary data");
		if ((raw = malloc(json_string_length(v) + 1)) == NULL)
			return err_oom(e);
		n = b64_decode(raw, json_string_length(v) + 1, json_string_value(v),
		               json_string_length(v));
		if (n < 0) {
			free(raw);
			return jn_type_err(e, path, "base64-encoded binary data");
		}
		*repl = json_stringn_nocheck((const char *)raw, (size_t)n);
		free(raw);
		return *repl ? 0 : err_oom(e);
	}
	}
	return 0;
}

int aws_json_normalize(json_t *in, const struct aws_service *svc, const struct aws_op *op,
                       struct err *e)
{
	struct buf path = BUF_INIT(4096);
	json_t *repl = NULL;
	int rc;

	(void)svc;
	if (!json_is_object(in))
		return err_set(e, CC_EINVAL, "SerializationException",
		               "Start of structure or map expected");
	if (op->input < 0) {
		json_object_clear(in);
		return 0;
	}
	rc = jn_walk(in, op->input, &repl, &path, 0, e);
	buf_release(&path);
	json_decref(repl); /* a structure is never replaced */
	return rc;
}

int aws_json_validate(json_t *in, const struct aws_service *svc, const struct aws_op *op,
                      struct err *e)
{
	int rc = aws_json_normalize(in, svc, op, e);

	if (rc < 0 || op->input < 0)
		return rc;
	return aws__validate(in, op->input, "ValidationException", e);
}

/* ---- JSON output ----------------------------------------------------------- */

/* a new value for v serialised as shape, or NULL if v does not fit it */
static json_t *jo_value(const json_t *v, int shape, int depth)
{
	const struct aws_shape *sh = &aws_shapes[shape];
	const char *key;
	json_t *out, *x, *y;
	size_t i;

	if (depth > MAX_DEPTH)
		return NULL;
	switch (sh->type) {
	case AWS_T_STRUCTURE:
		if (!json_is_object(v) || (out = json_object()) == NULL)
			return NULL;
		for (i = 0; i < sh->nmembers; i++) {
			const struct aws_member *m = aws_shape_member(sh, i);

			if ((x = json_object_get(v, m->name)) == NULL || json_is_null(x))
				continue;
			if ((y = jo_value(x, m->shape, depth + 1)) == NULL ||
			    json_object_set_new(out, m->name, y) < 0) {
				log_warnx("aws: output member '%s.%s' does not fit its shape",
				          sh->name, m->name);
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case AWS_T_LIST:
		if (!json_is_array(v) || (out = json_array()) == NULL)
			return NULL;
		json_array_foreach(v, i, x) {
			if ((y = jo_value(x, aws_shape_member(sh, 0)->shape, depth + 1)) == NULL ||
			    json_array_append_new(out, y) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case AWS_T_MAP:
		if (!json_is_object(v) || (out = json_object()) == NULL)
			return NULL;
		json_object_foreach((json_t *)v, key, x) {
			if ((y = jo_value(x, aws_shape_member(sh, 1)->shape, depth + 1)) == NULL ||
			    json_object_set_new(out, key, y) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case AWS_T_STRING:
		return json_is_string(v) ? json_deep_copy(v) : NULL;
	case AWS_T_BOOLEAN:
		return json_is_boolean(v) ? json_deep_copy(v) : NULL;
	case AWS_T_INTEGER:
	case AWS_T_LONG:
		return json_is_integer(v) ? json_deep_copy(v) : NULL;
	case AWS_T_DOUBLE:
	case AWS_T_FLOAT:
		return json_is_number(v) && isfinite(json_number_value(v)) ? json_deep_copy(v) : NULL;
	case AWS_T_TIMESTAMP:
		if (json_is_number(v))
			return json_deep_copy(v);
		if (json_is_string(v)) {
			int64_t t;

			if (time_parse_iso8601(&t, json_string_value(v), json_string_length(v)) == 0)
				return json_integer(t);
		}
		return NULL;
	case AWS_T_BLOB: {
		size_t n, cap;
		char *enc;

		if (!json_is_string(v))
			return NULL;
		n = json_string_length(v);
		if (n > SIZE_MAX / 2)
			return NULL;
		cap = (n + 2) / 3 * 4 + 1;
		if ((enc = malloc(cap)) == NULL)
			return NULL;
		n = b64_encode(enc, cap, (const unsigned char *)json_string_value(v), n);
		out = json_stringn(enc, n);
		free(enc);
		return out;
	}
	}
	return NULL;
}

static int dump_into(struct buf *out, const json_t *v, struct err *e)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		return e ? err_set(e, CC_ERROR, NULL, "cannot encode the response") : CC_ERROR;
	buf_puts(out, s);
	free(s);
	if (buf_failed(out))
		return e ? err_set(e, CC_ELIMIT, NULL, "response too large") : CC_ELIMIT;
	return 0;
}

int aws_json_response(struct buf *out, const struct aws_service *svc, const struct aws_op *op,
                      const json_t *result, struct err *e)
{
	json_t *v;
	int rc;

	(void)svc;
	if (op->output < 0 || result == NULL)
		v = json_object();
	else
		v = jo_value(result, op->output, 0);
	if (v == NULL)
		return err_set(e, CC_ERROR, NULL, "the %s result does not fit its shape", op->name);
	rc = dump_into(out, v, e);
	json_decref(v);
	return rc;
}

int aws_json_error(struct buf *out, const char *code, const char *message)
{
	json_t *v = json_object();
	json_t *m = json_string(message ? message : "");
	int rc;

	if (m == NULL) /* not UTF-8: never echo it */
		m = json_string("");
	if (v == NULL || m == NULL) {
		json_decref(v);
		json_decref(m);
		return CC_ERROR;
	}
	if (json_object_set_new(v, "__type", json_string(code ? code : "InternalFailure")) < 0 ||
	    json_object_set_new(v, "message", m) < 0) {
		json_decref(v);
		return CC_ERROR;
	}
	rc = dump_into(out, v, NULL);
	json_decref(v);
	return rc;
}
