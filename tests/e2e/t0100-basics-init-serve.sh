#!/bin/bash
# commitd init and serve: the data directory, the printed credentials, the
# health check, refusal to initialise twice, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

start_server

expect_eq "init prints a 12-digit account id" "$(echo "$ACCOUNT" | grep -cE '^[0-9]{12}$')" 1
expect_eq "init prints an AKIA access key id" "$(echo "$ADMIN_KEY" | grep -cE '^AKIA[A-Z0-9]{16}$')" 1
expect_eq "init prints a 40-character secret" "${#ADMIN_SECRET}" 40
expect_eq "master key is private (0600)" "$(stat -c %a "$T/data/master.key")" 600
if grep -q "$ADMIN_SECRET" "$T/data/commitd.db" "$T/data"/commitd.db-wal 2>/dev/null; then
	fail "the secret access key is not stored in the clear"
else
	pass "the secret access key is not stored in the clear"
fi

if "$COMMITD" init --data-dir "$T/data" >"$T/out" 2>"$T/err"; then
	fail "a second init on the same directory is refused"
else
	grep -q "already initialised" "$T/err" && pass "a second init on the same directory is refused" ||
		fail "a second init on the same directory is refused (message)"
fi
ok "the administrator's key still works after the refused init" admin sts get-caller-identity

expect_eq "GET /health answers ok" "$(curl -s "$ENDPOINT/health")" "ok"

ok "get-caller-identity as the administrator" admin sts get-caller-identity
expect_eq "caller is the admin user" "$(out_get Arn)" "arn:aws:iam::$ACCOUNT:user/admin"
expect_eq "caller account" "$(out_get Account)" "$ACCOUNT"

# --write-profile puts a working profile into the AWS CLI files
"$COMMITD" init --data-dir "$T/data2" --write-profile second >/dev/null 2>"$T/err"
expect_eq "init --write-profile writes the credentials file" \
	"$(grep -c '^\[second\]' "$AWS_SHARED_CREDENTIALS_FILE")" 1
expect_eq "init --write-profile writes the config file" \
	"$(grep -c '^\[profile second\]' "$AWS_CONFIG_FILE")" 1

"$COMMITD" --help >"$T/out"
grep -q -- "--data-dir" "$T/out" && pass "--help lists the options" || fail "--help lists the options"

kill -TERM "$SERVER_PID"
for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then fail "SIGTERM stops the server"; else
	pass "SIGTERM stops the server"
	grep -q "stopped" "$T/server.log" && pass "the server says it stopped" || fail "the server says it stopped"
fi
SERVER_PID=
serve
ok "a restarted server on the same data answers" admin iam get-user
expect_eq "restarted server knows the admin" "$(out_get User.UserName)" "admin"

# the config file: its settings apply, and a mistake in it is refused clearly
stop_server
printf '# test config\nmax-body = 1000\nlog-level = warn\n' >"$T/data/commitd.conf"
serve
big=$(head -c 2000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d "Action=GetUser&x=$big" "$ENDPOINT/")
expect_eq "max-body from the config file limits request bodies" "$code" 413
stop_server
echo "colour = blue" >>"$T/data/commitd.conf"
if "$COMMITD" serve --data-dir "$T/data" --listen 127.0.0.1:0 --ssh-listen off >"$T/out" 2>"$T/err"; then
	fail "an unknown config key is refused"
else
	grep -q "commitd.conf:4: unknown key 'colour'" "$T/err" && pass "an unknown config key is refused with its line" ||
		fail "an unknown config key is refused with its line"
fi
finish
