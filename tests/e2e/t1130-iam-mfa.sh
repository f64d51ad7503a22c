#!/bin/bash
# Virtual MFA devices with the AWS CLI: create one (QR code and Base32 seed),
# enable it for a user with two consecutive codes computed here from the
# seed (RFC 6238), get an MFA session with GetSessionToken, and see a policy
# that requires aws:MultiFactorAuthPresent refuse long-term keys and allow
# the MFA session.  No code is accepted twice.
. "$(dirname "$0")/lib.sh"
start_server

# totp SEED OFFSET: the code of the step OFFSET steps from now
totp() {
	"$PY" - "$1" "$2" <<'PYEOF'
import base64, hashlib, hmac, struct, sys, time
seed = sys.argv[1]
key = base64.b32decode(seed + "=" * (-len(seed) % 8))
step = int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PYEOF
}
# a code that is none of the device's codes near now
wrong_code() {
	local c
	for c in 000000 111111 222222 333333; do
		case " $(totp "$1" -2) $(totp "$1" -1) $(totp "$1" 0) $(totp "$1" 1) $(totp "$1" 2) " in
		*" $c "*) ;;
		*) echo "$c"; return ;;
		esac
	done
}
# wait_step_start: not in the last 4 seconds of a 30-second step, so codes
# computed now are still this step's when the server checks them
wait_step_start() {
	while [ $(($(date +%s) % 30)) -ge 26 ]; do sleep 1; done
}

ok "create-virtual-mfa-device with a QR code" admin iam create-virtual-mfa-device \
	--virtual-mfa-device-name SonaliPhone --outfile "$T/qr.png" --bootstrap-method QRCodePNG
SERIAL=$(out_get VirtualMFADevice.SerialNumber)
expect_eq "the serial number is the device's ARN" "$SERIAL" "arn:aws:iam::$ACCOUNT:mfa/SonaliPhone"
head -c 8 "$T/qr.png" | od -An -c | grep -q "P   N   G" && pass "the QR code is a PNG" ||
	fail "the QR code is a PNG"
ok "create-virtual-mfa-device with a Base32 seed and a path" admin iam \
	create-virtual-mfa-device --virtual-mfa-device-name RaviPhone --path /team/ \
	--outfile "$T/seed2" --bootstrap-method Base32StringSeed
expect_eq "a path is part of the serial number" "$(out_get VirtualMFADevice.SerialNumber)" \
	"arn:aws:iam::$ACCOUNT:mfa/team/RaviPhone"
SEED2=$(cat "$T/seed2")
echo "$SEED2" | grep -qE '^[A-Z2-7]{64}$' && pass "the seed is 64 Base32 characters" ||
	fail "the seed is 64 Base32 characters ($SEED2)"
fails_with "a second device with the same name" EntityAlreadyExists admin iam \
	create-virtual-mfa-device --virtual-mfa-device-name sonaliphone --outfile "$T/x" \
	--bootstrap-method QRCodePNG
fails_with "a name with a space" ValidationError admin iam create-virtual-mfa-device \
	--virtual-mfa-device-name "bad name" --outfile "$T/x" --bootstrap-method QRCodePNG
ok "list-virtual-mfa-devices Unassigned" admin iam list-virtual-mfa-devices \
	--assignment-status Unassigned
grep -q "SonaliPhone" "$T/out" && grep -q "RaviPhone" "$T/out" &&
	pass "both devices are unassigned" || fail "both devices are unassigned"

# the seed of the QR device: enable needs it; the test reads it the way an
# authenticator app would, from the second device's seed file, so use that one
# for Sonali and keep the QR one unassigned
ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "create-access-key" admin iam create-access-key --user-name Sonali
add_profile Sonali "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
SERIAL2="arn:aws:iam::$ACCOUNT:mfa/team/RaviPhone"
W=$(wrong_code "$SEED2")
wait_step_start
fails_with "enable with wrong codes" InvalidAuthenticationCode admin iam enable-mfa-device \
	--user-name Sonali --serial-number "$SERIAL2" \
	--authentication-code1 "$W" --authentication-code2 "$W"
fails_with "enable with two codes out of order" InvalidAuthenticationCode admin iam \
	enable-mfa-device --user-name Sonali --serial-number "$SERIAL2" \
	--authentication-code1 "$(totp "$SEED2" 0)" --authentication-code2 "$(totp "$SEED2" -1)"
fails_with "enable a device that does not exist" NoSuchEntity admin iam enable-mfa-device \
	--user-name Sonali --serial-number "arn:aws:iam::$ACCOUNT:mfa/Nope" \
	--authentication-code1 "$(totp "$SEED2" -1)" --authentication-code2 "$(totp "$SEED2" 0)"
wait_step_start
ok "enable-mfa-device with two consecutive codes" admin iam enable-mfa-device \
	--user-name Sonali --serial-number "$SERIAL2" \
	--authentication-code1 "$(totp "$SEED2" -1)" --authentication-code2 "$(totp "$SEED2" 0)"
USED=$(totp "$SEED2" 0)
ok "create-user Ravi" admin iam create-user --user-name Ravi
fails_with "the same device for another user" EntityAlreadyExists admin iam enable-mfa-device \
	--user-name Ravi --serial-number "$SERIAL2" \
	--authentication-code1 "$(totp "$SEED2" -1)" --authentication-code2 "$(totp "$SEED2" 0)"
ok "list-mfa-devices Sonali" admin iam list-mfa-devices --user-name Sonali
expect_eq "her device is listed" "$(out_get MFADevices.0.SerialNumber)" "$SERIAL2"
[ -n "$(out_get MFADevices.0.EnableDate)" ] && pass "with its EnableDate" || fail "with its EnableDate"
fails_with "without a policy Sonali may not list them" AccessDenied Sonali iam list-mfa-devices
ok "list-virtual-mfa-devices Assigned" admin iam list-virtual-mfa-devices \
	--assignment-status Assigned
expect_eq "the assigned device names its user" "$(out_get VirtualMFADevices.0.User.UserName)" Sonali

# --- MFA sessions and a policy that asks for MFA ------------------------------------
cat >"$T/mfa-policy.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "codecommit:ListRepositories", "Resource": "*",
  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]}
EOF
ok "a policy that needs MFA" admin iam put-user-policy --user-name Sonali \
	--policy-name NeedsMFA --policy-document "file://$T/mfa-policy.json"
fails_with "Sonali's long-term key is refused" AccessDeniedException Sonali codecommit \
	list-repositories
ok "a session without MFA" Sonali sts get-session-token
add_profile SonaliPlain "$(out_get Credentials.AccessKeyId)" \
	"$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
fails_with "... is refused too" AccessDeniedException SonaliPlain codecommit list-repositories
fails_with "the code enable used is not accepted again" AccessDenied Sonali sts \
	get-session-token --serial-number "$SERIAL2" --token-code "$USED"
fails_with "a wrong code is refused" AccessDenied Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$(wrong_code "$SEED2")"
fails_with "a code that is not six digits" ValidationError Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code 12345a
fails_with "another user's device" AccessDenied admin sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$(totp "$SEED2" 1)"
NEXT=$(totp "$SEED2" 1)
ok "get-session-token with the next code" Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$NEXT" --duration-seconds 900
add_profile SonaliMFA "$(out_get Credentials.AccessKeyId)" \
	"$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
ok "the MFA session may list repositories" SonaliMFA codecommit list-repositories
fails_with "the same code a second time" AccessDenied Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$NEXT"
grep -q "already used" "$T/err" && pass "... saying it was already used" ||
	fail "... saying it was already used"

# --- resync, deletes --------------------------------------------------------------
wait_step_start
ok "resync-mfa-device with two codes from a clock 3 steps ahead" admin iam resync-mfa-device \
	--user-name Sonali --serial-number "$SERIAL2" \
	--authentication-code1 "$(totp "$SEED2" 3)" --authentication-code2 "$(totp "$SEED2" 4)"
ok "after the resync the device's own next code works" Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$(totp "$SEED2" 5)"
fails_with "an assigned device cannot be deleted" DeleteConflict admin iam \
	delete-virtual-mfa-device --serial-number "$SERIAL2"
ok "create-user Temp" admin iam create-user --user-name Temp
ok "create-virtual-mfa-device TempPhone" admin iam create-virtual-mfa-device \
	--virtual-mfa-device-name TempPhone --outfile "$T/seed3" --bootstrap-method Base32StringSeed
wait_step_start
ok "enable it for Temp" admin iam enable-mfa-device --user-name Temp \
	--serial-number "arn:aws:iam::$ACCOUNT:mfa/TempPhone" \
	--authentication-code1 "$(totp "$(cat "$T/seed3")" -1)" \
	--authentication-code2 "$(totp "$(cat "$T/seed3")" 0)"
fails_with "a user with an MFA device cannot be deleted" DeleteConflict admin iam \
	delete-user --user-name Temp
fails_with "deactivate a device the user does not have" NoSuchEntity admin iam \
	deactivate-mfa-device --user-name Ravi --serial-number "$SERIAL2"
ok "deactivate-mfa-device" admin iam deactivate-mfa-device --user-name Sonali \
	--serial-number "$SERIAL2"
ok "list-mfa-devices after" admin iam list-mfa-devices --user-name Sonali
expect_eq "Sonali has no device" "$(out_get MFADevices)" "[]"
fails_with "a deactivated device gives no session" AccessDenied Sonali sts get-session-token \
	--serial-number "$SERIAL2" --token-code "$(totp "$SEED2" 6)"
ok "delete-virtual-mfa-device" admin iam delete-virtual-mfa-device --serial-number "$SERIAL2"
fails_with "deleting it again" NoSuchEntity admin iam delete-virtual-mfa-device \
	--serial-number "$SERIAL2"
ok "a user with no IAM permission" admin iam create-user --user-name Nobody
ok "... and a key" admin iam create-access-key --user-name Nobody
add_profile Nobody "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "cannot create MFA devices" AccessDenied Nobody iam create-virtual-mfa-device \
	--virtual-mfa-device-name Mine --outfile "$T/x" --bootstrap-method QRCodePNG
# --- the AWS CLI's mfa_serial profile: a role that needs MFA, the code typed at a prompt ---
ok "create-user Mina" admin iam create-user --user-name Mina
ok "... her key" admin iam create-access-key --user-name Mina
add_profile Mina "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "... her device" admin iam create-virtual-mfa-device --virtual-mfa-device-name MinaPhone \
	--outfile "$T/seed4" --bootstrap-method Base32StringSeed
MSERIAL="arn:aws:iam::$ACCOUNT:mfa/MinaPhone"
wait_step_start
ok "... enabled" admin iam enable-mfa-device --user-name Mina --serial-number "$MSERIAL" \
	--authentication-code1 "$(totp "$(cat "$T/seed4")" -1)" \
	--authentication-code2 "$(totp "$(cat "$T/seed4")" 0)"
ok "a role that trusts the account only with MFA" admin iam create-role --role-name NeedsMfa \
	--assume-role-policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$ACCOUNT:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]}"
ok "Mina may assume it" admin iam put-user-policy --user-name Mina --policy-name AssumeIt \
	--policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::$ACCOUNT:role/NeedsMfa\"}]}"
fails_with "without MFA the trust policy refuses her" AccessDenied Mina sts assume-role \
	--role-arn "arn:aws:iam::$ACCOUNT:role/NeedsMfa" --role-session-name nomfa
"$TOP/scripts/cli-endpoints.py" "$ENDPOINT" "$T/aws-data" >/dev/null ||
	fail "cli-endpoints.py writes the endpoint rule sets"
printf '[profile mina-mfa]\nrole_arn = arn:aws:iam::%s:role/NeedsMfa\nsource_profile = Mina\nmfa_serial = %s\nregion = us-east-1\n' \
	"$ACCOUNT" "$MSERIAL" >>"$AWS_CONFIG_FILE"
# HOME=$T: the CLI caches assumed-role credentials in ~/.aws/cli/cache; keep
# them in the test's directory, and the second call below from reusing them
rm -rf "$T/.aws/cli/cache"
if HOME=$T AWS_DATA_PATH=$T/aws-data "$PY" "$TOP/tests/e2e/pty_answer.py" "Enter MFA code" \
	"$(totp "$(cat "$T/seed4")" 1)" "$AWS" --profile mina-mfa sts get-caller-identity \
	>"$T/pty.out" 2>&1 && grep -q "assumed-role/NeedsMfa/" "$T/pty.out"; then
	pass "an mfa_serial profile: the CLI asks for the code and assumes the role with MFA"
else
	sed 's/^/#   /' "$T/pty.out" | tail -5
	fail "an mfa_serial profile: the CLI asks for the code and assumes the role with MFA"
fi
rm -rf "$T/.aws/cli/cache"
if HOME=$T AWS_DATA_PATH=$T/aws-data "$PY" "$TOP/tests/e2e/pty_answer.py" "Enter MFA code" \
	"$(wrong_code "$(cat "$T/seed4")")" "$AWS" --profile mina-mfa sts get-caller-identity \
	>"$T/pty.out" 2>&1; then
	fail "... a wrong code typed at the prompt is refused (succeeded)"
else
	grep -q "AccessDenied" "$T/pty.out" && pass "... a wrong code typed at the prompt is refused" ||
		fail "... a wrong code typed at the prompt is refused"
fi
finish
