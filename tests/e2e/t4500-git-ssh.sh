#!/bin/bash
# Git over SSH, as the CodeCommit guide sets it up: a key pair made with
# ssh-keygen, the public key uploaded with `aws iam upload-ssh-public-key`,
# the key id as the SSH user in ~/.ssh/config, and plain OpenSSH and git.
# The same IAM decisions as over HTTP; everything but Git refused.
. "$(dirname "$0")/lib.sh"
start_server

git_setup
unset SSH_AUTH_SOCK
touch "$T/known_hosts"

# newuser NAME [POLICY] [KEYTYPE]: an IAM user with an SSH key uploaded to
# IAM; $T/ssh_NAME is the ~/.ssh/config block the guide has the user write
newuser() {
	local name=$1 policy=${2:-} type=${3:-ed25519}
	aws_as admin iam create-user --user-name "$name" || fail "create-user $name"
	[ -n "$policy" ] && { aws_as admin iam attach-user-policy --user-name "$name" \
		--policy-arn "arn:aws:iam::aws:policy/$policy" || fail "attach $policy to $name"; }
	if [ "$type" = rsa ]; then
		ssh-keygen -q -t rsa -b 3072 -N "" -C "$name" -f "$T/key_$name"
	else
		ssh-keygen -q -t ed25519 -N "" -C "$name" -f "$T/key_$name"
	fi
	aws_as admin iam upload-ssh-public-key --user-name "$name" \
		--ssh-public-key-body "file://$T/key_$name.pub" || fail "upload-ssh-public-key $name"
	eval "KEY_$name=$(out_get SSHPublicKey.SSHPublicKeyId)"
	sshconf "$name" "$(out_get SSHPublicKey.SSHPublicKeyId)" "$T/key_$name"
}
# sshconf NAME USER IDENTITYFILE: the config block, for this server
sshconf() {
	cat >"$T/ssh_$1" <<EOF
Host 127.0.0.1
  User $2
  IdentityFile $3
  Port $SSH_PORT
  IdentitiesOnly yes
  BatchMode yes
  UserKnownHostsFile $T/known_hosts
  StrictHostKeyChecking accept-new
EOF
}
# as NAME git-args...: git over SSH with NAME's config (gitok/gitfails use it)
as() { export GIT_SSH_COMMAND="ssh -F $T/ssh_$1"; }
# sshrun NAME args...: plain ssh with NAME's config; output in $T/sout
sshrun() {
	local n=$1
	shift
	timeout 30 ssh -F "$T/ssh_$n" "$@" >"$T/sout" 2>&1 </dev/null
}

ok "create-repository MyDemoRepo" admin codecommit create-repository \
	--repository-name MyDemoRepo --repository-description "My demonstration repository"
SSH_URL=$(out_get repositoryMetadata.cloneUrlSsh)
expect_eq "cloneUrlSsh names the SSH listener" "$SSH_URL" \
	"ssh://127.0.0.1:$SSH_PORT/v1/repos/MyDemoRepo"
newuser Sonali AWSCodeCommitPowerUser rsa
newuser Saurabh AWSCodeCommitReadOnly
newuser Nobody
case "$KEY_Sonali" in
APKA*) pass "the key id is an APKA... id" ;;
*) fail "the key id is an APKA... id ($KEY_Sonali)" ;;
esac

# --- clone, push, clone again --------------------------------------------------
as Sonali
gitok "Sonali clones the empty repository over SSH (RSA key)" clone "$SSH_URL" "$T/s1"
grep -q "empty repository" "$T/gout" && pass "git says the repository is empty" ||
	fail "git says the repository is empty"
grep -q "$SSH_PORT" "$T/known_hosts" && pass "the host key was recorded" ||
	fail "the host key was recorded"
echo "Hello over SSH" >"$T/s1/README.md"
git -C "$T/s1" add README.md && git -C "$T/s1" commit -qm "Added README"
gitok "Sonali pushes main over SSH" -C "$T/s1" push origin HEAD:main
grep -q "\[new branch\]" "$T/gout" && pass "git reports the new branch" ||
	fail "git reports the new branch"
gitok "Sonali clones again" clone "$SSH_URL" "$T/s2"
expect_eq "the second clone has the file" "$(cat "$T/s2/README.md" 2>/dev/null)" "Hello over SSH"
ok "get-repository" admin codecommit get-repository --repository-name MyDemoRepo
expect_eq "the first branch pushed over SSH is the default branch" \
	"$(out_get repositoryMetadata.defaultBranch)" main
expect_eq "GetBranch sees the SSH push" "$(aws_as admin codecommit get-branch \
	--repository-name MyDemoRepo --branch-name main && out_get branch.commitId)" \
	"$(git -C "$T/s1" rev-parse HEAD)"
gitok "the scp-like form (host:v1/repos/NAME) clones too" clone \
	"$KEY_Sonali@127.0.0.1:v1/repos/MyDemoRepo" "$T/s3"

# protocol v2 (git sends GIT_PROTOCOL with SendEnv) and v0
GIT_TRACE_PACKET=1 git -c protocol.version=2 ls-remote "$SSH_URL" >"$T/gout" 2>&1
grep -q "< version 2" "$T/gout" && pass "protocol v2 over SSH" || fail "protocol v2 over SSH"
grep -q "refs/heads/main" "$T/gout" && pass "v2 ls-remote lists main" || fail "v2 ls-remote lists main"
gitok "protocol v0 clone" -c protocol.version=0 clone "$SSH_URL" "$T/v0"
gitok "a shallow clone (--depth 1)" clone --depth 1 "$SSH_URL" "$T/shallow"

# --- who may do what: the same IAM decisions as over HTTP -------------------------
as Saurabh
gitok "Saurabh (read-only, ed25519 key) clones" clone "$SSH_URL" "$T/r1"
echo "read-only" >"$T/r1/ro.txt"
git -C "$T/r1" add ro.txt && git -C "$T/r1" commit -qm "read-only commit"
gitfails "Saurabh cannot push" "not authorized to perform: codecommit:GitPush" \
	-C "$T/r1" push origin main
as Nobody
gitfails "a user with no policy cannot clone" "not authorized to perform: codecommit:GitPull" \
	clone "$SSH_URL" "$T/n1"
as Sonali
gitfails "a missing repository is refused" "repository 'NoSuchRepo' does not exist" \
	clone "ssh://127.0.0.1:$SSH_PORT/v1/repos/NoSuchRepo" "$T/m1"
gitfails "a path outside /v1/repos is refused" "not a repository path" \
	clone "ssh://127.0.0.1:$SSH_PORT/etc/passwd" "$T/m2"
gitfails "a path with .. is refused" "not a repository path" \
	clone "ssh://127.0.0.1:$SSH_PORT/v1/repos/../MyDemoRepo" "$T/m3"

# branch protection, the CodeCommit guide's policy
cat >"$T/protect.json" <<EOF
{"Version": "2012-10-17", "Statement": [{
  "Effect": "Deny",
  "Action": ["codecommit:GitPush", "codecommit:DeleteBranch", "codecommit:PutFile"],
  "Resource": "arn:aws:codecommit:us-east-1:$ACCOUNT:MyDemoRepo",
  "Condition": {"StringEqualsIfExists": {"codecommit:References": ["refs/heads/main"]},
                "Null": {"codecommit:References": "false"}}}]}
EOF
ok "protect main for Sonali" admin iam put-user-policy --user-name Sonali \
	--policy-name DenyChangesToMain --policy-document "file://$T/protect.json"
before=$(git ls-remote "$SSH_URL" refs/heads/main | cut -f1)
echo "to main" >"$T/s2/main.txt"
git -C "$T/s2" add main.txt && git -C "$T/s2" commit -qm "to main"
gitfails "a push to main is refused over SSH" "[remote rejected] main -> main" \
	-C "$T/s2" push origin main
grep -q "refs/heads/main" "$T/gout" && grep -q "explicit deny" "$T/gout" &&
	pass "git shows which ref was refused and why" || fail "git shows which ref was refused and why"
expect_eq "main did not move" "$(git ls-remote "$SSH_URL" refs/heads/main | cut -f1)" "$before"
gitfails "one push, two refs: main refused" "[remote rejected] HEAD -> main" -C "$T/s2" \
	push origin HEAD:refs/heads/feature HEAD:main
git ls-remote "$SSH_URL" >"$T/refs"
grep -q "refs/heads/feature" "$T/refs" && pass "... and feature accepted in the same push" ||
	fail "... and feature accepted in the same push"
gitfails "deleting main is refused" "[remote rejected] main" -C "$T/s2" push origin :main
gitok "deleting feature is accepted" -C "$T/s2" push origin :feature
ok "remove the protection" admin iam delete-user-policy --user-name Sonali \
	--policy-name DenyChangesToMain
gitok "with the protection gone, main moves" -C "$T/s2" push origin main

# repository resource policies count over SSH as over HTTP
"$TOP/scripts/cli-model.py" codecommit "$T/models" || fail "cli-model.py writes the model"
export AWS_DATA_PATH=$T/models
ok "grant Nobody ReadWrite on MyDemoRepo (resource policy)" admin codecommit \
	put-repository-policy --repository-name MyDemoRepo \
	--grants "principal=arn:aws:iam::$ACCOUNT:user/Nobody,access=ReadWrite"
as Nobody
gitok "the repository's policy lets Nobody clone over SSH" clone "$SSH_URL" "$T/n2"
echo "granted" >"$T/n2/granted.txt"
git -C "$T/n2" add granted.txt && git -C "$T/n2" commit -qm "granted"
gitok "... and push" -C "$T/n2" push origin HEAD:refs/heads/granted
cat >"$T/rdeny.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
  "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:user/Nobody"},
  "Action": "codecommit:GitPush", "Resource": "*",
  "Condition": {"StringEquals": {"codecommit:References": "refs/heads/main"}}}]}
EOF
ok "a resource policy denies Nobody pushes to main" admin codecommit put-repository-policy \
	--repository-name MyDemoRepo --policy-document "file://$T/rdeny.json" \
	--grants "principal=arn:aws:iam::$ACCOUNT:user/Nobody,access=ReadWrite"
gitfails "the resource policy's deny holds for main over SSH" "resource-based policy" \
	-C "$T/n2" push origin HEAD:main
gitok "... not for another branch" -C "$T/n2" push origin HEAD:refs/heads/granted2
ok "remove the repository policy" admin codecommit delete-repository-policy \
	--repository-name MyDemoRepo
gitfails "without it Nobody is refused again" "not authorized to perform: codecommit:GitPull" \
	ls-remote "$SSH_URL"
as Sonali

# --- only Git: shells, other commands, forwarding, sftp ------------------------------
sshrun Sonali 127.0.0.1
rc=$?
expect_eq "a shell exits 128" "$rc" 128
grep -q "there is no shell here" "$T/sout" && pass "... saying there is no shell" ||
	fail "... saying there is no shell"
grep -q "user/Sonali" "$T/sout" && pass "... and who the key belongs to" ||
	fail "... and who the key belongs to"
sshrun Sonali 127.0.0.1 "cat /etc/passwd"
expect_eq "another command exits 128" "$?" 128
grep -q "only git-upload-pack and git-receive-pack" "$T/sout" && ! grep -q "root:" "$T/sout" &&
	pass "... saying only Git is served" || fail "... saying only Git is served"
sshrun Sonali 127.0.0.1 "git-upload-pack '/v1/repos/MyDemoRepo'; id"
grep -q "not a repository path" "$T/sout" && ! grep -q "uid=" "$T/sout" &&
	pass "a command with a shell trick is refused" || fail "a command with a shell trick is refused"
sshrun Sonali 127.0.0.1 "git-upload-archive '/v1/repos/MyDemoRepo'"
grep -q "only git-upload-pack and git-receive-pack" "$T/sout" &&
	pass "git-upload-archive is refused" || fail "git-upload-archive is refused"
sshrun Sonali -t 127.0.0.1
grep -q "there is no shell here" "$T/sout" && pass "a pty request gets the same answer" ||
	fail "a pty request gets the same answer"
sshrun Sonali -W "127.0.0.1:${ENDPOINT##*:}" 127.0.0.1
grep -q "administratively prohibited" "$T/sout" && pass "port forwarding is refused" ||
	fail "port forwarding is refused"
sshrun Sonali -s 127.0.0.1 sftp
grep -q "subsystem request failed" "$T/sout" && pass "the sftp subsystem is refused" ||
	fail "the sftp subsystem is refused"

# --- authentication ------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N "" -f "$T/stranger"
sshconf Wrongkey "$KEY_Sonali" "$T/stranger"
sshrun Wrongkey 127.0.0.1 "git-upload-pack '/v1/repos/MyDemoRepo'"
expect_eq "another key under Sonali's key id is refused" "$?" 255
grep -q "Permission denied (publickey)" "$T/sout" && pass "... Permission denied (publickey)" ||
	fail "... Permission denied (publickey)"
sshconf Unknown APKAAAAAAAAAAAAAAAAA "$T/key_Sonali"
sshrun Unknown 127.0.0.1 "git-upload-pack '/v1/repos/MyDemoRepo'"
cp "$T/sout" "$T/sout_unknown"
sshconf Crossed "$KEY_Saurabh" "$T/key_Sonali"
sshrun Crossed 127.0.0.1 "git-upload-pack '/v1/repos/MyDemoRepo'"
grep -q "Permission denied (publickey)" "$T/sout" &&
	pass "Sonali's key under Saurabh's key id is refused" ||
	fail "Sonali's key under Saurabh's key id is refused"
expect_eq "an unknown key id and a wrong key look the same" \
	"$(sed "s/$KEY_Saurabh/ID/" "$T/sout")" "$(sed "s/APKAAAAAAAAAAAAAAAAA/ID/" "$T/sout_unknown")"
timeout 30 ssh -F "$T/ssh_Sonali" -o PreferredAuthentications=password,keyboard-interactive \
	127.0.0.1 true >"$T/sout" 2>&1 </dev/null
grep -q "Permission denied (publickey)" "$T/sout" &&
	pass "password and keyboard-interactive are not offered" ||
	fail "password and keyboard-interactive are not offered"

ok "deactivate Sonali's key" admin iam update-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$KEY_Sonali" --status Inactive
as Sonali
gitfails "an inactive key is refused at once" "Permission denied (publickey)" \
	ls-remote "$SSH_URL"
ok "activate it again" admin iam update-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$KEY_Sonali" --status Active
gitok "an active key works again" ls-remote "$SSH_URL"
newuser Temp AWSCodeCommitReadOnly
as Temp
gitok "Temp's key works" ls-remote "$SSH_URL"
ok "delete Temp's key" admin iam delete-ssh-public-key --user-name Temp \
	--ssh-public-key-id "$KEY_Temp"
gitfails "a deleted key is refused" "Permission denied (publickey)" ls-remote "$SSH_URL"

# --- many clones at once; a push cut off half-way ------------------------------------------
as Sonali
for i in 1 2 3 4 5 6 7 8; do
	git clone -q "$SSH_URL" "$T/c$i" >"$T/c$i.log" 2>&1 &
	eval "pid$i=$!"
done
good=0
for i in 1 2 3 4 5 6 7 8; do
	eval "wait \$pid$i" && [ -f "$T/c$i/main.txt" ] && good=$((good + 1))
done
expect_eq "8 concurrent SSH clones all succeed" "$good" 8

head -c 40000000 /dev/urandom >"$T/s2/big.bin"
git -C "$T/s2" add big.bin && git -C "$T/s2" commit -qm "big"
before=$(git ls-remote "$SSH_URL" refs/heads/main | cut -f1)
git -C "$T/s2" push origin main >"$T/push.log" 2>&1 &
ppid_=$!
sleep 1
pkill -KILL -f "ssh -F $T/ssh_Sonali" 2>/dev/null
wait "$ppid_" 2>/dev/null
sleep 1
REPO_DIR=$(ls -d "$T/data/repos/$ACCOUNT"/*.git | head -n1)
git --git-dir "$REPO_DIR" fsck --no-dangling >/dev/null 2>"$T/fsck" &&
	pass "the repository is valid after a push cut off mid-way" ||
	fail "the repository is valid after a push cut off mid-way: $(head -3 "$T/fsck")"
after=$(git ls-remote "$SSH_URL" refs/heads/main | cut -f1)
if [ "$after" = "$before" ] || [ "$after" = "$(git -C "$T/s2" rev-parse HEAD)" ]; then
	pass "main is either where it was or the whole push"
else
	fail "main is either where it was or the whole push ($after)"
fi
gitok "the next push goes through" -C "$T/s2" push origin main
expect_eq "... and main is the pushed commit" "$(git ls-remote "$SSH_URL" refs/heads/main | cut -f1)" \
	"$(git -C "$T/s2" rev-parse HEAD)"

# --- restart: same host key; time limits --------------------------------------------
PORT_BEFORE=$SSH_PORT
stop_server
serve --ssh-listen "127.0.0.1:$PORT_BEFORE" --ssh-login-timeout 2 --ssh-idle-timeout 3
expect_eq "the restarted server listens on the same SSH port" "$SSH_PORT" "$PORT_BEFORE"
sed -i 's/accept-new/yes/' "$T/ssh_Sonali"
as Sonali
gitok "after a restart the host key is the same (strict checking)" ls-remote "$SSH_URL"
grep -qi "host key.*changed\|IDENTIFICATION HAS CHANGED" "$T/gout" &&
	fail "no host key warning" || pass "no host key warning"

start=$(date +%s)
$PY - "$SSH_PORT" >"$T/idle" 2>&1 <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
data = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print("closed", data[:7].decode(errors="replace"))
except socket.timeout:
    print("still open")
PYEOF
grep -q "closed SSH-2.0" "$T/idle" && pass "a connection that never signs in is closed" ||
	fail "a connection that never signs in is closed ($(cat "$T/idle"))"
expect_eq "... after the login timeout" "$(($(date +%s) - start < 15))" 1

# an authenticated client that stops talking: upload-pack waits for wants
(sleep 25) | timeout 30 ssh -F "$T/ssh_Sonali" 127.0.0.1 \
	"git-upload-pack '/v1/repos/MyDemoRepo'" >"$T/idle.out" 2>"$T/idle.err"
rc=$?
[ "$rc" -ne 124 ] && grep -q "idle too long" "$T/idle.err" &&
	pass "an idle transfer is closed, saying so" || fail "an idle transfer is closed, saying so ($rc)"
grep -q "refs/heads/main" "$T/idle.out" && pass "... after the ref advertisement" ||
	fail "... after the ref advertisement"

# --- the audit trail has the SSH pushes -------------------------------------------------
ok "lookup-events finds the pushes over SSH" admin cloudtrail lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=GitPush
"$PY" - "$T/out" >"$T/pushes" <<'PYEOF'
import json, sys
for e in json.load(open(sys.argv[1]))["Events"]:
    r = json.loads(e["CloudTrailEvent"])
    p = r.get("requestParameters") or {}
    print(p.get("protocol"), r["userIdentity"].get("userName"), r.get("errorCode", "-"))
PYEOF
grep -q "^SSH Sonali -$" "$T/pushes" && pass "... a push by Sonali over SSH" ||
	{ sed 's/^/#   /' "$T/pushes" | head -5; fail "... a push by Sonali over SSH"; }

# --- failed sign-ins are rate-limited per address --------------------------------------
for i in 1 2 3 4 5; do ssh-keygen -q -t ed25519 -N "" -f "$T/bad$i"; done
cat >"$T/ssh_Flood" <<EOF
Host 127.0.0.1
  User $KEY_Sonali
  IdentityFile $T/bad1
  IdentityFile $T/bad2
  IdentityFile $T/bad3
  IdentityFile $T/bad4
  IdentityFile $T/bad5
  IdentityFile $T/key_Sonali
  Port $SSH_PORT
  IdentitiesOnly yes
  BatchMode yes
  UserKnownHostsFile $T/known_hosts
EOF
refused=0
for i in $(seq 1 20); do
	if ! sshrun Flood 127.0.0.1 "git-upload-pack '/v1/repos/MyDemoRepo'"; then
		grep -q "Permission denied" "$T/sout" && { refused=1; break; }
	fi
done
expect_eq "after many wrong keys even the right one is refused for a while" "$refused" 1
grep -q "too many failed sign-ins from 127.0.0.1" "$T/server.log" &&
	pass "the server log says why" || fail "the server log says why"
finish
