#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# churn.sh - churn and load against the project's test server:
#   1. CHURN_N tunnel set-ups and tear-downs in a row, beside one tunnel
#      that stays up, so that they all share its call manager: every one
#      must come up and carry frames, and the call manager's descriptors
#      and memory, the entries in /run/pptp and /run/pptp-status and the
#      client's routes must not grow;
#   2. CM_CHURN_N tunnels in a row with nothing beside them, so that each
#      starts a call manager and, as it ends, stops it (the next one starts
#      while the last call manager may still be stopping): every one must
#      come up, and no process, /run/pptp entry, status socket or route
#      may be left;
#   3. LOAD_N tunnels at once through one call manager, frames on all.
# make check runs the short version (CHURN_N=50, CM_CHURN_N=10, LOAD_N=8);
# the long one is CHURN_N=1000 CM_CHURN_N=200 LOAD_N=64
# tests/integration/churn.sh.  The figures are printed on "#" lines.
. "$(dirname "$0")/lib.sh"

CHURN_N=${CHURN_N:-50}
CM_CHURN_N=${CM_CHURN_N:-10}
LOAD_N=${LOAD_N:-8}
INO=$(in_cli stat -L -c %i /proc/self/ns/net)

# The server stays for every tunnel (start_pacsrv's is --once).
ip netns exec "$NS_SRV" "$PACSRV" --max-calls 64 --timeout 3600 > "$WORK/pac.log" 2>&1 &
PAC_PID=$!
BG_PIDS="$BG_PIDS $PAC_PID"
wait_for LISTEN "$WORK/pac.log" 5 || not_ok "the test server did not start"

# What churn must not grow.
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
runfiles() { ls /run/pptp 2>/dev/null | grep -c "n$INO"; }
# Status sockets are shared by every suite: only the churned gateways'.
statusfiles() {
	local p n=0
	for p in $GWS; do [ -e "/run/pptp-status/$p" ] && n=$((n + 1)); done
	echo "$n"
}
GWS=""
# churn_one LOG WHAT I: one tunnel set up and torn down, its gateway's pid
# added to GWS; true when it came up and carried its frames.
churn_one() {
	client "$1" "--frames 2 --expect-echo"
	GWS="$GWS $(sed -n 's/^pptp\[\([0-9]*\)\].*starting.*/\1/p' "$WORK/$1" | head -n 1)"
	grep -q 'FAKEPPP RESULT ok' "$WORK/$1" && return 0
	echo "# tunnel $3 of the $2 failed:"
	grep -v '^FAKEPPP \(sent\|server\)' "$WORK/$1" | tail -n 12 | sed 's/^/#   | /'
	return 1
}
routes() { ip -n "$NS_CLI" route show | wc -l; }
callmgrs() {
	local p n=0
	for p in $(ip netns pids "$NS_CLI"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptpcm ] && n=$((n + 1))
	done
	echo "$n"
}
cm_pid() {
	local p
	for p in $(ip netns pids "$NS_CLI"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptpcm ] && { echo "$p"; return; }
	done
}

# 1. The anchor: a tunnel that stays up for the whole run.
# Not through client(): its timeout would end it, and $! must be fakeppp.
ip netns exec "$NS_CLI" "$FAKEPPP" --frames 1 --no-wait-link --hold 7200 --timeout 7200 -- \
	"$PPTP" $SRV_IP --nolaunchpppd --debug --logstring anchor > "$WORK/anchor.log" 2>&1 &
ANCHOR=$!
wait_for "call established" "$WORK/anchor.log" 10 || not_ok "the anchor tunnel did not come up"
cm=$(cm_pid)
# One set-up first, so that what a first call allocates once is counted.
client warm.log "--frames 2 --expect-echo"
sleep 0.3
fd0=$(fds_of "$cm") rss0=$(rss_of "$cm") run0=$(runfiles) st0=0 rt0=$(routes)
up=0
t0=$(date +%s%N)
for i in $(seq 1 "$CHURN_N"); do
	churn_one c.log churn "$i" && up=$((up + 1))
done
ms=$((($(date +%s%N) - t0) / 1000000))
sleep 0.3
fd1=$(fds_of "$cm") rss1=$(rss_of "$cm") run1=$(runfiles) st1=$(statusfiles) rt1=$(routes)
echo "# churn: $up of $CHURN_N tunnels up and carrying frames, $((ms / CHURN_N)) ms each, $ms ms in all"
echo "# churn: call manager fds $fd0 -> $fd1, RSS $rss0 -> $rss1 kB; /run/pptp $run0 -> $run1," \
	"status sockets left by the $(echo $GWS | wc -w) churned gateways: $st1, routes $rt0 -> $rt1"
expect_eq "churn: every one of $CHURN_N tunnels came up and carried frames" "$up" "$CHURN_N"
check "churn: the call manager shared by all is the one still running" test "$(cm_pid)" = "$cm"
expect_eq "churn: the call manager's descriptors do not grow" "$fd1" "$fd0"
# Memory: a page or two of allocator slack, not a leak per tunnel.
check "churn: the call manager's memory does not grow (RSS $rss0 -> $rss1 kB)" \
	test "$rss1" -le $((rss0 + 64))
expect_eq "churn: no entries left in /run/pptp" "$run1" "$run0"
expect_eq "churn: no status sockets left" "$st1" "$st0"
expect_eq "churn: no routes left" "$rt1" "$rt0"

kill -TERM "$ANCHOR"	# fakeppp passes it on to its pptp
wait "$ANCHOR" 2>/dev/null
for _ in $(seq 1 50); do [ -z "$(_pptp_live)" ] && break; sleep 0.1; done

# 2. Call managers churned: each tunnel alone, its call manager started
# and stopped with it.
GWS=""
run0=$(runfiles) rt0=$(routes)
up=0 cms=""
t0=$(date +%s%N)
for i in $(seq 1 "$CM_CHURN_N"); do
	churn_one m.log "call manager churn" "$i" && up=$((up + 1))
	cms="$cms $(sed -n 's/^pptp\[\([0-9]*\)\] .*callmgr .*established.*/\1/p' "$WORK/m.log" | head -n 1)"
done
ms=$((($(date +%s%N) - t0) / 1000000))
for _ in $(seq 1 100); do [ -z "$(_pptp_live)" ] && break; sleep 0.1; done
ncms=$(echo $cms | tr ' ' '\n' | sort -u | grep -c .)
run1=$(runfiles) st1=$(statusfiles) rt1=$(routes)
echo "# call manager churn: $up of $CM_CHURN_N tunnels up, $ncms call managers started and" \
	"stopped, $((ms / CM_CHURN_N)) ms each; /run/pptp $run0 -> $run1, status sockets left: $st1," \
	"routes $rt0 -> $rt1"
expect_eq "call manager churn: every one of $CM_CHURN_N tunnels came up" "$up" "$CM_CHURN_N"
expect_eq "call manager churn: each tunnel had a call manager of its own" "$ncms" "$CM_CHURN_N"
check "call manager churn: nothing of pptp left" no_pptp_left 0.5
expect_eq "call manager churn: no entries left in /run/pptp" "$run1" "$run0"
expect_eq "call manager churn: no status sockets left" "$st1" 0
expect_eq "call manager churn: no routes left" "$rt1" "$rt0"

# 3. Load: LOAD_N tunnels started at once; they find, or start, one call
# manager between them.
pids=()
for i in $(seq 1 "$LOAD_N"); do
	client "l$i.log" "--frames 50 --rate 50 --expect-echo --hold 1" &
	pids+=($!)
done
sleep 1
ncm=$(callmgrs)
for p in "${pids[@]}"; do wait "$p"; done
ok_n=$(grep -l 'FAKEPPP RESULT ok' "$WORK"/l*.log 2>/dev/null | wc -l)
frames=$(cat "$WORK"/l*.log | sed -n 's/^FAKEPPP sent=\([0-9]*\) received=\([0-9]*\).*/\2/p' |
	awk '{ s += $1 } END { print s + 0 }')
echo "# load: $ok_n of $LOAD_N tunnels at once carried every frame ($frames frames echoed), $ncm call manager(s)"
expect_eq "load: all $LOAD_N tunnels at once carried every frame" "$ok_n" "$LOAD_N"
expect_eq "load: through one call manager" "$ncm" 1

for _ in $(seq 1 50); do [ -z "$(_pptp_live)" ] && break; sleep 0.1; done
check "at the end: nothing of pptp left" no_pptp_left 0.5
expect_eq "at the end: /run/pptp is clean" "$(runfiles)" 0
finish
