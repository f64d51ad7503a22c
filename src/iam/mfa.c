/*
 * mfa.c - virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice,
 * ResyncMFADevice, DeactivateMFADevice, ListMFADevices,
 * ListVirtualMFADevices, DeleteVirtualMFADevice.
 *
 * A device is made free (its serial number is its ARN, its seed is shown
 * once, as Base32 text and as a QR code), then enabled for one user with two
 * consecutive codes, which proves the user's authenticator holds the seed.
 * The seed is sealed under the master key.  TOTP itself is auth/mfa.c's,
 * and so is the check that GetSessionToken makes with a code.
 */
#include <stdio.h>
#include <string.h>

#include "iam_int.h"

#define MFA_NAME_MAX 226
#define MFA_MAX_PER_USER 8   /* as AWS */
#define ENABLE_WINDOW 4      /* steps back a pair of codes may start (2 minutes) */
#define RESYNC_WINDOW 20     /* steps either way a resync searches */

/* the device's owner column for a user, or for the root user (NULL u) */
static const char *owner_of(struct aws_call *c, const struct iam_user *u)
{
	return u ? u->id : c->caller->account;
}

int iam_create_virtual_mfa_device(struct aws_call *c, struct err *e)
{
	const char *name = aws_in_str(c, "VirtualMFADeviceName");
	const char *path = aws_in_str(c, "Path");
	unsigned char seed[MFA_SEED_LEN];
	char b32[2 * MFA_SEED_LEN];
	struct buf sealed = BUF_INIT(0), png = BUF_INIT(0), uri = BUF_INIT(0);
	const char *serial;
	int64_t n = 0;
	int rc;

	if (!path)
		path = "/";
	if (!word_chars_ok(name, 1, MFA_NAME_MAX, "_+=,.@-"))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'virtualMFADeviceName' failed"
			       " to satisfy constraint: Member must satisfy regular expression pattern:"
			       " [\\w+=,.@-]+ and have length between 1 and %d",
			       MFA_NAME_MAX);
	if ((rc = iam_check_path(path, "path", e)) < 0)
		return rc;
	if (json_array_size(json_object_get(c->in, "Tags")) > 0)
		return err_set(e, CC_EINVAL, "InvalidInput",
			       "Tags on MFA devices are not implemented by this version of commitd;"
			       " create the device without --tags");
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM mfa_devices WHERE account = $1 AND name = $2"
				  " COLLATE NOCASE",
				  "ss", c->caller->account, name)) < 0)
		return rc;
	if (n > 0)
		return err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			       "MFADevice entity at the same path and name already exists.");
	if ((serial = iam_arn(c, "mfa", path, name)) == NULL)
		return err_oom(e);
	if (rand_bytes(seed, sizeof(seed)) < 0)
		return err_set(e, CC_ERROR, NULL, "no random bytes");
	b32_encode(b32, sizeof(b32), seed, sizeof(seed));
	/* what authenticator apps scan: AWS puts the device and account in the label */
	buf_printf(&uri, "otpauth://totp/%s@%s?secret=%s&issuer=commitd", name, c->caller->account,
		   b32);
	if ((rc = seal(c->env->sealer, &sealed, seed, sizeof(seed), serial, e)) < 0 ||
	    (rc = mfa_qr_png(&png, buf_cstr(&uri), e)) < 0)
		goto out;
	rc = store_exec(c->tx, e,
			"INSERT INTO mfa_devices (serial, account, name, path, seed, created)"
			" VALUES ($1, $2, $3, $4, $5, $6)",
			"ssssbi", serial, c->caller->account, name, path, sealed.ptr, sealed.len,
			(int64_t)c->now);
	if (rc < 0)
		goto out;
	store_tx_bump(c->tx);
	/* blobs: the serializer sends them as base64 */
	c->out = json_pack("{s:{s:s, s:o, s:o}}", "VirtualMFADevice", "SerialNumber", serial,
			   "Base32StringSeed", json_stringn(b32, strlen(b32)), "QRCodePNG",
			   json_stringn_nocheck(png.ptr, png.len));
	rc = c->out ? 0 : err_oom(e);
out:
	mem_wipe(seed, sizeof(seed));
	mem_wipe(b32, sizeof(b32));
	mem_wipe(uri.ptr, uri.len);
	buf_release(&uri);
	buf_release(&sealed);
	buf_release(&png);
	return rc;
}

/*
 * Two consecutive codes of the device: the step of the first, searched in
 * [from, to], or CC_EINVAL InvalidAuthenticationCode.  The seed is unsealed
 * only here.
 */
static int two_codes(int64_t *step, struct aws_call *c, const char *serial, const void *ct,
		     size_t ctlen, int64_t from, int64_t to, struct err *e)
{
	const char *c1 = aws_in_str(c, "AuthenticationCode1");
	const char *c2 = aws_in_str(c, "AuthenticationCode2");
	struct secret seed = {NULL, 0};
	int64_t s1 = -1;
	int rc;

	if (!totp_code_ok(c1) || !totp_code_ok(c2))
		return err_set(e, CC_EINVAL, "ValidationError",
			       "1 validation error detected: Value at 'authenticationCode1' failed to"
			       " satisfy constraint: Member must have length 6 and be digits");
	if ((rc = unseal(c->env->sealer, &seed, ct, ctlen, serial, e)) < 0)
		return rc;
	for (s1 = from; s1 <= to; s1++)
		if (totp_find(seed.ptr, seed.len, c1, s1, s1) == s1 &&
		    totp_find(seed.ptr, seed.len, c2, s1 + 1, s1 + 1) == s1 + 1)
			break;
	secret_release(&seed);
	if (s1 > to)
		return err_set(e, CC_EINVAL, "InvalidAuthenticationCode",
			       "Authentication code for device is not valid.");
	*step = s1;
	return 0;
}

/* the device's row (seed, owner, name, path, enabled), NoSuchEntity if not in this account */
static int device_find(struct store_stmt **q, struct aws_call *c, const char *serial,
		       struct err *e)
{
	int rc = store_query(q, c->tx, e,
			     "SELECT seed, owner, name, path, enabled FROM mfa_devices"
			     " WHERE serial = $1 AND account = $2",
			     "ss", serial, c->caller->account);

	if (rc == 0 && (rc = store_step(*q, e)) == 0)
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "MFA Device with serial number %s does not exist.", serial);
	if (rc < 0) {
		store_stmt_free(*q);
		*q = NULL;
		return rc;
	}
	return 0;
}

int iam_enable_mfa_device(struct aws_call *c, struct err *e)
{
	const char *serial = aws_in_str(c, "SerialNumber");
	struct store_stmt *q = NULL;
	struct iam_user u;
	int64_t n = 0, step = 0, cur = c->now / TOTP_STEP;
	size_t len = 0;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = device_find(&q, c, serial, e)) < 0)
		return rc;
	if (!store_col_null(q, 1)) {
		rc = err_set(e, CC_EEXISTS, "EntityAlreadyExists",
			     "MFA Device is already in use.");
		goto out;
	}
	if ((rc = store_query_int(&n, c->tx, e, "SELECT count(*) FROM mfa_devices WHERE owner = $1",
				  "s", u.id)) < 0)
		goto out;
	if (n >= MFA_MAX_PER_USER) {
		rc = err_set(e, CC_ELIMIT, "LimitExceeded",
			     "Cannot exceed quota for MFADevicesPerUser: %d", MFA_MAX_PER_USER);
		goto out;
	}
	{
		const void *ct = store_col_blob(q, 0, &len);

		/* the second code is this step's or the next: the first started at most
		 * ENABLE_WINDOW steps ago */
		rc = two_codes(&step, c, serial, ct, len, cur - ENABLE_WINDOW, cur, e);
	}
	if (rc < 0)
		goto out;
	rc = store_exec(c->tx, e,
			"UPDATE mfa_devices SET owner = $1, enabled = $2, last_step = $3, drift = 0"
			" WHERE serial = $4",
			"siis", u.id, (int64_t)c->now, step + 1, serial);
	if (rc == 0)
		store_tx_bump(c->tx);
out:
	store_stmt_free(q);
	return rc;
}

int iam_resync_mfa_device(struct aws_call *c, struct err *e)
{
	const char *serial = aws_in_str(c, "SerialNumber");
	struct store_stmt *q = NULL;
	struct iam_user u;
	int64_t step = 0, cur = c->now / TOTP_STEP;
	size_t len = 0;
	int rc;

	if ((rc = iam_user_find(&u, c, aws_in_str(c, "UserName"), e)) < 0 ||
	    (rc = device_find(&q, c, serial, e)) < 0)
		return rc;
	if (store_col_null(q, 1) || strcmp(store_col_text(q, 1), u.id) != 0) {
		rc = err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			     "MFA Device with serial number %s is not enabled for user %s.", serial,
			     u.name);
		goto out;
	}
	{
		const void *ct = store_col_blob(q, 0, &len);

		rc = two_codes(&step, c, serial, ct, len, cur - RESYNC_WINDOW,
			       cur + RESYNC_WINDOW, e);
	}
	if (rc < 0)
		goto out;
	/* from now on codes are looked for around the device's own clock */
	rc = store_exec(c->tx, e,
			"UPDATE mfa_devices SET drift = $1, last_step = $2 WHERE serial = $3", "iis",
			step + 1 - cur, step + 1, serial);
out:
	store_stmt_free(q);
	return rc;
}

int iam_deactivate_mfa_device(struct aws_call *c, struct err *e)
{
	const char *serial = aws_in_str(c, "SerialNumber");
	struct iam_user storage, *u;
	int64_t n = 0;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0)
		return rc;
	if ((rc = store_query_int(&n, c->tx, e,
				  "SELECT count(*) FROM mfa_devices WHERE serial = $1 AND owner = $2",
				  "ss", serial, owner_of(c, u))) < 0)
		return rc;
	if (n == 0)
		return err_set(e, CC_ENOTFOUND, "NoSuchEntity",
			       "MFA Device with serial number %s does not exist for user %s.", serial,
			       u ? u->name : "root");
	rc = store_exec(c->tx, e,
			"UPDATE mfa_devices SET owner = NULL, enabled = NULL, drift = 0"
			" WHERE serial = $1",
			"s", serial);
	if (rc == 0)
		store_tx_bump(c->tx);
	return rc;
}

int iam_list_mfa_devices(struct aws_call *c, struct err *e)
{
	struct iam_user storage, *u;
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0;
	json_t *devs;
	int rc;

	if ((rc = iam_target_user(&u, &storage, c, e)) < 0 || (rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	devs = json_array();
	c->out = json_pack("{s:o}", "MFADevices", devs);
	if (c->out == NULL)
		return err_oom(e);
	rc = store_query(&q, c->tx, e,
			 "SELECT serial, enabled FROM mfa_devices WHERE owner = $1"
			 " ORDER BY enabled, serial LIMIT $2 OFFSET $3",
			 "sii", owner_of(c, u), (int64_t)(pg.limit + 1), (int64_t)pg.offset);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1) {
		json_t *d;

		if (++seen > pg.limit)
			break;
		d = json_pack("{s:s, s:o}", "SerialNumber", store_col_text(q, 0), "EnableDate",
			      aws_time(store_col_int(q, 1)));
		if (d && u)
			json_object_set_new(d, "UserName", json_string(u->name));
		json_array_append_new(devs, d);
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_list_virtual_mfa_devices(struct aws_call *c, struct err *e)
{
	const char *status = aws_in_str(c, "AssignmentStatus");
	struct store_stmt *q = NULL;
	struct iam_page pg;
	int64_t seen = 0, which;
	json_t *devs;
	int rc;

	if ((rc = iam_page_init(&pg, c, e)) < 0)
		return rc;
	/* 0: any, 1: assigned, 2: unassigned */
	which = status == NULL || strcmp(status, "Any") == 0 ? 0
		: strcmp(status, "Assigned") == 0		  ? 1
								  : 2;
	devs = json_array();
	c->out = json_pack("{s:o}", "VirtualMFADevices", devs);
	if (c->out == NULL)
		return err_oom(e);
	rc = store_query(&q, c->tx, e,
			 "SELECT d.serial, d.owner, d.enabled, u.id FROM mfa_devices d"
			 " LEFT JOIN users u ON u.id = d.owner WHERE d.account = $1"
			 " AND ($2 = 0 OR ($2 = 1) = (d.owner IS NOT NULL))"
			 " ORDER BY d.serial LIMIT $3 OFFSET $4",
			 "siii", c->caller->account, which, (int64_t)(pg.limit + 1),
			 (int64_t)pg.offset);
	if (rc < 0)
		return rc;
	while ((rc = store_step(q, e)) == 1) {
		json_t *d;

		if (++seen > pg.limit)
			break;
		d = json_pack("{s:s}", "SerialNumber", store_col_text(q, 0));
		if (d && !store_col_null(q, 1)) {
			struct iam_user u;
			struct err e2 = ERR_INIT;

			json_object_set_new(d, "EnableDate", aws_time(store_col_int(q, 2)));
			if (!store_col_null(q, 3) &&
			    iam_user_by_id(&u, c, store_col_text(q, 3), &e2) == 0)
				json_object_set_new(d, "User", iam_user_json(c, &u, false));
			else if (store_col_null(q, 3))
				json_object_set_new(
					d, "User",
					json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", "/", "UserName",
						  "root", "UserId", c->caller->account, "Arn",
						  arena_printf(c->ar, "arn:aws:iam::%s:root",
							       c->caller->account),
						  "CreateDate", aws_time(0)));
		}
		json_array_append_new(devs, d);
	}
	store_stmt_free(q);
	if (rc < 0)
		return rc;
	iam_page_finish(c->out, &pg, seen);
	return 0;
}

int iam_delete_virtual_mfa_device(struct aws_call *c, struct err *e)
{
	const char *serial = aws_in_str(c, "SerialNumber");
	struct store_stmt *q = NULL;
	int rc;

	if ((rc = device_find(&q, c, serial, e)) < 0)
		return rc;
	if (!store_col_null(q, 1)) {
		store_stmt_free(q);
		return err_set(e, CC_ECONFLICT, "DeleteConflict",
			       "MFA VirtualDevice in use. Must deactivate first.");
	}
	store_stmt_free(q);
	rc = store_exec(c->tx, e, "DELETE FROM mfa_devices WHERE serial = $1", "s", serial);
	if (rc == 0)
		store_tx_bump(c->tx);
	return rc;
}

int iam_res_mfa(struct aws_call *c, const char **out, struct err *e)
{
	const char *serial = aws_in_str(c, "SerialNumber");

	if (serial && strncmp(serial, "arn:aws:iam::", 13) == 0) {
		*out = serial;
		return 0;
	}
	*out = iam_arn(c, "mfa", "/", serial ? serial : "");
	return *out ? 0 : err_oom(e);
}

int iam_res_mfa_new(struct aws_call *c, const char **out, struct err *e)
{
	const char *path = aws_in_str(c, "Path");

	*out = iam_arn(c, "mfa", path ? path : "/", aws_in_str(c, "VirtualMFADeviceName"));
	return *out ? 0 : err_oom(e);
}
