/*
 * ctf_reader.c - a CTF's pupils and contacts, streamed (see ctf_reader.h).
 */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>

#include <libxml/xmlreader.h>

#include "ctf_reader.h"

typedef struct Reader {
    xmlTextReaderPtr xml;
    const char *name;
    Octstr *start;   /* the file's first bytes, where a DOCTYPE would be */
    Octstr *error;   /* the first problem, "NAME:LINE: ..." */
    List *path;      /* element names from the root, Octstr */
    List *lines;     /* the line each of them starts on */
    CtfPupil *pupil; /* the pupil being read */
    CtfContact *contact;
    CtfPhone *phone;
    Octstr *text; /* character data of the current leaf */
    Dict *seen;   /* elements already given in this contact */
} Reader;

static void fail(Reader *r, long line, const char *fmt, ...) PRINTFLIKE(3, 4);

static void fail(Reader *r, long line, const char *fmt, ...)
{
    va_list args;
    Octstr *what;

    if (r->error != NULL)
        return;
    va_start(args, fmt);
    what = octstr_format_valist(fmt, args);
    va_end(args);
    r->error = line > 0 ? octstr_format("%s:%ld: %S", r->name, line, what)
                        : octstr_format("%s: %S", r->name, what);
    octstr_destroy(what);
}

/* libxml2's own errors: the first one, with its line. */
static void on_xml_error(void *context, xmlErrorPtr error)
{
    Reader *r = context;
    Octstr *message = octstr_create(error->message != NULL ? error->message : "unknown error");

    octstr_strip_blanks(message);
    fail(r, error->line, "malformed XML: %s", octstr_get_cstr(message));
    octstr_destroy(message);
}

/* The line of the node the reader is on (the parser itself reads ahead). */
static long line_of(Reader *r)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(r->xml);
    long line = node != NULL ? xmlGetLineNo(node) : -1;

    return line > 0 ? line : xmlTextReaderGetParserLineNumber(r->xml);
}

static void phone_destroy(void *item)
{
    CtfPhone *phone = item;

    octstr_destroy(phone->type);
    octstr_destroy(phone->number);
    gw_free(phone);
}

static void contact_destroy(void *item)
{
    CtfContact *c = item;

    octstr_destroy(c->title);
    octstr_destroy(c->forename);
    octstr_destroy(c->surname);
    octstr_destroy(c->relationship);
    octstr_destroy(c->email);
    gwlist_destroy(c->phones, phone_destroy);
    gw_free(c);
}

static void pupil_destroy(CtfPupil *pupil)
{
    if (pupil == NULL)
        return;
    octstr_destroy(pupil->upn);
    gwlist_destroy(pupil->contacts, contact_destroy);
    gw_free(pupil);
}

/* The element path as "Pupil/Contacts/Contact/Order", below CTFpupilData. */
static int at(Reader *r, const char *path)
{
    Octstr *joined = octstr_create("");
    long i;
    int same;

    for (i = 2; i < gwlist_len(r->path); i++) {
        if (i > 2)
            octstr_append_char(joined, '/');
        octstr_append(joined, gwlist_get(r->path, i));
    }
    same = gwlist_len(r->path) > 2 &&
           octstr_compare(gwlist_get(r->path, 1), octstr_imm("CTFpupilData")) == 0 &&
           octstr_str_compare(joined, path) == 0;
    octstr_destroy(joined);
    return same;
}

static void start_element(Reader *r, Octstr *name, long line)
{
    gwlist_append(r->path, name);
    gwlist_append(r->lines, (void *)line);
    octstr_truncate(r->text, 0);
    if (gwlist_len(r->path) == 1 && octstr_str_compare(name, "CTfile") != 0)
        fail(r, line, "the root element is <%s>, not <CTfile>: not a Common Transfer File",
             octstr_get_cstr(name));
    else if (at(r, "Pupil")) {
        r->pupil = gw_malloc(sizeof(*r->pupil));
        r->pupil->line = line;
        r->pupil->upn = NULL;
        r->pupil->contacts = gwlist_create();
    } else if (at(r, "Pupil/Contacts/Contact")) {
        r->contact = gw_malloc(sizeof(*r->contact));
        memset(r->contact, 0, sizeof(*r->contact));
        r->contact->line = line;
        r->contact->responsibility = -1;
        r->contact->phones = gwlist_create();
        gwlist_append(r->pupil->contacts, r->contact);
        dict_destroy(r->seen);
        r->seen = dict_create(16, NULL);
    } else if (at(r, "Pupil/Contacts/Contact/Phones/Phone")) {
        r->phone = gw_malloc(sizeof(*r->phone));
        r->phone->type = NULL;
        r->phone->number = NULL;
    }
}

/* TEXT as a boolean into *VALUE: true/false (and xs:boolean's 1/0). */
static void read_boolean(Reader *r, Octstr *text, const char *element, int *value, long line)
{
    if (octstr_str_compare(text, "true") == 0 || octstr_str_compare(text, "1") == 0)
        *value = 1;
    else if (octstr_str_compare(text, "false") == 0 || octstr_str_compare(text, "0") == 0)
        *value = 0;
    else
        fail(r, line, "%s '%s' is not true or false", element, octstr_get_cstr(text));
}

static void read_order(Reader *r, Octstr *text, long line)
{
    long order = 0, i;

    if (octstr_len(text) == 0)
        fail(r, line, "Order '' is not a number");
    for (i = 0; i < octstr_len(text); i++) {
        if (!isdigit(octstr_get_char(text, i))) {
            fail(r, line, "Order '%s' is not a number", octstr_get_cstr(text));
            return;
        }
        if (order <= CTF_MAX_ORDER * 10L)
            order = order * 10 + (octstr_get_char(text, i) - '0');
    }
    if (octstr_len(text) > 0 && (order < 1 || order > CTF_MAX_ORDER))
        fail(r, line, "Order %s is out of range (1 to %d)", octstr_get_cstr(text), CTF_MAX_ORDER);
    r->contact->order = order;
}

/* A contact's field, given once. */
static void contact_field(Reader *r, Octstr *element, Octstr **field, Octstr *text, long line)
{
    if (dict_get(r->seen, element) != NULL) {
        fail(r, line, "Contact has more than one <%s>", octstr_get_cstr(element));
        return;
    }
    dict_put(r->seen, element, (void *)1);
    if (field != NULL)
        *field = octstr_duplicate(text);
}

static const char *const contact_texts[] = {"Title", "Forename", "Surname", "Relationship",
                                            "Email"};

static Octstr **contact_text_field(CtfContact *c, long i)
{
    Octstr **fields[] = {&c->title, &c->forename, &c->surname, &c->relationship, &c->email};

    return fields[i];
}

/* A leaf of a contact ends: its value, checked. */
static void end_contact_leaf(Reader *r, Octstr *name, Octstr *text, long line)
{
    const char *element = octstr_get_cstr(name);
    size_t i;

    for (i = 0; i < sizeof(contact_texts) / sizeof(contact_texts[0]); i++)
        if (strcmp(element, contact_texts[i]) == 0)
            contact_field(r, name, contact_text_field(r->contact, i), text, line);
    if (strcmp(element, "Order") == 0) {
        contact_field(r, name, NULL, text, line);
        read_order(r, text, line);
    } else if (strcmp(element, "OptOut") == 0) {
        contact_field(r, name, NULL, text, line);
        read_boolean(r, text, element, &r->contact->opt_out, line);
    } else if (strcmp(element, "Responsibility") == 0) {
        contact_field(r, name, NULL, text, line);
        read_boolean(r, text, element, &r->contact->responsibility, line);
    }
}

static void end_phone(Reader *r)
{
    if (r->phone->number == NULL) { /* a phone without a number says nothing */
        phone_destroy(r->phone);
    } else {
        if (r->phone->type == NULL)
            r->phone->type = octstr_create("");
        gwlist_append(r->contact->phones, r->phone);
    }
    r->phone = NULL;
}

static void end_phone_leaf(Reader *r, Octstr *name, Octstr *text)
{
    Octstr **field = octstr_str_compare(name, "TelephoneType") == 0 ? &r->phone->type
                     : octstr_str_compare(name, "PhoneNo") == 0     ? &r->phone->number
                                                                    : NULL;

    if (field != NULL && *field == NULL)
        *field = octstr_duplicate(text);
}

static int end_pupil(Reader *r, CtfPupilFn each, void *context)
{
    int status = 0;

    if (r->pupil->upn == NULL || octstr_len(r->pupil->upn) == 0)
        fail(r, r->pupil->line, "Pupil has no UPN");
    else
        status = each(r->pupil, context);
    pupil_destroy(r->pupil);
    r->pupil = NULL;
    return status;
}

/* The element on top of the path ends; LINE is where it started. */
static int end_element(Reader *r, CtfPupilFn each, void *context)
{
    Octstr *name = gwlist_get(r->path, gwlist_len(r->path) - 1);
    long line = (long)gwlist_get(r->lines, gwlist_len(r->lines) - 1);
    Octstr *text = octstr_duplicate(r->text);
    int status = 0;

    octstr_strip_blanks(text);
    if (octstr_len(text) > CTF_MAX_VALUE)
        fail(r, line, "%s is longer than %d characters", octstr_get_cstr(name), CTF_MAX_VALUE);
    else if (at(r, "Pupil/UPN") && r->pupil->upn == NULL)
        r->pupil->upn = octstr_duplicate(text);
    else if (r->contact != NULL && gwlist_len(r->path) == 6)
        end_contact_leaf(r, name, text, line);
    else if (r->phone != NULL && gwlist_len(r->path) == 8)
        end_phone_leaf(r, name, text);
    else if (at(r, "Pupil/Contacts/Contact/Phones/Phone"))
        end_phone(r);
    else if (at(r, "Pupil/Contacts/Contact")) {
        if (dict_get(r->seen, octstr_imm("Order")) == NULL)
            fail(r, r->contact->line, "Contact has no Order");
        r->contact = NULL;
    } else if (at(r, "Pupil"))
        status = end_pupil(r, each, context);
    octstr_destroy(text);
    gwlist_delete(r->path, gwlist_len(r->path) - 1, 1);
    gwlist_delete(r->lines, gwlist_len(r->lines) - 1, 1);
    octstr_destroy(name);
    octstr_truncate(r->text, 0);
    return status;
}

/* The line of the DOCTYPE declaration: libxml2 gives its node none. */
static long doctype_line(Reader *r)
{
    long at = octstr_search(r->start, octstr_imm("<!DOCTYPE"), 0), line = 1, i;

    if (at < 0)
        return line_of(r);
    for (i = 0; i < at; i++)
        line += octstr_get_char(r->start, i) == '\n';
    return line;
}

/* One node of the document; the callback's status, or 0. */
static int step(Reader *r, CtfPupilFn each, void *context)
{
    int type = xmlTextReaderNodeType(r->xml);
    long line = line_of(r);

    switch (type) {
    case XML_READER_TYPE_DOCUMENT_TYPE:
        fail(r, doctype_line(r),
             "a DTD is not allowed (the import never loads DTDs or expands entities)");
        return 0;
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
        fail(r, line, "an entity is not allowed (the import never expands entities)");
        return 0;
    case XML_READER_TYPE_ELEMENT: {
        int empty = xmlTextReaderIsEmptyElement(r->xml);
        start_element(r, octstr_create((const char *)xmlTextReaderConstLocalName(r->xml)), line);
        return empty && r->error == NULL ? end_element(r, each, context) : 0;
    }
    case XML_READER_TYPE_END_ELEMENT:
        return end_element(r, each, context);
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
    case XML_READER_TYPE_WHITESPACE:
        octstr_append_cstr(r->text, (const char *)xmlTextReaderConstValue(r->xml));
        return 0;
    default:
        return 0;
    }
}

static int read_all(Reader *r, CtfPupilFn each, void *context, Octstr **error)
{
    int status = 0, more;

    r->path = gwlist_create();
    r->lines = gwlist_create();
    r->text = octstr_create("");
    r->seen = dict_create(16, NULL);
    xmlTextReaderSetStructuredErrorHandler(r->xml, on_xml_error, r);
    while (status == 0 && r->error == NULL && (more = xmlTextReaderRead(r->xml)) == 1)
        status = step(r, each, context);
    if (status == 0 && r->error == NULL && more < 0)
        fail(r, line_of(r), "malformed XML");
    xmlFreeTextReader(r->xml);
    if (r->phone != NULL)
        phone_destroy(r->phone);
    pupil_destroy(r->pupil);
    gwlist_destroy(r->path, octstr_destroy_item);
    gwlist_destroy(r->lines, NULL);
    octstr_destroy(r->start);
    octstr_destroy(r->text);
    dict_destroy(r->seen);
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

/* libxml2's options: no network, no DTD, no entity expansion. */
#define CTF_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* A DOCTYPE comes before the root element, in the first bytes. */
#define START_BYTES 65536

static Octstr *file_start(const char *path)
{
    char buffer[START_BYTES];
    FILE *file = fopen(path, "rb");
    size_t n = file != NULL ? fread(buffer, 1, sizeof(buffer), file) : 0;

    if (file != NULL)
        fclose(file);
    return octstr_create_from_data(buffer, (long)n);
}

int ctf_read_file(const char *path, CtfPupilFn each, void *context, Octstr **error)
{
    Reader r = {0};
    struct stat st;

    r.name = path;
    if (stat(path, &st) < 0 || S_ISDIR(st.st_mode)) {
        *error = octstr_format("%s: cannot read: %s", path,
                               S_ISDIR(st.st_mode) ? "it is a directory" : strerror(errno));
        return -1;
    }
    if (st.st_size > CTF_MAX_BYTES) {
        *error = octstr_format("%s: the file is %ld bytes, more than the limit of %ld bytes", path,
                               (long)st.st_size, CTF_MAX_BYTES);
        return -1;
    }
    r.start = file_start(path);
    r.xml = xmlReaderForFile(path, NULL, CTF_XML_OPTIONS);
    if (r.xml == NULL) {
        *error = octstr_format("%s: cannot read: %s", path, strerror(errno ? errno : EIO));
        return -1;
    }
    return read_all(&r, each, context, error);
}

int ctf_read_memory(const char *data, long length, const char *name, CtfPupilFn each, void *context,
                    Octstr **error)
{
    Reader r = {0};

    r.name = name;
    if (length > CTF_MAX_BYTES) {
        *error = octstr_format("%s: the file is %ld bytes, more than the limit of %ld bytes", name,
                               length, CTF_MAX_BYTES);
        return -1;
    }
    r.start = octstr_create_from_data(data, length < START_BYTES ? length : START_BYTES);
    r.xml = xmlReaderForMemory(data, (int)length, name, NULL, CTF_XML_OPTIONS);
    if (r.xml == NULL) {
        *error = octstr_format("%s: cannot read", name);
        return -1;
    }
    return read_all(&r, each, context, error);
}
