#!/bin/bash
# SigV4 as the SDKs sign it: header and presigned forms, unsigned payloads,
# clock skew, tampering, bad keys; protocol errors in AWS's own shape; and
# that a refused request changes nothing.
. "$(dirname "$0")/lib.sh"
start_server
"$PY" "$(dirname "$0")/sigv4_probe.py" "$ENDPOINT" "$ADMIN_KEY" "$ADMIN_SECRET" >"$T/probe" 2>&1
while read -r line; do
	case "$line" in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) echo "#   ${line#not ok - }"; E2E_FAIL=$((E2E_FAIL + 1)); echo "$line" ;;
	*"failed checks") ;;
	*) echo "#   $line" ;;
	esac
done <"$T/probe"
grep -q "failed checks" "$T/probe" || fail "the probe ran to its end"
finish
