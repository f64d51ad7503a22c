#!/bin/sh
# setup-debian.sh - install the Debian 12 packages commitd needs to build,
# run and test.  Idempotent and quick when everything is already there.
# `setup-debian.sh fuzz` also installs clang and its libFuzzer runtime, which
# only `make fuzz` needs (`make test` replays the corpora with gcc).
set -eu

PKGS="build-essential pkg-config git curl ca-certificates openssh-client openssl
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libssl-dev libargon2-dev
libgit2-dev zlib1g-dev libssh-dev libqrencode-dev liboath-dev libcurl4-openssl-dev awscli python3 python3-boto3 python3-cryptography wrk"
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "setup: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
