/* gen/enc_json: compact JSON (format=json) and two-space indented JSON (format=pretty). */
#include "gen/encode.h"

static void indent(struct up_emitter *e, int depth)
{
    static const char spaces[] = "                                ";
    up_buf_putc(e->out, '\n');
    up_buf_append(e->out, spaces, (size_t)(2 * depth));
}

/* The comma, line break and "key": that come before every member. */
static void member(struct up_emitter *e, const char *key)
{
    if (!e->first)
        up_buf_putc(e->out, ',');
    e->first = false;
    if (e->pretty && e->depth > 0)
        indent(e, e->depth);
    if (key) {
        up_buf_putc(e->out, '"');
        up_put_str(e->out, key);
        if (e->pretty)
            UP_PUT(e->out, "\": ");
        else
            UP_PUT(e->out, "\":");
    }
}

static void open_container(struct up_emitter *e, const char *key, char bracket)
{
    member(e, key);
    up_buf_putc(e->out, bracket);
    e->depth++;
    e->first = true;
}

static void close_container(struct up_emitter *e, char bracket)
{
    e->depth--;
    if (e->pretty && !e->first)
        indent(e, e->depth);
    up_buf_putc(e->out, bracket);
    e->first = false;
}

static void doc_begin(struct up_emitter *e)
{
    e->first = true;
    open_container(e, NULL, '{');
}

static void doc_end(struct up_emitter *e)
{
    close_container(e, '}');
    if (e->pretty)
        up_buf_putc(e->out, '\n');
}

static void object_begin(struct up_emitter *e, const char *key)
{
    open_container(e, key, '{');
}

static void object_end(struct up_emitter *e)
{
    close_container(e, '}');
}

static void array_begin(struct up_emitter *e, const char *key)
{
    open_container(e, key, '[');
}

static void array_end(struct up_emitter *e)
{
    close_container(e, ']');
}

static void string(struct up_emitter *e, const char *key, const char *s, size_t len)
{
    member(e, key);
    up_buf_putc(e->out, '"');
    up_buf_json_escape(e->out, s, len);
    up_buf_putc(e->out, '"');
}

static void number(struct up_emitter *e, const char *key, const char *digits, size_t len)
{
    member(e, key);
    up_buf_append(e->out, digits, len);
}

static void null(struct up_emitter *e, const char *key)
{
    member(e, key);
    UP_PUT(e->out, "null");
}

const struct up_emitter_ops up_emit_json = {
    doc_begin, doc_end, object_begin, object_end, array_begin, array_end, string, number, null};
