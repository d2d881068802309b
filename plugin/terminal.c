/*
 * terminal.c - a stream that escapes control characters (see terminal.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "terminal.h"

typedef struct SafeStream {
    FILE *out;
    unsigned char carry[4]; /* the start of a character the last write cut */
    size_t carried;
} SafeStream;

/* The code point of the UTF-8 sequence at TEXT and its length, or a length
 * of 0 when it is not complete in LEN bytes; a byte that starts no valid
 * sequence is taken alone (as U+FFFD, written as it is). */
static size_t decode(const unsigned char *text, size_t len, unsigned long *point)
{
    size_t need = text[0] < 0x80    ? 1
                  : text[0] >= 0xF0 ? 4
                  : text[0] >= 0xE0 ? 3
                  : text[0] >= 0xC0 ? 2
                                    : 1;
    size_t i;

    if (need > len)
        return 0;
    *point = need == 1 ? text[0] : text[0] & (0x7F >> need);
    for (i = 1; i < need; i++) {
        if ((text[i] & 0xC0) != 0x80) {
            *point = 0xFFFD;
            return 1;
        }
        *point = (*point << 6) | (text[i] & 0x3F);
    }
    return need;
}

static int invisible(unsigned long point)
{
    return (point >= 0x80 && point <= 0x9F) || point == 0xAD ||
           (point >= 0x200B && point <= 0x200F) || (point >= 0x2028 && point <= 0x202E) ||
           (point >= 0x2060 && point <= 0x2069) || point == 0xFEFF;
}

int terminal_escape(const unsigned char *text, size_t len, char *escape)
{
    unsigned long point;
    size_t used = decode(text, len, &point);

    if (used == 0 || point == '\n' || (point >= 0x20 && point != 0x7F && !invisible(point)))
        return 0;
    if (point == '\t')
        strcpy(escape, "\\t");
    else if (point == '\r')
        strcpy(escape, "\\r");
    else if (point < 0x80)
        snprintf(escape, 12, "\\x%02lx", point);
    else
        snprintf(escape, 12, "\\u%04lx", point & 0x1FFFFF);
    return (int)used;
}

/* Write TEXT, escaped, up to the start of a character it cuts short,
 * which is left for the next write; the bytes used. */
static size_t write_escaped(FILE *out, const unsigned char *text, size_t len)
{
    char escape[12];
    unsigned long point;
    size_t at = 0, plain = 0;

    while (at < len) {
        size_t used = decode(text + at, len - at, &point);
        int escaped = used > 0 ? terminal_escape(text + at, len - at, escape) : 0;

        if (used == 0)
            break;
        if (escaped > 0) {
            fwrite(text + plain, 1, at - plain, out);
            fputs(escape, out);
            plain = at + used;
        }
        at += used;
    }
    fwrite(text + plain, 1, at - plain, out);
    return at;
}

static ssize_t safe_write(void *cookie, const char *buf, size_t size)
{
    SafeStream *s = cookie;
    const unsigned char *text = (const unsigned char *)buf;
    size_t taken = 0, used;

    /* complete the character the last write cut, a byte at a time */
    while (s->carried > 0 && taken < size) {
        s->carry[s->carried++] = text[taken++];
        used = write_escaped(s->out, s->carry, s->carried);
        memmove(s->carry, s->carry + used, s->carried - used);
        s->carried -= used;
    }
    if (s->carried > 0) /* still cut short: all of BUF is in the carry */
        return (ssize_t)size;
    used = write_escaped(s->out, text + taken, size - taken);
    taken += used;
    memcpy(s->carry, text + taken, size - taken);
    s->carried = size - taken;
    return (ssize_t)size;
}

static int safe_close(void *cookie)
{
    SafeStream *s = cookie;

    fwrite(s->carry, 1, s->carried, s->out);
    fflush(s->out);
    free(s);
    return 0;
}

FILE *terminal_safe(FILE *out)
{
    cookie_io_functions_t io = {NULL, safe_write, NULL, safe_close};
    SafeStream *s = calloc(1, sizeof(*s));
    FILE *stream;

    if (s == NULL)
        return NULL;
    s->out = out;
    stream = fopencookie(s, "w", io);
    if (stream == NULL)
        free(s);
    else
        setvbuf(stream, NULL, _IOLBF, 0);
    return stream;
}
