#!/bin/bash
# The CTF reader under libFuzzer, AddressSanitizer and UBSan for 20 seconds
# (FUZZ_SECONDS), from the seeds in tests/fuzz/corpus/ctf (fuzz_test.sh).
. "$(dirname "$0")/fuzz_test.sh" ctf 20
