#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pptpsetup.sh - pptpsetup: the files it writes, byte for byte, for awkward
# names and passwords; the same files when run twice; --delete leaves every
# other line as it was; what pppd reads back from them; root only; usage
# errors; the password prompt; --start; and options.pptp's options.
#
# What pppd reads back is checked by a reader of pppd's word syntax as
# pppd(8) documents it for options and secrets files (words split at white
# space, quotes keep white space in a word, a backslash takes the next
# character as it is, '#' starts a comment): pppd itself cannot parse a
# file here without a PPP device (this kernel has no ppp_generic).
. "$(dirname "$0")/lib.sh"

SETUP=$TOP/pptpsetup
E=$WORK/etc/ppp
export PPTPSETUP_ETC=$E PPTPSETUP_PPTP=/usr/sbin/pptp
mkdir -p "$E"

# 1. The script is plain POSIX sh, clean for shellcheck.
if command -v shellcheck >/dev/null; then
	check "shellcheck: pptpsetup is clean" shellcheck -s sh "$SETUP"
else
	not_ok "shellcheck is needed (tests/deps.sh installs it)"
fi

# The words pppd reads from each line of a file, one "W:word" a line and a
# "--" after each line that has any.
pppd_words() {
	awk '
	function flush() { if (inw) print "W:" w; w = ""; inw = 0 }
	{
		w = ""; inw = 0; q = ""; n = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\\") { i++; w = w substr($0, i, 1); inw = 1; continue }
			if (q != "") { if (c == q) q = ""; else w = w c; continue }
			if (c == "\"" || c == "\047") { q = c; inw = 1; continue }
			if (c == " " || c == "\t") { if (inw) n++; flush(); continue }
			if (c == "#" && !inw) break
			w = w c; inw = 1
		}
		if (inw) n++
		flush()
		if (n) print "--"
	}' "$1"
}

# The chap-secrets entry for TUNNEL as pppd reads it: client, server, secret, addresses.
secret_of() { grep -F " # pptpsetup: tunnel $1" "$E/chap-secrets" > "$WORK/line"; pppd_words "$WORK/line"; }
# The name the peers file gives pppd.
name_of() { grep '^name ' "$E/peers/$1" > "$WORK/line"; pppd_words "$WORK/line" | sed -n 2p; }

# 2. What an administrator already has: lines pptpsetup must never touch
# (a tab, a trailing blank, a comment naming pptpsetup, no final newline
# on purpose later).
ORIG=$(printf '%s\n' '# Secrets for authentication using CHAP' \
	'# client	server	secret			IP addresses' \
	'bob	*	"bob pw"	*  ' \
	'# pptpsetup: tunnel work (a comment, not ours)' \
	'"CORP\\carol" vpn "x" * # an admin line')
printf '%s\n' "$ORIG" > "$E/chap-secrets"
chmod 644 "$E/chap-secrets"

# 3. Awkward names and passwords, each written so that pppd reads them
# back exactly.
#    tunnel | server | domain | user | password
CASES=(
	"work|vpn.example.com||alice|secret"
	"corp-vpn|192.0.2.7|CORP|al ice|p\"a ss\\x"
	"t.3|vpn.example.com||DOMAIN\\user|#not a comment \$HOME 'q' \$(id)"
	"t_4|vpn.example.com|DOM|o'brien|back\\\\slash\"and\"quotes \\\" \`x\`"
)
for c in "${CASES[@]}"; do
	IFS='|' read -r t s d u p <<< "$c"
	args=(--create "$t" --server "$s" --username "$u" --password "$p" --encrypt)
	[ -n "$d" ] && args+=(--domain "$d")
	"$SETUP" "${args[@]}" 2> "$WORK/err"
	expect_eq "--create $t: exit status 0" "$?" 0
	login=$u
	[ -n "$d" ] && login="$d\\$u"
	expect_eq "--create $t: pppd reads the secret back exactly" "$(secret_of "$t")" \
		"$(printf 'W:%s\n' "$login" "$t" "$p" '*'; echo --)"
	expect_eq "--create $t: pppd reads the name back exactly" "$(name_of "$t")" "W:$login"
done

# 4. Two of them byte for byte.
expect_eq "peers file, byte for byte" "$(cat "$E/peers/corp-vpn")" \
"# pptpsetup: tunnel corp-vpn (pptpsetup --delete corp-vpn removes it)
pty \"/usr/sbin/pptp 192.0.2.7 --nolaunchpppd\"
name \"CORP\\\\al ice\"
remotename corp-vpn
require-mppe-128
file $E/options.pptp
ipparam corp-vpn"
expect_eq "chap-secrets, byte for byte" "$(cat "$E/chap-secrets")" \
"$ORIG
\"alice\" work \"secret\" * # pptpsetup: tunnel work
\"CORP\\\\al ice\" corp-vpn \"p\\\"a ss\\\\x\" * # pptpsetup: tunnel corp-vpn
\"DOMAIN\\\\user\" t.3 \"#not a comment \$HOME 'q' \$(id)\" * # pptpsetup: tunnel t.3
\"DOM\\\\o'brien\" t_4 \"back\\\\\\\\slash\\\"and\\\"quotes \\\\\\\" \`x\`\" * # pptpsetup: tunnel t_4"
# It was 644: others lose their read bit, the group keeps what the
# administrator gave it (6b below: a group chosen on purpose).
expect_eq "chap-secrets: mode 640 (from 644: no longer readable by others)" "$(stat -c %a "$E/chap-secrets")" 640
expect_eq "peers file: mode 640" "$(stat -c %a "$E/peers/work")" 640
check "without --encrypt: no require-mppe-128" \
	sh -c '"$0" --create plain --server s1 --username u --password p 2>/dev/null &&
		! grep -q mppe "$1/peers/plain"' "$SETUP" "$E"

# 5. Run again: the same files, no second line.
sum() { cat "$E/chap-secrets" "$E"/peers/* | md5sum; }
before=$(sum)
for c in "${CASES[@]}"; do
	IFS='|' read -r t s d u p <<< "$c"
	args=(--create "$t" --server "$s" --username "$u" --password "$p" --encrypt)
	[ -n "$d" ] && args+=(--domain "$d")
	"$SETUP" "${args[@]}" 2>/dev/null
done
"$SETUP" --create plain --server s1 --username u --password p 2>/dev/null
expect_eq "run twice: the same files" "$(sum)" "$before"
expect_eq "run twice: one line per tunnel" "$(grep -c ' \* # pptpsetup: tunnel [^ ]*$' "$E/chap-secrets")" 5
# A new password replaces the line in place of a second one.
"$SETUP" --create work --server vpn.example.com --username alice --password new 2>/dev/null
expect_eq "a new password: still one line for the tunnel" \
	"$(grep -c ' # pptpsetup: tunnel work$' "$E/chap-secrets")" 1
check "a new password: the new one is there" grep -q '^"alice" work "new" \* # pptpsetup: tunnel work$' "$E/chap-secrets"

# 6. --delete removes its own line and file only.
for t in work corp-vpn t.3 t_4 plain; do
	"$SETUP" --delete "$t"
	expect_eq "--delete $t: exit status 0" "$?" 0
	check "--delete $t: the peers file is gone" test ! -e "$E/peers/$t"
done
expect_eq "--delete: every other line as it was, byte for byte" "$(cat "$E/chap-secrets")" "$ORIG"
expect_eq "--delete: chap-secrets ends as it began (its final newline too)" \
	"$(md5sum < "$E/chap-secrets")" "$(printf '%s\n' "$ORIG" | md5sum)"
# A file without a final newline: ours starts a line of its own.
printf 'last\tline' > "$E/chap-secrets"
"$SETUP" --create nl --server s1 --username u --password p 2>/dev/null
expect_eq "a last line without newline is kept apart from ours" "$(head -n 1 "$E/chap-secrets")" "$(printf 'last\tline')"
"$SETUP" --delete nl

# 6b. chap-secrets as the administrator keeps it: a symbolic link to a
# file of another owner and group, readable by the group.  Rewritten, the
# link stays a link, and the file keeps its owner, group and group bit.
mkdir -p "$WORK/vault"
mv "$E/chap-secrets" "$WORK/vault/chap-secrets"
ln -s "$WORK/vault/chap-secrets" "$E/chap-secrets"
chown 1234:2345 "$WORK/vault/chap-secrets"
chmod 0640 "$WORK/vault/chap-secrets"
"$SETUP" --create kept --server s1 --username u --password p 2>/dev/null
check "a symlinked chap-secrets stays a symbolic link" test -L "$E/chap-secrets"
check "the file it names gets the line" grep -q ' # pptpsetup: tunnel kept$' "$WORK/vault/chap-secrets"
expect_eq "its owner, group and mode are kept" "$(stat -c '%u:%g %a' "$WORK/vault/chap-secrets")" "1234:2345 640"
"$SETUP" --delete kept
expect_eq "--delete: the same" "$(test -L "$E/chap-secrets" && stat -c '%u:%g %a' "$WORK/vault/chap-secrets")" "1234:2345 640"
expect_eq "--delete: the file as it was" "$(cat "$WORK/vault/chap-secrets")" "$(printf 'last\tline')"
# Readable by others before: not any more (MODE 600 gives them nothing).
chmod 0644 "$WORK/vault/chap-secrets"
"$SETUP" --create kept --server s1 --username u --password p 2>/dev/null
expect_eq "a chap-secrets readable by others is no longer" "$(stat -c %a "$WORK/vault/chap-secrets")" 640
"$SETUP" --delete kept
rm -f "$E/chap-secrets"
mv "$WORK/vault/chap-secrets" "$E/chap-secrets"
chown 0:0 "$E/chap-secrets"
chmod 0600 "$E/chap-secrets"

# 7. Errors: usage (2), the rest (1), nothing written.
cp "$E/chap-secrets" "$WORK/cs.before"
err_case() {	# DESCRIPTION STATUS PATTERN ARGS...
	local d=$1 st=$2 pat=$3; shift 3
	"$SETUP" "$@" > "$WORK/out" 2> "$WORK/err" < /dev/null
	expect_eq "$d: exit status $st" "$?" "$st"
	expect_grep "$d: says why" "$pat" "$WORK/err"
}
err_case "no arguments" 2 "give --create NAME or --delete NAME"
err_case "no --server" 2 "no --server given" --create x --username u --password p
err_case "no --username" 2 "no --username given" --create x --server s --password p
err_case "a tunnel name with a slash" 2 "tunnel name '../x'" --create ../x --server s --username u --password p
err_case "a server that is no host name" 2 "--server 'a b'" --create x --server 'a b' --username u --password p
err_case "a server with a port" 2 "a port or an IPv6 address cannot be given" --create x --server vpn:1723 --username u --password p
err_case "an IPv6 server" 2 "a port or an IPv6 address cannot be given" --create x --server 2001:db8::1 --username u --password p
err_case "a password starting with @" 2 "starting with '@'" --create x --server s --username u --password @/etc/x
err_case "a newline in the user name" 2 "control character" --create x --server s --username "$(printf 'a\nb')" --password p
err_case "an unknown argument" 2 "unknown argument '--frob'" --frob
err_case "--encrypt with a value" 2 "--encrypt takes no value" --create x --server s --username u --password p --encrypt=1
err_case "--delete of no such tunnel" 1 "no tunnel 'nosuch'" --delete nosuch
err_case "no --password and no terminal" 1 "no terminal to ask for it on" --create x --server s --username u
printf 'pty "ssh gw pppd"\n' > "$E/peers/handmade"
err_case "--create over a peers file it did not write" 1 "did not write it" \
	--create handmade --server s --username u --password p
err_case "--delete of a peers file it did not write" 1 "not written by pptpsetup" --delete handmade
expect_eq "a peers file it did not write: untouched" "$(cat "$E/peers/handmade")" 'pty "ssh gw pppd"'
rm "$E/peers/handmade"
expect_eq "errors: chap-secrets untouched" "$(md5sum < "$E/chap-secrets")" "$(md5sum < "$WORK/cs.before")"
check "errors: no peers file written" test ! -e "$E/peers/x"
chmod 755 "$WORK" "$WORK/etc" "$E"
setpriv --reuid=65534 --regid=65534 --clear-groups env PPTPSETUP_ETC="$E" \
	"$SETUP" --create x --server s --username u --password p > "$WORK/out" 2> "$WORK/err"
expect_eq "not root: exit status 1" "$?" 1
expect_grep "not root: says so" "must be run as root" "$WORK/err"

# 7b. The classic pptpsetup's other spellings: an option shortened to a
# prefix that names it alone, and one dash instead of two.  A prefix of
# several is an error that names them.
"$SETUP" --cr abbr --ser s1 --user u --pass p --enc > "$WORK/out" 2> "$WORK/err"
expect_eq "abbreviated options (--cr --ser --user --pass --enc): exit status 0" "$?" 0
check "abbreviated options: the peers file, with require-mppe-128" grep -q '^require-mppe-128$' "$E/peers/abbr"
check "abbreviated options: the secret" grep -q '^"u" abbr "p" \* # pptpsetup: tunnel abbr$' "$E/chap-secrets"
"$SETUP" -create dash -server s1 -username u -password=p > "$WORK/out" 2> "$WORK/err"
expect_eq "one dash (-create -server -username -password=): exit status 0" "$?" 0
check "one dash: the secret" grep -q '^"u" dash "p" \* # pptpsetup: tunnel dash$' "$E/chap-secrets"
"$SETUP" --Create CASE --SERVER s1 -UserName u --Pass=p > "$WORK/out" 2> "$WORK/err"
expect_eq "options in any case (--Create --SERVER -UserName --Pass=): exit status 0" "$?" 0
check "options in any case: the secret, the name's case kept" \
	grep -q '^"u" CASE "p" \* # pptpsetup: tunnel CASE$' "$E/chap-secrets"
"$SETUP" --DELETE CASE
"$SETUP" -del abbr && "$SETUP" --delete=dash
expect_eq "abbreviated --delete: both gone, the other lines as they were" \
	"$(ls "$E/peers"; cat "$E/chap-secrets")" "$(cat "$WORK/cs.before")"
err_case "an ambiguous prefix" 2 "option '--s' is ambiguous: it could be --server, --start" \
	--create x --s s1 --username u --password p
err_case "an ambiguous prefix (one dash)" 2 "option '-d' is ambiguous: it could be --delete, --domain" -d x

# 8. Without --password it asks on the terminal, without echo.
if command -v script >/dev/null; then
	(sleep 1; printf 'typed secret\r') | script -qec "$SETUP --create tty --server s --username u" \
		/dev/null > "$WORK/tty.out" 2>&1
	expect_grep "the prompt is shown" "Password for u: " "$WORK/tty.out"
	expect_no_grep "the password is not echoed" "typed secret" "$WORK/tty.out"
	check "the typed password is written" grep -q '^"u" tty "typed secret" \* ' "$E/chap-secrets"
	"$SETUP" --delete tty
else
	not_ok "script (bsdutils) is needed to test the password prompt"
fi

# 9. --start runs "pppd call NAME".
printf '#!/bin/sh\necho "pppd $*" > "%s/pppd.args"\n' "$WORK" > "$WORK/pppd"
chmod +x "$WORK/pppd"
PPTPSETUP_PPPD=$WORK/pppd "$SETUP" --create go --server s --username u --password p --start 2>/dev/null
expect_eq "--start: runs pppd call NAME" "$(cat "$WORK/pppd.args" 2>/dev/null)" "pppd call go"
"$SETUP" --delete go

# 10. Without PPTPSETUP_PPTP the peers file names the pptp beside the script.
env -u PPTPSETUP_PPTP "$SETUP" --create here --server s --username u --password p 2>/dev/null
expect_eq "the pptp beside pptpsetup" "$(sed -n 2p "$E/peers/here")" "pty \"$TOP/pptp s --nolaunchpppd\""
"$SETUP" --delete here

# 11. options.pptp: every option in it is one the installed pppd documents.
MANWIDTH=200 man pppd 2>/dev/null > "$WORK/pppd.man"
if [ -s "$WORK/pppd.man" ]; then
	unknown=""
	for o in $(grep -v '^#' "$TOP/options.pptp" | awk 'NF { print $1 }'); do
		grep -qE "^ +$o( |$)" "$WORK/pppd.man" || unknown="$unknown $o"
	done
	expect_eq "options.pptp: every option is one pppd documents" "${unknown:-none}" none
else
	not_ok "pppd's manual page is needed (the ppp package)"
fi
check "options.pptp: each option line has a comment saying why" \
	awk 'BEGIN { c = 0 } /^#/ { c = 1; next } /^$/ { c = 0; next } { if (!c) exit 1 }' \
	"$TOP/options.pptp"

finish
