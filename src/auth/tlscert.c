/*
 * tlscert.c - the HTTPS listener's certificate and private key: reading and
 * checking a PEM pair before the listener hands it to GnuTLS (so that a bad
 * file is a clear start-up error naming the file, not a bare "cannot
 * listen"), and making a self-signed pair for trying HTTPS out.
 *
 * This file does not speak TLS (libmicrohttpd and GnuTLS do) and knows
 * nothing of HTTP.  The contract is the TLS section at the end of auth.h.
 * The private key only ever lives in wiped memory here: struct secret, and
 * OpenSSL's secure BIOs when it is written.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "auth.h"

#define TLS_FILE_MAX ((size_t)1 << 20) /* bytes; a long chain is a few KiB */
#define TLS_HOST_MAX 253               /* a DNS name's longest text form */

static int ossl_fail(struct err *e, int code, const char *what, const char *path);
static int no_passphrase(char *buf, int size, int rwflag, void *u);
static int read_key_file(struct secret *out, const char *path, struct err *e);
static void cert_info(struct tlscert_info *out, X509 *x);
static int san_add(struct buf *san, const char *host, struct err *e);
static int add_ext(X509 *x, int nid, const char *value);

/* OpenSSL's own reason, if any, after ours; the queue is emptied */
static int ossl_fail(struct err *e, int code, const char *what, const char *path)
{
	unsigned long oe = ERR_peek_last_error();
	char why[160];

	if (oe != 0) {
		ERR_error_string_n(oe, why, sizeof(why));
		err_set(e, code, NULL, "'%s': %s (%s)", path, what, why);
	} else {
		err_set(e, code, NULL, "'%s': %s", path, what);
	}
	ERR_clear_error();
	return code;
}

/* A server cannot ask anyone for a passphrase: encrypted keys are refused
 * (OpenSSL's default callback would prompt on the terminal). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The whole key file into one wiped buffer (file_read's growing buffer would
 * leave unwiped copies behind), NUL-terminated for GnuTLS's strlen. */
static int read_key_file(struct secret *out, const char *path, struct err *e)
{
	struct stat sb;
	unsigned char *p = NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno == ENOENT ? CC_ENOTFOUND : CC_ERROR, NULL,
			       "cannot open TLS key '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > TLS_FILE_MAX) {
		close(fd);
		return err_set(e, CC_EINVAL, NULL, "TLS key '%s' is not a regular file of at most %zu bytes",
			       path, TLS_FILE_MAX);
	}
	if (sb.st_mode & 077)
		log_warnx("tls: key '%s' can be read by others (mode %03o); chmod 600 it", path,
			  (unsigned)(sb.st_mode & 0777));
	p = malloc((size_t)sb.st_size + 1);
	if (p == NULL) {
		close(fd);
		return err_oom(e);
	}
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + n, (size_t)sb.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err_set(e, CC_ERROR, NULL, "cannot read TLS key '%s': %s", path,
				r < 0 ? strerror(errno) : "file shrank while reading");
			mem_wipe(p, n);
			free(p);
			close(fd);
			return CC_ERROR;
		}
		n += (size_t)r;
	}
	close(fd);
	p[n] = '\0';
	secret_release(out);
	out->ptr = p; /* handed over: out wipes it */
	out->len = n;
	return 0;
}

static void cert_info(struct tlscert_info *out, X509 *x)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct tm tm;

	memset(out, 0, sizeof(*out));
	/* the form `openssl x509 -fingerprint -sha256` prints: AB:CD:... */
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32) {
		for (i = 0; i < mdlen; i++) {
			out->fingerprint[3 * i] = hex[md[i] >> 4];
			out->fingerprint[3 * i + 1] = hex[md[i] & 15];
			out->fingerprint[3 * i + 2] = i + 1 < mdlen ? ':' : '\0';
		}
	}
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		out->not_after = (int64_t)timegm(&tm);
	X509_NAME_oneline(X509_get_subject_name(x), out->subject, sizeof(out->subject));
}

int tlscert_load(struct buf *cert_out, struct secret *key_out, struct tlscert_info *info_out,
		 const char *cert_path, const char *key_path, struct err *e)
{
	struct buf cert = BUF_INIT(TLS_FILE_MAX);
	struct secret key = {NULL, 0};
	BIO *bio = NULL;
	X509 *x = NULL;
	EVP_PKEY *pk = NULL;
	int rc;

	if ((rc = file_read(&cert, cert_path, e)) < 0) {
		char why[sizeof(e->msg)];

		memcpy(why, e->msg, sizeof(why)); /* e->msg is both source and target */
		err_set(e, rc, NULL, "cannot read TLS certificate: %s", why);
		goto out;
	}
	rc = CC_EINVAL;
	/* the file may hold the chain, leaf first: the leaf must match the key */
	if ((bio = BIO_new_mem_buf(cert.ptr, (int)cert.len)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) == NULL) {
		ossl_fail(e, rc, "not a PEM certificate (BEGIN CERTIFICATE)", cert_path);
		goto out;
	}
	BIO_free(bio);
	bio = NULL;
	if ((rc = read_key_file(&key, key_path, e)) < 0)
		goto out;
	rc = CC_EINVAL;
	if ((bio = BIO_new_mem_buf(key.ptr, (int)key.len)) == NULL ||
	    (pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL) {
		if (strstr((const char *)key.ptr, "ENCRYPTED") != NULL) {
			ERR_clear_error();
			err_set(e, rc, NULL, "TLS key '%s' is encrypted; commitd needs it "
				"unencrypted (and mode 0600)", key_path);
		} else {
			ossl_fail(e, rc, "not a PEM private key (BEGIN PRIVATE KEY)", key_path);
		}
		goto out;
	}
	if (X509_check_private_key(x, pk) != 1) {
		ERR_clear_error();
		err_set(e, rc, NULL, "TLS key '%s' does not belong to the certificate '%s'",
			key_path, cert_path);
		goto out;
	}
	cert_info(info_out, x);
	buf_release(cert_out);
	*cert_out = cert; /* handed over */
	cert = (struct buf)BUF_INIT(0);
	secret_release(key_out);
	*key_out = key; /* handed over */
	key.ptr = NULL;
	key.len = 0;
	rc = 0;
out:
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(pk);
	secret_release(&key);
	buf_release(&cert);
	return rc;
}

/* ---- self-signed pairs ------------------------------------------------------ */

/* One subjectAltName entry.  The names are checked strictly because the
 * list is handed to OpenSSL's config parser, where a comma starts a new entry. */
static int san_add(struct buf *san, const char *host, struct err *e)
{
	unsigned char ip[16];
	char text[INET6_ADDRSTRLEN];
	size_t n = strlen(host), label = 0, i;

	if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
		int af = strchr(host, ':') ? AF_INET6 : AF_INET;

		inet_ntop(af, ip, text, sizeof(text));
		buf_printf(san, "%sIP:%s", san->len ? "," : "", text);
		return 0;
	}
	if (n == 0 || n > TLS_HOST_MAX)
		goto bad;
	i = strncmp(host, "*.", 2) == 0 ? 2 : 0; /* a wildcard only as the first label */
	for (; i <= n; i++) {
		char c = host[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63)
				goto bad;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '-') {
			label++;
		} else {
			goto bad;
		}
	}
	buf_printf(san, "%sDNS:%s", san->len ? "," : "", host);
	return 0; /* the caller checks buf_failed() once */
bad:
	return err_set(e, CC_EINVAL, NULL,
		       "--tls-host '%s' is neither an IP address nor a DNS name", host);
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0); /* self-signed: issuer is x */
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

int tlscert_self_signed(struct tlscert_info *out, const char *cert_path, const char *key_path,
			const char *const *hosts, size_t nhosts, unsigned days, struct err *e)
{
	static const char *const defaults[] = {"localhost", "127.0.0.1", "::1"};
	struct buf san = BUF_INIT(8192);
	unsigned char serial[16];
	const char *cn = "localhost";
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	BIO *cbio = NULL, *kbio = NULL;
	char *data;
	long len;
	struct stat sb;
	size_t i, j;
	bool key_written = false;
	int rc = CC_ERROR;

	if (stat(cert_path, &sb) == 0 || stat(key_path, &sb) == 0)
		return err_set(e, CC_EEXISTS, NULL, "'%s' already exists and was left alone; remove "
			       "the old certificate and key to make a new pair",
			       stat(cert_path, &sb) == 0 ? cert_path : key_path);
	for (i = 0; i < ARRAY_SIZE(defaults); i++)
		san_add(&san, defaults[i], e);
	for (i = 0; i < nhosts; i++) {
		bool dup = false;

		for (j = 0; j < ARRAY_SIZE(defaults); j++)
			dup = dup || strcmp(hosts[i], defaults[j]) == 0;
		if (!dup && (rc = san_add(&san, hosts[i], e)) < 0)
			goto out;
		if (i == 0 && strlen(hosts[0]) <= 64) /* the CN field's limit */
			cn = hosts[0];
	}
	rc = CC_ERROR;
	if (buf_failed(&san)) {
		err_set(e, CC_EINVAL, NULL, "too many --tls-host names");
		goto out;
	}
	/* P-256: small, fast, and what GnuTLS, OpenSSL and every client accept */
	if ((pk = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    rand_bytes(serial, sizeof(serial)) < 0)
		goto ossl;
	serial[0] &= 0x7f; /* a positive serial number (RFC 5280) */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    /* a few minutes back, for clients whose clocks run a little behind */
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) == NULL ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
				       (const unsigned char *)"commitd", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				       (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    X509_set_pubkey(x, pk) != 1)
		goto ossl;
	/* the extensions `openssl req -x509` gives, which git (GnuTLS) and the
	 * AWS CLI (OpenSSL) both accept as their own trust anchor, plus the names */
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, NID_authority_key_identifier, "keyid:always") < 0 ||
	    add_ext(x, NID_subject_alt_name, san.ptr) < 0 ||
	    X509_sign(x, pk, EVP_sha256()) <= 0)
		goto ossl;

	/* the key first: a certificate without its key is of no use */
	if ((kbio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(kbio, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (len = BIO_get_mem_data(kbio, &data)) <= 0)
		goto ossl;
	if ((rc = file_write_atomic(key_path, data, (size_t)len, 0600, e)) < 0)
		goto out;
	key_written = true;
	rc = CC_ERROR;
	if ((cbio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_X509(cbio, x) != 1 ||
	    (len = BIO_get_mem_data(cbio, &data)) <= 0)
		goto ossl;
	if ((rc = file_write_atomic(cert_path, data, (size_t)len, 0644, e)) < 0)
		goto out;
	cert_info(out, x);
	rc = 0;
	goto out;
ossl:
	ossl_fail(e, CC_ERROR, "cannot make a self-signed certificate", cert_path);
out:
	if (rc < 0 && key_written)
		unlink(key_path); /* a key without its certificate is of no use */
	BIO_free(cbio);
	BIO_free(kbio); /* a secure BIO: wiped as it is freed */
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pk);
	buf_release(&san);
	return rc;
}
