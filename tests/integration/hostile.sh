#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - the real binary against a misbehaving server: malformed and
# out-of-place control messages, TCP closed or reset at awkward moments, a
# silent server, malformed GRE, GRE for our call from a third host, packets
# far ahead, a flood of out-of-order packets, and bad frames from pppd.
#
# Every case asserts its documented exit status and a log line naming the
# problem; that pptp was not killed by a signal (fakeppp reports "CHILD
# signal=N" then, and no exit status); that it ended within a bound; and
# that no pptp process is left.  The three cases that wait for the
# Start-Control-Connection-Reply timeout (--connect-timeout 4 here) run at
# the same time as the rest, each against its own server address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/grelib.sh"

need_gresend || { not_ok "gresend (tests/gresend.c) could not be built"; finish; exit 1; }

# The main server listens on its own address only: the slow cases' servers
# use the same port on other addresses.
spac() { local n=$1; shift; start_pacsrv "$n" --listen "$SRV_IP" "$@"; }

# hrun NAME "PACSRV ARGS" "FAKEPPP OPTS" PPTP ARGS...: one call against the
# main server; C, P: the logs; DUR: how long the client ran (ms); PAC_RC.
hrun() {
	local n=$1 pa=$2 fo=$3 t0
	shift 3
	C=$WORK/$n.cli P=$WORK/$n.pac DUR='' PAC_RC=''
	# shellcheck disable=SC2086
	spac "$n.pac" $pa || return 1
	t0=$(ms_now)
	client "$n.cli" "$fo" "$@"
	DUR=$(( $(ms_now) - t0 ))
	stop_pacsrv
	PAC_RC=$?
}
# ended DESC STATUS MAX_MS: the exit status, no signal, the time bound,
# nothing left
ended() {
	local d=$1 want=$2 max=$3
	if grep -q '^CHILD signal=' "$C"; then
		not_ok "$d: pptp was killed by a signal ($(grep '^CHILD signal=' "$C"))"
	else
		expect_eq "$d: exit status $want" "$(child_exit "$C")" "$want"
	fi
	num_is "$d: over within $max ms" "$DUR" -le "$max"
	check "$d: no pptp process left" no_pptp_for "$SRV_IP"
}

# ---------------------------------------------------------------- slow cases, in the background

# slow NAME ADDR PACSRV ARGS...: a client against a pacsrv on ADDR; the
# client's run time lands in $WORK/NAME.ms.
slow() {
	local n=$1 addr=$2 v
	shift 2
	v=pid_$n
	eval "pid_$n= cpid_$n="
	pac_at "$v" "$addr" "$n.pac" "$@" || { echo "# pacsrv on $addr did not start"; return 1; }
	(
		t0=$(ms_now)
		client_at "$addr" "$n.cli" "--frames 1 --no-wait-link --hold 45" --connect-timeout 4
		echo $(( $(ms_now) - t0 )) > "$WORK/$n.ms"
	) &
	eval "cpid_$n=$!"
}
slow silent 192.0.2.11 --fault silent
slow badtype 192.0.2.12 --fault bad-pptp-type
slow lenmis 192.0.2.13 --fault length-mismatch

# ---------------------------------------------------------------- control connection

# Framing errors in the reply to our Start-Control-Connection-Request: the
# stream cannot be trusted, so pptp gives up at once.  The control
# connection never came up, so the status is 5 ("refused the control
# connection, or did not answer it"), as for a server closing the
# connection at that point.
# fakeppp holds the line, so that pptp ends on its own account.
hrun badmagic "--fault bad-magic" "--frames 1 --no-wait-link --hold 10"
ended "bad magic cookie" 5 5000
expect_grep "bad magic cookie: named, with the cookie" 'error: .*bad magic cookie 0x1a2b3c4e .*not a PPTP server' "$C"
for l in 0 1 11 65535; do
	hrun "len$l" "--fault length=$l" "--frames 1 --no-wait-link --hold 10"
	ended "header length $l" 5 5000
	expect_grep "header length $l: named" "error: .*bad control message length $l \\(must be 12\\.\\.220\\)" "$C"
done

hrun closesccrq "--fault close-at-sccrq" "--frames 1 --no-wait-link --hold 10"
ended "TCP closed on our SCCRQ" 5 5000
expect_grep "TCP closed on our SCCRQ: said in words" 'error: .*server closed the control connection' "$C"

hrun resetsccrq "--fault reset-at-sccrq" "--frames 1 --no-wait-link --hold 10"
ended "TCP reset on our SCCRQ" 5 5000
expect_grep "TCP reset on our SCCRQ: said in words" 'error: .*control connection failed: Connection reset by peer' "$C"

# Well-formed but odd: the call must still succeed.
hrun split "--fault split-bytes" "--frames 20 --expect-echo"
ended "SCCRP and OCRP one byte per write" 0 10000
expect_grep "one byte per write: the call works" "^FAKEPPP RESULT ok" "$C"
expect_eq "one byte per write: the server saw no protocol error" "$PAC_RC" 0

hrun packed "--fault packed=6" "--frames 20 --expect-echo --hold 0.5"
ended "SCCRP and 6 Echo-Requests in one segment" 0 10000
expect_grep "one segment: the call works" "^FAKEPPP RESULT ok" "$C"
expect_eq "one segment: all 6 Echo-Requests answered with their identifiers" \
	"$(grep -c '^RECV ECHORP id=[0-9]* ok$' "$P")" 6
expect_eq "one segment: the server saw no protocol error" "$PAC_RC" 0

for t in 0 42 65535; do
	hrun "unk$t" "--fault unknown-type=$t" "--frames 20 --expect-echo"
	ended "unknown control type $t" 0 10000
	expect_grep "unknown control type $t: ignored with a warning" "warning: .*ignoring unknown control message type $t," "$C"
	expect_grep "unknown control type $t: the call works" "^FAKEPPP RESULT ok" "$C"
done

# A known type whose length disagrees with it, after the call is up
# (ICRQ is 220 bytes; this one is 16): ignored, the call goes on.
hrun lenicrq "--fault unknown-type=9" "--frames 20 --expect-echo"
ended "ICRQ of 16 bytes" 0 10000
expect_grep "ICRQ of 16 bytes: ignored, naming type and lengths" \
	'warning: .*ignoring Incoming-Call-Request \(ICRQ\) of 16 bytes: its length is 220' "$C"
expect_grep "ICRQ of 16 bytes: the call works" "^FAKEPPP RESULT ok" "$C"

hrun wrongstate "--fault wrong-state" "--frames 20 --expect-echo"
ended "OCRP before SCCRP" 0 10000
expect_grep "OCRP before SCCRP: ignored, naming message and state" \
	'warning: .*unexpected Outgoing-Call-Reply \(OCRP\) in state WAIT_SCCRP; ignored' "$C"
expect_grep "OCRP before SCCRP: the call works" "^FAKEPPP RESULT ok" "$C"

hrun second "--fault second-sccrp" "--frames 20 --expect-echo"
ended "a second SCCRP" 0 10000
expect_grep "a second SCCRP: ignored with a warning" \
	'warning: .*unexpected Start-Control-Connection-Reply \(SCCRP\) in state ESTABLISHED; ignored' "$C"
expect_grep "a second SCCRP: the call works" "^FAKEPPP RESULT ok" "$C"

# An OCRP for another call: ours never comes up.  The foreign reply is
# ignored with a warning naming its call ID, and the wait for ours is
# bounded by --connect-timeout (3 s here): then the call has failed
# (status 6) and the server is told to drop it.
hrun other "--fault ocrp-other-call" "--frames 5 --no-wait-link --hold 20" --connect-timeout 3
bogus=$(sed -n 's/^SEND OCRP call_id=[0-9]* peer_call_id=\([0-9]*\).*/\1/p' "$P")
expect_grep "OCRP for another call: a warning names its call ID (${bogus:-none})" \
	"warning: .*Outgoing-Call-Reply \\(OCRP\\) for call ID ${bogus:-none}, which is not ours; ignored" "$C"
expect_no_grep "OCRP for another call: our call did not come up" 'call established|tunnel to .* is up' "$C"
expect_grep "OCRP for another call: the wait for ours ends with --connect-timeout, in words" \
	'error: .*no Outgoing-Call-Reply from the server within 3 s' "$C"
expect_grep "OCRP for another call: the server is told to drop our call" '^RECV CCR' "$P"
ended "OCRP for another call" 6 5000
num_is "OCRP for another call: not before --connect-timeout" "$DUR" -ge 2900

# TCP closed in the middle of a message during the call.
hrun half "--fault half-message=0.5" "--frames 100 --rate 50 --expect-echo --no-wait-link"
ended "half a message, then TCP closed" 9 5000
expect_grep "half a message: said in words" 'error: .*server closed the control connection' "$C"

# Stop-Control-Connection-Request while GRE flows: we answer it.
hrun stop "--fault stop-after=0.5" "--frames 100 --rate 50 --expect-echo --no-wait-link"
ended "StopCCRQ during traffic" 9 5000
expect_grep "StopCCRQ during traffic: said in words" 'server stopped the control connection' "$C"
expect_grep "StopCCRQ during traffic: the server got our StopCCRP" '^RECV STOPCCRP result=1' "$P"
expect_eq "StopCCRQ during traffic: the server saw no protocol error" "$PAC_RC" 0
expect_grep "StopCCRQ during traffic: the gateway still logged its statistics" 'info: .*GRE statistics' "$C"

# A long-lived call manager while the server refuses one call after
# another: its file descriptors do not grow.
spac fds.pac --fault refuse-second-call
t0=$(ms_now)
client_bg fdsA.cli "--frames 100 --rate 25 --expect-echo --no-wait-link"
A_PID=$CPID
fd0='' fd1='' fd5=''
if wait_for "tunnel to .* is up" "$WORK/fdsA.cli" 5 && cm=$(callmgr_pid); then
	fd0=$(fd_count "$cm")
	for i in 1 2 3 4 5; do
		client "fdsB$i.cli" "--frames 1 --no-wait-link --hold 10"
		expect_eq "refused call $i beside a live one: exit status 6" "$(child_exit "$WORK/fdsB$i.cli")" 6
		sleep 0.2
		[ "$i" = 1 ] && fd1=$(fd_count "$cm")
	done
	fd5=$(fd_count "$cm")
	echo "# call manager fds: one call ${fd0:-?}, after 1 refused ${fd1:-?}, after 5 refused ${fd5:-?}"
fi
wait "$A_PID"
DUR=$(( $(ms_now) - t0 ))
stop_pacsrv
C=$WORK/fdsA.cli
expect_grep "refused calls: said in words" 'server refused the call: busy' "$WORK/fdsB5.cli"
num_is "refused calls: the call manager has as many fds after 5 refused calls as after 1" "$fd5" -eq "$fd1"
num_is "refused calls: ... as with its one call alone" "$fd5" -eq "$fd0"
expect_grep "refused calls: the live call was not disturbed" "^FAKEPPP RESULT ok" "$C"
ended "refused calls beside a live one" 0 10000

# ---------------------------------------------------------------- GRE from the server

# Malformed packets: every 10th echo comes with one of each bad kind.
hrun grebad "--gre-bad all --gre-bad-every 10" "--frames 100 --expect-echo --no-wait-link"
ended "malformed GRE" 0 10000
num_is "malformed GRE: the server sent 60 bad packets" "$(pac_detail "$P" tx_bad)" -eq 60
num_is "malformed GRE: rx truncated = 20 (cut headers, payload longer than the packet)" "$(gstat "$C" "rx truncated")" -eq 20
num_is "malformed GRE: rx invalid = 30 (version, protocol, flags)" "$(gstat "$C" "rx invalid")" -eq 30
num_is "malformed GRE: rx accepted = 100 (the good ones; not the wrong call ID)" "$(gstat "$C" "rx accepted")" -eq 100
expect_grep "malformed GRE: nothing corrupt or duplicated reached pppd" \
	"^FAKEPPP sent=100 received=100 bad=0 reordered=0 missing=0 dup=0 " "$C"
expect_eq "malformed GRE: the first truncated packet said once, at warning level" \
	"$(grep -c 'warning: .*dropped a malformed GRE packet (shorter than its GRE header says)' "$C")" 1
expect_eq "malformed GRE: the first invalid packet said once, at warning level" \
	"$(grep -c 'warning: .*dropped a malformed GRE packet (flags, version, protocol or length' "$C")" 1

# GRE with our call ID and valid headers from a third host behind the
# server (a third namespace routed through the server's): it arrives on the
# same link as the server's GRE and the client's kernel receives it, but it
# must not reach pppd.  First the same packets from the server's address,
# to show they would be taken.
NS_EVIL=pevl$SUF
# shellcheck disable=SC2034  # read by lib.sh's ns_down, which removes it
NS_EXTRA=$NS_EVIL
ip netns add "$NS_EVIL"
ip link add "ve$SUF" type veth peer name "vx$SUF"
ip link set "ve$SUF" netns "$NS_SRV"
ip link set "vx$SUF" netns "$NS_EVIL"
ip -n "$NS_SRV" addr add 198.51.100.1/24 dev "ve$SUF"
ip -n "$NS_EVIL" addr add 198.51.100.66/24 dev "vx$SUF"
ip -n "$NS_SRV" link set "ve$SUF" up
ip -n "$NS_EVIL" link set lo up
ip -n "$NS_EVIL" link set "vx$SUF" up
ip -n "$NS_EVIL" route add default via 198.51.100.1
in_srv sysctl -qw net.ipv4.ip_forward=1
in_cli ip route add 198.51.100.0/24 via "$SRV_IP"
in_evil() { ip netns exec "$NS_EVIL" "$@"; }
# ip_snmp FIELD: an IP counter of the client's kernel (/proc/net/snmp)
# shellcheck disable=SC2016
ip_snmp() { in_cli awk -v f="$1" '/^Ip: [A-Z]/ { for (i = 2; i <= NF; i++) if ($i == f) c = i }
	/^Ip: [0-9]/ { print $c }' /proc/net/snmp; }

# inject NAME NETNS-RUNNER: a call that gets no GRE from the server but 100
# packets for our call from NETNS-RUNNER (in_srv or in_evil).
inject() {
	local n=$1 runner=$2 id t0
	spac "$n.pac" --gre none
	t0=$(ms_now)
	client_bg "$n.cli" "--frames 0 --hold 2"
	C=$WORK/$n.cli
	RX0='' RX1='' UP0='' UP1=''
	if wait_for "tunnel to .* is up" "$C" 5 && id=$(peer_call_id "$WORK/$n.pac") && [ -n "$id" ]; then
		RX0=$(ip_snmp InReceives) UP0=$(ip_snmp InUnknownProtos)
		$runner "$GRESEND" --to "$CLI_IP" --call-id "$id" --seq 1000 --count 100 --rate 1000 > "$WORK/$n.inj" 2>&1
		sleep 0.1
		RX1=$(ip_snmp InReceives) UP1=$(ip_snmp InUnknownProtos)
	fi
	echo "# $n: client Ip InReceives +$(sub "$RX1" "$RX0"), InUnknownProtos +$(sub "$UP1" "$UP0")"
	wait "$CPID"
	DUR=$(( $(ms_now) - t0 ))
	stop_pacsrv
}
inject fromsrv in_srv
expect_grep "injected from the server's address: 100 sent" '^GRESEND sent=100 failed=0' "$WORK/fromsrv.inj"
num_is "injected from the server's address: the client's kernel received them" "$(sub "$RX1" "$RX0")" -ge 100
expect_grep "injected from the server's address: taken (the packets are valid)" \
	"^FAKEPPP server frames=100 dup=0 reordered=0 highest=99 gaps=0" "$C"
num_is "injected from the server's address: rx accepted = 100" "$(gstat "$C" "rx accepted")" -eq 100
ended "injected from the server's address" 0 8000
inject fromevil in_evil
expect_grep "third host: 100 sent" '^GRESEND sent=100 failed=0' "$WORK/fromevil.inj"
num_is "third host: the client's kernel received its packets" "$(sub "$RX1" "$RX0")" -ge 100
expect_grep "third host: nothing reached pppd" "^FAKEPPP server frames=0 " "$C"
num_is "third host: no receive counter moved" \
	"$(add "$(gstat "$C" "rx accepted")" "$(gstat "$C" "rx lost")" "$(gstat "$C" "rx under win")" \
		"$(gstat "$C" "rx over win")" "$(gstat "$C" "rx buffered")" "$(gstat "$C" "rx truncated")" \
		"$(gstat "$C" "rx invalid")" "$(gstat "$C" "rx acks")")" -eq 0
ended "third host" 0 8000

# Packets far beyond the missing window, never three close together: all
# dropped as over the window, no resync, the echo traffic unharmed.
spac far.pac
t0=$(ms_now)
client_bg far.cli "--frames 100 --rate 40 --expect-echo --no-wait-link"
C=$WORK/far.cli
if wait_for "tunnel to .* is up" "$C" 5 && id=$(peer_call_id "$WORK/far.pac") && [ -n "$id" ]; then
	sleep 0.3
	in_srv "$GRESEND" --to "$CLI_IP" --call-id "$id" --seq 1000000 --random 1000000 --count 200 --rate 400 \
		> "$WORK/far.inj" 2>&1
fi
wait "$CPID"
DUR=$(( $(ms_now) - t0 ))
stop_pacsrv
expect_grep "far ahead: 200 sent" '^GRESEND sent=200 failed=0' "$WORK/far.inj"
num_is "far ahead: rx over win = 200" "$(gstat "$C" "rx over win")" -eq 200
expect_no_grep "far ahead: no resynchronisation to them" 'resynchronised' "$C"
expect_grep "far ahead: none reached pppd, the real traffic did, in order" "^FAKEPPP server frames=0 " "$C"
expect_grep "far ahead: the echo traffic is complete" "^FAKEPPP RESULT ok" "$C"
num_is "far ahead: rx accepted = 100" "$(gstat "$C" "rx accepted")" -eq 100
ended "far ahead" 0 8000

# A flood: 20000 packets as fast as they go, each up to 200 numbers ahead of
# its place (so out of order and repeated), across the 2^32 wrap.
spac flood.pac --gre none
t0=$(ms_now)
noquarantine client_bg flood.cli "--frames 0 --hold 3"
C=$WORK/flood.cli
r0='' r1='' f0='' f1=''
if wait_for "tunnel to .* is up" "$C" 5 && gw=$(gateway_pid) && id=$(peer_call_id "$WORK/flood.pac") && [ -n "$id" ]; then
	r0=$(rss_kb "$gw") f0=$(fd_count "$gw")
	in_srv "$GRESEND" --to "$CLI_IP" --call-id "$id" --seq 4294960000 --random 200 --count 20000 \
		> "$WORK/flood.inj" 2>&1
	sleep 0.5
	r1=$(rss_kb "$gw") f1=$(fd_count "$gw")
fi
wait "$CPID"
DUR=$(( $(ms_now) - t0 ))
stop_pacsrv
echo "# flood: gateway VmRSS ${r0:-?} -> ${r1:-?} kB, fds ${f0:-?} -> ${f1:-?}"
expect_grep "flood: 20000 sent" '^GRESEND sent=20000 failed=0' "$WORK/flood.inj"
expect_grep "flood: what reached pppd came in order, no duplicate" "^FAKEPPP server frames=[1-9][0-9]* dup=0 reordered=0 " "$C"
num_is "flood: reordering happened (rx buffered > 0)" "$(gstat "$C" "rx buffered")" -gt 0
num_is "flood: old and repeated numbers dropped (rx under win > 0)" "$(gstat "$C" "rx under win")" -gt 0
num_is "flood: rx accepted = frames pppd got + any dropped for a slow pppd" \
	"$(gstat "$C" "rx accepted")" -eq "$(add "$(fp_srv "$C" frames)" "$(gstat "$C" "rx pppd dropped")")"
num_is "flood: past the wrap (pppd got frame numbers beyond 7296)" "$(fp_srv "$C" highest)" -gt 7296
num_is "flood: gateway memory grew by under 1 MiB (kB)" "$(sub "$r1" "$r0")" -lt 1024
num_is "flood: gateway fds unchanged" "$f1" -eq "$f0"
ended "flood" 0 10000

# Big frames flooding in, up to 250 numbers out of place (so the reorder
# queue fills), while pppd does not read for 2 s.
spac bigflood.pac --gre none
t0=$(ms_now)
noquarantine client_bg bigflood.cli "--frames 20 --rate 10 --stop-reading 2 --hold 2"
C=$WORK/bigflood.cli
r0='' r1='' r2=''
if wait_for "tunnel to .* is up" "$C" 5 && gw=$(gateway_pid) && id=$(peer_call_id "$WORK/bigflood.pac") && [ -n "$id" ]; then
	r0=$(rss_kb "$gw")
	wait_for "FAKEPPP stop reading" "$C" 5
	in_srv "$GRESEND" --to "$CLI_IP" --call-id "$id" --seq 77 --random 250 --size 16000 --count 3000 --rate 1000 \
		> "$WORK/bigflood.inj" 2>&1 &
	inj=$!
	sleep 1; r1=$(rss_kb "$gw")
	sleep 0.8; r2=$(rss_kb "$gw")
	[ -n "$r2" ] && [ -n "$r1" ] && [ "$r2" -gt "$r1" ] && r1=$r2
	wait "$inj"
fi
wait "$CPID"
DUR=$(( $(ms_now) - t0 ))
stop_pacsrv
echo "# big frames, pppd not reading: gateway VmRSS ${r0:-?} -> ${r1:-?} kB"
expect_grep "big frames, pppd not reading: 3000 sent" '^GRESEND sent=3000 failed=0' "$WORK/bigflood.inj"
expect_grep "big frames, pppd not reading: fakeppp read again" "FAKEPPP reading again" "$C"
num_is "big frames, pppd not reading: payloads dropped for pppd were counted" "$(gstat "$C" "rx pppd dropped")" -gt 0
num_is "big frames, pppd not reading: accepted = reached pppd + dropped for pppd" \
	"$(gstat "$C" "rx accepted")" -eq "$(add "$(fp_srv "$C" frames)" "$(gstat "$C" "rx pppd dropped")")"
expect_grep "big frames, pppd not reading: in order, no duplicate" "^FAKEPPP server frames=[1-9][0-9]* dup=0 reordered=0 " "$C"
# What the gateway may fill with 16000-byte packets: the 256 KiB queue for
# pppd, the reorder queue (64 packets), the receive batch (16 packets) and
# its 64 KiB read buffer, plus 512 KiB of slack: not the 48 MB offered.
num_is "big frames, pppd not reading: gateway memory stays within its buffers' bound (kB)" \
	"$(sub "$r1" "$r0")" -le $((256 + 64 * 16 + 16 * 17 + 64 + 512))
ended "big frames, pppd not reading" 0 10000

# ---------------------------------------------------------------- from pppd

# Frames with a bad FCS are not sent; an oversized one neither.
hrun badfcs "" "--frames 100 --expect-echo --no-wait-link --bad-fcs 10 --oversize"
ended "bad FCS and oversize from pppd" 0 10000
num_is "bad FCS: the server got only the 90 good frames" "$(pac_detail "$P" rx_data)" -eq 90
num_is "bad FCS: tx sent = 90" "$(gstat "$C" "tx sent")" -eq 90
num_is "oversize from pppd: tx oversize = 1" "$(gstat "$C" "tx oversize")" -eq 1
expect_grep "bad FCS: the good frames came back in order" "^FAKEPPP RESULT ok" "$C"
expect_eq "bad FCS: said once, at warning level (ten bad frames)" \
	"$(grep -c 'warning: .*dropped a frame from pppd with a bad FCS' "$C")" 1

# ---------------------------------------------------------------- the slow cases

for n in silent badtype lenmis; do
	v=cpid_$n; [ -n "${!v}" ] && wait "${!v}"
	v=pid_$n; [ -n "${!v}" ] && { kill "${!v}" 2>/dev/null; wait "${!v}" 2>/dev/null; }
	C=$WORK/$n.cli
	DUR=$(cat "$WORK/$n.ms" 2>/dev/null)
	case $n in
	silent) d="silent server" ;;
	badtype) d="SCCRP with PPTP message type 2"
		expect_grep "$d: ignored, naming the type" 'warning: .*ignoring a PPTP management message \(type 2\)' "$C" ;;
	lenmis) d="SCCRP of 152 bytes"
		expect_grep "$d: ignored, naming the message and both lengths" \
			'warning: .*ignoring Start-Control-Connection-Reply \(SCCRP\) of 152 bytes: its length is 156' "$C" ;;
	esac
	if grep -q '^CHILD signal=' "$C"; then
		not_ok "$d: pptp was killed by a signal"
	else
		expect_eq "$d: exit status 5" "$(child_exit "$C")" 5
	fi
	expect_grep "$d: the SCCRP timeout is said in words" \
		'error: .*no Start-Control-Connection-Reply from the server within 4 s' "$C"
	num_is "$d: not before --connect-timeout 4 (ms)" "$DUR" -ge 3500
	num_is "$d: over by 6 s (ms)" "$DUR" -le 6000
done
check "no pptp process left at all" no_pptp_left

finish
