#!/bin/bash
# build.sh TARGET OUTPUT - build the libFuzzer target fuzz_TARGET.c with the
# plugin sources it exercises (instrumented with AddressSanitizer and UBSan)
# as OUTPUT, against Kannel's gwlib and libxml2, which are not instrumented.
# build.sh --list prints the targets. Shared by tests/fuzz/test_fuzz_*.sh and
# scripts/fuzz; says what is missing and exits 1 when it cannot build.
#
#   ctf       the CTF reader (ctf_reader.c)
#   config    the configuration reader (config.c, conf_file.c and what
#             config.c validates with), a file per input
#   phone     masking numbers (phone.c)
#   gsm       septet and UTF-16 counting (gsm.c) against Kannel's encoders
#   template  template checking and rendering (template.c) against the
#             SQL renderer's rules
set -eu
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
TARGETS="ctf config phone gsm template"
if [ "${1:-}" = --list ]; then
    echo "$TARGETS"
    exit 0
fi
target=${1:?usage: build.sh TARGET OUTPUT}
output=${2:?usage: build.sh TARGET OUTPUT}

case $target in
ctf) sources=(plugin/ctf_reader.c) ;;
config) sources=(plugin/config.c plugin/conf_file.c plugin/gsm.c plugin/json.c plugin/template.c) ;;
phone) sources=(plugin/phone.c) ;;
gsm) sources=(plugin/gsm.c) ;;
template) sources=(plugin/template.c) ;;
*)
    echo "build.sh: no fuzz target '$target' (build.sh --list names them)" >&2
    exit 1
    ;;
esac

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
    -o "$output" "$src/tests/fuzz/fuzz_$target.c" "${sources[@]/#/$src/}" \
    $(gw-config --libs) $(pkg-config --libs libxml-2.0)
