/*
 * fuzz_sshkey.c - libFuzzer target for SSH public keys (src/auth/sshkey.c):
 * the input is the text of an IAM SSHPublicKeyBody (OpenSSH one-line form or
 * PEM).  A key that parses is fingerprinted and written back as OpenSSH and
 * PEM text.
 *
 * Checked beyond "no crash": both written forms parse again to the same wire
 * blob and key type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reparse(const struct buf *text, const struct buf *blob, const char *type)
{
	struct buf blob2 = BUF_INIT(0);
	struct err e = ERR_INIT;
	char type2[32];

	if (sshkey_parse(&blob2, type2, sizeof type2, text->ptr, text->len, &e) < 0)
		abort(); /* we wrote a key we cannot read */
	if (blob2.len != blob->len || memcmp(blob2.ptr, blob->ptr, blob->len) != 0 ||
	    strcmp(type, type2) != 0)
		abort(); /* and it is not the same key */
	buf_release(&blob2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf blob = BUF_INIT(0), text = BUF_INIT(0);
	struct err e = ERR_INIT;
	char type[32], small[4], fp[48];
	char *in;

	if ((in = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	/* a type buffer too small for the name must not overflow */
	(void)sshkey_parse(&blob, small, sizeof small, in, size, &e);
	buf_clear(&blob);
	err_clear(&e);
	if (sshkey_parse(&blob, type, sizeof type, in, size, &e) == 0) {
		sshkey_fingerprint_md5(fp, blob.ptr, blob.len);
		if (strlen(fp) != 47)
			abort();
		if (sshkey_to_openssh(&text, blob.ptr, blob.len, &e) < 0)
			abort(); /* a parsed blob is always writable */
		reparse(&text, &blob, type);
		if (sshkey_to_pem(&text, blob.ptr, blob.len, &e) < 0)
			abort();
		reparse(&text, &blob, type);
	}
	/* the input taken as a wire blob */
	err_clear(&e);
	if (sshkey_to_openssh(&text, in, size, &e) == 0)
		(void)sshkey_to_pem(&text, in, size, &e);
	buf_release(&text);
	buf_release(&blob);
	free(in);
	return 0;
}
