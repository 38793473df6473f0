#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest.sh - the end-to-end cases.  Runs as root inside the kernel VM
# (tests/e2e/kernel-vm); tests/e2e/run.sh starts it.
#
#   guest.sh [--sessions "NAME..."] [--soak MINUTES] PPTP_BINARY
#
# Topology: netns srv (192.0.2.1/24 on vs: PoPToP pptpd + real pppd,
# MS-CHAPv2 and MPPE-128 required, tunnel address 10.9.0.1) and netns cli
# (192.0.2.2/24 on vc: real pppd + the pptp under test), joined by a veth.
# Everything is written to /mnt, the host's work dir: guest.log is our
# output ("ok - ..." / "not ok - ..." per check, "# ..." for information),
# syslog is everything logged through /dev/log (busybox syslogd, which puts
# facility.priority on each line), and each session has its own directory.
#
# Sessions (issue numbers of the checks in brackets):
#   main     [1 2 5 6 9]  pppd pty "pptp --nolaunchpppd": up, 20 pings, 20 MiB
#                         each way, stop, teardown, logging; capture for 6
#   launch   [3]          pptp launching pppd: --debug and detached
#   netem    [4]          delay+jitter+loss both ways, transfers, SIGUSR1 dump
#   sync     [7]          --sync with pppd's sync
#   peers    [8a]         pppd call NAME with a peers file
#   nm       [8b 9]       NetworkManager-pptp's command line, with/without --loglevel 2
#   openwrt  [8c]         OpenWrt's command line (--nobuffer)
#   quiet    [9]          --loglevel 0, and stdout holds nothing but PPP frames
#   kill     [10]         TERM/KILL each of the three processes
#   exit     [11]         exit statuses: bad password, MPPE refused, server hangs up
#   setup    [13]         pptpsetup --create, then pppd call NAME, with the project's
#                         options.pptp; pptpsetup --delete
#   deb      [18]         (--deb PACKAGE only) the Debian package over pptp-linux and
#                         network-manager-pptp: dpkg -i, a tunnel, dpkg --purge
#   kernel   [17]         --kernel: pppd pty mode twice (20 MiB each way, pppd stop,
#                         gateway SIGTERM) and pptp launching pppd (20 MiB each way)
#   diag     [14]         --diagnose against pptpd and real pppd, and the fault
#                         matrix's rows: wrong password, MPPE refused
#   mtu      [19]         an MTU black hole between client and server: pings pass,
#                         an upload stalls with pppd's defaults, --diagnose names it
#                         (exit 14) and the mtu, with which the upload completes
set -u

SESSIONS="main launch kernel netem sync peers setup nm openwrt quiet kill exit diag mtu"
SOAK=""
DEB=""
while [ $# -gt 1 ]; do
	case $1 in
	--sessions) SESSIONS=$2; shift 2 ;;
	--deb) DEB=$2; shift 2 ;;
	--soak) SOAK=$2; shift 2 ;;
	*) break ;;
	esac
done
PPTP=${1:?usage: guest.sh [--sessions LIST] [--soak MINUTES] [--deb PACKAGE] PPTP_BINARY}
PCOMM=$(basename "$PPTP" | cut -c1-15)	# its name in ps, and syslog's ident
GWCOMM=pptpgw	# the gateway's process name
CMCOMM=pptpcm	# the call manager's
OUT=/mnt
TOP=$(CDPATH= cd -P -- "$(dirname "$0")/../.." && pwd)	# the project's tree: pptpsetup, options.pptp
SYSLOG=$OUT/syslog
TMP=/tmp/e2e
SRV=192.0.2.1
TUN_SRV=10.9.0.1
# What a log line concerns, after its role: the server, and the call.
SRV_RE='192\.0\.2\.1'
CTX_RE="$SRV_RE( call [0-9]+/[0-9]+)?"
# The client's pppd options common to every case: the secret comes from
# /etc/ppp/chap-secrets, like a real set-up.
CLI_PPP="noauth refuse-eap require-mppe-128 name testuser remotename pptpd nodefaultroute debug"
PASSED=0
FAILED=0
PORT=5000

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
info() { echo "# $*"; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }
mb_s() { awk -v b="$1" -v ms="$2" 'BEGIN { if (ms < 1) ms = 1; printf "%.2f MB/s", b / 1e6 / (ms / 1000) }'; }

# ---- processes ----

# live processes named $1 (zombies excluded)
pids_named() { ps -eo pid=,stat=,comm= | awk -v c="$1" '$2 !~ /^Z/ && $3 == c { print $1 }'; }
ppid_of() { ps -o ppid= -p "$1" 2>/dev/null | tr -d ' '; }
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
descends_from() {
	local p=$1
	for _ in 1 2 3 4 5 6; do
		p=$(ppid_of "$p")
		if [ -z "$p" ] || [ "$p" -le 1 ]; then return 1; fi
		[ "$p" = "$2" ] && return 0
	done
	return 1
}
# the gateway run by pppd as its pty program (pppd -> sh -c -> pptp)
gateway_under() {
	local p
	for p in $(pids_named "$GWCOMM"); do descends_from "$p" "$1" && echo "$p"; done
}
# the call manager: a daemon (parent 1) by its process name
callmgr_pids() {
	local p
	for p in $(pids_named "$CMCOMM"); do
		[ "$(ppid_of "$p")" = 1 ] && echo "$p"
	done
}
# every process of ours: the command, gateways and call managers
pptp_pids() { pids_named "$PCOMM"; pids_named "$GWCOMM"; pids_named "$CMCOMM"; }
pppd_in() { for p in $(ip netns pids "$1" 2>/dev/null); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = pppd ] && alive "$p" && echo "$p"; done; }
# wait_gone LIMIT_S PID...: until none of them lives; prints the ms it took
wait_gone() {
	local lim=$1 t0 p any
	shift
	t0=$(now_ms)
	while :; do
		any=0
		for p in "$@"; do alive "$p" && any=1; done
		if [ $any = 0 ]; then echo $(($(now_ms) - t0)); return 0; fi
		[ $(($(now_ms) - t0)) -gt $((lim * 1000)) ] && return 1
		sleep 0.1
	done
}
run_sockets() { find /run/pptp -mindepth 1 2>/dev/null | tr '\n' ' '; }

# Leave nothing of a case behind for the next one (whatever it was, its
# own checks have reported it).
reset_cli() {
	local p left
	for p in $(ip netns pids cli 2>/dev/null) $(pptp_pids); do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 30); do
		left=$( (ip netns pids cli 2>/dev/null; pptp_pids) | while read -r p; do alive "$p" && echo "$p"; done)
		[ -z "$left" ] && break
		sleep 0.2
	done
	for p in $left; do info "cleanup: killing leftover $(cat "/proc/$p/comm" 2>/dev/null) $p"; kill -KILL "$p" 2>/dev/null; done
	rm -f /run/pptp/* 2>/dev/null
	tc -n cli qdisc del dev vc root 2>/dev/null
	tc -n srv qdisc del dev vs root 2>/dev/null
	# the server's side of the last call ends on its own; give it a moment
	for _ in $(seq 30); do [ -z "$(pppd_in srv)" ] && break; sleep 0.2; done
}

# ---- syslog ----

mark() { wc -l < "$SYSLOG"; }
since() { tail -n +$(($1 + 1)) "$SYSLOG"; }
# wait_log MARK ERE LIMIT_S: until a line after MARK matches
wait_log() {
	local t0
	t0=$(now_ms)
	until since "$1" | grep -qE -- "$2"; do
		[ $(($(now_ms) - t0)) -gt $(($3 * 1000)) ] && return 1
		sleep 0.2
	done
}
# our lines in a syslog extract: "... daemon.LEVEL pptp[PID]: LOGSTRING ROLE: text"
pptp_lines() { grep -E " daemon\.[a-z]+ $PCOMM\[[0-9]+\]: " "$1"; }
srv_lines() { grep -E ' pptpd\[[0-9]+\]: ' "$1" | grep -v 'GRE: accepting packet'; }

# ---- the tunnel ----

tunnel_addr() { ip -n cli -4 -o addr show 2>/dev/null | awk '$2 ~ /^ppp/ && $4 ~ /^10\.9\.0\./ { sub("/.*", "", $4); print $4; exit }'; }
# wait_up T0_MS LIMIT_S: until cli has its tunnel address; prints ms since T0
wait_up() {
	while :; do
		if [ -n "$(tunnel_addr)" ]; then echo $(($(now_ms) - $1)); return 0; fi
		[ $(($(now_ms) - $1)) -gt $(($2 * 1000)) ] && return 1
		sleep 0.1
	done
}
# start_pty DIR PPTP_ARGS [PPPD_OPTS]: pppd in cli with pty "PPTP SERVER ARGS"
start_pty() {
	local d=$1 args=$2 extra=${3:-}
	# shellcheck disable=SC2086
	ip netns exec cli pppd nodetach $CLI_PPP $extra logfile "$d/pppd.log" \
		pty "$PPTP $SRV $args" > "$d/pppd.out" 2>&1 &
	PPPD=$!
}
# up_or_fail DESC T0 LIMIT: ok/not ok for the tunnel coming up
up_or_fail() {
	local ms
	if ms=$(wait_up "$2" "$3"); then
		ok "$1 (up in $ms ms)"
		return 0
	fi
	not_ok "$1 (no tunnel address after $3 s)"
	return 1
}
# ping_ok DESC COUNT INTERVAL MIN_PERCENT FILE
ping_ok() {
	local rx
	ip netns exec cli ping -q -c "$2" -i "$3" -W 2 "$TUN_SRV" > "$5" 2>&1
	rx=$(sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' "$5")
	info "ping: $(grep -E 'transmitted|rtt' "$5" | tr '\n' ' ')"
	if [ -n "$rx" ] && [ $((rx * 100)) -ge $(($2 * $4)) ]; then
		ok "$1 ($rx/$2 replies)"
	else
		not_ok "$1 (${rx:-0}/$2 replies, want at least $4%)"
	fi
}
wait_listen() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -ltnH "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
# xfer_run DESC up|down FILE LIMIT_S DIR: one TCP transfer through the
# tunnel (client connects to the server's tunnel address), checksummed both
# ends; XFER_MS its time, XFER_RATE its throughput, XFER_GOT the bytes
# received, and its status 0 when the checksums match
xfer_run() {
	local desc=$1 dir=$2 src=$3 lim=$4 d=$5 dst sp t0 ms size a b
	PORT=$((PORT + 1))
	size=$(stat -c %s "$src")
	if [ "$dir" = up ]; then
		dst=$TMP/recv-srv
		ip netns exec srv timeout "$lim" socat -u TCP-LISTEN:$PORT,reuseaddr \
			"OPEN:$dst,creat,trunc" 2>> "$d/socat.err" &
		sp=$!
		wait_listen srv $PORT
		t0=$(now_ms)
		ip netns exec cli timeout "$lim" socat -u "OPEN:$src" TCP:$TUN_SRV:$PORT 2>> "$d/socat.err"
		wait $sp
	else
		dst=$TMP/recv-cli
		ip netns exec srv timeout "$lim" socat -u "OPEN:$src" TCP-LISTEN:$PORT,reuseaddr \
			2>> "$d/socat.err" &
		sp=$!
		wait_listen srv $PORT
		t0=$(now_ms)
		ip netns exec cli timeout "$lim" socat -u TCP:$TUN_SRV:$PORT "OPEN:$dst,creat,trunc" \
			2>> "$d/socat.err"
		wait $sp
	fi
	ms=$(($(now_ms) - t0))
	a=$(sha256sum < "$src" | cut -c1-64)
	b=$( { sha256sum < "$dst"; } 2>/dev/null | cut -c1-64)
	info "$desc: sent     sha256 $a ($size bytes)"
	info "$desc: received sha256 $b ($(stat -c %s "$dst" 2>/dev/null || echo 0) bytes)"
	info "$desc: $size bytes in $ms ms: $(mb_s "$size" "$ms")"
	XFER_GOT=$(stat -c %s "$dst" 2>/dev/null || echo 0)
	rm -f "$dst"
	XFER_MS=$ms
	XFER_RATE=$(mb_s "$size" "$ms")
	[ "$a" = "$b" ]
}
# xfer ...: the same, checked
xfer() {
	if xfer_run "$@"; then
		ok "$1 arrives byte for byte ($XFER_RATE)"
	else
		not_ok "$1 arrives byte for byte (checksums differ)"
	fi
}

# ---- the server ----

write_server_conf() {
	mkdir -p $TMP/srv
	printf 'option %s\nlocalip 10.9.0.1\nremoteip 10.9.0.2-20\ndebug\n' \
		"$TMP/srv/options-$1" > "$TMP/srv/pptpd-$1.conf"
	{
		printf 'name pptpd\nrefuse-pap\nrefuse-chap\nrefuse-mschap\nrequire-mschap-v2\n'
		if [ "$1" = mppe ]; then printf 'require-mppe-128\n'; else printf 'noccp\n'; fi
		printf 'nobsdcomp\nnodeflate\nnodefaultroute\ndebug\nlogfile %s\n' "$OUT/pppd-server.log"
	} > "$TMP/srv/options-$1"
}
start_pptpd() {
	ip netns exec srv pptpd -c "$TMP/srv/pptpd-$1.conf" --fg >> "$OUT/pptpd.log" 2>&1 &
	PPTPD=$!
	wait_listen srv 1723 || info "pptpd ($1) is not listening on 1723"
}
stop_pptpd() {
	kill "$PPTPD" 2>/dev/null
	wait "$PPTPD" 2>/dev/null
	for p in $(ip netns pids srv 2>/dev/null); do kill "$p" 2>/dev/null; done
	sleep 0.5
}

setup() {
	mkdir -p $TMP
	busybox syslogd -n -O "$SYSLOG" &
	SYSLOGD=$!
	for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
	ip netns add srv
	ip netns add cli
	ip link add vs type veth peer name vc
	ip link set vs netns srv
	ip link set vc netns cli
	ip -n srv addr add 192.0.2.1/24 dev vs
	ip -n cli addr add 192.0.2.2/24 dev vc
	for n in srv cli; do ip -n $n link set lo up; done
	ip -n srv link set vs up
	ip -n cli link set vc up
	printf 'testuser pptpd secretpw *\n' > /etc/ppp/chap-secrets
	write_server_conf mppe
	write_server_conf nomppe
	start_pptpd mppe
	info "kernel $(uname -r); $(pppd --version 2>&1); $(pptpd --version 2>&1 | head -n 1); pptp under test: $PPTP"
}

# ---- sessions ----

# [1 2 5 6 9] the classic set-up, start to stop
s_main() {
	local d=$OUT/main m m5 dc ms gw cm pp rc left
	mkdir -p "$d"
	m=$(mark)
	# [6] capture the whole session on the client's veth
	ip netns exec cli dumpcap -q -P -i vc -s 256 -w "$d/cap.pcap" 2> "$d/dumpcap.err" &
	dc=$!
	for _ in $(seq 150); do [ -s "$d/cap.pcap" ] && break; sleep 0.1; done
	local t0
	t0=$(now_ms)
	start_pty "$d" "--nolaunchpppd"
	pp=$PPPD
	if ! up_or_fail "1: pppd with pty \"pptp $SRV --nolaunchpppd\": the ppp interface comes up" "$t0" 60; then
		kill -INT $dc; reset_cli; return
	fi
	ping_ok "1: 20 pings through the tunnel" 20 0.2 100 "$d/ping.txt"
	gw=$(gateway_under $pp)
	cm=$(callmgr_pids)
	info "pppd $pp, gateway $gw, call manager $cm"

	xfer "2: 20 MiB client -> server" up $TMP/data20m 180 "$d"
	xfer "2: 20 MiB server -> client" down $TMP/data20m 180 "$d"

	# [5] stopping pppd ends the call
	m5=$(mark)
	kill -TERM $pp
	if ms=$(wait_gone 15 $pp $gw $cm); then
		ok "5: kill -TERM pppd: pppd, gateway and call manager all end (in $ms ms)"
	else
		not_ok "5: kill -TERM pppd: pppd, gateway and call manager all end (still running after 15 s:$(for p in $pp $gw $cm; do alive $p && echo -n " $p"; done))"
	fi
	wait $pp
	rc=$?
	info "pppd exit status $rc"
	if wait_log "$m5" 'pptpd\[[0-9]+\]: CTRL: Received CALL CLR request' 10; then
		ok "5: the server heard the call cleared: $(since "$m5" | grep -m1 -oE 'CTRL: Received CALL CLR request.*')"
	else
		not_ok "5: the server heard the call cleared (no \"CTRL: Received CALL CLR request\" from pptpd)"
	fi
	wait_log "$m5" 'control connection finished' 10
	since "$m5" > "$d/syslog-stop"
	info "server saw: $(srv_lines "$d/syslog-stop" | sed 's/.*pptpd\[[0-9]*\]: //' | grep -E 'CLR|STOP|finished|Exiting' | tr '\n' '|')"
	left=$(pptp_pids | tr '\n' ' ')
	if [ -z "$left" ]; then ok "5: no pptp process left in the VM"; else not_ok "5: no pptp process left in the VM (left: $left)"; fi
	left=$(run_sockets)
	if [ -z "$left" ]; then ok "5: /run/pptp holds no socket"; else not_ok "5: /run/pptp holds no socket (left: $left)"; fi
	left=$(ip -n cli route show 192.0.2.1/32)
	if [ -z "$left" ]; then ok "5: the host route to the server is gone"; else not_ok "5: the host route to the server is gone (left: $left)"; fi
	kill -INT $dc 2>/dev/null
	wait $dc 2>/dev/null
	info "capture for case 6: main/cap.pcap ($(stat -c %s "$d/cap.pcap" 2>/dev/null || echo 0) bytes)"

	# [9] what it logged, start to stop, at the default log level
	since "$m" > "$d/syslog"
	pptp_lines "$d/syslog" > "$d/syslog-pptp"
	info "pptp logged $(wc -l < "$d/syslog-pptp") lines (main/syslog-pptp)"
	left=$(grep -cE ' daemon\.(err|crit|alert|emerg) ' "$d/syslog-pptp")
	if [ "$left" = 0 ]; then ok "9: healthy start and stop: no error-level line from pptp"; else
		not_ok "9: healthy start and stop: no error-level line from pptp ($left, first: $(grep -m1 -E ' daemon\.(err|crit|alert|emerg) ' "$d/syslog-pptp"))"; fi
	left=$(grep -vcE "\]: anon (pptp|gateway|callmgr)( $CTX_RE)?: " "$d/syslog-pptp")
	if [ "$left" = 0 ]; then ok "9: every pptp line starts with the logstring \"anon\", the role and what it concerns"; else
		not_ok "9: every pptp line starts with the logstring \"anon\", the role and what it concerns ($left do not)"; fi
	left=$(grep -E "\]: anon (gateway|callmgr)" "$d/syslog-pptp" | grep -vcE "\]: anon (gateway $SRV_RE call [0-9]+/[0-9]+|callmgr $SRV_RE): ")
	if [ "$left" = 0 ]; then ok "9: the gateway's lines name the server and the call, the call manager's the server"; else
		not_ok "9: the gateway's lines name the server and the call, the call manager's the server ($left do not)"; fi
	expect_line "9: notice at start names the server address" 'daemon\.notice .*: anon pptp: .*starting: server 192\.0\.2\.1' "$d/syslog-pptp"
	expect_line "9: notice when the call is up" "daemon\\.notice .*: anon [a-z]+( $CTX_RE)?: .*(tunnel to 192\\.0\\.2\\.1 is up|call established)" "$d/syslog-pptp"
	expect_line "9: notice when the call is cleared" 'daemon\.notice .*: anon callmgr 192\.0\.2\.1: call ID [0-9]+: call cleared' "$d/syslog-pptp"
	expect_line "9: default --loglevel 1 logs info lines" 'daemon\.info ' "$d/syslog-pptp"
	if ! grep -q ' daemon\.debug ' "$d/syslog-pptp"; then ok "9: default --loglevel 1 logs no debug line"; else
		not_ok "9: default --loglevel 1 logs no debug line ($(grep -m1 ' daemon\.debug ' "$d/syslog-pptp"))"; fi
	reset_cli
}
expect_line() {
	local l
	if l=$(grep -m1 -E -- "$2" "$3"); then
		ok "$1"
		info "  ${l#* daemon.}"
	else
		not_ok "$1 (no line matching /$2/)"
	fi
}

# pptp_bind_id ID ADDR: bind a kernel PPTP socket (AF_PPPOX 24,
# PX_PROTO_PPTP 2) to call ID at ADDR and close it: succeeds when the
# kernel's machine-wide table has the ID free.  sockaddr_pppox: family (2
# bytes), protocol (4), call ID (2), padding (2), address (4): 30 bytes.
pptp_bind_id() {
	python3 - "$1" "$2" <<-'PY'
	import ctypes, ctypes.util, os, socket, struct, sys
	libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
	fd = libc.socket(24, 1, 2)
	if fd < 0:
	    print("socket: " + os.strerror(ctypes.get_errno())); sys.exit(1)
	sa = struct.pack("=HIHH4s", 24, 2, int(sys.argv[1]), 0, socket.inet_aton(sys.argv[2]))
	sa += bytes(30 - len(sa))
	r = libc.bind(fd, sa, 30)
	e = ctypes.get_errno()
	libc.close(fd)
	print("bind: " + ("accepted" if r == 0 else os.strerror(e)))
	sys.exit(0 if r == 0 else 1)
	PY
}

# [17] --kernel: the kernel bridges the pty's PPP channel with a PPTP
# socket.  pppd's pty mode: up, pings, 20 MiB each way, the statistics line
# names its counters, stopping pppd leaves nothing; a second tunnel at
# once (the call ID given back): the watchdog on the interface's counters
# while the server's packets are dropped, then SIGTERM to the gateway; pptp
# launching pppd: up, pings, 20 MiB each way, SIGTERM ends everything.
s_kernel() {
	local d=$OUT/kernel t0 t1 pp gw cm ms m m2 line left n gp pppd rc who id r cpu pu
	mkdir -p "$d"
	for n in 1 2; do
		m=$(mark)
		t0=$(now_ms)
		# run 1 with --loglevel 2 (the statistics line while data flows);
		# run 2 with pppd's interface renamed (found through pppd's pid file)
		if [ $n = 1 ]; then
			start_pty "$d" "--nolaunchpppd --kernel --loglevel 2" "logfile $d/pppd-$n.log"
		else
			start_pty "$d" "--nolaunchpppd --kernel" "logfile $d/pppd-$n.log ifname pppvpn"
		fi
		pp=$PPPD
		up_or_fail "17: --kernel, pppd pty \"pptp $SRV --nolaunchpppd --kernel\" (run $n): the tunnel comes up" "$t0" 60 || { reset_cli; continue; }
		gw=$(gateway_under $pp)
		cm=$(callmgr_pids)
		ping_ok "17: --kernel (run $n): pings pass" 20 0.2 100 "$d/ping-$n.txt"
		if [ $n = 1 ]; then
			cpu=$(awk '{ print $14 + $15 }' /proc/$gw/stat 2>/dev/null)
			m2=$(mark)
			t1=$(now_ms)
			xfer "17: --kernel: 20 MiB client -> server" up $TMP/data20m 180 "$d"
			xfer "17: --kernel: 20 MiB server -> client" down $TMP/data20m 180 "$d"
			info "gateway CPU over the 40 MiB: $(awk -v c="${cpu:-0}" '{ printf "%.2f s", ($14 + $15 - c) / 100 }' /proc/$gw/stat 2>/dev/null)"
			# one line every 20 s while packets come in
			line=$(since "$m2" | grep -m1 "$PCOMM\[$gw\]: .*statistics (call .*counters of pppd's interface ppp[0-9]* .*rx packets [1-9]")
			if [ -n "$line" ]; then
				ok "17: --kernel --loglevel 2: the statistics line while data flows"
				info "  ${line#* daemon.}"
			elif [ $(($(now_ms) - t1)) -lt 21000 ]; then
				info "the 40 MiB took under 20 s: no --loglevel 2 line was due"
			else
				not_ok "17: --kernel --loglevel 2: the statistics line while data flows (none in $(($(now_ms) - t1)) ms)"
			fi
			m2=$(mark)
			kill -USR1 "$gw"
			if wait_log "$m2" "$PCOMM\[$gw\]: .*counters of pppd's interface ppp[0-9]+" 5; then
				line=$(since "$m2" | grep -m1 "$PCOMM\[$gw\]: .*counters of pppd's interface")
				ok "17: --kernel: SIGUSR1 logs the ppp interface's counters, named as such"
				info "  ${line#* daemon.}"
			else
				not_ok "17: --kernel: SIGUSR1 logs the ppp interface's counters (no line)"
			fi
			ip netns exec cli "$PPTP" --status > "$d/status.txt" 2>&1
			if grep -qE "^    kernel data path, counters of pppd's interface ppp[0-9]+ .*rx packets [1-9]" "$d/status.txt"; then
				ok "17: --kernel: pptp --status names the interface's counters"
			else
				not_ok "17: --kernel: pptp --status names the interface's counters ($(tr '\n' '|' < "$d/status.txt"))"
			fi
		fi
		if [ $n = 2 ]; then
			# the watchdog on the interface's counters: nothing from the
			# server for 12 s while pings go out
			tc -n srv qdisc add dev vs root netem loss 100%
			ip netns exec cli ping -q -c 65 -i 0.2 -W 1 "$TUN_SRV" > /dev/null 2>&1
			tc -n srv qdisc del dev vs root
			since "$m" > "$d/syslog-2-early"
			expect_line "17: --kernel: pppd's interface renamed (ifname pppvpn) is found by pppd's pid file" \
				"$PCOMM\[$gw\]: .*pppd's (interface is pppvpn|channel [0-9]+, unit [0-9]+ \(pppvpn\))" "$d/syslog-2-early"
			if wait_log "$m" "$PCOMM\[$gw\]: .*no packets from the server on pppvpn any more" 5; then
				ok "17: --kernel: the watchdog on the interface's counters says when nothing comes back"
				info "  $(since "$m" | grep -m1 -o 'no packets from the server on.*')"
			else
				not_ok "17: --kernel: the watchdog on the interface's counters says when nothing comes back (no line)"
			fi
			ping_ok "17: --kernel (run 2): pings pass again once the server's packets do" 5 0.2 100 "$d/ping-again.txt"
		fi
		since "$m" > "$d/syslog-$n"
		expect_line "17: --kernel (run $n): the start-up says what the kernel does not do" \
			'kernel data path: the kernel does not reorder' "$d/syslog-$n"
		expect_line "17: --kernel (run $n): the channels are bridged" 'is bridged with the PPTP socket' "$d/syslog-$n"
		# the first run ends by pppd's stop, the second by the gateway's
		who=pppd
		[ $n = 2 ] && who=gateway
		if [ $who = pppd ]; then kill -TERM $pp; else kill -TERM "$gw"; fi
		if ms=$(wait_gone 15 $pp $gw $cm); then ok "17: --kernel (run $n): kill -TERM $who ends pppd, gateway and call manager (in $ms ms)"; else
			not_ok "17: --kernel (run $n): kill -TERM $who ends everything (still:$(for p in $pp $gw $cm; do alive $p && echo -n " $(cat /proc/$p/comm) $p"; done))"; fi
		for _ in $(seq 30); do [ -z "$(run_sockets)" ] && break; sleep 0.1; done
		# the kernel's table of call IDs is the machine's: ours is free again
		id=$(since "$m" | sed -n 's/.*tunnel to 192\.0\.2\.1 is up: call ID \([0-9]*\),.*/\1/p' | head -n 1)
		if r=$(pptp_bind_id "$id" 192.0.2.2); then ok "17: --kernel (run $n): call ID $id is free in the kernel again ($r)"; else
			not_ok "17: --kernel (run $n): call ID '$id' is free in the kernel again ($r)"; fi
		left="$(pptp_pids | tr '\n' ' ')$(run_sockets)$(ip -n cli route show 192.0.2.1/32)"
		if [ -z "$left" ]; then ok "17: --kernel (run $n): no process, socket or host route left"; else
			not_ok "17: --kernel (run $n): nothing left (left: $left)"; fi
		reset_cli
	done

	# a call ID free in the kernel's table but another call's on the shared
	# control connection: a user-space tunnel holds it, and --kernel (the
	# test build, told to try that ID first) takes another
	m=$(mark)
	t0=$(now_ms)
	start_pty "$d" "--nolaunchpppd" "logfile $d/pppd-user.log"
	pu=$PPPD
	if up_or_fail "17: a user-space tunnel, whose call ID --kernel will try first" "$t0" 60; then
		id=$(since "$m" | sed -n 's/.*tunnel to 192\.0\.2\.1 is up: call ID \([0-9]*\),.*/\1/p' | head -n 1)
		m=$(mark)
		PPTP="PPTP_TEST_KERNEL_CALL_ID=$id $TOP/build/test/pptp" start_pty "$d" "--nolaunchpppd --kernel" "logfile $d/pppd-taken.log"
		pp=$PPPD
		wait_log "$m" "tunnel to 192\.0\.2\.1 is up|call ID [0-9]+ .*(refused|failed)|exiting with status" 30
		since "$m" > "$d/syslog-taken"
		expect_line "17: --kernel: call ID $id, the user-space tunnel's, is given up for another" \
			"call ID $id is another call's on this control connection: trying another" "$d/syslog-taken"
		r=$(sed -n 's/.*calling: call ID \([0-9]*\),.*/\1/p' "$d/syslog-taken" | grep -vx "$id" | head -n 1)
		if [ -n "$r" ]; then ok "17: --kernel: the call is placed with call ID $r instead"; else
			not_ok "17: --kernel: the call is placed with another call ID (no OCRQ after the refusal)"; fi
		info "  then: $(grep -m1 -oE 'tunnel to 192\.0\.2\.1 is up.*|[^:]*: call ID [0-9]+ .*(refused|failed).*' "$d/syslog-taken")"
		kill -TERM $pp $pu 2>/dev/null
		wait_gone 15 $pp $pu > /dev/null
	fi
	reset_cli

	# pptp launching pppd
	t0=$(now_ms)
	# shellcheck disable=SC2086
	ip netns exec cli "$PPTP" $SRV --kernel --debug $CLI_PPP logfile "$d/pppd-launch.log" > "$d/pptp-launch.err" 2>&1 &
	gp=$!
	if up_or_fail "17: --kernel, pptp $SRV --kernel --debug PPPD-OPTIONS: the tunnel comes up" "$t0" 60; then
		pppd=$(pgrep -P $gp -x pppd)
		cm=$(callmgr_pids)
		ping_ok "17: --kernel, pptp launching pppd: pings pass" 10 0.2 100 "$d/ping-launch.txt"
		xfer "17: --kernel, pptp launching pppd: 20 MiB client -> server" up $TMP/data20m 180 "$d"
		xfer "17: --kernel, pptp launching pppd: 20 MiB server -> client" down $TMP/data20m 180 "$d"
		kill -TERM $gp
		wait $gp
		rc=$?
		if ms=$(wait_gone 10 $gp $pppd $cm) && [ $rc = 0 ]; then ok "17: --kernel, pptp launching pppd: kill -TERM pptp ends pppd and the call manager, exit status 0 (in $ms ms)"; else
			not_ok "17: --kernel, pptp launching pppd: kill -TERM pptp ends everything with exit status 0 (status $rc)"; fi
	else
		info "pptp said: $(tail -n 8 "$d/pptp-launch.err" | tr '\n' '|')"
	fi
	reset_cli
	s_kernel_sync
}

# [17] --kernel --sync: the synchronous PPP line discipline on our side
s_kernel_sync() {
	mkdir -p "$OUT/kernel-sync"
	simple_tunnel 17 "$OUT/kernel-sync" "--nolaunchpppd --kernel --sync" "sync" \
		"--kernel, pppd sync, pty \"pptp $SRV --nolaunchpppd --kernel --sync\""
}

# [3] the default mode: pptp starts pppd itself
s_launch() {
	local d=$OUT/launch t0 gp pppd rc ms cm
	mkdir -p "$d"
	t0=$(now_ms)
	# shellcheck disable=SC2086
	ip netns exec cli "$PPTP" $SRV --debug $CLI_PPP logfile "$d/pppd-debug.log" > "$d/pptp-debug.err" 2>&1 &
	gp=$!
	if up_or_fail "3: pptp $SRV --debug PPPD-OPTIONS: the tunnel comes up" "$t0" 60; then
		pppd=$(pgrep -P $gp -x pppd)
		if [ -n "$pppd" ] && alive $gp; then ok "3: --debug: pptp stays in the foreground, pppd ($pppd) is its child"; else
			not_ok "3: --debug: pptp stays in the foreground, pppd is its child (pptp $gp, pppd '${pppd}')"; fi
		if grep -qE "^$PCOMM\[[0-9]+\] notice: anon pptp: " "$d/pptp-debug.err"; then ok "3: --debug copies the log lines to stderr"; else
			not_ok "3: --debug copies the log lines to stderr (nothing like 'pptp[PID] notice: anon pptp:' in launch/pptp-debug.err)"; fi
		ping_ok "3: --debug: pings pass" 10 0.2 100 "$d/ping-debug.txt"
		cm=$(callmgr_pids)
		kill -TERM $gp
		wait $gp
		rc=$?
		if ms=$(wait_gone 10 $gp $pppd $cm); then
			if [ $rc = 0 ]; then ok "3: --debug: kill -TERM pptp ends pppd and the call manager, exit status 0 (in $ms ms)"; else
				not_ok "3: --debug: kill -TERM pptp: exit status $rc, want 0"; fi
		else
			not_ok "3: --debug: kill -TERM pptp ends pppd and the call manager (still running after 10 s)"
		fi
	fi
	reset_cli

	t0=$(now_ms)
	# shellcheck disable=SC2086
	ip netns exec cli timeout 60 "$PPTP" $SRV $CLI_PPP logfile "$d/pppd-bg.log" > "$d/pptp-bg.err" 2>&1
	rc=$?
	ms=$(($(now_ms) - t0))
	if [ $rc = 0 ]; then ok "3: pptp $SRV PPPD-OPTIONS (no --debug) returns 0 once the call is up (after $ms ms)"; else
		not_ok "3: pptp $SRV PPPD-OPTIONS (no --debug) returns 0 once the call is up (exit status $rc after $ms ms)"; fi
	if up_or_fail "3: detached: the tunnel comes up" "$t0" 60; then
		ping_ok "3: detached: pings pass" 10 0.2 100 "$d/ping-bg.txt"
		pppd=$(pppd_in cli)
		gp=$(ppid_of "$pppd")
		cm=$(callmgr_pids)
		if [ "$(cat "/proc/$gp/comm" 2>/dev/null)" = "$GWCOMM" ] && [ "$(ppid_of "$gp")" = 1 ]; then
			ok "3: detached: the gateway ($gp) runs in the background with pppd ($pppd) as its child"
		else
			not_ok "3: detached: the gateway runs in the background with pppd as its child (pppd '$pppd', its parent '$gp')"
		fi
		kill -TERM "$gp"
		if ms=$(wait_gone 10 $gp $pppd $cm); then ok "3: detached: kill -TERM the gateway ends everything (in $ms ms)"; else
			not_ok "3: detached: kill -TERM the gateway ends everything (still running after 10 s)"; fi
	fi
	reset_cli
}

# [4] a bad network: delay with jitter (reorders), and loss, both ways
s_netem() {
	local d=$OUT/netem t0 pp gw m line buffered lost
	mkdir -p "$d"
	tc -n cli qdisc add dev vc root netem delay 10ms 8ms loss 1%
	tc -n srv qdisc add dev vs root netem delay 10ms 8ms loss 1%
	info "netem on both ends of the veth: $(tc -n cli qdisc show dev vc | head -n 1)"
	t0=$(now_ms)
	# novj: Van Jacobson header compression cannot survive a lossy link
	# (PPP never learns of a lost GRE packet, so the decompressor's state
	# goes wrong and every loss costs TCP a retransmission timeout).
	start_pty "$d" "--nolaunchpppd" novj
	pp=$PPPD
	if up_or_fail "4: under netem: the tunnel comes up" "$t0" 90; then
		ping_ok "4: under netem: pings pass (some loss tolerated)" 40 0.1 80 "$d/ping.txt"
		xfer "4: under netem: 2 MiB server -> client" down $TMP/data2m 150 "$d"
		xfer "4: under netem: 512 KiB client -> server" up $TMP/data512k 150 "$d"
		gw=$(gateway_under $pp)
		m=$(mark)
		kill -USR1 "$gw"
		if wait_log "$m" "$PCOMM\[$gw\]: .*GRE statistics" 5; then
			line=$(since "$m" | grep -m1 "$PCOMM\[$gw\]: .*GRE statistics")
			info "SIGUSR1 dump: ${line#* daemon.}"
			case $line in
			*" daemon.notice "*) ok "4: kill -USR1 the gateway logs its statistics at notice level" ;;
			*) not_ok "4: kill -USR1 the gateway logs its statistics at notice level (${line%% pptp*})" ;;
			esac
			buffered=$(echo "$line" | sed -n 's/.*rx buffered \([0-9]*\).*/\1/p')
			lost=$(echo "$line" | sed -n 's/.*rx lost \([0-9]*\).*/\1/p')
			if [ "${buffered:-0}" -gt 0 ]; then ok "4: reordered packets were buffered (rx buffered $buffered)"; else
				not_ok "4: reordered packets were buffered (rx buffered '${buffered}')"; fi
			if [ "${lost:-0}" -gt 0 ]; then ok "4: lost packets were counted (rx lost $lost)"; else
				not_ok "4: lost packets were counted (rx lost '${lost}')"; fi
		else
			not_ok "4: kill -USR1 the gateway ($gw) logs its statistics (no line in syslog)"
		fi
		kill -TERM $pp
		wait_gone 15 $pp $gw > /dev/null || not_ok "4: the tunnel ends after the test (still running after 15 s)"
	fi
	reset_cli
}

# a tunnel with pppd pty: up, pings, stop by pppd, all gone
simple_tunnel() {	# CASE DIR "PPTP ARGS" "EXTRA PPPD OPTS" DESC
	local t0 pp gw cm ms
	t0=$(now_ms)
	start_pty "$2" "$3" "$4"
	pp=$PPPD
	if up_or_fail "$1: $5: the tunnel comes up" "$t0" 60; then
		ping_ok "$1: $5: pings pass" 10 0.2 100 "$2/ping.txt"
		gw=$(gateway_under $pp)
		cm=$(callmgr_pids)
		kill -TERM $pp
		if ms=$(wait_gone 15 $pp $gw $cm); then ok "$1: $5: stopping pppd ends the tunnel (in $ms ms)"; else
			not_ok "$1: $5: stopping pppd ends the tunnel (still running after 15 s)"; fi
	fi
	reset_cli
}

# [7] synchronous PPP
s_sync() {
	mkdir -p "$OUT/sync"
	simple_tunnel 7 "$OUT/sync" "--nolaunchpppd --sync" "sync" "pppd sync, pty \"pptp $SRV --nolaunchpppd --sync\""
}

# [8a] pppd call NAME, the peers file unchanged from the manual
s_peers() {
	local d=$OUT/peers
	mkdir -p "$d"
	cat > /etc/ppp/peers/e2e-work <<-EOF
	pty "$PPTP $SRV --nolaunchpppd"
	name testuser
	remotename pptpd
	require-mppe-128
	refuse-eap
	noauth
	file /etc/ppp/options.e2e-pptp
	EOF
	cat > /etc/ppp/options.e2e-pptp <<-EOF
	lock
	noauth
	refuse-pap
	refuse-eap
	refuse-chap
	refuse-mschap
	nobsdcomp
	nodeflate
	nodefaultroute
	debug
	logfile $d/pppd.log
	EOF
	cp /etc/ppp/peers/e2e-work /etc/ppp/options.e2e-pptp "$d/"
	call_tunnel 8a e2e-work "$d" "pppd call NAME (peers file with pty \"pptp $SRV --nolaunchpppd\", file options.*)"
	reset_cli
}

# call_tunnel TAG PEER DIR DESC [PPPD OPTS]: pppd call PEER brings the
# tunnel up, pings cross it, and stopping pppd (poff) ends it
call_tunnel() {
	local tag=$1 peer=$2 d=$3 desc=$4 t0 rc pp gw ms
	shift 4
	t0=$(now_ms)
	ip netns exec cli pppd call "$peer" "$@" > "$d/pppd.out" 2>&1
	rc=$?
	[ $rc = 0 ] || not_ok "$tag: pppd call $peer returns 0 (it detaches) (status $rc)"
	if up_or_fail "$tag: $desc: the tunnel comes up" "$t0" 60; then
		ping_ok "$tag: $desc: pings pass" 10 0.2 100 "$d/ping.txt"
		pp=$(pppd_in cli)
		gw=$(gateway_under "$pp")
		kill -TERM $pp
		if ms=$(wait_gone 15 $pp $gw); then ok "$tag: $desc: stopping pppd (poff) ends the tunnel (in $ms ms)"; else
			not_ok "$tag: $desc: stopping pppd ends the tunnel (still running after 15 s)"; fi
	else
		info "pppd.log: $(tail -n 15 "$d/pppd.log" 2>/dev/null | tr '\n' '|')"
	fi
}

# [13] the tunnel set up by the project's pptpsetup and started by pppd
# call NAME, reading the project's options.pptp (the VM's root is a
# throw-away overlay: replacing /etc/ppp/options.pptp there is fine)
s_setup() {
	local d=$OUT/setup rc
	mkdir -p "$d"
	cp "$TOP/options.pptp" /etc/ppp/options.pptp
	PPTPSETUP_PPTP=$PPTP "$TOP/pptpsetup" --create e2e-setup --server $SRV --username testuser \
		--password secretpw --encrypt > "$d/pptpsetup.out" 2>&1
	rc=$?
	cp /etc/ppp/peers/e2e-setup "$d/peers" 2>/dev/null
	if [ $rc = 0 ] && [ -s /etc/ppp/peers/e2e-setup ]; then
		ok "13: pptpsetup --create e2e-setup --server $SRV --username testuser --password ... --encrypt: exit 0, peers file written"
	else
		not_ok "13: pptpsetup --create: exit 0, peers file written (status $rc: $(head -c 300 "$d/pptpsetup.out"))"
		return
	fi
	call_tunnel 13 e2e-setup "$d" "pptpsetup --create, then pppd call e2e-setup" logfile "$d/pppd.log"
	"$TOP/pptpsetup" --delete e2e-setup > "$d/delete.out" 2>&1
	if [ ! -e /etc/ppp/peers/e2e-setup ] && ! grep -q 'e2e-setup' /etc/ppp/chap-secrets &&
	    grep -q '^testuser pptpd secretpw' /etc/ppp/chap-secrets; then
		ok "13: pptpsetup --delete removes its peers file and secret, and leaves the other line"
	else
		not_ok "13: pptpsetup --delete removes its peers file and secret, and leaves the other line ($(cat /etc/ppp/chap-secrets | tr '\n' '|'))"
	fi
	reset_cli
}

# [8b 9] NetworkManager-pptp's command line
s_nm() {
	local d m n args
	for n in 1 2; do
		d=$OUT/nm$n
		mkdir -p "$d"
		args="--nolaunchpppd --logstring nm-pptp-service-4242"
		[ $n = 1 ] && args="$args --loglevel 2"
		m=$(mark)
		simple_tunnel 8b "$d" "$args" "" "NetworkManager's pty \"pptp $SRV $args\""
		since "$m" > "$d/syslog"
		pptp_lines "$d/syslog" > "$d/syslog-pptp"
		if [ -s "$d/syslog-pptp" ] && ! grep -vqE "\]: nm-pptp-service-4242 (pptp|gateway|callmgr)( $CTX_RE)?: " "$d/syslog-pptp"; then
			ok "8b: every pptp syslog line carries \"nm-pptp-service-4242\" ($(wc -l < "$d/syslog-pptp") lines)"
		else
			not_ok "8b: every pptp syslog line carries \"nm-pptp-service-4242\" ($(grep -vcE "\]: nm-pptp-service-4242 " "$d/syslog-pptp") of $(wc -l < "$d/syslog-pptp") do not)"
		fi
		if [ $n = 1 ]; then
			expect_line "9: --loglevel 2 logs debug lines" ' daemon\.debug ' "$d/syslog-pptp"
		elif grep -q ' daemon\.debug ' "$d/syslog-pptp"; then
			not_ok "9: without --loglevel no debug line is logged ($(grep -m1 ' daemon\.debug ' "$d/syslog-pptp"))"
		else
			ok "9: without --loglevel no debug line is logged"
		fi
	done
}

# [8c] OpenWrt's command line
s_openwrt() {
	mkdir -p "$OUT/openwrt"
	simple_tunnel 8c "$OUT/openwrt" "--nolaunchpppd --nobuffer" "" "OpenWrt's pty \"pptp $SRV --nolaunchpppd --nobuffer\""
}

# [9] --loglevel 0; and stdout carries PPP frames and nothing else
s_quiet() {
	local d=$OUT/quiet m r
	mkdir -p "$d"
	m=$(mark)
	# tee keeps a copy of everything pptp writes to its standard output
	simple_tunnel 9 "$d" "--nolaunchpppd --loglevel 0 --logstring e2e-quiet | tee $d/stdout.bin" "" \
		"pty \"pptp $SRV --nolaunchpppd --loglevel 0 | tee FILE\""
	since "$m" > "$d/syslog"
	pptp_lines "$d/syslog" > "$d/syslog-pptp"
	expect_line "9: --loglevel 0 still logs notices" ' daemon\.notice .*e2e-quiet' "$d/syslog-pptp"
	if grep -qE ' daemon\.(info|debug) ' "$d/syslog-pptp"; then
		not_ok "9: --loglevel 0 logs no info or debug line ($(grep -m1 -E ' daemon\.(info|debug) ' "$d/syslog-pptp"))"
	else
		ok "9: --loglevel 0 logs no info or debug line"
	fi
	if [ -x "$OUT/bin/hdlccheck" ]; then
		if r=$("$OUT/bin/hdlccheck" "$d/stdout.bin"); then
			ok "9: --nolaunchpppd: stdout held nothing but whole PPP frames with good FCS ($r)"
		else
			not_ok "9: --nolaunchpppd: stdout held nothing but whole PPP frames with good FCS ($r)"
		fi
	else
		not_ok "9: --nolaunchpppd: stdout check (no $OUT/bin/hdlccheck: run.sh builds it)"
	fi
}

# [10] killing any one of the three
s_kill() {
	local t sig role d t0 pp gw cm victim ms m left n=0
	for t in pppd:TERM gateway:TERM callmgr:TERM gateway:KILL callmgr:KILL; do
		role=${t%:*}
		sig=${t#*:}
		n=$((n + 1))
		d=$OUT/kill$n-$role-$sig
		mkdir -p "$d"
		t0=$(now_ms)
		start_pty "$d" "--nolaunchpppd"
		pp=$PPPD
		if ! wait_up "$t0" 60 > /dev/null; then
			not_ok "10: kill -$sig $role: the tunnel did not come up"
			reset_cli
			continue
		fi
		gw=$(gateway_under $pp)
		cm=$(callmgr_pids)
		case $role in pppd) victim=$pp ;; gateway) victim=$gw ;; callmgr) victim=$cm ;; esac
		if [ -z "$gw" ] || [ -z "$cm" ] || [ -z "$victim" ]; then
			not_ok "10: kill -$sig $role: cannot tell the processes apart (pppd '$pp', gateway '$gw', call manager '$cm')"
			reset_cli
			continue
		fi
		m=$(mark)
		kill -"$sig" "$victim"
		if ms=$(wait_gone 10 $pp $gw $cm); then
			ok "10: kill -$sig $role ($victim): pppd, gateway and call manager all end (in $ms ms)"
		else
			not_ok "10: kill -$sig $role ($victim): pppd, gateway and call manager all end (after 10 s still:$(for p in $pp $gw $cm; do alive $p && echo -n " $(cat /proc/$p/comm) $p"; done))"
		fi
		if [ "$role:$sig" = callmgr:KILL ]; then
			# Its host route outlives it (nobody else may delete routes);
			# the record of it stays for the next call manager, which
			# takes the route over (tests/integration/lifecycle.sh).
			left=$(find /run/pptp -mindepth 1 ! -name '*.route' 2>/dev/null | tr '\n' ' ')
			rec=$(find /run/pptp -name '*.route' 2>/dev/null)
			if [ -n "$rec" ] && [ -n "$(ip -n cli route show 192.0.2.1/32)" ]; then
				ok "10: kill -$sig $role: the host route it left is recorded for the next call manager"
			else
				not_ok "10: kill -$sig $role: the host route it left is recorded for the next call manager (record '${rec}', route '$(ip -n cli route show 192.0.2.1/32)')"
			fi
		else
			left=$(run_sockets)
		fi
		if [ -z "$left" ]; then ok "10: kill -$sig $role: no stale socket in /run/pptp"; else
			not_ok "10: kill -$sig $role: no stale socket in /run/pptp (left: $left)"; fi
		wait_log "$m" 'control connection finished' 10
		since "$m" > "$d/syslog"
		info "server saw: $(srv_lines "$d/syslog" | sed 's/.*pptpd\[[0-9]*\]: //' | grep -E 'CLR|STOP|finished|Exiting|failed|collapsed' | tr '\n' '|')"
		if [ "$role:$sig" = callmgr:KILL ]; then
			# No one is left to send a Call-Clear-Request: the server can
			# only see the TCP connection close.
			expect_line "10: kill -$sig $role: the server sees the control connection end" 'pptpd\[[0-9]+\]: CTRL: Client 192\.0\.2\.2 control connection finished' "$d/syslog"
		else
			expect_line "10: kill -$sig $role: the server hears the call cleared" 'pptpd\[[0-9]+\]: CTRL: Received (CALL CLR|STOP CTRL CONN) request' "$d/syslog"
		fi
		pptp_lines "$d/syslog" > "$d/syslog-pptp"
		info "pptp said: $(grep -E ' daemon\.(err|warn|notice) ' "$d/syslog-pptp" | sed 's/.*\]: //' | tr '\n' '|' | cut -c1-600)"
		reset_cli
	done
}

# tunnel_fails DIR NAME PPPD_OPTS...: a tunnel with pptp launching real
# pppd (--debug: in the foreground, so its exit status is the tunnel's);
# RC, MS (how long), and DIR/syslog-NAME, what was logged meanwhile.
tunnel_fails() {
	local d=$1 name=$2 m t0
	shift 2
	m=$(mark)
	t0=$(now_ms)
	# shellcheck disable=SC2086
	ip netns exec cli timeout 60 "$PPTP" $SRV --debug $CLI_PPP "$@" logfile "$d/pppd-$name.log" \
		> "$d/pptp-$name.err" 2>&1
	RC=$?
	MS=$(($(now_ms) - t0))
	since "$m" > "$d/syslog-$name"
}
BADPW_LINE="daemon\.err $PCOMM\[[0-9]+\]: .*pppd exited with status 19: authentication to the server failed"
NOMPPE_LINE="daemon\.err $PCOMM\[[0-9]+\]: .*pppd exited with status 10: PPP negotiation failed.*MPPE"

# [11] exit statuses with real pppd, pptp launching it
s_exit() {
	local d=$OUT/exit t0 rc m gp spppd
	mkdir -p "$d"
	tunnel_fails "$d" badpw password wrong-password
	if [ $RC = 8 ]; then ok "11: wrong password: pptp exits 8 (after $MS ms)"; else not_ok "11: wrong password: pptp exits 8 (exit status $RC)"; fi
	expect_line "11: wrong password: pppd's 19 logged as \"authentication to the server failed\"" \
		"$BADPW_LINE" "$d/syslog-badpw"
	reset_cli

	stop_pptpd
	start_pptpd nomppe
	tunnel_fails "$d" nomppe
	if [ $RC = 8 ]; then ok "11: MPPE required but the server has no CCP (noccp): pptp exits 8 (after $MS ms)"; else
		not_ok "11: MPPE required but refused by the server: pptp exits 8 (exit status $RC)"; fi
	info "client pppd: $(grep -m1 -E 'MPPE required' "$d/pppd-nomppe.log")"
	expect_line "11: MPPE refused: pppd's reason in words" "$NOMPPE_LINE" "$d/syslog-nomppe"
	reset_cli
	stop_pptpd
	start_pptpd mppe

	# The server hangs up: its pppd dies, pptpd clears the call.
	m=$(mark)
	t0=$(now_ms)
	# shellcheck disable=SC2086
	ip netns exec cli "$PPTP" $SRV --debug $CLI_PPP logfile "$d/pppd-hangup.log" > "$d/pptp-hangup.err" 2>&1 &
	gp=$!
	if wait_up "$t0" 60 > /dev/null; then
		spppd=$(pppd_in srv)
		kill -KILL $spppd
		wait $gp
		rc=$?
		if [ $rc = 9 ]; then ok "11: the server ends the call (its pppd killed): pptp exits 9"; else
			not_ok "11: the server ends the call (its pppd killed): pptp exits 9 (exit status $rc)"; fi
		since "$m" > "$d/syslog-hangup"
		info "pptp said: $(pptp_lines "$d/syslog-hangup" | grep -E ' daemon\.(err|warn|notice) ' | sed 's/.*\]: //' | tail -n 6 | tr '\n' '|')"
	else
		not_ok "11: the server ends the call: the tunnel did not come up"
	fi
	reset_cli
}

# [14] the fault matrix's rows that need real pppd on both ends: what
# --diagnose says (it cannot see PPP's faults: every layer works, and the
# step on this machine finds real PPP) and what the tunnel says.
s_diag() {
	local d=$OUT/diag v l
	mkdir -p "$d"
	: > "$d/matrix"
	ip netns exec cli timeout 60 "$PPTP" --diagnose $SRV > "$d/diag-mppe.out" 2>&1
	RC=$?
	sed 's/^/#   /' "$d/diag-mppe.out"
	if [ $RC = 0 ]; then ok "14: --diagnose against pptpd and its pppd: exit 0"; else
		not_ok "14: --diagnose against pptpd and its pppd: exit 0 (exit status $RC)"; fi
	expect_line "14: --diagnose: this machine is ready (real /dev/ppp, PPP framing, MPPE)" \
		'^\[1/8\] this machine: ready for a tunnel$' "$d/diag-mppe.out"
	expect_line "14: --diagnose: the server's pppd proves ours arrive" '^      ours reach the server too: ' \
		"$d/diag-mppe.out"
	expect_line "14: --diagnose: the server's pppd answers path MTU probes of the veth's full size" \
		'^\[7/8\] path MTU: 1500-byte packets cross both ways \(a 1464-byte PPP frame' "$d/diag-mppe.out"
	v=$(sed -n 's/^verdict: //p' "$d/diag-mppe.out")
	tunnel_fails "$d" badpw password wrong-password
	if [ $RC = 8 ]; then ok "14: wrong password: pptp exits 8"; else not_ok "14: wrong password: pptp exits 8 (exit status $RC)"; fi
	expect_line "14: wrong password: the log names it" "$BADPW_LINE" "$d/syslog-badpw"
	l=$(grep -m1 -E "$BADPW_LINE" "$d/syslog-badpw" | sed 's/.*: pppd exited/pppd exited/')
	echo "wrong password | $v (exit 0) | $l (exit $RC)" >> "$d/matrix"
	reset_cli

	stop_pptpd
	start_pptpd nomppe
	ip netns exec cli timeout 60 "$PPTP" --diagnose $SRV > "$d/diag-nomppe.out" 2>&1
	RC=$?
	if [ $RC = 0 ]; then ok "14: --diagnose against a server without MPPE: exit 0 (PPP is above it)"; else
		not_ok "14: --diagnose against a server without MPPE: exit 0 (exit status $RC)"; fi
	v=$(sed -n 's/^verdict: //p' "$d/diag-nomppe.out")
	tunnel_fails "$d" nomppe
	if [ $RC = 8 ]; then ok "14: MPPE refused by the server: pptp exits 8"; else
		not_ok "14: MPPE refused by the server: pptp exits 8 (exit status $RC)"; fi
	expect_line "14: MPPE refused: the log names it" "$NOMPPE_LINE" "$d/syslog-nomppe"
	l=$(grep -m1 -E "$NOMPPE_LINE" "$d/syslog-nomppe" | sed 's/.*: pppd exited/pppd exited/')
	echo "MPPE refused by the server | $v (exit 0) | $l (exit $RC)" >> "$d/matrix"
	reset_cli
	stop_pptpd
	start_pptpd mppe
	info "fault | --diagnose verdict | tunnel log line"
	sed 's/^/#   /' "$d/matrix"
}

# [19] An MTU black hole.  A second path to the server, through netns rtr:
# cli 203.0.113.2 (a LAN of 1600) - rtr - 198.51.100.1 srv, the router's
# link to the server carrying 1400 and its ICMP fragmentation-needed
# dropped.  The tunnel's full-size GRE (1540 bytes: ppp0 is 1496 with
# MPPE) leaves the client whole with DF set and vanishes at the router:
# pings pass, an upload stalls.  --diagnose finds the black hole and the pppd options;
# with them the same upload completes.
MTU_SRV=198.51.100.1
mtu_path() {	# up | down
	if [ "$1" = down ]; then
		ip netns del rtr 2>/dev/null
		ip -n srv addr del $MTU_SRV/24 dev vs2 2>/dev/null
		ip -n srv link del vs2 2>/dev/null
		ip -n cli link del vc2 2>/dev/null
		ip -n srv route del 203.0.113.0/24 2>/dev/null
		return 0
	fi
	ip netns add rtr
	ip link add vc2 mtu 1600 type veth peer name vr1 mtu 1600
	ip link add vr2 mtu 1400 type veth peer name vs2 mtu 1400
	ip link set vc2 netns cli
	ip link set vr1 netns rtr
	ip link set vr2 netns rtr
	ip link set vs2 netns srv
	ip -n cli addr add 203.0.113.2/24 dev vc2
	ip -n rtr addr add 203.0.113.254/24 dev vr1
	ip -n rtr addr add 198.51.100.254/24 dev vr2
	ip -n srv addr add $MTU_SRV/24 dev vs2
	for l in "cli vc2" "rtr vr1" "rtr vr2" "srv vs2" "rtr lo"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip netns exec rtr sysctl -qw net.ipv4.ip_forward=1
	ip -n cli route add 198.51.100.0/24 via 203.0.113.254
	ip -n srv route add 203.0.113.0/24 via 198.51.100.254
	ip netns exec rtr nft add table inet hole &&
		ip netns exec rtr nft add chain inet hole out '{ type filter hook output priority 0; }' &&
		ip netns exec rtr nft add rule inet hole out icmp type destination-unreachable \
			icmp code frag-needed drop
}
# mtu_tunnel DIR DESC "PPPD OPTS" LIMIT_S: a tunnel over the black hole,
# pings, a 1 MiB upload; its status that of the upload
mtu_tunnel() {
	local d=$1 desc=$2 extra=$3 lim=$4 t0 pp rc=1 SRV=$MTU_SRV
	t0=$(now_ms)
	info "$desc: pppd options beyond the usual: ${extra:-none}"
	start_pty "$d" "--nolaunchpppd" "$extra"
	pp=$PPPD
	if up_or_fail "19: $desc: the tunnel comes up" "$t0" 60; then
		info "$desc: $(ip -n cli -o link show | awk '$2 ~ /^ppp/ { print $2, $4, $5 }')"
		ping_ok "19: $desc: pings pass" 5 0.2 80 "$d/ping-$desc.txt"
		xfer_run "19: $desc: 1 MiB client -> server" up $TMP/data1m "$lim" "$d"
		rc=$?
	fi
	# Ended by its gateway: pppd then sees the line hang up and goes at
	# once (asked itself, it would first wait out its LCP Terminate-
	# Requests, which cannot reach the server once it has stopped pptp).
	kill -TERM $(gateway_under $pp) 2>/dev/null
	wait_gone 10 $pp > /dev/null || kill -TERM $pp 2>/dev/null
	wait_gone 10 $pp > /dev/null
	reset_cli
	info "$desc: the tunnel took $(($(now_ms) - t0)) ms, start to end"
	return $rc
}
s_mtu() {
	local d=$OUT/mtu fix t0
	mkdir -p "$d"
	mtu_path up || not_ok "19: the black hole's router (nft) could not be set up"
	ip netns exec cli ping -q -c 1 -W 2 -M do -s 1372 $MTU_SRV > /dev/null 2>&1 &&
		! ip netns exec cli ping -q -c 1 -W 2 -M do -s 1373 $MTU_SRV > /dev/null 2>&1 &&
		ok "19: the path carries 1400 bytes, 1401 vanish without a word" ||
		not_ok "19: the path carries 1400 bytes, 1401 vanish without a word"
	# 10 s: three times what the upload takes once it fits
	if mtu_tunnel "$d" "pppd's defaults" "" 10; then
		not_ok "19: with pppd's defaults the upload stalls (it completed in $XFER_MS ms)"
	else
		ok "19: with pppd's defaults the upload stalls ($XFER_GOT of 1048576 bytes in 10 s)"
	fi
	t0=$(now_ms)
	ip netns exec cli timeout 60 "$PPTP" --diagnose $MTU_SRV > "$d/diag.out" 2>&1
	RC=$?
	info "--diagnose took $(($(now_ms) - t0)) ms"
	sed 's/^/#   /' "$d/diag.out"
	if [ $RC = 14 ]; then ok "19: --diagnose: exit 14 (an MTU black hole)"; else
		not_ok "19: --diagnose: exit 14 (exit status $RC)"; fi
	expect_line "19: --diagnose: real pppd answers the probes: 1400-byte packets cross" \
		'^\[7/8\] path MTU: 1400-byte packets cross both ways' "$d/diag.out"
	fix=$(sed -n "s/^verdict: .*pppd needs '\(mtu [0-9]* mru [0-9]*\)'$/\1/p" "$d/diag.out")
	info "--diagnose recommends: ${fix:-nothing}"
	if [ -n "$fix" ] && mtu_tunnel "$d" "with '$fix'" "$fix" 120; then
		ok "19: with '$fix' the upload completes ($XFER_RATE)"
	else
		not_ok "19: with the recommended '${fix:-?}' the upload completes"
	fi
	mtu_path down
}

# [18] the Debian package (make deb) installed with dpkg where pptp-linux and
# network-manager-pptp are: the classic goes, network-manager-pptp stays,
# /usr/sbin/pptp is ours, an options.pptp the administrator changed is
# kept; a tunnel with NetworkManager-pptp's command line through pppd's pty
# option; then dpkg --purge leaves nothing of the package.  run.sh passes
# /usr/sbin/pptp as the program under test.
# dpkg reads every package's file list on each run, over 9p here at a few
# hundred kB/s (about 40 s a run): its database goes to memory once, the
# file lists and the status file as copies, the rest linked to where it
# lies.  The copies come from run.sh's tarball of them (one file, a tenth
# of the size) when its status file is the one here, else from the files.
dpkg_db_to_memory() {
	local db=/var/lib/dpkg orig=$TMP/dpkg-orig mem=$TMP/dpkg-db tgz=${DEB%/*}/dpkg-db.tar.gz f
	mkdir -p $orig $mem/info
	mount --bind $db $orig
	for f in "$orig"/*; do [ -d "$f" ] && [ "${f##*/}" != info ] && cp -a "$f" $mem/; done
	find $orig/info -maxdepth 1 -type f ! -name '*.list' -exec ln -s -t $mem/info {} +
	if [ -f "$tgz" ] && tar -xzf "$tgz" -C $mem &&
		[ "$(stat -c '%s %Y' $mem/status)" = "$(stat -c '%s %Y' $orig/status)" ]; then
		info "dpkg's database from run.sh's copy"
	else
		info "dpkg's database from the file system (no copy from run.sh, or not the same)"
		find $mem -maxdepth 1 -type f -delete
		rm -f $mem/info/*.list
		find $orig -maxdepth 1 -type f -exec cp -p -t $mem {} +
		cp -p $orig/info/*.list $mem/info/
	fi
	mount --bind $mem $db
}
pkg_state() { dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$1" 2>/dev/null; }
s_deb() {
	local d=$OUT/deb p st rc t0 v files left f ours
	mkdir -p "$d"
	if [ ! -f "$DEB" ]; then not_ok "18: the package to test exists (--deb '$DEB')"; return; fi
	# dpkg looks for ldconfig and start-stop-daemon on PATH
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	for p in pptp-linux network-manager-pptp; do
		st=$(pkg_state $p)
		if [ "${st:0:2}" = ii ]; then ok "18: before: $p is installed and configured (${st:3})"; else
			not_ok "18: before: $p is installed and configured (state '$st'; tests/deps.sh installs it)"; return; fi
	done
	# The administrator's change: pptp-linux's conffile, edited.
	echo "# e2e: a line the administrator added" >> /etc/ppp/options.pptp
	cp /etc/ppp/options.pptp "$d/options.pptp.admin"
	# man-db's trigger rebuilds the whole manual index: minutes under
	# emulation, and nothing this test looks at.
	rm -f /var/lib/man-db/auto-update
	t0=$(now_ms)
	dpkg_db_to_memory
	info "dpkg's database in memory in $(($(now_ms) - t0)) ms"
	# The administrator's answer at dpkg's conffile question: keep mine
	# (the default answer; apt users pass these through Dpkg::Options).
	t0=$(now_ms)
	dpkg --force-confdef --force-confold -i "$DEB" > "$d/dpkg-install.log" 2>&1
	rc=$?
	sed 's/^/#   dpkg: /' "$d/dpkg-install.log"
	if [ $rc = 0 ]; then ok "18: dpkg -i $(basename "$DEB") over pptp-linux: exit status 0 (in $(($(now_ms) - t0)) ms)"; else
		not_ok "18: dpkg -i $(basename "$DEB") over pptp-linux: exit status $rc"; return; fi
	st=$(pkg_state pptp)
	if [ "$st" = "ii 1.0.0-1" ]; then ok "18: pptp 1.0.0-1 is installed and configured"; else
		not_ok "18: pptp 1.0.0-1 is installed and configured (state '$st')"; fi
	st=$(pkg_state pptp-linux)
	if [ "${st:0:2}" != ii ]; then ok "18: the classic pptp-linux is no longer installed (state '${st:-unknown}')"; else
		not_ok "18: the classic pptp-linux is no longer installed (state '$st')"; fi
	st=$(pkg_state network-manager-pptp)
	if [ "${st:0:2}" = ii ]; then ok "18: network-manager-pptp stays installed and configured (${st:3})"; else
		not_ok "18: network-manager-pptp stays installed and configured (state '$st')"; fi
	left=$(dpkg --audit 2>&1)
	if [ -z "$left" ]; then ok "18: dpkg --audit finds nothing broken"; else
		not_ok "18: dpkg --audit finds nothing broken ($(echo "$left" | head -n 3 | tr '\n' ' '))"; fi
	# apt-get check on the installed packages alone (not the archive's lists)
	t0=$(now_ms)
	mkdir -p $TMP/nolists/partial
	if apt-get check -o Dir::State::Lists=$TMP/nolists -o Dir::Cache::pkgcache= \
		-o Dir::Cache::srcpkgcache= > "$d/apt-check.log" 2>&1; then ok "18: apt-get check: every dependency is met (network-manager-pptp's on pptp-linux by the Provides)"; else
		not_ok "18: apt-get check: every dependency is met ($(grep -m 2 -vE '^(Reading|Building)' "$d/apt-check.log" | tr '\n' ' '))"; fi
	info "apt-get check took $(($(now_ms) - t0)) ms"
	st=$(dpkg -S /usr/sbin/pptp 2>&1)
	v=$(/usr/sbin/pptp --version 2>&1 | head -n 1)
	if [ "$st" = "pptp: /usr/sbin/pptp" ] && [ "$v" = "pptp version 1.0.0" ]; then
		ok "18: /usr/sbin/pptp belongs to pptp and is ours: --version says \"$v\""
	else
		not_ok "18: /usr/sbin/pptp belongs to pptp and is ours (dpkg -S: '$st'; --version: '$v')"
	fi
	ours=$d/options.pptp.package
	dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/ppp/options.pptp > "$ours"
	if cmp -s /etc/ppp/options.pptp "$d/options.pptp.admin" && cmp -s /etc/ppp/options.pptp.dpkg-dist "$ours"; then
		ok "18: the administrator's options.pptp is kept, the package's beside it as options.pptp.dpkg-dist"
	else
		not_ok "18: the administrator's options.pptp is kept ($(cmp /etc/ppp/options.pptp "$d/options.pptp.admin" 2>&1); dpkg-dist: $(cmp /etc/ppp/options.pptp.dpkg-dist "$ours" 2>&1))"
	fi
	if dpkg-query -W -f '${Conffiles}' pptp | grep -q '^ /etc/ppp/options.pptp '; then ok "18: /etc/ppp/options.pptp is a conffile of pptp"; else
		not_ok "18: /etc/ppp/options.pptp is a conffile of pptp (conffiles: $(dpkg-query -W -f '${Conffiles}' pptp | tr '\n' ' '))"; fi

	# One tunnel: NetworkManager-pptp's command line, with the options
	# file, as a peers file written by pptpsetup would have it.
	simple_tunnel 18 "$d" "--nolaunchpppd --logstring nm-pptp-service-4242 --loglevel 2" \
		"file /etc/ppp/options.pptp" "the installed /usr/sbin/pptp, NetworkManager's pty \"/usr/sbin/pptp $SRV --nolaunchpppd ...\""

	# Purge: nothing the package installed is left.  network-manager-pptp
	# still depends on pptp-linux, which only this package provides here:
	# an administrator would go back to the classic (apt-get install
	# pptp-linux) instead; the VM is thrown away.
	files=$(dpkg -L pptp)
	printf '%s\n' "$files" > "$d/files"
	t0=$(now_ms)
	dpkg --purge --force-depends pptp > "$d/dpkg-purge.log" 2>&1
	rc=$?
	info "dpkg --purge took $(($(now_ms) - t0)) ms"
	sed 's/^/#   dpkg: /' "$d/dpkg-purge.log"
	left=""
	for f in $files /etc/ppp/options.pptp.dpkg-dist /etc/ppp/options.pptp.dpkg-old; do
		[ -e "$f" ] && [ ! -d "$f" ] && left="$left $f"
	done
	[ -d /usr/share/doc/pptp ] && left="$left /usr/share/doc/pptp/"
	st=$(pkg_state pptp)
	if [ $rc = 0 ] && [ -z "$left" ] && [ "${st:0:1}" != i ] && [ "${st:1:1}" != c ]; then
		ok "18: dpkg --purge pptp leaves none of its $(echo "$files" | grep -c .) paths' files, its conffile included (state '${st:-unknown}')"
	else
		not_ok "18: dpkg --purge pptp leaves nothing (exit status $rc, state '$st', left:${left:- nothing})"
	fi
}

# [12] soak: a tunnel under netem loss and reordering, kept up by pppd's
# persist while a random process of the three gets a random signal every
# minute.  What no signal cut off arrives intact; nothing grows; each
# restart leaves nothing of the tunnel before it; the end leaves nothing.
SOAK_SIGS="TERM INT HUP QUIT KILL USR1"	# to the gateway or the call manager
s_soak() {
	local d=$OUT/soak min=$1 t0 end xp n=0 nsig
	mkdir -p "$d"
	# the client's side reorders a quarter of its packets, the server's
	# through jitter; both lose some
	tc -n cli qdisc add dev vc root netem delay 10ms reorder 25% 50% loss 0.5%
	tc -n srv qdisc add dev vs root netem delay 10ms 8ms loss 0.5%
	RANDOM=${SOAK_SEED:-$$}
	info "soak: $min minutes, a signal a minute (seed ${SOAK_SEED:-$$}); netem: $(tc -n cli qdisc show dev vc | head -n 1) / $(tc -n srv qdisc show dev vs | head -n 1)"
	SOAK_BASE_ROUTES=$(ip -n cli -4 route show | grep -vc ' dev ppp')
	t0=$(now_ms)
	start_pty "$d" "--nolaunchpppd" "novj persist holdoff 1 maxfail 0"	# novj: see s_netem
	SOAK_PPPD=$PPPD
	up_or_fail "12: soak: the tunnel comes up" "$t0" 90 || { reset_cli; return; }
	t0=$(now_ms)
	end=$((t0 + min * 60000))
	# 1 MiB each way every 20 s: "ok|bad START_MS END_MS"
	: > "$d/xfer.txt"
	(
		while [ "$(now_ms)" -lt $((end - 20000)) ]; do
			sleep 20
			s=$(now_ms)
			if soak_xfer up "$d" && soak_xfer down "$d"; then r=ok; else r=bad; fi
			echo "$r $s $(now_ms)" >> "$d/xfer.txt"
		done
	) &
	xp=$!
	: > "$d/kills.txt"
	printf '# %5s %9s %6s %9s %6s %9s %6s %5s %4s %6s\n' "t(s)" "gw kB" "gw fds" "cm kB" "cm fds" \
		"pppd kB" "fds" "procs" "run" "routes" | tee "$d/table.txt"
	nsig=$((min - 1))	# the last minute is left to finish in peace
	while [ $n -lt "$nsig" ]; do
		n=$((n + 1))
		while [ "$(now_ms)" -lt $((t0 + n * 60000 - 30000)) ]; do sleep 0.5; done
		soak_sample "$d" "$t0"
		while [ "$(now_ms)" -lt $((t0 + n * 60000)) ]; do sleep 0.5; done
		soak_signal "$d" "$n"
	done
	while [ "$(now_ms)" -lt $((end - 30000)) ]; do sleep 0.5; done
	soak_sample "$d" "$t0"
	wait $xp
	soak_judge "$d"
	soak_end "$d"
	reset_cli
}

# soak_signal DIR N: one random signal to one random process; then wait
# for the tunnel to be back (a new gateway under pppd, the old one gone).
soak_signal() {
	local d=$1 n=$2 gw cm who sig pid t_k old_gone=no new ms=- r
	gw=$(gateway_under "$SOAK_PPPD")
	cm=$(callmgr_pids | head -n 1)
	r=$((RANDOM % 3))
	if [ $r = 0 ]; then
		who=pppd; sig=HUP; pid=$SOAK_PPPD	# with persist: hang up, call again
	else
		set -- $SOAK_SIGS
		shift $((RANDOM % $#))
		sig=$1
		if [ $r = 1 ]; then who=gateway; pid=$gw; else who=callmgr; pid=$cm; fi
	fi
	t_k=$(now_ms)
	if [ -z "$pid" ]; then
		echo "$n $t_k $t_k $who $sig none missing" >> "$d/kills.txt"
		return
	fi
	local m
	m=$(mark)
	kill -"$sig" "$pid"
	if [ "$sig" = USR1 ]; then
		if wait_log "$m" "$PCOMM\[$pid\]: .*(GRE statistics|control connection)" 5 && sleep 2 && alive "$gw" &&
			[ "$(gateway_under "$SOAK_PPPD")" = "$gw" ]; then r=kept; else r=not-kept; fi
		echo "$n $t_k $(now_ms) $who $sig $pid $r" >> "$d/kills.txt"
		info "soak: minute $n: SIGUSR1 to the $who ($pid): $r"
		return
	fi
	while [ $(($(now_ms) - t_k)) -lt 90000 ]; do
		alive "$gw" || old_gone=yes
		new=$(gateway_under "$SOAK_PPPD")
		if [ $old_gone = yes ] && [ -n "$new" ] && [ "$new" != "$gw" ] && [ -n "$(tunnel_addr)" ]; then
			ms=$(($(now_ms) - t_k))
			break
		fi
		sleep 0.2
	done
	echo "$n $t_k $(now_ms) $who $sig $pid ${ms}" >> "$d/kills.txt"
	info "soak: minute $n: SIG$sig to the $who ($pid): $([ "$ms" = - ] && echo "no tunnel again within 90 s" || echo "up again in $ms ms")"
}

# soak_sample DIR T0: one row of the table, taken mid-minute
soak_sample() {
	local gw cm g c p procs run routes el
	el=$((($(now_ms) - $2) / 1000))
	gw=$(gateway_under "$SOAK_PPPD" | head -n 1)
	cm=$(callmgr_pids | head -n 1)
	g=$(sample "${gw:-0}")
	c=$(sample "${cm:-0}")
	p=$(sample "$SOAK_PPPD")
	procs=$(pptp_pids | while read -r x; do alive "$x" && echo "$x"; done | grep -c .)
	run=$(find /run/pptp -mindepth 1 2>/dev/null | grep -c .)
	routes=$(ip -n cli -4 route show | grep -vc ' dev ppp')
	# shellcheck disable=SC2086
	printf '# %5d %9s %6s %9s %6s %9s %6s %5d %4d %6d\n' "$el" $g $c $p "$procs" "$run" "$routes" | tee -a "$1/table.txt"
}

# soak_judge DIR: restarts, transfers, growth
soak_judge() {
	local d=$1 k stops ups usr1 kept lost=0 cut=0 good s e
	stops=$(awk '$5 != "USR1" && $6 != "none"' "$d/kills.txt" | grep -c .)
	ups=$(awk '$5 != "USR1" && $6 != "none" && $7 ~ /^[0-9]+$/' "$d/kills.txt" | grep -c .)
	usr1=$(awk '$5 == "USR1"' "$d/kills.txt" | grep -c .)
	kept=$(awk '$5 == "USR1" && $7 == "kept"' "$d/kills.txt" | grep -c .)
	info "soak: signals: $(awk '{ print $4 "/" $5 }' "$d/kills.txt" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
	info "soak: restart times (ms): $(awk '$7 ~ /^[0-9]+$/ { print $7 }' "$d/kills.txt" | sort -n | paste -sd ' ')"
	if [ "$stops" -gt 0 ] && [ "$ups" = "$stops" ]; then ok "12: soak: after each of $stops stopping signals the tunnel came back (pppd persist)"; else
		not_ok "12: soak: after each stopping signal the tunnel came back ($ups of $stops)"; fi
	if [ "$kept" = "$usr1" ]; then ok "12: soak: SIGUSR1 ($usr1 times) logged and left the tunnel up"; else
		not_ok "12: soak: SIGUSR1 logged and left the tunnel up ($kept of $usr1)"; fi
	if grep -q ' missing$' "$d/kills.txt"; then not_ok "12: soak: a process to signal was missing: $(grep ' missing$' "$d/kills.txt" | paste -sd ';')"; fi
	# a failed transfer is excused when it overlaps a stopping signal's
	# outage (from the signal to the tunnel back)
	good=$(grep -c '^ok' "$d/xfer.txt")
	while read -r k s e; do
		[ "$k" = bad ] || continue
		if awk -v s="$s" -v e="$e" '$5 != "USR1" && $2 <= e && $3 >= s { f = 1 } END { exit !f }' "$d/kills.txt"; then
			cut=$((cut + 1))
		else
			lost=$((lost + 1)); info "soak: transfer $s..$e failed with no signal inside it"
		fi
	done < "$d/xfer.txt"
	if [ "$lost" = 0 ] && [ "$good" -gt 0 ]; then ok "12: soak: $good transfer pairs (1 MiB each way) intact; $cut cut by a signal, none lost otherwise"; else
		not_ok "12: soak: transfers intact unless a signal cut them ($good good, $cut cut, $lost lost otherwise)"; fi
	soak_growth "$d"
}

# soak_growth DIR: the table's columns, judged
soak_growth() {
	local d=$1 col
	# RSS: the largest of the last quarter of the samples against the largest
	# of the first quarter (at least 2 samples each).  The first sample alone
	# is no baseline: it is taken before the first transfer has touched the
	# buffers, and every restarted gateway or call manager starts small again.
	for col in "2 gateway" "4 call manager" "6 pppd"; do
		set -- $col
		local c=$1 name=${col#* } early late
		read -r early late < <(awk -v c=$((c + 1)) '$1 == "#" && $2 ~ /^[0-9]+$/ && $c ~ /^[0-9]+$/ { v[++n] = $c }
			END { q = int(n / 4); if (q < 2) q = 2; if (q > n) q = n
			      for (i = 1; i <= q; i++) if (v[i] > e) e = v[i]
			      for (i = n - q + 1; i <= n; i++) if (i > 0 && v[i] > l) l = v[i]
			      print e + 0, l + 0 }' "$d/table.txt")
		if [ "${early:-0}" -gt 0 ] && [ "$late" -le $((early + SOAK_SLACK_KB)) ]; then
			ok "12: soak: $name RSS did not grow (largest early ${early} kB, largest late ${late} kB, slack $SOAK_SLACK_KB kB)"
		else
			not_ok "12: soak: $name RSS did not grow (largest early ${early:-?} kB, largest late ${late:-?} kB, slack $SOAK_SLACK_KB kB)"
		fi
	done
	for col in "3 gateway fds" "5 call manager fds" "7 pppd fds" "8 processes of pptp" "9 entries in /run/pptp" "10 routes"; do
		local vals
		vals=$(awk -v c=$((${col%% *} + 1)) '$1 == "#" && $2 ~ /^[0-9]+$/ { print $c }' "$d/table.txt" | sort -u | paste -sd ' ')
		if [ "$(echo "$vals" | wc -w)" = 1 ]; then ok "12: soak: ${col#* } constant ($vals)"; else
			not_ok "12: soak: ${col#* } constant (seen: $vals)"; fi
	done
}

# soak_end DIR: pppd stopped, nothing of the tunnel is left
soak_end() {
	local left routes
	kill -TERM "$SOAK_PPPD"
	# shellcheck disable=SC2046
	if wait_gone 20 "$SOAK_PPPD" $(pptp_pids) > /dev/null; then ok "12: soak: the tunnel ends cleanly"; else
		not_ok "12: soak: the tunnel ends cleanly (left: $(pptp_pids | paste -sd ' '))"; fi
	for _ in $(seq 50); do [ -z "$(run_sockets)" ] && break; sleep 0.1; done
	left=$(run_sockets)
	routes=$(ip -n cli -4 route show | grep -vc ' dev ppp')
	if [ -z "$left" ] && [ "$routes" = "$SOAK_BASE_ROUTES" ]; then ok "12: soak: nothing left in /run/pptp, routes as before ($routes)"; else
		not_ok "12: soak: nothing left (/run/pptp: ${left:-empty}; routes $routes, before $SOAK_BASE_ROUTES)"; fi
}
SOAK_SLACK_KB=256
sample() {	# PID -> "RSS_KB FD_COUNT"
	local r f
	r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	f=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
	echo "${r:--} $f"
}
soak_xfer() {	# up|down DIR, quietly: 0 when the checksum matches
	local src=$TMP/data1m dst sp
	PORT=$((PORT + 1))
	if [ "$1" = up ]; then
		dst=$TMP/recv-srv
		ip netns exec srv timeout 120 socat -u TCP-LISTEN:$PORT,reuseaddr "OPEN:$dst,creat,trunc" 2>> "$2/socat.err" &
		sp=$!
		wait_listen srv $PORT
		ip netns exec cli timeout 120 socat -u "OPEN:$src" TCP:$TUN_SRV:$PORT 2>> "$2/socat.err"
	else
		dst=$TMP/recv-cli
		ip netns exec srv timeout 120 socat -u "OPEN:$src" TCP-LISTEN:$PORT,reuseaddr 2>> "$2/socat.err" &
		sp=$!
		wait_listen srv $PORT
		ip netns exec cli timeout 120 socat -u TCP:$TUN_SRV:$PORT "OPEN:$dst,creat,trunc" 2>> "$2/socat.err"
	fi
	wait $sp
	# A transfer cut off before it began leaves no file: a failed check,
	# not a shell error in the log (redirections apply left to right).
	[ -f "$dst" ] && [ "$(sha256sum < "$src")" = "$(sha256sum < "$dst")" ]
	local r=$?
	rm -f "$dst"
	return $r
}

# ---- main ----

# bench/vm-guest.sh sources this file for its functions alone.
[ -n "${E2E_SOURCED:-}" ] && return 0
T_START=$(now_ms)
setup
head -c $((20 * 1024 * 1024)) /dev/urandom > $TMP/data20m
head -c $((2 * 1024 * 1024)) $TMP/data20m > $TMP/data2m
head -c $((1024 * 1024)) $TMP/data20m > $TMP/data1m
head -c $((512 * 1024)) $TMP/data20m > $TMP/data512k
info "set-up took $(($(now_ms) - T_START)) ms"

if [ -n "$SOAK" ]; then
	s_soak "$SOAK"
else
	for s in $SESSIONS; do
		t=$(now_ms)
		info "--- session $s"
		"s_$s"
		info "session $s took $(($(now_ms) - t)) ms"
	done
fi
info "guest: $PASSED passed, $FAILED failed, $(($(now_ms) - T_START)) ms"
kill "$SYSLOGD" 2>/dev/null
[ "$FAILED" = 0 ]
