#!/bin/bash
# AssumeRole across accounts, as the IAM guide's cross-account walkthrough:
# account B has a repository and a role DemoRepoAccess that trusts account
# A; a user of A allowed sts:AssumeRole on it gets a session of B and
# lists, clones and pushes B's repository with it, through the AWS CLI's
# credential helper.  Trust policies, ExternalId, durations, session
# policies, MFA, role chaining and revocation by aws:TokenIssueTime.
. "$(dirname "$0")/lib.sh"
start_server
git_setup

"$COMMITD" account-create --data-dir "$T/data" --admin bossB --json >"$T/b.json" 2>"$T/b.err" ||
	fail "account-create B"
B=$(json_get "$T/b.json" AccountId)
add_profile bossB "$(json_get "$T/b.json" AccessKeyId)" "$(json_get "$T/b.json" SecretAccessKey)"

trust() { # trust PRINCIPAL-JSON [CONDITION-JSON]
	printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":%s,"Action":"sts:AssumeRole"%s}]}' \
		"$1" "${2:+,\"Condition\":$2}"
}
# assume DESC PROFILE NAME ROLE-ARN [args...]: assume-role must succeed; the
# session becomes profile NAME
assume() {
	local d=$1 p=$2 n=$3 arn=$4
	shift 4
	if aws_as "$p" sts assume-role --role-arn "$arn" --role-session-name "$n" "$@"; then
		pass "$d"
		add_profile "$n" "$(out_get Credentials.AccessKeyId)" \
			"$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
	else
		sed 's/^/#   /' "$T/err" | tail -3
		fail "$d"
	fi
}

# --- account B: a repository and a role trusting account A ----------------------------
ok "B creates MyDemoRepo" bossB codecommit create-repository --repository-name MyDemoRepo
ok "B creates DemoRepoAccess trusting account A" bossB iam create-role \
	--role-name DemoRepoAccess --assume-role-policy-document "$(trust "{\"AWS\":\"arn:aws:iam::$ACCOUNT:root\"}")"
ROLE="arn:aws:iam::$B:role/DemoRepoAccess"
ok "B gives the role AWSCodeCommitPowerUser" bossB iam attach-role-policy \
	--role-name DemoRepoAccess --policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser

# --- account A: Sonali may assume it, Ravi may not ----------------------------------------
for u in Sonali Ravi; do
	aws_as admin iam create-user --user-name "$u" || fail "create-user $u"
	aws_as admin iam create-access-key --user-name "$u" || fail "create-access-key $u"
	add_profile "$u" "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
done
ok "Sonali may call sts:AssumeRole on B's role" admin iam put-user-policy --user-name Sonali \
	--policy-name AssumeDemo --policy-document \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"$ROLE\"}]}"

assume "Sonali assumes DemoRepoAccess in B" Sonali SonaliB "$ROLE" --duration-seconds 900
expect_eq "the session is B's assumed role" "$(out_get AssumedRoleUser.Arn)" \
	"arn:aws:sts::$B:assumed-role/DemoRepoAccess/SonaliB"
out_get AssumedRoleUser.AssumedRoleId | grep -qE '^AROA[A-Z0-9]+:SonaliB$' &&
	pass "AssumedRoleId is ROLEID:session" || fail "AssumedRoleId is ROLEID:session"
out_get Credentials.AccessKeyId | grep -q '^ASIA' && pass "the key is an ASIA key" ||
	fail "the key is an ASIA key"
ok "get-caller-identity as the session" SonaliB sts get-caller-identity
expect_eq "... in account B" "$(out_get Account)" "$B"
expect_eq "... as the assumed role" "$(out_get Arn)" "arn:aws:sts::$B:assumed-role/DemoRepoAccess/SonaliB"
ok "the session lists B's repositories" SonaliB codecommit list-repositories
grep -q MyDemoRepo "$T/out" && pass "... and sees MyDemoRepo" || fail "... and sees MyDemoRepo"
fails_with "the role's policies bound the session (no DeleteRepository)" AccessDeniedException \
	SonaliB codecommit delete-repository --repository-name MyDemoRepo
grep -q "assumed-role/DemoRepoAccess/SonaliB" "$T/err" && pass "... the refusal names the session" ||
	fail "... the refusal names the session"

# Git through the AWS CLI's credential helper with the session
helper="credential.helper=!AWS_PROFILE=SonaliB $AWS codecommit credential-helper \$@ --ignore-host-check"
gitok "the session clones B's repository" -c "$helper" -c credential.UseHttpPath=true \
	clone "$ENDPOINT/v1/repos/MyDemoRepo" "$T/b1"
echo "from account A" >"$T/b1/a.txt"
git -C "$T/b1" add a.txt && git -C "$T/b1" commit -qm "cross-account"
gitok "... and pushes to it" -C "$T/b1" -c "$helper" -c credential.UseHttpPath=true push origin HEAD:main
ok "B sees the commit" bossB codecommit get-branch --repository-name MyDemoRepo --branch-name main
expect_eq "... on main" "$(out_get branch.commitId)" "$(git -C "$T/b1" rev-parse HEAD)"

# --- the AWS CLI's own role profile: role_arn + source_profile --------------------------
"$TOP/scripts/cli-endpoints.py" "$ENDPOINT" "$T/aws-data" >/dev/null ||
	fail "cli-endpoints.py writes the endpoint rule sets"
printf '[profile RoleInB]\nrole_arn = %s\nsource_profile = Sonali\nregion = us-east-1\n' "$ROLE" \
	>>"$AWS_CONFIG_FILE"
if AWS_DATA_PATH=$T/aws-data "$AWS" --profile RoleInB sts get-caller-identity >"$T/out" 2>"$T/err"; then
	pass "a role_arn profile: the CLI assumes the role at this server"
else
	sed 's/^/#   /' "$T/err" | tail -3
	fail "a role_arn profile: the CLI assumes the role at this server"
fi
out_get Arn | grep -q "^arn:aws:sts::$B:assumed-role/DemoRepoAccess/" &&
	pass "... and is B's role session" || fail "... and is B's role session"
AWS_DATA_PATH=$T/aws-data "$AWS" --profile RoleInB codecommit list-repositories >"$T/out" 2>"$T/err" &&
	grep -q MyDemoRepo "$T/out" && pass "... which lists B's repositories without --endpoint-url" ||
	fail "... which lists B's repositories without --endpoint-url"
rhelper="credential.helper=!AWS_DATA_PATH=$T/aws-data AWS_PROFILE=RoleInB $AWS codecommit credential-helper \$@ --ignore-host-check"
gitok "the credential helper with the role profile clones B's repository" -c "$rhelper" \
	-c credential.UseHttpPath=true clone "$ENDPOINT/v1/repos/MyDemoRepo" "$T/b2"
echo "via role_arn" >"$T/b2/r.txt"
git -C "$T/b2" add r.txt && git -C "$T/b2" commit -qm "via the role profile"
gitok "... and pushes" -C "$T/b2" -c "$rhelper" -c credential.UseHttpPath=true push origin HEAD:main

# --- GetAccessKeyInfo: whose account a key belongs to ------------------------------------
SONALI_KEY=$(grep -A1 '^\[Sonali\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/^aws_access_key_id = //p')
ok "get-access-key-info for Sonali's long-term key" admin sts get-access-key-info \
	--access-key-id "$SONALI_KEY"
expect_eq "... is account A" "$(out_get Account)" "$ACCOUNT"
SESSION_KEY=$(grep -A1 '^\[SonaliB\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/^aws_access_key_id = //p')
ok "get-access-key-info for the role session's key" admin sts get-access-key-info \
	--access-key-id "$SESSION_KEY"
expect_eq "... is account B" "$(out_get Account)" "$B"
fails_with "an unknown key" InvalidParameterValue admin sts get-access-key-info \
	--access-key-id AKIAAAAAAAAAAAAAAAAA
fails_with "Ravi may not ask" AccessDenied Ravi sts get-access-key-info --access-key-id "$SONALI_KEY"

# --- refusals -------------------------------------------------------------------------
fails_with "Ravi has no sts:AssumeRole permission" AccessDenied Ravi sts assume-role \
	--role-arn "$ROLE" --role-session-name r1
grep -q "sts:AssumeRole" "$T/err" && pass "... the refusal names sts:AssumeRole" ||
	fail "... the refusal names sts:AssumeRole"
# --- DecodeAuthorizationMessage: the reference a refusal carries ---------------------------
ENC=$(sed -n 's/.*Encoded authorization failure message: \(CDM1[A-Za-z0-9_-]*\).*/\1/p' "$T/err")
[ -n "$ENC" ] && pass "the refusal carries an encoded authorization message" ||
	fail "the refusal carries an encoded authorization message"
ok "an administrator of the account decodes it" admin sts decode-authorization-message \
	--encoded-message "$ENC"
out_get DecodedMessage >"$T/decoded"
expect_eq "... allowed is false" "$(json_get "$T/decoded" allowed)" False
expect_eq "... the action" "$(json_get "$T/decoded" context.action)" sts:AssumeRole
expect_eq "... the resource" "$(json_get "$T/decoded" context.resource)" "$ROLE"
expect_eq "... the principal" "$(json_get "$T/decoded" context.principal.arn)" \
	"arn:aws:iam::$ACCOUNT:user/Ravi"
grep -q '"aws:username"' "$T/decoded" && pass "... and the request's context keys" ||
	fail "... and the request's context keys"
fails_with "Ravi may not decode it (no sts:DecodeAuthorizationMessage)" AccessDenied Ravi sts \
	decode-authorization-message --encoded-message "$ENC"
fails_with "another account cannot read it" InvalidAuthorizationMessageException bossB sts \
	decode-authorization-message --encoded-message "$ENC"
fails_with "an unknown message" InvalidAuthorizationMessageException admin sts \
	decode-authorization-message --encoded-message CDM1nothing
fails_with "a role that does not exist is refused alike" AccessDenied Sonali sts assume-role \
	--role-arn "arn:aws:iam::$B:role/NoSuchRole" --role-session-name s1
ok "B makes a role trusting another account" bossB iam create-role --role-name Other \
	--assume-role-policy-document "$(trust '{"AWS":"arn:aws:iam::999999999999:root"}')"
ok "Sonali may assume any role" admin iam put-user-policy --user-name Sonali \
	--policy-name AssumeAny --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
fails_with "a trust policy that does not name the caller refuses" AccessDenied Sonali sts \
	assume-role --role-arn "arn:aws:iam::$B:role/Other" --role-session-name s1
fails_with "a bad session name" ValidationError Sonali sts assume-role --role-arn "$ROLE" \
	--role-session-name "has space"
# the CLI checks the minimum itself: a profile that sends it anyway
add_profile SonaliRaw "$(grep -A2 '^\[Sonali\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/^aws_access_key_id = //p')" \
	"$(grep -A2 '^\[Sonali\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/^aws_secret_access_key = //p')"
echo "parameter_validation = false" >>"$AWS_CONFIG_FILE"
fails_with "a duration under 15 minutes" ValidationError SonaliRaw sts assume-role \
	--role-arn "$ROLE" --role-session-name s1 --duration-seconds 899
fails_with "a duration over the role's maximum" ValidationError Sonali sts assume-role \
	--role-arn "$ROLE" --role-session-name s1 --duration-seconds 3601
fails_with "a malformed RoleArn" ValidationError Sonali sts assume-role \
	--role-arn "arn:aws:iam::12:role/x" --role-session-name s1

# --- same account: a trust policy naming the user is enough ---------------------------
ok "A makes LocalRole trusting Ravi himself" admin iam create-role --role-name LocalRole \
	--max-session-duration 7200 \
	--assume-role-policy-document "$(trust "{\"AWS\":\"arn:aws:iam::$ACCOUNT:user/Ravi\"}")"
assume "Ravi assumes it with no permission of his own" Ravi RaviLocal \
	"arn:aws:iam::$ACCOUNT:role/LocalRole" --duration-seconds 7200
fails_with "Sonali is not named by it" AccessDenied Sonali sts assume-role \
	--role-arn "arn:aws:iam::$ACCOUNT:role/LocalRole" --role-session-name s2

# --- ExternalId -------------------------------------------------------------------------
ok "B makes a role that wants an ExternalId" bossB iam create-role --role-name Vendor \
	--assume-role-policy-document "$(trust "{\"AWS\":\"$ACCOUNT\"}" \
		'{"StringEquals":{"sts:ExternalId":"Unique-4711"}}')"
fails_with "without the ExternalId" AccessDenied Sonali sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Vendor" --role-session-name v1
fails_with "with a wrong ExternalId" AccessDenied Sonali sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Vendor" --role-session-name v1 --external-id Wrong-0000
ok "with the right ExternalId" Sonali sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Vendor" --role-session-name v1 --external-id Unique-4711

# --- a session policy narrows the session ------------------------------------------------------
assume "Sonali assumes the role with a session policy" Sonali SonaliNarrow "$ROLE" \
	--policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:ListRepositories","Resource":"*"}]}'
[ -n "$(out_get PackedPolicySize)" ] && pass "PackedPolicySize is reported" ||
	fail "PackedPolicySize is reported"
ok "the narrowed session may list" SonaliNarrow codecommit list-repositories
fails_with "... but not get a repository the role allows" AccessDeniedException SonaliNarrow \
	codecommit get-repository --repository-name MyDemoRepo
fails_with "a malformed session policy" MalformedPolicyDocument Sonali sts assume-role \
	--role-arn "$ROLE" --role-session-name s3 --policy '{"Statement":'
fails_with "a session policy over 2048 characters" ValidationError Sonali sts assume-role \
	--role-arn "$ROLE" --role-session-name s3 --policy \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"codecommit:ListRepositories\",\"Resource\":\"$(head -c 2100 /dev/zero | tr '\0' a)\"}]}"

# --- chaining: at most an hour ------------------------------------------------------------
ok "B lets its own role sessions assume Vendor2" bossB iam create-role --role-name Vendor2 \
	--max-session-duration 7200 \
	--assume-role-policy-document "$(trust "{\"AWS\":\"$ROLE\"}")"
ok "... and the role may call sts:AssumeRole" bossB iam put-role-policy --role-name DemoRepoAccess \
	--policy-name Chain --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
fails_with "a chained session of two hours" ValidationError SonaliB sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Vendor2" --role-session-name c1 --duration-seconds 7200
ok "a chained session of one hour" SonaliB sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Vendor2" --role-session-name c1 --duration-seconds 3600
expect_eq "... is Vendor2's" "$(out_get AssumedRoleUser.Arn)" "arn:aws:sts::$B:assumed-role/Vendor2/c1"

# --- session tags, source identity, managed session policies ---------------------------------
trust_actions() { # trust_actions PRINCIPAL-JSON ACTIONS-JSON
	printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":%s,"Action":%s}]}' "$1" "$2"
}
ok "B makes Tagged, trusting A for AssumeRole, TagSession and SetSourceIdentity" bossB iam \
	create-role --role-name Tagged --tags Key=team,Value=red --assume-role-policy-document \
	"$(trust_actions "{\"AWS\":\"arn:aws:iam::$ACCOUNT:root\"}" '["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]')"
TAGGED_POLICY='{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"codecommit:GetRepository","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
 {"Effect":"Allow","Action":"codecommit:ListRepositories","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"sonali"}}},
 {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
ok "... whose policy keys on aws:PrincipalTag/team and aws:SourceIdentity" bossB iam put-role-policy \
	--role-name Tagged --policy-name ByTag --policy-document "$TAGGED_POLICY"
TAGGED="arn:aws:iam::$B:role/Tagged"
ok "across accounts Sonali's own policies must allow tagging too" admin iam put-user-policy \
	--user-name Sonali --policy-name TagSessions --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}'
assume "Sonali assumes Tagged with a session tag and a source identity" Sonali SonaliTagged \
	"$TAGGED" --tags Key=team,Value=blue --transitive-tag-keys team --source-identity sonali
expect_eq "... SourceIdentity is in the answer" "$(out_get SourceIdentity)" sonali
[ -n "$(out_get PackedPolicySize)" ] && pass "... and PackedPolicySize" || fail "... and PackedPolicySize"
ok "the session tag (blue) wins over the role's own tag (red)" SonaliTagged codecommit \
	get-repository --repository-name MyDemoRepo
ok "aws:SourceIdentity is the one given" SonaliTagged codecommit list-repositories
assume "without tags the role's own tag applies" Sonali SonaliRed "$TAGGED"
fails_with "... (red): GetRepository is refused" AccessDeniedException SonaliRed codecommit \
	get-repository --repository-name MyDemoRepo
fails_with "... and no source identity: ListRepositories is refused" AccessDeniedException SonaliRed \
	codecommit list-repositories
fails_with "duplicate tag keys (any case)" InvalidParameterValue Sonali sts assume-role \
	--role-arn "$TAGGED" --role-session-name t1 --tags Key=team,Value=a Key=TEAM,Value=b
fails_with "a transitive key that is not a tag" InvalidParameterValue Sonali sts assume-role \
	--role-arn "$TAGGED" --role-session-name t1 --tags Key=team,Value=a --transitive-tag-keys other
fails_with "a tag key beginning with aws:" InvalidParameterValue Sonali sts assume-role \
	--role-arn "$TAGGED" --role-session-name t1 --tags Key=aws:team,Value=a
fails_with "a source identity beginning with aws:" ValidationError Sonali sts assume-role \
	--role-arn "$TAGGED" --role-session-name t1 --source-identity aws:me
fails_with "tags on a role whose trust policy lacks sts:TagSession" AccessDenied Sonali sts \
	assume-role --role-arn "$ROLE" --role-session-name t1 --tags Key=team,Value=blue
grep -q "sts:TagSession" "$T/err" && pass "... the refusal names sts:TagSession" ||
	fail "... the refusal names sts:TagSession"
fails_with "a source identity without sts:SetSourceIdentity" AccessDenied Sonali sts \
	assume-role --role-arn "$ROLE" --role-session-name t1 --source-identity sonali
ok "B makes Tagged2, trusting the Tagged role" bossB iam create-role --role-name Tagged2 \
	--assume-role-policy-document "$(trust_actions "{\"AWS\":\"$TAGGED\"}" '["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]')"
ok "... with the same policy" bossB iam put-role-policy --role-name Tagged2 --policy-name ByTag \
	--policy-document "$TAGGED_POLICY"
fails_with "a chained session cannot override a transitive tag" InvalidParameterValue SonaliTagged \
	sts assume-role --role-arn "arn:aws:iam::$B:role/Tagged2" --role-session-name c2 \
	--tags Key=Team,Value=green
fails_with "... nor change the source identity" AccessDenied SonaliTagged sts assume-role \
	--role-arn "arn:aws:iam::$B:role/Tagged2" --role-session-name c2 --source-identity other
assume "a chained session" SonaliTagged Chained "arn:aws:iam::$B:role/Tagged2"
expect_eq "... keeps the source identity" "$(out_get SourceIdentity)" sonali
ok "... and the transitive tag (GetRepository)" Chained codecommit get-repository \
	--repository-name MyDemoRepo
ok "... and aws:SourceIdentity (ListRepositories)" Chained codecommit list-repositories
assume "a managed session policy (PolicyArns)" Sonali SonaliRO "$ROLE" \
	--policy-arns arn=arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "... the session may read" SonaliRO codecommit list-repositories
fails_with "... but not create what the role could" AccessDeniedException SonaliRO codecommit \
	create-repository --repository-name NotAllowed
fails_with "a PolicyArns entry that does not exist" InvalidParameterValue Sonali sts assume-role \
	--role-arn "$ROLE" --role-session-name p1 --policy-arns "arn=arn:aws:iam::$B:policy/Nope"
fails_with "a policy of another account" InvalidParameterValue Sonali sts assume-role \
	--role-arn "$ROLE" --role-session-name p1 --policy-arns "arn=arn:aws:iam::$ACCOUNT:policy/Any"

# --- tampering, revocation ----------------------------------------------------------------
python3 - "$AWS_SHARED_CREDENTIALS_FILE" <<'PYEOF'
import configparser, sys
c = configparser.RawConfigParser()
c.read(sys.argv[1])
t = c.get("SonaliB", "aws_session_token")
mid = len(t) // 2
c.add_section("Tampered")
for k in ("aws_access_key_id", "aws_secret_access_key"):
    c.set("Tampered", k, c.get("SonaliB", k))
c.set("Tampered", "aws_session_token", t[:mid] + ("A" if t[mid] != "A" else "B") + t[mid + 1:])
with open(sys.argv[1], "w") as f:
    c.write(f)
PYEOF
printf '[profile Tampered]\nregion = us-east-1\n' >>"$AWS_CONFIG_FILE"
fails_with "a tampered session token is refused" InvalidClientTokenId Tampered sts get-caller-identity
sleep 1
CUT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
ok "B revokes older sessions of the role (aws:TokenIssueTime)" bossB iam put-role-policy \
	--role-name DemoRepoAccess --policy-name AWSRevokeOlderSessions --policy-document \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"$CUT\"}}}]}"
fails_with "the old session stops working" AccessDeniedException SonaliB codecommit list-repositories
assume "a new session works" Sonali SonaliB2 "$ROLE"
ok "... and lists B's repositories" SonaliB2 codecommit list-repositories
finish
