/* buf: a growable byte buffer, the one way the tree builds strings and frames.
 * Allocation failure aborts (as Redis' zmalloc does): a pipeline that cannot get
 * memory for a record has no better way out, and every caller stays simple. */
#ifndef UP_CORE_BUF_H
#define UP_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct up_buf {
    char *data; /* always NUL-terminated when non-NULL, so text is usable as a C string */
    size_t len;
    size_t cap;
};

#define UP_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void up_buf_reserve(struct up_buf *b, size_t extra);
void up_buf_append(struct up_buf *b, const void *data, size_t len);
void up_buf_puts(struct up_buf *b, const char *s);
void up_buf_putc(struct up_buf *b, char c);
void up_buf_printf(struct up_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void up_buf_vprintf(struct up_buf *b, const char *fmt, va_list ap);
/* Appends s as the inside of a JSON string (quotes not included). Bytes that are
 * not valid UTF-8 are replaced by U+FFFD so the output is always valid JSON. */
void up_buf_json_escape(struct up_buf *b, const char *s, size_t len);
/* Appends s (len bytes) as a JSON string, quotes included, or null when s is NULL: the
 * one way optional text reaches a JSON document. */
void up_buf_json_string(struct up_buf *b, const char *s, size_t len);
/* The same for a C string. */
void up_buf_json_cstring(struct up_buf *b, const char *s);
void up_buf_clear(struct up_buf *b);
void up_buf_free(struct up_buf *b);
/* Hands the storage to the caller (free() it) and leaves b empty. */
char *up_buf_steal(struct up_buf *b);

void *up_xmalloc(size_t n);
void *up_xcalloc(size_t n, size_t size);
void *up_xrealloc(void *p, size_t n);
char *up_xstrdup(const char *s);
char *up_xstrndup(const char *s, size_t n);
/* A copy of s, or NULL when s is NULL: for optional settings a module keeps. "" is copied
 * as it is: whether an empty flag means unset is the command's call, not the module's. */
char *up_xstrdup_or_null(const char *s);

#endif
