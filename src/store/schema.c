/*
 * schema.c - the schema, as an ordered list of migrations.  Each runs once,
 * inside one transaction, and store_meta.schema_version records the last.
 * A migration is never edited after it has shipped; add a new one.
 */
#include "store_int.h"

const char *const store_migrations[] = {
	/* 1: accounts, IAM identities, credentials and policies */
	"CREATE TABLE accounts ("
	"  id TEXT PRIMARY KEY,"             /* 12 digits */
	"  alias TEXT UNIQUE,"
	"  root_email TEXT,"
	"  created INTEGER NOT NULL,"
	"  password_policy TEXT"             /* JSON, NULL: none set */
	");"
	"CREATE TABLE users ("
	"  id TEXT PRIMARY KEY,"             /* AIDA... */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '/',"
	"  created INTEGER NOT NULL,"
	"  password_last_used INTEGER,"
	"  boundary_arn TEXT,"
	"  UNIQUE (account, name COLLATE NOCASE)"
	");"
	"CREATE TABLE user_tags ("
	"  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, key COLLATE NOCASE)"
	");"
	"CREATE TABLE groups ("
	"  id TEXT PRIMARY KEY,"             /* AGPA... */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '/',"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (account, name COLLATE NOCASE)"
	");"
	"CREATE TABLE group_members ("
	"  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (group_id, user_id)"
	");"
	"CREATE INDEX group_members_user ON group_members(user_id);"
	"CREATE TABLE access_keys ("
	"  id TEXT PRIMARY KEY,"             /* AKIA... */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  user_id TEXT,"                    /* NULL: the account's root user */
	"  secret BLOB NOT NULL,"            /* sealed */
	"  status TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  last_used INTEGER, last_service TEXT, last_region TEXT"
	");"
	"CREATE INDEX access_keys_user ON access_keys(user_id);"
	"CREATE TABLE service_creds ("
	"  id TEXT PRIMARY KEY,"             /* ACCA... */
	"  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  service TEXT NOT NULL,"
	"  login TEXT NOT NULL,"             /* NAME-at-ACCOUNT */
	"  salt BLOB NOT NULL, hash BLOB NOT NULL,"
	"  status TEXT NOT NULL,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE INDEX service_creds_login ON service_creds(login);"
	"CREATE TABLE ssh_keys ("
	"  id TEXT PRIMARY KEY,"             /* APKA... */
	"  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  body TEXT NOT NULL,"              /* as uploaded */
	"  blob BLOB NOT NULL,"              /* the key in SSH wire form */
	"  fingerprint TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  uploaded INTEGER NOT NULL"
	");"
	"CREATE TABLE login_profiles ("
	"  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
	"  hash TEXT NOT NULL,"              /* Argon2id encoded */
	"  reset_required INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE policies ("
	"  id TEXT PRIMARY KEY,"             /* ANPA... */
	"  account TEXT NOT NULL,"           /* 'aws' for AWS managed policies */
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '/',"
	"  arn TEXT NOT NULL UNIQUE,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  default_version TEXT NOT NULL,"
	"  next_version INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  UNIQUE (account, name COLLATE NOCASE)"
	");"
	"CREATE TABLE policy_tags ("
	"  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (policy_id, key COLLATE NOCASE)"
	");"
	"CREATE TABLE policy_versions ("
	"  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
	"  version TEXT NOT NULL,"           /* v1, v2, ... */
	"  document TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  PRIMARY KEY (policy_id, version)"
	");"
	"CREATE TABLE attachments ("
	"  policy_id TEXT NOT NULL REFERENCES policies(id),"
	"  account TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"              /* user, group, role */
	"  entity_id TEXT NOT NULL,"
	"  PRIMARY KEY (kind, entity_id, policy_id)"
	");"
	"CREATE INDEX attachments_policy ON attachments(policy_id, account);"
	"CREATE TABLE inline_policies ("
	"  kind TEXT NOT NULL,"              /* user, group, role */
	"  entity_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  document TEXT NOT NULL,"
	"  PRIMARY KEY (kind, entity_id, name)"
	");",
	/* 2: CodeCommit repositories; the Git data lives on disk, named by id */
	"CREATE TABLE repositories ("
	"  id TEXT PRIMARY KEY,"             /* a UUID; the directory <account>/<id>.git */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL,"              /* case-sensitive, as CodeCommit */
	"  description TEXT,"
	"  created INTEGER NOT NULL,"
	"  modified INTEGER NOT NULL,"
	"  policy TEXT,"                     /* resource policy JSON, NULL: none */
	"  UNIQUE (account, name)"
	");"
	"CREATE TABLE repository_tags ("
	"  repo_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY (repo_id, key)"
	");",
	/* 3: virtual MFA devices */
	"CREATE TABLE mfa_devices ("
	"  serial TEXT PRIMARY KEY,"         /* arn:aws:iam::ACCOUNT:mfa/PATH/NAME */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '/',"
	"  seed BLOB NOT NULL,"              /* the TOTP key, sealed; aad: serial */
	"  owner TEXT,"                      /* users.id, the account id for root; NULL: free */
	"  enabled INTEGER,"                 /* when it was enabled for owner */
	"  last_step INTEGER NOT NULL DEFAULT 0," /* the last TOTP step accepted */
	"  drift INTEGER NOT NULL DEFAULT 0,"     /* steps the device is ahead (resync) */
	"  created INTEGER NOT NULL,"
	"  UNIQUE (account, name COLLATE NOCASE)"
	");"
	"CREATE INDEX mfa_devices_owner ON mfa_devices(owner);",
	/* 4: IAM roles; their inline policies and attachments are kind 'role' */
	"CREATE TABLE roles ("
	"  id TEXT PRIMARY KEY,"             /* AROA... */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL DEFAULT '/',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  trust_policy TEXT NOT NULL,"      /* JSON, as given */
	"  max_session INTEGER NOT NULL DEFAULT 3600," /* seconds */
	"  boundary_arn TEXT,"
	"  created INTEGER NOT NULL,"
	"  last_used INTEGER,"               /* NULL: never assumed */
	"  last_used_region TEXT,"
	"  UNIQUE (account, name COLLATE NOCASE)"
	");"
	"CREATE TABLE role_tags ("
	"  role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (role_id, key COLLATE NOCASE)"
	");",
	/* 5: OpenID Connect identity providers, for AssumeRoleWithWebIdentity */
	"CREATE TABLE oidc_providers ("
	"  arn TEXT PRIMARY KEY,"            /* arn:aws:iam::ACCOUNT:oidc-provider/URL */
	"  account TEXT NOT NULL REFERENCES accounts(id),"
	"  url TEXT NOT NULL,"               /* HOST[/PATH], without https:// */
	"  client_ids TEXT NOT NULL,"        /* JSON array of strings, in the order added */
	"  thumbprints TEXT NOT NULL,"       /* JSON array of 40 hex digits each */
	"  created INTEGER NOT NULL,"
	"  UNIQUE (account, url)"
	");"
	"CREATE TABLE oidc_provider_tags ("
	"  provider_arn TEXT NOT NULL REFERENCES oidc_providers(arn) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (provider_arn, key COLLATE NOCASE)"
	");",
};

const size_t store_nmigrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
