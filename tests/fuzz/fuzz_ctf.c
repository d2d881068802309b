/*
 * fuzz_ctf.c - libFuzzer target for the CTF reader: any bytes given to
 * ctf_read_memory(). Every field of every pupil is read (so that
 * AddressSanitizer sees each byte), the header's promises about the values
 * are checked, and a broken promise aborts, which libFuzzer reports as a
 * crash. Built and run by tests/fuzz/build.sh, test_fuzz_ctf.sh and
 * scripts/fuzz.
 */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "ctf_reader.h"

#define NAME "fuzz.xml"

/* Every byte of VALUE, which is at most CTF_MAX_VALUE long and may be NULL
 * only when OPTIONAL. */
static unsigned long touch(Octstr *value, int optional)
{
    unsigned long sum = 0;
    long i;

    check(value != NULL || optional);
    if (value == NULL)
        return 0;
    check(octstr_len(value) <= CTF_MAX_VALUE);
    for (i = 0; i < octstr_len(value); i++)
        sum += (unsigned char)octstr_get_char(value, i);
    return sum;
}

static unsigned long touch_contact(const CtfContact *contact)
{
    unsigned long sum = touch(contact->title, 1) + touch(contact->forename, 1) +
                        touch(contact->surname, 1) + touch(contact->relationship, 1) +
                        touch(contact->email, 1);
    long i;

    check(contact->line > 0);
    check(contact->order >= 1 && contact->order <= CTF_MAX_ORDER);
    check(contact->responsibility >= -1 && contact->responsibility <= 1);
    check(contact->opt_out == 0 || contact->opt_out == 1);
    for (i = 0; i < gwlist_len(contact->phones); i++) {
        CtfPhone *phone = gwlist_get(contact->phones, i);
        sum += touch(phone->type, 0) + touch(phone->number, 0);
    }
    return sum;
}

static int touch_pupil(const CtfPupil *pupil, void *context)
{
    unsigned long *sum = context;
    long i;

    check(pupil->line > 0);
    check(octstr_len(pupil->upn) > 0);
    *sum += touch(pupil->upn, 0);
    for (i = 0; i < gwlist_len(pupil->contacts); i++)
        *sum += touch_contact(gwlist_get(pupil->contacts, i));
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_start();
    return 0;
}

/* An error names the input and says what is wrong, on one line. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned long sum = 0;
    Octstr *error = NULL;
    int status = ctf_read_memory((const char *)data, (long)size, NAME, touch_pupil, &sum, &error);

    check(status == 0 || status == -1);
    check((status == -1) == (error != NULL));
    if (error != NULL) {
        check(octstr_ncompare(error, octstr_imm(NAME ":"), sizeof(NAME)) == 0);
        check(octstr_search_char(error, '\n', 0) < 0 && octstr_search_char(error, '\r', 0) < 0);
        octstr_destroy(error);
    }
    return sum == 42 ? 0 : 0; /* the sum is used, so the reads stay */
}
