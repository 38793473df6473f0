#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# codec.sh - instructions per frame of the HDLC codec alone (callgrind):
# encoding and decoding random frames of each size, the FCS included,
# nothing else of the client.  What the codec costs on this processor
# (AVX2, SSE2 or portable C: hdlc.c chooses at run time; valgrind shows no
# AVX-512, which the codec does not use).
#
#   bench/codec.sh [SIZE...]        (default: 64 1400; COUNT=1000 frames)
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1000}
SIZES=${*:-64 1400}
command -v valgrind >/dev/null || { echo "codec.sh: valgrind is missing" >&2; exit 1; }
make -s build/bench/codec
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| frame | encode Ir/frame | decode Ir/frame |"
echo "|---:|---:|---:|"
for size in $SIZES; do
	build/bench/codec "$size" "$COUNT" >/dev/null || { echo "codec.sh: frames did not come back whole" >&2; exit 1; }
	row="| $size B"
	for fn in run_encode run_decode; do
		valgrind --tool=callgrind --callgrind-out-file="$work/cg" --toggle-collect="$fn*" \
			build/bench/codec "$size" "$COUNT" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		ir=$(callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
		[ -n "$ir" ] && [ "$ir" != 0 ] || { echo "codec.sh: callgrind counted nothing in $fn" >&2; exit 1; }
		row="$row | $((ir / COUNT))"
	done
	echo "$row |"
done
