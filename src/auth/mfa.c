/*
 * mfa.c - virtual MFA devices: TOTP codes (RFC 6238: HMAC-SHA1, 30-second
 * steps, 6 digits), the seed's Base32 text, the otpauth:// QR code as a PNG,
 * and the check every MFA-protected call makes (GetSessionToken, and
 * AssumeRole later): the code must be the device's for this step or the
 * next or previous one, and later than any code it accepted before, so no
 * code is ever accepted twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>
#include <zlib.h>

#include "auth.h"

int totp_code(const unsigned char *key, size_t n, int64_t step)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off;
	uint32_t bin;
	int i;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)n, msg, sizeof(msg), mac, &maclen) == NULL || maclen < 20)
		return -1;
	off = mac[maclen - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	mem_wipe(mac, sizeof(mac));
	return (int)(bin % 1000000);
}

bool totp_code_ok(const char *code)
{
	return code && strlen(code) == 6 && strspn(code, "0123456789") == 6;
}

/* the step in [from, to] whose code is code, or -1; every step is tried */
int64_t totp_find(const unsigned char *key, size_t n, const char *code, int64_t from, int64_t to)
{
	int64_t s, found = -1;
	uint64_t want;

	if (!totp_code_ok(code) || parse_u64(code, 6, 0, 999999, &want) < 0)
		return -1;
	for (s = from; s <= to; s++)
		if (totp_code(key, n, s) == (int)want && found < 0)
			found = s;
	return found;
}

/* ---- the QR code, as a PNG ------------------------------------------------- */

#define QR_SCALE 6  /* pixels per module */
#define QR_QUIET 4  /* modules of white border, as the standard asks */

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};

	buf_add(b, x, 4);
}

static void png_chunk(struct buf *b, const char *type, const void *data, size_t n)
{
	uLong crc = crc32(0, (const Bytef *)type, 4);

	put_u32(b, (uint32_t)n);
	buf_add(b, type, 4);
	if (n)
		buf_add(b, data, n);
	crc = crc32(crc, (const Bytef *)data, (uInt)n);
	put_u32(b, (uint32_t)crc);
}

int mfa_qr_png(struct buf *out, const char *text, struct err *e)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	unsigned char ihdr[13];
	unsigned char *raw = NULL, *z = NULL;
	size_t side, row, x, y, rawlen;
	uLongf zlen;
	int rc = 0;

	if (qr == NULL)
		return err_set(e, CC_ERROR, NULL, "cannot make the QR code");
	side = ((size_t)qr->width + 2 * QR_QUIET) * QR_SCALE;
	row = side + 1; /* a filter byte, then one grey byte per pixel */
	rawlen = row * side;
	raw = malloc(rawlen);
	zlen = compressBound((uLong)rawlen);
	z = malloc(zlen);
	if (raw == NULL || z == NULL) {
		rc = err_oom(e);
		goto out;
	}
	for (y = 0; y < side; y++) {
		unsigned char *r = raw + y * row;
		long my = (long)(y / QR_SCALE) - QR_QUIET;

		r[0] = 0;
		for (x = 0; x < side; x++) {
			long mx = (long)(x / QR_SCALE) - QR_QUIET;
			bool dark = my >= 0 && mx >= 0 && my < qr->width && mx < qr->width &&
				    (qr->data[my * qr->width + mx] & 1);

			r[1 + x] = dark ? 0 : 255;
		}
	}
	if (compress2(z, &zlen, raw, (uLong)rawlen, 9) != Z_OK) {
		rc = err_set(e, CC_ERROR, NULL, "cannot compress the QR code");
		goto out;
	}
	buf_add(out, "\x89PNG\r\n\x1a\n", 8);
	ihdr[0] = (unsigned char)(side >> 24);
	ihdr[1] = (unsigned char)(side >> 16);
	ihdr[2] = (unsigned char)(side >> 8);
	ihdr[3] = (unsigned char)side;
	memcpy(ihdr + 4, ihdr, 4);
	ihdr[8] = 8;  /* bits per sample */
	ihdr[9] = 0;  /* greyscale */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering */
	ihdr[12] = 0; /* no interlace */
	png_chunk(out, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(out, "IDAT", z, zlen);
	png_chunk(out, "IEND", NULL, 0);
	if (buf_failed(out))
		rc = err_oom(e);
out:
	free(raw);
	free(z);
	QRcode_free(qr);
	return rc;
}

/* ---- the check ---------------------------------------------------------------- */

int mfa_check(struct store_tx *tx, const struct sealer *sl, const char *serial,
	      const char *owner, const char *code, int64_t now, struct err *e)
{
	struct store_stmt *q = NULL;
	struct secret seed = {NULL, 0};
	int64_t last = 0, drift = 0, step, cur = now / TOTP_STEP;
	int rc;

	rc = store_query(&q, tx, e,
			 "SELECT seed, last_step, drift FROM mfa_devices WHERE serial = $1"
			 " AND owner = $2",
			 "ss", serial, owner);
	if (rc == 0 && (rc = store_step(q, e)) == 1) {
		size_t n = 0;
		const void *ct = store_col_blob(q, 0, &n);

		last = store_col_int(q, 1);
		drift = store_col_int(q, 2);
		rc = unseal(sl, &seed, ct, n, serial, e);
	} else if (rc == 0) {
		rc = err_set(e, CC_EDENIED, "AccessDenied",
			     "MultiFactorAuthentication failed: no MFA device %s for this user",
			     serial);
	}
	store_stmt_free(q);
	if (rc < 0)
		goto out;
	cur += drift;
	step = totp_find(seed.ptr, seed.len, code, cur - 1, cur + 1);
	if (step < 0 || step <= last) {
		rc = err_set(e, CC_EDENIED, "AccessDenied",
			     step < 0 ? "MultiFactorAuthentication failed with invalid MFA one time"
					" pass code."
				      : "MultiFactorAuthentication failed: that MFA code was already"
					" used; wait for the next one");
		goto out;
	}
	rc = store_exec(tx, e, "UPDATE mfa_devices SET last_step = $1 WHERE serial = $2", "is",
			step, serial);
out:
	secret_release(&seed);
	return rc;
}
