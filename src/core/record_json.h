/* core/record_json: a strict single-pass JSON reader for one flat record. It checks the
 * whole text against RFC 8259 (any value may appear in members it is not asked about) and
 * decodes only the top-level string members it is asked for into one caller buffer: no
 * tree, one allocation per record at most. It exists because a general JSON library spent
 * most of the stream's CPU building and freeing a tree for 13 strings; tests/fuzz/
 * fuzz_validate.c checks it against jansson on every input.
 * Strictness: one JSON text and nothing after it but whitespace; no control characters or
 * \u0000 inside strings; \u escapes must pair surrogates; nesting at most 128 deep; a member
 * asked for may not appear twice (duplicates among the other members are not looked for:
 * they are ignored anyway). The input must already be valid UTF-8. */
#ifndef UP_STREAM_RECORD_JSON_H
#define UP_STREAM_RECORD_JSON_H

#include "core/buf.h"

#include <stddef.h>

enum up_rj_status {
    UP_RJ_OK,         /* an object; see the member states */
    UP_RJ_NOT_OBJECT, /* well-formed JSON, but not an object */
    UP_RJ_MALFORMED,  /* not one well-formed JSON text; err says where and why */
};

enum up_rj_member { UP_RJ_ABSENT, UP_RJ_STRING, UP_RJ_OTHER /* present, not a string */ };

struct up_rj_field {
    enum up_rj_member state;
    size_t offset, length;         /* STRING: the decoded bytes in text (NUL follows them) */
    size_t raw_offset, raw_length; /* STRING, OTHER: the value's JSON text in s */
};

/* Reads s[0..len) and, for each name in names[0..n) (n <= 64), fills fields[i]. Decoded strings are
 * appended to text (which is not cleared first). err gets one printable line on failure. */
enum up_rj_status up_rj_parse(const char *s, size_t len, const char *const *names, size_t n,
                              struct up_rj_field *fields, struct up_buf *text, char *err,
                              size_t errlen);

#endif
