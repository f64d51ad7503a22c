#!/bin/bash
# Git credentials (IAM service-specific credentials) through the AWS CLI:
# create, list, reset, update, delete, the per-service quota and the errors.
. "$(dirname "$0")/lib.sh"
start_server

count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/out" "$1"; }

ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "create a Git credential" admin iam create-service-specific-credential \
	--user-name Sonali --service-name codecommit.amazonaws.com
C1=$(out_get ServiceSpecificCredential.ServiceSpecificCredentialId)
P1=$(out_get ServiceSpecificCredential.ServicePassword)
expect_eq "the Git user name is NAME-at-ACCOUNT" \
	"$(out_get ServiceSpecificCredential.ServiceUserName)" "Sonali-at-$ACCOUNT"
expect_eq "the credential is for CodeCommit" \
	"$(out_get ServiceSpecificCredential.ServiceName)" codecommit.amazonaws.com
expect_eq "the credential is active" "$(out_get ServiceSpecificCredential.Status)" Active
expect_eq "the credential names its user" "$(out_get ServiceSpecificCredential.UserName)" Sonali
expect_eq "the id is ACCA and 21 characters" "$(echo "$C1" | cut -c1-4) ${#C1}" "ACCA 21"
expect_eq "the password is 44 characters" "${#P1}" 44
echo "$P1" | grep -qE '^[A-Za-z0-9+/]+=*$' && pass "the password is base64 text" ||
	fail "the password is base64 text"
grep -q CreateDate "$T/out" && pass "CreateDate is shown" || fail "CreateDate is shown"

ok "list-service-specific-credentials" admin iam list-service-specific-credentials --user-name Sonali
expect_eq "one credential is listed" "$(count ServiceSpecificCredentials)" 1
expect_eq "the listed id" "$(out_get ServiceSpecificCredentials.0.ServiceSpecificCredentialId)" "$C1"
grep -q ServicePassword "$T/out" && fail "the list never shows a password" ||
	pass "the list never shows a password"
ok "list filtered by service" admin iam list-service-specific-credentials --user-name Sonali \
	--service-name codecommit.amazonaws.com
expect_eq "the filter keeps it" "$(count ServiceSpecificCredentials)" 1

ok "a second credential" admin iam create-service-specific-credential \
	--user-name Sonali --service-name codecommit.amazonaws.com
C2=$(out_get ServiceSpecificCredential.ServiceSpecificCredentialId)
fails_with "a third exceeds the quota of 2" LimitExceeded admin iam create-service-specific-credential \
	--user-name Sonali --service-name codecommit.amazonaws.com
grep -q "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2" "$T/err" &&
	pass "the quota message names the quota" || fail "the quota message names the quota"
fails_with "other services are not supported" NotSupportedService admin iam \
	create-service-specific-credential --user-name Sonali --service-name cassandra.amazonaws.com
fails_with "a missing user" NoSuchEntity admin iam create-service-specific-credential \
	--user-name Nobody --service-name codecommit.amazonaws.com

ok "reset-service-specific-credential" admin iam reset-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C1"
P1b=$(out_get ServiceSpecificCredential.ServicePassword)
expect_eq "reset returns the same id" "$(out_get ServiceSpecificCredential.ServiceSpecificCredentialId)" "$C1"
[ -n "$P1b" ] && [ "$P1b" != "$P1" ] && pass "reset gives a new password" || fail "reset gives a new password"

ok "deactivate a credential" admin iam update-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C1" --status Inactive
ok "list again" admin iam list-service-specific-credentials --user-name Sonali
$PY - "$T/out" "$C1" <<'PYEOF' && pass "the list shows it Inactive" || fail "the list shows it Inactive"
import json, sys
d = json.load(open(sys.argv[1]))["ServiceSpecificCredentials"]
sys.exit(0 if [c["Status"] for c in d if c["ServiceSpecificCredentialId"] == sys.argv[2]] == ["Inactive"] else 1)
PYEOF
fails_with "a bad status is refused" ValidationError admin iam update-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C1" --status Disabled

ok "create-user Saurabh" admin iam create-user --user-name Saurabh
fails_with "another user's credential is not found" NoSuchEntity admin iam \
	delete-service-specific-credential --user-name Saurabh --service-specific-credential-id "$C1"
grep -q "No such credential $C1 exists" "$T/err" && pass "NoSuchEntity names the credential" ||
	fail "NoSuchEntity names the credential"
fails_with "an unknown id is not found" NoSuchEntity admin iam reset-service-specific-credential \
	--user-name Sonali --service-specific-credential-id ACCAAAAAAAAAAAAAAAAAA

fails_with "a user with Git credentials cannot be deleted" DeleteConflict admin iam delete-user --user-name Sonali
ok "delete the first credential" admin iam delete-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C1"
ok "delete the second credential" admin iam delete-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C2"
fails_with "a deleted credential is gone" NoSuchEntity admin iam delete-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$C1"
ok "list is empty" admin iam list-service-specific-credentials --user-name Sonali
expect_eq "no credentials left" "$(count ServiceSpecificCredentials)" 0

# a user manages its own credentials when UserName is left out
ok "a key for Sonali" admin iam create-access-key --user-name Sonali
add_profile sonali "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "let Sonali manage her Git credentials" admin iam put-user-policy --user-name Sonali \
	--policy-name git --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*ServiceSpecificCredential*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}'
ok "Sonali lists her own credentials" sonali iam list-service-specific-credentials
expect_eq "none yet" "$(count ServiceSpecificCredentials)" 0
fails_with "Sonali cannot list Saurabh's" AccessDenied sonali iam list-service-specific-credentials \
	--user-name Saurabh
ok "delete-user Saurabh" admin iam delete-user --user-name Saurabh
finish
