/*
 * conf_file.h - a line-level view of a Kannel-syntax config file.
 *
 * gwlib's cfg parses the file but cannot say on which line a key stands,
 * and reports syntax errors only through the log. This module reads the same
 * file as blocks of "key = value" lines with their line numbers, so that
 * config errors can name the line to fix, and rejects what gwlib would
 * silently misread (inline comments, unterminated quotes) or stop the
 * program on (a line with "include" anywhere in it, which gwlib takes for
 * an include directive; includes are not supported).
 */
#ifndef ABSENCE_CONF_FILE_H
#define ABSENCE_CONF_FILE_H

#include "gwlib/gwlib.h"

typedef struct ConfFile ConfFile;

/*
 * Read and syntax-check PATH. Returns NULL and sets *error (caller destroys)
 * to "PATH:LINE: what is wrong" when the file is unreadable or malformed.
 */
ConfFile *conf_file_read(Octstr *path, Octstr **error);
void conf_file_destroy(ConfFile *file);

/*
 * The line on which KEY is set in the first block whose group is GROUP and,
 * when ID is not NULL, whose id is ID. With KEY NULL, the block's first line.
 * Returns 0 when there is no such block or key.
 */
long conf_file_line(ConfFile *file, const char *group, Octstr *id, const char *key);

#endif
