/*
 * sshkey.c - tests of auth/sshkey.c: the OpenSSH and PEM forms of public
 * keys, the strictness of the wire-blob parser, the MD5 fingerprint
 * (checked against `ssh-keygen -l -E md5`) and the SSH/PEM encodings.
 * The keys below are public keys made with ssh-keygen for these tests.
 */
#include "unit.h"

#include "auth/auth.h"

static const char ED25519[] =
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIGlyeZ7kiesxZcYPQG4u0mQqu21WS2Yx96GRRE0hcUR"
	" alice@example";
static const char ED25519_MD5[] = "e0:58:7e:b8:1a:f9:05:87:9f:78:7a:0d:24:30:78:5b";
static const char ED25519_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAgaXJ5nuSJ6zFlxg9Abi7SZCq7bVZLZjH3oZFETSFxRE=\n"
	"-----END PUBLIC KEY-----";

static const char RSA2048[] =
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCsJo339HWZ/qDLOt/PYl8YxzMM++ZRTcnsNymINdtMNwscil3hP6"
	"jtLExUlJXsDGBekTp4/cNVf2WI3SLKDDFSq2JvHUUusVH4Wbn+JNDpuRZkWtDQqEjFVdBSahdUsehP1qS7AkBRUdw"
	"Pm+7cByrtdfm5SM34nVQ2Va90Kqk1IPNVSs3G5eh9iwyukRYVm56FU2QRflERS6mCd8fNzQiPSGJYu9kPAZhHgwwy5"
	"z5traQeXgm2IYxryc/zVqqaGFu2UtBSw+DtUCH0sAjjmthh/MtuO6W+yDtVWTUEJrcc/mbwdV9Kp12cbYcjiiFnacSb"
	"ajtQ4zqm0P4k95wwd7jr bob@example";
static const char RSA2048_MD5[] = "cd:b4:f5:6e:28:99:3e:9d:78:90:9b:ba:2c:87:cc:51";
static const char RSA2048_PKCS8[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArCaN9/R1mf6gyzrfz2Jf\n"
	"GMczDPvmUU3J7DcpiDXbTDcLHIpd4T+o7SxMVJSV7AxgXpE6eP3DVX9liN0iygwx\n"
	"Uqtibx1FLrFR+Fm5/iTQ6bkWZFrQ0KhIxVXQUmoXVLHoT9akuwJAUVHcD5vu3Acq\n"
	"7XX5uUjN+J1UNlWvdCqpNSDzVUrNxuXofYsMrpEWFZuehVNkEX5REUupgnfHzc0I\n"
	"j0hiWLvZDwGYR4MMMuc+ba2kHl4JtiGMa8nP81aqmhhbtlLQUsPg7VAh9LAI45rY\n"
	"YfzLbjulvsg7VVk1BCa3HP5m8HVfSqddnG2HI4ohZ2nEm2o7UOM6ptD+JPecMHe4\n"
	"6wIDAQAB\n"
	"-----END PUBLIC KEY-----";
static const char RSA2048_PKCS1[] =
	"-----BEGIN RSA PUBLIC KEY-----\n"
	"MIIBCgKCAQEArCaN9/R1mf6gyzrfz2JfGMczDPvmUU3J7DcpiDXbTDcLHIpd4T+o\n"
	"7SxMVJSV7AxgXpE6eP3DVX9liN0iygwxUqtibx1FLrFR+Fm5/iTQ6bkWZFrQ0KhI\n"
	"xVXQUmoXVLHoT9akuwJAUVHcD5vu3Acq7XX5uUjN+J1UNlWvdCqpNSDzVUrNxuXo\n"
	"fYsMrpEWFZuehVNkEX5REUupgnfHzc0Ij0hiWLvZDwGYR4MMMuc+ba2kHl4JtiGM\n"
	"a8nP81aqmhhbtlLQUsPg7VAh9LAI45rYYfzLbjulvsg7VVk1BCa3HP5m8HVfSqdd\n"
	"nG2HI4ohZ2nEm2o7UOM6ptD+JPecMHe46wIDAQAB\n"
	"-----END RSA PUBLIC KEY-----\n";

static const char RSA1024[] =
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCoBTIMADHCqzMUgKn8FoM7I1jmZgzEbV2HKpRrlkUoujf924BtkP"
	"l8/gBfYGGcGAuordmbB8qtm6C/d49wU3xRz/inlYgV7l3iJUu4YDExuQYvyCaB6cD+l7qXZsqk4dCvr9hFgs153jk5"
	"/fu7eLPrYpdvz0NVEVRJYHzNwpfuFw== weak";

static const char ECDSA[] =
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIHxsvgygc/XxmObB"
	"Wv/rYHDBxkXAoG4Bg9hoDoNKMqmZnrql2yWmmtaQvPWqNrYgTdErmRp9YQ2dMKQgZ1Pk/8= ec";

/* the cases, declared for -Wmissing-prototypes */
void test_auth_sshkey__ed25519_openssh(void);
void test_auth_sshkey__rsa_openssh(void);
void test_auth_sshkey__pem_forms_give_the_same_blob(void);
void test_auth_sshkey__whitespace_and_no_comment(void);
void test_auth_sshkey__weak_rsa_refused(void);
void test_auth_sshkey__other_types_unrecognized(void);
void test_auth_sshkey__type_must_match_blob(void);
void test_auth_sshkey__malformed_blobs(void);
void test_auth_sshkey__encodings_round_trip(void);

/* parses text; returns the error code and, on success, the fingerprint */
static int parse(const char *text, char type[16], char fp[48], struct err *e)
{
	struct buf blob = BUF_INIT(0);
	int rc;

	err_clear(e);
	rc = sshkey_parse(&blob, type, 16, text, strlen(text), e);
	if (rc == 0)
		sshkey_fingerprint_md5(fp, blob.ptr, blob.len);
	buf_release(&blob);
	return rc;
}

void test_auth_sshkey__ed25519_openssh(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];

	REQUIRE(parse(ED25519, type, fp, &e) == 0);
	CHECK_STR(type, "ssh-ed25519");
	CHECK_STR(fp, ED25519_MD5);
}

void test_auth_sshkey__rsa_openssh(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];

	REQUIRE(parse(RSA2048, type, fp, &e) == 0);
	CHECK_STR(type, "ssh-rsa");
	CHECK_STR(fp, RSA2048_MD5);
	CHECK_INT(strlen(fp), 47);
}

void test_auth_sshkey__pem_forms_give_the_same_blob(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];

	REQUIRE(parse(RSA2048_PKCS8, type, fp, &e) == 0);
	CHECK_STR(type, "ssh-rsa");
	CHECK_STR(fp, RSA2048_MD5);
	REQUIRE(parse(RSA2048_PKCS1, type, fp, &e) == 0);
	CHECK_STR(fp, RSA2048_MD5);
	REQUIRE(parse(ED25519_PEM, type, fp, &e) == 0);
	CHECK_STR(type, "ssh-ed25519");
	CHECK_STR(fp, ED25519_MD5);
}

void test_auth_sshkey__whitespace_and_no_comment(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48], text[1024];

	snprintf(text, sizeof(text), "\n  %.*s\r\n", (int)(sizeof(ED25519) - 1 - 14), ED25519);
	REQUIRE(parse(text, type, fp, &e) == 0);
	CHECK_STR(fp, ED25519_MD5);
}

void test_auth_sshkey__weak_rsa_refused(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];

	CHECK_INT(parse(RSA1024, type, fp, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidPublicKey");
	CHECK(strstr(e.msg, "2048") != NULL);
}

void test_auth_sshkey__other_types_unrecognized(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];

	CHECK_INT(parse(ECDSA, type, fp, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "UnrecognizedPublicKeyEncoding");
	CHECK_INT(parse("hello world", type, fp, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "UnrecognizedPublicKeyEncoding");
	CHECK_INT(parse("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----", type, fp,
			&e), CC_EINVAL);
	CHECK(e.aws_code != NULL);
}

void test_auth_sshkey__type_must_match_blob(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48], text[1024];

	/* an ed25519 blob labelled ssh-rsa */
	snprintf(text, sizeof(text), "ssh-rsa %s", ED25519 + strlen("ssh-ed25519 "));
	CHECK_INT(parse(text, type, fp, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidPublicKey");
}

void test_auth_sshkey__malformed_blobs(void)
{
	struct err e = ERR_INIT;
	char type[16], fp[48];
	unsigned char blob[128];
	char text[512], b64[256];
	size_t n;

	/* trailing garbage after a valid ed25519 key */
	memcpy(blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
	memset(blob + 19, 7, 32);
	blob[51] = 1;
	n = b64_encode(b64, sizeof(b64), blob, 52);
	snprintf(text, sizeof(text), "ssh-ed25519 %.*s", (int)n, b64);
	CHECK_INT(parse(text, type, fp, &e), CC_EINVAL);
	CHECK_STR(e.aws_code, "InvalidPublicKey");

	/* exactly the key: accepted */
	n = b64_encode(b64, sizeof(b64), blob, 51);
	snprintf(text, sizeof(text), "ssh-ed25519 %.*s", (int)n, b64);
	CHECK_INT(parse(text, type, fp, &e), 0);

	/* a length that runs past the end */
	blob[18] = 0x40;
	n = b64_encode(b64, sizeof(b64), blob, 51);
	snprintf(text, sizeof(text), "ssh-ed25519 %.*s", (int)n, b64);
	CHECK_INT(parse(text, type, fp, &e), CC_EINVAL);

	/* not base64, missing data, two lines */
	CHECK_INT(parse("ssh-ed25519 !!!!", type, fp, &e), CC_EINVAL);
	CHECK_INT(parse("ssh-ed25519", type, fp, &e), CC_EINVAL);
	snprintf(text, sizeof(text), "%s\n%s", ED25519, ED25519);
	CHECK_INT(parse(text, type, fp, &e), CC_EINVAL);
	CHECK_INT(parse("", type, fp, &e), CC_EINVAL);
	CHECK_INT(parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", type, fp, &e),
		  CC_EINVAL);
}

void test_auth_sshkey__encodings_round_trip(void)
{
	struct buf blob = BUF_INIT(0), out = BUF_INIT(0);
	struct err e = ERR_INIT;
	char type[16];

	REQUIRE(sshkey_parse(&blob, type, sizeof(type), RSA2048, strlen(RSA2048), &e) == 0);
	REQUIRE(sshkey_to_openssh(&out, blob.ptr, blob.len, &e) == 0);
	CHECK(strncmp(out.ptr, RSA2048, out.len) == 0 && RSA2048[out.len] == ' ');
	REQUIRE(sshkey_to_pem(&out, blob.ptr, blob.len, &e) == 0);
	CHECK_STR(out.ptr, RSA2048_PKCS8);

	REQUIRE(sshkey_parse(&blob, type, sizeof(type), ED25519, strlen(ED25519), &e) == 0);
	REQUIRE(sshkey_to_pem(&out, blob.ptr, blob.len, &e) == 0);
	CHECK_STR(out.ptr, ED25519_PEM);
	REQUIRE(sshkey_to_openssh(&out, blob.ptr, blob.len, &e) == 0);
	CHECK(strncmp(out.ptr, ED25519, out.len) == 0);
	buf_release(&blob);
	buf_release(&out);
}
