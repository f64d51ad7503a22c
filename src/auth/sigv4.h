/*
 * sigv4.h - AWS Signature Version 4: parse the Authorization header or the
 * presigned query, check the clock, rebuild the canonical request and verify
 * the signature in constant time; sign requests for clients and tests; the
 * CodeCommit Git password (credential helper); a derived-key cache.
 *
 * Knows nothing of HTTP libraries or the store: the caller hands over the
 * request pieces and the secret.  The contract is this header; sigv4.c.
 */
#ifndef AUTH_SIGV4_H
#define AUTH_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_KEY_ID_MAX 128        /* bytes of an access key id */
#define SIGV4_SCOPE_PART_MAX 63     /* bytes of a region or service name */
#define SIGV4_SIGNED_HEADERS_MAX 1023
#define SIGV4_TOKEN_MAX 8192        /* bytes of X-Amz-Security-Token */
#define SIGV4_SKEW 900              /* seconds of clock skew allowed */
#define SIGV4_EXPIRES_MAX 604800    /* seconds: the longest X-Amz-Expires */
#define SIGV4_GIT_PASSWORD_LEN 80   /* "YYYYMMDDTHHMMSSZ" + 64 hex digits */

/*
 * One request header as received.  name and value are NUL-terminated; names
 * may be in any case and may repeat (the values are then joined with ',' in
 * the order given, as AWS does).
 */
struct sigv4_header {
	const char *name;
	const char *value;
};

/* The request pieces; every string is NUL-terminated and only read. */
struct sigv4_request {
	const char *method;    /* "POST" */
	const char *raw_path;  /* as sent, still percent-encoded, no query: "/" */
	const char *raw_query; /* as sent, without '?'; "" or NULL for none */
	const struct sigv4_header *headers;
	size_t nheaders;
	const char *body; /* may be NULL when body_len is 0 */
	size_t body_len;  /* bytes */
};

/*
 * What the Authorization header or the presigned query says, filled by
 * sigv4_parse().  Every string is NUL-terminated and fits its array; nothing
 * points into the request.  security_token is a secret: callers that keep a
 * sigv4_auth beyond the request should mem_wipe() it.
 */
struct sigv4_auth {
	char access_key_id[SIGV4_KEY_ID_MAX + 1];
	char date[9];                      /* YYYYMMDD from the credential scope */
	char region[SIGV4_SCOPE_PART_MAX + 1];
	char service[SIGV4_SCOPE_PART_MAX + 1];
	char amz_date[17];                 /* YYYYMMDDTHHMMSSZ: X-Amz-Date, or Date converted */
	char signed_headers[SIGV4_SIGNED_HEADERS_MAX + 1]; /* "host;x-amz-date" as sent */
	char signature[65];                /* 64 lower-case hex digits */
	char security_token[SIGV4_TOKEN_MAX + 1]; /* "" when none */
	int presigned;                     /* 1: from the query string */
	int64_t expires;                   /* seconds (X-Amz-Expires), presigned only */
	int64_t request_time;              /* amz_date in seconds since the epoch */
};

/*
 * Reads the Authorization header (header form) or the X-Amz-* query
 * parameters (presigned form).  On failure returns CC_EAUTH with aws_code:
 *   MissingAuthenticationToken (403) neither form is present;
 *   IncompleteSignature (400)        a part is missing or malformed, the
 *                                    algorithm is not AWS4-HMAC-SHA256, both
 *                                    forms are present, 'host' is not signed;
 *   SignatureDoesNotMatch (403)      the signature is not 64 hex digits, or
 *                                    the scope date differs from X-Amz-Date;
 *   InvalidClientTokenId (403)       the security token is too long.
 * Region and service are only checked for shape: see sigv4_check_scope().
 */
int sigv4_parse(struct sigv4_auth *out, const struct sigv4_request *req, struct err *e);

/*
 * Checks that the credential scope names this server's region and the
 * service that the request reached: SignatureDoesNotMatch (403) otherwise,
 * with AWS's "Credential should be scoped to ..." messages.
 */
int sigv4_check_scope(const struct sigv4_auth *a, const char *region, const char *service,
		      struct err *e);

/*
 * Checks the request time against now (seconds since the epoch).
 * Header form: more than 15 minutes either way is SignatureDoesNotMatch (403),
 * "Signature expired: ... is now earlier than ... (... - 15 min.)" or
 * "Signature not yet current: ... is still later than ... (... + 15 min.)".
 * Presigned form: more than 15 minutes in the future is the same "not yet
 * current" error; past request_time + expires is RequestExpired (400),
 * "Request has expired." (the code AWS's common errors list for query APIs).
 */
int sigv4_check_time(const struct sigv4_auth *a, int64_t now, struct err *e);

/*
 * The canonical request (method, URI, query, headers, signed headers,
 * payload hash) for the request as described by a.  Only a->signed_headers
 * and a->presigned are read.  CC_EAUTH (SignatureDoesNotMatch or
 * IncompleteSignature) when the request cannot be canonicalized.
 */
int sigv4_canonical_request(struct buf *out, const struct sigv4_auth *a,
			    const struct sigv4_request *req, struct err *e);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256>" */
int sigv4_string_to_sign(struct buf *out, const struct sigv4_auth *a,
			 const char *canonical_request, size_t canonical_len, struct err *e);

struct sigv4_key_cache;

/*
 * Recomputes the signature with secret and compares it in constant time.
 * cache may be NULL.  An x-amz-content-sha256 header other than
 * UNSIGNED-PAYLOAD must equal the body's SHA-256.  Failure: CC_EAUTH
 * SignatureDoesNotMatch (403); CC_ERROR if the crypto library fails.
 * Does not check the time (sigv4_check_time) nor the scope (sigv4_check_scope).
 */
int sigv4_verify(const struct sigv4_auth *a, const struct sigv4_request *req,
		 const char *secret, size_t secret_len, struct sigv4_key_cache *cache,
		 struct err *e);

/*
 * Signs req in the header form and appends the Authorization header value to
 * authorization.  The request must already carry every header named in
 * signed_headers ("host;x-amz-date"), with X-Amz-Date equal to amz_date.
 */
int sigv4_sign(struct buf *authorization, const struct sigv4_request *req,
	       const char *access_key_id, const char *secret, const char *amz_date,
	       const char *region, const char *service, const char *signed_headers,
	       struct err *e);

/*
 * The password `aws codecommit credential-helper` and git-remote-codecommit
 * send: amz_date followed by the signature, with service "codecommit", over
 * the canonical request "GIT\n<path>\n\nhost:<host>\n\nhost\n".  As those
 * tools do, the string to sign carries amz_date without its trailing 'Z'.
 * out receives SIGV4_GIT_PASSWORD_LEN characters and a NUL.
 */
int sigv4_git_password(char out[SIGV4_GIT_PASSWORD_LEN + 1], const char *secret,
		       size_t secret_len, const char *amz_date, const char *region,
		       const char *host, const char *path, struct err *e);

/*
 * Checks a Git password (password_len bytes, not NUL-terminated) against the
 * one sigv4_git_password() computes for its own time stamp, after checking
 * that time stamp is within 15 minutes of now, as sigv4_check_time() does.
 * CC_EAUTH SignatureDoesNotMatch (403) otherwise; constant-time compare.
 */
int sigv4_git_verify(const char *password, size_t password_len, const char *secret,
		     size_t secret_len, const char *region, const char *host, const char *path,
		     int64_t now, struct err *e);

/*
 * Cache of derived signing keys: (access key id, date, region, service,
 * SHA-256 of the secret) -> 32-byte key.  Thread-safe; holds at most
 * max_entries (0: 1024) and evicts the oldest; every key is wiped with
 * OPENSSL_cleanse when evicted or freed.  sigv4_key_cache_free(NULL) is a
 * no-op.
 */
struct sigv4_key_cache *sigv4_key_cache_new(size_t max_entries);
void sigv4_key_cache_free(struct sigv4_key_cache *c);
/* counters since creation, for tests and metrics */
void sigv4_key_cache_stats(struct sigv4_key_cache *c, uint64_t *hits, uint64_t *misses);

#endif
