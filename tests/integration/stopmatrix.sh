#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stopmatrix.sh - every way a tunnel can be stopped, in every state it can
# be stopped in (pptp.8, PROCESSES): for each state of the gateway and the
# call manager, each stop signal to either, SIGKILL of either, and the
# server vanishing (RST, silence), every process must end within the bound
# the manual states, leave no socket, lock file or host route, the server
# must hear the Call-Clear-Request and Stop-Control-Connection-Request where
# the protocol asks for them, and a new tunnel to the same server must come
# up at once afterwards.  "new" starts that tunnel while the call manager
# is still stopping: it must not wait for it.
#
# Left out, and why: while resolving there is no call manager yet (the
# gateway starts it once the name resolves), so only the gateway is
# stopped; while connecting, "silence" is the state itself (the SYNs are
# dropped) and an RST is a refused connect, an error the caller sees
# (cli.sh); in clearing and stopping the gateway has already gone (its
# leaving is what clears the call), so only the call manager is stopped.
#
# The cases run STOPMX_JOBS at a time (12), each against its own server
# address (one call manager each), the longest first.  Times are measured
# and printed; a case fails only beyond the manual's bound plus 2 s of slack
# for a loaded machine.  STOPMX_ONLY="STATE:ACTION ..." runs only those.
. "$(dirname "$0")/lib.sh"

CT=6		# --connect-timeout: bounds the silent SCCRQ and OCRQ cases
OPTS=(--nolaunchpppd --debug --connect-timeout $CT --idle-wait 1 --max-echo-wait 1)
# Bounds from pptp.8 (PROCESSES) plus 2 s of slack: what a stop leaves to
# do ends within 3 s when the server answers; a call manager waits at most
# 10 s for the CDN and 5 s for the StopCCRP, --connect-timeout for a silent
# setup, and --idle-wait + --max-echo-wait for a silent connection.
bound() {	# STATE ACTION
	case $1:$2 in
	clearing:silence) echo $((10 + 5 + 2)) ;;
	clearing:*) echo $((10 + 2)) ;;
	stopping:*) echo $((5 + 2)) ;;
	sccrq:silence|ocrq:silence) echo $((CT + 2)) ;;
	# A gateway whose call manager dies before its call is placed tries
	# once more with a new one (a second to start it, more under ASan),
	# against the same silent server.
	connecting:cm-KILL|sccrq:cm-KILL|ocrq:cm-KILL) echo $((CT + 1 + 2)) ;;
	established:silence) echo $((1 + 1 + 2)) ;;
	*) echo $((3 + 2)) ;;
	esac
}
# A new tunnel "at once": 8 s even for a loaded machine and the ASan build
# (most take under 1 s).  While a call manager stops, the test is sharper:
# the new tunnel must be up and done before the old call manager ends.
NEW_MAX=8
fault_of() {
	case $1 in
	sccrq) echo "--fault silent" ;;
	ocrq) echo "--fault no-ocrp" ;;
	clearing) echo "--fault no-cdn" ;;
	stopping) echo "--fault no-stopccrp" ;;
	esac
}
# What the server must have heard by the end: one pacsrv line each.
heard_of() {	# STATE ACTION
	case $1:$2 in
	*:rst|*:silence|*:cm-KILL|resolving:*|connecting:*|sccrq:*) ;;
	*) printf '%s\n' "RECV CCR" "RECV STOPCCRQ" ;;
	esac
}

ip netns exec "$NS_CLI" true
mkdir -p "/etc/netns/$NS_CLI"
# Resolving: a name whose nameserver never answers (ip netns exec puts this
# file in place of /etc/resolv.conf for the client namespace).
printf 'nameserver 192.0.2.250\noptions timeout:5 attempts:2\n' > "/etc/netns/$NS_CLI/resolv.conf"
trap 'rm -rf "/etc/netns/$NS_CLI"; ns_down' EXIT
INO=$(in_cli stat -L -c %i /proc/self/ns/net)
# Connecting: the server's address answers ARP but its TCP/1723 SYNs are
# dropped, so the connect stays in progress until --connect-timeout (an
# address nobody has fails by itself in about 3 s, with no stop to test).
# Each connecting case puts its address in the set for its duration.
if ! $nft_ok || ! ip netns exec "$NS_SRV" nft -f - <<'NFT'; then
add table inet ptest
add chain inet ptest prerouting { type filter hook prerouting priority 0; policy accept; }
add set inet ptest synhole { type ipv4_addr; }
add rule inet ptest prerouting ip daddr @synhole tcp dport 1723 drop
NFT
	not_ok "nft is needed to hold a TCP connect in progress (tests/deps.sh installs nftables)"
	finish
fi

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
over() { awk -v t="$1" -v b="$2" 'BEGIN { exit !(t > b) }'; }
alive() {	# PID: running (a zombie has ended)
	local line
	{ read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
	line=${line##*) }
	[ "${line%% *}" != Z ]
}
pptp_of() {	# ADDR: the pids of pptp processes for that server
	_pptp_live "$1"
}
start_srv() {	# LOG ADDR ARGS...: a test server on ADDR; its pid in LOG.pid
	local log=$1 ip=$2; shift 2
	# ip netns exec execs pacsrv: $! is pacsrv itself (see lib.sh).
	# shellcheck disable=SC2068
	ip netns exec "$NS_SRV" "$PACSRV" --listen "$ip" --timeout 90 $@ > "$log" 2>&1 &
	echo $! > "$log.pid"
	for _ in $(seq 1 50); do grep -q LISTEN "$log" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

leftovers() {	# ADDR [noroute]: adds to $why what is left for that server
	local left
	left=$(ls /run/pptp 2>/dev/null | grep "^$1-.*n$INO" | tr '\n' ' ')
	[ -n "${2:-}" ] && left=$(echo "$left" | tr ' ' '\n' | grep -v '\.route$' | tr '\n' ' ')
	[ -n "${left// /}" ] && why="$why left in /run/pptp: $left;"
	[ -z "${2:-}" ] && [ -n "$(ip -n "$NS_CLI" route show "$1/32")" ] && why="$why host route left;"
}

# One case; its verdict goes to DIR/result: "ok SECS" or "FAIL SECS why".
run_case() {	# N STATE ACTION
	local n=$1 st=$2 act=$3 ip=192.0.2.$((100 + $1)) d=$WORK/c$1 target fp gw cm t0 t why=""
	mkdir -p "$d"
	target=$ip
	[ "$st" = resolving ] && target=stopmx.example
	case $st in
	resolving) ;;
	connecting)
		ip -n "$NS_SRV" addr add "$ip/24" dev "vs$SUF"
		ip netns exec "$NS_SRV" nft add element inet ptest synhole "{ $ip }" ;;
	*)	ip -n "$NS_SRV" addr add "$ip/24" dev "vs$SUF"
		# shellcheck disable=SC2046
		start_srv "$d/pac.log" "$ip" $(fault_of "$st") ;;
	esac
	# Not through in_cli: $! must be fakeppp itself, the gateway's parent.
	ip netns exec "$NS_CLI" "$FAKEPPP" --frames 2 --expect-echo --hold 60 --timeout 90 -- \
		"$PPTP" "$target" "${OPTS[@]}" > "$d/cli.log" 2>&1 &
	fp=$!
	case $st in
	resolving) sleep 1 ;;
	connecting) wait_for "connecting to $ip" "$d/cli.log" 5 ;;
	sccrq) wait_for "RECV SCCRQ" "$d/pac.log" 5 ;;
	ocrq) wait_for "FAULT no-ocrp" "$d/pac.log" 5 ;;
	*) wait_for "CALL UP" "$d/pac.log" 5 && sleep 0.5 ;;
	esac || why="state $st not reached;"
	gw=$(pgrep -P "$fp")
	cm=$(pptp_of "$target" | grep -vx "${gw:-x}")
	local gw0=$gw
	case $st in clearing|stopping)
		# The gateway leaves; its call manager clears the call and stops.
		kill -TERM "$gw"
		if [ "$st" = clearing ]; then wait_for "FAULT no-cdn" "$d/pac.log" 5
		else wait_for "FAULT no-stopccrp" "$d/pac.log" 12; fi || why="$why state $st not reached;"
		gw="" ;;
	esac
	t0=$(date +%s.%N)
	case $act in
	gw-KILL|gw-TERM|gw-INT|gw-HUP) kill -"${act#gw-}" $gw ;;
	cm-KILL|cm-TERM|cm-INT|cm-HUP) kill -"${act#cm-}" $cm ;;
	rst)	in_srv ss -K -t src "$ip" sport = :1723 > /dev/null
		kill -9 "$(cat "$d/pac.log.pid")" ;;
	silence) ip -n "$NS_SRV" addr del "$ip/24" dev "vs$SUF" ;;
	new)	# a second tunnel while the call manager stops: up at once
		local t1
		t1=$(date +%s.%N)
		in_cli "$FAKEPPP" --frames 2 --expect-echo --timeout 20 -- "$PPTP" "$target" \
			"${OPTS[@]}" > "$d/new.log" 2>&1
		t=$(since "$t1")
		grep -q 'FAKEPPP RESULT ok' "$d/new.log" || why="$why the second tunnel failed;"
		# A gateway must never wait in the backlog of a call manager
		# that is going away: it stops listening when it starts to stop.
		in_cli ss -xlp | grep -q "pid=$cm," && why="$why the stopping call manager still listens;"
		alive "$cm" || why="$why the second tunnel ($t s) waited for the call manager's stop;"
		over "$t" $NEW_MAX && why="$why the second tunnel took $t s;" ;;
	esac
	# Until the last pptp for this server has ended (the call manager
	# included), at most the bound and a bit.
	local b left
	b=$(bound "$st" "$act")
	for _ in $(seq 1 $(((b + 4) * 10))); do
		left=""
		for p in $gw $cm; do alive "$p" && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.1
	done
	t=$(since "$t0")
	[ -n "$left" ] && why="$why still running:$left;"
	# The second tunnel's call manager, against the same server, too.
	if [ "$act" = new ]; then
		for _ in $(seq 1 $(((b + 4) * 10))); do
			[ -z "$(pptp_of "$target")" ] && break
			sleep 0.2
		done
	fi
	over "$t" "$b" && why="$why over the bound of $b s;"
	kill "$fp" 2>/dev/null
	# A call manager killed with SIGKILL cannot remove its route: the next
	# one takes it over (pptp.8, ROUTING), checked after the new tunnel
	# below.  Its socket and lock go with its gateway, if it had one.
	case $st:$act in
	clearing:cm-KILL|stopping:cm-KILL) ;;
	*:cm-KILL) leftovers "$ip" noroute ;;
	*) leftovers "$ip" ;;
	esac
	# The gateway's status socket: removed by the gateway, or by its call
	# manager when the gateway was killed.
	[ -n "$gw0" ] && [ -e "/run/pptp-status/$gw0" ] && why="$why status socket /run/pptp-status/$gw0 left;"
	[ "$st" = connecting ] && ip netns exec "$NS_SRV" nft delete element inet ptest synhole "{ $ip }"
	local h
	while read -r h; do
		[ -n "$h" ] && ! grep -q "$h" "$d/pac.log" 2>/dev/null && why="$why server never heard ${h#RECV };"
	done <<< "$(heard_of "$st" "$act")"
	# Then a new tunnel to the same server, against a server that answers.
	[ -f "$d/pac.log.pid" ] && kill -9 "$(cat "$d/pac.log.pid")" 2>/dev/null
	ip -n "$NS_SRV" addr add "$ip/24" dev "vs$SUF" 2>/dev/null
	if [ "$st" != resolving ]; then
		start_srv "$d/pac2.log" "$ip" --once
		local t2
		t2=$(date +%s.%N)
		in_cli "$FAKEPPP" --frames 2 --expect-echo --timeout 20 -- "$PPTP" "$ip" \
			"${OPTS[@]}" > "$d/after.log" 2>&1
		grep -q 'FAKEPPP RESULT ok' "$d/after.log" || why="$why no new tunnel afterwards;"
		t2=$(since "$t2")
		over "$t2" $NEW_MAX && why="$why the new tunnel took $t2 s;"
		kill -9 "$(cat "$d/pac2.log.pid")" 2>/dev/null
		for _ in $(seq 1 50); do [ -z "$(pptp_of "$ip")" ] && break; sleep 0.1; done
		leftovers "$ip"
	fi
	if [ -z "$why" ]; then echo "ok $t" > "$d/result"
	else echo "FAIL $t $why" > "$d/result"; fi
}

# A call manager whose first gateway never comes (it died between starting
# the call manager and asking for its call; the test build's hook makes the
# gateway do that): after 10 s (CALLMGR_FIRST_CLIENT_S) the call manager
# stops the control connection as the protocol asks, and leaves nothing.
nogw_case() {
	local ip=192.0.2.99 d=$WORK/nogw cm t0 t why=""
	mkdir -p "$d"
	ip -n "$NS_SRV" addr add "$ip/24" dev "vs$SUF"
	start_srv "$d/pac.log" "$ip" || why="no server;"
	t0=$(date +%s.%N)
	PPTP_TEST_VANISH_AFTER_CALLMGR=1 in_cli "$PPTP" "$ip" "${OPTS[@]}" < /dev/null > "$d/cli.log" 2>&1
	wait_for "RECV SCCRQ" "$d/pac.log" 5 || why="$why no SCCRQ;"
	cm=$(pptp_of "$ip")
	for _ in $(seq 1 160); do
		[ -z "$cm" ] && break
		alive "$cm" || break
		sleep 0.1
	done
	t=$(since "$t0")
	[ -n "$cm" ] && alive "$cm" && why="$why call manager still running;"
	grep -q "RECV STOPCCRQ" "$d/pac.log" || why="$why server never heard STOPCCRQ;"
	over "$t" $((10 + 3 + 2)) && why="$why over the bound of 15 s;"
	# The vanished gateway's status socket, which nobody could tidy, goes
	# when the next tunnel starts (this one, or any case's before it).
	local vgw
	vgw=$(sed -n 's/^pptp\[\([0-9]*\)\].*/\1/p' "$d/cli.log" | head -n 1)
	[ -n "$vgw" ] || why="$why the vanished gateway's pid not found;"
	in_cli "$FAKEPPP" --frames 2 --expect-echo --timeout 20 -- "$PPTP" "$ip" "${OPTS[@]}" \
		> "$d/after.log" 2>&1
	grep -q 'FAKEPPP RESULT ok' "$d/after.log" || why="$why no new tunnel afterwards;"
	[ -n "$vgw" ] && [ -e "/run/pptp-status/$vgw" ] && why="$why status socket of the vanished gateway left;"
	for _ in $(seq 1 50); do [ -z "$(pptp_of "$ip")" ] && break; sleep 0.1; done
	leftovers "$ip"
	kill -9 "$(cat "$d/pac.log.pid")" 2>/dev/null
	if [ -z "$why" ]; then echo "ok $t" > "$d/result"; else echo "FAIL $t $why" > "$d/result"; fi
}
nogw_case > "$WORK/nogw.out" 2>&1 &

# The longest cases first.
SIGS="TERM INT HUP"
CASES=""
for st in clearing stopping; do
	CASES="$CASES $st:silence $st:new"
	for s in $SIGS KILL; do CASES="$CASES $st:cm-$s"; done
	CASES="$CASES $st:rst"
done
for st in sccrq ocrq established; do CASES="$CASES $st:silence $st:rst"; done
for st in connecting sccrq ocrq established; do
	for s in $SIGS KILL; do CASES="$CASES $st:gw-$s $st:cm-$s"; done
done
for s in $SIGS KILL; do CASES="$CASES resolving:gw-$s"; done
[ -n "${STOPMX_ONLY:-}" ] && CASES=$STOPMX_ONLY

T0=$SECONDS
n=0
for c in $CASES; do
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "${STOPMX_JOBS:-12}" ]; do wait -n; done
	run_case $n "${c%%:*}" "${c#*:}" > "$WORK/c$n.out" 2>&1 &
	echo "$c" > "$WORK/case$n"
done
wait

echo "# stop matrix, $n cases in $((SECONDS - T0)) s: state, action, outcome and the seconds from"
echo "# the stop until every process had ended"
for i in $(seq 1 $n); do
	c=$(cat "$WORK/case$i")
	r=$(cat "$WORK/c$i/result" 2>/dev/null || echo "FAIL ? no result")
	printf '# %-12s %-9s %s\n' "${c%%:*}" "${c#*:}" "$r"
	case $r in
	ok*) ok "stop ${c%%:*} by ${c#*:}: ended in ${r#ok } s, nothing left, new tunnel at once" ;;
	*) not_ok "stop ${c%%:*} by ${c#*:}: ${r#FAIL }"
	   tail -n 8 "$WORK/c$i/cli.log" 2>/dev/null | sed 's/^/    | /' ;;
	esac
done
r=$(cat "$WORK/nogw/result" 2>/dev/null || echo "FAIL ? no result")
printf '# %-12s %-9s %s\n' sccrp no-gateway "$r"
case $r in
ok*) ok "no gateway ever asked: the call manager sent StopCCRQ and ended in ${r#ok } s, nothing left after the next tunnel" ;;
*) not_ok "no gateway ever asked: ${r#FAIL }"; sed 's/^/    | /' "$WORK/nogw.out" "$WORK/nogw/pac.log" | tail -n 12 ;;
esac
finish
