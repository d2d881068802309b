/*
 * ctf_reader.c - a CTF's pupils and contacts, streamed (see ctf_reader.h).
 *
 * libxml2's SAX2 push parser rather than its xmlTextReader, for two
 * reasons. The text reader parses the whole prolog before it returns its
 * first node, so a DOCTYPE's internal subset is parsed (and a billion-laughs
 * file fails on libxml2's entity checks) before the reader could refuse it;
 * here the DOCTYPE is refused as soon as its name is read. And the text
 * reader's nodes keep their line in 16 bits, 65535 for every line after
 * that; here each line is the parser's own, exact in a file of any length.
 * A line is where the element's start tag ends, as libxml2 counts lines.
 *
 * The open elements are a stack of places: an element is read only at its
 * exact path (CTfile/CTFpupilData/Pupil/Contacts/Contact/Order...), matched
 * by local name; any other element is skipped with all it contains.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "ctf_reader.h"

/* How much of a file is given to libxml2 at a time. */
#define CHUNK_BYTES 16384

/* The elements the reader reads; PLACE_DOCUMENT is outside the root. */
typedef enum Place {
    PLACE_DOCUMENT,
    PLACE_FILE,
    PLACE_PUPILS,
    PLACE_PUPIL,
    PLACE_UPN,
    PLACE_CONTACTS,
    PLACE_CONTACT,
    PLACE_ORDER,
    PLACE_TITLE,
    PLACE_FORENAME,
    PLACE_SURNAME,
    PLACE_RELATIONSHIP,
    PLACE_RESPONSIBILITY,
    PLACE_EMAIL,
    PLACE_OPT_OUT,
    PLACE_PHONES,
    PLACE_PHONE,
    PLACE_TELEPHONE_TYPE,
    PLACE_PHONE_NO,
    PLACE_NONE
} Place;

/* Each place once, under its parent: the paths the reader reads. */
static const struct {
    Place parent;
    const char *name;
    Place place;
    int value; /* character data is read (a leaf) */
} paths[] = {
    {PLACE_DOCUMENT, "CTfile", PLACE_FILE, 0},
    {PLACE_FILE, "CTFpupilData", PLACE_PUPILS, 0},
    {PLACE_PUPILS, "Pupil", PLACE_PUPIL, 0},
    {PLACE_PUPIL, "UPN", PLACE_UPN, 1},
    {PLACE_PUPIL, "Contacts", PLACE_CONTACTS, 0},
    {PLACE_CONTACTS, "Contact", PLACE_CONTACT, 0},
    {PLACE_CONTACT, "Order", PLACE_ORDER, 1},
    {PLACE_CONTACT, "Title", PLACE_TITLE, 1},
    {PLACE_CONTACT, "Forename", PLACE_FORENAME, 1},
    {PLACE_CONTACT, "Surname", PLACE_SURNAME, 1},
    {PLACE_CONTACT, "Relationship", PLACE_RELATIONSHIP, 1},
    {PLACE_CONTACT, "Responsibility", PLACE_RESPONSIBILITY, 1},
    {PLACE_CONTACT, "Email", PLACE_EMAIL, 1},
    {PLACE_CONTACT, "OptOut", PLACE_OPT_OUT, 1},
    {PLACE_CONTACT, "Phones", PLACE_PHONES, 0},
    {PLACE_PHONES, "Phone", PLACE_PHONE, 0},
    {PLACE_PHONE, "TelephoneType", PLACE_TELEPHONE_TYPE, 1},
    {PLACE_PHONE, "PhoneNo", PLACE_PHONE_NO, 1},
};
#define PATH_COUNT (sizeof(paths) / sizeof(paths[0]))

/* The deepest path: CTfile/CTFpupilData/Pupil/Contacts/Contact/Phones/Phone/PhoneNo. */
#define MAX_DEPTH 8

typedef struct Reader {
    xmlParserCtxtPtr xml;
    const char *name; /* the file, as errors name it */
    CtfPupilFn each;
    void *context;
    int status;    /* EACH's non-zero result: the reading stops */
    Octstr *error; /* the first problem: the reading stops too */
    int root_seen;
    long depth; /* of the open element, the root's being 1 */
    long known; /* how many open elements are places; deeper ones are skipped */
    Place places[MAX_DEPTH + 1];
    long lines[MAX_DEPTH + 1];    /* where each place's element starts */
    unsigned seen[MAX_DEPTH + 1]; /* the leaves each has had, a bit per place */
    CtfPupil *pupil;              /* the open pupil, its contacts and phone */
    CtfContact *contact;          /* (the last of pupil->contacts) */
    CtfPhone *phone;              /* given to the contact once it has a number */
    Octstr *text;                 /* the open leaf's value, trimmed so far */
    Octstr *blanks;               /* the blanks after it, while they could count */
    xmlStructuredErrorFunc saved_handler;
    void *saved_handler_context;
} Reader;

static const char *place_name(Place place)
{
    size_t i;

    for (i = 0; i < PATH_COUNT; i++)
        if (paths[i].place == place)
            return paths[i].name;
    return "";
}

static int place_is_value(Place place)
{
    size_t i;

    for (i = 0; i < PATH_COUNT; i++)
        if (paths[i].place == place)
            return paths[i].value;
    return 0;
}

static Place child_place(Place parent, const xmlChar *local_name)
{
    size_t i;

    for (i = 0; i < PATH_COUNT; i++)
        if (paths[i].parent == parent && strcmp(paths[i].name, (const char *)local_name) == 0)
            return paths[i].place;
    return PLACE_NONE;
}

/* ---- ownership --------------------------------------------------------- */

static void phone_destroy(void *item)
{
    CtfPhone *phone = item;

    if (phone == NULL)
        return;
    octstr_destroy(phone->type);
    octstr_destroy(phone->number);
    gw_free(phone);
}

static void contact_destroy(void *item)
{
    CtfContact *contact = item;

    octstr_destroy(contact->title);
    octstr_destroy(contact->forename);
    octstr_destroy(contact->surname);
    octstr_destroy(contact->relationship);
    octstr_destroy(contact->email);
    gwlist_destroy(contact->phones, phone_destroy);
    gw_free(contact);
}

static void pupil_destroy(CtfPupil *pupil)
{
    if (pupil == NULL)
        return;
    octstr_destroy(pupil->upn);
    gwlist_destroy(pupil->contacts, contact_destroy);
    gw_free(pupil);
}

/* ---- stopping ---------------------------------------------------------- */

static int stopped(Reader *r)
{
    return r->error != NULL || r->status != 0;
}

static long parser_line(Reader *r)
{
    return r->xml != NULL ? xmlSAX2GetLineNumber(r->xml) : 0;
}

/* Keep the first problem as "NAME:LINE: WHAT" (no LINE when it is 0). */
static void record(Reader *r, long line, Octstr *what)
{
    if (r->error == NULL)
        r->error = line > 0 ? octstr_format("%s:%ld: %S", r->name, line, what)
                            : octstr_format("%s: %S", r->name, what);
    octstr_destroy(what);
}

/* A problem found by the reader itself, in a SAX callback: libxml2 is told
 * to stop at once, so that nothing after it is parsed. */
static void fail(Reader *r, long line, const char *format, ...) PRINTFLIKE(3, 4);

static void fail(Reader *r, long line, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    record(r, line, octstr_format_valist(format, args));
    va_end(args);
    xmlStopParser(r->xml);
}

/* TEXT for a one-line message: the blanks XML allows in it become spaces. */
static Octstr *one_line(const char *text)
{
    Octstr *line = octstr_create(text);
    long i;

    for (i = 0; i < octstr_len(line); i++)
        if (octstr_get_char(line, i) == '\n' || octstr_get_char(line, i) == '\r' ||
            octstr_get_char(line, i) == '\t')
            octstr_set_char(line, i, ' ');
    return line;
}

/* libxml2's message for PROBLEM, on one line. Its push parser says "Extra
 * content at the end of the document" for a document that ends too soon:
 * what is wrong is said instead. */
static Octstr *xml_message(Reader *r, xmlErrorPtr problem)
{
    Octstr *message;

    if (problem->code == XML_ERR_DOCUMENT_END && r->depth > 0)
        return octstr_create("the file ends before </CTfile>: was it cut short?");
    if (problem->code == XML_ERR_DOCUMENT_END && !r->root_seen)
        return octstr_create("the file has no root element");
    message = one_line(problem->message != NULL ? problem->message : "no message");
    octstr_strip_blanks(message);
    return message;
}

/*
 * libxml2's own errors. Only fatal ones stop the reading: a well-formedness
 * error is always fatal, whereas a namespace error (an undeclared prefix)
 * is not, and elements are matched by local name anyway. An encoding
 * converter's error comes without a line: it converts ahead of the parser,
 * whose line would be wrong, so none is given.
 */
static void on_xml_error(void *data, xmlErrorPtr problem)
{
    Reader *r = data;
    Octstr *message;

    if (problem == NULL || problem->level != XML_ERR_FATAL || stopped(r))
        return;
    message = xml_message(r, problem);
    record(r, problem->line, octstr_format("malformed XML: %S", message));
    octstr_destroy(message);
}

/* ---- values ------------------------------------------------------------- */

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Character data of the open leaf, trimmed as it comes: blanks after the
 * last non-blank wait in r->blanks until another non-blank shows they are
 * inside the value. Neither grows past the limit, however long the element.
 */
static void value_append(Reader *r, const xmlChar *chars, int len)
{
    int i;

    for (i = 0; i < len; i++) {
        if (is_blank(chars[i])) {
            if (octstr_len(r->text) > 0 &&
                octstr_len(r->text) + octstr_len(r->blanks) <= CTF_MAX_VALUE)
                octstr_append_char(r->blanks, chars[i]);
            continue;
        }
        octstr_append(r->text, r->blanks);
        octstr_truncate(r->blanks, 0);
        octstr_append_char(r->text, chars[i]);
        if (octstr_len(r->text) > CTF_MAX_VALUE) {
            fail(r, r->lines[r->known], "%s is longer than %d characters",
                 place_name(r->places[r->known]), CTF_MAX_VALUE);
            return;
        }
    }
}

/* Order: digits only, 1 to CTF_MAX_ORDER. */
static long order_read(Reader *r, Octstr *value, long line)
{
    long order = 0, i;

    for (i = 0; i < octstr_len(value); i++) {
        int c = octstr_get_char(value, i);
        if (c < '0' || c > '9')
            break;
        if (order <= CTF_MAX_ORDER) /* past it, the exact number does not matter */
            order = order * 10 + (c - '0');
    }
    if (octstr_len(value) == 0 || i < octstr_len(value)) {
        Octstr *shown = one_line(octstr_get_cstr(value));
        fail(r, line, "Order '%s' is not a number", octstr_get_cstr(shown));
        octstr_destroy(shown);
    } else if (order < 1 || order > CTF_MAX_ORDER) {
        fail(r, line, "Order %s is out of range (1 to %d)", octstr_get_cstr(value), CTF_MAX_ORDER);
    }
    return order;
}

/* xs:boolean: true or false, or its other lexical forms 1 and 0. */
static int boolean_read(Reader *r, Place place, Octstr *value, long line)
{
    Octstr *shown;

    if (octstr_str_compare(value, "true") == 0 || octstr_str_compare(value, "1") == 0)
        return 1;
    if (octstr_str_compare(value, "false") == 0 || octstr_str_compare(value, "0") == 0)
        return 0;
    shown = one_line(octstr_get_cstr(value));
    fail(r, line, "%s '%s' is not true or false", place_name(place), octstr_get_cstr(shown));
    octstr_destroy(shown);
    return 0;
}

/* Where a text value goes; NULL for the values read as numbers. */
static Octstr **value_slot(Reader *r, Place place)
{
    switch (place) {
    case PLACE_UPN:
        return &r->pupil->upn;
    case PLACE_TITLE:
        return &r->contact->title;
    case PLACE_FORENAME:
        return &r->contact->forename;
    case PLACE_SURNAME:
        return &r->contact->surname;
    case PLACE_RELATIONSHIP:
        return &r->contact->relationship;
    case PLACE_EMAIL:
        return &r->contact->email;
    case PLACE_TELEPHONE_TYPE:
        return &r->phone->type;
    case PLACE_PHONE_NO:
        return &r->phone->number;
    default:
        return NULL;
    }
}

static void value_end(Reader *r, Place place, long line)
{
    Octstr **slot = value_slot(r, place);

    if (place == PLACE_UPN && octstr_len(r->text) == 0)
        fail(r, line, "UPN is empty");
    else if (slot != NULL)
        *slot = octstr_duplicate(r->text);
    else if (place == PLACE_ORDER)
        r->contact->order = order_read(r, r->text, line);
    else if (place == PLACE_RESPONSIBILITY)
        r->contact->responsibility = boolean_read(r, place, r->text, line);
    else if (place == PLACE_OPT_OUT)
        r->contact->opt_out = boolean_read(r, place, r->text, line);
}

/* ---- elements ----------------------------------------------------------- */

static void pupil_start(Reader *r, long line)
{
    r->pupil = gw_malloc(sizeof(*r->pupil));
    r->pupil->line = line;
    r->pupil->upn = NULL;
    r->pupil->contacts = gwlist_create();
}

static void contact_start(Reader *r, long line)
{
    r->contact = gw_malloc(sizeof(*r->contact));
    memset(r->contact, 0, sizeof(*r->contact));
    r->contact->line = line;
    r->contact->responsibility = -1;
    r->contact->phones = gwlist_create();
    gwlist_append(r->pupil->contacts, r->contact);
}

static void phone_start(Reader *r)
{
    r->phone = gw_malloc(sizeof(*r->phone));
    r->phone->type = NULL;
    r->phone->number = NULL;
}

/* A phone without a number says nothing; one without a type has "". */
static void phone_end(Reader *r)
{
    if (r->phone->number == NULL) {
        phone_destroy(r->phone);
    } else {
        if (r->phone->type == NULL)
            r->phone->type = octstr_create("");
        gwlist_append(r->contact->phones, r->phone);
    }
    r->phone = NULL;
}

static void pupil_end(Reader *r, long line, unsigned seen)
{
    if ((seen & (1u << PLACE_UPN)) == 0) {
        fail(r, line, "Pupil has no UPN");
        return;
    }
    r->status = r->each(r->pupil, r->context);
    pupil_destroy(r->pupil);
    r->pupil = NULL;
    if (r->status != 0)
        xmlStopParser(r->xml);
}

/* The element of PLACE opens at LINE, one deeper than the last place. */
static void place_start(Reader *r, Place place, long line)
{
    unsigned *parent_seen = &r->seen[r->known];

    r->known++;
    r->places[r->known] = place;
    r->lines[r->known] = line;
    r->seen[r->known] = 0;
    if (place_is_value(place)) {
        if (*parent_seen & (1u << place)) {
            fail(r, line, "%s has more than one <%s>", place_name(r->places[r->known - 1]),
                 place_name(place));
            return;
        }
        *parent_seen |= 1u << place;
        octstr_truncate(r->text, 0);
        octstr_truncate(r->blanks, 0);
    } else if (place == PLACE_PUPIL) {
        pupil_start(r, line);
    } else if (place == PLACE_CONTACT) {
        contact_start(r, line);
    } else if (place == PLACE_PHONE) {
        phone_start(r);
    }
}

static void place_end(Reader *r)
{
    Place place = r->places[r->known];
    long line = r->lines[r->known];
    unsigned seen = r->seen[r->known];

    r->known--;
    if (place_is_value(place))
        value_end(r, place, line);
    else if (place == PLACE_PHONE)
        phone_end(r);
    else if (place == PLACE_CONTACT && (seen & (1u << PLACE_ORDER)) == 0)
        fail(r, line, "Contact has no Order");
    else if (place == PLACE_PUPIL)
        pupil_end(r, line, seen);
}

/* ---- SAX callbacks -------------------------------------------------------- */

static void on_start(void *data, const xmlChar *local_name, const xmlChar *prefix,
                     const xmlChar *uri, int namespace_count, const xmlChar **namespaces,
                     int attribute_count, int defaulted_count, const xmlChar **attributes)
{
    Reader *r = data;
    Place place;

    (void)uri, (void)namespace_count, (void)namespaces;
    (void)attribute_count, (void)defaulted_count, (void)attributes;
    if (stopped(r))
        return;
    r->depth++;
    r->root_seen = 1;
    if (r->depth == 1 && strcmp((const char *)local_name, "CTfile") != 0) {
        fail(r, parser_line(r), "the root element is <%s%s%s>, not <CTfile>: %s",
             prefix != NULL ? (const char *)prefix : "", prefix != NULL ? ":" : "",
             (const char *)local_name, "not a Common Transfer File");
        return;
    }
    if (r->depth != r->known + 1 || r->known == MAX_DEPTH)
        return;
    place = child_place(r->places[r->known], local_name);
    if (place != PLACE_NONE)
        place_start(r, place, parser_line(r));
}

static void on_end(void *data, const xmlChar *local_name, const xmlChar *prefix, const xmlChar *uri)
{
    Reader *r = data;

    (void)local_name, (void)prefix, (void)uri;
    if (stopped(r))
        return;
    if (r->depth == r->known)
        place_end(r);
    r->depth--;
}

/* Text, CDATA and references alike: only a leaf's own character data
 * counts, not that of elements inside it. */
static void on_text(void *data, const xmlChar *chars, int len)
{
    Reader *r = data;

    if (!stopped(r) && r->depth == r->known && place_is_value(r->places[r->known]))
        value_append(r, chars, len);
}

/* Called once the DOCTYPE's name (and any external ID) is read, before its
 * internal subset: nothing in it is ever parsed, so no entity is defined. */
static void on_doctype(void *data, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    Reader *r = data;

    (void)name, (void)external_id, (void)system_id;
    fail(r, parser_line(r),
         "a DTD is not allowed (the import never loads DTDs or expands entities)");
}

/* ---- reading -------------------------------------------------------------- */

/*
 * Only the callbacks set here are ever called: no getEntity, so the only
 * entities are XML's five predefined ones; no externalSubset or
 * resolveEntity, so nothing outside the input is opened.
 */
static void reader_start(Reader *r, const char *name, CtfPupilFn each, void *context)
{
    xmlSAXHandler sax;

    memset(r, 0, sizeof(*r));
    r->name = name;
    r->each = each;
    r->context = context;
    r->places[0] = PLACE_DOCUMENT;
    r->text = octstr_create("");
    r->blanks = octstr_create("");
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_text;
    sax.internalSubset = on_doctype;
    sax.serror = on_xml_error;
    xmlInitParser();
    /* Errors raised outside the parser's context (an encoding converter's)
     * go to the thread's handler: ours while this read lasts. */
    r->saved_handler = xmlStructuredError;
    r->saved_handler_context = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(r, on_xml_error);
    r->xml = xmlCreatePushParserCtxt(&sax, r, NULL, 0, name);
    if (r->xml == NULL)
        record(r, 0, octstr_create("cannot start the XML parser"));
    else
        xmlCtxtUseOptions(r->xml, XML_PARSE_NONET);
}

/* LENGTH more bytes for the parser; LAST ends the document. */
static void reader_feed(Reader *r, const char *data, long length, int last)
{
    if (stopped(r))
        return;
    xmlParseChunk(r->xml, data, (int)length, last);
    /* A parser that stopped on an error it did not report as fatal. */
    if (!stopped(r) && (r->xml->wellFormed == 0 || r->xml->disableSAX))
        record(r, parser_line(r),
               octstr_format("malformed XML (libxml2 stopped with error %d)", r->xml->errNo));
}

static int reader_finish(Reader *r, Octstr **error)
{
    int status = r->status;

    if (r->xml != NULL)
        xmlFreeParserCtxt(r->xml);
    xmlSetStructuredErrorFunc(r->saved_handler_context, r->saved_handler);
    phone_destroy(r->phone);
    pupil_destroy(r->pupil);
    octstr_destroy(r->text);
    octstr_destroy(r->blanks);
    if (status != 0) {
        octstr_destroy(r->error);
        return status;
    }
    if (r->error != NULL) {
        *error = r->error;
        return -1;
    }
    return 0;
}

static Octstr *too_big(const char *name, long bytes)
{
    return octstr_format("%s: the file is %ld bytes, more than the limit of %ld bytes", name, bytes,
                         CTF_MAX_BYTES);
}

/* The file at PATH open for reading, if it is a regular file in the limit. */
static FILE *file_open(const char *path, Octstr **error)
{
    FILE *file = fopen(path, "rb");
    struct stat st;

    if (file == NULL) {
        *error = octstr_format("%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(file), &st) < 0)
        *error = octstr_format("%s: cannot read: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        *error = octstr_format("%s: cannot read: not a regular file", path);
    else if (st.st_size > CTF_MAX_BYTES)
        *error = too_big(path, (long)st.st_size);
    else
        return file;
    fclose(file);
    return NULL;
}

int ctf_read_file(const char *path, CtfPupilFn each, void *context, Octstr **error)
{
    char chunk[CHUNK_BYTES];
    FILE *file = file_open(path, error);
    Reader r;
    size_t n;

    if (file == NULL)
        return -1;
    reader_start(&r, path, each, context);
    while (!stopped(&r) && (n = fread(chunk, 1, sizeof(chunk), file)) > 0)
        reader_feed(&r, chunk, (long)n, 0);
    if (!stopped(&r) && ferror(file))
        record(&r, 0, octstr_format("cannot read: %s", strerror(errno)));
    reader_feed(&r, NULL, 0, 1);
    fclose(file);
    return reader_finish(&r, error);
}

int ctf_read_memory(const char *data, long length, const char *name, CtfPupilFn each, void *context,
                    Octstr **error)
{
    Reader r;
    long at;

    if (length > CTF_MAX_BYTES) {
        *error = too_big(name, length);
        return -1;
    }
    reader_start(&r, name, each, context);
    for (at = 0; at < length && !stopped(&r); at += CHUNK_BYTES)
        reader_feed(&r, data + at, length - at < CHUNK_BYTES ? length - at : CHUNK_BYTES, 0);
    reader_feed(&r, NULL, 0, 1);
    return reader_finish(&r, error);
}
