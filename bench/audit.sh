#!/bin/bash
# bench/audit.sh - what the audit trail costs.  Two servers, one run, the
# same machine and the same requests: one with --audit on (every call is a
# CloudTrail record queued and written in batches to DIR/audit.db), one with
# --audit off.  wrk drives a SigV4-signed iam GetUser at each; reads and
# writes are recorded alike, so it measures the trail's cost per call.
# Reports requests per second of each and the ratio (target: at least 0.90).
set -eu
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
. bench/wrklib.sh

start() { # start NAME FLAGS...: a server; its URL, key and a signed GetUser script
	local name=$1
	shift
	wrk_server "$@"
	eval "${name}_T=\$T ${name}_PID=\$PID ${name}_URL=\$URL"
	local key secret
	key=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$T/init.json")
	secret=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$T/init.json")
	wrk_sign getuser iam "Action=GetUser&Version=2010-05-08&UserName=admin" "$key" "$secret"
}
start on
trap '' EXIT
start off --audit off
trap 'kill $on_PID $off_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$on_T" "$off_T"' EXIT

# interleaved, twice each, so drift on a shared machine hits both
for round in 1 2; do
	T=$on_T PID=$on_PID wrk_run on "$on_URL/" "$on_T/getuser.lua"
	eval "ON_$round=\$RPS"
	T=$off_T PID=$off_PID wrk_run off "$off_URL/" "$off_T/getuser.lua"
	eval "OFF_$round=\$RPS"
done
EVENTS=$(sqlite3 "$on_T/data/audit.db" "SELECT count(*) FROM events" 2>/dev/null || echo "?")
echo "bench audit: $CONNS connections, $DUR s per run, 2 rounds interleaved, $(nproc) cores shared with wrk"
awk -v a1="$ON_1" -v a2="$ON_2" -v b1="$OFF_1" -v b2="$OFF_2" -v ev="$EVENTS" 'BEGIN {
	on = (a1 + a2) / 2; off = (b1 + b2) / 2
	printf "  iam GetUser, audit off (baseline)  %8.0f req/s\n", off
	printf "  iam GetUser, audit on              %8.0f req/s  (%.3f x; target at least 0.90)\n", on, on / off
	printf "  events written by the audited server so far: %s\n", ev
}'
