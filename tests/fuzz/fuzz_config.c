/*
 * fuzz_config.c - libFuzzer target for the configuration reader: any bytes
 * written to a file and loaded with config_load(), as the box and
 * absencectl load theirs. Either a configuration or one error line naming
 * the file comes back, never both or neither; gwlib's PANIC (on a line its
 * reader cannot take, such as one with "include" in it) aborts, which
 * libFuzzer reports as a crash.
 *
 * Kannel 1.4.5's cfg_read() leaks the lines after the one it stops at when
 * it rejects a file (gwlib/cfg.c: the list is destroyed without its items;
 * tests/sanitizer.supp names it). Its frames are not instrumented, so a
 * suppression cannot see them at fuzzing speed; instead, a file Kannel's
 * reader rejects is loaded with leak checking off (what absencebox's own
 * code allocates on that path it also allocates, checked, for files that
 * Kannel accepts and config_load() refuses for another reason).
 */
#include "fuzz.h"
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf_file.h"
#include "config.h"

static char path[64];

static void remove_file(void)
{
    unlink(path);
}

/* Write SIZE bytes of DATA to the fuzzer's file. */
static void write_file(const uint8_t *data, size_t size)
{
    FILE *file = fopen(path, "wb");

    check(file != NULL && fwrite(data, 1, size, file) == size && fclose(file) == 0);
}

/* 1 when Kannel's cfg_read() rejects NAME (its leak not counted); 0 when
 * it would never see NAME, because conf_file_read() refuses it first (as
 * it must a line Kannel's reader would stop the program on). */
static int kannel_rejects(Octstr *name)
{
    Octstr *error = NULL;
    ConfFile *file = conf_file_read(name, &error);
    Cfg *cfg;
    int status;

    octstr_destroy(error);
    if (file == NULL)
        return 0;
    conf_file_destroy(file);
    __lsan_disable();
    cfg = cfg_create(name);
    status = cfg_read(cfg);
    cfg_destroy(cfg);
    __lsan_enable();
    return status != 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char empty[] = "";
    Octstr *name, *error = NULL;

    (void)argc;
    (void)argv;
    fuzz_start();
    snprintf(path, sizeof(path), "/tmp/absence-fuzz-config-%ld.conf", (long)getpid());
    atexit(remove_file);
    /* The first load adds config.c's hooks to Kannel's reader, which
     * kannel_rejects() must read with as well. */
    write_file((const uint8_t *)empty, 0);
    name = octstr_create(path);
    config_destroy(config_load(name, &error));
    octstr_destroy(error);
    octstr_destroy(name);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Octstr *name = octstr_create(path), *error = NULL;
    AbsenceConfig *config;
    int rejected;

    write_file(data, size);
    rejected = kannel_rejects(name);
    if (rejected)
        __lsan_disable();
    config = config_load(name, &error);
    if (rejected)
        __lsan_enable();
    /* one or the other, never both or neither; an error is one line that
     * names the file first */
    check((config == NULL) != (error == NULL));
    if (error != NULL)
        check(octstr_ncompare(error, name, octstr_len(name)) == 0 &&
              octstr_search_char(error, '\n', 0) < 0);
    config_destroy(config);
    octstr_destroy(error);
    octstr_destroy(name);
    return 0;
}
