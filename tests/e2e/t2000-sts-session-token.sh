#!/bin/bash
# STS GetSessionToken: temporary credentials (ASIA key, secret, sealed
# session token) that carry the user's permissions, and refusal of tampered
# or misused tokens.
. "$(dirname "$0")/lib.sh"
start_server

ok "get-session-token" admin sts get-session-token --duration-seconds 900
SK=$(out_get Credentials.AccessKeyId)
SS=$(out_get Credentials.SecretAccessKey)
ST=$(out_get Credentials.SessionToken)
expect_eq "the temporary key id starts with ASIA" "$(echo "$SK" | cut -c1-4)" ASIA
[ -n "$(out_get Credentials.Expiration)" ] && pass "the credentials carry an expiration" || fail "the credentials carry an expiration"
add_profile session "$SK" "$SS" "$ST"
ok "the session authenticates" session sts get-caller-identity
expect_eq "the session is the administrator" "$(out_get Arn)" "arn:aws:iam::$ACCOUNT:user/admin"
ok "the session has the administrator's permissions" session iam list-users
fails_with "a session cannot make another session" AccessDenied session sts get-session-token

# a token altered by one character is refused
BAD=$(echo "$ST" | "$PY" -c 'import sys; t=sys.stdin.read().strip(); i=len(t)//2; print(t[:i] + ("A" if t[i] != "A" else "B") + t[i+1:])')
add_profile tampered "$SK" "$SS" "$BAD"
fails_with "a tampered session token is refused" InvalidClientTokenId tampered sts get-caller-identity
# the token belongs to its own key id only
ok "a second session" admin sts get-session-token --duration-seconds 900
add_profile mixed "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" "$ST"
fails_with "a token presented with another key id is refused" InvalidClientTokenId mixed sts get-caller-identity
add_profile notoken "$SK" "$SS"
fails_with "a temporary key without its token is refused" InvalidClientTokenId notoken sts get-caller-identity
fails_with "an MFA device the caller does not have is refused" AccessDenied admin sts get-session-token --serial-number arn:aws:iam::$ACCOUNT:mfa/x --token-code 123456

# a user's session has the user's permissions, no more
ok "create-user Limited" admin iam create-user --user-name Limited
ok "create-access-key Limited" admin iam create-access-key --user-name Limited
add_profile limited "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "a user with no policies can still get a session token" limited sts get-session-token
add_profile limited-session "$(out_get Credentials.AccessKeyId)" "$(out_get Credentials.SecretAccessKey)" "$(out_get Credentials.SessionToken)"
fails_with "the user's session cannot list users" AccessDenied limited-session iam list-users

# boto3 sees the same
"$PY" - "$ENDPOINT" "$SK" "$SS" "$ST" >"$T/boto" 2>&1 <<'PYEOF'
import sys, boto3
ep, k, s, t = sys.argv[1:5]
sts = boto3.client("sts", endpoint_url=ep, region_name="us-east-1",
                   aws_access_key_id=k, aws_secret_access_key=s, aws_session_token=t)
print(sts.get_caller_identity()["Arn"])
PYEOF
expect_eq "boto3 with the session credentials" "$(tail -1 "$T/boto")" "arn:aws:iam::$ACCOUNT:user/admin"
# the CLI checks the bounds itself; the server must too
"$PY" - "$ENDPOINT" "$ADMIN_KEY" "$ADMIN_SECRET" >"$T/boto" 2>&1 <<'PYEOF'
import sys, boto3, botocore.config, botocore.exceptions
ep, k, s = sys.argv[1:4]
sts = boto3.client("sts", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k,
                   aws_secret_access_key=s,
                   config=botocore.config.Config(parameter_validation=False))
for d in (60, 129601):
    try:
        sts.get_session_token(DurationSeconds=d)
        print("accepted", d)
    except botocore.exceptions.ClientError as e:
        print(e.response["Error"]["Code"])
PYEOF
expect_eq "durations outside 900..129600 seconds are refused" "$(tr '\n' ' ' <"$T/boto")" "ValidationError ValidationError "
finish
