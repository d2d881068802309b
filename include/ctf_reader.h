/*
 * ctf_reader.h - the contacts of a Common Transfer File (CTF), the XML a
 * college's MIS exports, read a pupil at a time.
 *
 * Only what the contacts import needs is read: CTfile/CTFpupilData/Pupil
 * with its UPN and Contacts/Contact (Order, Title, Forename, Surname,
 * Relationship, Responsibility, Phones/Phone with TelephoneType and PhoneNo,
 * Email, and the college's own OptOut). Every other element is skipped.
 * The reader streams (libxml2's SAX2 push parser, whose line numbers are
 * exact at any length and which lets a DTD be refused before any of it is
 * processed): memory holds one pupil, not the file. It never reaches the
 * network, refuses a DTD (so no entity is ever defined or expanded) and
 * refuses a file over its size limit.
 */
#ifndef ABSENCE_CTF_READER_H
#define ABSENCE_CTF_READER_H

#include "gwlib/gwlib.h"

/* The largest file read: a 10,000-pupil export is a few tens of MiB. */
#define CTF_MAX_BYTES (256L * 1024 * 1024)

/* Values longer than this (in bytes) are refused as out of range. */
#define CTF_MAX_VALUE 255

/* Order: 1 is the first contact; the DfE's schema allows up to 99. */
#define CTF_MAX_ORDER 99

typedef struct CtfPhone {
    Octstr *type;   /* TelephoneType as written (trimmed): M, H, W... or empty */
    Octstr *number; /* PhoneNo as typed (trimmed) */
} CtfPhone;

typedef struct CtfContact {
    long line;     /* of <Contact> */
    long order;    /* Order: 1..CTF_MAX_ORDER (required) */
    Octstr *title; /* each NULL when the element is absent */
    Octstr *forename;
    Octstr *surname;
    Octstr *relationship;
    Octstr *email;
    int responsibility; /* -1 absent, else 0 or 1 */
    int opt_out;        /* 0 or 1 (absent means 0) */
    List *phones;       /* CtfPhone *, in file order */
} CtfContact;

typedef struct CtfPupil {
    long line;      /* of <Pupil> */
    Octstr *upn;    /* UPN (required), trimmed */
    List *contacts; /* CtfContact *, in file order */
} CtfPupil;

/* Called for each pupil in file order; the pupil is the reader's and is
 * freed after the call. A non-zero return stops the reading: ctf_read_*
 * then return that value with *error left NULL. */
typedef int (*CtfPupilFn)(const CtfPupil *pupil, void *context);

/*
 * Read the CTF at PATH, calling EACH for every pupil. Returns 0 once the
 * whole file was read; -1 with *error set (a new Octstr "PATH:LINE:
 * problem") when the file cannot be read or is not a well-formed CTF; or
 * EACH's non-zero result. A file that fails may already have given pupils
 * to EACH: the caller applies nothing until the read returns 0.
 */
int ctf_read_file(const char *path, CtfPupilFn each, void *context, Octstr **error);

/* The same over LENGTH bytes at DATA, NAME standing for the file in errors. */
int ctf_read_memory(const char *data, long length, const char *name, CtfPupilFn each, void *context,
                    Octstr **error);

#endif
