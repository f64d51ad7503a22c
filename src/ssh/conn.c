/*
 * conn.c - one SSH connection, from key exchange to git's exit status.
 *
 * Authentication is public key only.  The user name is the SSH key id
 * (APKA...) from IAM's UploadSSHPublicKey; the key offered must be that
 * key, Active, and its owner an IAM user, who is then the caller.  An
 * unknown id and a wrong key get the same "denied", and every denial is
 * charged to the source address's rate limit.
 *
 * One session channel, one request: an exec of git-upload-pack or
 * git-receive-pack (git/sshcmd.c plans it exactly as smart HTTP would), or
 * a shell, which is answered with one line saying there is none.  A pty,
 * subsystems, X11, agent and port forwarding are refused by libssh's
 * defaults or here.
 *
 * The bytes: the session runs nonblocking in an ssh_event loop with git's
 * stdout and stderr.  Nothing is read from git beyond the client's channel
 * window, and nothing is read from the channel while git has not taken the
 * last chunk, so a slow side slows the other instead of filling memory, and
 * no call ever blocks on a client.  A push's command list is held back
 * until it is complete and each ref has been decided (git_plan_decide):
 * git's update hook finds the decisions before git sees the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/server.h>

#include "ssh_int.h"
#include "auth/auth.h"
#include "git/git.h"

#define CHUNK 65536
#define ROUNDS 16                   /* chunks moved per wakeup, each way */
#define CMDLIST_MAX (8u << 20)      /* a push's command list, held back */
#define POLL_MS 500
#define DRAIN_SECONDS 60            /* for git to end after its client left */

/* bytes on their way, written from off */
struct queue {
	struct buf b;
	size_t off;
};

struct conn {
	struct sshd_conn *c;
	struct sshd *s;
	const struct env *env;
	ssh_session session;
	ssh_channel channel;
	ssh_event event;
	struct ssh_server_callbacks_struct scb;
	struct ssh_channel_callbacks_struct ccb;
	/* authentication */
	unsigned denied;
	bool authed, refused;
	char key_id[129];
	struct principal who;
	/* the channel's one request */
	enum { REQ_NONE, REQ_EXEC, REQ_SHELL } req;
	char *command;
	char git_protocol[257];
	bool client_closed;
	/* git */
	struct git_plan plan;
	int in_fd;                  /* our end of git's stdin, -1 once closed */
	bool client_eof;
	struct queue to_git;        /* from the client, not yet taken by git */
	struct queue to_client[2];  /* git's stdout, stderr not yet sent */
	bool sniffing;              /* a push whose command list is incomplete */
	struct buf cmdlist;
	bool polled[3];             /* out_fd, err_fd, in_fd are in the event */
	double last_io;
};

static size_t queue_len(const struct queue *q)
{
	return q->b.len - q->off;
}

static void queue_took(struct queue *q, size_t n)
{
	q->off += n;
	if (q->off == q->b.len) {
		buf_clear(&q->b);
		q->off = 0;
	}
}

static bool key_id_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 16 || n > 128)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* ---- libssh callbacks: they record, the loop below acts ------------------------ */

static int on_auth_pubkey(ssh_session session, const char *user, struct ssh_key_struct *pubkey,
			  char sig_state, void *ud)
{
	struct conn *cn = ud;
	struct principal who;
	struct err e = ERR_INIT;
	char *b64 = NULL;
	unsigned char blob[SSHKEY_TEXT_MAX];
	long bn = -1;
	double now = time_now_hires();
	int rc;

	(void)session;
	if (cn->authed || cn->refused)
		return SSH_AUTH_DENIED;
	if (ratelimit_blocked(cn->env->auth_failures, cn->c->ip, now)) {
		/* every key is refused, the right one too, until the address has
		 * waited; the client sees the usual "Permission denied" */
		log_info("ssh: too many failed sign-ins from %s; refusing", cn->c->ip);
		if (++cn->denied >= SSHD_MAX_AUTH_TRIES)
			cn->refused = true;
		return SSH_AUTH_DENIED;
	}
	if (sig_state != SSH_PUBLICKEY_STATE_NONE && sig_state != SSH_PUBLICKEY_STATE_VALID)
		goto deny;
	if (!key_id_ok(user))
		goto deny;
	/* the key's wire form, as IAM keeps it: libssh gives it as base64 */
	if (ssh_pki_export_pubkey_base64(pubkey, &b64) == SSH_OK) {
		bn = b64_decode(blob, sizeof(blob), b64, strlen(b64));
		ssh_string_free_char(b64);
	}
	if (bn <= 0)
		goto deny;
	rc = sshkey_lookup(&who, cn->env->store, user, blob, (size_t)bn, &e);
	if (rc < 0) {
		if (rc != CC_EAUTH)
			log_warnx("ssh: key lookup: %s", e.msg);
		goto deny;
	}
	if (sig_state == SSH_PUBLICKEY_STATE_NONE)
		return SSH_AUTH_SUCCESS; /* "that key would do": the client signs next */
	cn->authed = true;
	cn->who = who;
	snprintf(cn->key_id, sizeof(cn->key_id), "%s", user);
	log_debug("ssh: %s from %s signed in with SSH key %s", who.arn, cn->c->ip, user);
	return SSH_AUTH_SUCCESS;
deny:
	ratelimit_spend(cn->env->auth_failures, cn->c->ip, now);
	if (++cn->denied >= SSHD_MAX_AUTH_TRIES)
		cn->refused = true;
	log_info("ssh: key refused for user '%.40s' from %s", user, cn->c->ip);
	return SSH_AUTH_DENIED;
}

static int on_exec(ssh_session session, ssh_channel ch, const char *command, void *ud)
{
	struct conn *cn = ud;

	(void)session;
	(void)ch;
	if (cn->req != REQ_NONE || (cn->command = strdup(command)) == NULL)
		return SSH_ERROR;
	cn->req = REQ_EXEC;
	return SSH_OK;
}

static int on_shell(ssh_session session, ssh_channel ch, void *ud)
{
	struct conn *cn = ud;

	(void)session;
	(void)ch;
	if (cn->req != REQ_NONE)
		return SSH_ERROR;
	cn->req = REQ_SHELL;
	return SSH_OK;
}

static int on_pty(ssh_session session, ssh_channel ch, const char *term, int w, int h, int pw,
		  int ph, void *ud)
{
	(void)session, (void)ch, (void)term, (void)w, (void)h, (void)pw, (void)ph, (void)ud;
	return SSH_ERROR;
}

static int on_subsystem(ssh_session session, ssh_channel ch, const char *name, void *ud)
{
	struct conn *cn = ud;

	(void)session, (void)ch;
	log_info("ssh: subsystem '%.40s' refused for %s", name, cn->who.arn);
	return SSH_ERROR;
}

/* only GIT_PROTOCOL: git asks for protocol v2 this way (SendEnv) */
static int on_env(ssh_session session, ssh_channel ch, const char *name, const char *value,
		  void *ud)
{
	struct conn *cn = ud;

	(void)session, (void)ch;
	if (strcmp(name, "GIT_PROTOCOL") != 0 || strlen(value) >= sizeof(cn->git_protocol))
		return SSH_ERROR;
	snprintf(cn->git_protocol, sizeof(cn->git_protocol), "%s", value);
	return SSH_OK;
}

static void on_close(ssh_session session, ssh_channel ch, void *ud)
{
	struct conn *cn = ud;

	(void)session, (void)ch;
	cn->client_closed = true;
}

static ssh_channel on_channel_open(ssh_session session, void *ud)
{
	struct conn *cn = ud;

	if (!cn->authed || cn->channel != NULL)
		return NULL; /* one session channel per connection */
	cn->channel = ssh_channel_new(session);
	if (cn->channel == NULL)
		return NULL;
	ssh_set_channel_callbacks(cn->channel, &cn->ccb);
	return cn->channel;
}

/* ---- the loop --------------------------------------------------------------- */

static bool session_gone(struct conn *cn)
{
	return (ssh_get_status(cn->session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0 ||
	       !ssh_is_connected(cn->session);
}

static bool channel_gone(struct conn *cn)
{
	return cn->client_closed || session_gone(cn) || ssh_channel_is_closed(cn->channel);
}

static int poll_ready(socket_t fd, int revents, void *ud)
{
	(void)fd, (void)revents, (void)ud;
	return 0; /* the loop looks at every descriptor after each wakeup */
}

/* keeps fd in the event exactly when want is true */
static void set_polled(struct conn *cn, int i, int fd, short events, bool want)
{
	if (fd < 0)
		want = false;
	if (want == cn->polled[i])
		return;
	if (want)
		ssh_event_add_fd(cn->event, fd, events, poll_ready, cn);
	else
		ssh_event_remove_fd(cn->event, fd);
	cn->polled[i] = want;
}

static void close_fd(struct conn *cn, int i, int *fd)
{
	set_polled(cn, i, *fd, 0, false);
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* One line on the client's stderr, then exit status 128, as git's own errors. */
static void refuse(struct conn *cn, const char *line)
{
	ssh_channel_write_stderr(cn->channel, line, (uint32_t)strlen(line));
	ssh_channel_request_send_exit_status(cn->channel, 128);
	ssh_channel_send_eof(cn->channel);
	ssh_channel_close(cn->channel);
}

/* a push's command list: held back until complete, then decided */
static int sniff(struct conn *cn, const char *data, size_t n)
{
	long end;

	buf_add(&cn->cmdlist, data, n);
	if (buf_failed(&cn->cmdlist))
		return git_plan_fail(&cn->plan, 500, "commitd: out of memory");
	end = push_cmds_end(cn->cmdlist.ptr, cn->cmdlist.len);
	if (end < 0)
		return git_plan_fail(&cn->plan, 400, "commitd: malformed pkt-line in the push");
	if (end == 0) {
		if (cn->cmdlist.len > CMDLIST_MAX)
			return git_plan_fail(&cn->plan, 400,
					     "commitd: the push's command list is too long");
		return 0;
	}
	if (git_plan_decide(&cn->plan, cn->env, cn->cmdlist.ptr, (size_t)end) < 0)
		return -1;
	buf_add(&cn->to_git.b, cn->cmdlist.ptr, cn->cmdlist.len);
	buf_release(&cn->cmdlist);
	cn->sniffing = false;
	return buf_failed(&cn->to_git.b) ? git_plan_fail(&cn->plan, 500, "commitd: out of memory")
					 : 0;
}

/*
 * client to git; -1 when the push must be refused (plan.text says why), 1
 * when it stopped with bytes perhaps left in libssh's buffer (no socket
 * event will say so), else 0
 */
static int pump_in(struct conn *cn)
{
	char tmp[CHUNK];
	int round;

	for (round = 0; round < ROUNDS; round++) {
		if (queue_len(&cn->to_git) > 0) {
			ssize_t n;

			if (cn->in_fd < 0) {
				queue_took(&cn->to_git, queue_len(&cn->to_git));
				continue;
			}
			n = write(cn->in_fd, cn->to_git.b.ptr + cn->to_git.off,
				  queue_len(&cn->to_git));
			if (n > 0) {
				queue_took(&cn->to_git, (size_t)n);
				cn->last_io = time_now_hires();
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			close_fd(cn, 2, &cn->in_fd); /* git stopped reading: it is ending */
			continue;
		}
		if (cn->client_eof && cn->sniffing) {
			/* cut short: git gets what came and fails on it; with no
			 * decisions written, the update hook refuses every ref */
			buf_add(&cn->to_git.b, cn->cmdlist.ptr, cn->cmdlist.len);
			buf_release(&cn->cmdlist);
			cn->sniffing = false;
			continue;
		}
		if (cn->client_eof) {
			close_fd(cn, 2, &cn->in_fd);
			break;
		}
		{
			int n = ssh_channel_read_nonblocking(cn->channel, tmp, sizeof(tmp), 0);

			if (n > 0) {
				cn->last_io = time_now_hires();
				if (cn->sniffing) {
					if (sniff(cn, tmp, (size_t)n) < 0)
						return -1;
				} else {
					buf_add(&cn->to_git.b, tmp, (size_t)n);
				}
				continue;
			}
			if (n == SSH_EOF || (n == 0 && ssh_channel_is_eof(cn->channel))) {
				cn->client_eof = true;
				continue;
			}
			break; /* nothing now, or an error the loop sees as a closed channel */
		}
	}
	set_polled(cn, 2, cn->in_fd, POLLOUT, queue_len(&cn->to_git) > 0);
	return round == ROUNDS && queue_len(&cn->to_git) == 0 ? 1 : 0;
}

/* git's stdout (i = 0) or stderr (i = 1) to the client, within its window */
static void pump_out(struct conn *cn, int i)
{
	int *fd = i == 0 ? &cn->plan.out_fd : &cn->plan.err_fd;
	struct queue *q = &cn->to_client[i];
	int round;

	for (round = 0; round < ROUNDS; round++) {
		uint32_t win = ssh_channel_window_size(cn->channel);

		if (queue_len(q) > 0) {
			uint32_t n = queue_len(q) < win ? (uint32_t)queue_len(q) : win;
			int w;

			if (n == 0)
				break;
			w = i == 0 ? ssh_channel_write(cn->channel, q->b.ptr + q->off, n)
				   : ssh_channel_write_stderr(cn->channel, q->b.ptr + q->off, n);
			if (w <= 0)
				break; /* a key re-exchange, or the end: the loop sees which */
			queue_took(q, (size_t)w);
			cn->last_io = time_now_hires();
			continue;
		}
		if (*fd < 0 || win == 0)
			break;
		{
			char tmp[CHUNK];
			ssize_t n = read(*fd, tmp, win < sizeof(tmp) ? win : sizeof(tmp));

			if (n > 0) {
				buf_add(&q->b, tmp, (size_t)n);
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			close_fd(cn, i, fd); /* end of output */
		}
	}
	/* poll git only when there is room to send what it says */
	set_polled(cn, i, *fd, POLLIN, queue_len(q) == 0 && ssh_channel_window_size(cn->channel) > 0);
}

static int git_wait(struct conn *cn)
{
	int status = 0;

	while (waitpid(cn->plan.pid, &status, 0) < 0 && errno == EINTR)
		;
	cn->plan.pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * The client left (or the server is stopping) while git ran.  A fetch is
 * stopped; a push is left to end on its own once its input ends, so a ref
 * is never cut half-way (git's quarantine drops a partial pack).
 */
static int git_abandon(struct conn *cn)
{
	double deadline = time_now_hires() + DRAIN_SECONDS;
	struct pollfd pf[2];
	char tmp[CHUNK];

	close_fd(cn, 2, &cn->in_fd);
	if (cn->plan.service == GIT_UPLOAD_PACK)
		kill(cn->plan.pid, SIGTERM);
	while (cn->plan.out_fd >= 0 || cn->plan.err_fd >= 0) {
		int i, n = 0;

		if (time_now_hires() > deadline) {
			kill(cn->plan.pid, SIGKILL);
			break;
		}
		if (cn->plan.out_fd >= 0)
			pf[n++] = (struct pollfd){.fd = cn->plan.out_fd, .events = POLLIN};
		if (cn->plan.err_fd >= 0)
			pf[n++] = (struct pollfd){.fd = cn->plan.err_fd, .events = POLLIN};
		if (poll(pf, (nfds_t)n, 1000) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			int *fd = pf[i].fd == cn->plan.out_fd ? &cn->plan.out_fd : &cn->plan.err_fd;
			ssize_t r;

			if (!pf[i].revents)
				continue;
			r = read(*fd, tmp, sizeof(tmp));
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				close_fd(cn, *fd == cn->plan.out_fd ? 0 : 1, fd);
		}
	}
	return git_wait(cn);
}

static void nonblock(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* what the shell request gets: who they are, and how to use this server */
static void refuse_shell(struct conn *cn)
{
	struct buf b = BUF_INIT(0);

	buf_printf(&b,
		   "commitd: you are %s (SSH key %s); there is no shell here, only Git:"
		   " git clone ssh://%s@HOST:%u/v1/repos/NAME\n",
		   cn->who.arn, cn->key_id, cn->key_id, cn->s->port);
	refuse(cn, buf_cstr(&b));
	buf_release(&b);
	log_info("ssh: shell refused for %s from %s", cn->who.arn, cn->c->ip);
}

static void run_git(struct conn *cn)
{
	struct err e = ERR_INIT;
	const char *banner = ssh_get_clientbanner(cn->session);
	int in[2] = {-1, -1}, code = -1;
	bool gone = false;

	git_ssh_plan_start(&cn->plan, cn->env, &cn->who, cn->command,
			   cn->git_protocol[0] ? cn->git_protocol : NULL, cn->c->ip,
			   banner ? banner : "");
	if (cn->plan.status != 0) {
		log_info("ssh: %s from %s: '%.100s' refused: %.*s", cn->who.arn, cn->c->ip,
			 cn->command, (int)cn->plan.text.len - 1, buf_cstr(&cn->plan.text));
		refuse(cn, buf_cstr(&cn->plan.text));
		return;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || git_plan_spawn(&cn->plan, in[0], true, &e) < 0) {
		log_warnx("ssh: %s", e.code ? e.msg : strerror(errno));
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		refuse(cn, "commitd: internal error: cannot run git\n");
		return;
	}
	close(in[0]);
	cn->in_fd = in[1];
	nonblock(cn->in_fd);
	nonblock(cn->plan.out_fd);
	nonblock(cn->plan.err_fd);
	cn->sniffing = cn->plan.service == GIT_RECEIVE_PACK;
	cn->last_io = time_now_hires();
	for (;;) {
		int more = pump_in(cn);

		if (more < 0) {
			/* a push that cannot be decided: git has seen no command */
			log_info("ssh: push by %s refused: %.*s", cn->who.arn,
				 (int)cn->plan.text.len - 1, buf_cstr(&cn->plan.text));
			code = git_abandon(cn);
			refuse(cn, buf_cstr(&cn->plan.text));
			break;
		}
		pump_out(cn, 0);
		pump_out(cn, 1);
		if (cn->plan.out_fd < 0 && cn->plan.err_fd < 0 && queue_len(&cn->to_client[0]) == 0 &&
		    queue_len(&cn->to_client[1]) == 0) {
			close_fd(cn, 2, &cn->in_fd);
			code = git_wait(cn);
			ssh_channel_request_send_exit_status(cn->channel, code);
			ssh_channel_send_eof(cn->channel);
			ssh_channel_close(cn->channel);
			break;
		}
		if (channel_gone(cn) || sshd_aborting(cn->s)) {
			gone = true;
			code = git_abandon(cn);
			break;
		}
		if (time_now_hires() - cn->last_io > cn->s->idle_timeout) {
			log_info("ssh: %s from %s idle for %u s; closing", cn->who.arn, cn->c->ip,
				 cn->s->idle_timeout);
			code = git_abandon(cn);
			refuse(cn, "commitd: idle too long; closing\n");
			break;
		}
		if (ssh_event_dopoll(cn->event, more ? 0 : POLL_MS) == SSH_ERROR && session_gone(cn)) {
			gone = true;
			code = git_abandon(cn);
			break;
		}
	}
	git_plan_finish(&cn->plan, code);
	log_info("ssh: %s from %s: %s '%s' exited %d%s", cn->who.arn, cn->c->ip,
		 cn->plan.service == GIT_RECEIVE_PACK ? "git-receive-pack" : "git-upload-pack",
		 cn->plan.repo_name, code, gone ? " (client left)" : "");
}

/* after the last word: lets libssh send what is queued, briefly */
static void linger(struct conn *cn)
{
	int i;

	for (i = 0; i < 10 && !session_gone(cn); i++)
		if (ssh_event_dopoll(cn->event, 200) == SSH_ERROR)
			break;
}

void *sshd_conn_main(void *arg)
{
	struct sshd_conn *c = arg;
	struct sshd *s = c->srv;
	struct conn cn;
	long timeout = (long)s->login_timeout;
	double deadline;

	memset(&cn, 0, sizeof(cn));
	cn.c = c;
	cn.s = s;
	cn.env = s->env;
	cn.session = c->session;
	cn.in_fd = -1;
	git_plan_init(&cn.plan);
	cn.scb.userdata = &cn;
	cn.scb.auth_pubkey_function = on_auth_pubkey;
	cn.scb.channel_open_request_session_function = on_channel_open;
	ssh_callbacks_init(&cn.scb);
	cn.ccb.userdata = &cn;
	cn.ccb.channel_exec_request_function = on_exec;
	cn.ccb.channel_shell_request_function = on_shell;
	cn.ccb.channel_pty_request_function = on_pty;
	cn.ccb.channel_subsystem_request_function = on_subsystem;
	cn.ccb.channel_env_request_function = on_env;
	cn.ccb.channel_close_function = on_close;
	ssh_callbacks_init(&cn.ccb);

	deadline = time_now_hires() + s->login_timeout;
	ssh_options_set(c->session, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_set_auth_methods(c->session, SSH_AUTH_METHOD_PUBLICKEY);
	ssh_set_server_callbacks(c->session, &cn.scb);
	if (ssh_handle_key_exchange(c->session) != SSH_OK) {
		log_debug("ssh: key exchange with %s failed: %s", c->ip, ssh_get_error(c->session));
		goto out;
	}
	ssh_set_blocking(c->session, 0);
	cn.event = ssh_event_new();
	if (cn.event == NULL || ssh_event_add_session(cn.event, c->session) != SSH_OK)
		goto out;
	while (!(cn.authed && cn.channel && cn.req != REQ_NONE)) {
		if (cn.refused || sshd_aborting(s) || session_gone(&cn))
			goto out;
		if (time_now_hires() > deadline) {
			log_info("ssh: %s did not %s within %u s; closing", c->ip,
				 cn.authed ? "ask for a command" : "sign in", s->login_timeout);
			goto out;
		}
		if (ssh_event_dopoll(cn.event, POLL_MS) == SSH_ERROR && session_gone(&cn))
			goto out;
	}
	sshd_conn_signed_in(c);
	if (cn.req == REQ_SHELL)
		refuse_shell(&cn);
	else
		run_git(&cn);
	linger(&cn);
out:
	if (cn.plan.pid > 0) /* not reached with git running, but never leave a zombie */
		git_abandon(&cn);
	close_fd(&cn, 2, &cn.in_fd);
	set_polled(&cn, 0, cn.plan.out_fd, 0, false);
	set_polled(&cn, 1, cn.plan.err_fd, 0, false);
	git_plan_free(&cn.plan);
	buf_release(&cn.to_git.b);
	buf_release(&cn.to_client[0].b);
	buf_release(&cn.to_client[1].b);
	buf_release(&cn.cmdlist);
	free(cn.command);
	if (cn.event) {
		ssh_event_remove_session(cn.event, c->session);
		ssh_event_free(cn.event);
	}
	ssh_disconnect(c->session);
	ssh_free(c->session);
	pthread_mutex_lock(&s->lock);
	{
		struct sshd_conn **pp;

		for (pp = &s->conns; *pp; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				break;
			}
	}
	s->nconns--;
	if (c->counted_unauth)
		s->nunauth--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	free(c);
	return NULL;
}
