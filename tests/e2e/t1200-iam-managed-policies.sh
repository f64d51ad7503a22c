#!/bin/bash
# IAM managed policies through the AWS CLI: customer managed policies and
# their versions, the built-in AWS managed policies, attaching them to users
# and groups, permissions boundaries, and that attaching and detaching
# really changes what a user may do.
. "$(dirname "$0")/lib.sh"
start_server

# count JSONPATH-ish: the length of a top-level list in the last output
count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/out" "$1"; }
has_name() {
	$PY -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(any(p.get(sys.argv[3]) == sys.argv[4] for p in d[sys.argv[2]]))' "$T/out" "$1" "$2" "$3"
}

DOC='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}'
DOC2='{"Version":"2012-10-17","Statement":[{"Sid":"Two","Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}'
PARN="arn:aws:iam::$ACCOUNT:policy/team/ReadUsers"

# ---- customer managed policies ----
ok "create-policy" admin iam create-policy --policy-name ReadUsers --path /team/ \
	--policy-document "$DOC" --description "read users" --tags Key=owner,Value=git
expect_eq "CreatePolicy returns the ARN" "$(out_get Policy.Arn)" "$PARN"
expect_eq "policy id starts with ANPA" "$(out_get Policy.PolicyId | cut -c1-4)" ANPA
expect_eq "policy id has 21 characters" "$(out_get Policy.PolicyId | tr -d '\n' | wc -c)" 21
expect_eq "the first version is v1" "$(out_get Policy.DefaultVersionId)" v1
expect_eq "no attachments yet" "$(out_get Policy.AttachmentCount)" 0
expect_eq "CreatePolicy is attachable" "$(out_get Policy.IsAttachable)" True
fails_with "a duplicate name is refused" EntityAlreadyExists admin iam create-policy \
	--policy-name readusers --policy-document "$DOC"
err_has "the duplicate message is AWS's" "A policy called readusers already exists. Duplicate names are not allowed."
fails_with "a malformed document is refused" MalformedPolicyDocument admin iam create-policy \
	--policy-name Bad --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}'
fails_with "a document that is not JSON is refused" MalformedPolicyDocument admin iam create-policy \
	--policy-name Bad --policy-document 'not json'
BIG=$($PY -c 'import json; print(json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get%s" % ("X"*40) for _ in range(1)]+["iam:List%04d" % i for i in range(700)],"Resource":"*"}]}))')
fails_with "a document over 6144 characters is refused" LimitExceeded admin iam create-policy \
	--policy-name Big --policy-document "$BIG"
fails_with "a bad path is refused" ValidationError admin iam create-policy --policy-name P \
	--path nopath --policy-document "$DOC"

ok "get-policy" admin iam get-policy --policy-arn "$PARN"
expect_eq "get-policy has the description" "$(out_get Policy.Description)" "read users"
expect_eq "get-policy has the tags" "$(out_get Policy.Tags.0.Value)" git
fails_with "get-policy of a missing policy" NoSuchEntity admin iam get-policy \
	--policy-arn "arn:aws:iam::$ACCOUNT:policy/Nope"
err_has "NoSuchEntity names the policy" "Policy arn:aws:iam::$ACCOUNT:policy/Nope does not exist or is not attachable."
fails_with "a malformed ARN is InvalidInput" InvalidInput admin iam get-policy \
	--policy-arn "arn:aws:iam::$ACCOUNT:user/NotAPolicy"

ok "get-policy-version v1" admin iam get-policy-version --policy-arn "$PARN" --version-id v1
expect_eq "the document comes back as JSON" "$(out_get PolicyVersion.Document.Statement.0.Action)" iam:GetUser
expect_eq "v1 is the default" "$(out_get PolicyVersion.IsDefaultVersion)" True

# ---- versions ----
ok "create-policy-version v2" admin iam create-policy-version --policy-arn "$PARN" \
	--policy-document "$DOC2"
expect_eq "the new version is v2" "$(out_get PolicyVersion.VersionId)" v2
expect_eq "v2 is not the default" "$(out_get PolicyVersion.IsDefaultVersion)" False
ok "create-policy-version v3 as default" admin iam create-policy-version --policy-arn "$PARN" \
	--policy-document "$DOC" --set-as-default
expect_eq "v3 is the default" "$(out_get PolicyVersion.IsDefaultVersion)" True
ok "get-policy after v3" admin iam get-policy --policy-arn "$PARN"
expect_eq "DefaultVersionId follows" "$(out_get Policy.DefaultVersionId)" v3
ok "list-policy-versions" admin iam list-policy-versions --policy-arn "$PARN"
expect_eq "three versions" "$(count Versions)" 3
expect_eq "newest first" "$(out_get Versions.0.VersionId)" v3
ok "create v4" admin iam create-policy-version --policy-arn "$PARN" --policy-document "$DOC"
ok "create v5" admin iam create-policy-version --policy-arn "$PARN" --policy-document "$DOC"
fails_with "a sixth version exceeds the quota" LimitExceeded admin iam create-policy-version \
	--policy-arn "$PARN" --policy-document "$DOC"
err_has "the quota message is AWS's" "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."
fails_with "the default version cannot be deleted" DeleteConflict admin iam delete-policy-version \
	--policy-arn "$PARN" --version-id v3
err_has "DeleteConflict says why" "Cannot delete the default version of a policy."
ok "set-default-policy-version v2" admin iam set-default-policy-version --policy-arn "$PARN" --version-id v2
ok "get-policy-version v2" admin iam get-policy-version --policy-arn "$PARN" --version-id v2
expect_eq "v2 is now the default" "$(out_get PolicyVersion.IsDefaultVersion)" True
expect_eq "v2's document round-trips" "$(out_get PolicyVersion.Document.Statement.0.Sid)" Two
fails_with "set-default to a missing version" NoSuchEntity admin iam set-default-policy-version \
	--policy-arn "$PARN" --version-id v9
fails_with "get a missing version" NoSuchEntity admin iam get-policy-version \
	--policy-arn "$PARN" --version-id v9
fails_with "delete-policy with versions left" DeleteConflict admin iam delete-policy --policy-arn "$PARN"
err_has "DeleteConflict names the versions" "This policy has more than one version."
for v in v1 v3 v4 v5; do
	ok "delete-policy-version $v" admin iam delete-policy-version --policy-arn "$PARN" --version-id "$v"
done
fails_with "delete a deleted version" NoSuchEntity admin iam delete-policy-version \
	--policy-arn "$PARN" --version-id v1

# ---- tags ----
ok "tag-policy" admin iam tag-policy --policy-arn "$PARN" --tags Key=env,Value=prod
ok "list-policy-tags" admin iam list-policy-tags --policy-arn "$PARN"
expect_eq "two tags" "$(count Tags)" 2
ok "untag-policy" admin iam untag-policy --policy-arn "$PARN" --tag-keys env
ok "list-policy-tags after untag" admin iam list-policy-tags --policy-arn "$PARN"
expect_eq "one tag left" "$(count Tags)" 1

# ---- AWS managed policies ----
ok "list-policies --scope AWS" admin iam list-policies --scope AWS
expect_eq "AWSCodeCommitPowerUser is listed" "$(has_name Policies PolicyName AWSCodeCommitPowerUser)" True
expect_eq "ReadOnlyAccess is listed" "$(has_name Policies PolicyName ReadOnlyAccess)" True
expect_eq "customer policies are not in scope AWS" "$(has_name Policies PolicyName ReadUsers)" False
ok "list-policies --scope Local" admin iam list-policies --scope Local
expect_eq "only the customer policy" "$(count Policies)" 1
expect_eq "Local lists ReadUsers" "$(out_get Policies.0.PolicyName)" ReadUsers
ok "list-policies --path-prefix /team/" admin iam list-policies --path-prefix /team/
expect_eq "path prefix filters" "$(count Policies)" 1
ok "list-policies --max-items 2 paginates" admin iam list-policies --scope AWS --max-items 2
expect_eq "a page of two and a NextToken" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["Policies"]), "NextToken" in d)' "$T/out")" "2 True"
AWSPU=arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "get-policy of an AWS managed policy" admin iam get-policy --policy-arn "$AWSPU"
expect_eq "its ARN" "$(out_get Policy.Arn)" "$AWSPU"
expect_eq "its version" "$(out_get Policy.DefaultVersionId)" v18
ok "get-policy-version of an AWS managed policy" admin iam get-policy-version \
	--policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess \
	--version-id "$(aws_as admin iam get-policy --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess && out_get Policy.DefaultVersionId)"
expect_eq "ReadOnlyAccess's document decodes" "$(out_get PolicyVersion.Document.Version)" 2012-10-17
fails_with "an AWS managed policy cannot be deleted" AccessDenied admin iam delete-policy --policy-arn "$AWSPU"
fails_with "an AWS managed policy gets no new versions" AccessDenied admin iam create-policy-version \
	--policy-arn "$AWSPU" --policy-document "$DOC"

# ---- attachments ----
ok "create-user Mira" admin iam create-user --user-name Mira
ok "create-group Devs" admin iam create-group --group-name Devs
ok "attach-user-policy" admin iam attach-user-policy --user-name Mira --policy-arn "$PARN"
ok "attaching twice is a no-op" admin iam attach-user-policy --user-name Mira --policy-arn "$PARN"
ok "attach an AWS managed policy" admin iam attach-user-policy --user-name Mira --policy-arn "$AWSPU"
ok "attach-group-policy" admin iam attach-group-policy --group-name Devs --policy-arn "$PARN"
fails_with "attach a missing policy" NoSuchEntity admin iam attach-user-policy --user-name Mira \
	--policy-arn "arn:aws:iam::$ACCOUNT:policy/Nope"
err_has "it says the policy is not attachable" "Policy arn:aws:iam::$ACCOUNT:policy/Nope does not exist or is not attachable."
fails_with "attach to a missing user" NoSuchEntity admin iam attach-user-policy --user-name Nobody \
	--policy-arn "$PARN"
ok "list-attached-user-policies" admin iam list-attached-user-policies --user-name Mira
expect_eq "two policies attached to Mira" "$(count AttachedPolicies)" 2
expect_eq "the AWS managed one is there" "$(has_name AttachedPolicies PolicyArn "$AWSPU")" True
ok "list-attached-group-policies" admin iam list-attached-group-policies --group-name Devs
expect_eq "Devs has ReadUsers" "$(out_get AttachedPolicies.0.PolicyName)" ReadUsers
ok "get-policy counts attachments" admin iam get-policy --policy-arn "$PARN"
expect_eq "AttachmentCount is 2" "$(out_get Policy.AttachmentCount)" 2
ok "list-policies --only-attached" admin iam list-policies --only-attached
expect_eq "AWSCodeCommitPowerUser is attached" "$(has_name Policies PolicyName AWSCodeCommitPowerUser)" True
expect_eq "ReadOnlyAccess is not" "$(has_name Policies PolicyName ReadOnlyAccess)" False
ok "list-entities-for-policy" admin iam list-entities-for-policy --policy-arn "$PARN"
expect_eq "the user" "$(out_get PolicyUsers.0.UserName)" Mira
expect_eq "with its id" "$(out_get PolicyUsers.0.UserId | cut -c1-4)" AIDA
expect_eq "the group" "$(out_get PolicyGroups.0.GroupName)" Devs
ok "list-entities-for-policy --entity-filter User" admin iam list-entities-for-policy \
	--policy-arn "$PARN" --entity-filter User
expect_eq "no groups with filter User" "$(count PolicyGroups)" 0
fails_with "a policy attached to entities cannot be deleted" DeleteConflict admin iam delete-policy \
	--policy-arn "$PARN"
err_has "DeleteConflict says it is attached" "Cannot delete a policy attached to entities."
fails_with "a user with attached policies cannot be deleted" DeleteConflict admin iam delete-user \
	--user-name Mira
ok "detach-user-policy" admin iam detach-user-policy --user-name Mira --policy-arn "$PARN"
fails_with "detach what is not attached" NoSuchEntity admin iam detach-user-policy --user-name Mira \
	--policy-arn "$PARN"
err_has "it says the policy was not found" "Policy $PARN was not found."
ok "detach-group-policy" admin iam detach-group-policy --group-name Devs --policy-arn "$PARN"
ok "detach the AWS managed policy" admin iam detach-user-policy --user-name Mira --policy-arn "$AWSPU"
ok "list-attached-user-policies is empty" admin iam list-attached-user-policies --user-name Mira
expect_eq "nothing attached" "$(count AttachedPolicies)" 0

# quota: 10 managed policies per user
for i in $(seq 1 11); do
	aws_as admin iam create-policy --policy-name "Q$i" --policy-document "$DOC" || fail "create Q$i"
done
for i in $(seq 1 10); do
	aws_as admin iam attach-user-policy --user-name Mira \
		--policy-arn "arn:aws:iam::$ACCOUNT:policy/Q$i" || fail "attach Q$i"
done
fails_with "an eleventh managed policy exceeds the quota" LimitExceeded admin iam attach-user-policy \
	--user-name Mira --policy-arn "arn:aws:iam::$ACCOUNT:policy/Q11"
err_has "the quota message is AWS's" "Cannot exceed quota for PoliciesPerUser: 10"
for i in $(seq 1 10); do
	aws_as admin iam detach-user-policy --user-name Mira \
		--policy-arn "arn:aws:iam::$ACCOUNT:policy/Q$i" || fail "detach Q$i"
done

# ---- permissions change for real ----
ok "create-user Ravi" admin iam create-user --user-name Ravi
ok "a key for Ravi" admin iam create-access-key --user-name Ravi
add_profile ravi "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "with no policy Ravi cannot list users" AccessDenied ravi iam list-users
ROA=arn:aws:iam::aws:policy/IAMReadOnlyAccess
ok "attach IAMReadOnlyAccess to Ravi" admin iam attach-user-policy --user-name Ravi --policy-arn "$ROA"
ok "now Ravi can list users" ravi iam list-users
expect_eq "and sees Mira" "$(has_name Users UserName Mira)" True
fails_with "but Ravi cannot create users" AccessDenied ravi iam create-user --user-name Eve
ok "list-entities-for-policy of IAMReadOnlyAccess" admin iam list-entities-for-policy --policy-arn "$ROA"
expect_eq "Ravi holds it" "$(out_get PolicyUsers.0.UserName)" Ravi
ok "detach IAMReadOnlyAccess" admin iam detach-user-policy --user-name Ravi --policy-arn "$ROA"
fails_with "detaching takes the permission away" AccessDenied ravi iam list-users

# through a group
ok "add Ravi to Devs" admin iam add-user-to-group --group-name Devs --user-name Ravi
ok "attach IAMReadOnlyAccess to Devs" admin iam attach-group-policy --group-name Devs --policy-arn "$ROA"
ok "Ravi can list users through the group" ravi iam list-users
ok "detach it from Devs" admin iam detach-group-policy --group-name Devs --policy-arn "$ROA"
fails_with "and cannot once detached" AccessDenied ravi iam list-users

# versions decide: switching the default version changes what is allowed
LIST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'
NONE='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetGroup","Resource":"*"}]}'
ok "create-policy Lister" admin iam create-policy --policy-name Lister --policy-document "$NONE"
LARN="arn:aws:iam::$ACCOUNT:policy/Lister"
ok "attach Lister to Ravi" admin iam attach-user-policy --user-name Ravi --policy-arn "$LARN"
fails_with "v1 does not allow listing" AccessDenied ravi iam list-users
ok "v2 allows listing, as default" admin iam create-policy-version --policy-arn "$LARN" \
	--policy-document "$LIST" --set-as-default
ok "the new default version applies at once" ravi iam list-users
ok "back to v1" admin iam set-default-policy-version --policy-arn "$LARN" --version-id v1
fails_with "and v1 applies again" AccessDenied ravi iam list-users

# permissions boundary
ok "attach IAMReadOnlyAccess to Ravi again" admin iam attach-user-policy --user-name Ravi --policy-arn "$ROA"
ok "Ravi lists users" ravi iam list-users
ok "put-user-permissions-boundary" admin iam put-user-permissions-boundary --user-name Ravi \
	--permissions-boundary "$LARN"
ok "get-user shows the boundary" admin iam get-user --user-name Ravi
expect_eq "PermissionsBoundaryArn" "$(out_get User.PermissionsBoundary.PermissionsBoundaryArn)" "$LARN"
fails_with "the boundary (v1: GetGroup only) limits Ravi" AccessDenied ravi iam list-users
ok "get-policy counts the boundary use" admin iam get-policy --policy-arn "$LARN"
expect_eq "PermissionsBoundaryUsageCount is 1" "$(out_get Policy.PermissionsBoundaryUsageCount)" 1
fails_with "a missing boundary policy is refused" NoSuchEntity admin iam put-user-permissions-boundary \
	--user-name Ravi --permissions-boundary "arn:aws:iam::$ACCOUNT:policy/Nope"
ok "delete-user-permissions-boundary" admin iam delete-user-permissions-boundary --user-name Ravi
ok "without the boundary Ravi lists again" ravi iam list-users

# clean up: a policy can go once detached and down to its default version
ok "detach Lister" admin iam detach-user-policy --user-name Ravi --policy-arn "$LARN"
ok "delete Lister's v2" admin iam delete-policy-version --policy-arn "$LARN" --version-id v2
ok "delete-policy" admin iam delete-policy --policy-arn "$LARN"
fails_with "the deleted policy is gone" NoSuchEntity admin iam get-policy --policy-arn "$LARN"
ok "delete ReadUsers" admin iam delete-policy --policy-arn "$PARN"
finish
