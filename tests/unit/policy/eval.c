/*
 * eval.c - unit tests of statement matching and of policy_eval's
 * combination of policy types: explicit deny wins, boundaries and session
 * policies limit, resource policies in the same account and across
 * accounts, NotAction/NotResource/NotPrincipal, trust policies, the AWS
 * documentation's CodeCommit examples, traces, and a speed check.
 */
#include <ctype.h>
#include <time.h>

#include "helpers.h"

#define ACCT "111122223333"
#define OTHER "444455556666"
#define BOB "arn:aws:iam::" ACCT ":user/Bob"
#define REPO "arn:aws:codecommit:us-east-1:" ACCT ":MyDemoRepo"

static struct policy_ctx ctx_of(const char *action, const char *resource)
{
	struct policy_ctx c = {0};

	c.action = action;
	c.resource = resource;
	c.principal_arn = BOB;
	c.principal_account = ACCT;
	return c;
}

static enum policy_decision one(const char *json, enum policy_kind kind, const struct policy_ctx *c)
{
	struct policy *p = PARSE(json, kind);
	enum policy_decision d;

	if (p == NULL)
		return (enum policy_decision)-1;
	d = policy_eval_one(p, c, NULL);
	policy_free(p);
	return d;
}

#define ID(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":" stmts "}"

void test_policy_eval__actions_and_resources(void)
{
	struct policy_ctx c = ctx_of("codecommit:GitPull", REPO);
	const char *p = ID("{\"Effect\":\"Allow\",\"Action\":\"CodeCommit:Git*\",\"Resource\":"
			   "\"arn:aws:codecommit:*:" ACCT ":MyDemo*\"}");

	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.action = "codecommit:gitpush";
	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_ALLOW); /* actions: case-insensitive */
	c.action = "codecommit:GetBranch";
	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	c.action = "codecommit:GitPull";
	c.resource = "arn:aws:codecommit:us-east-1:" ACCT ":mydemorepo"; /* resources: case-sensitive */
	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	/* '*' spans ':' in Resource */
	c.resource = REPO;
	CHECK_INT(one(ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:codecommit:*\"}"),
		      POLICY_IDENTITY, &c), POLICY_ALLOW);
	CHECK_INT(one(ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:GitPul?\",\"Resource\":"
			 "\"arn:aws:codecommit:us-east-?:" ACCT ":MyDemoRepo\"}"), POLICY_IDENTITY, &c),
		  POLICY_ALLOW);
	CHECK_INT(one(ID("{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"iam:*\"],\"Resource\":\"*\"}"),
		      POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
}

/* the reference for the action test: ASCII case-insensitive, '*' any run, '?' one */
static bool ref_glob(const char *p, const char *s)
{
	if (*p == '\0')
		return *s == '\0';
	if (*p == '*')
		return ref_glob(p + 1, s) || (*s && ref_glob(p, s + 1));
	if (*s == '\0')
		return false;
	if (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s))
		return ref_glob(p + 1, s + 1);
	return false;
}

/*
 * The action prefilters (a Bloom filter of action prefixes per statement,
 * 16-byte masked compares per entry) against a plain glob: every pair of
 * patterns as Action and as NotAction, over requests that end inside, at
 * and past the literal text, around the 16-byte boundary, differ in case,
 * and one too long to be lowered.
 */
void test_policy_eval__action_prefilter(void)
{
	static const char *const pats[] = {
		"*", "code*:*", "?odecommit:git*", "codecommit:*", "codecommit:GitPull",
		"CODECOMMIT:gitpull", "codecommit:gitpul", "codecommit:gitpulls", "codecommit:git*",
		"codecommit:gi*", "codecommit:g*", "codecommit:gitp?ll", "codecommit:*pull",
		"codecommit:g*t*", "iam:list*", "iam:*", "*:gitpull", "a:b", "a:b*", "a:?",
		"abcdefghijk:xyz", "abcdefghijk:wxyz", "abcdefghijk:vwxyz", "abcdefghijk:wxyz*",
		"abcdefghijk:vwxyz*", "abcdefghijk:wx?z", "abcdefghijk:xy*", "abcdefghijklmnopq:r*",
		"codecommit:gitaaaaaaaaaa*",
	};
	char longa[160], longu[160];
	const char *reqs[] = {
		"codecommit:GitPull", "codecommit:gitpull", "CodeCommit:GITPUSH", "codecommit:gi",
		"codecommit:", "codecommit", "", NULL, "iam:ListUsers", "abcdefghijk:xyz",
		"abcdefghijk:xy", "abcdefghijk:wxyz", "ABCDEFGHIJK:WXYZZ", "abcdefghijk:vwxyz",
		"abcdefghijk:vwxy", "a:b", "A:BC", "a:", "x:codecommit:gitpull",
		"abcdefghijklmnopq:rs", "abcdefghijklmnopq:", longa, longu,
	};
	struct buf b = BUF_INIT(0);

	memset(longa, 'a', sizeof longa - 1);
	longa[sizeof longa - 1] = '\0';
	memcpy(longa, "codecommit:git", 14); /* 159 bytes: too long to lower */
	memcpy(longu, longa, sizeof longa);
	for (size_t i = 0; i < sizeof longu - 1; i++)
		longu[i] = (char)(longu[i] & ~0x20);
	longu[10] = ':';
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++) {
		for (size_t j = i; j < ARRAY_SIZE(pats); j++) {
			for (int neg = 0; neg < 2; neg++) {
				struct policy *p;

				buf_clear(&b);
				buf_printf(&b, ID("{\"Effect\":\"Allow\",\"%s\":[\"%s\",\"%s\"],"
						  "\"Resource\":\"*\"}"),
					   neg ? "NotAction" : "Action", pats[i], pats[j]);
				REQUIRE(!buf_failed(&b));
				p = PARSE(b.ptr, POLICY_IDENTITY);
				REQUIRE(p);
				for (size_t k = 0; k < ARRAY_SIZE(reqs); k++) {
					struct policy_ctx c = ctx_of(reqs[k], REPO);
					const char *a = reqs[k] ? reqs[k] : "";
					bool m = ref_glob(pats[i], a) || ref_glob(pats[j], a);
					enum policy_decision want =
						m != (bool)neg ? POLICY_ALLOW : POLICY_IMPLICIT_DENY;

					if (policy_eval_one(p, &c, NULL) != want) {
						char msg[512];

						snprintf(msg, sizeof msg, "%s [%s, %s] against '%.40s'",
							 neg ? "NotAction" : "Action", pats[i],
							 pats[j], a);
						unit_fail(__FILE__, __LINE__, msg);
					}
				}
				policy_free(p);
			}
		}
	}
	buf_release(&b);
}

void test_policy_eval__not_action_not_resource(void)
{
	struct policy_ctx c = ctx_of("codecommit:GitPull", REPO);
	const char *na = ID("{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\"],"
			    "\"Resource\":\"*\"}");
	const char *nr = ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"NotResource\":"
			    "\"arn:aws:codecommit:*:*:Secret*\"}");

	CHECK_INT(one(na, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.action = "iam:CreateUser";
	CHECK_INT(one(na, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	c.action = "codecommit:GitPull";
	CHECK_INT(one(nr, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.resource = "arn:aws:codecommit:us-east-1:" ACCT ":SecretRepo";
	CHECK_INT(one(nr, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	/* a Deny with NotAction denies everything else */
	c.action = "s3:GetObject";
	CHECK_INT(one(ID("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":"
			 "\"Deny\",\"NotAction\":\"codecommit:*\",\"Resource\":\"*\"}]"),
		      POLICY_IDENTITY, &c), POLICY_EXPLICIT_DENY);
}

void test_policy_eval__resource_variables(void)
{
	struct policy_ctx c = ctx_of("iam:UploadSSHPublicKey", BOB);
	const struct policy_key keys[] = {K("aws:username", "Bob")};
	const char *p = ID("{\"Effect\":\"Allow\",\"Action\":\"iam:*SSHPublicKey*\",\"Resource\":"
			   "\"arn:aws:iam::*:user/${aws:username}\"}");

	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY); /* no aws:username */
	c.keys = keys;
	c.nkeys = 1;
	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.resource = "arn:aws:iam::" ACCT ":user/Alice";
	CHECK_INT(one(p, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	/* no Version: the text is literal */
	c.resource = "arn:aws:iam::" ACCT ":user/${aws:username}";
	CHECK_INT(one("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":"
		      "\"arn:aws:iam::*:user/${aws:username}\"}}", POLICY_IDENTITY, &c), POLICY_ALLOW);
	/* defaults and tags */
	c.resource = "arn:aws:codecommit:us-east-1:" ACCT ":team-shared";
	CHECK_INT(one(ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:codecommit:"
			 "*:*:team-${aws:PrincipalTag/team, 'shared'}\"}"), POLICY_IDENTITY, &c),
		  POLICY_ALLOW);
}

void test_policy_eval__explicit_deny_wins(void)
{
	struct policy *allow = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
				     POLICY_IDENTITY);
	struct policy *deny = PARSE(ID("{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":"
				       "\"codecommit:Delete*\",\"Resource\":\"*\"}"), POLICY_IDENTITY);
	const struct policy *ids[] = {allow, deny};
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("codecommit:DeleteRepository", REPO);
	struct policy_match m[4];
	struct policy_trace t = {m, 0, 4};

	REQUIRE(allow && deny);
	set.identity = ids;
	set.n_identity = 2;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_EXPLICIT_DENY);
	CHECK_INT(policy_eval(&set, &c, &t), POLICY_EXPLICIT_DENY);
	CHECK_INT(t.n, 2);
	CHECK(m[0].policy == allow && m[0].effect == POLICY_ALLOW && m[0].statement_index == 0);
	CHECK(m[1].policy == deny && m[1].effect == POLICY_EXPLICIT_DENY);
	CHECK_STR(m[1].sid, "NoDelete");
	c.action = "codecommit:GetRepository";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.n_identity = 0;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	/* a deny in the resource policy or boundary wins too */
	set.n_identity = 1;
	set.boundary = deny;
	c.action = "codecommit:DeleteBranch";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_EXPLICIT_DENY);
	set.boundary = NULL;
	set.scp = (const struct policy *const[]){deny};
	set.n_scp = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_EXPLICIT_DENY);
	policy_free(allow);
	policy_free(deny);
}

void test_policy_eval__boundary_and_session_limit(void)
{
	struct policy *all = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
				   POLICY_IDENTITY);
	struct policy *cc = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"Resource\":\"*\"}"),
				  POLICY_BOUNDARY);
	struct policy *pull = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:GitPull\","
				       "\"Resource\":\"*\"}"), POLICY_SESSION);
	const struct policy *ids[] = {all}, *sess[] = {pull};
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("iam:CreateUser", "*");

	REQUIRE(all && cc && pull);
	set.identity = ids;
	set.n_identity = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.boundary = cc;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	c.action = "codecommit:GitPush";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.session = sess;
	set.n_session = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	c.action = "codecommit:GitPull";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	/* a boundary alone grants nothing */
	set.n_identity = 0;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	/* SCPs must allow */
	set.n_identity = 1;
	set.scp = (const struct policy *const[]){cc};
	set.n_scp = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.scp = (const struct policy *const[]){pull};
	c.action = "codecommit:GitPull";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.session = NULL;
	set.n_session = 0;
	c.action = "codecommit:GitPush";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	policy_free(all);
	policy_free(cc);
	policy_free(pull);
}

void test_policy_eval__resource_policy_same_account(void)
{
	struct policy *res_user = PARSE(ID("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" BOB "\"},"
					   "\"Action\":\"codecommit:GitPull\",\"Resource\":\"*\"}"),
					POLICY_RESOURCE);
	struct policy *res_acct = PARSE(ID("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},"
					   "\"Action\":\"codecommit:GitPull\",\"Resource\":\"*\"}"),
					POLICY_RESOURCE);
	struct policy *res_role = PARSE(ID("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
					   "\"arn:aws:iam::" ACCT ":role/Dev\"},\"Action\":\"codecommit:GitPull\","
					   "\"Resource\":\"*\"}"), POLICY_RESOURCE);
	struct policy *res_sess = PARSE(ID("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
					   "\"arn:aws:sts::" ACCT ":assumed-role/Dev/s1\"},\"Action\":"
					   "\"codecommit:GitPull\",\"Resource\":\"*\"}"), POLICY_RESOURCE);
	struct policy *bnd = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}"),
				   POLICY_BOUNDARY);
	const struct policy_key role_keys[] = {K("aws:PrincipalArn", "arn:aws:iam::" ACCT ":role/Dev")};
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("codecommit:GitPull", REPO);

	REQUIRE(res_user && res_acct && res_role && res_sess && bnd);
	/* naming the user: enough on its own, even with a boundary that does not allow */
	set.resource = res_user;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.boundary = bnd;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.principal_arn = "arn:aws:iam::" ACCT ":user/Alice";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	/* naming the account delegates to IAM: no identity allow, no access */
	set.boundary = NULL;
	set.resource = res_acct;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	/* a role session: the role ARN is matched through aws:PrincipalArn */
	c.principal_arn = "arn:aws:sts::" ACCT ":assumed-role/Dev/s1";
	c.keys = role_keys;
	c.nkeys = 1;
	set.resource = res_role;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.boundary = bnd; /* ... but the role's boundary limits a grant to the role ARN */
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	set.resource = res_sess; /* a grant to the session ARN itself is not limited */
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.boundary = NULL;
	set.session = (const struct policy *const[]){bnd};
	set.n_session = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.resource = res_role; /* session policies limit grants to the role ARN */
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	policy_free(res_user);
	policy_free(res_acct);
	policy_free(res_role);
	policy_free(res_sess);
	policy_free(bnd);
}

void test_policy_eval__resource_policy_cross_account(void)
{
	struct policy *res = PARSE(ID("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
				      OTHER ":root\"},\"Action\":\"codecommit:GitPull\",\"Resource\":\"*\"}"),
				   POLICY_RESOURCE);
	struct policy *id = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"Resource\":\"*\"}"),
				  POLICY_IDENTITY);
	const struct policy *ids[] = {id};
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("codecommit:GitPull", REPO);

	REQUIRE(res && id);
	c.principal_arn = "arn:aws:iam::" OTHER ":user/Eve";
	c.principal_account = OTHER;
	c.resource_account = ACCT;
	set.resource = res;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY); /* identity side missing */
	set.identity = ids;
	set.n_identity = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	set.resource = NULL; /* resource side missing */
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	set.resource = res;
	c.principal_account = NULL; /* derived from the ARN */
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.principal_arn = "arn:aws:iam::999999999999:user/Mallory";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	policy_free(res);
	policy_free(id);
}

void test_policy_eval__principals(void)
{
	struct policy_ctx c = ctx_of("sts:AssumeRole", "arn:aws:iam::" ACCT ":role/R");
	const char *trust_acct = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},"
				 "\"Action\":\"sts:AssumeRole\"}}";
	const char *trust_svc = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
				"[\"ec2.amazonaws.com\"]},\"Action\":\"sts:AssumeRole\"}}";
	const char *trust_fed = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
				"\"arn:aws:iam::" ACCT ":oidc-provider/token.example.com\"},\"Action\":"
				"\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":"
				"{\"token.example.com:aud\":\"my-app\"}}}}";
	const char *anyone = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:*\"}}";
	const char *not_bob = "{\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" BOB "\"},"
			      "\"Action\":\"sts:*\"}}";
	const struct policy_key aud[] = {K("token.example.com:aud", "my-app")};

	CHECK_INT(one(trust_acct, POLICY_TRUST, &c), POLICY_ALLOW);
	CHECK_INT(one(anyone, POLICY_TRUST, &c), POLICY_ALLOW);
	CHECK_INT(one(not_bob, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	CHECK_INT(one(trust_svc, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	c.principal_arn = "arn:aws:iam::" OTHER ":user/Eve";
	c.principal_account = OTHER;
	CHECK_INT(one(trust_acct, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	CHECK_INT(one(not_bob, POLICY_TRUST, &c), POLICY_EXPLICIT_DENY);
	/* NotPrincipal {"AWS": "*"} excludes everyone */
	CHECK_INT(one("{\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"*\"},"
		      "\"Action\":\"sts:*\"}}", POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	c.principal_type = POLICY_PRINCIPAL_SERVICE;
	c.principal_arn = "EC2.amazonaws.com";
	c.principal_account = NULL;
	CHECK_INT(one(trust_svc, POLICY_TRUST, &c), POLICY_ALLOW);
	CHECK_INT(one(trust_acct, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	c.principal_type = POLICY_PRINCIPAL_FEDERATED;
	c.principal_arn = "arn:aws:iam::" ACCT ":oidc-provider/token.example.com";
	c.action = "sts:AssumeRoleWithWebIdentity";
	CHECK_INT(one(trust_fed, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
	c.keys = aud;
	c.nkeys = 1;
	CHECK_INT(one(trust_fed, POLICY_TRUST, &c), POLICY_ALLOW);
	c.principal_type = POLICY_PRINCIPAL_ANONYMOUS;
	c.principal_arn = NULL;
	CHECK_INT(one(anyone, POLICY_TRUST, &c), POLICY_ALLOW);
	CHECK_INT(one(trust_acct, POLICY_TRUST, &c), POLICY_IMPLICIT_DENY);
}

/*
 * The CodeCommit User Guide's branch protection example: deny pushes,
 * deletes, file puts and merges to main, while other branches and pulls
 * stay allowed.  codecommit:References is absent for API calls that do not
 * name a ref; the Null test keeps the Deny from applying then.
 */
void test_policy_eval__codecommit_branch_protection(void)
{
	struct policy *power = PARSE(ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"Resource\":\"*\"}"),
				     POLICY_IDENTITY);
	struct policy *protect = PARSE(ID(
		"{\"Effect\":\"Deny\",\"Action\":[\"codecommit:GitPush\",\"codecommit:DeleteBranch\","
		"\"codecommit:PutFile\",\"codecommit:Merge*\"],\"Resource\":\"" REPO "\","
		"\"Condition\":{\"StringEqualsIfExists\":{\"codecommit:References\":[\"refs/heads/main\"]},"
		"\"Null\":{\"codecommit:References\":\"false\"}}}"), POLICY_IDENTITY);
	const struct policy *ids[] = {power, protect};
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("codecommit:GitPush", REPO);
	const struct policy_key to_main[] = {K("codecommit:References", "refs/heads/main")};
	const struct policy_key to_feature[] = {K("codecommit:References", "refs/heads/feature")};

	REQUIRE(power && protect);
	set.identity = ids;
	set.n_identity = 2;
	c.keys = to_main;
	c.nkeys = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_EXPLICIT_DENY);
	c.action = "codecommit:MergeBranchesByFastForward";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_EXPLICIT_DENY);
	c.keys = to_feature;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.action = "codecommit:GitPush";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.keys = NULL; /* no ref in the request: the Null test fails, the Deny does not apply */
	c.nkeys = 0;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.action = "codecommit:GitPull";
	c.keys = to_main;
	c.nkeys = 1;
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	c.resource = "arn:aws:codecommit:us-east-1:" ACCT ":Other";
	c.action = "codecommit:GitPush";
	CHECK_INT(policy_eval(&set, &c, NULL), POLICY_ALLOW);
	policy_free(power);
	policy_free(protect);
}

/* MFA, source IP and resource tags, as in the IAM User Guide's examples */
void test_policy_eval__mfa_ip_tags(void)
{
	const char *mfa = ID("[{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"Resource\":\"*\"},"
			     "{\"Effect\":\"Deny\",\"Action\":\"codecommit:Delete*\",\"Resource\":\"*\","
			     "\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}]");
	const char *ip = ID("{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
			    "{\"NotIpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"203.0.113.0/24\"]},"
			    "\"Bool\":{\"aws:ViaAWSService\":\"false\"}}}");
	const char *tag = ID("{\"Effect\":\"Allow\",\"Action\":\"codecommit:*\",\"Resource\":\"*\","
			     "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"${aws:PrincipalTag/team}\"}}}");
	struct policy_ctx c = ctx_of("codecommit:DeleteRepository", REPO);
	const struct policy_key mfa_on[] = {K("aws:MultiFactorAuthPresent", "true")};
	const struct policy_key mfa_off[] = {K("aws:MultiFactorAuthPresent", "false")};
	const struct policy_key inside[] = {K("aws:SourceIp", "203.0.113.9"), K("aws:ViaAWSService", "false")};
	const struct policy_key outside[] = {K("aws:SourceIp", "198.51.100.1"), K("aws:ViaAWSService", "false")};
	const struct policy_key same_team[] = {K("aws:ResourceTag/team", "red"), K("aws:PrincipalTag/team", "red")};
	const struct policy_key other_team[] = {K("aws:ResourceTag/team", "red"), K("aws:PrincipalTag/team", "blue")};

	CHECK_INT(one(mfa, POLICY_IDENTITY, &c), POLICY_EXPLICIT_DENY); /* no MFA key: long-term keys */
	c.keys = mfa_off;
	c.nkeys = 1;
	CHECK_INT(one(mfa, POLICY_IDENTITY, &c), POLICY_EXPLICIT_DENY);
	c.keys = mfa_on;
	CHECK_INT(one(mfa, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.keys = inside;
	c.nkeys = 2;
	CHECK_INT(one(ip, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	c.keys = outside;
	CHECK_INT(one(ip, POLICY_IDENTITY, &c), POLICY_EXPLICIT_DENY);
	c.keys = same_team;
	CHECK_INT(one(tag, POLICY_IDENTITY, &c), POLICY_ALLOW);
	c.keys = other_team;
	CHECK_INT(one(tag, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
	c.nkeys = 1; /* no PrincipalTag: the variable is unresolved */
	CHECK_INT(one(tag, POLICY_IDENTITY, &c), POLICY_IMPLICIT_DENY);
}

void test_policy_eval__trace_capacity(void)
{
	struct policy *p = PARSE(ID("[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
				    "{\"Sid\":\"B\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
				    "{\"Sid\":\"C\",\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]"),
				 POLICY_IDENTITY);
	struct policy_match m[1];
	struct policy_trace t = {m, 0, 1};
	struct policy_ctx c = ctx_of("s3:GetObject", "arn:aws:s3:::b/k");

	REQUIRE(p);
	CHECK_INT(policy_eval_one(p, &c, &t), POLICY_ALLOW);
	CHECK_INT(t.n, 1);
	CHECK_STR(m[0].sid, "A");
	policy_free(p);
}

/* 10 policies x 10 statements, none matching until the last: well under 2us */
void test_policy_eval__speed(void)
{
	struct policy *ps[10];
	const struct policy *ids[10];
	struct policy_set set = {0};
	struct policy_ctx c = ctx_of("codecommit:GitPush", REPO);
	const struct policy_key keys[] = {K("aws:username", "Bob"), K("aws:SourceIp", "10.1.2.3"),
					  K("codecommit:References", "refs/heads/feature")};
	struct buf b = BUF_INIT(0);
	struct timespec t0, t1;
	int iters = 50000;

	for (int i = 0; i < 10; i++) {
		buf_clear(&b);
		buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
		for (int j = 0; j < 10; j++)
			buf_printf(&b, "%s{\"Effect\":\"%s\",\"Action\":[\"codecommit:Get%d*\",\"s3:Put%d\"],"
				   "\"Resource\":\"arn:aws:codecommit:*:%s:Repo%d\",\"Condition\":"
				   "{\"StringEquals\":{\"aws:username\":\"x%d\"}}}",
				   j ? "," : "", j % 3 ? "Allow" : "Deny", j, j, ACCT, j, j);
		buf_puts(&b, "]}");
		REQUIRE(!buf_failed(&b));
		ps[i] = PARSE(b.ptr, POLICY_IDENTITY);
		ids[i] = ps[i];
		REQUIRE(ps[i]);
	}
	buf_release(&b);
	set.identity = ids;
	set.n_identity = 10;
	c.keys = keys;
	c.nkeys = 3;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (int i = 0; i < iters; i++)
		CHECK_INT(policy_eval(&set, &c, NULL), POLICY_IMPLICIT_DENY);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / iters;
	fprintf(stderr, "  policy_eval: %.0f ns per request (10 policies x 10 statements, this build)\n", ns);
	CHECK(ns < 20000); /* generous: the sanitizer build is several times slower */
	for (int i = 0; i < 10; i++)
		policy_free(ps[i]);
}

/* policy_context_keys: the keys of the statements that apply, each once */
void test_policy_eval__context_keys(void)
{
	struct policy *p = PARSE(
		ID("[{\"Effect\":\"Allow\",\"Action\":\"codecommit:GitPush\",\"Resource\":\"*\","
		   "\"Condition\":{\"StringEquals\":{\"codecommit:References\":\"refs/heads/main\"},"
		   "\"Null\":{\"Codecommit:references\":\"false\"}}},"
		   "{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\","
		   "\"Resource\":\"arn:aws:iam::" ACCT ":user/${aws:username}\","
		   "\"Condition\":{\"StringLike\":{\"aws:PrincipalTag/team\":\"${aws:PrincipalTag/lead}\"}}},"
		   "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\","
		   "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]"),
		POLICY_IDENTITY);
	struct policy_ctx c = ctx_of("codecommit:GitPush", REPO);
	struct span k[8];
	size_t n;

	REQUIRE(p != NULL);
	/* every statement */
	n = policy_context_keys(p, NULL, k, 8);
	CHECK_INT(n, 5);
	CHECK(span_eq(k[0], "codecommit:References")); /* the Null key is the same, any case */
	CHECK(span_eq(k[1], "aws:username"));
	CHECK(span_eq(k[2], "aws:PrincipalTag/team"));
	CHECK(span_eq(k[3], "aws:PrincipalTag/lead"));
	CHECK(span_eq(k[4], "aws:SecureTransport"));
	/* only the statements whose Action and Resource apply */
	n = policy_context_keys(p, &c, k, 8);
	CHECK_INT(n, 1);
	CHECK(span_eq(k[0], "codecommit:References"));
	/* a Resource with a variable counts as applying */
	c.action = "iam:GetUser";
	c.resource = "arn:aws:iam::" ACCT ":user/Someone";
	CHECK_INT(policy_context_keys(p, &c, k, 8), 3);
	/* a Resource that does not match leaves the statement out */
	c.action = "s3:GetObject";
	c.resource = "arn:aws:s3:::other";
	CHECK_INT(policy_context_keys(p, &c, k, 8), 0);
	c.resource = "arn:aws:s3:::b";
	CHECK_INT(policy_context_keys(p, &c, k, 8), 1);
	/* cap: counted, not stored */
	CHECK_INT(policy_context_keys(p, NULL, k, 2), 5);
	CHECK_INT(policy_context_keys(NULL, NULL, k, 8), 0);
	policy_free(p);
}
