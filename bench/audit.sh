#!/bin/bash
# bench/audit.sh - what the audit trail costs.  Two servers, one run, the
# same machine and the same requests: one with --audit on (every call is a
# CloudTrail record queued and written in batches to DIR/audit.db), one with
# --audit off.  wrk drives a SigV4-signed iam GetUser at each; reads and
# writes are recorded alike, so it measures the trail's cost per call.
# Reports requests per second of each, the server's CPU time per request,
# and the ratio of the rates (target: at least 0.90).
set -eu
cd "$(dirname "$0")/.."
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-4}
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

# ROUNDS rounds, each running both servers, the order swapping every round
# (on off, off on, ...), so that drift on a shared machine hits both alike;
# the ratio is of the mean rates, and the spread of the rounds' own ratios
# says how noisy the machine was
: >"$on_T/runs"
for round in $(seq "$ROUNDS"); do
	for side in $([ $((round % 2)) = 1 ] && echo on off || echo off on); do
		eval "T=\$${side}_T PID=\$${side}_PID U=\$${side}_URL"
		wrk_run "$side" "$U/" "$T/getuser.lua"
		echo "$round $side $RPS $CPU $REQS" >>"$on_T/runs"
	done
done
EVENTS=$(sqlite3 "$on_T/data/audit.db" "SELECT max(last_seq) FROM segments" 2>/dev/null || echo "?")
echo "bench audit: $CONNS connections, $ROUNDS rounds of $DUR s per server, order swapped each round, $(nproc) cores shared with wrk"
awk -v ev="$EVENTS" '
	{ rps[$2] += $3; cpu[$2] += $4; n[$2] += $5; r[$1, $2] = $3; rounds = $1 }
	END {
		lo = 1e9; hi = 0
		for (i = 1; i <= rounds; i++) {
			x = r[i, "on"] / r[i, "off"]
			if (x < lo) lo = x
			if (x > hi) hi = x
		}
		printf "  iam GetUser, audit off (baseline)  %8.0f req/s  %5.1f us server CPU per request\n", rps["off"] / rounds, cpu["off"] / n["off"]
		printf "  iam GetUser, audit on              %8.0f req/s  %5.1f us server CPU per request\n", rps["on"] / rounds, cpu["on"] / n["on"]
		printf "  ratio %.3f x (rounds %.3f-%.3f; target at least 0.90)\n", rps["on"] / rps["off"], lo, hi
		printf "  events written by the audited server so far: %s\n", ev
	}' "$on_T/runs"
