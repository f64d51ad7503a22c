/*
 * listen.c - the HTTP listener.  libmicrohttpd runs an epoll thread pool;
 * each request's raw URI is captured before MHD decodes it (SigV4 signs the
 * bytes as sent), the body is gathered up to a limit, and the finished
 * request goes to route().  Nothing here knows AWS or Git.  With
 * cfg->tls, libmicrohttpd's GnuTLS terminates TLS (TLS 1.2 and 1.3) with
 * the certificate and key the caller read (auth/tlscert.c checks them).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_int.h"

#define MAX_HEADERS 100

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *s = cls;
	struct conn_req *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->uri = strdup(uri ? uri : "/");
	r->body.max = s->cfg.max_body;
	return r;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_req *r = *con_cls;

	if (r == NULL)
		return;
	if (r->git)
		gitstream_end(r->git);
	free(r->uri);
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

struct hdr_collect {
	struct sigv4_header h[MAX_HEADERS];
	size_t n;
	bool overflow;
};

static enum MHD_Result hdr_cb(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	struct hdr_collect *hc = cls;

	if (hc->n == MAX_HEADERS) {
		hc->overflow = true;
		return MHD_NO;
	}
	hc->h[hc->n].name = key;
	hc->h[hc->n].value = value ? value : "";
	hc->n++;
	return MHD_YES;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, int status, const char *ctype,
				 struct buf *body, const char *request_id)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = body->len;
	char *p = buf_detach(body);

	if (p == NULL) {
		p = strdup("");
		len = 0;
	}
	resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (request_id && *request_id)
		MHD_add_response_header(resp, "x-amzn-RequestId", request_id);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result http_send_text(struct MHD_Connection *conn, int status, const char *text)
{
	struct buf b = BUF_INIT(0);

	buf_puts(&b, text);
	return send_resp(conn, status, "text/plain; charset=utf-8", &b, NULL);
}

void http_client_ip(struct MHD_Connection *conn, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(out, outsz, "0.0.0.0");
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;

		inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)outsz);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ci->client_addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)outsz);
	}
}

static enum MHD_Result route(struct http_server *s, struct MHD_Connection *conn,
			     const char *method, struct conn_req *r)
{
	struct api_resp resp = {0, "text/plain", BUF_INIT(0), {0}};
	struct hdr_collect hc = {.n = 0};
	struct api_req req;
	char ip[INET6_ADDRSTRLEN + 1];
	char *path = r->uri, *q = strchr(r->uri, '?');
	enum MHD_Result ret;

	if (q)
		*q++ = '\0';
	if (strcmp(path, "/health") == 0 && (strcmp(method, "GET") == 0 ||
					     strcmp(method, "HEAD") == 0))
		return http_send_text(conn, 200, "ok\n");
	if (strcmp(path, "/metrics") == 0 && strcmp(method, "GET") == 0) {
		struct buf b = BUF_INIT(0);

		aws_metrics_text(s->env, &b);
		return send_resp(conn, 200, "text/plain; version=0.0.4", &b, NULL);
	}

	MHD_get_connection_values(conn, MHD_HEADER_KIND, hdr_cb, &hc);
	if (hc.overflow)
		return http_send_text(conn, 431, "too many request headers\n");
	http_client_ip(conn, ip, sizeof(ip));
	req.method = method;
	req.raw_path = path;
	req.raw_query = q ? q : "";
	req.headers = hc.h;
	req.nheaders = hc.n;
	req.body = r->body.ptr ? r->body.ptr : "";
	req.body_len = r->body.len;
	req.source_ip = ip;
	req.secure = s->cfg.tls; /* a TLS daemon takes nothing but TLS */
	aws_dispatch(s->env, &req, &resp);
	ret = send_resp(conn, resp.status, resp.content_type, &resp.body, resp.request_id);
	buf_release(&resp.body);
	return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct conn_req *r = *con_cls;

	if (r == NULL || r->uri == NULL)
		return MHD_NO; /* out of memory: drop the connection */
	/* Git's smart HTTP streams both ways and has its own body limits */
	if (r->git || (!r->started && strncmp(r->uri, "/v1/repos/", 10) == 0)) {
		r->started = true;
		return gitstream_access(s, conn, r, method, upload_data, upload_data_size);
	}
	if (!r->started) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		uint64_t n;

		r->started = true;
		if (cl && (parse_u64(cl, strlen(cl), 0, UINT64_MAX, &n) < 0 ||
			   n > s->cfg.max_body))
			return http_send_text(conn, 413, "request body too large\n");
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->too_large && buf_add(&r->body, upload_data, *upload_data_size) < 0)
			r->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return http_send_text(conn, 413, "request body too large\n");
	return route(s, conn, method, r);
}

/* TLS 1.2 and 1.3 only: every client in the guides speaks 1.2 */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

int http_start(struct http_server **out, const struct http_config *cfg, const struct env *env,
	       struct err *e)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	struct http_server *s;
	unsigned threads = cfg->threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *di;
	/*
	 * libmicrohttpd 0.9.75 keeps these pointers but reads them only inside
	 * MHD_start_daemon (MHD_TLS_init), where GnuTLS copies the key and the
	 * certificate; nothing reads them afterwards, so the caller may wipe
	 * and free them once http_start returns.
	 */
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key_pem},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
		{MHD_OPTION_END, 0, NULL},
	};

	if (net_parse_addr(&addr, &alen, cfg->listen, e) < 0)
		return CC_EINVAL;
	if (cfg->tls) {
		if (cfg->tls_cert_pem == NULL || cfg->tls_key_pem == NULL)
			return err_set(e, CC_EINVAL, NULL, "HTTPS needs a certificate and a key");
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return err_set(e, CC_ERROR, NULL,
				       "this libmicrohttpd was built without TLS support");
		flags |= MHD_USE_TLS;
	}
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (unsigned)n : 2;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_oom(e);
	s->env = env;
	s->cfg = *cfg;
	/* the PEM texts are the caller's and gone after start: keep no pointer */
	s->cfg.tls_cert_pem = NULL;
	s->cfg.tls_key_pem = NULL;
	if (gitstream_pump_start(s, e) < 0) {
		free(s);
		return e->code;
	}
	/* the logger first: MHD prints what it says about earlier options (the
	 * TLS ones among them) to stderr itself */
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s,
				MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
				MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout ? cfg->conn_timeout : 60,
				/* room for 64 KiB of a Git response per write, and the headers */
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024,
				MHD_OPTION_ARRAY, cfg->tls ? tls_opts : &tls_opts[3],
				MHD_OPTION_END);
	if (s->d == NULL) {
		gitstream_pump_stop(s);
		close(s->pump_fd);
		close(s->pump_wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		if (cfg->tls)
			return err_set(e, CC_ERROR, NULL,
				       "cannot serve HTTPS on '%s': the address is in use or GnuTLS "
				       "refused the certificate or key (--log-level debug shows why)",
				       cfg->listen);
		return err_set(e, CC_ERROR, NULL, "cannot listen on '%s' (in use?)", cfg->listen);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return 0;
}

unsigned http_port(const struct http_server *s) { return s->port; }

void http_stop(struct http_server *s, unsigned grace)
{
	unsigned waited = 0;

	if (s == NULL)
		return;
	MHD_quiesce_daemon(s->d);
	while (waited < grace * 10) {
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (di == NULL || di->num_connections == 0)
			break;
		usleep(100000);
		waited++;
	}
	gitstream_pump_stop(s);
	MHD_stop_daemon(s->d);
	close(s->pump_fd);
	close(s->pump_wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
