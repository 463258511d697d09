/* mapping/temporal: timestamps, dates, times and durations from text (mapping_int.h). The
 * calendar is proleptic Gregorian (core/clock's arithmetic, no libc time calls: this runs
 * for every date column of every row); zones are fixed offsets, as the codec's
 * timeZone is. Timestamps keep milliseconds, CQL's precision: further digits are cut, as the
 * connector's Instant -> epoch milliseconds does. */
#include "core/clock.h"
#include "mapping/mapping_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct scan {
    const char *s;
    size_t len, pos;
};

static bool at_end(const struct scan *sc)
{
    return sc->pos >= sc->len;
}

static bool peek(const struct scan *sc, char c)
{
    return sc->pos < sc->len && sc->s[sc->pos] == c;
}

static bool take(struct scan *sc, char c)
{
    if (!peek(sc, c))
        return false;
    sc->pos++;
    return true;
}

/* Between min and max digits; *ndigits how many were read. */
static bool digits(struct scan *sc, int min, int max, int64_t *out, int *ndigits)
{
    int64_t v = 0;
    int n = 0;
    while (n < max && sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9') {
        v = v * 10 + (sc->s[sc->pos++] - '0');
        n++;
    }
    if (ndigits)
        *ndigits = n;
    *out = v;
    return n >= min;
}

static bool fixed(struct scan *sc, int n, int64_t *out)
{
    return digits(sc, n, n, out, NULL);
}

/* [+-]YYYY-MM-DD -> days since the epoch, the day checked against its month. */
static bool read_date(struct scan *sc, int64_t *days)
{
    int sign = take(sc, '-') ? -1 : (take(sc, '+'), 1);
    int64_t y, m, d;
    if (!digits(sc, 4, 9, &y, NULL) || !take(sc, '-') || !fixed(sc, 2, &m) || !take(sc, '-') ||
        !fixed(sc, 2, &d))
        return false;
    return up_civil_days(y * sign, (int)m, (int)d, days);
}

/* HH:MM[:SS[.fraction]] -> ns since midnight. */
static bool read_time(struct scan *sc, int64_t *ns)
{
    int64_t h, m, s = 0, frac = 0;
    int nfrac = 0;
    if (!fixed(sc, 2, &h) || !take(sc, ':') || !fixed(sc, 2, &m))
        return false;
    if (take(sc, ':')) {
        if (!fixed(sc, 2, &s))
            return false;
        if (take(sc, '.') && !digits(sc, 1, 9, &frac, &nfrac))
            return false;
    }
    if (h > 23 || m > 59 || s > 59)
        return false;
    for (int i = nfrac; i < 9; i++)
        frac *= 10;
    *ns = ((h * 60 + m) * 60 + s) * 1000000000LL + frac;
    return true;
}

/* Z | +HH | +HH:MM | +HHMM -> seconds east of UTC. */
static bool read_zone(struct scan *sc, int32_t *offset)
{
    if (take(sc, 'Z') || take(sc, 'z')) {
        *offset = 0;
        return true;
    }
    int sign;
    if (take(sc, '+'))
        sign = 1;
    else if (take(sc, '-'))
        sign = -1;
    else
        return false;
    int64_t h, m = 0;
    if (!fixed(sc, 2, &h))
        return false;
    if (take(sc, ':') ? !fixed(sc, 2, &m) : (!at_end(sc) && !fixed(sc, 2, &m)))
        return false;
    if (h > 18 || m > 59)
        return false;
    *offset = (int32_t)(sign * (h * 3600 + m * 60));
    return true;
}

static bool fail(char *err, size_t errlen, const char *what, const char *s, size_t len)
{
    snprintf(err, errlen, "'%.*s' is not %s", (int)(len > 64 ? 64 : len), s, what);
    return false;
}

bool up_tm_timestamp(const char *s, size_t len, const struct up_map_codec *codec, int64_t *ms,
                     char *err, size_t errlen)
{
    static const char *const wants[] = {
        [UP_TS_CQL_TIMESTAMP] = "an ISO 8601 date or date-time",
        [UP_TS_ISO_OFFSET] = "an ISO 8601 date-time with a zone (ISO_OFFSET_DATE_TIME)",
        [UP_TS_ISO_LOCAL] = "an ISO 8601 date-time without a zone (ISO_LOCAL_DATE_TIME)"};
    const char *want = wants[codec->timestamp];
    struct scan sc = {s, len, 0};
    int64_t days, ns = 0;
    int32_t offset = codec->tz_offset_s;
    if (!read_date(&sc, &days))
        return fail(err, errlen, want, s, len);
    bool has_time = take(&sc, 'T') || take(&sc, 't') || take(&sc, ' ');
    if (has_time && !read_time(&sc, &ns))
        return fail(err, errlen, want, s, len);
    bool has_zone = !at_end(&sc);
    if (has_zone && !read_zone(&sc, &offset))
        return fail(err, errlen, want, s, len);
    if (!at_end(&sc) || (codec->timestamp != UP_TS_CQL_TIMESTAMP && !has_time) ||
        (codec->timestamp == UP_TS_ISO_OFFSET && !has_zone) ||
        (codec->timestamp == UP_TS_ISO_LOCAL && has_zone))
        return fail(err, errlen, want, s, len);
    int64_t secs;
    if (__builtin_mul_overflow(days, 86400, &secs) ||
        __builtin_add_overflow(secs, ns / 1000000000 - offset, &secs) ||
        __builtin_mul_overflow(secs, 1000, ms) ||
        __builtin_add_overflow(*ms, ns / 1000000 % 1000, ms))
        return fail(err, errlen, "a timestamp CQL can hold", s, len);
    return true;
}

bool up_tm_date(const char *s, size_t len, int64_t *days, char *err, size_t errlen)
{
    struct scan sc = {s, len, 0};
    if (!read_date(&sc, days) || !at_end(&sc))
        return fail(err, errlen, "an ISO 8601 date (2024-05-01)", s, len);
    return true;
}

bool up_tm_time(const char *s, size_t len, int64_t *ns, char *err, size_t errlen)
{
    struct scan sc = {s, len, 0};
    if (!read_time(&sc, ns) || !at_end(&sc))
        return fail(err, errlen, "a time of day (13:45:00.123456789)", s, len);
    return true;
}

/* ---- durations ------------------------------------------------------------------------- */

struct span {
    int64_t months, days, nanos;
};

static bool add_scaled(int64_t *acc, int64_t n, int64_t scale)
{
    int64_t v;
    return !__builtin_mul_overflow(n, scale, &v) && !__builtin_add_overflow(*acc, v, acc);
}

/* One "<number><unit>" of CQL's form. */
static bool cql_unit(struct span *sp, int64_t n, const char *u, size_t ulen)
{
    static const struct {
        const char *name;
        int field; /* 0 months, 1 days, 2 nanos */
        int64_t scale;
    } units[] = {{"y", 0, 12},
                 {"mo", 0, 1},
                 {"w", 1, 7},
                 {"d", 1, 1},
                 {"h", 2, 3600000000000LL},
                 {"m", 2, 60000000000LL},
                 {"s", 2, 1000000000},
                 {"ms", 2, 1000000},
                 {"us", 2, 1000},
                 {"\xc2\xb5s", 2, 1000},
                 {"ns", 2, 1}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) == ulen && strncasecmp(units[i].name, u, ulen) == 0) {
            int64_t *f = units[i].field == 0   ? &sp->months
                         : units[i].field == 1 ? &sp->days
                                               : &sp->nanos;
            return add_scaled(f, n, units[i].scale);
        }
    }
    return false;
}

static bool cql_duration(struct scan *sc, struct span *sp)
{
    bool any = false;
    while (!at_end(sc)) {
        int64_t n;
        if (!digits(sc, 1, 18, &n, NULL))
            return false;
        size_t u = sc->pos;
        while (sc->pos < sc->len && !isdigit((unsigned char)sc->s[sc->pos]))
            sc->pos++;
        if (!cql_unit(sp, n, sc->s + u, sc->pos - u))
            return false;
        any = true;
    }
    return any;
}

/* P[nY][nM][nW][nD][T[nH][nM][nS]] */
static bool iso_duration(struct scan *sc, struct span *sp)
{
    bool in_time = false, any = false;
    while (!at_end(sc)) {
        if (!in_time && take(sc, 'T')) {
            in_time = true;
            continue;
        }
        int64_t n;
        if (!digits(sc, 1, 18, &n, NULL) || at_end(sc))
            return false;
        char u = sc->s[sc->pos++];
        bool ok = in_time ? (u == 'H' && add_scaled(&sp->nanos, n, 3600000000000LL)) ||
                                (u == 'M' && add_scaled(&sp->nanos, n, 60000000000LL)) ||
                                (u == 'S' && add_scaled(&sp->nanos, n, 1000000000))
                          : (u == 'Y' && add_scaled(&sp->months, n, 12)) ||
                                (u == 'M' && add_scaled(&sp->months, n, 1)) ||
                                (u == 'W' && add_scaled(&sp->days, n, 7)) ||
                                (u == 'D' && add_scaled(&sp->days, n, 1));
        if (!ok)
            return false;
        any = true;
    }
    return any;
}

bool up_tm_duration(const char *s, size_t len, int32_t *months, int32_t *days, int64_t *nanos,
                    char *err, size_t errlen)
{
    struct scan sc = {s, len, 0};
    bool negative = take(&sc, '-');
    struct span sp = {0};
    bool ok = take(&sc, 'P') ? iso_duration(&sc, &sp) : cql_duration(&sc, &sp);
    if (!ok || sp.months > INT32_MAX || sp.days > INT32_MAX)
        return fail(err, errlen, "a duration (1h30m, 2d, P1DT2H)", s, len);
    int sign = negative ? -1 : 1;
    *months = (int32_t)(sign * sp.months);
    *days = (int32_t)(sign * sp.days);
    *nanos = sign * sp.nanos;
    return true;
}

void up_tm_put_vint(struct up_buf *out, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    int bits = 64 - __builtin_clzll(u | 1);
    int size = bits <= 7 ? 1 : bits > 56 ? 9 : (bits + 6) / 7; /* 7 value bits per byte */
    uint8_t b[9];
    for (int i = size - 1; i >= 0; i--) {
        b[i] = (uint8_t)u;
        u >>= 8;
    }
    if (size > 1)
        b[0] |= (uint8_t) ~(0xFF >> (size - 1));
    up_buf_append(out, b, (size_t)size);
}
