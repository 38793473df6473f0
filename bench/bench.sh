#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh - our pptp against the reference client (Debian's pptp-linux,
# /usr/sbin/pptp), both measured by one method in one run: capacity (the
# highest offered rate carried without loss, found by bisection on a grid of
# rates common to both), CPU per frame at one fixed rate per frame size
# (CPU_RATES; echo: half) and at each one's capacity, instructions per
# frame under callgrind, memory; upstream (pppd -> GRE), downstream
# (GRE -> pppd) and echo, 64- and 1400-byte frames, with and without
# reordering; over a pty (what pppd gives) and over a socket pair (the
# client alone).  Every figure is the median of
# REPS runs, shown with their spread.
#
#   bench/bench.sh              (as root; `make bench` builds what it needs)
#   QUICK=1 bench/bench.sh      (a shorter run: shorter steps, fewer workloads and runs)
#   OUT=bench/last.md bench/bench.sh    (the report also goes to that file)
#   bench/compare.sh A.md B.md  (two reports: do their headline ratios agree?)
#
# Two network namespaces joined by a veth.  Server side: build/pacsrv, the
# project's PAC-side test server (control connection; GRE sink, source or
# echo).  Client side: build/fakeppp, the pppd stand-in, with the client
# under test on its stdin/stdout (`SERVER --nolaunchpppd`) through clientmon,
# which accounts for every process the client starts and logs the CPU time
# of the client and of both peers as it goes.  See bench/README.
#
# Settings (environment): OURS REF QUICK SIZES DIRS REORDER_DIRS
# REORDER_EVERY LINKS PTY SP REPS STEP_S GAP_S CPU_S CEIL_S GRID_BASE
# GRID_RATIO SEARCH_K CPU_RATES CPU_BACK PACE_TOL LOSS_OK CG CG_FRAMES CG_RATE_64
# CG_RATE_1400 PIN CLIENT_CPU PEER_CPUS KEEP OUT.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$TOP/build}
OURS=${OURS:-$TOP/pptp}
REF=${REF:-/usr/sbin/pptp}
PACSRV=${PACSRV:-$B/pacsrv}
FAKEPPP=${FAKEPPP:-$B/fakeppp}
MON=$B/bench/clientmon
QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=		# QUICK=0 is the full run, like QUICK unset
SIZES=${SIZES:-64 1400}			# PPP frame bytes (the GRE payload)
DIRS=${DIRS:-up down echo}
REORDER_EVERY=${REORDER_EVERY:-10}	# pacsrv swaps every Nth pair of packets it sends
GAP_S=${GAP_S:-0.15}			# pause between two steps (queues drain)
WINDOW=${WINDOW:-65535}			# pacsrv's receive window, the largest: no client waits for its acks
LOSS_OK=${LOSS_OK:-0.0001}		# "no loss": at most 1 frame in 10000
PACE_TOL=${PACE_TOL:-0.02}		# a step counts as offered when the sender sent 98% of its frames
GRID_BASE=${GRID_BASE:-1000}		# the grid of offered rates: GRID_BASE * GRID_RATIO^i frames/s,
GRID_RATIO=${GRID_RATIO:-1.1}		#   each 10% above the last (capacity to +-5%)
SEARCH_K=${SEARCH_K:-4}			# grid rates tried per client run while searching
CPU_RATES=${CPU_RATES:-64:64000 1400:12000}	# the common CPU rate per frame size (SIZE:frames/s; echo: half), the same in every run; "none": derived
CPU_BACK=${CPU_BACK:-3}			# a size without one: this many grid steps (3: 0.75x) below the lower median capacity
[ "$CPU_RATES" = none ] && CPU_RATES=
for p in $CPU_RATES; do
	[[ $p =~ ^[0-9]+:[1-9][0-9]*$ ]] ||
		{ echo "bench: CPU_RATES: \"$p\" is not SIZE:FRAMES_PER_S (e.g. 64:64000); CPU_RATES=none derives every rate" >&2; exit 1; }
done
CG=${CG:-1}				# callgrind runs (1) or not (0)
CG_RATE_64=${CG_RATE_64:-2000}		# callgrind runs are paced: about one frame per wake-up
CG_RATE_1400=${CG_RATE_1400:-1000}
# The links between fakeppp and the client: pty (what pppd's pty option
# gives: the headline) and sp, a unix stream socket pair (no tty layer: the
# client alone).  PTY=0 or SP=0 leaves one out.
# QUICK=1 measures over the pty only (SP=1 adds the socket pair back).
if [ -z "${LINKS:-}" ]; then
	LINKS="pty sp"
	[ -n "$QUICK" ] && [ "${SP:-}" != 1 ] && LINKS="pty"
	[ "${SP:-1}" = 0 ] && LINKS="pty"
	[ "${PTY:-1}" = 0 ] && LINKS="sp"
fi
if [ -n "$QUICK" ]; then
	REPS=${REPS:-3}
	REORDER_DIRS=${REORDER_DIRS:-}
	STEP_S=${STEP_S:-0.25}
	CPU_S=${CPU_S:-0.5}
	CEIL_S=${CEIL_S:-0.3}
	CG_FRAMES=${CG_FRAMES:-3000}
else
	REPS=${REPS:-5}			# runs of each measurement; figures are their median
	REORDER_DIRS=${REORDER_DIRS:-down echo}	# reordered too (over the headline link only)
	STEP_S=${STEP_S:-0.4}		# each step of a capacity search
	CPU_S=${CPU_S:-1}		# each step of a CPU run
	CEIL_S=${CEIL_S:-0.5}		# each ceiling run
	CG_FRAMES=${CG_FRAMES:-20000}	# frames in a callgrind run
fi
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "bench: REPS must be a whole number from 1 (3 or more for ranges that mean something)" >&2; exit 1; }
# The callgrind runs use the socket pair (their figures are user space only).
LINK_OPT=--socketpair
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
SUF=$$
NS_SRV=pbsrv$SUF
NS_CLI=pbcli$SUF
WORK=$(mktemp -d /tmp/pptp-bench.XXXXXX)
PAC_PID=
T_START=$(date +%s)

die() {
	echo "bench: $*" >&2
	exit 1
}
note() { echo "bench: $*" >&2; }

cleanup() {
	[ -n "$PAC_PID" ] && kill "$PAC_PID" 2>/dev/null
	for n in "$NS_SRV" "$NS_CLI"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "bench: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}

# ------------------------------------------------------------------ preconditions

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, raw GRE sockets)"
for t in "$OURS" "$PACSRV" "$FAKEPPP"; do
	[ -x "$t" ] || die "missing $t: run 'make all build/pacsrv build/fakeppp' (or 'make bench')"
done
if [ ! -x "$REF" ] && [ "$REF" = /usr/sbin/pptp ]; then
	note "the reference client $REF is missing; installing Debian's pptp-linux"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		pptp-linux >/dev/null
fi
[ -x "$REF" ] || die "the reference client $REF is missing (apt-get install pptp-linux)"
if [ "$CG" = 1 ] && ! command -v valgrind >/dev/null; then
	die "valgrind is missing (apt-get install valgrind), or run with CG=0"
fi
mkdir -p "$B/bench"
if [ ! -x "$MON" ] || [ "$TOP/bench/clientmon.c" -nt "$MON" ]; then
	${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Werror -o "$MON" "$TOP/bench/clientmon.c" ||
		die "cannot build $MON"
fi
# The reference keeps its call manager socket in /var/run/pptp; each client
# run gets a private, empty /run/pptp (tmpfs in the run's mount namespace).
# (the mount point only; made as pptp makes it, closed to other users, and
# left as it is if it exists: a 0755 one would outlive the run)
[ -d /run/pptp ] || mkdir -m 0700 /run/pptp
[ -d /var/run/pptp ] || mkdir -m 0700 /var/run/pptp

# Pinning: the client alone on the last CPU, everything else (pacsrv,
# fakeppp, clientmon) on the others, so the client has a CPU to itself and
# the peers cannot take it.  PIN=0: no pinning.
NCPU=$(nproc)
CLI_PIN=()
PEER_PIN=()
if [ "${PIN:-1}" != 0 ] && [ "$NCPU" -ge 2 ]; then
	CLIENT_CPU=${CLIENT_CPU:-$((NCPU - 1))}
	PEER_CPUS=${PEER_CPUS:-0-$((NCPU - 2))}
	CLI_PIN=(taskset -c "$CLIENT_CPU")
	PEER_PIN=(taskset -c "$PEER_CPUS")
fi

trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM HUP
{ ip netns add "$NS_SRV" && ip netns add "$NS_CLI"; } || die "cannot create network namespaces"
ip link add "vbs$SUF" type veth peer name "vbc$SUF" || die "cannot create a veth pair"
ip link set "vbs$SUF" netns "$NS_SRV"
ip link set "vbc$SUF" netns "$NS_CLI"
ip -n "$NS_SRV" addr add $SRV_IP/24 dev "vbs$SUF"
ip -n "$NS_CLI" addr add $CLI_IP/24 dev "vbc$SUF"
for n in "$NS_SRV" "$NS_CLI"; do ip -n "$n" link set lo up; done
ip -n "$NS_SRV" link set "vbs$SUF" up
ip -n "$NS_CLI" link set "vbc$SUF" up

# ------------------------------------------------------------------ helpers

# kv FILE LINE_REGEX KEY: the value of KEY=... on the last line matching
kv() { grep -E -- "$2" "$1" 2>/dev/null | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1; }
# calc EXPR: awk arithmetic, printed with %.6g unless a format is given
calc() { awk "BEGIN { printf \"${2:-%.6g}\", ($1) }"; }
client_bin() { if [ "$1" = ours ]; then echo "$OURS"; else echo "$REF"; fi; }

# fail_run WHY: say which run failed and why, show its logs, stop.
fail_run() {
	printf "\nbench: FAILED: %s: %s\n" "$RUN_NAME" "$1" >&2
	for f in "$RUN.cli" "$RUN.pac" "$RUN.mon"; do
		[ -f "$f" ] && { echo "---- $(basename "$f") (last lines)" >&2; tail -n 20 "$f" >&2; }
	done
	exit 1
}

# run_client TAG WHO "PACSRV OPTS" "FAKEPPP OPTS" [WRAPPER ARGS...]
# One client run, logs in $WORK/TAG-WHO.{cli,pac,mon,cpu} (RUN is that
# prefix; .cpu: clientmon's --cpulog, the CPU time of the client, fakeppp
# and pacsrv through the run).
# The client must exit 0 and leave nothing running, fakeppp must be content
# (every step sent, no damaged frame) and the server must have seen no
# protocol error, or the benchmark stops.
run_client() {
	local tag=$1 who=$2 popts=$3 fopts=$4
	shift 4
	local bin extra=${REF_ARGS:-}
	bin=$(client_bin "$who")
	[ "$who" = ours ] && extra=${OURS_ARGS:-}
	RUN=$WORK/$tag-$who
	RUN_NAME="$tag, $who client ($bin)"
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRV" "${PEER_PIN[@]}" "$PACSRV" --once --timeout 600 --window "$WINDOW" $popts \
		>"$RUN.pac" 2>&1 &
	PAC_PID=$!
	local _
	for _ in $(seq 1 100); do grep -q '^LISTEN' "$RUN.pac" 2>/dev/null && break; sleep 0.02; done
	grep -q '^LISTEN' "$RUN.pac" || fail_run "the test server did not start"
	# shellcheck disable=SC2086
	ip netns exec "$NS_CLI" "${PEER_PIN[@]}" sh -c 'mount -t tmpfs -o mode=0755 bench /run/pptp && exec "$@"' sh \
		"$FAKEPPP" --probe-interval "${PROBE_S:-0.01}" --child-wait 60 --timeout 500 $LINK_OPT $fopts -- \
		"$MON" --cpulog "$RUN.cpu" --peer "$PAC_PID" "$RUN.mon" -- "${CLI_PIN[@]}" "$@" "$bin" $SRV_IP \
		--nolaunchpppd $extra >"$RUN.cli" 2>&1
	local frc=$?
	local w=0
	while kill -0 "$PAC_PID" 2>/dev/null && [ $w -lt 200 ]; do sleep 0.05; w=$((w + 1)); done
	kill "$PAC_PID" 2>/dev/null
	wait "$PAC_PID" 2>/dev/null
	local prc=$?
	PAC_PID=
	[ -f "$RUN.mon" ] || fail_run "no process report from clientmon"
	[ "$(kv "$RUN.mon" '^TOTAL' lingered)" = 0 ] ||
		fail_run "a client process was still running 15 s after the gateway ended (killed)"
	[ "$(kv "$RUN.cli" '^CHILD' exit)" = 0 ] || fail_run "the client exited with status $(kv "$RUN.cli" '^CHILD' exit)"
	# A client that ends the call by itself in the middle of a run (the
	# reference does under overload: it gives up when its output to pppd
	# would block) is a result, not a broken benchmark: HUNG says so and
	# the steps it never carried are left out and reported.  With
	# ALLOW_EMPTY=1 so is a downstream run whose last steps carried nothing
	# (a client overloaded): their loss is all of them.
	HUNG=0
	if [ $frc != 0 ]; then
		local why
		why=$(sed -n 's/^FAKEPPP RESULT fail (\(.*\))$/\1/p' "$RUN.cli" | tail -n 1)
		if grep -q '^FAKEPPP hangup' "$RUN.cli" &&
			{ [ "$why" = "not all steps sent" ] || [ "$why" = "the server's steps did not all arrive" ]; }; then
			HUNG=1
			note "$RUN_NAME: the client hung up in the middle of the run"
		elif [ "${ALLOW_EMPTY:-0}" != 1 ] || [ "$why" != "the server's steps did not all arrive" ]; then
			fail_run "fakeppp: $(grep 'RESULT' "$RUN.cli")"
		fi
	fi
	[ $prc = 0 ] || fail_run "the test server saw a protocol error or did not finish (status $prc)"
}

# steps_of RATES: "R:S,R:S,..." for the given rates, each STEP_S long
steps_of() { local r out=""; for r in "$@"; do out="$out${out:+,}$r:$STEP_S"; done; echo "$out"; }

# workload TAG WHO DIR SIZE REORDER STEPS [WRAPPER ARGS...]
# One run of DIR (up: pty -> GRE, fakeppp sends and pacsrv counts; down:
# GRE -> pty, pacsrv sends and fakeppp counts; echo: both, pacsrv echoing)
# with SIZE-byte PPP frames, in steps.  Per step k it sets
#   S_SENT[k] S_RECV[k] S_OFFERED[k] (frames/s sent) S_LOSS[k] (fraction)
#   S_START[k] (when the sender began the step) S_LAST[k] (the last
#   arrival; both us, CLOCK_MONOTONIC) S_PACE[k] (the part of the step's
#   frames the sender managed to send: 1 when it kept to the rate)
# and NSTEPS; the client's figures stay in RUN.mon.  ALLOW_EMPTY=1: a step
# that carried nothing is a result (a client overloaded), not a failure.
declare -a S_SENT S_RECV S_OFFERED S_LOSS S_LAST S_START S_PACE
workload() {
	local tag=$1 who=$2 dir=$3 size=$4 ro=$5 steps=$6
	shift 6
	local p f ro_opt="" tx rx txre rxre
	[ "$ro" = 1 ] && ro_opt="--gre-reorder $REORDER_EVERY --gre-reorder-hold 0.005"
	NSTEPS=$(echo "$steps" | tr ',' '\n' | grep -c .)
	case $dir in
	up)
		p="--gre sink"
		f="--fast --size $((size - 4)) --steps $steps --step-gap $GAP_S"
		tx=cli txre='^FAKEPPP step=%d ' rx=pac rxre='^SINK step=%d '
		;;
	down)
		p="--gre echo $ro_opt --gre-send-size $size --gre-send-steps $steps --gre-send-gap $GAP_S"
		p="$p --gre-send-after 0.2 --gre-send-after-rx"
		f="--fast --size 16 --sink-steps $NSTEPS"
		tx=pac txre='^GRE STEP step=%d ' rx=cli rxre='^FAKEPPP rx srv step=%d '
		;;
	echo)
		p="--gre echo $ro_opt"
		f="--fast --size $((size - 4)) --steps $steps --step-gap $GAP_S"
		tx=cli txre='^FAKEPPP step=%d ' rx=cli rxre='^FAKEPPP rx own step=%d '
		;;
	*) die "unknown workload $dir" ;;
	esac
	run_client "$tag" "$who" "$p" "$f" "$@"
	local k durs rates unlogged=0
	read -r -a durs <<<"$(echo "$steps" | tr ',' '\n' | cut -d: -f2 | tr '\n' ' ')"
	read -r -a rates <<<"$(echo "$steps" | tr ',' '\n' | cut -d: -f1 | tr '\n' ' ')"
	HUNG_STEP=-1
	for ((k = 0; k < NSTEPS; k++)); do
		local re sent recv last
		# shellcheck disable=SC2059
		re=$(printf "$txre" $k)
		sent=$(kv "$RUN.$tx" "$re" sent)
		if [ "$HUNG" = 1 ] && { [ -z "$sent" ] || [ "$sent" = 0 ]; }; then
			NSTEPS=$k	# the client had gone before this step began (or as it did)
			# pacsrv logs a step only when it ends: downstream, the step
			# the client hung up in is this unlogged one, not the last logged
			[ "$tx" = pac ] && unlogged=1
			break
		fi
		# shellcheck disable=SC2059
		re=$(printf "$rxre" $k)
		recv=$(kv "$RUN.$rx" "$re" frames)
		last=$(kv "$RUN.$rx" "$re" last_us)
		S_SENT[k]=${sent:-0}
		S_RECV[k]=${recv:-0}
		S_LAST[k]=${last:-0}
		S_OFFERED[k]=$(calc "${S_SENT[k]} / ${durs[k]}" "%.0f")
		# shellcheck disable=SC2059
		re=$(printf "$txre" $k)
		S_START[k]=$(kv "$RUN.$tx" "$re" start_us)
		S_PACE[k]=$(calc "${rates[k]} > 0 ? ${S_SENT[k]} / int(${rates[k]} * ${durs[k]}) : 1" "%.4f")
		S_LOSS[k]=$(calc "${S_SENT[k]} > 0 ? (${S_SENT[k]} - ${S_RECV[k]}) / ${S_SENT[k]} : 1" "%.6f")
		[ "${S_SENT[k]}" -gt 0 ] || fail_run "step $k: nothing was sent"
		[ "${S_RECV[k]}" -gt 0 ] || [ "$HUNG" = 1 ] || [ "${ALLOW_EMPTY:-0}" = 1 ] ||
			fail_run "step $k: the client carried none of ${S_SENT[k]} frames"
	done
	# A run that may carry nothing (ALLOW_EMPTY: capacity and CPU runs)
	# may hang up before its first step ends; its callers count the steps
	# past NSTEPS as not carried (the ceiling run, which needs its one
	# step, stops the bench).  When the step hung up in is unlogged there
	# is no short step to fix up either.
	if [ "$HUNG" = 1 ] && [ "$NSTEPS" = 0 ] && [ "${ALLOW_EMPTY:-0}" != 1 ]; then
		fail_run "the client hung up before the first step"
	fi
	if [ "$HUNG" = 1 ] && [ "$NSTEPS" -gt 0 ] && [ "$unlogged" = 0 ]; then
		HUNG_STEP=$((NSTEPS - 1))
		# the step it hung up in ran short: its offered rate is over the
		# time it lasted, not the time planned
		k=$HUNG_STEP
		S_OFFERED[k]=$(calc "${S_SENT[k]} * 1e6 / ($(kv "$RUN.$tx" "$(printf "$txre" $k)" last_us) - \
			$(kv "$RUN.$tx" "$(printf "$txre" $k)" start_us) + 1)" "%.0f")
	fi
}

# Figures of the last run, from clientmon's report.
role() { kv "$RUN.mon" "^PROC .*role=$1 " "$2"; }
sum_procs() { awk -v k="$1" '/^PROC/ && !/role=child/ { for (i = 2; i <= NF; i++) { split($i, a, "=");
	if (a[1] == k) s += a[2] } } END { print s + 0 }' "$RUN.mon"; }
peer_cpu() {	# FILE: user+sys of pacsrv (RUSAGE) or fakeppp (FAKEPPP rusage)
	awk '/^RUSAGE|^FAKEPPP rusage/ { for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "%.4f\n", v["user_s"] + v["sys_s"] }' "$1" | tail -n 1; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0 ? b : a) }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 < a + 0 ? b : a) }'; }

declare -A R	# R[name,...] = value
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-";
	else if (a / b < 0.1) printf "%.3f", a / b; else printf "%.2f", a / b }'; }
fmt_rate() { awk -v r="$1" 'BEGIN { if (r == "") print "-"; else if (r >= 1e6) printf "%.2fM", r / 1e6;
	else if (r >= 1e4) printf "%.0fk", r / 1e3; else if (r >= 1e3) printf "%.1fk", r / 1e3; else printf "%.0f", r }'; }
pct() { awk -v l="$1" 'BEGIN { if (l == "" || l == "-") print "-"; else if (l + 0 == 0) print "0"; else if (l < 0.001) printf "%.4f%%", 100 * l;
	else printf "%.2f%%", 100 * l }'; }
mbit() { calc "$1 * $2 * 8 / 1e6" "%.1f"; }

# stats "V1 V2 ...": "MEDIAN MIN MAX" of the values ("- - -" for none; the
# median of an even count is the mean of the middle two)
stats() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 }
	END { if (!NR) { print "- - -"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR] }'; }
med() { local m _; read -r m _ <<<"$(stats "$1")"; echo "$m"; }
# fig "V1 V2 ..." FORMATTER: "MEDIAN (MIN-MAX)", each through FORMATTER
fig() {
	local m lo hi
	read -r m lo hi <<<"$(stats "$1")"
	[ "$m" = - ] && { echo "-"; return; }
	echo "$($2 "$m") ($($2 "$lo")-$($2 "$hi"))"
}
f3() { awk -v v="$1" 'BEGIN { if (v == "" || v == "-") print "-"; else if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v;
	else if (v >= 1) printf "%.2f", v; else printf "%.3g", v }'; }
f0() { awk -v v="$1" 'BEGIN { if (v == "" || v == "-") print "-"; else printf "%.0f", v }'; }
fpct() { awk -v v="$1" 'BEGIN { if (v == "" || v == "-") print "-"; else printf "%.0f%%", v }'; }
floss() { pct "$1"; }
# fratio V: a ratio as printed ("inf": no upper bound known)
fratio() { awk -v v="$1" 'BEGIN { if (v == "" || v == "-") print "-"; else if (v == "inf") print "inf";
	else if (v < 0.1) printf "%.3f", v; else printf "%.2f", v }'; }

# win_cpu LOG T0 T1: the CPU seconds of the client, fakeppp and pacsrv
# between T0 and T1 (us, CLOCK_MONOTONIC), from clientmon's --cpulog, each
# reading interpolated between the two samples around it (10 ms apart).
win_cpu() {
	awk -v a="$2" -v b="$3" '
	function at(t, c,   i) {
		if (t <= T[1]) return V[1, c]
		if (t >= T[n]) return V[n, c]
		for (i = 1; i < n && T[i + 1] < t; i++) ;
		return V[i, c] + (V[i + 1, c] - V[i, c]) * (t - T[i]) / (T[i + 1] - T[i])
	}
	NF >= 2 { n++; T[n] = $1; for (c = 2; c <= NF; c++) V[n, c] = $c; nc = NF }
	END { if (!n) { print "0 0 0"; exit }
		for (c = 2; c <= 4; c++) printf "%s%.6f", (c > 2 ? " " : ""), (c <= nc ? (at(b, c) - at(a, c)) / 1e9 : 0)
		print "" }' "$1"
}

# The scheduler's tick (s).  Another process's CPU time, as /proc shows it,
# moves on a tick at a time while that process runs, so each reading is
# good to a tick (4 ms at 250 Hz).
TICK_S=${TICK_S:-$(awk -F= '$1 == "CONFIG_HZ" && $2 > 0 { printf "%.6f", 1 / $2 }' "/boot/config-$(uname -r)" 2>/dev/null)}
TICK_S=${TICK_S:-0.004}
# client_util C W: the client's CPU% over a window of W s in which it ran
# C s.  A pinned client busy through the window can read up to two ticks
# (one at each end) over 100% of its one CPU; within that, the reading is
# 100, the most it can have run.  Anything beyond is printed as measured:
# a fault of the method would show.
client_util() {
	awk -v c="$1" -v w="$2" -v q="$TICK_S" -v pinned="${#CLI_PIN[@]}" 'BEGIN {
		u = 100 * c / w
		if (pinned > 0 && u > 100 && u <= 100 * (1 + 2 * q / w)) u = 100
		printf "%.1f", u }'
}

# The grid of offered rates, common to both clients: GRID_BASE * GRID_RATIO^i.
grid_rate() { awk -v i="$1" -v b="$GRID_BASE" -v r="$GRID_RATIO" 'BEGIN { printf "%.0f", b * r ^ i }'; }
# grid_index RATE: the highest index whose rate is at most RATE (-1: none)
grid_index() {
	awk -v c="$1" -v b="$GRID_BASE" -v r="$GRID_RATIO" 'BEGIN { if (c < b) { print -1; exit }
		i = int(log(c / b) / log(r)) + 1; while (i >= 0 && sprintf("%.0f", b * r ^ i) + 0 > c) i--; print i }'
}
link_opt() { [ "$1" = sp ] && echo --socketpair; }
link_name() { if [ "$1" = sp ]; then echo "socket pair"; else echo "pty"; fi; }

# ------------------------------------------------------------------ the peers' own ceiling

# With a stand-in in the client's place that does next to nothing (cat
# reading its stdin; fakeppp --emit writing ready-made frames to its
# stdout), pinned where the client runs: what the link and fakeppp carry at
# most.  LINK is pty or sp.  Each run adds a figure to R[ceil_src,SIZE,LINK]
# and R[ceil_sink,SIZE,LINK], and fakeppp's CPU% to R[ceil_*_cpu,...]: the
# sender's CPU time in its step over the step's time; the receiver's over
# its whole run, start to end.
ceiling_run() {	# SIZE LINK REP
	local size=$1 kind=$2 rep=$3 log link t0 t1 sent
	link=$(link_opt "$kind")
	log=$WORK/ceil-src-$size-$kind-$rep
	# shellcheck disable=SC2086
	"${PEER_PIN[@]}" "$FAKEPPP" --fast --no-wait-link $link --size $((size - 4)) --steps "0:$CEIL_S" --timeout 60 \
		-- "${CLI_PIN[@]}" sh -c 'exec cat >/dev/null' >"$log" 2>&1
	sent=$(kv "$log" '^FAKEPPP step=0 ' sent)
	[ -n "$sent" ] || { tail "$log" >&2; die "the ceiling run (fakeppp -> cat, $size B $kind) sent nothing"; }
	R[ceil_src,$size,$kind]+=" $(calc "$sent / $CEIL_S" "%.0f")"
	R[ceil_src_cpu,$size,$kind]+=" $(calc "100 * $(kv "$log" '^FAKEPPP step=0 ' cpu_s) / $CEIL_S" "%.1f")"
	log=$WORK/ceil-sink-$size-$kind-$rep
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	"${PEER_PIN[@]}" "$FAKEPPP" --fast --no-wait-link $link --size 16 --sink-steps 1 --timeout 60 \
		-- "${CLI_PIN[@]}" "$FAKEPPP" --emit --size $((size - 4)) --steps "0:$CEIL_S" >"$log" 2>&1
	t1=$(date +%s%N)
	local n f l
	n=$(kv "$log" '^FAKEPPP rx srv step=0 ' frames)
	f=$(kv "$log" '^FAKEPPP rx srv step=0 ' first_us)
	l=$(kv "$log" '^FAKEPPP rx srv step=0 ' last_us)
	if [ -z "$n" ] || [ "$n" -lt 2 ]; then
		tail "$log" >&2
		die "the ceiling run (fakeppp --emit -> fakeppp, $size B $kind) carried nothing"
	fi
	R[ceil_sink,$size,$kind]+=" $(calc "($n - 1) * 1e6 / ($l - $f)" "%.0f")"
	R[ceil_sink_cpu,$size,$kind]+=" $(calc "100 * $(peer_cpu "$log") * 1e9 / ($t1 - $t0)" "%.1f")"
}

# pac_ceiling_run SIZE REP: what pacsrv sends flat out (one step of CEIL_S,
# as fast as it can), our client at the other end over the socket pair;
# pacsrv's CPU% over the step.
pac_ceiling_run() {
	local size=$1 rep=$2 c f p t1
	LINK_OPT=--socketpair ALLOW_EMPTY=1 workload "ceil-pac-$size-r$rep" ours down "$size" 0 "0:$CEIL_S"
	[ "$NSTEPS" -ge 1 ] || fail_run "the client hung up before pacsrv's flat-out step ended"
	R[ceil_pac,$size]+=" ${S_OFFERED[0]}"
	t1=$(calc "${S_START[0]} + $CEIL_S * 1e6" "%.0f")
	read -r c f p <<<"$(win_cpu "$RUN.cpu" "${S_START[0]}" "$t1")"
	R[ceil_pac_cpu,$size]+=" $(calc "100 * $p / $CEIL_S" "%.1f")"
}

# path_ceiling LINK DIR SIZE: the lowest of the peers' median ceilings on
# the path a workload takes (up: fakeppp sending over the link; down:
# pacsrv sending, fakeppp receiving; echo: all three).
path_ceiling() {
	local link=$1 dir=$2 size=$3 src sink pac
	src=$(med "${R[ceil_src,$size,$link]}")
	sink=$(med "${R[ceil_sink,$size,$link]}")
	pac=$(med "${R[ceil_pac,$size]:-}")
	case $dir in
	up) echo "$src" ;;
	down) min "$sink" "$pac" ;;
	echo) min "$(min "$src" "$sink")" "$pac" ;;
	esac
}

# ------------------------------------------------------------------ capacity

# search LINK DIR SIZE RO WHO REP: one capacity search, by bisection on the
# grid.  The bracket starts as the whole grid up to the path's ceiling
# (index R[gtop,...]); each client run tries up to SEARCH_K grid rates
# spread evenly inside it, in ascending order, a step of STEP_S each.  A
# step passes when the sender sent its frames at the rate (all but
# PACE_TOL of them) and at most LOSS_OK of them were lost.  The last rate
# passed before the first failure is the bracket's new low end, the failure
# its new high end; the search ends when they are neighbours on the grid.
# Adds to R[cap,CELL,WHO] the capacity (the low end's rate; 0 when even the
# grid's lowest rate failed), to R[caphi,...] the rate that failed above it
# ("inf": the path's ceiling was carried), to R[capidx,...] the low end's
# index, and to R[probes,...] what each run found.
search() {
	local link=$1 dir=$2 size=$3 ro=$4 who=$5 rep=$6 cell="$1,$2,$3,$4"
	local top=${R[gtop,$link,$dir,$size]} lo=-1 hi n=0 probes="" k i j prev
	hi=$((top + 1))
	while [ $((hi - lo)) -gt 1 ]; do
		local idx=() steps=()
		prev=$lo
		for ((j = 1; j <= SEARCH_K; j++)); do
			# evenly inside the bracket, rounded to the nearest index
			i=$((lo + (2 * j * (hi - lo) + SEARCH_K + 1) / (2 * (SEARCH_K + 1))))
			if [ "$i" -gt "$prev" ] && [ "$i" -lt "$hi" ]; then
				idx+=("$i")
				steps+=("$(grid_rate "$i")")
				prev=$i
			fi
		done
		n=$((n + 1))
		LINK_OPT=$(link_opt "$link") ALLOW_EMPTY=1 workload "cap-$link-$dir-$size-$ro-r$rep-$n" "$who" \
			"$dir" "$size" "$ro" "$(steps_of "${steps[@]}")"
		for ((k = 0; k < ${#idx[@]}; k++)); do
			local why=""
			if [ "$k" -ge "$NSTEPS" ]; then
				why="the client had hung up"
			else
				awk -v p="${S_PACE[k]}" -v t="$PACE_TOL" 'BEGIN { exit !(p < 1 - t) }' &&
					why="sent $(calc "100 * ${S_PACE[k]}" "%.0f")% of it"
				awk -v l="${S_LOSS[k]}" -v m="$LOSS_OK" 'BEGIN { exit !(l > m) }' &&
					why="${why:+$why, }loss $(pct "${S_LOSS[k]}")"
				[ "$k" = "$HUNG_STEP" ] && why="${why:+$why, }hung up"
			fi
			if [ -z "$why" ]; then
				lo=${idx[k]}
				probes="$probes $(fmt_rate "${steps[k]}") ok"
			else
				hi=${idx[k]}
				probes="$probes $(fmt_rate "${steps[k]}") no ($why)"
				break
			fi
		done
		probes="$probes;"
	done
	local cap=0 caphi=inf
	[ "$lo" -ge 0 ] && cap=$(grid_rate "$lo")
	[ "$hi" -le "$top" ] && caphi=$(grid_rate "$hi")
	R[cap,$cell,$who]+=" $cap"
	R[caphi,$cell,$who]+=" $caphi"
	R[capidx,$cell,$who]+=" $lo"
	R[probes,$cell,$who]+="run $rep: $n client runs,${probes%;} => $(fmt_rate "$cap")
"
}

# ------------------------------------------------------------------ CPU per frame

# fixed_rate SIZE DIR: the rate CPU_RATES gives for the size ("" when
# none); echo is offered half of it, since each frame echoed crosses the
# client twice: the client moves the same frames a second in every
# direction (at 64k echo, the reference lost 76% over the pty on a 2-CPU
# AMD EPYC and not one of its 10 runs was kept)
fixed_rate() {
	local p r=""
	for p in $CPU_RATES; do
		[ "${p%%:*}" = "$1" ] && r=${p#*:}
	done
	[ -n "$r" ] && [ "$2" = echo ] && r=$(((r + 1) / 2))
	echo "$r"
}
# cpu_rate CELL: the common rate of a cell: the rate fixed_rate gives
# (CPU_RATES by frame size, half for echo), the same in every run, so
# that two reports measure CPU per frame at the same load (it falls as the
# rate rises: more frames a wake-up).  Taken below the capacities found,
# the rate moved from run to run with the reference's wide spread at 64 B
# (97k, then 172k frames/s),
# and the two reports' CPU rows measured different things.  The fixed rate
# is kept even where it is above CPU_BACK grid steps (0.75x) below the
# lower of the two clients' median capacities, so that the row stays the
# same row in every run; the report marks it "!" (loss is likely there:
# the reference lost frames in 1-s steps at 0.75x of its median in 7 of 16
# rows of each of two benches).  A size without a rate (or CPU_RATES=none)
# takes that derived rate, marked "*": a row compared only with a report
# that derived the same rate.  A run that loses frames at the common rate
# is left out and made up for.
cpu_rate() {
	local cell=$1 dir size ci back fixed
	IFS=, read -r _ dir size _ <<<"$cell"
	ci=$(min "$(med "${R[capidx,$cell,ours]}")" "$(med "${R[capidx,$cell,ref]}")")
	ci=$(awk -v c="$ci" -v b="$CPU_BACK" 'BEGIN { c = int(c) - b; print c < 0 ? 0 : c }')
	back=$(grid_rate "$ci")
	fixed=$(fixed_rate "$size" "$dir")
	R[cpu_rate_mark,$cell]=""
	if [ -z "$fixed" ]; then
		R[cpu_rate,$cell]=$back
		R[cpu_rate_mark,$cell]="*"
		return
	fi
	R[cpu_rate,$cell]=$fixed
	((fixed > back)) && R[cpu_rate_mark,$cell]="!"	# both whole numbers
}

# cpu_run LINK DIR SIZE RO REP WHO STEPS: one run of one client, steps of
# CPU_S at the common rate (STEPS "common" or "all"), and (STEPS "own" or
# "all") at the client's own median capacity, and for ours at the
# reference's too (the loss there is one of the targets).  A step's
# figures are taken over its window, from the sender's start to the last
# arrival: CPU time of every client process (and of fakeppp and pacsrv)
# from clientmon's log, per million frames delivered (echo: per frame
# echoed, which crossed the client twice) and as a share of the window.
# A step whose sender did not keep to the rate measured something else, and
# one at the common rate that lost frames was not carried: their CPU
# figures are left out (and counted in R[cpushort,...]).  R[cpuvalid,CELL,WHO]
# counts the runs whose common-rate step was kept.
cpu_run() {
	local link=$1 dir=$2 size=$3 ro=$4 rep=$5 who=$6 steps=$7 cell="$1,$2,$3,$4" k
	local plan="" own refcap
	[ "$steps" = own ] || plan="${R[cpu_rate,$cell]} common"
	if [ "$steps" != common ]; then
		own=$(med "${R[cap,$cell,$who]}")
		refcap=$(med "${R[cap,$cell,ref]}")
		awk -v v="$own" 'BEGIN { exit !(v > 0) }' && plan="$plan${plan:+
}$(f0 "$own") own"
		[ "$who" = ours ] && awk -v v="$refcap" 'BEGIN { exit !(v > 0) }' && plan="$plan${plan:+
}$(f0 "$refcap") refcap"
	fi
	[ -n "$plan" ] || return 0
	# ascending rates, one step for labels that share a rate
	local rates=() labels=()
	while read -r r l; do
		rates+=("$r")
		labels+=("$l")
	done < <(echo "$plan" | sort -n -k1,1 | awk '$1 == p { l = l "+" $2; next }
		{ if (NR > 1) print p, l; p = $1; l = $2 } END { print p, l }')
	local plan_steps=""
	for r in "${rates[@]}"; do plan_steps="$plan_steps${plan_steps:+,}$r:$CPU_S"; done
	LINK_OPT=$(link_opt "$link") ALLOW_EMPTY=1 workload "cpu-$steps-$link-$dir-$size-$ro-r$rep" "$who" \
		"$dir" "$size" "$ro" "$plan_steps"
	for ((k = 0; k < ${#rates[@]}; k++)); do
		local l t0 t1 c f p w
		for l in ${labels[k]//+/ }; do
			local key="$cell,$who,$l"
			if [ "$k" -ge "$NSTEPS" ]; then
				R[cpuloss,$key]+=" 1"	# the client had hung up
				R[cpupace,$key]+=" 0"
				R[cpushort,$key]=$((${R[cpushort,$key]:-0} + 1))
				continue
			fi
			R[cpuloss,$key]+=" ${S_LOSS[k]}"
			R[cpupace,$key]+=" ${S_PACE[k]}"
			if awk -v p="${S_PACE[k]}" -v t="$PACE_TOL" -v l="${S_LOSS[k]}" -v m="$LOSS_OK" -v c="$l" \
				'BEGIN { exit !(p < 1 - t || (c == "common" && l > m)) }'; then
				R[cpushort,$key]=$((${R[cpushort,$key]:-0} + 1))
				continue
			fi
			[ "$l" = common ] && R[cpuvalid,$cell,$who]=$((${R[cpuvalid,$cell,$who]:-0} + 1))
			t0=${S_START[k]}
			t1=$(calc "${S_RECV[k]} > 0 && ${S_LAST[k]} > $t0 ? ${S_LAST[k]} : $t0 + $CPU_S * 1e6" "%.0f")
			read -r c f p <<<"$(win_cpu "$RUN.cpu" "$t0" "$t1")"
			w=$(calc "($t1 - $t0) / 1e6" "%.6f")
			R[cpuoff,$key]+=" ${S_OFFERED[k]}"
			[ "${S_RECV[k]}" -gt 0 ] && R[cpumf,$key]+=" $(calc "$c * 1e6 / ${S_RECV[k]}" "%.4f")"
			R[util,$key]+=" $(client_util "$c" "$w")"
			R[fpp_util,$key]+=" $(calc "100 * $f / $w" "%.1f")"
			R[pac_util,$key]+=" $(calc "100 * $p / $w" "%.1f")"
		done
	done
	local m
	for m in gw_hwm:gateway cm_hwm:detached; do
		R[${m%%:*},$who]=$(max "${R[${m%%:*},$who]:-0}" "$(role "${m#*:}" hwm_kb)")
	done
	R[sum_hwm,$who]=$(max "${R[sum_hwm,$who]:-0}" "$(sum_procs hwm_kb)")
	R[sum_priv,$who]=$(max "${R[sum_priv,$who]:-0}" "$(sum_procs priv_kb)")
}

# ------------------------------------------------------------------ callgrind

# cg_run DIR SIZE WHO FRAMES: the client under callgrind (every process it
# starts: gateway and call manager), FRAMES frames at a paced rate.  Sets
# CG_IR (instructions, all processes) and CG_RECV (frames delivered; for
# echo, frames echoed).
cg_run() {
	local dir=$1 size=$2 who=$3 frames=$4 rate
	rate=$CG_RATE_1400
	[ "$size" -le 200 ] && rate=$CG_RATE_64
	local tag="cg-$dir-$size-$frames"
	rm -f "$WORK/$tag-$who.cg."*
	PROBE_S=0.1 workload "$tag" "$who" "$dir" "$size" 0 "$rate:$(calc "$frames / $rate" "%.3f")" \
		valgrind --tool=callgrind --callgrind-out-file="$WORK/$tag-$who.cg.%p" --trace-children=yes \
		--trace-children-skip='*/sh,*/ip,*/bash' --dump-line=no --compress-strings=no
	# each file (one per process) ends with "totals:" (older valgrind: "summary:")
	local f
	CG_IR=0
	for f in "$WORK/$tag-$who.cg."*; do
		[ -f "$f" ] || continue
		CG_IR=$(awk -v s="$CG_IR" '/^totals:/ { t = $2 } /^summary:/ { u = $2 }
			END { printf "%.0f", s + (t != "" ? t : u) }' "$f")
	done
	CG_RECV=${S_RECV[0]}
	CG_LOSS=${S_LOSS[0]}
	[ "$CG_IR" -gt 0 ] || fail_run "no callgrind output"
}

# ir_per_frame DIR SIZE WHO: the slope between a run of CG_FRAMES frames and
# one of a tenth as many, so start-up, call set-up and clearing cancel out.
ir_per_frame() {
	local dir=$1 size=$2 who=$3 key="$1,$2,$3" ir0 n0
	cg_run "$dir" "$size" "$who" $((CG_FRAMES / 10))
	ir0=$CG_IR n0=$CG_RECV
	cg_run "$dir" "$size" "$who" "$CG_FRAMES"
	R[ir,$key]=$(calc "($CG_IR - $ir0) / ($CG_RECV - $n0)" "%.0f")
	R[ir_loss,$key]=$CG_LOSS
}

# ------------------------------------------------------------------ the runs

# bench/cg.sh takes the set-up and the functions above, and runs its own.
[ -n "${BENCH_LIB:-}" ] && return 0

ver_ours=$("$OURS" --version 2>&1 | head -n 1)
ver_ref=$(dpkg-query -W -f='pptp-linux ${Version}' pptp-linux 2>/dev/null || echo "version unknown")
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
commit=$(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)
# a change to the report itself (the last run's, or its notes) is not a change to what is measured
dirty=$(cd "$TOP" && git status --porcelain --untracked-files=no 2>/dev/null | grep -vc ' bench/RESULTS.md$')

[ -n "$LINKS" ] || die "no link to measure over (LINKS is empty)"
for link in $LINKS; do
	case $link in pty | sp) ;; *) die "LINKS: \"$link\" is not a link (pty or sp)" ;; esac
done
HEAD_LINK=${LINKS%% *}
# The cells: LINK DIR SIZE RO.  Reordered only over the first link (the
# headline): reordering is the server's doing, the link changes nothing in it.
cells=()
for link in $LINKS; do
	for dir in $DIRS; do
		for size in $SIZES; do
			cells+=("$link $dir $size 0")
			if [ "$link" = "$HEAD_LINK" ]; then
				case " $REORDER_DIRS " in *" $dir "*) cells+=("$link $dir $size 1") ;; esac
			fi
		done
	done
done
wl_name() {	# DIR SIZE RO
	local n
	case $1 in up) n="upstream" ;; down) n="downstream" ;; echo) n="echo" ;; esac
	echo "$n $2 B$([ "$3" = 1 ] && echo ", reordered")"
}

note "the peers' own ceiling, $REPS runs (cat and fakeppp --emit in the client's place; pacsrv sending flat out)"
for ((rep = 1; rep <= REPS; rep++)); do
	for size in $SIZES; do
		for link in $LINKS; do ceiling_run "$size" "$link" "$rep"; done
		case " $DIRS " in *" down "* | *" echo "*) pac_ceiling_run "$size" "$rep" ;; esac
	done
done
for link in $LINKS; do
	for dir in $DIRS; do
		for size in $SIZES; do
			R[ceil_path,$link,$dir,$size]=$(path_ceiling "$link" "$dir" "$size")
			R[gtop,$link,$dir,$size]=$(grid_index "${R[ceil_path,$link,$dir,$size]}")
			[ "${R[gtop,$link,$dir,$size]}" -ge 0 ] ||
				die "the path's ceiling ($link, $dir, $size B: ${R[ceil_path,$link,$dir,$size]} frames/s) is below the grid"
		done
	done
done

# The repetitions are passes over every workload, not runs back to back:
# a drift in the machine over the whole run (seen between two runs of the
# bench) then shows in each figure's spread instead of between reports.
# Within a pass the two clients run in turn, the order swapped every pass,
# so that a change in the load falls on both alike.  A pass measures each
# workload's capacities and, where the common CPU rate is fixed
# (CPU_RATES), the CPU per frame at that rate, so that those figures too
# span the whole bench: of two benches whose CPU runs all came after the
# capacity searches (the later part of each bench), the second's ratio lay
# 0.01 to 0.02 outside the first's range in 3 of 16 CPU rows (the other
# way they all agreed).  Whether the drift between them happened within
# each bench, where this puts it in the ranges, is what the next pair of
# benches tells.  A common-rate run left out (frames lost) is made up for
# in the same pass, so that the client that loses frames (in practice the
# reference) also has runs spread over the bench.  The CPU runs at each
# client's capacity (and at a derived common rate) need every search's
# capacity, so they come after the passes; make-ups still missing come last.
# cell_time CELL SINCE: add the seconds since SINCE to the cell's time
cell_time() { R[secs,$1]=$((${R[secs,$1]:-0} + $(date +%s) - $2)); }
# makeup_due CELL WHO KEPT: true, and one make-up counted, when WHO has
# fewer than KEPT common-rate runs kept and REPS make-ups are not used up
makeup_due() {
	[ "${R[cpuvalid,$1,$2]:-0}" -lt "$3" ] && [ "${R[cpumakeup,$1,$2]:-0}" -lt "$REPS" ] || return 1
	R[cpumakeup,$1,$2]=$((${R[cpumakeup,$1,$2]:-0} + 1))
}
any_fixed=0
for c in "${cells[@]}"; do
	read -r link dir size ro <<<"$c"
	R[cpu_rate,$link,$dir,$size,$ro]=$(fixed_rate "$size" "$dir")
	[ -n "${R[cpu_rate,$link,$dir,$size,$ro]}" ] && any_fixed=1
done
for ((rep = 1; rep <= REPS; rep++)); do
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		cell="$link,$dir,$size,$ro"
		t_cell=$(date +%s)
		order=$( ((rep % 2)) && echo "ref ours" || echo "ours ref")
		note "pass $rep of $REPS: $(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): capacity"
		for who in $order; do
			search "$link" "$dir" "$size" "$ro" "$who" "$rep"
		done
		if [ -n "${R[cpu_rate,$cell]}" ]; then
			note "pass $rep of $REPS: $(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): CPU per frame at $(fmt_rate "${R[cpu_rate,$cell]}")"
			for who in $order; do
				cpu_run "$link" "$dir" "$size" "$ro" "$rep" "$who" common
			done
			# a client with fewer runs kept than passes so far (a run left
			# out, in this pass or an earlier one) gets one make-up run
			# now, so that the figure's runs still span the bench
			for who in $order; do
				makeup_due "$cell" "$who" "$rep" || continue
				note "pass $rep of $REPS: $(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): make-up run at $(fmt_rate "${R[cpu_rate,$cell]}"), $who"
				cpu_run "$link" "$dir" "$size" "$ro" "${rep}m" "$who" common
			done
		fi
		cell_time "$cell" "$t_cell"
	done
done
for c in "${cells[@]}"; do
	read -r link dir size ro <<<"$c"
	cpu_rate "$link,$dir,$size,$ro"
	note "$(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): ours $(fmt_rate "$(med "${R[cap,$link,$dir,$size,$ro,ours]}")"), ref $(fmt_rate "$(med "${R[cap,$link,$dir,$size,$ro,ref]}")") frames/s"
done
# CPU at each one's capacity (and at a derived common rate): REPS passes;
# then a client whose common-rate step was left out (frames lost, or the
# sender fell short) and not made up for in the passes gets another run
# at that rate, up to REPS make-ups in all.
for ((rep = 1; rep <= 2 * REPS; rep++)); do
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		cell="$link,$dir,$size,$ro"
		t_cell=$(date +%s)
		for who in $( ((rep % 2)) && echo "ref ours" || echo "ours ref"); do
			if [ "$rep" -gt "$REPS" ]; then
				makeup_due "$cell" "$who" "$REPS" || continue
				steps=common
				note "make-up run $((rep - REPS)): $(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): CPU per frame at the common rate, $who"
			else
				steps=all
				[ "${R[cpu_rate_mark,$cell]}" = "*" ] || steps=own
				note "CPU run $rep of $REPS: $(link_name "$link"), $(wl_name "$dir" "$size" "$ro"): CPU per frame ($steps), $who"
			fi
			cpu_run "$link" "$dir" "$size" "$ro" "$rep" "$who" "$steps"
		done
		cell_time "$cell" "$t_cell"
	done
done

if [ "$CG" = 1 ]; then
	for dir in $DIRS; do
		for size in $SIZES; do
			note "callgrind: $(wl_name "$dir" "$size" 0), $CG_FRAMES frames"
			ir_per_frame "$dir" "$size" ref
			ir_per_frame "$dir" "$size" ours
		done
	done
fi
load1=$(cut -d ' ' -f 1-3 /proc/loadavg)
T_END=$(date +%s)

# ------------------------------------------------------------------ the report

# cap_ratio CELL: "RATIO LOW HIGH" of the capacities: the ratio of the
# medians, and the lowest and highest ratio the runs allow, each capacity
# being known only to its bracket (the rate carried, and the grid rate above
# it, which was not: "inf" when the path's ceiling was carried).
cap_ratio() {
	local cell=$1
	awk -v lo_o="${R[cap,$cell,ours]}" -v hi_o="${R[caphi,$cell,ours]}" \
		-v lo_r="${R[cap,$cell,ref]}" -v hi_r="${R[caphi,$cell,ref]}" \
		-v mo="$(med "${R[cap,$cell,ours]}")" -v mr="$(med "${R[cap,$cell,ref]}")" '
	function mn(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
	function mx(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 1; i <= n; i++) { if (a[i] == "inf") return "inf"; if (a[i] + 0 > m + 0) m = a[i] } return m }
	BEGIN {
		r = mr > 0 ? sprintf("%.6g", mo / mr) : "inf"
		h = mx(hi_r); low = h == "inf" ? 0 : mn(lo_o) / h
		l = mn(lo_r); h = mx(hi_o); high = (l + 0 == 0 || h == "inf") ? "inf" : sprintf("%.6g", h / l)
		printf "%s %.6g %s\n", r, low, high
	}'
}
# val_ratio "OURS VALUES" "REF VALUES": "RATIO LOW HIGH": the ratio of the
# medians, and the lowest and highest ratio of one of our runs to one of
# the reference's.
val_ratio() {
	local mo lo_o hi_o mr lo_r hi_r
	read -r mo lo_o hi_o <<<"$(stats "$1")"
	read -r mr lo_r hi_r <<<"$(stats "$2")"
	[ "$mo" = - ] || [ "$mr" = - ] && { echo "- - -"; return; }
	awk -v mo="$mo" -v mr="$mr" -v a="$lo_o" -v b="$hi_o" -v c="$lo_r" -v d="$hi_r" 'BEGIN {
		if (mr + 0 == 0 || c + 0 == 0) { print "- - -"; exit }
		printf "%.6g %.6g %.6g\n", mo / mr, a / d, b / c }'
}
fratios() {	# "RATIO LOW HIGH" as printed
	local r l h
	read -r r l h <<<"$1"
	[ "$r" = - ] && { echo "-"; return; }
	echo "$(fratio "$r") ($(fratio "$l")-$(fratio "$h"))"
}
# cap_fig CELL WHO: the capacity, median (min-max), and how many runs
# carried the path's ceiling or nothing on the grid
cap_fig() {
	local v n_top n_none extra=""
	v=$(fig "${R[cap,$1,$2]}" fmt_rate)
	n_top=$(echo "${R[caphi,$1,$2]}" | tr ' ' '\n' | grep -c '^inf$')
	n_none=$(echo "${R[cap,$1,$2]}" | tr ' ' '\n' | grep -c '^0$')
	[ "$n_top" -gt 0 ] && extra=", $n_top at the ceiling"
	[ "$n_none" -gt 0 ] && extra="$extra, $n_none below $(fmt_rate "$GRID_BASE")"
	echo "$v$extra"
}
of_ceiling() { awk -v v="$1" -v c="$2" 'BEGIN { if (v == "-" || c + 0 == 0) print "-"; else printf "%.0f%%", 100 * v / c }'; }
# verdict RATIO LOW HIGH WANT: met when even the lowest ratio the runs
# allow reaches WANT, NOT met when even the highest does not
verdict() {
	awk -v l="$2" -v h="$3" -v w="$4" 'BEGIN { if (l == "-") print "not measured"; else if (l + 0 >= w) print "met";
		else if (h != "inf" && h + 0 < w) print "NOT met"; else print "not established (the range spans it)" }'
}

# capacity_table LINK and cpu_tables LINK: one link's figures
capacity_table() {
	local link=$1 c dir size ro cell ceil r
	echo "| workload | path ceiling | ours, frames/s | ref, frames/s | ours/ref (range) | ours, of the ceiling | ref, of the ceiling |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for c in "${cells[@]}"; do
		read -r l dir size ro <<<"$c"
		[ "$l" = "$link" ] || continue
		cell="$link,$dir,$size,$ro"
		ceil=${R[ceil_path,$link,$dir,$size]}
		r=$(cap_ratio "$cell")
		R[hr,$cell,capacity]=$r
		printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$(wl_name "$dir" "$size" "$ro")" "$(fmt_rate "$ceil")" \
			"$(cap_fig "$cell" ours)" "$(cap_fig "$cell" ref)" "$(fratios "$r")" \
			"$(of_ceiling "$(med "${R[cap,$cell,ours]}")" "$ceil")" "$(of_ceiling "$(med "${R[cap,$cell,ref]}")" "$ceil")"
	done
}
cpu_tables() {
	local link=$1 c dir size ro cell r l k
	echo "At the common rate (both clients offered the same rate, the same in every run: CPU_RATES=\"${CPU_RATES:-none}\","
	echo "frames/s by frame size, half of it for echo, whose frames cross the client twice; \"!\": that rate is above"
	echo "$CPU_BACK grid step(s) below the lower of the two clients' median capacities, where loss is likely; \"*\": a"
	echo "size without a rate, which takes that lower rate (it moves from run to run); \"of capacity\": the rate as a"
	echo "share of each client's median capacity; \"loss\": the worst of the runs; \"left out\": runs not counted, in"
	echo "which frames were lost or the sender fell short of the rate):"
	echo
	echo "| workload | rate | of capacity ours / ref | CPU s/Mframe ours | ref | ours/ref (range) | client CPU% ours / ref | fakeppp CPU% ours / ref | pacsrv CPU% ours / ref | loss ours / ref | left out ours / ref |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for c in "${cells[@]}"; do
		read -r l dir size ro <<<"$c"
		[ "$l" = "$link" ] || continue
		cell="$link,$dir,$size,$ro"
		k=common
		r=$(val_ratio "${R[cpumf,$cell,ours,$k]:-}" "${R[cpumf,$cell,ref,$k]:-}")
		R[hr,$cell,cpu]=$r
		printf "| %s | %s | %s / %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s |\n" "$(wl_name "$dir" "$size" "$ro")" \
			"$(fmt_rate "${R[cpu_rate,$cell]}")${R[cpu_rate_mark,$cell]}" \
			"$(of_ceiling "${R[cpu_rate,$cell]}" "$(med "${R[cap,$cell,ours]}")")" \
			"$(of_ceiling "${R[cpu_rate,$cell]}" "$(med "${R[cap,$cell,ref]}")")" \
			"$(fig "${R[cpumf,$cell,ours,$k]:-}" f3)" \
			"$(fig "${R[cpumf,$cell,ref,$k]:-}" f3)" "$(fratios "$r")" \
			"$(fpct "$(med "${R[util,$cell,ours,$k]:-}")")" "$(fpct "$(med "${R[util,$cell,ref,$k]:-}")")" \
			"$(fpct "$(med "${R[fpp_util,$cell,ours,$k]:-}")")" "$(fpct "$(med "${R[fpp_util,$cell,ref,$k]:-}")")" \
			"$(fpct "$(med "${R[pac_util,$cell,ours,$k]:-}")")" "$(fpct "$(med "${R[pac_util,$cell,ref,$k]:-}")")" \
			"$(pct "$(stats "${R[cpuloss,$cell,ours,$k]:-}" | cut -d' ' -f3)")" \
			"$(pct "$(stats "${R[cpuloss,$cell,ref,$k]:-}" | cut -d' ' -f3)")" \
			"${R[cpushort,$cell,ours,$k]:-0}" "${R[cpushort,$cell,ref,$k]:-0}"
	done
	echo
	echo "At each client's own capacity (its median; each offered a different rate, so these are not a"
	echo "comparison of cost, they show what the client spends at its limit):"
	echo
	echo "| workload | ours: rate | CPU s/Mframe | client CPU% | loss (median) | left out | ref: rate | CPU s/Mframe | client CPU% | loss (median) | left out |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for c in "${cells[@]}"; do
		read -r l dir size ro <<<"$c"
		[ "$l" = "$link" ] || continue
		cell="$link,$dir,$size,$ro"
		k=own
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$(wl_name "$dir" "$size" "$ro")" \
			"$(fmt_rate "$(med "${R[cap,$cell,ours]}")")" "$(fig "${R[cpumf,$cell,ours,$k]:-}" f3)" \
			"$(fig "${R[util,$cell,ours,$k]:-}" f0)" "$(pct "$(med "${R[cpuloss,$cell,ours,$k]:-}")")" \
			"${R[cpushort,$cell,ours,$k]:-0}" \
			"$(fmt_rate "$(med "${R[cap,$cell,ref]}")")" "$(fig "${R[cpumf,$cell,ref,$k]:-}" f3)" \
			"$(fig "${R[util,$cell,ref,$k]:-}" f0)" "$(pct "$(med "${R[cpuloss,$cell,ref,$k]:-}")")" \
			"${R[cpushort,$cell,ref,$k]:-0}"
	done
}

report() {
	local cpu_model c dir size ro v who link cell sec=0 l
	cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "# PPTP client benchmark: ours against the reference"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- command: ${BENCH_CMD:-bench/bench.sh}$([ -n "$QUICK" ] && echo " (QUICK=1)")"
	echo "- machine: $NCPU CPUs, ${cpu_model:-unknown CPU}, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); Linux $(uname -r)"
	echo "- ours: $OURS ($ver_ours)${commit:+, commit $commit}$([ "${dirty:-0}" -gt 0 ] && echo ", with uncommitted changes")"
	echo "- reference: $REF ($ver_ref)"
	echo "- load average: $load0 at start, $load1 at end; the run took $((T_END - T_START)) s"
	awk -v l="${load0%% *}" -v m="${load1%% *}" -v n="$NCPU" 'BEGIN { if (l > n / 2 || m > n / 2)
		print "- WARNING: the machine was busy (load " l " at start, " m " at end, on " n " CPUs): throughput and CPU figures are noisy" }'
	if [ ${#CLI_PIN[@]} -gt 0 ]; then
		echo "- pinning: the client on CPU $CLIENT_CPU; pacsrv, fakeppp and clientmon on CPU $PEER_CPUS"
	else
		echo "- pinning: none"
	fi
	echo "- frames: PPP frames of the size given (the GRE payload)"
	# a check on the CPU accounting: a client pinned to one CPU cannot use more than all of it
	local k all_util=""
	for k in "${!R[@]}"; do
		case $k in util,*) all_util="$all_util ${R[$k]}" ;; esac
	done
	echo "- the highest client CPU% in any measured window: $(stats "$all_util" | cut -d' ' -f3)$([ ${#CLI_PIN[@]} -gt 0 ] &&
		echo " (the client is pinned to one CPU: at most 100)")"
	echo "- settings: SIZES=\"$SIZES\" DIRS=\"$DIRS\" REORDER_DIRS=\"$REORDER_DIRS\" LINKS=\"$LINKS\" REPS=$REPS STEP_S=$STEP_S"
	echo "  GAP_S=$GAP_S CPU_S=$CPU_S CEIL_S=$CEIL_S GRID_BASE=$GRID_BASE GRID_RATIO=$GRID_RATIO SEARCH_K=$SEARCH_K"
	echo "  CPU_RATES=\"$CPU_RATES\" CPU_BACK=$CPU_BACK"
	echo "  PACE_TOL=$PACE_TOL LOSS_OK=$LOSS_OK CG=$CG$([ "$CG" = 1 ] && echo " CG_FRAMES=$CG_FRAMES")"
	echo "- method: every figure is the median of $REPS runs, with the lowest and highest in brackets; the runs are"
	if [ "$any_fixed" = 1 ]; then
		echo "  $REPS passes over all the workloads, each measuring the capacities, then CPU per frame at the fixed common rate"
		echo "  (echo: half that rate, its frames cross the client twice), so those spreads span the whole bench; CPU at each"
		echo "  client's capacity (and at a derived rate, \"*\"): $REPS runs after the passes; a run left out at the common rate is"
		echo "  made up for by one run in a later part of the same pass (a client short of runs kept gets one a pass), the rest"
		echo "  at the end, at most $REPS in all.  Within a pass"
	else
		echo "  $REPS passes over all the workloads measuring the capacities, so those spreads span the whole bench; CPU per frame"
		echo "  (at the derived common rate and at each client's capacity): $REPS runs after the passes, runs left out at the"
		echo "  common rate made up for at the end.  Within a pass"
	fi
	echo "  the two clients run in turn, the order swapped every pass.  Capacity: the highest offered rate carried with a loss of at"
	echo "  most $LOSS_OK, found by bisection on one grid of rates for both clients ($(fmt_rate "$GRID_BASE") frames/s times"
	echo "  powers of $GRID_RATIO, up to the path's ceiling), steps of $STEP_S s; a step counts only if the sender"
	echo "  managed the rate.  CPU: each process's own CPU time over the window it is measured in (clientmon"
	echo "  samples it every 10 ms; each reading good to a scheduler tick, $TICK_S s), steps of $CPU_S s.  See bench/README."
	echo
	for link in $LINKS; do
		sec=$((sec + 1))
		if [ "$link" = pty ]; then
			echo "## $sec. Over a pty (what pppd's pty option gives): capacity"
			echo
			echo "The headline: a pty between fakeppp and the client, as pppd's pty option gives.  The tty layer"
			echo "moves at most about 4 KiB per wake-up and costs both sides kernel time."
		else
			echo "## $sec. Over a socket pair (the client alone): capacity"
			echo
			echo "A unix stream socket pair between fakeppp and the client instead of a pty: the tty layer is out of"
			echo "the way, so the figures show more of the client itself than any pppd set-up would see."
		fi
		echo "\"path ceiling\": the lowest of the peers' own ceilings on the workload's path (see \"The peers' own ceiling\")."
		echo
		capacity_table "$link"
		echo
		sec=$((sec + 1))
		echo "## $sec. Over a $(link_name "$link"): CPU per frame"
		echo
		echo "CPU s/Mframe: CPU time of every client process over the step's window (the sender's start to the"
		echo "last arrival), per million frames delivered (echo: per frame echoed, crossing the client twice)."
		echo "CPU%: the same time over the window, of one CPU (the client is pinned to one); fakeppp's and"
		echo "pacsrv's CPU% over the same window (they share the other CPU)."
		echo
		cpu_tables "$link"
		echo
	done
	sec=$((sec + 1))
	echo "## $sec. Loss at the reference's capacity"
	echo
	echo "Ours offered the reference's median capacity, steps of $CPU_S s in the CPU runs.  \"sent\": the part of"
	echo "the rate the sender managed, the lowest of the runs (upstream a client that does not keep up holds"
	echo "fakeppp back through the link instead of losing frames)."
	echo
	echo "| link | workload | offered | ours: loss, median (worst) | sent, lowest |"
	echo "|---|---|---:|---:|---:|"
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		cell="$link,$dir,$size,$ro"
		local s p
		read -r -a s <<<"$(stats "${R[cpuloss,$cell,ours,refcap]:-}")"
		R[loss_at_ref,$cell]=${s[2]}
		read -r -a p <<<"$(stats "${R[cpupace,$cell,ours,refcap]:-}")"
		R[pace_at_ref,$cell]=${p[1]}
		printf "| %s | %s | %s fps | %s (%s) | %s |\n" "$(link_name "$link")" "$(wl_name "$dir" "$size" "$ro")" \
			"$(f0 "$(med "${R[cap,$cell,ref]}")")" "$(pct "${s[0]}")" "$(pct "${s[2]}")" \
			"$(awk -v v="${p[1]}" 'BEGIN { if (v == "-") print "-"; else printf "%.1f%%", 100 * v }')"
	done
	echo
	sec=$((sec + 1))
	echo "## $sec. The capacity searches"
	echo
	echo "Each search: the grid rates tried, in the order of the client runs (\";\" between runs), \"ok\" when"
	echo "the step carried the rate, \"no\" and why when not; => the capacity found."
	echo
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		cell="$link,$dir,$size,$ro"
		echo "- $(link_name "$link"), $(wl_name "$dir" "$size" "$ro") (path ceiling $(fmt_rate "${R[ceil_path,$link,$dir,$size]}"); ${R[secs,$cell]} s for this workload)"
		for who in ours ref; do
			echo "  - $who:"
			while IFS= read -r l; do [ -n "$l" ] && echo "    - $l"; done <<<"${R[probes,$cell,$who]}"
		done
	done
	echo
	if [ "$CG" = 1 ]; then
		sec=$((sec + 1))
		echo "## $sec. Instructions per frame (callgrind, user space only)"
		echo
		echo "Every client process under valgrind --tool=callgrind (gateway and call manager), over the socket"
		echo "pair, frames paced at $CG_RATE_64 fps (64 B) or $CG_RATE_1400 fps (1400 B), about one frame per wake-up.  Ir per frame"
		echo "is the slope between a run of $CG_FRAMES frames and one of $((CG_FRAMES / 10)), so start-up and call set-up cancel"
		echo "out.  Kernel work (system calls, the socket buffers, the network stack) is not counted.  Echo: per"
		echo "frame echoed (it crosses the client twice).  One run each: callgrind counts, it does not time."
		echo
		echo "| workload | ours Ir/frame | ref Ir/frame | ours/ref | loss in the run ours / ref |"
		echo "|---|---:|---:|---:|---:|"
		for dir in $DIRS; do
			for size in $SIZES; do
				o="$dir,$size,ours" r="$dir,$size,ref"
				printf "| %s | %s | %s | %s | %s / %s |\n" "$(wl_name "$dir" "$size" 0)" "${R[ir,$o]}" "${R[ir,$r]}" \
					"$(ratio "${R[ir,$o]}" "${R[ir,$r]}")" "$(pct "${R[ir_loss,$o]}")" "$(pct "${R[ir_loss,$r]}")"
			done
		done
		echo
	fi
	sec=$((sec + 1))
	echo "## $sec. Memory (the largest over the CPU runs)"
	echo
	echo "| | ours | ref | ours/ref |"
	echo "|---|---:|---:|---:|"
	local m
	for m in gw_hwm:"peak RSS, gateway (KiB)" cm_hwm:"peak RSS, call manager (KiB)" \
		sum_hwm:"peak RSS, gateway + call manager (KiB)" sum_priv:"private memory, both (KiB)"; do
		local name=${m%%:*} label=${m#*:}
		printf "| %s | %s | %s | %s |\n" "$label" "${R[$name,ours]:-}" "${R[$name,ref]:-}" \
			"$(ratio "${R[$name,ours]:-}" "${R[$name,ref]:-}")"
	done
	echo
	echo "Peak RSS (VmHWM) includes the shared pages of libc and the loader that every process maps;"
	echo "private memory (Private_Clean + Private_Dirty) is what the processes cost beyond them."
	echo
	sec=$((sec + 1))
	echo "## $sec. The peers' own ceiling"
	echo
	echo "What fakeppp and the link carry with a stand-in in the client's place that does next to nothing"
	echo "(cat reading; fakeppp --emit writing ready-made frames), pinned where the client runs, $CEIL_S s flat out;"
	echo "and what pacsrv sends flat out ($CEIL_S s, our client receiving over the socket pair).  Median (min-max)"
	echo "of $REPS runs, frames/s; CPU: the peer's own, of one CPU.  A workload's path ceiling is the lowest of"
	echo "those on its path: upstream fakeppp -> cat; downstream pacsrv and --emit -> fakeppp; echo all three."
	echo
	local hdr="| frames" sep="|---"
	for link in $LINKS; do
		hdr="$hdr | $(link_name "$link"), fakeppp -> cat | CPU | $(link_name "$link"), --emit -> fakeppp | CPU"
		sep="$sep|---:|---:|---:|---:"
	done
	echo "$hdr | pacsrv sending | CPU |"
	echo "$sep|---:|---:|"
	for size in $SIZES; do
		local row="| $size B"
		for link in $LINKS; do
			row="$row | $(fig "${R[ceil_src,$size,$link]}" fmt_rate) | $(fpct "$(med "${R[ceil_src_cpu,$size,$link]}")")"
			row="$row | $(fig "${R[ceil_sink,$size,$link]}" fmt_rate) | $(fpct "$(med "${R[ceil_sink_cpu,$size,$link]}")")"
		done
		echo "$row | $(fig "${R[ceil_pac,$size]:-}" fmt_rate) | $(fpct "$(med "${R[ceil_pac_cpu,$size]:-}")") |"
	done
	echo
	sec=$((sec + 1))
	echo "## $sec. Targets"
	echo
	echo "A frame-rate target is met when even the lowest ratio the runs allow reaches it, NOT met when even"
	echo "the highest does not, and not established otherwise."
	echo
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		[ "$dir" = echo ] && continue
		cell="$link,$dir,$size,$ro"
		local want=3 r lo hi
		[ "$size" -le 200 ] && want=5
		read -r r lo hi <<<"${R[hr,$cell,capacity]}"
		printf -- "- frame rate >= %sx the reference's, %s, %s: %s (%s-%s): %s\n" "$want" "$(link_name "$link")" \
			"$(wl_name "$dir" "$size" "$ro")" "$(fratio "$r")" "$(fratio "$lo")" "$(fratio "$hi")" \
			"$(verdict "$r" "$lo" "$hi" "$want")"
	done
	if [ "$CG" = 1 ]; then
		for dir in $DIRS; do
			for size in $SIZES; do
				v=$(ratio "${R[ir,$dir,$size,ours]}" "${R[ir,$dir,$size,ref]}")
				printf -- "- instructions per frame <= 1/4 of the reference's (aim: 1/10), %s: %s: %s\n" \
					"$(wl_name "$dir" "$size" 0)" "$v" \
					"$(awk -v v="$v" 'BEGIN { print (v <= 0.1 ? "met, 1/10 too" : v <= 0.25 ? "met (not yet 1/10)" : "NOT met") }')"
			done
		done
	fi
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		v=${R[loss_at_ref,$link,$dir,$size,$ro]}
		local pc=${R[pace_at_ref,$link,$dir,$size,$ro]}
		printf -- "- no loss at the reference's capacity, %s, %s: worst loss %s, sent at least %s: %s\n" \
			"$(link_name "$link")" "$(wl_name "$dir" "$size" "$ro")" "$(pct "$v")" \
			"$(awk -v v="$pc" 'BEGIN { if (v == "-") print "-"; else printf "%.1f%%", 100 * v }')" \
			"$(awk -v l="$v" -v p="$pc" -v m="$LOSS_OK" -v t="$PACE_TOL" 'BEGIN {
				print (l == "-" ? "not measured" : l <= m && p >= 1 - t ? "met" : "NOT met") }')"
	done
	v=${R[sum_hwm,ours]:-}
	printf -- "- RSS <= 2 MiB per tunnel (peak, gateway + call manager): %s KiB: %s\n" "$v" \
		"$(awk -v v="$v" 'BEGIN { print (v <= 2048 ? "met" : "NOT met") }')"
	printf -- "  (gateway alone %s KiB; private memory of both %s KiB)\n" "${R[gw_hwm,ours]:-}" "${R[sum_priv,ours]:-}"
	echo
	sec=$((sec + 1))
	echo "## $sec. Headline ratios (for bench/compare.sh)"
	echo
	echo "ours / reference: capacity (higher is better for ours) and CPU per frame at the common rate, named"
	echo "in the row (lower is better); low and high: the range the runs allow (\"inf\": no upper bound, a"
	echo "capacity at the path's ceiling); runs kept: the CPU runs at the common rate that were counted (of"
	echo "$REPS wanted; the rest lost frames or fell short of the rate).  \`bench/compare.sh A.md B.md\` says,"
	echo "row by row, whether two reports' ratios each lie in the other's range; a row in one report only (a"
	echo "CPU row measured at another rate) or without a figure is not compared, and that is not agreement."
	echo
	echo "| link | workload | figure | ours/ref | low | high | runs kept ours / ref |"
	echo "|---|---|---|---:|---:|---:|---:|"
	for c in "${cells[@]}"; do
		read -r link dir size ro <<<"$c"
		cell="$link,$dir,$size,$ro"
		local f r lo hi name kept
		for f in capacity cpu; do
			read -r r lo hi <<<"${R[hr,$cell,$f]:-- - -}"
			# the rate is part of what a CPU row measures: rows taken at
			# different rates are different rows to compare.sh
			name=$f kept=""
			if [ "$f" = cpu ]; then
				name="cpu at $(fmt_rate "${R[cpu_rate,$cell]}")"
				[ "${R[cpu_rate_mark,$cell]}" = "*" ] && name="$name*"
				kept="${R[cpuvalid,$cell,ours]:-0} / ${R[cpuvalid,$cell,ref]:-0}"
			fi
			printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$link" "$(wl_name "$dir" "$size" "$ro")" "$name" \
				"$(fratio "$r")" "$(fratio "$lo")" "$(fratio "$hi")" "$kept"
		done
	done
}

# The report ends with this line; in OUT, whatever follows it (notes
# written by hand, the VM's section) is kept when a new report replaces
# the one before it.
MARK='<!-- bench.sh: the report ends here; what follows is kept when it is regenerated -->'
if [ -n "${OUT:-}" ]; then
	report >"$WORK/report.md"
	echo "$MARK" >>"$WORK/report.md"
	: >"$WORK/kept.md"
	if [ -f "$OUT" ] && n=$(grep -nxF -- "$MARK" "$OUT" | head -n 1 | cut -d: -f1) && [ -n "$n" ]; then
		tail -n +$((n + 1)) "$OUT" >"$WORK/kept.md"
	fi
	cat "$WORK/report.md" "$WORK/kept.md" >"$OUT"
	cat "$WORK/report.md"
else
	report
fi
