/*
 * dispatch.c - one AWS API request, start to finish, the same for every
 * operation of every service (see aws.h for the order).  Handlers get a
 * validated input object and an open transaction; they never authenticate,
 * authorize or write the response themselves.
 */
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "audit/audit.h"

#define CT_XML "text/xml"
#define CT_JSON "application/x-amz-json-1.1"

struct dispatch {
	const struct env *env;
	const struct api_req *req;
	struct api_resp *resp;
	const struct aws_service *svc;
	enum aws_protocol proto;
	char action[128];
	char version[32];
	const char *params;     /* query protocol: the form */
	size_t params_len;
	struct sigv4_auth sig;
	bool signed_req;
	struct principal caller;
	struct session session;
	bool has_session;
	/* for the audit event, kept past run() */
	const struct aws_op *op;
	json_t *in, *out;       /* owned */
	const char *resource;   /* in the call's arena */
	char event_account[13]; /* from the handler, for unsigned calls */
	json_t *event_identity; /* owned */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void metric_add(_Atomic uint64_t *m, uint64_t v)
{
	atomic_fetch_add_explicit(m, v, memory_order_relaxed);
}

const char *api_req_header(const struct api_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static void respond_error(struct dispatch *d, const struct err *e)
{
	const char *code;
	int http;

	aws_error_map(e, d->svc, &code, &http);
	if (http >= 500)
		log_warnx("api: %s %s: %s", code, d->action, e->msg);
	buf_clear(&d->resp->body);
	d->resp->status = http;
	if (d->proto == AWS_PROTO_JSON) {
		d->resp->content_type = CT_JSON;
		aws_json_error(&d->resp->body, code, e->msg);
	} else {
		d->resp->content_type = CT_XML;
		aws_xml_error(&d->resp->body, d->svc, http >= 500 ? "Receiver" : "Sender", code,
			      e->msg, d->resp->request_id);
	}
}

static const struct aws_oprow *find_row(const struct env *env, const struct aws_service *svc,
					const char *name, const struct aws_optable **table)
{
	const struct aws_optable *const *t;
	size_t lo, hi;

	for (t = env->tables; *t; t++) {
		if (strcmp((*t)->service, svc->name) != 0)
			continue;
		lo = 0;
		hi = (*t)->nrows;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(name, (*t)->rows[mid].name);

			if (c == 0) {
				*table = *t;
				return &(*t)->rows[mid];
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return NULL;
}

/* Which protocol, which service, which operation: before authentication. */
static int identify(struct dispatch *d, struct err *e)
{
	const struct api_req *req = d->req;
	const char *target = api_req_header(req, "X-Amz-Target");

	if (target) {
		const char *dot = strrchr(target, '.');
		size_t i;

		d->proto = AWS_PROTO_JSON;
		if (dot == NULL || (size_t)(dot - target) > 100 || strlen(dot + 1) >= sizeof(d->action))
			return err_set(e, CC_EINVAL, "UnknownOperationException",
				       "X-Amz-Target '%.100s' names no operation", target);
		for (i = 0; i < aws_nservices; i++) {
			const struct aws_service *s = &aws_services[i];

			if (s->target_prefix && strlen(s->target_prefix) == (size_t)(dot - target) &&
			    memcmp(s->target_prefix, target, (size_t)(dot - target)) == 0)
				d->svc = s;
		}
		snprintf(d->action, sizeof(d->action), "%s", dot + 1);
		if (d->svc == NULL)
			return err_set(e, CC_EINVAL, "UnknownOperationException",
				       "X-Amz-Target '%.100s' names no service of this server", target);
		d->params = req->body;
		d->params_len = req->body_len;
		return 0;
	}

	d->proto = AWS_PROTO_QUERY;
	if (strcmp(req->method, "POST") == 0) {
		d->params = req->body;
		d->params_len = req->body_len;
	} else if (strcmp(req->method, "GET") == 0) {
		d->params = req->raw_query;
		d->params_len = strlen(req->raw_query);
	} else {
		return err_set(e, CC_EINVAL, "InvalidAction",
			       "method %.16s is not supported by the query API", req->method);
	}
	if (aws_query_action(d->action, sizeof(d->action), d->version, sizeof(d->version),
			     d->params, d->params_len) < 0)
		return err_set(e, CC_EINVAL, "MalformedQueryString",
			       "the request parameters are not a well-formed query string");
	if (d->action[0] == '\0')
		return err_set(e, CC_EINVAL, "MissingAction", "Missing Action");
	return 0;
}

/* Who is asking: the signature, the key, the session. */
static int authenticate(struct dispatch *d, struct err *e)
{
	const struct api_req *req = d->req;
	struct sigv4_request sr = {req->method, req->raw_path, req->raw_query, req->headers,
				   req->nheaders, req->body, req->body_len};
	struct secret secret = {0};
	int rc;

	if ((rc = sigv4_parse(&d->sig, &sr, e)) < 0)
		return rc;
	d->signed_req = true;
	if ((rc = sigv4_check_time(&d->sig, time_now(), e)) < 0)
		return rc;
	if (d->sig.security_token[0]) {
		rc = session_token_open(&d->session, d->env->sealer, d->sig.security_token,
					strlen(d->sig.security_token), time_now(), e);
		if (rc < 0)
			return rc;
		if (strcmp(d->session.who.access_key_id, d->sig.access_key_id) != 0) {
			session_wipe(&d->session);
			return err_set(e, CC_EAUTH, "InvalidClientTokenId",
				       "The security token included in the request is invalid.");
		}
		d->has_session = true;
		d->caller = d->session.who;
		rc = sigv4_verify(&d->sig, &sr, d->session.secret, strlen(d->session.secret),
				  d->env->keys, e);
		return rc;
	}
	if (strncmp(d->sig.access_key_id, "ASIA", 4) == 0)
		return err_set(e, CC_EAUTH, "InvalidClientTokenId",
			       "The security token included in the request is invalid.");
	rc = creds_lookup(&d->caller, &secret, d->env->store, d->env->sealer, d->env->creds,
			  d->sig.access_key_id, e);
	if (rc < 0)
		return rc;
	rc = sigv4_verify(&d->sig, &sr, (const char *)secret.ptr, secret.len, d->env->keys, e);
	secret_release(&secret);
	if (rc == 0)
		creds_touch(d->env->store, d->env->creds, d->sig.access_key_id, d->sig.service,
			    d->sig.region, time_now());
	return rc;
}

static int decode_input(struct dispatch *d, const struct aws_op *op, bool own_checks,
			json_t **in, struct err *e)
{
	struct aws_query_head head;

	if (d->proto == AWS_PROTO_JSON) {
		int rc = aws_json_parse(in, d->params, d->params_len, e);

		if (rc < 0)
			return rc;
		return own_checks ? aws_json_normalize(*in, d->svc, op, e)
				  : aws_json_validate(*in, d->svc, op, e);
	}
	return aws_query_parse(in, &head, d->params, d->params_len, d->svc, e);
}

static int run(struct dispatch *d, struct arena *ar, struct err *e)
{
	const struct aws_optable *table = NULL;
	const struct aws_oprow *row;
	const struct aws_op *op;
	struct aws_call c = {0};
	const char *resource = "*";
	json_t *in = NULL;
	int rc;

	uint64_t t0;

	if ((rc = identify(d, e)) < 0)
		return rc;
	if (ratelimit_blocked(d->env->auth_failures, d->req->source_ip, time_now_hires()))
		return err_set(e, CC_ELIMIT, "Throttling",
			       "Rate exceeded: too many failed authentications from %s;"
			       " wait a minute and try again", d->req->source_ip);
	t0 = mono_ns();
	rc = authenticate(d, e);
	if (d->env->metrics)
		metric_add(&d->env->metrics->auth_ns, mono_ns() - t0);
	if (rc == CC_EAUTH && !(e->aws_code && strcmp(e->aws_code, "MissingAuthenticationToken") == 0))
		ratelimit_spend(d->env->auth_failures, d->req->source_ip, time_now_hires());
	if (rc < 0 && !(e->aws_code && strcmp(e->aws_code, "MissingAuthenticationToken") == 0))
		return rc;
	if (d->proto == AWS_PROTO_QUERY) {
		/* the scope says which service was meant; unsigned calls go by Action */
		if (d->signed_req) {
			d->svc = aws_model_service(d->sig.service);
			if (d->svc == NULL || d->svc->protocol != AWS_PROTO_QUERY)
				return err_set(e, CC_EINVAL, "InvalidAction",
					       "service '%s' does not speak the query protocol here",
					       d->sig.service);
		} else if (aws_model_op_for_action(d->action, strlen(d->action), &d->svc) == NULL) {
			return rc; /* MissingAuthenticationToken */
		}
	} else if (d->signed_req && strcmp(d->sig.service, d->svc->name) != 0) {
		return err_set(e, CC_EAUTH, "InvalidSignatureException",
			       "Credential should be scoped to correct service: '%s'.",
			       d->svc->name);
	}

	op = aws_model_op(d->svc, d->action, strlen(d->action));
	row = op ? find_row(d->env, d->svc, op->name, &table) : NULL;
	if (op == NULL || (d->proto == AWS_PROTO_QUERY && d->version[0] &&
			   strcmp(d->version, d->svc->api_version) != 0)) {
		if (op && d->proto == AWS_PROTO_QUERY)
			return err_set(e, CC_EINVAL, "InvalidAction",
				       "Could not find operation %s for version %s", d->action,
				       d->version);
		if (d->proto == AWS_PROTO_JSON)
			return err_set(e, CC_EINVAL, "UnknownOperationException",
				       "Unknown operation %s", d->action);
		return err_set(e, CC_EINVAL, "InvalidAction",
			       "Could not find operation %s for version %s", d->action,
			       d->version[0] ? d->version : d->svc->api_version);
	}
	if (row == NULL)
		return err_set(e, CC_EINVAL, d->proto == AWS_PROTO_JSON ? "UnknownOperationException"
								      : "InvalidAction",
			       "%s is not implemented by this version of commitd", op->name);
	d->op = op;
	if (!d->signed_req && !(row->flags & OP_NO_AUTH))
		return rc; /* MissingAuthenticationToken */
	if (d->proto == AWS_PROTO_QUERY && d->version[0] == '\0')
		return err_set(e, CC_EINVAL, "MissingParameter",
			       "The request must contain the parameter Version");
	err_clear(e);

	if ((rc = decode_input(d, op, table->own_checks, &in, e)) < 0)
		return rc;
	c.env = d->env;
	c.ar = ar;
	c.caller = &d->caller;
	c.svc = d->svc;
	c.op = op;
	c.row = row;
	c.in = in;
	c.request_id = d->resp->request_id;
	c.source_ip = d->req->source_ip;
	c.user_agent = api_req_header(d->req, "User-Agent");
	c.secure = d->req->secure;
	c.now = time_now();
	c.sig = d->signed_req ? &d->sig : NULL;
	c.session = d->has_session ? &d->session : NULL;

	if ((rc = store_begin(&c.tx, d->env->store, (row->flags & OP_WRITE) != 0, e)) < 0)
		goto out;
	if (row->resource && (rc = row->resource(&c, &resource, e)) < 0)
		goto out;
	if (!(row->flags & (OP_NO_AUTHZ | OP_NO_AUTH | OP_AUTHZ_EACH))) {
		t0 = mono_ns();
		rc = aws_authorize(&c, row->action, resource, c.keys, c.nkeys, e);
		if (d->env->metrics) {
			metric_add(&d->env->metrics->authz_ns, mono_ns() - t0);
			if (rc == CC_EDENIED)
				metric_add(&d->env->metrics->denied, 1);
		}
		if (rc < 0)
			goto out;
	}
	if ((rc = row->handler(&c, e)) < 0)
		goto out;
	rc = store_commit(c.tx, e);
	c.tx = NULL;
	if (rc < 0)
		goto out;
	if (c.after_commit)
		c.after_commit(&c, c.after_arg);

	d->resp->status = 200;
	if (d->proto == AWS_PROTO_JSON) {
		d->resp->content_type = CT_JSON;
		rc = aws_json_response(&d->resp->body, d->svc, op, c.out, e);
	} else {
		d->resp->content_type = CT_XML;
		rc = aws_xml_response(&d->resp->body, d->svc, op, c.out, d->resp->request_id, e);
	}
out:
	if (c.tx)
		store_rollback(c.tx);
	d->in = in;     /* the audit event's, freed by aws_dispatch */
	d->out = c.out;
	d->resource = resource;
	memcpy(d->event_account, c.event_account, sizeof(d->event_account));
	d->event_identity = c.event_identity;
	return rc;
}

/*
 * The call's event for the audit trail, allowed or refused: every request
 * that named a known operation (what is refused before that, such as a
 * malformed signature, names nothing to record).
 */
static void audit_call(const struct dispatch *d, const struct err *e)
{
	const struct principal *who = d->caller.arn[0] ? &d->caller : NULL;
	struct aws_event ev = {
		.service = d->svc->name,
		.name = d->op->name,
		.region = d->env->region,
		.time = time_now(),
		.who = who,
		.session = d->has_session ? &d->session : NULL,
		.account = who ? who->account : d->event_account[0] ? d->event_account : NULL,
		.source_ip = d->req->source_ip,
		.user_agent = api_req_header(d->req, "User-Agent"),
		.request_id = d->resp->request_id,
		.request = d->in,
		.response = e ? NULL : d->out,
		.error_code = e ? (e->aws_code ? e->aws_code : "InternalFailure") : NULL,
		.error_message = e ? e->msg : NULL,
		.resource = d->resource && strcmp(d->resource, "*") != 0 ? d->resource : NULL,
		.read_only = aws_event_read_only(d->svc->name, d->op->name),
	};
	ev.identity = d->event_identity;
	aws_event_emit(d->env->audit, &ev);
}

void aws_dispatch(const struct env *env, const struct api_req *req, struct api_resp *resp)
{
	struct dispatch d;
	struct err e = ERR_INIT;
	struct arena *ar = arena_new();
	uint64_t t0 = mono_ns();
	bool failed = false;

	memset(&d, 0, sizeof(d));
	d.env = env;
	d.req = req;
	d.resp = resp;
	d.proto = AWS_PROTO_QUERY;
	if (uuid_new(resp->request_id) < 0)
		resp->request_id[0] = '\0';
	if (ar == NULL)
		err_oom(&e);
	else if (run(&d, ar, &e) == 0)
		goto out;
	if (e.code == 0)
		err_set(&e, CC_ERROR, NULL, "internal error");
	respond_error(&d, &e);
	failed = true;
out:
	/* refused before the operation was looked up (a bad signature): still an
	 * event when the request names a known one */
	if (env->audit && d.op == NULL && d.action[0]) {
		if (d.svc == NULL)
			d.op = aws_model_op_for_action(d.action, strlen(d.action), &d.svc);
		else
			d.op = aws_model_op(d.svc, d.action, strlen(d.action));
	}
	if (env->audit && d.op)
		audit_call(&d, failed ? &e : NULL);
	json_decref(d.in);
	json_decref(d.out);
	json_decref(d.event_identity);
	if (d.has_session)
		session_wipe(&d.session);
	if (d.sig.security_token[0])
		mem_wipe(d.sig.security_token, sizeof(d.sig.security_token));
	arena_free(ar);
	if (env->metrics) {
		metric_add(&env->metrics->requests, 1);
		if (failed)
			metric_add(&env->metrics->errors, 1);
		metric_add(&env->metrics->total_ns, mono_ns() - t0);
	}
}

void aws_metrics_text(const struct env *env, struct buf *out)
{
	struct aws_metrics *m = env->metrics;

	if (m == NULL)
		return;
	buf_printf(out,
		   "# HELP commitd_api_requests_total AWS API requests answered.\n"
		   "# TYPE commitd_api_requests_total counter\n"
		   "commitd_api_requests_total %llu\n"
		   "# HELP commitd_api_errors_total AWS API requests answered with an error.\n"
		   "# TYPE commitd_api_errors_total counter\n"
		   "commitd_api_errors_total %llu\n"
		   "# HELP commitd_api_denied_total AWS API requests refused by authorization.\n"
		   "# TYPE commitd_api_denied_total counter\n"
		   "commitd_api_denied_total %llu\n"
		   "# HELP commitd_api_seconds_total Time spent answering AWS API requests.\n"
		   "# TYPE commitd_api_seconds_total counter\n"
		   "commitd_api_seconds_total %.9f\n"
		   "# HELP commitd_authn_seconds_total Time spent authenticating (SigV4, keys, tokens).\n"
		   "# TYPE commitd_authn_seconds_total counter\n"
		   "commitd_authn_seconds_total %.9f\n"
		   "# HELP commitd_authz_seconds_total Time spent evaluating policies.\n"
		   "# TYPE commitd_authz_seconds_total counter\n"
		   "commitd_authz_seconds_total %.9f\n",
		   (unsigned long long)atomic_load(&m->requests),
		   (unsigned long long)atomic_load(&m->errors),
		   (unsigned long long)atomic_load(&m->denied),
		   (double)atomic_load(&m->total_ns) / 1e9, (double)atomic_load(&m->auth_ns) / 1e9,
		   (double)atomic_load(&m->authz_ns) / 1e9);
}

/* ---- helpers for handlers ---------------------------------------------------- */

const char *aws_in_str(const struct aws_call *c, const char *member)
{
	return c->in ? json_string_value(json_object_get(c->in, member)) : NULL;
}

bool aws_in_has(const struct aws_call *c, const char *member)
{
	return c->in && json_object_get(c->in, member) != NULL;
}

int64_t aws_in_int(const struct aws_call *c, const char *member, int64_t dflt)
{
	json_t *v = c->in ? json_object_get(c->in, member) : NULL;

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool aws_in_bool(const struct aws_call *c, const char *member, bool dflt)
{
	json_t *v = c->in ? json_object_get(c->in, member) : NULL;

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *aws_caller_user(const struct aws_call *c)
{
	return c->caller->kind == PRINCIPAL_USER ? c->caller->name : NULL;
}

json_t *aws_time(int64_t t) { return json_integer((json_int_t)t); }
