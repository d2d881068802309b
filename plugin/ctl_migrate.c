/*
 * ctl_migrate.c - absencectl migrate and check-config: making the database
 * and the configuration ready for the box.
 */
#include "ctl_commands.h"
#include "migrate.h"

int ctl_migrate(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    MigrateResult result;
    Octstr *error = NULL;

    (void)args, (void)format;
    if (migrate_apply(ctl->conn, &absence_schema, &result, &error) < 0)
        return ctl_fail_octstr(EXIT_ENVIRONMENT, error);
    if (result.applied == 0 && !result.functions_replaced)
        printf("schema absence is up to date at version %d\n", result.version);
    else if (result.applied == 0)
        printf("schema absence: its functions changed and were applied again, at version %d\n",
               result.version);
    else
        printf("schema absence: applied %d migration%s and the functions, now at version %d\n",
               result.applied, result.applied == 1 ? "" : "s", result.version);
    return 0;
}

int ctl_check_config(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)args, (void)format;
    printf("%s: configuration is valid\n", octstr_get_cstr(ctl->config->path));
    return 0;
}
