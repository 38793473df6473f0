#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh SECONDS TARGET... - run each libFuzzer target (built in build/fuzz)
# for SECONDS over a copy of its seed corpus (tests/fuzz/corpus/NAME for
# fuzz_NAME); print the executions of each, then "N passed, N failed" over
# the targets.  New inputs go to a scratch directory, never into the tree;
# a crash keeps its input and log there.
#
# Environment:
#   FUZZ_JOBS  targets run at once (default: the number of CPUs); each is
#              one process on one CPU, so the executions per target are
#              about the same as one at a time, in less wall time.
#   FUZZ_RUNS  run each target for exactly this many executions instead of
#              for SECONDS (a long campaign: FUZZ_RUNS=10000000).
set -u
secs=$1; shift
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
runs=${FUZZ_RUNS:-}
passed=0
failed=0
declare -A work

if [ $# -eq 0 ]; then
	echo "not ok - fuzz: no targets given"
	echo "0 passed, 1 failed"
	exit 1
fi

# seed_dir TARGET: its seed corpus; a codec build's twin (fuzz_hdlc_portable,
# fuzz_hdlc_sse2) shares the seeds of the target it is built from
seed_dir() {
	local n=${1#fuzz_}
	n=${n%_portable}
	echo "tests/fuzz/corpus/${n%_sse2}"
}

# one TARGET WORKDIR: a run; its output in WORKDIR/log, its status in WORKDIR/rc
one() {
	local t=$1 w=$2 seeds limit
	seeds=$(seed_dir "$t")
	[ -d "$seeds" ] || seeds=
	if [ -n "$runs" ]; then limit=-runs=$runs; else limit=-max_total_time=$secs; fi
	# shellcheck disable=SC2086
	"build/fuzz/$t" "$limit" -print_final_stats=1 -rss_limit_mb=1024 \
		-artifact_prefix="$w/" "$w/corpus" $seeds > "$w/log" 2>&1
	echo $? > "$w/rc"
}

for t in "$@"; do
	if [ ! -x "build/fuzz/$t" ]; then
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	work[$t]=$(mktemp -d /tmp/pptp-fuzz.XXXXXX)
	mkdir "${work[$t]}/corpus"
	one "$t" "${work[$t]}" &
done
wait

for t in "$@"; do
	name=${t#fuzz_}
	if [ -z "${work[$t]:-}" ]; then
		echo "not ok - fuzz $name: build/fuzz/$t was not built"
		failed=$((failed + 1))
		continue
	fi
	w=${work[$t]}
	rc=$(cat "$w/rc" 2>/dev/null || echo '?')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log")
	how=${runs:+"-runs=$runs"}
	how=${how:-"${secs}s"}
	seeds=$(seed_dir "$t")
	[ -d "$seeds" ] || echo "# fuzz $name: no seed corpus ($seeds)"
	if [ "$rc" = 0 ]; then
		echo "ok - fuzz $name: ${execs:-?} executions ($how), no crash"
		passed=$((passed + 1))
		rm -rf "$w"
	else
		echo "not ok - fuzz $name: crashed (exit $rc); input and log kept in $w"
		failed=$((failed + 1))
		grep -E 'invariant broken|ERROR|SUMMARY|==[0-9]+==' "$w/log" | head -5 | sed 's/^/    | /'
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
