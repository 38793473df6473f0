#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# status.sh - pptp --status [--json]: every state a tunnel goes through,
# text and JSON (checked by a JSON parser), readable by any user, stale
# sockets of killed tunnels.  Other suites may run tunnels at the same
# time: every check looks only at this suite's --logstring.
. "$(dirname "$0")/lib.sh"

if ! command -v jq >/dev/null; then
	not_ok "jq is needed to check the JSON (tests/deps.sh installs it)"; finish; exit
fi
TAG=st$$
# The record of tunnel NAME (its logstring) as JSON, or nothing.
rec() { "$PPTP" --status --json | jq -c --arg n "$1" '.tunnels[] | select(.logstring == $n)'; }
field() { rec "$1" | jq -r "$2"; }
jqt() { jq -e "$1" > /dev/null; }	# a JSON test on stdin
# wait_state NAME STATE: until the tunnel shows STATE (10 s at most)
wait_state() {
	for _ in $(seq 1 100); do [ "$(field "$1" .state)" = "$2" ] && return 0; sleep 0.1; done
	return 1
}

# 1. Dialing: the server accepts TCP and never answers.
start_pacsrv pac1.log --fault silent
client d.log "--frames 1 --no-wait-link --hold 10" --logstring "$TAG-d" --connect-timeout 6 &
cp=$!
check "dialing: shown while the call is being placed" wait_state "$TAG-d" dialing
expect_eq "dialing: the server's address" "$(field "$TAG-d" .server)" "$SRV_IP"
expect_eq "dialing: no call IDs yet" "$(field "$TAG-d" '.call_id')" 0
wait $cp
stop_pacsrv
expect_eq "dialing: gone once the tunnel gave up" "$(rec "$TAG-d")" ""

# 2. Verifying: the call is up, PPP only negotiates (LCP frames).
start_pacsrv pac2.log
client v.log "--frames 20 --rate 10 --protocol c021 --no-wait-link --hold 4" --logstring "$TAG-v" &
cp=$!
check "verifying: shown once the call is up and PPP negotiates" wait_state "$TAG-v" verifying
cid=$(sed -n "s/.*call established: our call ID \([0-9]*\), server's call ID \([0-9]*\).*/\1 \2/p" \
	"$WORK/v.log" | head -n 1)
expect_eq "verifying: the call IDs of the log" "$(field "$TAG-v" '"\(.call_id) \(.peer_call_id)"')" "$cid"

# 3. Connected: traffic crosses (IP frames) on a second tunnel to the server.
client c.log "--frames 200 --rate 40 --expect-echo --hold 2" --logstring "$TAG-c" &
cp2=$!
check "connected: shown once network traffic crossed" wait_state "$TAG-c" connected
sleep 1
r=$(rec "$TAG-c")
check "connected: the JSON parses and has every field" \
	jqt '.pid > 0 and .server == "192.0.2.1" and .server_name == "192.0.2.1" and
	       .uptime_s >= 0 and .state_s >= 0 and .call_id > 0 and .peer_call_id > 0 and
	       (.statistics | keys | length) == 22' <<<"$r"
check "connected: the path MTU is the route's (a veth: 1500), no frame too big" \
	jqt '.statistics.path_mtu_bytes == 1500 and .statistics.tx_too_big == 0 and
	       .statistics.icmp_too_big == 0' <<<"$r"
check "connected: the counters move" jqt '.statistics.rx_accepted > 0 and .statistics.tx_sent > 0' <<<"$r"
check "verifying: the other tunnel still negotiates" test "$(field "$TAG-v" .state)" = verifying
"$PPTP" --status > "$WORK/status.txt"
expect_grep "text: one line per tunnel with state and uptime" \
	"^$TAG-c: 192.0.2.1, connected for [0-9]+:[0-9]{2}:[0-9]{2}, up [0-9]+:[0-9]{2}:[0-9]{2}$" \
	"$WORK/status.txt"
expect_grep "text: the call IDs" "gateway pid [0-9]+, call ID [0-9]+, server's call ID 16384" \
	"$WORK/status.txt"
expect_grep "text: the fifteen counters with the manual's names" \
	'rx accepted [0-9]+, rx lost [0-9]+, rx under win [0-9]+, rx over win [0-9]+, rx buffered [0-9]+, rx OS errors [0-9]+, rx truncated [0-9]+, rx invalid [0-9]+, rx acks [0-9]+, tx sent [0-9]+, tx failed [0-9]+, tx short [0-9]+, tx acks [0-9]+, tx oversize [0-9]+, round trip [0-9]+ ms' \
	"$WORK/status.txt"
# what a person and a script see, for the log
sed 's/^/#   /' "$WORK/status.txt"
echo "#   --status --json, one tunnel: $r"

# Any user may read it; the socket is open, the directory is not writable.
expect_eq "permissions: the directory is root's and read-only to others" \
	"$(stat -c '%U %A' /run/pptp-status)" "root drwxr-xr-x"
gw=$(field "$TAG-c" .pid)
expect_eq "permissions: the socket is open to every user" \
	"$(stat -c '%A' /run/pptp-status/"$gw")" "srw-rw-rw-"
as_nobody=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$PPTP" --status --json |
	jq -r --arg n "$TAG-c" '.tunnels[] | select(.logstring == $n) | .state')
expect_eq "a user without privileges reads the status" "$as_nobody" connected
wait $cp $cp2
stop_pacsrv
expect_eq "connected: gone after the tunnel ended" "$(rec "$TAG-c")" ""

# 4. Terminated: pptp launched a pppd that takes its time to stop.
mkdir -p "$WORK/bin"
cat > "$WORK/bin/pppd" <<'EOF'
#!/bin/bash
trap 'sleep 3; exit 5' TERM
while :; do sleep 0.1; done
EOF
chmod +x "$WORK/bin/pppd"
start_pacsrv pac4.log
in_cli env PATH="$WORK/bin:$PATH" timeout 30 "$PPTP" $SRV_IP --debug --logstring "$TAG-t" \
	> "$WORK/t.log" 2>&1 &
cp=$!
wait_state "$TAG-t" verifying
check "the launched pppd's pid is shown" test "$(field "$TAG-t" .pppd_pid)" -gt 0
kill -TERM "$(field "$TAG-t" .pid)"
check "terminated: shown while pppd is stopping" wait_state "$TAG-t" terminated
wait $cp
stop_pacsrv

# 5. A gateway killed outright cannot remove its socket: its call manager
# does, once the gateway's connection to it closes.
callmgr_of_suite() {
	local p
	for p in $(_pptp_live); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q '^pptpcm ' && echo "$p"
	done
}
gone() { for _ in $(seq 1 30); do [ ! -e "$1" ] && return 0; sleep 0.1; done; return 1; }
# Its parent (fakeppp, as pppd) is stopped meanwhile, so the gateway stays
# a zombie: then no other tunnel's start-up sweep (other suites run beside
# this one) may take the socket, only the call manager.
start_pacsrv pac5a.log
client ka.log "--frames 100 --rate 20 --no-wait-link" --logstring "$TAG-ka" &
cp=$!
wait_state "$TAG-ka" connected
gw=$(field "$TAG-ka" .pid)
fp=$(ps -o ppid= -p "$gw" | tr -d ' ')
kill -STOP "$fp"
kill -KILL "$gw"
check "killed gateway: its call manager removes its status socket" gone /run/pptp-status/"$gw"
kill -CONT "$fp"
wait $cp
stop_pacsrv
for _ in $(seq 1 50); do [ -z "$(_pptp_live)" ] && break; sleep 0.1; done

# A tunnel killed outright, its call manager too (stopped first, so that
# it cannot tidy up), leaves a stale socket until the next tunnel starts
# (any suite's may: checked once ours has).
start_pacsrv pac5.log
client k.log "--frames 100 --rate 20 --no-wait-link" --logstring "$TAG-k" &
cp=$!
wait_state "$TAG-k" connected
gw=$(field "$TAG-k" .pid)
cm=$(callmgr_of_suite)
check "stale: the tunnel's call manager is found (to stop it first)" test -n "$cm"
fp=$(ps -o ppid= -p "$gw" | tr -d ' ')
[ -n "$cm" ] && kill -STOP $cm
kill -STOP "$fp"	# the gateway stays a zombie: nobody sweeps it yet
kill -KILL "$gw"
sleep 0.3
check "stale: the dead tunnel's socket is left" test -S /run/pptp-status/"$gw"
[ -n "$cm" ] && kill -KILL $cm
kill -CONT "$fp"
wait $cp
stop_pacsrv
start_pacsrv pac5b.log
client k2.log "--frames 2 --expect-echo" --logstring "$TAG-k2"
expect_grep "stale: the next tunnel comes up" 'FAKEPPP RESULT ok' "$WORK/k2.log"
check "stale: ... and removed the dead tunnel's socket as it started" test ! -e /run/pptp-status/"$gw"
stop_pacsrv

# A stale socket that is not ours to sweep (another user's: a tunnel only
# removes its own user's): --status skips it, tells a user about it, and
# removes it when run by root.  98765432 is above any pid (pid_max).
# It is made under a name no sweep looks at (not a pid) and renamed once it
# is dead and another user's: a tunnel starting meanwhile in another suite
# would sweep it, as root's own, or connect to socat while it listens (and
# socat would answer, end and remove it).
STALE=/run/pptp-status/98765432
rm -f "$STALE" /run/pptp-status/.t98765432
socat UNIX-LISTEN:/run/pptp-status/.t98765432 /dev/null > /dev/null 2>&1 &
sp=$!
for _ in $(seq 1 30); do [ -S /run/pptp-status/.t98765432 ] && break; sleep 0.1; done
kill -KILL $sp; wait $sp 2>/dev/null
chown nobody /run/pptp-status/.t98765432 && mv /run/pptp-status/.t98765432 "$STALE"
check "stale: a dead socket is there" test -S "$STALE"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$PPTP" --status > "$WORK/stale-user.txt"
expect_grep "stale: a user is told about it" 'stale status socket.* of tunnels that died\)' \
	"$WORK/stale-user.txt"
check "stale: ... and cannot remove it" test -S "$STALE"
"$PPTP" --status > "$WORK/stale-root.txt"
expect_no_grep "stale: not listed as a tunnel" "98765432" "$WORK/stale-root.txt"
check "stale: root removes it" test ! -e "$STALE"

# 6. A gateway that does not answer (stopped with SIGSTOP, its listen
# backlog full): --status waits for it a bounded time, lists the others,
# and names it.
start_pacsrv pac6.log
client s.log "--frames 100 --rate 20 --no-wait-link --hold 20" --logstring "$TAG-s" &
cp=$!
wait_state "$TAG-s" connected
gw=$(field "$TAG-s" .pid)
kill -STOP "$gw"
fill=""
for _ in $(seq 1 12); do
	socat -u UNIX-CONNECT:/run/pptp-status/"$gw" /dev/null > /dev/null 2>&1 &
	fill="$fill $!"
done
sleep 0.5
t0=$(date +%s%N)
timeout 20 "$PPTP" --status > "$WORK/stopped.txt" 2>&1
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# --status with a stopped gateway took $ms ms (status $st)"
expect_eq "stopped gateway: --status ends with status 0" "$st" 0
check "stopped gateway: --status ends within 5 s" test "$ms" -lt 5000
expect_grep "stopped gateway: named as not answering" "gateway pid $gw: does not answer" \
	"$WORK/stopped.txt"
timeout 20 "$PPTP" --status --json > "$WORK/stopped.json" 2>&1
check "stopped gateway: --json lists it among the unresponsive" \
	jq -e --argjson p "$gw" '.unresponsive | index($p) != null' "$WORK/stopped.json"
# shellcheck disable=SC2086
kill $fill 2>/dev/null
kill -CONT "$gw"
kill -TERM "$gw"
wait $cp
stop_pacsrv

finish
