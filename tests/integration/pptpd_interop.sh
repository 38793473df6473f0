#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pptpd_interop.sh - the real binary against PoPToP's pptpd (Debian package),
# control side.  This kernel has no PPP, so pptpd's `ppp` program is a
# stand-in that only holds its pty; the control connection, the call and
# its teardown are pptpd's own.  tshark decodes what we sent.
. "$(dirname "$0")/lib.sh"

if ! command -v pptpd >/dev/null || ! command -v tshark >/dev/null; then
	not_ok "pptpd and tshark are needed (tests/deps.sh installs them)"
	finish; exit
fi

cat > "$WORK/standin" <<EOF
#!/bin/sh
# pptpd runs its ppp program with the pty as stdin/stdout.
echo "standin \$*" >> "$WORK/standin.log"
exec sleep 30
EOF
chmod +x "$WORK/standin"
cat > "$WORK/pptpd.conf" <<EOF
ppp $WORK/standin
option $WORK/options
localip 10.9.0.1
remoteip 10.9.0.2-20
EOF
: > "$WORK/options"

ip netns exec "$NS_SRV" pptpd -c "$WORK/pptpd.conf" --fg > "$WORK/pptpd.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
ip netns exec "$NS_CLI" tshark -i "vc$SUF" -w "$WORK/cap.pcap" -q > "$WORK/tshark.log" 2>&1 &
TS=$!
BG_PIDS="$BG_PIDS $TS"
for _ in $(seq 1 100); do
	[ -s "$WORK/cap.pcap" ] && in_srv ss -ltn | grep -q ':1723 ' && break
	sleep 0.1
done

client c.log "--frames 5 --hold 2 --no-wait-link"
sleep 1
kill -TERM "$TS"; wait "$TS" 2>/dev/null

expect_eq "pptpd: pptp exits 0" "$(child_exit "$WORK/c.log")" 0
expect_grep "pptpd: the control connection is established" \
	'control connection established: server "[^"]*", vendor "linux"' "$WORK/c.log"
expect_grep "pptpd: the call is established, with both call IDs in the log" \
	"call established: our call ID [0-9]+, server's call ID [0-9]+" "$WORK/c.log"
expect_grep "pptpd: pptpd started its ppp program for our call" 'standin .*ipparam 192.0.2.2' \
	"$WORK/standin.log"
expect_grep "pptpd: the teardown is a normal stop" 'control connection stopped' "$WORK/c.log"
expect_no_grep "pptpd: no error-level line from pptp" ' error: ' "$WORK/c.log"
grep "call established" "$WORK/c.log" | sed 's/^/    | /'

dec=$WORK/decoded.txt
tshark -r "$WORK/cap.pcap" -Y "pptp && ip.src == $CLI_IP" 2>/dev/null > "$dec"
for m in Start-Control-Connection-Request Outgoing-Call-Request Call-Clear-Request; do
	expect_grep "tshark decodes our $m" "$m" "$dec"
done
expect_grep "tshark decodes pptpd's Outgoing-Call-Reply" 'Outgoing-Call-Reply' \
	<(tshark -r "$WORK/cap.pcap" -Y "pptp && ip.src == $SRV_IP" 2>/dev/null)
mal=$(tshark -r "$WORK/cap.pcap" -Y "_ws.malformed && tcp.port == 1723" 2>/dev/null | wc -l)
expect_eq "tshark: no malformed control message" "$mal" 0
gre=$(tshark -r "$WORK/cap.pcap" -Y "gre && ip.src == $CLI_IP && gre.proto == 0x880b" 2>/dev/null | wc -l)
check "tshark decodes our enhanced GRE packets ($gre)" test "$gre" -ge 5
badgre=$(tshark -r "$WORK/cap.pcap" -Y "gre && ip.src == $CLI_IP && (gre.version != 1 || !gre.key.call_id)" 2>/dev/null | wc -l)
expect_eq "tshark: every GRE packet of ours is version 1 with a call ID" "$badgre" 0
check "pptpd: no pptp process left" no_pptp_left

finish
