/* gen/enc_xml: XML as upstream shapes it: a <user> root, one <results> element
 * per user, then <info>. A null value is an empty element. */
#include "gen/encode.h"

static void escape(struct up_buf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        default:
            continue;
        }
        up_buf_append(b, s + run, i - run);
        up_put_str(b, rep);
        run = i + 1;
    }
    up_buf_append(b, s + run, len - run);
}

static void open_tag(struct up_buf *b, const char *name)
{
    up_buf_putc(b, '<');
    up_put_str(b, name);
    up_buf_putc(b, '>');
}

static void close_tag(struct up_buf *b, const char *name)
{
    UP_PUT(b, "</");
    up_put_str(b, name);
    up_buf_putc(b, '>');
}

static void push(struct up_emitter *e, const char *name)
{
    if (e->depth < UP_EMIT_MAX_DEPTH)
        e->keys[e->depth] = name;
    e->depth++;
}

static void doc_begin(struct up_emitter *e)
{
    UP_PUT(e->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user>");
    e->depth = 0;
}

static void doc_end(struct up_emitter *e)
{
    UP_PUT(e->out, "</user>\n");
}

static void object_begin(struct up_emitter *e, const char *key)
{
    /* An array element takes the array's name: <results>...</results> per user. */
    const char *name = key ? key : e->keys[e->depth - 1];
    open_tag(e->out, name);
    push(e, name);
}

static void object_end(struct up_emitter *e)
{
    e->depth--;
    close_tag(e->out, e->keys[e->depth]);
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
    open_tag(e->out, key);
    escape(e->out, s, len);
    close_tag(e->out, key);
}

static void number(struct up_emitter *e, const char *key, const char *digits, size_t len)
{
    open_tag(e->out, key);
    up_buf_append(e->out, digits, len);
    close_tag(e->out, key);
}

static void null(struct up_emitter *e, const char *key)
{
    up_buf_putc(e->out, '<');
    up_put_str(e->out, key);
    UP_PUT(e->out, "/>");
}

const struct up_emitter_ops up_emit_xml = {
    doc_begin, doc_end, object_begin, object_end, array_begin, array_end, string, number, null};
