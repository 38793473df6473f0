#!/bin/bash
# diagnose.sh - pptp --diagnose SERVER: every verdict, reproduced between the
# srv and cli namespaces (see lib.sh): a name that does not resolve, no
# server, no route, a firewall that drops TCP/1723, a server that refuses
# or ignores the control connection, one that refuses the call, one that
# hangs up, GRE blocked three ways (the server sends none, an nftables rule
# drops it on the way in, one refuses it on the way out), success against
# the test server and against PoPToP's pptpd, several addresses, and the
# local failures (not root, bad usage, Ctrl-C).
. "$(dirname "$0")/lib.sh"

# diag LOG ARGS...: pptp --diagnose in the client namespace; its output in
# LOG, its exit status in $RC.
diag() {
	local log=$WORK/$1; shift
	in_cli timeout 60 "$PPTP" --diagnose "$@" > "$log" 2>&1
	RC=$?
}

# With a private /etc/hosts and resolver configuration (a mount namespace
# of its own, so parallel runs and the machine's files are untouched).
diag_names() {
	local log=$WORK/$1; shift
	unshare -m sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf &&
		shift 2 && exec "$@"' sh "$WORK/hosts" "$WORK/nsswitch.conf" \
		ip netns exec "$NS_CLI" timeout 60 "$PPTP" --diagnose "$@" > "$log" 2>&1
	RC=$?
}

# verdict_is DESCRIPTION LOG STATUS PATTERN: the exit status and the verdict line
verdict_is() {
	expect_eq "$1: exit status $3" "$RC" "$3"
	expect_grep "$1: verdict" "^verdict: $4" "$WORK/$2"
	# every step, the verdict and its advice as a person sees them, for the log
	sed 's/^/#   /' "$WORK/$2"
}


# ---- local problems: usage, privileges

in_cli "$PPTP" --diagnose > "$WORK/usage1" 2>&1
expect_eq "usage: --diagnose without a server is a usage error" "$?" 2
in_cli "$PPTP" $SRV_IP --diagnose noauth > "$WORK/usage2" 2>&1
expect_eq "usage: --diagnose with pppd options is a usage error" "$?" 2
expect_grep "usage: the error says --diagnose runs no pppd" 'runs no pppd' "$WORK/usage2"

in_cli setpriv --reuid=65534 --regid=65534 --clear-groups "$PPTP" $SRV_IP --diagnose \
	> "$WORK/nobody" 2>&1
expect_eq "not root: exit status 1" "$?" 1
expect_grep "not root: says it needs root" 'needs root.*raw GRE socket' "$WORK/nobody"
expect_no_grep "not root: no step was run" '^\[' "$WORK/nobody"

diag localbind $SRV_IP --localbind 198.51.100.7
verdict_is "--localbind not an address of this machine" localbind 1 \
	'a problem on this machine stopped the diagnosis: --localbind 198.51.100.7: cannot bind'

# ---- [1/6] name resolution: exit 3

printf '%s\n' "192.0.2.3 vpn.diag.test" "$SRV_IP vpn.diag.test" "192.0.2.3 dead.diag.test" \
	"$SRV_IP dead.diag.test" "2001:db8::1 v6only.diag.test" > "$WORK/hosts"
echo "hosts: files" > "$WORK/nsswitch.conf"

diag_names nxname nothing.diag.test
verdict_is "unknown name" nxname 3 'the name nothing.diag.test does not resolve'
expect_grep "unknown name: step 1 says so" '^\[1/6\] resolving nothing.diag.test: ' "$WORK/nxname"
expect_no_grep "unknown name: stops at step 1" '^\[2/6\]' "$WORK/nxname"
diag_names v6only v6only.diag.test
verdict_is "IPv6-only name" v6only 3 'the name v6only.diag.test does not resolve to an IPv4 address'
expect_grep "IPv6-only name: explained" 'IPv6 addresses only' "$WORK/v6only"

# ---- [2/6] TCP to port 1723: exit 4

diag refused $SRV_IP
verdict_is "no server" refused 4 'connection refused by 192.0.2.1'
expect_grep "no server: step 2 says refused" '^\[2/6\] TCP to 192.0.2.1 port 1723: refused$' "$WORK/refused"
expect_grep "no server: what to do names the PPTP service" 'PPTP service is not running' "$WORK/refused"
expect_no_grep "no server: stops at step 2" '^\[3/6\]' "$WORK/refused"

diag noroute 198.51.100.1
verdict_is "no route" noroute 4 'network unreachable: this machine has no route to 198.51.100.1'
expect_grep "no route: the advice shows how to check the route" 'ip route get 198.51.100.1' "$WORK/noroute"

if $nft_ok; then
	nft_drop "$NS_SRV" input "tcp dport 1723"
	t0=$SECONDS
	diag tcpdrop $SRV_IP --connect-timeout 2
	t=$((SECONDS - t0))
	nft_clear "$NS_SRV"
	verdict_is "TCP/1723 dropped" tcpdrop 4 'no answer from 192.0.2.1 on TCP port 1723 within 2 s'
	expect_grep "TCP/1723 dropped: step 2 says no answer" '^\[2/6\] .*: no answer within 2 s$' "$WORK/tcpdrop"
	check "TCP/1723 dropped: --connect-timeout bounds the wait (${t} s)" test "$t" -le 5
else
	not_ok "nft is needed to drop packets (tests/deps.sh installs nftables)"
fi

# ---- [3/6] control connection: exit 5

start_pacsrv ctrl_refused.pac --listen $SRV_IP --fault refuse-control=4
diag ctrl_refused $SRV_IP
verdict_is "control refused" ctrl_refused 5 '192.0.2.1 refused the control connection: requester not authorized'
expect_grep "control refused: step 3 gives the result code" \
	'^\[3/6\] control connection: refused: requester not authorized \(result code 4\)$' "$WORK/ctrl_refused"
expect_grep "control refused: the server's host name, vendor, firmware and version are shown" \
	'server host name "pacsrv", vendor "pptp-test", firmware revision 0x0001, protocol version 1.0' \
	"$WORK/ctrl_refused"
stop_pacsrv

start_pacsrv silent.pac --listen $SRV_IP --fault silent
diag silent $SRV_IP --connect-timeout 2
verdict_is "silent server" silent 5 '192.0.2.1 accepts TCP on port 1723 but does not answer PPTP'
expect_grep "silent server: step 3 says no reply" 'no Start-Control-Connection-Reply within 2 s' "$WORK/silent"
stop_pacsrv

start_pacsrv hangup.pac --listen $SRV_IP --fault close-at-sccrq
diag hangup $SRV_IP --connect-timeout 2
verdict_is "server hangs up at SCCRQ" hangup 5 '192.0.2.1 did not accept the control connection'
stop_pacsrv

# ---- [4/6] outgoing call: exit 6

start_pacsrv call_refused.pac --listen $SRV_IP --fault refuse-call=4
diag call_refused $SRV_IP
verdict_is "call refused" call_refused 6 '192.0.2.1 refused the call: busy'
expect_grep "call refused: step 4 gives the result in words" \
	'^\[4/6\] outgoing call: refused: busy \(result code 4\)$' "$WORK/call_refused"
expect_no_grep "call refused: stops at step 4" '^\[5/6\]' "$WORK/call_refused"
wait "$PAC_PID"
expect_eq "call refused: the control connection is still stopped cleanly (pacsrv saw no error)" "$?" 0
expect_grep "call refused: pacsrv got our Stop-Control-Connection-Request" 'RECV STOPCCRQ' \
	"$WORK/call_refused.pac"

# The server accepts the call, then hangs up at once (its pppd did not start).
start_pacsrv cdn.pac --listen $SRV_IP --fault cdn-after=0
diag cdn $SRV_IP
verdict_is "call hung up at once" cdn 9 '192.0.2.1 hung up the call as soon as it was up: admin shutdown'
stop_pacsrv

# ---- [5/6] GRE both ways: exit 10

GRE_VERDICT='GRE \(IP protocol 47\) is not getting through: a firewall or NAT between you and the server is blocking it$'

start_pacsrv gre_none.pac --listen $SRV_IP --gre none
diag gre_none $SRV_IP
verdict_is "server sends no GRE" gre_none 10 "$GRE_VERDICT"
expect_grep "server sends no GRE: step 5 says none came back" \
	'^\[5/6\] GRE both ways: sent an LCP Configure-Request [0-9]+ times; no GRE came back within 5 s$' \
	"$WORK/gre_none"
for w in 'protocol 47' 'passthrough' 'nf_conntrack_pptp'; do
	expect_grep "server sends no GRE: the advice mentions $w" "$w" "$WORK/gre_none"
done
wait "$PAC_PID"
expect_eq "server sends no GRE: pacsrv found our GRE and teardown well formed" "$?" 0
expect_grep "server sends no GRE: our Configure-Requests reached the server" 'GRE SUMMARY rx=[1-9]' \
	"$WORK/gre_none.pac"

# Only malformed GRE comes back (bad flags, version, protocol, lengths, call
# ID): none of it counts as the server's GRE.
start_pacsrv gre_bad.pac --listen $SRV_IP --gre-bad all --gre-bad-every 1 --gre-drop 1
diag gre_bad $SRV_IP
verdict_is "only malformed GRE comes back" gre_bad 10 "$GRE_VERDICT"
stop_pacsrv
check "only malformed GRE comes back: pacsrv did send it" grep -q 'GRE SUMMARY rx=[1-9][0-9]* rx_bad=0 tx=[1-9]' \
	"$WORK/gre_bad.pac"

if $nft_ok; then
	nft_drop "$NS_CLI" input "meta l4proto gre"
	start_pacsrv gre_in.pac --listen $SRV_IP
	diag gre_in $SRV_IP
	nft_clear "$NS_CLI"
	verdict_is "GRE dropped on the way in (nftables)" gre_in 10 "$GRE_VERDICT"
	stop_pacsrv
	expect_grep "GRE dropped on the way in: the server did echo" 'GRE SUMMARY rx=[1-9][0-9]* rx_bad=0 tx=[1-9]' \
		"$WORK/gre_in.pac"

	nft_drop "$NS_CLI" output "meta l4proto gre"
	start_pacsrv gre_out.pac --listen $SRV_IP
	diag gre_out $SRV_IP
	nft_clear "$NS_CLI"
	verdict_is "GRE refused on the way out (nftables)" gre_out 10 \
		'GRE \(IP protocol 47\) is not getting through: a firewall rule on this machine refuses to send it'
	stop_pacsrv
fi

# ---- success against the test server: exit 0

start_pacsrv ok.pac --listen $SRV_IP
diag ok $SRV_IP
verdict_is "echoing server" ok 0 'every layer works$'
n=0
for s in 1 2 3 4 5 6; do grep -q "^\[$s/6\] " "$WORK/ok" && n=$((n + 1)); done
expect_eq "echoing server: all six steps reported" "$n" 6
expect_grep "echoing server: step 5 got GRE back" \
	'^\[5/6\] GRE both ways: sent an LCP Configure-Request, got GRE back in [0-9]+ ms: our own LCP Configure-Request' \
	"$WORK/ok"
expect_grep "echoing server: the server's acknowledgment shows ours arrive" \
	'ours reach the server too: the server acknowledged our GRE' "$WORK/ok"
expect_grep "echoing server: step 6 clears the call and stops the connection" \
	'^\[6/6\] teardown: call cleared.*; control connection stopped' "$WORK/ok"
wait "$PAC_PID"
expect_eq "echoing server: pacsrv found nothing wrong in what we sent" "$?" 0
for m in 'RECV CCR' 'RECV STOPCCRQ'; do
	expect_grep "echoing server: pacsrv got $m" "$m" "$WORK/ok.pac"
done
expect_eq "echoing server: no call manager socket was made" "$(sockets_left)" 0
check "echoing server: no pptp process left" no_pptp_left

# Malformed GRE ahead of the good packet is skipped, the good one counts.
start_pacsrv ok_bad.pac --listen $SRV_IP --gre-bad all --gre-bad-every 1
diag ok_bad $SRV_IP
verdict_is "malformed GRE, then good GRE" ok_bad 0 'every layer works$'
expect_grep "malformed GRE, then good GRE: the good one is what step 5 names" \
	'got GRE back in [0-9]+ ms: our own LCP Configure-Request' "$WORK/ok_bad"
stop_pacsrv

# ---- several addresses

ip -n "$NS_SRV" addr add 192.0.2.3/24 dev "vs$SUF"
start_pacsrv multi.pac --listen $SRV_IP
diag_names multi vpn.diag.test
expect_eq "first address dead, second works: exit status 0" "$RC" 0
expect_grep "several addresses: step 1 lists both" '^\[1/6\] resolving vpn.diag.test: 192.0.2.3, 192.0.2.1$' \
	"$WORK/multi"
expect_eq "several addresses: tried in order, the dead one refused, the next connected" \
	"$(grep -E '^\[2/6\]' "$WORK/multi" | sed 's/ in [0-9]* ms//' | tr '\n' '|')" \
	"[2/6] TCP to 192.0.2.3 port 1723: refused|[2/6] TCP to 192.0.2.1 port 1723: connected|"
expect_grep "several addresses: verdict" '^verdict: every layer works$' "$WORK/multi"
stop_pacsrv

# Every address fails: the verdict is the deepest layer reached.
start_pacsrv multi_fail.pac --listen $SRV_IP --fault refuse-control=4
diag_names multi_fail dead.diag.test
verdict_is "every address fails" multi_fail 5 '192.0.2.1 refused the control connection'
stop_pacsrv

# ---- Ctrl-C while waiting: the connection is still closed properly

start_pacsrv intr.pac --listen $SRV_IP --fault silent
# (ip netns exec execs pptp, so $! is pptp itself.)
ip netns exec "$NS_CLI" "$PPTP" --diagnose $SRV_IP --connect-timeout 30 > "$WORK/intr" 2>&1 &
DP=$!
wait_for 'RECV SCCRQ' "$WORK/intr.pac" 5
sleep 0.3
t0=$SECONDS
kill -INT "$DP"
wait "$DP"
expect_eq "interrupted: exit status 1" "$?" 1
expect_grep "interrupted: verdict" '^verdict: interrupted \(signal INT\)' "$WORK/intr"
check "interrupted: the server saw the connection close at once" wait_for 'CLOSED' "$WORK/intr.pac" 3
check "interrupted: it did not wait for --connect-timeout" test $((SECONDS - t0)) -le 3
stop_pacsrv

# ---- success against PoPToP's pptpd

if command -v pptpd >/dev/null && command -v tshark >/dev/null; then
	# This kernel has no PPP, so pptpd's ppp program is a stand-in: it
	# writes what a starting pppd writes on its tty, an LCP
	# Configure-Request in async HDLC (RFC 1662), once a second, and pptpd
	# carries it to us in GRE.  The encoder here is the test's own.
	hdlc_escape() {
		if (($1 < 0x20 || $1 == 0x7e || $1 == 0x7d)); then
			printf '\\x7d\\x%02x' $(($1 ^ 0x20))
		else
			printf '\\x%02x' "$1"
		fi
	}
	hdlc_frame() {
		local fcs=0xffff b x i out='\x7e'
		for b in "$@"; do
			x=$(((fcs ^ 16#$b) & 0xff))
			for i in 1 2 3 4 5 6 7 8; do
				if ((x & 1)); then x=$(((x >> 1) ^ 0x8408)); else x=$((x >> 1)); fi
			done
			fcs=$(((fcs >> 8) ^ x))
			out="$out$(hdlc_escape $((16#$b)))"
		done
		fcs=$((fcs ^ 0xffff))
		out="$out$(hdlc_escape $((fcs & 0xff)))$(hdlc_escape $((fcs >> 8)))"
		printf "$out"'\x7e'
	}
	# LCP Configure-Request, identifier 1, magic number 0x12345678
	hdlc_frame ff 03 c0 21 01 01 00 0a 05 06 12 34 56 78 > "$WORK/lcp.hdlc"
	cat > "$WORK/standin" <<EOF
#!/bin/sh
echo "standin \$*" >> "$WORK/standin.log"
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$WORK/lcp.hdlc" || exit 0; sleep 1; done
EOF
	chmod +x "$WORK/standin"
	printf '%s\n' "ppp $WORK/standin" "option $WORK/options" "localip 10.9.0.1" \
		"remoteip 10.9.0.2-20" > "$WORK/pptpd.conf"
	: > "$WORK/options"
	in_srv pptpd -c "$WORK/pptpd.conf" --fg --pidfile "$WORK/pptpd.pid" > "$WORK/pptpd.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	in_cli tshark -i "vc$SUF" -w "$WORK/cap.pcap" -q > "$WORK/tshark.log" 2>&1 &
	TS=$!
	BG_PIDS="$BG_PIDS $TS"
	for _ in $(seq 1 100); do
		[ -s "$WORK/cap.pcap" ] && in_srv ss -ltn | grep -q ':1723 ' && break
		sleep 0.1
	done
	diag pptpd $SRV_IP
	sleep 0.5
	kill -TERM "$TS"; wait "$TS" 2>/dev/null
	verdict_is "pptpd" pptpd 0 'every layer works$'
	expect_grep "pptpd: its vendor string is shown" 'vendor "linux"' "$WORK/pptpd"
	expect_grep "pptpd: the GRE came from its PPP side" \
		'got GRE back in [0-9]+ ms: an LCP Configure-Request from the server.s PPP' "$WORK/pptpd"
	expect_grep "pptpd: step 6 ends cleanly" '^\[6/6\] teardown: call cleared.*control connection stopped' \
		"$WORK/pptpd"
	lcp=$(tshark -r "$WORK/cap.pcap" -Y "ppp.code == 1 && ip.src == $CLI_IP && lcp.opt.magic_number" 2>/dev/null | wc -l)
	check "pptpd: tshark decodes our LCP Configure-Request with its magic number ($lcp)" test "$lcp" -ge 1
	mal=$(tshark -r "$WORK/cap.pcap" -Y "_ws.malformed && ip.src == $CLI_IP" 2>/dev/null | wc -l)
	expect_eq "pptpd: tshark finds nothing malformed in what we sent" "$mal" 0
else
	not_ok "pptpd and tshark are needed (tests/deps.sh installs them)"
fi

finish
