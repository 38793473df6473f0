#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh - one scripted session with the gateway and the call manager
# under valgrind (memcheck, full leak check, fd tracking): zero reports.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	not_ok "valgrind is needed (tests/deps.sh installs it)"; finish; exit
fi
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --track-fds=yes --log-file=$WORK/vg.%p.log"

# A session with traffic, reordering and loss, a SIGUSR1 dump, and a
# normal end; then one ended by the server.
start_pacsrv pac1.log --gre-reorder 7 --gre-drop 50
# shellcheck disable=SC2086
in_cli timeout 120 "$FAKEPPP" --frames 400 --expect-echo --max-missing 20 --allow-reorder -- \
	$VG "$PPTP" $SRV_IP --nolaunchpppd --debug --timeout 0.05 > "$WORK/c1.log" 2>&1 &
cp=$!
wait_for 'tunnel to .* is up' "$WORK/c1.log" 30
sleep 1
# The gateway is fakeppp's child.
for f in $(ip netns pids "$NS_CLI"); do
	[ "$(cat /proc/$f/comm 2>/dev/null)" = fakeppp ] && pkill -USR1 -P "$f"
done
wait $cp
expect_eq "valgrind session: pptp exits 0 under valgrind" "$(child_exit "$WORK/c1.log")" 0
expect_grep "valgrind session: frames went through" 'FAKEPPP RESULT ok' "$WORK/c1.log"
expect_grep "valgrind session: statistics were dumped" 'GRE statistics' "$WORK/c1.log"
stop_pacsrv

start_pacsrv pac2.log --fault cdn-after=2
# shellcheck disable=SC2086
in_cli timeout 120 "$FAKEPPP" --frames 5 --hold 30 -- \
	$VG "$PPTP" $SRV_IP --nolaunchpppd --debug > "$WORK/c2.log" 2>&1
expect_eq "valgrind, server ends the call: exit status 9" "$(child_exit "$WORK/c2.log")" 9
stop_pacsrv
sleep 1	# the call manager finishes on its own

n=$(ls "$WORK"/vg.*.log | wc -l)
check "valgrind watched the gateways and call managers ($n processes)" test "$n" -ge 4
# Everything valgrind said, except descriptors it marks as inherited from
# the parent (the test's shell, valgrind's own log): those are not ours.
reports=$(awk '
	/^==[0-9]+== *$/ { next }
	/FILE DESCRIPTORS: .* open/ { next }
	/^==[0-9]+== Open / { if (held != "") print held; held = $0; next }
	/inherited from parent/ { held = ""; next }
	/^==[0-9]+==/ { if (held != "") { print held; held = "" } print }
	END { if (held != "") print held }' "$WORK"/vg.*.log | grep -vE '^==[0-9]+==    (at|by) ')
if [ -z "$reports" ]; then
	ok "valgrind: zero reports (memory errors, leaks, leaked descriptors)"
else
	not_ok "valgrind: reports"
	cat "$WORK"/vg.*.log | head -60 | sed 's/^/    | /'
fi
finish
