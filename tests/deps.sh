#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install, from Debian's packages, whatever `make check` needs and
# this machine lacks.  Does nothing when everything is there.
set -eu

pkgs="gcc make clang valgrind iproute2 iputils-ping procps socat jq nftables ppp pptpd tshark man-db
      qemu-system-x86 busybox-static cpio kmod shellcheck bsdutils util-linux strace
      debhelper dpkg-dev lintian pptp-linux network-manager-pptp"
# The last line is for the Debian package's test (tests/deb.sh): the tools
# that build and check it, and the classic client with NetworkManager's PPTP
# plugin, which it replaces in the VM (never here).  network-manager-pptp
# pulls in network-manager; NetworkManager leaves the tests' veth devices
# alone (its udev rules mark veth unmanaged).

missing() {
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || printf '%s ' "$p"
	done
}

install() {
	[ -n "$1" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: these Debian packages are needed, and installing them needs root: $1" >&2
		exit 1
	fi
	echo "deps: installing $1" >&2
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $1 >/dev/null
}

install "$(missing $pkgs)"
# libFuzzer and the sanitizer runtimes come with the clang version installed.
v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
install "$(missing "libclang-rt-$v-dev")"
