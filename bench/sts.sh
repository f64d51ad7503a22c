#!/bin/bash
# bench/sts.sh - what temporary credentials cost.  One server, one run: wrk
# drives sts GetCallerIdentity signed with the administrator's long-term key
# (the baseline: an access key looked up in the store, cached), with a
# GetSessionToken session and with an AssumeRole session (each request opens
# and checks the sealed token: AES-256-GCM and its JSON), then AssumeRole
# itself (trust policy and identity policies evaluated, a session sealed,
# the role's last use written).  Reports requests per second, the time spent
# authenticating per request (from /metrics) and the ratio to the baseline.
set -eu
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
. bench/wrklib.sh
wrk_server
jget() { /usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$1" "$2"; }
KEY=$(jget "$T/init.json" AccessKeyId)
SECRET=$(jget "$T/init.json" SecretAccessKey)
ACCOUNT=$(jget "$T/init.json" AccountId)
export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN
A="/usr/bin/aws --endpoint-url $URL"
$A iam create-role --role-name BenchRole --assume-role-policy-document \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$ACCOUNT:root\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
$A iam attach-role-policy --role-name BenchRole \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitReadOnly >/dev/null
$A sts get-session-token >"$T/session.json"
$A sts assume-role --role-arn "arn:aws:iam::$ACCOUNT:role/BenchRole" \
	--role-session-name bench >"$T/role.json"
WHO="Action=GetCallerIdentity&Version=2011-06-15"
wrk_sign key sts "$WHO" "$KEY" "$SECRET"
wrk_sign session sts "$WHO" "$(jget "$T/session.json" Credentials.AccessKeyId)" \
	"$(jget "$T/session.json" Credentials.SecretAccessKey)" \
	"$(jget "$T/session.json" Credentials.SessionToken)"
wrk_sign role sts "$WHO" "$(jget "$T/role.json" Credentials.AccessKeyId)" \
	"$(jget "$T/role.json" Credentials.SecretAccessKey)" "$(jget "$T/role.json" Credentials.SessionToken)"
wrk_sign assume sts \
	"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A$ACCOUNT%3Arole%2FBenchRole&RoleSessionName=bench" \
	"$KEY" "$SECRET"

echo "bench sts: $CONNS connections, $DUR s per run, $(nproc) cores shared with wrk"
for n in key session role assume; do
	a0=$(metric commitd_authn_seconds_total) n0=$(metric commitd_api_requests_total)
	wrk_run "$n" "$URL/" "$T/$n.lua"
	a1=$(metric commitd_authn_seconds_total) n1=$(metric commitd_api_requests_total)
	[ "$n" = key ] && BASE=$RPS
	awk -v n="$n" -v r="$RPS" -v b="$BASE" -v a0="$a0" -v a1="$a1" -v n0="$n0" -v n1="$n1" 'BEGIN {
		split("key:GetCallerIdentity, long-term key (baseline)|session:GetCallerIdentity, GetSessionToken session|role:GetCallerIdentity, AssumeRole session|assume:AssumeRole", L, "|")
		for (i in L) { split(L[i], kv, ":"); name[kv[1]] = kv[2] }
		printf "  %-48s %8.0f req/s  authentication %5.1f us/req  (%.2f x baseline rate)\n",
			name[n], r, (a1 - a0) * 1e6 / (n1 - n0), r / b
	}'
done
