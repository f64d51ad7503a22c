/*
 * fuzz_policy.c - libFuzzer target for the policy parser and evaluator:
 * the input is parsed as every policy kind, and each document that parses
 * is evaluated against a fixed request (alone and as a full policy set).
 * `make fuzz` builds it with libFuzzer (build/fuzz/fuzz-policy); `make test`
 * builds it with tests/fuzz/standalone.c (build/san/fuzz-policy) to replay
 * tests/fuzz/corpus/policy/.  The input is copied to a buffer of exactly size
 * bytes: policy_parse() must not need a NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = {"env", "team"};
	static const char *const user[] = {"Bob"};
	static const char *const ip[] = {"10.1.2.3"};
	static const char *const ref[] = {"refs/heads/main"};
	static const struct policy_key keys[] = {
		{"aws:username", {user, 1}},
		{"aws:SourceIp", {ip, 1}},
		{"aws:TagKeys", {tags, 2}},
		{"codecommit:References", {ref, 1}},
	};
	struct policy_ctx ctx = {0};
	struct policy_match m[8];
	struct policy_trace t = {m, 0, 8};
	char *json;

	ctx.action = "codecommit:GitPush";
	ctx.resource = "arn:aws:codecommit:us-east-1:111122223333:repo";
	ctx.principal_arn = "arn:aws:iam::111122223333:user/Bob";
	ctx.principal_account = "111122223333";
	ctx.keys = keys;
	ctx.nkeys = sizeof keys / sizeof keys[0];
	if ((json = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(json, data, size);
	(void)policy_size_nows(json, size);
	{
		/* the size limit path: the caps of a managed policy */
		struct policy *p = NULL;
		struct err e = ERR_INIT;

		if (policy_parse(&p, json, size, POLICY_IDENTITY, 6144, &e) == 0)
			policy_free(p);
	}
	for (int kind = POLICY_IDENTITY; kind <= POLICY_SCP; kind++) {
		struct policy *p = NULL;
		struct err e = ERR_INIT;

		if (policy_parse(&p, json, size, (enum policy_kind)kind, 0, &e) < 0)
			continue;
		(void)policy_eval_one(p, &ctx, &t);
		t.n = 0;
		{
			const struct policy *one[] = {p};
			struct policy_set set = {one, 1, p, one, 1, p, one, 1};

			(void)policy_eval(&set, &ctx, NULL);
			(void)policy_eval(&set, &ctx, &t);
		}
		policy_free(p);
	}
	free(json);
	return 0;
}
