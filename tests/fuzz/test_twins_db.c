/*
 * test_twins_db.c - the fuzz corpora replayed through the C modules and
 * their SQL twins in a migrated database, which must agree:
 *   - template: every input fuzz_template takes for a valid template (and
 *     text the database can hold: UTF-8 without NUL) renders the same with
 *     template.c and with absence.render_message, render_concern or
 *     render_confirmation. fuzz_template holds template.c to a copy of the
 *     SQL's three replace()s at fuzzing speed, with no database; this test
 *     holds that copy to the SQL itself.
 *   - phone: absence.normalise_mobile() gives E.164 or null (a UK mobile
 *     unless international numbers are allowed), normalising its result
 *     again gives it back, allowing international numbers changes no UK
 *     result, and absence.mask_mobile() masks as phone_mask() does.
 *   - gsm: absence.gsm_septets() and ucs2_units() count as gsm.c does.
 * The corpora are the seeds (tests/fuzz/corpus/TARGET) and what scripts/fuzz
 * found and kept (BUILD_DIR/tests/fuzz/corpus/TARGET), when there is any.
 */
#include <dirent.h>

#include "../fixture.h"
#include "gsm.h"
#include "phone.h"
#include "template.h"

static PGconn *db;

/* What replaying one input found. */
enum { AGREE, DISAGREE, SKIPPED };

typedef int (*Replay)(Octstr *input, const char *name);

/* UTF-8 without NUL: what a text column holds. */
static int storable(Octstr *text)
{
    return gsm_ucs2_units(text) >= 0 && octstr_search_char(text, 0, 0) < 0;
}

/* Replay every file in DIR; counts into the three counters. */
static void replay_dir(const char *dir, Replay replay, long counts[3])
{
    DIR *listing = opendir(dir);
    struct dirent *entry;

    if (listing == NULL)
        return;
    while ((entry = readdir(listing)) != NULL) {
        Octstr *path, *input;
        if (entry->d_name[0] == '.')
            continue;
        path = octstr_format("%s/%s", dir, entry->d_name);
        input = octstr_read_file(octstr_get_cstr(path));
        if (input != NULL)
            counts[replay(input, octstr_get_cstr(path))]++;
        octstr_destroy(input);
        octstr_destroy(path);
    }
    closedir(listing);
}

/* Replay TARGET's corpora; none may disagree, and at least MIN_AGREE of
 * the seeds must have been compared. */
static void replay_corpus(const char *target, Replay replay, long min_agree)
{
    long counts[3] = {0, 0, 0};
    Octstr *seeds = octstr_format("%s/fuzz/corpus/%s", TESTS_DIR, target);
    Octstr *found = octstr_format("%s/tests/fuzz/corpus/%s", BUILD_DIR, target);

    replay_dir(octstr_get_cstr(seeds), replay, counts);
    assert_true(counts[AGREE] >= min_agree);
    replay_dir(octstr_get_cstr(found), replay, counts);
    fprintf(stderr, "# %s: %ld inputs agree, %ld disagree, %ld not comparable\n", target,
            counts[AGREE], counts[DISAGREE], counts[SKIPPED]);
    octstr_destroy(seeds);
    octstr_destroy(found);
    assert_int_equal(counts[DISAGREE], 0);
}

/* 1 when C's result equals SQL's; says where not. */
static int same(const char *name, const char *what, Octstr *c, Octstr *sql)
{
    if (c != NULL && sql != NULL && octstr_compare(c, sql) == 0)
        return 1;
    fprintf(stderr, "# %s: %s: C gives '%s', SQL gives '%s'\n", name, what,
            c ? octstr_get_cstr(c) : "(null)", sql ? octstr_get_cstr(sql) : "(null)");
    return 0;
}

/* ---- template ------------------------------------------------------------- */

/* The next NUL-ended field of INPUT from *AT (as fuzz_template.c splits). */
static Octstr *field(Octstr *input, long *at)
{
    long start = *at < octstr_len(input) ? *at : octstr_len(input);
    long end = octstr_search_char(input, 0, start);

    if (end < 0)
        end = octstr_len(input);
    *at = end + 1;
    return octstr_copy(input, start, end - start);
}

static Octstr *sql_confirmation(TemplateKind kind, Octstr *template, Octstr *word)
{
    if (kind == TEMPLATE_STOP_CONFIRMATION)
        return test_db_value(db,
                             "select absence.render_confirmation(absence.policy_settings("
                             "jsonb_build_object('stop-confirmation', $1::text,"
                             " 'start-words', jsonb_build_array($2::text))), 'stop')",
                             octstr_get_cstr(template), octstr_get_cstr(word), SQL_END);
    return test_db_value(db,
                         "select absence.render_confirmation(absence.policy_settings("
                         "jsonb_build_object('start-confirmation', $1::text,"
                         " 'stop-words', jsonb_build_array($2::text))), 'start')",
                         octstr_get_cstr(template), octstr_get_cstr(word), SQL_END);
}

static int replay_template(Octstr *input, const char *name)
{
    int first = octstr_get_char(input, 0);
    TemplateKind kind = first < 0 ? TEMPLATE_ABSENCE : (TemplateKind)(first % 4);
    long days = first < 0 ? 0 : first / 4, at = first < 0 ? 0 : 1;
    Octstr *template = field(input, &at), *student = field(input, &at);
    Octstr *value = field(input, &at), *link = field(input, &at);
    Octstr *error = NULL, *c = NULL, *sql = NULL, *days_text = octstr_format("%ld", days);
    int verdict = SKIPPED;

    octstr_delete_matching(link, octstr_imm("{"));
    octstr_delete_matching(link, octstr_imm("}"));
    octstr_delete_matching(value, octstr_imm("{"));
    octstr_delete_matching(value, octstr_imm("}"));
    if (storable(template) && storable(student) && storable(value) && storable(link) &&
        template_check(template, kind, &error) == 0) {
        switch (kind) {
        case TEMPLATE_ABSENCE:
            c = template_render(template, student, value, link);
            sql = test_db_value(db, "select absence.render_message($1, $2, $3, $4)",
                                octstr_get_cstr(template), octstr_get_cstr(link),
                                octstr_get_cstr(student), octstr_get_cstr(value), SQL_END);
            break;
        case TEMPLATE_CONCERN:
            c = template_render_concern(template, student, days, link);
            sql = test_db_value(db, "select absence.render_concern($1, $2, $3, $4::integer)",
                                octstr_get_cstr(template), octstr_get_cstr(link),
                                octstr_get_cstr(student), octstr_get_cstr(days_text), SQL_END);
            break;
        default:
            c = template_render_confirmation(template, kind, student);
            sql = sql_confirmation(kind, template, student);
            break;
        }
        verdict = same(name, "rendered", c, sql) ? AGREE : DISAGREE;
    }
    octstr_destroy(error);
    octstr_destroy(c);
    octstr_destroy(sql);
    octstr_destroy(days_text);
    octstr_destroy(link);
    octstr_destroy(value);
    octstr_destroy(student);
    octstr_destroy(template);
    return verdict;
}

static void test_template_renders_as_sql_over_the_corpus(void **state)
{
    (void)state;
    replay_corpus("template", replay_template, 4);
}

/* ---- phone ------------------------------------------------------------------ */

/* One number's promises, checked in SQL: the broken ones by name, or "". */
static const char promises_sql[] =
    "with n as (select absence.normalise_mobile($1, false) uk,"
    "                  absence.normalise_mobile($1, true) intl)"
    "select concat_ws(' ',"
    "  case when uk !~ '^\\+447[0-9]{9}$' then 'uk-result-not-a-UK-mobile' end,"
    "  case when intl !~ '^\\+[1-9][0-9]{7,14}$' then 'result-not-E.164' end,"
    "  case when absence.normalise_mobile(uk, false) is distinct from uk"
    "       then 'uk-result-not-normalised' end,"
    "  case when absence.normalise_mobile(intl, true) is distinct from intl"
    "       then 'result-not-normalised' end,"
    "  case when uk is not null and intl is distinct from uk"
    "       then 'international-changes-UK' end)"
    "  from n";

static int replay_phone(Octstr *input, const char *name)
{
    Octstr *broken, *intl, *c, *sql;
    int agree = 1;
    long i;

    if (!storable(input))
        return SKIPPED;
    broken = test_db_value(db, promises_sql, octstr_get_cstr(input), SQL_END);
    if (octstr_len(broken) > 0) {
        fprintf(stderr, "# %s: normalise_mobile('%s') breaks %s\n", name, octstr_get_cstr(input),
                octstr_get_cstr(broken));
        agree = 0;
    }
    octstr_destroy(broken);
    /* phone_mask() counts bytes, mask_mobile() characters: ASCII only */
    for (i = 0; i < octstr_len(input) && octstr_get_char(input, i) < 0x80; i++)
        ;
    if (i == octstr_len(input)) {
        c = phone_mask(input);
        sql = test_db_value(db, "select absence.mask_mobile($1)", octstr_get_cstr(input), SQL_END);
        agree &= same(name, "masked", c, sql);
        octstr_destroy(c);
        octstr_destroy(sql);
    }
    intl = test_db_value(db, "select absence.normalise_mobile($1, true)", octstr_get_cstr(input),
                         SQL_END);
    if (intl != NULL) {
        c = phone_mask(intl);
        sql = test_db_value(db, "select absence.mask_mobile($1)", octstr_get_cstr(intl), SQL_END);
        agree &= same(name, "normalised and masked", c, sql);
        octstr_destroy(c);
        octstr_destroy(sql);
    }
    octstr_destroy(intl);
    return agree ? AGREE : DISAGREE;
}

static void test_normalised_numbers_keep_their_promises_over_the_corpus(void **state)
{
    (void)state;
    replay_corpus("phone", replay_phone, 5);
}

/* ---- gsm ---------------------------------------------------------------------- */

static int replay_gsm(Octstr *input, const char *name)
{
    Octstr *c, *sql;
    int agree;

    if (!storable(input))
        return SKIPPED;
    c = octstr_format("%ld|%ld", gsm_septet_count(input), gsm_ucs2_units(input));
    sql = test_db_value(db,
                        "select coalesce(absence.gsm_septets($1), -1) || '|' || "
                        "absence.ucs2_units($1)",
                        octstr_get_cstr(input), SQL_END);
    agree = same(name, "septets|UTF-16 units", c, sql);
    octstr_destroy(c);
    octstr_destroy(sql);
    return agree ? AGREE : DISAGREE;
}

static void test_sql_counts_as_gsm_c_over_the_corpus(void **state)
{
    (void)state;
    replay_corpus("gsm", replay_gsm, 5);
}

static int group_setup(void **state)
{
    (void)state;
    test_gwlib_init();
    db = fixture_open_migrated("absence_test_twins");
    return db == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    PQfinish(db);
    return 0;
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_renders_as_sql_over_the_corpus),
        cmocka_unit_test(test_normalised_numbers_keep_their_promises_over_the_corpus),
        cmocka_unit_test(test_sql_counts_as_gsm_c_over_the_corpus),
    };

    return cmocka_run_group_tests_name("twins", tests, group_setup, group_teardown);
}
