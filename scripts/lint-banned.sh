#!/bin/sh
# lint-banned.sh - refuse the C functions STYLE.md bans in src/ and tools/.
set -eu
cd "$(dirname "$0")/.."
pat='(^|[^_a-z0-9])(strcpy|strcat|sprintf|vsprintf|strncpy|strtok|gets|atoi|atol|strtol|strtoul|strtoll|strtoull)[[:space:]]*\('
if grep -rnE "$pat" src tools --include='*.c' --include='*.h' | grep -v 'lint-ok'; then
	echo "lint: banned function (see STYLE.md section 5)" >&2
	exit 1
fi
exit 0
