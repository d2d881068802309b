#!/bin/bash
# Template checking and rendering (template.c), checked against the SQL renderer's rules,
# under libFuzzer, AddressSanitizer and UBSan for 5 seconds (FUZZ_SECONDS),
# from the seeds in tests/fuzz/corpus/template (fuzz_test.sh).
. "$(dirname "$0")/fuzz_test.sh" template 5
