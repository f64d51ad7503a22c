/*
 * hostkey.c - the SSH host keys: made once (by `commitd init`, or by `serve`
 * for a data directory made before SSH existed) and kept in DIR/ssh, so that
 * clients never see "host key changed" after a restart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libssh/libssh.h>

#include "ssh_int.h"

static const struct {
	const char *file;
	enum ssh_keytypes_e type;
	int bits;
} hostkeys[] = {
	{"host_ed25519_key", SSH_KEYTYPE_ED25519, 0},
	{"host_rsa_key", SSH_KEYTYPE_RSA, 3072}, /* for clients without ed25519 */
};

int sshd_hostkey_path(struct buf *out, const char *data_dir, size_t i)
{
	buf_clear(out);
	if (i >= ARRAY_SIZE(hostkeys))
		return -1;
	buf_printf(out, "%s/ssh/%s", data_dir, hostkeys[i].file);
	return buf_failed(out) ? -1 : 0;
}

static int make_key(const char *path, size_t i, struct err *e)
{
	ssh_key key = NULL;
	char *pem = NULL;
	int rc;

	if (ssh_pki_generate(hostkeys[i].type, hostkeys[i].bits, &key) != SSH_OK)
		return err_set(e, CC_ERROR, NULL, "cannot generate an SSH host key (%s)",
			       hostkeys[i].file);
	if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &pem) != SSH_OK) {
		ssh_key_free(key);
		return err_set(e, CC_ERROR, NULL, "cannot encode the SSH host key %s", path);
	}
	rc = file_write_atomic(path, pem, strlen(pem), 0600, e);
	mem_wipe(pem, strlen(pem));
	ssh_string_free_char(pem);
	ssh_key_free(key);
	return rc;
}

int sshd_hostkeys_ensure(const char *data_dir, int *created, struct err *e)
{
	struct buf path = BUF_INIT(0);
	struct stat sb;
	size_t i;
	int rc = 0;

	*created = 0;
	buf_printf(&path, "%s/ssh", data_dir);
	if (buf_failed(&path) || (mkdir(buf_cstr(&path), 0700) < 0 && errno != EEXIST)) {
		rc = err_set(e, CC_ERROR, NULL, "cannot create %s: %s", buf_cstr(&path),
			     strerror(errno));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(hostkeys); i++) {
		if (sshd_hostkey_path(&path, data_dir, i) < 0) {
			rc = err_oom(e);
			goto out;
		}
		if (stat(buf_cstr(&path), &sb) == 0)
			continue;
		if ((rc = make_key(buf_cstr(&path), i, e)) < 0)
			goto out;
		(*created)++;
	}
out:
	buf_release(&path);
	return rc;
}

int sshd_hostkeys_describe(struct buf *out, const char *data_dir, struct err *e)
{
	struct buf path = BUF_INIT(0);
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(hostkeys) && rc == 0; i++) {
		ssh_key key = NULL;
		unsigned char *hash = NULL;
		size_t hlen = 0;
		char *fp;

		if (sshd_hostkey_path(&path, data_dir, i) < 0 ||
		    ssh_pki_import_privkey_file(buf_cstr(&path), NULL, NULL, NULL, &key) != SSH_OK) {
			rc = err_set(e, CC_ERROR, NULL, "cannot read the SSH host key %s",
				     buf_cstr(&path));
			break;
		}
		if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0 &&
		    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen)) != NULL) {
			buf_printf(out, "%s %s\n", ssh_key_type_to_char(ssh_key_type(key)), fp);
			ssh_string_free_char(fp);
		}
		ssh_clean_pubkey_hash(&hash);
		ssh_key_free(key);
	}
	buf_release(&path);
	return rc;
}
