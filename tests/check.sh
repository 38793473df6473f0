#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check.sh - everything `make check` runs, stage by stage.  Each stage's
# output goes to build/check/STAGE.log; its "ok"/"not ok" lines are shown,
# and the closing line sums every stage:  N passed, N failed.
#
# Environment: CHECK_FUZZ_SECONDS (per fuzz target; the default is worked
# out below), CHECK_SKIP="stage ..." to leave stages out (e.g. e2e on a
# machine without qemu); a skipped stage is reported, never silently passed.
set -u
cd "$(dirname "$0")/.."
LOGS=build/check
mkdir -p "$LOGS"
TOTAL_P=0
TOTAL_F=0
SUMMARY=()
START=$SECONDS

# Count a finished stage: its own "N passed, N failed" line if it printed
# one, else one check that passed or failed by its exit status.
account() {
	local name=$1 rc=$2 log=$3 secs=$4 p f line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*, }; f=${f%% failed}
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	elif [ "$rc" -eq 0 ]; then p=1; f=0
	else p=0; f=1
	fi
	TOTAL_P=$((TOTAL_P + p))
	TOTAL_F=$((TOTAL_F + f))
	local verdict=ok
	[ "$f" -ne 0 ] && verdict="not ok"
	SUMMARY+=("$(printf '%-7s %-22s %4d passed %3d failed %5ds' "$verdict" "$name" "$p" "$f" "$secs")")
	echo "$verdict - $name: $p passed, $f failed (${secs}s; log: $log)"
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok|FAIL|ERROR|error:' "$log" | head -20 | sed 's/^/    | /'
	fi
}

skipped() { case " ${CHECK_SKIP:-} " in *" $1 "*) return 0;; esac; return 1; }

# stage NAME COMMAND...: run in the foreground
stage() {
	local name=$1; shift
	if skipped "$name"; then echo "SKIPPED - $name (CHECK_SKIP)"; SUMMARY+=("skipped $name"); return; fi
	local log=$LOGS/$name.log t0=$SECONDS
	echo "--- $name"
	"$@" > "$log" 2>&1
	account "$name" $? "$log" $((SECONDS - t0))
}

# parallel NAME:COMMAND ...: run several at once (they use their own
# network namespaces), then account for each in order.
parallel() {
	local pids=() names=() logs=() t0=$SECONDS spec name
	for spec in "$@"; do
		name=${spec%%:*}
		if skipped "$name"; then echo "SKIPPED - $name (CHECK_SKIP)"; SUMMARY+=("skipped $name"); continue; fi
		echo "--- $name (in parallel)"
		bash -c "${spec#*:}" > "$LOGS/$name.log" 2>&1 &
		pids+=($!); names+=("$name"); logs+=("$LOGS/$name.log")
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
		account "${names[$i]}" $? "${logs[$i]}" $((SECONDS - t0))
	done
}

if [ "$(id -u)" != 0 ]; then
	echo "make check needs root: network namespaces, raw GRE sockets, routes"
	exit 1
fi

# The builds use every CPU (-j): they come before anything timed.
JOBS=-j$(nproc 2>/dev/null || echo 1)
stage build make "$JOBS" --no-print-directory all build/unit_tests build/unit_tests_portable build/unit_tests_sse2 build/pacsrv \
	build/fakeppp build/pnsprobe build/route_tool build/gresend
stage unit build/unit_tests
stage unit-portable build/unit_tests_portable hdlc/
stage unit-sse2 build/unit_tests_sse2 hdlc/
stage manpage sh -c 'MANWIDTH=80 man -l --warnings pptp.8 pptpsetup.8 2>&1 >/dev/null | \
	tee /dev/stderr | grep -q . && exit 1; man -l pptp.8 | grep -q "EXIT STATUS"'
stage pptpsetup tests/integration/pptpsetup.sh
stage asan make "$JOBS" --no-print-directory asan
stage clang make "$JOBS" --no-print-directory clang-check

# churn: 50 tunnels in a row and 8 at once (the long run: CHURN_N=1000
# LOAD_N=64 tests/integration/churn.sh), about 10 s.
parallel "routing:tests/integration/routing.sh build/route_tool" \
	"tools:tests/integration/tools_selftest.sh" \
	"kernel:tests/integration/kernel.sh" \
	"cli:tests/integration/cli.sh" \
	"churn:tests/integration/churn.sh"
parallel "ctrl:tests/integration/ctrl.sh" \
	"lifecycle:tests/integration/lifecycle.sh"
parallel "dataplane:tests/integration/dataplane.sh" \
	"hostile:tests/integration/hostile.sh"
# mtu: the path MTU layer through a router namespace (a black hole, then
# ICMP passed, then the gateway's warning): about 13 s, mostly waiting for
# probes that do not come back, beside the pair.
parallel "pptpd-interop:tests/integration/pptpd_interop.sh" \
	"ctrl-asan:PPTP=build/asan/test/pptp tests/integration/ctrl.sh" \
	"mtu:tests/integration/mtu.sh"
# The hostile server and the data plane against the AddressSanitizer and
# UndefinedBehaviorSanitizer build (make asan, above): any sanitizer report
# of a gateway or call manager fails the stage (lib.sh's finish).  About
# 35 s for the pair.
parallel "hostile-asan:PPTP=build/asan/test/pptp tests/integration/hostile.sh" \
	"dataplane-asan:PPTP=build/asan/test/pptp tests/integration/dataplane.sh"
parallel "status:tests/integration/status.sh" \
	"diagnose:tests/integration/diagnose.sh" \
	"callers:tests/integration/callers.sh"
# The stop matrix (every stop in every state, about 55 cases, 12 at a
# time): about 30 s.  On its own: its tunnels' status sockets would show
# in status.sh's listings, and its timing bounds want the CPUs.
stage stopmatrix tests/integration/stopmatrix.sh
stage valgrind tests/integration/valgrind.sh
stage e2e tests/e2e/run.sh
# The Debian package (tests/deb.sh): make deb, lintian, and one VM boot in
# which it replaces pptp-linux, carries a tunnel and is purged; about 2
# minutes.  It needs dpkg-buildpackage, debhelper and lintian, which
# tests/deps.sh installs.
if command -v dpkg-buildpackage > /dev/null && command -v dh > /dev/null && command -v lintian > /dev/null; then
	stage deb tests/deb.sh
else
	echo "SKIPPED - deb (no dpkg-buildpackage, debhelper or lintian: tests/deps.sh installs them)"
	SUMMARY+=("skipped deb (no dpkg-buildpackage, debhelper or lintian)")
fi
# The fuzz stage gets about 40 seconds of wall time: a smoke run of every
# parser on its seeds, which keeps make check under 15 minutes on a
# machine of 2 CPUs now that the VM sessions for the path MTU and the
# kernel data path have joined the e2e stage.  The long campaigns (10
# million executions per target) run outside make check: make fuzz
# FUZZ_RUNS=10000000.  The targets run one per CPU at once
# (tests/fuzz/run.sh), so a target's share is 40 s divided by the rounds it
# takes: 8 s each for the 9 targets (hdlc three times: the codec this
# processor takes, SSE2 alone and portable) on 2 CPUs; at most 60 s.
fuzz_jobs=$(nproc 2>/dev/null || echo 1)
# (+2: hdlc again, built with the SSE2 and the portable codec)
fuzz_targets=$(( $(ls tests/fuzz/fuzz_*.c | wc -l) + 2 ))
fuzz_rounds=$(( (fuzz_targets + fuzz_jobs - 1) / fuzz_jobs ))
fuzz_secs=$(( 40 / (fuzz_rounds > 0 ? fuzz_rounds : 1) ))
[ "$fuzz_secs" -gt 60 ] && fuzz_secs=60
stage fuzz make "$JOBS" --no-print-directory fuzz FUZZ_JOBS="$fuzz_jobs" \
	FUZZ_SECONDS="${CHECK_FUZZ_SECONDS:-$fuzz_secs}"

echo
echo "=== make check: $((SECONDS - START)) s"
printf '%s\n' "${SUMMARY[@]}"
echo "$TOTAL_P passed, $TOTAL_F failed"
[ "$TOTAL_F" -eq 0 ]
