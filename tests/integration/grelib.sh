# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# grelib.sh - helpers for the data-plane and hostile-server suites (sourced
# after lib.sh): the gateway's statistics, its process, its memory, and the
# GRE injector tests/gresend.

GRESEND=${GRESEND:-$B/gresend}

# Build gresend if the Makefile did not (it has no rule of its own yet).
need_gresend() {
	[ -x "$GRESEND" ] && [ ! "$TOP/tests/gresend.c" -nt "$GRESEND" ] && return 0
	make -C "$TOP" --no-print-directory B="$B" "$GRESEND" >/dev/null
}

# gstat FILE NAME: counter NAME ("rx accepted", "round trip", ...) from the
# last "GRE statistics" line in FILE; empty when there is none.
gstat() {
	grep -E 'GRE statistics \(call [0-9]+/[0-9]+\): ' "$1" 2>/dev/null | tail -n 1 |
		sed -n "s/.*[:,] $2 \([0-9][0-9]*\)\( ms\)\{0,1\}\(,.*\)\{0,1\}$/\1/p"
}

# gstat_n FILE N NAME: the same from the Nth statistics line.
gstat_n() {
	grep -E 'GRE statistics \(call [0-9]+/[0-9]+\): ' "$1" 2>/dev/null | sed -n "${2}p" |
		sed -n "s/.*[:,] $3 \([0-9][0-9]*\)\( ms\)\{0,1\}\(,.*\)\{0,1\}$/\1/p"
}

# num_is DESC GOT OP WANT: a numeric comparison that fails on an empty value.
num_is() {
	local d=$1 got=$2 op=$3 want=$4
	if [[ "$got" =~ ^-?[0-9]+$ && "$want" =~ ^-?[0-9]+$ ]] && test "$got" "$op" "$want"; then
		ok "$d"
	else
		not_ok "$d (got '$got', want $op '$want')"
	fi
}

# add N...: the sum, or nothing when one of them is not a number (so that a
# check built on it fails instead of the shell aborting the command).
add() {
	local t=0 v
	for v in "$@"; do [[ "$v" =~ ^[0-9]+$ ]] || return 0; t=$((t + v)); done
	echo "$t"
}
# sub A B: A - B, or nothing (as add)
sub() { [[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]] && echo $(($1 - $2)); }

# pacsrv's own counters: pac_detail FILE NAME (from "GRE DETAIL"/"GRE SUMMARY").
pac_detail() {
	grep -E '^GRE (DETAIL|SUMMARY) ' "$1" | tr ' ' '\n' | sed -n "s/^$2=\([0-9]*\)$/\1/p" | tail -n 1
}

# fakeppp's line about server-made frames: fp_srv FILE FIELD
fp_srv() { sed -n "s/^FAKEPPP server .*\b$2=\(-\{0,1\}[0-9]*\).*/\1/p" "$1" | tail -n 1; }
# fakeppp's main report: fp_main FILE FIELD
fp_main() { sed -n "s/^FAKEPPP sent=.*\b$2=\([0-9]*\).*/\1/p" "$1" | tail -n 1; }

# pptp processes in the client namespace [for server ADDR]: the gateway is
# the one whose parent is fakeppp (it plays pppd); the call manager is the
# other one (it keeps the command line of the pptp that started it).
_pptp_pids() { _pptp_live "$@"; }
_parent_comm() { cat "/proc/$(awk '{print $4}' "/proc/$1/stat" 2>/dev/null)/comm" 2>/dev/null; }
# gateway_pid [ADDR], callmgr_pid [ADDR]: ADDR defaults to $SRV_IP
gateway_pid() {
	local p
	for p in $(_pptp_pids "${1:-$SRV_IP}"); do [ "$(_parent_comm "$p")" = fakeppp ] && { echo "$p"; return 0; }; done
	return 1
}
callmgr_pid() {
	local p
	for p in $(_pptp_pids "${1:-$SRV_IP}"); do [ "$(_parent_comm "$p")" != fakeppp ] && { echo "$p"; return 0; }; done
	return 1
}
# wait_pid_of FUNC [SECONDS]: poll until FUNC prints a pid
wait_pid_of() {
	local p
	for _ in $(seq 1 $(( ${2:-10} * 20 ))); do p=$($1) && [ -n "$p" ] && { echo "$p"; return 0; }; sleep 0.05; done
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
fd_count() { local f n=0; [ -d "/proc/$1/fd" ] || return 0; for f in /proc/"$1"/fd/*; do [ -e "$f" ] || [ -L "$f" ] && n=$((n + 1)); done; echo "$n"; }

# noquarantine COMMAND...: COMMAND (a function too) for a run that measures
# the gateway's memory.  Under AddressSanitizer freed blocks wait in its
# quarantine (256 MB) before reuse, and count in the RSS as if the gateway
# still held them: such a run goes without it, so that the RSS is what the
# gateway holds (plus redzones).  Other builds ignore ASAN_OPTIONS.
noquarantine() {
	ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" "$@"
}

# client_bg LOGNAME "FAKEPPP OPTS" PPTP ARGS...: client in the background, CPID
client_bg() {
	client "$@" &
	CPID=$!
	BG_PIDS="$BG_PIDS $CPID"
}

# The client's call ID, as the server saw it ("CALL UP ... peer_call_id=N").
peer_call_id() { sed -n 's/^CALL UP call_id=[0-9]* peer_call_id=\([0-9]*\).*/\1/p' "$1" | head -n 1; }

# elapsed time helpers (milliseconds)
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# no_pptp_for ADDR [SLEEP]: no pptp for server ADDR left in the client
# namespace (other servers' tunnels may run meanwhile), and no pptp zombie.
no_pptp_for() {
	sleep "${2:-0.3}"
	no_pptp_of "$1"
}

# pac_at VAR ADDR LOGNAME ARGS...: another pacsrv, on ADDR (added to the
# server's side of the link), in the background; its pid goes in $VAR.
pac_at() {
	local var=$1 addr=$2 log=$WORK/$3
	shift 3
	ip -n "$NS_SRV" addr add "$addr/24" dev "vs$SUF" 2>/dev/null
	ip netns exec "$NS_SRV" "$PACSRV" --listen "$addr" --once --timeout 60 "$@" > "$log" 2>&1 &
	eval "$var=$!"
	BG_PIDS="$BG_PIDS $!"
	wait_for '^LISTEN' "$log" 3
}

# client_at ADDR LOGNAME "FAKEPPP OPTS" PPTP ARGS...: client() towards ADDR
client_at() {
	local addr=$1 log=$WORK/$2 fopts=$3
	shift 3
	# shellcheck disable=SC2086
	in_cli timeout 120 "$FAKEPPP" $fopts -- "$PPTP" "$addr" --nolaunchpppd --debug "$@" > "$log" 2>&1
}
