#!/bin/bash
# The audit trail: after the setup guide's walkthrough, `aws cloudtrail
# lookup-events` shows who created Sonali, who created her access key (the
# secret nowhere in the trail), her pushes with their refs, the read-only
# user's refused push and a refused API call; `commitd audit verify` passes,
# then names the record the test alters; export writes JSON lines.
. "$(dirname "$0")/lib.sh"
start_server
git_setup

helper() { echo "credential.helper=!AWS_PROFILE=$1 $AWS codecommit credential-helper \$@ --ignore-host-check"; }
lookup() { # lookup PROFILE KEY VALUE [args]: lookup-events by one attribute
	local p=$1 k=$2 v=$3
	shift 3
	aws_as "$p" cloudtrail lookup-events --lookup-attributes "AttributeKey=$k,AttributeValue=$v" "$@"
}
# event N FIELD: a field of the CloudTrail record of the Nth event found
event() { out_get "Events.$1.CloudTrailEvent" >"$T/ev.json"; json_get "$T/ev.json" "$2"; }

# --- the walkthrough ------------------------------------------------------------------------
ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "attach AWSCodeCommitPowerUser" admin iam attach-user-policy --user-name Sonali \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "create-access-key for Sonali" admin iam create-access-key --user-name Sonali
SKEY=$(out_get AccessKey.AccessKeyId)
SSECRET=$(out_get AccessKey.SecretAccessKey)
add_profile Sonali "$SKEY" "$SSECRET"
ok "Sonali creates MyDemoRepo" Sonali codecommit create-repository --repository-name MyDemoRepo
gitok "Sonali clones it" -c "$(helper Sonali)" -c credential.UseHttpPath=true \
	clone "$ENDPOINT/v1/repos/MyDemoRepo" "$T/s1"
echo hello >"$T/s1/a.txt"
git -C "$T/s1" add a.txt && git -C "$T/s1" commit -qm first
gitok "Sonali pushes main" -C "$T/s1" -c "$(helper Sonali)" -c credential.UseHttpPath=true \
	push origin HEAD:main
NEW=$(git -C "$T/s1" rev-parse HEAD)
gitok "Sonali clones it again" -c "$(helper Sonali)" -c credential.UseHttpPath=true \
	clone "$ENDPOINT/v1/repos/MyDemoRepo" "$T/s2"
ok "create-user Ravi (read only)" admin iam create-user --user-name Ravi
ok "... AWSCodeCommitReadOnly" admin iam attach-user-policy --user-name Ravi \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "... a key" admin iam create-access-key --user-name Ravi
add_profile Ravi "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
echo more >>"$T/s1/a.txt"
git -C "$T/s1" commit -qam second
gitfails "Ravi's push is refused" "403" -C "$T/s1" -c "$(helper Ravi)" \
	-c credential.UseHttpPath=true push origin HEAD:main
fails_with "Ravi may not create users" AccessDenied Ravi iam create-user --user-name Mallory
add_profile SonaliBad "$SKEY" "wrong/secret/of/forty/characters/xxxxxxxx"
fails_with "Sonali's key with a wrong secret" SignatureDoesNotMatch SonaliBad iam get-user

# --- lookup-events ----------------------------------------------------------------------------
ok "lookup-events EventName=CreateUser" admin cloudtrail lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser
grep -q '"Username": "admin"' "$T/out" && pass "... admin created users" || fail "... admin created users"
lookup admin ResourceName Sonali && pass "lookup-events ResourceName=Sonali" ||
	fail "lookup-events ResourceName=Sonali"
"$PY" - "$T/out" >"$T/names" <<'PYEOF'
import json, sys
for e in json.load(open(sys.argv[1]))["Events"]:
    r = json.loads(e["CloudTrailEvent"])
    print(e["EventName"], r["userIdentity"].get("userName", ""), r.get("errorCode", "-"))
PYEOF
grep -q "^CreateUser admin -$" "$T/names" && pass "... who created Sonali: admin" ||
	fail "... who created Sonali: admin"
grep -q "^CreateAccessKey admin -$" "$T/names" && pass "... who created her access key: admin" ||
	fail "... who created her access key: admin"
lookup admin EventName CreateAccessKey
expect_eq "the key's event names the user it is for" "$(event 0 requestParameters.userName)" Ravi
expect_eq "... the new key's id is in the response" \
	"$(event 1 responseElements.accessKey.accessKeyId)" "$SKEY"
expect_eq "... its secret is hidden" "$(event 1 responseElements.accessKey.secretAccessKey)" \
	HIDDEN_DUE_TO_SECURITY_REASONS
expect_eq "... the event's identity is the admin's key" "$(event 1 userIdentity.accessKeyId)" "$ADMIN_KEY"
expect_eq "... eventSource" "$(event 1 eventSource)" iam.amazonaws.com
expect_eq "... readOnly" "$(event 1 readOnly)" False

lookup admin EventName GitPush
expect_eq "two pushes are recorded" "$(json_get "$T/out" Events.1.EventName)" GitPush
expect_eq "the newest is Ravi's, refused" "$(event 0 errorCode)" AccessDenied
expect_eq "... by Ravi" "$(event 0 userIdentity.userName)" Ravi
expect_eq "Sonali's push" "$(event 1 userIdentity.userName)" Sonali
expect_eq "... names the ref" "$(event 1 requestParameters.references.0.ref)" refs/heads/main
expect_eq "... its new commit" "$(event 1 requestParameters.references.0.newCommit)" "$NEW"
expect_eq "... the repository" "$(event 1 requestParameters.repositoryName)" MyDemoRepo
expect_eq "... over HTTP" "$(event 1 requestParameters.protocol)" HTTP
lookup admin Username Sonali --max-results 50
grep -q '"EventName": "GitPull"' "$T/out" && pass "Sonali's clone is a GitPull event" ||
	fail "Sonali's clone is a GitPull event"
lookup admin Username Ravi
grep -q '"EventName": "CreateUser"' "$T/out" && pass "Ravi's refused CreateUser is recorded" ||
	fail "Ravi's refused CreateUser is recorded"
lookup admin EventName GetUser
expect_eq "a call with a bad signature is recorded for the key's user" \
	"$(event 0 userIdentity.userName)/$(event 0 errorCode)" Sonali/SignatureDoesNotMatch
lookup admin EventSource codecommit.amazonaws.com --max-results 2
TOKEN=$(out_get NextToken)
[ -n "$TOKEN" ] && pass "a page of two has a NextToken" || fail "a page of two has a NextToken"
aws_as admin cloudtrail lookup-events --lookup-attributes \
	AttributeKey=EventSource,AttributeValue=codecommit.amazonaws.com --max-results 2 --next-token "$TOKEN" &&
	[ -n "$(out_get Events.0.EventId)" ] && pass "... the next page has events" ||
	fail "... the next page has events"
ok "a time range that ends before the server started finds nothing" admin cloudtrail lookup-events \
	--start-time 2001-01-01T00:00:00Z --end-time 2001-01-02T00:00:00Z
expect_eq "... empty" "$(out_get Events)" "[]"
fails_with "two lookup attributes" InvalidLookupAttributesException admin cloudtrail lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser AttributeKey=Username,AttributeValue=admin
fails_with "a start after the end" InvalidTimeRangeException admin cloudtrail lookup-events \
	--start-time 2030-01-02T00:00:00Z --end-time 2030-01-01T00:00:00Z
fails_with "a made-up NextToken" InvalidNextTokenException admin cloudtrail lookup-events \
	--next-token garbage
fails_with "Sonali may not read the trail (no cloudtrail:LookupEvents)" AccessDeniedException Sonali \
	cloudtrail lookup-events

"$COMMITD" account-create --data-dir "$T/data" --admin bossB --json >"$T/b.json" 2>"$T/b.err" ||
	fail "account-create B"
add_profile bossB "$(json_get "$T/b.json" AccessKeyId)" "$(json_get "$T/b.json" SecretAccessKey)"
lookup bossB EventName CreateUser
expect_eq "another account sees none of these events" "$(out_get Events)" "[]"

# --- the secret nowhere, verify, tampering, export ------------------------------------------------
stop_server
"$COMMITD" audit export --data-dir "$T/data" >"$T/export.jsonl" || fail "audit export"
[ "$(wc -l <"$T/export.jsonl")" -gt 20 ] && pass "audit export writes the events as JSON lines" ||
	fail "audit export writes the events as JSON lines"
"$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/export.jsonl" &&
	pass "... each line a JSON object" || fail "... each line a JSON object"
if grep -rqF "$SSECRET" "$T/export.jsonl" "$T/data/audit.db" "$T/data/audit.db-wal" \
	"$T/data/audit" 2>/dev/null; then
	fail "Sonali's secret access key is nowhere in the trail"
else
	pass "Sonali's secret access key is nowhere in the trail"
fi
"$COMMITD" audit verify --data-dir "$T/data" >"$T/verify" 2>&1 && grep -q intact "$T/verify" &&
	pass "audit verify: intact" || { sed 's/^/#   /' "$T/verify"; fail "audit verify: intact"; }
AUDIT_VERIFY_AT_END=0 # the next check alters it
# one byte of the first CreateAccessKey record, in place in its segment file (a frame: length
# u32, seq i64, time i64, hash 32 bytes, then the record; src/audit/audit_int.h)
SEQ=$("$PY" - "$T/data/audit" <<'PYEOF'
import glob, struct, sys
for path in sorted(glob.glob(sys.argv[1] + "/events-*.seg")):
    data = bytearray(open(path, "rb").read())
    off = 0
    while off + 52 <= len(data):
        n, seq = struct.unpack_from("<Iq", data, off)
        rec = off + 52
        if b'"eventName":"CreateAccessKey"' in data[rec:rec + n]:
            at = data.index(b"Sonali", rec)
            data[at + 5] = ord("j")
            open(path, "wb").write(data)
            print(seq)
            sys.exit(0)
        off = rec + n
sys.exit(1)
PYEOF
)
if "$COMMITD" audit verify --data-dir "$T/data" >"$T/verify" 2>&1; then
	fail "after one record is altered, verify fails"
else
	pass "after one record is altered, verify fails"
fi
grep -q "event $SEQ " "$T/verify" && pass "... and names that record ($SEQ)" ||
	{ sed 's/^/#   /' "$T/verify"; fail "... and names that record ($SEQ)"; }
finish
