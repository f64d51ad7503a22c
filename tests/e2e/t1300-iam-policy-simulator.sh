#!/bin/bash
# The IAM policy simulator through the AWS CLI: simulate-custom-policy with
# the CodeCommit user guide's branch-protection policy, MFA and source-IP
# conditions, context entries of several types, statement positions,
# missing context keys and pagination; simulate-principal-policy for users
# (attached, inline, group and boundary policies) and groups; the errors
# AWS gives for bad input; and that the simulator calls are authorized.
. "$(dirname "$0")/lib.sh"
start_server

# q EXPR: a Python expression over the last output, bound to d
q() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/out" "$1"; }

REPO="arn:aws:codecommit:us-east-1:$ACCOUNT:MyDemoRepo"
POWER='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:*","Resource":"*"}]}'
# the CodeCommit user guide's "limit pushes and merges to branches", for main;
# written over several lines so that the statement's position can be checked
PROTECT='{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": ["codecommit:GitPush", "codecommit:DeleteBranch", "codecommit:PutFile",
                 "codecommit:Merge*"],
      "Resource": "'"$REPO"'",
      "Condition": {
        "StringEqualsIfExists": {"codecommit:References": ["refs/heads/main"]},
        "Null": {"codecommit:References": "false"}
      }
    }
  ]
}'
REF() { echo "ContextKeyName=codecommit:References,ContextKeyValues=$1,ContextKeyType=string"; }

# ---- simulate-custom-policy: branch protection ----
ok "push to main" admin iam simulate-custom-policy --policy-input-list "$POWER" "$PROTECT" \
	--action-names codecommit:GitPush --resource-arns "$REPO" --context-entries "$(REF refs/heads/main)"
expect_eq "a push to main is explicitly denied" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" explicitDeny
expect_eq "one result for the action" "$(q 'len(d["EvaluationResults"])')" 1
expect_eq "EvalActionName" "$(q 'd["EvaluationResults"][0]["EvalActionName"]')" codecommit:GitPush
expect_eq "EvalResourceName is the repository" "$(q 'd["EvaluationResults"][0]["EvalResourceName"]')" "$REPO"
expect_eq "only the Deny statement is matched" \
	"$(q '[m["SourcePolicyId"] for m in d["EvaluationResults"][0]["MatchedStatements"]]')" "['PolicyInputList.2']"
expect_eq "the statement's start (line, column past the brace)" \
	"$(q '(lambda m: (m["StartPosition"]["Line"], m["StartPosition"]["Column"]))(d["EvaluationResults"][0]["MatchedStatements"][0])')" "(4, 6)"
expect_eq "the statement's end" \
	"$(q '(lambda m: (m["EndPosition"]["Line"], m["EndPosition"]["Column"]))(d["EvaluationResults"][0]["MatchedStatements"][0])')" "(13, 6)"
expect_eq "no missing context" "$(q 'd["EvaluationResults"][0]["MissingContextValues"]')" "[]"
expect_eq "a result for the named resource" \
	"$(q '[(r["EvalResourceName"], r["EvalResourceDecision"]) for r in d["EvaluationResults"][0]["ResourceSpecificResults"]]')" \
	"[('$REPO', 'explicitDeny')]"
expect_eq "no further page" "$(q '"NextToken" in d')" False

ok "push to a feature branch" admin iam simulate-custom-policy --policy-input-list "$POWER" "$PROTECT" \
	--action-names codecommit:GitPush --resource-arns "$REPO" --context-entries "$(REF refs/heads/feature)"
expect_eq "a push to a feature branch is allowed" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "the Allow statement is matched" \
	"$(q '[m["SourcePolicyId"] for m in d["EvaluationResults"][0]["MatchedStatements"]]')" "['PolicyInputList.1']"

ok "merge to main, several actions at once" admin iam simulate-custom-policy \
	--policy-input-list "$POWER" "$PROTECT" --resource-arns "$REPO" --context-entries "$(REF refs/heads/main)" \
	--action-names codecommit:MergeBranchesByFastForward codecommit:GitPull codecommit:DeleteBranch
expect_eq "Merge* and DeleteBranch denied, GitPull allowed" \
	"$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" "['explicitDeny', 'allowed', 'explicitDeny']"

ok "push without a reference" admin iam simulate-custom-policy --policy-input-list "$POWER" "$PROTECT" \
	--action-names codecommit:GitPush --resource-arns "$REPO"
expect_eq "without codecommit:References the Deny does not apply" \
	"$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "and the key is reported missing" \
	"$(q 'd["EvaluationResults"][0]["MissingContextValues"]')" "['codecommit:References']"

ok "two resources" admin iam simulate-custom-policy --policy-input-list "$POWER" "$PROTECT" \
	--action-names codecommit:GitPush --resource-arns "$REPO" "${REPO}Other" \
	--context-entries "$(REF refs/heads/main)"
expect_eq "the most restrictive decision on top" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" explicitDeny
expect_eq "each resource's own decision" \
	"$(q '[r["EvalResourceDecision"] for r in d["EvaluationResults"][0]["ResourceSpecificResults"]]')" \
	"['explicitDeny', 'allowed']"

# ---- conditions on MFA and source address ----
MFA='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:DeleteUser","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'
ok "MFA policy without context" admin iam simulate-custom-policy --policy-input-list "$MFA" \
	--action-names iam:DeleteUser
expect_eq "without MFA: implicitDeny" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" implicitDeny
expect_eq "the resource defaults to *" "$(q 'd["EvaluationResults"][0]["EvalResourceName"]')" "*"
expect_eq "no statement decides an implicit deny" "$(q 'd["EvaluationResults"][0]["MatchedStatements"]')" "[]"
expect_eq "aws:MultiFactorAuthPresent is missing" \
	"$(q 'd["EvaluationResults"][0]["MissingContextValues"]')" "['aws:MultiFactorAuthPresent']"
ok "MFA policy with MFA" admin iam simulate-custom-policy --policy-input-list "$MFA" \
	--action-names iam:DeleteUser \
	--context-entries ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean
expect_eq "with MFA: allowed" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "nothing missing" "$(q 'd["EvaluationResults"][0]["MissingContextValues"]')" "[]"

IP='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:GitPull","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}'
ok "source IP inside 10.0.0.0/8" admin iam simulate-custom-policy --policy-input-list "$IP" \
	--action-names codecommit:GitPull \
	--context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=10.1.2.3,ContextKeyType=ip
expect_eq "10.1.2.3 is allowed" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
ok "source IP outside" admin iam simulate-custom-policy --policy-input-list "$IP" \
	--action-names codecommit:GitPull \
	--context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=192.168.1.1,ContextKeyType=ip
expect_eq "192.168.1.1 is not" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" implicitDeny
ok "a list of addresses (ipList)" admin iam simulate-custom-policy --policy-input-list "$IP" \
	--action-names codecommit:GitPull \
	--context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=192.168.1.1,10.9.9.9,ContextKeyType=ipList
expect_eq "any address of the list inside the block allows" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed

# the AWS CLI's own example (aws iam simulate-custom-policy help): same positions as AWS's output
DDB='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
ok "the CLI documentation's date example" admin iam simulate-custom-policy --policy-input-list "$DDB" \
	--action-names dynamodb:CreateBackup \
	--context-entries "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date"
expect_eq "allowed, as documented" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "positions as documented (1:38 to 1:167)" \
	"$(q '(lambda m: (m["SourcePolicyId"], m["StartPosition"]["Line"], m["StartPosition"]["Column"], m["EndPosition"]["Line"], m["EndPosition"]["Column"]))(d["EvaluationResults"][0]["MatchedStatements"][0])')" \
	"('PolicyInputList.1', 1, 38, 1, 167)"
ok "an earlier date" admin iam simulate-custom-policy --policy-input-list "$DDB" \
	--action-names dynamodb:CreateBackup \
	--context-entries "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date"
expect_eq "implicitDeny, as documented" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" implicitDeny

# a resource policy and a caller
RP='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'"$ACCOUNT"':user/Bob"},"Action":"codecommit:GitPull","Resource":"*"}]}'
ok "a resource policy naming the caller" admin iam simulate-custom-policy \
	--policy-input-list '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}' \
	--resource-policy "$RP" --caller-arn "arn:aws:iam::$ACCOUNT:user/Bob" \
	--action-names codecommit:GitPull --resource-arns "$REPO"
expect_eq "the resource policy allows Bob" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "its statement is matched" \
	"$(q '[(m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][0]["MatchedStatements"]]')" \
	"[('ResourcePolicy', 'resource')]"
fails_with "a resource policy needs a caller" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$POWER" --resource-policy "$RP" --action-names codecommit:GitPull

# a boundary given as input
ok "a permissions boundary limits a custom policy" admin iam simulate-custom-policy \
	--policy-input-list "$POWER" --action-names codecommit:GitPull codecommit:GitPush \
	--permissions-boundary-policy-input-list '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:GitPull","Resource":"*"}]}'
expect_eq "GitPull allowed, GitPush not" "$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" \
	"['allowed', 'implicitDeny']"
expect_eq "the boundary's say" \
	"$(q '[r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for r in d["EvaluationResults"]]')" \
	"[True, False]"
expect_eq "EvalDecisionDetails names the boundary" \
	"$(q 'd["EvaluationResults"][1]["EvalDecisionDetails"]')" "{'PermissionsBoundaryPolicy': 'implicitDeny'}"

# pagination over the results
ok "max-items pages the results" admin iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names codecommit:GitPull codecommit:GitPush codecommit:GetRepository --max-items 2
expect_eq "a page of two and a NextToken" "$(q 'len(d["EvaluationResults"]), "NextToken" in d')" "(2, True)"
ok "the next page" admin iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names codecommit:GitPull codecommit:GitPush codecommit:GetRepository --max-items 2 \
	--starting-token "$(q 'd["NextToken"]')"
expect_eq "the third action" "$(q '[r["EvalActionName"] for r in d["EvaluationResults"]]')" "['codecommit:GetRepository']"
ok "all pages at once" admin iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names codecommit:GitPull codecommit:GitPush codecommit:GetRepository --page-size 1
expect_eq "the CLI follows the markers" "$(q 'len(d["EvaluationResults"])')" 3

# bad input
fails_with "a malformed policy" MalformedPolicyDocument admin iam simulate-custom-policy \
	--policy-input-list '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}' \
	--action-names s3:GetObject
err_has "the message names the input" "PolicyInputList.1"
fails_with "a policy that is not JSON" MalformedPolicyDocument admin iam simulate-custom-policy \
	--policy-input-list '{"Version":' --action-names s3:GetObject
fails_with "a Principal in an identity policy" MalformedPolicyDocument admin iam simulate-custom-policy \
	--policy-input-list "$RP" --action-names codecommit:GitPull
fails_with "a wildcard action" InvalidInput admin iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names 'codecommit:Git*'
fails_with "an action without a service" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$POWER" --action-names GitPull
fails_with "a resource that is not an ARN" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$POWER" --action-names codecommit:GitPull --resource-arns MyDemoRepo
fails_with "an ip context value that is not an address" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$IP" --action-names codecommit:GitPull \
	--context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=nowhere,ContextKeyType=ip
fails_with "a boolean context value that is not a boolean" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$MFA" --action-names iam:DeleteUser \
	--context-entries ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=yes,ContextKeyType=boolean
fails_with "two boundaries" InvalidInput admin iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names codecommit:GitPull --permissions-boundary-policy-input-list "$POWER" "$POWER"
fails_with "a caller that is not a user" InvalidInput admin iam simulate-custom-policy \
	--policy-input-list "$POWER" --action-names codecommit:GitPull --caller-arn "arn:aws:iam::$ACCOUNT:group/G"

# ---- simulate-principal-policy ----
DEV="arn:aws:iam::$ACCOUNT:user/Dev"
ok "create-user Dev" admin iam create-user --user-name Dev
ok "attach AWSCodeCommitReadOnly to Dev" admin iam attach-user-policy --user-name Dev \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "simulate Dev" admin iam simulate-principal-policy --policy-source-arn "$DEV" \
	--action-names codecommit:GitPull codecommit:GitPush
expect_eq "read-only: GitPull allowed, GitPush implicitDeny" \
	"$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" "['allowed', 'implicitDeny']"
expect_eq "the managed policy is named" \
	"$(q '[(m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][0]["MatchedStatements"]]')" \
	"[('AWSCodeCommitReadOnly', 'aws-managed')]"
expect_eq "no boundary detail without a boundary" \
	"$(q '"PermissionsBoundaryDecisionDetail" in d["EvaluationResults"][0]')" False

NOPULL='{"Version":"2012-10-17","Statement":[{"Sid":"NoPull","Effect":"Deny","Action":"codecommit:GitPull","Resource":"*"}]}'
ok "an inline Deny for Dev" admin iam put-user-policy --user-name Dev --policy-name NoPull \
	--policy-document "$NOPULL"
ok "simulate Dev again" admin iam simulate-principal-policy --policy-source-arn "$DEV" \
	--action-names codecommit:GitPull
expect_eq "the inline Deny wins" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" explicitDeny
expect_eq "the inline policy is named" \
	"$(q '[(m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][0]["MatchedStatements"]]')" \
	"[('NoPull', 'user')]"
ok "delete the inline Deny" admin iam delete-user-policy --user-name Dev --policy-name NoPull

ok "extra policies through --policy-input-list" admin iam simulate-principal-policy \
	--policy-source-arn "$DEV" --policy-input-list "$POWER" --action-names codecommit:GitPush
expect_eq "the added policy allows GitPush" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
expect_eq "named as an input" "$(q 'd["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"]')" \
	PolicyInputList.1

# aws:username comes from the simulated user
SELF='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::'"$ACCOUNT"':user/${aws:username}"}]}'
ok "a policy variable for Dev" admin iam simulate-principal-policy --policy-source-arn "$DEV" \
	--policy-input-list "$SELF" --action-names iam:GetUser --resource-arns "$DEV"
expect_eq "\${aws:username} is Dev" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
ok "the same for another user's ARN" admin iam simulate-principal-policy --policy-source-arn "$DEV" \
	--policy-input-list "$SELF" --action-names iam:GetUser --resource-arns "arn:aws:iam::$ACCOUNT:user/Eve"
expect_eq "not Eve" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" implicitDeny
ok "a custom simulation has no username" admin iam simulate-custom-policy --policy-input-list "$SELF" \
	--action-names iam:GetUser --resource-arns "$DEV"
expect_eq "aws:username is missing there" "$(q 'd["EvaluationResults"][0]["MissingContextValues"]')" "['aws:username']"
ok "unless a caller is named" admin iam simulate-custom-policy --policy-input-list "$SELF" \
	--action-names iam:GetUser --resource-arns "$DEV" --caller-arn "$DEV"
expect_eq "then it is the caller's" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed

# a permissions boundary
BOUND='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["codecommit:Get*","codecommit:List*"],"Resource":"*"}]}'
ok "create-policy Boundary" admin iam create-policy --policy-name Boundary --policy-document "$BOUND"
ok "put-user-permissions-boundary" admin iam put-user-permissions-boundary --user-name Dev \
	--permissions-boundary "arn:aws:iam::$ACCOUNT:policy/Boundary"
ok "simulate Dev with a boundary" admin iam simulate-principal-policy --policy-source-arn "$DEV" \
	--action-names codecommit:GitPull codecommit:GetRepository
expect_eq "the boundary stops GitPull, not GetRepository" \
	"$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" "['implicitDeny', 'allowed']"
expect_eq "AllowedByPermissionsBoundary" \
	"$(q '[r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for r in d["EvaluationResults"]]')" \
	"[False, True]"
expect_eq "the boundary statement is among the matched" \
	"$(q 'sorted((m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][1]["MatchedStatements"])')" \
	"[('AWSCodeCommitReadOnly', 'aws-managed'), ('Boundary', 'user-managed')]"
ok "a boundary given as input replaces Dev's" admin iam simulate-principal-policy \
	--policy-source-arn "$DEV" --action-names codecommit:GitPull \
	--permissions-boundary-policy-input-list "$POWER"
expect_eq "GitPull allowed under the given boundary" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
ok "delete-user-permissions-boundary" admin iam delete-user-permissions-boundary --user-name Dev

# groups
ok "create-group Readers" admin iam create-group --group-name Readers
ok "attach AWSCodeCommitReadOnly to Readers" admin iam attach-group-policy --group-name Readers \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "a group inline Deny" admin iam put-group-policy --group-name Readers --policy-name NoGet \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"codecommit:GetRepository","Resource":"*"}]}'
ok "simulate the group" admin iam simulate-principal-policy \
	--policy-source-arn "arn:aws:iam::$ACCOUNT:group/Readers" \
	--action-names codecommit:GitPull codecommit:GetRepository codecommit:GitPush
expect_eq "the group's policies decide" "$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" \
	"['allowed', 'explicitDeny', 'implicitDeny']"
expect_eq "the group inline policy is named" \
	"$(q '[(m["SourcePolicyId"], m["SourcePolicyType"]) for m in d["EvaluationResults"][1]["MatchedStatements"]]')" \
	"[('NoGet', 'group')]"
ok "create-user Eve" admin iam create-user --user-name Eve
ok "Eve joins Readers" admin iam add-user-to-group --group-name Readers --user-name Eve
ok "simulate Eve" admin iam simulate-principal-policy --policy-source-arn "arn:aws:iam::$ACCOUNT:user/Eve" \
	--action-names codecommit:GitPull codecommit:GetRepository
expect_eq "a member gets the group's policies" "$(q '[r["EvalDecision"] for r in d["EvaluationResults"]]')" \
	"['allowed', 'explicitDeny']"

fails_with "a user that does not exist" NoSuchEntity admin iam simulate-principal-policy \
	--policy-source-arn "arn:aws:iam::$ACCOUNT:user/Nobody" --action-names codecommit:GitPull
err_has "NoSuchEntity names the user" "The user with name Nobody cannot be found."
fails_with "a group that does not exist" NoSuchEntity admin iam simulate-principal-policy \
	--policy-source-arn "arn:aws:iam::$ACCOUNT:group/Nobody" --action-names codecommit:GitPull
fails_with "a PolicySourceArn that is no IAM ARN" InvalidInput admin iam simulate-principal-policy \
	--policy-source-arn "arn:aws:codecommit:us-east-1:$ACCOUNT:MyDemoRepo" --action-names codecommit:GitPull

# ---- the simulator's own authorization ----
ok "a key for Eve" admin iam create-access-key --user-name Eve
add_profile eve "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "Eve may not simulate custom policies" AccessDenied eve iam simulate-custom-policy \
	--policy-input-list "$POWER" --action-names codecommit:GitPull
fails_with "nor principals" AccessDenied eve iam simulate-principal-policy --policy-source-arn "$DEV" \
	--action-names codecommit:GitPull
ok "allow Eve to simulate herself" admin iam put-user-policy --user-name Eve --policy-name Sim \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:SimulateCustomPolicy","Resource":"*"},{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::*:user/${aws:username}"}]}'
ok "Eve simulates a custom policy" eve iam simulate-custom-policy --policy-input-list "$POWER" \
	--action-names codecommit:GitPull
ok "Eve simulates her own policies" eve iam simulate-principal-policy \
	--policy-source-arn "arn:aws:iam::$ACCOUNT:user/Eve" --action-names iam:SimulateCustomPolicy
expect_eq "her inline policy allows it" "$(q 'd["EvaluationResults"][0]["EvalDecision"]')" allowed
fails_with "but not Dev's" AccessDenied eve iam simulate-principal-policy --policy-source-arn "$DEV" \
	--action-names codecommit:GitPull
finish
