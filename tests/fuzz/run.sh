#!/bin/bash
# run.sh SECONDS CORPUS ARTIFACTS [SEEDS...] - build fuzz_ctf (build.sh) into
# the build tree and run it for SECONDS over CORPUS, where it writes the new
# inputs it finds, reading the SEEDS directories too; a crashing input is
# written to the ARTIFACTS directory. Exits with libFuzzer's status (0: no
# crash, leak, timeout or broken promise). The options both of its callers
# share, tests/fuzz/test_fuzz_ctf.sh and scripts/fuzz, are here.
set -eu
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$src/build}
seconds=${1:?usage: run.sh SECONDS CORPUS ARTIFACTS [SEEDS...]}
corpus=${2:?usage: run.sh SECONDS CORPUS ARTIFACTS [SEEDS...]}
artifacts=${3:?usage: run.sh SECONDS CORPUS ARTIFACTS [SEEDS...]}
shift 3

target=$build/tests/fuzz/fuzz_ctf
abs_top_srcdir=$src "$src/tests/fuzz/build.sh" "$target"
mkdir -p "$corpus" "$artifacts"
# Inputs up to 64 KiB reach past libxml2's first buffers; a real CTF's
# structure shows in far less. An input that takes 10 s is a hang.
exec "$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -dict="$src/tests/fuzz/ctf.dict" -artifact_prefix="${artifacts%/}/" -print_final_stats=1 \
    "$corpus" "$@"
