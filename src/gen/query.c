/* gen/query: RandomUser query parameters -> struct up_gen_params, with their defaults and
 * the format names (so this file needs nothing from gen.c, which calls it). Works on the
 * raw query string with fixed-size buffers: a hostile URL costs nothing but a
 * 400. Where upstream silently falls back (results=abc -> 1, nat=xx ignored) we
 * answer 400 with the reason; docs/api.md lists every such choice. */
#include "core/hex.h"
#include "gen/gen.h"

#include "core/utf8.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define QUERY_MAX 8192 /* bytes of raw query string */
#define KEY_MAX   32
#define VALUE_MAX 1024 /* decoded bytes of one value */

static const char *const field_names[] = {
#define UP_GEN_FIELD_NAME(id, name) name,
    UP_GEN_FIELD_LIST(UP_GEN_FIELD_NAME)
#undef UP_GEN_FIELD_NAME
};

void up_gen_params_default(struct up_gen_params *p)
{
    memset(p, 0, sizeof *p);
    p->results = 1;
    p->page = 1;
    p->fields = UP_GEN_FIELDS_ALL;
    p->password.min_len = 8;
    p->password.max_len = 64;
}

const char *up_gen_format_name(enum up_gen_format f)
{
    static const char *const names[] = {"json", "pretty", "csv", "yaml", "xml"};
    return names[f];
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Percent-decodes s[0..len) ('+' is a space) into out (cap bytes, NUL added).
 * Returns the decoded length, -1 on a malformed escape, -2 when it does not fit. */
static long decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = up_hex_digit(s[i + 1]), lo = up_hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= cap)
            return -2;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* A whole decimal number in [lo, hi]. */
static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    if (!*s || strlen(s) > 9)
        return false;
    unsigned v = 0;
    for (const char *c = s; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return false;
        v = v * 10 + (unsigned)(*c - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Calls fn on every non-empty item of a comma list; stops at the first failure. */
static int each_item(const char *list, int (*fn)(const char *item, size_t len, void *ctx),
                     void *ctx)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && p[0] == ' ') { /* "nat=us, gb" */
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n && fn(p, n, ctx) != 0)
            return -1;
        p = comma ? comma + 1 : p + strlen(p);
    }
    return 0;
}

struct list_ctx {
    uint32_t bits;
    char *err;
    size_t errlen;
};

static int add_nat(const char *item, size_t len, void *vctx)
{
    struct list_ctx *c = vctx;
    enum up_nat nat;
    if (!up_nat_parse(item, len, &nat))
        return fail(c->err, c->errlen,
                    "nat: '%.*s' is not a nationality; use a comma list of AU, BR, CA, CH, DE, "
                    "DK, ES, FI, FR, GB, IE, IN, IR, MX, NL, NO, NZ, RS, TR, UA, US",
                    (int)(len > 16 ? 16 : len), item);
    c->bits |= 1u << nat;
    return 0;
}

static int add_field(const char *item, size_t len, void *vctx)
{
    struct list_ctx *c = vctx;
    for (int i = 0; i < UP_GEN_FIELD_COUNT; i++)
        if (strlen(field_names[i]) == len && strncasecmp(field_names[i], item, len) == 0) {
            c->bits |= 1u << i;
            return 0;
        }
    return fail(c->err, c->errlen,
                "'%.*s' is not a field; inc and exc take a comma list of gender, name, location, "
                "email, login, registered, dob, phone, cell, id, picture, nat",
                (int)(len > 16 ? 16 : len), item);
}

static int add_charset(const char *item, size_t len, void *vctx)
{
    struct list_ctx *c = vctx;
    static const struct {
        const char *name;
        unsigned bit;
    } sets[] = {{"special", UP_GEN_PW_SPECIAL},
                {"upper", UP_GEN_PW_UPPER},
                {"lower", UP_GEN_PW_LOWER},
                {"number", UP_GEN_PW_NUMBER}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (strlen(sets[i].name) == len && strncasecmp(sets[i].name, item, len) == 0) {
            c->bits |= sets[i].bit;
            return 0;
        }
    return fail(c->err, c->errlen,
                "password: '%.*s' is not a character set; use special, upper, lower, number",
                (int)(len > 16 ? 16 : len), item);
}

/* "CHARSETS", "CHARSETS,LEN" or "CHARSETS,MIN-MAX"; the length is the last item
 * when it starts with a digit. */
static int parse_password(char *v, struct up_gen_password *pw, char *err, size_t errlen)
{
    static const char usage[] =
        "password: expected CHARSETS[,LEN] or CHARSETS,MIN-MAX with charsets special, upper, "
        "lower, number and lengths 1-64, e.g. password=upper,lower,8-16";
    char *last = strrchr(v, ',');
    char *len_part = last ? last + 1 : v;
    while (*len_part == ' ')
        len_part++;
    unsigned lo = 8, hi = 64;
    if (isdigit((unsigned char)*len_part)) {
        char *dash = strchr(len_part, '-');
        if (dash)
            *dash = '\0';
        if (!parse_uint(len_part, 1, UP_GEN_PASSWORD_MAX, &lo))
            return fail(err, errlen, "%s", usage);
        hi = lo;
        if (dash && !parse_uint(dash + 1, 1, UP_GEN_PASSWORD_MAX, &hi))
            return fail(err, errlen, "%s", usage);
        if (lo > hi)
            return fail(err, errlen, "password: minimum length %u is above maximum %u", lo, hi);
        if (last)
            *last = '\0';
        else
            *v = '\0';
    }
    struct list_ctx c = {0, err, errlen};
    if (each_item(v, add_charset, &c) != 0)
        return -1;
    if (!c.bits)
        return fail(err, errlen, "%s", usage);
    *pw = (struct up_gen_password){c.bits, lo, hi};
    return 0;
}

/* Printable Unicode that XML 1.0 and YAML both carry: U+0020-U+007E, U+00A0-U+D7FF,
 * U+E000-U+FFFD, U+10000 and up. */
static bool seed_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!up_utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            if (p[i] < 0x20 || p[i] == 0x7F)
                return false;
            i++;
            continue;
        }
        size_t n = up_utf8_sequence_len(p + i, len - i);
        if (n == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0)
            return false; /* C1 controls */
        if (n == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE)
            return false; /* U+FFFE, U+FFFF */
        i += n;
    }
    return true;
}

static bool callback_ok(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '$' && *c != '.')
            return false;
    return true;
}

static int parse_format(const char *v, enum up_gen_format *f, char *err, size_t errlen)
{
    for (int i = UP_GEN_JSON; i <= UP_GEN_XML; i++)
        if (strcasecmp(v, up_gen_format_name((enum up_gen_format)i)) == 0) {
            *f = (enum up_gen_format)i;
            return 0;
        }
    return fail(err, errlen, "format: '%.16s' is unknown; use json, pretty, csv, yaml or xml", v);
}

/* What the fields parameters said; fields are settled once every pair is read. */
struct field_sel {
    bool inc_set;
    uint32_t inc, exc;
};

static int apply(const char *key, char *v, size_t vlen, struct up_gen_params *p,
                 struct field_sel *sel, char *err, size_t errlen)
{
    if (strcmp(key, "results") == 0) {
        if (!parse_uint(v, 1, UP_GEN_RESULTS_MAX, &p->results))
            return fail(err, errlen, "results: expected a whole number from 1 to %d, got '%.16s'",
                        UP_GEN_RESULTS_MAX, v);
    } else if (strcmp(key, "page") == 0) {
        if (!parse_uint(v, 1, UP_GEN_PAGE_MAX, &p->page))
            return fail(err, errlen, "page: expected a whole number from 1 to %d, got '%.16s'",
                        UP_GEN_PAGE_MAX, v);
    } else if (strcmp(key, "seed") == 0) {
        if (vlen > UP_GEN_SEED_MAX)
            return fail(err, errlen, "seed: at most %d bytes", UP_GEN_SEED_MAX);
        if (!seed_ok(v, vlen))
            return fail(err, errlen, "seed: must be printable UTF-8 (no control characters)");
        memcpy(p->seed, v, vlen + 1);
    } else if (strcmp(key, "gender") == 0) {
        if (!*v)
            p->gender = UP_GEN_ANY;
        else if (strcasecmp(v, "male") == 0)
            p->gender = UP_GEN_MALE;
        else if (strcasecmp(v, "female") == 0)
            p->gender = UP_GEN_FEMALE;
        else
            return fail(err, errlen, "gender: expected male or female, got '%.16s'", v);
    } else if (strcmp(key, "nat") == 0) {
        struct list_ctx c = {0, err, errlen};
        if (each_item(v, add_nat, &c) != 0)
            return -1;
        p->nats = c.bits;
    } else if (strcmp(key, "inc") == 0 || strcmp(key, "exc") == 0) {
        struct list_ctx c = {0, err, errlen};
        if (each_item(v, add_field, &c) != 0)
            return -1;
        if (key[0] == 'i') {
            sel->inc_set = c.bits != 0;
            sel->inc = c.bits;
        } else {
            sel->exc = c.bits;
        }
    } else if (strcmp(key, "password") == 0) {
        if (*v && parse_password(v, &p->password, err, errlen) != 0)
            return -1;
    } else if (strcmp(key, "format") == 0 || strcmp(key, "fmt") == 0) {
        p->format = UP_GEN_JSON;
        if (*v && parse_format(v, &p->format, err, errlen) != 0)
            return -1;
    } else if (strcmp(key, "noinfo") == 0) {
        p->noinfo = true;
    } else if (strcmp(key, "dl") == 0) {
        p->dl = true;
    } else if (strcmp(key, "callback") == 0) {
        if (*v && (vlen > UP_GEN_CALLBACK_MAX || !callback_ok(v)))
            return fail(err, errlen,
                        "callback: expected a JavaScript name of at most %d characters "
                        "(letters, digits, _ $ .)",
                        UP_GEN_CALLBACK_MAX);
        memcpy(p->callback, v, vlen + 1);
    }
    return 0; /* unknown parameters are ignored, as upstream does */
}

int up_gen_query_parse(const char *query, size_t len, struct up_gen_params *p, char *err,
                       size_t errlen)
{
    up_gen_params_default(p);
    if (len > QUERY_MAX)
        return fail(err, errlen, "query string longer than %d bytes", QUERY_MAX);
    struct field_sel sel = {false, 0, 0};
    char key[KEY_MAX + 1], value[VALUE_MAX + 1];
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(query + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - query) : len;
        const char *pair = query + i;
        size_t plen = end - i;
        i = end + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        long kn = decode(pair, klen, key, sizeof key);
        if (kn == -1)
            return fail(err, errlen, "malformed percent-encoding in a parameter name");
        if (kn < 0)
            continue; /* longer than any parameter we know */
        if (memchr(key, '\0', (size_t)kn))
            continue;
        const char *vstart = eq ? eq + 1 : pair + plen;
        long vn = decode(vstart, (size_t)(pair + plen - vstart), value, sizeof value);
        if (vn == -1)
            return fail(err, errlen, "%s: malformed percent-encoding", key);
        if (vn == -2)
            return fail(err, errlen, "%s: value longer than %d bytes", key, VALUE_MAX);
        if (memchr(value, '\0', (size_t)vn))
            return fail(err, errlen, "%s: value contains a NUL byte", key);
        if (apply(key, value, (size_t)vn, p, &sel, err, errlen) != 0)
            return -1;
    }
    p->fields = (sel.inc_set ? sel.inc : UP_GEN_FIELDS_ALL) & ~sel.exc;
    if (!p->fields)
        return fail(err, errlen, "inc/exc leave no field to send");
    if (p->callback[0] && p->format != UP_GEN_JSON && p->format != UP_GEN_PRETTY)
        return fail(err, errlen, "callback works with JSON only, not format=%s",
                    up_gen_format_name(p->format));
    return 0;
}
