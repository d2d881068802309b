/*
 * terminal.h - absencectl's output to a person: every control character in
 * it escaped, so that a string from the MIS or a parent (a student ID with a
 * tab, a reply with an escape sequence) can neither move the cursor, recolour
 * or retitle the operator's terminal, nor hide a character from them.
 */
#ifndef ABSENCE_TERMINAL_H
#define ABSENCE_TERMINAL_H

#include <stdio.h>

/*
 * A stream that writes to OUT what it is given, with C0 and C1 control
 * characters (all but newline), DEL, and the invisible and bidirectional
 * formatting characters written as escapes: "\t", "\r", "\x1b", "\u200b".
 * Closing it flushes it and leaves OUT open. NULL if it cannot be made.
 */
FILE *terminal_safe(FILE *out);

/* The escape for the UTF-8 character at TEXT (of LEN bytes available), if
 * it needs one: written to ESCAPE (at least 12 bytes), and its length in
 * bytes returned; 0 when it is written as it is. */
int terminal_escape(const unsigned char *text, size_t len, char *escape);

#endif
