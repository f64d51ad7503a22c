#!/bin/bash
# run.sh - every test: the C unit tests, the botocore round-trip check, the
# fuzz corpora replayed by build/san/fuzz-<parser> (tests/fuzz), and
# each end-to-end test in tests/e2e against a real server (sanitizer build).
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
failed_names=()

count() { # output-file name
	local p f
	p=$(tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	f=$(tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	if [ -z "$p" ]; then
		echo "# $2: no summary line; counted as one failure"
		p=0
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names+=("$2")
	return 0
}

out=$(mktemp)
echo "# unit tests"
build/san/unit-tests >"$out" 2>&1
grep -v '^ok ' "$out"
count "$out" unit

for t in tests/unit/*/*.py; do
	[ -e "$t" ] || continue
	echo "# $t"
	if /usr/bin/python3 "$t" >"$out" 2>&1; then
		passed=$((passed + 1))
	else
		cat "$out"
		failed=$((failed + 1))
		failed_names+=("$t")
	fi
done

# each fuzz target replays its corpus (one pass per input that does not crash)
for t in tests/fuzz/fuzz_*.c; do
	[ -e "$t" ] || continue
	name=${t#tests/fuzz/fuzz_}
	name=${name%.c}
	echo "# fuzz corpus $name"
	if ! build/san/fuzz-"$name" tests/fuzz/corpus/"$name" >"$out" 2>&1; then
		# a crash (sanitizer report) or a leak at exit: one more failure
		echo "$(grep -c '^ok ' "$out") passed, 1 failed" >>"$out"
	fi
	grep -v '^ok ' "$out" | grep -v 'passed, .* failed$'
	count "$out" "fuzz-$name"
done

for t in tests/e2e/t[0-9]*.sh; do
	[ -e "$t" ] || continue
	if [ -n "${ONLY:-}" ] && [[ "$t" != *"$ONLY"* ]]; then continue; fi
	echo "# $t"
	timeout 600 bash "$t" >"$out" 2>&1
	grep -v '^ok ' "$out" | grep -v 'passed, .* failed$'
	count "$out" "$t"
done
rm -f "$out"
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failing: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
