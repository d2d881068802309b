/*
 * config_sql.c - config-sql, a build tool: writes the SQL of the policy's
 * settings from config.def, so that a default is written only there.
 *
 * Its output is applied before the policy functions (plugin/sql/functions/):
 * the type absence.policy_config, a field per POLICY_ key named after the
 * key (dashes as underscores), and absence.policy_defaults(), the defaults
 * as the very JSON object config.c makes of a configuration file, which
 * absence.policy_settings() overrides with the one the programs pass.
 */
#include "config.h"

static void add_field(Octstr *fields, const char *key, const char *type)
{
    Octstr *name = octstr_create(key);

    octstr_replace(name, octstr_imm("-"), octstr_imm("_"));
    octstr_format_append(fields, "%s    %S %s", octstr_len(fields) ? ",\n" : "", name, type);
    octstr_destroy(name);
}

#define CONFIG_DEF_SKIP_KEYS
#define POLICY_TEXT(key, field, dflt) add_field(fields, #key, "text");
#define POLICY_INT(key, field, dflt, min, max) add_field(fields, #key, "integer");
#define POLICY_BOOL(key, field, dflt) add_field(fields, #key, "boolean");
#define POLICY_CLOCK(key, field, dflt) add_field(fields, #key, "time");
#define POLICY_LIST(key, field, dflt) add_field(fields, #key, "text[]");
#define SINGLE_GROUP(name, type, keys) keys
#define MULTI_GROUP(name, type, keys)

static void add_fields(Octstr *fields)
{
#include "config.def"
}

int main(void)
{
    BoxSettings defaults;
    Octstr *fields, *json;

    gwlib_init();
    log_set_output_level(GW_PANIC); /* stderr is for this tool's own errors */
    fields = octstr_create("");
    add_fields(fields);
    config_box_defaults(&defaults);
    json = config_policy_json(&defaults);
    /* an SQL string literal inside a dollar-quoted body */
    octstr_replace(json, octstr_imm("'"), octstr_imm("''"));
    if (octstr_search(json, octstr_imm("$$"), 0) >= 0) {
        fprintf(stderr, "config-sql: a POLICY_ default in config.def contains '$$'\n");
        return 1;
    }
    printf("-- Generated from include/config.def by config-sql: do not edit.\n"
           "-- The policy's settings: a field per POLICY_ key, and their defaults.\n\n"
           "create type absence.policy_config as (\n%s\n);\n\n"
           "create function absence.policy_defaults()\n"
           "returns jsonb\nlanguage sql immutable\nas $$\n"
           "    select jsonb '%s'\n$$;\n",
           octstr_get_cstr(fields), octstr_get_cstr(json));
    config_box_destroy(&defaults);
    octstr_destroy(fields);
    octstr_destroy(json);
    gwlib_shutdown();
    return 0;
}
