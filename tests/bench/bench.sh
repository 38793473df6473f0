#!/bin/bash
# bench.sh - our pptp against the reference client (Debian's pptp-linux,
# /usr/sbin/pptp) under identical conditions: throughput, CPU cost, latency,
# call set-up time, memory, descriptors, idle cost, reordering.
#
#   tests/bench/bench.sh            (as root; `make bench` builds what it needs)
#
# Two network namespaces joined by a veth: the server side runs the
# project's PAC-side test server (build/pacsrv) echoing every GRE packet;
# the client side runs fakeppp (the pppd stand-in) with the client under test
# on its pty (`SERVER --nolaunchpppd`), through clientmon, which accounts for
# every process the client starts (gateway and call manager).  Each figure is
# the median of $REPS runs; the two clients take turns.  See tests/bench/README.
#
# Settings (environment): OURS REF REPS BULK_MB BULK_SIZE BULK_INFLIGHT
# RTT_FRAMES RTT_SIZE IDLE_S REORDER_EVERY REORDER_FRAMES OVERLOAD_MB;
# CPUS=LIST pins the server, fakeppp and the client to those CPUs (taskset);
# KEEP=1 keeps the logs; RAW=1 also prints every run's figures.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-$TOP/build}
OURS=${OURS:-$TOP/pptp}
REF=${REF:-/usr/sbin/pptp}
PACSRV=${PACSRV:-$B/pacsrv}
FAKEPPP=${FAKEPPP:-$B/fakeppp}
MON=$B/bench/clientmon
REPS=${REPS:-3}
BULK_MB=${BULK_MB:-50}
BULK_SIZE=${BULK_SIZE:-1400}
BULK_INFLIGHT=${BULK_INFLIGHT:-64}
RTT_FRAMES=${RTT_FRAMES:-5000}
RTT_SIZE=${RTT_SIZE:-64}
IDLE_S=${IDLE_S:-3}
REORDER_EVERY=${REORDER_EVERY:-10}
REORDER_FRAMES=${REORDER_FRAMES:-5000}
OVERLOAD_MB=${OVERLOAD_MB:-20}
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
SUF=$$
NS_SRV=pbsrv$SUF
NS_CLI=pbcli$SUF
WORK=$(mktemp -d /tmp/pptp-bench.XXXXXX)
PAC_PID=
PIN=()
[ -n "${CPUS:-}" ] && PIN=(taskset -c "$CPUS")

die() {
	echo "bench: $*" >&2
	exit 1
}

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
	echo "bench: the reference client $REF is missing; installing Debian's pptp-linux" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		pptp-linux >/dev/null
fi
[ -x "$REF" ] || die "the reference client $REF is missing (apt-get install pptp-linux)"
mkdir -p "$B/bench"
if [ ! -x "$MON" ] || [ "$TOP/tests/bench/clientmon.c" -nt "$MON" ]; then
	${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Werror -o "$MON" "$TOP/tests/bench/clientmon.c" ||
		die "cannot build $MON"
fi
# The reference keeps its call manager socket in /var/run/pptp; each client
# run gets a private, empty /run/pptp (tmpfs in the run's mount namespace).
mkdir -p /var/run/pptp /run/pptp

trap cleanup EXIT
# (a signal is handled once the run under way has ended: a few seconds)
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

# ------------------------------------------------------------------ one run

# kv FILE LINE_REGEX KEY: the value of KEY=... on the last line matching
kv() { grep -E -- "$2" "$1" 2>/dev/null | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1; }

# fail_run WHY: say which run failed and why, show its logs, stop.
fail_run() {
	printf "\nbench: FAILED: %s: %s\n" "$RUN_NAME" "$1" >&2
	for f in "$RUN.cli" "$RUN.pac" "$RUN.mon"; do
		[ -f "$f" ] && { echo "---- $(basename "$f") (last lines)" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}

# run_client TAG NAME BIN "PACSRV OPTS" "FAKEPPP OPTS" [STRICT]
# Logs in $WORK/TAG-NAME.{cli,pac,mon}; RUN is that prefix.  With STRICT (a
# number) the run must carry every frame intact, in order, and lose at most
# STRICT of them, or the benchmark stops.
run_client() {
	local tag=$1 name=$2 bin=$3 popts=$4 fopts=$5 strict=${6:-}
	RUN=$WORK/$tag-$name
	RUN_NAME="$tag, $name client ($bin)"
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRV" "${PIN[@]}" "$PACSRV" --once --timeout 120 $popts >"$RUN.pac" 2>&1 &
	PAC_PID=$!
	local _
	for _ in $(seq 1 100); do grep -q '^LISTEN' "$RUN.pac" 2>/dev/null && break; sleep 0.02; done
	grep -q '^LISTEN' "$RUN.pac" || fail_run "the test server did not start"
	# shellcheck disable=SC2086
	ip netns exec "$NS_CLI" "${PIN[@]}" sh -c 'mount -t tmpfs -o mode=0755 bench /run/pptp && exec "$@"' sh \
		"$FAKEPPP" --expect-echo --probe-interval 0.01 --child-wait 20 --timeout 90 $fopts -- \
		"$MON" "$RUN.mon" -- "$bin" $SRV_IP --nolaunchpppd >"$RUN.cli" 2>&1
	local frc=$?
	local w=0
	while kill -0 "$PAC_PID" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
	kill "$PAC_PID" 2>/dev/null
	wait "$PAC_PID" 2>/dev/null
	local prc=$?
	PAC_PID=
	[ -f "$RUN.mon" ] || fail_run "no process report from clientmon"
	[ "$(kv "$RUN.mon" '^TOTAL' lingered)" = 0 ] ||
		fail_run "a client process was still running 15 s after the gateway ended (killed)"
	[ "$(kv "$RUN.cli" '^CHILD' exit)" = 0 ] || fail_run "the client exited with status $(kv "$RUN.cli" '^CHILD' exit)"
	[ -z "$strict" ] && return 0
	[ $frc = 0 ] || fail_run "fakeppp: $(grep 'RESULT' "$RUN.cli")"
	[ $prc = 0 ] || fail_run "the test server saw a protocol error or did not finish (status $prc)"
	local missing
	missing=$(kv "$RUN.cli" 'FAKEPPP sent=' missing)
	if grep -q 'bulk sent' "$RUN.cli" && [ "$missing" = 0 ]; then
		local sb rb sc rc
		sb=$(kv "$RUN.cli" 'bulk sent' bytes)
		rb=$(kv "$RUN.cli" 'bulk received' bytes)
		sc=$(kv "$RUN.cli" 'bulk sent' crc)
		rc=$(kv "$RUN.cli" 'bulk received' crc)
		{ [ "$sb" = "$rb" ] && [ "$sc" = "$rc" ]; } ||
			fail_run "bulk data did not come back intact ($sb bytes crc $sc sent, $rb bytes crc $rc back)"
	fi
	[ "${missing:-x}" -le "$strict" ] 2>/dev/null || fail_run "$missing frames lost (at most $strict allowed)"
}

# Frames lost in the last run: on the way to the server, and on the way back
# to pppd (the server echoes all it gets; fakeppp's link probes count too).
run_counts() {	# sets PROBES SENT RECEIVED SRV_RX (0 when missing)
	PROBES=$(sed -n 's/^FAKEPPP link up .* probes=\([0-9]*\).*/\1/p' "$RUN.cli" | tail -n 1)
	SENT=$(kv "$RUN.cli" 'FAKEPPP sent=' sent)
	RECEIVED=$(kv "$RUN.cli" 'FAKEPPP sent=' received)
	SRV_RX=$(kv "$RUN.pac" '^GRE DETAIL' rx_data)
}
lost_out() { run_counts; echo $(( ${SENT:-0} + ${PROBES:-0} - ${SRV_RX:-0} )); }
lost_back() { run_counts; echo $(( ${SRV_RX:-0} - ${PROBES:-0} - ${RECEIVED:-0} )); }

# Figures of the last run, from fakeppp's and clientmon's reports.
cpu_total() { awk '/^TOTAL/ { for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "%.3f\n", v["user_s"] + v["sys_s"] }' "$RUN.mon"; }
tot() { kv "$RUN.mon" '^TOTAL' "$1"; }
role() { kv "$RUN.mon" "^PROC .*role=$1 " "$2"; }
# sum of KEY over every process that ran to its end under clientmon
sum_procs() { awk -v k="$1" '/^PROC/ && !/role=child/ { for (i = 2; i <= NF; i++) { split($i, a, "=");
	if (a[1] == k) s += a[2] } } END { print s + 0 }' "$RUN.mon"; }

# ------------------------------------------------------------------ results store

declare -A R	# R[metric,client] = "v1 v2 v3"
put() { R[$1,$2]="${R[$1,$2]:-}${R[$1,$2]:+ }$3"; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { echo "${R[$1,$2]:-}" | median; }

# ------------------------------------------------------------------ the runs

ver_ours=$("$OURS" --version 2>&1 | head -n 1)
ver_ref=$(dpkg-query -W -f='pptp-linux ${Version}' pptp-linux 2>/dev/null || echo "version unknown")
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
t_start=$(date +%s)
bulk_bytes=$((BULK_MB * 1000000))
# A veth path loses nothing, but a rare kernel drop must not void a run:
# up to 1 frame in 10000 is tolerated in the bulk runs (and reported).
bulk_tol=$(( bulk_bytes / (BULK_SIZE - 6) / 10000 ))
declare -A LOST_OUT=([ours]=0 [ref]=0) LOST_BACK=([ours]=0 [ref]=0)

bulk_run() {	# NAME BIN
	run_client "bulk$rep" "$1" "$2" "" \
		"--bytes $bulk_bytes --size $BULK_SIZE --inflight $BULK_INFLIGHT --max-missing $bulk_tol" "$bulk_tol"
	local secs frames cpu
	secs=$(kv "$RUN.cli" 'bulk received' seconds)
	frames=$(kv "$RUN.cli" 'FAKEPPP sent=' received)
	cpu=$(cpu_total)
	put mbs "$1" "$(awk -v b="$bulk_bytes" -v s="$secs" 'BEGIN { printf "%.2f", b / s / 1e6 }')"
	put fps "$1" "$(awk -v f="$frames" -v s="$secs" 'BEGIN { printf "%.0f", f / s }')"
	put cpu "$1" "$cpu"
	put cpu_user "$1" "$(tot user_s)"
	put cpu_sys "$1" "$(tot sys_s)"
	put cpu_pct "$1" "$(awk -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.1f", 100 * c / s }')"
	put cpu_mb "$1" "$(awk -v c="$cpu" -v b="$bulk_bytes" 'BEGIN { printf "%.2f", c * 1000 / (b / 1e6) }')"
	put cs_frame "$1" "$(awk -v v="$(tot vcsw)" -v i="$(tot ivcsw)" -v f="$frames" \
		'BEGIN { printf "%.3f", v / (2 * f) }')"
	put gw_cpu "$1" "$(awk -v u="$(role gateway user_s)" -v s="$(role gateway sys_s)" 'BEGIN { printf "%.3f", u + s }')"
	put cm_cpu "$1" "$(awk -v u="$(role detached user_s)" -v s="$(role detached sys_s)" 'BEGIN { printf "%.3f", u + s }')"
	put gw_hwm "$1" "$(role gateway hwm_kb)"
	put cm_hwm "$1" "$(role detached hwm_kb)"
	put sum_hwm "$1" "$(sum_procs hwm_kb)"
	put sum_priv "$1" "$(sum_procs priv_kb)"
	put gw_fds "$1" "$(role gateway max_fds)"
	put cm_fds "$1" "$(role detached max_fds)"
	LOST_OUT[$1]=$((LOST_OUT[$1] + $(lost_out)))
	LOST_BACK[$1]=$((LOST_BACK[$1] + $(lost_back)))
}

rtt_run() {	# NAME BIN
	run_client "rtt$rep" "$1" "$2" "" "--frames $RTT_FRAMES --size $RTT_SIZE --inflight 1 --rtt" 0
	put rtt_mean "$1" "$(kv "$RUN.cli" 'FAKEPPP rtt' mean_us)"
	put rtt_p50 "$1" "$(kv "$RUN.cli" 'FAKEPPP rtt' p50_us)"
	put rtt_p99 "$1" "$(kv "$RUN.cli" 'FAKEPPP rtt' p99_us)"
	put rtt_cpu "$1" "$(awk -v c="$(cpu_total)" -v n="$RTT_FRAMES" 'BEGIN { printf "%.1f", c * 1e6 / n }')"
	put setup "$1" "$(sed -n 's/^FAKEPPP link up after \([0-9]*\) ms.*/\1/p' "$RUN.cli" | tail -n 1)"
}

idle_run() {	# NAME BIN: a few frames, then the tunnel left idle for IDLE_S seconds
	run_client "idle$rep" "$1" "$2" "" "--frames 5 --hold $IDLE_S" 0
	put idle_cs "$1" "$(tot vcsw)"
	put idle_cpu "$1" "$(awk -v c="$(cpu_total)" 'BEGIN { printf "%.1f", c * 1000 }')"
}

echo "bench: $REPS rounds of bulk ($BULK_MB MB), latency ($RTT_FRAMES frames) and idle (${IDLE_S} s) runs per client" >&2
for rep in $(seq 1 "$REPS"); do
	# take turns, so a drift in the machine's load is shared
	if [ $((rep % 2)) = 1 ]; then order="ours ref"; else order="ref ours"; fi
	for who in $order; do
		if [ "$who" = ours ]; then bin=$OURS; else bin=$REF; fi
		printf 'bench: round %s: %-4s bulk' "$rep" "$who" >&2
		bulk_run "$who" "$bin"
		printf ', latency' >&2
		rtt_run "$who" "$bin"
		printf ', idle\n' >&2
		idle_run "$who" "$bin"
	done
done

# Reordering: the server swaps every REORDER_EVERY-th pair of packets it sends.
# Both clients with their default reorder buffer.  Not strict: figures.
for who in ours ref; do
	if [ "$who" = ours ]; then bin=$OURS; else bin=$REF; fi
	echo "bench: reordering and overload runs: $who" >&2
	run_client "reorder" "$who" "$bin" "--gre-reorder $REORDER_EVERY" \
		"--frames $REORDER_FRAMES --size 200 --inflight 32 --allow-reorder --max-missing 1000000 --echo-timeout 1"
	R[ro_recv,$who]=$(kv "$RUN.cli" 'FAKEPPP sent=' received)
	R[ro_out,$who]=$(kv "$RUN.cli" 'FAKEPPP sent=' reordered)
	R[ro_lost,$who]=$(kv "$RUN.cli" 'FAKEPPP sent=' missing)
	# Overload: no in-flight limit; the sender writes as fast as the pty takes it.
	run_client "overload" "$who" "$bin" "" \
		"--bytes $((OVERLOAD_MB * 1000000)) --size $BULK_SIZE --inflight 0 --max-missing 10000000 --echo-timeout 1"
	R[ov_sent,$who]=$(kv "$RUN.cli" 'FAKEPPP sent=' sent)
	R[ov_recv,$who]=$(kv "$RUN.cli" 'FAKEPPP sent=' received)
	R[ov_lost_out,$who]=$(lost_out)
	R[ov_lost_back,$who]=$(lost_back)
	R[ov_mbs,$who]=$(awk -v b="$(kv "$RUN.cli" 'bulk received' bytes)" -v s="$(kv "$RUN.cli" 'bulk received' seconds)" \
		'BEGIN { if (s > 0) printf "%.2f", b / s / 1e6; else print "n/a" }')
done
t_end=$(date +%s)
load1=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ------------------------------------------------------------------ the report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a == "" || b == "" || b + 0 == 0) print "-";
	else if (a / b < 0.1) printf "%.3f", a / b; else printf "%.2f", a / b }'; }
# spread of the runs: largest / smallest - 1, in percent
spread() { echo "${R[$1,$2]:-}" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
	if (NR < 2) print "-"; else if (v[1] <= 0) print (v[NR] == v[1] ? "0%" : "-"); else printf "%.0f%%", 100 * (v[NR] / v[1] - 1) }'; }
# row LABEL METRIC FORMAT BETTER
row() {
	local a b
	a=$(med "$2" ours)
	b=$(med "$2" ref)
	# shellcheck disable=SC2059
	printf "  %-44s %10s %10s %9s  %11s  %s\n" "$1" "$(printf "$3" "$a")" "$(printf "$3" "$b")" "$(ratio "$a" "$b")" \
		"$(spread "$2" ours)/$(spread "$2" ref)" "$4"
	if [ -n "${RAW:-}" ]; then printf "  %-44s %10s %10s\n" "    (runs)" "${R[$2,ours]}" "${R[$2,ref]}"; fi
}
row_once() {	# LABEL OURS REF NOTE
	printf "  %-44s %10s %10s %9s  %11s  %s\n" "$1" "$2" "$3" "$(ratio "$2" "$3")" "" "$4"
}
hdr() { printf "\n%s\n" "$1"; }

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "PPTP client benchmark: ours vs the reference"
echo "  ours:       $OURS ($ver_ours)"
echo "  reference:  $REF ($ver_ref)"
echo "  machine:    $(nproc) CPUs, ${cpu_model:-unknown CPU}; Linux $(uname -r)"
echo "  load avg:   $load0 at start, $load1 at end; $((t_end - t_start)) s of runs"
awk -v l="${load0%% *}" -v n="$(nproc)" 'BEGIN { if (l > n / 2) print "  WARNING:    the machine is busy (load " l " on " n " CPUs): figures are noisy" }'
echo "  method:     veth between two network namespaces; pacsrv echoes GRE; fakeppp drives the"
echo "              client (--nolaunchpppd, async HDLC on a pty); every client process counted"
echo "              (gateway + call manager); median of $REPS runs, clients taking turns"
[ -n "${CPUS:-}" ] && echo "              everything pinned to CPUs $CPUS"
echo "  columns:    medians; ours/ref < 1 means ours is lower; spread: largest run / smallest - 1"
echo "              (ours/reference)"
printf "\n  %-44s %10s %10s %9s  %11s\n" "" "ours" "reference" "ours/ref" "spread"

hdr "Throughput: $BULK_MB MB echoed through the tunnel, $BULK_SIZE-byte frames, $BULK_INFLIGHT in flight"
row "payload MB/s (each way)" mbs "%.2f" "higher is better"
row "frames/s (each way)" fps "%.0f" "higher is better"
hdr "CPU cost of that transfer (user+sys, all client processes)"
row "CPU seconds" cpu "%.3f" "lower is better"
row "  user" cpu_user "%.3f" ""
row "  sys" cpu_sys "%.3f" ""
row "  gateway" gw_cpu "%.3f" ""
row "  call manager" cm_cpu "%.3f" ""
row "CPU ms per MB echoed" cpu_mb "%.2f" "lower is better"
row "CPU load while moving data (% of one CPU)" cpu_pct "%.1f" "lower is better"
row "voluntary context switches per packet" cs_frame "%.3f" "lower is better (packets: both ways)"
hdr "Latency: $RTT_FRAMES frames of $RTT_SIZE bytes, one at a time (fakeppp -> client -> server -> back)"
row "round trip, mean (us)" rtt_mean "%.1f" "lower is better"
row "round trip, median (us)" rtt_p50 "%.0f" "lower is better"
row "round trip, p99 (us)" rtt_p99 "%.0f" "lower is better"
row "CPU per round trip (us)" rtt_cpu "%.1f" "lower is better"
row "call set-up: start to first echoed frame (ms)" setup "%.0f" "lower is better"
hdr "Memory and descriptors (during the bulk transfer)"
row "peak RSS, gateway (VmHWM, KB)" gw_hwm "%.0f" "lower is better"
row "peak RSS, call manager (VmHWM, KB)" cm_hwm "%.0f" "lower is better"
row "peak RSS, all client processes (KB)" sum_hwm "%.0f" "lower is better"
row "private memory, all client processes (KB)" sum_priv "%.0f" "lower is better (not shared libc pages)"
row "open descriptors, gateway" gw_fds "%.0f" ""
row "open descriptors, call manager" cm_fds "%.0f" ""
hdr "Frames lost in the $REPS bulk runs (a veth path loses none; up to $bulk_tol per run tolerated)"
row_once "on the way to the server" "${LOST_OUT[ours]}" "${LOST_OUT[ref]}" ""
row_once "on the way back to pppd" "${LOST_BACK[ours]}" "${LOST_BACK[ref]}" ""
hdr "Idle: a tunnel carrying nothing for ${IDLE_S} s (including call set-up and clearing)"
row "voluntary context switches (wake-ups)" idle_cs "%.0f" "lower is better"
row "CPU (ms)" idle_cpu "%.1f" "lower is better"
hdr "Reordering: the server swaps every ${REORDER_EVERY}th pair of packets it sends; $REORDER_FRAMES frames (one run)"
row_once "frames delivered to pppd" "${R[ro_recv,ours]}" "${R[ro_recv,ref]}" "of $REORDER_FRAMES"
row_once "  of which out of order" "${R[ro_out,ours]}" "${R[ro_out,ref]}" "0 is right"
row_once "frames lost" "${R[ro_lost,ours]}" "${R[ro_lost,ref]}" "0 is right"
hdr "Overload: $OVERLOAD_MB MB with no in-flight limit (more than the server's window of 64) (one run)"
row_once "frames sent by pppd" "${R[ov_sent,ours]}" "${R[ov_sent,ref]}" ""
row_once "  lost on the way to the server" "${R[ov_lost_out,ours]}" "${R[ov_lost_out,ref]}" ""
row_once "  lost on the way back to pppd" "${R[ov_lost_back,ours]}" "${R[ov_lost_back,ref]}" ""
row_once "frames echoed back to pppd" "${R[ov_recv,ours]}" "${R[ov_recv,ref]}" "higher is better"
row_once "goodput MB/s" "${R[ov_mbs,ours]}" "${R[ov_mbs,ref]}" "higher is better"
echo
