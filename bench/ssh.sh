#!/bin/bash
# bench/ssh.sh - Git over SSH through commitd against OpenSSH's sshd running
# git-upload-pack / git-receive-pack directly, one repository, one run,
# interleaved:
#
#   clone   a full bare clone (every branch and tag)
#   fetch   a no-op fetch of an up-to-date clone
#   push    a one-commit push
#
# commitd checks the key against IAM (the key id is the SSH user), authorizes
# GitPull / GitPush per ref and runs git's programs; sshd checks the key
# against an authorized_keys file and runs git's programs with no
# authorization at all.  The same client (OpenSSH), the same key type
# (ed25519), each side's default cipher.
#
# BENCH_REPO: a bare repository with tens of thousands of commits (default:
# a mirror of curl's, when present).  RUNS: repetitions (median reported).
# Needs sshd (`apt-get install openssh-server`).
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
FAST_RUNS=${FAST_RUNS:-15}
BENCH_REPO=${BENCH_REPO:-/work/.mirror/curl+curl/repo}
SSHD=${SSHD:-/usr/sbin/sshd}
[ -d "$BENCH_REPO" ] || { echo "bench/ssh: skipped: set BENCH_REPO to a bare repository"; exit 0; }
[ -x "$SSHD" ] || { echo "bench/ssh: skipped: needs sshd (apt-get install openssh-server)"; exit 0; }
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
unset SSH_AUTH_SOCK
git config --file "$T/gitconfig" user.name bench
git config --file "$T/gitconfig" user.email bench@example.com
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { /usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1" "$2"; }
ssh-keygen -q -t ed25519 -N "" -f "$T/id"

# ---- commitd --------------------------------------------------------------------
${COMMITD_BIN:-./commitd} init --data-dir "$T/data" --json >"$T/init.json"
${COMMITD_BIN:-./commitd} serve --data-dir "$T/data" --listen 127.0.0.1:0 \
	--ssh-listen 127.0.0.1:0 --ready-file "$T/ready" --log-level warn 2>"$T/commitd.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/ready" ] && [ "$(wc -l <"$T/ready")" -ge 2 ] && break; sleep 0.1; done
URL=$(head -n1 "$T/ready")
CPORT=$(sed -n '2s/.*://p' "$T/ready")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1
AWS_ACCESS_KEY_ID=$(jget "$T/init.json" AccessKeyId)
AWS_SECRET_ACCESS_KEY=$(jget "$T/init.json" SecretAccessKey)
ACCOUNT=$(jget "$T/init.json" AccountId)
/usr/bin/aws --endpoint-url "$URL" codecommit create-repository --repository-name Bench >"$T/repo.json"
RID=$(jget "$T/repo.json" repositoryMetadata.repositoryId)
/usr/bin/aws --endpoint-url "$URL" iam upload-ssh-public-key --user-name admin \
	--ssh-public-key-body "file://$T/id.pub" >"$T/key.json"
KID=$(jget "$T/key.json" SSHPublicKey.SSHPublicKeyId)
rm -rf "$T/data/repos/$ACCOUNT/$RID.git"
git clone -q --bare "$BENCH_REPO" "$T/data/repos/$ACCOUNT/$RID.git"

# ---- sshd -----------------------------------------------------------------------------
SPORT=$(free_port)
mkdir -p "$T/sshd"
ssh-keygen -q -t ed25519 -N "" -f "$T/sshd/host_ed25519_key"
cp "$T/id.pub" "$T/sshd/authorized_keys"
git clone -q --bare "$BENCH_REPO" "$T/sshd/bench.git"
cat >"$T/sshd/sshd_config" <<EOF
ListenAddress 127.0.0.1:$SPORT
HostKey $T/sshd/host_ed25519_key
AuthorizedKeysFile $T/sshd/authorized_keys
PidFile $T/sshd/pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
EOF
# sshd insists on its privilege separation directory
[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null || sudo mkdir -p /run/sshd
"$SSHD" -D -e -f "$T/sshd/sshd_config" 2>"$T/sshd/log" &
PIDS+=($!)
sleep 0.5
USER_NAME=$(id -un)
SSHOPTS="-i $T/id -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR"
export GIT_SSH_COMMAND="ssh $SSHOPTS ${SSH_EXTRA:-}"
CC_URL="ssh://$KID@127.0.0.1:$CPORT/v1/repos/Bench"
SD_URL="ssh://$USER_NAME@127.0.0.1:$SPORT$T/sshd/bench.git"

# ---- measurements -------------------------------------------------------------------
BENCH_NAME=bench/ssh
. bench/gitlib.sh
git_workload "$CC_URL" "$SD_URL"
echo "bench/ssh: $(git -C "$BENCH_REPO" rev-list --count HEAD) commits on HEAD," \
	"$(du -sh "$T/sshd/bench.git" | cut -f1) on disk; medians of $RUNS clones and $FAST_RUNS fetches/pushes"
git_report clone "sshd+git"
git_report fetch "sshd+git"
git_report push "sshd+git"
