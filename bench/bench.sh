#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh - our pptp against the reference client (Debian's pptp-linux,
# /usr/sbin/pptp), both driven through the same workloads in one run:
# capacity (frames/s at saturation), an offered-load sweep with the loss at
# each rate, CPU per frame, instructions per frame under callgrind, memory;
# upstream (pppd -> GRE), downstream (GRE -> pppd) and echo, 64- and
# 1400-byte frames, with and without reordering.
#
#   bench/bench.sh              (as root; `make bench` builds what it needs)
#   QUICK=1 bench/bench.sh      (a shorter run: fewer steps and frames)
#   OUT=bench/last.md bench/bench.sh    (the report also goes to that file)
#
# Two network namespaces joined by a veth.  Server side: build/pacsrv, the
# project's PAC-side test server (control connection; GRE sink, source or
# echo).  Client side: build/fakeppp, the pppd stand-in, with the client
# under test on its stdin/stdout (`SERVER --nolaunchpppd`) through clientmon,
# which accounts for every process the client starts.  See bench/README.
#
# Settings (environment): OURS REF QUICK SIZES DIRS REORDER_DIRS
# REORDER_EVERY SAT_S STEP_S GAP_S SWEEP_N CG CG_FRAMES CG_RATE_64
# CG_RATE_1400 PTY PIN CLIENT_CPU PEER_CPUS KEEP OUT.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$TOP/build}
OURS=${OURS:-$TOP/pptp}
REF=${REF:-/usr/sbin/pptp}
PACSRV=${PACSRV:-$B/pacsrv}
FAKEPPP=${FAKEPPP:-$B/fakeppp}
MON=$B/bench/clientmon
QUICK=${QUICK:-}
SIZES=${SIZES:-64 1400}			# PPP frame bytes (the GRE payload)
DIRS=${DIRS:-up down echo}
REORDER_EVERY=${REORDER_EVERY:-10}	# pacsrv swaps every Nth pair of packets it sends
GAP_S=${GAP_S:-0.15}			# pause between two steps (queues drain)
WINDOW=${WINDOW:-65535}			# pacsrv's receive window, the largest: no client waits for its acks
LOSS_OK=${LOSS_OK:-0.0001}		# "no loss": at most 1 frame in 10000
CG=${CG:-1}				# callgrind runs (1) or not (0)
PTY=${PTY:-1}				# the saturation runs again over a real pty (1) or not (0)
CG_RATE_64=${CG_RATE_64:-2000}		# callgrind runs are paced: about one frame per wake-up
CG_RATE_1400=${CG_RATE_1400:-1000}
if [ -n "$QUICK" ]; then
	REORDER_DIRS=${REORDER_DIRS:-down}
	SAT_S=${SAT_S:-0.6}
	STEP_S=${STEP_S:-0.3}
	SWEEP_N=${SWEEP_N:-5}
	CG_FRAMES=${CG_FRAMES:-3000}
else
	REORDER_DIRS=${REORDER_DIRS:-down echo}
	SAT_S=${SAT_S:-1}		# the flat-out run lasts this long
	STEP_S=${STEP_S:-0.5}		# each step of the sweep
	SWEEP_N=${SWEEP_N:-8}		# steps in the sweep
	CG_FRAMES=${CG_FRAMES:-20000}	# frames in a callgrind run
fi
# Between fakeppp and the client: a unix stream socket pair, so the tty
# layer (which caps both clients alike) is out of the way; the PTY section
# repeats the saturation runs over a real pty.
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
mkdir -p /var/run/pptp /run/pptp

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
# One client run, logs in $WORK/TAG-WHO.{cli,pac,mon} (RUN is that prefix).
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
		"$MON" "$RUN.mon" -- "${CLI_PIN[@]}" "$@" "$bin" $SRV_IP --nolaunchpppd $extra >"$RUN.cli" 2>&1
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
	# the steps it never carried are left out and reported.
	HUNG=0
	if [ $frc != 0 ] && grep -q '^FAKEPPP hangup' "$RUN.cli" &&
		grep -q '^FAKEPPP RESULT fail (not all steps sent)' "$RUN.cli"; then
		HUNG=1
		note "$RUN_NAME: the client hung up in the middle of the run"
	else
		[ $frc = 0 ] || fail_run "fakeppp: $(grep 'RESULT' "$RUN.cli")"
	fi
	[ $prc = 0 ] || fail_run "the test server saw a protocol error or did not finish (status $prc)"
}

# steps_of RATES: "R:S,R:S,..." for the given rates, each STEP_S long
steps_of() { local r out=""; for r in "$@"; do out="$out${out:+,}$r:$STEP_S"; done; echo "$out"; }

# workload TAG WHO DIR SIZE REORDER STEPS [WRAPPER ARGS...]
# One run of DIR (up: pty -> GRE, fakeppp sends and pacsrv counts; down:
# GRE -> pty, pacsrv sends and fakeppp counts; echo: both, pacsrv echoing)
# with SIZE-byte PPP frames, in steps.  Per step k it sets
#   S_SENT[k] S_RECV[k] S_DUP[k] S_REORD[k] S_OFFERED[k] (frames/s sent)
#   S_RATE[k] (frames/s received, first to last) S_LOSS[k] (fraction)
# and NSTEPS; the client's figures stay in RUN.mon.
declare -a S_SENT S_RECV S_REORD S_OFFERED S_RATE S_LOSS S_FIRST S_LAST
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
	local k durs planned=$NSTEPS
	read -r -a durs <<<"$(echo "$steps" | tr ',' '\n' | cut -d: -f2 | tr '\n' ' ')"
	HUNG_STEP=-1
	for ((k = 0; k < NSTEPS; k++)); do
		local re sent recv first last
		# shellcheck disable=SC2059
		re=$(printf "$txre" $k)
		sent=$(kv "$RUN.$tx" "$re" sent)
		if [ "$HUNG" = 1 ] && { [ -z "$sent" ] || [ "$sent" = 0 ]; }; then
			NSTEPS=$k	# the client had gone before this step began (or as it did)
			break
		fi
		# shellcheck disable=SC2059
		re=$(printf "$rxre" $k)
		recv=$(kv "$RUN.$rx" "$re" frames)
		first=$(kv "$RUN.$rx" "$re" first_us)
		last=$(kv "$RUN.$rx" "$re" last_us)
		S_SENT[k]=${sent:-0}
		S_RECV[k]=${recv:-0}
		S_REORD[k]=$(kv "$RUN.$rx" "$re" reordered)
		S_FIRST[k]=${first:-0}
		S_LAST[k]=${last:-0}
		S_OFFERED[k]=$(calc "${S_SENT[k]} / ${durs[k]}" "%.0f")
		S_RATE[k]=$(calc "(${S_RECV[k]} > 1 && ${S_LAST[k]} > ${S_FIRST[k]}) ? \
			(${S_RECV[k]} - 1) * 1e6 / (${S_LAST[k]} - ${S_FIRST[k]}) : 0" "%.0f")
		S_LOSS[k]=$(calc "${S_SENT[k]} > 0 ? (${S_SENT[k]} - ${S_RECV[k]}) / ${S_SENT[k]} : 1" "%.6f")
		[ "${S_SENT[k]}" -gt 0 ] || fail_run "step $k: nothing was sent"
		[ "${S_RECV[k]}" -gt 0 ] || [ "$HUNG" = 1 ] ||
			fail_run "step $k: the client carried none of ${S_SENT[k]} frames"
	done
	if [ "$HUNG" = 1 ]; then
		HUNG_STEP=$((NSTEPS - 1))
		[ "$NSTEPS" -gt 0 ] || fail_run "the client hung up before the first step"
		# the step it hung up in ran short: its offered rate is over the
		# time it lasted, not the time planned
		k=$HUNG_STEP
		S_OFFERED[k]=$(calc "${S_SENT[k]} * 1e6 / ($(kv "$RUN.$tx" "$(printf "$txre" $k)" last_us) - \
			$(kv "$RUN.$tx" "$(printf "$txre" $k)" start_us) + 1)" "%.0f")
	fi
	PLANNED=$planned
}

# Figures of the last run, from clientmon's report.
cpu_total() { awk '/^TOTAL/ { for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "%.4f\n", v["user_s"] + v["sys_s"] }' "$RUN.mon"; }
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
pct() { awk -v l="$1" 'BEGIN { if (l == "") print "-"; else if (l + 0 == 0) print "0"; else if (l < 0.001) printf "%.4f%%", 100 * l;
	else printf "%.2f%%", 100 * l }'; }
mbit() { calc "$1 * $2 * 8 / 1e6" "%.1f"; }

# ------------------------------------------------------------------ the peers' own ceiling

# With a stand-in in the client's place that does next to nothing (cat
# reading its stdin; fakeppp --emit writing ready-made frames to its
# stdout), pinned where the client runs: what the link and fakeppp carry at
# most.  KIND is "" for the socket pair, "pty" for a pty.
ceiling_run() {	# SIZE KIND
	local size=$1 kind=$2 log link=--socketpair
	[ "$kind" = pty ] && link=
	log=$WORK/ceil-src-$size-$kind
	# shellcheck disable=SC2086
	"${PEER_PIN[@]}" "$FAKEPPP" --fast --no-wait-link $link --size $((size - 4)) --steps "0:$SAT_S" --timeout 60 \
		-- "${CLI_PIN[@]}" sh -c 'exec cat >/dev/null' >"$log" 2>&1
	R[ceil_src,$size,$kind]=$(calc "$(kv "$log" '^FAKEPPP step=0 ' sent) / $SAT_S" "%.0f")
	R[ceil_src_cpu,$size,$kind]=$(calc "100 * $(peer_cpu "$log") / $SAT_S" "%.0f")
	log=$WORK/ceil-sink-$size-$kind
	# shellcheck disable=SC2086
	"${PEER_PIN[@]}" "$FAKEPPP" --fast --no-wait-link $link --size 16 --sink-steps 1 --timeout 60 \
		-- "${CLI_PIN[@]}" "$FAKEPPP" --emit --size $((size - 4)) --steps "0:$SAT_S" >"$log" 2>&1
	local n f l
	n=$(kv "$log" '^FAKEPPP rx srv step=0 ' frames)
	f=$(kv "$log" '^FAKEPPP rx srv step=0 ' first_us)
	l=$(kv "$log" '^FAKEPPP rx srv step=0 ' last_us)
	if [ -z "$n" ] || [ "$n" -lt 2 ]; then
		tail "$log" >&2
		die "the ceiling run (fakeppp --emit -> fakeppp, $size B $kind) carried nothing"
	fi
	R[ceil_sink,$size,$kind]=$(calc "($n - 1) * 1e6 / ($l - $f)" "%.0f")
	R[ceil_sink_cpu,$size,$kind]=$(calc "100 * $(peer_cpu "$log") * 1e6 / ($l - $f)" "%.0f")
}

# ------------------------------------------------------------------ saturation and sweep

# sat_run DIR SIZE RO WHO [KIND]: one step with the sender flat out for
# SAT_S seconds (fakeppp: as fast as the client takes its input; pacsrv: as
# fast as it can send).  What the client delivers, and its CPU cost per frame
# carried (each direction a frame crosses counts).
sat_run() {
	local dir=$1 size=$2 ro=$3 who=$4 kind=${5:-} key="$1,$2,$3,$4${5:+,$5}"
	workload "sat-$dir-$size-$ro${kind:+-$kind}" "$who" "$dir" "$size" "$ro" "0:$SAT_S"
	local cpu win carried
	cpu=$(cpu_total)
	win=$(calc "(${S_LAST[0]} - ${S_FIRST[0]}) / 1e6" "%.6f")
	carried=${S_RECV[0]}
	# echo: the frames that reached the server count too (a frame lost on
	# the way back still cost the client its trip up)
	[ "$dir" = echo ] && carried=$((carried + $(kv "$RUN.pac" '^GRE DETAIL' rx_data)))
	R[flat,$key]=${S_RATE[0]}
	R[flat_loss,$key]=${S_LOSS[0]}
	R[flat_offered,$key]=${S_OFFERED[0]}
	R[cpu_mf,$key]=$(calc "$cpu * 1e6 / $carried" "%.3f")
	R[util,$key]=$(calc "100 * $cpu / $win" "%.0f")
	R[pac_util,$key]=$(calc "100 * $(peer_cpu "$RUN.pac") / $win" "%.0f")
	R[fpp_util,$key]=$(calc "100 * $(peer_cpu "$RUN.cli") / $win" "%.0f")
	R[gw_hwm,$key]=$(role gateway hwm_kb)
	R[cm_hwm,$key]=$(role detached hwm_kb)
	R[sum_hwm,$key]=$(sum_procs hwm_kb)
	R[sum_priv,$key]=$(sum_procs priv_kb)
	R[cap,$key]=${S_RATE[0]}
	[ "$HUNG" = 1 ] && R[flat_hung,$key]=1
}

# sweep_run DIR SIZE RO WHO: SWEEP_N steps of STEP_S seconds at rates from
# half the flat-out delivery up, geometrically, to what the sender reached
# flat out or 1.3 times the delivery, whichever is more (so a client whose
# delivery collapses under overload is still found at its best); ours has
# one more step at the reference's capacity.  The capacity is the most the
# client delivered in any step or flat out.
sweep_run() {
	local dir=$1 size=$2 ro=$3 who=$4 key="$1,$2,$3,$4"
	local d0=${R[flat,$key]} o0=${R[flat_offered,$key]} rates=() k lo hi
	lo=$(calc "$d0 / 2" "%.0f")
	hi=$(max "$(calc "$d0 * 1.3" "%.0f")" "$o0")
	for ((k = 0; k < SWEEP_N; k++)); do
		rates+=("$(calc "$lo * ($hi / $lo) ^ ($k / ($SWEEP_N - 1))" "%.0f")")
	done
	[ "$who" = ours ] && rates+=("${R[cap,$dir,$size,$ro,ref]}")
	workload "sweep-$dir-$size-$ro" "$who" "$dir" "$size" "$ro" "$(steps_of "${rates[@]}")"
	local curve="" best=0 cap=${R[cap,$key]}
	for ((k = 0; k < NSTEPS; k++)); do
		curve="$curve ${S_OFFERED[k]}:${S_RATE[k]}:${S_LOSS[k]}:${S_REORD[k]:-0}"
		if awk -v l="${S_LOSS[k]}" -v m="$LOSS_OK" 'BEGIN { exit !(l <= m) }'; then
			best=$(max "$best" "${S_OFFERED[k]}")
		fi
		# a step's delivery counts towards the capacity when it ran for
		# most of the step (not a burst caught in a few milliseconds)
		if awk -v f="${S_FIRST[k]}" -v l="${S_LAST[k]}" -v s="$STEP_S" 'BEGIN { exit !(l - f >= 0.8 * s * 1e6) }'; then
			cap=$(max "$cap" "${S_RATE[k]}")
		fi
	done
	R[curve,$key]=$curve
	R[noloss,$key]=$best
	R[cap,$key]=$cap
	[ "$HUNG" = 1 ] && R[sweep_hung,$key]="$((HUNG_STEP + 1)) of $PLANNED"
	if [ "$who" = ours ]; then
		k=$((NSTEPS - 1))
		if [ "$NSTEPS" -lt "$PLANNED" ]; then
			# hung up before the step at the reference's rate: all lost
			R[loss_at_ref,$dir,$size,$ro]=1
			R[rate_at_ref,$dir,$size,$ro]=${R[cap,$dir,$size,$ro,ref]}
		else
			R[loss_at_ref,$dir,$size,$ro]=${S_LOSS[k]}
			R[rate_at_ref,$dir,$size,$ro]=${S_OFFERED[k]}
		fi
	fi
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

ver_ours=$("$OURS" --version 2>&1 | head -n 1)
ver_ref=$(dpkg-query -W -f='pptp-linux ${Version}' pptp-linux 2>/dev/null || echo "version unknown")
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
commit=$(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)
dirty=$(cd "$TOP" && git status --porcelain --untracked-files=no 2>/dev/null | grep -c .)

combos=()
for dir in $DIRS; do
	for size in $SIZES; do
		combos+=("$dir $size 0")
		case " $REORDER_DIRS " in *" $dir "*) combos+=("$dir $size 1") ;; esac
	done
done
wl_name() {	# DIR SIZE RO
	local n
	case $1 in up) n="upstream" ;; down) n="downstream" ;; echo) n="echo" ;; esac
	echo "$n $2 B$([ "$3" = 1 ] && echo ", reordered")"
}

note "the peers' own ceiling (cat and fakeppp --emit in the client's place)"
for size in $SIZES; do
	ceiling_run "$size" ""
	[ "$PTY" = 1 ] && ceiling_run "$size" pty
done

for c in "${combos[@]}"; do
	read -r dir size ro <<<"$c"
	note "$(wl_name "$dir" "$size" "$ro"): flat out, then a sweep of $SWEEP_N steps"
	sat_run "$dir" "$size" "$ro" ref
	sweep_run "$dir" "$size" "$ro" ref
	sat_run "$dir" "$size" "$ro" ours
	sweep_run "$dir" "$size" "$ro" ours
done

if [ "$PTY" = 1 ]; then
	for dir in $DIRS; do
		for size in $SIZES; do
			note "$(wl_name "$dir" "$size" 0): flat out over a pty"
			LINK_OPT='' sat_run "$dir" "$size" 0 ref pty
			LINK_OPT='' sat_run "$dir" "$size" 0 ours pty
		done
	done
fi

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

report() {
	local cpu_model c dir size ro o r v who
	cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "# PPTP client benchmark: ours against the reference"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- command: ${BENCH_CMD:-bench/bench.sh}$([ -n "$QUICK" ] && echo " (QUICK=1)")"
	echo "- machine: $NCPU CPUs, ${cpu_model:-unknown CPU}, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); Linux $(uname -r)"
	echo "- ours: $OURS ($ver_ours)${commit:+, commit $commit}$([ "${dirty:-0}" -gt 0 ] && echo ", with uncommitted changes")"
	echo "- reference: $REF ($ver_ref)"
	echo "- load average: $load0 at start, $load1 at end; the run took $((T_END - T_START)) s"
	awk -v l="${load0%% *}" -v n="$NCPU" 'BEGIN { if (l > n / 2) print "- WARNING: the machine was busy (load " l " on " n " CPUs): throughput figures are noisy" }'
	if [ ${#CLI_PIN[@]} -gt 0 ]; then
		echo "- pinning: the client on CPU $CLIENT_CPU; pacsrv, fakeppp and clientmon on CPU $PEER_CPUS"
	else
		echo "- pinning: none"
	fi
	echo "- frames: PPP frames of the size given (the GRE payload); Mbit/s counts those bytes, one way"
	echo "- link between fakeppp and the client: a unix stream socket pair (section 5: a pty)"
	echo
	echo "## 1. Capacity: frames/s delivered at saturation"
	echo
	echo "Capacity: the most the client delivered, flat out ($SAT_S s) or in any step of the sweep."
	echo "CPU s per Mframe: user+sys of every client process (whole run) per million frames carried, in the"
	echo "flat-out run (echo: each direction a frame crossed counts).  CPU%: of one CPU while frames flowed;"
	echo "pacsrv and fakeppp: \"with ours / with ref\" (above about 90% a peer may be what limits)."
	echo
	echo "| workload | ours fps | ref fps | ours/ref | ours Mbit/s | ref Mbit/s | CPU s/Mframe ours | ref | ours/ref | client CPU% ours / ref | pacsrv CPU% | fakeppp CPU% |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for c in "${combos[@]}"; do
		read -r dir size ro <<<"$c"
		o="$dir,$size,$ro,ours" r="$dir,$size,$ro,ref"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s |\n" \
			"$(wl_name "$dir" "$size" "$ro")" "${R[cap,$o]}" "${R[cap,$r]}" "$(ratio "${R[cap,$o]}" "${R[cap,$r]}")" \
			"$(mbit "${R[cap,$o]}" "$size")" "$(mbit "${R[cap,$r]}" "$size")" \
			"${R[cpu_mf,$o]}" "${R[cpu_mf,$r]}" "$(ratio "${R[cpu_mf,$o]}" "${R[cpu_mf,$r]}")" \
			"${R[util,$o]}" "${R[util,$r]}" "${R[pac_util,$o]}" "${R[pac_util,$r]}" "${R[fpp_util,$o]}" "${R[fpp_util,$r]}"
	done
	echo
	echo "## 2. Loss at the reference's saturation rate"
	echo
	echo "Ours, offered the reference's capacity for $STEP_S s (the last step of its sweep)."
	echo
	echo "| workload | offered | ours: loss |"
	echo "|---|---:|---:|"
	for c in "${combos[@]}"; do
		read -r dir size ro <<<"$c"
		printf "| %s | %s fps | %s |\n" "$(wl_name "$dir" "$size" "$ro")" "${R[rate_at_ref,$dir,$size,$ro]}" \
			"$(pct "${R[loss_at_ref,$dir,$size,$ro]}")"
	done
	echo
	echo "## 3. Offered-load sweep"
	echo
	echo "Steps of $STEP_S s: offered -> delivered frames/s (loss; frames arriving after a later one)."
	echo "\"no loss up to\": the highest offered rate losing at most $LOSS_OK of its frames; flat out: the"
	echo "sender as fast as it can (fakeppp: as fast as the client reads; pacsrv: as fast as it sends)."
	echo
	for c in "${combos[@]}"; do
		read -r dir size ro <<<"$c"
		echo "- $(wl_name "$dir" "$size" "$ro")"
		for who in ours ref; do
			local line="" s off got loss reord
			for s in ${R[curve,$dir,$size,$ro,$who]}; do
				IFS=: read -r off got loss reord <<<"$s"
				line="$line, $(fmt_rate "$off")->$(fmt_rate "$got") ($(pct "$loss")$([ "${reord:-0}" != 0 ] && echo ", $reord late"))"
			done
			local hung=""
			[ -n "${R[flat_hung,$dir,$size,$ro,$who]:-}" ] && hung="; it hung up during the flat-out run"
			[ -n "${R[sweep_hung,$dir,$size,$ro,$who]:-}" ] &&
				hung="$hung; it hung up during step ${R[sweep_hung,$dir,$size,$ro,$who]} of the sweep (the steps after it never ran)"
			printf "  - %s: no loss up to %s fps; flat out %s->%s (%s)%s%s\n" "$who" \
				"$(fmt_rate "${R[noloss,$dir,$size,$ro,$who]}")" "$(fmt_rate "${R[flat_offered,$dir,$size,$ro,$who]}")" \
				"$(fmt_rate "${R[flat,$dir,$size,$ro,$who]}")" "$(pct "${R[flat_loss,$dir,$size,$ro,$who]}")" "$line" "$hung"
		done
	done
	echo
	if [ "$CG" = 1 ]; then
		echo "## 4. Instructions per frame (callgrind, user space only)"
		echo
		echo "Every client process under valgrind --tool=callgrind (gateway and call manager), frames paced at"
		echo "$CG_RATE_64 fps (64 B) or $CG_RATE_1400 fps (1400 B), about one frame per wake-up.  Ir per frame is the"
		echo "slope between a run of $CG_FRAMES frames and one of $((CG_FRAMES / 10)), so start-up and call set-up cancel"
		echo "out.  Kernel work (system calls, the socket buffers, the network stack) is not counted.  Echo: per"
		echo "frame echoed (it crosses the client twice)."
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
	if [ "$PTY" = 1 ]; then
		echo "## 5. Over a pty (flat out, $SAT_S s)"
		echo
		echo "The same flat-out runs with a real pty between fakeppp and the client, as pppd's pty option"
		echo "gives.  The tty layer moves at most about 4 KiB per wake-up and costs both sides kernel time,"
		echo "so it caps both clients: compare with the pty ceiling in section 7."
		echo
		echo "| workload | ours fps | ref fps | ours/ref | ours Mbit/s | ref Mbit/s | CPU s/Mframe ours | ref | client CPU% ours / ref |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		for dir in $DIRS; do
			for size in $SIZES; do
				o="$dir,$size,0,ours,pty" r="$dir,$size,0,ref,pty"
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n" "$(wl_name "$dir" "$size" 0)" \
					"${R[flat,$o]}" "${R[flat,$r]}" "$(ratio "${R[flat,$o]}" "${R[flat,$r]}")" \
					"$(mbit "${R[flat,$o]}" "$size")" "$(mbit "${R[flat,$r]}" "$size")" \
					"${R[cpu_mf,$o]}" "${R[cpu_mf,$r]}" "${R[util,$o]}" "${R[util,$r]}"
			done
		done
		echo
	fi
	echo "## 6. Memory (the largest over the flat-out runs)"
	echo
	echo "| | ours | ref | ours/ref |"
	echo "|---|---:|---:|---:|"
	local m
	for m in gw_hwm:"peak RSS, gateway (KiB)" cm_hwm:"peak RSS, call manager (KiB)" \
		sum_hwm:"peak RSS, gateway + call manager (KiB)" sum_priv:"private memory, both (KiB)"; do
		local name=${m%%:*} label=${m#*:} vo=0 vr=0
		for c in "${combos[@]}"; do
			read -r dir size ro <<<"$c"
			vo=$(max "$vo" "${R[$name,$dir,$size,$ro,ours]:-0}")
			vr=$(max "$vr" "${R[$name,$dir,$size,$ro,ref]:-0}")
		done
		R[mem_$name,ours]=$vo
		R[mem_$name,ref]=$vr
		printf "| %s | %s | %s | %s |\n" "$label" "$vo" "$vr" "$(ratio "$vo" "$vr")"
	done
	echo
	echo "Peak RSS (VmHWM) includes the shared pages of libc and the loader that every process maps;"
	echo "private memory (Private_Clean + Private_Dirty) is what the processes cost beyond them."
	echo
	echo "## 7. The peers' own ceiling"
	echo
	echo "What fakeppp and the link carry with a stand-in in the client's place that does next to nothing"
	echo "(cat reading; fakeppp --emit writing ready-made frames), pinned where the client runs, and what"
	echo "pacsrv sends flat out (downstream flat-out runs: the lower of the two).  A client figure close to"
	echo "one of these would measure the peer, not the client."
	echo
	echo "| frames | socket pair, fakeppp -> cat | socket pair, --emit -> fakeppp | pty, fakeppp -> cat | pty, --emit -> fakeppp | pacsrv sending | best client up / down / echo |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for size in $SIZES; do
		local gs="-" bu="-" bd="-" be="-"
		case " $DIRS " in *" down "*)
			gs=$(min "${R[flat_offered,down,$size,0,ours]}" "${R[flat_offered,down,$size,0,ref]}")
			bd=$(max "${R[cap,down,$size,0,ours]}" "${R[cap,down,$size,0,ref]}") ;;
		esac
		case " $DIRS " in *" up "*) bu=$(max "${R[cap,up,$size,0,ours]}" "${R[cap,up,$size,0,ref]}") ;; esac
		case " $DIRS " in *" echo "*) be=$(max "${R[cap,echo,$size,0,ours]}" "${R[cap,echo,$size,0,ref]}") ;; esac
		printf "| %s B | %s (CPU %s%%) | %s (CPU %s%%) | %s (CPU %s%%) | %s (CPU %s%%) | %s | %s / %s / %s |\n" "$size" \
			"${R[ceil_src,$size,]}" "${R[ceil_src_cpu,$size,]}" "${R[ceil_sink,$size,]}" "${R[ceil_sink_cpu,$size,]}" \
			"${R[ceil_src,$size,pty]:--}" "${R[ceil_src_cpu,$size,pty]:--}" "${R[ceil_sink,$size,pty]:--}" \
			"${R[ceil_sink_cpu,$size,pty]:--}" "$gs" "$bu" "$bd" "$be"
	done
	echo
	echo "(frames/s; CPU: fakeppp's, of one CPU)"
	echo
	echo "## 8. Targets"
	echo
	for c in "${combos[@]}"; do
		read -r dir size ro <<<"$c"
		[ "$dir" = echo ] && continue
		local want=3
		[ "$size" -le 200 ] && want=5
		v=$(ratio "${R[cap,$dir,$size,$ro,ours]}" "${R[cap,$dir,$size,$ro,ref]}")
		printf -- "- frame rate >= %sx the reference's, %s: %sx: %s\n" "$want" "$(wl_name "$dir" "$size" "$ro")" "$v" \
			"$(awk -v v="$v" -v w="$want" 'BEGIN { print (v >= w ? "met" : "NOT met") }')"
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
	for c in "${combos[@]}"; do
		read -r dir size ro <<<"$c"
		v=${R[loss_at_ref,$dir,$size,$ro]}
		printf -- "- no loss at the reference's saturation rate, %s: %s: %s\n" "$(wl_name "$dir" "$size" "$ro")" \
			"$(pct "$v")" "$(awk -v l="$v" -v m="$LOSS_OK" 'BEGIN { print (l <= m ? "met" : "NOT met") }')"
	done
	v=${R[mem_sum_hwm,ours]}
	printf -- "- RSS <= 2 MiB per tunnel (peak, gateway + call manager): %s KiB: %s\n" "$v" \
		"$(awk -v v="$v" 'BEGIN { print (v <= 2048 ? "met" : "NOT met") }')"
	printf -- "  (gateway alone %s KiB; private memory of both %s KiB)\n" "${R[mem_gw_hwm,ours]}" "${R[mem_sum_priv,ours]}"
}

if [ -n "${OUT:-}" ]; then
	report | tee "$OUT"
else
	report
fi
