#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-seeds.sh PCAP SERVER_IP [CORPUS_DIR] - seeds for the fuzz targets
# from a real session: what a server (PoPToP pptpd, with pppd behind it)
# sent us, taken from a packet capture with tshark.
#
#   ctrl/capture_stream   the server's TCP/1723 byte stream, after a header
#                         that opens one call with the captured call ID
#   ctrl/capture_first    the server's first control message, alone
#   gre/capture_ip_N      the server's first IPv4 GRE packets of each kind
#                         (data, ack only), whole
#   gre/capture_script    a script of the server's first GRE packets, with
#                         the target's call ID in them, time passing between
#   lcp/capture_N         the server's first LCP frames behind a probe header
#
# The captures of the project's own tests serve: tests/integration/
# pptpd_interop.sh (KEEP=1; its cap.pcap, control only) and tests/e2e/run.sh
# (E2E_WORKDIR=DIR --sessions main; DIR/main/cap.pcap, with GRE).  The
# seeds are small (a snap length of 256 bytes is fine); the files already
# in the corpus are left alone unless a name here is the same.
set -eu
[ $# -ge 2 ] || { sed -n '3,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d'; exit 2; }
pcap=$1 srv=$2 out=${3:-$(dirname "$0")/corpus}
for t in tshark jq perl; do
	command -v "$t" >/dev/null || { echo "capture-seeds: $t is missing (tests/deps.sh installs it)" >&2; exit 2; }
done
[ -r "$pcap" ] || { echo "capture-seeds: cannot read $pcap" >&2; exit 2; }

unhex() { perl -ne 'chomp; print pack("H*", $_)'; }
# from LAYER FILTER: for each matching frame, one line of hex: the frame
# from where tshark's dissector put LAYER (ip, gre, ppp) to its end, so no
# header length is worked out here.
from() {
	tshark -r "$pcap" -Y "$2" -T json -x 2>/dev/null |
		jq -r --arg l "$1_raw" '.[]._source.layers | .frame_raw[0][(.[$l][1] * 2):]'
}
n_written=0
put() { unhex <<< "$2" > "$1"; n_written=$((n_written + 1)); echo "capture-seeds: $1 ($(stat -c %s "$1") bytes)"; }

# --- control connection
mkdir -p "$out/ctrl" "$out/gre" "$out/lcp"
stream=$(tshark -r "$pcap" -Y "ip.src == $srv && tcp.srcport == 1723 && tcp.len > 0" \
	-T fields -e tcp.payload 2>/dev/null | tr -d ':\n')
if [ -n "$stream" ]; then
	put "$out/ctrl/capture_first" "${stream:0:$((2 * 0x${stream:0:4}))}"
	# Our call ID is the peer call ID of the server's Outgoing-Call-Reply:
	# the engine's first call gets it from header bytes 6..7 (fuzz_ctrl.c).
	cid=$(tshark -r "$pcap" -Y "ip.src == $srv && pptp.control_message_type == 8" -T fields -e pptp.peer_call_id \
		2>/dev/null | head -n 1)
	cid=$(printf '%04x' "${cid:-0}")
	# flags 0x02: open a call first; reads of 32, 8 and 256 bytes; 0.5 s a read
	put "$out/ctrl/capture_stream" "021f07ff0110$cid$stream"
fi

# --- GRE
gre_filter="ip.src == $srv && gre && gre.proto == 0x880b"
data=$(from ip "$gre_filter && gre.flags.sequence_number == 1" | head -n 1)
ackonly=$(from ip "$gre_filter && gre.flags.sequence_number == 0" | head -n 1)
[ -z "$data" ] || put "$out/gre/capture_ip_data" "$data"
[ -z "$ackonly" ] || put "$out/gre/capture_ip_ack" "$ackonly"
# The script: config (no test type, window 3, ours 7, missing window 64,
# --timeout 100 ms, no send failures), then op 0 (raw packet, up to 255
# bytes) with the call ID bytes made the target's 0x1234, op 3 (1 ms
# passes) between packets.
script=''
for g in $(from gre "$gre_filter" | head -n 16); do
	g=${g:0:12}1234${g:16}
	len=$(( ${#g} / 2 ))
	[ "$len" -le 255 ] || continue
	script+=$(printf '00%02x%s03fa02' "$len" "$g")
done
[ -z "$script" ] || put "$out/gre/capture_script" "0003074064000000$script"

# --- LCP frames, as --diagnose's probe receives them: identifier 1, text
# buffer 120, our magic number 0x01020304, then the PPP frame
i=0
for f in $(from ppp "ip.src == $srv && gre && lcp" | head -n 3); do
	put "$out/lcp/capture_$i" "017801020304$f"
	i=$((i + 1))
done
echo "capture-seeds: $n_written seeds from $pcap"
