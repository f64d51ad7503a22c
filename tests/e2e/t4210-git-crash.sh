#!/bin/bash
# A server killed with kill -9 in the middle of pushes: afterwards every
# repository is valid (git fsck) and every push that git acknowledged is
# there; the restarted server serves and accepts pushes again.
. "$(dirname "$0")/lib.sh"
start_server

git_setup

ok "create-repository Crash" admin codecommit create-repository --repository-name Crash
RID=$(out_get repositoryMetadata.repositoryId)
ok "create-user" admin iam create-user --user-name Pusher
ok "attach" admin iam attach-user-policy --user-name Pusher \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "git credentials" admin iam create-service-specific-credential --user-name Pusher \
	--service-name codecommit.amazonaws.com
U=$(out_get ServiceSpecificCredential.ServiceUserName)
P=$($PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
	"$(out_get ServiceSpecificCredential.ServicePassword)")
url() { echo "http://$U:$P@${ENDPOINT#http://}/v1/repos/Crash"; }

git init -q -b main "$T/w"
git -C "$T/w" remote add origin "$(url)"
# pushes of a few MB each, one after another, until the server dies
pusher() {
	local i=0
	while [ $i -lt 200 ]; do
		i=$((i + 1))
		head -c 3000000 /dev/urandom >"$T/w/blob-$i.bin"
		git -C "$T/w" add "blob-$i.bin" && git -C "$T/w" commit -qm "push $i"
		if git -C "$T/w" push -q origin main 2>/dev/null; then
			git -C "$T/w" rev-parse HEAD >>"$T/acked"
		else
			break
		fi
	done
}
: >"$T/acked"
pusher &
PUSHER=$!
for _ in $(seq 100); do [ "$(wc -l <"$T/acked")" -ge 3 ] && break; sleep 0.1; done
sleep 0.$((RANDOM % 9 + 1))
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
wait "$PUSHER"
N=$(wc -l <"$T/acked")
[ "$N" -ge 3 ] && pass "pushes were acknowledged before the kill ($N)" ||
	fail "pushes were acknowledged before the kill ($N)"
sleep 1 # a receive-pack still running when its server died finishes or fails on its own

REPO=$T/data/repos/$ACCOUNT/$RID.git
if git --git-dir "$REPO" fsck --no-progress >"$T/fsck" 2>&1; then
	pass "git fsck is clean after kill -9"
else
	sed 's/^/#   /' "$T/fsck" | head
	fail "git fsck is clean after kill -9"
fi
main=$(git --git-dir "$REPO" rev-parse refs/heads/main 2>/dev/null)
lost=0
while read -r c; do
	git --git-dir "$REPO" merge-base --is-ancestor "$c" "$main" 2>/dev/null || lost=$((lost + 1))
done <"$T/acked"
expect_eq "every acknowledged push is on main" "$lost" 0
ls "$T/data/repos/$ACCOUNT/$RID.git/refs/heads/" | grep -q '\.lock$' &&
	fail "no ref lock is left behind" || pass "no ref lock is left behind"

serve
git -C "$T/w" remote set-url origin "$(url)"
git -C "$T/w" fetch -q origin 2>/dev/null
git -C "$T/w" reset -q --hard origin/main 2>/dev/null
echo after >"$T/w/after.txt"
git -C "$T/w" add after.txt && git -C "$T/w" commit -qm after
if git -C "$T/w" push -q origin main >"$T/gout" 2>&1; then
	pass "the restarted server accepts a push"
else
	sed 's/^/#   /' "$T/gout" | head -5
	fail "the restarted server accepts a push"
fi
if git clone -q "$(url)" "$T/c" >"$T/gout" 2>&1 && [ -f "$T/c/after.txt" ]; then
	pass "... and serves it"
else
	fail "... and serves it"
fi
ls "$T/data/tmp" | grep -q push- && fail "no decision files survive a restart" ||
	pass "no decision files survive a restart"
finish
