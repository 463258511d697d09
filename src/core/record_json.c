/* core/record_json: recursive-descent JSON checker that keeps only wanted strings. */
#include "core/hex.h"
#include "core/record_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 128

#define MAX_NAMES 64

struct reader {
    const char *p, *start, *end;
    char *err;
    size_t errlen;
    size_t name_len[MAX_NAMES]; /* strlen of each wanted name, once per parse */
    size_t next_name;           /* where wanted() starts: the name after the last one found */
};

static bool fail(struct reader *r, const char *what)
{
    if (r->err && r->errlen)
        snprintf(r->err, r->errlen, "byte %zu: %s", (size_t)(r->p - r->start), what);
    return false;
}

static void skip_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool expect(struct reader *r, char c, const char *what)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != c)
        return fail(r, what);
    r->p++;
    return true;
}

/* Four hex digits after "\u". */
static bool hex4(struct reader *r, unsigned *cp)
{
    if (r->end - r->p < 4)
        return fail(r, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = up_hex_digit(r->p[i]);
        if (d < 0)
            return fail(r, "bad \\u escape");
        v = v << 4 | (unsigned)d;
    }
    r->p += 4;
    *cp = v;
    return true;
}

static void put_utf8(struct up_buf *out, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    up_buf_append(out, b, n);
}

/* A \u escape (the "\u" already read), surrogate pairs joined. */
static bool unicode_escape(struct reader *r, struct up_buf *out)
{
    unsigned cp;
    if (!hex4(r, &cp))
        return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(r, "lone low surrogate in a \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
            return fail(r, "high surrogate without its low half");
        r->p += 2;
        if (!hex4(r, &lo))
            return false;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(r, "high surrogate without its low half");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0)
        return fail(r, "\\u0000 is not allowed in a string");
    if (out)
        put_utf8(out, cp);
    return true;
}

static bool escape(struct reader *r, struct up_buf *out)
{
    if (r->p >= r->end)
        return fail(r, "truncated escape");
    char c = *r->p++, v;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        v = c;
        break;
    case 'b':
        v = '\b';
        break;
    case 'f':
        v = '\f';
        break;
    case 'n':
        v = '\n';
        break;
    case 'r':
        v = '\r';
        break;
    case 't':
        v = '\t';
        break;
    case 'u':
        return unicode_escape(r, out);
    default:
        r->p--;
        return fail(r, "unknown escape");
    }
    if (out)
        up_buf_putc(out, v);
    return true;
}

/* The end of the run from p that is its own decoding: no quote, backslash or control byte. */
static const char *plain_run(const char *p, const char *end)
{
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

/* A string (at its opening quote); its decoded bytes are appended to out when not NULL. */
static bool string(struct reader *r, struct up_buf *out)
{
    r->p++;
    for (;;) {
        const char *run = r->p;
        r->p = plain_run(r->p, r->end);
        if (out && r->p > run)
            up_buf_append(out, run, (size_t)(r->p - run));
        if (r->p >= r->end)
            return fail(r, "unterminated string");
        if (*r->p == '"') {
            r->p++;
            return true;
        }
        if ((unsigned char)*r->p < 0x20)
            return fail(r, "control character in a string");
        r->p++; /* the backslash */
        if (!escape(r, out))
            return false;
    }
}

static bool digits(struct reader *r)
{
    const char *from = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > from;
}

static bool number(struct reader *r)
{
    if (*r->p == '-')
        r->p++;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (r->p >= r->end || *r->p < '1' || *r->p > '9' || !digits(r))
        return fail(r, "bad number");
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digits(r))
            return fail(r, "bad number: digits expected after '.'");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!digits(r))
            return fail(r, "bad number: digits expected in the exponent");
    }
    return true;
}

static bool literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return fail(r, "unexpected token");
    r->p += n;
    return true;
}

static bool value(struct reader *r, int depth);

static bool array(struct reader *r, int depth)
{
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return true;
    }
    for (;;) {
        if (!value(r, depth + 1))
            return false;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, ']', "',' or ']' expected");
    }
}

static bool object(struct reader *r, int depth)
{
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return true;
    }
    for (;;) {
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"')
            return fail(r, "string key expected");
        if (!string(r, NULL) || !expect(r, ':', "':' expected") || !value(r, depth + 1))
            return false;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, '}', "',' or '}' expected");
    }
}

static bool value(struct reader *r, int depth)
{
    skip_ws(r);
    if (depth > MAX_DEPTH)
        return fail(r, "nesting deeper than 128 levels");
    if (r->p >= r->end)
        return fail(r, "value expected");
    switch (*r->p) {
    case '{':
        return object(r, depth);
    case '[':
        return array(r, depth);
    case '"':
        return string(r, NULL);
    case 't':
        return literal(r, "true");
    case 'f':
        return literal(r, "false");
    case 'n':
        return literal(r, "null");
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return number(r);
        return fail(r, "unexpected character");
    }
}

/* Records carry their members in the order they are asked for, so the search starts after the
 * last name found and nearly always hits on its first comparison. */
static int wanted(struct reader *r, const char *key, size_t len, const char *const *names, size_t n)
{
    for (size_t k = 0, i = r->next_name; k < n; k++, i++) {
        if (i >= n)
            i -= n;
        if (r->name_len[i] == len && memcmp(names[i], key, len) == 0) {
            r->next_name = i + 1;
            return (int)i;
        }
    }
    return -1;
}

/* A member's key: a key without escapes is its own decoding, so it is compared where it lies
 * instead of being copied into scratch. */
static bool member_key(struct reader *r, struct up_buf *scratch, const char **key, size_t *len)
{
    const char *from = r->p + 1, *q = plain_run(from, r->end);
    if (q < r->end && *q == '"') {
        *key = from;
        *len = (size_t)(q - from);
        r->p = q + 1;
        return true;
    }
    up_buf_clear(scratch);
    if (!string(r, scratch))
        return false;
    *key = scratch->data ? scratch->data : "";
    *len = scratch->len;
    return true;
}

/* One member of the top-level object: a wanted string is decoded into text. */
static bool member(struct reader *r, const char *const *names, size_t n, struct up_rj_field *fields,
                   struct up_buf *text, struct up_buf *key)
{
    if (r->p >= r->end || *r->p != '"')
        return fail(r, "string key expected");
    const char *k;
    size_t klen;
    if (!member_key(r, key, &k, &klen) || !expect(r, ':', "':' expected"))
        return false;
    int i = wanted(r, k, klen, names, n);
    if (i < 0)
        return value(r, 1);
    if (fields[i].state != UP_RJ_ABSENT) {
        if (r->err && r->errlen)
            snprintf(r->err, r->errlen, "duplicate key '%s'", names[i]);
        return false;
    }
    skip_ws(r);
    const char *from = r->p;
    if (r->p < r->end && *r->p == '"') {
        fields[i].offset = text->len;
        if (!string(r, text))
            return false;
        fields[i].length = text->len - fields[i].offset;
        up_buf_putc(text, '\0');
        fields[i].state = UP_RJ_STRING;
    } else {
        fields[i].state = UP_RJ_OTHER;
        if (!value(r, 1))
            return false;
    }
    fields[i].raw_offset = (size_t)(from - r->start);
    fields[i].raw_length = (size_t)(r->p - from);
    return true;
}

static bool top_object(struct reader *r, const char *const *names, size_t n,
                       struct up_rj_field *fields, struct up_buf *text)
{
    struct up_buf key = UP_BUF_INIT;
    bool ok = true;
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
    } else {
        for (;;) {
            skip_ws(r);
            if (!member(r, names, n, fields, text, &key)) {
                ok = false;
                break;
            }
            skip_ws(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            ok = expect(r, '}', "',' or '}' expected");
            break;
        }
    }
    up_buf_free(&key);
    return ok;
}

static bool at_end(struct reader *r)
{
    skip_ws(r);
    return r->p == r->end || fail(r, "trailing characters after the JSON text");
}

enum up_rj_status up_rj_parse(const char *s, size_t len, const char *const *names, size_t n,
                              struct up_rj_field *fields, struct up_buf *text, char *err,
                              size_t errlen)
{
    struct reader r = {s, s, s + len, err, errlen, {0}, 0};
    if (n > MAX_NAMES)
        n = MAX_NAMES;
    for (size_t i = 0; i < n; i++) {
        fields[i] = (struct up_rj_field){UP_RJ_ABSENT, 0, 0, 0, 0};
        r.name_len[i] = strlen(names[i]);
    }
    skip_ws(&r);
    if (r.p < r.end && *r.p == '{')
        return top_object(&r, names, n, fields, text) && at_end(&r) ? UP_RJ_OK : UP_RJ_MALFORMED;
    return value(&r, 0) && at_end(&r) ? UP_RJ_NOT_OBJECT : UP_RJ_MALFORMED;
}
