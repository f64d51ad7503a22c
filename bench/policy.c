/*
 * bench/policy.c - what a policy decision costs.  A principal with 10
 * attached policies of 10 statements each; none of the statements matches
 * the request until the last policy, so every statement is examined (the
 * worst case a real user meets).  Three numbers in one run:
 *   floor      the raw wildcard matching of the same action and resource
 *              patterns, with a plain glob loop and no policy structure
 *   plain      policy_eval, statements without conditions
 *   conditions policy_eval, every statement with a three-operator condition
 * and the heap allocations made per decision (malloc is wrapped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "core/core.h"
#include "policy/policy.h"

static long allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n) { allocs++; return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { allocs++; return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { allocs++; return __real_realloc(p, n); }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The floor: the least matching any engine must do for these patterns (each
 * is a literal followed by one '*'): compare the literal prefix, with no
 * policy structure, no conditions and no case folding (inputs pre-lowered).
 */
static int prefix_match(const char *pat, size_t plen, const char *s, size_t slen)
{
	return slen >= plen && memcmp(pat, s, plen) == 0;
}

#define NPOL 10
#define NSTMT 10

static char actions[NPOL * NSTMT][64], resources[NPOL * NSTMT][128];
static size_t alen[NPOL * NSTMT], rlen[NPOL * NSTMT];

static struct policy *make_policy(int k, int with_cond)
{
	struct buf b = BUF_INIT(0);
	struct policy *p = NULL;
	struct err e = ERR_INIT;
	int i;

	buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
	for (i = 0; i < NSTMT; i++) {
		int n = k * NSTMT + i, last = (k == NPOL - 1 && i == NSTMT - 1);

		/* only the very last statement matches codecommit:GitPull on MyDemoRepo */
		snprintf(actions[n], sizeof(actions[n]), "%s", last ? "codecommit:Git*" : "codecommit:Get*");
		snprintf(resources[n], sizeof(resources[n]),
			 "arn:aws:codecommit:us-east-1:123456789012:%s%d*", last ? "MyDemo" : "Other", n);
		if (last)
			snprintf(resources[n], sizeof(resources[n]),
				 "arn:aws:codecommit:us-east-1:123456789012:MyDemo*");
		alen[n] = strcspn(actions[n], "*");
		rlen[n] = strcspn(resources[n], "*");
		buf_printf(&b, "%s{\"Sid\":\"S%d\",\"Effect\":\"Allow\",\"Action\":[\"%s\",\"iam:List*\"],"
			   "\"Resource\":\"%s\"", i ? "," : "", i, actions[n], resources[n]);
		if (with_cond)
			buf_printf(&b, ",\"Condition\":{\"StringEquals\":{\"aws:username\":\"${aws:username}\"},"
				   "\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]},"
				   "\"Bool\":{\"aws:SecureTransport\":\"true\"}}");
		buf_puts(&b, "}");
	}
	buf_puts(&b, "]}");
	if (policy_parse(&p, b.ptr, b.len, POLICY_IDENTITY, 0, &e) < 0) {
		fprintf(stderr, "bench: policy does not parse: %s\n", e.msg);
		exit(1);
	}
	buf_release(&b);
	return p;
}

/* ns and heap allocations per policy_eval over n decisions on one set */
static int time_eval(struct policy **pols, const struct policy_ctx *ctx, long n, double *ns,
		     long *nalloc)
{
	struct policy_set set = {0};
	long i, a0, hits = 0;
	double t;

	set.identity = (const struct policy *const *)pols;
	set.n_identity = NPOL;
	if (policy_eval(&set, ctx, NULL) != POLICY_ALLOW) {
		fprintf(stderr, "bench: the policy set should allow the request\n");
		return -1;
	}
	a0 = allocs;
	t = now();
	for (i = 0; i < n; i++)
		hits += policy_eval(&set, ctx, NULL) == POLICY_ALLOW;
	*ns = (now() - t) / (double)n * 1e9;
	*nalloc = allocs - a0;
	return hits == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *user[] = {"Sonali"}, *ip[] = {"10.1.2.3"}, *tls[] = {"true"};
	struct policy_key keys[] = {
		{"aws:username", {user, 1}},
		{"aws:SourceIp", {ip, 1}},
		{"aws:SecureTransport", {tls, 1}},
	};
	struct policy_ctx ctx = {
		.action = "codecommit:GitPull",
		.resource = "arn:aws:codecommit:us-east-1:123456789012:MyDemoRepo",
		.principal_arn = "arn:aws:iam::123456789012:user/Sonali",
		.principal_account = "123456789012",
		.keys = keys,
		.nkeys = 3,
	};
	struct policy *plain[NPOL], *cond[NPOL];
	long plain_allocs, cond_allocs;
	long n = argc > 1 ? atol(argv[1]) : 1000000; /* lint-ok: a bench argument */
	long i;
	double t, floor_ns, plain_ns, cond_ns;
	int k, hits = 0;

	for (k = 0; k < NPOL; k++)
		plain[k] = make_policy(k, 0);
	for (k = 0; k < NPOL; k++)
		cond[k] = make_policy(k, 1);

	{
		const char *act = "codecommit:gitpull"; /* lowered once, as the engine does */
		size_t an = strlen(act), rn = strlen(ctx.resource);

		for (k = 0; k < NPOL * NSTMT; k++) /* patterns lowered at "parse" time */
			for (char *c = actions[k]; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		t = now();
		for (i = 0; i < n; i++)
			for (k = 0; k < NPOL * NSTMT; k++)
				hits += (prefix_match(actions[k], alen[k], act, an) ||
					 prefix_match("iam:list", 8, act, an)) &&
					prefix_match(resources[k], rlen[k], ctx.resource, rn);
	}
	floor_ns = (now() - t) / (double)n * 1e9;

	if (time_eval(plain, &ctx, n, &plain_ns, &plain_allocs) < 0 ||
	    time_eval(cond, &ctx, n, &cond_ns, &cond_allocs) < 0)
		return 1;

	printf("bench policy: %d policies x %d statements, %ld decisions each (%d)\n", NPOL, NSTMT, n,
	       hits > 0);
	printf("  floor: literal prefix matching    %8.0f ns/decision  %10.0f decisions/s\n",
	       floor_ns, 1e9 / floor_ns);
	printf("  policy_eval, no conditions        %8.0f ns/decision  %10.0f decisions/s  %.2f x floor  %.2f allocations/decision\n",
	       plain_ns, 1e9 / plain_ns, plain_ns / floor_ns, (double)plain_allocs / (double)n);
	printf("  policy_eval, with conditions      %8.0f ns/decision  %10.0f decisions/s  %.2f x floor  %.2f allocations/decision\n",
	       cond_ns, 1e9 / cond_ns, cond_ns / floor_ns, (double)cond_allocs / (double)n);
	printf("  target: under 2000 ns with conditions, no allocation: %s\n",
	       cond_ns < 2000 && cond_allocs == 0 ? "met" : "NOT met");
	for (k = 0; k < NPOL; k++) {
		policy_free(plain[k]);
		policy_free(cond[k]);
	}
	return 0;
}
