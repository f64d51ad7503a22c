#!/bin/bash
# Several accounts on one server: `commitd account-create` makes another
# account (root user, administrator, access key), while the server runs.
# Each account sees only its own identities, policies and repositories.
. "$(dirname "$0")/lib.sh"
start_server

"$COMMITD" account-create --data-dir "$T/data" --admin boss --json >"$T/b.json" 2>"$T/b.err"
expect_eq "account-create succeeds while the server runs" "$?" 0
B=$(json_get "$T/b.json" AccountId)
echo "$B" | grep -qE '^[0-9]{12}$' && [ "$B" != "$ACCOUNT" ] &&
	pass "the new account has its own 12-digit id" || fail "the new account has its own 12-digit id"
expect_eq "its administrator is named by --admin" "$(json_get "$T/b.json" Arn)" \
	"arn:aws:iam::$B:user/boss"
add_profile bossB "$(json_get "$T/b.json" AccessKeyId)" "$(json_get "$T/b.json" SecretAccessKey)"
ok "B's administrator signs in" bossB sts get-caller-identity
expect_eq "... as B's user" "$(out_get Account)" "$B"
"$COMMITD" account-create --data-dir "$T/data" --account "$B" --json >"$T/c.json" 2>"$T/c.err"
[ $? -ne 0 ] && grep -q "already exists" "$T/c.err" && pass "an existing account id is refused" ||
	fail "an existing account id is refused"
"$COMMITD" account-create --data-dir "$T/nowhere" >"$T/d.out" 2>"$T/d.err"
[ $? -ne 0 ] && grep -q "not initialised" "$T/d.err" && pass "an uninitialised directory is refused" ||
	fail "an uninitialised directory is refused"

ok "A makes Sonali" admin iam create-user --user-name Sonali
ok "B makes its own Sonali (names are per account)" bossB iam create-user --user-name Sonali
expect_eq "B's Sonali is in B" "$(out_get User.Arn)" "arn:aws:iam::$B:user/Sonali"
ok "B lists its users" bossB iam list-users
grep -q "user/admin" "$T/out" && fail "B does not see A's users" || pass "B does not see A's users"
ok "A makes MyDemoRepo" admin codecommit create-repository --repository-name MyDemoRepo
fails_with "B does not see A's repository" RepositoryDoesNotExistException bossB codecommit \
	get-repository --repository-name MyDemoRepo
ok "A makes a customer managed policy" admin iam create-policy --policy-name APolicy \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
fails_with "B cannot attach A's policy" NoSuchEntity bossB iam attach-user-policy \
	--user-name Sonali --policy-arn "arn:aws:iam::$ACCOUNT:policy/APolicy"
fails_with "B cannot read A's user" NoSuchEntity bossB iam get-user --user-name admin
finish
