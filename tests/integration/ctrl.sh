#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrl.sh - the control connection and call manager against the PAC-side
# test server: a normal call, every refusal and failure the server can
# cause, keepalive, quirks, --phone, --localbind, --rtmark.
. "$(dirname "$0")/lib.sh"

# 1. A normal call: up, frames through, cleared, control connection stopped.
start_pacsrv pac1.log
client c1.log "--frames 50 --expect-echo"
expect_eq "normal call: pptp exits 0" "$(child_exit "$WORK/c1.log")" 0
expect_grep "normal call: frames came back" "FAKEPPP RESULT ok" "$WORK/c1.log"
wait "$PAC_PID"; pac_rc=$?
expect_eq "normal call: the server saw no protocol error" "$pac_rc" 0
expect_grep "normal call: SCCRQ is version 1.0, async+sync, analog+digital, 0 channels" \
	'RECV SCCRQ version=0x0100 framing=3 bearer=3 maxch=0' "$WORK/pac1.log"
expect_grep "normal call: OCRQ announces window 64, async framing" \
	'RECV OCRQ call_id=[0-9]+ serial=1 window=64 framing=1 bearer=3' "$WORK/pac1.log"
expect_grep "normal call: the server heard Call-Clear-Request" 'RECV CCR call_id=' "$WORK/pac1.log"
expect_grep "normal call: then Stop-Control-Connection-Request" 'RECV STOPCCRQ' "$WORK/pac1.log"
expect_grep "normal call: call IDs of both sides in the log" \
	"call established: our call ID [0-9]+, server's call ID 16384" "$WORK/c1.log"
expect_no_grep "normal call: no error-level line" ' error: ' "$WORK/c1.log"
# Log lines name the server, and the call where they concern one (pptp.8, LOGGING).
expect_grep "normal call: the gateway's lines name the server and the call" \
	": anon gateway $SRV_IP call [0-9]+/16384: pppd closed the tty" "$WORK/c1.log"
expect_grep "normal call: the call manager's lines name the server" \
	": anon callmgr $SRV_IP: control connection established" "$WORK/c1.log"
expect_grep "normal call: the call manager names the call the gateway closed" \
	": anon callmgr $SRV_IP: gateway pid [0-9]+ closed its call [0-9]+/16384$" "$WORK/c1.log"
check "normal call: no pptp process left" no_pptp_left 0.5
check "normal call: the call manager removed its socket" test "$(sockets_left)" = 0

# 2. The server refuses the control connection.
start_pacsrv pac2.log --fault refuse-control=4
client c2.log "--frames 1"
expect_eq "refused control connection: exit status 5" "$(child_exit "$WORK/c2.log")" 5
expect_grep "refused control connection: said in words" \
	'server refused the control connection: .*not authorized' "$WORK/c2.log"
stop_pacsrv

start_pacsrv pac2b.log --fault refuse-control=2 --error-code 3
client c2b.log "--frames 1"
expect_grep "refused control connection: general error words" \
	'refused the control connection: general error.*bad value' "$WORK/c2b.log"
stop_pacsrv

# 3. The server refuses the call.
start_pacsrv pac3.log --fault refuse-call=4
client c3.log "--frames 1"
expect_eq "refused call: exit status 6" "$(child_exit "$WORK/c3.log")" 6
expect_grep "refused call: 'busy' in words" 'server refused the call: busy' "$WORK/c3.log"
wait "$PAC_PID"
expect_grep "refused call: the control connection is stopped afterwards" 'RECV STOPCCRQ' "$WORK/pac3.log"

# 4. Nothing listens on 1723.
client c4.log "--frames 1"
expect_eq "connection refused: exit status 4" "$(child_exit "$WORK/c4.log")" 4
expect_grep "connection refused: said what it means" \
	'connection refused by 192.0.2.1: nothing accepts PPTP on TCP port 1723' "$WORK/c4.log"
expect_eq "connection refused: one error-level line says it (the call manager's is a warning)" \
	"$(grep -c ' error: .*connection refused by 192.0.2.1' "$WORK/c4.log")" 1
check "connection refused: no pptp process left" no_pptp_left

# 5. No route at all.
in_cli timeout 20 "$PPTP" 203.0.113.9 --nolaunchpppd --debug < /dev/null > "$WORK/c5.log" 2>&1
expect_eq "no route: exit status 4" "$?" 4
expect_grep "no route: said what it means" 'network unreachable' "$WORK/c5.log"

# 5b. --connect-timeout: an address whose packets vanish (routed through the
# server's namespace, which does not forward) times out when told to.
in_srv sysctl -qw net.ipv4.ip_forward=0
in_cli ip route add 203.0.113.0/24 via $SRV_IP
t0=$(date +%s%N)
in_cli timeout 20 "$PPTP" 203.0.113.9 --nolaunchpppd --debug --connect-timeout 2 < /dev/null \
	> "$WORK/c5b.log" 2>&1
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "--connect-timeout 2: exit status 4" "$st" 4
expect_grep "--connect-timeout 2: said what it means" \
	'no answer from 203.0.113.9 on TCP port 1723 within 2 s' "$WORK/c5b.log"
check "--connect-timeout 2: gave up after 2 s ($ms ms)" test "$ms" -ge 1900 -a "$ms" -le 3500
in_cli ip route del 203.0.113.0/24 via $SRV_IP

# 6. A name that does not resolve.
in_cli timeout 20 "$PPTP" no-such-host.invalid --nolaunchpppd --debug < /dev/null > "$WORK/c6.log" 2>&1
expect_eq "unresolvable name: exit status 3" "$?" 3
expect_grep "unresolvable name: says so" "cannot resolve the server name 'no-such-host.invalid'" \
	"$WORK/c6.log"

# 6b. A name with several addresses: the first refuses, the second works.
# The name lives in a private /etc/hosts (a mount namespace of the test);
# .3 shares the longest prefix with our .2, so the resolver puts it first.
in_srv ip addr add 192.0.2.3/24 dev "vs$SUF"
printf '192.0.2.3 multi.pptp.test\n%s multi.pptp.test\n' $SRV_IP > "$WORK/hosts"
start_pacsrv pac6b.log --listen $SRV_IP
in_cli unshare -m sh -c "mount --bind '$WORK/hosts' /etc/hosts &&
	exec timeout 60 '$FAKEPPP' --frames 10 --expect-echo -- '$PPTP' multi.pptp.test \
	--nolaunchpppd --debug" > "$WORK/c6b.log" 2>&1
expect_eq "failover: the tunnel comes up on the second address" "$(child_exit "$WORK/c6b.log")" 0
expect_grep "failover: both addresses listed" \
	'server multi.pptp.test resolves to 192.0.2.3, 192.0.2.1: trying them in that order' "$WORK/c6b.log"
expect_grep "failover: the first failure is logged" \
	'connection refused by 192.0.2.3.*' "$WORK/c6b.log"
expect_grep "failover: then the next address" \
	'192.0.2.3 did not accept a control connection: trying the next address' "$WORK/c6b.log"
expect_grep "failover: the tunnel names the address it took" 'tunnel to 192.0.2.1 is up' "$WORK/c6b.log"
expect_no_grep "failover: the refusal it got past is a warning, not an error" ' error: ' "$WORK/c6b.log"
expect_grep "failover: ... said at warning level" 'warning: .*connection refused by 192.0.2.3' "$WORK/c6b.log"
wait "$PAC_PID"
in_srv ip addr del 192.0.2.3/24 dev "vs$SUF"

# 6c. The first address is black-holed (its packets vanish, as in 5b: a
# /32 through the server, which does not forward), not refusing: with
# --connect-timeout 2 it is given up after 2 s and the second one works.
in_srv sysctl -qw net.ipv4.ip_forward=0
in_cli ip route add 192.0.2.3/32 via $SRV_IP
printf '192.0.2.3 multi.pptp.test\n%s multi.pptp.test\n' $SRV_IP > "$WORK/hosts"
start_pacsrv pac6bh.log --listen $SRV_IP
t0=$(date +%s%N)
in_cli unshare -m sh -c "mount --bind '$WORK/hosts' /etc/hosts &&
	exec timeout 60 '$FAKEPPP' --frames 10 --expect-echo -- '$PPTP' multi.pptp.test \
	--nolaunchpppd --debug --connect-timeout 2" > "$WORK/c6bh.log" 2>&1 &
cp=$!
wait_for 'tunnel to 192.0.2.1 is up' "$WORK/c6bh.log" 10
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait $cp
expect_eq "failover past a dead address: the tunnel comes up on the second" \
	"$(child_exit "$WORK/c6bh.log")" 0
check "failover past a dead address: up after --connect-timeout, within 3.5 s ($ms ms)" \
	test "$ms" -ge 1900 -a "$ms" -le 3500
expect_grep "failover past a dead address: the first address's failure is logged" \
	'no answer from 192.0.2.3 on TCP port 1723 within 2 s' "$WORK/c6bh.log"
expect_grep "failover past a dead address: then the next address" \
	'192.0.2.3 did not accept a control connection: trying the next address' "$WORK/c6bh.log"
expect_no_grep "failover past a dead address: no error-level line (the tunnel came up)" ' error: ' \
	"$WORK/c6bh.log"
wait "$PAC_PID"
in_cli ip route del 192.0.2.3/32 via $SRV_IP

# A refused call is not a reason to try another address.
printf '%s multi.pptp.test\n192.0.2.51 multi.pptp.test\n' $SRV_IP > "$WORK/hosts"
start_pacsrv pac6c.log --fault refuse-call=4
in_cli unshare -m sh -c "mount --bind '$WORK/hosts' /etc/hosts &&
	exec timeout 60 '$FAKEPPP' --frames 1 -- '$PPTP' multi.pptp.test --nolaunchpppd --debug" \
	> "$WORK/c6c.log" 2>&1
expect_eq "failover: a refused call ends it (exit 6)" "$(child_exit "$WORK/c6c.log")" 6
expect_no_grep "failover: ... without trying the next address" 'trying 192.0.2.51' "$WORK/c6c.log"
stop_pacsrv

# 7. Keepalive: the server stops answering Echo-Requests.
start_pacsrv pac7.log --fault no-echo-reply
t0=$(date +%s)
client c7.log "--frames 5 --hold 30" --idle-wait 1 --max-echo-wait 2
t1=$(date +%s)
expect_eq "keepalive timeout: exit status 7" "$(child_exit "$WORK/c7.log")" 7
expect_grep "keepalive timeout: said in words" 'no reply to keepalive' "$WORK/c7.log"
check "keepalive timeout: within idle-wait + max-echo-wait (+2 s)" test $((t1 - t0)) -le 6
stop_pacsrv

# 8. The server's own Echo-Requests are answered with their identifier.
start_pacsrv pac8.log --fault echo-request-every=1
client c8.log "--frames 5 --hold 3"
wait "$PAC_PID"; pac_rc=$?
expect_grep "server's echo: answered with the same identifier" 'RECV ECHORP id=[0-9]+ ok' "$WORK/pac8.log"
expect_eq "server's echo: no mismatch" "$pac_rc" 0

# 9. The server closes, resets, stops or disconnects during the call.
for f in close-mid-call reset-mid-call stop-after cdn-after; do
	start_pacsrv "pac9-$f.log" --fault "$f=1"
	client "c9-$f.log" "--frames 5 --hold 20"
	expect_eq "$f: exit status 9" "$(child_exit "$WORK/c9-$f.log")" 9
	stop_pacsrv
done
expect_grep "close-mid-call: said in words" 'server closed the control connection' "$WORK/c9-close-mid-call.log"
expect_grep "reset-mid-call: said in words" 'control connection (failed|reset|closed)' "$WORK/c9-reset-mid-call.log"
expect_grep "stop-after: said in words" 'server stopped the control connection' "$WORK/c9-stop-after.log"
expect_grep "cdn-after: said in words" 'server disconnected the call: admin' "$WORK/c9-cdn-after.log"

# 10. --phone reaches the server.
start_pacsrv pac10.log
client c10.log "--frames 2" --phone 5551234
wait "$PAC_PID"
expect_grep "--phone: the OCRQ carries the number" 'RECV OCRQ .*phone="5551234" phone_len=7' "$WORK/pac10.log"

# 11. --quirks BEZEQ_ISRAEL
start_pacsrv pac11.log
client c11.log "--frames 2" --quirks BEZEQ_ISRAEL
wait "$PAC_PID"; pac_rc=$?
expect_grep "BEZEQ_ISRAEL: SCCRQ fields" \
	'RECV SCCRQ version=0x0100 framing=1 bearer=1 maxch=0 firmware=0x6021 host="RELAY_PPP1" vendor="MS Win NT"' \
	"$WORK/pac11.log"
expect_grep "BEZEQ_ISRAEL: OCRQ fields" 'RECV OCRQ .*framing=3 bearer=2 phone="RELAY_PPP1" phone_len=10' \
	"$WORK/pac11.log"
expect_grep "BEZEQ_ISRAEL: Set-Link-Info with both ACCMs 0xffffffff" \
	'RECV SLI peer_call_id=16384 send_accm=0xffffffff recv_accm=0xffffffff' "$WORK/pac11.log"
expect_eq "BEZEQ_ISRAEL: the server saw no protocol error" "$pac_rc" 0

# 12. --localbind: ours works, a foreign address is refused in words.
start_pacsrv pac12.log
client c12.log "--frames 5 --expect-echo" --localbind $CLI_IP
expect_eq "--localbind own address: the call works" "$(child_exit "$WORK/c12.log")" 0
expect_grep "--localbind own address: the server saw that source" "ACCEPT $CLI_IP:" "$WORK/pac12.log"
stop_pacsrv
client c12b.log "--frames 1" --localbind 198.51.100.7
expect_eq "--localbind foreign address: exit status 1" "$(child_exit "$WORK/c12b.log")" 1
expect_grep "--localbind foreign address: names the option" \
	'--localbind 198.51.100.7: cannot bind.*not an address of this machine' "$WORK/c12b.log"

# 13. --rtmark: packets carry the mark (a rule sends marked traffic through
# table 7, the only way to reach the server), and no host route is added.
in_cli ip route add $SRV_IP/32 dev "vc$SUF" table 7
in_cli ip rule add fwmark 0x2a table 7
in_cli ip route del 192.0.2.0/24 dev "vc$SUF"
start_pacsrv pac13.log
client c13.log "--frames 5 --expect-echo" --rtmark 42
expect_eq "--rtmark: marked packets find the server through policy routing" \
	"$(child_exit "$WORK/c13.log")" 0
expect_grep "--rtmark: no host route is added" 'not adding a host route' "$WORK/c13.log"
stop_pacsrv
client c13b.log "--frames 1"
expect_eq "--rtmark: without the mark the server is unreachable (the rule mattered)" \
	"$(child_exit "$WORK/c13b.log")" 4
in_cli ip rule del fwmark 0x2a table 7
in_cli ip route add 192.0.2.0/24 dev "vc$SUF"

# 14. Garbage from the server during the call: a clear line, a defined end.
start_pacsrv pac14.log --fault garbage=200
client c14.log "--frames 5 --hold 10"
expect_eq "garbage from the server: exit status 9" "$(child_exit "$WORK/c14.log")" 9
expect_grep "garbage from the server: says what was wrong" 'magic|length|framing' "$WORK/c14.log"
stop_pacsrv

# 15. A burst of Echo-Requests, far more replies than the engine's 8 KiB
# output buffer holds at once: each is answered, in order, and the call
# goes on (reading waits while replies are unsent).
start_pacsrv pac15.log --fault echo-burst=2000
client c15.log "--frames 20 --expect-echo --hold 1"
expect_eq "echo burst: the tunnel ends normally (exit status 0)" "$(child_exit "$WORK/c15.log")" 0
expect_no_grep "echo burst: the control connection was not dropped" 'output buffer full' "$WORK/c15.log"
wait "$PAC_PID"; pac_rc=$?
expect_grep "echo burst: all 2000 answered, in order" 'ECHO BURST replies=2000 ok' "$WORK/pac15.log"
expect_eq "echo burst: the server saw no protocol error" "$pac_rc" 0

finish
