#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# diagnose.sh - pptp --diagnose SERVER: every verdict, reproduced between the
# srv and cli namespaces (see lib.sh), and the fault matrix: each fault a
# user meets, as --diagnose names it and as a tunnel's log does, printed
# as two tables at the end.  The verdicts: this machine without /dev/ppp
# (as the test machine really is), a name that does not resolve, no
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

# The fault matrix: row_diag FAULT LOG records the verdict and exit status
# of the --diagnose run in LOG; tunnel_is FAULT LOG STATUS PATTERN checks a
# tunnel's exit status and the log line naming the fault, and records them.
MATRIX=$WORK/matrix
row_diag() {
	printf 'diagnose|%s|%s|%s\n' "$1" "$(sed -n 's/^verdict: //p' "$WORK/$2" | head -n 1)" \
		"$RC" >> "$MATRIX"
}
# tunnel LOG ARGS...: a tunnel, pppd played by fakeppp (lib.sh's client)
# sending a few frames, then holding the line $HOLD s (default 0) for a
# fault that shows only once the call is up; its exit status in $RC.
tunnel() {
	local log=$1; shift
	client "$log" "--frames 3 --no-wait-link --timeout 30 --hold ${HOLD:-0}" "$@"
	RC=$(child_exit "$WORK/$log")
}
tunnel_is() {
	local line
	expect_eq "tunnel, $1: exit status $3" "$RC" "$3"
	expect_grep "tunnel, $1: the log names the fault" "$4" "$WORK/$2"
	# the text after the level and the process's context, at most 150 characters
	line=$(grep -E -m 1 -- "$4" "$WORK/$2" |
		sed 's/^.*\(error\|warning\|notice\): anon [a-z]*\( [0-9.]*\)\{0,1\}\( call [0-9/]*\)\{0,1\}: //; s/^\(.\{147\}\).\{4,\}/\1.../')
	printf 'tunnel|%s|%s|%s\n' "$1" "$line" "$RC" >> "$MATRIX"
}
# print_matrix KIND HEADING: one table
print_matrix() {
	echo "# $2"
	echo "#   fault | $2 | exit status"
	grep "^$1|" "$MATRIX" | cut -d'|' -f2- | sed 's/^/#   /; s/|/ | /g'
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

# ---- [1/8] this machine: exit 11, 12, 13

# The test machine as it is: no PPP in its kernel, no /dev/ppp.
in_cli env -u PPTP_TEST_SYSROOT timeout 60 "$PPTP" --diagnose $SRV_IP > "$WORK/nodev" 2>&1
RC=$?
verdict_is "no /dev/ppp" nodev 12 'this machine cannot carry a PPTP tunnel: /dev/ppp missing$'
expect_grep "no /dev/ppp: says how to make it" 'mknod -m 600 /dev/ppp c 108 0' "$WORK/nodev"
expect_grep "no /dev/ppp: pppd's path and version are shown" '^      pppd: /.*/pppd, version ' "$WORK/nodev"
expect_no_grep "no /dev/ppp: stops before the network" '^\[2/8\]' "$WORK/nodev"
row_diag "no /dev/ppp (this machine as it is)" nodev

# Stand-ins of a machine with PPP (PPTP_TEST_SYSROOT, see lib.sh) that lacks
# one piece: the async line discipline, then MPPE, both in a module index.
mk_sysroot() {
	local r=$WORK/$1
	rm -rf "$r"
	mkdir -p "$r/dev" "$r/proc/tty" "$r/proc/sys/kernel" "$r/lib/modules/9.9-test"
	: > "$r/dev/ppp"
	echo 9.9-test > "$r/proc/sys/kernel/osrelease"
	printf 'n_tty 0\n' > "$r/proc/tty/ldiscs"
	printf 'kernel/drivers/net/ppp/ppp_generic.ko.xz: kernel/lib/crc-ccitt.ko.xz\n' \
		> "$r/lib/modules/9.9-test/modules.dep"
	: > "$r/proc/modules"
}
mk_sysroot root_noasync
PPTP_TEST_SYSROOT=$WORK/root_noasync diag noasync $SRV_IP
verdict_is "no ppp_async" noasync 12 \
	'this machine cannot carry a PPTP tunnel: PPP async framing \(ppp_async\) missing'
expect_grep "no ppp_async: names the package" "linux-modules-extra-9.9-test" "$WORK/noasync"
expect_grep "no ppp_async: MPPE missing too, its own bullet" '^  - The running kernel \(9.9-test\) has no MPPE' \
	"$WORK/noasync"
mk_sysroot root_nomppe
printf 'kernel/drivers/net/ppp/ppp_async.ko.xz: kernel/drivers/net/ppp/ppp_generic.ko.xz\n' \
	>> "$WORK/root_nomppe/lib/modules/9.9-test/modules.dep"
PPTP_TEST_SYSROOT=$WORK/root_nomppe diag nomppe $SRV_IP
verdict_is "no ppp_mppe" nomppe 13 'this machine cannot carry a PPTP tunnel: MPPE \(ppp_mppe\) missing'
expect_grep "no ppp_mppe: ppp_async counts as loadable" \
	'PPP async framing \(ppp_async\): installed, loaded when pppd needs it' "$WORK/nomppe"
row_diag "MPPE module absent" nomppe
PPTP_TEST_SYSROOT=$WORK/root_nomppe diag nohdlc $SRV_IP --sync
verdict_is "--sync without n_hdlc" nohdlc 12 'this machine cannot carry a PPTP tunnel: synchronous framing \(n_hdlc\) missing'

# The variable is a hook of the test build only: the release ./pptp, run
# as root, checks this machine whatever the environment says.
step1() { sed '/^\[2\/[0-9]*\]/,$d' "$1"; }
in_cli env -u PPTP_TEST_SYSROOT timeout 60 "$TOP/pptp" --diagnose $SRV_IP > "$WORK/rel0" 2>&1
in_cli env PPTP_TEST_SYSROOT="$WORK/root_nomppe" timeout 60 "$TOP/pptp" --diagnose $SRV_IP \
	> "$WORK/rel1" 2>&1
expect_no_grep "release build: PPTP_TEST_SYSROOT's stand-in kernel is not read" '9\.9-test' "$WORK/rel1"
expect_eq "release build: step 1 the same with and without PPTP_TEST_SYSROOT" \
	"$(step1 "$WORK/rel1")" "$(step1 "$WORK/rel0")"
check "release build: the variable's name is not in the program" \
	sh -c "! grep -qa PPTP_TEST_SYSROOT '$TOP/pptp'"
check "test build: it is" grep -qa PPTP_TEST_SYSROOT "$PPTP"

# A tunnel that launches pppd checks the same before dialling; under
# --nolaunchpppd (every other tunnel here) pppd has checked for itself.
mkdir -p "$WORK/bin"
ln -sf "$FAKEPPP" "$WORK/bin/pppd"
start_pacsrv nodev_t.pac --listen $SRV_IP
in_cli env -u PPTP_TEST_SYSROOT PATH="$WORK/bin:$PATH" timeout 30 "$PPTP" $SRV_IP --debug \
	> "$WORK/nodev_t" 2>&1
RC=$?
stop_pacsrv
tunnel_is "no /dev/ppp (this machine as it is)" nodev_t 12 'error: .*/dev/ppp missing: '
expect_no_grep "tunnel, no /dev/ppp: no call was placed" 'RECV OCRQ' "$WORK/nodev_t.pac"
start_pacsrv nomppe_t.pac --listen $SRV_IP
in_cli env PPTP_TEST_SYSROOT="$WORK/root_nomppe" PATH="$WORK/bin:$PATH" timeout 30 "$PPTP" $SRV_IP \
	--debug require-mppe-128 > "$WORK/nomppe_t" 2>&1
RC=$?
stop_pacsrv
tunnel_is "MPPE module absent" nomppe_t 13 'error: .*MPPE \(ppp_mppe\) missing: '

# ---- [2/8] name resolution: exit 3

printf '%s\n' "192.0.2.3 vpn.diag.test" "$SRV_IP vpn.diag.test" "192.0.2.3 dead.diag.test" \
	"$SRV_IP dead.diag.test" "2001:db8::1 v6only.diag.test" > "$WORK/hosts"
echo "hosts: files" > "$WORK/nsswitch.conf"

diag_names nxname nothing.diag.test
verdict_is "unknown name" nxname 3 'the name nothing.diag.test does not resolve'
row_diag "name does not resolve" nxname
unshare -m sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf &&
	shift 2 && exec "$@"' sh "$WORK/hosts" "$WORK/nsswitch.conf" \
	ip netns exec "$NS_CLI" timeout 60 "$FAKEPPP" --frames 3 --no-wait-link -- \
	"$PPTP" nothing.diag.test --nolaunchpppd --debug > "$WORK/nxname_t" 2>&1
RC=$(child_exit "$WORK/nxname_t")
tunnel_is "name does not resolve" nxname_t 3 "error: .*cannot resolve the server name 'nothing.diag.test'"
expect_grep "unknown name: step 2 says so" '^\[2/8\] resolving nothing.diag.test: ' "$WORK/nxname"
expect_no_grep "unknown name: stops at step 2" '^\[3/8\]' "$WORK/nxname"
diag_names v6only v6only.diag.test
verdict_is "IPv6-only name" v6only 3 'the name v6only.diag.test does not resolve to an IPv4 address'
expect_grep "IPv6-only name: explained" 'IPv6 addresses only' "$WORK/v6only"

# ---- [3/8] TCP to port 1723: exit 4

diag refused $SRV_IP
verdict_is "no server" refused 4 'connection refused by 192.0.2.1'
expect_grep "no server: step 3 says refused" '^\[3/8\] TCP to 192.0.2.1 port 1723: refused$' "$WORK/refused"
expect_grep "no server: what to do names the PPTP service" 'PPTP service is not running' "$WORK/refused"
expect_no_grep "no server: stops at step 3" '^\[4/8\]' "$WORK/refused"
row_diag "TCP refused" refused
tunnel refused_t
tunnel_is "TCP refused" refused_t 4 'error: .*connection refused by 192\.0\.2\.1: '

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
	expect_grep "TCP/1723 dropped: step 3 says no answer" '^\[3/8\] .*: no answer within 2 s$' "$WORK/tcpdrop"
	check "TCP/1723 dropped: --connect-timeout bounds the wait (${t} s)" test "$t" -le 5
	row_diag "TCP dropped" tcpdrop
	nft_drop "$NS_SRV" input "tcp dport 1723"
	tunnel tcpdrop_t --connect-timeout 2
	nft_clear "$NS_SRV"
	tunnel_is "TCP dropped" tcpdrop_t 4 'error: .*no answer from 192\.0\.2\.1 on TCP port 1723 within 2 s'

	# A firewall's reject, told from a missing route by its ICMP code;
	# the reject that looks like a closed port says it may be either.
	nft_rule "$NS_SRV" input tcp dport 1723 reject with icmp type admin-prohibited
	diag admin $SRV_IP
	tunnel admin_t
	nft_clear "$NS_SRV"
	verdict_is "ICMP admin-prohibited" admin 4 \
		"connection to 192\.0\.2\.1 rejected by a firewall: an ICMP 'administratively prohibited' came back"
	expect_grep "ICMP admin-prohibited: step 3 says a firewall rejects it" \
		'^\[3/8\] TCP to 192.0.2.1 port 1723: rejected by a firewall \(ICMP administratively prohibited\)$' \
		"$WORK/admin"
	row_diag "ICMP admin-prohibited" admin
	tunnel_is "ICMP admin-prohibited" admin_t 4 'error: .*rejected by a firewall: an ICMP'
	nft_rule "$NS_SRV" input tcp dport 1723 reject with icmp type port-unreachable
	diag portunr $SRV_IP
	nft_clear "$NS_SRV"
	verdict_is "ICMP port unreachable" portunr 4 \
		'connection refused by 192\.0\.2\.1: nothing accepts PPTP on TCP port 1723 there, or a firewall rejects it'
else
	not_ok "nft is needed to drop packets (tests/deps.sh installs nftables)"
fi

# ---- [4/8] control connection: exit 5

start_pacsrv ctrl_refused.pac --listen $SRV_IP --fault refuse-control=4
diag ctrl_refused $SRV_IP
verdict_is "control refused" ctrl_refused 5 '192.0.2.1 refused the control connection: requester not authorized'
expect_grep "control refused: step 4 gives the result code" \
	'^\[4/8\] control connection: refused: requester not authorized \(result code 4\)$' "$WORK/ctrl_refused"
expect_grep "control refused: the server's host name, vendor, firmware and version are shown" \
	'server host name "pacsrv", vendor "pptp-test", firmware revision 0x0001, protocol version 1.0' \
	"$WORK/ctrl_refused"
stop_pacsrv
row_diag "control connection refused" ctrl_refused
start_pacsrv ctrl_refused_t.pac --listen $SRV_IP --fault refuse-control=4
tunnel ctrl_refused_t
stop_pacsrv
tunnel_is "control connection refused" ctrl_refused_t 5 'error: .*refused the control connection: requester not authorized'

start_pacsrv silent.pac --listen $SRV_IP --fault silent
diag silent $SRV_IP --connect-timeout 2
verdict_is "silent server" silent 5 '192.0.2.1 accepts TCP on port 1723 but does not answer PPTP'
expect_grep "silent server: step 4 says no reply" 'no Start-Control-Connection-Reply within 2 s' "$WORK/silent"
stop_pacsrv
row_diag "silent server" silent
start_pacsrv silent_t.pac --listen $SRV_IP --fault silent
tunnel silent_t --connect-timeout 2
stop_pacsrv
tunnel_is "silent server" silent_t 5 'error: .*(no reply|did not answer|no Start-Control-Connection-Reply)'

start_pacsrv hangup.pac --listen $SRV_IP --fault close-at-sccrq
diag hangup $SRV_IP --connect-timeout 2
verdict_is "server hangs up at SCCRQ" hangup 5 '192.0.2.1 did not accept the control connection'
stop_pacsrv

# ---- [5/8] outgoing call: exit 6

start_pacsrv call_refused.pac --listen $SRV_IP --fault refuse-call=4
diag call_refused $SRV_IP
verdict_is "call refused" call_refused 6 '192.0.2.1 refused the call: busy'
expect_grep "call refused: step 5 gives the result in words" \
	'^\[5/8\] outgoing call: refused: busy \(result code 4\)$' "$WORK/call_refused"
expect_no_grep "call refused: stops at step 5" '^\[6/8\]' "$WORK/call_refused"
wait "$PAC_PID"
expect_eq "call refused: the control connection is still stopped cleanly (pacsrv saw no error)" "$?" 0
expect_grep "call refused: pacsrv got our Stop-Control-Connection-Request" 'RECV STOPCCRQ' \
	"$WORK/call_refused.pac"
row_diag "call refused" call_refused
start_pacsrv call_refused_t.pac --listen $SRV_IP --fault refuse-call=4
tunnel call_refused_t
stop_pacsrv
tunnel_is "call refused" call_refused_t 6 'error: .*refused the call: busy'

# The server accepts the call, then hangs up at once (its pppd did not start).
start_pacsrv cdn.pac --listen $SRV_IP --fault cdn-after=0
diag cdn $SRV_IP
verdict_is "call hung up at once" cdn 9 '192.0.2.1 hung up the call as soon as it was up: admin shutdown'
stop_pacsrv
row_diag "call hung up" cdn
start_pacsrv cdn_t.pac --listen $SRV_IP --fault cdn-after=0
HOLD=5 tunnel cdn_t
stop_pacsrv
tunnel_is "call hung up" cdn_t 9 'error: .*the call has ended: '

# ---- [6/8] GRE both ways: exit 10

GRE_VERDICT='GRE \(IP protocol 47\) is not getting through: a firewall or NAT between you and the server is blocking it$'

start_pacsrv gre_none.pac --listen $SRV_IP --gre none
diag gre_none $SRV_IP
verdict_is "server sends no GRE" gre_none 10 "$GRE_VERDICT"
expect_grep "server sends no GRE: step 6 says none came back" \
	'^\[6/8\] GRE both ways: sent an LCP Configure-Request [0-9]+ times; no GRE came back within 5 s$' \
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

GRE_ONEWAY='GRE \(IP protocol 47\) gets through one way only: the server.s reaches this machine, ours does not reach the server$'
GRE_LOCAL='GRE \(IP protocol 47\) is not getting through: a firewall rule on this machine refuses to send it$'

# The server's PPP behaves as pppd does (--gre ppp-like): its own
# Configure-Requests, an answer to ours, no echo.  First with nothing in
# the way: both directions proven.
start_pacsrv ppp_ok.pac --listen $SRV_IP --gre ppp-like
diag ppp_ok $SRV_IP
stop_pacsrv
verdict_is "pppd-like server, nothing in the way" ppp_ok 0 'every layer works$'
expect_grep "pppd-like server: ours are proven to arrive" '^      ours reach the server too: ' "$WORK/ppp_ok"
expect_grep "pppd-like server: it answered our Configure-Request" 'PPP RX Configure-Request id=[0-9]+; TX Configure-Ack' \
	"$WORK/ppp_ok.pac"

# gre_row LOG NS HOOK [NS HOOK]: with GRE dropped by nftables at those
# hooks, against the pppd-like server: --diagnose (LOG), then a tunnel
# whose pppd sends a frame a second for 12 s (LOG_t), past the gateway's
# 10 s watchdogs; what --status shows once it has warned in LOG_t.status.
GRE_ANY_WARN='warning: .*(no GRE packets from the server|not reaching the server|sending GRE is not permitted)'
gre_row() {
	local log=$1 cp; shift
	while [ $# -ge 2 ]; do nft_drop "$1" "$2" "meta l4proto gre"; shift 2; done
	start_pacsrv "$log.pac" --listen $SRV_IP --gre ppp-like
	diag "$log" $SRV_IP
	stop_pacsrv
	start_pacsrv "${log}_t.pac" --listen $SRV_IP --gre ppp-like
	client "${log}_t" "--frames 12 --rate 1 --no-wait-link --timeout 30" &
	cp=$!
	wait_for "$GRE_ANY_WARN" "$WORK/${log}_t" 16
	in_cli "$PPTP" --status > "$WORK/${log}_t.status" 2>&1
	wait "$cp"
	stop_pacsrv
	nft_clear "$NS_SRV"
	nft_clear "$NS_CLI"
}
GRE_IN_WARN='warning: .*no GRE packets from the server: IP protocol 47 is blocked'
gre_tunnel_is() { RC=$(child_exit "$WORK/$2_t"); tunnel_is "$1" "$2_t" "$3" "$4"; }
if $nft_ok; then
	gre_row gre_srv_in "$NS_SRV" input
	verdict_is "GRE dropped at the server's input" gre_srv_in 10 "$GRE_ONEWAY"
	expect_grep "GRE dropped at the server's input: the server's own requests are what came back" \
		'^\[6/8\] GRE both ways: sent an LCP Configure-Request [0-9]+ times, got GRE back in [0-9]+ ms: an LCP Configure-Request from the server.s PPP$' \
		"$WORK/gre_srv_in"
	expect_grep "GRE dropped at the server's input: its repeated requests are named" \
		"its PPP repeated its own Configure-Request \([0-9]+ times\) and never answered ours; none of our [0-9]+ packets was acknowledged within 5 s" \
		"$WORK/gre_srv_in"
	for w in "output firewall" "passthrough" "nf_conntrack_pptp" "server's input firewall"; do
		expect_grep "GRE dropped at the server's input: the advice names $w" "$w" "$WORK/gre_srv_in"
	done
	expect_no_grep "GRE dropped at the server's input: not sent to PPP" 'every layer works|authentication' \
		"$WORK/gre_srv_in"
	row_diag "GRE dropped at the server's input" gre_srv_in
	gre_tunnel_is "GRE dropped at the server's input" gre_srv_in 0 \
		'warning: .*our GRE packets are not reaching the server: none of the [0-9]+ sent in 1[0-9] s was acknowledged'
	expect_no_grep "tunnel, GRE dropped at the server's input: not taken for the inbound case" \
		"$GRE_IN_WARN" "$WORK/gre_srv_in_t"
	expect_grep "tunnel, GRE dropped at the server's input: counted (the statistics line)" \
		'GRE statistics .*, tx unheard 1,' "$WORK/gre_srv_in_t"
	expect_grep "tunnel, GRE dropped at the server's input: counted (--status)" \
		'tx unheard 1' "$WORK/gre_srv_in_t.status"
	sed 's/^/#   --status: /' "$WORK/gre_srv_in_t.status"

	gre_row gre_srv_out "$NS_SRV" output
	verdict_is "GRE dropped at the server's output" gre_srv_out 10 "$GRE_VERDICT"
	row_diag "GRE dropped at the server's output" gre_srv_out
	gre_tunnel_is "GRE dropped at the server's output" gre_srv_out 0 "$GRE_IN_WARN"
	expect_no_grep "tunnel, GRE dropped at the server's output: not taken for the outbound case" \
		'not reaching the server' "$WORK/gre_srv_out_t"
	gre_row gre_cli_in "$NS_CLI" input
	verdict_is "GRE dropped at this machine's input" gre_cli_in 10 "$GRE_VERDICT"
	row_diag "GRE dropped at this machine's input" gre_cli_in
	gre_tunnel_is "GRE dropped at this machine's input" gre_cli_in 0 "$GRE_IN_WARN"
	gre_row gre_cli_out "$NS_CLI" output
	verdict_is "GRE dropped at this machine's output" gre_cli_out 10 "$GRE_LOCAL"
	row_diag "GRE dropped at this machine's output" gre_cli_out
	gre_tunnel_is "GRE dropped at this machine's output" gre_cli_out 0 \
		'warning: .*sending GRE is not permitted: a local firewall'
	gre_row gre_both "$NS_SRV" input "$NS_SRV" output
	verdict_is "GRE dropped both ways" gre_both 10 "$GRE_VERDICT"
	row_diag "GRE dropped both ways" gre_both
	gre_tunnel_is "GRE dropped both ways" gre_both 0 "$GRE_IN_WARN"
else
	not_ok "nft is needed to drop GRE (tests/deps.sh installs nftables)"
fi

# ---- success against the test server: exit 0

start_pacsrv ok.pac --listen $SRV_IP
diag ok $SRV_IP
verdict_is "echoing server" ok 0 'every layer works$'
n=0
for s in 1 2 3 4 5 6 7 8; do grep -q "^\[$s/8\] " "$WORK/ok" && n=$((n + 1)); done
expect_eq "echoing server: all eight steps reported" "$n" 8
expect_grep "echoing server: step 7 measures what this machine's route takes, its echo answering" \
	"^\[7/8\] path MTU: 1500-byte packets cross both ways \(a 1464-byte PPP frame and its answer\), larger ones only in fragments$" \
	"$WORK/ok"
expect_grep "echoing server: step 7 says the kernel fragments, and what avoids it" \
	"this machine's route to the server takes 1500-byte packets, so larger GRE leaves in fragments, which cross; pppd's 'mtu 1460 mru 1460' avoids the fragmenting" \
	"$WORK/ok"
expect_grep "echoing server: step 6 got GRE back" \
	'^\[6/8\] GRE both ways: sent an LCP Configure-Request, got GRE back in [0-9]+ ms: our own LCP Configure-Request' \
	"$WORK/ok"
expect_grep "echoing server: the server's acknowledgment shows ours arrive" \
	'ours reach the server too: the server acknowledged our GRE' "$WORK/ok"
expect_grep "echoing server: step 8 clears the call and stops the connection" \
	'^\[8/8\] teardown: call cleared.*; control connection stopped' "$WORK/ok"
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
expect_grep "malformed GRE, then good GRE: the good one is what step 6 names" \
	'got GRE back in [0-9]+ ms: our own LCP Configure-Request' "$WORK/ok_bad"
stop_pacsrv

# With --debug the control engine's log lines name the address they
# concern, and once the call is up the call (pptp.8, LOGGING).
start_pacsrv ok_debug.pac --listen $SRV_IP
diag ok_debug $SRV_IP --debug
verdict_is "--debug" ok_debug 0 'every layer works$'
expect_grep "--debug: the control connection's log line names the server" \
	": anon pptp $SRV_IP: control connection established" "$WORK/ok_debug"
expect_grep "--debug: the call's log lines name the server and the call" \
	": anon pptp $SRV_IP call [0-9]+/16384: call ID [0-9]+: call cleared" "$WORK/ok_debug"
stop_pacsrv

# ---- several addresses

ip -n "$NS_SRV" addr add 192.0.2.3/24 dev "vs$SUF"
start_pacsrv multi.pac --listen $SRV_IP
diag_names multi vpn.diag.test
expect_eq "first address dead, second works: exit status 0" "$RC" 0
expect_grep "several addresses: step 2 lists both" '^\[2/8\] resolving vpn.diag.test: 192.0.2.3, 192.0.2.1$' \
	"$WORK/multi"
expect_eq "several addresses: tried in order, the dead one refused, the next connected" \
	"$(grep -E '^\[3/8\]' "$WORK/multi" | sed 's/ in [0-9]* ms//' | tr '\n' '|')" \
	"[3/8] TCP to 192.0.2.3 port 1723: refused|[3/8] TCP to 192.0.2.1 port 1723: connected|"
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
	PPTPD=$!
	BG_PIDS="$BG_PIDS $PPTPD"
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
	expect_grep "pptpd: step 8 ends cleanly" '^\[8/8\] teardown: call cleared.*control connection stopped' \
		"$WORK/pptpd"
	lcp=$(tshark -r "$WORK/cap.pcap" -Y "ppp.code == 1 && ip.src == $CLI_IP && lcp.opt.magic_number" 2>/dev/null | wc -l)
	check "pptpd: tshark decodes our LCP Configure-Request with its magic number ($lcp)" test "$lcp" -ge 1
	mal=$(tshark -r "$WORK/cap.pcap" -Y "_ws.malformed && ip.src == $CLI_IP" 2>/dev/null | wc -l)
	expect_eq "pptpd: tshark finds nothing malformed in what we sent" "$mal" 0
	# Its pppd fails to start: the ppp program exits at once.
	kill "$PPTPD"
	wait "$PPTPD" 2>/dev/null
	for _ in $(seq 1 50); do in_srv ss -ltn | grep -q ':1723 ' || break; sleep 0.1; done
	printf '#!/bin/sh\nexit 1\n' > "$WORK/standin"
	in_srv pptpd -c "$WORK/pptpd.conf" --fg --pidfile "$WORK/pptpd2.pid" > "$WORK/pptpd2.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	for _ in $(seq 1 100); do in_srv ss -ltn | grep -q ':1723 ' && break; sleep 0.1; done
	diag pptpd_noppp $SRV_IP
	verdict_is "pptpd whose pppd fails to start" pptpd_noppp 9 '192.0.2.1 hung up the call as soon as it was up'
	row_diag "the server's pppd fails to start (PoPToP pptpd)" pptpd_noppp
	HOLD=5 tunnel pptpd_noppp_t
	tunnel_is "the server's pppd fails to start (PoPToP pptpd)" pptpd_noppp_t 9 \
		'error: .*the call has ended: '
else
	not_ok "pptpd and tshark are needed (tests/deps.sh installs them)"
fi

print_matrix diagnose "--diagnose verdict"
print_matrix tunnel "tunnel log line"
finish
