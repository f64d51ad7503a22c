/*
 * auth.h - the contract of src/auth: who is calling.
 *
 *   seal.c      the master key: AES-256-GCM sealing of secrets at rest and of
 *               self-contained session tokens (the only file that sees it)
 *   creds.c     access keys: lookup by id (with a cache), the principal
 *   password.c  console passwords (Argon2id) and Git credential hashes
 *   sigv4.c     Signature Version 4 (see sigv4.h)
 *   sshkey.c    SSH public keys: parsing, fingerprints, encodings
 *   mfa.c       virtual MFA devices: TOTP, the seed's Base32, the QR code
 *   jwt.c       web identity tokens: OpenID Connect ID tokens checked against
 *               the provider's JWKS
 *
 * auth/ knows the store's credential tables but nothing of HTTP or policies.
 */
#ifndef AUTH_AUTH_H
#define AUTH_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"
#include "store/store.h"
#include "auth/sigv4.h"

/* ---- sealing ----------------------------------------------------------- */

#define MASTER_KEY_LEN 32

struct sealer;

/* Creates a new random master key file (mode 0600); refuses to overwrite. */
int seal_keyfile_create(const char *path, struct err *e);
int seal_open(struct sealer **out, const char *keyfile, struct err *e);
void seal_free(struct sealer *s);
/* out receives nonce || ciphertext || tag; aad binds the value to its row */
int seal(const struct sealer *s, struct buf *out, const void *pt, size_t n, const char *aad,
	 struct err *e);
int unseal(const struct sealer *s, struct secret *out, const void *ct, size_t n, const char *aad,
	   struct err *e);

/* ---- principals -------------------------------------------------------- */

enum principal_kind {
	PRINCIPAL_ROOT,
	PRINCIPAL_USER,
	PRINCIPAL_ASSUMED_ROLE,
	PRINCIPAL_FEDERATED_USER,
};

/* Who made a request: everything authorization and auditing need. */
struct principal {
	enum principal_kind kind;
	char account[13];        /* 12 digits */
	char arn[600];           /* arn:aws:iam::ACCOUNT:user/PATH/NAME, ...:root */
	char principal_id[160];  /* AIDA... for users, the account id for root */
	char user_id[32];        /* users.id (AIDA...), "" for root */
	char name[129];          /* user name, "" for root */
	char path[520];          /* user path */
	char access_key_id[32];  /* the key that signed the request, "" if none */
	bool temporary;          /* signed with session credentials */
	bool mfa;                /* the session was created with MFA */
	int64_t token_issued;    /* session: when it was issued */
	int64_t mfa_time;        /* session: when MFA was presented */
	int64_t expires;         /* session: when it ends */
};

/* ---- access keys --------------------------------------------------------- */

struct cred_cache;

struct cred_cache *cred_cache_new(size_t max_entries);
void cred_cache_free(struct cred_cache *c);

/*
 * Finds an active long-term access key (AKIA...) and its owner.  secret
 * receives the unsealed secret access key.  CC_EAUTH with
 * InvalidClientTokenId for unknown, inactive or orphaned keys.  Uses the
 * cache, which trusts entries only while the store generation is unchanged.
 */
int creds_lookup(struct principal *out, struct secret *secret, struct store *st,
		 const struct sealer *sl, struct cred_cache *cache, const char *key_id,
		 struct err *e);
/* Loads a principal for an IAM user id, or the root user when user_id is NULL. */
int creds_principal_load(struct principal *out, struct store_tx *tx, const char *account,
			 const char *user_id, struct err *e);
void principal_root(struct principal *out, const char *account);

/*
 * Git credentials: an active CodeCommit service-specific credential with
 * this login ("NAME-at-ACCOUNT") and password.  CC_EAUTH otherwise.
 */
int gitcred_lookup(struct principal *out, struct store *st, const char *login,
		   const char *password, struct err *e);

/*
 * SSH: an Active key with this id (APKA...) whose wire blob is exactly
 * blob, and the IAM user who owns it.  CC_EAUTH otherwise, the same for an
 * unknown id as for a wrong key.  Read from the store each time, so a key
 * deactivated or deleted stops working for the next connection.
 */
int sshkey_lookup(struct principal *out, struct store *st, const char *key_id, const void *blob,
		  size_t n, struct err *e);

/* Records the key's last use (best effort, at most once a minute per key). */
void creds_touch(struct store *st, struct cred_cache *cache, const char *key_id,
		 const char *service, const char *region, int64_t now);

/* ---- session tokens ------------------------------------------------------ */

/*
 * A session token is self-contained: the temporary credentials and the
 * session's principal sealed under a key derived from the master key, so any
 * server holding that key can verify it without asking the store.
 */
#define SESSION_POLICY_MAX 2048 /* characters of an AssumeRole session policy */
#define SESSION_POLICY_ARNS 10        /* managed session policies, as AWS */
#define SESSION_POLICY_ARNS_MAX 2048  /* their ARNs together, one per line */
#define SESSION_TAGS_MAX 2048         /* session tags, packed as JSON */

struct session {
	struct principal who;  /* who.access_key_id is the ASIA... id */
	char secret[64];       /* the temporary secret access key */
	char source_key[32];   /* the long-term key the session came from */
	/* AssumeRole: who.kind is PRINCIPAL_ASSUMED_ROLE, who.user_id the role's id */
	char role_arn[600];    /* the role (aws:PrincipalArn of the session), or "" */
	char policy[SESSION_POLICY_MAX + 1]; /* the session policy, "" for none */
	/* managed session policies (PolicyArns): ARNs one per line, "" for none */
	char policy_arns[SESSION_POLICY_ARNS_MAX + 1];
	/* session tags, a JSON object {"Key": "Value"}, "" for none: they are the
	 * session's aws:PrincipalTag/Key, over the role's own tags */
	char tags[SESSION_TAGS_MAX + 1];
	/* the keys of tags that pass on to chained sessions, a JSON array, or "" */
	char transitive[SESSION_TAGS_MAX + 1];
	char source_identity[65]; /* aws:SourceIdentity, "" for none; kept by chaining */
};

int session_token_make(struct buf *out, const struct sealer *sl, const struct session *s,
		       struct err *e);
/* CC_EAUTH: InvalidClientTokenId for a bad token, ExpiredToken for an old one */
int session_token_open(struct session *out, const struct sealer *sl, const char *token,
		       size_t len, int64_t now, struct err *e);
void session_wipe(struct session *s);

/* ---- passwords -------------------------------------------------------------- */

/* Argon2id, encoded form ($argon2id$v=19$m=...) into out */
int password_hash(char *out, size_t outsz, const char *password, struct err *e);
bool password_verify(const char *encoded, const char *password);
/* Git credential passwords: SHA-256(salt || password) */
void gitpw_hash(unsigned char out[32], const unsigned char *salt, size_t saltlen,
		const char *password);

/* ---- ssh public keys (sshkey.c) ------------------------------------------------ */

#define SSHKEY_TEXT_MAX 16384 /* bytes, as IAM's SSHPublicKeyBody */

/*
 * Parses a public key in the OpenSSH one-line form ("ssh-ed25519 AAAA...
 * comment") or PEM ("BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY") into its SSH
 * wire blob (string type, then the key's fields) and its type ("ssh-rsa",
 * "ssh-ed25519").  Only ssh-rsa of 2048 bits or more and ssh-ed25519 are
 * accepted.  CC_EINVAL with InvalidPublicKey for a malformed or weak key,
 * UnrecognizedPublicKeyEncoding for anything else.
 */
int sshkey_parse(struct buf *blob_out, char *type_out, size_t type_sz, const char *text,
		 size_t len, struct err *e);
/* MD5 of the blob as colon-separated lower-case hex (ssh-keygen -E md5) */
void sshkey_fingerprint_md5(char out[48], const void *blob, size_t n);
/* "ssh-rsa AAAA..." (no comment) */
int sshkey_to_openssh(struct buf *out, const void *blob, size_t n, struct err *e);
/* "-----BEGIN PUBLIC KEY-----..." (SubjectPublicKeyInfo, no final newline) */
int sshkey_to_pem(struct buf *out, const void *blob, size_t n, struct err *e);

/* ---- virtual MFA devices (mfa.c) ------------------------------------------------ */

#define TOTP_STEP 30         /* seconds */
#define MFA_SEED_LEN 40      /* bytes: 64 Base32 characters, as AWS's seeds */

/* the six-digit code (0..999999) of step (unix time / TOTP_STEP); -1 on error */
int totp_code(const unsigned char *key, size_t n, int64_t step);
/* exactly six digits */
bool totp_code_ok(const char *code);
/* the first step in [from, to] whose code is code, or -1 */
int64_t totp_find(const unsigned char *key, size_t n, const char *code, int64_t from, int64_t to);
/* text (an otpauth:// URI) as a QR code in a greyscale PNG */
int mfa_qr_png(struct buf *out, const char *text, struct err *e);
/*
 * An MFA-protected call: serial must be a device of owner (a user id, or
 * the account id for the root user) and code its code for this step, the
 * one before or the one after (after the device's drift from a resync), and
 * later than the last code it accepted, which it then records.
 * CC_EDENIED (AccessDenied) otherwise.  tx must be a write transaction.
 */
int mfa_check(struct store_tx *tx, const struct sealer *sl, const char *serial,
	      const char *owner, const char *code, int64_t now, struct err *e);

/* ---- web identity tokens (jwt.c) -------------------------------------------- */

#define JWT_MAX 20000 /* AWS's WebIdentityToken limit */

/*
 * Verifies token (compact JWS "header.payload.signature", base64url without
 * padding) against the keys of jwks (a JWKS JSON document, RFC 7517:
 * {"keys":[...]}).  On success *claims is the decoded payload object (caller
 * json_decref()s it); on failure it is NULL.  Only the signature and shapes
 * are checked here: iss/aud/exp/nbf are the caller's business.
 *
 * Algorithms: RS256 RS384 RS512 (RSA of 2048 to 8192 bits) and ES256 ES384.
 * With a kid in the header only keys with that kid are tried, else every
 * key that fits the alg; keys whose "use" is not "sig" or whose "alg" is
 * another are passed over.  The JWKS is at most 256 KiB and 100 keys.
 *
 * Errors: CC_EINVAL with aws_code "InvalidIdentityToken" and a message that
 * says what is wrong, never the token itself: not three parts, bad
 * base64url, header or payload not a JSON object, alg missing or refused
 * (named: "none", "HS256", ...), no key for the kid (or, without kid, none
 * of the right type verifies), the signature does not verify, a weak key,
 * the JWKS malformed ("the provider's JWKS is malformed: ...").  CC_ERROR
 * when out of memory.
 */
int jwt_verify(json_t **claims, const char *token, size_t n, const char *jwks, size_t jwks_len,
	       struct err *e);
/*
 * The payload of token, not verified: only to find out who issued it (iss)
 * and so which keys to verify it with.  Errors as jwt_verify's.
 */
int jwt_peek(json_t **claims, const char *token, size_t n, struct err *e);

/* ---- TLS certificates (tlscert.c) -------------------------------------------
 * Added for the HTTPS listener: libcrypto work that is not HTTP-specific.
 */

struct tlscert_info {
	char fingerprint[96]; /* SHA-256 of the DER, "AB:CD:..." as openssl prints it */
	int64_t not_after;    /* seconds since the epoch */
	char subject[256];    /* "/O=commitd/CN=localhost" */
};

/*
 * Reads and checks a PEM certificate (or chain, leaf first) and its
 * unencrypted private key: both parse and the key matches the leaf.
 * cert_out gets the certificate file's text; key_out the key file's text,
 * NUL-terminated (the NUL is not counted), wiped when released.  Errors
 * name the file.  Warns when the key file can be read by group or others.
 */
int tlscert_load(struct buf *cert_out, struct secret *key_out, struct tlscert_info *info_out,
		 const char *cert_path, const char *key_path, struct err *e);
/*
 * Makes a self-signed P-256 certificate valid for `days` with the names
 * localhost, 127.0.0.1, ::1 and hosts (DNS names or IP addresses), and
 * writes it to cert_path (0644) and its key to key_path (0600).  CC_EEXISTS
 * if either file exists (nothing is overwritten); CC_EINVAL for a bad host.
 */
int tlscert_self_signed(struct tlscert_info *out, const char *cert_path, const char *key_path,
			const char *const *hosts, size_t nhosts, unsigned days, struct err *e);

#endif
