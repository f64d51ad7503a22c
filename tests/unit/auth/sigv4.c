/*
 * sigv4.c - unit tests of src/auth/sigv4.c: the AWS documentation's IAM
 * ListUsers example, the cases of the AWS SigV4 test suite written out by
 * hand, presigned URLs, malformed and hostile headers, clock skew, the key
 * cache and the CodeCommit Git password.  Every expected signature was
 * computed independently by botocore (tests/unit/auth/sigv4_vectors.py).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "unit.h"

#define KEY_ID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define AMZ_DATE "20150830T123600Z"
#define T0 1440938160 /* 20150830T123600Z */
#define HOST "example.amazonaws.com"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define TOKEN                                                                             \
	"AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwA"      \
	"eMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phU"    \
	"ZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xV"    \
	"qr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2IC"    \
	"CR/oLxBA=="

/* the cases, declared for -Wmissing-prototypes */
void test_auth_sigv4__aws_doc_example(void);
void test_auth_sigv4__suite_vectors(void);
void test_auth_sigv4__canonical_uri_double_encoding(void);
void test_auth_sigv4__canonical_query_rules(void);
void test_auth_sigv4__date_header(void);
void test_auth_sigv4__presigned(void);
void test_auth_sigv4__presigned_errors(void);
void test_auth_sigv4__parse_errors(void);
void test_auth_sigv4__missing_date(void);
void test_auth_sigv4__hostile_input(void);
void test_auth_sigv4__time_skew(void);
void test_auth_sigv4__check_scope(void);
void test_auth_sigv4__content_sha256_mismatch(void);
void test_auth_sigv4__key_cache(void);
void test_auth_sigv4__git_password(void);
void test_auth_sigv4__key_cache_threads(void);

#define MAXH 16

/* a request under construction: headers are copied pointers to literals or to owned text */
struct treq {
	struct sigv4_header h[MAXH];
	struct sigv4_request r;
	struct buf authz;
};

static void treq_init(struct treq *t, const char *method, const char *path, const char *query)
{
	memset(t, 0, sizeof(*t));
	t->r.method = method;
	t->r.raw_path = path;
	t->r.raw_query = query;
	t->r.headers = t->h;
	t->authz = (struct buf)BUF_INIT(0);
}

static void treq_add(struct treq *t, const char *name, const char *value)
{
	if (t->r.nheaders < MAXH) {
		t->h[t->r.nheaders].name = name;
		t->h[t->r.nheaders].value = value;
		t->r.nheaders++;
	}
}

static void treq_release(struct treq *t) { buf_release(&t->authz); }

/* Signs t (X-Amz-Date already present) and adds the Authorization header. */
static int treq_sign(struct treq *t, const char *service, const char *signed_headers,
		     const char *secret)
{
	struct err e = ERR_INIT;
	int rc;

	buf_clear(&t->authz);
	rc = sigv4_sign(&t->authz, &t->r, KEY_ID, secret, AMZ_DATE, "us-east-1", service,
			signed_headers, &e);
	if (rc == 0)
		treq_add(t, "Authorization", buf_cstr(&t->authz));
	return rc;
}

/* parse + verify with SECRET; returns the code, e filled */
static int parse_verify(struct treq *t, struct err *e)
{
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL)
		return CC_ERROR;
	rc = sigv4_parse(a, &t->r, e);
	if (rc == 0)
		rc = sigv4_verify(a, &t->r, SECRET, strlen(SECRET), NULL, e);
	free(a);
	return rc;
}

static int parse_only(struct sigv4_auth *a, struct treq *t, struct err *e)
{
	err_clear(e);
	return sigv4_parse(a, &t->r, e);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- (a) the worked example of the AWS documentation ----------------------- */

void test_auth_sigv4__aws_doc_example(void)
{
	static const char creq[] =
		"GET\n/\nAction=ListUsers&Version=2010-05-08\n"
		"content-type:application/x-www-form-urlencoded; charset=utf-8\n"
		"host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
		"content-type;host;x-amz-date\n" EMPTY_SHA;
	static const char sts[] =
		"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
		"f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct buf cr = BUF_INIT(0), st = BUF_INIT(0);
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	treq_init(&t, "GET", "/", "Action=ListUsers&Version=2010-05-08");
	treq_add(&t, "Host", "iam.amazonaws.com");
	treq_add(&t, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	CHECK_INT(treq_sign(&t, "iam", "content-type;host;x-amz-date", SECRET), 0);
	CHECK_STR(buf_cstr(&t.authz),
		  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
		  "SignedHeaders=content-type;host;x-amz-date, "
		  "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");

	CHECK_INT(sigv4_parse(a, &t.r, &e), 0);
	CHECK_STR(a->access_key_id, KEY_ID);
	CHECK_STR(a->date, "20150830");
	CHECK_STR(a->region, "us-east-1");
	CHECK_STR(a->service, "iam");
	CHECK_STR(a->amz_date, AMZ_DATE);
	CHECK(strcmp(a->signed_headers, "content-type;host;x-amz-date") == 0);
	CHECK(a->security_token[0] == '\0');
	CHECK_INT(a->presigned, 0);
	CHECK_INT(a->request_time, T0);
	CHECK_INT(sigv4_canonical_request(&cr, a, &t.r, &e), 0);
	CHECK_STR(buf_cstr(&cr), creq);
	CHECK_INT(sigv4_string_to_sign(&st, a, cr.ptr, cr.len, &e), 0);
	CHECK_STR(buf_cstr(&st), sts);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), 0);
	CHECK_INT(sigv4_check_scope(a, "us-east-1", "iam", &e), 0);
	CHECK_INT(sigv4_check_time(a, T0 + 60, &e), 0);

	err_clear(&e);
	CHECK_INT(sigv4_verify(a, &t.r, "wrong", 5, NULL, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_INT(e.http, 403);
	CHECK_STR(e.msg, "The request signature we calculated does not match the signature you "
			 "provided. Check your AWS Secret Access Key and signing method. Consult "
			 "the service documentation for details.");
	buf_release(&cr);
	buf_release(&st);
	treq_release(&t);
	free(a);
}

/* ---- (b) the AWS SigV4 test suite, written out by hand ---------------------- */

struct vcase {
	const char *name, *method, *path, *query;
	const char *headers[6][2]; /* besides X-Amz-Date */
	const char *body;
	const char *service, *signed_headers, *sig;
};

static const struct vcase vcases[] = {
	{"get-vanilla", "GET", "/", "", {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"post-vanilla", "POST", "/", "", {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1",
	 {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{"get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1",
	 {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
	{"get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1",
	 {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
	{"get-vanilla-query-order-encoded", "GET", "/",
	 "Param-3=Value3&Param=Value2&%E1%88%B4=Value1", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"},
	{"get-vanilla-query-unreserved", "GET", "/",
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	 {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	{"get-vanilla-utf8-query", "GET", "/", "%E1%88%B4=bar", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
	{"post-vanilla-query", "POST", "/", "Param1=value1", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
	{"get-utf8", "GET", "/\xe1\x88\xb4", "", {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
	{"get-unreserved", "GET",
	 "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "",
	 {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	{"get-space", "GET", "/example space/", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
	/* the same path as it really arrives: encoded once more in the canonical form */
	{"get-space-encoded", "GET", "/example%20space/", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "446b817944c553435b35e813c261ff4e161fff982d1bacdef1c87f6785dd1662"},
	{"get-special-character", "GET", "/example/$delete", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27"},
	{"get-relative", "GET", "/example/..", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-relative-relative", "GET", "/example1/example2/../..", "", {{"Host", HOST}}, "",
	 "service", "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-slash", "GET", "//", "", {{"Host", HOST}}, "", "service", "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-slash-dot-slash", "GET", "/./", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-slash-pointless-dot", "GET", "/./example", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
	{"get-slashes", "GET", "//example//", "", {{"Host", HOST}}, "", "service",
	 "host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
	{"get-header-key-duplicate", "GET", "/", "",
	 {{"Host", HOST}, {"My-Header1", "value2"}, {"My-Header1", "value2"},
	  {"My-Header1", "value1"}}, "", "service", "host;my-header1;x-amz-date",
	 "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	{"get-header-value-order", "GET", "/", "",
	 {{"Host", HOST}, {"My-Header1", "value4"}, {"My-Header1", "value1"},
	  {"My-Header1", "value3"}, {"My-Header1", "value2"}}, "", "service",
	 "host;my-header1;x-amz-date",
	 "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
	{"get-header-value-trim", "GET", "/", "",
	 {{"Host", HOST}, {"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}, "",
	 "service", "host;my-header1;my-header2;x-amz-date",
	 "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{"get-header-value-multiline", "GET", "/", "",
	 {{"Host", HOST}, {"My-Header1", "value1\n  value2\n     value3"}}, "", "service",
	 "host;my-header1;x-amz-date",
	 "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"},
	{"post-header-key-sort", "POST", "/", "", {{"Host", HOST}, {"My-Header1", "value1"}}, "",
	 "service", "host;my-header1;x-amz-date",
	 "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
	{"post-header-key-case", "POST", "/", "", {{"HOST", HOST}}, "", "service",
	 "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-header-value-case", "POST", "/", "", {{"Host", HOST}, {"My-Header1", "VALUE1"}},
	 "", "service", "host;my-header1;x-amz-date",
	 "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
	{"post-x-www-form-urlencoded", "POST", "/", "",
	 {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", HOST}},
	 "Param1=value1", "service", "content-type;host;x-amz-date",
	 "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	{"post-x-www-form-urlencoded-parameters", "POST", "/", "",
	 {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}, {"Host", HOST}},
	 "Param1=value1", "service", "content-type;host;x-amz-date",
	 "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
	{"post-sts-header-before", "POST", "/", "",
	 {{"Host", HOST}, {"X-Amz-Security-Token", TOKEN}}, "", "service",
	 "host;x-amz-date;x-amz-security-token",
	 "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
	/* the token travels unsigned: the signature is post-vanilla's */
	{"post-sts-header-after", "POST", "/", "",
	 {{"Host", HOST}, {"X-Amz-Security-Token", TOKEN}}, "", "service", "host;x-amz-date",
	 "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-unsigned-payload", "POST", "/", "",
	 {{"Host", HOST}, {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"}}, "{\"a\":1}", "service",
	 "host;x-amz-content-sha256;x-amz-date",
	 "05e1b307416f2cbcf15dd86269efd55537182ee4416101af58762e96bba470bb"},
	{"post-content-sha256", "POST", "/", "",
	 {{"Host", HOST}, {"X-Amz-Content-SHA256", EMPTY_SHA}}, "", "service",
	 "host;x-amz-content-sha256;x-amz-date",
	 "3ad5e249949a59b862eedd9f1bf1ece4693c3042bf860ef5e3351b8925316f98"},
	{"post-json-body", "POST", "/", "",
	 {{"Host", HOST}, {"Content-Type", "application/x-amz-json-1.1"},
	  {"X-Amz-Target", "CodeCommit_20150413.ListRepositories"}}, "{}", "codecommit",
	 "content-type;host;x-amz-date;x-amz-target",
	 "c8f9ffc20a16f8908ad8a546a4fdf3427d4078031eaecfe0d64d85196b4b33be"},
};

static void run_vcase(const struct vcase *v)
{
	struct treq t;
	struct buf want = BUF_INIT(0);
	struct err e = ERR_INIT;
	size_t i;

	treq_init(&t, v->method, v->path, v->query);
	for (i = 0; i < 6 && v->headers[i][0]; i++)
		treq_add(&t, v->headers[i][0], v->headers[i][1]);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	t.r.body = v->body;
	t.r.body_len = strlen(v->body);
	buf_printf(&want, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/%s/"
			  "aws4_request, SignedHeaders=%s, Signature=%s",
		   v->service, v->signed_headers, v->sig);
	if (treq_sign(&t, v->service, v->signed_headers, SECRET) != 0 ||
	    strcmp(buf_cstr(&t.authz), buf_cstr(&want)) != 0) {
		fprintf(stderr, "  case %s: got '%s'\n", v->name, buf_cstr(&t.authz));
		CHECK(!"sigv4_sign matches botocore");
	} else if (parse_verify(&t, &e) != 0) {
		fprintf(stderr, "  case %s: verify: %s\n", v->name, e.msg);
		CHECK(!"sigv4_verify accepts botocore's signature");
	}
	buf_release(&want);
	treq_release(&t);
}

void test_auth_sigv4__suite_vectors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(vcases); i++)
		run_vcase(&vcases[i]);
}

void test_auth_sigv4__canonical_uri_double_encoding(void)
{
	static const struct {
		const char *path, *canon;
	} cases[] = {
		{"/", "/"},
		{"", "/"},
		{"/example%20space/", "/example%2520space/"},
		{"/v1/repos/my-repo", "/v1/repos/my-repo"},
		{"/a/./b/../c//d/", "/a/c/d/"},
		{"/../../x", "/x"},
		{"/%2F/%7E", "/%252F/%257E"},
		{"/a+b=c", "/a%2Bb%3Dc"},
	};
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	memcpy(a->signed_headers, "host", 5);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct treq t;
		struct buf cr = BUF_INIT(0), want = BUF_INIT(0);

		treq_init(&t, "GET", cases[i].path, "");
		treq_add(&t, "Host", HOST);
		buf_printf(&want, "GET\n%s\n\nhost:" HOST "\n\nhost\n" EMPTY_SHA, cases[i].canon);
		CHECK_INT(sigv4_canonical_request(&cr, a, &t.r, &e), 0);
		CHECK_STR(buf_cstr(&cr), buf_cstr(&want));
		buf_release(&cr);
		buf_release(&want);
	}
	free(a);
}

void test_auth_sigv4__canonical_query_rules(void)
{
	static const struct {
		const char *query, *canon;
	} cases[] = {
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"flag&x=", "flag=&x="},
		{"a=x+y&b=%7e&c=%2b", "a=x%20y&b=~&c=%2B"},
		{"&&a=1&", "a=1"},
		{"bad=%zz", "bad=%25zz"},
		{"k=a%3Db", "k=a%3Db"},
	};
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	memcpy(a->signed_headers, "host", 5);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct treq t;
		struct buf cr = BUF_INIT(0), want = BUF_INIT(0);

		treq_init(&t, "GET", "/", cases[i].query);
		treq_add(&t, "Host", HOST);
		buf_printf(&want, "GET\n/\n%s\nhost:" HOST "\n\nhost\n" EMPTY_SHA, cases[i].canon);
		CHECK_INT(sigv4_canonical_request(&cr, a, &t.r, &e), 0);
		CHECK_STR(buf_cstr(&cr), buf_cstr(&want));
		buf_release(&cr);
		buf_release(&want);
	}
	free(a);
}

/* A Date header (Python's formatdate form) stands in for X-Amz-Date. */
void test_auth_sigv4__date_header(void)
{
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	treq_init(&t, "GET", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "Date", "Sun, 30 Aug 2015 12:36:00 -0000");
	treq_add(&t, "Authorization",
		 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
		 "SignedHeaders=date;host, "
		 "Signature=7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86");
	CHECK_INT(sigv4_parse(a, &t.r, &e), 0);
	CHECK_STR(a->amz_date, AMZ_DATE);
	CHECK_INT(a->request_time, T0);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), 0);
	t.h[1].value = "Sun, 30 Aug 2015 12:36:00 GMT";
	CHECK_INT(sigv4_parse(a, &t.r, &e), 0);
	CHECK_STR(a->amz_date, AMZ_DATE);
	t.h[1].value = "yesterday";
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "IncompleteSignature");
	CHECK(starts_with(e.msg, "Date must be in ISO-8601 'basic format'. Got 'yesterday'."));
	free(a);
}

/* ---- presigned requests ------------------------------------------------------ */

#define PRESIGNED_QUERY                                                                      \
	"Action=ListUsers&Version=2010-05-08&X-Amz-Algorithm=AWS4-HMAC-SHA256&"               \
	"X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiam%2Faws4_request&"           \
	"X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"              \
	"X-Amz-Security-Token=AQoDYXdzEPT%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEXAMPLEtc764bNrC9SAPB" \
	"SM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI%2FqkPp" \
	"KPi%2FkMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvl" \
	"Rd8Tx6q6fE8YQcHNVXAkiY9q6d%2Bxo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz%2BscqKmlzm8FDrypNC9" \
	"Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR%2FoLxBA%3D%3D&"                             \
	"X-Amz-Signature=919ac143fdfeed05a41f276fb1237ed7a1139a989e51351ccd3f1616a28bdf76"

void test_auth_sigv4__presigned(void)
{
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	treq_init(&t, "GET", "/", PRESIGNED_QUERY);
	treq_add(&t, "Host", "iam.amazonaws.com");
	CHECK_INT(sigv4_parse(a, &t.r, &e), 0);
	CHECK_INT(a->presigned, 1);
	CHECK_INT(a->expires, 60);
	CHECK_STR(a->access_key_id, KEY_ID);
	CHECK_STR(a->service, "iam");
	CHECK(strcmp(a->signed_headers, "host") == 0);
	CHECK(strcmp(a->security_token, TOKEN) == 0);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), 0);

	/* (d) expiry: valid through request_time + expires */
	CHECK_INT(sigv4_check_time(a, T0, &e), 0);
	CHECK_INT(sigv4_check_time(a, T0 + 60, &e), 0);
	err_clear(&e);
	CHECK_INT(sigv4_check_time(a, T0 + 61, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "RequestExpired");
	CHECK_INT(e.http, 400);
	CHECK_STR(e.msg, "Request has expired.");
	err_clear(&e);
	CHECK_INT(sigv4_check_time(a, T0 - 901, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");

	/* a changed operation parameter breaks the signature */
	struct buf q2 = BUF_INIT(0);

	buf_printf(&q2, "Action=ListRoles%s", strchr(PRESIGNED_QUERY, '&'));
	t.r.raw_query = buf_cstr(&q2);
	CHECK_INT(sigv4_parse(a, &t.r, &e), 0);
	err_clear(&e);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	buf_release(&q2);
	free(a);
}

void test_auth_sigv4__presigned_errors(void)
{
	static const struct {
		const char *query, *code, *msg_start;
	} cases[] = {
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256", "IncompleteSignature",
		 "AWS query-string parameters must include"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=A%2F20150830%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=" EMPTY_SHA, "IncompleteSignature", "X-Amz-Algorithm only supports"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20150830%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=" EMPTY_SHA, "IncompleteSignature", "X-Amz-Expires must be less"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20150830%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=soon&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=" EMPTY_SHA, "IncompleteSignature", "X-Amz-Expires should be"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20150830%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=" EMPTY_SHA "&X-Amz-Signature=" EMPTY_SHA, "IncompleteSignature",
		 "The query string has a duplicate 'X-Amz-Signature'"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20150831%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=" EMPTY_SHA, "SignatureDoesNotMatch",
		 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
		 "from HTTP: '20150831' != '20150830', from '20150830T123600Z'."},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20150830%2Fr%2Fs%2Faws4_request"
		 "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&"
		 "X-Amz-Signature=zz", "SignatureDoesNotMatch", "The request signature we calculated"},
	};
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct treq t;

		treq_init(&t, "GET", "/", cases[i].query);
		treq_add(&t, "Host", HOST);
		CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
		CHECK_STR(e.aws_code, cases[i].code);
		if (!starts_with(e.msg, cases[i].msg_start)) {
			fprintf(stderr, "  query %zu: '%s'\n", i, e.msg);
			CHECK(!"message");
		}
	}
	/* both forms at once */
	{
		struct treq t;

		treq_init(&t, "GET", "/", PRESIGNED_QUERY);
		treq_add(&t, "Host", HOST);
		treq_add(&t, "Authorization", "AWS4-HMAC-SHA256 Credential=x");
		CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
		CHECK_STR(e.aws_code, "IncompleteSignature");
	}
	free(a);
}

/* ---- (c) malformed and hostile Authorization headers ------------------------- */

static void expect_parse_error(const char *authz, const char *code, int http, const char *msg)
{
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	if (a == NULL)
		return;
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	if (authz)
		treq_add(&t, "Authorization", authz);
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK_INT(e.code, CC_EAUTH);
	CHECK_STR(e.aws_code, code);
	CHECK_INT(e.http, http);
	if (!starts_with(e.msg, msg)) {
		fprintf(stderr, "  authorization '%.60s': got '%s'\n", authz ? authz : "(none)",
			e.msg);
		CHECK(!"message");
	}
	free(a);
}

#define CRED "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"
#define SIG "Signature=" EMPTY_SHA

void test_auth_sigv4__parse_errors(void)
{
	expect_parse_error(NULL, "MissingAuthenticationToken", 403,
			   "Request is missing Authentication Token");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host",
			   "IncompleteSignature", 400,
			   "Authorization header requires 'Signature' parameter. "
			   "Authorization=AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host");
	expect_parse_error("AWS4-HMAC-SHA256", "IncompleteSignature", 400,
			   "Authorization header requires 'Credential' parameter. "
			   "Authorization header requires 'Signature' parameter. "
			   "Authorization header requires 'SignedHeaders' parameter. "
			   "Authorization=AWS4-HMAC-SHA256");
	expect_parse_error("AWS4-HMAC-SHA512 " CRED ", SignedHeaders=host, " SIG,
			   "IncompleteSignature", 400,
			   "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
	expect_parse_error("Basic QUtJRDpzZWNyZXQ=", "IncompleteSignature", 400,
			   "Unsupported AWS 'algorithm': 'Basic'");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders, " SIG,
			   "IncompleteSignature", 400,
			   "Invalid key=value pair (missing equal-sign) in Authorization header "
			   "(hashed with SHA-256 and encoded with Base64): '");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", " CRED ", SignedHeaders=host, " SIG,
			   "IncompleteSignature", 400,
			   "Authorization header has a duplicate 'Credential' parameter");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam, "
			   "SignedHeaders=host, " SIG, "IncompleteSignature", 400,
			   "Credential must have exactly 5 slash-delimited elements, e.g. "
			   "keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/iam'");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
			   "aws4_request/x, SignedHeaders=host, " SIG, "IncompleteSignature", 400,
			   "Credential must have exactly 5 slash-delimited elements");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
			   "aws5_request, SignedHeaders=host, " SIG, "IncompleteSignature", 400,
			   "Credential should be scoped with a valid terminator: 'aws4_request', "
			   "not 'aws5_request'.");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/US EAST/iam/"
			   "aws4_request, SignedHeaders=host, " SIG, "IncompleteSignature", 400,
			   "Credential should be scoped to a valid region.");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/iam/aws4_request, "
			   "SignedHeaders=host, " SIG, "IncompleteSignature", 400,
			   "Credential must name an access key id");
	expect_parse_error("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/"
			   "aws4_request, SignedHeaders=host, " SIG, "SignatureDoesNotMatch", 403,
			   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
			   "of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=x-amz-date, " SIG,
			   "IncompleteSignature", 400,
			   "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
			   "Authorization.");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=Host;x-amz-date, " SIG,
			   "IncompleteSignature", 400, "SignedHeaders must list lower-case");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host;;x-amz-date, " SIG,
			   "IncompleteSignature", 400, "SignedHeaders must not contain an empty");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host;a;host, " SIG,
			   "IncompleteSignature", 400, "SignedHeaders must not name a header twice");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, Signature=xyz",
			   "SignatureDoesNotMatch", 403, "The request signature we calculated");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, Signature="
			   "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
			   "SignatureDoesNotMatch", 403, "The request signature we calculated");
	expect_parse_error("AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG "0",
			   "SignatureDoesNotMatch", 403, "The request signature we calculated");
}

void test_auth_sigv4__missing_date(void)
{
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "Authorization", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "IncompleteSignature");
	CHECK(starts_with(e.msg, "Authorization header requires existence of either a "
				 "'X-Amz-Date' or a 'Date' header. Authorization=AWS4"));
	treq_add(&t, "X-Amz-Date", "2015-08-30T12:36:00Z");
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK(starts_with(e.msg, "Date must be in ISO-8601 'basic format'."));
	free(a);
}

void test_auth_sigv4__hostile_input(void)
{
	struct buf big = BUF_INIT(0);
	struct treq t;
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;
	size_t i;

	REQUIRE(a != NULL);
	/* 600 signed headers: past the SignedHeaders limit */
	buf_puts(&big, "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host");
	for (i = 0; i < 600; i++)
		buf_printf(&big, ";h%zu", i);
	buf_puts(&big, ", " SIG);
	REQUIRE(!buf_failed(&big));
	expect_parse_error(big.ptr, "IncompleteSignature", 400, "SignedHeaders is longer than");
	/* 10,000 signed headers: past the Authorization header limit */
	buf_clear(&big);
	buf_puts(&big, "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host");
	for (i = 0; i < 10000; i++)
		buf_printf(&big, ";h%zu", i);
	buf_puts(&big, ", " SIG);
	REQUIRE(!buf_failed(&big));
	expect_parse_error(big.ptr, "IncompleteSignature", 400, "Authorization header is too long");
	/* 150 distinct signed headers, none present: parses, canonicalizes, mismatches */
	buf_clear(&big);
	buf_puts(&big, "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host");
	for (i = 0; i < 150; i++)
		buf_printf(&big, ";x%zu", i);
	buf_puts(&big, ", " SIG);
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	treq_add(&t, "Authorization", big.ptr);
	CHECK_INT(parse_only(a, &t, &e), 0);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");

	/* a 1 MiB header */
	buf_clear(&big);
	buf_puts(&big, "AWS4-HMAC-SHA256 Credential=");
	for (i = 0; i < 1024 * 1024; i++)
		buf_putc(&big, 'A');
	expect_parse_error(big.ptr, "IncompleteSignature", 400, "Authorization header is too long");

	/* a huge access key id, a huge region, garbage bytes */
	buf_clear(&big);
	buf_puts(&big, "AWS4-HMAC-SHA256 Credential=");
	for (i = 0; i < 500; i++)
		buf_putc(&big, 'A');
	buf_puts(&big, "/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, " SIG);
	expect_parse_error(big.ptr, "IncompleteSignature", 400, "Credential must name");
	expect_parse_error("AWS4-HMAC-SHA256 \x01\x02\xff=\xfe, ,,,, =, ==",
			   "IncompleteSignature", 400, "Authorization header requires");
	expect_parse_error("AWS4-HMAC-SHA256 ,,,,,,", "IncompleteSignature", 400,
			   "Authorization header requires 'Credential'");
	expect_parse_error("", "IncompleteSignature", 400, "Unsupported AWS 'algorithm': ''");

	/* two Authorization headers */
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	treq_add(&t, "authorization", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	treq_add(&t, "AUTHORIZATION", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "IncompleteSignature");

	/* a huge security token */
	buf_clear(&big);
	for (i = 0; i < SIGV4_TOKEN_MAX + 1; i++)
		buf_putc(&big, 'T');
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	treq_add(&t, "X-Amz-Security-Token", big.ptr);
	treq_add(&t, "Authorization", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	CHECK_INT(parse_only(a, &t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "InvalidClientTokenId");

	/* a huge path and query: refused, not crashed */
	buf_clear(&big);
	for (i = 0; i < 200000; i++)
		buf_puts(&big, "/a");
	treq_init(&t, "GET", big.ptr, big.ptr + 1);
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	treq_add(&t, "Authorization", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	CHECK_INT(parse_only(a, &t, &e), 0);
	err_clear(&e);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");

	/* many query parameters, many repeated headers: fine, and simply not matching */
	buf_clear(&big);
	for (i = 0; i < 5000; i++)
		buf_printf(&big, "%sp%zu=%%%02zx&", i ? "" : "", i % 7, i % 256);
	treq_init(&t, "GET", "/", big.ptr);
	for (i = 0; i < MAXH - 2; i++)
		treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	treq_add(&t, "Authorization", "AWS4-HMAC-SHA256 " CRED ", SignedHeaders=host, " SIG);
	CHECK_INT(parse_only(a, &t, &e), 0);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), NULL, &e), CC_EAUTH);
	buf_release(&big);
	free(a);
}

/* ---- (d) time ------------------------------------------------------------------ */

void test_auth_sigv4__time_skew(void)
{
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	memcpy(a->amz_date, AMZ_DATE, 17);
	a->request_time = T0;
	CHECK_INT(sigv4_check_time(a, T0, &e), 0);
	CHECK_INT(sigv4_check_time(a, T0 + 900, &e), 0);
	CHECK_INT(sigv4_check_time(a, T0 - 900, &e), 0);
	CHECK_INT(sigv4_check_time(a, T0 + 901, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_INT(e.http, 403);
	CHECK_STR(e.msg, "Signature expired: 20150830T123600Z is now earlier than "
			 "20150830T123601Z (20150830T125101Z - 15 min.)");
	CHECK_INT(sigv4_check_time(a, T0 - 901, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_STR(e.msg, "Signature not yet current: 20150830T123600Z is still later than "
			 "20150830T123559Z (20150830T122059Z + 15 min.)");
	free(a);
}

void test_auth_sigv4__check_scope(void)
{
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct err e = ERR_INIT;

	REQUIRE(a != NULL);
	memcpy(a->region, "eu-west-1", 10);
	memcpy(a->service, "iam", 4);
	CHECK_INT(sigv4_check_scope(a, "eu-west-1", "iam", &e), 0);
	CHECK_INT(sigv4_check_scope(a, "us-east-1", "iam", &e), CC_EAUTH);
	CHECK_STR(e.msg, "Credential should be scoped to a valid region, not 'eu-west-1'. ");
	CHECK_INT(sigv4_check_scope(a, "eu-west-1", "sts", &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_STR(e.msg, "Credential should be scoped to correct service: 'sts'. ");
	free(a);
}

/* x-amz-content-sha256 must be the body's hash unless it says UNSIGNED-PAYLOAD */
void test_auth_sigv4__content_sha256_mismatch(void)
{
	struct treq t;
	struct err e = ERR_INIT;

	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Content-SHA256", EMPTY_SHA);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	t.r.body = "Action=ListUsers";
	t.r.body_len = strlen(t.r.body);
	REQUIRE(treq_sign(&t, "iam", "host;x-amz-content-sha256;x-amz-date", SECRET) == 0);
	CHECK_INT(parse_verify(&t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_STR(e.msg, "The provided 'x-amz-content-sha256' header does not match what was "
			 "computed.");
	/* the body changed after signing, without the header: plain mismatch */
	treq_release(&t);
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	t.r.body = "Action=ListUsers";
	t.r.body_len = strlen(t.r.body);
	REQUIRE(treq_sign(&t, "iam", "host;x-amz-date", SECRET) == 0);
	CHECK_INT(parse_verify(&t, &e), 0);
	t.r.body = "Action=ListRoles";
	err_clear(&e);
	CHECK_INT(parse_verify(&t, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	/* a header changed after signing */
	t.r.body = "Action=ListUsers";
	t.h[0].value = "other.example.com";
	CHECK_INT(parse_verify(&t, &e), CC_EAUTH);
	treq_release(&t);
}

/* ---- (e) the key cache ------------------------------------------------------------ */

void test_auth_sigv4__key_cache(void)
{
	struct sigv4_key_cache *c = sigv4_key_cache_new(2);
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct treq t;
	struct err e = ERR_INIT;
	uint64_t hits, misses;

	REQUIRE(c != NULL && a != NULL);
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	REQUIRE(treq_sign(&t, "iam", "host;x-amz-date", SECRET) == 0);
	REQUIRE(sigv4_parse(a, &t.r, &e) == 0);

	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), c, &e), 0);
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(hits, 0);
	CHECK_INT(misses, 1);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), c, &e), 0);
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(hits, 1);
	CHECK_INT(misses, 1);

	/* a rotated secret must not hit the old key */
	err_clear(&e);
	CHECK_INT(sigv4_verify(a, &t.r, "rotated-secret", 14, c, &e), CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(hits, 1);
	CHECK_INT(misses, 2);
	/* a request signed with the new secret verifies through the cache */
	t.r.nheaders--;
	REQUIRE(treq_sign(&t, "iam", "host;x-amz-date", "rotated-secret") == 0);
	REQUIRE(sigv4_parse(a, &t.r, &e) == 0);
	CHECK_INT(sigv4_verify(a, &t.r, "rotated-secret", 14, c, &e), 0);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), c, &e), CC_EAUTH);
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(hits, 3);
	CHECK_INT(misses, 2);

	/* a third key evicts the oldest (SECRET's) */
	memcpy(a->region, "eu-west-1", 10);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), c, &e), CC_EAUTH);
	memcpy(a->region, "us-east-1", 10);
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(misses, 3);
	CHECK_INT(sigv4_verify(a, &t.r, SECRET, strlen(SECRET), c, &e), CC_EAUTH);
	sigv4_key_cache_stats(c, &hits, &misses);
	CHECK_INT(misses, 4);
	CHECK_INT(sigv4_verify(a, &t.r, "rotated-secret", 14, c, &e), 0);

	sigv4_key_cache_free(c);
	sigv4_key_cache_free(NULL);
	treq_release(&t);
	free(a);
}

/* ---- (f) the CodeCommit Git password ---------------------------------------------- */

void test_auth_sigv4__git_password(void)
{
	char pw[SIGV4_GIT_PASSWORD_LEN + 1];
	struct err e = ERR_INIT;

	/* computed by awscli.customizations.codecommit's sign_request at the same instant */
	CHECK_INT(sigv4_git_password(pw, SECRET, strlen(SECRET), AMZ_DATE, "us-east-1",
				     "git-codecommit.us-east-1.amazonaws.com",
				     "/v1/repos/MyDemoRepo", &e),
		  0);
	CHECK_STR(pw, "20150830T123600Z"
		      "088fec8c788f892e6cb940f22a736b224a5a5de18925fa5f02413a1bb215c389");
	CHECK_INT(strlen(pw), SIGV4_GIT_PASSWORD_LEN);

	CHECK_INT(sigv4_git_verify(pw, strlen(pw), SECRET, strlen(SECRET), "us-east-1",
				   "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/MyDemoRepo",
				   T0 + 600, &e),
		  0);
	err_clear(&e);
	CHECK_INT(sigv4_git_verify(pw, strlen(pw), SECRET, strlen(SECRET), "us-east-1",
				   "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/Other",
				   T0, &e),
		  CC_EAUTH);
	CHECK_STR(e.aws_code, "SignatureDoesNotMatch");
	CHECK_INT(sigv4_git_verify(pw, strlen(pw), "other", 5, "us-east-1",
				   "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/MyDemoRepo",
				   T0, &e),
		  CC_EAUTH);
	CHECK_INT(sigv4_git_verify(pw, strlen(pw), SECRET, strlen(SECRET), "us-east-1",
				   "git-codecommit.us-east-1.amazonaws.com", "/v1/repos/MyDemoRepo",
				   T0 + 1000, &e),
		  CC_EAUTH);
	CHECK(starts_with(e.msg, "Signature expired: 20150830T123600Z"));
	CHECK_INT(sigv4_git_verify(pw, 10, SECRET, strlen(SECRET), "us-east-1", "h", "/p", T0, &e),
		  CC_EAUTH);
	CHECK_INT(sigv4_git_verify("xxxxxxxxxxxxxxxx" EMPTY_SHA, 80, SECRET, strlen(SECRET),
				   "us-east-1", "h", "/p", T0, &e),
		  CC_EAUTH);
	CHECK_INT(sigv4_git_password(pw, SECRET, strlen(SECRET), "2015-08-30", "us-east-1",
				     "h", "/p", &e),
		  CC_EINVAL);
	CHECK_INT(sigv4_git_password(pw, SECRET, strlen(SECRET), AMZ_DATE, "us-east-1",
				     "h\nx", "/p", &e),
		  CC_EINVAL);
}

/* several threads share one small cache (run under ASan) */
struct cache_thread {
	struct sigv4_key_cache *c;
	int ok;
};

static void *cache_worker(void *arg)
{
	struct cache_thread *ct = arg;
	static const char *const regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
	struct sigv4_auth *a = calloc(1, sizeof(*a));
	struct treq t;
	struct err e = ERR_INIT;

	if (a == NULL)
		return NULL;
	treq_init(&t, "POST", "/", "");
	treq_add(&t, "Host", HOST);
	treq_add(&t, "X-Amz-Date", AMZ_DATE);
	if (treq_sign(&t, "iam", "host;x-amz-date", SECRET) == 0 && sigv4_parse(a, &t.r, &e) == 0) {
		ct->ok = 1;
		for (int i = 0; i < 300; i++) {
			int want = i % 3 == 0 ? 0 : CC_EAUTH;

			memcpy(a->region, regions[i % 3], strlen(regions[i % 3]) + 1);
			if (sigv4_verify(a, &t.r, SECRET, strlen(SECRET), ct->c, &e) != want)
				ct->ok = 0;
		}
	}
	treq_release(&t);
	free(a);
	return NULL;
}

void test_auth_sigv4__key_cache_threads(void)
{
	struct cache_thread ct[4];
	pthread_t th[4];
	uint64_t hits, misses;
	int i;

	ct[0].c = sigv4_key_cache_new(2);
	REQUIRE(ct[0].c != NULL);
	for (i = 0; i < 4; i++) {
		ct[i].c = ct[0].c;
		ct[i].ok = 0;
		REQUIRE(pthread_create(&th[i], NULL, cache_worker, &ct[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK(ct[i].ok);
	}
	sigv4_key_cache_stats(ct[0].c, &hits, &misses);
	CHECK_INT(hits + misses, 4 * 300);
	sigv4_key_cache_free(ct[0].c);
}
