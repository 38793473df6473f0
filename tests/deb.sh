#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb.sh - the Debian package (debian/, issue 18): make deb builds it; its
# fields and files are the ones pptp-linux's users rely on; lintian finds no
# error in it; and in the kernel VM (tests/e2e/run.sh --deb, session deb)
# it replaces pptp-linux under network-manager-pptp, carries a tunnel, and
# leaves nothing when purged.  Never installs the package on this machine.
#
#   tests/deb.sh        (as root, for the VM; make check runs it)
#
# Prints "ok - ..." or "not ok - ..." per check, "# ..." for information,
# and "N passed, N failed"; exits non-zero on any failure.  make deb's
# output goes to build/check/deb-build.log, lintian's to deb-lintian.log.
set -u
cd "$(dirname "$0")/.." || exit 1
LOGS=build/check
mkdir -p "$LOGS"
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
info() { echo "# $*"; }
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
	exit
}

for t in dpkg-buildpackage dh lintian; do
	command -v $t > /dev/null || { not_ok "$t is installed (tests/deps.sh installs it)"; finish; }
done

ver=$(dpkg-parsechangelog -S Version)
base=build/deb/pptp_${ver}_$(dpkg --print-architecture)
deb=$base.deb

# 1. make deb: dpkg-buildpackage in a copy of the tree, the results in build/deb
t0=$SECONDS
if make --no-print-directory deb > "$LOGS/deb-build.log" 2>&1 && [ -f "$deb" ]; then
	ok "make deb builds $deb ($((SECONDS - t0)) s)"
else
	not_ok "make deb builds $deb (see $LOGS/deb-build.log)"
	tail -n 15 "$LOGS/deb-build.log" | sed 's/^/#   /'
	finish
fi

# 2. the fields that make it take pptp-linux's place
field() { dpkg-deb -f "$deb" "$1"; }
info "$(dpkg-deb -f "$deb" Package Version Architecture Depends Provides Conflicts Replaces | tr '\n' ';')"
if [ "$(field Package)" = pptp ] && [ "$(field Version)" = 1.0.0-1 ]; then ok "package pptp, version 1.0.0-1"; else
	not_ok "package pptp, version 1.0.0-1 (Package '$(field Package)', Version '$(field Version)')"; fi
for f in Provides Conflicts Replaces; do
	if [ "$(field $f)" = pptp-linux ]; then ok "$f: pptp-linux (unversioned)"; else
		not_ok "$f: pptp-linux (unversioned) ('$(field $f)')"; fi
done
if field Depends | grep -qE '(^|, )ppp(,|$)'; then ok "Depends: ppp"; else not_ok "Depends: ppp ('$(field Depends)')"; fi

# 3. the files: where pptp-linux had them, options.pptp a conffile
files=$(dpkg-deb -c "$deb" | awk '{ print $NF }')
for f in ./usr/sbin/pptp ./usr/sbin/pptpsetup ./etc/ppp/options.pptp ./usr/share/man/man8/pptp.8.gz \
	./usr/share/man/man8/pptpsetup.8.gz ./usr/share/doc/pptp/copyright; do
	if grep -qxF "$f" <<< "$files"; then ok "the package holds ${f#.}"; else not_ok "the package holds ${f#.}"; fi
done
conff=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null)
if [ "$conff" = /etc/ppp/options.pptp ]; then ok "conffiles: /etc/ppp/options.pptp"; else
	not_ok "conffiles: /etc/ppp/options.pptp, and only it ('$(echo "$conff" | tr '\n' ' ')')"; fi
x=$(mktemp -d)
dpkg-deb -x "$deb" "$x"
v=$("$x/usr/sbin/pptp" --version 2>&1 | head -n 1)
if [ "$v" = "pptp version 1.0.0" ]; then ok "the packaged /usr/sbin/pptp says \"$v\""; else
	not_ok "the packaged /usr/sbin/pptp says \"pptp version 1.0.0\" ('$v')"; fi
rm -rf "$x"

# 4. lintian: no error; its warnings and notes are listed here
t0=$SECONDS
lintian -I --pedantic "$base.changes" > "$LOGS/deb-lintian.log" 2>&1
lrc=$?
grep -E '^[EWIPX]: ' "$LOGS/deb-lintian.log" | sed 's/^/#   lintian: /'
n=$(grep -c '^E: ' "$LOGS/deb-lintian.log")
# lintian exits 0 with no error, 1 with errors, 2 and above when it could
# not check at all: then there is no verdict to count.
if [ "$lrc" -ge 2 ]; then
	not_ok "lintian ran (exit status $lrc: $(tail -n 2 "$LOGS/deb-lintian.log" | tr '\n' ' '))"
elif [ "$n" = 0 ] && [ "$lrc" = 0 ]; then ok "lintian: no error ($(grep -c '^W: ' "$LOGS/deb-lintian.log") warnings; $((SECONDS - t0)) s)"; else
	not_ok "lintian: no error ($n errors)"; fi

# 5. in the VM: over pptp-linux and network-manager-pptp, a tunnel, purge
t0=$SECONDS
tests/e2e/run.sh --deb "$deb" > "$LOGS/deb-e2e.log" 2>&1
rc=$?
cat "$LOGS/deb-e2e.log"
PASSED=$((PASSED + $(grep -c '^ok - ' "$LOGS/deb-e2e.log")))
FAILED=$((FAILED + $(grep -c '^not ok - ' "$LOGS/deb-e2e.log")))
if [ $rc != 0 ] && ! grep -q '^not ok - ' "$LOGS/deb-e2e.log"; then
	not_ok "tests/e2e/run.sh --deb exits 0 (status $rc; see $LOGS/deb-e2e.log)"
fi
info "the VM part took $((SECONDS - t0)) s"
finish
