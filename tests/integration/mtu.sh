#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mtu.sh - the path MTU layer: tunnels that come up and then freeze on
# large packets.  Three namespaces: the client (192.0.2.2), a router
# (192.0.2.254 | 198.51.100.254) and the server (198.51.100.1, pacsrv with
# a PPP that answers like pppd), the router's link to the server carrying
# 1400-byte packets.  --diagnose with the router's ICMP fragmentation-
# needed dropped (an MTU black hole: exit 14 and the pppd options that
# fit) and passed (the size, the path says so: exit 0); then a tunnel
# whose frames are too big for the path: the gateway's one warning, its
# counters, and the path MTU it reads.  About 30 s.
. "$(dirname "$0")/lib.sh"

NS_RTR=prtr$SUF
NS_EXTRA=$NS_RTR
RTR_CLI=192.0.2.254
RTR_SRV=198.51.100.254
SRV_IP=198.51.100.1
PATH_MTU=1400

# The server's end of lib.sh's veth becomes the router's; a second veth of
# PATH_MTU joins the router to the server.
ip netns add "$NS_RTR"
ip -n "$NS_SRV" link set "vs$SUF" netns "$NS_RTR"
ip -n "$NS_RTR" addr add $RTR_CLI/24 dev "vs$SUF"
ip link add "vr$SUF" type veth peer name "vt$SUF"
ip link set "vr$SUF" netns "$NS_RTR"
ip link set "vt$SUF" netns "$NS_SRV"
ip -n "$NS_RTR" addr add $RTR_SRV/24 dev "vr$SUF"
ip -n "$NS_SRV" addr add $SRV_IP/24 dev "vt$SUF"
for l in "$NS_RTR vs$SUF" "$NS_RTR vr$SUF" "$NS_SRV vt$SUF"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$NS_RTR" link set lo up
ip -n "$NS_RTR" link set "vr$SUF" mtu $PATH_MTU
ip -n "$NS_SRV" link set "vt$SUF" mtu $PATH_MTU
ip netns exec "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_CLI" route add default via $RTR_CLI
ip -n "$NS_SRV" route add default via $RTR_SRV
# What the client's kernel learnt of the path goes between the cases.
forget_pmtu() { ip -n "$NS_CLI" route flush cache; }

if ! $nft_ok; then
	not_ok "nftables is needed to drop the router's ICMP (tests/deps.sh installs nft)"
	finish
	exit
fi
check "the path: pings of 1372 bytes (1400 with headers) cross" \
	in_cli ping -q -c 1 -W 2 -M do -s 1372 $SRV_IP
check "the path: 1373 bytes do not (the router says so)" \
	sh -c "! ip netns exec $NS_CLI ping -q -c 1 -W 2 -M do -s 1373 $SRV_IP > /dev/null 2>&1"
forget_pmtu

diag() {
	local log=$WORK/$1
	start_pacsrv "$1.pac" --listen $SRV_IP --gre ppp-like
	shift
	t0=$SECONDS
	in_cli timeout 60 "$PPTP" --diagnose "$@" > "$log" 2>&1
	RC=$?
	SECS=$((SECONDS - t0))
	stop_pacsrv
	sed 's/^/#   /' "$log"
}

# ---- the black hole: the router drops its ICMP fragmentation-needed

nft_rule "$NS_RTR" output "icmp type destination-unreachable icmp code frag-needed" drop
diag hole $SRV_IP
expect_eq "black hole: exit status 14" "$RC" 14
expect_grep "black hole: step 7 gives the size that crosses" \
	'^\[7/8\] path MTU: 1400-byte packets cross both ways \(a 1364-byte PPP frame and its answer\), larger ones do not$' \
	"$WORK/hole"
expect_grep "black hole: says nothing tells the kernel" \
	'nothing says so: no ICMP fragmentation-needed came back, the kernel still takes 1500-byte packets' \
	"$WORK/hole"
expect_grep "black hole: the verdict with the computed mtu" \
	"^verdict: the path to the server drops packets larger than 1400 bytes without a word \(an MTU black hole\).*pppd needs 'mtu 1360 mru 1360'$" \
	"$WORK/hole"
expect_grep "black hole: the server-side fix, MSS clamping" '--set-mss 1316' "$WORK/hole"
expect_no_grep "black hole: no teardown step after the failure" '^\[8/8\]' "$WORK/hole"
expect_grep "black hole: the server's PPP rejected padded probes" \
	'PPP RX Configure-Request id=[0-9]+; TX Configure-Reject \(1364 bytes\)' "$WORK/hole.pac"
check "black hole: measured within 20 s ($SECS s)" test "$SECS" -le 20
nft_clear "$NS_RTR"
forget_pmtu

# ---- the router says so: ICMP fragmentation-needed reaches the client

diag icmp $SRV_IP
expect_eq "ICMP passed: exit status 0" "$RC" 0
expect_grep "ICMP passed: step 7 gives the size that crosses" \
	'^\[7/8\] path MTU: 1400-byte packets cross both ways' "$WORK/icmp"
expect_grep "ICMP passed: the path said so, the kernel learnt it" \
	"the path says so: an ICMP fragmentation-needed taught the kernel a path MTU of 1400, .*'mtu 1360 mru 1360' avoids the fragmenting" \
	"$WORK/icmp"
expect_grep "ICMP passed: every layer works" '^verdict: every layer works$' "$WORK/icmp"
expect_grep "ICMP passed: teardown follows" '^\[8/8\] teardown: ' "$WORK/icmp"
forget_pmtu

# ---- the gateway: frames from pppd too big for the path

start_pacsrv gw.pac --listen $SRV_IP
client gw "--frames 30 --size 1450 --rate 20 --no-wait-link --timeout 20"
stop_pacsrv
expect_eq "gateway: pptp exits 0" "$(child_exit "$WORK/gw")" 0
W='warning: .*the path to the server carries at most 1400-byte packets \(a router said so with ICMP fragmentation-needed\), less than pppd.s 1454-byte frames need \(1490 with GRE and IP\).*set pppd.s options .mtu 1360 mru 1360.'
expect_grep "gateway: one warning names the sizes and the pppd options" "$W" "$WORK/gw"
grep -m1 -E -- "$W" "$WORK/gw" | sed 's/^/#   /'
expect_eq "gateway: said once" "$(grep -cE 'the path to the server carries' "$WORK/gw")" 1
line=$(grep -E 'info: .*GRE statistics' "$WORK/gw" | tail -n 1)
echo "#   ${line#*GRE statistics }"
icmp=$(echo "$line" | sed -n 's/.*icmp too big \([0-9]*\).*/\1/p')
big=$(echo "$line" | sed -n 's/.*tx too big \([0-9]*\).*/\1/p')
check "gateway: the ICMP report is counted (icmp too big $icmp)" test "${icmp:-0}" -ge 1
check "gateway: frames over the path MTU are counted (tx too big $big)" test "${big:-0}" -ge 20
expect_grep "gateway: the statistics show the learnt path MTU" 'GRE statistics .*, path mtu 1400 bytes$' \
	"$WORK/gw"
expect_no_grep "gateway: an ICMP is not a receive error" 'GRE receive error' "$WORK/gw"
forget_pmtu

# Frames that fit: no warning, nothing counted, the route's MTU.
start_pacsrv fit.pac --listen $SRV_IP
client fit "--frames 10 --size 1300 --rate 20 --no-wait-link --timeout 20 --expect-echo"
stop_pacsrv
expect_eq "frames that fit: pptp exits 0" "$(child_exit "$WORK/fit")" 0
expect_no_grep "frames that fit: no warning" 'path to the server carries' "$WORK/fit"
expect_grep "frames that fit: nothing counted, the route's MTU" \
	'GRE statistics .*, tx too big 0, icmp too big 0, path mtu 1500 bytes$' "$WORK/fit"

check "no pptp process left" no_pptp_left
finish
