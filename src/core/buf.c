/* buf: growable byte buffer and checked allocation. */
#include "core/buf.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "userpipe: out of memory allocating %zu bytes\n", n);
    abort();
}

void *up_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *up_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *up_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *up_xstrdup(const char *s)
{
    return up_xstrndup(s, strlen(s));
}

char *up_xstrndup(const char *s, size_t n)
{
    char *p = up_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *up_xstrdup_or_null(const char *s)
{
    return s ? up_xstrdup(s) : NULL;
}

void up_buf_reserve(struct up_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = up_xrealloc(b->data, cap);
    b->cap = cap;
}

void up_buf_append(struct up_buf *b, const void *data, size_t len)
{
    up_buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void up_buf_puts(struct up_buf *b, const char *s)
{
    up_buf_append(b, s, strlen(s));
}

void up_buf_putc(struct up_buf *b, char c)
{
    up_buf_append(b, &c, 1);
}

void up_buf_vprintf(struct up_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    up_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void up_buf_printf(struct up_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    up_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void up_buf_json_escape(struct up_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    up_buf_reserve(b, len + 2);
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            size_t run = i;
            while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
                run++;
            up_buf_append(b, p + i, run - i);
            i = run;
            continue;
        }
        switch (c) {
        case '"':
            up_buf_puts(b, "\\\"");
            i++;
            continue;
        case '\\':
            up_buf_puts(b, "\\\\");
            i++;
            continue;
        case '\n':
            up_buf_puts(b, "\\n");
            i++;
            continue;
        case '\r':
            up_buf_puts(b, "\\r");
            i++;
            continue;
        case '\t':
            up_buf_puts(b, "\\t");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            up_buf_printf(b, "\\u%04x", c);
            i++;
            continue;
        }
        size_t n = up_utf8_sequence_len(p + i, len - i);
        if (n == 0) {
            up_buf_puts(b, "\xEF\xBF\xBD");
            i++;
        } else {
            up_buf_append(b, p + i, n);
            i += n;
        }
    }
}

void up_buf_json_string(struct up_buf *b, const char *s, size_t len)
{
    if (!s) {
        up_buf_puts(b, "null");
        return;
    }
    up_buf_putc(b, '"');
    up_buf_json_escape(b, s, len);
    up_buf_putc(b, '"');
}

void up_buf_json_cstring(struct up_buf *b, const char *s)
{
    up_buf_json_string(b, s, s ? strlen(s) : 0);
}

void up_buf_clear(struct up_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void up_buf_free(struct up_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *up_buf_steal(struct up_buf *b)
{
    char *p = b->data ? b->data : up_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
