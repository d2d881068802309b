#!/bin/bash
# build.sh OUTPUT - build the CTF reader's libFuzzer target (fuzz_ctf.c and
# plugin/ctf_reader.c, instrumented with AddressSanitizer and UBSan) as
# OUTPUT, against Kannel's gwlib and libxml2, which are not instrumented.
# Shared by tests/fuzz/test_fuzz_ctf.sh and scripts/fuzz; says what is
# missing and exits 1 when it cannot build.
set -eu
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
output=${1:?usage: build.sh OUTPUT}

for tool in clang gw-config pkg-config; do
    if ! command -v "$tool" >/dev/null; then
        echo "build.sh: $tool is missing: run scripts/setup" >&2
        exit 1
    fi
done
# libFuzzer's runtime is a Debian package of its own, which clang only
# recommends; clang prints the bare name back when it has no such file.
runtime=$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")
if [ ! -e "$runtime" ]; then
    echo "build.sh: clang's libFuzzer runtime is missing: apt-get install libclang-rt-dev" >&2
    exit 1
fi

mkdir -p "$(dirname "$output")"
# The configs' flags are word lists; ours come after them, to win.
# shellcheck disable=SC2046
clang $(gw-config --cflags) $(pkg-config --cflags libxml-2.0) -I"$src/include" \
    -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Wall -Wextra -Wno-unused-command-line-argument \
    -o "$output" "$src/tests/fuzz/fuzz_ctf.c" "$src/plugin/ctf_reader.c" \
    $(gw-config --libs) $(pkg-config --libs libxml-2.0)
