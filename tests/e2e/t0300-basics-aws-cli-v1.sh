#!/bin/bash
# The AWS CLI v1 (and the newer botocore it brings) against commitd, where
# the machine has one: Debian ships only v2, so v1 comes from the image's
# Python (set AWS_V1 to point at another).  Skipped, and said so, without it.
. "$(dirname "$0")/lib.sh"
V1=${AWS_V1:-}
if [ -z "$V1" ]; then
	for c in /root/.pyenv/shims/aws /usr/local/bin/aws; do
		if [ -x "$c" ] && "$c" --version 2>&1 | grep -q '^aws-cli/1\.'; then V1=$c; break; fi
	done
fi
if [ -z "$V1" ]; then
	echo "# skipped: no AWS CLI v1 on this machine"
	finish
fi
start_server
echo "# using $("$V1" --version 2>&1)"
AWS=$V1
ok "v1: create-user" admin iam create-user --user-name V1user --tags Key=cli,Value=v1
expect_eq "v1: the ARN" "$(out_get User.Arn)" "arn:aws:iam::$ACCOUNT:user/V1user"
ok "v1: list-users" admin iam list-users
ok "v1: get-account-summary" admin iam get-account-summary
expect_eq "v1: the summary counts two users" "$(out_get SummaryMap.Users)" 2
ok "v1: create-access-key" admin iam create-access-key --user-name V1user
add_profile v1user "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "v1: a user without policies is refused" AccessDenied v1user iam list-users
ok "v1: get-session-token" admin sts get-session-token
add_profile v1session "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
ok "v1: the session works" v1session sts get-caller-identity
expect_eq "v1: the session is the admin" "$(out_get Arn)" "arn:aws:iam::$ACCOUNT:user/admin"
finish
