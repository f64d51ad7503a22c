/*
 * http.h - the contract of src/http: the HTTP listener (libmicrohttpd, an
 * epoll thread pool) and the router that sends each request to the AWS API
 * dispatcher, the Git transport or the health check.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <sys/socket.h>

#include "core/core.h"
#include "aws/aws.h"

struct http_server;

struct http_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:8080" */
	unsigned threads;         /* 0: one per core */
	unsigned conn_timeout;    /* seconds of idleness before a connection is closed */
	size_t max_body;          /* bytes accepted in one API request */
	/*
	 * HTTPS: GnuTLS (inside libmicrohttpd) terminates TLS on every
	 * connection, and requests are marked secure (aws:SecureTransport).
	 * The PEM texts are NUL-terminated and read only during http_start:
	 * GnuTLS keeps its own copy, so the caller wipes the key after it.
	 */
	bool tls;
	const char *tls_cert_pem; /* certificate, or chain with the leaf first */
	const char *tls_key_pem;  /* its unencrypted private key */
};

int http_start(struct http_server **out, const struct http_config *cfg, const struct env *env,
	       struct err *e);
/* Stops accepting, lets requests in flight finish (up to grace seconds), stops. */
void http_stop(struct http_server *s, unsigned grace);
/* the port actually bound (useful with port 0) */
unsigned http_port(const struct http_server *s);


#endif
