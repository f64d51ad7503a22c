#!/bin/bash
# IAM inline policies of users and groups through the AWS CLI: put, get,
# list, replace, delete, AWS's size quotas and messages, malformed documents,
# and that an inline Allow or Deny really changes what a user may do.
. "$(dirname "$0")/lib.sh"
start_server

count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/out" "$1"; }

ALLOW='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'
DENY='{"Version":"2012-10-17","Statement":[{"Sid":"NoList","Effect":"Deny","Action":"iam:List*","Resource":"*"}]}'
GETU='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}'

ok "create-user Ana" admin iam create-user --user-name Ana
ok "a key for Ana" admin iam create-access-key --user-name Ana
add_profile ana "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "create-group Ops" admin iam create-group --group-name Ops

# ---- users ----
fails_with "with no policy Ana cannot list users" AccessDenied ana iam list-users
ok "put-user-policy" admin iam put-user-policy --user-name Ana --policy-name CanList \
	--policy-document "$ALLOW"
ok "the inline Allow lets Ana list users" ana iam list-users
fails_with "but not create them" AccessDenied ana iam create-user --user-name Eve
ok "get-user-policy" admin iam get-user-policy --user-name Ana --policy-name CanList
expect_eq "UserName" "$(out_get UserName)" Ana
expect_eq "PolicyName" "$(out_get PolicyName)" CanList
expect_eq "the document comes back as JSON" "$(out_get PolicyDocument.Statement.0.Action)" iam:ListUsers
ok "put a second policy" admin iam put-user-policy --user-name Ana --policy-name AlsoGet \
	--policy-document "$GETU"
ok "list-user-policies" admin iam list-user-policies --user-name Ana
expect_eq "two policies" "$(count PolicyNames)" 2
expect_eq "sorted by name" "$(out_get PolicyNames.0)" AlsoGet
ok "list-user-policies paginates" admin iam list-user-policies --user-name Ana --max-items 1
expect_eq "a page of one and a NextToken" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["PolicyNames"]), "NextToken" in d)' "$T/out")" "1 True"
ok "put replaces a policy of the same name" admin iam put-user-policy --user-name Ana \
	--policy-name AlsoGet --policy-document "$DENY"
ok "get the replaced policy" admin iam get-user-policy --user-name Ana --policy-name AlsoGet
expect_eq "the new document" "$(out_get PolicyDocument.Statement.0.Sid)" NoList
ok "list-user-policies after the replace" admin iam list-user-policies --user-name Ana
expect_eq "still two policies" "$(count PolicyNames)" 2
fails_with "an explicit Deny wins over the Allow" AccessDenied ana iam list-users
err_has "the refusal names the explicit deny" "with an explicit deny"
ok "delete-user-policy" admin iam delete-user-policy --user-name Ana --policy-name AlsoGet
ok "without the Deny Ana lists again" ana iam list-users
fails_with "get a deleted policy" NoSuchEntity admin iam get-user-policy --user-name Ana --policy-name AlsoGet
err_has "NoSuchEntity is worded as AWS's" "The user policy with name AlsoGet cannot be found."
fails_with "delete a missing policy" NoSuchEntity admin iam delete-user-policy --user-name Ana --policy-name Nope
fails_with "put for a missing user" NoSuchEntity admin iam put-user-policy --user-name Nobody \
	--policy-name P --policy-document "$ALLOW"
fails_with "a malformed document is refused" MalformedPolicyDocument admin iam put-user-policy \
	--user-name Ana --policy-name Bad \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers"}]}'
fails_with "a document that is not JSON is refused" MalformedPolicyDocument admin iam put-user-policy \
	--user-name Ana --policy-name Bad --policy-document '{"Version":'
fails_with "a bad policy name is refused" ValidationError admin iam put-user-policy \
	--user-name Ana --policy-name 'bad name' --policy-document "$ALLOW"
ok "a refused put changed nothing" admin iam list-user-policies --user-name Ana
expect_eq "one policy" "$(count PolicyNames)" 1

# size quota: 2048 characters, whitespace not counted, all inline policies together
mkdoc() { $PY -c 'import json,sys; n=int(sys.argv[1])
print(json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get%03d" % i for i in range(n)],"Resource":"*"}]}, indent=4))' "$1"; }
ok "a 1,400-character policy fits (indentation not counted)" admin iam put-user-policy --user-name Ana \
	--policy-name Mid --policy-document "$(mkdoc 100)"
fails_with "together they exceed 2048" LimitExceeded admin iam put-user-policy --user-name Ana \
	--policy-name Mid2 --policy-document "$(mkdoc 60)"
err_has "the size message is AWS's" "Maximum policy size of 2048 bytes exceeded for user Ana"
ok "replacing Mid counts only the new document" admin iam put-user-policy --user-name Ana \
	--policy-name Mid --policy-document "$(mkdoc 110)"
ok "delete Mid" admin iam delete-user-policy --user-name Ana --policy-name Mid

# ---- groups ----
ok "put-group-policy (Deny)" admin iam put-group-policy --group-name Ops --policy-name NoList \
	--policy-document "$DENY"
ok "Ana still lists before joining Ops" ana iam list-users
ok "add Ana to Ops" admin iam add-user-to-group --group-name Ops --user-name Ana
fails_with "the group's Deny applies to its member" AccessDenied ana iam list-users
ok "get-group-policy" admin iam get-group-policy --group-name Ops --policy-name NoList
expect_eq "GroupName" "$(out_get GroupName)" Ops
expect_eq "the group document as JSON" "$(out_get PolicyDocument.Statement.0.Effect)" Deny
ok "list-group-policies" admin iam list-group-policies --group-name Ops
expect_eq "Ops has NoList" "$(out_get PolicyNames.0)" NoList
fails_with "get a missing group policy" NoSuchEntity admin iam get-group-policy --group-name Ops \
	--policy-name Nope
err_has "worded for groups" "The group policy with name Nope cannot be found."
fails_with "a group with policies cannot be deleted" DeleteConflict admin iam delete-group --group-name Ops
ok "a 3,700-character group policy fits" admin iam put-group-policy --group-name Ops \
	--policy-name Big --policy-document "$(mkdoc 280)"
fails_with "over 5120 for a group" LimitExceeded admin iam put-group-policy --group-name Ops \
	--policy-name Bigger --policy-document "$(mkdoc 100)"
err_has "the group size message" "Maximum policy size of 5120 bytes exceeded for group Ops"
ok "delete-group-policy Big" admin iam delete-group-policy --group-name Ops --policy-name Big
ok "delete-group-policy NoList" admin iam delete-group-policy --group-name Ops --policy-name NoList
ok "without the group's Deny Ana lists again" ana iam list-users
fails_with "delete a missing group policy" NoSuchEntity admin iam delete-group-policy \
	--group-name Ops --policy-name NoList

# a user with an inline policy cannot be deleted until it is gone
ok "remove Ana from Ops" admin iam remove-user-from-group --group-name Ops --user-name Ana
ok "delete Ana's key" admin iam delete-access-key --user-name Ana \
	--access-key-id "$(aws_as admin iam list-access-keys --user-name Ana && out_get AccessKeyMetadata.0.AccessKeyId)"
fails_with "a user with inline policies cannot be deleted" DeleteConflict admin iam delete-user --user-name Ana
ok "delete CanList" admin iam delete-user-policy --user-name Ana --policy-name CanList
ok "now Ana can be deleted" admin iam delete-user --user-name Ana
finish
