/*
 * ctl_pause.c - absencectl pause --reason WHY and resume: the kill switch
 * for an incident (a bad register import, say). While paused no box plans
 * or sends a text; texts already with the gateway go on. Recorded with who,
 * when and why in absence.sending_pause.
 */
#include "ctl_commands.h"
#include "pause.h"

static int set(Ctl *ctl, CtlArgs *args, int pause)
{
    Octstr *actor = ctl_actor(), *said = NULL;
    int outcome = pause_set(ctl->conn, ctl->config, pause, actor, ctl_arg(args, "--reason"), &said);

    octstr_destroy(actor);
    if (outcome == PAUSE_DONE) {
        printf("%s\n", octstr_get_cstr(said));
        octstr_destroy(said);
        return 0;
    }
    return ctl_fail_octstr(outcome == PAUSE_REFUSED ? EXIT_USER : EXIT_ENVIRONMENT, said);
}

int ctl_pause(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return set(ctl, args, 1);
}

int ctl_resume(Ctl *ctl, CtlArgs *args, OutputFormat format)
{
    (void)format;
    return set(ctl, args, 0);
}
