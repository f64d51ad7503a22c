#!/bin/bash
# Repository access control (the setup guide's "Access control" page): a
# resource policy per repository, set with commitd's own operations through
# the AWS CLI (their model installed with scripts/cli-model.py), with the
# Read / ReadWrite shortcuts for users and groups; the evaluator treats it as
# a resource-based policy for the API and for Git.
. "$(dirname "$0")/lib.sh"
start_server

git_setup
HOSTPORT=${ENDPOINT#http://}
"$TOP/scripts/cli-model.py" codecommit "$T/models" || fail "cli-model.py writes the model"
export AWS_DATA_PATH=$T/models

gitcreds() { # gitcreds USER: $GURL = a repository URL prefix carrying USER's Git credentials
	# (and an access key, profile USER)
	aws_as admin iam create-access-key --user-name "$1" || fail "access key for $1"
	add_profile "$1" "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
	aws_as admin iam create-service-specific-credential --user-name "$1" \
		--service-name codecommit.amazonaws.com || fail "git credentials for $1"
	GURL="http://$(out_get ServiceSpecificCredential.ServiceUserName):$($PY -c \
		'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
		"$(out_get ServiceSpecificCredential.ServicePassword)")@$HOSTPORT/v1/repos"
}

ok "create-repository Shared" admin codecommit create-repository --repository-name Shared
ok "create-repository Other" admin codecommit create-repository --repository-name Other
ok "create-group Devs" admin iam create-group --group-name Devs
ok "create-user Gita (no policies)" admin iam create-user --user-name Gita
ok "Gita joins Devs" admin iam add-user-to-group --group-name Devs --user-name Gita
gitcreds Gita
GITA=$GURL
ok "create-user Ravi (no policies)" admin iam create-user --user-name Ravi
gitcreds Ravi
RAVI=$GURL
ok "create-user Admin2 with AWSCodeCommitPowerUser" admin iam create-user --user-name Admin2
ok "attach" admin iam attach-user-policy --user-name Admin2 \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
gitcreds Admin2
gitok "a power user pushes a first commit" clone -q "$GURL/Shared" "$T/a1"
echo one >"$T/a1/one.txt"
git -C "$T/a1" add one.txt && git -C "$T/a1" commit -qm one
gitok "... to main" -C "$T/a1" push -q origin HEAD:main

fails_with "no policy yet" RepositoryPolicyNotFoundException admin codecommit \
	get-repository-policy --repository-name Shared
gitfails "before any grant Gita cannot clone" "403" clone "$GITA/Shared" "$T/g0"

ok "grant group Devs Read on Shared" admin codecommit put-repository-policy \
	--repository-name Shared --grants "principal=arn:aws:iam::$ACCOUNT:group/Devs,access=Read"
grep -q "commitd:PrincipalGroupArns" "$T/out" &&
	pass "the grant is expanded into an ordinary statement" ||
	fail "the grant is expanded into an ordinary statement"
ok "get-repository-policy" admin codecommit get-repository-policy --repository-name Shared
grep -q "codecommit:GitPull" "$T/out" && pass "the stored policy allows GitPull" ||
	fail "the stored policy allows GitPull"
gitok "a member of Devs clones Shared" clone "$GITA/Shared" "$T/g1"
expect_eq "... and sees the file" "$(cat "$T/g1/one.txt" 2>/dev/null)" one
echo two >"$T/g1/two.txt"
git -C "$T/g1" add two.txt && git -C "$T/g1" commit -qm two
gitfails "a Read grant does not allow pushing" "403" -C "$T/g1" push origin main
ok "Read allows the read APIs" Gita codecommit get-repository --repository-name Shared
fails_with "... but not on another repository" AccessDeniedException Gita codecommit \
	get-repository --repository-name Other
gitfails "nor a clone of another repository" "403" clone "$GITA/Other" "$T/g2"
gitfails "a non-member still cannot clone" "403" clone "$RAVI/Shared" "$T/r0"

ok "grant Ravi ReadWrite, Devs Read" admin codecommit put-repository-policy \
	--repository-name Shared --grants \
	"principal=arn:aws:iam::$ACCOUNT:user/Ravi,access=ReadWrite" \
	"principal=arn:aws:iam::$ACCOUNT:group/Devs,access=Read"
gitok "Ravi clones" clone "$RAVI/Shared" "$T/r1"
echo three >"$T/r1/three.txt"
git -C "$T/r1" add three.txt && git -C "$T/r1" commit -qm three
gitok "Ravi pushes with ReadWrite" -C "$T/r1" push origin main
fails_with "ReadWrite does not allow deleting the repository" AccessDeniedException Ravi \
	codecommit delete-repository --repository-name Shared

cat >"$T/deny.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
  "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:user/Admin2"},
  "Action": "codecommit:GitPush", "Resource": "arn:aws:codecommit:us-east-1:$ACCOUNT:Shared",
  "Condition": {"StringEquals": {"codecommit:References": "refs/heads/main"}}}]}
EOF
ok "a policy document and grants together" admin codecommit put-repository-policy \
	--repository-name Shared --policy-document "file://$T/deny.json" \
	--grants "principal=arn:aws:iam::$ACCOUNT:group/Devs,access=Read"
git -C "$T/a1" pull -q --rebase origin main >/dev/null 2>&1
echo four >"$T/a1/four.txt"
git -C "$T/a1" add four.txt && git -C "$T/a1" commit -qm four
gitfails "a resource-policy Deny on main refuses the power user's push" \
	"[remote rejected] HEAD -> main" -C "$T/a1" push origin HEAD:main
grep -q "explicit deny in a resource-based policy" "$T/gout" &&
	pass "the refusal says it came from the resource policy" ||
	fail "the refusal says it came from the resource policy"
gitok "... while a branch push passes" -C "$T/a1" push origin HEAD:refs/heads/topic

fails_with "a grant to a missing user is malformed" MalformedPolicyDocumentException admin \
	codecommit put-repository-policy --repository-name Shared \
	--grants "principal=arn:aws:iam::$ACCOUNT:user/Nobody,access=Read"
fails_with "a grant to another account is malformed" MalformedPolicyDocumentException admin \
	codecommit put-repository-policy --repository-name Shared \
	--grants "principal=arn:aws:iam::999999999999:user/Gita,access=Read"
fails_with "an invalid document is malformed" MalformedPolicyDocumentException admin \
	codecommit put-repository-policy --repository-name Shared --policy-document '{"Statement": 5}'
fails_with "a statement without Principal is malformed" MalformedPolicyDocumentException admin \
	codecommit put-repository-policy --repository-name Shared --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
fails_with "neither document nor grants" MalformedPolicyDocumentException admin \
	codecommit put-repository-policy --repository-name Shared
fails_with "no such repository" RepositoryDoesNotExistException admin \
	codecommit put-repository-policy --repository-name Nope \
	--grants "principal=arn:aws:iam::$ACCOUNT:group/Devs,access=Read"
gitok "the failed puts left the last policy in place" clone "$GITA/Shared" "$T/g3"

ok "delete-repository-policy" admin codecommit delete-repository-policy --repository-name Shared
gitfails "after the delete Gita cannot clone" "403" clone "$GITA/Shared" "$T/g4"
fails_with "Gita cannot set a policy herself" AccessDeniedException Gita codecommit \
	put-repository-policy --repository-name Shared \
	--grants "principal=arn:aws:iam::$ACCOUNT:user/Gita,access=ReadWrite"
finish
