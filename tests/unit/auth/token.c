/* tests of src/auth/token.c and src/auth/seal.c */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "unit.h"

static struct sealer *test_sealer(char *path, size_t n)
{
	struct sealer *sl = NULL;
	struct err e = ERR_INIT;

	snprintf(path, n, "/tmp/commitd-unit-key.%ld", (long)getpid());
	unlink(path);
	if (seal_keyfile_create(path, &e) < 0 || seal_open(&sl, path, &e) < 0)
		return NULL;
	return sl;
}

static void make_session(struct session *s, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->who.kind = PRINCIPAL_USER;
	snprintf(s->who.access_key_id, sizeof(s->who.access_key_id), "ASIAEXAMPLEEXAMPLE12");
	snprintf(s->who.account, sizeof(s->who.account), "123456789012");
	snprintf(s->who.arn, sizeof(s->who.arn), "arn:aws:iam::123456789012:user/Sonali");
	snprintf(s->secret, sizeof(s->secret), "secretsecretsecretsecretsecretsecret1234");
	s->who.token_issued = now;
	s->who.expires = now + 900;
}

void test_auth_token__round_trip_and_expiry(void)
{
	char path[64];
	struct sealer *sl = test_sealer(path, sizeof(path));
	struct buf tok = BUF_INIT(0);
	struct session in, out;
	struct err e = ERR_INIT;

	REQUIRE(sl != NULL);
	make_session(&in, 1000000);
	REQUIRE(session_token_make(&tok, sl, &in, &e) == 0);
	CHECK(strstr(tok.ptr, in.secret) == NULL); /* the secret is sealed, not visible */
	REQUIRE(session_token_open(&out, sl, tok.ptr, tok.len, 1000001, &e) == 0);
	CHECK_STR(out.who.arn, in.who.arn);
	CHECK_STR(out.secret, in.secret);
	CHECK(out.who.temporary);
	CHECK(session_token_open(&out, sl, tok.ptr, tok.len, 1000900, &e) == CC_EAUTH);
	CHECK_STR(e.aws_code, "ExpiredToken");
	buf_release(&tok);
	seal_free(sl);
	unlink(path);
}

void test_auth_token__tampering_is_refused(void)
{
	char path[64], path2[64];
	struct sealer *sl = test_sealer(path, sizeof(path)), *other;
	struct buf tok = BUF_INIT(0);
	struct session in, out;
	struct err e = ERR_INIT;
	size_t i;

	REQUIRE(sl != NULL);
	make_session(&in, 1000000);
	REQUIRE(session_token_make(&tok, sl, &in, &e) == 0);
	for (i = 4; i < tok.len; i += 7) {
		char saved = tok.ptr[i];

		tok.ptr[i] = saved == 'A' ? 'B' : 'A';
		CHECK(session_token_open(&out, sl, tok.ptr, tok.len, 1000001, &e) == CC_EAUTH);
		tok.ptr[i] = saved;
	}
	CHECK_STR(e.aws_code, "InvalidClientTokenId");
	CHECK(session_token_open(&out, sl, tok.ptr, tok.len - 1, 1000001, &e) == CC_EAUTH);
	CHECK(session_token_open(&out, sl, "CDT1", 4, 1000001, &e) == CC_EAUTH);
	/* a token sealed by another server's key does not open here */
	snprintf(path2, sizeof(path2), "%s.2", path);
	unlink(path2);
	REQUIRE(seal_keyfile_create(path2, &e) == 0 && seal_open(&other, path2, &e) == 0);
	CHECK(session_token_open(&out, other, tok.ptr, tok.len, 1000001, &e) == CC_EAUTH);
	seal_free(other);
	unlink(path2);
	buf_release(&tok);
	seal_free(sl);
	unlink(path);
}

void test_auth_token__sealed_values_bind_their_row(void)
{
	char path[64];
	struct sealer *sl = test_sealer(path, sizeof(path));
	struct buf b = BUF_INIT(0);
	struct secret s = {0};
	struct err e = ERR_INIT;

	REQUIRE(sl != NULL);
	REQUIRE(seal(sl, &b, "hunter2", 7, "AKIA1", &e) == 0);
	REQUIRE(unseal(sl, &s, b.ptr, b.len, "AKIA1", &e) == 0);
	CHECK(s.len == 7 && memcmp(s.ptr, "hunter2", 7) == 0);
	CHECK(unseal(sl, &s, b.ptr, b.len, "AKIA2", &e) < 0); /* moved to another row */
	secret_release(&s);
	buf_release(&b);
	seal_free(sl);
	unlink(path);
}
