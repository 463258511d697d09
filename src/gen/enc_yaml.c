/* gen/enc_yaml: block-style YAML. Every string is double-quoted with JSON's
 * escapes (a subset of YAML's), so "0150", "null", "yes" or a password full of
 * punctuation always read back as the same string. */
#include "gen/encode.h"

static void indent(struct up_emitter *e)
{
    static const char spaces[] = "                                ";
    int depth = e->depth;
    if (e->dash) {
        /* The first member of a sequence item: "- " takes the last two columns. */
        up_buf_append(e->out, spaces, (size_t)(2 * (depth - 1)));
        UP_PUT(e->out, "- ");
        e->dash = false;
        return;
    }
    up_buf_append(e->out, spaces, (size_t)(2 * depth));
}

static void key_line(struct up_emitter *e, const char *key, const char *after)
{
    indent(e);
    up_put_str(e->out, key);
    up_put_str(e->out, after);
}

static void doc_begin(struct up_emitter *e)
{
    e->depth = 0;
    e->dash = false;
}

static void doc_end(struct up_emitter *e)
{
    (void)e;
}

static void object_begin(struct up_emitter *e, const char *key)
{
    if (key)
        key_line(e, key, ":\n");
    else
        e->dash = true; /* an item of the enclosing sequence */
    e->depth++;
}

static void object_end(struct up_emitter *e)
{
    e->depth--;
}

static void array_begin(struct up_emitter *e, const char *key)
{
    key_line(e, key, ":\n");
    e->depth++;
}

static void array_end(struct up_emitter *e)
{
    e->depth--;
}

static void string(struct up_emitter *e, const char *key, const char *s, size_t len)
{
    key_line(e, key, ": \"");
    up_buf_json_escape(e->out, s, len);
    UP_PUT(e->out, "\"\n");
}

static void number(struct up_emitter *e, const char *key, const char *digits, size_t len)
{
    key_line(e, key, ": ");
    up_buf_append(e->out, digits, len);
    up_buf_putc(e->out, '\n');
}

static void null(struct up_emitter *e, const char *key)
{
    key_line(e, key, ": null\n");
}

const struct up_emitter_ops up_emit_yaml = {
    doc_begin, doc_end, object_begin, object_end, array_begin, array_end, string, number, null};
