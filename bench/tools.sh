#!/bin/bash
# bench/tools.sh - what git-remote-codecommit adds to a transfer.  One
# commitd, one large repository, interleaved in one run:
#
#   helper      git clone / fetch / push with codecommit://bench@Bench: the
#               helper reads the profile, signs, and becomes git remote-http
#   signed URL  the same with the http:// URL of a second copy of the
#               repository and a password signed once beforehand (no
#               helper at all): the baseline
#
# Clones are full bare clones after a first one (so both sides read a warm
# repository); fetches are no-op fetches, where the helper's start-up shows
# most.  BENCH_REPO: a bare repository (default: a mirror of curl's, when
# present).  RUNS, FAST_RUNS: repetitions (medians reported).
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
FAST_RUNS=${FAST_RUNS:-15}
BENCH_REPO=${BENCH_REPO:-/work/.mirror/curl+curl/repo}
[ -d "$BENCH_REPO" ] || { echo "bench/tools: skipped: set BENCH_REPO to a bare repository"; exit 0; }
make -s git-remote-codecommit git-credential-commitd
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
git config --file "$T/gitconfig" user.name bench
git config --file "$T/gitconfig" user.email bench@example.com

./commitd init --data-dir "$T/data" --json >"$T/init.json"
./commitd serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen off --ready-file "$T/ready" \
	--log-level warn 2>"$T/commitd.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
URL=$(head -n1 "$T/ready")
j() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/init.json" "$1"; }
KEY=$(j AccessKeyId)
SECRET=$(j SecretAccessKey)
ACCOUNT=$(j AccountId)
export AWS_CONFIG_FILE=$T/config AWS_SHARED_CREDENTIALS_FILE=$T/credentials
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION
printf '[bench]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY" "$SECRET" >"$T/credentials"
printf '[profile bench]\nregion = us-east-1\nendpoint_url = %s\n' "$URL" >"$T/config"
# two copies of the repository, so that each side's pushes go to its own
for r in Bench Base; do
	/usr/bin/aws --profile bench --endpoint-url "$URL" codecommit create-repository \
		--repository-name $r >"$T/repo.json"
	RID=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["repositoryMetadata"]["repositoryId"])' "$T/repo.json")
	rm -rf "$T/data/repos/$ACCOUNT/$RID.git"
	git clone -q --bare "$BENCH_REPO" "$T/data/repos/$ACCOUNT/$RID.git"
done

# the baseline: the password signed once, here, by the credential helper
PW=$(printf 'protocol=http\nhost=%s\npath=v1/repos/Base\n\n' "${URL#http://}" |
	./git-credential-commitd --profile bench --ignore-host-check get | sed -n 's/^password=//p')
SIGNED="http://$KEY:$PW@${URL#http://}/v1/repos/Base"
export PATH=$PWD:$PATH # git finds ./git-remote-codecommit

BENCH_NAME=bench/tools
. bench/gitlib.sh
git clone -q --bare codecommit://bench@Bench "$T/warm" # the first clone warms both
rm -rf "$T/warm"
git_workload codecommit://bench@Bench "$SIGNED"
echo "bench tools: $BENCH_REPO, $RUNS clones and $FAST_RUNS fetches and pushes each, interleaved"
for w in clone fetch push; do
	c=$(median <"$T/$w.cc")
	n=$(median <"$T/$w.base")
	printf '  %-6s helper %8.1f ms   signed URL %8.1f ms   ratio %.3f   difference %+.1f ms\n' "$w" \
		"$(echo "$c * 1000" | bc -l)" "$(echo "$n * 1000" | bc -l)" "$(echo "$c / $n" | bc -l)" \
		"$(echo "($c - $n) * 1000" | bc -l)"
done
