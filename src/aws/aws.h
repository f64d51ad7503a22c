/*
 * aws.h - the contract of src/aws: the AWS API request path shared by every
 * service.  A service (iam/, sts/, codecommit/) hands in one table of
 * operations; aws_dispatch() does, in a fixed order, what is the same for all
 * of them: find the protocol and the operation, authenticate (SigV4),
 * decode and validate the input from the botocore model, build the resource
 * and the request context, authorize with the policy engine, run the handler
 * inside one store transaction, and encode the answer or the error in the
 * protocol's own shape.  Handlers never check permissions themselves.
 */
#ifndef AWS_AWS_H
#define AWS_AWS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"
#include "store/store.h"
#include "auth/auth.h"
#include "policy/policy.h"
#include "aws/model.h"

struct authz_cache;
struct denials;
struct audit;
struct aws_call;

/* ---- the server-wide environment every handler sees ----------------------- */

struct aws_optable;

/* Counters of the API path, for GET /metrics and the benchmarks. */
struct aws_metrics {
	_Atomic uint64_t requests;   /* API requests answered */
	_Atomic uint64_t errors;     /* of which answered with an error */
	_Atomic uint64_t denied;     /* of which refused by authorization */
	_Atomic uint64_t auth_ns;    /* time spent authenticating (SigV4, keys, tokens) */
	_Atomic uint64_t authz_ns;   /* time spent authorizing (policies) */
	_Atomic uint64_t total_ns;   /* time spent in aws_dispatch */
};

struct env {
	struct store *store;
	struct sealer *sealer;
	struct sigv4_key_cache *keys;
	struct cred_cache *creds;
	struct authz_cache *authz;
	const char *region;      /* "us-east-1" */
	const char *public_url;  /* "http://127.0.0.1:8080", for clone URLs */
	unsigned ssh_port;       /* the SSH listener's port, for cloneUrlSsh */
	const char *data_dir;
	const struct aws_optable *const *tables; /* NULL-terminated */
	size_t max_body;         /* bytes */
	struct aws_metrics *metrics; /* may be NULL */
	struct ratelimit *auth_failures; /* by source address; may be NULL */
	struct denials *denials; /* explanations of recent refusals; may be NULL */
	struct audit *audit;     /* the audit trail; NULL: not recorded */
	bool oidc_fetch;         /* fetch OIDC providers' keys over HTTPS (sts/jwks.c) */
	const char *oidc_ca_file; /* CAs for those fetches; NULL: the system's */
};

/* Failed authentications a source address may make in a burst, and how many
 * a second it earns back: enough for honest mistakes, not for a flood. */
#define AUTH_FAIL_BURST 50
#define AUTH_FAIL_RATE 1.0

/* ---- operation tables -------------------------------------------------------- */

enum {
	OP_WRITE = 1 << 0,   /* opens a write transaction */
	OP_NO_AUTH = 1 << 1, /* callable unsigned (STS web identity only) */
	OP_NO_AUTHZ = 1 << 2, /* any authenticated caller (GetCallerIdentity) */
	/* acts on several resources: the handler calls aws_authorize() for each
	 * (BatchGetRepositories); the dispatcher does not authorize */
	OP_AUTHZ_EACH = 1 << 3
};

typedef int (*aws_handler_fn)(struct aws_call *c, struct err *e);
/* Builds the resource ARN the operation acts on into *out (arena memory). */
typedef int (*aws_resource_fn)(struct aws_call *c, const char **out, struct err *e);

struct aws_oprow {
	const char *name;          /* "CreateUser": sorted by name within a table */
	aws_handler_fn handler;
	const char *action;        /* "iam:CreateUser" */
	aws_resource_fn resource;  /* NULL: "*" */
	unsigned flags;            /* OP_* */
};

struct aws_optable {
	const char *service;       /* model name: "iam", "sts", "codecommit" */
	const struct aws_oprow *rows;
	size_t nrows;
	/*
	 * The handlers check lengths, patterns and required members themselves,
	 * with the service's own exceptions (CodeCommit's
	 * InvalidRepositoryNameException, RepositoryNameRequiredException, ...);
	 * the dispatcher checks only JSON types.
	 */
	bool own_checks;
};

/* ---- one call --------------------------------------------------------------- */

struct aws_call {
	const struct env *env;
	struct store_tx *tx;           /* open for the handler (and resource builders) */
	struct arena *ar;              /* request lifetime */
	const struct principal *caller;
	const struct aws_service *svc;
	const struct aws_op *op;
	const struct aws_oprow *row;
	json_t *in;                    /* decoded input, botocore member names */
	json_t *out;                   /* the handler's result, or NULL for none */
	const char *request_id;
	const char *source_ip;
	const char *user_agent;
	bool secure;                   /* arrived over TLS */
	int64_t now;
	const struct sigv4_auth *sig;  /* how it was signed, NULL if unsigned */
	const struct session *session; /* temporary credentials, or NULL */
	/* the resource's own policy (a repository's), JSON, set by the resource
	 * builder; evaluated as a resource-based policy.  NULL: none */
	const char *resource_policy;
	bool resource_policy_trust;    /* it is a role's trust policy (AssumeRole) */
	const char *resource_account;  /* the resource's account when not the caller's */
	/* extra condition keys the resource builder sets for the dispatcher's
	 * authorization (codecommit:References for branch operations) */
	const struct policy_key *keys;
	size_t nkeys;
	/* run once the transaction has committed (removing a deleted repository's
	 * files): what must not happen if the store change is rolled back */
	void (*after_commit)(struct aws_call *c, void *arg);
	void *after_arg;
	/* the audit event of an unsigned call (AssumeRoleWithWebIdentity): whose
	 * trail it goes to and who it was, as the handler learned them */
	char event_account[13];
	json_t *event_identity;  /* owned; NULL: from the signature, if any */
};

/* ---- what the HTTP layer hands in and gets back -------------------------------- */

struct api_req {
	const char *method;
	const char *raw_path;   /* still percent-encoded */
	const char *raw_query;  /* without '?', "" if none */
	const struct sigv4_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
	const char *source_ip;
	bool secure;
};

struct api_resp {
	int status;
	const char *content_type; /* a literal */
	struct buf body;
	char request_id[37];
};

/* Handles one AWS API request.  Never fails: errors become error responses. */
void aws_dispatch(const struct env *env, const struct api_req *req, struct api_resp *resp);
const char *api_req_header(const struct api_req *req, const char *name);
/* Prometheus text exposition of env->metrics */
void aws_metrics_text(const struct env *env, struct buf *out);

/* ---- errors: aws/errors.c ------------------------------------------------------ */

/* The code and HTTP status an error gets in a service's protocol. */
void aws_error_map(const struct err *e, const struct aws_service *svc, const char **code,
		   int *http);

/* ---- authorization: aws/authz.c ------------------------------------------------- */

/* ---- audit events (event.c) --------------------------------------------------- */

/* one request, as the audit trail records it */
struct aws_event {
	const char *service;         /* "iam": eventSource iam.amazonaws.com */
	const char *name;            /* eventName: the operation, or GitPull/GitPush */
	const char *region;
	int64_t time;
	const struct principal *who; /* NULL or an empty arn: an unidentified caller */
	const struct session *session;
	const char *account;         /* recipientAccountId: whose trail it is */
	const char *source_ip, *user_agent, *request_id;
	json_t *request, *response;  /* borrowed; copied with secrets hidden */
	const char *error_code, *error_message; /* NULL when it succeeded */
	const char *resource;        /* the ARN the call acted on, or NULL */
	bool read_only;
	const char *event_type;      /* NULL: AwsApiCall */
	json_t *identity;            /* userIdentity when who is NULL (a federated caller) */
};

struct audit_entry;
/* ev's CloudTrail record as JSON text into b, and its index into h */
int aws_event_text(struct buf *b, struct audit_entry *h, const struct aws_event *ev);
/* ev into the trail (logged when it cannot be made) */
void aws_event_emit(struct audit *trail, const struct aws_event *ev);
/* CloudTrail's readOnly for an operation */
bool aws_event_read_only(const char *service, const char *op);

/* ---- explanations of refusals (denials.c) ---------------------------------------- */

#define DENIALS_KEPT 1024
#define DENIAL_ID_MAX 32 /* "CDM1" + 24 base64url characters + NUL */
struct denials *denials_new(size_t cap);
void denials_free(struct denials *d);
/* keeps json (an AWS-shaped decoded authorization message) for account; id gets its reference */
int denials_put(struct denials *d, const char *account, const char *json, char id[DENIAL_ID_MAX]);
/* the message of id if it was kept for account (malloc'd), else NULL */
char *denials_get(struct denials *d, const char *account, const char *id);

struct authz_cache *authz_cache_new(void);
void authz_cache_free(struct authz_cache *c);
/*
 * Decides whether the call's principal may perform action on resource.
 * Extra condition keys (codecommit:References, aws:RequestTag/...) may be
 * passed.  CC_EDENIED with AWS's AccessDenied message when not.
 */
int aws_authorize(struct aws_call *c, const char *action, const char *resource,
		  const struct policy_key *extra, size_t nextra, struct err *e);

/*
 * The stored policies that apply to a user ("user": its inline and managed
 * policies, its groups' inline and managed policies, then its permissions
 * boundary), to a group ("group": its own inline and managed policies) or
 * to a role ("role": its inline and managed policies, then its permissions
 * boundary), handed to fn one at a time; the strings live until fn returns.
 * The same gathering aws_authorize() uses; the policy simulator names its
 * sources.
 */
struct authz_doc {
	const char *source;   /* "user", "group", "role" (inline), "aws-managed", "user-managed" */
	const char *name;     /* the policy's name */
	const char *document; /* the JSON text as stored (default version when managed) */
	bool boundary;        /* the user's permissions boundary, not an identity policy */
};
typedef int (*authz_doc_fn)(void *arg, const struct authz_doc *d, struct err *e);
int authz_policies_each(struct store_tx *tx, const char *kind, const char *id, authz_doc_fn fn,
			void *arg, struct err *e);

/* ---- helpers for handlers ------------------------------------------------------- */

const char *aws_in_str(const struct aws_call *c, const char *member); /* NULL if absent */
bool aws_in_has(const struct aws_call *c, const char *member);
int64_t aws_in_int(const struct aws_call *c, const char *member, int64_t dflt);
bool aws_in_bool(const struct aws_call *c, const char *member, bool dflt);
/* The calling IAM user's name, or NULL for root and sessions. */
const char *aws_caller_user(const struct aws_call *c);
/* A timestamp member for the output (epoch seconds). */
json_t *aws_time(int64_t t);

#endif
