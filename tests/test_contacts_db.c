/*
 * test_contacts_db.c - parents' contacts from the MIS (contact_import.c,
 * plugin/sql/functions/contacts.sql and audit.sql): a test per rule of the
 * import, named after it, each with what the rule lets in and what it
 * keeps out; the run's record and report; a bad file changing nothing; and
 * a test per finding of the audit. Every test runs in a transaction that
 * is rolled back (the import takes a savepoint of it).
 */
#include <unistd.h>

#include "contact_import.h"
#include "fixture.h"

#define CTF(pupils)                                                                                \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile>\n<Header><DocumentName>Common "          \
    "Transfer File</DocumentName></Header>\n<CTFpupilData>\n" pupils "</CTFpupilData>\n"           \
    "</CTfile>\n"
#define PUPIL(upn, contacts)                                                                       \
    "<Pupil><UPN>" upn "</UPN><Contacts>\n" contacts "</Contacts></Pupil>\n"
#define CONTACT(order, forename, surname, phones, more)                                            \
    "<Contact><Order>" order "</Order><Title>Mrs</Title><Forename>" forename                       \
    "</Forename><Surname>" surname "</Surname><Relationship>PAM</Relationship>"                    \
    "<Phones>" phones "</Phones>" more "</Contact>\n"
#define PHONE(type, number)                                                                        \
    "<Phone><TelephoneType>" type "</TelephoneType><PhoneNo>" number "</PhoneNo></Phone>"
#define MOBILE(number) PHONE("M", number)
#define OPTED_OUT "<OptOut>true</OptOut>"

static PGconn *db;
static const char *settings; /* the config's policy keys, JSON */

static int group_setup(void **state)
{
    *state = db = fixture_open_migrated("absence_test_contacts");
    return db == NULL ? -1 : 0;
}

static int begin(void **state)
{
    settings = "{}";
    return fixture_begin(state);
}

/* A student with a UPN. */
static void pupil(const char *student_id, const char *upn)
{
    test_db_exec(
        db, "insert into absence.student (student_id, status_code, upn) values ($1, 'C01', $2)",
        student_id, upn, SQL_END);
}

/* A guardian as the portal (SOURCE web) or staff (manual) linked it. */
static void linked(long guardian_id, const char *name, const char *mobile, const char *student_id,
                   const char *source, int prime)
{
    char id[32];

    snprintf(id, sizeof(id), "%ld", guardian_id);
    test_db_exec(db,
                 "insert into absence.guardian (guardian_id, name, mobile, account_status, source) "
                 "values ($1, $2, $3, 'active', $4)",
                 id, name, mobile, source, SQL_END);
    test_db_exec(db,
                 "insert into absence.guardian_student (guardian_id, student_id, link_status, "
                 "prime, priority, source) values ($1, $2, 'active', $3, 1, $4)",
                 id, student_id, prime ? "true" : "false", source, SQL_END);
}

static char *write_file(const char *xml)
{
    static char path[] = "/tmp/absence-ctf-XXXXXX";
    int fd;

    strcpy(path, "/tmp/absence-ctf-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, xml, strlen(xml)) != (ssize_t)strlen(xml))
        test_fail("cannot write %s", path);
    close(fd);
    return path;
}

/* Run the import of XML; its outcome, the id or the error in *said. */
static int run_import(const char *xml, int dry_run, long *import_id, Octstr **said)
{
    char *path = write_file(xml);
    Octstr *json = octstr_create(settings), *actor = octstr_create("tester");
    int outcome = contact_import(db, json, path, dry_run, actor, import_id, said);

    unlink(path);
    octstr_destroy(json);
    octstr_destroy(actor);
    return outcome;
}

/* The counts the run recorded: "pupils matched unknown | imported updated
 * unchanged suspended | opted-out lower-priority prime-exists
 * already-linked limit-reached". */
static Octstr *counts(long import_id)
{
    char id[32];
    Octstr *row;

    snprintf(id, sizeof(id), "%ld", import_id);
    row = test_db_value(db,
                        "select format('%s %s | %s %s %s %s | %s %s %s %s %s', pupils_matched, "
                        "pupils_unknown, contacts_imported, contacts_updated, contacts_unchanged, "
                        "contacts_suspended, skipped_opted_out, skipped_lower_priority, "
                        "skipped_prime_exists, skipped_already_linked, skipped_limit_reached) "
                        "from absence.contact_import where import_id = $1",
                        id, SQL_END);
    return row;
}

/* Import XML, which must succeed; the counts it recorded. */
static Octstr *import(const char *xml)
{
    long id = 0;
    Octstr *error = NULL;

    if (run_import(xml, 0, &id, &error) != IMPORT_DONE)
        test_fail("import failed: %s", error ? octstr_get_cstr(error) : "?");
    return counts(id);
}

/* Every link as "student guardian-name status prime priority source". */
static Octstr *links(void)
{
    return test_db_rows(
        db,
        "select gs.student_id, g.name, gs.link_status, gs.prime, gs.priority, "
        "gs.source from absence.guardian_student gs join absence.guardian g "
        "using (guardian_id) order by gs.student_id, gs.priority, g.name, gs.source",
        SQL_END);
}

/* Every guardian as "name source account mobile email". */
static Octstr *guardians(void)
{
    return test_db_rows(db,
                        "select name, source, account_status, mobile, email "
                        "from absence.guardian order by name, guardian_id",
                        SQL_END);
}

/* ---- section 6, rule by rule ----------------------------------------- */

static void test_priority_one_is_imported_as_prime(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    assert_octstr_equal(import(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Smith",
                                                                  MOBILE("07700 900101"), "")))),
                        "1 0 | 1 0 0 0 | 0 0 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Smith|active|t|1|import\n");
    assert_octstr_equal(
        test_db_rows(db, "select title, forename, surname from absence.guardian", SQL_END),
        "Mrs|Ann|Smith\n");
}

static void test_priority_one_is_not_prime_when_a_web_or_manual_prime_is_active(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    pupil("S3", "A100000000003");
    linked(7, "Web Parent", "07700 900701", "S1", "web", 1);
    linked(8, "Staff Added", "07700 900801", "S2", "manual", 1);
    linked(9, "Suspended Prime", "07700 900901", "S3", "web", 1);
    test_db_exec(db,
                 "update absence.guardian_student set link_status = 'suspended' "
                 "where guardian_id = 9",
                 SQL_END);
    assert_octstr_equal(
        import(CTF(
            PUPIL("A100000000001", CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), "")) PUPIL(
                "A100000000002", CONTACT("1", "Bob", "Jones", MOBILE("07700 900201"), ""))
                PUPIL("A100000000003", CONTACT("1", "Cat", "Brown", MOBILE("07700 900301"), "")))),
        "3 0 | 1 0 0 0 | 0 0 2 0 0");
    assert_octstr_equal(links(), "S1|Web Parent|active|t|1|web\n"
                                 "S2|Staff Added|active|t|1|manual\n"
                                 "S3|Cat Brown|active|t|1|import\n"
                                 "S3|Suspended Prime|suspended|t|1|web\n");
}

static void test_lower_priorities_are_imported_only_when_configured(void **state)
{
    const char *file =
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), "")
                                       CONTACT("2", "Bob", "Smith", MOBILE("07700 900102"), "")
                                           CONTACT("3", "Cy", "Lee", MOBILE("07700 900103"), "")));

    (void)state;
    pupil("S1", "A100000000001");
    assert_octstr_equal(import(file), "1 0 | 1 0 0 0 | 0 2 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Smith|active|t|1|import\n");
    settings = "{\"import-lower-priority\": true}";
    assert_octstr_equal(import(file), "1 0 | 2 0 1 0 | 0 0 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Smith|active|t|1|import\n"
                                 "S1|Bob Smith|active|f|2|import\n"
                                 "S1|Cy Lee|active|f|3|import\n");
}

static void test_opted_out_contact_is_not_imported_and_its_earlier_link_suspended(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), ""))
                       PUPIL("A100000000002", CONTACT("1", "Bob", "Jones", MOBILE("07700 900201"),
                                                      "<OptOut>false</OptOut>")))),
        "2 0 | 2 0 0 0 | 0 0 0 0 0");
    assert_octstr_equal(
        import(CTF(
            PUPIL("A100000000001", CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), OPTED_OUT))
                PUPIL("A100000000002", CONTACT("1", "Bob", "Jones", MOBILE("07700 900201"), "")))),
        "2 0 | 0 0 1 1 | 0 0 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Smith|suspended|t|1|import\n"
                                 "S2|Bob Jones|active|t|1|import\n");
    /* still opted out: nothing more to do, counted as skipped */
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001",
                         CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), OPTED_OUT)))),
        "1 0 | 0 0 0 0 | 1 0 0 0 0");
}

static void test_web_and_manual_data_are_never_touched(void **state)
{
    Octstr *before;

    (void)state;
    pupil("S1", "A100000000001");
    linked(7, "Ann Smith", "07700 900999", "S1", "web", 0);
    linked(8, "Bob Smith", "07700 900888", "S1", "manual", 0);
    test_db_exec(db,
                 "update absence.guardian_student set link_status = 'suspended' "
                 "where guardian_id = 8",
                 SQL_END);
    before = guardians();
    settings = "{\"import-lower-priority\": true}";
    /* the same names with other numbers: new imported guardians, while the
     * portal's and the staff's records and links stay as they are */
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001",
                         CONTACT("1", "Ann", "Smith", MOBILE("07700 900101"), "")
                             CONTACT("2", "Bob", "Smith", MOBILE("07700 900102"), OPTED_OUT)))),
        "1 0 | 1 0 0 0 | 1 0 0 0 0");
    assert_octstr_equal(
        test_db_rows(db,
                     "select name, source, account_status, mobile, email from absence.guardian "
                     "where source <> 'import' order by name",
                     SQL_END),
        octstr_get_cstr(before));
    assert_octstr_equal(links(), "S1|Ann Smith|active|t|1|import\n"
                                 "S1|Ann Smith|active|f|1|web\n"
                                 "S1|Bob Smith|suspended|f|1|manual\n");
    octstr_destroy(before);
}

static void test_contact_with_the_number_of_a_linked_guardian_gets_no_second_link(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    linked(7, "Mum On Portal", "+44 7700 900101", "S1", "web", 0);
    settings = "{\"import-lower-priority\": true}";
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001",
                         CONTACT("1", "Ann", "Smith", MOBILE("07700900101"), "")
                             CONTACT("2", "Bob", "Smith", MOBILE("07700 900102"), "")
                                 CONTACT("3", "Cy", "Smith", MOBILE("0044 7700 900102"), "")))),
        "1 0 | 1 0 0 0 | 0 0 0 2 0");
    assert_octstr_equal(links(), "S1|Mum On Portal|active|f|1|web\n"
                                 "S1|Bob Smith|active|f|2|import\n");
}

static void test_at_most_max_linked_adults_fill_places_in_priority_order(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    linked(7, "Web One", "07700 900701", "S1", "web", 0);
    settings = "{\"import-lower-priority\": true, \"max-linked-adults\": 3}";
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001",
                         CONTACT("4", "Dee", "Lee", MOBILE("07700 900104"), "")
                             CONTACT("2", "Bob", "Lee", MOBILE("07700 900102"), "")
                                 CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")
                                     CONTACT("3", "Cy", "Lee", MOBILE("07700 900103"), "")))),
        "1 0 | 2 0 0 0 | 0 0 0 0 2");
    assert_octstr_equal(links(), "S1|Ann Lee|active|t|1|import\n"
                                 "S1|Web One|active|f|1|web\n"
                                 "S1|Bob Lee|active|f|2|import\n");
}

static void test_the_mobile_is_the_first_m_phone_that_is_a_mobile(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    settings = "{\"import-lower-priority\": true}";
    assert_octstr_equal(
        import(CTF(PUPIL(
            "A100000000001",
            CONTACT("1", "Ann", "Lee",
                    PHONE("H", "07700 900555") MOBILE("01632 960123") MOBILE(" 07700 900101 ")
                        MOBILE("07700 900102"),
                    "") CONTACT("2", "Bob", "Lee", MOBILE("call mum") MOBILE("01632 960124"), "")
                CONTACT("3", "Cy", "Lee", PHONE("H", "01632 960125") PHONE("W", "07700 900103"),
                        "")))),
        "1 0 | 3 0 0 0 | 0 0 0 0 0");
    assert_octstr_equal(
        test_db_rows(db, "select name, mobile from absence.guardian order by name", SQL_END),
        "Ann Lee|07700 900101\nBob Lee|call mum\nCy Lee|~\n");
    assert_octstr_equal(test_db_rows(db,
                                     "select g.name, p.position, p.telephone_type, p.number "
                                     "from absence.guardian_phone p join absence.guardian g "
                                     "using (guardian_id) where g.name = 'Cy Lee' "
                                     "order by p.position",
                                     SQL_END),
                        "Cy Lee|1|H|01632 960125\nCy Lee|2|W|07700 900103\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.guardian_phone", SQL_END),
                        "8");
}

static void test_one_person_is_one_guardian_across_siblings(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    pupil("S3", "A100000000003");
    assert_octstr_equal(
        import(CTF(
            PUPIL("A100000000001", CONTACT("1", "Ann", "O'Neil", MOBILE("07700 900101"), "")) PUPIL(
                "A100000000002", CONTACT("1", "Ann", "o neil", MOBILE("+44 (0)7700 900101"), ""))
                PUPIL("A100000000003", CONTACT("1", "Ann", "Smith", MOBILE("07700900101"), "")))),
        "3 0 | 3 0 0 0 | 0 0 0 0 0");
    /* the same number and surname: one guardian; another surname: another */
    assert_octstr_equal(test_db_rows(db,
                                     "select g.name, string_agg(gs.student_id, ',' order by "
                                     "gs.student_id) from absence.guardian g join "
                                     "absence.guardian_student gs using (guardian_id) "
                                     "group by g.guardian_id order by g.guardian_id",
                                     SQL_END),
                        "Ann O'Neil|S1,S2\nAnn Smith|S3\n");
}

static void test_imported_accounts_get_import_account_status(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    octstr_destroy(import(
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")))));
    settings = "{\"import-account-status\": \"active\"}";
    octstr_destroy(import(
        CTF(PUPIL("A100000000002", CONTACT("1", "Bob", "Ray", MOBILE("07700 900201"), "")))));
    assert_octstr_equal(test_db_rows(db,
                                     "select name, account_status from absence.guardian "
                                     "order by name",
                                     SQL_END),
                        "Ann Lee|unregistered\nBob Ray|active\n");
}

static void test_reimport_recognises_a_contact_whose_number_changed(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    octstr_destroy(import(
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")))));
    assert_octstr_equal(import(CTF(PUPIL("A100000000001", CONTACT("1", " ANN ", "lee",
                                                                  MOBILE("07700 900909"), "")))),
                        "1 0 | 0 1 0 0 | 0 0 0 0 0");
    assert_octstr_equal(
        test_db_rows(db, "select name, mobile, source from absence.guardian", SQL_END),
        "ANN lee|07700 900909|import\n");
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.guardian_student", SQL_END),
                        "1");
}

static void test_reimport_recognises_a_contact_whose_email_changed(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    octstr_destroy(
        import(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"),
                                                  "<Email>ann@old.example</Email>")))));
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"),
                                                  "<Email>ann@new.example</Email>")))),
        "1 0 | 0 1 0 0 | 0 0 0 0 0");
    assert_octstr_equal(test_db_rows(db, "select email from absence.guardian", SQL_END),
                        "ann@new.example\n");
}

static void test_reimport_suspends_a_contact_that_left_the_pupils_file(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    settings = "{\"import-lower-priority\": true}";
    octstr_destroy(import(
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")
                                       CONTACT("2", "Bob", "Lee", MOBILE("07700 900102"), "")))));
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")))),
        "1 0 | 0 0 1 1 | 0 0 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Lee|active|t|1|import\n"
                                 "S1|Bob Lee|suspended|f|2|import\n");
    /* nothing is deleted */
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.guardian", SQL_END), "2");
}

static void test_reimport_leaves_a_pupil_missing_from_a_partial_file(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    octstr_destroy(import(
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), ""))
                PUPIL("A100000000002", CONTACT("1", "Bob", "Ray", MOBILE("07700 900201"), "")))));
    assert_octstr_equal(
        import(CTF(PUPIL("A100000000002", CONTACT("1", "Bob", "Ray", MOBILE("07700 900201"), "")))),
        "1 0 | 0 0 1 0 | 0 0 0 0 0");
    assert_octstr_equal(links(), "S1|Ann Lee|active|t|1|import\n"
                                 "S2|Bob Ray|active|t|1|import\n");
}

static void test_importing_the_same_file_twice_changes_nothing(void **state)
{
    const char *file = CTF(
        PUPIL("A100000000001",
              CONTACT("1", "Ann", "Lee", MOBILE("07700 900101") PHONE("H", "01632 960111"), "")
                  CONTACT("2", "Bob", "Lee", MOBILE("0770090010x"), "<Email>b@x.example</Email>")
                      CONTACT("3", "Cy", "Lee", MOBILE("07700 900101"), OPTED_OUT)
                          CONTACT("1", "Ann", "LEE", MOBILE("07700 900999"), ""))
            PUPIL("A100000000002",
                  CONTACT("1", "Ann", "Lee", MOBILE("07700900101"), "<Email>a@x.example</Email>"))
                PUPIL("Z999999999999", CONTACT("1", "Who", "Ever", MOBILE("07700 900300"), "")));
    Octstr *guardians_before, *links_before, *phones_before;

    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    settings = "{\"import-lower-priority\": true}";
    assert_octstr_equal(import(file), "2 1 | 3 0 0 0 | 1 0 0 1 0");
    guardians_before = guardians();
    links_before = links();
    phones_before = test_db_rows(db, "select * from absence.guardian_phone order by 1, 2", SQL_END);
    assert_octstr_equal(import(file), "2 1 | 0 0 3 0 | 1 0 0 1 0");
    assert_octstr_equal(guardians(), octstr_get_cstr(guardians_before));
    assert_octstr_equal(links(), octstr_get_cstr(links_before));
    assert_octstr_equal(
        test_db_rows(db, "select * from absence.guardian_phone order by 1, 2", SQL_END),
        octstr_get_cstr(phones_before));
    octstr_destroy(guardians_before);
    octstr_destroy(links_before);
    octstr_destroy(phones_before);
}

static void test_reimport_recognises_a_contact_by_its_name_under_each_pupil(void **state)
{
    /* Brothers' files list both parents with their phones the other way
     * round: one number and surname make one person, named after its first
     * appearance; each pupil's contacts are still recognised by the names
     * that pupil's file gives them. */
    const char *file =
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900001"), "")
                                       CONTACT("2", "Bob", "Lee", MOBILE("07700 900002"), ""))
                PUPIL("A100000000002", CONTACT("1", "Ann", "Lee", MOBILE("07700 900002"), "")
                                           CONTACT("2", "Bob", "Lee", MOBILE("07700 900001"), "")));
    Octstr *before;

    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    settings = "{\"import-lower-priority\": true}";
    assert_octstr_equal(import(file), "2 0 | 4 0 0 0 | 0 0 0 0 0");
    before = links();
    assert_octstr_equal(import(file), "2 0 | 0 0 4 0 | 0 0 0 0 0");
    assert_octstr_equal(import(file), "2 0 | 0 0 4 0 | 0 0 0 0 0");
    assert_octstr_equal(links(), octstr_get_cstr(before));
    assert_octstr_equal(test_db_value(db, "select count(*) from absence.guardian", SQL_END), "2");
    octstr_destroy(before);
}

/* ---- all or nothing, the record and the dry run ---------------------- */

/* Importing XML fails with an error that, past the file's name, is WHY. */
static void assert_refused_file(const char *xml, const char *why)
{
    long id = 0;
    Octstr *error = NULL;
    int outcome = run_import(xml, 0, &id, &error);
    long colon;

    if (outcome != IMPORT_BAD_FILE)
        test_fail("outcome %d for a bad file", outcome);
    colon = octstr_search_char(error, ':', 0);
    octstr_delete(error, 0, colon + 1);
    assert_octstr_equal(error, why);
}

static void test_a_bad_file_changes_nothing_and_says_where(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    assert_refused_file(
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700"), ""))
                PUPIL("A100000000001", CONTACT("x1", "Bob", "Lee", MOBILE("07700"), ""))),
        "9: Order 'x1' is not a number");
    assert_refused_file(CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700"),
                                                           "<OptOut>yes</OptOut>"))),
                        "6: OptOut 'yes' is not true or false");
    assert_refused_file(
        "<?xml version=\"1.0\"?>\n<Pupils>\n</Pupils>\n",
        "2: the root element is <Pupils>, not <CTfile>: not a Common Transfer File");
    assert_refused_file(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE CTfile [\n<!ENTITY a \"aaaa\">\n]>\n"
        "<CTfile><CTFpupilData>&a;</CTFpupilData></CTfile>\n",
        "2: a DTD is not allowed (the import never loads DTDs or expands entities)");
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.guardian), "
                                     "(select count(*) from absence.guardian_student), "
                                     "(select count(*) from absence.contact_import)",
                                     SQL_END),
                        "0|0|0\n");
}

static void test_a_dry_run_reports_the_same_and_changes_nothing_but_its_record(void **state)
{
    const char *file =
        CTF(PUPIL("A100000000001", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")
                                       CONTACT("2", "Bob", "Lee", MOBILE("07700 900102"), "")));
    long id = 0;
    Octstr *error = NULL;

    (void)state;
    pupil("S1", "A100000000001");
    if (run_import(file, 1, &id, &error) != IMPORT_DONE)
        test_fail("dry run failed: %s", octstr_get_cstr(error));
    assert_octstr_equal(counts(id), "1 0 | 1 0 0 0 | 0 1 0 0 0");
    assert_octstr_equal(test_db_rows(db,
                                     "select (select count(*) from absence.guardian), "
                                     "(select count(*) from absence.guardian_student), "
                                     "(select count(*) from absence.guardian_phone), "
                                     "(select string_agg(format('%s %s %s', dry_run, imported_by, "
                                     "length(sha256)), ',') from absence.contact_import)",
                                     SQL_END),
                        "0|0|0|t tester 64\n");
    assert_octstr_equal(import(file), "1 0 | 1 0 0 0 | 0 1 0 0 0");
}

static void test_the_report_is_one_json_object(void **state)
{
    long id = 0;
    Octstr *error = NULL, *sql;

    (void)state;
    pupil("S1", "A100000000001");
    if (run_import(CTF(PUPIL("A100000000001",
                             CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), OPTED_OUT))),
                   0, &id, &error) != IMPORT_DONE)
        test_fail("import failed: %s", octstr_get_cstr(error));
    sql = octstr_format("select absence.contact_import_report(%ld, absence.policy_settings()) "
                        "- 'file' - 'imported_at' - 'import_id' - 'imported_by' - 'sha256'",
                        id);
    assert_octstr_equal(
        test_db_value(db, octstr_get_cstr(sql), SQL_END),
        "{\"pupils\": {\"matched\": 1, \"unknown\": 0}, \"dry_run\": false, \"contacts\": "
        "{\"skipped\": {\"opted-out\": 1, \"prime-exists\": 0, "
        "\"limit-reached\": 0, \"already-linked\": 0, \"lower-priority\": 0}, \"updated\": 0, "
        "\"imported\": 0, \"suspended\": 0, \"unchanged\": 0}}");
    octstr_destroy(sql);
}

static void test_the_files_sha256_is_recorded(void **state)
{
    char *path = write_file("abc");
    Octstr *error = NULL;

    (void)state;
    assert_octstr_equal(contact_import_sha256(path, &error),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    assert_octstr_equal(contact_import_sha256("/nonexistent/ctf.xml", &error), NULL);
    assert_octstr_equal(error, "/nonexistent/ctf.xml: cannot read: No such file or directory");
}

/* ---- what an imported contact is texted ------------------------------ */

static void test_imported_contact_is_texted_only_when_its_account_is_active(void **state)
{
    (void)state;
    pupil("S1", "US1");
    pupil("S2", "US2");
    fx_lesson(db, 1, "2026-06-15 09:00 Europe/London", "2026-06-15 10:00 Europe/London",
              "2026-06-15 09:05 Europe/London");
    fx_mark(db, 1, "S1", "O");
    fx_mark(db, 1, "S2", "O");
    octstr_destroy(
        import(CTF(PUPIL("US1", CONTACT("1", "Ann", "Lee", MOBILE("07700 900101"), "")))));
    settings = "{\"import-account-status\": \"active\"}";
    octstr_destroy(
        import(CTF(PUPIL("US2", CONTACT("1", "Bob", "Ray", MOBILE("07700 900201"), "")))));
    octstr_destroy(fx_plan(db, "2026-06-15 10:30 Europe/London"));
    assert_octstr_equal(test_db_rows(db,
                                     "select student_id, recipient from absence.notification "
                                     "union all select student_id, reason from "
                                     "absence.guardian_skip order by 1",
                                     SQL_END),
                        "S1|account-not-active\nS2|+447700900201\n");
}

/* ---- the audit --------------------------------------------------------- */

/* The audit as "kind student guardian number action" rows. */
static Octstr *audit(void)
{
    return test_db_rows(db,
                        "select kind, student_id, guardian_id, number, action "
                        "from absence.contacts_audit(absence.policy_settings())",
                        SQL_END);
}

static void web_parent(long guardian_id, const char *name, const char *mobile,
                       const char *student_id)
{
    linked(guardian_id, name, mobile, student_id, "web", 0);
}

static void test_audit_finds_invalid_and_landline_mobiles(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    web_parent(1, "Ann Lee", "07700 90010", "S1");
    web_parent(2, "Bob Lee", "+44 (0)1632 960123", "S1");
    web_parent(3, "Cy Lee", "07700 900103", "S1");
    assert_octstr_equal(audit(),
                        "invalid-mobile|S1|1|077****10|correct the mobile number in the MIS: it "
                        "cannot receive a text\n"
                        "landline-as-mobile|S1|2|+44 (0)1****23|a landline is in the mobile "
                        "field: move it to the home phone and ask the family for a mobile\n");
}

static void test_audit_finds_a_mobile_typed_as_a_home_or_work_phone(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    settings = "{\"import-account-status\": \"active\", \"import-lower-priority\": true}";
    octstr_destroy(import(CTF(PUPIL(
        "A100000000001",
        CONTACT("1", "Ann", "Lee", PHONE("H", "07700 900101"), "")
            CONTACT("2", "Bob", "Lee", MOBILE("07700 900102") PHONE("W", "07700 900102"), "")))));
    assert_octstr_equal(
        test_db_rows(db,
                     "select kind, g.name, number, action from absence.contacts_audit("
                     "absence.policy_settings()) join absence.guardian g using (guardian_id) "
                     "where kind = 'mobile-in-other-field'",
                     SQL_END),
        "mobile-in-other-field|Ann Lee|+4477009****01|typed as H phone: a mobile is typed as a "
        "home or work phone: move it to the mobile field if it is theirs\n");
}

static void test_audit_finds_shared_numbers_and_duplicate_guardians(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    web_parent(1, "Mrs Ann Lee", "07700 900101", "S1");
    web_parent(2, "ann lee", "07700900101", "S2");
    web_parent(3, "Bob Ray", "07700 900101", "S2");
    assert_octstr_equal(
        test_db_rows(db,
                     "select kind, student_id, guardian_id, action from absence.contacts_audit("
                     "absence.policy_settings()) where kind in ('shared-number', "
                     "'duplicate-guardian')",
                     SQL_END),
        "shared-number|S1|1|also on guardian 3: guardians with different names have this "
        "number: check whose it is\n"
        "shared-number|S2|2|also on guardian 3: guardians with different names have this "
        "number: check whose it is\n"
        "shared-number|S2|3|also on guardian 1, 2: guardians with different names have this "
        "number: check whose it is\n"
        "duplicate-guardian|S1|1|same as guardian 2: the same name and number are on another "
        "guardian: merge the two records\n"
        "duplicate-guardian|S2|2|same as guardian 1: the same name and number are on another "
        "guardian: merge the two records\n");
}

static void test_audit_finds_a_number_whose_last_two_texts_failed(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    web_parent(1, "Ann Lee", "07700 900101", "S1");
    web_parent(2, "Bob Ray", "07700 900201", "S2");
    test_db_exec(db,
                 "insert into absence.notification (student_id, guardian_id, lesson_id, "
                 "school_day, recipient, body, status, due_at, expires_at, created_at) "
                 "select s, g, 1, d::date, r, 'x', st, d::timestamptz, d::timestamptz, "
                 "d::timestamptz from (values "
                 "('S1', 1, '2026-06-01', '+447700900101', 'delivered'), "
                 "('S1', 1, '2026-06-02', '+447700900101', 'failed'), "
                 "('S1', 1, '2026-06-03', '+447700900101', 'failed'), "
                 "('S2', 2, '2026-06-01', '+447700900201', 'failed'), "
                 "('S2', 2, '2026-06-02', '+447700900201', 'failed'), "
                 "('S2', 2, '2026-06-03', '+447700900201', 'delivered')) t(s, g, d, r, st)",
                 SQL_END);
    assert_octstr_equal(
        test_db_rows(db,
                     "select kind, student_id, guardian_id, number from absence.contacts_audit("
                     "absence.policy_settings()) where kind = 'dead-number'",
                     SQL_END),
        "dead-number|S1|1|+4477009****01\n");
}

static void test_audit_finds_unreachable_students_and_too_many_adults(void **state)
{
    (void)state;
    pupil("S1", "A100000000001");
    pupil("S2", "A100000000002");
    test_db_exec(db, "insert into absence.student (student_id, status_code) values ('S3', 'X99')",
                 SQL_END);
    web_parent(1, "Ann Lee", "07700 900101", "S1");
    web_parent(2, "Bob Lee", "07700 900102", "S1");
    web_parent(3, "Cy Lee", "07700 900103", "S1");
    web_parent(4, "Di Lee", "07700 900104", "S1");
    web_parent(5, "Ed Lee", "07700 900105", "S1");
    web_parent(6, "Flo Ray", "07700 900106", "S2");
    test_db_exec(db,
                 "update absence.guardian set account_status = 'unregistered' "
                 "where guardian_id = 6",
                 SQL_END);
    assert_octstr_equal(
        audit(), "unreachable-student|S2|~|~|no guardian of this student can be texted: add or "
                 "correct a contact\n"
                 "too-many-adults|S1|~|~|5 adults linked, at most 4: more adults are linked than "
                 "max-linked-adults: remove the links that should not be there\n");
}

#define DB_TEST(name) cmocka_unit_test_setup_teardown(name, begin, fixture_rollback)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        DB_TEST(test_priority_one_is_imported_as_prime),
        DB_TEST(test_priority_one_is_not_prime_when_a_web_or_manual_prime_is_active),
        DB_TEST(test_lower_priorities_are_imported_only_when_configured),
        DB_TEST(test_opted_out_contact_is_not_imported_and_its_earlier_link_suspended),
        DB_TEST(test_web_and_manual_data_are_never_touched),
        DB_TEST(test_contact_with_the_number_of_a_linked_guardian_gets_no_second_link),
        DB_TEST(test_at_most_max_linked_adults_fill_places_in_priority_order),
        DB_TEST(test_the_mobile_is_the_first_m_phone_that_is_a_mobile),
        DB_TEST(test_one_person_is_one_guardian_across_siblings),
        DB_TEST(test_imported_accounts_get_import_account_status),
        DB_TEST(test_reimport_recognises_a_contact_whose_number_changed),
        DB_TEST(test_reimport_recognises_a_contact_whose_email_changed),
        DB_TEST(test_reimport_suspends_a_contact_that_left_the_pupils_file),
        DB_TEST(test_reimport_leaves_a_pupil_missing_from_a_partial_file),
        DB_TEST(test_importing_the_same_file_twice_changes_nothing),
        DB_TEST(test_reimport_recognises_a_contact_by_its_name_under_each_pupil),
        DB_TEST(test_a_bad_file_changes_nothing_and_says_where),
        DB_TEST(test_a_dry_run_reports_the_same_and_changes_nothing_but_its_record),
        DB_TEST(test_the_report_is_one_json_object),
        DB_TEST(test_the_files_sha256_is_recorded),
        DB_TEST(test_imported_contact_is_texted_only_when_its_account_is_active),
        DB_TEST(test_audit_finds_invalid_and_landline_mobiles),
        DB_TEST(test_audit_finds_a_mobile_typed_as_a_home_or_work_phone),
        DB_TEST(test_audit_finds_shared_numbers_and_duplicate_guardians),
        DB_TEST(test_audit_finds_a_number_whose_last_two_texts_failed),
        DB_TEST(test_audit_finds_unreachable_students_and_too_many_adults),
    };

    return cmocka_run_group_tests_name("contacts", tests, group_setup, fixture_close);
}
