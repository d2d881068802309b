/*
 * config.h - absencebox's configuration: one Kannel-syntax file read with
 * gwlib's cfg, shared by the box and by absencectl.
 *
 * config_load() reads and validates the whole file at once. On any problem
 * it returns NULL and sets *error to one line naming the file, the line, the
 * group and the key, and what to do; nothing is half-loaded. The returned
 * AbsenceConfig is owned by the caller and freed with config_destroy().
 */
#ifndef ABSENCE_CONFIG_H
#define ABSENCE_CONFIG_H

#include "gwlib/gwlib.h"

#define KEY_TEXT(key, field, dflt) Octstr *field;
#define KEY_REQUIRED(key, field) Octstr *field;
#define KEY_INT(key, field, dflt, min, max) long field;
#define KEY_BOOL(key, field, dflt) int field;
#define KEY_CLOCK(key, field, dflt) long field;
#define SINGLE_GROUP(name, type, keys) typedef struct type { keys } type;
#define MULTI_GROUP(name, type, keys) typedef struct type { keys } type;
#include "config.def"
#undef KEY_TEXT
#undef KEY_REQUIRED
#undef KEY_INT
#undef KEY_BOOL
#undef KEY_CLOCK
#undef SINGLE_GROUP
#undef MULTI_GROUP

/* The default location absencectl and the box look in without -c. */
#define CONFIG_DEFAULT_PATH "/etc/kannel/absencebox.conf"

typedef struct AbsenceConfig {
    Octstr *path;        /* the file it was read from */
    BoxSettings box;     /* group = absencebox */
    PgsqlSettings db;    /* the pgsql-connection group whose id is pgsql-id */
    List *absent_marks;  /* Octstr *, parsed from absent-marks */
    long max_septets;    /* GSM 7-bit budget for one text: max-segments worth */
    long max_ucs2_chars; /* UCS-2 budget, or 0 when allow-ucs2 is false */
} AbsenceConfig;

AbsenceConfig *config_load(Octstr *path, Octstr **error);
void config_destroy(AbsenceConfig *config);

#endif
