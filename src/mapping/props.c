/* mapping/props: the Java properties reader (props.h). One pass over the bytes; a small reader
 * yields the decoded characters of one logical line with the place each came from. */
#include "mapping/props.h"

#include "core/buf.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const char *s;
    size_t len, pos;
    int line;
    size_t line_start; /* offset of the current physical line */
    char *err;
    size_t errlen;
    bool failed;
};

static void fail_at(struct reader *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(struct reader *r, int line, int col, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    int n = snprintf(r->err, r->errlen, "%d:%d: ", line, col);
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static int col_of(const struct reader *r, size_t pos)
{
    return (int)(pos - r->line_start) + 1;
}

static bool at_eol(const struct reader *r)
{
    return r->pos >= r->len || r->s[r->pos] == '\n' || r->s[r->pos] == '\r';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* Moves past the line ending at pos (\n, \r\n or \r) to the start of the next line. */
static void next_line(struct reader *r)
{
    if (r->pos < r->len && r->s[r->pos] == '\r')
        r->pos++;
    if (r->pos < r->len && r->s[r->pos] == '\n')
        r->pos++;
    r->line++;
    r->line_start = r->pos;
}

static void skip_blanks(struct reader *r)
{
    while (r->pos < r->len && is_blank(r->s[r->pos]))
        r->pos++;
}

static void put_utf8(struct up_buf *b, unsigned cp)
{
    if (cp < 0x80) {
        up_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        up_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        up_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        up_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        up_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        up_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* One backslash escape at r->pos (just after the backslash), appended to out. */
static void read_escape(struct reader *r, struct up_buf *out)
{
    int col = col_of(r, r->pos - 1);
    char c = r->s[r->pos++];
    switch (c) {
    case 't':
        up_buf_putc(out, '\t');
        return;
    case 'n':
        up_buf_putc(out, '\n');
        return;
    case 'r':
        up_buf_putc(out, '\r');
        return;
    case 'f':
        up_buf_putc(out, '\f');
        return;
    case 'u':
        break;
    default:
        up_buf_putc(out, c);
        return;
    }
    unsigned cp = 0;
    for (int i = 0; i < 4; i++) {
        int d = r->pos < r->len ? up_hex_digit(r->s[r->pos]) : -1;
        if (d < 0) {
            fail_at(r, r->line, col, "\\u needs four hex digits");
            return;
        }
        cp = cp * 16 + (unsigned)d;
        r->pos++;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
        fail_at(r, r->line, col, "\\u%04X is not allowed here: write the character itself", cp);
        return;
    }
    put_utf8(out, cp);
}

/* Reads characters of the logical line into out until the line ends or, when stop_at_sep,
 * an unescaped '=', ':' or blank. Records a segment per physical line when segs is given. */
static void read_text(struct reader *r, bool stop_at_sep, struct up_buf *out,
                      struct up_props_entry *segs_owner)
{
    bool new_segment = true;
    while (!r->failed && !at_eol(r)) {
        char c = r->s[r->pos];
        if (stop_at_sep && (c == '=' || c == ':' || is_blank(c)))
            return;
        if (new_segment && segs_owner) {
            struct up_props_entry *e = segs_owner;
            e->segs = up_xrealloc(e->segs, (e->nsegs + 1) * sizeof *e->segs);
            e->segs[e->nsegs++] = (struct up_props_segment){out->len, r->line, col_of(r, r->pos)};
        }
        new_segment = false;
        if (c != '\\') {
            up_buf_putc(out, c);
            r->pos++;
            continue;
        }
        r->pos++;
        if (at_eol(r)) {
            if (r->pos >= r->len)
                return; /* a backslash at the very end continues onto nothing */
            next_line(r);
            skip_blanks(r);
            new_segment = true;
            continue;
        }
        /* An escaped character moves the column mapping: start a segment after it. */
        read_escape(r, out);
        new_segment = true;
    }
}

static int add_entry(struct up_props *p, struct up_props_entry *e, struct reader *r)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->entries[i].key, e->key) == 0) {
            fail_at(r, e->line, e->col, "'%s' is set twice (first on line %d)", e->key,
                    p->entries[i].line);
            return -1;
        }
    }
    if (p->n >= UP_PROPS_MAX_ENTRIES) {
        fail_at(r, e->line, e->col, "more than %u settings", UP_PROPS_MAX_ENTRIES);
        return -1;
    }
    p->entries = up_xrealloc(p->entries, (p->n + 1) * sizeof *p->entries);
    p->entries[p->n++] = *e;
    return 0;
}

static void entry_free(struct up_props_entry *e)
{
    free(e->key);
    free(e->value);
    free(e->segs);
}

/* One logical line starting at r->pos (a physical line start). */
static void read_line(struct reader *r, struct up_props *p)
{
    skip_blanks(r);
    if (at_eol(r) || r->s[r->pos] == '#' || r->s[r->pos] == '!') {
        while (!at_eol(r))
            r->pos++;
        return;
    }
    struct up_props_entry e = {.line = r->line, .col = col_of(r, r->pos)};
    struct up_buf key = UP_BUF_INIT, value = UP_BUF_INIT;
    read_text(r, true, &key, NULL);
    skip_blanks(r);
    if (!at_eol(r) && (r->s[r->pos] == '=' || r->s[r->pos] == ':')) {
        r->pos++;
        skip_blanks(r);
    }
    read_text(r, false, &value, &e);
    if (e.nsegs == 0) { /* an empty value: errors about it point at where it would be */
        e.segs = up_xmalloc(sizeof *e.segs);
        e.segs[e.nsegs++] = (struct up_props_segment){0, r->line, col_of(r, r->pos)};
    }
    if (key.len == 0 && !r->failed)
        fail_at(r, e.line, e.col, "a setting with an empty name");
    e.value_len = value.len;
    e.key = key.data ? up_buf_steal(&key) : up_xstrdup("");
    e.value = value.data ? up_buf_steal(&value) : up_xstrdup("");
    if (r->failed || add_entry(p, &e, r) != 0)
        entry_free(&e);
}

/* Names the first line with a NUL byte or bytes that are not UTF-8. */
static void check_encoding(struct reader *r)
{
    size_t i = 0, line_start = 0;
    int line = 1;
    while (i < r->len) {
        unsigned char c = (unsigned char)r->s[i];
        if (c == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        size_t n = c == 0 ? 0 : up_utf8_sequence_len((const unsigned char *)r->s + i, r->len - i);
        if (n == 0) {
            fail_at(r, line, (int)(i - line_start) + 1, "%s",
                    c == 0 ? "a NUL byte" : "bytes that are not UTF-8");
            return;
        }
        i += n;
    }
}

int up_props_parse(const char *text, size_t len, struct up_props *out, char *err, size_t errlen)
{
    *out = (struct up_props){0};
    struct reader r = {.s = text, .len = len, .line = 1, .err = err, .errlen = errlen};
    if (errlen)
        err[0] = '\0';
    if (len > UP_PROPS_MAX_BYTES) {
        fail_at(&r, 1, 1, "the file is larger than %u bytes", UP_PROPS_MAX_BYTES);
        return -1;
    }
    check_encoding(&r);
    while (!r.failed && r.pos < r.len) {
        read_line(&r, out);
        if (r.pos < r.len)
            next_line(&r);
    }
    if (r.failed) {
        up_props_free(out);
        return -1;
    }
    return 0;
}

void up_props_free(struct up_props *p)
{
    for (size_t i = 0; i < p->n; i++)
        entry_free(&p->entries[i]);
    free(p->entries);
    *p = (struct up_props){0};
}

const struct up_props_entry *up_props_get(const struct up_props *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->entries[i].key, key) == 0)
            return &p->entries[i];
    return NULL;
}

void up_props_position(const struct up_props_entry *e, size_t offset, int *line, int *col)
{
    if (e->nsegs == 0) {
        *line = e->line;
        *col = e->col;
        return;
    }
    size_t i = 0;
    while (i + 1 < e->nsegs && e->segs[i + 1].offset <= offset)
        i++;
    *line = e->segs[i].line;
    *col = e->segs[i].col + (int)(offset - e->segs[i].offset);
}
