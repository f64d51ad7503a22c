/*
 * http_int.h - private to src/http: the server and the request in flight,
 * shared by the listener (listen.c) and the Git stream (gitstream.c).
 */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <pthread.h>

#include <microhttpd.h>

#include "http.h"
#include "git/git.h"

struct git_stream;

struct http_server {
	struct MHD_Daemon *d;
	const struct env *env;
	struct http_config cfg;
	unsigned port;
	/* Git streams waiting for their program's output (gitstream.c) */
	int pump_fd;                 /* epoll */
	int pump_wake;               /* eventfd to stop the pump */
	pthread_t pump;
	bool pump_running;
	pthread_mutex_t lock;        /* guards streams and closing */
	struct git_stream *streams;  /* every live stream, for shutdown */
	bool closing;
};

/* One request in flight: created by the URI callback, freed on completion. */
struct conn_req {
	char *uri;            /* as received, still percent-encoded */
	struct buf body;
	bool too_large;
	bool started;
	struct git_stream *git; /* a Git request */
};

enum MHD_Result http_send_text(struct MHD_Connection *conn, int status, const char *text);
void http_client_ip(struct MHD_Connection *conn, char *out, size_t outsz);

/* gitstream.c */
int gitstream_pump_start(struct http_server *s, struct err *e);
/* resumes every suspended stream and makes each end; before MHD_stop_daemon */
void gitstream_pump_stop(struct http_server *s);
enum MHD_Result gitstream_access(struct http_server *s, struct MHD_Connection *conn,
				 struct conn_req *r, const char *method, const char *upload_data,
				 size_t *upload_data_size);
void gitstream_end(struct git_stream *g);

#endif
