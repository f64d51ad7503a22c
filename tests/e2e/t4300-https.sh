#!/bin/bash
# HTTPS: commitd terminates TLS itself.  A self-signed pair made by
# `commitd tls-self-signed` (and `init --tls-self-signed`) and named in
# commitd.conf turns a plain `serve` into HTTPS; the AWS CLI and git trust it
# when told where the certificate is; clone URLs are https://; requests are
# aws:SecureTransport; plain HTTP, unknown CAs, old TLS and half a pair are
# refused clearly.
. "$(dirname "$0")/lib.sh"
start_server # an ordinary data directory, served over HTTP first
stop_server

export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig
# CA settings from the environment would override the ones under test
# (GIT_SSL_CAINFO wins over http.sslCAInfo, AWS_CA_BUNDLE over nothing)
unset GIT_SSL_CAINFO GIT_SSL_CAPATH CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR \
	REQUESTS_CA_BUNDLE AWS_CA_BUNDLE
git config --file "$T/gitconfig" user.name "Test User"
git config --file "$T/gitconfig" user.email "test@example.com"
git config --file "$T/gitconfig" init.defaultBranch main
CERT=$T/data/tls/cert.pem
KEY=$T/data/tls/key.pem

# cmdok DESC cmd... / cmdfails DESC TEXT cmd...: output in $T/cout
cmdok() {
	local d=$1
	shift
	if "$@" >"$T/cout" 2>&1; then pass "$d"; else
		sed 's/^/#   /' "$T/cout" | tail -8
		fail "$d"
	fi
}
cmdfails() {
	local d=$1 text=$2
	shift 2
	if "$@" >"$T/cout" 2>&1; then
		fail "$d (succeeded)"
	elif grep -qF -- "$text" "$T/cout"; then
		pass "$d"
	else
		sed 's/^/#   /' "$T/cout" | tail -8
		fail "$d (no '$text' in the output)"
	fi
	grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T/cout" &&
		fail "$d: sanitizer report"
}

# --- the self-signed pair -----------------------------------------------------------
cmdok "tls-self-signed on an initialised directory" \
	"$COMMITD" tls-self-signed --data-dir "$T/data" --tls-host git.example.test
cp "$T/cout" "$T/tls.out"
[ -f "$CERT" ] && pass "the certificate is DIR/tls/cert.pem" || fail "the certificate is DIR/tls/cert.pem"
expect_eq "the key is DIR/tls/key.pem, mode 0600" "$(stat -c %a "$KEY" 2>/dev/null)" 600
expect_eq "the tls directory is mode 0700" "$(stat -c %a "$T/data/tls")" 700
grep -q "BEGIN PRIVATE KEY" "$KEY" && pass "the key is PEM" || fail "the key is PEM"
FP=$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | cut -d= -f2)
grep -qF "$FP" "$T/tls.out" && pass "the SHA-256 fingerprint is printed as openssl prints it" ||
	fail "the SHA-256 fingerprint is printed as openssl prints it"
grep -qF "http.sslCAInfo=$CERT" "$T/tls.out" && pass "the output says how to point git at it" ||
	fail "the output says how to point git at it"
openssl x509 -in "$CERT" -noout -ext subjectAltName >"$T/san" 2>&1
grep -q "DNS:localhost" "$T/san" && grep -q "IP Address:127.0.0.1" "$T/san" &&
	grep -q "IP Address:0:0:0:0:0:0:0:1" "$T/san" && grep -q "DNS:git.example.test" "$T/san" &&
	pass "names: localhost, 127.0.0.1, ::1 and --tls-host" || fail "names: localhost, 127.0.0.1, ::1 and --tls-host"
openssl x509 -in "$CERT" -noout -checkend $((360 * 86400)) >/dev/null &&
	! openssl x509 -in "$CERT" -noout -checkend $((367 * 86400)) >/dev/null &&
	pass "valid for one year" || fail "valid for one year"
grep -q "^tls-cert = tls/cert.pem$" "$T/data/commitd.conf" &&
	grep -q "^tls-key = tls/key.pem$" "$T/data/commitd.conf" &&
	pass "commitd.conf names the pair" || fail "commitd.conf names the pair"
before=$(sha256sum "$CERT" "$KEY")
cmdfails "a second run refuses to overwrite the pair" "already exists" \
	"$COMMITD" tls-self-signed --data-dir "$T/data"
expect_eq "... and changes nothing" "$(sha256sum "$CERT" "$KEY")" "$before"
expect_eq "commitd.conf names the pair once" "$(grep -c '^tls-cert' "$T/data/commitd.conf")" 1
mkdir "$T/other"
cmdfails "a bad --tls-host is refused" "neither an IP address nor a DNS name" \
	"$COMMITD" tls-self-signed --data-dir "$T/other" --tls-host "a,DNS:evil.example"
[ -e "$T/other/tls/key.pem" ] && fail "... and writes no key" || pass "... and writes no key"
cmdfails "a missing data directory is named" "$T/nowhere" \
	"$COMMITD" tls-self-signed --data-dir "$T/nowhere"

# --- serve: the config makes it HTTPS ------------------------------------------------------
serve
HOSTPORT=${ENDPOINT#https://}
expect_eq "the ready file holds an https:// URL" "${ENDPOINT%%://*}" https
grep -q "tls: certificate .*SHA-256 $FP" "$T/server.log" &&
	pass "the server logs the certificate's fingerprint" || fail "the server logs the certificate's fingerprint"
if "$AWS" --ca-bundle "$CERT" --endpoint-url "$ENDPOINT" --profile admin iam get-user \
	>"$T/out" 2>"$T/err"; then pass "aws --ca-bundle cert.pem iam get-user"; else
	fail "aws --ca-bundle cert.pem iam get-user"
fi
expect_eq "... answers for the administrator" "$(out_get User.UserName)" admin
if "$AWS" --endpoint-url "$ENDPOINT" --profile admin iam get-user >"$T/out" 2>"$T/err"; then
	fail "without the certificate the AWS CLI refuses the server (succeeded)"
else
	err_has "without the certificate the AWS CLI refuses the server" "CERTIFICATE_VERIFY_FAILED"
fi
export AWS_CA_BUNDLE=$CERT # for aws_as from here on
ok "AWS_CA_BUNDLE works too" admin sts get-caller-identity

code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" "$ENDPOINT/health")
expect_eq "curl --cacert cert.pem: /health is 200" "$code" 200
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" "https://localhost:${HOSTPORT#*:}/health")
expect_eq "the name localhost verifies" "$code" 200
if ip -6 addr show lo 2>/dev/null | grep -q "::1"; then
	stop_server # one server per data directory (the audit trail's writer lock)
	serve --listen "[::1]:0"
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" "$ENDPOINT/health")
	expect_eq "HTTPS on [::1] verifies the name ::1" "$code" 200
	stop_server
	serve
	HOSTPORT=${ENDPOINT#https://}
fi
start=$(date +%s)
curl -s -o /dev/null --max-time 10 "http://$HOSTPORT/health"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 28 ] && pass "plain HTTP to the HTTPS port fails at once (curl $rc)" ||
	fail "plain HTTP to the HTTPS port fails at once (curl $rc)"
[ $(($(date +%s) - start)) -lt 5 ] && pass "... without hanging" || fail "... without hanging"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other-key.pem" \
	-out "$T/other.pem" -days 30 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	>/dev/null 2>&1
curl -s -o /dev/null --max-time 10 --cacert "$T/other.pem" "$ENDPOINT/health"
expect_eq "a wrong CA fails verification (curl 60)" "$?" 60
curl -s -o /dev/null --max-time 10 "$ENDPOINT/health"
expect_eq "the system CAs do not vouch for it either (curl 60)" "$?" 60
if "$AWS" --ca-bundle "$T/other.pem" --endpoint-url "$ENDPOINT" --profile admin iam get-user \
	>"$T/out" 2>"$T/err"; then fail "aws with a wrong CA bundle fails (succeeded)"; else
	err_has "aws with a wrong CA bundle fails" "CERTIFICATE_VERIFY_FAILED"
fi
curl -s -o /dev/null --cacert "$CERT" --tlsv1.2 --tls-max 1.2 "$ENDPOINT/health" &&
	pass "TLS 1.2 is spoken" || fail "TLS 1.2 is spoken"
curl -s -o /dev/null --cacert "$CERT" --tlsv1.3 "$ENDPOINT/health" &&
	pass "TLS 1.3 is spoken" || fail "TLS 1.3 is spoken"
# the client is allowed TLS 1.1 (SECLEVEL=0), so a failure is the server's refusal
"$PY" - "$HOSTPORT" "$CERT" >"$T/tls11" 2>&1 <<'PYEOF'
import socket, ssl, sys, warnings
warnings.simplefilter("ignore")
host, port = sys.argv[1].rsplit(":", 1)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(sys.argv[2])
ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_1
try:
    with socket.create_connection((host, int(port)), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname=host) as t:
            print("accepted", t.version())
except ssl.SSLError as ex:
    print("refused", ex)
PYEOF
if grep -qE "NO_PROTOCOLS_AVAILABLE|UNSUPPORTED_PROTOCOL" "$T/tls11"; then
	pass "TLS 1.1 is refused # skip: this client cannot offer TLS 1.1"
elif grep -q "^refused" "$T/tls11"; then
	pass "TLS 1.1 is refused by the server"
else
	sed 's/^/#   /' "$T/tls11"
	fail "TLS 1.1 is refused by the server"
fi

# --- Git over HTTPS ---------------------------------------------------------------------
urlenc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
ok "create-repository over HTTPS" admin codecommit create-repository --repository-name Secure
CLONE_URL=$(out_get repositoryMetadata.cloneUrlHttp)
expect_eq "cloneUrlHttp is https://" "$CLONE_URL" "https://$HOSTPORT/v1/repos/Secure"
ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "attach AWSCodeCommitPowerUser" admin iam attach-user-policy --user-name Sonali \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "create-access-key Sonali" admin iam create-access-key --user-name Sonali
add_profile Sonali "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "Git credentials for Sonali" admin iam create-service-specific-credential --user-name Sonali \
	--service-name codecommit.amazonaws.com
GUSER=$(out_get ServiceSpecificCredential.ServiceUserName)
GPASS=$(urlenc "$(out_get ServiceSpecificCredential.ServicePassword)")
GITURL="https://$GUSER:$GPASS@$HOSTPORT/v1/repos/Secure"
cmdok "git -c http.sslCAInfo=cert.pem clone https://..." \
	git -c http.sslCAInfo="$CERT" clone "$GITURL" "$T/c1"
echo "over TLS" >"$T/c1/README.md"
git -C "$T/c1" add README.md && git -C "$T/c1" commit -qm "first over TLS"
git -C "$T/c1" config http.sslCAInfo "$CERT" # the guide's `git config` form
cmdok "git push over HTTPS" git -C "$T/c1" push origin HEAD:main
cmdok "clone again over HTTPS" git -c http.sslCAInfo="$CERT" clone "$GITURL" "$T/c2"
expect_eq "the second clone has the commit" "$(cat "$T/c2/README.md" 2>/dev/null)" "over TLS"
cmdfails "git without the certificate refuses the server" "certificate" \
	git clone "$GITURL" "$T/c3"
cmdfails "git with the wrong CA refuses the server" "certificate" \
	git -c http.sslCAInfo="$T/other.pem" clone "$GITURL" "$T/c4"

# --- aws:SecureTransport is "true" over TLS ---------------------------------------------
cat >"$T/insecure.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
EOF
ok "deny everything without TLS" admin iam put-user-policy --user-name Sonali \
	--policy-name DenyInsecure --policy-document "file://$T/insecure.json"
ok "... does not deny an API call over TLS" Sonali codecommit get-repository --repository-name Secure
echo "still secure" >"$T/c1/more.txt"
git -C "$T/c1" add more.txt && git -C "$T/c1" commit -qm "second over TLS"
cmdok "... nor a Git push over TLS" git -C "$T/c1" push origin main
ok "remove it" admin iam delete-user-policy --user-name Sonali --policy-name DenyInsecure
cat >"$T/secure.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
  "Action": ["codecommit:GetRepository", "codecommit:GitPull"], "Resource": "*",
  "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
EOF
ok "deny reads over TLS (the converse)" admin iam put-user-policy --user-name Sonali \
	--policy-name DenySecure --policy-document "file://$T/secure.json"
fails_with "... denies the API call: the key is true" AccessDeniedException Sonali \
	codecommit get-repository --repository-name Secure
cmdfails "... and the Git pull" "403" git -c http.sslCAInfo="$CERT" clone "$GITURL" "$T/c5"
ok "remove it" admin iam delete-user-policy --user-name Sonali --policy-name DenySecure
stop_server

# --- half a pair, bad files ------------------------------------------------------------------
: >"$T/empty.conf"
# serve_fails DESC TEXT flags...: must exit at once with TEXT on stderr
serve_fails() {
	local d=$1 text=$2
	shift 2
	cmdfails "$d" "$text" timeout 20 "$COMMITD" serve --data-dir "$T/data" --ssh-listen off \
		--listen 127.0.0.1:0 "$@"
}
serve_fails "--tls-cert without --tls-key is refused" "HTTPS needs both a certificate and a key" \
	--config "$T/empty.conf" --tls-cert "$CERT"
serve_fails "--tls-key without --tls-cert is refused" "only the key is set" \
	--config "$T/empty.conf" --tls-key "$KEY"
printf 'tls-cert = %s\n' "$CERT" >"$T/half.conf"
serve_fails "a config with tls-cert only is refused" "HTTPS needs both" --config "$T/half.conf"
serve_fails "a missing certificate file is named" "$T/nope.pem" \
	--config "$T/empty.conf" --tls-cert "$T/nope.pem" --tls-key "$KEY"
echo "not a certificate" >"$T/junk.pem"
serve_fails "a malformed certificate is named" "'$T/junk.pem': not a PEM certificate" \
	--config "$T/empty.conf" --tls-cert "$T/junk.pem" --tls-key "$KEY"
serve_fails "a malformed key is named" "'$T/junk.pem': not a PEM private key" \
	--config "$T/empty.conf" --tls-cert "$CERT" --tls-key "$T/junk.pem"
serve_fails "a key of another certificate is refused" "does not belong to the certificate" \
	--config "$T/empty.conf" --tls-cert "$CERT" --tls-key "$T/other-key.pem"
openssl pkey -in "$KEY" -aes256 -passout pass:secret -out "$T/enc-key.pem" 2>/dev/null
serve_fails "an encrypted key is refused, not prompted for" "is encrypted" \
	--config "$T/empty.conf" --tls-cert "$CERT" --tls-key "$T/enc-key.pem" </dev/null
grep -q "PRIVATE KEY-----" "$T/cout" && fail "no key material in the error" ||
	pass "no key material in the error"
# flags win over the config: the other pair, served explicitly
serve --tls-cert "$T/other.pem" --tls-key "$T/other-key.pem"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/other.pem" "$ENDPOINT/health")
expect_eq "--tls-cert and --tls-key win over the config" "$code" 200
stop_server

# --- init --tls-self-signed -----------------------------------------------------------------
if "$COMMITD" init --data-dir "$T/data2" --json --tls-self-signed >"$T/init2.json" 2>"$T/init2.err"; then
	pass "init --tls-self-signed"
else
	sed 's/^/#   /' "$T/init2.err" | tail -5
	fail "init --tls-self-signed"
fi
expect_eq "... stdout is still one JSON object" "$(json_get "$T/init2.json" UserName)" admin
grep -qF "$(openssl x509 -in "$T/data2/tls/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)" \
	"$T/init2.err" && pass "... the fingerprint goes to stderr" || fail "... the fingerprint goes to stderr"
expect_eq "... the key is mode 0600" "$(stat -c %a "$T/data2/tls/key.pem" 2>/dev/null)" 600
grep -q "^tls-key = tls/key.pem$" "$T/data2/commitd.conf" && pass "... commitd.conf names the pair" ||
	fail "... commitd.conf names the pair"
cmdfails "init --tls-host without --tls-self-signed is refused" "--tls-self-signed" \
	"$COMMITD" init --data-dir "$T/data3" --tls-host example.test
[ -e "$T/data3" ] && fail "... and makes nothing" || pass "... and makes nothing"
# a config that already names a certificate is left as it is
mkdir -p "$T/data4"
printf 'region = eu-west-1\ntls-cert = /etc/ssl/real.pem\ntls-key = /etc/ssl/real.key\n' \
	>"$T/data4/commitd.conf"
cp "$T/data4/commitd.conf" "$T/data4.conf.before"
cmdok "tls-self-signed with a config naming another pair" \
	"$COMMITD" tls-self-signed --data-dir "$T/data4"
grep -q "left" "$T/cout" && pass "... says the config was left unchanged" ||
	fail "... says the config was left unchanged"
cmp -s "$T/data4/commitd.conf" "$T/data4.conf.before" && pass "... and it is unchanged" ||
	fail "... and it is unchanged"
printf 'region = eu-west-1' >"$T/data5.conf" # no final newline
mkdir -p "$T/data5" && cp "$T/data5.conf" "$T/data5/commitd.conf"
cmdok "tls-self-signed appends to a config" "$COMMITD" tls-self-signed --data-dir "$T/data5"
grep -q "^region = eu-west-1$" "$T/data5/commitd.conf" && grep -q "^tls-cert = tls/cert.pem$" \
	"$T/data5/commitd.conf" && pass "... keeping its other keys" || fail "... keeping its other keys"
finish
