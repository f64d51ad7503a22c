#!/bin/bash
# Federated sign-in with OpenID Connect: IAM's OIDC providers, and
# AssumeRoleWithWebIdentity with ID tokens signed by keys this test makes
# (RS256 and ES256), the provider's JWKS installed as a local file as on an
# air-gapped server.  Good tokens assume the role, through the AWS CLI's
# web_identity_token_file profile too, and reach the repositories; tokens
# with a bad signature, audience, issuer, subject or lifetime do not.
. "$(dirname "$0")/lib.sh"

# a provider of our own over HTTPS, with a CA the server is told to trust
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
	-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$T/idp.key" -out "$T/idp.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.ext"
openssl x509 -req -in "$T/idp.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/san.ext" -out "$T/idp.pem" 2>/dev/null
start_server --oidc-ca-file "$T/ca.pem"
git_setup

IDP="$T/idp"
TOKPY="$TOP/tests/e2e/oidc_token.py"
"$PY" "$TOKPY" keygen "$IDP" || fail "the test's identity provider makes its keys"
ISS=https://idp.example.test/tenant
URLP=idp.example.test/tenant
PROVIDER="arn:aws:iam::$ACCOUNT:oidc-provider/$URLP"
SUB=repo:demo:ref:refs/heads/main
NOW=$(date +%s)
# claims [SUB [AUD-JSON [EXP [ISS [EXTRA]]]]]: an ID token's payload
claims() {
	printf '{"iss":"%s","sub":"%s","aud":%s,"iat":%d,"exp":%d%s}' "${4:-$ISS}" "${1:-$SUB}" \
		"${2:-\"commitd-ci\"}" "$NOW" "${3:-$((NOW + 600))}" "${5:-}"
}
tok() { "$PY" "$TOKPY" token "$IDP" "$@"; }
printf '[profile anon]\nregion = us-east-1\noutput = json\n' >>"$AWS_CONFIG_FILE"
printf '[profile anonlax]\nregion = us-east-1\noutput = json\nparameter_validation = false\n' \
	>>"$AWS_CONFIG_FILE"

# --- IAM: the provider ------------------------------------------------------------------
ok "create-open-id-connect-provider" admin iam create-open-id-connect-provider --url "$ISS" \
	--client-id-list commitd-ci --thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e \
	--tags Key=team,Value=ci
expect_eq "... its ARN is oidc-provider/HOST/PATH" "$(out_get OpenIDConnectProviderArn)" "$PROVIDER"
fails_with "the same URL twice is EntityAlreadyExists" EntityAlreadyExists admin iam \
	create-open-id-connect-provider --url "$ISS/" --thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e
for bad in http://idp.example.test https://idp.example.test:99999 https://idp.example.test:x "https://idp.example.test/a/../b" \
	"https://idp.example.test/x?y=1" "https://user@idp.example.test"; do
	fails_with "a provider URL like $bad is InvalidInput" InvalidInput admin iam \
		create-open-id-connect-provider --url "$bad" --thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e
done
fails_with "a thumbprint that is not 40 hex digits is InvalidInput" InvalidInput admin iam \
	create-open-id-connect-provider --url https://other.example.test \
	--thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9z
ok "list-open-id-connect-providers" admin iam list-open-id-connect-providers
expect_eq "... lists it" "$(out_get OpenIDConnectProviderList.0.Arn)" "$PROVIDER"
ok "add-client-id-to-open-id-connect-provider" admin iam add-client-id-to-open-id-connect-provider \
	--open-id-connect-provider-arn "$PROVIDER" --client-id second-app
ok "... twice changes nothing" admin iam add-client-id-to-open-id-connect-provider \
	--open-id-connect-provider-arn "$PROVIDER" --client-id second-app
ok "update-open-id-connect-provider-thumbprint" admin iam update-open-id-connect-provider-thumbprint \
	--open-id-connect-provider-arn "$PROVIDER" --thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ok "get-open-id-connect-provider" admin iam get-open-id-connect-provider \
	--open-id-connect-provider-arn "$PROVIDER"
expect_eq "... Url without the scheme" "$(out_get Url)" "$URLP"
expect_eq "... both client ids" "$(out_get ClientIDList)" '["commitd-ci", "second-app"]'
expect_eq "... the new thumbprints" "$(out_get ThumbprintList.1)" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
expect_eq "... its tag" "$(out_get Tags.0.Value)" ci
ok "remove-client-id-from-open-id-connect-provider" admin iam \
	remove-client-id-from-open-id-connect-provider --open-id-connect-provider-arn "$PROVIDER" \
	--client-id second-app
ok "untag and list-open-id-connect-provider-tags" admin iam untag-open-id-connect-provider \
	--open-id-connect-provider-arn "$PROVIDER" --tag-keys team
ok "... list" admin iam list-open-id-connect-provider-tags --open-id-connect-provider-arn "$PROVIDER"
expect_eq "... no tags left" "$(out_get Tags)" "[]"
fails_with "another account's or an unknown ARN is NoSuchEntity" NoSuchEntity admin iam \
	get-open-id-connect-provider --open-id-connect-provider-arn "arn:aws:iam::$ACCOUNT:oidc-provider/nope.example.test"
aws_as admin iam create-user --user-name Nobody && aws_as admin iam create-access-key --user-name Nobody &&
	add_profile Nobody "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "a user without permission may not create providers" AccessDenied Nobody iam \
	create-open-id-connect-provider --url https://evil.example.test \
	--thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e

# --- the role that trusts it, and the provider's keys on disk --------------------------------
TRUST=$(printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:aud":"commitd-ci","%s:sub":"%s"}}}]}' \
	"$PROVIDER" "$URLP" "$URLP" "$SUB")
ok "create-role WebDeploy trusting the provider for one subject" admin iam create-role \
	--role-name WebDeploy --assume-role-policy-document "$TRUST"
ROLE="arn:aws:iam::$ACCOUNT:role/WebDeploy"
ok "... with AWSCodeCommitPowerUser" admin iam attach-role-policy --role-name WebDeploy \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "a repository to reach" admin codecommit create-repository --repository-name FedRepo

webid() { # webid PROFILE TOKEN [args]: assume-role-with-web-identity, unsigned
	local p=$1 t=$2
	shift 2
	aws_as "$p" sts assume-role-with-web-identity --role-arn "$ROLE" --role-session-name ci-run \
		--web-identity-token "$t" "$@"
}
GOOD=$(tok rsa "$(claims)")
webid anon "$GOOD"
fails_with_webid() { # DESC CODE TEXT TOKEN [args]
	local d=$1 code=$2 text=$3 t=$4
	shift 4
	if webid anonlax "$t" "$@"; then
		fail "$d (succeeded)"
	elif grep -q "($code)" "$T/err" && grep -qF -- "$text" "$T/err"; then
		pass "$d"
	else
		fail "$d (expected $code: $text)"
	fi
}
fails_with_webid "keys neither installed nor reachable: IDPCommunicationError" \
	IDPCommunicationError "https://$URLP" "$GOOD"
grep -q "could not get the JWKS of https://$URLP" "$T/server.log" &&
	pass "... and the server log says so" || fail "... and the server log says so"
mkdir -p "$T/data/oidc/$URLP" && cp "$IDP/jwks.json" "$T/data/oidc/$URLP/jwks.json"

if webid anon "$GOOD"; then pass "an RS256 token assumes the role, unsigned"; else fail "an RS256 token assumes the role, unsigned"; fi
expect_eq "... SubjectFromWebIdentityToken" "$(out_get SubjectFromWebIdentityToken)" "$SUB"
expect_eq "... Audience" "$(out_get Audience)" commitd-ci
expect_eq "... Provider is the issuer" "$(out_get Provider)" "$ISS"
expect_eq "... the assumed-role ARN" "$(out_get AssumedRoleUser.Arn)" \
	"arn:aws:sts::$ACCOUNT:assumed-role/WebDeploy/ci-run"
add_profile fed "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" \
	"$(out_get Credentials.SessionToken)"
ok "the session's get-caller-identity" fed sts get-caller-identity
expect_eq "... is the assumed role" "$(out_get Arn)" "arn:aws:sts::$ACCOUNT:assumed-role/WebDeploy/ci-run"
ok "the session lists repositories" fed codecommit list-repositories
fails_with "the role's policies bound it (no DeleteRepository)" AccessDeniedException fed \
	codecommit delete-repository --repository-name FedRepo
if webid anon "$(tok ec "$(claims)")"; then pass "an ES256 token assumes the role"; else fail "an ES256 token assumes the role"; fi
if webid anon "$(tok rsa "$(claims "$SUB" '["other","commitd-ci"]')")"; then
	pass "an aud list naming the client id is accepted"
else
	fail "an aud list naming the client id is accepted"
fi
ok "the role's last use is recorded" admin iam get-role --role-name WebDeploy
[ -n "$(out_get Role.RoleLastUsed.LastUsedDate)" ] && pass "... RoleLastUsed is set" ||
	fail "... RoleLastUsed is set"

# --- refused tokens -------------------------------------------------------------------------
flip() { # the token with one character of its signature changed
	local t=$1 last=${1: -2:1}
	[ "$last" = A ] && last=B || last=A
	printf '%s' "${t:0:${#t}-2}$last${t: -1}"
}
fails_with_webid "a flipped signature byte is InvalidIdentityToken" InvalidIdentityToken signature \
	"$(flip "$GOOD")"
fails_with_webid "a key the JWKS does not publish is refused" InvalidIdentityToken "" \
	"$(tok other "$(claims)")"
fails_with_webid "... also when it claims a published kid" InvalidIdentityToken signature \
	"$(tok other "$(claims)" RS256 rsa1)"
fails_with_webid "alg none is refused" InvalidIdentityToken none "$(tok rsa "$(claims)" none)"
fails_with_webid "a wrong audience is refused" InvalidIdentityToken "Incorrect token audience" \
	"$(tok rsa "$(claims "$SUB" '"someone-else"')")"
fails_with_webid "an expired token is ExpiredTokenException" ExpiredTokenException "Token expired" \
	"$(tok rsa "$(claims "$SUB" '"commitd-ci"' $((NOW - 10)))")"
fails_with_webid "a token not valid yet (nbf) is refused" InvalidIdentityToken nbf \
	"$(tok rsa "$(claims "$SUB" '"commitd-ci"' $((NOW + 7200)) "$ISS" ",\"nbf\":$((NOW + 3600))")")"
fails_with_webid "a token without exp is refused" InvalidIdentityToken exp \
	"$(tok rsa "{\"iss\":\"$ISS\",\"sub\":\"$SUB\",\"aud\":\"commitd-ci\"}")"
fails_with_webid "an issuer with no provider is refused" InvalidIdentityToken \
	"No OpenIDConnect provider found in your account for https://elsewhere.example.test" \
	"$(tok rsa "$(claims "$SUB" '"commitd-ci"' $((NOW + 600)) https://elsewhere.example.test)")"
fails_with_webid "another subject is refused by the trust policy" AccessDenied \
	"Not authorized to perform sts:AssumeRoleWithWebIdentity" \
	"$(tok rsa "$(claims repo:demo:ref:refs/heads/feature)")"
ROLE_SAVED=$ROLE
ROLE="arn:aws:iam::$ACCOUNT:role/NoSuchRole"
fails_with_webid "a role that does not exist is refused the same way" AccessDenied \
	"not authorized to perform: sts:AssumeRoleWithWebIdentity" "$GOOD"
ROLE=$ROLE_SAVED
fails_with_webid "garbage is InvalidIdentityToken" InvalidIdentityToken "" "not.a.token"
fails_with_webid "a token over 20000 characters is refused" ValidationError 20000 \
	"$(head -c 20001 /dev/zero | tr '\0' a)"
fails_with_webid "ProviderId (OAuth 2.0) says it is not supported" InvalidParameterValue ProviderId \
	"$GOOD" --provider-id www.amazon.com
fails_with_webid "a duration past the role's maximum is refused" ValidationError DurationSeconds \
	"$GOOD" --duration-seconds 7200
fails_with_webid "an oversized session policy is refused" ValidationError 2048 \
	"$GOOD" --policy "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Sid\":\"$(head -c 3000 /dev/zero | tr '\0' a)\"}]}"
ok "nothing was issued by the refusals: the role was used by good tokens only" admin iam get-role \
	--role-name WebDeploy

# --- a session policy narrows it ---------------------------------------------------------------
if webid anon "$GOOD" --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:GetRepository","Resource":"*"}]}'; then
	pass "with a session policy"
	add_profile narrow "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" \
		"$(out_get Credentials.SessionToken)"
else
	fail "with a session policy"
fi
ok "... GetRepository is allowed" narrow codecommit get-repository --repository-name FedRepo
fails_with "... ListRepositories is not" AccessDeniedException narrow codecommit list-repositories

# --- keys fetched from the provider (discovery, then jwks_uri, over verified HTTPS) ----------
timeout 600 "$PY" "$TOP/tests/e2e/oidc_server.py" "$T/idp.pem" "$T/idp.key" "$IDP/jwks.json" \
	"$T/idp.port" 2>"$T/idp.log" &
IDP_PID=$!
for _ in $(seq 50); do [ -s "$T/idp.port" ] && break; sleep 0.1; done
IDPURL="127.0.0.1:$(cat "$T/idp.port")/fed"
ok "a provider with a port, of our own network" admin iam create-open-id-connect-provider \
	--url "https://$IDPURL" --client-id-list commitd-ci \
	--thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e
FETCH_TRUST=$(printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"%s"}}}]}' \
	"$ACCOUNT" "$IDPURL" "$IDPURL" "$SUB")
ok "a role trusting it" admin iam create-role --role-name FetchedKeys \
	--assume-role-policy-document "$FETCH_TRUST"
ROLE_SAVED=$ROLE
ROLE="arn:aws:iam::$ACCOUNT:role/FetchedKeys"
FTOK=$(tok ec "$(claims "$SUB" '"commitd-ci"' $((NOW + 600)) "https://$IDPURL")")
if webid anon "$FTOK"; then
	pass "its keys are fetched (discovery, jwks_uri) and the token assumes the role"
else
	fail "its keys are fetched (discovery, jwks_uri) and the token assumes the role"
fi
grep -q "fetched the JWKS of https://$IDPURL" "$T/server.log" && pass "... the log says so" ||
	fail "... the log says so"
ok "a provider whose discovery names another issuer" admin iam create-open-id-connect-provider \
	--url "https://127.0.0.1:$(cat "$T/idp.port")/wrongiss" --client-id-list commitd-ci \
	--thumbprint-list 990f4193972f2becf12ddeda5237f9c952f20d9e
fails_with_webid "... is refused: IDPCommunicationError" IDPCommunicationError "does not name" \
	"$(tok ec "$(claims "$SUB" '"commitd-ci"' $((NOW + 600)) "https://127.0.0.1:$(cat "$T/idp.port")/wrongiss")")"
kill "$IDP_PID" 2>/dev/null
wait "$IDP_PID" 2>/dev/null
if webid anon "$FTOK"; then pass "with the provider gone, the fetched keys still serve"; else
	fail "with the provider gone, the fetched keys still serve"; fi
ROLE=$ROLE_SAVED

# --- the AWS CLI's own profile: web_identity_token_file + role_arn ---------------------------------
"$TOP/scripts/cli-endpoints.py" "$ENDPOINT" "$T/aws-data" >/dev/null ||
	fail "cli-endpoints.py writes the endpoint rule sets"
tok ec "$(claims)" >"$T/idtoken"
printf '[profile webid]\nrole_arn = %s\nweb_identity_token_file = %s\nrole_session_name = from-file\nregion = us-east-1\n' \
	"$ROLE" "$T/idtoken" >>"$AWS_CONFIG_FILE"
if AWS_DATA_PATH=$T/aws-data "$AWS" --profile webid sts get-caller-identity >"$T/out" 2>"$T/err"; then
	pass "a web_identity_token_file profile: the CLI assumes the role at this server"
else
	fail "a web_identity_token_file profile: the CLI assumes the role at this server"
fi
expect_eq "... as the assumed role" "$(out_get Arn)" "arn:aws:sts::$ACCOUNT:assumed-role/WebDeploy/from-file"
helper="credential.helper=!AWS_DATA_PATH=$T/aws-data AWS_PROFILE=webid $AWS codecommit credential-helper \$@ --ignore-host-check"
gitok "the web identity session clones through the credential helper" -c "$helper" \
	-c credential.UseHttpPath=true clone "$ENDPOINT/v1/repos/FedRepo" "$T/f1"
echo "from CI" >"$T/f1/ci.txt"
git -C "$T/f1" add ci.txt && git -C "$T/f1" commit -qm "from a federated session"
gitok "... and pushes" -C "$T/f1" -c "$helper" -c credential.UseHttpPath=true push origin HEAD:main

# --- revoking the role's sessions (aws:TokenIssueTime, as the IAM console does) ------------------
sleep 1
REVOKE=$(printf '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"%s"}}}]}' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)")
ok "admin revokes the role's older sessions" admin iam put-role-policy --role-name WebDeploy \
	--policy-name AWSRevokeOlderSessions --policy-document "$REVOKE"
fails_with "an older federated session is refused" AccessDeniedException fed codecommit list-repositories

ok "delete-open-id-connect-provider" admin iam delete-open-id-connect-provider \
	--open-id-connect-provider-arn "$PROVIDER"
fails_with_webid "once deleted, its tokens assume nothing" InvalidIdentityToken "No OpenIDConnect provider" \
	"$(tok rsa "$(claims)")"
finish
