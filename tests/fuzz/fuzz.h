/*
 * fuzz.h - what every libFuzzer target of tests/fuzz shares: libFuzzer's
 * entry points, a promise that aborts when broken (libFuzzer reports the
 * abort as a crash), and gwlib started with only its panics shown.
 */
#ifndef ABSENCE_FUZZ_H
#define ABSENCE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>

#include "gwlib/gwlib.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void check(int promise)
{
    if (!promise)
        abort();
}

static inline void fuzz_start(void)
{
    gwlib_init();
    log_set_output_level(GW_PANIC);
}

#endif
