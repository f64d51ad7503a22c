#!/bin/bash
# The client tools in C (tools/): git-remote-codecommit with codecommit://
# URLs and git-credential-commitd, driven by plain git against a real
# commitd, with credentials from every source the AWS CLI reads: the
# default profile, a named one, an explicit region, an assumed role,
# credential_process and the environment.  The credential helper's password
# is compared with what `aws codecommit credential-helper` prints.
. "$(dirname "$0")/lib.sh"
start_server
git_setup
TOOLBIN=${TOOLBIN:-$TOP/build/san/bin}
export PATH=$TOOLBIN:$PATH
export XDG_CACHE_HOME=$T/cache
HOSTPORT=${ENDPOINT#http://}
unset AWS_DEFAULT_REGION

[ -x "$TOOLBIN/git-remote-codecommit" ] && pass "git-remote-codecommit is built" ||
	fail "git-remote-codecommit is built"

ok "create-repository MyDemoRepo" admin codecommit create-repository --repository-name MyDemoRepo
ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "Sonali may use CodeCommit" admin iam attach-user-policy --user-name Sonali \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "an access key for Sonali" admin iam create-access-key --user-name Sonali
SKEY=$(out_get AccessKey.AccessKeyId)
SSECRET=$(out_get AccessKey.SecretAccessKey)

# her keys as the default profile and as profile "sonali", each with the server as endpoint
cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $SKEY
aws_secret_access_key = $SSECRET

[sonali]
; a comment, and spaces around a key
aws_access_key_id=$SKEY
aws_secret_access_key   =   $SSECRET
EOF
cat >>"$AWS_CONFIG_FILE" <<EOF
[default]
region = us-east-1
endpoint_url = $ENDPOINT

[profile sonali]
region = us-east-1
endpoint_url = $ENDPOINT
EOF

# --- the default profile -----------------------------------------------------
gitok "git clone codecommit://MyDemoRepo (default profile)" clone codecommit://MyDemoRepo "$T/d1"
echo "first" >"$T/d1/README.md"
git -C "$T/d1" add README.md && git -C "$T/d1" commit -qm first
gitok "push through codecommit://" -C "$T/d1" push origin HEAD:main
ok "the server has the commit" admin codecommit get-branch --repository-name MyDemoRepo \
	--branch-name main
expect_eq "... the same commit" "$(out_get branch.commitId)" \
	"$(git -C "$T/d1" rev-parse HEAD 2>/dev/null || echo none)"

# --- a named profile, then an explicit region ----------------------------------
gitok "git clone codecommit://sonali@MyDemoRepo" clone codecommit://sonali@MyDemoRepo "$T/n1"
expect_eq "... has the file" "$(cat "$T/n1/README.md" 2>/dev/null)" first
echo "second" >>"$T/n1/README.md"
git -C "$T/n1" commit -qam second
gitok "push with the named profile" -C "$T/n1" push origin HEAD:main
gitok "pull into the first clone" -C "$T/d1" pull -q origin main
expect_eq "... brings the second commit" "$(tail -n1 "$T/d1/README.md")" second
gitok "git clone codecommit::us-east-1://sonali@MyDemoRepo" \
	clone codecommit::us-east-1://sonali@MyDemoRepo "$T/r1"
gitfails "another region's signature is refused by the server" "" \
	clone codecommit::eu-west-1://sonali@MyDemoRepo "$T/r2"

# --- the environment -------------------------------------------------------------
(
	export AWS_SHARED_CREDENTIALS_FILE=$T/none AWS_CONFIG_FILE=$T/none
	export AWS_ACCESS_KEY_ID=$SKEY AWS_SECRET_ACCESS_KEY=$SSECRET AWS_REGION=us-east-1
	export CODE_COMMIT_ENDPOINT=$ENDPOINT
	gitok "environment credentials and CODE_COMMIT_ENDPOINT" clone codecommit://MyDemoRepo "$T/e1"
	echo "$E2E_PASS $E2E_FAIL" >"$T/counts"
)
read -r E2E_PASS E2E_FAIL <"$T/counts"
(
	export AWS_ACCESS_KEY_ID=AKIANOTAKEYATALL0000 AWS_SECRET_ACCESS_KEY=wrong
	gitok "a profile named in the URL wins over environment credentials" \
		clone codecommit://sonali@MyDemoRepo "$T/e2"
	AWS_PROFILE=sonali gitfails "environment credentials win over AWS_PROFILE (as in the AWS CLI)" "" \
		-c core.askPass=false clone codecommit://MyDemoRepo "$T/e3"
	echo "$E2E_PASS $E2E_FAIL" >"$T/counts"
)
read -r E2E_PASS E2E_FAIL <"$T/counts"

# --- credential_process ------------------------------------------------------------
cat >"$T/creds.sh" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$SKEY" "$SSECRET"
EOF
chmod +x "$T/creds.sh"
printf '[profile proc]\nregion = us-east-1\nendpoint_url = %s\ncredential_process = "%s" --any "arg with spaces"\n' \
	"$ENDPOINT" "$T/creds.sh" >>"$AWS_CONFIG_FILE"
gitok "credential_process" clone codecommit://proc@MyDemoRepo "$T/p1"

# --- an assumed role -----------------------------------------------------------------
cat >"$T/trust.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:user/Sonali"}, "Action": "sts:AssumeRole"}]}
EOF
ok "create-role Developer" admin iam create-role --role-name Developer \
	--assume-role-policy-document "file://$T/trust.json"
ok "the role may use CodeCommit" admin iam attach-role-policy --role-name Developer \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "Sonali may assume it" admin iam put-user-policy --user-name Sonali --policy-name assume \
	--policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::$ACCOUNT:role/Developer\"}]}"
printf '[profile dev]\nregion = us-east-1\nendpoint_url = %s\nrole_arn = arn:aws:iam::%s:role/Developer\nsource_profile = sonali\nrole_session_name = sonali-dev\n' \
	"$ENDPOINT" "$ACCOUNT" >>"$AWS_CONFIG_FILE"
gitok "git clone codecommit://dev@MyDemoRepo (role_arn + source_profile)" \
	clone codecommit://dev@MyDemoRepo "$T/a1"
echo "from the role" >"$T/a1/role.txt"
git -C "$T/a1" add role.txt && git -C "$T/a1" commit -qm role
gitok "push as the role" -C "$T/a1" push origin HEAD:main
ls "$XDG_CACHE_HOME"/commitd/sts/*.json >/dev/null 2>&1 && pass "the role session is cached" ||
	fail "the role session is cached"
expect_eq "... readable by its owner only" \
	"$(stat -c %a "$XDG_CACHE_HOME"/commitd/sts/*.json 2>/dev/null | head -n1)" 600
gitok "a second clone as the role" clone codecommit://dev@MyDemoRepo "$T/a2"
ok "the trail's AssumeRole events" admin cloudtrail lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole
expect_eq "... one AssumeRole for the clone, the push and the second clone (the cache)" \
	"$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Events"]))' "$T/out")" 1
ok "the push is the role's in the trail" admin cloudtrail lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=GitPush --max-results 1
grep -q 'assumed-role/Developer/sonali-dev' "$T/out" && pass "... as assumed-role/Developer/sonali-dev" ||
	fail "... as assumed-role/Developer/sonali-dev"

# --- clear errors ----------------------------------------------------------------------
gitfails "a missing profile" "The config profile (nosuch) could not be found" \
	clone codecommit://nosuch@MyDemoRepo "$T/x1"
printf '[profile noregion]\nendpoint_url = %s\n' "$ENDPOINT" >>"$AWS_CONFIG_FILE"
printf '[noregion]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$SKEY" "$SSECRET" \
	>>"$AWS_SHARED_CREDENTIALS_FILE"
gitfails "a profile without a region" "does not have an AWS Region: noregion" \
	clone codecommit://noregion@MyDemoRepo "$T/x2"
gitok "... which the URL can name" clone codecommit::us-east-1://noregion@MyDemoRepo "$T/x3"
printf '[profile nocreds]\nregion = us-east-1\nendpoint_url = %s\n' "$ENDPOINT" >>"$AWS_CONFIG_FILE"
gitfails "a profile without credentials" "Unable to locate credentials" \
	clone codecommit://nocreds@MyDemoRepo "$T/x4"
gitfails "a URL with a path after the repository" "The following URL is malformed" \
	clone codecommit://MyDemoRepo/../../etc "$T/x5"
gitfails "a URL with an unknown region form" "The following URL is malformed" \
	clone codecommit::notaregion://MyDemoRepo "$T/x6"
gitfails "a repository that does not exist" "" clone codecommit://sonali@NoSuchRepo "$T/x7"
cp "$AWS_CONFIG_FILE" "$T/config.good"
printf 'this line has no equals sign\n' >>"$AWS_CONFIG_FILE"
gitfails "a malformed config file, with its line" "line" clone codecommit://sonali@MyDemoRepo "$T/x8"
cp "$T/config.good" "$AWS_CONFIG_FILE"
(
	export AWS_CONFIG_FILE=$T/adirectory
	mkdir -p "$AWS_CONFIG_FILE"
	gitfails "an unreadable config file" "adirectory" clone codecommit://sonali@MyDemoRepo "$T/x9"
	echo "$E2E_PASS $E2E_FAIL" >"$T/counts"
)
read -r E2E_PASS E2E_FAIL <"$T/counts"
git-remote-codecommit >"$T/gout" 2>&1
[ $? -ne 0 ] && grep -q "Too few arguments" "$T/gout" && pass "the helper run by hand says how it is run" ||
	fail "the helper run by hand says how it is run"
git-remote-codecommit --help >"$T/gout" 2>&1 && grep -q "codecommit::ap-northeast-1://MyDemoRepo" "$T/gout" &&
	pass "git-remote-codecommit --help" || fail "git-remote-codecommit --help"

# --- the credential helper -------------------------------------------------------------
CLONE_URL=$ENDPOINT/v1/repos/MyDemoRepo
gitok "credential.helper commitd clones over HTTP" -c credential.useHttpPath=true \
	-c "credential.helper=commitd --profile sonali --host $HOSTPORT" clone "$CLONE_URL" "$T/c1"
echo "helper" >"$T/c1/helper.txt"
git -C "$T/c1" add helper.txt && git -C "$T/c1" commit -qm helper
gitok "... and pushes" -c credential.useHttpPath=true \
	-c "credential.helper=commitd --profile sonali --host $HOSTPORT" -C "$T/c1" push origin HEAD:main
gitok "commitd credential-helper, the same from the server's binary" -c credential.useHttpPath=true \
	-c "credential.helper=!\"$COMMITD\" credential-helper --profile sonali --ignore-host-check" \
	clone "$CLONE_URL" "$T/c2"
gitfails "a host not configured gets no answer" "" -c credential.useHttpPath=true \
	-c "credential.helper=commitd --profile sonali" clone "$CLONE_URL" "$T/c3"
printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" |
	git-credential-commitd --host "$HOSTPORT" get >"$T/gout" 2>&1
grep -q "credential.useHttpPath" "$T/gout" && pass "no path: the helper says to set useHttpPath" ||
	fail "no path: the helper says to set useHttpPath"
head -c 100000 /dev/zero | tr '\0' 'a' | git-credential-commitd --ignore-host-check get >"$T/gout" 2>&1
[ $? -ne 0 ] && grep -q "too long" "$T/gout" && pass "an overlong request is refused" ||
	fail "an overlong request is refused"
printf 'protocol=http\nhost=h\npath=p\n\n' | git-credential-commitd store >"$T/gout" 2>&1 &&
	[ ! -s "$T/gout" ] && pass "store keeps nothing and says nothing" || fail "store keeps nothing and says nothing"

# the same user name and password as the AWS CLI's helper, for the same second
same=no
for _ in 1 2 3 4 5; do
	printf 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/MyDemoRepo\n\n' >"$T/req"
	# the AWS CLI takes its time stamp late in its start-up: it goes first
	"$AWS" --profile sonali codecommit credential-helper get <"$T/req" >"$T/theirs" 2>&1
	git-credential-commitd --profile sonali get <"$T/req" >"$T/ours" 2>&1
	a=$(sed -n 's/^password=\(.\{16\}\).*/\1/p' "$T/ours")
	b=$(sed -n 's/^password=\(.\{16\}\).*/\1/p' "$T/theirs")
	[ -n "$a" ] && [ "$a" = "$b" ] || continue # another second: try again
	cmp -s "$T/ours" "$T/theirs" && same=yes
	break
done
expect_eq "the password equals aws codecommit credential-helper's" "$same" yes
printf 'protocol=http\nhost=%s\npath=v1/repos/MyDemoRepo\n\n' "$HOSTPORT" >"$T/req"
same=no
for _ in 1 2 3 4 5; do
	"$AWS" --profile sonali codecommit credential-helper --ignore-host-check get <"$T/req" >"$T/theirs" 2>&1
	git-credential-commitd --profile sonali --ignore-host-check get <"$T/req" >"$T/ours" 2>&1
	a=$(sed -n 's/^password=\(.\{16\}\).*/\1/p' "$T/ours")
	b=$(sed -n 's/^password=\(.\{16\}\).*/\1/p' "$T/theirs")
	[ -n "$a" ] && [ "$a" = "$b" ] || continue
	cmp -s "$T/ours" "$T/theirs" && same=yes
	break
done
expect_eq "... for a host with a port (--ignore-host-check)" "$same" yes

# --- make install-tools ------------------------------------------------------------------
if make -s -C "$TOP" install-tools DESTDIR="$T/inst" PREFIX=/usr >"$T/gout" 2>&1 &&
	[ -x "$T/inst/usr/bin/git-remote-codecommit" ] && [ -x "$T/inst/usr/bin/git-credential-commitd" ]; then
	pass "make install-tools installs both programs"
else
	sed 's/^/#   /' "$T/gout" | tail -5
	fail "make install-tools installs both programs"
fi
for m in git-remote-codecommit git-credential-commitd; do
	grep -q "^\.TH $(echo "$m" | tr a-z A-Z) 1" "$T/inst/usr/share/man/man1/$m.1" 2>/dev/null &&
		pass "... and the man page of $m" || fail "... and the man page of $m"
done
"$T/inst/usr/bin/git-credential-commitd" --help | grep -q "useHttpPath" &&
	pass "git-credential-commitd --help" || fail "git-credential-commitd --help"

finish
