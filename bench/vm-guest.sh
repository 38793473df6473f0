#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm-guest.sh - runs in the kernel VM (bench/vm.sh starts it): the same
# bulk TCP transfer each way through three clients in turn, in one boot:
# the classic client (pptp-linux), ours in user space, ours with --kernel.
# The set-up is the end-to-end tests' (tests/e2e/guest.sh: PoPToP pptpd and
# real pppd, MS-CHAPv2 and MPPE-128).
#
#   vm-guest.sh OURS CLASSIC SIZE_MB [ORDER]
#
# Prints one line per client and direction:
#   row CLIENT DIR BYTES MS CLIENT_TICKS VM_TICKS GW_TICKS
# CLIENT_TICKS: user+system time of every process of the client (the
# classic's pptp processes; ours: pptpgw and pptpcm) over the transfer;
# VM_TICKS: every CPU of the VM busy (user, system, irq, softirq: the
# kernel's share of the work shows here); GW_TICKS: the process that carries
# the data (ours: the gateway; the classic: its busiest process).
set -u
OURS=${1:?usage: vm-guest.sh OURS CLASSIC SIZE_MB}
CLASSIC=${2:?}
SIZE_MB=${3:?}
ORDER=${4:-classic user kernel kernel user classic}
HERE=$(cd "$(dirname "$0")" && pwd)
E2E_SOURCED=1
# shellcheck source=../tests/e2e/guest.sh
. "$HERE/../tests/e2e/guest.sh" "$OURS"

client_pids() {
	local p c
	for p in $(ip netns pids cli 2>/dev/null); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		case $c in pptp|pptpgw|pptpcm) echo "$p" ;; esac
	done
}
ticks_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# "PID TICKS" for each process of the client
client_ticks() { local p; for p in $(client_pids); do echo "$p $(ticks_of "$p")"; done; }
vm_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# bench_one NAME BINARY ARGS
bench_one() {
	local name=$1 d=$OUT/bench-$1 t0 dir b0 b1 v0 v1 line bytes ms tot gw
	mkdir -p "$d"
	PPTP=$2
	t0=$(now_ms)
	start_pty "$d" "$3"
	if ! up_or_fail "bench: $name: the tunnel comes up" "$t0" 90; then
		reset_cli
		return
	fi
	ping_ok "bench: $name: pings pass" 5 0.2 100 "$d/ping.txt"
	for dir in up down; do
		b0=$(client_ticks)
		v0=$(vm_ticks)
		xfer "bench: $name: $SIZE_MB MiB $dir" $dir "$TMP/bench.dat" 600 "$d" > "$d/xfer-$dir.txt"
		cat "$d/xfer-$dir.txt"
		line=$(sed -n 's/.*: \([0-9]*\) bytes in \([0-9]*\) ms: .*/\1 \2/p' "$d/xfer-$dir.txt")
		v1=$(vm_ticks)
		b1=$(client_ticks)
		read -r bytes ms <<< "$line"
		# per process: ticks now minus ticks before (a process new since counts whole)
		read -r tot gw <<< "$(printf '%s\n' "$b0" | awk -v now="$b1" '
			{ before[$1] = $2 }
			END { n = split(now, l, "\n"); t = 0; m = 0
			      for (i = 1; i <= n; i++) { split(l[i], f, " "); if (f[1] == "") continue
				d = f[2] - before[f[1]]; t += d; if (d > m) m = d }
			      print t, m }')"
		echo "row $name $dir ${bytes:-0} ${ms:-0} $tot $((v1 - v0)) $gw"
	done
	kill -TERM "$PPPD"
	wait_gone 15 "$PPPD" > /dev/null
	reset_cli
}

setup
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$TMP/bench.dat"
info "bench: $SIZE_MB MiB each way; CLK_TCK $(getconf CLK_TCK); $(nproc) CPUs"
# Each client twice, in mirrored order, so that a drift in the load
# weighs the same on all three.
for c in $ORDER; do
	case $c in
	classic) bench_one classic "$CLASSIC" "--nolaunchpppd" ;;
	user) bench_one user "$OURS" "--nolaunchpppd" ;;
	kernel) bench_one kernel "$OURS" "--nolaunchpppd --kernel" ;;
	esac
done
info "guest: $PASSED passed, $FAILED failed"
kill "$SYSLOGD" 2>/dev/null
[ "$FAILED" = 0 ]
