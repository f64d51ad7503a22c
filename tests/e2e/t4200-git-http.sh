#!/bin/bash
# Git over HTTP, as the CodeCommit setup guides walk through it: a
# repository made with the AWS CLI, cloned and pushed with plain git using
# Git credentials, the AWS CLI's credential helper and session tokens; who
# may pull and push decided by IAM, down to the branch; bad input refused.
. "$(dirname "$0")/lib.sh"
start_server

git_setup
HOSTPORT=${ENDPOINT#http://}

urlenc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# newuser NAME [POLICY]: an IAM user with an access key (profile NAME) and
# Git credentials ($GITURL_NAME: a clone URL carrying them)
newuser() {
	aws_as admin iam create-user --user-name "$1" || fail "create-user $1"
	[ -n "${2:-}" ] && { aws_as admin iam attach-user-policy --user-name "$1" \
		--policy-arn "arn:aws:iam::aws:policy/$2" || fail "attach $2 to $1"; }
	aws_as admin iam create-access-key --user-name "$1" || fail "create-access-key $1"
	add_profile "$1" "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
	aws_as admin iam create-service-specific-credential --user-name "$1" \
		--service-name codecommit.amazonaws.com || fail "git credentials for $1"
	local u p
	u=$(out_get ServiceSpecificCredential.ServiceUserName)
	p=$(urlenc "$(out_get ServiceSpecificCredential.ServicePassword)")
	eval "GITURL_$1=http://$u:$p@$HOSTPORT/v1/repos"
}
# the credential helper of the AWS CLI, as the guide configures it
helper() {
	echo "credential.helper=!AWS_PROFILE=$1 $AWS codecommit credential-helper \$@ --ignore-host-check"
}

ok "create-repository MyDemoRepo" admin codecommit create-repository \
	--repository-name MyDemoRepo --repository-description "My demonstration repository"
CLONE_URL=$(out_get repositoryMetadata.cloneUrlHttp)
expect_eq "cloneUrlHttp is the server's /v1/repos/NAME" "$CLONE_URL" "$ENDPOINT/v1/repos/MyDemoRepo"
newuser Sonali AWSCodeCommitPowerUser
newuser Saurabh AWSCodeCommitReadOnly
newuser Nobody

# --- Git credentials -------------------------------------------------------
gitok "Sonali clones the empty repository with Git credentials" \
	clone "$GITURL_Sonali/MyDemoRepo" "$T/s1"
grep -q "empty repository" "$T/gout" && pass "git says the repository is empty" ||
	fail "git says the repository is empty"
echo "Hello from Sonali" >"$T/s1/README.md"
git -C "$T/s1" add README.md && git -C "$T/s1" commit -qm "Added README"
gitok "Sonali pushes her first commit to main" -C "$T/s1" push origin HEAD:main
grep -q "\[new branch\]" "$T/gout" && pass "git reports the new branch" ||
	fail "git reports the new branch"
gitok "Sonali clones again" clone "$GITURL_Sonali/MyDemoRepo" "$T/s2"
expect_eq "the second clone has the file" "$(cat "$T/s2/README.md" 2>/dev/null)" "Hello from Sonali"
ok "get-repository" admin codecommit get-repository --repository-name MyDemoRepo
expect_eq "the first branch pushed is the default branch" \
	"$(out_get repositoryMetadata.defaultBranch)" main

# --- the AWS CLI credential helper (SigV4 passwords) ----------------------
gitok "the credential helper clones" -c "$(helper Sonali)" -c credential.UseHttpPath=true \
	clone "$CLONE_URL" "$T/h1"
echo "via the helper" >"$T/h1/helper.txt"
git -C "$T/h1" add helper.txt && git -C "$T/h1" commit -qm "helper commit"
gitok "the credential helper pushes" -C "$T/h1" -c "$(helper Sonali)" \
	-c credential.UseHttpPath=true push origin main

# --- temporary credentials: ACCESSKEYID%SESSIONTOKEN -------------------------
ok "Sonali gets a session token" Sonali sts get-session-token
add_profile SonaliSession "$(out_get Credentials.AccessKeyId)" \
	"$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
gitok "a session token clones through the helper" -c "$(helper SonaliSession)" \
	-c credential.UseHttpPath=true clone "$CLONE_URL" "$T/t1"
[ -f "$T/t1/helper.txt" ] && pass "the session's clone sees the helper's commit" ||
	fail "the session's clone sees the helper's commit"
echo "session" >"$T/t1/session.txt"
git -C "$T/t1" add session.txt && git -C "$T/t1" commit -qm "session commit"
gitok "a session token pushes" -C "$T/t1" -c "$(helper SonaliSession)" \
	-c credential.UseHttpPath=true push origin main
gitok "ls-remote with Git credentials sees the session's commit" ls-remote \
	"$GITURL_Sonali/MyDemoRepo" refs/heads/main
expect_eq "main is the session's commit" "$(cut -f1 "$T/gout")" "$(git -C "$T/t1" rev-parse HEAD)"

# --- who may pull and push ---------------------------------------------------
gitok "Saurabh (read-only) clones" clone "$GITURL_Saurabh/MyDemoRepo" "$T/r1"
echo "nope" >"$T/r1/readonly.txt"
git -C "$T/r1" add readonly.txt && git -C "$T/r1" commit -qm "read-only commit"
gitfails "Saurabh cannot push (403)" "403" -C "$T/r1" push origin main
grep -q "codecommit:GitPush" "$T/gout" && pass "the refusal names codecommit:GitPush" ||
	fail "the refusal names codecommit:GitPush"
gitfails "a user with no policy cannot clone" "403" clone "$GITURL_Nobody/MyDemoRepo" "$T/n1"
grep -q "is not authorized to perform: codecommit:GitPull" "$T/gout" &&
	pass "the refusal says why" || fail "the refusal says why"
gitfails "a wrong password is refused" "Authentication failed" clone \
	"http://Sonali-at-$ACCOUNT:wrong@$HOSTPORT/v1/repos/MyDemoRepo" "$T/w1"
gitfails "a missing repository is 404" "not found" clone "$GITURL_Sonali/NoSuchRepo" "$T/m1"
code=$(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/v1/repos/MyDemoRepo/info/refs?service=git-upload-pack")
expect_eq "no credentials: 401 asking for them" "$code" 401
curl -s -D - -o /dev/null "$ENDPOINT/v1/repos/MyDemoRepo/info/refs?service=git-upload-pack" |
	grep -qi "^WWW-Authenticate: Basic" && pass "the 401 carries a Basic challenge" ||
	fail "the 401 carries a Basic challenge"

# --- branch protection (the CodeCommit guide's policy) ---------------------------
cat >"$T/protect.json" <<EOF
{"Version": "2012-10-17", "Statement": [{
  "Effect": "Deny",
  "Action": ["codecommit:GitPush", "codecommit:DeleteBranch", "codecommit:PutFile",
             "codecommit:MergeBranchesByFastForward", "codecommit:MergeBranchesBySquash",
             "codecommit:MergeBranchesByThreeWay", "codecommit:MergePullRequestByFastForward",
             "codecommit:MergePullRequestBySquash", "codecommit:MergePullRequestByThreeWay"],
  "Resource": "arn:aws:codecommit:us-east-1:$ACCOUNT:MyDemoRepo",
  "Condition": {"StringEqualsIfExists": {"codecommit:References": ["refs/heads/main"]},
                "Null": {"codecommit:References": "false"}}}]}
EOF
ok "protect main for Sonali" admin iam put-user-policy --user-name Sonali \
	--policy-name DenyChangesToMain --policy-document "file://$T/protect.json"
before=$(git ls-remote "$GITURL_Saurabh/MyDemoRepo" refs/heads/main | cut -f1)
echo "to main" >"$T/s2/main.txt"
git -C "$T/s2" add main.txt && git -C "$T/s2" commit -qm "to main"
git -C "$T/s2" pull -q --rebase origin main >/dev/null 2>&1
gitfails "a push to main is refused" "[remote rejected] main -> main" -C "$T/s2" push origin main
grep -q "refs/heads/main" "$T/gout" && grep -q "explicit deny" "$T/gout" &&
	pass "git shows which ref was refused and why" || fail "git shows which ref was refused and why"
expect_eq "main did not move" "$(git ls-remote "$GITURL_Saurabh/MyDemoRepo" refs/heads/main | cut -f1)" "$before"
gitok "a push to a feature branch is accepted" -C "$T/s2" push origin HEAD:refs/heads/feature
gitfails "one push, two refs: main refused" "[remote rejected] HEAD -> main" -C "$T/s2" \
	push origin HEAD:refs/heads/feature2 HEAD:main
git ls-remote "$GITURL_Saurabh/MyDemoRepo" >"$T/refs"
grep -q "refs/heads/feature2" "$T/refs" && pass "... and feature2 accepted in the same push" ||
	fail "... and feature2 accepted in the same push"
gitfails "deleting main is refused" "[remote rejected] main" -C "$T/s2" push origin :main
gitok "a tag push is accepted" -C "$T/s2" push origin HEAD:refs/tags/v1.0
gitok "deleting the feature branch is accepted" -C "$T/s2" push origin :feature
ok "remove the protection" admin iam delete-user-policy --user-name Sonali \
	--policy-name DenyChangesToMain

# --- the API and Git see the same repository ---------------------------------------
gitok "fetch main" -C "$T/s2" fetch -q origin
git -C "$T/s2" reset -q --hard origin/main
tip=$(git -C "$T/s2" rev-parse HEAD)
printf 'written by the API\n' >"$T/api.txt"
ok "PutFile on main through the API" Sonali codecommit put-file --repository-name MyDemoRepo \
	--branch-name main --file-path docs/api.txt --file-content "fileb://$T/api.txt" \
	--parent-commit-id "$tip" --commit-message "PutFile from the API" --name Sonali \
	--email sonali@example.com
api_commit=$(out_get commitId)
gitok "git pulls the API's commit" -C "$T/s2" pull -q origin main
expect_eq "git log shows it on top" "$(git -C "$T/s2" log -1 --format='%H %s %an')" \
	"$api_commit PutFile from the API Sonali"
expect_eq "with the file" "$(cat "$T/s2/docs/api.txt" 2>/dev/null)" "written by the API"
echo "pushed by git" >"$T/s2/docs/git.txt"
git -C "$T/s2" add docs/git.txt && git -C "$T/s2" commit -qm "from git"
gitok "git pushes on top of it" -C "$T/s2" push -q origin main
ok "GetFile reads what git pushed" Sonali codecommit get-file --repository-name MyDemoRepo \
	--file-path docs/git.txt
expect_eq "GetFile's content" "$(out_get fileContent | base64 -d)" "pushed by git"
ok "GetBranch sees git's commit" Sonali codecommit get-branch --repository-name MyDemoRepo \
	--branch-name main
expect_eq "GetBranch's commit is git's" "$(out_get branch.commitId)" "$(git -C "$T/s2" rev-parse HEAD)"
ok "CreateCommit on main" Sonali codecommit create-commit --repository-name MyDemoRepo \
	--branch-name main --parent-commit-id "$(git -C "$T/s2" rev-parse HEAD)" \
	--commit-message "CreateCommit from the API" --delete-files filePath=docs/api.txt
gitok "git pulls the CreateCommit" -C "$T/s2" pull -q origin main
[ -e "$T/s2/docs/api.txt" ] && fail "the deleted file is gone in git" ||
	pass "the deleted file is gone in git"
expect_eq "git log shows CreateCommit's message" "$(git -C "$T/s2" log -1 --format=%s)" \
	"CreateCommit from the API"

# --- protocol versions, gzip ------------------------------------------------------
gitok "protocol v2 clone" -c protocol.version=2 clone "$GITURL_Saurabh/MyDemoRepo" "$T/v2"
gitok "protocol v0 clone" -c protocol.version=0 clone "$GITURL_Saurabh/MyDemoRepo" "$T/v0"
gitok "protocol v2 fetch with no change" -C "$T/v2" -c protocol.version=2 fetch origin
head=$(git -C "$T/v0" rev-parse HEAD)
printf '0032want %s\n00000009done\n' "$head" | gzip -c >"$T/req.gz"
SAURABH_PW=$($PY -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1].split(":")[2].split("@")[0]))' "$GITURL_Saurabh")
curl -s -u "Saurabh-at-$ACCOUNT:$SAURABH_PW" -H "Content-Type: application/x-git-upload-pack-request" \
	-H "Content-Encoding: gzip" --data-binary "@$T/req.gz" \
	"$ENDPOINT/v1/repos/MyDemoRepo/git-upload-pack" -o "$T/resp"
head -c 8 "$T/resp" | grep -q "0008NAK" && grep -q "PACK" "$T/resp" &&
	pass "a gzip request body is inflated for git" || fail "a gzip request body is inflated for git"

# --- bad input ---------------------------------------------------------------------------
AUTH=(-u "Saurabh-at-$ACCOUNT:$SAURABH_PW")
for p in ".." "%2e%2e" "%2E%2E" "a%2Fb" "..%2F..%2Fetc" "a%00b" "MyDemoRepo.git" "x%20y"; do
	code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "${AUTH[@]}" \
		"$ENDPOINT/v1/repos/$p/info/refs?service=git-upload-pack")
	expect_eq "repository name '$p' is refused with 404" "$code" 404
done
code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" \
	"$ENDPOINT/v1/repos/MyDemoRepo/info/refs")
expect_eq "the dumb protocol is refused" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" \
	"$ENDPOINT/v1/repos/MyDemoRepo/objects/info/packs")
expect_eq "dumb paths are 404" "$code" 404
SONALI_PW=$($PY -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1].split(":")[2].split("@")[0]))' "$GITURL_Sonali")
SAUTH=(-u "Sonali-at-$ACCOUNT:$SONALI_PW")
rp() { # rp BODYFILE: POST to git-receive-pack as Sonali; status code in $code, body in $T/resp
	code=$(curl -s -o "$T/resp" -w '%{http_code}' "${SAUTH[@]}" \
		-H "Content-Type: application/x-git-receive-pack-request" --data-binary "@$1" \
		"$ENDPOINT/v1/repos/MyDemoRepo/git-receive-pack")
}
printf 'zzzz' >"$T/bad1"
rp "$T/bad1"
expect_eq "a malformed pkt-line is refused with 400" "$code" 400
Z=0000000000000000000000000000000000000000
printf '0067%s %s refs/heads/main\0report-status' "$Z" "$head" >"$T/bad2"
rp "$T/bad2"
expect_eq "a truncated command list is refused" "$code" 400
line="$Z $head refs/heads/a..b"
printf '%04x%s0000' $((${#line} + 4)) "$line" >"$T/bad3"
rp "$T/bad3"
expect_eq "an invalid ref name is refused" "$code" 400
grep -q "not a valid ref name" "$T/resp" && pass "... saying why" || fail "... saying why"
line="$Z $head refs/heads/trunc"
printf '%04x%s\0report-status0000PACK\0\0\0\2\0\0\0\3garbage' $((${#line} + 4 + 14)) "$line" >"$T/bad4"
rp "$T/bad4"
git ls-remote "$GITURL_Saurabh/MyDemoRepo" >"$T/refs"
grep -q "refs/heads/trunc" "$T/refs" && fail "a truncated pack creates no ref" ||
	pass "a truncated pack creates no ref"
REPO_ID=$(aws_as admin codecommit get-repository --repository-name MyDemoRepo && out_get repositoryMetadata.repositoryId)
if git --git-dir "$T/data/repos/$ACCOUNT/$REPO_ID.git" fsck --no-progress >"$T/fsck" 2>&1; then
	pass "the repository is valid after the bad pushes (git fsck)"
else
	sed 's/^/#   /' "$T/fsck" | head
	fail "the repository is valid after the bad pushes (git fsck)"
fi
ls "$T/data/tmp" | grep -q push- && fail "no decision files are left behind" ||
	pass "no decision files are left behind"

# --- two pushes to one branch at once -----------------------------------------------------
gitok "clone A" clone -q "$GITURL_Sonali/MyDemoRepo" "$T/ca"
gitok "clone B" clone -q "$GITURL_Sonali/MyDemoRepo" "$T/cb"
for c in ca cb; do
	echo "$c" >"$T/$c/race.txt"
	git -C "$T/$c" add race.txt && git -C "$T/$c" commit -qm "race $c"
done
git -C "$T/ca" push origin main >"$T/pa" 2>&1 &
pa=$!
git -C "$T/cb" push origin main >"$T/pb" 2>&1
rb=$?
wait $pa
ra=$?
expect_eq "of two concurrent pushes exactly one wins" "$((ra + rb > 0 && (ra == 0 || rb == 0)))" 1
cat "$T/pa" "$T/pb" | grep -qE "fetch first|non-fast-forward|failed to update ref|cannot lock" &&
	pass "the loser is told to fetch first" || fail "the loser is told to fetch first"
win=$([ $ra -eq 0 ] && echo ca || echo cb)
expect_eq "main is the winner's commit" \
	"$(git ls-remote "$GITURL_Sonali/MyDemoRepo" refs/heads/main | cut -f1)" \
	"$(git -C "$T/$win" rev-parse HEAD)"

# --- many clients at once, and one that gives up mid-push ------------------------------------
pids=()
for i in $(seq 8); do
	git clone -q "$GITURL_Saurabh/MyDemoRepo" "$T/par$i" >"$T/par$i.log" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the server is a background job of this shell too
good=0
for i in $(seq 8); do
	[ "$(git -C "$T/par$i" rev-parse HEAD 2>/dev/null)" = "$(git -C "$T/$win" rev-parse HEAD)" ] &&
		good=$((good + 1))
done
expect_eq "8 concurrent clones all get main" "$good" 8
head -c 20000000 /dev/urandom >"$T/big.bin"
timeout 0.5 curl -s "${SAUTH[@]}" -H "Content-Type: application/x-git-receive-pack-request" \
	--limit-rate 10M --data-binary "@$T/big.bin" \
	"$ENDPOINT/v1/repos/MyDemoRepo/git-receive-pack" >/dev/null 2>&1
sleep 0.5
[ -z "$(ls "$T/data/tmp")" ] && pass "a push abandoned mid-body leaves nothing in tmp/" ||
	fail "a push abandoned mid-body leaves nothing in tmp/"
gitok "... and the server goes on serving" ls-remote "$GITURL_Saurabh/MyDemoRepo"

# --- deleting the repository ---------------------------------------------------------------
ok "delete-repository" admin codecommit delete-repository --repository-name MyDemoRepo
[ -d "$T/data/repos/$ACCOUNT/$REPO_ID.git" ] && fail "the repository's files are gone" ||
	pass "the repository's files are gone"
gitfails "a deleted repository is 404" "not found" ls-remote "$GITURL_Sonali/MyDemoRepo"
finish
