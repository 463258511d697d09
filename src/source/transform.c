/* transform: RandomUser result -> flat record, with a reason when it cannot be done. */
#include "source/transform.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum up_transform_reason reason_t;

static const char *const reason_codes[UP_TRANSFORM_NREASONS] = {
    "ok",
#define UP_TRANSFORM_CODE(name, code) code,
    UP_TRANSFORM_REASONS(UP_TRANSFORM_CODE)
#undef UP_TRANSFORM_CODE
};

const char *up_transform_reason_code(enum up_transform_reason reason)
{
    return (unsigned)reason < UP_TRANSFORM_NREASONS ? reason_codes[reason] : "unknown";
}

/* Where the sentence explaining a rejection goes. */
struct why {
    char *buf;
    size_t len;
};

static reason_t reject(struct why *w, reason_t r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static reason_t reject(struct why *w, reason_t r, const char *fmt, ...)
{
    if (w->len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->buf, w->len, fmt, ap);
        va_end(ap);
    }
    return r;
}

/* Follows a dotted path ("location.street.name"). An absent or null member anywhere
 * gives *out = NULL (the API omits whole objects under inc/exc); a member in the way
 * that is not an object is a type error. */
static reason_t lookup(const json_t *root, const char *path, const json_t **out, struct why *w)
{
    const json_t *v = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        v = json_object_getn(v, p, len);
        if (!v || json_is_null(v)) {
            *out = NULL;
            return UP_TRANSFORM_OK;
        }
        if (!dot) {
            *out = v;
            return UP_TRANSFORM_OK;
        }
        if (!json_is_object(v))
            return reject(w, UP_TRANSFORM_WRONG_TYPE, "%.*s is %s, expected an object",
                          (int)(dot - path), path, up_json_kind(v));
        p = dot + 1;
    }
}

/* Text of a scalar: strings as they are; numbers (where allowed) as integers when
 * they are whole, so postcode 2600 and "2600" give the same record. */
struct text {
    const char *s;
    size_t len;
    char num[32];
};

static reason_t scalar_text(const json_t *v, const char *path, bool allow_number, struct text *t,
                            struct why *w)
{
    if (!v) {
        t->s = "";
        t->len = 0;
        return UP_TRANSFORM_OK;
    }
    if (json_is_string(v)) {
        t->s = json_string_value(v);
        t->len = json_string_length(v);
    } else if (allow_number && json_is_integer(v)) {
        t->len =
            (size_t)snprintf(t->num, sizeof t->num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        t->s = t->num;
    } else if (allow_number && json_is_real(v)) {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 1e15)
            t->len = (size_t)snprintf(t->num, sizeof t->num, "%.0f", d);
        else
            t->len = (size_t)snprintf(t->num, sizeof t->num, "%.15g", d);
        t->s = t->num;
    } else {
        return reject(w, UP_TRANSFORM_WRONG_TYPE, "%s is %s, expected %s", path, up_json_kind(v),
                      allow_number ? "a string or a number" : "a string");
    }
    if (t->len > UP_TRANSFORM_MAX_FIELD)
        return reject(w, UP_TRANSFORM_TOO_LONG, "%s is %zu bytes long (limit %d)", path, t->len,
                      UP_TRANSFORM_MAX_FIELD);
    return UP_TRANSFORM_OK;
}

static reason_t path_text(const json_t *root, const char *path, bool allow_number, struct text *t,
                          struct why *w)
{
    const json_t *v;
    reason_t r = lookup(root, path, &v, w);
    return r ? r : scalar_text(v, path, allow_number, t, w);
}

static reason_t copy_field(const json_t *root, const char *path, bool allow_number, char **out,
                           struct why *w)
{
    struct text t;
    reason_t r = path_text(root, path, allow_number, &t, w);
    if (r == UP_TRANSFORM_OK)
        *out = up_xstrndup(t.s, t.len);
    return r;
}

static bool hex_digit(char c)
{
    return isxdigit((unsigned char)c) != 0;
}

bool up_uuid_canonical(const char *s, size_t len, char out[37])
{
    if (len == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        len -= 2;
    }
    bool hyphens = len == 36;
    if (!hyphens && len != 32)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        bool dash_here = hyphens && (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash_here != (s[i] == '-'))
            return false;
        if (!dash_here && !hex_digit(s[i]))
            return false;
        if (!hyphens && (o == 8 || o == 13 || o == 18 || o == 23))
            out[o++] = '-';
        out[o++] = (char)tolower((unsigned char)s[i]);
    }
    out[36] = '\0';
    return true;
}

static reason_t id_field(const json_t *root, char **out, struct why *w)
{
    struct text t;
    reason_t r = path_text(root, "login.uuid", false, &t, w);
    if (r)
        return r;
    if (t.len == 0)
        return reject(w, UP_TRANSFORM_MISSING_ID, "login.uuid is missing: no id to key the record");
    char canonical[37];
    if (!up_uuid_canonical(t.s, t.len, canonical))
        return reject(w, UP_TRANSFORM_BAD_ID, "login.uuid is not a UUID: \"%.60s\"", t.s);
    *out = up_xstrdup(canonical);
    return UP_TRANSFORM_OK;
}

/* ISO 8601 in any zone and precision -> UTC with milliseconds. Required: the record's
 * dates are timestamps downstream, and "" is not one. */
static reason_t date_field(const json_t *root, const char *path, char **out, struct why *w)
{
    struct text t;
    reason_t r = path_text(root, path, false, &t, w);
    if (r)
        return r;
    if (t.len == 0)
        return reject(w, UP_TRANSFORM_MISSING_FIELD, "%s is missing", path);
    int64_t ms;
    if (!up_iso8601_parse(t.s, t.len, &ms))
        return reject(w, UP_TRANSFORM_BAD_DATE, "%s is not an ISO 8601 date-time: \"%.60s\"", path,
                      t.s);
    char iso[UP_ISO8601_LEN];
    up_iso8601_format(ms, iso);
    *out = up_xstrdup(iso);
    return UP_TRANSFORM_OK;
}

/* Appends one address part with its surrounding spaces removed (upstream street
 * names can end in a space), after sep when something came before it. */
static void append_part(struct up_buf *b, const char *sep, const struct text *t)
{
    size_t start = 0, end = t->len;
    while (start < end && isspace((unsigned char)t->s[start]))
        start++;
    while (end > start && isspace((unsigned char)t->s[end - 1]))
        end--;
    if (start == end)
        return;
    if (b->len)
        up_buf_puts(b, sep);
    up_buf_append(b, t->s + start, end - start);
}

/* "<number> <street>, <city>, <state>, <country>", leaving out absent parts. API 1.0-1.2
 * sent location.street as one string; that is taken as the whole street part. */
static reason_t address_field(const json_t *root, char **out, struct why *w)
{
    const json_t *street;
    reason_t r = lookup(root, "location.street", &street, w);
    if (r)
        return r;
    struct up_buf addr = UP_BUF_INIT;
    struct text t;
    if (street && !json_is_object(street)) {
        r = scalar_text(street, "location.street", false, &t, w);
        if (!r)
            append_part(&addr, " ", &t);
    } else {
        r = path_text(root, "location.street.number", true, &t, w);
        if (!r)
            append_part(&addr, " ", &t);
        if (!r && !(r = path_text(root, "location.street.name", false, &t, w)))
            append_part(&addr, " ", &t);
    }
    static const char *const places[] = {"location.city", "location.state", "location.country"};
    for (size_t i = 0; !r && i < sizeof places / sizeof places[0]; i++)
        if (!(r = path_text(root, places[i], false, &t, w)))
            append_part(&addr, ", ", &t);
    if (!r && addr.len > UP_TRANSFORM_MAX_FIELD)
        r = reject(w, UP_TRANSFORM_TOO_LONG, "address is %zu bytes long (limit %d)", addr.len,
                   UP_TRANSFORM_MAX_FIELD);
    if (r) {
        up_buf_free(&addr);
        return r;
    }
    *out = addr.data ? up_buf_steal(&addr) : up_xstrdup("");
    return UP_TRANSFORM_OK;
}

/* The fields that are plain copies of one value. */
static const struct {
    enum up_record_field field;
    const char *path;
    bool allow_number;
} copies[] = {
    {UP_FIELD_first_name, "name.first", false},
    {UP_FIELD_last_name, "name.last", false},
    {UP_FIELD_gender, "gender", false},
    {UP_FIELD_post_code, "location.postcode", true},
    {UP_FIELD_email, "email", false},
    {UP_FIELD_username, "login.username", false},
    {UP_FIELD_phone, "phone", false},
    {UP_FIELD_picture, "picture.medium", false},
    {UP_FIELD_nat, "nat", false},
};

enum up_transform_reason up_transform_result(const json_t *result, struct up_record *out,
                                             char *detail, size_t detail_len)
{
    struct why w = {detail, detail_len};
    if (detail_len)
        detail[0] = '\0';
    if (!json_is_object(result))
        return reject(&w, UP_TRANSFORM_NOT_OBJECT, "result is %s, expected an object",
                      result ? up_json_kind(result) : "missing");
    char **f = out->fields;
    reason_t r = id_field(result, &f[UP_FIELD_id], &w);
    for (size_t i = 0; !r && i < sizeof copies / sizeof copies[0]; i++)
        r = copy_field(result, copies[i].path, copies[i].allow_number, &f[copies[i].field], &w);
    if (!r)
        r = address_field(result, &f[UP_FIELD_address], &w);
    if (!r)
        r = date_field(result, "dob.date", &f[UP_FIELD_dob], &w);
    if (!r)
        r = date_field(result, "registered.date", &f[UP_FIELD_registered_date], &w);
    if (r)
        up_record_free(out);
    return r;
}
