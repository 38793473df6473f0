# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared by the integration tests (sourced, bash).
#
# Each test script gets its own pair of network namespaces joined by a veth:
#   srv: 192.0.2.1 (the project's PAC-side test server, tests/pacsrv)
#   cli: 192.0.2.2 (the client under test)
# and cleans them up on exit.  Results: "ok - ..." / "not ok - ..." lines,
# then "N passed, N failed"; the exit status is non-zero on any failure.

set -u
TOP=$(CDPATH= cd -P -- "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-$TOP/build}
# The test build (make builds it): the local checks read PPTP_TEST_SYSROOT.
PPTP=${PPTP:-$B/test/pptp}
PACSRV=${PACSRV:-$B/pacsrv}
FAKEPPP=${FAKEPPP:-$B/fakeppp}
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
SUF=$$
NS_SRV=psrv$SUF
NS_CLI=pcli$SUF
WORK=$(mktemp -d /tmp/pptp-it.XXXXXX)
PASSED=0
FAILED=0
BG_PIDS=""

# This machine has no PPP (no /dev/ppp, no kernel modules).  The local
# checks of --diagnose and of a pptp that launches pppd (localcheck.c) read
# their paths under PPTP_TEST_SYSROOT instead (a variable of the test build
# only, build/test/pptp; the release ./pptp ignores it):
# here a stand-in of a machine that has it all.  A test of the checks
# themselves gives its own, or unsets it to see this machine as it is.
mkdir -p "$WORK/sysroot/dev" "$WORK/sysroot/proc/tty"
: > "$WORK/sysroot/dev/ppp"
printf 'n_tty 0\nppp 3\nn_hdlc 13\n' > "$WORK/sysroot/proc/tty/ldiscs"
printf 'ppp_mppe 16384 0 - Live 0x0000000000000000\n' > "$WORK/sysroot/proc/modules"
export PPTP_TEST_SYSROOT=$WORK/sysroot

# Sanitizer builds (PPTP=build/asan/pptp) write their reports into the work
# dir, one file per process, rather than onto stderr where no check may look
# (AddressSanitizer and LeakSanitizer; gcc's UBSan keeps to stderr, see
# sanitizer_reports); finish() fails on any.  The call manager runs its
# leak check itself before _exit (see callmgr_client.c).  Other builds
# ignore these.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/asan:abort_on_error=0:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$WORK/ubsan:print_stacktrace=1"

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# expect_grep DESCRIPTION PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3"; then ok "$1"; else not_ok "$1 (no /$2/ in $(basename "$3"))"; sed 's/^/    | /' "$3" | tail -25; fi
}
# expect_no_grep DESCRIPTION PATTERN FILE: a file that is not there fails
# (it proves nothing was written, not that nothing was said).
expect_no_grep() {
	if [ ! -r "$3" ]; then not_ok "$1 (no file $3)"; return; fi
	if ! grep -qE -- "$2" "$3"; then ok "$1"; else not_ok "$1 (found /$2/ in $(basename "$3"))"; grep -E -- "$2" "$3" | sed 's/^/    | /' | head; fi
}
# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}

ns_up() {
	ip netns add "$NS_SRV"
	ip netns add "$NS_CLI"
	ip link add "vs$SUF" type veth peer name "vc$SUF"
	ip link set "vs$SUF" netns "$NS_SRV"
	ip link set "vc$SUF" netns "$NS_CLI"
	ip -n "$NS_SRV" addr add $SRV_IP/24 dev "vs$SUF"
	ip -n "$NS_CLI" addr add $CLI_IP/24 dev "vc$SUF"
	for n in "$NS_SRV" "$NS_CLI"; do
		ip -n "$n" link set lo up
	done
	ip -n "$NS_SRV" link set "vs$SUF" up
	ip -n "$NS_CLI" link set "vc$SUF" up
}

ns_down() {
	local ino
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	# Our client namespace's call manager sockets only: their names end in
	# the namespace's inode, so parallel runs keep theirs.
	ino=$(stat -L -c %i "/run/netns/$NS_CLI" 2>/dev/null)
	# Anything still running in our namespaces goes with them.
	for n in "$NS_SRV" "$NS_CLI" ${NS_EXTRA:-}; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$ino" ] && rm -f /run/pptp/*-n"$ino" /run/pptp/*-n"$ino".lock \
		/run/pptp/*-n"$ino".route 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}

# Sanitizer reports of the run, each a failure naming its file (the work
# dir is then kept, so the file stays there to read): the report files, and
# reports that went to a log instead (gcc's UBSan next to ASan ignores
# log_path and writes to stderr, which is the client's log).  Processes
# still exiting (a call manager's leak check) get a few seconds first.
SAN_RE='runtime error: |^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|^SUMMARY: [A-Za-z]+Sanitizer'
sanitizer_reports() {
	local f
	for _ in $(seq 1 50); do
		[ -z "$(_pptp_live)" ] && break
		sleep 0.1
	done
	for f in "$WORK"/*; do
		[ -f "$f" ] || continue
		[ -s "$f" ] || continue
		case ${f##*/} in
		asan.*|ubsan.*)
			not_ok "sanitizer report: $f"
			grep -v '^ *$' "$f" | head -n 12 | sed 's/^/    | /' ;;
		*)
			grep -qE -- "$SAN_RE" "$f" || continue
			not_ok "sanitizer report: $f"
			grep -m 1 -A 11 -E -- "$SAN_RE" "$f" | sed 's/^/    | /' ;;
		esac
		KEEP=1
	done
}

finish() {
	sanitizer_reports
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

# start_pacsrv LOGNAME ARGS...: the test server in srv, in the background
start_pacsrv() {
	local log=$WORK/$1; shift
	# ip netns exec execs pacsrv, so $! is pacsrv itself (a backgrounded
	# shell function would be a subshell that signals do not reach).
	ip netns exec "$NS_SRV" "$PACSRV" --once --timeout 60 "$@" > "$log" 2>&1 &
	PAC_PID=$!
	BG_PIDS="$BG_PIDS $PAC_PID"
	for _ in $(seq 1 50); do grep -q LISTEN "$log" 2>/dev/null && return 0; sleep 0.05; done
	echo "pacsrv did not start"; cat "$log"; return 1
}

stop_pacsrv() {
	kill "$PAC_PID" 2>/dev/null
	wait "$PAC_PID" 2>/dev/null
}

# pppd-mode client: fakeppp runs "pptp SRV --nolaunchpppd ARGS" on a pty,
# as pppd's pty option would.  Usage: client LOGNAME "FAKEPPP OPTS" PPTP ARGS...
client() {
	local log=$WORK/$1 fopts=$2; shift 2
	# shellcheck disable=SC2086
	in_cli timeout 120 "$FAKEPPP" $fopts -- "$PPTP" $SRV_IP --nolaunchpppd --debug "$@" > "$log" 2>&1
}

# The exit status pptp itself had, as fakeppp reported it.
child_exit() { sed -n 's/^CHILD exit=\([0-9]*\).*/\1/p' "$1" | tail -n 1; }

# wait_for PATTERN FILE [SECONDS]
wait_for() {
	local t=$(( ${3:-10} * 20 ))
	for _ in $(seq 1 $t); do grep -qE -- "$1" "$2" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

# _pptp_live [ADDR]: live pptp processes in the client namespace [for
# server ADDR], by their command line: "pptpgw SERVER ..." for a gateway,
# "pptpcm SERVER [ADDRESS]" for a call manager, and the command line it was
# started with for a pptp that is not yet either.
_pptp_live() {
	local p
	for p in $(ip netns pids "$NS_CLI" 2>/dev/null); do
		{ tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null |
			grep -qE "^($PPTP|pptpgw|pptpcm) ${1:+$1 }" && echo "$p"
	done
}

# _pptp_zombies: pptp processes that exited and that nobody reaped, among
# the children of the client namespace's processes and of this script.  A
# zombie has no command line and no namespace any more (ip netns pids does
# not list it): it is found by its parent, its name and its state.
_pptp_zombies() {
	local parents f line comm rest name
	name=${PPTP##*/}
	name=" ${name:0:15} pptpgw pptpcm "
	parents=" $$ $(ip netns pids "$NS_CLI" 2>/dev/null | tr '\n' ' ') "
	for f in /proc/[0-9]*/stat; do
		{ read -r line < "$f"; } 2>/dev/null || continue
		comm=${line#*(}; comm=${comm%)*}
		rest=${line##*) }
		# shellcheck disable=SC2086
		set -- $rest
		[ "$1" = Z ] && [[ "$name" == *" $comm "* ]] && [[ "$parents" == *" $2 "* ]] &&
			echo "${f//[^0-9]/}"
	done
}

# no_pptp_of [ADDR]: nothing of pptp left [for server ADDR]: no live
# process, no zombie (of any server: a zombie no longer says which).  Each
# one left is named on a "#" line.
no_pptp_of() {
	local p z left=""
	for p in $(_pptp_live "$@"); do left="$left $p"; done
	# One being reaped this very moment is not a leak: a zombie counts
	# when it is still there a second later.
	z=$(_pptp_zombies)
	[ -n "$z" ] && { sleep 1; z=$(echo "$z" | grep -Fxf <(_pptp_zombies)); }
	for p in $z; do
		echo "# pptp zombie: pid $p, parent $(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)"
		left="$left $p"
	done
	[ -z "$left" ] && return 0
	echo "# pptp left:$left"
	return 1
}

# No pptp process may be left in the client namespace (after SLEEP s).
no_pptp_left() {
	sleep "${1:-0.3}"
	no_pptp_of
}

# How many call manager sockets of the client namespace exist (0 or 1).
sockets_left() {
	ls /run/pptp/ 2>/dev/null | grep -c "^$SRV_IP-n$(in_cli stat -L -c %i /proc/self/ns/net)$"
}

# nftables in the test namespaces (tests/deps.sh installs nft; the kernel
# may still lack it): nft_ok, set below, says whether rules can be made.
# nft_rule NS HOOK MATCH... VERDICT: one filter rule in that namespace
nft_rule() {
	local ns=$1 hook=$2; shift 2
	ip netns exec "$ns" nft list table inet ptest >/dev/null 2>&1 ||
		ip netns exec "$ns" nft add table inet ptest || return 1
	ip netns exec "$ns" nft add chain inet ptest "$hook" \
		"{ type filter hook $hook priority 0; policy accept; }" 2>/dev/null
	ip netns exec "$ns" nft add rule inet ptest "$hook" "$@"
}
# nft_drop NS HOOK MATCH: drop matching packets in that namespace
# shellcheck disable=SC2086
nft_drop() { nft_rule "$1" "$2" $3 drop; }
nft_clear() { ip netns exec "$1" nft delete table inet ptest 2>/dev/null; }
# A machine with a syslog daemon: syslog_start listens on a datagram socket
# (what arrives lands in $WORK/syslog, datagrams without newlines), and
# "${DEVLOG[@]}" CMD... runs CMD in a private mount namespace whose /dev is
# a copy of the real one plus "log", that socket.  (/dev/log is missing on
# this test machine, and glibc's syslog behaves differently without it.)
DEVLOG_SH='sock=$1 real=$2; shift 2
mkdir -p "$real" && mount --rbind /dev "$real" && mount -t tmpfs -o mode=755 devlog /dev ||
	exit 125
for f in "$real"/* "$real"/.[!.]*; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	n=/dev/${f##*/}
	# ptmx finds its devpts through the directory it is in: a node of its own.
	if [ "$n" = /dev/ptmx ]; then mknod -m 666 "$n" c 5 2
	elif [ -L "$f" ]; then cp -P "$f" "$n"
	elif [ -d "$f" ]; then mkdir "$n" && mount --rbind "$f" "$n"
	else touch "$n" && mount --bind "$f" "$n"; fi || exit 125
done
touch /dev/log && mount --bind "$sock" /dev/log || exit 125
exec "$@"'
DEVLOG=(unshare -m sh -c "$DEVLOG_SH" devlog "$WORK/syslog.sock" "$WORK/realdev")
syslog_start() {
	socat -u UNIX-RECV:"$WORK/syslog.sock" OPEN:"$WORK/syslog",creat,append > /dev/null 2>&1 &
	SYSLOG_PID=$!
	BG_PIDS="$BG_PIDS $SYSLOG_PID"
	for _ in $(seq 1 40); do [ -S "$WORK/syslog.sock" ] && return 0; sleep 0.05; done
	echo "the syslog listener did not start"; return 1
}

trap ns_down EXIT
ns_up
nft_ok=false
command -v nft >/dev/null && in_cli nft list ruleset >/dev/null 2>&1 && nft_ok=true
