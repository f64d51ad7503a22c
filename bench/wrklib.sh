# bench/wrklib.sh - sourced by auth.sh and sts.sh: a commitd server, signed
# requests wrk can replay, and a measured wrk run.
#
#   wrk_server [FLAGS...]      init and start ./commitd (with serve FLAGS); sets T,
#                              PID, URL
#   wrk_sign NAME SVC BODY KEY SECRET [TOKEN]
#                              $T/NAME.lua: one SigV4-signed POST (valid 15 min)
#   wrk_run NAME URL [SCRIPT]  sets RPS, REQS (wrk's count), CPU (server us)
#   metric NAME                a counter from /metrics
#
# Needs DUR, CONNS, THREADS.

wrk_server() {
	T=$(mktemp -d)
	trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
	./commitd init --data-dir "$T/data" --json >"$T/init.json"
	./commitd serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen off \
		--ready-file "$T/ready" --log-level warn "$@" 2>"$T/log" &
	PID=$!
	for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
	URL=$(head -n1 "$T/ready")
	curl -sf -o /dev/null "$URL/health"
}

# A SigV4 signature stays valid for 15 minutes, so wrk can replay the
# request: the server does all the work each time.
wrk_sign() {
	/usr/bin/python3 - "$URL" "$T" "$@" <<'PYEOF'
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, t, name, svc, body, key, secret = sys.argv[1:8]
token = sys.argv[8] if len(sys.argv) > 8 else None
req = AWSRequest(method="POST", url=url + "/", data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(key, secret, token), svc, "us-east-1").add_auth(req)
with open("%s/%s.lua" % (t, name), "w") as f:
    f.write('wrk.method = "POST"\nwrk.body = %s\n' % json.dumps(body))
    for k, v in req.headers.items():
        f.write('wrk.headers[%s] = %s\n' % (json.dumps(k), json.dumps(v)))
PYEOF
}

# server CPU time in microseconds (utime + stime from /proc)
cpu_us() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1e6 / hz }' "/proc/$PID/stat"
}
metric() { curl -s "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

wrk_run() {
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
