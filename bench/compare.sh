#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# compare.sh - do two benchmark reports agree?
#
#   bench/compare.sh A.md B.md
#
# Reads the "Headline ratios" table of two reports written by bench/bench.sh
# (ours / reference per link, workload and figure, with the range of ratios
# each run allows) and prints, row by row, both ratios and whether each lies
# inside the other report's range.  A row in one report only (a CPU row is
# named by the rate it was measured at) or without a figure is listed as
# not compared.  Exit status: 0 when every row of both reports was compared
# and agrees both ways, 1 when one does not or was not compared, 2 on a
# usage error, a report without the table, or two identical reports.  It
# also says when the reports come from different machines, commits,
# reference clients or pinning, or were taken with other settings or
# methods; lists the rows whose CPU runs kept differ; and counts the rows
# that agree where one range is 0 to inf (that direction cannot fail).
set -u

usage() {
	echo "usage: bench/compare.sh A.md B.md" >&2
	exit 2
}
[ $# = 2 ] || usage
for f in "$1" "$2"; do
	[ -r "$f" ] || { echo "compare.sh: cannot read $f" >&2; exit 2; }
	grep -q '^## [0-9]*\. Headline ratios' "$f" ||
		{ echo "compare.sh: $f has no \"Headline ratios\" table (not a report of the current bench.sh?)" >&2; exit 2; }
done

# rows FILE: "LINK|WORKLOAD|FIGURE|RATIO|LOW|HIGH|KEPT", one per line, from the
# table after the "Headline ratios" heading (the table ends at a blank line)
rows() {
	awk -F'|' '/^## [0-9]*\. Headline ratios/ { on = 1; next }
		on && /^## / { exit }
		on && /^\| / && $2 !~ /^ *link *$/ {
			for (i = 2; i <= 8; i++) { gsub(/^ +| +$/, "", $i) }
			print $2 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7 "|" $8
		}' "$1"
}

rows_a=$(rows "$1")
rows_b=$(rows "$2")
[ -n "$rows_a" ] || { echo "compare.sh: $1 has no rows in its \"Headline ratios\" table" >&2; exit 2; }
[ -n "$rows_b" ] || { echo "compare.sh: $2 has no rows in its \"Headline ratios\" table" >&2; exit 2; }

# A report compared with itself (or a copy) agrees by construction.
# (the report only: the notes below its end line are written by hand)
report_part() { sed '/^<!-- bench.sh: the report ends here/q' "$1"; }
if [ "$(report_part "$1")" = "$(report_part "$2")" ]; then
	echo "compare.sh: $1 and $2 are the same report: they would agree by construction, which says nothing" >&2
	exit 2
fi
# head_line FILE KEY: a line of the report's head ("- machine: ..."); ours
# without its path (each bench runs in a clone of its own)
head_line() {
	awk -v k="- $2:" 'index($0, k) == 1 { sub(/^- [a-z]+: /, ""); print; exit }' "$1" |
		if [ "$2" = ours ]; then sed 's/^[^ ]* //'; else cat; fi
}
for k in machine ours reference pinning; do
	if [ "$(head_line "$1" "$k")" != "$(head_line "$2" "$k")" ]; then
		echo "compare.sh: the two reports differ in \"$k\":"
		echo "A: $(head_line "$1" "$k")"
		echo "B: $(head_line "$2" "$k")"
		echo
	fi
done

# settings FILE: the report's settings and method lines (two reports taken
# with other settings, or by another layout of the runs, can differ for
# that reason alone)
settings() { awk '/^- settings:/ { on = 1 } on && (/^- [a-z]+:/ && !/^- (settings|method):/ || /^$/) { exit } on' "$1"; }
if [ "$(settings "$1")" != "$(settings "$2")" ]; then
	echo "compare.sh: the two reports were taken with different settings or methods:"
	echo "A:"; settings "$1"; echo "B:"; settings "$2"; echo
fi

awk -F'|' -v a_name="$1" -v b_name="$2" '
	# inside V LOW HIGH: V lies in [LOW, HIGH] ("inf": no upper bound)
	function inside(v, lo, hi) {
		if (v == "-" || lo == "-") return "-"
		if (v == "inf") return hi == "inf" ? "yes" : "no"
		return (v + 0 >= lo + 0 && (hi == "inf" || v + 0 <= hi + 0)) ? "yes" : "no"
	}
	# fr RATIO LOW HIGH: "RATIO (LOW-HIGH)", or "-" without a figure
	function fr(r, lo, hi) { return r == "-" || r == "" ? "-" : r " (" lo "-" hi ")" }
	# a range from 0 to inf holds any ratio: agreement there cannot fail
	function open_range(lo, hi) { return lo + 0 == 0 && hi == "inf" }
	FNR == 1 { f++ }
	{ key = $1 "|" $2 "|" $3 }
	f == 1 { order[++n] = key; A[key] = $0; next }
	f == 2 { B[key] = $0; if (!(key in A)) border[++m] = key }
	END {
		printf "A: %s\nB: %s\n\n", a_name, b_name
		printf "%-5s %-30s %-13s %18s %18s  %-6s %-6s\n", "link", "workload", "figure", "A ratio (range)", "B ratio (range)", "A in B", "B in A"
		bad = 0; both = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			split(A[k], a, "|")
			if (!(k in B)) {
				printf "%-5s %-30s %-13s %18s %18s  (in A only)\n", a[1], a[2], a[3], fr(a[4], a[5], a[6]), "-"
				continue
			}
			split(B[k], b, "|")
			ab = inside(a[4], b[5], b[6]); ba = inside(b[4], a[5], a[6])
			printf "%-5s %-30s %-13s %18s %18s  %-6s %-6s\n", a[1], a[2], a[3], fr(a[4], a[5], a[6]),
				fr(b[4], b[5], b[6]), ab, ba
			if (a[7] != b[7]) kept = kept sprintf("  %s, %s, %s: %s in A, %s in B\n", a[1], a[2], a[3], a[7], b[7])
			if (ab == "-" || ba == "-") continue
			both++
			if (ab != "yes" || ba != "yes") bad++
			else if (open_range(a[5], a[6]) || open_range(b[5], b[6])) loose++
		}
		for (i = 1; i <= m; i++) {
			split(B[border[i]], b, "|")
			printf "%-5s %-30s %-13s %18s %18s  (in B only)\n", b[1], b[2], b[3], "-", fr(b[4], b[5], b[6])
		}
		if (kept != "")
			printf "\nCPU runs kept (ours / ref) differ:\n%s", kept
		printf "\n%d of %d rows measured in both agree both ways\n", both - bad, both
		if (loose > 0)
			printf "(%d of them with a range of 0 to inf in one report: that direction cannot fail)\n", loose
		# a row in one report only was not compared: a CPU row measured at
		# another rate, a workload the other left out; not an agreement
		if (n - both + m > 0)
			printf "%d row(s) not compared (in one report only, or a figure missing)\n", n - both + m
		exit (bad > 0 || n - both + m > 0) ? 1 : 0
	}' <(echo "$rows_a") <(echo "$rows_b")
