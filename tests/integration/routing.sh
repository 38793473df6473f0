#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# routing.sh - the host route towards the server (routing.c), end to end.
#
#   sh tests/integration/routing.sh [path/to/route_tool]     (as root)
#
# Builds a private pair of network namespaces joined by a veth pair:
#   client  veth0 10.0.0.2/24, default via 10.0.0.1
#   peer    veth1 10.0.0.1/24
# and runs route_tool inside the client namespace.  Only the test uses the
# ip binary; the product talks rtnetlink itself.

TOOL=${1:-build/route_tool}
case $TOOL in
/*) ;;
*) TOOL=$PWD/$TOOL ;;
esac

if [ "$(id -u)" != 0 ]; then
	echo "routing.sh: must run as root (it creates network namespaces)" >&2
	exit 2
fi
if [ ! -x "$TOOL" ]; then
	echo "routing.sh: $TOOL is not an executable route_tool" >&2
	exit 2
fi

NS=pptp-rt-$$
PEER=pptp-rt-$$-peer
TMP=$(mktemp -d) || exit 2
TOOL_PID=
pass=0
fail=0

cleanup() {
	exec 3>&- 2>/dev/null
	if [ -n "$TOOL_PID" ]; then
		kill "$TOOL_PID" 2>/dev/null
		wait "$TOOL_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: one result line for the command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
lacks() { ! contains "$1" "$2"; }
is_empty() { [ -z "$1" ]; }
same() { [ "$1" = "$2" ]; }

nsip() { ip -n "$NS" "$@"; }
host_route() { nsip route show exact "$1/32" 2>&1; }
route_get() { nsip route get "$1" 2>&1; }

# Start route_tool holding a route; its stdin is a fifo we keep open on fd 3.
start_tool() {
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo" || exit 2
	: >"$TMP/out"
	: >"$TMP/err"
	ip netns exec "$NS" "$TOOL" add "$@" <"$TMP/fifo" >"$TMP/out" 2>"$TMP/err" &
	TOOL_PID=$!
	exec 3>"$TMP/fifo"
	i=0
	while [ ! -s "$TMP/out" ] && kill -0 "$TOOL_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# Close its stdin (or send SIGTERM with "term") and collect its exit status.
stop_tool() {
	if [ "${1:-}" = term ]; then
		kill -TERM "$TOOL_PID"
	fi
	exec 3>&-
	wait "$TOOL_PID"
	TOOL_RC=$?
	TOOL_PID=
}

# Run route_tool to completion with stdin at end of file.
run_tool() {
	ip netns exec "$NS" "$TOOL" add "$1" </dev/null >"$TMP/out" 2>"$TMP/err"
	TOOL_RC=$?
}

out() { cat "$TMP/out"; }
err() { cat "$TMP/err"; }

set -e
ip netns add "$NS"
ip netns add "$PEER"
nsip link set lo up
nsip link add veth0 type veth peer name veth1 netns "$PEER"
nsip addr add 10.0.0.2/24 dev veth0
nsip link set veth0 up
ip -n "$PEER" addr add 10.0.0.1/24 dev veth1
ip -n "$PEER" link set veth1 up
nsip route add default via 10.0.0.1 dev veth0
set +e

# (a) a server behind the gateway
S=192.0.2.10
start_tool $S
check "(a) route_tool reports the route it added" same "$(out)" "added via 10.0.0.1 dev veth0"
r=$(host_route $S)
check "(a) $S/32 via 10.0.0.1 dev veth0 is in the table while route_tool runs" \
	contains "$r" "$S via 10.0.0.1 dev veth0 proto static"
stop_tool
check "(a) route_tool exits 0 after stdin closes and says removed" \
	same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(a) route_tool wrote nothing to stderr" is_empty "$(err)"
check "(a) $S/32 is gone after route_tool exits" is_empty "$(host_route $S)"

# (a') the same, ended by SIGTERM instead of end of input
start_tool $S
check "(a') $S/32 is in the table again" contains "$(host_route $S)" "$S via 10.0.0.1 dev veth0"
stop_tool term
check "(a') on SIGTERM route_tool removes the route and exits 0" \
	same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(a') $S/32 is gone after SIGTERM" is_empty "$(host_route $S)"

# (b) a default route into a tun device must not capture the server
S=192.0.2.20
start_tool $S
nsip tuntap add dev tun0 mode tun
nsip link set tun0 up
nsip route replace default dev tun0
check "(b) the default route now points into tun0" contains "$(route_get 192.0.2.99)" "dev tun0"
check "(b) $S/32 is still in the table" contains "$(host_route $S)" "$S via 10.0.0.1 dev veth0"
check "(b) packets to $S still go via 10.0.0.1 dev veth0" \
	contains "$(route_get $S)" "$S via 10.0.0.1 dev veth0"
stop_tool
check "(b) route_tool exits 0 and says removed" same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(b) $S/32 is gone after route_tool exits" is_empty "$(host_route $S)"
check "(b) without it, packets to $S would enter tun0" contains "$(route_get $S)" "dev tun0"
nsip route replace default via 10.0.0.1 dev veth0
nsip link del tun0

# (c) an identical route that was there before is not ours
S=192.0.2.30
nsip route add $S/32 via 10.0.0.1 dev veth0
before=$(host_route $S)
start_tool $S
check "(c) route_tool says the route exists" same "$(out)" "exists"
stop_tool
check "(c) route_tool exits 0 and leaves it alone" same "$TOOL_RC $(out | tail -n 1)" "0 left alone"
check "(c) the administrator's route is untouched" same "$(host_route $S)" "$before"
check "(c) ... and still there" contains "$before" "$S via 10.0.0.1 dev veth0"
nsip route del $S/32

# (d) a server on the local subnet: no gateway
S=10.0.0.7
start_tool $S
check "(d) route_tool reports an on-link route" same "$(out)" "added dev veth0"
r=$(host_route $S)
check "(d) $S/32 dev veth0 scope link is in the table" contains "$r" "$S dev veth0 proto static scope link"
check "(d) ... without a gateway" lacks "$r" "via"
stop_tool
check "(d) route_tool exits 0 and says removed" same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(d) $S/32 is gone after route_tool exits" is_empty "$(host_route $S)"

# (e) the server is this machine
for S in 127.0.0.1 10.0.0.2; do
	before=$(nsip -4 route show table all)
	start_tool $S
	check "(e) $S: route_tool says no route is needed" same "$(out)" "local: no route needed"
	check "(e) $S: no route was added" same "$(nsip -4 route show table all)" "$before"
	stop_tool
	check "(e) $S: route_tool exits 0 with nothing on stderr" same "$TOOL_RC $(err)" "0 "
done

# (f) no route at all to the server
nsip route del default
S=198.51.100.1
run_tool $S
check "(f) route_tool exits 1 when the server is unreachable" same "$TOOL_RC" 1
check "(f) ... and says why" same "$(err)" \
	"route_tool: cannot look up the route to $S: Network is unreachable"
check "(f) ... and prints nothing on stdout" is_empty "$(out)"
nsip route add default via 10.0.0.1 dev veth0

# (g) a default gateway outside the device's subnet ("onlink")
S=192.0.2.40
nsip route replace default via 172.16.0.1 dev veth0 onlink
start_tool $S
check "(g) route_tool pins a route through an onlink gateway" same "$(out)" "added via 172.16.0.1 dev veth0"
check "(g) $S/32 via 172.16.0.1 dev veth0 is in the table" \
	contains "$(host_route $S)" "$S via 172.16.0.1 dev veth0"
stop_tool
check "(g) route_tool exits 0 and says removed" same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(g) $S/32 is gone after route_tool exits" is_empty "$(host_route $S)"
nsip route replace default via 10.0.0.1 dev veth0

# (h) a route in another table, chosen by a policy rule
S=192.0.2.50
nsip route add default via 10.0.0.1 dev veth0 table 1000
nsip rule add to 192.0.2.48/28 lookup 1000 pref 100
start_tool $S
check "(h) route_tool reports the route it added" same "$(out)" "added via 10.0.0.1 dev veth0"
check "(h) $S/32 went into table 1000" contains "$(nsip route show table 1000 exact $S/32)" \
	"$S via 10.0.0.1 dev veth0"
check "(h) ... and not into main" is_empty "$(host_route $S)"
stop_tool
check "(h) route_tool exits 0 and says removed" same "$TOOL_RC $(out | tail -n 1)" "0 removed"
check "(h) $S/32 is gone from table 1000" is_empty "$(nsip route show table 1000 exact $S/32)"

# (i) --localbind: a source policy rule sends our own address's packets
#     another way; the route pinned must be that way, not main's
S=192.0.2.60
nsip link add veth2 type veth peer name veth3 netns "$PEER"
nsip addr add 10.0.1.2/24 dev veth2
nsip link set veth2 up
ip -n "$PEER" addr add 10.0.1.1/24 dev veth3
ip -n "$PEER" link set veth3 up
nsip route add default via 10.0.1.1 dev veth2 table 1001
nsip rule add from 10.0.1.2 lookup 1001 pref 90
start_tool $S 10.0.1.2
check "(i) from 10.0.1.2: route_tool reports the path of that source" same "$(out)" "added via 10.0.1.1 dev veth2"
check "(i) $S/32 went into table 1001" contains "$(nsip route show table 1001 exact $S/32)" \
	"$S via 10.0.1.1 dev veth2"
stop_tool
check "(i) route_tool exits 0 and says removed" same "$TOOL_RC $(out | tail -n 1)" "0 removed"
start_tool $S
check "(i) without a source: main's path" same "$(out)" "added via 10.0.0.1 dev veth0"
stop_tool
check "(i) nothing left in either table" is_empty "$(host_route $S)$(nsip route show table 1001 exact $S/32)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
