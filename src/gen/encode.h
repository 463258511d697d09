/* gen/encode: the writers behind `format=`. The document walker (gen.c) describes
 * a response as nested objects, arrays and scalars; each format is a table of
 * callbacks that turns those events into bytes in a struct up_buf. No JSON
 * library on this path: 5000 users must encode in milliseconds. */
#ifndef UP_GEN_ENCODE_H
#define UP_GEN_ENCODE_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct up_emitter;

struct up_emitter_ops {
    void (*doc_begin)(struct up_emitter *e);
    void (*doc_end)(struct up_emitter *e);
    /* key is NULL for an element of an array. */
    void (*object_begin)(struct up_emitter *e, const char *key);
    void (*object_end)(struct up_emitter *e);
    void (*array_begin)(struct up_emitter *e, const char *key);
    void (*array_end)(struct up_emitter *e);
    void (*string)(struct up_emitter *e, const char *key, const char *s, size_t len);
    /* A number given as its decimal text. */
    void (*number)(struct up_emitter *e, const char *key, const char *digits, size_t len);
    void (*null)(struct up_emitter *e, const char *key);
};

#define UP_EMIT_MAX_DEPTH 8

struct up_emitter {
    const struct up_emitter_ops *ops;
    struct up_buf *out;
    int depth;
    bool first;   /* no member written yet at this level (JSON commas, CSV cells) */
    bool pretty;  /* JSON with two-space indentation */
    bool dash;    /* YAML: the next member opens a sequence item */
    bool header;  /* CSV: the pass that writes the column names */
    bool in_info; /* CSV: info is not part of the table */
    const char *keys[UP_EMIT_MAX_DEPTH]; /* open object/array names (XML, CSV) */
};

extern const struct up_emitter_ops up_emit_json;
extern const struct up_emitter_ops up_emit_csv;
extern const struct up_emitter_ops up_emit_yaml;
extern const struct up_emitter_ops up_emit_xml;

/* Appends a string literal without a strlen at run time. */
#define UP_PUT(b, lit) up_buf_append((b), (lit), sizeof(lit) - 1)

static inline void up_put_str(struct up_buf *b, const char *s)
{
    up_buf_append(b, s, strlen(s));
}

#endif
