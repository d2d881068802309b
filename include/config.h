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
#define KEY_LIST(key, field, dflt) List *field;
#define SINGLE_GROUP(name, type, keys)                                                             \
    typedef struct type {                                                                          \
        keys                                                                                       \
    } type;
#define MULTI_GROUP(name, type, keys)                                                              \
    typedef struct type {                                                                          \
        keys                                                                                       \
    } type;
#include "config.def"

/* The default location absencectl and the box look in without -c. */
#define CONFIG_DEFAULT_PATH "/etc/kannel/absencebox.conf"

typedef struct AbsenceConfig {
    Octstr *path;            /* the file it was read from */
    BoxSettings box;         /* group = absencebox */
    PgsqlSettings db;        /* the pgsql-connection group whose id is pgsql-id */
    Octstr *policy_settings; /* the POLICY_ keys' values as one JSON object keyed
                                by config key: what absence.policy_settings() takes */
} AbsenceConfig;

AbsenceConfig *config_load(Octstr *path, Octstr **error);
void config_destroy(AbsenceConfig *config);

/*
 * For config-sql, which writes the SQL of the policy's defaults: the
 * group absencebox as config.def's defaults alone (required keys NULL),
 * freed with config_box_destroy(); and the POLICY_ keys of BOX as
 * the JSON object absence.policy_settings() takes (caller destroys).
 */
void config_box_defaults(BoxSettings *box);
void config_box_destroy(BoxSettings *box);
Octstr *config_policy_json(const BoxSettings *box);

#endif
