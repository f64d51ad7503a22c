# lib.sh - shared by the end-to-end tests: start a real commitd on a free
# loopback port with a fresh data directory, and drive it with the real
# clients (/usr/bin/aws, boto3 via /usr/bin/python3, git, ssh).
#
# A test sources this file, calls start_server, runs checks with ok /
# fails_with / expect_eq, and ends with finish.  Each check prints one
# "ok - ..." or "not ok - ..." line; tests/run.sh counts them.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COMMITD=${COMMITD:-$TOP/build/san/commitd}
AWS=${AWS:-/usr/bin/aws}
PY=${PY:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/commitd-e2e.XXXXXX")
SERVER_PID=
E2E_PASS=0
E2E_FAIL=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials
export AWS_CONFIG_FILE=$T/aws/config
export AWS_PAGER=""
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
mkdir -p "$T/aws"
: >"$AWS_SHARED_CREDENTIALS_FILE"
: >"$AWS_CONFIG_FILE"

cleanup() {
	stop_server
	rm -rf "$T"
}
trap cleanup EXIT

# start_server [extra serve flags]: init a data dir, start, write profile "admin"
start_server() {
	"$COMMITD" init --data-dir "$T/data" --json >"$T/init.json" 2>"$T/init.err" || {
		echo "not ok - commitd init failed: $(cat "$T/init.err")"
		E2E_FAIL=$((E2E_FAIL + 1))
		finish
	}
	ACCOUNT=$(json_get "$T/init.json" AccountId)
	ADMIN_KEY=$(json_get "$T/init.json" AccessKeyId)
	ADMIN_SECRET=$(json_get "$T/init.json" SecretAccessKey)
	add_profile admin "$ADMIN_KEY" "$ADMIN_SECRET"
	serve "$@"
}

# serve [extra flags]: (re)start the server on the existing data dir
serve() {
	rm -f "$T/ready"
	"$COMMITD" serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen 127.0.0.1:0 \
		--ready-file "$T/ready" "$@" >>"$T/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$T/ready" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$T/ready" ]; then
		echo "not ok - server did not start: $(tail -5 "$T/server.log")"
		E2E_FAIL=$((E2E_FAIL + 1))
		finish
	fi
	ENDPOINT=$(head -n1 "$T/ready")
	# the SSH listener's port, from the second line (ssh://127.0.0.1:PORT)
	SSH_PORT=$(sed -n '2s/.*://p' "$T/ready")
}

stop_server() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null
	fi
	SERVER_PID=
}

# add_profile NAME KEY SECRET [TOKEN]
add_profile() {
	{
		echo "[$1]"
		echo "aws_access_key_id = $2"
		echo "aws_secret_access_key = $3"
		[ -n "${4:-}" ] && echo "aws_session_token = $4"
	} >>"$AWS_SHARED_CREDENTIALS_FILE"
	printf '[profile %s]\nregion = us-east-1\noutput = json\n' "$1" >>"$AWS_CONFIG_FILE"
}

# json_get FILE KEY.PATH - print a value from a JSON file ("" if absent)
json_get() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    if isinstance(v, list):
        v = v[int(k)]
    elif isinstance(v, dict):
        v = v.get(k, "")
    else:
        v = ""
print(v if not isinstance(v, (dict, list)) else json.dumps(v))
PYEOF
}

# aws_as PROFILE args... - the real AWS CLI against the server; output in $T/out, $T/err
aws_as() {
	local p=$1
	shift
	"$AWS" --endpoint-url "$ENDPOINT" --profile "$p" "$@" >"$T/out" 2>"$T/err"
}

pass() { echo "ok - $1"; E2E_PASS=$((E2E_PASS + 1)); }
fail() {
	echo "not ok - $1"
	[ -s "$T/err" ] && sed 's/^/#   /' "$T/err" | head -5
	E2E_FAIL=$((E2E_FAIL + 1))
}

# ok DESC PROFILE aws-args... - the call must succeed
ok() {
	local d=$1
	shift
	if aws_as "$@"; then pass "$d"; else fail "$d"; fi
}

# fails_with DESC CODE PROFILE aws-args... - must fail with the AWS error CODE
fails_with() {
	local d=$1 code=$2
	shift 2
	if aws_as "$@"; then
		fail "$d (succeeded, expected $code)"
	elif grep -q "($code)" "$T/err"; then
		pass "$d"
	else
		fail "$d (expected $code)"
	fi
}

# expect_eq DESC ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		echo "#   got '$2', expected '$3'"
		fail "$1"
	fi
}

# err_has DESC TEXT - the last call's error output contains TEXT
err_has() { if grep -qF "$2" "$T/err"; then pass "$1"; else fail "$1"; fi; }

# out_get KEY.PATH - a value from the last aws_as output
out_get() { json_get "$T/out" "$1"; }

# git_setup: plain git for the tests, away from the machine's own git
# configuration (credential helpers, CA bundles), with a test identity
git_setup() {
	unset GIT_SSL_CAINFO GIT_SSL_CAPATH
	export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig
	git config --file "$T/gitconfig" user.name "Test User"
	git config --file "$T/gitconfig" user.email "test@example.com"
	git config --file "$T/gitconfig" init.defaultBranch main
}

# gitok DESC git-args... - git must succeed; its output in $T/gout
gitok() {
	local d=$1
	shift
	if git "$@" >"$T/gout" 2>&1; then pass "$d"; else
		sed 's/^/#   /' "$T/gout" | tail -8
		fail "$d"
	fi
}

# gitfails DESC TEXT git-args... - git must fail, saying TEXT
gitfails() {
	local d=$1 text=$2
	shift 2
	if git "$@" >"$T/gout" 2>&1; then
		fail "$d (succeeded)"
	elif grep -qF -- "$text" "$T/gout"; then
		pass "$d"
	else
		sed 's/^/#   /' "$T/gout" | tail -8
		fail "$d (no '$text' in git's output)"
	fi
}

finish() {
	stop_server
	# every test's trail, whatever its events were, verifies: the chain, the
	# digests, and the index saying what each record says (a test that
	# alters its trail on purpose sets AUDIT_VERIFY_AT_END=0)
	if [ "${AUDIT_VERIFY_AT_END:-1}" = 1 ] && [ -f "$T/data/audit.db" ]; then
		if "$COMMITD" audit verify --data-dir "$T/data" >"$T/verify.end" 2>&1; then
			pass "the audit trail verifies at the end"
		else
			sed 's/^/#   /' "$T/verify.end"
			fail "the audit trail verifies at the end"
		fi
	fi
	if [ -f "$T/server.log" ] &&
		grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$T/server.log"; then
		echo "not ok - sanitizer report in server log:"
		grep -A15 -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
			"$T/server.log" | head -40 | sed 's/^/#   /'
		E2E_FAIL=$((E2E_FAIL + 1))
	fi
	echo "$E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" -eq 0 ]
	exit $?
}
