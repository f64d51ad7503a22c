#!/bin/bash
# Policies with conditions and variables change what real API calls may do:
# aws:SourceIp, ${aws:username}, aws:PrincipalTag, aws:RequestTag and
# aws:TagKeys, aws:CurrentTime, aws:MultiFactorAuthPresent, NotAction.
. "$(dirname "$0")/lib.sh"
start_server

ok "create-user Dev" admin iam create-user --user-name Dev --tags Key=team,Value=git
ok "create-access-key Dev" admin iam create-access-key --user-name Dev
add_profile dev "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "create-user Other" admin iam create-user --user-name Other

put() { # NAME DOCUMENT
	ok "put-user-policy $1" admin iam put-user-policy --user-name Dev --policy-name "$1" --policy-document "$2"
}
del() { ok "delete-user-policy $1" admin iam delete-user-policy --user-name Dev --policy-name "$1"; }

# aws:SourceIp: the tests call from 127.0.0.1
put ip '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}'
fails_with "an IpAddress condition for 10.0.0.0/8 refuses a call from 127.0.0.1" AccessDenied dev iam list-users
put ip '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.0/8"]}}}]}'
ok "an IpAddress condition including 127.0.0.0/8 allows it" dev iam list-users
del ip

# ${aws:username}: manage your own user only
put self '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}'
ok "the policy variable lets Dev read itself" dev iam get-user --user-name Dev
fails_with "but not another user" AccessDenied dev iam get-user --user-name Other
ok "and list its own keys" dev iam list-access-keys --user-name Dev
del self
put lastused '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccessKeyLastUsed","Resource":"arn:aws:iam::*:user/${aws:username}"}]}'
ok "create-access-key Other" admin iam create-access-key --user-name Other
OTHER_KEY=$(out_get AccessKey.AccessKeyId)
DEV_KEY=$(grep -A1 '^\[dev\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/aws_access_key_id = //p')
ok "GetAccessKeyLastUsed on Dev's own key is allowed" dev iam get-access-key-last-used --access-key-id "$DEV_KEY"
fails_with "GetAccessKeyLastUsed is judged on the key's owner, not the caller" AccessDenied dev iam get-access-key-last-used --access-key-id "$OTHER_KEY"
del lastused

# aws:PrincipalTag: the caller's own tags
put tag '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"git"}}}]}'
ok "a principal-tag condition matching Dev's tag allows" dev iam list-groups
ok "retag Dev" admin iam tag-user --user-name Dev --tags Key=team,Value=web
fails_with "after the tag changes, the same call is refused" AccessDenied dev iam list-groups
del tag

# aws:RequestTag and aws:TagKeys: what a request may create
put reqtag '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"git"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}'
ok "creating a user tagged team=git is allowed" dev iam create-user --user-name Tagged --tags Key=team,Value=git
fails_with "a user tagged team=web is refused" AccessDenied dev iam create-user --user-name Tagged2 --tags Key=team,Value=web
fails_with "an untagged user is refused" AccessDenied dev iam create-user --user-name Tagged3
fails_with "an extra tag key is refused" AccessDenied dev iam create-user --user-name Tagged4 --tags Key=team,Value=git Key=cost,Value=1
fails_with "the refused user was not created" NoSuchEntity admin iam get-user --user-name Tagged2
del reqtag

# aws:CurrentTime: a grant that has expired
put time '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListPolicies","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}'
fails_with "an expired DateLessThan grant refuses" AccessDenied dev iam list-policies
put time '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListPolicies","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}'
ok "a DateGreaterThan grant in force allows" dev iam list-policies
del time

# MFA: deny everything but STS unless the session was made with MFA
put all '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}'
put mfa '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"sts:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}'
fails_with "long-term keys are refused by the MFA guard" AccessDenied dev iam list-users
grep -q "explicit deny" "$T/err" && pass "the refusal says it was an explicit deny" || fail "the refusal says it was an explicit deny"
ok "NotAction sts:* leaves STS allowed" dev sts get-session-token
add_profile devsession "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
fails_with "a session without MFA is refused too" AccessDenied devsession iam list-users
del mfa
ok "without the guard the same call is allowed" dev iam list-users
ok "and the session too" devsession iam list-users
finish
