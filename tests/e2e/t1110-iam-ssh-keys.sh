#!/bin/bash
# SSH public keys through the AWS CLI: upload ed25519 and RSA keys made by
# ssh-keygen (OpenSSH and PEM forms), fingerprints, both encodings of
# get-ssh-public-key, status, the 5-key quota and the refusals.
. "$(dirname "$0")/lib.sh"
start_server

count() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$T/out" "$1"; }
keygen() { ssh-keygen -q -N '' -C "$3" -t "$1" ${4:+-b "$4"} -f "$T/$2" >/dev/null; }
md5fp() { ssh-keygen -l -E md5 -f "$1" | awk '{print $2}' | sed 's/^MD5://'; }

keygen ed25519 ed "sonali@laptop"
keygen rsa rsa 'sonali@desk' 2048
keygen rsa weak 'weak' 1024
keygen ecdsa ec 'ec'

ok "create-user Sonali" admin iam create-user --user-name Sonali
ok "upload an ed25519 key" admin iam upload-ssh-public-key --user-name Sonali \
	--ssh-public-key-body "file://$T/ed.pub"
K1=$(out_get SSHPublicKey.SSHPublicKeyId)
expect_eq "the key id is APKA and 20 characters" "$(echo "$K1" | cut -c1-4) ${#K1}" "APKA 20"
expect_eq "the key is active" "$(out_get SSHPublicKey.Status)" Active
expect_eq "the key names its user" "$(out_get SSHPublicKey.UserName)" Sonali
expect_eq "the fingerprint is ssh-keygen's MD5" "$(out_get SSHPublicKey.Fingerprint)" "$(md5fp "$T/ed.pub")"
expect_eq "the body is the key as uploaded" "$(out_get SSHPublicKey.SSHPublicKeyBody)" "$(cat "$T/ed.pub")"

ok "upload an RSA-2048 key" admin iam upload-ssh-public-key --user-name Sonali \
	--ssh-public-key-body "file://$T/rsa.pub"
K2=$(out_get SSHPublicKey.SSHPublicKeyId)
expect_eq "the RSA fingerprint" "$(out_get SSHPublicKey.Fingerprint)" "$(md5fp "$T/rsa.pub")"

fails_with "the same key twice is refused" DuplicateSSHPublicKey admin iam upload-ssh-public-key \
	--user-name Sonali --ssh-public-key-body "file://$T/ed.pub"
ssh-keygen -e -m PKCS8 -f "$T/rsa.pub" >"$T/rsa.pem"
fails_with "the same key in PEM form is a duplicate too" DuplicateSSHPublicKey admin iam \
	upload-ssh-public-key --user-name Sonali --ssh-public-key-body "file://$T/rsa.pem"
fails_with "a 1024-bit RSA key is refused" InvalidPublicKey admin iam upload-ssh-public-key \
	--user-name Sonali --ssh-public-key-body "file://$T/weak.pub"
grep -q "2048" "$T/err" && pass "the refusal says 2048 bits" || fail "the refusal says 2048 bits"
fails_with "an ECDSA key is not recognized" UnrecognizedPublicKeyEncoding admin iam \
	upload-ssh-public-key --user-name Sonali --ssh-public-key-body "file://$T/ec.pub"
fails_with "garbage is not recognized" UnrecognizedPublicKeyEncoding admin iam \
	upload-ssh-public-key --user-name Sonali --ssh-public-key-body "not a key"
fails_with "a corrupt key is invalid" InvalidPublicKey admin iam upload-ssh-public-key \
	--user-name Sonali --ssh-public-key-body "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIGl"
fails_with "a key for a missing user" NoSuchEntity admin iam upload-ssh-public-key \
	--user-name Nobody --ssh-public-key-body "file://$T/ed.pub"

# get in both encodings
ok "get-ssh-public-key SSH" admin iam get-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$K2" --encoding SSH
out_get SSHPublicKey.SSHPublicKeyBody >"$T/got.pub"
expect_eq "SSH encoding gives the OpenSSH key" "$(md5fp "$T/got.pub")" "$(md5fp "$T/rsa.pub")"
expect_eq "get shows the fingerprint" "$(out_get SSHPublicKey.Fingerprint)" "$(md5fp "$T/rsa.pub")"
ok "get-ssh-public-key PEM" admin iam get-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$K2" --encoding PEM
out_get SSHPublicKey.SSHPublicKeyBody >"$T/got.pem"
head -1 "$T/got.pem" | grep -q -- "-----BEGIN PUBLIC KEY-----" && pass "PEM encoding is a PUBLIC KEY block" ||
	fail "PEM encoding is a PUBLIC KEY block"
ssh-keygen -i -m PKCS8 -f "$T/got.pem" >"$T/back.pub" 2>/dev/null
expect_eq "the PEM key is the same key" "$(md5fp "$T/back.pub")" "$(md5fp "$T/rsa.pub")"
ok "get the ed25519 key as PEM" admin iam get-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$K1" --encoding PEM
out_get SSHPublicKey.SSHPublicKeyBody | openssl pkey -pubin -noout -text 2>/dev/null | grep -q ED25519 &&
	pass "openssl reads the ed25519 PEM" || fail "openssl reads the ed25519 PEM"
fails_with "a bad encoding is refused" ValidationError admin iam get-ssh-public-key \
	--user-name Sonali --ssh-public-key-id "$K1" --encoding DER

# a key uploaded as PEM (RSA PUBLIC KEY) for another user
ok "create-user Saurabh" admin iam create-user --user-name Saurabh
ssh-keygen -e -m PEM -f "$T/rsa.pub" >"$T/rsa1.pem"
ok "upload a PKCS#1 PEM key" admin iam upload-ssh-public-key --user-name Saurabh \
	--ssh-public-key-body "file://$T/rsa1.pem"
K3=$(out_get SSHPublicKey.SSHPublicKeyId)
expect_eq "its fingerprint matches the OpenSSH form" "$(out_get SSHPublicKey.Fingerprint)" "$(md5fp "$T/rsa.pub")"
ok "get it in SSH encoding" admin iam get-ssh-public-key --user-name Saurabh \
	--ssh-public-key-id "$K3" --encoding SSH
out_get SSHPublicKey.SSHPublicKeyBody | grep -q "^ssh-rsa AAAA" && pass "converted to ssh-rsa" ||
	fail "converted to ssh-rsa"
fails_with "Saurabh cannot see Sonali's key" NoSuchEntity admin iam get-ssh-public-key \
	--user-name Saurabh --ssh-public-key-id "$K1" --encoding SSH

# list, status
ok "list-ssh-public-keys" admin iam list-ssh-public-keys --user-name Sonali
expect_eq "two keys listed" "$(count SSHPublicKeys)" 2
grep -q UploadDate "$T/out" && pass "the list shows upload dates" || fail "the list shows upload dates"
ok "deactivate a key" admin iam update-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$K1" --status Inactive
ok "get after deactivation" admin iam get-ssh-public-key --user-name Sonali \
	--ssh-public-key-id "$K1" --encoding SSH
expect_eq "the key is inactive" "$(out_get SSHPublicKey.Status)" Inactive

# the quota of 5
for i in 1 2 3; do
	keygen ed25519 more$i "k$i"
	ok "upload key $((i + 2))" admin iam upload-ssh-public-key --user-name Sonali \
		--ssh-public-key-body "file://$T/more$i.pub"
done
keygen ed25519 sixth six
fails_with "a sixth key exceeds the quota" LimitExceeded admin iam upload-ssh-public-key \
	--user-name Sonali --ssh-public-key-body "file://$T/sixth.pub"
ok "list paginates" admin iam list-ssh-public-keys --user-name Sonali --max-items 2
expect_eq "a page of two with a NextToken" \
	"$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["SSHPublicKeys"]), "NextToken" in d)' "$T/out")" "2 True"

fails_with "a user with SSH keys cannot be deleted" DeleteConflict admin iam delete-user --user-name Saurabh
ok "delete-ssh-public-key" admin iam delete-ssh-public-key --user-name Saurabh --ssh-public-key-id "$K3"
fails_with "the deleted key is gone" NoSuchEntity admin iam delete-ssh-public-key \
	--user-name Saurabh --ssh-public-key-id "$K3"
ok "delete-user Saurabh" admin iam delete-user --user-name Saurabh
finish
