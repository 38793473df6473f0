#!/bin/sh
# run.sh SECONDS TARGET... - run each libFuzzer target (built in build/fuzz)
# for SECONDS over a copy of its seed corpus; print executions per target.
# New inputs go to a scratch directory, never into the tree.
set -u
secs=$1; shift
fail=0
passed=0
failed=0
for t in "$@"; do
	name=${t#fuzz_}
	work=$(mktemp -d /tmp/pptp-fuzz.XXXXXX)
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	log=$work/log
	# shellcheck disable=SC2086
	build/fuzz/$t -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=1024 \
		-artifact_prefix="$work/" "$work" $seeds > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $name: ${execs:-?} executions in ${secs}s, no crash"
		passed=$((passed + 1))
		rm -rf "$work"
	else
		echo "not ok - fuzz $name: crashed (exit $rc); input and log kept in $work"
		failed=$((failed + 1))
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -5 | sed 's/^/    | /'
		fail=1
	fi
done
echo "$passed passed, $failed failed"
exit $fail
