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
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT

./commitd init --data-dir "$T/data" --json >"$T/init.json"
./commitd serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen off --ready-file "$T/ready" \
	--log-level warn 2>"$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
URL=$(head -n1 "$T/ready")

# Sign one request per operation now; a SigV4 signature stays valid for 15
# minutes, so wrk can replay it (the server does all the work each time).
/usr/bin/python3 - "$URL" "$T" <<'PYEOF'
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, t = sys.argv[1], sys.argv[2]
init = json.load(open(t + "/init.json"))
creds = Credentials(init["AccessKeyId"], init["SecretAccessKey"])
for name, svc, body in (("getuser", "iam", "Action=GetUser&Version=2010-05-08&UserName=admin"),
                        ("whoami", "sts", "Action=GetCallerIdentity&Version=2011-06-15")):
    req = AWSRequest(method="POST", url=url + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(creds, svc, "us-east-1").add_auth(req)
    with open("%s/%s.lua" % (t, name), "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = %s\n' % json.dumps(body))
        for k, v in req.headers.items():
            f.write('wrk.headers[%s] = %s\n' % (json.dumps(k), json.dumps(v)))
PYEOF

curl -sf -o /dev/null "$URL/health"

# server CPU time in microseconds (utime + stime from /proc)
cpu_us() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1e6 / hz }' "/proc/$PID/stat"
}
metric() { curl -s "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# run NAME URL [SCRIPT]: sets RPS, REQS (wrk's count) and CPU (server us)
run() {
	local out c0
	c0=$(cpu_us)
	if [ -n "${3:-}" ]; then
		out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" -s "$3" "$2" 2>&1)
	else
		out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" "$2" 2>&1)
	fi
	if echo "$out" | grep -q "Non-2xx"; then
		echo "bench: $1 answered errors:" >&2
		echo "$out" >&2
		exit 1
	fi
	CPU=$(awk -v a="$c0" -v b="$(cpu_us)" 'BEGIN { print b - a }')
	RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	REQS=$(echo "$out" | awk '/requests in/ {print $1}')
}

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
