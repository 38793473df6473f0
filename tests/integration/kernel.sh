#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.sh - --kernel on a machine that cannot carry it: this one, whose
# kernel has no PPP (no /dev/ppp, no pptp module, no PPP line discipline).
# pptp must refuse before it dials, naming each missing piece and what to
# load, with exit status 12; never fall back to the user-space path.  Also
# the command lines --kernel cannot honour.  The kernel path itself runs in
# the VM (tests/e2e, session kernel).  About 5 s.
#
#   tests/integration/kernel.sh          (as root, after make)
set -u
. "$(dirname "$0")/lib.sh"

[ -e /dev/ppp ] && echo "# note: this machine has /dev/ppp; the refusal cases expect a kernel without PPP"
PIECES=('/dev/ppp does not open .*modprobe ppp_generic'
	'the kernel has no PPTP sockets .*modprobe pptp'
	'PPP async line discipline \(ppp_async\) cannot be set .*modprobe ppp_async')

# refused NAME LOG: exit 12, every piece named, and the server never heard of us
refused() {
	local what=$1 log=$2 pac=$3 p
	expect_eq "$what: exit status 12 (this machine cannot carry the tunnel)" "$(child_exit "$log")" 12
	for p in "${PIECES[@]}"; do expect_grep "$what: names the missing piece: /$p/" "$p" "$log"; done
	expect_no_grep "$what: refused before dialling: the server saw no control connection" \
		'SEND SCCRP' "$pac"
	expect_no_grep "$what: no fall-back to the user-space path" 'tunnel to .* is up|started pppd' "$log"
}

# pppd's pty mode (fakeppp stands in for pppd)
start_pacsrv pac1.log || exit 1
client k1.log "--frames 1 --no-wait-link" --kernel
stop_pacsrv
refused "pty mode (--nolaunchpppd --kernel)" "$WORK/k1.log" "$WORK/pac1.log"

# pptp launching pppd (fakeppp as pppd; the stand-in sysroot passes the
# checks pppd needs, so --kernel's own are what refuses)
mkdir -p "$WORK/bin"
ln -s "$FAKEPPP" "$WORK/bin/pppd"
start_pacsrv pac2.log || exit 1
in_cli env PATH="$WORK/bin:$PATH" FAKEPPP_OPTS="--frames 1" timeout 30 "$PPTP" $SRV_IP --kernel \
	--debug noauth > "$WORK/k2.log" 2>&1
echo "CHILD exit=$?" >> "$WORK/k2.log"
stop_pacsrv
refused "launch mode (--kernel)" "$WORK/k2.log" "$WORK/pac2.log"

# Something between pppd and pptp: the kernel takes frames from the pty only.
echo | in_cli timeout 10 "$PPTP" $SRV_IP --nolaunchpppd --kernel > "$WORK/k3.log" 2>&1
echo "CHILD exit=$?" >> "$WORK/k3.log"
expect_eq "stdin not a pty: exit status 1" "$(child_exit "$WORK/k3.log")" 1
expect_grep "stdin not a pty: said so" '--kernel needs pppd on a pty: stdin is not a terminal' "$WORK/k3.log"

# What the kernel's PPTP does not do cannot be asked of it.
for opt in "--timeout 1" "--test-type 1" "--missing-window 50"; do
	# shellcheck disable=SC2086
	"$PPTP" $SRV_IP --kernel $opt > "$WORK/k4.log" 2>&1
	echo "CHILD exit=$?" >> "$WORK/k4.log"
	expect_eq "--kernel $opt: a command-line error (exit 2)" "$(child_exit "$WORK/k4.log")" 2
	expect_grep "--kernel $opt: says why" "--kernel cannot honour ${opt%% *}: the kernel's PPTP neither reorders" "$WORK/k4.log"
done
finish
