/*
 * credproc.c - credential_process: the profile's command line, split the
 * way botocore splits it (shlex.split, POSIX rules), run with an argv and
 * never through a shell; its standard output is the Version 1 JSON answer
 * the AWS CLI documents.  Its standard error is the user's, as the AWS CLI
 * leaves it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tools/awscreds_int.h"

#define OUTPUT_MAX 65536
#define ARGS_MAX 256

void shell_split_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int shell_split(char ***argv_out, size_t *argc_out, const char *s, struct err *e)
{
	char **argv = calloc(ARGS_MAX + 1, sizeof(*argv));
	struct buf w = BUF_INIT(0);
	size_t argc = 0;
	bool in_word = false;
	int rc = CC_EINVAL;

	*argv_out = NULL;
	*argc_out = 0;
	if (argv == NULL)
		return err_oom(e);
	for (;;) {
		char c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				if (argc == ARGS_MAX) {
					err_set(e, CC_EINVAL, NULL, "credential_process: more than %d"
						" arguments", ARGS_MAX);
					goto out;
				}
				if (buf_failed(&w) || (argv[argc++] = buf_detach(&w)) == NULL) {
					rc = err_oom(e);
					goto out;
				}
				w = (struct buf)BUF_INIT(0);
				in_word = false;
			}
			if (c == '\0')
				break;
			s++;
			continue;
		}
		in_word = true;
		if (c == '\'') { /* everything literal to the next quote */
			const char *end = strchr(s + 1, '\'');

			if (end == NULL) {
				err_set(e, CC_EINVAL, NULL, "credential_process: no closing quotation");
				goto out;
			}
			buf_add(&w, s + 1, (size_t)(end - s - 1));
			buf_putc(&w, '\0'); /* an empty '' is still a word */
			w.len--;
			s = end + 1;
		} else if (c == '"') { /* a backslash escapes only '\\' and '"', as in shlex */
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '\\' || s[1] == '"'))
					s++;
				buf_putc(&w, *s);
			}
			if (*s != '"') {
				err_set(e, CC_EINVAL, NULL, "credential_process: no closing quotation");
				goto out;
			}
			buf_putc(&w, '\0');
			w.len--;
			s++;
		} else if (c == '\\') {
			if (s[1] == '\0') {
				err_set(e, CC_EINVAL, NULL, "credential_process: no escaped character");
				goto out;
			}
			buf_putc(&w, s[1]);
			s += 2;
		} else {
			buf_putc(&w, c);
			s++;
		}
	}
	if (argc == 0) {
		err_set(e, CC_EINVAL, NULL, "credential_process is empty");
		goto out;
	}
	*argv_out = argv;
	*argc_out = argc;
	argv = NULL;
	rc = 0;
out:
	buf_release(&w);
	shell_split_free(argv);
	return rc;
}

static char *dup_json(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v && v[0] ? strdup(v) : NULL;
}

static int parse_answer(struct aws_creds *out, const char *text, size_t n, int64_t now,
			struct err *e)
{
	json_error_t je;
	json_t *o = json_loadb(text, n, 0, &je), *exp;
	int rc = CC_EINVAL;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o)) {
		err_set(e, CC_EINVAL, NULL, "credential_process: the output is not a JSON object");
		goto out;
	}
	if (json_integer_value(json_object_get(o, "Version")) != 1 ||
	    !json_is_integer(json_object_get(o, "Version"))) {
		err_set(e, CC_EINVAL, NULL, "credential_process: the output's Version must be 1");
		goto out;
	}
	out->access_key_id = dup_json(o, "AccessKeyId");
	out->secret_access_key = dup_json(o, "SecretAccessKey");
	out->session_token = dup_json(o, "SessionToken");
	out->source = "credential_process";
	if (out->access_key_id == NULL || out->secret_access_key == NULL) {
		err_set(e, CC_EINVAL, NULL, "credential_process: the output lacks AccessKeyId or"
			" SecretAccessKey");
		goto out;
	}
	if ((exp = json_object_get(o, "Expiration")) != NULL) {
		const char *t = json_string_value(exp);

		if (t == NULL || time_parse_iso8601(&out->expiration, t, strlen(t)) < 0) {
			err_set(e, CC_EINVAL, NULL, "credential_process: Expiration is not an ISO 8601"
				" time");
			goto out;
		}
		if (out->expiration <= now) {
			err_set(e, CC_EAUTH, NULL, "credential_process: the credentials it gave have"
				" expired (%s)", t);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		aws_creds_release(out);
	json_decref(o);
	return rc;
}

int credproc_run(struct aws_creds *out, const char *cmdline, int64_t now, struct err *e)
{
	char **argv = NULL;
	size_t argc, len = 0;
	int fds[2], status = 0, rc;
	char *text;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if ((rc = shell_split(&argv, &argc, cmdline, e)) < 0)
		return rc;
	if ((text = malloc(OUTPUT_MAX + 1)) == NULL || pipe(fds) < 0) {
		free(text);
		shell_split_free(argv);
		return err_set(e, CC_ERROR, NULL, "credential_process: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(text);
		shell_split_free(argv);
		return err_set(e, CC_ERROR, NULL, "credential_process: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read(fds[0], text + len, OUTPUT_MAX - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == OUTPUT_MAX) {
			kill(pid, SIGTERM);
			break;
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len == OUTPUT_MAX)
		rc = err_set(e, CC_EINVAL, NULL, "credential_process: more than 64 KiB of output");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && len == 0)
		rc = err_set(e, CC_ERROR, NULL, "credential_process: cannot run '%.200s'", argv[0]);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = err_set(e, CC_ERROR, NULL, "credential_process '%.200s' failed (exit status %d;"
			     " its error output is above)", argv[0],
			     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	else
		rc = parse_answer(out, text, len, now, e);
	mem_wipe(text, len);
	free(text);
	shell_split_free(argv);
	return rc;
}
