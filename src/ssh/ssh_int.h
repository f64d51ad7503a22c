/*
 * ssh_int.h - private to src/ssh: what listen.c and conn.c share.
 */
#ifndef SSH_INT_H
#define SSH_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "ssh.h"

struct sshd_conn;

struct sshd {
	ssh_bind bind;
	const struct env *env;
	unsigned port;
	unsigned login_timeout, idle_timeout, max_conns;
	pthread_t accept_thread;
	int stop_pipe[2];          /* written once to stop the accept thread */
	pthread_mutex_t lock;      /* guards what follows */
	pthread_cond_t idle;       /* signalled when nconns drops */
	struct sshd_conn *conns;   /* live connections */
	unsigned nconns;
	unsigned nunauth;          /* of which not yet signed in: at most half */
	bool aborting;             /* past the grace: connections end at once */
};

/* DIR/ssh/<i-th host key file> */
int sshd_hostkey_path(struct buf *out, const char *data_dir, size_t i);

/*
 * One accepted connection, served by its own thread until it ends; the
 * thread removes it from s->conns and frees it.
 */
struct sshd_conn {
	struct sshd *srv;
	ssh_session session;
	int fd;                    /* the TCP socket, for sshd_stop to shut */
	char ip[64];
	bool counted_unauth;       /* still counted in nunauth */
	struct sshd_conn *next;
};

void *sshd_conn_main(void *arg);
/* the connection has signed in: it no longer counts against nunauth */
void sshd_conn_signed_in(struct sshd_conn *c);
/* true once the server is past its grace period */
bool sshd_aborting(struct sshd *s);

#endif
