#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - the program as a user first meets it: --help, --version, every
# option of the manual, usage errors and their exit status, pppd options
# under --nolaunchpppd, --nohostroute, --localbind, Ctrl-C while a background
# start is dialling, a start with stderr closed, and `make install`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/grelib.sh"

# The options of the classic client's manual, and ours beyond it.
CLASSIC="--phone --nolaunchpppd --quirks --debug --sync --timeout --nobuffer --idle-wait
	--max-echo-wait --logstring --localbind --rtmark --nohostroute --loglevel --test-type
	--test-rate --missing-window --version --help"
OURS="--connect-timeout --diagnose --status --json --client-hostname"

# 1. --help: exit 0, on stdout, every option named.
"$PPTP" --help > "$WORK/help.out" 2> "$WORK/help.err"
expect_eq "--help: exit status 0" "$?" 0
expect_eq "--help: nothing on stderr" "$(wc -c < "$WORK/help.err")" 0
missing=""
for o in $CLASSIC $OURS; do grep -q -- "$o\b" "$WORK/help.out" || missing="$missing $o"; done
expect_eq "--help: names every option" "${missing:-none}" none

# 2. The manual page documents every option.
MANWIDTH=200 man -l "$TOP/pptp.8" 2>/dev/null > "$WORK/man.txt"
missing=""
for o in $CLASSIC $OURS; do grep -q -- "$o\b" "$WORK/man.txt" || missing="$missing $o"; done
expect_eq "pptp.8: documents every option" "${missing:-none}" none
expect_grep "pptp.8: has an EXIT STATUS section" '^EXIT STATUS' "$WORK/man.txt"

# 3. --version
"$PPTP" --version > "$WORK/version.out" 2>&1
expect_eq "--version: exit status 0" "$?" 0
expect_grep "--version: says the version" '^pptp version [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/version.out"

# 4. Usage errors: exit status 2, the option named, one hint, nothing started.
usage_case() {	# DESCRIPTION PATTERN ARGS...
	local d=$1 pat=$2; shift 2
	"$PPTP" "$@" > "$WORK/usage.out" 2> "$WORK/usage.err"
	expect_eq "$d: exit status 2" "$?" 2
	expect_grep "$d: says why" "$pat" "$WORK/usage.err"
	expect_eq "$d: points at --help once" "$(grep -c -- '--help' "$WORK/usage.err")" 1
	expect_eq "$d: nothing on stdout" "$(wc -c < "$WORK/usage.out")" 0
}
usage_case "no arguments" "no server given" 
usage_case "unknown option" "--frobnicate" $SRV_IP --frobnicate
usage_case "--timeout out of range" "--timeout.*0\.01.*10" $SRV_IP --timeout 11
usage_case "--loglevel out of range" "--loglevel.*0.*2" $SRV_IP --loglevel 3
usage_case "ambiguous prefix" "'--no' is ambiguous: it could be --nolaunchpppd, --nobuffer, --nohostroute" $SRV_IP --no
usage_case "--client-hostname too long" "--client-hostname.*64" $SRV_IP --client-hostname "$(printf '%065d' 0)"
usage_case "--quirks unknown" "BEZEQ_ISRAEL" $SRV_IP --quirks ACME
usage_case "--localbind not an address" "--localbind" $SRV_IP --localbind nowhere
usage_case "--idle-wait not a number" "--idle-wait" $SRV_IP --idle-wait soon
usage_case "an option without its value" "--phone" $SRV_IP --phone
check "usage errors: no pptp process left" no_pptp_left

# 5. A name that does not resolve: exit status 3, in words.
in_cli "$PPTP" no-such-host.invalid --nolaunchpppd --debug < /dev/null > "$WORK/resolve.log" 2>&1
expect_eq "unresolvable name: exit status 3" "$?" 3
expect_grep "unresolvable name: said in words" "no-such-host\.invalid" "$WORK/resolve.log"
# Errors reach stderr even when it is a pipe or a file and no --debug is
# given (pppd copies a pty program's stderr into its log; a machine without
# a syslog daemon has nothing else); notices do not.
in_cli "$PPTP" no-such-host.invalid --nolaunchpppd < /dev/null 2>&1 | cat > "$WORK/resolve-pipe.log"
expect_grep "unresolvable name, stderr a pipe: the error line is there" \
	"^pptp\[[0-9]+\] error: .*no-such-host\.invalid" "$WORK/resolve-pipe.log"
expect_no_grep "unresolvable name, stderr a pipe: no notice lines" " notice: " "$WORK/resolve-pipe.log"
in_cli "$PPTP" 127.0.0.1 name alice < /dev/null > /dev/null 2> "$WORK/refused.err"
expect_eq "refused, stderr a file: exit status 4" "$?" 4
expect_grep "refused, stderr a file: the error line is there" \
	"^pptp\[[0-9]+\] error: .*refused" "$WORK/refused.err"

# A user who is not root is told so first, with exit status 1: for a tunnel,
# under --nolaunchpppd and for --diagnose (--status needs no root).
for args in "$SRV_IP" "$SRV_IP --nolaunchpppd" "--diagnose $SRV_IP"; do
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PPTP" $args < /dev/null \
		> "$WORK/nonroot.out" 2>&1
	expect_eq "not root (pptp $args): exit status 1" "$?" 1
	expect_grep "not root (pptp $args): says it needs root" "error: .*pptp needs root" "$WORK/nonroot.out"
	expect_eq "not root (pptp $args): one line, nothing before it" "$(wc -l < "$WORK/nonroot.out")" 1
done
setpriv --reuid=65534 --regid=65534 --clear-groups "$PPTP" --status > "$WORK/nonroot.out" 2>&1
expect_eq "not root: --status still works (exit 0)" "$?" 0

# As root, pppd is never taken from a relative PATH entry nor from a place
# another user can write: the one refused is named, with why, and the
# next safe one is used (here, the ppp package's).
mkdir -p "$WORK/evilbin" "$WORK/relbin"
chmod 0777 "$WORK/evilbin"
printf '#!/bin/sh\ntouch "%s/evil-ran"\n' "$WORK" > "$WORK/evilbin/pppd"
cp "$WORK/evilbin/pppd" "$WORK/relbin/pppd"
chmod 0755 "$WORK/evilbin/pppd" "$WORK/relbin/pppd"
(cd "$WORK" && in_cli env PATH="$WORK/evilbin:/usr/sbin:/usr/bin:/bin" "$PPTP" 127.0.0.1 --debug \
	< /dev/null > "$WORK/evil.log" 2>&1)
expect_grep "pppd in a directory others can write: refused, and why" \
	"warning: .*refusing $WORK/evilbin/pppd: $WORK/evilbin can be written by other users \\(mode 0777\\); using /" \
	"$WORK/evil.log"
(cd "$WORK" && in_cli env PATH="relbin:/usr/sbin:/usr/bin:/bin" "$PPTP" 127.0.0.1 --debug \
	< /dev/null > "$WORK/rel.log" 2>&1)
expect_grep "pppd through a relative PATH entry: refused, and why" \
	'warning: .*refusing relbin/pppd: it was found through the relative PATH entry "relbin"; using /' \
	"$WORK/rel.log"
# With no other pppd (the system's hidden under an empty tmpfs, in a mount
# namespace of its own): exit status 8, the refused one named.
in_cli unshare -m sh -c 'mount -t tmpfs none /usr/sbin && exec env PATH="$1" "$2" 127.0.0.1 --debug' \
	sh "$WORK/evilbin" "$PPTP" < /dev/null > "$WORK/evil2.log" 2>&1
expect_eq "only an unsafe pppd: exit status 8" "$?" 8
expect_grep "only an unsafe pppd: the error names it" "error: .*refusing $WORK/evilbin/pppd: .*no other pppd" \
	"$WORK/evil2.log"
check "an unsafe pppd never ran" test ! -e "$WORK/evil-ran"

# 6. pppd options with --nolaunchpppd go nowhere: a warning lists them,
#    and the tunnel works as without them.
start_pacsrv nl.pac
client nl.cli "--frames 20 --expect-echo --no-wait-link" noauth debug
expect_eq "--nolaunchpppd with pppd options: pptp exits 0" "$(child_exit "$WORK/nl.cli")" 0
expect_grep "--nolaunchpppd with pppd options: frames went through" "^FAKEPPP RESULT ok" "$WORK/nl.cli"
expect_grep "--nolaunchpppd with pppd options: a warning names them" \
	'warning: .*ignoring pppd options given with --nolaunchpppd .*: noauth debug$' "$WORK/nl.cli"
stop_pacsrv

# 7. --nohostroute: no /32 towards the server, while without it there is
#    one (the server sits behind a router, so a host route means something).
in_srv ip addr add 198.18.0.1/32 dev lo
in_srv sysctl -qw net.ipv4.ip_forward=1
in_cli ip route add 198.18.0.0/24 via $SRV_IP
host_route() { in_cli ip route show exact 198.18.0.1/32; }
for mode in default nohostroute; do
	args=""; [ $mode = nohostroute ] && args=--nohostroute
	ip netns exec "$NS_SRV" "$PACSRV" --listen 198.18.0.1 --once --timeout 30 \
		> "$WORK/hr-$mode.pac" 2>&1 &
	hpac=$!
	BG_PIDS="$BG_PIDS $hpac"
	wait_for '^LISTEN' "$WORK/hr-$mode.pac" 3
	in_cli timeout 60 "$FAKEPPP" --frames 40 --rate 20 --expect-echo --no-wait-link -- \
		"$PPTP" 198.18.0.1 --nolaunchpppd --debug $args > "$WORK/hr-$mode.cli" 2>&1 &
	hcli=$!
	wait_for "tunnel to .* is up" "$WORK/hr-$mode.cli" 10
	during=$(host_route)
	wait "$hcli"
	wait "$hpac" 2>/dev/null
	after=$(host_route)
	if [ $mode = default ]; then
		check "host route: in place during the tunnel (via the router)" \
			grep -q "198.18.0.1 via $SRV_IP" <<< "$during"
	else
		expect_eq "--nohostroute: no host route during the tunnel" "${during:-none}" none
		expect_grep "--nohostroute: the tunnel works" "^FAKEPPP RESULT ok" "$WORK/hr-$mode.cli"
	fi
	expect_eq "host route ($mode): none left after exit" "${after:-none}" none
done

# 8. --localbind with a second address: the control connection and the GRE
#    both leave from it (the test server takes GRE only from the address of
#    the control connection, so every frame echoed proves the GRE source).
in_cli ip addr add 192.0.2.3/24 dev "vc$SUF"
start_pacsrv lb.pac --verbose
client lb.cli "--frames 20 --expect-echo --no-wait-link" --localbind 192.0.2.3
stop_pacsrv
expect_eq "--localbind 192.0.2.3: pptp exits 0" "$(child_exit "$WORK/lb.cli")" 0
expect_grep "--localbind 192.0.2.3: the control connection came from it" "^ACCEPT 192\.0\.2\.3:" "$WORK/lb.pac"
expect_grep "--localbind 192.0.2.3: every frame echoed, so GRE came from it too" "^FAKEPPP RESULT ok" "$WORK/lb.cli"
num_is "--localbind 192.0.2.3: no GRE from another address" "$(pac_detail "$WORK/lb.pac" rx_foreign)" -eq 0

# 9. Ctrl-C while a background start is still dialling (the server's
#    address black-holed: SYNs vanish): the foreground process passes the
#    signal on to the one dialling, which stops at once and says so; its
#    call manager, left without a gateway, gives its connect up and ends
#    too, instead of waiting out --connect-timeout: nothing is left.
#    Background mode logs only to syslog: a private /dev/log catches it.
mkdir -p "$WORK/bin"
ln -sf "$FAKEPPP" "$WORK/bin/pppd"
syslog_start
in_cli ip route add 203.0.113.0/24 via $SRV_IP
in_srv sysctl -qw net.ipv4.ip_forward=1
if $nft_ok && nft_drop "$NS_SRV" prerouting "ip daddr 203.0.113.9"; then
	# Not through in_cli: a backgrounded function is a subshell, and
	# the signal must reach pptp itself (every wrapper here execs).
	ip netns exec "$NS_CLI" "${DEVLOG[@]}" env PATH="$WORK/bin:$PATH" "$PPTP" 203.0.113.9 \
		--connect-timeout 20 > "$WORK/bg.log" 2>&1 &
	fg=$!
	wait_for "connecting to 203\.0\.113\.9|calling|trying" "$WORK/syslog" 5
	sleep 1
	# The call manager, whose connect is the one in progress.
	cm=""
	for p in $(ip netns pids "$NS_CLI"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptpcm ] && cm=$p
	done
	t0=$(ms_now)
	kill -INT "$fg"
	wait "$fg"
	st=$?
	t1=$(ms_now)
	for _ in $(seq 1 100); do
		[ -n "$cm" ] && [ -e "/proc/$cm" ] && [ "$(awk '{print $3}' "/proc/$cm/stat" 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	t2=$(ms_now)
	nft_clear "$NS_SRV"
	echo "# Ctrl-C while dialling: the command ended after $((t1 - t0)) ms, the call manager after $((t2 - t0)) ms"
	check "Ctrl-C while dialling in the background: a call manager was connecting" test -n "$cm"
	# Its last gateway left: it gives the connect up (ctrl_session_stop)
	# rather than waiting out --connect-timeout 20.
	num_is "Ctrl-C while dialling in the background: the call manager ends within 3 s (ms)" \
		"$((t2 - t0))" -lt 3000
	expect_grep "Ctrl-C while dialling in the background: the call manager stops because no call is left" \
		'callmgr 203\.0\.113\.9: stopping the control connection: no calls left' "$WORK/syslog"
	check "Ctrl-C while dialling in the background: no call manager socket or lock left" \
		test -z "$(ls /run/pptp 2>/dev/null | grep "^203\.0\.113\.9-.*n$(in_cli stat -L -c %i /proc/self/ns/net)")"
	num_is "Ctrl-C while dialling in the background: the command ends within 3 s (ms)" \
		"$((t1 - t0))" -lt 3000
	expect_eq "Ctrl-C while dialling in the background: exit status 0 (stopped by the user)" "$st" 0
	expect_grep "Ctrl-C while dialling in the background: the dialling process says it was interrupted" \
		'interrupted while the call was being placed' "$WORK/syslog"
	check "Ctrl-C while dialling in the background: no pptp process left" no_pptp_left 1
else
	not_ok "nft is needed to black-hole an address (tests/deps.sh installs nftables)"
fi

# 9b. Started with stderr closed (a service manager, "2>&-"): the first
#     descriptor pptp opened took number 2, and the detach, which puts
#     /dev/null on stderr, closed it under the gateway (its signalfd:
#     SIGTERM was then ignored, and the poll loop spun).  Whoever starts
#     pptp so, the gateway stops on SIGTERM and is idle while it waits.
mkdir -p "$WORK/bin"
ln -sf "$FAKEPPP" "$WORK/bin/pppd"
start_pacsrv closed.pac
in_cli env PATH="$WORK/bin:$PATH" FAKEPPP_LOG="$WORK/closed.pppd" \
	FAKEPPP_OPTS="--frames 100 --rate 10 --expect-echo --no-wait-link" \
	sh -c 'exec "$@" 2>&-' sh timeout 30 "$PPTP" $SRV_IP < /dev/null > /dev/null
expect_eq "stderr closed: the tunnel starts (exit 0)" "$?" 0
gw=""
for p in $(ip netns pids "$NS_CLI"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptpgw ] && gw=$p
done
if [ -n "$gw" ]; then
	ok "stderr closed: the gateway runs"
	ticks() { awk '{ print $14 + $15 }' "/proc/$gw/stat"; }
	c0=$(ticks); sleep 2; c1=$(ticks)
	num_is "stderr closed: the gateway is idle between frames (CPU ticks in 2 s)" \
		"$((c1 - c0))" -lt 50
	kill -TERM "$gw"
	for _ in $(seq 1 60); do
		[ -e "/proc/$gw" ] && [ "$(awk '{print $3}' "/proc/$gw/stat" 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	check "stderr closed: SIGTERM stops the gateway within 3 s" test ! -e "/proc/$gw" -o \
		"$(awk '{print $3}' "/proc/$gw/stat" 2>/dev/null)" = Z
	kill -9 "$gw" 2>/dev/null
else
	not_ok "stderr closed: the gateway runs"
fi
stop_pacsrv
check "stderr closed: no pptp process left" no_pptp_left 1

# 10. make install honours DESTDIR and PREFIX.
dest=$WORK/dest
make -C "$TOP" --no-print-directory install DESTDIR="$dest" PREFIX=/opt/pp > "$WORK/install.log" 2>&1
expect_eq "make install: succeeds" "$?" 0
check "make install: the program in PREFIX/sbin, mode 755" \
	test "$(stat -c %a "$dest/opt/pp/sbin/pptp" 2>/dev/null)" = 755
check "make install: the manual in PREFIX/share/man/man8, mode 644" \
	test "$(stat -c %a "$dest/opt/pp/share/man/man8/pptp.8" 2>/dev/null)" = 644
check "make install: the installed program runs" "$dest/opt/pp/sbin/pptp" --version
check "make install: pptpsetup beside pptp, mode 755" \
	test "$(stat -c %a "$dest/opt/pp/sbin/pptpsetup" 2>/dev/null)" = 755
check "make install: pptpsetup's manual" test -f "$dest/opt/pp/share/man/man8/pptpsetup.8"
check "make install: options.pptp in /etc/ppp" cmp -s "$TOP/options.pptp" "$dest/etc/ppp/options.pptp"
echo "# the administrator's own" > "$dest/etc/ppp/options.pptp"
make -C "$TOP" --no-print-directory install DESTDIR="$dest" PREFIX=/opt/pp > "$WORK/install.log" 2>&1
expect_eq "make install again: options.pptp not overwritten" \
	"$(cat "$dest/etc/ppp/options.pptp")" "# the administrator's own"
make -C "$TOP" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/opt/pp > "$WORK/install.log" 2>&1
expect_eq "make uninstall: removes the programs and pages, keeps a changed options.pptp" \
	"$(cd "$dest" && find . -type f | sort)" "./etc/ppp/options.pptp"
rm "$dest/etc/ppp/options.pptp"
make -C "$TOP" --no-print-directory install DESTDIR="$dest" PREFIX=/usr > "$WORK/install.log" 2>&1
check "make install PREFIX=/usr: pptp in /usr/sbin" test -x "$dest/usr/sbin/pptp"
make -C "$TOP" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr > "$WORK/install.log" 2>&1
expect_eq "make uninstall: an unchanged options.pptp goes too" "$(cd "$dest" && find . -type f)" ""

finish
