/*
 * data.c - the data-driven policy cases: every tests/data/policy/NNNN.json
 * holds {"description", "policies", "context", "expect"}.  policies has
 * "identity" (array), "boundary", "session" (array), "resource", "scp"
 * (array) for policy_eval, or "trust" alone for policy_eval_one.  context
 * has action, resource, principal_arn, principal_account, resource_account,
 * principal_type (AWS|Federated|Service|CanonicalUser|Anonymous) and keys
 * ({name: string | [strings]}).  expect is Allow, ImplicitDeny or
 * ExplicitDeny.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "helpers.h"

#define MAXP 32
#define MAXK 64
#define MAXV 256

struct dcase {
	const char *name;
	struct policy *owned[MAXP];
	size_t nowned;
	const struct policy *identity[MAXP], *session[MAXP], *scp[MAXP];
	struct policy_key keys[MAXK];
	const char *vals[MAXV];
	size_t nvals;
};

static void fail(const struct dcase *dc, const char *what)
{
	char m[600];

	snprintf(m, sizeof m, "%s: %s", dc->name, what);
	unit_fail(__FILE__, __LINE__, m);
}

static struct policy *load(struct dcase *dc, json_t *doc, enum policy_kind kind)
{
	struct policy *p = NULL;
	struct err e = ERR_INIT;
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);

	if (text == NULL || dc->nowned == MAXP ||
	    policy_parse(&p, text, strlen(text), kind, 0, &e) < 0) {
		fail(dc, e.msg[0] ? e.msg : "cannot load a policy");
		free(text);
		return NULL;
	}
	free(text);
	dc->owned[dc->nowned++] = p;
	return p;
}

static size_t load_list(struct dcase *dc, json_t *arr, enum policy_kind kind,
			const struct policy **out)
{
	size_t n = 0, i;
	json_t *v;

	if (arr == NULL)
		return 0;
	json_array_foreach(arr, i, v) {
		if (n < MAXP && (out[n] = load(dc, v, kind)) != NULL)
			n++;
	}
	return n;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static size_t load_keys(struct dcase *dc, json_t *keys)
{
	const char *name;
	json_t *v;
	size_t n = 0;

	json_object_foreach(keys, name, v) {
		struct policy_key *k = &dc->keys[n];
		size_t i, cnt = json_is_array(v) ? json_array_size(v) : 1;

		if (n == MAXK || dc->nvals + cnt > MAXV)
			break;
		k->name = name;
		k->values.v = &dc->vals[dc->nvals];
		k->values.n = cnt;
		for (i = 0; i < cnt; i++)
			dc->vals[dc->nvals++] = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
		n++;
	}
	return n;
}

static enum policy_principal_type ptype(const char *s)
{
	if (s == NULL || strcmp(s, "AWS") == 0)
		return POLICY_PRINCIPAL_AWS;
	if (strcmp(s, "Federated") == 0)
		return POLICY_PRINCIPAL_FEDERATED;
	if (strcmp(s, "Service") == 0)
		return POLICY_PRINCIPAL_SERVICE;
	if (strcmp(s, "CanonicalUser") == 0)
		return POLICY_PRINCIPAL_CANONICAL;
	return POLICY_PRINCIPAL_ANONYMOUS;
}

static const char *dname(enum policy_decision d)
{
	return d == POLICY_ALLOW ? "Allow" : d == POLICY_EXPLICIT_DENY ? "ExplicitDeny" : "ImplicitDeny";
}

static void run_case(const char *path, const char *name)
{
	struct dcase dc = {0};
	struct policy_set set = {0};
	struct policy_ctx ctx = {0};
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *pol, *cx, *v;
	enum policy_decision got, got_traced;
	struct policy_match m[64];
	struct policy_trace t = {m, 0, 64};

	dc.name = name;
	if (root == NULL) {
		fail(&dc, jerr.text);
		return;
	}
	pol = json_object_get(root, "policies");
	cx = json_object_get(root, "context");
	if (!json_is_object(pol) || !json_is_object(cx) || !str(root, "expect")) {
		fail(&dc, "needs policies, context and expect");
		goto out;
	}
	ctx.action = str(cx, "action");
	ctx.resource = str(cx, "resource");
	ctx.principal_arn = str(cx, "principal_arn");
	ctx.principal_account = str(cx, "principal_account");
	ctx.resource_account = str(cx, "resource_account");
	ctx.principal_type = ptype(str(cx, "principal_type"));
	if ((v = json_object_get(cx, "keys")) != NULL) {
		ctx.keys = dc.keys;
		ctx.nkeys = load_keys(&dc, v);
	}
	if ((v = json_object_get(pol, "trust")) != NULL) {
		struct policy *p = load(&dc, v, POLICY_TRUST);

		if (p == NULL)
			goto out;
		got = policy_eval_one(p, &ctx, NULL);
		got_traced = policy_eval_one(p, &ctx, &t);
	} else {
		set.identity = dc.identity;
		set.n_identity = load_list(&dc, json_object_get(pol, "identity"), POLICY_IDENTITY, dc.identity);
		set.session = dc.session;
		set.n_session = load_list(&dc, json_object_get(pol, "session"), POLICY_SESSION, dc.session);
		set.scp = dc.scp;
		set.n_scp = load_list(&dc, json_object_get(pol, "scp"), POLICY_SCP, dc.scp);
		if ((v = json_object_get(pol, "boundary")) != NULL)
			set.boundary = load(&dc, v, POLICY_BOUNDARY);
		if ((v = json_object_get(pol, "resource")) != NULL)
			set.resource = load(&dc, v, POLICY_RESOURCE);
		got = policy_eval(&set, &ctx, NULL);
		got_traced = policy_eval(&set, &ctx, &t);
	}
	if (strcmp(dname(got), str(root, "expect")) != 0) {
		char m2[300];

		snprintf(m2, sizeof m2, "expected %s, got %s (%s)", str(root, "expect"), dname(got),
			 str(root, "description") ? str(root, "description") : "");
		fail(&dc, m2);
	}
	if (got != got_traced)
		fail(&dc, "a trace changed the decision");
out:
	for (size_t i = 0; i < dc.nowned; i++)
		policy_free(dc.owned[i]);
	json_decref(root);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void test_policy_data__cases(void)
{
	char dir[512], path[1024], *names[1000];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/policy", unit_data_dir());
	if ((d = opendir(dir)) == NULL) {
		/* run from elsewhere: the data sits at ../../tests/data from build/san/ */
		char exe[400];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash;

		exe[len > 0 ? len : 0] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(dir, sizeof dir, "%s/../../tests/data/policy", exe);
		d = opendir(dir);
	}
	REQUIRE(d != NULL);
	while ((de = readdir(d)) != NULL && n < ARRAY_SIZE(names)) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		run_case(path, names[i]);
		free(names[i]);
	}
}
