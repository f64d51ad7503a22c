#!/bin/bash
# Console passwords through the AWS CLI: login profiles, IAM's default
# password rules, the account password policy and ChangePassword.
. "$(dirname "$0")/lib.sh"
start_server

ok "create-user Sonali" admin iam create-user --user-name Sonali
fails_with "no policy yet" NoSuchEntity admin iam get-account-password-policy
grep -q "The Password Policy with domain name $ACCOUNT cannot be found." "$T/err" &&
	pass "NoSuchEntity names the account" || fail "NoSuchEntity names the account"

# IAM's default rules: 8 characters, three kinds of character, not the user name
fails_with "a short password breaks the default rules" PasswordPolicyViolation admin iam \
	create-login-profile --user-name Sonali --password 'Ab1!'
grep -q "Password does not conform to the account password policy." "$T/err" &&
	pass "the violation says so in AWS's words" || fail "the violation says so in AWS's words"
fails_with "two kinds of character are not enough" PasswordPolicyViolation admin iam \
	create-login-profile --user-name Sonali --password 'abcdefgh12'
ok "create-login-profile" admin iam create-login-profile --user-name Sonali \
	--password 'Correct-Horse-7' --password-reset-required
expect_eq "the profile names the user" "$(out_get LoginProfile.UserName)" Sonali
expect_eq "a reset is required" "$(out_get LoginProfile.PasswordResetRequired)" True
grep -q Password\" "$T/out" && fail "the password is never echoed" || pass "the password is never echoed"
fails_with "a second profile is refused" EntityAlreadyExists admin iam create-login-profile \
	--user-name Sonali --password 'Correct-Horse-8'
grep -q "Login Profile for user Sonali already exists." "$T/err" && pass "EntityAlreadyExists names the user" ||
	fail "EntityAlreadyExists names the user"
ok "get-login-profile" admin iam get-login-profile --user-name Sonali
grep -q CreateDate "$T/out" && pass "get shows CreateDate" || fail "get shows CreateDate"
ok "create-user Saurabh" admin iam create-user --user-name Saurabh
fails_with "no profile for Saurabh" NoSuchEntity admin iam get-login-profile --user-name Saurabh
grep -q "Login Profile for User Saurabh cannot be found." "$T/err" && pass "NoSuchEntity names the user" ||
	fail "NoSuchEntity names the user"
ok "update-login-profile clears the reset flag" admin iam update-login-profile --user-name Sonali \
	--no-password-reset-required
ok "get again" admin iam get-login-profile --user-name Sonali
expect_eq "no reset required now" "$(out_get LoginProfile.PasswordResetRequired)" False

# an account password policy
ok "update-account-password-policy" admin iam update-account-password-policy \
	--minimum-password-length 12 --require-symbols --require-numbers --require-uppercase-characters \
	--require-lowercase-characters --allow-users-to-change-password --max-password-age 90 \
	--password-reuse-prevention 3
ok "get-account-password-policy" admin iam get-account-password-policy
expect_eq "minimum length" "$(out_get PasswordPolicy.MinimumPasswordLength)" 12
expect_eq "symbols required" "$(out_get PasswordPolicy.RequireSymbols)" True
expect_eq "users may change their password" "$(out_get PasswordPolicy.AllowUsersToChangePassword)" True
expect_eq "passwords expire" "$(out_get PasswordPolicy.ExpirePasswords)" True
expect_eq "after 90 days" "$(out_get PasswordPolicy.MaxPasswordAge)" 90
expect_eq "reuse prevention" "$(out_get PasswordPolicy.PasswordReusePrevention)" 3
# the CLI checks the range itself; boto3 without client validation reaches the server
AWS_PROFILE=admin $PY - "$ENDPOINT" >"$T/out" 2>&1 <<'PYEOF' && pass "the server refuses a minimum below 6" || fail "the server refuses a minimum below 6"
import sys, boto3, botocore.config, botocore.exceptions
iam = boto3.client("iam", endpoint_url=sys.argv[1],
                   config=botocore.config.Config(parameter_validation=False))
try:
    iam.update_account_password_policy(MinimumPasswordLength=5)
except botocore.exceptions.ClientError as e:
    sys.exit(0 if e.response["Error"]["Code"] == "ValidationError" else 1)
sys.exit(1)
PYEOF
ok "the policy is unchanged" admin iam get-account-password-policy
expect_eq "still 12" "$(out_get PasswordPolicy.MinimumPasswordLength)" 12
fails_with "too short for the policy" PasswordPolicyViolation admin iam update-login-profile \
	--user-name Sonali --password 'Short-Pw-1'
fails_with "no symbol" PasswordPolicyViolation admin iam update-login-profile \
	--user-name Sonali --password 'LongEnoughPass1'
ok "a conforming new password" admin iam update-login-profile --user-name Sonali \
	--password 'Long-Enough-Pass-1'

# ChangePassword: the user changes its own password
ok "a key for Sonali" admin iam create-access-key --user-name Sonali
add_profile sonali "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "let Sonali change her password" admin iam put-user-policy --user-name Sonali \
	--policy-name pw --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetAccountPasswordPolicy"],"Resource":"*"}]}'
fails_with "the old password must be right" AccessDenied sonali iam change-password \
	--old-password 'Wrong-Password-1' --new-password 'Another-Pass-2!'
ok "change-password" sonali iam change-password --old-password 'Long-Enough-Pass-1' \
	--new-password 'Another-Pass-2!'
fails_with "the old password no longer works" AccessDenied sonali iam change-password \
	--old-password 'Long-Enough-Pass-1' --new-password 'Third-Pass-3!x'
fails_with "the new password must follow the policy" PasswordPolicyViolation sonali iam change-password \
	--old-password 'Another-Pass-2!' --new-password 'short'
fails_with "a user without a login profile cannot change a password" NoSuchEntity admin iam change-password \
	--old-password 'x' --new-password 'Another-Pass-2!'

ok "delete-account-password-policy" admin iam delete-account-password-policy
fails_with "the policy is gone" NoSuchEntity admin iam get-account-password-policy
fails_with "deleting it twice" NoSuchEntity admin iam delete-account-password-policy

ok "a profile for Saurabh" admin iam create-login-profile --user-name Saurabh --password 'Saurabh-Pass-9'
fails_with "a user with a login profile cannot be deleted" DeleteConflict admin iam delete-user --user-name Saurabh
ok "delete Saurabh's profile" admin iam delete-login-profile --user-name Saurabh
ok "then Saurabh can be deleted" admin iam delete-user --user-name Saurabh
ok "delete-login-profile" admin iam delete-login-profile --user-name Sonali
fails_with "the profile is gone" NoSuchEntity admin iam get-login-profile --user-name Sonali
fails_with "deleting it twice" NoSuchEntity admin iam delete-login-profile --user-name Sonali
finish
