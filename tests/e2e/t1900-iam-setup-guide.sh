#!/bin/bash
# The IAM part of the CodeCommit setup guide, done twice: with the AWS CLI
# and with boto3.  Create Sonali, attach AWSCodeCommitPowerUser, give her an
# access key, Git credentials and an SSH key, list each, then delete each.
. "$(dirname "$0")/lib.sh"
start_server

ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "attach AWSCodeCommitPowerUser" admin iam attach-user-policy --user-name Sonali \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "list-attached-user-policies" admin iam list-attached-user-policies --user-name Sonali
expect_eq "the power-user policy is attached" "$(out_get AttachedPolicies.0.PolicyName)" AWSCodeCommitPowerUser
ok "create-access-key" admin iam create-access-key --user-name Sonali
KEY=$(out_get AccessKey.AccessKeyId)
ok "create-service-specific-credential" admin iam create-service-specific-credential \
	--user-name Sonali --service-name codecommit.amazonaws.com
CRED=$(out_get ServiceSpecificCredential.ServiceSpecificCredentialId)
expect_eq "the Git user name is Sonali-at-ACCOUNT" \
	"$(out_get ServiceSpecificCredential.ServiceUserName)" "Sonali-at-$ACCOUNT"
[ -n "$(out_get ServiceSpecificCredential.ServicePassword)" ] && pass "the Git password is shown once" ||
	fail "the Git password is shown once"
ssh-keygen -q -t rsa -b 2048 -N "" -C sonali -f "$T/id_rsa"
ok "upload-ssh-public-key" admin iam upload-ssh-public-key --user-name Sonali \
	--ssh-public-key-body "file://$T/id_rsa.pub"
SSHID=$(out_get SSHPublicKey.SSHPublicKeyId)
expect_eq "the SSH key id starts with APKA" "$(echo "$SSHID" | cut -c1-4)" APKA
ok "list-access-keys" admin iam list-access-keys --user-name Sonali
expect_eq "the access key is listed" "$(out_get AccessKeyMetadata.0.AccessKeyId)" "$KEY"
ok "list-service-specific-credentials" admin iam list-service-specific-credentials --user-name Sonali
expect_eq "the Git credential is listed" "$(out_get ServiceSpecificCredentials.0.ServiceSpecificCredentialId)" "$CRED"
ok "list-ssh-public-keys" admin iam list-ssh-public-keys --user-name Sonali
expect_eq "the SSH key is listed" "$(out_get SSHPublicKeys.0.SSHPublicKeyId)" "$SSHID"
ok "delete-ssh-public-key" admin iam delete-ssh-public-key --user-name Sonali --ssh-public-key-id "$SSHID"
ok "delete-service-specific-credential" admin iam delete-service-specific-credential \
	--user-name Sonali --service-specific-credential-id "$CRED"
ok "delete-access-key" admin iam delete-access-key --user-name Sonali --access-key-id "$KEY"
ok "detach-user-policy" admin iam detach-user-policy --user-name Sonali \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
ok "delete-user" admin iam delete-user --user-name Sonali

# read-only administrators: IAMReadOnlyAccess lists but cannot create
ok "create-user Auditor" admin iam create-user --user-name Auditor
ok "attach IAMReadOnlyAccess" admin iam attach-user-policy --user-name Auditor \
	--policy-arn arn:aws:iam::aws:policy/IAMReadOnlyAccess
ok "create-access-key for Auditor" admin iam create-access-key --user-name Auditor
add_profile auditor "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "the auditor can list users" auditor iam list-users
fails_with "the auditor cannot create users" AccessDenied auditor iam create-user --user-name X

# the same walkthrough with boto3
"$PY" - "$ENDPOINT" "$ADMIN_KEY" "$ADMIN_SECRET" "$T/id_rsa.pub" >"$T/boto" 2>&1 <<'PYEOF'
import sys, boto3
ep, k, s, pub = sys.argv[1:5]
iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1",
                   aws_access_key_id=k, aws_secret_access_key=s)
def step(name, ok):
    print(("ok - boto3: " if ok else "not ok - boto3: ") + name)
u = iam.create_user(UserName="Sonali")["User"]
step("create_user", u["UserName"] == "Sonali" and u["Arn"].endswith(":user/Sonali"))
iam.attach_user_policy(UserName="Sonali", PolicyArn="arn:aws:iam::aws:policy/AWSCodeCommitPowerUser")
att = iam.list_attached_user_policies(UserName="Sonali")["AttachedPolicies"]
step("attach_user_policy", [a["PolicyName"] for a in att] == ["AWSCodeCommitPowerUser"])
key = iam.create_access_key(UserName="Sonali")["AccessKey"]
step("create_access_key", key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40)
cred = iam.create_service_specific_credential(UserName="Sonali", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
step("create_service_specific_credential", cred["ServiceUserName"].startswith("Sonali-at-"))
ssh = iam.upload_ssh_public_key(UserName="Sonali", SSHPublicKeyBody=open(pub).read())["SSHPublicKey"]
step("upload_ssh_public_key", ssh["SSHPublicKeyId"].startswith("APKA") and ssh["Status"] == "Active")
step("list_access_keys", [m["AccessKeyId"] for m in iam.list_access_keys(UserName="Sonali")["AccessKeyMetadata"]] == [key["AccessKeyId"]])
step("list_service_specific_credentials", len(iam.list_service_specific_credentials(UserName="Sonali")["ServiceSpecificCredentials"]) == 1)
step("list_ssh_public_keys", len(iam.list_ssh_public_keys(UserName="Sonali")["SSHPublicKeys"]) == 1)
iam.delete_ssh_public_key(UserName="Sonali", SSHPublicKeyId=ssh["SSHPublicKeyId"])
iam.delete_service_specific_credential(UserName="Sonali", ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])
iam.delete_access_key(UserName="Sonali", AccessKeyId=key["AccessKeyId"])
iam.detach_user_policy(UserName="Sonali", PolicyArn="arn:aws:iam::aws:policy/AWSCodeCommitPowerUser")
iam.delete_user(UserName="Sonali")
try:
    iam.get_user(UserName="Sonali")
    step("delete_user", False)
except iam.exceptions.NoSuchEntityException:
    step("delete_user (NoSuchEntityException afterwards)", True)
PYEOF
while read -r line; do
	case "$line" in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	*) echo "#   $line" ;;
	esac
done <"$T/boto"
expect_eq "boto3 ran every step" "$(grep -c "^ok - boto3" "$T/boto")" 9
finish
