/* mapping/expr: the mapping string, `col1=key, col2=value.a.b, "Col 3"=header.h, col4=now(),
 * __ttl=value.ttl, __timestamp=value.ts`, as the DataStax connector writes it. Column names
 * follow CQL: unquoted ones are folded to lowercase, double-quoted ones kept as written ("" is
 * a quote). Field names under key/value are case-sensitive and may be double-quoted too. */
#include "mapping/mapping_int.h"

#include "core/buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
    const char *file;
    const struct up_props_entry *e;
    const char *s;
    size_t pos, end;
    char *err;
    size_t errlen;
};

static void fail(struct cursor *c, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct cursor *c, size_t at, const char *fmt, ...)
{
    int line, col;
    up_props_position(c->e, at, &line, &col);
    char msg[UP_MAP_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    up_map_fail(c->err, c->errlen, c->file, line, col, "%s", msg);
}

static void skip_space(struct cursor *c)
{
    while (c->pos < c->end && isspace((unsigned char)c->s[c->pos]))
        c->pos++;
}

static bool is_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$' || ch == '-' ||
           (unsigned char)ch >= 0x80;
}

/* A name: bare ([A-Za-z0-9_$-] and non-ASCII), folded to lowercase when fold, or
 * double-quoted. NULL (and err) when there is none. */
static char *read_name(struct cursor *c, bool fold, const char *what)
{
    struct up_buf b = UP_BUF_INIT;
    size_t start = c->pos;
    if (c->pos < c->end && c->s[c->pos] == '"') {
        c->pos++;
        for (;;) {
            if (c->pos >= c->end) {
                fail(c, start, "%s: the quote is not closed", what);
                up_buf_free(&b);
                return NULL;
            }
            char ch = c->s[c->pos++];
            if (ch == '"') {
                if (c->pos < c->end && c->s[c->pos] == '"') {
                    c->pos++;
                    up_buf_putc(&b, '"');
                    continue;
                }
                break;
            }
            up_buf_putc(&b, ch);
        }
    } else {
        while (c->pos < c->end && is_name_char(c->s[c->pos])) {
            char ch = c->s[c->pos++];
            up_buf_putc(&b, fold ? (char)tolower((unsigned char)ch) : ch);
        }
    }
    if (b.len == 0) {
        fail(c, start, "%s expected", what);
        up_buf_free(&b);
        return NULL;
    }
    return up_buf_steal(&b);
}

static bool word_at(const struct cursor *c, const char *w)
{
    size_t n = strlen(w);
    if (c->end - c->pos < n || strncasecmp(c->s + c->pos, w, n) != 0)
        return false;
    return c->pos + n == c->end || !is_name_char(c->s[c->pos + n]);
}

/* __topic | __partition | __offset | __record_timestamp: true when one of those is at c. */
static bool read_provenance(struct cursor *c, struct up_map_column *col)
{
    static const struct {
        const char *name;
        enum up_map_source source;
    } names[] = {{"__topic", UP_MAP_TOPIC},
                 {"__partition", UP_MAP_PARTITION},
                 {"__offset", UP_MAP_OFFSET},
                 {"__record_timestamp", UP_MAP_RECORD_TIMESTAMP}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (word_at(c, names[i].name)) {
            c->pos += strlen(names[i].name);
            col->source = names[i].source;
            return true;
        }
    }
    return false;
}

/* key | value | key.path | value.path | header.name | now() | a provenance name */
static int read_source(struct cursor *c, struct up_map_column *col)
{
    size_t start = c->pos;
    if (read_provenance(c, col))
        return 0;
    if (word_at(c, "now")) {
        c->pos += 3;
        skip_space(c);
        if (c->end - c->pos < 2 || c->s[c->pos] != '(' || c->s[c->pos + 1] != ')') {
            fail(c, start, "now must be written now()");
            return -1;
        }
        c->pos += 2;
        col->source = UP_MAP_NOW;
        return 0;
    }
    if (word_at(c, "key")) {
        col->source = UP_MAP_KEY;
        c->pos += 3;
    } else if (word_at(c, "value")) {
        col->source = UP_MAP_VALUE;
        c->pos += 5;
    } else if (word_at(c, "header")) {
        col->source = UP_MAP_HEADER;
        c->pos += 6;
    } else {
        fail(c, start,
             "a value must be key, value, key.<field>, value.<field>, "
             "header.<name>, now(), __topic, __partition, __offset or __record_timestamp");
        return -1;
    }
    while (c->pos < c->end && c->s[c->pos] == '.') {
        c->pos++;
        if (col->npath == UP_MAP_MAX_PATH) {
            fail(c, c->pos, "more than %d fields deep", UP_MAP_MAX_PATH);
            return -1;
        }
        char *name = read_name(c, false, "a field name");
        if (!name)
            return -1;
        col->path[col->npath++] = name;
    }
    if (col->source == UP_MAP_HEADER && col->npath != 1) {
        fail(c, start, "a header is named by header.<name>");
        return -1;
    }
    return 0;
}

static int add_column(struct cursor *c, struct up_map_table *t, struct up_map_column *col,
                      size_t at)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].column, col->column) == 0) {
            fail(c, at, "column '%s' is mapped twice (first at %d:%d)", col->column,
                 t->cols[i].line, t->cols[i].col);
            return -1;
        }
    }
    if (col->role != UP_MAP_COLUMN && col->source == UP_MAP_NOW) {
        fail(c, at, "%s cannot be now(): map it to a field", col->column);
        return -1;
    }
    if (col->role != UP_MAP_COLUMN && col->source > UP_MAP_NOW) {
        fail(c, at, "%s cannot be a provenance name: map it to a field", col->column);
        return -1;
    }
    if (col->role == UP_MAP_TTL)
        t->ttl_col = (int)t->ncols;
    if (col->role == UP_MAP_TIMESTAMP)
        t->timestamp_col = (int)t->ncols;
    t->cols = up_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
    t->cols[t->ncols++] = *col;
    return 0;
}

static int read_entry(struct cursor *c, struct up_map_table *t)
{
    skip_space(c);
    size_t at = c->pos;
    struct up_map_column col = {.role = UP_MAP_COLUMN};
    bool quoted = c->pos < c->end && c->s[c->pos] == '"';
    col.column = read_name(c, true, "a column name");
    if (!col.column)
        return -1;
    up_props_position(c->e, at, &col.line, &col.col);
    if (!quoted && strcmp(col.column, "__ttl") == 0)
        col.role = UP_MAP_TTL;
    else if (!quoted && strcmp(col.column, "__timestamp") == 0)
        col.role = UP_MAP_TIMESTAMP;
    else if (!quoted && strncmp(col.column, "__", 2) == 0) {
        fail(c, at, "'%s': the only special names are __ttl and __timestamp", col.column);
        goto fail;
    }
    skip_space(c);
    if (c->pos >= c->end || c->s[c->pos] != '=') {
        fail(c, c->pos, "'=' expected after the column name '%s'", col.column);
        goto fail;
    }
    c->pos++;
    skip_space(c);
    if (read_source(c, &col) != 0)
        goto fail;
    skip_space(c);
    if (c->pos < c->end && c->s[c->pos] != ',') {
        fail(c, c->pos, "',' or the end of the mapping expected");
        goto fail;
    }
    if (add_column(c, t, &col, at) != 0)
        goto fail;
    return 0;
fail:
    up_map_column_free(&col);
    return -1;
}

int up_map_expr_parse(const char *file, const struct up_props_entry *e, struct up_map_table *t,
                      char *err, size_t errlen)
{
    struct cursor c = {
        .file = file, .e = e, .s = e->value, .end = e->value_len, .err = err, .errlen = errlen};
    /* The value may be wrapped in single quotes, as the connector's samples write it. */
    skip_space(&c);
    while (c.end > c.pos && isspace((unsigned char)c.s[c.end - 1]))
        c.end--;
    if (c.end - c.pos >= 2 && c.s[c.pos] == '\'' && c.s[c.end - 1] == '\'') {
        c.pos++;
        c.end--;
    } else if (c.pos < c.end && (c.s[c.pos] == '\'' || c.s[c.end - 1] == '\'')) {
        fail(&c, c.s[c.pos] == '\'' ? c.pos : c.end - 1, "the single quote is not closed");
        return -1;
    }
    t->ttl_col = t->timestamp_col = -1;
    skip_space(&c);
    if (c.pos >= c.end) {
        fail(&c, c.pos, "the mapping is empty: write col=value.field, ...");
        return -1;
    }
    for (;;) {
        if (read_entry(&c, t) != 0)
            return -1;
        if (c.pos >= c.end)
            return 0;
        c.pos++; /* the ',' */
    }
}

void up_map_column_free(struct up_map_column *c)
{
    free(c->column);
    for (size_t i = 0; i < c->npath; i++)
        free(c->path[i]);
    *c = (struct up_map_column){0};
}
