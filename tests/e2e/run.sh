#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - the end-to-end tests: real pppd and PoPToP pptpd, MS-CHAPv2 and
# MPPE-128, in a small VM (tests/e2e/kernel-vm) whose kernel has PPP.
#
#   tests/e2e/run.sh [--sessions "NAME..."] [PPTP_BINARY]
#   tests/e2e/run.sh --soak [MINUTES] [PPTP_BINARY]     (default 10 minutes)
#   tests/e2e/run.sh --deb PACKAGE.deb
#
# PPTP_BINARY defaults to ./pptp at the top of the project (run make first).
# --deb runs the session "deb" alone: in the VM, the package (make deb) is
# installed with dpkg over pptp-linux and network-manager-pptp, its
# /usr/sbin/pptp carries a tunnel, and it is purged.
# One VM boot runs every session of tests/e2e/guest.sh; this side then
# decodes the capture with tshark (case 6).  Prints an "ok - ..." or
# "not ok - ..." line per check and "N passed, N failed"; exits non-zero on
# any failure.  Artefacts stay in the work dir it prints (E2E_WORKDIR to
# choose it).  Environment: KERNEL_VM_* (see kernel-vm), CC.
set -u
HERE=$(CDPATH= cd -P -- "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(CDPATH= cd -P -- "$HERE/../.." && pwd)

SOAK=""
SESSIONS=""
DEB=""
while [ $# -gt 0 ]; do
	case $1 in
	--soak)
		SOAK=10
		if [ $# -gt 1 ] && [[ $2 =~ ^[0-9]+$ ]]; then SOAK=$2; shift; fi
		shift ;;
	--sessions) SESSIONS=$2; shift 2 ;;
	--deb) DEB=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ -n "$DEB" ]; then
	if [ ! -f "$DEB" ]; then
		echo "run.sh: $DEB: no such package file: build it first (make deb)" >&2
		exit 2
	fi
	# The program under test is the one the package installs in the VM.
	PPTP=/usr/sbin/pptp
	SESSIONS=deb
else
	PPTP=${1:-$TOP/pptp}
	if [ ! -x "$PPTP" ]; then
		echo "run.sh: $PPTP is not an executable: build it first (make)" >&2
		exit 2
	fi
	PPTP=$(readlink -f "$PPTP")
fi
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: must run as root (qemu's 9p export of / and the VM's root)" >&2
	exit 2
fi
for t in qemu-system-x86_64 tshark; do
	command -v $t > /dev/null || { echo "run.sh: $t is missing (tests/deps.sh installs it)" >&2; exit 2; }
done

WORK=${E2E_WORKDIR:-$(mktemp -d /tmp/pptp-e2e.XXXXXX)}
mkdir -p "$WORK/bin"
WORK=$(readlink -f "$WORK")
T0=$(date +%s)
echo "# e2e: pptp under test: $PPTP"
echo "# e2e: work dir (logs, syslog, captures): $WORK"

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }

# The stdout checker of case 9, built here (the VM has no compiler needs).
if ! ${CC:-cc} -O2 -Wall -o "$WORK/bin/hdlccheck" "$HERE/hdlccheck.c" 2> "$WORK/bin/hdlccheck.err"; then
	echo "# e2e: could not build hdlccheck: $(head -n 3 "$WORK/bin/hdlccheck.err")"
fi

args=()
[ -n "$SESSIONS" ] && args+=(--sessions "$SESSIONS")
# The package goes in the shared work dir: the VM sees the host's root
# file system, but not what other mounts (a tmpfs /tmp) hold.
if [ -n "$DEB" ]; then
	mkdir -p "$WORK/pkg"
	cp "$DEB" "$WORK/pkg/"
	args+=(--deb "/mnt/pkg/$(basename "$DEB")")
	# dpkg's database files, compressed for the guest, which reads the
	# host's files over 9p at a few hundred kB/s (guest.sh, dpkg_db_to_memory)
	(cd /var/lib/dpkg && find . -maxdepth 1 -type f -print0 &&
		find info -maxdepth 1 -name '*.list' -print0) |
		tar -C /var/lib/dpkg --null -T - -czf "$WORK/pkg/dpkg-db.tar.gz"
fi
if [ -n "$SOAK" ]; then
	args+=(--soak "$SOAK")
	export KERNEL_VM_TIMEOUT=${KERNEL_VM_TIMEOUT:-$((SOAK * 60 + 420))}
else
	export KERNEL_VM_TIMEOUT=${KERNEL_VM_TIMEOUT:-900}
fi

# Boot; follow the guest's output while it runs.
: > "$WORK/guest.log"
"$HERE/kernel-vm" "$HERE/guest.sh" "$WORK" -- "${args[@]}" "$PPTP" &
vm=$!
tail -n +1 -f --pid=$vm "$WORK/guest.log" 2> /dev/null
wait $vm
vm_rc=$?
T_VM=$(($(date +%s) - T0))
PASSED=$(grep -c '^ok - ' "$WORK/guest.log")
FAILED=$(grep -c '^not ok - ' "$WORK/guest.log")

if [ $vm_rc = 125 ]; then
	not_ok "the VM ran the guest script to its end (see $WORK/console.log, $WORK/qemu.log)"
	tail -n 20 "$WORK/console.log" 2> /dev/null | sed 's/^/#   console: /'
elif ! grep -q '^# guest: .* passed, .* failed' "$WORK/guest.log"; then
	not_ok "the guest script ran to its end (exit status $vm_rc; see $WORK/guest.log)"
elif [ $vm_rc != 0 ] && [ "$FAILED" = 0 ]; then
	not_ok "the guest script exits 0 when all its checks pass (exit status $vm_rc)"
fi

# [6] the capture of the main session, decoded on this side (tshark is slow
# under emulation).  Only PPP and GRE from the client interest us.
cap=$WORK/main/cap.pcap
if [ -z "$SOAK" ] && { [ -z "$SESSIONS" ] || [[ " $SESSIONS " == *" main "* ]]; }; then
	if [ ! -s "$cap" ]; then
		not_ok "6: capture of the main session exists ($cap)"
	else
		tsh() { tshark -r "$cap" "$@" 2>> "$WORK/tshark.err"; }
		mal=$(tsh -Y '_ws.malformed && ip.src==192.0.2.2')
		rc=$?
		ngre=$(tsh -Y 'ip.src==192.0.2.2 && gre && ppp' | wc -l)
		if [ $rc = 0 ] && [ -z "$mal" ] && [ "$ngre" -gt 0 ]; then
			ok "6: tshark: no malformed GRE or PPP packet from the client ($ngre GRE/PPP packets from it decoded)"
		else
			not_ok "6: tshark: no malformed GRE or PPP packet from the client (tshark status $rc, $ngre GRE/PPP packets, malformed: $(echo "$mal" | grep -c .))"
			echo "$mal" | head -n 5 | sed 's/^/#   /'
		fi
		tsh -q -z io,phs | grep -E '^ +(gre|ppp|lcp|chap|ccp|ipcp|comp_data|pptp) ' | sed 's/^/#   phs: /'
		ctl=$(tsh -Y 'pptp && ip.src==192.0.2.2' -T fields -e pptp.control_message_type | sort -n | uniq -c | awk '{ printf "%s type %s x%s", sep, $2, $1; sep = "," }')
		echo "# e2e: PPTP control messages from the client:$ctl"
		nsccrq=$(tsh -Y 'ip.src==192.0.2.2 && pptp.control_message_type == 1' | wc -l)
		nocrq=$(tsh -Y 'ip.src==192.0.2.2 && pptp.control_message_type == 7' | wc -l)
		vendor=$(tsh -Y 'ip.src==192.0.2.2 && pptp.control_message_type == 1' -T fields -e pptp.vendor_name -e pptp.host_name -e pptp.framing_capabilities | head -n 1)
		if [ "$nsccrq" = 1 ] && [ "$nocrq" = 1 ]; then
			ok "6: tshark decoded our Start-Control-Connection-Request and Outgoing-Call-Request (1 each; vendor/host/framing: $(echo "$vendor" | tr '\t' ' '))"
		else
			not_ok "6: tshark decoded our SCCRQ and OCRQ (SCCRQ x$nsccrq, OCRQ x$nocrq, want 1 each)"
		fi
	fi
fi

T_ALL=$(($(date +%s) - T0))
echo "# e2e: wall time ${T_ALL} s (VM boot, guest and shutdown: ${T_VM} s)"
echo "# e2e: artefacts in $WORK"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
