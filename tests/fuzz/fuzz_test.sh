#!/bin/bash
# fuzz_test.sh TARGET SECONDS - one fuzz target (see build.sh) under
# libFuzzer, AddressSanitizer and UBSan for SECONDS (FUZZ_SECONDS, when set,
# instead), from its seeds in tests/fuzz/corpus/TARGET copied to a
# temporary directory: one TAP line, with the runs and their rate. A
# crashing input is kept in the build tree, with the command that replays
# it. Sourced by each tests/fuzz/test_fuzz_TARGET.sh.
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$src/build}
target=$1
seconds=${FUZZ_SECONDS:-$2}
work=$(mktemp -d "/tmp/absence-fuzz-$target-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$src/tests/fuzz/corpus/$target" "$work/corpus"

echo "1..1"
abs_top_srcdir=$src abs_top_builddir=$build \
    "$src/tests/fuzz/run.sh" "$target" "$seconds" "$work/corpus" "$work/artifacts" >"$work/log" 2>&1
status=$?
stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -1; }
if [ "$status" -eq 0 ]; then
    echo "ok 1 - fuzz_$target: $(stat number_of_executed_units) runs in $seconds s" \
        "($(stat average_exec_per_sec)/s), no crash, leak or broken promise"
    exit 0
fi
echo "not ok 1 - fuzz_$target failed (status $status)"
tail -40 "$work/log" | sed 's/^/# /'
for input in "$work"/artifacts/*; do
    [ -e "$input" ] || continue
    cp "$input" "$build/tests/fuzz/"
    echo "# kept $build/tests/fuzz/$(basename "$input");" \
        "replay: $build/tests/fuzz/fuzz_$target $build/tests/fuzz/$(basename "$input")"
done
exit 1
