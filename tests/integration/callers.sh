#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# callers.sh - the command lines real callers give the classic pptp, each
# run against the project's test server: the outcome must be the one the
# classic pptp 1.10.0 has with it (the tunnel carries frames; the exit
# status).  pppd is played by tests/fakeppp: as pppd's pty program (pty),
# the same with --sync frames over a socket pair (pty-sync: this kernel has
# no n_hdlc for a synchronous pty), or as the pppd pptp starts (launch).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/grelib.sh"

# who | pppd | exit | the arguments after "pptp" (SRV: the test server)
CORPUS='
NetworkManager, loglevel 0  | pty      | 0 | SRV --nolaunchpppd --loglevel 0 --logstring nm-pptp-service-4242
NetworkManager, loglevel 1  | pty      | 0 | SRV --nolaunchpppd --loglevel 1 --logstring nm-pptp-service-4242
NetworkManager, loglevel 2  | pty      | 0 | SRV --nolaunchpppd --loglevel 2 --logstring nm-pptp-service-4242
OpenWrt                     | pty      | 0 | SRV --nolaunchpppd --nobuffer
router firmware             | pty-sync | 0 | --idle-wait 0 SRV --nolaunchpppd --nobuffer --sync
pppd options after --       | launch   | 0 | SRV -- name foo
abbreviated options         | pty      | 0 | SRV --nolaunch --nobuf
abbreviated, value after =  | pty      | 0 | SRV --nolaunch --idle=30 --max-echo=0
Cisco VPDN host name        | pty      | 0 | SRV --nolaunchpppd --client-hostname vpdn-client.example
'
# (--client-hostname is not in pptp 1.10.0, which refuses it: that line's
# outcome is ours.  Every other line starts the tunnel under pptp 1.10.0.)

mkdir -p "$WORK/bin"
ln -s "$FAKEPPP" "$WORK/bin/pppd"
syslog_start

# The 32-bit FNV-1a of a string, as eight hex digits: the call manager's
# socket name carries a --client-hostname so.
fnv1a32() {
	local h=2166136261 i c
	for ((i = 0; i < ${#1}; i++)); do
		printf -v c '%d' "'${1:i:1}"
		h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
	done
	printf '%08x' "$h"
}

# run_case N PPPD ARGS...: one line of the table; the log is $WORK/cN.log,
# fakeppp's report in it (pty) or in $WORK/cN.pppd (launch).
run_case() {
	local n=$1 how=$2; shift 2
	local log=$WORK/c$n.log fo="--frames 30 --rate 30 --expect-echo --no-wait-link"
	case $how in
	pty)
		in_cli "${DEVLOG[@]}" timeout 60 "$FAKEPPP" $fo -- "$PPTP" "$@" > "$log" 2>&1 ;;
	pty-sync)
		in_cli "${DEVLOG[@]}" timeout 60 "$FAKEPPP" $fo --sync --socketpair --allow-merged \
			-- "$PPTP" "$@" > "$log" 2>&1 ;;
	launch)
		# Without --debug pptp returns once pppd runs, which then
		# finishes its frames in the background.
		in_cli "${DEVLOG[@]}" env PATH="$WORK/bin:$PATH" FAKEPPP_OPTS="$fo" \
			FAKEPPP_LOG="$WORK/c$n.pppd" timeout 60 "$PPTP" "$@" > "$log" 2>&1
		local st=$?
		wait_for '^FAKEPPP RESULT' "$WORK/c$n.pppd" 30
		echo "CHILD exit=$st" >> "$log"
		cat "$WORK/c$n.pppd" >> "$log" ;;
	esac
}

echo "# the corpus:"
sed -n 's/^\([^#].*|.*\)$/#   \1/p' <<< "$CORPUS"
n=0
while IFS='|' read -r who how want args; do
	[ -n "${who// }" ] || continue
	n=$((n + 1))
	who=$(echo $who) how=$(echo $how) want=$(echo $want) args=$(echo $args)
	shown="pptp ${args//SRV/$SRV_IP}"
	start_pacsrv "p$n.log"
	# Socket names while the tunnel runs (the call manager's options).
	( for _ in $(seq 1 60); do ls /run/pptp/ 2>/dev/null; sleep 0.1; done ) > "$WORK/s$n.ls" &
	lister=$!
	logged=$(stat -c %s "$WORK/syslog")
	# shellcheck disable=SC2086
	run_case "$n" "$how" ${args//SRV/$SRV_IP}
	kill "$lister" 2>/dev/null
	wait "$lister" 2>/dev/null
	stop_pacsrv
	sleep 0.2
	tail -c +$((logged + 1)) "$WORK/syslog" > "$WORK/c$n.syslog"
	expect_eq "$who: $shown: exit status $want" "$(child_exit "$WORK/c$n.log")" "$want"
	expect_grep "$who: the tunnel carried every frame" '^FAKEPPP RESULT ok' "$WORK/c$n.log"
	case $args in
	*--logstring*)
		expect_grep "$who: syslog lines carry the --logstring" 'nm-pptp-service-4242' \
			"$WORK/c$n.syslog" ;;
	esac
	case $args in
	*--max-echo=0*)
		expect_grep "$who: a warning says how --max-echo-wait 0 differs" \
			'--max-echo-wait 0: an unanswered Echo-Request never ends the control connection \(pptp 1\.10\.0 ignores this option\)' \
			"$WORK/c$n.syslog" ;;
	esac
	case $args in
	*--client-hostname*)
		expect_grep "$who: the SCCRQ carries the host name" \
			'^RECV SCCRQ .* host="vpdn-client\.example"' "$WORK/p$n.log"
		expect_grep "$who: the call manager's socket name carries its hash" \
			"^$SRV_IP-h$(fnv1a32 vpdn-client.example)-n[0-9]+\$" "$WORK/s$n.ls" ;;
	*)
		expect_grep "$who: the SCCRQ carries the host name local, as the classic's" \
			'^RECV SCCRQ .* host="local" ' "$WORK/p$n.log" ;;
	esac
	case $how in
	launch)
		expect_grep "$who: pppd got the words after --" '^ARGS /dev/pts/[0-9]+ nodetach name foo$' \
			"$WORK/c$n.log" ;;
	esac
	check "$who: nothing of pptp left" no_pptp_left 1
done <<< "$CORPUS"

# --idle-wait 0 as the router firmware gives it: no Echo-Request however
# long the line is quiet (as pptp 1.10.0), where 1 sends one a second.
for iw in 1 0; do
	start_pacsrv "echo$iw.log"
	in_cli timeout 60 "$FAKEPPP" --frames 5 --expect-echo --no-wait-link --hold 3.5 -- \
		"$PPTP" --idle-wait $iw $SRV_IP --nolaunchpppd --nobuffer > "$WORK/echo$iw.cli" 2>&1
	stop_pacsrv
	echoes[$iw]=$(grep -c '^RECV ECHORQ' "$WORK/echo$iw.log")
done
num_is "--idle-wait 1: Echo-Requests during 3.5 quiet seconds" "${echoes[1]}" -ge 2
expect_eq "--idle-wait 0: no Echo-Request during 3.5 quiet seconds" "${echoes[0]}" 0

finish
