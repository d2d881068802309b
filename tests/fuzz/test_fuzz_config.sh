#!/bin/bash
# The configuration reader (config.c, conf_file.c), each input a config file,
# under libFuzzer, AddressSanitizer and UBSan for 5 seconds (FUZZ_SECONDS),
# from the seeds in tests/fuzz/corpus/config (fuzz_test.sh).
. "$(dirname "$0")/fuzz_test.sh" config 5
