/* gen/enc_csv: one header row of dotted column names (name.first,
 * location.street.number, ...) and one row per user, RFC 4180 quoting: strings
 * are always quoted, numbers are bare, null is an empty cell. info is not sent. */
#include "gen/encode.h"

static void cell_start(struct up_emitter *e)
{
    if (!e->first)
        up_buf_putc(e->out, ',');
    e->first = false;
}

/* In the header pass a leaf writes its path instead of its value. */
static bool header_cell(struct up_emitter *e, const char *key)
{
    if (!e->header)
        return false;
    cell_start(e);
    /* keys[0] is "results", keys[1] the user: the path starts below them */
    for (int i = 2; i < e->depth && i < UP_EMIT_MAX_DEPTH; i++) {
        up_put_str(e->out, e->keys[i]);
        up_buf_putc(e->out, '.');
    }
    up_put_str(e->out, key);
    return true;
}

static void push(struct up_emitter *e, const char *name)
{
    if (e->depth < UP_EMIT_MAX_DEPTH)
        e->keys[e->depth] = name;
    e->depth++;
}

static void doc_begin(struct up_emitter *e)
{
    e->depth = 0;
}

static void doc_end(struct up_emitter *e)
{
    (void)e;
}

static void object_begin(struct up_emitter *e, const char *key)
{
    if (key && e->depth == 0)
        e->in_info = true; /* the only top-level object besides results */
    if (!key)
        e->first = true; /* a new row */
    push(e, key ? key : "");
}

static void object_end(struct up_emitter *e)
{
    e->depth--;
    if (e->depth == 1 && !e->in_info)
        up_buf_putc(e->out, '\n'); /* end of a user's row */
    if (e->depth == 0)
        e->in_info = false;
}

static void array_begin(struct up_emitter *e, const char *key)
{
    push(e, key);
}

static void array_end(struct up_emitter *e)
{
    e->depth--;
}

static void string(struct up_emitter *e, const char *key, const char *s, size_t len)
{
    if (e->in_info || header_cell(e, key))
        return;
    cell_start(e);
    up_buf_putc(e->out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '"') {
            up_buf_append(e->out, s + run, i + 1 - run);
            up_buf_putc(e->out, '"');
            run = i + 1;
        }
    up_buf_append(e->out, s + run, len - run);
    up_buf_putc(e->out, '"');
}

static void number(struct up_emitter *e, const char *key, const char *digits, size_t len)
{
    if (e->in_info || header_cell(e, key))
        return;
    cell_start(e);
    up_buf_append(e->out, digits, len);
}

static void null(struct up_emitter *e, const char *key)
{
    if (e->in_info || header_cell(e, key))
        return;
    cell_start(e);
}

const struct up_emitter_ops up_emit_csv = {
    doc_begin, doc_end, object_begin, object_end, array_begin, array_end, string, number, null};
