/*
 * bench/trail.c - what the audit trail's writer costs per event, without a
 * server: N events of a real iam GetUser record (about 900 bytes, each
 * with its own eventID and time) queued with audit_emit() from one thread,
 * then audit_close(), which writes all of them.  Reports the wall time and
 * the CPU time per event: the whole process's, the emitting thread's
 * (making the record text here and queueing it), and the rest, which is
 * the writer's; and the bytes the trail's files hold at the end.
 * The baseline, same run: the same records appended to a plain file, 2000
 * to a write(2) and an fdatasync (the least any durable log could do), and
 * the ratio of the two rates.  Then `audit verify` of the trail written,
 * against its own baseline: the plain file read back, each record hashed
 * into a SHA-256 chain and parsed as JSON (what any verify that checks an
 * index against its records must do at least).  Run it with
 *   bench/trail.sh [N]
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit/audit.h"
#include "core/core.h"

static const char record_fmt[] =
	"{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
	"\"AIDAWYQ44C3H5M7P64Q57\",\"arn\":\"arn:aws:iam::447150312482:user/admin\","
	"\"accountId\":\"447150312482\",\"accessKeyId\":\"AKIARSZBAWEEACH3A2BT\",\"userName\":"
	"\"admin\"},\"eventTime\":\"%s\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":"
	"\"GetUser\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"127.0.0.1\",\"userAgent\":"
	"\"aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v769 md/arch#x86_64 "
	"lang/python#3.11.7 md/pyimpl#CPython m/D,N,g,b,Z cfg/retry-mode#legacy "
	"botocore/1.43.11\",\"requestParameters\":{\"userName\":\"admin\"},\"responseElements\":"
	"null,\"requestID\":\"f572205c-86b2-44c7-a2e7-%012d\",\"eventID\":\"%s\",\"readOnly\":"
	"true,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":"
	"\"447150312482\",\"eventCategory\":\"Management\",\"resources\":[{\"ARN\":"
	"\"arn:aws:iam::447150312482:user/admin\",\"accountId\":\"447150312482\",\"type\":"
	"\"AWS::IAM::User\"}]}";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* bytes of the regular files under dir */
static long long du(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long n = 0;

	while (d && (de = readdir(d)) != NULL) {
		char p[1024];
		struct stat sb;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &sb) == 0)
			n += S_ISDIR(sb.st_mode) ? du(p) : (long long)sb.st_size;
	}
	if (d)
		closedir(d);
	return n;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* the baseline: the same records appended to DIR/plain.log, 2000 to a
 * write and an fdatasync; its wall time, or a negative number on error */
static double plain_append(const char *dir, uint64_t n, int64_t t)
{
	char path[1024], rec[2048], when[32], id[40];
	struct buf b = BUF_INIT(0);
	double t0 = now();
	int fd;

	snprintf(path, sizeof(path), "%s/plain.log", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		int len;

		time_iso8601(when, sizeof(when), t + (int64_t)(i / 20000));
		snprintf(id, sizeof(id), "b7b12cdd-847d-4a29-ba1a-%012llu", (unsigned long long)i);
		len = snprintf(rec, sizeof(rec), record_fmt, when, (int)i, id);
		buf_add(&b, rec, (size_t)len);
		buf_putc(&b, '\n');
		if ((i + 1) % 2000 == 0 || i + 1 == n) {
			if (buf_failed(&b) || write(fd, b.ptr, b.len) != (ssize_t)b.len ||
			    fdatasync(fd) < 0) {
				close(fd);
				buf_release(&b);
				return -1;
			}
			buf_clear(&b);
		}
	}
	close(fd);
	buf_release(&b);
	return now() - t0;
}

/* verify's baseline: DIR/plain.log read back, each line hashed into a
 * chain and parsed; its wall time, or a negative number on error */
static double plain_check(const char *dir)
{
	char path[1024], *line = NULL;
	unsigned char h[EVP_MAX_MD_SIZE] = {0};
	unsigned hn = 32;
	size_t cap = 0;
	ssize_t len;
	double t0 = now();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/plain.log", dir);
	if (md == NULL || (f = fopen(path, "r")) == NULL) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		json_t *j = json_loadb(line, (size_t)len, 0, NULL);

		if (j == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(md, h, 32) != 1 || EVP_DigestUpdate(md, line, (size_t)len) != 1 ||
		    EVP_DigestFinal_ex(md, h, &hn) != 1)
			rc = -1;
		json_decref(j);
	}
	fclose(f);
	free(line);
	EVP_MD_CTX_free(md);
	return rc < 0 ? -1 : now() - t0;
}

int main(int argc, char **argv)
{
	uint64_t n = 200000;
	char tmpl[] = "/tmp/commitd-bench-trail-XXXXXX";
	char *dir = mkdtemp(tmpl), rec[2048], when[32], id[40];
	struct audit_config cfg = {.data_dir = dir, .retention_days = 0};
	struct audit *a = NULL;
	struct audit_entry h;
	struct err e = ERR_INIT;
	double t0, c0, m0, t1, c1, m1, base;
	int64_t t = time_now();
	size_t len = 0;

	log_set_level(LOG_LVL_WARN);
	if (argc > 1 && parse_u64(argv[1], strlen(argv[1]), 1, 100000000, &n) < 0) {
		fprintf(stderr, "usage: %s [EVENTS]\n", argv[0]);
		return 2;
	}
	if (dir == NULL || audit_open(&a, &cfg, &e) < 0) {
		fprintf(stderr, "bench: %s\n", dir ? e.msg : "mkdtemp failed");
		return 1;
	}
	memset(&h, 0, sizeof(h));
	snprintf(h.account, sizeof(h.account), "447150312482");
	snprintf(h.name, sizeof(h.name), "GetUser");
	snprintf(h.source, sizeof(h.source), "iam.amazonaws.com");
	snprintf(h.user, sizeof(h.user), "admin");
	snprintf(h.access_key_id, sizeof(h.access_key_id), "AKIARSZBAWEEACH3A2BT");
	snprintf(h.resource, sizeof(h.resource), "arn:aws:iam::447150312482:user/admin");
	snprintf(h.resource_type, sizeof(h.resource_type), "AWS::IAM::User");
	h.read_only = true;
	t0 = now();
	c0 = cpu();
	m0 = thread_cpu();
	for (uint64_t i = 0; i < n; i++) {
		h.time = t + i / 20000; /* 20,000 events a second */
		time_iso8601(when, sizeof(when), h.time);
		snprintf(id, sizeof(id), "b7b12cdd-847d-4a29-ba1a-%012llu", (unsigned long long)i);
		snprintf(h.event_id, sizeof(h.event_id), "%s", id);
		len = (size_t)snprintf(rec, sizeof(rec), record_fmt, when, (int)i, id);
		audit_emit(a, &h, rec, len);
	}
	m1 = thread_cpu();
	audit_close(a);
	t1 = now();
	c1 = cpu();
	printf("bench trail: %ld events of %zu bytes, per event: %.2f us wall, %.2f us CPU"
	       " (making and queueing %.2f, the writer %.2f); %.0f bytes on disk\n",
	       (long)n, len, (t1 - t0) * 1e6 / (double)n, (c1 - c0) * 1e6 / (double)n,
	       (m1 - m0) * 1e6 / (double)n, ((c1 - c0) - (m1 - m0)) * 1e6 / (double)n,
	       (double)du(dir) / (double)n);
	base = plain_append(dir, n, t);
	if (base > 0)
		printf("  baseline, the same records appended to a plain file (2000 to a write"
		       " and an fdatasync): %.2f us wall per event; ratio %.2f x\n",
		       base * 1e6 / (double)n, base / (t1 - t0));
	else
		printf("  baseline failed: %s\n", strerror(errno));
	{
		struct buf report = BUF_INIT(0);
		double v0 = now(), v1, vbase;
		int rc = audit_verify(dir, &report, &e);

		v1 = now();
		vbase = plain_check(dir);
		printf("bench trail: audit verify %.2f us wall per event (%s)\n",
		       (v1 - v0) * 1e6 / (double)n, rc == 0 ? "intact" : buf_cstr(&report));
		if (vbase > 0)
			printf("  baseline, the plain file read back, each record hashed into a chain"
			       " and parsed: %.2f us per event; ratio %.2f x\n",
			       vbase * 1e6 / (double)n, vbase / (v1 - v0));
		buf_release(&report);
	}
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : 1;
}
