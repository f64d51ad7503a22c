/*
 * iam_int.h - private to src/iam: the handlers of the IAM API, the resource
 * builders named by the operation table, and what the handlers share
 * (entity lookups, JSON forms of entities, pagination, limits).
 */
#ifndef IAM_INT_H
#define IAM_INT_H

#include "aws/aws.h"
#include "iam.h"

/* AWS's IAM quotas that commitd enforces */
#define IAM_MAX_ACCESS_KEYS 2
#define IAM_MAX_GROUPS_PER_USER 10
#define IAM_MAX_POLICY_VERSIONS 5
#define IAM_MAX_ATTACHED 10          /* managed policies per user, group or role */
#define IAM_MAX_SSH_KEYS 5
#define IAM_MAX_SERVICE_CREDS 2      /* per user per service */
#define IAM_MAX_TAGS 50
#define IAM_INLINE_USER_CHARS 2048
#define IAM_INLINE_GROUP_CHARS 5120
#define IAM_INLINE_ROLE_CHARS 10240
#define IAM_TRUST_CHARS 2048         /* a role's trust policy: ACLSizePerRole */
#define IAM_MAX_ROLES 1000
#define IAM_MANAGED_CHARS 6144

struct iam_user {
	char id[32];
	char name[129];
	char path[520];
	char arn[700];
	int64_t created;
	int64_t password_last_used; /* 0: never */
	char boundary[2100];        /* "" when none */
};

struct iam_group {
	char id[32];
	char name[129];
	char path[520];
	char arn[700];
	int64_t created;
};

struct iam_role {
	char id[32];
	char name[129];
	char path[520];
	char arn[700];
	const char *description;    /* "" when none; in the call's arena */
	const char *trust_policy;   /* the JSON as given; in the call's arena */
	int64_t max_session;        /* seconds, 3600..43200 */
	int64_t created;
	int64_t last_used;          /* 0: never assumed */
	char last_used_region[32];
	char boundary[2100];        /* "" when none */
};

struct iam_policy {
	char id[32];
	char name[129];
	char path[520];
	char arn[700];
	char account[13];           /* "aws" for AWS managed */
	char description[1001];
	char default_version[16];
	int64_t created, updated;
	int64_t attachments;        /* in the caller's account */
};

/* ---- lookups (entity.c) ------------------------------------------------------ */

int iam_user_find(struct iam_user *out, struct aws_call *c, const char *name, struct err *e);
int iam_user_by_id(struct iam_user *out, struct aws_call *c, const char *id, struct err *e);
int iam_group_find(struct iam_group *out, struct aws_call *c, const char *name, struct err *e);
int iam_role_find(struct iam_role *out, struct aws_call *c, const char *name, struct err *e);
/* the columns of roles that iam_role_read() reads from the current row of q */
#define IAM_ROLE_COLS                                                                       \
	"id, name, path, description, trust_policy, max_session, boundary_arn, created,"    \
	" last_used, last_used_region"
int iam_role_read(struct iam_role *out, struct aws_call *c, struct store_stmt *q,
		  struct err *e);
int iam_policy_find(struct iam_policy *out, struct aws_call *c, const char *arn, struct err *e);
/* The user an operation with an optional UserName acts on: the named user,
 * or the caller's own.  For the root user without UserName: *out is NULL. */
int iam_target_user(struct iam_user **out, struct iam_user *storage, struct aws_call *c,
		    struct err *e);

json_t *iam_user_json(struct aws_call *c, const struct iam_user *u, bool with_tags);
json_t *iam_group_json(const struct iam_group *g);
/* full: GetRole's form (PermissionsBoundary, Tags, RoleLastUsed); else ListRoles' */
json_t *iam_role_json(struct aws_call *c, const struct iam_role *r, bool full);
json_t *iam_policy_json(const struct iam_policy *p);
/* the ARN of a user/group/role/policy named in this account */
char *iam_arn(struct aws_call *c, const char *kind, const char *path, const char *name);
/* a policy document as IAM hands it out: URL-encoded (botocore decodes it) */
json_t *iam_doc_json(const char *doc);

/* ---- validation (entity.c) --------------------------------------------------- */

/* path: "/" or "/.../" of printable ASCII, at most 512 */
int iam_check_path(const char *path, const char *member, struct err *e);
/* a path prefix for List* calls */
int iam_check_path_prefix(const char *prefix, struct err *e);
/* tags: keys unique (case-insensitive), at most 50; ValidationError/InvalidInput */
int iam_check_tags(json_t *tags, struct err *e);
int iam_new_id(char *out, size_t outsz, const char *prefix, struct err *e);
/* a PermissionsBoundary given at creation: an existing managed policy, else InvalidInput */
int iam_check_boundary(struct aws_call *c, const char *arn, struct err *e);
/* DeleteConflict while the group or role (kind) has inline or attached policies */
int iam_check_no_policies(struct aws_call *c, const char *kind, const char *id, struct err *e);

/* ---- tags (entity.c) --------------------------------------------------------- */

/* One tag table (user_tags, role_tags, policy_tags): its statements, all literals. */
struct iam_tags {
	const char *next_seq; /* $1 owner: coalesce(max(seq), 0) */
	const char *upsert;   /* $1 owner, $2 key, $3 value, $4 seq */
	const char *count;    /* $1 owner */
	const char *remove;   /* $1 owner, $2 key (case-insensitive) */
	const char *list;     /* $1 owner, $2 limit, $3 offset: key, value in order */
};
extern const struct iam_tags iam_user_tags, iam_role_tags, iam_policy_tags, iam_oidc_tags;

/* Adds or replaces tags (checked with iam_check_tags first); LimitExceeded past 50 in all. */
int iam_tags_add(struct aws_call *c, const struct iam_tags *t, const char *owner, json_t *tags,
		 struct err *e);
/* Removes the keys of TagKeys; absent keys are no error, as in AWS. */
int iam_tags_remove(struct aws_call *c, const struct iam_tags *t, const char *owner,
		    json_t *keys, struct err *e);
/* List*Tags: Tags, IsTruncated, Marker in c->out. */
int iam_tags_list(struct aws_call *c, const struct iam_tags *t, const char *owner,
		  struct err *e);
/* all of an owner's tags, in the order they were added ([] when none) */
json_t *iam_tags_json(struct aws_call *c, const struct iam_tags *t, const char *owner);

/* ---- pagination (entity.c) -------------------------------------------------- */

struct iam_page {
	int64_t offset; /* rows to skip */
	int64_t limit;  /* rows to return */
};

/* Marker and MaxItems (1..1000, default 100) from the input. */
int iam_page_init(struct iam_page *pg, struct aws_call *c, struct err *e);
/* Sets IsTruncated and Marker on out, given how many rows were seen (limit + 1 asks
 * for one more than the page to know whether more exist). */
void iam_page_finish(json_t *out, const struct iam_page *pg, int64_t seen);

/* ---- resource builders (entity.c) ------------------------------------------- */

int iam_res_user(struct aws_call *c, const char **out, struct err *e);
int iam_res_user_new(struct aws_call *c, const char **out, struct err *e);
int iam_res_self_user(struct aws_call *c, const char **out, struct err *e);
int iam_res_key_owner(struct aws_call *c, const char **out, struct err *e);
int iam_res_group(struct aws_call *c, const char **out, struct err *e);
int iam_res_group_new(struct aws_call *c, const char **out, struct err *e);
int iam_res_role(struct aws_call *c, const char **out, struct err *e);
int iam_res_role_new(struct aws_call *c, const char **out, struct err *e);
int iam_res_policy(struct aws_call *c, const char **out, struct err *e);
int iam_res_policy_new(struct aws_call *c, const char **out, struct err *e);
/* mfa.c: arn:aws:iam::ACCOUNT:mfa/PATH/NAME, of SerialNumber or of a new device */
int iam_res_mfa(struct aws_call *c, const char **out, struct err *e);
int iam_res_mfa_new(struct aws_call *c, const char **out, struct err *e);
/* oidc.c: arn:aws:iam::ACCOUNT:oidc-provider/URL, given or of a new provider's Url */
int iam_res_oidc(struct aws_call *c, const char **out, struct err *e);
int iam_res_oidc_new(struct aws_call *c, const char **out, struct err *e);

/* ---- handlers ------------------------------------------------------------------ */

#define H(name) int iam_##name(struct aws_call *c, struct err *e)
/* users.c */
H(create_user); H(get_user); H(list_users); H(update_user); H(delete_user);
H(tag_user); H(untag_user); H(list_user_tags);
/* groups.c */
H(create_group); H(get_group); H(list_groups); H(update_group); H(delete_group);
H(add_user_to_group); H(remove_user_from_group); H(list_groups_for_user);
/* roles.c */
H(create_role); H(get_role); H(list_roles); H(update_role); H(update_role_description);
H(update_assume_role_policy); H(delete_role); H(tag_role); H(untag_role); H(list_role_tags);
/* keys.c */
H(create_access_key); H(list_access_keys); H(update_access_key); H(delete_access_key);
H(get_access_key_last_used);
/* svccreds.c */
H(create_service_specific_credential); H(list_service_specific_credentials);
H(reset_service_specific_credential); H(update_service_specific_credential);
H(delete_service_specific_credential);
/* sshkeys.c */
H(upload_ssh_public_key); H(list_ssh_public_keys); H(get_ssh_public_key);
H(update_ssh_public_key); H(delete_ssh_public_key);
/* login.c */
H(create_login_profile); H(get_login_profile); H(update_login_profile);
H(delete_login_profile); H(change_password); H(get_account_password_policy);
H(update_account_password_policy); H(delete_account_password_policy);
/* policies.c */
H(create_policy); H(get_policy); H(list_policies); H(delete_policy);
H(create_policy_version); H(get_policy_version); H(list_policy_versions);
H(delete_policy_version); H(set_default_policy_version);
H(attach_user_policy); H(detach_user_policy); H(list_attached_user_policies);
H(attach_group_policy); H(detach_group_policy); H(list_attached_group_policies);
H(attach_role_policy); H(detach_role_policy); H(list_attached_role_policies);
H(list_entities_for_policy);
H(put_user_permissions_boundary); H(delete_user_permissions_boundary);
H(put_role_permissions_boundary); H(delete_role_permissions_boundary);
H(tag_policy); H(untag_policy); H(list_policy_tags);
/* inline.c */
H(put_user_policy); H(get_user_policy); H(list_user_policies); H(delete_user_policy);
H(put_group_policy); H(get_group_policy); H(list_group_policies); H(delete_group_policy);
H(put_role_policy); H(get_role_policy); H(list_role_policies); H(delete_role_policy);
/* account.c */
H(get_account_summary); H(create_account_alias); H(list_account_aliases);
H(delete_account_alias);
/* simulate.c */
H(simulate_custom_policy); H(simulate_principal_policy);
/* oidc.c */
H(create_open_id_connect_provider); H(get_open_id_connect_provider);
H(list_open_id_connect_providers); H(delete_open_id_connect_provider);
H(add_client_id_to_open_id_connect_provider); H(remove_client_id_from_open_id_connect_provider);
H(update_open_id_connect_provider_thumbprint); H(tag_open_id_connect_provider);
H(untag_open_id_connect_provider); H(list_open_id_connect_provider_tags);
/* mfa.c */
H(create_virtual_mfa_device); H(enable_mfa_device); H(resync_mfa_device);
H(deactivate_mfa_device); H(list_mfa_devices); H(list_virtual_mfa_devices);
H(delete_virtual_mfa_device);
#undef H

/* ---- the policy simulator (simulate.c) ------------------------------------------ */

/* the resource of SimulatePrincipalPolicy: its PolicySourceArn */
int iam_res_policy_source(struct aws_call *c, const char **out, struct err *e);

/* A place in a policy document as the simulator reports it. */
struct iam_pos {
	int line;   /* from 1 */
	int column; /* from 1, in characters, just past the brace (AWS's convention) */
};

/*
 * Where statement idx (from 0) of the JSON text doc (n bytes) begins and
 * ends: the positions after its opening and closing braces.  CC_ENOTFOUND
 * when the text has no such statement object.
 */
int iam_sim_statement_pos(struct iam_pos *start, struct iam_pos *end, const char *doc,
			  size_t n, size_t idx);

/* the deletion checks of DeleteUser, shared with the entities' own files */
int iam_user_has_dependents(struct aws_call *c, const struct iam_user *u, struct err *e);

#endif
