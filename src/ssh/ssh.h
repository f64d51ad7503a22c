/*
 * ssh.h - the contract of src/ssh: Git over SSH, served with libssh.
 *
 *   hostkey.c  the server's host keys (ed25519 and RSA) in DIR/ssh/
 *   listen.c   the listener: accepts connections, one thread each, a limit,
 *              a graceful stop
 *   conn.c     one connection: public-key authentication against the keys
 *              uploaded to IAM, one exec request, git's program at the other
 *              end of the channel
 *
 * What is decided (which repository, may they pull or push, each ref) is
 * git/'s, shared with smart HTTP; ssh/ only carries the bytes.  Names start
 * with sshd_ because libssh owns ssh_.
 */
#ifndef SSH_SSH_H
#define SSH_SSH_H

#include "core/core.h"
#include "aws/aws.h"

#define SSHD_DEFAULT_PORT 2222
#define SSHD_DEFAULT_LISTEN "127.0.0.1:2222"
#define SSHD_LOGIN_TIMEOUT 30   /* seconds from connect to a command */
#define SSHD_IDLE_TIMEOUT 600   /* seconds without a byte either way */
#define SSHD_MAX_CONNS 128      /* connections at once; more are turned away */
#define SSHD_MAX_AUTH_TRIES 6   /* keys one connection may offer, as sshd */

struct sshd_config {
	const char *listen;     /* "127.0.0.1:2222", "[::1]:2222"; port 0 picks one */
	unsigned login_timeout; /* 0: SSHD_LOGIN_TIMEOUT */
	unsigned idle_timeout;  /* 0: SSHD_IDLE_TIMEOUT */
	unsigned max_conns;     /* 0: SSHD_MAX_CONNS */
};

struct sshd;

/*
 * Creates any missing host key in DIR/ssh (mode 0600), ed25519 and RSA 3072;
 * existing keys are kept, so the fingerprints stay the same.  created counts
 * the keys made now.
 */
int sshd_hostkeys_ensure(const char *data_dir, int *created, struct err *e);
/* "SHA256:..." of each host key, one per line "ssh-ed25519 SHA256:..." */
int sshd_hostkeys_describe(struct buf *out, const char *data_dir, struct err *e);

int sshd_start(struct sshd **out, const struct sshd_config *cfg, const struct env *env,
	       struct err *e);
/* the port actually bound */
unsigned sshd_port(const struct sshd *s);
/* Stops accepting; lets transfers finish (up to grace seconds), then ends them. */
void sshd_stop(struct sshd *s, unsigned grace);

#endif
