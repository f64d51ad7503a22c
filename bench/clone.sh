#!/bin/bash
# bench/clone.sh - Git over HTTP through commitd against git's own
# http-backend behind nginx, one repository, one run, interleaved:
#
#   clone   a full bare clone (every branch and tag)
#   fetch   a no-op fetch of an up-to-date clone
#   push    a one-commit push
#
# commitd authenticates each request with a SigV4 password (as the AWS CLI's
# credential helper makes; computed once, valid 15 minutes, so the helper's
# own start-up time is not measured) and authorizes GitPull / GitPush per
# ref; nginx + fcgiwrap + git http-backend does no authentication at all.
#
# BENCH_REPO: a bare repository with tens of thousands of commits (default:
# a mirror of curl's, when present).  RUNS: repetitions (median reported).
# Needs nginx and fcgiwrap (`apt-get install nginx-light fcgiwrap`).
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
FAST_RUNS=${FAST_RUNS:-15}
BENCH_REPO=${BENCH_REPO:-/work/.mirror/curl+curl/repo}
# missing prerequisites skip the benchmark (make bench runs them all) and say why
[ -d "$BENCH_REPO" ] || { echo "bench/clone: skipped: set BENCH_REPO to a bare repository"; exit 0; }
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && command -v fcgiwrap >/dev/null ||
	[ -x /usr/sbin/fcgiwrap ] ||
	{ echo "bench/clone: skipped: needs nginx and fcgiwrap (apt-get install nginx-light fcgiwrap)"; exit 0; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
git config --file "$T/gitconfig" user.name bench
git config --file "$T/gitconfig" user.email bench@example.com

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- commitd --------------------------------------------------------------------
${COMMITD_BIN:-./commitd} init --data-dir "$T/data" --json >"$T/init.json"
${COMMITD_BIN:-./commitd} serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen off --ready-file "$T/ready" \
	--log-level warn 2>"$T/commitd.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
URL=$(head -n1 "$T/ready")
KEY=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$T/init.json")
SECRET=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$T/init.json")
ACCOUNT=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccountId"])' "$T/init.json")
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1 \
	/usr/bin/aws --endpoint-url "$URL" codecommit create-repository --repository-name Bench >"$T/repo.json"
RID=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["repositoryMetadata"]["repositoryId"])' "$T/repo.json")
# the same repository on both sides: a local bare clone (hard links, heads and tags)
rm -rf "$T/data/repos/$ACCOUNT/$RID.git"
git clone -q --bare "$BENCH_REPO" "$T/data/repos/$ACCOUNT/$RID.git"
mkdir -p "$T/www"
git clone -q --bare "$BENCH_REPO" "$T/www/bench.git"
git -C "$T/www/bench.git" config http.receivepack true
PW=$(/usr/bin/python3 - "$URL" "$SECRET" <<'PYEOF'
import datetime, hashlib, hmac, sys, urllib.parse
url, secret = sys.argv[1], sys.argv[2]
host = urllib.parse.urlsplit(url).hostname
now = datetime.datetime.utcnow()
stamp, day = now.strftime("%Y%m%dT%H%M%S"), now.strftime("%Y%m%d")
canon = "GIT\n/v1/repos/Bench\n\nhost:%s\n\nhost\n" % host
scope = "%s/us-east-1/codecommit/aws4_request" % day
sts = "AWS4-HMAC-SHA256\n%s\n%s\n%s" % (stamp, scope, hashlib.sha256(canon.encode()).hexdigest())
k = ("AWS4" + secret).encode()
for part in (day, "us-east-1", "codecommit", "aws4_request"):
    k = hmac.new(k, part.encode(), hashlib.sha256).digest()
print(stamp + "Z" + hmac.new(k, sts.encode(), hashlib.sha256).hexdigest())
PYEOF
)
CC_URL="http://$KEY:$PW@${URL#http://}/v1/repos/Bench"

# ---- nginx + fcgiwrap + git http-backend -------------------------------------------
NPORT=$(free_port)
"$(command -v fcgiwrap || echo /usr/sbin/fcgiwrap)" -c 4 -s "unix:$T/fcgi.sock" &
PIDS+=($!)
mkdir -p "$T/nginx"
# as root, nginx's workers would drop to nobody and miss the private temp dir
NGUSER=""
[ "$(id -u)" -eq 0 ] && NGUSER="user root;"
cat >"$T/nginx/nginx.conf" <<EOF
$NGUSER
daemon off;
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	client_max_body_size 0;
	fastcgi_temp_path $T/nginx/fcgi;
	proxy_temp_path $T/nginx/proxy;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	server {
		listen 127.0.0.1:$NPORT;
		location ~ ^/git(/.*)\$ {
			fastcgi_pass unix:$T/fcgi.sock;
			fastcgi_buffering off;
			fastcgi_request_buffering off;
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
			fastcgi_param GIT_PROJECT_ROOT $T/www;
			fastcgi_param GIT_HTTP_EXPORT_ALL "";
			fastcgi_param PATH_INFO \$1;
			fastcgi_param REMOTE_USER bench;
		}
	}
}
EOF
"$NGINX" -c "$T/nginx/nginx.conf" -p "$T/nginx" 2>"$T/nginx/stderr" &
PIDS+=($!)
sleep 0.5
NG_URL="http://127.0.0.1:$NPORT/git/bench.git"

# ---- measurements -------------------------------------------------------------------
BENCH_NAME=bench/clone
. bench/gitlib.sh
git_workload "$CC_URL" "$NG_URL"
echo "bench/clone: $(git -C "$BENCH_REPO" rev-list --count HEAD) commits on HEAD," \
	"$(du -sh "$T/www/bench.git" | cut -f1) on disk; medians of $RUNS clones and $FAST_RUNS fetches/pushes"
git_report clone "nginx+http-backend"
git_report fetch "nginx+http-backend"
git_report push "nginx+http-backend"
