#!/bin/bash
# Septet and UTF-16 counting (gsm.c), checked against Kannel's own encoders,
# under libFuzzer, AddressSanitizer and UBSan for 5 seconds (FUZZ_SECONDS),
# from the seeds in tests/fuzz/corpus/gsm (fuzz_test.sh).
. "$(dirname "$0")/fuzz_test.sh" gsm 5
