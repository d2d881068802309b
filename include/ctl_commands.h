/*
 * ctl_commands.h - absencectl's commands, one file each (plugin/ctl_*.c).
 * Each takes the arguments after its name and returns the exit status.
 */
#ifndef ABSENCE_CTL_COMMANDS_H
#define ABSENCE_CTL_COMMANDS_H

#include "ctl.h"

int ctl_report(Ctl *ctl, int argc, char **argv);
int ctl_explain(Ctl *ctl, int argc, char **argv);
int ctl_preview(Ctl *ctl, int argc, char **argv);
int ctl_status(Ctl *ctl, int argc, char **argv);
int ctl_export_pastoral(Ctl *ctl, int argc, char **argv);
int ctl_resend(Ctl *ctl, int argc, char **argv);
int ctl_cancel(Ctl *ctl, int argc, char **argv);

#endif
