# bench/gitlib.sh - sourced by clone.sh and ssh.sh: the same Git workload
# against commitd and a baseline, interleaved, and the report.
#
#   git_workload NAME CC_URL BASE_URL   clone, fetch, push; timings into $T
#   git_report WHAT BASE_LABEL          median of each side, ratio, difference
#
# Needs T, RUNS, FAST_RUNS and BENCH_NAME set; writes $T/{clone,fetch,push}.{cc,base}.

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timed() { # timed CMD...: seconds, or exits when CMD fails
	local t0 t1
	t0=$(now)
	"$@" >"$T/cmd.out" 2>&1 || { echo "$BENCH_NAME: failed: $*" >&2; tail -5 "$T/cmd.out" >&2; exit 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

git_workload() {
	local cc=$1 base=$2 i w
	for w in clone fetch push; do : >"$T/$w.cc"; : >"$T/$w.base"; done
	for i in $(seq "$RUNS"); do
		rm -rf "$T/c"
		timed git clone -q --bare "$cc" "$T/c" >>"$T/clone.cc"
		rm -rf "$T/c"
		timed git clone -q --bare "$base" "$T/c" >>"$T/clone.base"
	done
	rm -rf "$T/c"
	git clone -q "$cc" "$T/wc"
	git clone -q "$base" "$T/wn"
	for i in $(seq "$FAST_RUNS"); do
		timed git -C "$T/wc" fetch -q origin >>"$T/fetch.cc"
		timed git -C "$T/wn" fetch -q origin >>"$T/fetch.base"
		for w in wc wn; do
			echo "$i" >"$T/$w/bench-$i.txt"
			git -C "$T/$w" add "bench-$i.txt"
			git -C "$T/$w" commit -qm "bench $i"
		done
		timed git -C "$T/wc" push -q origin HEAD >>"$T/push.cc"
		timed git -C "$T/wn" push -q origin HEAD >>"$T/push.base"
	done
}

git_report() { # git_report WHAT BASE_LABEL
	local c n
	c=$(median <"$T/$1.cc")
	n=$(median <"$T/$1.base")
	printf '%-6s commitd %8.1f ms   %s %8.1f ms   ratio %.3f   difference %+.1f ms\n' \
		"$1" "$(echo "$c * 1000" | bc -l)" "$2" "$(echo "$n * 1000" | bc -l)" \
		"$(echo "$c / $n" | bc -l)" "$(echo "($c - $n) * 1000" | bc -l)"
}
