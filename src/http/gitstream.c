/*
 * gitstream.c - carries a Git smart HTTP request between libmicrohttpd and
 * the git program that serves it, without ever blocking a pool thread on
 * git:
 *
 *   headers   git_plan_start() decides; a refusal is answered at once
 *   body      spooled (and un-gzipped) into an unlinked file under
 *             <data>/tmp, so git never waits on the network and the
 *             network never waits on git
 *   response  git's output is read without blocking; when it has nothing
 *             yet the connection is suspended and the pump thread resumes
 *             it when git writes again
 *
 * A client that goes away mid-transfer: a fetch's git is stopped; a push's
 * git is left to finish on its own (it updates refs atomically, and what it
 * finishes is a push that happened) and reaped by a detached thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <zlib.h>

#include "http_int.h"

#define GIT_MAX_BODY ((uint64_t)2 << 30) /* a push of at most 2 GiB, as CodeCommit */
#define PUSH_HEAD_MAX ((size_t)16 << 20) /* the command list must fit in this */
#define READ_CHUNK (64 * 1024)

struct git_stream {
	struct http_server *s;
	struct MHD_Connection *conn;
	struct git_plan plan;
	struct git_http_req req;
	char ip[INET6_ADDRSTRLEN + 1];
	char *path;
	int body_fd;
	uint64_t body_len;
	bool too_large, bad_body, gzip;
	z_stream z;
	size_t prefix_off;
	bool suspended, registered;
	bool responded;     /* a response is queued */
	struct git_stream *next, **pprev; /* s->streams */
};

/* ---- the pump: resumes suspended streams when git has output ---------------------- */

static void *pump_main(void *arg)
{
	struct http_server *s = arg;
	struct epoll_event ev[32];

	for (;;) {
		int i, n = epoll_wait(s->pump_fd, ev, ARRAY_SIZE(ev), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < n; i++) {
			struct git_stream *g = ev[i].data.ptr;

			if (g == NULL)
				continue;
			if (g->suspended) {
				g->suspended = false;
				MHD_resume_connection(g->conn);
			}
		}
		if (s->closing) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

int gitstream_pump_start(struct http_server *s, struct err *e)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	pthread_mutex_init(&s->lock, NULL);
	s->pump_fd = epoll_create1(EPOLL_CLOEXEC);
	s->pump_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->pump_fd < 0 || s->pump_wake < 0 ||
	    epoll_ctl(s->pump_fd, EPOLL_CTL_ADD, s->pump_wake, &ev) < 0 ||
	    pthread_create(&s->pump, NULL, pump_main, s) != 0) {
		if (s->pump_fd >= 0)
			close(s->pump_fd);
		if (s->pump_wake >= 0)
			close(s->pump_wake);
		pthread_mutex_destroy(&s->lock);
		return err_set(e, CC_ERROR, NULL, "cannot start the Git stream pump: %s",
			       strerror(errno));
	}
	s->pump_running = true;
	return 0;
}

void gitstream_pump_stop(struct http_server *s)
{
	uint64_t one = 1;
	struct git_stream *g;

	if (!s->pump_running)
		return;
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_mutex_unlock(&s->lock);
	if (write(s->pump_wake, &one, sizeof(one)) < 0)
		log_warnx("http: cannot wake the Git stream pump: %s", strerror(errno));
	pthread_join(s->pump, NULL);
	s->pump_running = false;
	/* MHD cannot stop with suspended connections: each resumes and ends */
	pthread_mutex_lock(&s->lock);
	for (g = s->streams; g; g = g->next) {
		if (g->suspended) {
			g->suspended = false;
			MHD_resume_connection(g->conn);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- the end of a stream ----------------------------------------------------------- */

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void stream_free(struct git_stream *g)
{
	if (g->body_fd >= 0)
		close(g->body_fd);
	if (g->gzip)
		inflateEnd(&g->z);
	git_plan_free(&g->plan);
	free(g->path);
	free(g);
}

static void *reaper_main(void *arg)
{
	struct git_stream *g = arg;
	int status = 0;

	while (waitpid(g->plan.pid, &status, 0) < 0 && errno == EINTR)
		;
	git_plan_finish(&g->plan, exit_code(status));
	stream_free(g);
	return NULL;
}

void gitstream_end(struct git_stream *g)
{
	struct http_server *s = g->s;
	pthread_t t;
	pthread_attr_t attr;
	int status;

	pthread_mutex_lock(&s->lock);
	if (g->pprev) {
		*g->pprev = g->next;
		if (g->next)
			g->next->pprev = g->pprev;
	}
	if (g->registered)
		epoll_ctl(s->pump_fd, EPOLL_CTL_DEL, g->plan.out_fd, NULL);
	pthread_mutex_unlock(&s->lock);
	if (g->plan.pid <= 0) {
		stream_free(g);
		return;
	}
	/* the client left before the end */
	if (g->plan.service == GIT_UPLOAD_PACK || g->plan.advertise)
		kill(g->plan.pid, SIGTERM);
	close(g->plan.out_fd); /* a push's git gets EPIPE if it still writes */
	g->plan.out_fd = -1;
	if (waitpid(g->plan.pid, &status, WNOHANG) == g->plan.pid) {
		git_plan_finish(&g->plan, exit_code(status));
		stream_free(g);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, reaper_main, g) != 0)
		reaper_main(g); /* no thread: wait here rather than leave a zombie */
	pthread_attr_destroy(&attr);
}

/* ---- the response -------------------------------------------------------------------- */

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct git_stream *g = cls;
	struct http_server *s = g->s;
	size_t left = g->plan.text.len - g->prefix_off;
	ssize_t n;

	if (left > 0) {
		if (left > max)
			left = max;
		memcpy(out, g->plan.text.ptr + g->prefix_off, left);
		g->prefix_off += left;
		return (ssize_t)left;
	}
	for (;;) {
		n = read(g->plan.out_fd, out, max);
		if (n > 0)
			return n;
		if (n == 0) {
			int status = 0;

			while (waitpid(g->plan.pid, &status, 0) < 0 && errno == EINTR)
				;
			g->plan.pid = 0;
			git_plan_finish(&g->plan, exit_code(status));
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		break;
	}
	/* nothing yet: park the connection until git writes */
	pthread_mutex_lock(&s->lock);
	if (s->closing) {
		pthread_mutex_unlock(&s->lock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	{
		struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = g};
		int op = g->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

		g->suspended = true;
		MHD_suspend_connection(g->conn);
		if (epoll_ctl(s->pump_fd, op, g->plan.out_fd, &ev) < 0) {
			g->suspended = false;
			MHD_resume_connection(g->conn);
			pthread_mutex_unlock(&s->lock);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		g->registered = true;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static enum MHD_Result respond_plan_error(struct git_stream *g)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(g->plan.text.len, g->plan.text.ptr,
					       MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	if (g->plan.status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Basic realm=\"commitd\"");
	ret = MHD_queue_response(g->conn, (unsigned)g->plan.status, resp);
	MHD_destroy_response(resp);
	g->responded = true;
	return ret;
}

static enum MHD_Result respond_text(struct git_stream *g, int status, const char *text)
{
	g->plan.status = status;
	buf_clear(&g->plan.text);
	buf_puts(&g->plan.text, text);
	return respond_plan_error(g);
}

static enum MHD_Result run_git(struct git_stream *g, int in_fd)
{
	struct MHD_Response *resp;
	struct err e = ERR_INIT;
	enum MHD_Result ret;

	if (git_plan_spawn(&g->plan, in_fd, false, &e) < 0) {
		log_warnx("git: %s", e.msg);
		return respond_text(g, 500, "commitd: internal error: cannot run git\n");
	}
	fcntl(g->plan.out_fd, F_SETFL, fcntl(g->plan.out_fd, F_GETFL) | O_NONBLOCK);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, READ_CHUNK, reader, g, NULL);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", g->plan.content_type);
	MHD_add_response_header(resp, "Cache-Control", "no-cache, max-age=0, must-revalidate");
	MHD_add_response_header(resp, "Pragma", "no-cache");
	MHD_add_response_header(resp, "Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
	ret = MHD_queue_response(g->conn, 200, resp);
	MHD_destroy_response(resp);
	g->responded = true;
	return ret;
}

/* ---- the request ------------------------------------------------------------------------ */

static const char *hdr(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int open_body(struct git_stream *g)
{
	struct buf dir = BUF_INIT(0);

	buf_printf(&dir, "%s/tmp", g->s->env->data_dir);
	g->body_fd = open(buf_cstr(&dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (g->body_fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* a file system without O_TMPFILE: a named file, unlinked at once */
		buf_puts(&dir, "/body-XXXXXX");
		g->body_fd = mkostemp(dir.ptr, O_CLOEXEC);
		if (g->body_fd >= 0)
			unlink(buf_cstr(&dir));
	}
	buf_release(&dir);
	return g->body_fd < 0 ? -1 : 0;
}

static int body_write(struct git_stream *g, const void *p, size_t n)
{
	const char *c = p;

	if (g->body_len + n > GIT_MAX_BODY) {
		g->too_large = true;
		return -1;
	}
	while (n > 0) {
		ssize_t w = write(g->body_fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
		g->body_len += (uint64_t)w;
	}
	return 0;
}

static void body_add(struct git_stream *g, const char *data, size_t n)
{
	unsigned char out[READ_CHUNK];

	if (g->too_large || g->bad_body)
		return;
	if (!g->gzip) {
		if (body_write(g, data, n) < 0 && !g->too_large)
			g->bad_body = true;
		return;
	}
	g->z.next_in = (unsigned char *)data;
	g->z.avail_in = (uInt)n;
	while (g->z.avail_in > 0) {
		int zr;

		g->z.next_out = out;
		g->z.avail_out = sizeof(out);
		zr = inflate(&g->z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			g->bad_body = true;
			return;
		}
		if (body_write(g, out, sizeof(out) - g->z.avail_out) < 0) {
			if (!g->too_large)
				g->bad_body = true;
			return;
		}
		if (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && g->z.avail_out != 0))
			break;
	}
}

static enum MHD_Result begin(struct http_server *s, struct MHD_Connection *conn,
			     struct conn_req *r, const char *method)
{
	struct git_stream *g = calloc(1, sizeof(*g));
	const char *enc;
	char *q;

	if (g == NULL || (g->path = strdup(r->uri)) == NULL) {
		free(g);
		return MHD_NO;
	}
	g->s = s;
	g->conn = conn;
	g->body_fd = -1;
	r->git = g;
	pthread_mutex_lock(&s->lock);
	g->next = s->streams;
	if (g->next)
		g->next->pprev = &g->next;
	g->pprev = &s->streams;
	s->streams = g;
	pthread_mutex_unlock(&s->lock);

	q = strchr(g->path, '?');
	if (q)
		*q++ = '\0';
	http_client_ip(conn, g->ip, sizeof(g->ip));
	g->req.method = method;
	g->req.path = g->path;
	g->req.query = q ? q : "";
	g->req.authorization = hdr(conn, "Authorization");
	g->req.host = hdr(conn, "Host");
	g->req.git_protocol = hdr(conn, "Git-Protocol");
	g->req.content_type = hdr(conn, "Content-Type");
	g->req.user_agent = hdr(conn, "User-Agent");
	g->req.source_ip = g->ip;
	g->req.secure = s->cfg.tls; /* a TLS daemon takes nothing but TLS */
	git_plan_start(&g->plan, s->env, &g->req);
	/* a GET is answered on the next call, once MHD has the whole request,
	 * so the connection stays open for git's next one */
	if (g->plan.advertise || (g->plan.status && strcmp(method, "POST") != 0))
		return MHD_YES;
	if (g->plan.status) /* before the body: refused without reading it */
		return respond_plan_error(g);
	enc = hdr(conn, "Content-Encoding");
	if (enc && (strcasecmp(enc, "gzip") == 0 || strcasecmp(enc, "x-gzip") == 0)) {
		if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
			return respond_text(g, 500, "commitd: internal error\n");
		g->gzip = true;
	} else if (enc && strcasecmp(enc, "identity") != 0) {
		return respond_text(g, 415, "commitd: unsupported Content-Encoding\n");
	}
	if (open_body(g) < 0) {
		log_warnx("git: cannot open a body file in %s/tmp: %s", s->env->data_dir,
			  strerror(errno));
		return respond_text(g, 500, "commitd: internal error\n");
	}
	return MHD_YES;
}

static enum MHD_Result body_done(struct git_stream *g)
{
	if (g->too_large)
		return respond_text(g, 413, "commitd: the request is larger than 2 GiB\n");
	if (g->bad_body)
		return respond_text(g, 400, "commitd: the request body could not be read"
					    " (bad gzip data?)\n");
	if (g->plan.service == GIT_RECEIVE_PACK) {
		size_t n = g->body_len < PUSH_HEAD_MAX ? (size_t)g->body_len : PUSH_HEAD_MAX;
		char *head = malloc(n ? n : 1);
		ssize_t got;

		if (head == NULL)
			return MHD_NO;
		got = pread(g->body_fd, head, n, 0);
		if (got != (ssize_t)n) {
			free(head);
			return respond_text(g, 500, "commitd: internal error\n");
		}
		git_plan_push(&g->plan, g->s->env, &g->req, head, n);
		free(head);
		if (g->plan.status)
			return respond_plan_error(g);
	}
	if (lseek(g->body_fd, 0, SEEK_SET) < 0)
		return respond_text(g, 500, "commitd: internal error\n");
	return run_git(g, g->body_fd);
}

enum MHD_Result gitstream_access(struct http_server *s, struct MHD_Connection *conn,
				 struct conn_req *r, const char *method, const char *upload_data,
				 size_t *upload_data_size)
{
	struct git_stream *g = r->git;

	if (g == NULL)
		return begin(s, conn, r, method);
	if (g->plan.status || g->plan.advertise) {
		int devnull;
		enum MHD_Result ret;

		if (*upload_data_size > 0 || g->responded) {
			*upload_data_size = 0; /* a body where none belongs: ignored */
			return MHD_YES;
		}
		if (g->plan.status)
			return respond_plan_error(g);
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull < 0)
			return respond_text(g, 500, "commitd: internal error\n");
		ret = run_git(g, devnull);
		close(devnull);
		return ret;
	}
	if (*upload_data_size > 0) {
		body_add(g, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return body_done(g);
}
