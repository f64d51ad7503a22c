#!/bin/bash
# IAM users, groups and access keys through the AWS CLI: AWS's output
# shapes, errors and limits, and that keys really authenticate.
. "$(dirname "$0")/lib.sh"
start_server

ok "create-user Sonali" admin iam create-user --user-name Sonali --tags Key=team,Value=git
expect_eq "CreateUser returns the user name" "$(out_get User.UserName)" Sonali
expect_eq "CreateUser returns the ARN" "$(out_get User.Arn)" "arn:aws:iam::$ACCOUNT:user/Sonali"
expect_eq "user id starts with AIDA" "$(out_get User.UserId | cut -c1-4)" AIDA
fails_with "a second Sonali is refused" EntityAlreadyExists admin iam create-user --user-name Sonali
fails_with "names are case-insensitive" EntityAlreadyExists admin iam create-user --user-name sonali
fails_with "a bad name is refused" ValidationError admin iam create-user --user-name 'bad name!'
fails_with "a bad path is refused" ValidationError admin iam create-user --user-name x --path nopath
ok "create-user with a path" admin iam create-user --user-name Saurabh --path /devs/
expect_eq "the path is part of the ARN" "$(out_get User.Arn)" "arn:aws:iam::$ACCOUNT:user/devs/Saurabh"
ok "get-user" admin iam get-user --user-name Sonali
expect_eq "get-user has the tags" "$(out_get User.Tags.0.Value)" git
fails_with "get-user of a missing user" NoSuchEntity admin iam get-user --user-name Nobody
grep -q "The user with name Nobody cannot be found." "$T/err" && pass "NoSuchEntity says which user" || fail "NoSuchEntity says which user"
ok "list-users" admin iam list-users
expect_eq "list-users finds three users" "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Users"]))' "$T/out")" 3
ok "list-users with a path prefix" admin iam list-users --path-prefix /devs/
expect_eq "path prefix filters" "$(out_get Users.0.UserName)" Saurabh
ok "list-users paginates" admin iam list-users --max-items 1
expect_eq "page has one user and a NextToken" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["Users"]), "NextToken" in d)' "$T/out")" "1 True"
ok "tag-user" admin iam tag-user --user-name Sonali --tags Key=floor,Value=3
ok "list-user-tags" admin iam list-user-tags --user-name Sonali
expect_eq "two tags" "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Tags"]))' "$T/out")" 2
ok "untag-user" admin iam untag-user --user-name Sonali --tag-keys floor
ok "update-user renames" admin iam update-user --user-name Saurabh --new-user-name Saurabh2
fails_with "the old name is gone" NoSuchEntity admin iam get-user --user-name Saurabh

# groups
ok "create-group" admin iam create-group --group-name Devs
expect_eq "group ARN" "$(out_get Group.Arn)" "arn:aws:iam::$ACCOUNT:group/Devs"
fails_with "duplicate group" EntityAlreadyExists admin iam create-group --group-name devs
ok "add-user-to-group" admin iam add-user-to-group --group-name Devs --user-name Sonali
ok "get-group lists members" admin iam get-group --group-name Devs
expect_eq "Sonali is in Devs" "$(out_get Users.0.UserName)" Sonali
ok "list-groups-for-user" admin iam list-groups-for-user --user-name Sonali
expect_eq "Sonali's group" "$(out_get Groups.0.GroupName)" Devs
fails_with "a group with members cannot be deleted" DeleteConflict admin iam delete-group --group-name Devs
fails_with "a user in a group cannot be deleted" DeleteConflict admin iam delete-user --user-name Sonali
ok "remove-user-from-group" admin iam remove-user-from-group --group-name Devs --user-name Sonali
ok "delete-group" admin iam delete-group --group-name Devs

# access keys
ok "create-access-key" admin iam create-access-key --user-name Sonali
K1=$(out_get AccessKey.AccessKeyId)
S1=$(out_get AccessKey.SecretAccessKey)
expect_eq "the key is active" "$(out_get AccessKey.Status)" Active
add_profile sonali "$K1" "$S1"
ok "the new key authenticates" sonali sts get-caller-identity
expect_eq "as Sonali" "$(out_get Arn)" "arn:aws:iam::$ACCOUNT:user/Sonali"
fails_with "a user with no policies cannot create users" AccessDenied sonali iam create-user --user-name Eve
grep -q "User: arn:aws:iam::$ACCOUNT:user/Sonali is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::$ACCOUNT:user/Eve" "$T/err" &&
	pass "AccessDenied names the principal, action and resource" || fail "AccessDenied names the principal, action and resource"
ok "second key" admin iam create-access-key --user-name Sonali
K2=$(out_get AccessKey.AccessKeyId)
fails_with "a third key exceeds the quota" LimitExceeded admin iam create-access-key --user-name Sonali
ok "list-access-keys" admin iam list-access-keys --user-name Sonali
expect_eq "two keys listed" "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["AccessKeyMetadata"]))' "$T/out")" 2
ok "get-access-key-last-used" admin iam get-access-key-last-used --access-key-id "$K1"
expect_eq "last used by sts" "$(out_get AccessKeyLastUsed.ServiceName)" sts
ok "deactivate the key" admin iam update-access-key --user-name Sonali --access-key-id "$K1" --status Inactive
fails_with "an inactive key is refused" InvalidClientTokenId sonali sts get-caller-identity
ok "reactivate the key" admin iam update-access-key --user-name Sonali --access-key-id "$K1" --status Active
ok "a reactivated key works" sonali sts get-caller-identity
ok "delete-access-key" admin iam delete-access-key --user-name Sonali --access-key-id "$K1"
fails_with "a deleted key is refused" InvalidClientTokenId sonali sts get-caller-identity
fails_with "a key of another user is not found" NoSuchEntity admin iam delete-access-key --user-name Saurabh2 --access-key-id "$K2"
fails_with "a user with keys cannot be deleted" DeleteConflict admin iam delete-user --user-name Sonali
ok "delete the second key" admin iam delete-access-key --user-name Sonali --access-key-id "$K2"
ok "delete-user" admin iam delete-user --user-name Sonali
fails_with "the deleted user is gone" NoSuchEntity admin iam get-user --user-name Sonali
finish
