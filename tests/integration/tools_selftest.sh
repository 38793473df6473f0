#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools_selftest.sh - proves the test tools themselves: pacsrv against the
# independent probe client pnsprobe (normal path, faults, GRE options, and
# that a misbehaving client is reported), and fakeppp against cat.
#
#   tests/integration/tools_selftest.sh        (B=build by default; KEEP=1 keeps the outputs)
#
# GRE checks need root (raw sockets); without it they are skipped.
# The checks are shell tests passed as strings and evaluated later.
# shellcheck disable=SC2016,SC2034
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
PACSRV=$B/pacsrv PNS=$B/pnsprobe FAKEPPP=$B/fakeppp
for t in "$PACSRV" "$PNS" "$FAKEPPP"; do
	[ -x "$t" ] || { echo "missing $t (build it first)"; exit 1; }
done

T=$(mktemp -d /tmp/tools_selftest.XXXXXX)
PASSED=0 FAILED=0
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# outputs kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | tail -40; done
}
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# Random call IDs, so parallel runs on one host do not take each other's GRE.
rand_id() { echo $(( (RANDOM % 2000) * 16 + 1000 )); }

# start_srv NAME ARGS...: pacsrv on 127.0.0.1, a free port, --once.
start_srv() {
	local name=$1; shift
	SRV_OUT=$T/$name.srv
	: >"$SRV_OUT"
	"$PACSRV" --listen 127.0.0.1 --port 0 --once --timeout 20 --call-id-base "$(rand_id)" "$@" \
		>"$SRV_OUT" 2>&1 &
	SRV_PID=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^LISTEN 127.0.0.1:\([0-9]*\)$/\1/p' "$SRV_OUT")
		[ -n "$PORT" ] && return 0
		sleep 0.02
	done
	echo "pacsrv did not start"; cat "$SRV_OUT"
	return 1
}
wait_srv() {
	wait "$SRV_PID"
	SRV_RC=$?
	SRV_PID=
}

# pair NAME "PACSRV ARGS" PNSPROBE ARGS...: run one exchange; results in
# $T/NAME.srv, $T/NAME.pns, SRV_RC, PNS_RC.
pair() {
	local name=$1 sargs=$2; shift 2
	# shellcheck disable=SC2086
	start_srv "$name" $sargs || return 1
	PNS_OUT=$T/$name.pns
	"$PNS" --port "$PORT" --call-id "$(rand_id)" "$@" >"$PNS_OUT" 2>&1
	PNS_RC=$?
	wait_srv
}

has() { grep -Eq -- "$2" "$1"; }
count() { grep -Ec -- "$2" "$1"; }

# check DESC COND...: each COND is a shell test evaluated in order.
check() {
	local desc=$1; shift
	for c in "$@"; do
		if ! eval "$c"; then
			not_ok "$desc (failed: $c)" "$SRV_OUT" "${PNS_OUT:-/dev/null}"
			return
		fi
	done
	ok "$desc"
}

# ---------------------------------------------------------------- pacsrv: control path

G=0; [ $ROOT = 1 ] && G=100
pair normal "" --echo 3 --gre $G
check "pacsrv normal path: SCCRQ, OCRQ, echo, GRE echo, CCR/CDN, StopCCRQ" \
	'[ $SRV_RC = 0 ] && [ $PNS_RC = 0 ]' \
	'has $SRV_OUT "^RECV SCCRQ version=0x0100 framing=1 bearer=1 maxch=0 firmware=0x0001 host=\"pnsprobe\" vendor=\"probe\"$"' \
	'has $SRV_OUT "^SEND SCCRP result=1$"' \
	'has $SRV_OUT "^RECV OCRQ call_id=[0-9]+ serial=[0-9]+ window=64 framing=3 bearer=3 phone=\"1234\" phone_len=4"' \
	'has $SRV_OUT "^SEND OCRP call_id=[0-9]+ peer_call_id=[0-9]+ result=1"' \
	'[ $(count $SRV_OUT "^RECV ECHORQ id=") = 3 ]' \
	'has $SRV_OUT "^SEND CDN call_id=[0-9]+ result=4$"' \
	'has $SRV_OUT "^RECV STOPCCRQ reason=1"' 'has $SRV_OUT "^CLOSED$"' \
	'! has $SRV_OUT "^ERROR"' \
	'has $PNS_OUT "RECV SCCRP result=1 error=0 host=\"pacsrv\""' \
	'[ $(count $PNS_OUT "RECV ECHORP id=[0-9]+ ok") = 3 ]'
if [ $ROOT = 1 ]; then
	check "pacsrv GRE echo: every packet back in order, strict checks pass" \
		'has $SRV_OUT "^GRE SUMMARY rx=100 rx_bad=0 tx=100$"' 'has $SRV_OUT "^GRE SEQ_ERRORS 0$"' \
		'has $PNS_OUT "GRE sent=100 received=100 bad=0 gaps=0 old=0 content=0"'
fi

pair twocalls "" --calls 2
check "pacsrv: two calls on one connection, call IDs count up" \
	'[ $SRV_RC = 0 ] && [ $PNS_RC = 0 ]' '[ $(count $SRV_OUT "^CALL UP") = 2 ]' \
	'[ $(count $SRV_OUT "^SEND CDN") = 2 ]' \
	'[ $(($(sed -n "2s/.*call_id=\([0-9]*\).*/\1/p" <(grep "^CALL UP" $SRV_OUT)) - $(sed -n "1s/.*call_id=\([0-9]*\).*/\1/p" <(grep "^CALL UP" $SRV_OUT)))) = 1 ]'

pair maxcalls "--max-calls 1" --calls 2
check "pacsrv --max-calls 1: the second call is busy" \
	'[ $PNS_RC = 3 ]' 'has $PNS_OUT "RECV OCRP .* result=4"' 'has $SRV_OUT "^SEND OCRP .* result=4"'

pair refctl "--fault refuse-control=4 --error-code 0" --timeout 2
check "fault refuse-control=4: SCCRP result 4, then close" \
	'[ $PNS_RC = 2 ]' 'has $PNS_OUT "RECV SCCRP result=4"' 'has $SRV_OUT "^SEND SCCRP result=4 error=0$"' \
	'has $SRV_OUT "^CLOSED$"' '[ $SRV_RC = 0 ]'

pair refcall "--fault refuse-call" --timeout 2
check "fault refuse-call: OCRP busy" '[ $PNS_RC = 3 ]' 'has $PNS_OUT "RECV OCRP .* result=4"'

pair ref2 "--fault refuse-second-call" --calls 2 --timeout 2
check "fault refuse-second-call: first call up, second busy" \
	'[ $PNS_RC = 3 ]' '[ $(count $PNS_OUT "RECV OCRP .* result=1") = 1 ]' 'has $PNS_OUT "RECV OCRP .* result=4"'

pair silent "--fault silent" --timeout 1 --no-stop
check "fault silent: nothing is ever sent" \
	'has $PNS_OUT "TIMEOUT waiting for SCCRP"' '! has $SRV_OUT "^SEND"' 'has $SRV_OUT "^FAULT silent"'

pair atsccrq "--fault close-at-sccrq" --timeout 2
check "fault close-at-sccrq: connection closed on SCCRQ" '[ $PNS_RC = 5 ]' 'has $PNS_OUT "PNS EOF"'

for f in "bad-magic:BAD magic" "bad-pptp-type:BAD pptp_type 2" "length=0:BAD length 0" \
	"length=11:BAD length 11" "length=65535:BAD length 65535" \
	"length-mismatch:BAD length 152 for type 2" "garbage:BAD " "ocrp-other-call:BAD OCRP for another call" \
	"wrong-state:RECV UNEXPECTED type=8"; do
	pair "mal_${f%%:*}" "--fault ${f%%:*}" --timeout 2 --hold 0.3
	check "fault ${f%%:*}: the probe sees '${f#*:}'" '[ $PNS_RC = 4 ]' 'has $PNS_OUT "${f#*:}"'
done

pair second "--fault second-sccrp" --timeout 2 --hold 0.3
check "fault second-sccrp: another SCCRP after the call is up" \
	'[ $PNS_RC = 4 ]' 'has $PNS_OUT "RECV UNEXPECTED type=2"' 'has $SRV_OUT "^FAULT second-sccrp"'

pair split "--fault split-bytes" --echo 1
check "fault split-bytes: SCCRP and OCRP one byte per write still parse" \
	'[ $PNS_RC = 0 ]' '[ $SRV_RC = 0 ]' 'has $SRV_OUT "^FAULT split-bytes OCRP"'

pair packed "--fault packed=3" --hold 0.3
check "fault packed=3: three Echo-Requests ride with the SCCRP, replies checked" \
	'[ $PNS_RC = 0 ]' '[ $(count $PNS_OUT "RECV ECHORQ") = 3 ]' '[ $(count $SRV_OUT "^RECV ECHORP id=[0-9]+ ok$") = 3 ]' \
	'[ $SRV_RC = 0 ]'

pair unknown "--fault unknown-type=42" --hold 0.3
check "fault unknown-type=42: a well-framed type 42 message" '[ $PNS_RC = 0 ]' 'has $PNS_OUT "RECV UNKNOWN type=42 length=16"'

pair echoevery "--fault echo-request-every=0.2" --hold 1
check "fault echo-request-every: our Echo-Requests answered with matching ids" \
	'[ $PNS_RC = 0 ] && [ $SRV_RC = 0 ]' '[ $(count $SRV_OUT "^RECV ECHORP id=[0-9]+ ok$") -ge 3 ]'

pair noecho "--fault no-echo-reply" --echo 1 --timeout 1
check "fault no-echo-reply: Echo-Request unanswered" \
	'has $PNS_OUT "TIMEOUT waiting for ECHORP"' 'has $SRV_OUT "^FAULT no-echo-reply id=1000$"'

pair cdn "--fault cdn-after=0.2" --hold 1
check "fault cdn-after: CDN (admin shutdown) sent unasked" \
	'[ $PNS_RC = 0 ] && [ $SRV_RC = 0 ]' 'has $PNS_OUT "RECV CDN call_id=[0-9]+ result=3"' '! has $SRV_OUT "^RECV CCR"'

pair stop "--fault stop-after=0.2" --hold 2
check "fault stop-after: StopCCRQ sent unasked, StopCCRP received" \
	'[ $PNS_RC = 5 ]' 'has $PNS_OUT "RECV STOPCCRQ"' 'has $SRV_OUT "^RECV STOPCCRP result=1"' '[ $SRV_RC = 0 ]'

pair close "--fault close-mid-call=0.2" --hold 2
check "fault close-mid-call: FIN during the call" '[ $PNS_RC = 5 ]' 'has $PNS_OUT "PNS EOF"'

pair reset "--fault reset-mid-call=0.2" --hold 2
check "fault reset-mid-call: RST during the call" '[ $PNS_RC = 5 ]' 'has $PNS_OUT "PNS RESET"'

# ---------------------------------------------------------------- pacsrv notices a bad client

pair evil1 "" --evil ocrq-first --timeout 1
check "a client sending OCRQ before SCCRQ is an ERROR, --once exits 1" \
	'has $SRV_OUT "^ERROR OCRQ in state wait-sccrq"' '[ $SRV_RC = 1 ]'

pair evil2 "" --evil bad-length --timeout 1
check "a client's Echo-Request of 20 bytes is an ERROR" 'has $SRV_OUT "^ERROR ECHORQ with length 20, must be 16"' '[ $SRV_RC = 1 ]'

pair evil3 "--fault echo-request-every=0.2" --evil wrong-echo-id --hold 0.6
check "a client answering our Echo-Request with another id is an ERROR" \
	'has $SRV_OUT "^ERROR Echo-Reply id=[0-9]+ matches no Echo-Request"' '[ $SRV_RC = 1 ]'

if [ $ROOT = 1 ]; then
	pair evil4 "" --gre 20 --evil gre-seq-gap
	check "a client skipping sequence numbers shows in GRE SEQ_ERRORS" 'has $SRV_OUT "^GRE SEQ_ERRORS 1$"'

	pair evil5 "" --gre 5 --evil gre-own-callid
	check "GRE carrying the client's own call ID is an ERROR" \
		'has $SRV_OUT "^ERROR GRE from .* own call ID"' '[ $SRV_RC = 1 ]'

	# ------------------------------------------------------------ pacsrv GRE options
	pair drop "--gre-drop 10" --gre 100
	check "--gre-drop 10: one packet in ten never sent" \
		'has $PNS_OUT "GRE sent=100 received=90 bad=0 gaps=9"' 'has $SRV_OUT "tx_dropped=10"'

	pair dup "--gre-dup 10" --gre 100
	check "--gre-dup 10: one packet in ten sent twice" 'has $PNS_OUT "GRE sent=100 received=100 bad=0 gaps=0 old=10"'

	pair wrap "--gre-start 4294967290" --gre 100
	check "--gre-start 4294967290: sequence numbers wrap cleanly" \
		'has $PNS_OUT "GRE sent=100 received=100 bad=0 gaps=0 old=0 content=0"' 'has $SRV_OUT "^GRE SUMMARY rx=100 rx_bad=0"'

	pair jump "--gre-jump 1000" --gre 50
	check "--gre-jump 1000: one jump in our sequence" 'has $PNS_OUT "GRE sent=50 received=50 bad=0 gaps=1 old=0"'

	pair reorder "--gre-reorder 10" --gre 100
	check "--gre-reorder 10: pairs swapped (the probe drops the late one of each pair)" 'has $PNS_OUT "GRE sent=100 received=91 bad=0 gaps=9 old=9"'

	pair bad "--gre-bad all --gre-bad-every 10" --gre 100
	check "--gre-bad all: five malformed kinds plus a wrong call ID, every 10th packet" \
		'has $PNS_OUT "GRE sent=100 received=100 bad=50 gaps=0 old=0 content=0"' 'has $SRV_OUT "tx_bad=60"' \
		'has $SRV_OUT "rx_bad=0"'

	pair none "--gre none" --gre 30
	check "--gre none: GRE received, nothing sent" 'has $SRV_OUT "^GRE SUMMARY rx=30 rx_bad=0 tx=0$"' \
		'has $PNS_OUT "GRE sent=30 received=0"'

	pair countack "--gre count --gre-pure-acks" --gre 30
	check "--gre count --gre-pure-acks: only pure acks come back" \
		'has $SRV_OUT "^GRE SUMMARY rx=30 rx_bad=0 tx=30$"' 'has $PNS_OUT "GRE sent=30 received=0 bad=0 gaps=0 old=0 content=0 acks=30"'
else
	echo "# not root: GRE checks skipped"
fi

# ---------------------------------------------------------------- pacsrv process behaviour

SRV_OUT=$T/to.srv PNS_OUT=
"$PACSRV" --listen 127.0.0.1 --port 0 --timeout 0.3 >"$SRV_OUT" 2>&1
SRV_RC=$?
check "pacsrv --timeout: exit status 2 with the summary" '[ $SRV_RC = 2 ]' 'has $SRV_OUT "^TIMEOUT$"' \
	'has $SRV_OUT "^GRE SUMMARY rx=0 rx_bad=0 tx=0$"'

start_srv term && sleep 0.2 && kill -TERM "$SRV_PID" && wait_srv
check "pacsrv SIGTERM: clean exit with the summary" '[ $SRV_RC = 0 ]' 'has $SRV_OUT "^GRE SEQ_ERRORS 0$"'

SRV_OUT=$T/opt.srv
"$PACSRV" --bogus >"$SRV_OUT" 2>&1; SRV_RC=$?
"$PACSRV" --fault no-such-fault >>"$SRV_OUT" 2>&1; R2=$?
check "pacsrv rejects unknown options and faults" '[ $SRV_RC = 64 ] && [ $R2 = 64 ]'

# ---------------------------------------------------------------- fakeppp against cat

# fp NAME EXPECTED_RC ARGS...: fakeppp -- cat
fp() {
	local name=$1 want=$2; shift 2
	SRV_OUT=$T/$name.fp PNS_OUT=
	"$FAKEPPP" --timeout 20 "$@" -- cat >"$SRV_OUT" 2>/dev/null
	FP_RC=$?
	[ "$FP_RC" = "$want" ]
}

fp async 0 --expect-echo --frames 500
check "fakeppp HDLC: 500 frames through cat and back" '[ $FP_RC = 0 ]' \
	'has $SRV_OUT "^FAKEPPP sent=500 received=500 bad=0 reordered=0 missing=0 dup=0 fcs_errors=0"' \
	'has $SRV_OUT "^FAKEPPP RESULT ok$"' 'has $SRV_OUT "^CHILD (exit|signal)="'

fp sync 0 --expect-echo --sync --frames 300
check "fakeppp --sync: frames split by their length fields" '[ $FP_RC = 0 ]' \
	'has $SRV_OUT "^FAKEPPP sent=300 received=300 bad=0"'

fp bulk 0 --expect-echo --bytes 2000000 --size 1400 --inflight 64
check "fakeppp --bytes: bulk CRC of what came back equals what was sent" '[ $FP_RC = 0 ]' \
	'[ "$(sed -n "s/^FAKEPPP bulk sent bytes=\([0-9]*\) crc=\([0-9a-f]*\)$/\1 \2/p" $SRV_OUT)" = "$(sed -n "s/^FAKEPPP bulk received bytes=\([0-9]*\) crc=\([0-9a-f]*\) .*/\1 \2/p" $SRV_OUT)" ]' \
	'has $SRV_OUT "^FAKEPPP bulk sent bytes=2000000 crc="'

fp badfcs 1 --expect-echo --frames 100 --bad-fcs 10
check "fakeppp --bad-fcs 10: cat hands back the 10 bad frames, they fail the FCS" '[ $FP_RC = 1 ]' \
	'has $SRV_OUT "received=90 bad=0 reordered=0 missing=0 dup=0 fcs_errors=10"'

fp oversize 0 --expect-echo --frames 50 --oversize
check "fakeppp --oversize: a 20000-byte frame" '[ $FP_RC = 0 ]' 'has $SRV_OUT "oversize_back=1"'

fp stopread 0 --expect-echo --frames 200 --inflight 0 --stop-reading 0.3
check "fakeppp --stop-reading: pause mid-run, nothing lost" '[ $FP_RC = 0 ]' \
	'has $SRV_OUT "^FAKEPPP stop reading"' 'has $SRV_OUT "missing=0"'

fp child 1 --frames 10 --expect-echo --timeout 1 --no-wait-link -- sh -c 'exit 7'
check "fakeppp: a child that exits at once is reported, the run fails" '[ $FP_RC = 1 ]' 'has $SRV_OUT "^CHILD exit=7$"'

# Mode (b): invoked as "pppd" on a tty someone else owns.
if command -v python3 >/dev/null; then
	mkdir -p "$T/bin" && ln -sf "$(cd "$(dirname "$FAKEPPP")" && pwd)/fakeppp" "$T/bin/pppd"
	SRV_OUT=$T/asppp.log PNS_OUT=
	FAKEPPP_LOG=$SRV_OUT FAKEPPP_OPTS="--expect-echo --frames 100" python3 - "$T/bin/pppd" <<'EOF' >"$T/asppp.py" 2>&1
import os, pty, select, subprocess, sys
m, s = pty.openpty()          # s stays open, as a client's copy of the slave would
p = subprocess.Popen([sys.argv[1], os.ttyname(s), "38400", "nodetach", "noauth"])
while p.poll() is None:
    r, _, _ = select.select([m], [], [], 0.1)
    if r:
        os.write(m, os.read(m, 65536))   # loop frames straight back
print("rc", p.wait())
EOF
	check "fakeppp as pppd: tty from argv, options from FAKEPPP_OPTS, log in FAKEPPP_LOG" \
		'has $T/asppp.py "^rc 0$"' 'has $SRV_OUT "^ARGS /dev/pts/[0-9]+ 38400 nodetach noauth$"' \
		'has $SRV_OUT "^FAKEPPP sent=100 received=100 bad=0"'
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
