#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cg.sh - only the instructions-per-frame runs of bench.sh (callgrind):
# the same set-up, workloads and slope (bench.sh's cg_run; the slope of
# its ir_per_frame),
# without the throughput runs that pin both CPUs.  Instruction counts do
# not depend on the machine's load, so this can run on a busy machine.
#
#   bench/cg.sh                         (as root; `make bench` builds what it needs)
#   WHO=ours SIZES=64 DIRS=up bench/cg.sh
#   PROFILE=25 bench/cg.sh              (also each function's instructions per frame)
#
# Settings: those of bench.sh (SIZES DIRS CG_FRAMES CG_RATE_64 CG_RATE_1400
# OURS REF KEEP), WHO ("ref ours"), PROFILE (how many functions to list per
# run, the most costly first; 0: none).
#
# PROFILE: callgrind_annotate's exclusive count of each function, summed
# over the client's processes, taken as a slope like the total: (count in
# the run of CG_FRAMES frames - count in the run of a tenth as many) /
# (frames delivered in each).  So what a frame costs is shown function by
# function, and what start-up and call set-up cost cancels out.
set -u
WHO=${WHO:-ref ours}
PROFILE=${PROFILE:-0}
BENCH_LIB=1
# shellcheck source=bench/bench.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench.sh"

if [ "$PROFILE" != 0 ] && ! command -v callgrind_annotate >/dev/null; then
	die "callgrind_annotate is missing (it comes with valgrind)"
fi

# fakeppp waits longer for the end of a downstream step: under callgrind on
# a busy machine the server or the client may pause for more than the
# default half second, which would end the step early.
REAL_FAKEPPP=$FAKEPPP
FAKEPPP=$WORK/fakeppp
printf '#!/bin/sh\nexec %s --sink-quiet %s "$@"\n' "$REAL_FAKEPPP" "${SINK_QUIET:-3}" >"$FAKEPPP"
chmod +x "$FAKEPPP"

# fn_counts PREFIX: "Ir function" per line, summed over the run's files
# (each function as callgrind_annotate names it, without its object).
fn_counts() {
	local f
	for f in "$1".cg.*; do
		[ -f "$f" ] || continue
		callgrind_annotate --inclusive=no --auto=no --threshold=100 "$f" 2>/dev/null
	done | awk '/^ *[0-9,]+ +\( *[0-9.]+%\) +/ && !/PROGRAM TOTALS/ {
			ir = $1; gsub(",", "", ir)
			fn = $0
			sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", fn)
			sub(/ \[[^]]*\]$/, "", fn)
			sub(/^.*:/, "", fn)
			s[fn] += ir
		}
		END { for (f in s) print s[f], f }'
}

# profile DIR SIZE WHO N0 N1: the N most costly functions per frame.
profile() {
	local dir=$1 size=$2 who=$3 n0=$4 n1=$5 short long
	short=$WORK/cg-$dir-$size-$((CG_FRAMES / 10))-$who
	long=$WORK/cg-$dir-$size-$CG_FRAMES-$who
	echo
	echo "$dir $size B, $who: instructions per frame, function by function (exclusive)"
	echo
	echo "| Ir/frame | function |"
	echo "|---:|---|"
	awk -v d="$((n1 - n0))" -v top="$PROFILE" '
		FNR == NR { a[$2] = $1; next }
		{ b[$2] = $1 }
		END {
			for (f in b) v[f] = (b[f] - a[f]) / d
			for (f in a) if (!(f in b)) v[f] = -a[f] / d
			n = 0
			for (f in v) { k[++n] = f }
			# the largest first (a selection: the lists are short)
			for (i = 1; i <= n && i <= top; i++) {
				m = i
				for (j = i + 1; j <= n; j++) if (v[k[j]] > v[k[m]]) m = j
				t = k[i]; k[i] = k[m]; k[m] = t
				printf "| %.0f | %s |\n", v[k[i]], k[i]
				sum += v[k[i]]
			}
			for (f in v) all += v[f]
			printf "| %.0f | (all functions) |\n", all
		}' <(fn_counts "$short") <(fn_counts "$long")
}

printf "| workload |"
for who in $WHO; do printf " %s Ir/frame |" "$who"; done
printf " ours/ref | loss |\n|---|"
for who in $WHO; do printf -- "---:|"; done
printf -- "---:|---:|\n"
for dir in $DIRS; do
	for size in $SIZES; do
		line="| $dir $size B |" loss=""
		for who in $WHO; do
			note "callgrind: $dir $size B, $who, $CG_FRAMES frames"
			# as bench.sh's ir_per_frame, keeping both runs' frame counts
			cg_run "$dir" "$size" "$who" $((CG_FRAMES / 10))
			ir0=$CG_IR n0=$CG_RECV
			cg_run "$dir" "$size" "$who" "$CG_FRAMES"
			R[ir,$dir,$size,$who]=$(calc "($CG_IR - $ir0) / ($CG_RECV - $n0)" "%.0f")
			line="$line ${R[ir,$dir,$size,$who]} |"
			loss="$loss${loss:+ / }$(pct "$CG_LOSS")"
			[ "$PROFILE" != 0 ] && profile "$dir" "$size" "$who" "$n0" "$CG_RECV" >>"$WORK/profiles.md"
		done
		echo "$line $(ratio "${R[ir,$dir,$size,ours]:-}" "${R[ir,$dir,$size,ref]:-}") | $loss |"
	done
done
[ -f "$WORK/profiles.md" ] && cat "$WORK/profiles.md"
