#!/bin/sh
# check-layers.sh - the dependency direction of DESIGN.md section 2: a folder
# may include the public header of a folder below it, never one above it,
# and never another folder's private header.
set -eu
cd "$(dirname "$0")/.."

# folder: the folders it may include
allowed() {
	case "$1" in
	core) echo "" ;;
	store) echo "core" ;;
	policy) echo "core" ;;
	auth) echo "core store" ;;
	audit) echo "core store" ;;
	aws) echo "core store policy auth audit" ;;
	git) echo "core store policy auth audit aws" ;;
	iam|sts|codecommit|cloudtrail) echo "core store policy auth audit aws git" ;;
	console) echo "core store policy auth audit aws iam" ;;
	ssh) echo "core store policy auth audit aws git" ;;
	http) echo "core store policy auth audit aws git iam sts codecommit cloudtrail console" ;;
	*) echo "" ;;
	esac
}

bad=0
for dir in src/*/; do
	f=$(basename "$dir")
	ok=$(allowed "$f")
	for inc in $(grep -ho '#include "[a-z_]*/[a-z_0-9]*\.h"' "$dir"*.c "$dir"*.h 2>/dev/null |
		sed 's/#include "\(.*\)"/\1/' | sort -u); do
		d=${inc%%/*}
		h=${inc#*/}
		[ "$d" = "$f" ] && continue
		if [ "$h" != "$d.h" ]; then
			echo "layers: src/$f includes $inc, a private header of src/$d" >&2
			bad=1
			continue
		fi
		case " $ok " in
		*" $d "*) ;;
		*) echo "layers: src/$f may not include $inc" >&2; bad=1 ;;
		esac
	done
done
exit $bad
