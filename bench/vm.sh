#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm.sh - the kernel data path against user space and the classic client,
# in the kernel VM (tests/e2e/kernel-vm: Debian's kernel under qemu, PoPToP
# pptpd and real pppd, MS-CHAPv2 and MPPE-128).  One boot; the same bulk TCP
# transfer (socat, SIZE_MB MiB of random bytes) each way through:
#   classic  Debian's pptp-linux (/usr/sbin/pptp, CLASSIC= to change)
#   user     ours, frames through user space
#   kernel   ours with --kernel
# each as pppd's pty "CLIENT 192.0.2.1 --nolaunchpppd [--kernel]".
#
#   bench/vm.sh [OUR_PPTP]          (as root, after make; about 15 minutes)
#   SIZE_MB=16 CLASSIC=/usr/sbin/pptp ORDER="user kernel" bench/vm.sh
#
# ORDER: the clients in turn, by default each twice in mirrored order
# (classic user kernel kernel user classic) so that a drift in the load
# weighs on all three alike; the rounds of a client are added up.
#
# Prints a Markdown table: MB/s, the client's CPU seconds per MB (all its
# processes), the busiest client process's CPU over the transfer, and the
# whole VM's CPU seconds per MB (the kernel's share of the work is there),
# each also as a ratio to ours in user space.  The VM is emulated (no KVM):
# only the ratios within one run mean anything.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
OURS=$(readlink -f "${1:-$TOP/pptp}")
CLASSIC=${CLASSIC:-/usr/sbin/pptp}
SIZE_MB=${SIZE_MB:-16}
[ "$(id -u)" = 0 ] || { echo "vm.sh: must run as root" >&2; exit 2; }
[ -x "$OURS" ] || { echo "vm.sh: $OURS is not built (make)" >&2; exit 2; }
[ -x "$CLASSIC" ] || { echo "vm.sh: no classic client at $CLASSIC (apt-get install pptp-linux)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/pptp-vmbench.XXXXXX)
echo "# vm.sh: work dir $WORK; ours $OURS, classic $CLASSIC ($(dpkg-query -W -f '${Version}' pptp-linux 2>/dev/null)), $SIZE_MB MiB each way"
KERNEL_VM_TIMEOUT=${KERNEL_VM_TIMEOUT:-1500} "$TOP/tests/e2e/kernel-vm" "$HERE/vm-guest.sh" "$WORK" -- \
	"$OURS" "$CLASSIC" "$SIZE_MB" "${ORDER:-classic user kernel kernel user classic}" > /dev/null
rc=$?
grep -E '^(ok|not ok|# bench|# kernel)' "$WORK/guest.log"
grep '^row ' "$WORK/guest.log" > "$WORK/rows"
# Each client's rounds added up: MB/s over all its bytes and time.
awk -v tck=100 '
	{ k = $2 " " $3; if (!(k in ms)) order[n++] = k
	  bytes[k] += $4; ms[k] += $5; cpu[k] += $6; vm[k] += $7; busy[k] += $8; rounds[k]++ }
	END {
	  for (k in ms) { mb = bytes[k] / 1e6
		rate[k] = ms[k] ? mb / (ms[k] / 1000) : 0; c[k] = cpu[k] / tck / mb
		b[k] = busy[k] / tck / mb; v[k] = vm[k] / tck / mb }
	  print "| client | direction | rounds | MB/s | / user | client CPU s/MB | / user | busiest client process CPU s/MB | VM CPU s/MB | / user |"
	  print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	  for (i = 0; i < n; i++) {
		k = order[i]; split(k, f, " "); u = "user " f[2]
		printf "| %s | %s | %d | %.3f | %.2f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", f[1],
		       f[2] == "up" ? "client -> server" : "server -> client", rounds[k], rate[k],
		       rate[u] ? rate[k] / rate[u] : 0, c[k], c[u] ? c[k] / c[u] : 0, b[k], v[k],
		       v[u] ? v[k] / v[u] : 0 } }' "$WORK/rows"
echo "# vm.sh: guest exit status $rc; logs in $WORK"
exit $rc
