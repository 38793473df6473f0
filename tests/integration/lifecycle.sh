#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lifecycle.sh - processes, signals and exit statuses: pptp launching
# "pppd" itself (the pppd stand-in on PATH), going to the background, each
# of the three processes stopped or killed, two tunnels sharing one call
# manager, a stale socket, SIGPIPE.
. "$(dirname "$0")/lib.sh"

# A directory whose "pppd" is the stand-in, first on PATH.
mkdir -p "$WORK/bin"
ln -s "$FAKEPPP" "$WORK/bin/pppd"
cat > "$WORK/bin/pppd-fails" <<'EOF'
#!/bin/sh
echo "failing pppd: $*" >> "$FAKEPPP_LOG"
sleep 0.5
exit 19
EOF
chmod +x "$WORK/bin/pppd-fails"

# pptp in default mode in the client namespace.  Usage:
#   launch LOG "FAKEPPP_OPTS" PPTP-ARGS...   (foreground; returns its status)
launch() {
	local log=$WORK/$1 fo=$2; shift 2
	in_cli env PATH="$WORK/bin:$PATH" FAKEPPP_OPTS="$fo" FAKEPPP_LOG="$log.pppd" \
		timeout 60 "$PPTP" $SRV_IP "$@" > "$log" 2>&1
}

# pids of pptp processes in the client namespace.  The gateway is pppd's
# parent; the call manager is the other one.
pptp_pids() { _pptp_live; }
gateway_pid() {
	local pp
	for pp in $(pppd_pid); do awk '{print $4}' /proc/$pp/stat 2>/dev/null; done
}
callmgr_pid() {
	local gw
	gw=$(gateway_pid)
	for p in $(pptp_pids); do [ "$p" != "$gw" ] && echo "$p"; done
}
pppd_pid() {
	for p in $(ip netns pids "$NS_CLI" 2>/dev/null); do
		tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q '^pppd /dev/pts' && echo "$p"
	done
}

# 1. Default mode in the foreground: pptp starts "pppd" with the tty, its
# own options and ours in order, and exits with pppd's status.
start_pacsrv pac1.log
launch l1.log "--frames 30 --expect-echo" --debug noauth name alice require-mppe-128
expect_eq "launches pppd: exit status 0 when pppd succeeds" "$?" 0
expect_grep "launches pppd: tty, nodetach, then the pppd options in order" \
	'^ARGS /dev/pts/[0-9]+ nodetach noauth name alice require-mppe-128$' "$WORK/l1.log.pppd"
expect_grep "launches pppd: frames went through" 'FAKEPPP RESULT ok' "$WORK/l1.log.pppd"
wait "$PAC_PID"
expect_grep "launches pppd: the server heard the call cleared" 'RECV CCR' "$WORK/pac1.log"
check "launches pppd: nothing left" no_pptp_left

# 2. --sync passes 'sync' to pppd (the line discipline is checked first:
# this kernel has no n_hdlc, so the failure must say so and name the fix).
launch l2.log "--frames 1" --debug --sync noauth
st=$?
if grep -q n_hdlc /proc/tty/ldiscs; then
	expect_grep "--sync: pppd gets 'sync'" '^ARGS /dev/pts/[0-9]+ nodetach sync noauth$' "$WORK/l2.log.pppd"
else
	expect_eq "--sync without n_hdlc: exit status 1" "$st" 1
	expect_grep "--sync without n_hdlc: says what is missing" 'n_hdlc line discipline.*modprobe n_hdlc' \
		"$WORK/l2.log"
fi

# 3. pppd fails: its status in words, ours is 8.
start_pacsrv pac3.log
ln -sf pppd-fails "$WORK/bin/pppd"
launch l3.log "" --debug
expect_eq "pppd fails: exit status 8" "$?" 8
expect_grep "pppd fails: its exit status in words" \
	'pppd exited with status 19: authentication to the server failed' "$WORK/l3.log"
wait "$PAC_PID"
expect_grep "pppd fails: the call is cleared" 'RECV CCR' "$WORK/pac3.log"
ln -sf "$FAKEPPP" "$WORK/bin/pppd"

# 3b. The same without --debug: the foreground process still reports it.
start_pacsrv pac3b.log
ln -sf pppd-fails "$WORK/bin/pppd"
launch l3b.log ""
expect_eq "pppd fails in the background mode: the command exits 8" "$?" 8
ln -sf "$FAKEPPP" "$WORK/bin/pppd"
stop_pacsrv

# 4. No pppd anywhere: a clear error before any call is placed.
start_pacsrv pac4.log
in_cli unshare -m sh -c "for f in /usr/sbin/pppd /sbin/pppd /usr/bin/pppd; do
	[ -e \$f ] && mount --bind /dev/null \$f; done
	PATH=/usr/bin:/bin exec timeout 20 '$PPTP' $SRV_IP --debug" > "$WORK/l4.log" 2>&1
expect_eq "no pppd: exit status 11" "$?" 11
expect_grep "no pppd: says to install it" "pppd not found.*install the 'ppp' package" "$WORK/l4.log"
stop_pacsrv
expect_no_grep "no pppd: no call was placed" 'RECV OCRQ' "$WORK/pac4.log"

# 5. Without --debug: the command returns once the call is up; the tunnel
# goes on in the background and ends with pppd.
start_pacsrv pac5.log
launch l5.log "--frames 20 --expect-echo --delay 1 --hold 2"
st=$?
expect_eq "background: the command exits 0 once pppd is running" "$st" 0
check "background: it returned before pppd finished" \
	sh -c "! grep -q 'FAKEPPP RESULT' '$WORK/l5.log.pppd'"
expect_grep "background: pppd was started before it returned" '^ARGS ' "$WORK/l5.log.pppd"
check "background: the gateway runs on" test -n "$(gateway_pid)"
fds() { for f in 0 1 2; do readlink "/proc/$1/fd/$f"; done | tr '\n' ' '; }
expect_eq "background: the gateway keeps none of the caller's stdin, stdout, stderr" \
	"$(fds "$(gateway_pid)")" "/dev/null /dev/null /dev/null "
# pptp.8 (--debug): pppd keeps them, for its messages.
expect_eq "background: pppd keeps the caller's stdout and stderr (pptp.8)" \
	"$(fds "$(pppd_pid)" | cut -d' ' -f2-3)" "$WORK/l5.log $WORK/l5.log"
wait_for 'FAKEPPP RESULT' "$WORK/l5.log.pppd" 20
expect_grep "background: frames went through" 'FAKEPPP RESULT ok' "$WORK/l5.log.pppd"
check "background: everything ends after pppd" no_pptp_left 1
wait "$PAC_PID"
expect_grep "background: the call is cleared" 'RECV CCR' "$WORK/pac5.log"

# 6. Without --debug, a failure before the call is up is the exit status.
start_pacsrv pac6.log --fault refuse-call=4
launch l6.log "--frames 1"
expect_eq "background: a refused call still exits 6" "$?" 6
stop_pacsrv

# Signals: a long-running tunnel in the foreground, then stop one process.
# Usage: signal_case NAME WHO SIGNAL WANT_STATUS
signal_case() {
	local name=$1 who=$2 sig=$3 want=$4 pid
	start_pacsrv "pac-$name.log"
	launch "l-$name.log" "--frames 100000 --rate 50" --debug &
	local lp=$!
	wait_for 'tunnel to .* is up' "$WORK/l-$name.log" 10
	sleep 0.5
	case $who in
	pppd) pid=$(pppd_pid) ;;
	gateway) pid=$(gateway_pid) ;;
	callmgr) pid=$(callmgr_pid) ;;
	esac
	if [ -z "$pid" ]; then not_ok "$name: no $who process found"; kill $lp; return; fi
	case $who in
	gateway) expect_eq "$name: the gateway is named pptpgw" "$(cat /proc/$pid/comm)" pptpgw ;;
	callmgr) expect_eq "$name: the call manager is named pptpcm" "$(cat /proc/$pid/comm)" pptpcm ;;
	esac
	kill -"$sig" $pid
	local t0=$SECONDS
	wait $lp
	local st=$?
	check "$name: everything ends within 6 s" test $((SECONDS - t0)) -le 6
	[ -n "$want" ] && expect_eq "$name: pptp exit status $want" "$st" "$want"
	check "$name: no process left" no_pptp_left 0.5
	check "$name: no pppd left" test -z "$(pppd_pid)"
	if [ "$who" = callmgr ] && [ "$sig" = KILL ]; then
		# A killed call manager says nothing; its TCP connection closes,
		# and its host route stays (documented), recorded for the next
		# call manager for this server, which takes it over.
		wait_for 'PEER EOF' "$WORK/pac-$name.log" 5
		expect_grep "$name: the server saw the control connection close" 'PEER EOF' \
			"$WORK/pac-$name.log"
		local rec
		rec=/run/pptp/$SRV_IP-n$(in_cli stat -L -c %i /proc/self/ns/net).route
		check "$name: the host route it left is still there" test -n "$(in_cli ip route show $SRV_IP/32)"
		check "$name: ... and recorded" test -e "$rec"
		stop_pacsrv
		start_pacsrv "pac-$name-next.log"
		client "$name-next.log" "--frames 5 --expect-echo"
		expect_eq "$name: the next tunnel works" "$(child_exit "$WORK/$name-next.log")" 0
		expect_grep "$name: the next call manager takes the route over" \
			'host route to .* was added by another call manager|taking over the host route' \
			"$WORK/$name-next.log"
		check "$name: ... and removes it at exit" test -z "$(in_cli ip route show $SRV_IP/32)"
		check "$name: ... with its record" test ! -e "$rec"
	else
		wait_for 'RECV CCR' "$WORK/pac-$name.log" 5
		expect_grep "$name: the server heard the call cleared" 'RECV CCR' "$WORK/pac-$name.log"
	fi
	stop_pacsrv
	check "$name: no socket left in /run/pptp" test "$(sockets_left)" = 0
}
signal_case "SIGTERM to pppd" pppd TERM 0
signal_case "SIGTERM to the gateway" gateway TERM 0
expect_grep "SIGTERM to the gateway: pppd was asked to stop first" 'FAKEPPP signal 15' \
	"$WORK/l-SIGTERM to the gateway.log.pppd"
signal_case "SIGINT to the gateway" gateway INT 0
signal_case "SIGHUP to the gateway" gateway HUP 0
signal_case "SIGTERM to the call manager" callmgr TERM 0
expect_grep "SIGTERM to the call manager: says why the call ended" 'stopped by signal TERM' \
	"$WORK/l-SIGTERM to the call manager.log"
signal_case "SIGKILL to the gateway" gateway KILL ""
signal_case "SIGKILL to the call manager" callmgr KILL 1
expect_grep "SIGKILL to the call manager: the gateway says so" 'call manager went away' \
	"$WORK/l-SIGKILL to the call manager.log"

# SIGTERM to a call manager whose TCP connect is still under way (the
# server's namespace drops the SYNs): it ends at once, and once SYNs pass
# again nothing reaches the server: no connection, no SCCRQ.  Nothing of it
# stays in /run/pptp.  (The gateway runs under fakeppp here, so the call
# manager is the pptp process whose parent is not fakeppp.)
callmgr_of_client() {
	local p pp
	for p in $(pptp_pids); do
		pp=$(awk '{print $4}' /proc/$p/stat 2>/dev/null)
		[ -n "$pp" ] && ! grep -q '^fakeppp' /proc/$pp/comm 2>/dev/null && echo "$p"
	done
}
gone_within() {	# gone_within PID SECONDS
	for _ in $(seq 1 $(($2 * 20))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
	return 1
}
if $nft_ok; then
	start_pacsrv pac-synterm.log
	nft_drop "$NS_SRV" input "tcp dport 1723"
	client synterm.log "--frames 1" --connect-timeout 30 &
	cp=$!
	wait_for 'connecting to 192.0.2.1:1723' "$WORK/synterm.log" 10
	sleep 0.3
	cm=$(callmgr_of_client)
	if [ -n "$cm" ]; then
		kill -TERM "$cm"
		check "SIGTERM during the TCP connect: the call manager is gone within 2 s" gone_within "$cm" 2
	else
		not_ok "SIGTERM during the TCP connect: no call manager found"
	fi
	# SYNs pass again; a SYN still being retried would now connect (the
	# kernel retries at 1, 3 and 7 s).
	nft_clear "$NS_SRV"
	sleep 6
	wait $cp
	expect_grep "SIGTERM during the TCP connect: the gateway says why" 'stopped by signal TERM' \
		"$WORK/synterm.log"
	expect_no_grep "SIGTERM during the TCP connect: no connection reached the server" '^ACCEPT' \
		"$WORK/pac-synterm.log"
	expect_no_grep "SIGTERM during the TCP connect: no SCCRQ was sent" 'RECV SCCRQ' "$WORK/pac-synterm.log"
	ino=$(in_cli stat -L -c %i /proc/self/ns/net)
	# (--connect-timeout 30 is part of the names: ADDR-t30-nNS.)
	expect_eq "SIGTERM during the TCP connect: no socket, lock or route file left in /run/pptp" \
		"$(ls /run/pptp/ | grep -c -- "^$SRV_IP\(-t30\)\?-n$ino\(\.lock\|\.route\)\?$")" 0
	check "SIGTERM during the TCP connect: no pptp process left" no_pptp_left
	stop_pacsrv
else
	not_ok "nft is needed to drop SYNs (tests/deps.sh installs nftables)"
fi

# SIGUSR1 dumps statistics and does not end anything; SIGPIPE is ignored.
start_pacsrv pac7.log
launch l7.log "--frames 100000 --rate 50" --debug &
lp=$!
wait_for 'tunnel to .* is up' "$WORK/l7.log" 10
sleep 0.5
gw=$(gateway_pid); cm=$(callmgr_pid)
cmdline() { tr '\0' ' ' < "/proc/$1/cmdline"; }
# The names the classic's processes have, where ps, pidof, pgrep and pkill
# look: /proc/PID/comm and the command line.
expect_eq "names: comm of the gateway, the call manager" \
	"$(cat /proc/$gw/comm) $(cat /proc/$cm/comm)" "pptpgw pptpcm"
expect_eq "names: the gateway's command line" "$(cmdline "$gw")" "pptpgw $SRV_IP --debug "
expect_eq "names: the call manager's command line" "$(cmdline "$cm")" "pptpcm $SRV_IP "
check "names: pidof pptpgw finds the gateway" grep -qw "$gw" <(pidof pptpgw)
check "names: pidof pptpcm finds the call manager" grep -qw "$cm" <(pidof pptpcm)
expect_eq "names: pgrep -f '^pptpgw $SRV_IP' in this namespace" \
	"$(pgrep --ns "$gw" --nslist net -f "^pptpgw $SRV_IP" | tr '\n' ' ')" "$gw "
# pkill -USR1 pptpgw, as scripts do (kept to this namespace: other tests'
# gateways may run on this machine).
pkill -USR1 --ns "$gw" --nslist net pptpgw
wait_for 'notice: .*GRE statistics .*rx accepted [0-9]+, rx lost' "$WORK/l7.log" 5
expect_grep "SIGUSR1: statistics at notice level with the manual's names" \
	'notice: .*GRE statistics \(call [0-9]+/16384\): rx accepted [0-9]+, rx lost [0-9]+, rx under win [0-9]+, rx over win [0-9]+, rx buffered [0-9]+, rx OS errors [0-9]+, rx truncated [0-9]+, rx invalid [0-9]+, rx acks [0-9]+, tx sent [0-9]+, tx failed [0-9]+, tx short [0-9]+, tx acks [0-9]+, tx oversize [0-9]+, round trip [0-9]+ ms' \
	"$WORK/l7.log"
check "SIGUSR1: the gateway keeps running" kill -0 "$gw"
# The call manager's command line names the server too (pkill -USR1 -f
# SERVER reaches it): it answers with a line about its control connection.
kill -USR1 "$cm"
wait_for 'callmgr [0-9.]+: status: ' "$WORK/l7.log" 5
expect_grep "SIGUSR1 to the call manager: its status at notice level" \
	"notice: .*callmgr $SRV_IP: status: control connection to $SRV_IP:1723 ESTABLISHED for [0-9]+ s \\(server \"pacsrv\", vendor \"pptp-test\"\\), 1 call\\(s\\), 1 gateway\\(s\\)" \
	"$WORK/l7.log"
kill -USR2 "$cm" "$gw"
sleep 0.5
check "SIGUSR1, SIGUSR2: the call manager keeps running" kill -0 "$cm"
check "SIGUSR2: the gateway keeps running" kill -0 "$gw"
check "SIGUSR1, SIGUSR2: the call manager's socket is still there" \
	test -S "/run/pptp/$SRV_IP-n$(in_cli stat -L -c %i /proc/self/ns/net)"
rx_acc() { grep 'GRE statistics' "$WORK/l7.log" | tail -n 1 | sed -n 's/.*rx accepted \([0-9]*\),.*/\1/p'; }
a=$(rx_acc) n=$(grep -c 'GRE statistics' "$WORK/l7.log")
sleep 1
kill -USR1 "$gw"
for _ in $(seq 1 100); do [ "$(grep -c 'GRE statistics' "$WORK/l7.log")" -gt "$n" ] && break; sleep 0.05; done
b=$(rx_acc)
check "SIGUSR1, SIGUSR2: frames still flow (rx accepted $a, then $b)" test "${b:-0}" -gt "${a:-0}"
sigign() { awk '/^SigIgn/ {print $2}' /proc/$1/status; }
# Bit 13 (SIGPIPE) of the ignored-signals mask: 0x1000.
check "SIGPIPE is ignored by the gateway" test $(( 0x$(sigign "$gw") & 0x1000 )) -ne 0
check "SIGPIPE is ignored by the call manager" test $(( 0x$(sigign "$cm") & 0x1000 )) -ne 0
# Least privilege once everything is set up.
cap() { awk -v k="$2:" '$1 == k {print $2}' /proc/$1/status; }
expect_eq "privileges: the gateway keeps no capability" "$(cap "$gw" CapEff)/$(cap "$gw" CapPrm)/$(cap "$gw" CapBnd)" \
	0000000000000000/0000000000000000/0000000000000000
expect_eq "privileges: the call manager keeps only CAP_NET_ADMIN (for its route)" \
	"$(cap "$cm" CapEff)/$(cap "$cm" CapPrm)/$(cap "$cm" CapBnd)" \
	0000000000001000/0000000000001000/0000000000001000
expect_eq "privileges: no_new_privs on both" "$(cap "$gw" NoNewPrivs)$(cap "$cm" NoNewPrivs)" 11
expect_eq "privileges: no ambient or inheritable capability" \
	"$(cap "$gw" CapAmb)$(cap "$gw" CapInh)$(cap "$cm" CapAmb)$(cap "$cm" CapInh)" \
	0000000000000000000000000000000000000000000000000000000000000000
ino=$(in_cli stat -L -c %i /proc/self/ns/net)
expect_eq "the socket and its directory are closed to other users" \
	"$(stat -c %A /run/pptp) $(stat -c %A /run/pptp/$SRV_IP-n$ino | cut -c1,5-)" "drwx------ s------"
expect_grep "host route: in place during the tunnel" "^$SRV_IP dev vc$SUF proto static" \
	<(in_cli ip route show $SRV_IP)
kill -TERM "$gw"; wait $lp
stop_pacsrv
# "At exit": once the call manager has ended, not before (it removes the
# route as it exits, which a loaded machine may take a moment to reach).
for _ in $(seq 1 100); do kill -0 "$cm" 2>/dev/null || break; sleep 0.05; done
check "host route: removed at exit, by a call manager with only CAP_NET_ADMIN" \
	test -z "$(in_cli ip route show $SRV_IP)"

# The command line is renamed three ways, each tried when the one before
# fails (proc.c): without CAP_SYS_RESOURCE (a container), and with every
# prctl() failing, as on a kernel that has neither way.
# Usage: title_case NAME WRAPPER...
title_case() {
	local name=$1 lp gw cm; shift
	start_pacsrv "pac-$name.log"
	in_cli env PATH="$WORK/bin:$PATH" FAKEPPP_OPTS="--frames 100000 --rate 50" \
		FAKEPPP_LOG="$WORK/l-$name.log.pppd" timeout 60 "$@" "$PPTP" $SRV_IP --debug \
		> "$WORK/l-$name.log" 2>&1 &
	lp=$!
	wait_for 'tunnel to .* is up' "$WORK/l-$name.log" 10
	gw=$(gateway_pid); cm=$(callmgr_pid)
	# A buffer of ours (PR_SET_MM_MAP) ends in one NUL, shown as one space;
	# rewritten in place, the rest of the block shows as empty arguments.
	local tail=' $'
	[ "$name" = in-place ] && tail=' +$'
	expect_grep "names, $name: the gateway's command line" "^pptpgw $SRV_IP --debug$tail" \
		<(cmdline "$gw")
	expect_grep "names, $name: the call manager's command line" "^pptpcm $SRV_IP$tail" \
		<(cmdline "$cm")
	check "names, $name: pidof finds both" test -n "$(pidof pptpgw | grep -w "$gw")" -a \
		-n "$(pidof pptpcm | grep -w "$cm")"
	kill -TERM "$gw"; wait $lp
	stop_pacsrv
}
title_case no-sys-resource setpriv --bounding-set -sys_resource
# Every prctl() fails here: the names in /proc/PID/comm too, and the
# privileges are not limited (warnings); only the command line is checked.
title_case in-place strace -o /dev/null -f -e trace=prctl -e inject=prctl:error=EPERM

# Two tunnels to one server share the call manager and carry traffic each.
start_pacsrv pac8.log
client t1.log "--frames 200 --expect-echo --rate 40 --hold 1" &
c1=$!
wait_for 'tunnel to .* is up' "$WORK/t1.log" 10
client t2.log "--frames 50 --expect-echo"
expect_eq "two tunnels: the second succeeds" "$(child_exit "$WORK/t2.log")" 0
expect_grep "two tunnels: the second uses the running call manager" 'using the running call manager' \
	"$WORK/t2.log"
expect_grep "two tunnels: the second carried its traffic" 'FAKEPPP RESULT ok' "$WORK/t2.log"
wait $c1
expect_eq "two tunnels: the first succeeds" "$(child_exit "$WORK/t1.log")" 0
expect_grep "two tunnels: the first carried its traffic" 'FAKEPPP RESULT ok' "$WORK/t1.log"
wait "$PAC_PID"; pac_rc=$?
expect_eq "two tunnels: one control connection" "$(grep -c '^ACCEPT' "$WORK/pac8.log")" 1
expect_eq "two tunnels: two calls on it" "$(grep -c '^RECV OCRQ' "$WORK/pac8.log")" 2
expect_eq "two tunnels: the server saw no protocol error" "$pac_rc" 0

# Options that shape the control connection (--idle-wait here): a pptp
# asking for other values gets a control connection of its own, with its
# settings; one asking for the same values shares it.  The server takes
# any number of control connections (no --once).
ip netns exec "$NS_SRV" "$PACSRV" --timeout 60 > "$WORK/pac8b.log" 2>&1 &
PAC_PID=$!
BG_PIDS="$BG_PIDS $PAC_PID"
wait_for LISTEN "$WORK/pac8b.log" 5
client k1.log "--frames 200 --expect-echo --rate 40 --hold 1" &
c1=$!
wait_for 'tunnel to .* is up' "$WORK/k1.log" 10
client k2.log "--frames 20 --expect-echo --hold 4" --idle-wait 1 &
c2=$!
wait_for 'tunnel to .* is up' "$WORK/k2.log" 10
expect_no_grep "other --idle-wait: not the running call manager" 'using the running call manager' \
	"$WORK/k2.log"
ino=$(in_cli stat -L -c %i /proc/self/ns/net)
expect_eq "other --idle-wait: a call manager socket each" \
	"$(ls /run/pptp/ | grep -cE "^$SRV_IP-(i1-)?n$ino\$")" 2
client k3.log "--frames 10 --expect-echo" --idle-wait 1
expect_eq "same --idle-wait again: the call works" "$(child_exit "$WORK/k3.log")" 0
expect_grep "same --idle-wait again: it uses the running call manager" \
	'using the running call manager' "$WORK/k3.log"
wait $c1 $c2
expect_eq "other --idle-wait: the first tunnel succeeds" "$(child_exit "$WORK/k1.log")" 0
expect_eq "other --idle-wait: the second tunnel succeeds" "$(child_exit "$WORK/k2.log")" 0
sleep 0.3
kill "$PAC_PID"; wait "$PAC_PID"; pac_rc=$?
expect_eq "other --idle-wait: two control connections" "$(grep -c '^ACCEPT' "$WORK/pac8b.log")" 2
expect_eq "other --idle-wait: three calls on them" "$(grep -c '^RECV OCRQ' "$WORK/pac8b.log")" 3
expect_grep "other --idle-wait: its keepalive runs after 1 s of silence" '^RECV ECHORQ' "$WORK/pac8b.log"
expect_eq "other --idle-wait: the server saw no protocol error" "$pac_rc" 0

# Call managers for one server share its host route: it stays until the
# last of them exits, whichever one added it.
ip netns exec "$NS_SRV" "$PACSRV" --timeout 60 > "$WORK/pac8c.log" 2>&1 &
PAC_PID=$!
BG_PIDS="$BG_PIDS $PAC_PID"
wait_for LISTEN "$WORK/pac8c.log" 5
client h1.log "--frames 20 --expect-echo --hold 2" &
c1=$!
wait_for 'tunnel to .* is up' "$WORK/h1.log" 10
client h2.log "--frames 250 --expect-echo --rate 50" --idle-wait 30 &
c2=$!
wait_for 'tunnel to .* is up' "$WORK/h2.log" 10
expect_grep "shared host route: the second call manager knows whose it is" \
	'host route to 192.0.2.1 was added by another call manager' "$WORK/h2.log"
wait $c1
expect_grep "shared host route: the first to exit leaves it, and says why" \
	'leaving the host route to 192.0.2.1 in place: another call manager' "$WORK/h1.log"
check "shared host route: still in place for the tunnel that remains" \
	grep -q "^$SRV_IP dev vc$SUF proto static" <(in_cli ip route show $SRV_IP)
wait $c2
expect_eq "shared host route: the remaining tunnel succeeds" "$(child_exit "$WORK/h2.log")" 0
check "shared host route: removed by the last call manager" test -z "$(in_cli ip route show $SRV_IP)"
check "shared host route: its file is gone too" \
	test ! -e "/run/pptp/$SRV_IP-n$(in_cli stat -L -c %i /proc/self/ns/net).route"
kill "$PAC_PID"; wait "$PAC_PID"

# The call manager's stderr is its starter's (no --debug): the starter's
# caller reads the call manager's warnings while that pptp runs, and sees
# EOF once it is gone, though the call manager lives on for another tunnel.
start_pacsrv pac8e.log --fault unknown-type=42
mkfifo "$WORK/se.fifo"
cat "$WORK/se.fifo" > "$WORK/se.err" &
rp=$!
in_cli timeout 60 "$FAKEPPP" --frames 60 --rate 20 --expect-echo -- "$PPTP" $SRV_IP --nolaunchpppd \
	> "$WORK/se.fifo" 2>&1 &
c1=$!
wait_for 'CALL UP' "$WORK/pac8e.log" 10
client se2.log "--frames 300 --rate 50 --expect-echo" &
c2=$!
wait_for 'tunnel to .* is up' "$WORK/se2.log" 10
cm=""
for p in $(pptp_pids); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptpcm ] && cm=$p; done
wait $c1
for _ in $(seq 1 60); do kill -0 "$rp" 2>/dev/null || break; sleep 0.05; done
check "call manager's stderr: the first tunnel ended well" grep -q '^FAKEPPP RESULT ok' "$WORK/se.err"
expect_grep "call manager's stderr: its warning reached the starter's caller" \
	"^pptp\[${cm:-x}\] warning: .*callmgr $SRV_IP: ignoring unknown control message type 42" \
	"$WORK/se.err"
check "call manager's stderr: the starter gone, the pipe's reader sees EOF within 3 s" \
	sh -c "! kill -0 $rp 2>/dev/null"
check "call manager's stderr: ... while the call manager serves the other tunnel" \
	kill -0 "${cm:-x}"
wait $c2
expect_eq "call manager's stderr: the other tunnel succeeds" "$(child_exit "$WORK/se2.log")" 0
kill "$rp" 2>/dev/null
stop_pacsrv

# A server that takes one call only: the second is refused in words, the
# first is unharmed.
start_pacsrv pac9.log --fault refuse-second-call
client u1.log "--frames 150 --expect-echo --rate 40" &
c1=$!
wait_for 'tunnel to .* is up' "$WORK/u1.log" 10
client u2.log "--frames 5"
expect_eq "second call refused: exit status 6" "$(child_exit "$WORK/u2.log")" 6
expect_grep "second call refused: said in words" 'server refused the call: busy' "$WORK/u2.log"
wait $c1
expect_grep "second call refused: the first tunnel is unharmed" 'FAKEPPP RESULT ok' "$WORK/u1.log"
stop_pacsrv

# A stale socket left by a call manager that died is replaced.
ino=$(in_cli stat -L -c %i /proc/self/ns/net)
stale=/run/pptp/$SRV_IP-n$ino
mkdir -p /run/pptp
rm -f "$stale"
socat UNIX-LISTEN:"$stale",type=5 /dev/null > /dev/null 2>&1 &
sp=$!
for _ in $(seq 1 40); do [ -S "$stale" ] && break; sleep 0.05; done
kill -9 $sp 2>/dev/null; wait $sp 2>/dev/null
check "stale socket: a dead socket is in place" test -S "$stale"
start_pacsrv pac10.log
client s.log "--frames 10 --expect-echo"
expect_eq "stale socket: the tunnel works" "$(child_exit "$WORK/s.log")" 0
expect_grep "stale socket: replaced, and said so (not as an error)" \
	'notice: .*replaced the stale socket of a call manager that died' "$WORK/s.log"
stop_pacsrv

# On a machine with syslog (/dev/log) the call manager keeps its lock: the
# descriptors it closes at start must not include syslog's, or syslog later
# closes the lock file in its place, and a second call manager could take
# the same name.
syslog_start
ino=$(in_cli stat -L -c %i /proc/self/ns/net)
sock=/run/pptp/$SRV_IP-n$ino lock=/run/pptp/$SRV_IP-n$ino.lock
start_pacsrv pac11.log
in_cli "${DEVLOG[@]}" timeout 60 "$FAKEPPP" --frames 150 --rate 50 --expect-echo -- \
	"$PPTP" $SRV_IP --nolaunchpppd --debug > "$WORK/sl.log" 2>&1 &
lp=$!
wait_for 'tunnel to .* is up' "$WORK/sl.log" 10
sleep 0.5
check "with /dev/log: syslog has the call manager's lines" grep -qE 'callmgr [0-9.]+: call established' \
	"$WORK/syslog"
check "with /dev/log: the lock file is there" test -f "$lock"
check "with /dev/log: the call manager holds its lock (flock -n fails)" \
	sh -c "! flock -n -E 99 '$lock' true"
holder=$(sed -n "s/^[0-9]*: FLOCK *ADVISORY *WRITE \([0-9]*\) [0-9a-f]*:[0-9a-f]*:$(stat -c %i "$lock") .*/\1/p" /proc/locks)
check "with /dev/log: /proc/locks names a pptp process of ours as the holder (${holder:-none})" \
	sh -c "[ -n '$holder' ] && tr '\\0' ' ' < /proc/$holder/cmdline | grep -q '^pptpcm $SRV_IP '"
# Another call manager takes the name over (as after a hand-over): the
# first must leave the new socket and lock file alone when it exits.
rm -f "$sock" "$lock"
socat UNIX-LISTEN:"$sock",type=5,fork /dev/null > /dev/null 2>&1 &
sp=$!
: > "$lock"
for _ in $(seq 1 40); do [ -S "$sock" ] && break; sleep 0.05; done
wait $lp
expect_eq "name taken over: the tunnel still ends well" "$(child_exit "$WORK/sl.log")" 0
sleep 0.5
check "name taken over: the newer socket is left in place" test -S "$sock"
check "name taken over: the newer lock file is left in place" test -f "$lock"
expect_grep "name taken over: said so" 'is no longer our socket.*leaving it' "$WORK/sl.log"
kill $sp 2>/dev/null; wait $sp 2>/dev/null
rm -f "$sock" "$lock"
stop_pacsrv

# The run directory must not be open to other users.
chmod 0777 /run/pptp
client r.log "--frames 1"
expect_eq "insecure /run/pptp: refused (exit status 1)" "$(child_exit "$WORK/r.log")" 1
expect_grep "insecure /run/pptp: says why" 'closed to other users.*refusing to use it' "$WORK/r.log"
chmod 0700 /run/pptp

finish
