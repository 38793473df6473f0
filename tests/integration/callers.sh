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
keepalive on (the control)  | pty      | 0 | --idle-wait 1 SRV --nolaunchpppd
pppd options after --       | launch   | 0 | SRV -- name foo
abbreviated options         | pty      | 0 | SRV --nolaunch --nobuf
abbreviated, value after =  | pty      | 0 | SRV --nolaunch --idle=30 --max-echo=0
Cisco VPDN host name        | pty      | 0 | SRV --nolaunchpppd --client-hostname vpdn-client.example
'
# (--client-hostname is not in pptp 1.10.0, which refuses it: that line's
# outcome is ours.  Every other line starts the tunnel under pptp 1.10.0.)
#
# Each line's options are checked for their effect, an abbreviation for the
# effect of the long option it stands for (effects_of):
#   stdio      --nolaunchpppd: pptp starts no pppd, PPP on stdin/stdout
#   loglevelN  --loglevel N: which syslog levels appear (0: notices and up,
#              1: info too, 2: debug too)
#   logstring  --logstring: every syslog line carries it, none "anon"
#   nobuffer   --nobuffer: the server reorders; a late packet is dropped,
#              never held (rx under win > 0, rx lost = rx under win)
#   sync       --sync: the OCRQ asks for sync framing (2), frames unescaped
#   idle0      --idle-wait 0: -i0 in the socket name, and no Echo-Request
#              in 3.5 quiet seconds (where idle1 sees some)
#   idle1      --idle-wait 1: Echo-Requests in those 3.5 seconds
#   idle30     --idle-wait 30: the call manager's socket name has -i30
#   maxecho0   --max-echo-wait 0: the warning, and -e0 in the socket name
#   pppdargs   the words after -- reach pppd's argv
#   hostname   --client-hostname in the SCCRQ (else "local")
effects_of() {	# ARGS...: the effect names, one line
	local a e=""
	for a in "$@"; do
		case $a in
		--nolaunch*) e="$e stdio" ;;
		--nobuf*) e="$e nobuffer" ;;
		--sync) e="$e sync" ;;
		--idle=30|--idle-wait=30) e="$e idle30" ;;
		--max-echo=0|--max-echo-wait=0) e="$e maxecho0" ;;
		--) e="$e pppdargs" ;;
		--client-hostname) e="$e hostname" ;;
		esac
	done
	case " $* " in *" --loglevel 0 "*) e="$e loglevel0" ;; *" --loglevel 1 "*) e="$e loglevel1" ;;
		*" --loglevel 2 "*) e="$e loglevel2" ;; esac
	case " $* " in *" --logstring "*) e="$e logstring" ;; esac
	case " $* " in *" --idle-wait 0 "*) e="$e idle0" ;; *" --idle-wait 1 "*) e="$e idle1" ;; esac
	case $e in *hostname*) ;; *) e="$e hostname" ;; esac
	echo $e
}

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
	local n=$1 how=$2 fo=$3; shift 3
	local log=$WORK/c$n.log
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

# syslog records, one a line (the listener writes them back to back).
records() { sed 's/<\([0-9]\{1,3\}\)>/\n<\1>/g' "$1" | grep '^<'; }
# How many records of syslog priority PRI (facility daemon: 24 + level).
nrec() { records "$2" | grep -c "^<$1>"; }

# check_effect N WHO EFFECT: one effect of line N's options.
check_effect() {
	local n=$1 who=$2
	local sl=$WORK/c$n.syslog pac=$WORK/p$n.log
	case $3 in
	stdio)
		expect_grep "$who: --nolaunchpppd: PPP on stdin/stdout, no pppd started" \
			'starting: server [0-9.]+, PPP on stdin/stdout' "$sl" ;;
	loglevel0)
		expect_eq "$who: --loglevel 0: notices logged, no info or debug line" \
			"$(nrec 29 "$sl" | sed 's/^[1-9][0-9]*$/some/') $(nrec 30 "$sl") $(nrec 31 "$sl")" "some 0 0" ;;
	loglevel1)
		expect_eq "$who: --loglevel 1: info lines logged, no debug line" \
			"$(nrec 30 "$sl" | sed 's/^[1-9][0-9]*$/some/') $(nrec 31 "$sl")" "some 0" ;;
	loglevel2)
		num_is "$who: --loglevel 2: debug lines logged" "$(nrec 31 "$sl")" -gt 0 ;;
	logstring)
		expect_eq "$who: --logstring: every syslog line carries it" \
			"$(records "$sl" | grep -vc ': nm-pptp-service-4242 ')" 0 ;;
	nobuffer)
		num_is "$who: --nobuffer: late packets dropped (rx under win > 0)" \
			"$(gstat "$sl" "rx under win")" -gt 0
		num_is "$who: --nobuffer: none held for reordering (rx lost = rx under win)" \
			"$(gstat "$sl" "rx lost")" -eq "$(gstat "$sl" "rx under win")" ;;
	sync)
		expect_grep "$who: --sync: the OCRQ asks for synchronous framing" \
			'^RECV OCRQ .* framing=2 ' "$pac" ;;
	idle0)
		expect_grep "$who: --idle-wait 0 taken as 0 (socket name -i0)" \
			"^$SRV_IP-i0-n[0-9]+\$" "$WORK/s$n.ls"
		expect_eq "$who: --idle-wait 0: no Echo-Request in 3.5 quiet seconds" \
			"$(grep -c '^RECV ECHORQ' "$pac")" 0 ;;
	idle1)
		num_is "$who: --idle-wait 1: Echo-Requests in 3.5 quiet seconds" \
			"$(grep -c '^RECV ECHORQ' "$pac")" -ge 2 ;;
	idle30)
		expect_grep "$who: --idle=30 is --idle-wait 30 (socket name -i30)" \
			"^$SRV_IP-i30(-e[0-9]+)?-n[0-9]+\$" "$WORK/s$n.ls" ;;
	maxecho0)
		expect_grep "$who: --max-echo=0 is --max-echo-wait 0 (socket name -e0)" \
			"^$SRV_IP(-i[0-9]+)?-e0-n[0-9]+\$" "$WORK/s$n.ls"
		expect_grep "$who: a warning says how --max-echo-wait 0 differs" \
			'--max-echo-wait 0: an unanswered Echo-Request never ends the control connection \(pptp 1\.10\.0 ignores this option\)' \
			"$sl" ;;
	pppdargs)
		expect_grep "$who: pppd got the words after --" '^ARGS /dev/pts/[0-9]+ nodetach name foo$' \
			"$WORK/c$n.log" ;;
	hostname)
		case " $4 " in
		*" --client-hostname "*)
			expect_grep "$who: the SCCRQ carries the host name" \
				'^RECV SCCRQ .* host="vpdn-client\.example"' "$pac"
			expect_grep "$who: the call manager's socket name carries its hash" \
				"^$SRV_IP-h$(fnv1a32 vpdn-client.example)-n[0-9]+\$" "$WORK/s$n.ls" ;;
		*)
			expect_grep "$who: the SCCRQ carries the host name local, as the classic's" \
				'^RECV SCCRQ .* host="local" ' "$pac" ;;
		esac ;;
	*)
		not_ok "$who: no check for effect $3" ;;
	esac
}

n=0
TABLE=()
while IFS='|' read -r who how want args; do
	[ -n "${who// }" ] || continue
	n=$((n + 1))
	who=$(echo $who) how=$(echo $how) want=$(echo $want) args=$(echo $args)
	shown="pptp ${args//SRV/$SRV_IP}"
	# shellcheck disable=SC2086
	eff=$(effects_of $args)
	fo="--frames 30 --rate 30 --expect-echo --no-wait-link" po=""
	# --nobuffer drops what comes late: the server reorders, pppd may miss
	# those.  The keepalive is seen on a line quiet for 3.5 s.
	case " $eff " in *" nobuffer "*) fo="$fo --max-missing 20 --echo-timeout 0.5" po="--gre-reorder 5" ;; esac
	case " $eff " in *" idle"[01]" "*) fo="$fo --hold 3.5" ;; esac
	failed0=$FAILED
	# shellcheck disable=SC2086
	start_pacsrv "p$n.log" $po
	# Socket names while the tunnel runs (the call manager's options).
	( for _ in $(seq 1 80); do ls /run/pptp/ 2>/dev/null; sleep 0.1; done ) > "$WORK/s$n.ls" &
	lister=$!
	logged=$(stat -c %s "$WORK/syslog")
	# shellcheck disable=SC2086
	run_case "$n" "$how" "$fo" ${args//SRV/$SRV_IP}
	kill "$lister" 2>/dev/null
	wait "$lister" 2>/dev/null
	# The server ends with the control connection (--once): the call
	# manager's last lines are then all in.
	for _ in $(seq 1 60); do kill -0 "$PAC_PID" 2>/dev/null || break; sleep 0.05; done
	stop_pacsrv
	# The listener writes what it received a moment later on a busy
	# machine: wait until the file stops growing (at most 3 s).
	for _ in $(seq 1 15); do
		sz=$(stat -c %s "$WORK/syslog"); sleep 0.2
		[ "$(stat -c %s "$WORK/syslog")" = "$sz" ] && break
	done
	tail -c +$((logged + 1)) "$WORK/syslog" > "$WORK/c$n.syslog"
	got=$(child_exit "$WORK/c$n.log")
	expect_eq "$who: $shown: exit status $want" "$got" "$want"
	expect_grep "$who: the tunnel carried every frame" '^FAKEPPP RESULT ok' "$WORK/c$n.log"
	for e in $eff; do check_effect "$n" "$who" "$e" "$args"; done
	check "$who: nothing of pptp left" no_pptp_left 1
	verdict=ok
	[ "$FAILED" -ne "$failed0" ] && verdict=FAIL
	TABLE+=("$(printf '%-27s | %-8s | %-4s | %-72s | %s: %s' "$who" "$how" "${got:-?}" "$shown" \
		"${eff// /, }" "$verdict")")
done <<< "$CORPUS"

echo "# the caller corpus (exit: what pptp returned; effects: what each line's options were checked to do)"
printf '# %-27s | %-8s | %-4s | %-72s | %s\n' caller mode exit "command line" "effects checked"
for row in "${TABLE[@]}"; do echo "# $row"; done

finish
