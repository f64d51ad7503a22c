/*
 * listen.c - the SSH listener: one thread accepts, each connection gets a
 * thread of its own (a Git transfer is long and mostly waiting), and a limit
 * turns away connections beyond SSHD_MAX_CONNS rather than slowing all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ssh_int.h"

bool sshd_aborting(struct sshd *s)
{
	bool v;

	pthread_mutex_lock(&s->lock);
	v = s->aborting;
	pthread_mutex_unlock(&s->lock);
	return v;
}

void sshd_conn_signed_in(struct sshd_conn *c)
{
	pthread_mutex_lock(&c->srv->lock);
	if (c->counted_unauth) {
		c->srv->nunauth--;
		c->counted_unauth = false;
	}
	pthread_mutex_unlock(&c->srv->lock);
}

static void peer_ip(char *out, size_t n, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	snprintf(out, n, "unknown");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)n);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)n);
}

static void accept_one(struct sshd *s)
{
	struct sshd_conn *c;
	ssh_session session = ssh_new();
	pthread_attr_t attr;
	pthread_t t;
	int one = 1;

	if (session == NULL)
		return;
	if (ssh_bind_accept(s->bind, session) != SSH_OK) {
		ssh_free(session);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		ssh_disconnect(session);
		ssh_free(session);
		return;
	}
	c->srv = s;
	c->session = session;
	c->fd = ssh_get_fd(session);
	/* libssh's accept() leaves the socket inheritable; git children must not
	 * hold other clients' connections open */
	fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	/* the protocol is many small round trips before any bulk data: Nagle
	 * against delayed ACKs costs 40 ms at each of them */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_ip(c->ip, sizeof(c->ip), c->fd);
	pthread_mutex_lock(&s->lock);
	/* connections that have not signed in may hold only half the places,
	 * so a flood of idle ones cannot lock everyone out for the login time */
	if (s->nconns >= s->max_conns || s->nunauth >= (s->max_conns + 1) / 2) {
		pthread_mutex_unlock(&s->lock);
		log_warnx("ssh: %u connections (%u not signed in) already; turning away %s",
			  s->nconns, s->nunauth, c->ip);
		ssh_disconnect(session);
		ssh_free(session);
		free(c);
		return;
	}
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	s->nunauth++;
	c->counted_unauth = true;
	pthread_mutex_unlock(&s->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	if (pthread_create(&t, &attr, sshd_conn_main, c) != 0) {
		log_warnx("ssh: cannot start a thread for %s", c->ip);
		pthread_mutex_lock(&s->lock);
		s->conns = c->next; /* still the head: only this thread adds */
		s->nconns--;
		s->nunauth--;
		pthread_mutex_unlock(&s->lock);
		ssh_disconnect(session);
		ssh_free(session);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

static void *accept_main(void *arg)
{
	struct sshd *s = arg;
	struct pollfd pf[2];

	pf[0].fd = ssh_bind_get_fd(s->bind);
	pf[0].events = POLLIN;
	pf[1].fd = s->stop_pipe[0];
	pf[1].events = POLLIN;
	for (;;) {
		pf[0].revents = pf[1].revents = 0;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warnx("ssh: poll: %s", strerror(errno));
			break;
		}
		if (pf[1].revents)
			break;
		if (pf[0].revents & POLLIN)
			accept_one(s);
	}
	return NULL;
}

int sshd_start(struct sshd **out, const struct sshd_config *cfg, const struct env *env,
	       struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct buf path = BUF_INIT(0);
	char host[128];
	struct sshd *s;
	int port, no = 0, i, rc;

	*out = NULL;
	/* the same address syntax as the HTTP listener, checked the same way */
	if (net_parse_addr(&ss, &sl, cfg->listen, e) < 0)
		return -1;
	/* libssh wants the bare address */
	if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_oom(e);
	s->env = env;
	s->login_timeout = cfg->login_timeout ? cfg->login_timeout : SSHD_LOGIN_TIMEOUT;
	s->idle_timeout = cfg->idle_timeout ? cfg->idle_timeout : SSHD_IDLE_TIMEOUT;
	s->max_conns = cfg->max_conns ? cfg->max_conns : SSHD_MAX_CONNS;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	ssh_init();
	s->bind = ssh_bind_new();
	if (s->bind == NULL) {
		rc = err_oom(e);
		goto fail;
	}
	/* no /etc/ssh/libssh_server_config: this server's settings are its own */
	ssh_bind_options_set(s->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	ssh_bind_options_set(s->bind, SSH_BIND_OPTIONS_BINDADDR, host);
	ssh_bind_options_set(s->bind, SSH_BIND_OPTIONS_BINDPORT, &port);
	for (i = 0; sshd_hostkey_path(&path, env->data_dir, (size_t)i) == 0; i++) {
		if (ssh_bind_options_set(s->bind, SSH_BIND_OPTIONS_HOSTKEY, buf_cstr(&path)) < 0) {
			rc = err_set(e, CC_ERROR, NULL, "SSH host key %s: %s", buf_cstr(&path),
				     ssh_get_error(s->bind));
			goto fail;
		}
	}
	if (ssh_bind_listen(s->bind) < 0) {
		rc = err_set(e, CC_ERROR, NULL,
			     "cannot listen for SSH on %s: %s (choose another with --ssh-listen,"
			     " or turn SSH off with --ssh-listen off)",
			     cfg->listen, ssh_get_error(s->bind));
		goto fail;
	}
	fcntl(ssh_bind_get_fd(s->bind), F_SETFD, FD_CLOEXEC);
	sl = sizeof(ss);
	if (getsockname(ssh_bind_get_fd(s->bind), (struct sockaddr *)&ss, &sl) == 0)
		s->port = ntohs(ss.ss_family == AF_INET6
					? ((struct sockaddr_in6 *)&ss)->sin6_port
					: ((struct sockaddr_in *)&ss)->sin_port);
	if (pipe2(s->stop_pipe, O_CLOEXEC) < 0 ||
	    pthread_create(&s->accept_thread, NULL, accept_main, s) != 0) {
		rc = err_set(e, CC_ERROR, NULL, "cannot start the SSH listener");
		goto fail;
	}
	buf_release(&path);
	*out = s;
	return 0;
fail:
	buf_release(&path);
	if (s->stop_pipe[0] >= 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
	}
	if (s->bind)
		ssh_bind_free(s->bind);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->idle);
	free(s);
	return rc;
}

unsigned sshd_port(const struct sshd *s)
{
	return s->port;
}

/* waits until no connection is left or until deadline; true if none is left */
static bool wait_conns(struct sshd *s, time_t deadline)
{
	struct timespec ts = {deadline, 0};

	while (s->nconns > 0)
		if (pthread_cond_timedwait(&s->idle, &s->lock, &ts) != 0)
			break;
	return s->nconns == 0;
}

void sshd_stop(struct sshd *s, unsigned grace)
{
	struct sshd_conn *c;
	char b = 1;

	if (s == NULL)
		return;
	if (write(s->stop_pipe[1], &b, 1) < 0)
		log_warnx("ssh: cannot stop the listener: %s", strerror(errno));
	pthread_join(s->accept_thread, NULL);
	ssh_bind_free(s->bind);
	pthread_mutex_lock(&s->lock);
	if (!wait_conns(s, time(NULL) + grace)) {
		log_warnx("ssh: ending %u connection(s) still open after %u s", s->nconns, grace);
		s->aborting = true;
		/* blocked reads and writes fail at once; each thread then ends */
		for (c = s->conns; c; c = c->next)
			shutdown(c->fd, SHUT_RDWR);
		while (!wait_conns(s, time(NULL) + 60))
			;
	}
	pthread_mutex_unlock(&s->lock);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->idle);
	free(s);
}
