#!/bin/bash
# bench/auth.sh - what authentication and authorization cost.  One server,
# one run: wrk drives GET /health (no auth: the baseline), then a
# SigV4-signed IAM GetUser (authenticate, authorize, read the store, write
# XML), then STS GetCallerIdentity (authenticate, no policy, trivial answer).
# Reports requests per second and the ratio to /health.
set -eu
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
. bench/wrklib.sh
wrk_server
KEY=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$T/init.json")
SECRET=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$T/init.json")
wrk_sign getuser iam "Action=GetUser&Version=2010-05-08&UserName=admin" "$KEY" "$SECRET"
wrk_sign whoami sts "Action=GetCallerIdentity&Version=2011-06-15" "$KEY" "$SECRET"
run() { wrk_run "$@"; }

run health "$URL/health"
H_RPS=$RPS H_CPU=$CPU H_REQS=$REQS
a0=$(metric commitd_authn_seconds_total) z0=$(metric commitd_authz_seconds_total) n0=$(metric commitd_api_requests_total)
run getuser "$URL/" "$T/getuser.lua"
G_RPS=$RPS G_CPU=$CPU G_REQS=$REQS
a1=$(metric commitd_authn_seconds_total) z1=$(metric commitd_authz_seconds_total) n1=$(metric commitd_api_requests_total)
run whoami "$URL/" "$T/whoami.lua"
W_RPS=$RPS
echo "bench auth: $CONNS connections, $DUR s per run, $(nproc) cores shared with wrk"
awk -v hr="$H_RPS" -v hc="$H_CPU" -v hn="$H_REQS" -v gr="$G_RPS" -v gc="$G_CPU" -v gn="$G_REQS" \
    -v wr="$W_RPS" -v a0="$a0" -v a1="$a1" -v z0="$z0" -v z1="$z1" -v n0="$n0" -v n1="$n1" 'BEGIN {
	n = n1 - n0
	hcpu = hc / hn; gcpu = gc / gn
	authn = (a1 - a0) * 1e6 / n; authz = (z1 - z0) * 1e6 / n
	printf "  GET /health (baseline)         %8.0f req/s  server CPU %6.1f us/req\n", hr, hcpu
	printf "  iam GetUser (SigV4 + policy)   %8.0f req/s  server CPU %6.1f us/req  (%.2f x /health rate)\n", gr, gcpu, gr / hr
	printf "  sts GetCallerIdentity (SigV4)  %8.0f req/s                           (%.2f x /health rate)\n", wr, wr / hr
	printf "  in GetUser: authentication %.1f us + authorization %.1f us per request\n", authn, authz
	c = authn + authz
	printf "  auth cost: %.1f us = %.0f%% of a /health request; adding it to /health would cut its rate by %.0f%% (target: under 20%%)\n", c, 100 * c / hcpu, 100 * c / (hcpu + c)
}'
