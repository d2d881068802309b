#!/bin/bash
# Masking numbers (phone.c), each input a number,
# under libFuzzer, AddressSanitizer and UBSan for 5 seconds (FUZZ_SECONDS),
# from the seeds in tests/fuzz/corpus/phone (fuzz_test.sh).
. "$(dirname "$0")/fuzz_test.sh" phone 5
