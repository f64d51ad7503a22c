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
#include "git/git.h"

#define COMMITD_VERSION "0.1.0"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_REGION "us-east-1"
#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_SSH_PORT 2222

static const char usage_text[] =
	"usage: commitd <command> [options]\n"
	"\n"
	"commands:\n"
	"  init     create a data directory: the store, the master key, a first account\n"
	"           with an administrator and its access key (printed once)\n"
	"  serve    run the server (AWS APIs over HTTP)\n"
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
	"\n"
	"serve options:\n"
	"  --listen ADDR:PORT    HTTP listener (default " DEFAULT_LISTEN "; port 0 picks one)\n"
	"  --config FILE         config file (default DIR/commitd.conf if present)\n"
	"  --region NAME         the region the server answers for (default " DEFAULT_REGION ")\n"
	"  --public-url URL      the URL clients use, for clone URLs (default from --listen)\n"
	"  --threads N           HTTP worker threads (default: one per core)\n"
	"  --ready-file FILE     write the server's URL to FILE once it is listening\n"
	"  --log-level LEVEL     error, warn, info (default) or debug\n"
	"\n"
	"The config file holds `key = value` lines with the serve options' names\n"
	"(listen, region, public-url, threads, log-level, max-body).  Flags win.\n";

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
static bool admin_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_+=,.@-", *s)))
			return false;
	return true;
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
	struct stat sb;

	if (stat(db, &sb) == 0 || stat(key, &sb) == 0)
		fatal("'%s' is already initialised (it has %s); nothing was changed",
		      o->data_dir, stat(db, &sb) == 0 ? "commitd.db" : "master.key");
	memset(&b, 0, sizeof(b));
	if (!admin_name_ok(o->admin))
		fatal("--admin must be 1 to 64 of letters, digits and +=,.@_-");
	snprintf(b.user_name, sizeof(b.user_name), "%s", o->admin);
	if (o->account) {
		uint64_t v;

		if (strlen(o->account) != 12 || parse_u64(o->account, 12, 0, 999999999999ULL, &v) < 0)
			fatal("--account must be 12 digits");
		snprintf(b.account, sizeof(b.account), "%s", o->account);
	}
	if (mkdir(o->data_dir, 0700) < 0 && errno != EEXIST)
		fatal("cannot create '%s': %s", o->data_dir, strerror(errno));
	if (mkdir(repos, 0700) < 0 && errno != EEXIST)
		fatal("cannot create '%s': %s", repos, strerror(errno));
	if (seal_keyfile_create(key, &e) < 0)
		fatal("%s", e.msg);
	if (seal_open(&sl, key, &e) < 0 || store_open(&st, db, true, &e) < 0 ||
	    iam_bootstrap_account(&b, st, sl, &e) < 0) {
		unlink(key);
		unlink(db);
		fatal("init failed: %s", e.msg);
	}
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "AccountId", b.account,
				      "UserName", b.user_name, "Arn", b.user_arn, "AccessKeyId",
				      b.access_key_id, "SecretAccessKey", b.secret_key);
		char *text = j ? json_dumps(j, 0) : NULL;

		if (text == NULL)
			fatal("out of memory");
		printf("%s\n", text);
		mem_wipe(text, strlen(text));
		free(text);
		json_decref(j);
	} else {
		printf("commitd: initialised %s\n\n"
		       "  account id         %s\n"
		       "  administrator      %s\n"
		       "  access key id      %s\n"
		       "  secret access key  %s\n\n"
		       "The secret access key is shown only this once: keep it now.\n",
		       o->data_dir, b.account, b.user_arn, b.access_key_id, b.secret_key);
	}
	if (o->profile)
		write_profile(o, &b);
	mem_wipe(b.secret_key, sizeof(b.secret_key));
	store_close(st);
	seal_free(sl);
	free(db);
	free(key);
	free(repos);
	return 0;
}

/* ---- serve ------------------------------------------------------------------ */

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
					      NULL};
	struct http_config hc = {0};
	struct http_server *hs = NULL;
	struct env env = {0};
	struct aws_metrics metrics = {0};
	struct err e = ERR_INIT;
	char *db = path_in(o->data_dir, "commitd.db");
	char *key = path_in(o->data_dir, "master.key");
	char *conf = o->config ? NULL : path_in(o->data_dir, "commitd.conf");
	struct buf url = BUF_INIT(0);
	char *data_abs = NULL;
	sigset_t sigs;
	int sig;
	struct stat sb;

	load_config(o, o->config ? o->config : conf, o->config != NULL);
	set_log_level(o->log_level);
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
	if (!env.keys || !env.creds || !env.authz || !env.auth_failures)
		fatal("out of memory");
	env.region = o->region ? o->region : DEFAULT_REGION;
	/* absolute: git runs inside a repository, with paths into the data dir */
	if ((data_abs = realpath(o->data_dir, NULL)) == NULL)
		fatal("cannot resolve '%s': %s", o->data_dir, strerror(errno));
	env.data_dir = data_abs;
	if (git_hooks_install(env.data_dir, &e) < 0)
		fatal("%s", e.msg);
	env.tables = tables;
	env.metrics = &metrics;
	env.max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	env.ssh_port = DEFAULT_SSH_PORT;

	/* signals are taken by sigwait below, in this thread only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	hc.listen = o->listen ? o->listen : DEFAULT_LISTEN;
	hc.threads = o->threads;
	hc.max_body = env.max_body;
	if (http_start(&hs, &hc, &env, &e) < 0)
		fatal("%s", e.msg);
	{
		char host[128];
		const char *colon = strrchr(hc.listen, ':');
		size_t hl = colon ? (size_t)(colon - hc.listen) : 0;

		snprintf(host, sizeof(host), "%.*s", (int)hl, hc.listen);
		buf_printf(&url, "http://%s:%u", host, http_port(hs));
	}
	env.public_url = o->public_url ? o->public_url : url.ptr;
	log_info("commitd %s: listening on %s (data %s, region %s)", COMMITD_VERSION, url.ptr,
		 o->data_dir, env.region);
	if (o->ready_file) {
		struct buf r = BUF_INIT(0);

		buf_printf(&r, "%s\n", url.ptr);
		if (file_write_atomic(o->ready_file, r.ptr, r.len, 0644, &e) < 0)
			log_warnx("cannot write ready file: %s", e.msg);
		buf_release(&r);
	}
	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("commitd: signal %d, shutting down", sig);
	http_stop(hs, 10);
	authz_cache_free(env.authz);
	ratelimit_free(env.auth_failures);
	cred_cache_free(env.creds);
	sigv4_key_cache_free(env.keys);
	store_close(env.store);
	seal_free(env.sealer);
	buf_release(&url);
	free(data_abs);
	free(db);
	free(key);
	free(conf);
	while (o->nowned > 0)
		free(o->owned[--o->nowned]);
	log_info("commitd: stopped");
	return 0;
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.data_dir = "data", .admin = "admin"};
	const char *cmd;
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
	optind = 2;
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
	if (strcmp(cmd, "version") == 0) {
		printf("commitd %s\n", COMMITD_VERSION);
		return 0;
	}
	fatal("unknown command '%s' (see commitd --help)", cmd);
}
