#!/bin/bash
# run.sh TARGET SECONDS CORPUS ARTIFACTS [SEEDS...] - build fuzz_TARGET
# (build.sh) into the build tree and run it for SECONDS over CORPUS, where
# it writes the new inputs it finds, reading the SEEDS directories too; a
# crashing input is written to the ARTIFACTS directory. Exits with
# libFuzzer's status (0: no crash, leak, timeout or broken promise). The
# options all its callers share, tests/fuzz/test_fuzz_*.sh and scripts/fuzz,
# are here.
set -eu
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$src/build}
usage="usage: run.sh TARGET SECONDS CORPUS ARTIFACTS [SEEDS...]"
target=${1:?$usage}
seconds=${2:?$usage}
corpus=${3:?$usage}
artifacts=${4:?$usage}
shift 4

# The longest input worth trying: a CTF's structure shows in far less than
# 64 KiB but libxml2's buffers need that much to be crossed; a config file,
# a template or a text in far less.
case $target in
ctf) max_len=65536 ;;
config) max_len=8192 ;;
phone) max_len=64 ;;
*) max_len=2048 ;;
esac
options=()
[ -f "$src/tests/fuzz/$target.dict" ] && options+=(-dict="$src/tests/fuzz/$target.dict")

binary=$build/tests/fuzz/fuzz_$target
abs_top_srcdir=$src "$src/tests/fuzz/build.sh" "$target" "$binary"
mkdir -p "$corpus" "$artifacts"
# An input that takes 10 s is a hang.
exec "$binary" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    "${options[@]}" -artifact_prefix="${artifacts%/}/" -print_final_stats=1 "$corpus" "$@"
