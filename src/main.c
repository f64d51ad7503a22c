/*
 * main.c - the command line: `commitd init` makes a data directory,
 * `commitd serve` runs the server.  Start-up errors are fatal here and only
 * here; nothing that serves a request ever exits the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>

#include "core/core.h"
#include "store/store.h"
#include "auth/auth.h"
#include "aws/aws.h"
#include "http/http.h"
#include "iam/iam.h"
#include "sts/sts.h"
#include "codecommit/codecommit.h"
#include "cloudtrail/cloudtrail.h"
#include "audit/audit.h"
#include "git/git.h"
#include "ssh/ssh.h"
#include "tools/tools.h"

#define COMMITD_VERSION "0.1.0"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_REGION "us-east-1"
#define DEFAULT_MAX_BODY (10 * 1024 * 1024) /* a 6 MB file is 8 MB of base64 */
#define TLS_SELF_SIGNED_DAYS 365
#define TLS_HOSTS_MAX 16

/* long options without a short letter */
enum {
	OPT_TLS_CERT = 256, OPT_TLS_KEY, OPT_TLS_SELF_SIGNED, OPT_TLS_HOST, OPT_SSH_LISTEN,
	OPT_SSH_LOGIN_TIMEOUT, OPT_SSH_IDLE_TIMEOUT, OPT_OIDC_FETCH, OPT_OIDC_CA_FILE,
	OPT_AUDIT, OPT_AUDIT_RETENTION, OPT_START, OPT_END
};

static const char usage_text[] =
	"usage: commitd <command> [options]\n"
	"\n"
	"commands:\n"
	"  init     create a data directory: the store, the master key, the SSH host\n"
	"           keys, a first account with an administrator and its access key\n"
	"           (printed once)\n"
	"  serve    run the server (AWS APIs and Git over HTTP or HTTPS, Git over SSH)\n"
	"  account-create\n"
	"           another account on the same server (for cross-account access):\n"
	"           its root user, an administrator and its access key (printed once);\n"
	"           takes --admin, --account, --json and --write-profile as init does\n"
	"  tls-self-signed\n"
	"           make DIR/tls/cert.pem and DIR/tls/key.pem, a self-signed pair for\n"
	"           localhost, 127.0.0.1 and ::1, and name them in DIR/commitd.conf so\n"
	"           that `serve` speaks HTTPS\n"
	"  audit verify\n"
	"           check the audit trail's hash chain, signed digests and index;\n"
	"           name the first event altered, removed or reordered (exit 1)\n"
	"  audit export [--start TIME] [--end TIME]\n"
	"           print the audit trail's events (CloudTrail records) as JSON\n"
	"           lines, for a SIEM; TIME is ISO 8601 (2026-11-22T10:00:00Z)\n"
	"  credential-helper [--profile P] [--region R] [--host H] [--ignore-host-check]\n"
	"           get|store|erase\n"
	"           a git credential helper for CodeCommit and commitd, the same as\n"
	"           git-credential-commitd (`commitd credential-helper --help`)\n"
	"  version  print the version\n"
	"\n"
	"options for every command:\n"
	"  --data-dir DIR        the data directory (default ./data)\n"
	"\n"
	"init options:\n"
	"  --admin NAME          the administrator's IAM user name (default admin)\n"
	"  --account ID          the account id, 12 digits (default random)\n"
	"  --json                print the credentials as one JSON object\n"
	"  --write-profile NAME  also write them as AWS CLI profile NAME into\n"
	"                        $AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and\n"
	"                        $AWS_CONFIG_FILE (~/.aws/config)\n"
	"  --tls-self-signed     also make a self-signed certificate (as tls-self-signed)\n"
	"\n"
	"tls-self-signed options (and init --tls-self-signed):\n"
	"  --tls-host NAME       another DNS name or IP address for the certificate;\n"
	"                        repeat for more (valid one year; the key is mode 0600)\n"
	"\n"
	"serve options:\n"
	"  --listen ADDR:PORT    HTTP listener (default " DEFAULT_LISTEN "; port 0 picks one)\n"
	"  --config FILE         config file (default DIR/commitd.conf if present)\n"
	"  --region NAME         the region the server answers for (default " DEFAULT_REGION ")\n"
	"  --public-url URL      the URL clients use, for clone URLs (default from --listen)\n"
	"  --threads N           HTTP worker threads (default: one per core)\n"
	"  --ready-file FILE     write the server's URL to FILE once it is listening\n"
	"                        (a second line, ssh://ADDR:PORT, names the SSH listener)\n"
	"  --log-level LEVEL     error, warn, info (default) or debug\n"
	"  --tls-cert FILE       serve HTTPS with this PEM certificate (or chain, leaf\n"
	"                        first); clone URLs then start with https://\n"
	"  --tls-key FILE        ... and its unencrypted PEM private key (both or neither)\n"
	"  --ssh-listen ADDR:PORT\n"
	"                        Git over SSH (default " SSHD_DEFAULT_LISTEN "; port 0 picks\n"
	"                        one; \"off\" for none).  The SSH user is the key id\n"
	"                        (APKA...) from `aws iam upload-ssh-public-key`\n"
	"  --ssh-login-timeout S seconds a connection has to sign in and ask for a\n"
	"                        command (default 30)\n"
	"  --ssh-idle-timeout S  seconds without a byte either way before an SSH\n"
	"                        transfer is closed (default 600)\n"
	"  --oidc-fetch on|off   fetch OpenID Connect providers' keys from their\n"
	"                        https://ISSUER/.well-known/openid-configuration\n"
	"                        (default on); off: only DIR/oidc/ISSUER/jwks.json\n"
	"  --oidc-ca-file FILE   PEM CAs to trust for those fetches, for a provider\n"
	"                        with a private CA (default: the system's)\n"
	"  --audit on|off        record every API call and Git pull or push in the\n"
	"                        audit trail, DIR/audit/ and DIR/audit.db (default on)\n"
	"  --audit-retention-days N\n"
	"                        prune events older than N days (default 0: keep all)\n"
	"\n"
	"The config file holds `key = value` lines with the serve options' names\n"
	"(listen, region, public-url, threads, log-level, max-body, tls-cert,\n"
	"tls-key, ssh-listen, ssh-login-timeout, ssh-idle-timeout, oidc-fetch,\n"
	"oidc-ca-file, audit, audit-retention-days).  Flags win.  Relative tls-cert, tls-key and oidc-ca-file\n"
	"paths in the file are taken from the file's own directory.\n"
	"\n"
	"Clients trust a self-signed certificate when told where it is:\n"
	"  git -c http.sslCAInfo=DIR/tls/cert.pem clone https://" DEFAULT_LISTEN "/v1/repos/NAME\n"
	"  aws --ca-bundle DIR/tls/cert.pem --endpoint-url https://" DEFAULT_LISTEN " ...\n"
	"(or `git config http.sslCAInfo FILE`, and AWS_CA_BUNDLE=FILE for the AWS CLI).\n";

struct opts {
	const char *data_dir;
	const char *admin;
	const char *account;
	const char *profile;
	const char *listen;
	const char *config;
	const char *region;
	const char *public_url;
	const char *ready_file;
	const char *log_level;
	const char *tls_cert;          /* PEM files for HTTPS: both or neither */
	const char *tls_key;
	const char *tls_hosts[TLS_HOSTS_MAX]; /* extra names for a self-signed pair */
	size_t ntls_hosts;
	bool tls_self_signed;          /* init: also make a self-signed pair */
	const char *ssh_listen;        /* "off": no SSH listener */
	unsigned ssh_login_timeout, ssh_idle_timeout;
	const char *oidc_fetch;        /* "on" (default) or "off" */
	const char *oidc_ca_file;
	const char *audit;             /* "on" (default) or "off" */
	int64_t audit_retention;       /* days; 0: keep every event; -1: not given */
	const char *start, *end;       /* audit export: ISO 8601 */
	unsigned threads;
	size_t max_body;
	bool json;
	char *owned[8]; /* strings read from the config file, freed at exit */
	size_t nowned;
};


static void fatal(const char *fmt, ...) CC_PRINTF(1, 2) __attribute__((noreturn));

static void fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "commitd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Keeps a config value for the life of the command. */
static const char *opt_keep(struct opts *o, const char *v)
{
	char *copy;

	if (o->nowned == ARRAY_SIZE(o->owned) || (copy = strdup(v)) == NULL)
		fatal("config file: too many values");
	o->owned[o->nowned++] = copy;
	return copy;
}

static char *path_in(const char *dir, const char *name)
{
	struct buf b = BUF_INIT(0);

	buf_printf(&b, "%s/%s", dir, name);
	return buf_detach(&b);
}

static void set_log_level(const char *s)
{
	if (s == NULL || strcmp(s, "info") == 0)
		log_set_level(LOG_LVL_INFO);
	else if (strcmp(s, "debug") == 0)
		log_set_level(LOG_LVL_DEBUG);
	else if (strcmp(s, "warn") == 0)
		log_set_level(LOG_LVL_WARN);
	else if (strcmp(s, "error") == 0)
		log_set_level(LOG_LVL_ERROR);
	else
		fatal("unknown log level '%s' (error, warn, info, debug)", s);
}

/* ---- TLS: a self-signed pair for trying HTTPS out ---------------------------- */

struct tls_files {
	char *dir;  /* the data directory, absolute: printed paths can be copied */
	char *cert; /* DIR/tls/cert.pem */
	char *key;  /* DIR/tls/key.pem */
};

static void tls_files_release(struct tls_files *f)
{
	free(f->dir);
	free(f->cert);
	free(f->key);
	memset(f, 0, sizeof(*f));
}

/* true if a config text already sets tls-cert or tls-key */
static bool conf_names_tls(const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *p = line + strspn(line, " \t");
		size_t n = strncmp(p, "tls-cert", 8) == 0 ? 8 : strncmp(p, "tls-key", 7) == 0 ? 7 : 0;

		if (n && strchr(" \t=", p[n]))
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/*
 * Names the pair in DIR/commitd.conf, keeping every other line; paths are
 * relative to the file, so the data directory can move.  A file that already
 * names a certificate is left alone (it may be a real one).
 */
static bool conf_add_tls(const char *conf)
{
	struct buf old = BUF_INIT(1 << 20), out = BUF_INIT(0);
	struct err e = ERR_INIT;
	struct stat sb;
	int mode = 0600;

	if (file_read(&old, conf, &e) < 0 && e.code != CC_ENOTFOUND)
		fatal("%s", e.msg);
	if (conf_names_tls(buf_cstr(&old))) {
		buf_release(&old);
		return false;
	}
	if (stat(conf, &sb) == 0)
		mode = (int)(sb.st_mode & 0777);
	buf_add(&out, buf_cstr(&old), old.len);
	if (old.len && old.ptr[old.len - 1] != '\n')
		buf_putc(&out, '\n');
	buf_puts(&out, "# HTTPS (commitd tls-self-signed); paths are relative to this file\n"
		       "tls-cert = tls/cert.pem\n"
		       "tls-key = tls/key.pem\n");
	if (buf_failed(&out) || file_write_atomic(conf, out.ptr, out.len, mode, &e) < 0)
		fatal("cannot write '%s': %s", conf, e.msg);
	buf_release(&out);
	buf_release(&old);
	return true;
}

/* Makes DIR/tls/{cert,key}.pem; refuses to overwrite either. */
static void tls_make_pair(struct tls_files *f, struct tlscert_info *info, const struct opts *o)
{
	struct err e = ERR_INIT;
	char *tlsdir;

	if ((f->dir = realpath(o->data_dir, NULL)) == NULL)
		fatal("cannot resolve '%s': %s (run `commitd init --data-dir %s` first?)",
		      o->data_dir, strerror(errno), o->data_dir);
	tlsdir = path_in(f->dir, "tls");
	f->cert = path_in(f->dir, "tls/cert.pem");
	f->key = path_in(f->dir, "tls/key.pem");
	if (!tlsdir || !f->cert || !f->key)
		fatal("out of memory");
	if (mkdir(tlsdir, 0700) < 0 && errno != EEXIST)
		fatal("cannot create '%s': %s", tlsdir, strerror(errno));
	free(tlsdir);
	if (tlscert_self_signed(info, f->cert, f->key, o->tls_hosts, o->ntls_hosts,
				TLS_SELF_SIGNED_DAYS, &e) < 0)
		fatal("%s", e.msg);
}

/* Names the pair in the config and tells the user how to trust it. */
static void tls_finish(const struct tls_files *f, const struct tlscert_info *info,
		       const struct opts *o, FILE *out)
{
	char *conf = path_in(f->dir, "commitd.conf");
	char until[32];
	bool added;
	size_t i;

	if (conf == NULL)
		fatal("out of memory");
	added = conf_add_tls(conf);
	time_iso8601(until, sizeof(until), info->not_after);
	fprintf(out, "commitd: made a self-signed certificate for localhost, 127.0.0.1, ::1");
	for (i = 0; i < o->ntls_hosts; i++)
		fprintf(out, ", %s", o->tls_hosts[i]);
	fprintf(out, "\n\n"
		"  certificate  %s (valid until %s)\n"
		"  private key  %s (mode 0600)\n"
		"  SHA-256      %s\n",
		f->cert, until, f->key, info->fingerprint);
	if (added)
		fprintf(out, "  config       %s now names them: `commitd serve --data-dir %s`\n"
			"               serves HTTPS\n", conf, o->data_dir);
	else
		fprintf(out, "  config       %s already names a certificate and was left\n"
			"               unchanged; use --tls-cert and --tls-key to pick this one\n",
			conf);
	fprintf(out, "\nClients trust it when told where it is:\n"
		"  git -c http.sslCAInfo=%s clone https://" DEFAULT_LISTEN "/v1/repos/NAME\n"
		"  aws --ca-bundle %s --endpoint-url https://" DEFAULT_LISTEN " ...\n",
		f->cert, f->cert);
	free(conf);
}

static int cmd_tls_self_signed(const struct opts *o)
{
	struct tls_files f = {0};
	struct tlscert_info info;

	tls_make_pair(&f, &info, o);
	tls_finish(&f, &info, o, stdout);
	tls_files_release(&f);
	return 0;
}

/* ---- init ------------------------------------------------------------------- */

static int ini_has_section(const char *text, const char *section)
{
	const char *p = text;
	size_t n = strlen(section);

	while ((p = strstr(p, section)) != NULL) {
		if ((p == text || p[-1] == '\n') && strncmp(p, section, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* Appends a section to an AWS CLI file, refusing to overwrite an existing one. */
static void write_profile_file(const char *path, const char *section, const char *body)
{
	struct buf old = BUF_INIT(0), out = BUF_INIT(0);
	struct err e = ERR_INIT;
	char *dir = strdup(path), *slash;

	if (dir && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (*dir)
			mkdir(dir, 0700);
	}
	free(dir);
	if (file_read(&old, path, &e) < 0 && e.code != CC_ENOTFOUND)
		fatal("%s", e.msg);
	if (ini_has_section(buf_cstr(&old), section)) {
		fprintf(stderr, "commitd: '%s' already has %s; left it unchanged\n", path, section);
		buf_release(&old);
		return;
	}
	buf_add(&out, buf_cstr(&old), old.len);
	if (old.len && old.ptr[old.len - 1] != '\n')
		buf_putc(&out, '\n');
	buf_printf(&out, "%s\n%s", section, body);
	if (buf_failed(&out) || file_write_atomic(path, out.ptr, out.len, 0600, &e) < 0)
		fatal("cannot write '%s': %s", path, e.msg);
	mem_wipe(out.ptr, out.len);
	buf_release(&out);
	buf_release(&old);
}

static void write_profile(const struct opts *o, const struct iam_bootstrap *b)
{
	const char *home = getenv("HOME");
	const char *cred = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *conf = getenv("AWS_CONFIG_FILE");
	struct buf cpath = BUF_INIT(0), fpath = BUF_INIT(0), sec = BUF_INIT(0), body = BUF_INIT(0);

	if (!cred || !conf) {
		if (home == NULL)
			fatal("HOME is not set; set AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE");
	}
	buf_printf(&cpath, "%s", cred ? cred : "");
	if (!cred)
		buf_printf(&cpath, "%s/.aws/credentials", home);
	buf_printf(&fpath, "%s", conf ? conf : "");
	if (!conf)
		buf_printf(&fpath, "%s/.aws/config", home);

	buf_printf(&sec, "[%s]", o->profile);
	buf_printf(&body, "aws_access_key_id = %s\naws_secret_access_key = %s\n",
		   b->access_key_id, b->secret_key);
	write_profile_file(cpath.ptr, sec.ptr, body.ptr);
	mem_wipe(body.ptr, body.len);
	buf_clear(&sec);
	buf_clear(&body);
	if (strcmp(o->profile, "default") == 0)
		buf_printf(&sec, "[default]");
	else
		buf_printf(&sec, "[profile %s]", o->profile);
	buf_printf(&body, "region = %s\noutput = json\n", o->region ? o->region : DEFAULT_REGION);
	write_profile_file(fpath.ptr, sec.ptr, body.ptr);
	fprintf(stderr, "commitd: wrote profile '%s' to %s and %s\n", o->profile, cpath.ptr,
		fpath.ptr);
	buf_release(&cpath);
	buf_release(&fpath);
	buf_release(&sec);
	buf_release(&body);
}

/* IAM's user name rule: [\w+=,.@-]{1,64} */
/* The new account's administrator credentials as one JSON object (AWS CLI names). */
static void print_credentials_json(const struct iam_bootstrap *b)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "AccountId", b->account, "UserName",
			      b->user_name, "Arn", b->user_arn, "AccessKeyId", b->access_key_id,
			      "SecretAccessKey", b->secret_key);
	char *text = j ? json_dumps(j, 0) : NULL;

	if (text == NULL)
		fatal("out of memory");
	printf("%s\n", text);
	mem_wipe(text, strlen(text));
	free(text);
	json_decref(j);
}

/* --admin and --account, checked and copied into b */
static void bootstrap_opts(struct iam_bootstrap *b, const struct opts *o)
{
	memset(b, 0, sizeof(*b));
	if (!word_chars_ok(o->admin, 1, 64, "_+=,.@-"))
		fatal("--admin must be 1 to 64 of letters, digits and +=,.@_-");
	snprintf(b->user_name, sizeof(b->user_name), "%s", o->admin);
	if (o->account) {
		uint64_t v;

		if (strlen(o->account) != 12 || parse_u64(o->account, 12, 0, 999999999999ULL, &v) < 0)
			fatal("--account must be 12 digits");
		snprintf(b->account, sizeof(b->account), "%s", o->account);
	}
}

/*
 * Another account on an initialised server (the server may be running):
 * its root user, an administrator with AdministratorAccess and its access
 * key, printed once, as init does for the first.
 */
static int cmd_account_create(const struct opts *o)
{
	struct iam_bootstrap b;
	struct store *st = NULL;
	struct sealer *sl = NULL;
	struct err e = ERR_INIT;
	char *db = path_in(o->data_dir, "commitd.db");
	char *key = path_in(o->data_dir, "master.key");
	struct stat sb;

	bootstrap_opts(&b, o);
	if (stat(db, &sb) < 0)
		fatal("'%s' is not initialised: run `commitd init --data-dir %s` first", o->data_dir,
		      o->data_dir);
	if (seal_open(&sl, key, &e) < 0 || store_open(&st, db, false, &e) < 0)
		fatal("%s", e.msg);
	if (iam_bootstrap_account(&b, st, sl, &e) < 0)
		fatal("cannot create the account: %s", e.msg);
	if (o->json)
		print_credentials_json(&b);
	else
		printf("commitd: created account %s\n\n"
		       "  account id         %s\n"
		       "  administrator      %s\n"
		       "  access key id      %s\n"
		       "  secret access key  %s\n\n"
		       "The secret access key is shown only this once: keep it now.\n",
		       b.account, b.account, b.user_arn, b.access_key_id, b.secret_key);
	if (o->profile)
		write_profile(o, &b);
	mem_wipe(b.secret_key, sizeof(b.secret_key));
	store_close(st);
	seal_free(sl);
	free(db);
	free(key);
	return 0;
}

static int cmd_init(const struct opts *o)
{
	struct iam_bootstrap b;
	struct store *st = NULL;
	struct sealer *sl = NULL;
	struct err e = ERR_INIT;
	char *db = path_in(o->data_dir, "commitd.db");
	char *key = path_in(o->data_dir, "master.key");
	char *repos = path_in(o->data_dir, "repos");
	struct tls_files tls = {0};
	struct tlscert_info tls_info;
	struct buf hostkeys = BUF_INIT(0);
	int nkeys = 0;
	struct stat sb;

	if (o->ntls_hosts > 0 && !o->tls_self_signed)
		fatal("--tls-host goes with --tls-self-signed");
	if (stat(db, &sb) == 0 || stat(key, &sb) == 0)
		fatal("'%s' is already initialised (it has %s); nothing was changed",
		      o->data_dir, stat(db, &sb) == 0 ? "commitd.db" : "master.key");
	bootstrap_opts(&b, o);
	if (mkdir(o->data_dir, 0700) < 0 && errno != EEXIST)
		fatal("cannot create '%s': %s", o->data_dir, strerror(errno));
	if (mkdir(repos, 0700) < 0 && errno != EEXIST)
		fatal("cannot create '%s': %s", repos, strerror(errno));
	/* before the store: a failure here leaves nothing initialised, and the
	 * credentials below are never shown for a half-made directory */
	if (o->tls_self_signed)
		tls_make_pair(&tls, &tls_info, o);
	if (sshd_hostkeys_ensure(o->data_dir, &nkeys, &e) < 0 ||
	    sshd_hostkeys_describe(&hostkeys, o->data_dir, &e) < 0) {
		if (tls.cert) {
			unlink(tls.cert);
			unlink(tls.key);
		}
		fatal("%s", e.msg);
	}
	if (seal_keyfile_create(key, &e) < 0) {
		if (tls.cert) {
			unlink(tls.cert);
			unlink(tls.key);
		}
		fatal("%s", e.msg);
	}
	if (seal_open(&sl, key, &e) < 0 || store_open(&st, db, true, &e) < 0 ||
	    iam_bootstrap_account(&b, st, sl, &e) < 0) {
		unlink(key);
		unlink(db);
		if (tls.cert) {
			unlink(tls.cert);
			unlink(tls.key);
		}
		fatal("init failed: %s", e.msg);
	}
	if (o->json) {
		print_credentials_json(&b);
	} else {
		printf("commitd: initialised %s\n\n"
		       "  account id         %s\n"
		       "  administrator      %s\n"
		       "  access key id      %s\n"
		       "  secret access key  %s\n\n"
		       "The secret access key is shown only this once: keep it now.\n\n"
		       "SSH host keys (what `ssh` shows on first connecting):\n",
		       o->data_dir, b.account, b.user_arn, b.access_key_id, b.secret_key);
		for (const char *l = buf_cstr(&hostkeys); *l;) {
			size_t n = strcspn(l, "\n");

			printf("  %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
	buf_release(&hostkeys);
	if (o->profile)
		write_profile(o, &b);
	if (o->tls_self_signed) {
		/* stdout stays one JSON object with --json */
		if (!o->json)
			fputc('\n', stdout);
		tls_finish(&tls, &tls_info, o, o->json ? stderr : stdout);
		tls_files_release(&tls);
	}
	mem_wipe(b.secret_key, sizeof(b.secret_key));
	store_close(st);
	seal_free(sl);
	free(db);
	free(key);
	free(repos);
	return 0;
}

/* ---- serve ------------------------------------------------------------------ */

/* A file named in the config file: relative to the config file's directory. */
static const char *conf_path_value(struct opts *o, const char *conf, int lineno,
				   const char *k, const char *v)
{
	const char *slash = strrchr(conf, '/');
	struct buf b = BUF_INIT(0);
	const char *kept;

	if (*v == '\0')
		fatal("%s:%d: %s needs a file name", conf, lineno, k);
	if (*v == '/' || slash == NULL)
		return opt_keep(o, v);
	buf_printf(&b, "%.*s/%s", (int)(slash - conf), conf, v);
	if (buf_failed(&b))
		fatal("out of memory");
	kept = opt_keep(o, b.ptr);
	buf_release(&b);
	return kept;
}

/* key = value lines; '#' comments.  Values are copied and kept for the process. */
static void load_config(struct opts *o, const char *path, bool required)
{
	struct buf b = BUF_INIT(1 << 20);
	struct err e = ERR_INIT;
	char *line, *save = NULL;
	int lineno = 0;

	if (file_read(&b, path, &e) < 0) {
		if (!required && e.code == CC_ENOTFOUND)
			return;
		fatal("%s", e.msg);
	}
	for (line = strtok_r(b.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v, *end;

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL)
			fatal("%s:%d: expected key = value", path, lineno);
		*eq = '\0';
		k = line;
		v = eq + 1;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\r'); end--)
			end[-1] = '\0';
		if (strcmp(k, "listen") == 0) {
			if (!o->listen)
				o->listen = opt_keep(o, v);
		} else if (strcmp(k, "region") == 0) {
			if (!o->region)
				o->region = opt_keep(o, v);
		} else if (strcmp(k, "public-url") == 0) {
			if (!o->public_url)
				o->public_url = opt_keep(o, v);
		} else if (strcmp(k, "log-level") == 0) {
			if (!o->log_level)
				o->log_level = opt_keep(o, v);
		} else if (strcmp(k, "tls-cert") == 0) {
			if (!o->tls_cert)
				o->tls_cert = conf_path_value(o, path, lineno, k, v);
		} else if (strcmp(k, "tls-key") == 0) {
			if (!o->tls_key)
				o->tls_key = conf_path_value(o, path, lineno, k, v);
		} else if (strcmp(k, "audit") == 0) {
			if (!o->audit)
				o->audit = opt_keep(o, v);
		} else if (strcmp(k, "audit-retention-days") == 0) {
			uint64_t n;

			if (parse_u64(v, strlen(v), 0, 100000, &n) < 0)
				fatal("%s:%d: audit-retention-days must be a number of days", path,
				      lineno);
			if (o->audit_retention < 0)
				o->audit_retention = (int64_t)n;
		} else if (strcmp(k, "oidc-fetch") == 0) {
			if (!o->oidc_fetch)
				o->oidc_fetch = opt_keep(o, v);
		} else if (strcmp(k, "oidc-ca-file") == 0) {
			if (!o->oidc_ca_file)
				o->oidc_ca_file = conf_path_value(o, path, lineno, k, v);
		} else if (strcmp(k, "ssh-listen") == 0) {
			if (!o->ssh_listen)
				o->ssh_listen = opt_keep(o, v);
		} else if (strcmp(k, "ssh-login-timeout") == 0 ||
			   strcmp(k, "ssh-idle-timeout") == 0) {
			unsigned *dst = k[4] == 'l' ? &o->ssh_login_timeout : &o->ssh_idle_timeout;
			uint64_t n;

			if (parse_u64(v, strlen(v), 1, 86400, &n) < 0)
				fatal("%s:%d: %s must be seconds from 1 to 86400", path, lineno, k);
			if (!*dst)
				*dst = (unsigned)n;
		} else if (strcmp(k, "threads") == 0 || strcmp(k, "max-body") == 0) {
			uint64_t n;

			if (parse_u64(v, strlen(v), 1, 1ULL << 32, &n) < 0)
				fatal("%s:%d: %s must be a positive number", path, lineno, k);
			if (k[0] == 't' && !o->threads)
				o->threads = (unsigned)n;
			else if (k[0] == 'm' && !o->max_body)
				o->max_body = (size_t)n;
		} else {
			fatal("%s:%d: unknown key '%s'", path, lineno, k);
		}
	}
	buf_release(&b);
}

static int cmd_serve(struct opts *o)
{
	const struct aws_optable *tables[] = {&iam_optable, &sts_optable, &codecommit_optable,
					      &cloudtrail_optable, NULL};
	struct http_config hc = {0};
	struct http_server *hs = NULL;
	struct sshd *ssh = NULL;
	struct sshd_config sc = {0};
	struct env env = {0};
	struct aws_metrics metrics = {0};
	struct err e = ERR_INIT;
	char *db = path_in(o->data_dir, "commitd.db");
	char *key = path_in(o->data_dir, "master.key");
	char *conf = o->config ? NULL : path_in(o->data_dir, "commitd.conf");
	struct buf url = BUF_INIT(0), sshurl = BUF_INIT(0);
	char *data_abs = NULL;
	struct buf tls_cert = BUF_INIT(0);
	struct secret tls_key = {NULL, 0};
	struct tlscert_info tls_info;
	sigset_t sigs;
	int sig, rc;
	struct stat sb;

	load_config(o, o->config ? o->config : conf, o->config != NULL);
	set_log_level(o->log_level);
	if (!o->tls_cert != !o->tls_key)
		fatal("HTTPS needs both a certificate and a key, but only %s is set "
		      "(--tls-cert and --tls-key, or tls-cert and tls-key in the config file)",
		      o->tls_cert ? "the certificate" : "the key");
	if (o->tls_cert && tlscert_load(&tls_cert, &tls_key, &tls_info, o->tls_cert, o->tls_key,
					&e) < 0)
		fatal("%s", e.msg);
	if (stat(db, &sb) < 0)
		fatal("'%s' is not initialised: run `commitd init --data-dir %s` first", o->data_dir,
		      o->data_dir);
	if (seal_open(&env.sealer, key, &e) < 0 || store_open(&env.store, db, false, &e) < 0 ||
	    iam_managed_sync(env.store, &e) < 0)
		fatal("%s", e.msg);
	env.keys = sigv4_key_cache_new(1024);
	env.creds = cred_cache_new(1024);
	env.authz = authz_cache_new();
	env.auth_failures = ratelimit_new(4096, AUTH_FAIL_RATE, AUTH_FAIL_BURST);
	env.denials = denials_new(DENIALS_KEPT);
	if (o->oidc_fetch && strcmp(o->oidc_fetch, "on") != 0 && strcmp(o->oidc_fetch, "off") != 0)
		fatal("--oidc-fetch must be on or off");
	env.oidc_fetch = !o->oidc_fetch || strcmp(o->oidc_fetch, "on") == 0;
	env.oidc_ca_file = o->oidc_ca_file;
	if (o->oidc_ca_file && access(o->oidc_ca_file, R_OK) != 0)
		fatal("--oidc-ca-file %s: %s", o->oidc_ca_file, strerror(errno));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatal("cannot start libcurl");
	if (o->audit && strcmp(o->audit, "on") != 0 && strcmp(o->audit, "off") != 0)
		fatal("--audit must be on or off");
	if (!o->audit || strcmp(o->audit, "on") == 0) {
		struct audit_config ac = {.data_dir = o->data_dir,
					  .retention_days = o->audit_retention > 0 ? o->audit_retention : 0};

		if (audit_open(&env.audit, &ac, &e) < 0)
			fatal("audit trail: %s", e.msg);
	} else {
		log_warnx("audit: off: calls and pushes are not recorded");
	}
	if (!env.keys || !env.creds || !env.authz || !env.auth_failures)
		fatal("out of memory");
	env.region = o->region ? o->region : DEFAULT_REGION;
	/* absolute: git runs inside a repository, with paths into the data dir */
	if ((data_abs = realpath(o->data_dir, NULL)) == NULL)
		fatal("cannot resolve '%s': %s", o->data_dir, strerror(errno));
	env.data_dir = data_abs;
	if (git_hooks_install(env.data_dir, &e) < 0)
		fatal("%s", e.msg);
	sc.listen = o->ssh_listen ? o->ssh_listen : SSHD_DEFAULT_LISTEN;
	if (strcmp(sc.listen, "off") != 0) {
		int made = 0;

		/* a data directory from before SSH has none yet */
		if (sshd_hostkeys_ensure(env.data_dir, &made, &e) < 0)
			fatal("%s", e.msg);
		if (made)
			log_info("ssh: made %d new host key(s) in %s/ssh", made, o->data_dir);
	}
	env.tables = tables;
	env.metrics = &metrics;
	env.max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	env.ssh_port = SSHD_DEFAULT_PORT;

	/* signals are taken by sigwait below, in this thread only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* SSH first: the clone URLs the HTTP side hands out name its port */
	if (strcmp(sc.listen, "off") != 0) {
		sc.login_timeout = o->ssh_login_timeout;
		sc.idle_timeout = o->ssh_idle_timeout;
		if (sshd_start(&ssh, &sc, &env, &e) < 0)
			fatal("%s", e.msg);
		env.ssh_port = sshd_port(ssh);
	}
	hc.listen = o->listen ? o->listen : DEFAULT_LISTEN;
	hc.threads = o->threads;
	hc.max_body = env.max_body;
	hc.tls = o->tls_cert != NULL;
	hc.tls_cert_pem = tls_cert.ptr;
	hc.tls_key_pem = (const char *)tls_key.ptr;
	rc = http_start(&hs, &hc, &env, &e);
	/* GnuTLS has its own copy now (see http.h): wipe ours at once */
	secret_release(&tls_key);
	buf_release(&tls_cert);
	hc.tls_cert_pem = hc.tls_key_pem = NULL;
	if (rc < 0)
		fatal("%s", e.msg);
	{
		char host[128];
		const char *colon = strrchr(hc.listen, ':');
		size_t hl = colon ? (size_t)(colon - hc.listen) : 0;

		snprintf(host, sizeof(host), "%.*s", (int)hl, hc.listen);
		buf_printf(&url, "%s://%s:%u", hc.tls ? "https" : "http", host, http_port(hs));
	}
	env.public_url = o->public_url ? o->public_url : url.ptr;
	if (hc.tls) {
		char until[32];

		time_iso8601(until, sizeof(until), tls_info.not_after);
		log_info("tls: certificate '%s' (%s, SHA-256 %s), valid until %s", o->tls_cert,
			 tls_info.subject, tls_info.fingerprint, until);
		if (tls_info.not_after < time_now())
			log_warnx("tls: certificate '%s' expired on %s: clients will refuse it",
				  o->tls_cert, until);
		if (strncmp(env.public_url, "http://", 7) == 0)
			log_warnx("public-url '%s' is http:// but the server speaks only HTTPS",
				  env.public_url);
	}
	log_info("commitd %s: listening on %s (data %s, region %s)", COMMITD_VERSION, url.ptr,
		 o->data_dir, env.region);
	if (ssh) {
		struct buf fp = BUF_INIT(0);
		const char *colon = strrchr(sc.listen, ':');

		if (sshd_hostkeys_describe(&fp, env.data_dir, &e) < 0)
			log_warnx("%s", e.msg);
		for (char *p = fp.ptr; p && (p = strchr(p, '\n')); p++)
			*p = p[1] ? ',' : '\0';
		buf_printf(&sshurl, "ssh://%.*s:%u", (int)(colon - sc.listen), sc.listen,
			   sshd_port(ssh));
		log_info("ssh: listening on %s (host keys %s)", sshurl.ptr, buf_cstr(&fp));
		buf_release(&fp);
	}
	if (o->ready_file) {
		struct buf r = BUF_INIT(0);

		buf_printf(&r, "%s\n", url.ptr);
		if (ssh)
			buf_printf(&r, "%s\n", sshurl.ptr);
		if (file_write_atomic(o->ready_file, r.ptr, r.len, 0644, &e) < 0)
			log_warnx("cannot write ready file: %s", e.msg);
		buf_release(&r);
	}
	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("commitd: signal %d, shutting down", sig);
	http_stop(hs, 10);
	sshd_stop(ssh, 10);
	if (env.audit) /* after the listeners: every answered call is written */
		audit_close(env.audit);
	authz_cache_free(env.authz);
	ratelimit_free(env.auth_failures);
	denials_free(env.denials);
	curl_global_cleanup();
	cred_cache_free(env.creds);
	sigv4_key_cache_free(env.keys);
	store_close(env.store);
	seal_free(env.sealer);
	buf_release(&url);
	buf_release(&sshurl);
	free(data_abs);
	free(db);
	free(key);
	free(conf);
	while (o->nowned > 0)
		free(o->owned[--o->nowned]);
	log_info("commitd: stopped");
	return 0;
}

static int64_t time_opt(const char *name, const char *v)
{
	int64_t t = 0;

	if (v && time_parse_iso8601(&t, v, strlen(v)) < 0)
		fatal("--%s takes an ISO 8601 time such as 2026-11-22T10:00:00Z", name);
	return t;
}

/* audit verify | audit export: the trail read without a running server */
static int cmd_audit(const struct opts *o, const char *sub)
{
	struct buf report = BUF_INIT(0);
	struct err e = ERR_INIT;
	int rc;

	if (strcmp(sub, "export") == 0) {
		if (audit_export(o->data_dir, time_opt("start", o->start), time_opt("end", o->end),
				 stdout, &e) < 0)
			fatal("%s", e.msg);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strcmp(sub, "verify") != 0)
		fatal("unknown audit subcommand '%s': verify or export", sub);
	rc = audit_verify(o->data_dir, &report, &e);
	if (rc == CC_ERROR)
		fatal("%s", e.msg);
	printf("%s\n", report.len ? buf_cstr(&report) : e.msg);
	buf_release(&report);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"admin", required_argument, NULL, 'a'},
		{"account", required_argument, NULL, 'A'},
		{"json", no_argument, NULL, 'j'},
		{"write-profile", required_argument, NULL, 'p'},
		{"listen", required_argument, NULL, 'l'},
		{"config", required_argument, NULL, 'c'},
		{"region", required_argument, NULL, 'r'},
		{"public-url", required_argument, NULL, 'u'},
		{"threads", required_argument, NULL, 't'},
		{"ready-file", required_argument, NULL, 'R'},
		{"log-level", required_argument, NULL, 'L'},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"tls-self-signed", no_argument, NULL, OPT_TLS_SELF_SIGNED},
		{"tls-host", required_argument, NULL, OPT_TLS_HOST},
		{"ssh-listen", required_argument, NULL, OPT_SSH_LISTEN},
		{"oidc-fetch", required_argument, NULL, OPT_OIDC_FETCH},
		{"oidc-ca-file", required_argument, NULL, OPT_OIDC_CA_FILE},
		{"audit", required_argument, NULL, OPT_AUDIT},
		{"audit-retention-days", required_argument, NULL, OPT_AUDIT_RETENTION},
		{"start", required_argument, NULL, OPT_START},
		{"end", required_argument, NULL, OPT_END},
		{"ssh-login-timeout", required_argument, NULL, OPT_SSH_LOGIN_TIMEOUT},
		{"ssh-idle-timeout", required_argument, NULL, OPT_SSH_IDLE_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.data_dir = "data", .admin = "admin", .audit_retention = -1};
	const char *cmd, *sub = NULL;
	int ch;

	/* git receive-pack runs this binary as its update hook (see git/hook.c) */
	if (argc > 0 && strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0],
			       "update") == 0)
		return git_hook_update_main(argc, argv);
	/* JSON values can hold secrets (keys, passwords, token claims): wipe on free */
	json_set_alloc_funcs(malloc, free_wiped);
	git_libgit2_init();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "credential-helper") == 0)
		return credential_helper_main(argc - 1, argv + 1);
	optind = 2;
	if (strcmp(cmd, "audit") == 0) { /* audit verify|export */
		if (argc < 3 || argv[2][0] == '-')
			fatal("audit needs a subcommand: verify or export (see commitd --help)");
		sub = argv[2];
		optind = 3;
	}
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o.data_dir = optarg; break;
		case 'a': o.admin = optarg; break;
		case 'A': o.account = optarg; break;
		case 'j': o.json = true; break;
		case 'p': o.profile = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'c': o.config = optarg; break;
		case 'r': o.region = optarg; break;
		case 'u': o.public_url = optarg; break;
		case 'R': o.ready_file = optarg; break;
		case 'L': o.log_level = optarg; break;
		case OPT_TLS_CERT: o.tls_cert = optarg; break;
		case OPT_TLS_KEY: o.tls_key = optarg; break;
		case OPT_TLS_SELF_SIGNED: o.tls_self_signed = true; break;
		case OPT_SSH_LISTEN: o.ssh_listen = optarg; break;
		case OPT_OIDC_FETCH: o.oidc_fetch = optarg; break;
		case OPT_OIDC_CA_FILE: o.oidc_ca_file = optarg; break;
		case OPT_AUDIT: o.audit = optarg; break;
		case OPT_START: o.start = optarg; break;
		case OPT_END: o.end = optarg; break;
		case OPT_AUDIT_RETENTION: {
			uint64_t n;

			if (parse_u64(optarg, strlen(optarg), 0, 100000, &n) < 0)
				fatal("--audit-retention-days takes a number of days");
			o.audit_retention = (int64_t)n;
			break;
		}
		case OPT_SSH_LOGIN_TIMEOUT:
		case OPT_SSH_IDLE_TIMEOUT: {
			uint64_t n;

			if (parse_u64(optarg, strlen(optarg), 1, 86400, &n) < 0)
				fatal("--ssh-%s-timeout takes seconds from 1 to 86400",
				      ch == OPT_SSH_LOGIN_TIMEOUT ? "login" : "idle");
			*(ch == OPT_SSH_LOGIN_TIMEOUT ? &o.ssh_login_timeout : &o.ssh_idle_timeout) =
				(unsigned)n;
			break;
		}
		case OPT_TLS_HOST:
			if (o.ntls_hosts == TLS_HOSTS_MAX)
				fatal("at most %d --tls-host names", TLS_HOSTS_MAX);
			o.tls_hosts[o.ntls_hosts++] = optarg;
			break;
		case 't': {
			uint64_t n;

			if (parse_u64(optarg, strlen(optarg), 1, 1024, &n) < 0)
				fatal("--threads takes a number from 1 to 1024");
			o.threads = (unsigned)n;
			break;
		}
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc)
		fatal("unexpected argument '%s' (see commitd --help)", argv[optind]);
	if (strcmp(cmd, "init") == 0)
		return cmd_init(&o);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&o);
	if (strcmp(cmd, "account-create") == 0)
		return cmd_account_create(&o);
	if (strcmp(cmd, "tls-self-signed") == 0)
		return cmd_tls_self_signed(&o);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(&o, sub);
	if (strcmp(cmd, "version") == 0) {
		printf("commitd %s\n", COMMITD_VERSION);
		return 0;
	}
	fatal("unknown command '%s' (see commitd --help)", cmd);
}
