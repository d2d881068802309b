/*
 * test_ctf_reader.c - the CTF reader: what it reads, what it skips, and
 * each kind of bad file refused with its exact line and message.
 *
 * Each test reads a document and compares everything the callback saw,
 * then the outcome, with one expected text. Documents are inline (but for
 * tests/ctf/sample.xml); their lines are counted in comments where it helps.
 */
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "support.h"
#include "ctf_reader.h"

/* Lines 1 to 3 of most documents below; their first pupil is on line 4. */
#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile>\n<CTFpupilData>\n"
#define TAIL "</CTFpupilData>\n</CTfile>\n"

/* A pupil with one contact that has only its Order, on one line. */
#define PUPIL(upn)                                                                                 \
    "<Pupil><UPN>" upn "</UPN><Contacts><Contact><Order>1</Order></Contact>"                       \
    "</Contacts></Pupil>\n"

typedef struct Seen {
    Octstr *text; /* every pupil, as dump_pupil() writes it */
    int stop_at;  /* the pupil whose callback returns 7 (0: none) */
    int pupils;
} Seen;

static void dump_value(Octstr *out, const char *label, Octstr *value)
{
    if (value == NULL)
        octstr_format_append(out, " %s ~", label);
    else
        octstr_format_append(out, " %s '%S'", label, value);
}

static void dump_contact(Octstr *out, const CtfContact *contact)
{
    long i;

    octstr_format_append(out, "  contact %ld: order %ld", contact->line, contact->order);
    dump_value(out, "title", contact->title);
    dump_value(out, "forename", contact->forename);
    dump_value(out, "surname", contact->surname);
    dump_value(out, "relationship", contact->relationship);
    octstr_format_append(out, " responsibility %d", contact->responsibility);
    dump_value(out, "email", contact->email);
    octstr_format_append(out, " opt_out %d\n", contact->opt_out);
    for (i = 0; i < gwlist_len(contact->phones); i++) {
        CtfPhone *phone = gwlist_get(contact->phones, i);
        octstr_format_append(out, "    phone '%S' '%S'\n", phone->type, phone->number);
    }
}

static int dump_pupil(const CtfPupil *pupil, void *context)
{
    Seen *seen = context;
    long i;

    octstr_format_append(seen->text, "pupil %ld: upn '%S'\n", pupil->line, pupil->upn);
    for (i = 0; i < gwlist_len(pupil->contacts); i++)
        dump_contact(seen->text, gwlist_get(pupil->contacts, i));
    return ++seen->pupils == seen->stop_at ? 7 : 0;
}

/* The pupils seen, then "ok", "error: ..." or "status N". */
static Octstr *outcome(Seen *seen, int status, Octstr *error)
{
    if (status == 0 && error == NULL)
        octstr_append_cstr(seen->text, "ok");
    else if (status == -1 && error != NULL)
        octstr_format_append(seen->text, "error: %S", error);
    else
        octstr_format_append(seen->text, "status %d, error %s", status,
                             error != NULL ? octstr_get_cstr(error) : "NULL");
    octstr_destroy(error);
    return seen->text;
}

static Octstr *read_data(const char *data, long length, int stop_at)
{
    Seen seen = {octstr_create(""), stop_at, 0};
    Octstr *error = NULL;
    int status = ctf_read_memory(data, length, "ctf.xml", dump_pupil, &seen, &error);

    return outcome(&seen, status, error);
}

static Octstr *read_xml(const char *xml)
{
    return read_data(xml, (long)strlen(xml), 0);
}

static Octstr *read_path(const char *path)
{
    Seen seen = {octstr_create(""), 0, 0};
    Octstr *error = NULL;
    int status = ctf_read_file(path, dump_pupil, &seen, &error);

    return outcome(&seen, status, error);
}

/* ---- what is read ------------------------------------------------------- */

static void test_sample_file_is_read_in_full(void **state)
{
    (void)state;
    assert_octstr_equal(read_path(TESTS_DIR "/ctf/sample.xml"),
                        "pupil 5: upn 'A123456789012'\n"
                        "  contact 8: order 1 title 'Mrs' forename 'Ann' surname 'Smith' "
                        "relationship 'PAM' responsibility 1 email 'ann@example.org' opt_out 0\n"
                        "    phone 'H' '01632 960123'\n"
                        "    phone 'M' '07700 900123'\n"
                        "ok");
}

static void test_pupils_and_contacts_come_in_file_order(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts>\n"
                                      "<Contact><Order>2</Order><Surname>B</Surname></Contact>\n"
                                      "<Contact><Order>1</Order><Surname>A</Surname></Contact>\n"
                                      "</Contacts></Pupil>\n" PUPIL("U2") TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 5: order 2 title ~ forename ~ surname 'B' relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "  contact 6: order 1 title ~ forename ~ surname 'A' relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "pupil 8: upn 'U2'\n"
                        "  contact 8: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "ok");
}

static void test_pupil_without_contacts_is_given(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN></Pupil>\n" TAIL),
                        "pupil 4: upn 'U1'\nok");
}

static void test_file_without_pupils_is_read(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml("<CTfile><Header/></CTfile>"), "ok");
}

static void test_absent_elements_are_null_optout_0_responsibility_minus_1(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD PUPIL("U1") TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "ok");
}

static void test_empty_elements_are_present_and_empty(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD
                                 "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order><Title/>"
                                 "<Forename></Forename><Surname> </Surname><Relationship/><Email/>"
                                 "<Phones><Phone><TelephoneType/><PhoneNo/></Phone></Phones>"
                                 "</Contact></Contacts></Pupil>\n" TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title '' forename '' surname '' relationship '' "
                        "responsibility -1 email '' opt_out 0\n"
                        "    phone '' ''\n"
                        "ok");
}

static void test_values_are_trimmed_of_blanks_inside_kept(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil>\n"
                                      "  <UPN>\n\tU1 \r\n  </UPN>\n"
                                      "  <Contacts><Contact><Order> 07 </Order>\n"
                                      "    <Surname>\t Smith  Jones\n</Surname>\n"
                                      "    <Responsibility> false\t</Responsibility>\n"
                                      "    <OptOut>\n true\n </OptOut>\n"
                                      "  </Contact></Contacts>\n"
                                      "</Pupil>\n" TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 8: order 7 title ~ forename ~ surname 'Smith  Jones' "
                        "relationship ~ responsibility 0 email ~ opt_out 1\n"
                        "ok");
}

static void test_phones_keep_file_order_and_a_phone_may_lack_its_type(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order><Phones>"
                      "<Phone><TelephoneType>W</TelephoneType><PhoneNo>0113 496 0000</PhoneNo>"
                      "</Phone><Phone><PhoneNo>07700 900001</PhoneNo></Phone>"
                      "<Phone><PhoneNo>07700 900002</PhoneNo><TelephoneType>M</TelephoneType>"
                      "</Phone></Phones></Contact></Contacts></Pupil>\n" TAIL),
        "pupil 4: upn 'U1'\n"
        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "    phone 'W' '0113 496 0000'\n"
        "    phone '' '07700 900001'\n"
        "    phone 'M' '07700 900002'\n"
        "ok");
}

static void test_phone_without_number_is_ignored(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order><Phones>"
                      "<Phone><TelephoneType>H</TelephoneType></Phone>"
                      "<Phone><TelephoneType>M</TelephoneType><PhoneNo>07700 900003</PhoneNo>"
                      "</Phone></Phones></Contact></Contacts></Pupil>\n" TAIL),
        "pupil 4: upn 'U1'\n"
        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "    phone 'M' '07700 900003'\n"
        "ok");
}

static void test_booleans_accept_1_and_0(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts>"
                                      "<Contact><Order>1</Order><Responsibility>1</Responsibility>"
                                      "<OptOut>0</OptOut></Contact>"
                                      "<Contact><Order>2</Order><Responsibility>0</Responsibility>"
                                      "<OptOut>1</OptOut></Contact></Contacts></Pupil>\n" TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility 1 email ~ opt_out 0\n"
                        "  contact 4: order 2 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility 0 email ~ opt_out 1\n"
                        "ok");
}

static void test_order_99_is_the_highest(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>99</Order></Contact>"
                      "</Contacts></Pupil>\n" TAIL),
        "pupil 4: upn 'U1'\n"
        "  contact 4: order 99 title ~ forename ~ surname ~ relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "ok");
}

/* ---- what is skipped ------------------------------------------------------ */

static void test_unknown_elements_comments_and_pis_are_ignored(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml("<?xml version=\"1.0\"?>\n"
                 "<!-- exported by the MIS -->\n"
                 "<?mis-export run=\"1\"?>\n"
                 "<CTfile version=\"22\">\n"
                 "<Header><UPN>H1</UPN><Pupil><UPN>H2</UPN></Pupil></Header>\n"
                 "<Pupil><UPN>R1</UPN></Pupil>\n"
                 "<CTFpupilData>\n"
                 "<Pupil id=\"1\">\n" /* line 8 */
                 "  <Surname>Smith</Surname><DOB>2010-01-01</DOB>\n"
                 "  <BasicDetails><UPN>B1</UPN></BasicDetails>\n"
                 "  <UPN>U1</UPN><!-- note --><?pi x?>\n"
                 "  <Contacts><Gender>F</Gender>\n"
                 "    <Contact><Order>1</Order><Gender>F</Gender>\n" /* line 13 */
                 "      <Address><Order>5</Order><Email>a@b</Email><OptOut>x</OptOut></Address>\n"
                 "      <Extra><Phones><Phone><PhoneNo>1</PhoneNo></Phone></Phones></Extra>\n"
                 "      <Phones><Note>x</Note><Phone><Ext>9</Ext><PhoneNo>2</PhoneNo></Phone>"
                 "</Phones>\n"
                 "    </Contact>\n"
                 "  </Contacts>\n"
                 "  <Attendance><Contact><Order>x</Order></Contact></Attendance>\n"
                 "</Pupil>\n"
                 "<Other><Pupil><UPN>O1</UPN></Pupil></Other>\n"
                 "</CTFpupilData>\n"
                 "<CTFpupilData><Pupil><UPN>U2</UPN></Pupil></CTFpupilData>\n" /* line 23 */
                 "</CTfile>\n"),
        "pupil 8: upn 'U1'\n"
        "  contact 13: order 1 title ~ forename ~ surname ~ relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "    phone '' '2'\n"
        "pupil 23: upn 'U2'\n"
        "ok");
}

static void test_elements_match_by_local_name_in_any_namespace(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml("<ctf:CTfile xmlns:ctf=\"urn:example:ctf\"><ctf:CTFpupilData>"
                                 "<ctf:Pupil><ctf:UPN>U1</ctf:UPN></ctf:Pupil>"
                                 "<Pupil xmlns=\"urn:example:other\"><UPN>U2</UPN></Pupil>"
                                 "</ctf:CTFpupilData></ctf:CTfile>"),
                        "pupil 1: upn 'U1'\npupil 1: upn 'U2'\nok");
}

static void test_undeclared_namespace_prefix_is_not_fatal(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml("<CTfile xsi:noNamespaceSchemaLocation=\"CTF.xsd\"><CTFpupilData>"
                                 "<Pupil><x:UPN>U1</x:UPN></Pupil></CTFpupilData></CTfile>"),
                        "pupil 1: upn 'U1'\nok");
}

/* ---- character data ------------------------------------------------------- */

static void test_amp_in_a_surname_reads_as_ampersand(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order>"
                      "<Surname>Smith &amp; Jones</Surname></Contact></Contacts></Pupil>\n" TAIL),
        "pupil 4: upn 'U1'\n"
        "  contact 4: order 1 title ~ forename ~ surname 'Smith & Jones' relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "ok");
}

static void test_cdata_character_references_and_predefined_entities_are_text(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>&#x41;&#49;</UPN><Contacts><Contact><Order>1</Order>"
                      "<Forename><![CDATA[ <Jo> & ]]>&apos;&quot;&lt;&gt;&#233;</Forename>"
                      "</Contact></Contacts></Pupil>\n" TAIL),
        "pupil 4: upn 'A1'\n"
        "  contact 4: order 1 title ~ forename '<Jo> & '\"<>\xc3\xa9' surname ~ "
        "relationship ~ responsibility -1 email ~ opt_out 0\n"
        "ok");
}

static void test_declared_encoding_is_honoured(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<CTfile><CTFpupilData>"
                 "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order>"
                 "<Surname>Lef\xe8vre</Surname></Contact></Contacts></Pupil>"
                 "</CTFpupilData></CTfile>\n"),
        "pupil 2: upn 'U1'\n"
        "  contact 2: order 1 title ~ forename ~ surname 'Lef\xc3\xa8vre' relationship ~ "
        "responsibility -1 email ~ opt_out 0\n"
        "ok");
}

static void test_utf16_file_is_read_as_utf8(void **state)
{
    static const char utf8[] = "<CTfile><CTFpupilData><Pupil><UPN>\xc3\x89\xe2\x82\xac</UPN>"
                               "</Pupil></CTFpupilData></CTfile>";
    char utf16[2 * sizeof(utf8) + 2];
    long length = 0;
    size_t i;

    (void)state;
    utf16[length++] = (char)0xff; /* little-endian byte order mark */
    utf16[length++] = (char)0xfe;
    for (i = 0; i < sizeof(utf8) - 1; i++) {
        unsigned code = (unsigned char)utf8[i];
        if (code == 0xc3) /* É, U+00C9 */
            code = 0xc9, i++;
        else if (code == 0xe2) /* €, U+20AC */
            code = 0x20ac, i += 2;
        utf16[length++] = (char)(code & 0xff);
        utf16[length++] = (char)(code >> 8);
    }
    assert_octstr_equal(read_data(utf16, length, 0), "pupil 1: upn '\xc3\x89\xe2\x82\xac'\nok");
}

/* ---- DTDs and entities ---------------------------------------------------- */

/* Every load of an external entity or DTD libxml2 attempts, from any parser. */
static int external_loads;

static xmlParserInputPtr count_external_load(const char *url, const char *id,
                                             xmlParserCtxtPtr context)
{
    (void)url, (void)id, (void)context;
    external_loads++;
    return NULL;
}

/* What reading XML gives, and how many external loads it attempted; the
 * same document given to libxml2 with entity substitution and DTD loading
 * must attempt some, or the count would prove nothing. */
static Octstr *read_counting_loads(const char *xml)
{
    xmlExternalEntityLoader saved = xmlGetExternalEntityLoader();
    Octstr *result;
    int loads;

    external_loads = 0;
    xmlSetExternalEntityLoader(count_external_load);
    result = read_xml(xml);
    loads = external_loads;
    xmlFreeDoc(xmlReadMemory(xml, (int)strlen(xml), "ctf.xml", NULL,
                             XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOERROR |
                                 XML_PARSE_NOWARNING));
    xmlSetExternalEntityLoader(saved);
    if (external_loads == loads)
        test_fail("libxml2 itself attempted no external load: the count proves nothing");
    octstr_format_append(result, "; external loads: %d", loads);
    return result;
}

static void test_dtd_with_entity_expansion_is_refused_before_it_is_parsed(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_counting_loads("<?xml version=\"1.0\"?>\n"
                            "<!DOCTYPE CTfile [\n"
                            " <!ENTITY lol \"lol\">\n"
                            " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                            " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                            " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                            " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
                            " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
                            " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
                            " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
                            " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
                            " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
                            " <!ENTITY ext SYSTEM \"file:///etc/hostname\">\n"
                            "]>\n"
                            "<CTfile><CTFpupilData><Pupil><UPN>&ext;&lol9;</UPN></Pupil>"
                            "</CTFpupilData></CTfile>\n"),
        "error: ctf.xml:2: a DTD is not allowed (the import never loads DTDs or expands "
        "entities); external loads: 0");
}

static void test_external_entity_is_refused_without_opening_it(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_counting_loads("<?xml version=\"1.0\"?>\n"
                            "<!DOCTYPE CTfile [<!ENTITY upn SYSTEM \"/etc/passwd\">\n"
                            " <!ENTITY % remote SYSTEM \"http://192.0.2.1/ctf.ent\"> %remote;]>\n"
                            "<CTfile><CTFpupilData><Pupil><UPN>&upn;</UPN></Pupil>"
                            "</CTFpupilData></CTfile>\n"),
        "error: ctf.xml:2: a DTD is not allowed (the import never loads DTDs or expands "
        "entities); external loads: 0");
}

static void test_external_dtd_is_refused_without_loading_it(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_counting_loads("<?xml version=\"1.0\"?>\n"
                            "<!-- line 2 -->\n"
                            "<!DOCTYPE CTfile\n"
                            "  SYSTEM \"http://192.0.2.1/CTF.dtd\">\n"
                            "<CTfile><CTFpupilData><Pupil><UPN>&upn;</UPN></Pupil>"
                            "</CTFpupilData></CTfile>\n"),
        "error: ctf.xml:4: a DTD is not allowed (the import never loads DTDs or expands "
        "entities); external loads: 0");
}

static void test_undefined_entity_is_malformed(void **state)
{
    (void)state;
    assert_octstr_equal(
        read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order>\n"
                      "<Surname>Smith&nbsp;Jones</Surname></Contact></Contacts></Pupil>\n" TAIL),
        "error: ctf.xml:5: malformed XML: Entity 'nbsp' not defined");
}

/* ---- bad files ------------------------------------------------------------ */

static void test_root_other_than_ctfile_is_not_a_ctf(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml("<?xml version=\"1.0\"?>\n<Students><CTFpupilData/></Students>"),
                        "error: ctf.xml:2: the root element is <Students>, not <CTfile>: "
                        "not a Common Transfer File");
}

static void test_malformed_xml_gives_libxml2s_message_and_line(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN>\n"
                                      "<Contacts></Contact>\n" TAIL),
                        "error: ctf.xml:5: malformed XML: Opening and ending tag mismatch: "
                        "Contacts line 5 and Contact");
}

static void test_bytes_not_in_the_declared_encoding_are_malformed(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN>\n"
                                      "<Surname>Lef\xe8vre</Surname></Pupil>\n" TAIL),
                        "error: ctf.xml:5: malformed XML: Input is not proper UTF-8, indicate "
                        "encoding ! Bytes: 0xE8 0x76 0x72 0x65");
    assert_octstr_equal(read_xml("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n"
                                 "<CTfile><CTFpupilData>\n<Pupil><UPN>U\x81</UPN></Pupil>\n"
                                 "</CTFpupilData></CTfile>\n"),
                        "error: ctf.xml: malformed XML: input conversion failed due to input "
                        "error, bytes 0x81 0x3C 0x2F 0x55");
}

static void test_file_cut_short_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD PUPIL("U1") "<Pupil><UPN>U2</UPN>"),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "error: ctf.xml:5: malformed XML: the file ends before </CTfile>: was it "
                        "cut short?");
}

static void test_empty_file_has_no_root_element(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(""), "error: ctf.xml:1: malformed XML: the file has no root "
                                      "element");
}

static void test_missing_file_cannot_be_read(void **state)
{
    (void)state;
    assert_octstr_equal(read_path("/nonexistent/ctf.xml"),
                        "error: /nonexistent/ctf.xml: cannot read: No such file or directory");
}

static void test_directory_is_not_a_regular_file(void **state)
{
    (void)state;
    assert_octstr_equal(read_path(TESTS_DIR "/ctf"),
                        "error: " TESTS_DIR "/ctf: cannot read: not a regular file");
}

static void test_file_over_the_limit_is_refused_before_reading(void **state)
{
    Octstr *path = test_write_temp("<CTfile/>");
    Octstr *expected;

    (void)state;
    if (truncate(octstr_get_cstr(path), CTF_MAX_BYTES + 1) != 0) /* sparse: no disk used */
        test_fail("cannot grow %s", octstr_get_cstr(path));
    expected = octstr_format("error: %S: the file is 268435457 bytes, more than the limit of "
                             "268435456 bytes",
                             path);
    assert_octstr_equal(read_path(octstr_get_cstr(path)), octstr_get_cstr(expected));
    unlink(octstr_get_cstr(path));
    octstr_destroy(path);
    octstr_destroy(expected);
}

static void test_memory_over_the_limit_is_refused_before_reading(void **state)
{
    static const char data[] = "<CTfile/>"; /* never read: its length is refused first */

    (void)state;
    assert_octstr_equal(read_data(data, CTF_MAX_BYTES + 1, 0),
                        "error: ctf.xml: the file is 268435457 bytes, more than the limit of "
                        "268435456 bytes");
}

/* ---- values refused --------------------------------------------------------- */

static void test_pupil_without_upn_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil>\n<Surname>Smith</Surname>\n</Pupil>\n" TAIL),
                        "error: ctf.xml:4: Pupil has no UPN");
}

static void test_empty_upn_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil>\n<UPN> \n </UPN>\n</Pupil>\n" TAIL),
                        "error: ctf.xml:5: UPN is empty");
}

static Octstr *read_email_of(long length, const char *after)
{
    Octstr *xml = octstr_create(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact><Order>1</Order>\n"
                                     "<Email>");
    Octstr *result;

    while (length-- > 0)
        octstr_append_char(xml, 'e');
    octstr_format_append(xml, "%s</Email></Contact></Contacts></Pupil>\n" TAIL, after);
    result = read_xml(octstr_get_cstr(xml));
    octstr_destroy(xml);
    return result;
}

static void test_value_over_255_characters_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_email_of(256, ""),
                        "error: ctf.xml:5: Email is longer than 255 characters");
}

static void test_value_of_255_characters_is_read_blanks_after_it_not_counted(void **state)
{
    Octstr *expected = octstr_create("pupil 4: upn 'U1'\n"
                                     "  contact 4: order 1 title ~ forename ~ surname ~ "
                                     "relationship ~ responsibility -1 email '");
    long i;

    (void)state;
    for (i = 0; i < 255; i++)
        octstr_append_char(expected, 'e');
    octstr_append_cstr(expected, "' opt_out 0\nok");
    assert_octstr_equal(read_email_of(255, "\n                                             "),
                        octstr_get_cstr(expected));
    octstr_destroy(expected);
}

static void test_contact_without_order_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN><Contacts>\n"
                                      "<Contact>\n<Surname>Smith</Surname>\n</Contact>\n"
                                      "</Contacts></Pupil>\n" TAIL),
                        "error: ctf.xml:5: Contact has no Order");
}

static Octstr *read_contact_with(const char *elements)
{
    Octstr *xml = octstr_format(HEAD "<Pupil><UPN>U1</UPN><Contacts><Contact>\n%s\n</Contact>"
                                     "</Contacts></Pupil>\n" TAIL,
                                elements);
    Octstr *result = read_xml(octstr_get_cstr(xml));

    octstr_destroy(xml);
    return result;
}

static void test_order_must_be_a_number(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>x1</Order>"),
                        "error: ctf.xml:5: Order 'x1' is not a number");
    assert_octstr_equal(read_contact_with("<Order>-1</Order>"),
                        "error: ctf.xml:5: Order '-1' is not a number");
    assert_octstr_equal(read_contact_with("<Order/>"),
                        "error: ctf.xml:5: Order '' is not a number");
}

static void test_values_in_messages_stay_on_one_line(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1\n\t2</Order>"),
                        "error: ctf.xml:5: Order '1  2' is not a number");
    assert_octstr_equal(read_contact_with("<Order>1</Order><OptOut>no\r\nway</OptOut>"),
                        "error: ctf.xml:5: OptOut 'no way' is not true or false");
}

static void test_order_must_be_1_to_99(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>0</Order>"),
                        "error: ctf.xml:5: Order 0 is out of range (1 to 99)");
    assert_octstr_equal(read_contact_with("<Order>100</Order>"),
                        "error: ctf.xml:5: Order 100 is out of range (1 to 99)");
    assert_octstr_equal(read_contact_with("<Order>99999999999999999999999</Order>"),
                        "error: ctf.xml:5: Order 99999999999999999999999 is out of range (1 to "
                        "99)");
}

static void test_opt_out_must_be_true_or_false(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1</Order><OptOut>yes</OptOut>"),
                        "error: ctf.xml:5: OptOut 'yes' is not true or false");
    assert_octstr_equal(read_contact_with("<Order>1</Order><OptOut>True</OptOut>"),
                        "error: ctf.xml:5: OptOut 'True' is not true or false");
}

static void test_responsibility_must_be_true_or_false(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1</Order><Responsibility/>"),
                        "error: ctf.xml:5: Responsibility '' is not true or false");
}

static void test_element_twice_in_a_contact_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1</Order>\n<Order>1</Order>"),
                        "error: ctf.xml:6: Contact has more than one <Order>");
    assert_octstr_equal(read_contact_with("<Order>1</Order><Email>a@b</Email>\n<Email/>"),
                        "error: ctf.xml:6: Contact has more than one <Email>");
    assert_octstr_equal(read_contact_with("<OptOut>false</OptOut>\n<OptOut>true</OptOut>"),
                        "error: ctf.xml:6: Contact has more than one <OptOut>");
}

static void test_upn_twice_in_a_pupil_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD "<Pupil><UPN>U1</UPN>\n<UPN>U2</UPN></Pupil>\n" TAIL),
                        "error: ctf.xml:5: Pupil has more than one <UPN>");
}

static void test_number_twice_in_a_phone_is_refused(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1</Order><Phones><Phone><PhoneNo>1</PhoneNo>\n"
                                          "<PhoneNo>2</PhoneNo></Phone></Phones>"),
                        "error: ctf.xml:6: Phone has more than one <PhoneNo>");
}

/* ---- lines ------------------------------------------------------------------ */

static void test_line_is_the_offending_elements_where_its_start_tag_ends(void **state)
{
    (void)state;
    assert_octstr_equal(read_contact_with("<Order>1</Order>\n"
                                          "<Responsibility\n"
                                          "  xml:lang=\"en\">\n"
                                          "  maybe\n"
                                          "</Responsibility>"),
                        "error: ctf.xml:7: Responsibility 'maybe' is not true or false");
}

/* Lines past 65535, which libxml2's tree nodes cannot hold, are exact. */
static void test_lines_past_65535_are_exact(void **state)
{
    Octstr *xml = octstr_create(HEAD);
    Octstr *result;
    long line;

    (void)state;
    for (line = 4; line < 70000; line++)
        octstr_append_cstr(xml, "<!-- -->\n");
    octstr_append_cstr(xml, "<Pupil>\n"             /* 70000 */
                            "<UPN>U1</UPN>\n"       /* 70001 */
                            "<Contacts><Contact>\n" /* 70002 */
                            "<Order>1</Order>\n</Contact></Contacts>\n</Pupil>\n"
                            "<Pupil><UPN>U2</UPN><Contacts><Contact>\n" /* 70006 */
                            "<Order>x</Order>\n"                        /* 70007 */
                            "</Contact></Contacts></Pupil>\n" TAIL);
    result = read_xml(octstr_get_cstr(xml));
    octstr_destroy(xml);
    assert_octstr_equal(result, "pupil 70000: upn 'U1'\n"
                                "  contact 70002: order 1 title ~ forename ~ surname ~ "
                                "relationship ~ responsibility -1 email ~ opt_out 0\n"
                                "error: ctf.xml:70007: Order 'x' is not a number");
}

/* ---- the callback ------------------------------------------------------------ */

static void test_callback_status_stops_the_reading_without_error(void **state)
{
    static const char xml[] = HEAD PUPIL("U1") PUPIL("U2") PUPIL("U3") TAIL;

    (void)state;
    assert_octstr_equal(read_data(xml, (long)strlen(xml), 2),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "pupil 5: upn 'U2'\n"
                        "  contact 5: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "status 7, error NULL");
}

static void test_pupils_before_an_error_are_given_first(void **state)
{
    (void)state;
    assert_octstr_equal(read_xml(HEAD PUPIL("U1") "<Pupil><UPN>U2</UPN><Contacts>\n"
                                                  "<Contact/></Contacts></Pupil>\n" PUPIL("U3")
                                                      TAIL),
                        "pupil 4: upn 'U1'\n"
                        "  contact 4: order 1 title ~ forename ~ surname ~ relationship ~ "
                        "responsibility -1 email ~ opt_out 0\n"
                        "error: ctf.xml:6: Contact has no Order");
}

/* ---- libxml2's state ------------------------------------------------------- */

static void test_libxml2_messages_are_captured_not_printed(void **state)
{
    static const char *const bad[] = {
        "<?xml version=\"1.0\" encoding=\"windows-1252\"?><CTfile>\x81</CTfile>",
        "<?xml version=\"1.0\" encoding=\"x-unknown\"?><CTfile/>", "<CTfile><a></b>",
        "<!DOCTYPE CTfile [<!ENTITY a \"&b;\">]><CTfile/>", "\xff\xfe<\x00"};
    char path[] = "/tmp/absence-stderr-XXXXXX";
    int saved = dup(2), fd = mkstemp(path);
    struct stat st;
    size_t i;

    (void)state;
    fflush(stderr);
    dup2(fd, 2);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        octstr_destroy(read_xml(bad[i]));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fstat(fd, &st);
    close(fd);
    unlink(path);
    assert_int_equal(st.st_size, 0);
}

static void quiet(void *context, xmlErrorPtr error)
{
    (void)context, (void)error;
}

static void test_the_threads_error_handler_is_restored(void **state)
{
    int mine;

    (void)state;
    xmlSetStructuredErrorFunc(&mine, quiet);
    octstr_destroy(read_xml("<CTfile><a></b>"));
    assert_ptr_equal(xmlStructuredError, quiet);
    assert_ptr_equal(xmlStructuredErrorContext, &mine);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_file_is_read_in_full),
        cmocka_unit_test(test_pupils_and_contacts_come_in_file_order),
        cmocka_unit_test(test_pupil_without_contacts_is_given),
        cmocka_unit_test(test_file_without_pupils_is_read),
        cmocka_unit_test(test_absent_elements_are_null_optout_0_responsibility_minus_1),
        cmocka_unit_test(test_empty_elements_are_present_and_empty),
        cmocka_unit_test(test_values_are_trimmed_of_blanks_inside_kept),
        cmocka_unit_test(test_phones_keep_file_order_and_a_phone_may_lack_its_type),
        cmocka_unit_test(test_phone_without_number_is_ignored),
        cmocka_unit_test(test_booleans_accept_1_and_0),
        cmocka_unit_test(test_order_99_is_the_highest),
        cmocka_unit_test(test_unknown_elements_comments_and_pis_are_ignored),
        cmocka_unit_test(test_elements_match_by_local_name_in_any_namespace),
        cmocka_unit_test(test_undeclared_namespace_prefix_is_not_fatal),
        cmocka_unit_test(test_amp_in_a_surname_reads_as_ampersand),
        cmocka_unit_test(test_cdata_character_references_and_predefined_entities_are_text),
        cmocka_unit_test(test_declared_encoding_is_honoured),
        cmocka_unit_test(test_utf16_file_is_read_as_utf8),
        cmocka_unit_test(test_dtd_with_entity_expansion_is_refused_before_it_is_parsed),
        cmocka_unit_test(test_external_entity_is_refused_without_opening_it),
        cmocka_unit_test(test_external_dtd_is_refused_without_loading_it),
        cmocka_unit_test(test_undefined_entity_is_malformed),
        cmocka_unit_test(test_root_other_than_ctfile_is_not_a_ctf),
        cmocka_unit_test(test_malformed_xml_gives_libxml2s_message_and_line),
        cmocka_unit_test(test_bytes_not_in_the_declared_encoding_are_malformed),
        cmocka_unit_test(test_file_cut_short_is_refused),
        cmocka_unit_test(test_empty_file_has_no_root_element),
        cmocka_unit_test(test_missing_file_cannot_be_read),
        cmocka_unit_test(test_directory_is_not_a_regular_file),
        cmocka_unit_test(test_file_over_the_limit_is_refused_before_reading),
        cmocka_unit_test(test_memory_over_the_limit_is_refused_before_reading),
        cmocka_unit_test(test_pupil_without_upn_is_refused),
        cmocka_unit_test(test_empty_upn_is_refused),
        cmocka_unit_test(test_value_over_255_characters_is_refused),
        cmocka_unit_test(test_value_of_255_characters_is_read_blanks_after_it_not_counted),
        cmocka_unit_test(test_contact_without_order_is_refused),
        cmocka_unit_test(test_order_must_be_a_number),
        cmocka_unit_test(test_values_in_messages_stay_on_one_line),
        cmocka_unit_test(test_order_must_be_1_to_99),
        cmocka_unit_test(test_opt_out_must_be_true_or_false),
        cmocka_unit_test(test_responsibility_must_be_true_or_false),
        cmocka_unit_test(test_element_twice_in_a_contact_is_refused),
        cmocka_unit_test(test_upn_twice_in_a_pupil_is_refused),
        cmocka_unit_test(test_number_twice_in_a_phone_is_refused),
        cmocka_unit_test(test_line_is_the_offending_elements_where_its_start_tag_ends),
        cmocka_unit_test(test_lines_past_65535_are_exact),
        cmocka_unit_test(test_callback_status_stops_the_reading_without_error),
        cmocka_unit_test(test_pupils_before_an_error_are_given_first),
        cmocka_unit_test(test_libxml2_messages_are_captured_not_printed),
        cmocka_unit_test(test_the_threads_error_handler_is_restored),
    };

    test_gwlib_init();
    return cmocka_run_group_tests_name("ctf_reader", tests, NULL, NULL);
}
