#!/bin/bash
# IAM roles through the AWS CLI: create with a trust policy, get (the trust
# policy round-trips), list with a path prefix and paging, update, the trust
# policy's own rules, managed and inline policies of a role, tags,
# permissions boundaries, AWS's errors and limits, and deletion.  Assuming a
# role is STS's and not tested here.
. "$(dirname "$0")/lib.sh"
start_server

count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/out" "$1"; }
# q EXPR: a Python expression over the last output, as d
q() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }
# same_json FILE: the last output's Role.AssumeRolePolicyDocument equals FILE's JSON
same_json() {
	$PY -c 'import json,sys; a=json.load(open(sys.argv[1]))["Role"]["AssumeRolePolicyDocument"]
print(a == json.load(open(sys.argv[2])))' "$T/out" "$1"
}

# the botocore checks the CLI makes itself (minimums) are off for this profile,
# so that the server's own answer can be seen
add_profile raw "$ADMIN_KEY" "$ADMIN_SECRET"
echo "parameter_validation = false" >>"$AWS_CONFIG_FILE"

ROLE_ARN="arn:aws:iam::$ACCOUNT:role/ci/Deployer"
cat >"$T/trust.json" <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:root"},
      "Action": ["sts:AssumeRole", "sts:TagSession"],
      "Condition": {"StringEquals": {"sts:ExternalId": "büild-42"}}
    }
  ]
}
EOF
cat >"$T/trust2.json" <<'EOF'
{"Version":"2012-10-17","Statement":[{"Sid":"Ec2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}
EOF
TRUST=file://$T/trust.json
TRUST2=file://$T/trust2.json

# ---- create and get ----
ok "create-role Deployer" admin iam create-role --role-name Deployer --path /ci/ \
	--assume-role-policy-document "$TRUST" --description "deploys the build" \
	--max-session-duration 7200 --tags Key=team,Value=ci Key=cost,Value=42
expect_eq "CreateRole returns the ARN" "$(out_get Role.Arn)" "$ROLE_ARN"
expect_eq "role id starts with AROA" "$(out_get Role.RoleId | cut -c1-4)" AROA
expect_eq "role id has 21 characters" "$(out_get Role.RoleId | tr -d '\n' | wc -c)" 21
expect_eq "CreateRole returns the path" "$(out_get Role.Path)" /ci/
expect_eq "CreateRole returns the trust policy" "$(same_json "$T/trust.json")" True
expect_eq "CreateRole returns the tags" "$(q 'len(d["Role"]["Tags"])')" 2
ROLE_ID=$(out_get Role.RoleId)

ok "get-role" admin iam get-role --role-name Deployer
expect_eq "GetRole: the ARN" "$(out_get Role.Arn)" "$ROLE_ARN"
expect_eq "GetRole: the same id" "$(out_get Role.RoleId)" "$ROLE_ID"
expect_eq "the decoded trust policy round-trips (non-ASCII included)" "$(same_json "$T/trust.json")" True
expect_eq "MaxSessionDuration" "$(out_get Role.MaxSessionDuration)" 7200
expect_eq "Description" "$(out_get Role.Description)" "deploys the build"
expect_eq "tags in order" "$(q '[t["Key"] for t in d["Role"]["Tags"]]')" "['team', 'cost']"
expect_eq "RoleLastUsed is present and empty" "$(q 'd["Role"]["RoleLastUsed"]')" "{}"
expect_eq "CreateDate is set" "$(q 'bool(d["Role"]["CreateDate"])')" True
ok "get-role ignores case" admin iam get-role --role-name deployer
expect_eq "the stored name comes back" "$(out_get Role.RoleName)" Deployer

ok "create-role Builder (defaults)" admin iam create-role --role-name Builder \
	--assume-role-policy-document "$TRUST2"
expect_eq "the default path" "$(out_get Role.Path)" /
expect_eq "the default MaxSessionDuration is 3600" "$(out_get Role.MaxSessionDuration)" 3600
ok "create-role ci-Tester" admin iam create-role --role-name ci-Tester --path /ci/ \
	--assume-role-policy-document "$TRUST2"

# ---- list ----
ok "list-roles" admin iam list-roles
expect_eq "three roles" "$(count Roles)" 3
expect_eq "sorted by name, case aside" "$(q '[r["RoleName"] for r in d["Roles"]]')" \
	"['Builder', 'ci-Tester', 'Deployer']"
expect_eq "list-roles gives the trust policy" \
	"$(q 'd["Roles"][2]["AssumeRolePolicyDocument"]["Statement"][0]["Action"]')" \
	"['sts:AssumeRole', 'sts:TagSession']"
expect_eq "list-roles leaves tags and last use out, as AWS" \
	"$(q '"Tags" in d["Roles"][2] or "RoleLastUsed" in d["Roles"][2]')" False
ok "list-roles with a path prefix" admin iam list-roles --path-prefix /ci/
expect_eq "two roles under /ci/" "$(q '[r["RoleName"] for r in d["Roles"]]')" "['ci-Tester', 'Deployer']"
ok "list-roles with a prefix that matches none" admin iam list-roles --path-prefix /nothing/
expect_eq "no roles" "$(count Roles)" 0
fails_with "a bad path prefix" ValidationError admin iam list-roles --path-prefix nopath
ok "list-roles paginates" admin iam list-roles --max-items 2
expect_eq "a page of two and a NextToken" "$(q 'len(d["Roles"]), "NextToken" in d')" "(2, True)"
TOKEN=$(out_get NextToken)
ok "list-roles, the next page" admin iam list-roles --max-items 2 --starting-token "$TOKEN"
expect_eq "the last role" "$(q '[r["RoleName"] for r in d["Roles"]], "NextToken" in d')" \
	"(['Deployer'], False)"
ok "list-roles one per request (Marker)" admin iam list-roles --page-size 1
expect_eq "all three, page by page" "$(count Roles)" 3

# ---- update ----
ok "update-role" admin iam update-role --role-name Deployer --description "ships it" \
	--max-session-duration 43200
ok "get-role after update-role" admin iam get-role --role-name Deployer
expect_eq "the new description" "$(out_get Role.Description)" "ships it"
expect_eq "the new MaxSessionDuration" "$(out_get Role.MaxSessionDuration)" 43200
ok "update-role with only a description" admin iam update-role --role-name Deployer \
	--description "ships it again"
ok "get-role" admin iam get-role --role-name Deployer
expect_eq "MaxSessionDuration is kept" "$(out_get Role.MaxSessionDuration)" 43200
ok "update-role-description" admin iam update-role-description --role-name Deployer \
	--description "deploys"
expect_eq "UpdateRoleDescription returns the role" "$(out_get Role.Description)" deploys
expect_eq "with its ARN" "$(out_get Role.Arn)" "$ROLE_ARN"
fails_with "update-role of a missing role" NoSuchEntity admin iam update-role \
	--role-name Nobody --description x
fails_with "update-role with MaxSessionDuration 43201" ValidationError admin iam update-role \
	--role-name Deployer --max-session-duration 43201

ok "update-assume-role-policy" admin iam update-assume-role-policy --role-name Deployer \
	--policy-document "$TRUST2"
ok "get-role after the new trust policy" admin iam get-role --role-name Deployer
expect_eq "the new trust policy round-trips" "$(same_json "$T/trust2.json")" True
expect_eq "a service principal" \
	"$(q 'd["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]')" \
	ec2.amazonaws.com
fails_with "update-assume-role-policy: no Principal" MalformedPolicyDocument admin iam \
	update-assume-role-policy --role-name Deployer \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
ok "a refused update changed nothing" admin iam get-role --role-name Deployer
expect_eq "still the service principal" "$(same_json "$T/trust2.json")" True
fails_with "update-assume-role-policy of a missing role" NoSuchEntity admin iam \
	update-assume-role-policy --role-name Nobody --policy-document "$TRUST2"

# ---- managed policies ----
DOC='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}'
PARN="arn:aws:iam::$ACCOUNT:policy/ReadUsers"
ROA=arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "create-policy ReadUsers" admin iam create-policy --policy-name ReadUsers --policy-document "$DOC"
ok "attach-role-policy (customer managed)" admin iam attach-role-policy --role-name Deployer \
	--policy-arn "$PARN"
ok "attach-role-policy (AWS managed)" admin iam attach-role-policy --role-name Deployer \
	--policy-arn "$ROA"
ok "attaching twice changes nothing" admin iam attach-role-policy --role-name Deployer \
	--policy-arn "$PARN"
ok "list-attached-role-policies" admin iam list-attached-role-policies --role-name Deployer
expect_eq "two attached, by name" "$(q '[p["PolicyName"] for p in d["AttachedPolicies"]]')" \
	"['AWSCodeCommitReadOnly', 'ReadUsers']"
ok "list-attached-role-policies paginates" admin iam list-attached-role-policies \
	--role-name Deployer --max-items 1
expect_eq "a page of one and a NextToken" "$(q 'len(d["AttachedPolicies"]), "NextToken" in d')" "(1, True)"
ok "get-policy counts the role's attachment" admin iam get-policy --policy-arn "$PARN"
expect_eq "AttachmentCount 1" "$(out_get Policy.AttachmentCount)" 1
ok "list-entities-for-policy" admin iam list-entities-for-policy --policy-arn "$PARN"
expect_eq "PolicyRoles names the role" "$(q '[(r["RoleName"], r["RoleId"]) for r in d["PolicyRoles"]]')" \
	"[('Deployer', '$ROLE_ID')]"
ok "list-entities-for-policy --entity-filter Role" admin iam list-entities-for-policy \
	--policy-arn "$PARN" --entity-filter Role
expect_eq "only the role" "$(q 'len(d["PolicyRoles"]), len(d["PolicyUsers"]), len(d["PolicyGroups"])')" "(1, 0, 0)"
ok "list-entities-for-policy --entity-filter User" admin iam list-entities-for-policy \
	--policy-arn "$PARN" --entity-filter User
expect_eq "no roles among users" "$(count PolicyRoles)" 0
fails_with "a policy attached to a role cannot be deleted" DeleteConflict admin iam delete-policy \
	--policy-arn "$PARN"
fails_with "attach a missing policy" NoSuchEntity admin iam attach-role-policy --role-name Deployer \
	--policy-arn "arn:aws:iam::$ACCOUNT:policy/Nope"
fails_with "attach to a missing role" NoSuchEntity admin iam attach-role-policy --role-name Nobody \
	--policy-arn "$PARN"
fails_with "a role with attached policies cannot be deleted" DeleteConflict admin iam delete-role \
	--role-name Deployer
err_has "DeleteConflict says what to do" "Cannot delete entity, must detach all policies first."
ok "detach-role-policy" admin iam detach-role-policy --role-name Deployer --policy-arn "$PARN"
ok "detach the AWS managed policy" admin iam detach-role-policy --role-name Deployer --policy-arn "$ROA"
ok "list-attached-role-policies after detaching" admin iam list-attached-role-policies \
	--role-name Deployer
expect_eq "none attached" "$(count AttachedPolicies)" 0
fails_with "detach what is not attached" NoSuchEntity admin iam detach-role-policy \
	--role-name Deployer --policy-arn "$PARN"
ok "attach eleven policies: ten fit" admin iam attach-role-policy --role-name Builder --policy-arn "$PARN"
for i in 1 2 3 4 5 6 7 8 9; do
	aws_as admin iam create-policy --policy-name "P$i" --policy-document "$DOC" &&
		aws_as admin iam attach-role-policy --role-name Builder \
			--policy-arn "arn:aws:iam::$ACCOUNT:policy/P$i" || fail "attach P$i"
done
aws_as admin iam create-policy --policy-name P10 --policy-document "$DOC"
fails_with "the eleventh exceeds PoliciesPerRole" LimitExceeded admin iam attach-role-policy \
	--role-name Builder --policy-arn "arn:aws:iam::$ACCOUNT:policy/P10"
err_has "the quota is named" "Cannot exceed quota for PoliciesPerRole: 10"
aws_as admin iam detach-role-policy --role-name Builder --policy-arn "$PARN" || fail "detach ReadUsers"
for i in 1 2 3 4 5 6 7 8 9; do
	aws_as admin iam detach-role-policy --role-name Builder \
		--policy-arn "arn:aws:iam::$ACCOUNT:policy/P$i" || fail "detach P$i"
done
ok "Builder has no attachments left" admin iam list-attached-role-policies --role-name Builder
expect_eq "none" "$(count AttachedPolicies)" 0

# ---- inline policies ----
ok "put-role-policy" admin iam put-role-policy --role-name Deployer --policy-name Inline1 \
	--policy-document "$DOC"
ok "get-role-policy" admin iam get-role-policy --role-name Deployer --policy-name Inline1
expect_eq "RoleName" "$(out_get RoleName)" Deployer
expect_eq "the document comes back as JSON" "$(out_get PolicyDocument.Statement.0.Action)" iam:GetUser
ok "put a second inline policy" admin iam put-role-policy --role-name Deployer --policy-name Another \
	--policy-document "$DOC"
ok "list-role-policies" admin iam list-role-policies --role-name Deployer
expect_eq "two, sorted" "$(q 'd["PolicyNames"]')" "['Another', 'Inline1']"
fails_with "a malformed inline policy" MalformedPolicyDocument admin iam put-role-policy \
	--role-name Deployer --policy-name Bad \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser"}]}'
fails_with "an inline policy for a missing role" NoSuchEntity admin iam put-role-policy \
	--role-name Nobody --policy-name P --policy-document "$DOC"
ok "simulate-principal-policy with the role" admin iam simulate-principal-policy \
	--policy-source-arn "$ROLE_ARN" --action-names iam:GetUser iam:CreateUser
expect_eq "the role's inline policy decides" \
	"$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" "['allowed', 'implicitDeny']"
expect_eq "the role's policy is named" \
	"$(q '[(m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][0]["MatchedStatements"]]')" \
	"[('Another', 'role'), ('Inline1', 'role')]"
fails_with "a role with inline policies cannot be deleted" DeleteConflict admin iam delete-role \
	--role-name Deployer
err_has "DeleteConflict for inline policies" "Cannot delete entity, must delete policies first."
ok "delete-role-policy Inline1" admin iam delete-role-policy --role-name Deployer --policy-name Inline1
ok "delete-role-policy Another" admin iam delete-role-policy --role-name Deployer --policy-name Another
fails_with "get a deleted inline policy" NoSuchEntity admin iam get-role-policy --role-name Deployer \
	--policy-name Inline1
err_has "worded for roles" "The role policy with name Inline1 cannot be found."
fails_with "delete a missing inline policy" NoSuchEntity admin iam delete-role-policy \
	--role-name Deployer --policy-name Inline1

# ---- tags ----
ok "tag-role" admin iam tag-role --role-name Deployer --tags Key=floor,Value=3 Key=TEAM,Value=ops
ok "list-role-tags" admin iam list-role-tags --role-name Deployer
expect_eq "keys compare without case: team replaced" \
	"$(q '[(t["Key"], t["Value"]) for t in d["Tags"]]')" "[('team', 'ops'), ('cost', '42'), ('floor', '3')]"
# the CLI has no paginator for ListRoleTags: --max-items is the API's MaxItems
ok "list-role-tags paginates" admin iam list-role-tags --role-name Deployer --max-items 2
expect_eq "a page of two, truncated, with a Marker" \
	"$(q 'len(d["Tags"]), d["IsTruncated"], d["Marker"]')" "(2, True, '2')"
ok "list-role-tags from the Marker" admin iam list-role-tags --role-name Deployer --marker 2
expect_eq "the last tag" "$(q '[t["Key"] for t in d["Tags"]], d["IsTruncated"]')" "(['floor'], False)"
ok "untag-role" admin iam untag-role --role-name Deployer --tag-keys COST floor
ok "list-role-tags after untag" admin iam list-role-tags --role-name Deployer
expect_eq "one tag left" "$(q '[t["Key"] for t in d["Tags"]]')" "['team']"
fails_with "an aws: tag key is refused" InvalidInput admin iam tag-role --role-name Deployer \
	--tags Key=aws:x,Value=1
fails_with "duplicate tag keys are refused" InvalidInput admin iam tag-role --role-name Deployer \
	--tags Key=a,Value=1 Key=A,Value=2
fails_with "tag a missing role" NoSuchEntity admin iam tag-role --role-name Nobody --tags Key=a,Value=1
mktags() { for i in $(seq "$1" "$2"); do printf 'Key=k%d,Value=v ' "$i"; done; }
# shellcheck disable=SC2046
fails_with "51 tags at creation" ValidationError admin iam create-role --role-name Tagged \
	--assume-role-policy-document "$TRUST" --tags $(mktags 1 51)
# shellcheck disable=SC2046
ok "49 more tags make 50" admin iam tag-role --role-name Deployer --tags $(mktags 1 49)
fails_with "a 51st tag exceeds the limit" LimitExceeded admin iam tag-role --role-name Deployer \
	--tags Key=one-more,Value=x
err_has "the tag limit message" "The number of tags has reached the maximum limit of 50."
ok "list-role-tags after the refused tag" admin iam list-role-tags --role-name Deployer
expect_eq "still 50 tags" "$(count Tags)" 50
# shellcheck disable=SC2046
ok "untag the 49" admin iam untag-role --role-name Deployer --tag-keys $(for i in $(seq 1 49); do printf 'k%d ' "$i"; done)

# ---- permissions boundaries ----
ok "put-role-permissions-boundary" admin iam put-role-permissions-boundary --role-name Deployer \
	--permissions-boundary "$PARN"
ok "get-role shows the boundary" admin iam get-role --role-name Deployer
expect_eq "PermissionsBoundaryArn" "$(out_get Role.PermissionsBoundary.PermissionsBoundaryArn)" "$PARN"
expect_eq "PermissionsBoundaryType" "$(out_get Role.PermissionsBoundary.PermissionsBoundaryType)" \
	PermissionsBoundaryPolicy
ok "get-policy counts the boundary" admin iam get-policy --policy-arn "$PARN"
expect_eq "PermissionsBoundaryUsageCount 1" "$(out_get Policy.PermissionsBoundaryUsageCount)" 1
ok "list-entities-for-policy --policy-usage-filter PermissionsBoundary" admin iam \
	list-entities-for-policy --policy-arn "$PARN" --policy-usage-filter PermissionsBoundary
expect_eq "the role uses it as boundary" "$(q '[r["RoleName"] for r in d["PolicyRoles"]]')" "['Deployer']"
ok "list-policies --policy-usage-filter PermissionsBoundary" admin iam list-policies \
	--scope Local --only-attached --policy-usage-filter PermissionsBoundary
expect_eq "ReadUsers is listed" "$(q '[p["PolicyName"] for p in d["Policies"]]')" "['ReadUsers']"
fails_with "a policy used as a boundary cannot be deleted" DeleteConflict admin iam delete-policy \
	--policy-arn "$PARN"
fails_with "a missing boundary policy" NoSuchEntity admin iam put-role-permissions-boundary \
	--role-name Deployer --permissions-boundary "arn:aws:iam::$ACCOUNT:policy/Nope"
ok "delete-role-permissions-boundary" admin iam delete-role-permissions-boundary --role-name Deployer
ok "get-role without the boundary" admin iam get-role --role-name Deployer
expect_eq "no PermissionsBoundary" "$(q '"PermissionsBoundary" in d["Role"]')" False
ok "create-role with a boundary" admin iam create-role --role-name Bounded \
	--assume-role-policy-document "$TRUST" --permissions-boundary "$PARN"
expect_eq "CreateRole returns the boundary" "$(out_get Role.PermissionsBoundary.PermissionsBoundaryArn)" "$PARN"
fails_with "create-role with a missing boundary policy" InvalidInput admin iam create-role \
	--role-name Unbounded --assume-role-policy-document "$TRUST" \
	--permissions-boundary "arn:aws:iam::$ACCOUNT:policy/Nope"
ok "delete-role Bounded" admin iam delete-role --role-name Bounded

# ---- bad input ----
fails_with "a duplicate role" EntityAlreadyExists admin iam create-role --role-name Deployer \
	--assume-role-policy-document "$TRUST"
err_has "the duplicate message" "Role with name Deployer already exists."
fails_with "names are case-insensitive" EntityAlreadyExists admin iam create-role \
	--role-name DEPLOYER --assume-role-policy-document "$TRUST"
fails_with "a name of 65 characters" ValidationError admin iam create-role \
	--role-name "$(printf 'r%.0s' $(seq 65))" --assume-role-policy-document "$TRUST"
ok "a name of 64 characters" admin iam create-role \
	--role-name "$(printf 'r%.0s' $(seq 64))" --assume-role-policy-document "$TRUST"
ok "and the punctuation AWS allows" admin iam create-role --role-name 'a+b=c,d.e@f_g-h' \
	--assume-role-policy-document "$TRUST"
fails_with "a name with a space and !" ValidationError admin iam create-role \
	--role-name 'bad name!' --assume-role-policy-document "$TRUST"
fails_with "a name with a slash" ValidationError admin iam create-role \
	--role-name 'a/b' --assume-role-policy-document "$TRUST"
fails_with "a bad path" ValidationError admin iam create-role --role-name P \
	--path nopath --assume-role-policy-document "$TRUST"
fails_with "a trust policy without Principal" MalformedPolicyDocument admin iam create-role \
	--role-name NoWho \
	--assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
err_has "Principal is named" "Missing required field Principal"
fails_with "a trust policy with Resource" MalformedPolicyDocument admin iam create-role \
	--role-name WithRes \
	--assume-role-policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"$ACCOUNT\"},\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}"
err_has "Resource is prohibited" "Has prohibited field Resource"
fails_with "a trust policy granting s3" MalformedPolicyDocument admin iam create-role \
	--role-name S3 \
	--assume-role-policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"$ACCOUNT\"},\"Action\":\"s3:GetObject\"}]}"
err_has "only STS AssumeRole actions" "AssumeRole policy may only specify STS AssumeRole actions."
fails_with "a trust policy that is not JSON" MalformedPolicyDocument admin iam create-role \
	--role-name NotJson --assume-role-policy-document '{"Version":'
fails_with "a trust policy with a bad principal" MalformedPolicyDocument admin iam create-role \
	--role-name BadWho \
	--assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}'
BIGTRUST=$($PY -c 'import json,sys; print(json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::%s:user/u%03d" % (sys.argv[1], i) for i in range(60)]},"Action":"sts:AssumeRole"}]}))' "$ACCOUNT")
fails_with "a trust policy over 2048 characters" LimitExceeded admin iam create-role \
	--role-name Big --assume-role-policy-document "$BIGTRUST"
err_has "the quota is AWS's" "Cannot exceed quota for ACLSizePerRole: 2048"
fails_with "MaxSessionDuration 3599" ValidationError raw iam create-role --role-name Short \
	--assume-role-policy-document "$TRUST" --max-session-duration 3599
err_has "the range is named" "Member must have value greater than or equal to 3600"
fails_with "MaxSessionDuration 43201" ValidationError admin iam create-role --role-name Long \
	--assume-role-policy-document "$TRUST" --max-session-duration 43201
ok "MaxSessionDuration 43200" admin iam create-role --role-name Long \
	--assume-role-policy-document "$TRUST" --max-session-duration 43200
fails_with "a description of 1001 characters" ValidationError admin iam create-role \
	--role-name Wordy --assume-role-policy-document "$TRUST" \
	--description "$(printf 'd%.0s' $(seq 1001))"
fails_with "get-role of a missing role" NoSuchEntity admin iam get-role --role-name Nobody
err_has "NoSuchEntity says which role" "The role with name Nobody cannot be found."
fails_with "delete-role of a missing role" NoSuchEntity admin iam delete-role --role-name Nobody
fails_with "list-role-tags of a missing role" NoSuchEntity admin iam list-role-tags --role-name Nobody
ok "list-roles after the refusals" admin iam list-roles
expect_eq "only the roles that were made" "$(q 'sorted(r["RoleName"] for r in d["Roles"])')" \
	"['Builder', 'Deployer', 'Long', 'a+b=c,d.e@f_g-h', 'ci-Tester', '$(printf 'r%.0s' $(seq 64))']"
ok "get-account-summary" admin iam get-account-summary
expect_eq "Roles counts them" "$(out_get SummaryMap.Roles)" 6
expect_eq "RolePolicySizeQuota" "$(out_get SummaryMap.RolePolicySizeQuota)" 10240

# ---- a user without permission ----
ok "create-user Mallory" admin iam create-user --user-name Mallory
ok "a key for Mallory" admin iam create-access-key --user-name Mallory
add_profile mallory "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "a user without permission cannot create roles" AccessDenied mallory iam create-role \
	--role-name Sneaky --path /x/ --assume-role-policy-document "$TRUST"
err_has "AccessDenied names the action and the role's ARN" \
	"User: arn:aws:iam::$ACCOUNT:user/Mallory is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::$ACCOUNT:role/x/Sneaky"
fails_with "nor read them" AccessDenied mallory iam get-role --role-name Deployer
err_has "the resource is the role's ARN with its path" "on resource: $ROLE_ARN"
ok "allow Mallory roles under /x/ only" admin iam put-user-policy --user-name Mallory --policy-name Roles \
	--policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:CreateRole\",\"Resource\":\"arn:aws:iam::$ACCOUNT:role/x/*\"}]}"
ok "Mallory creates a role under /x/" mallory iam create-role --role-name Sneaky --path /x/ \
	--assume-role-policy-document "$TRUST"
fails_with "but not elsewhere" AccessDenied mallory iam create-role --role-name Sneaky2 \
	--assume-role-policy-document "$TRUST"

# ---- delete ----
ok "delete-role Deployer" admin iam delete-role --role-name Deployer
fails_with "the deleted role is gone" NoSuchEntity admin iam get-role --role-name Deployer
ok "a new Deployer" admin iam create-role --role-name Deployer --assume-role-policy-document "$TRUST"
expect_eq "has a new id" "$([ "$(out_get Role.RoleId)" != "$ROLE_ID" ] && echo yes)" yes
ok "list-role-tags of the new Deployer" admin iam list-role-tags --role-name Deployer
expect_eq "the old role's tags went with it" "$(count Tags)" 0
ok "delete-role deployer (any case)" admin iam delete-role --role-name deployer
finish
