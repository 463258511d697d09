/* clock: time sources and ISO 8601 conversion. */
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

static int64_t read_clock(clockid_t id, int64_t div)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * (1000000000 / div) + ts.tv_nsec / div;
}

int64_t up_mono_ms(void)
{
    return read_clock(CLOCK_MONOTONIC, 1000000);
}

int64_t up_mono_us(void)
{
    return read_clock(CLOCK_MONOTONIC, 1000);
}

int64_t up_wall_ms(void)
{
    return read_clock(CLOCK_REALTIME, 1000000);
}

int64_t up_wall_us(void)
{
    return read_clock(CLOCK_REALTIME, 1000);
}

void up_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_digits(char *out, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void up_iso8601_format(int64_t epoch_ms, char out[UP_ISO8601_LEN])
{
    int64_t days = epoch_ms / 86400000;
    int64_t rem = epoch_ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, UP_ISO8601_LEN, "%s",
                 y < 0 ? "0000-01-01T00:00:00.000Z" : "9999-12-31T23:59:59.999Z");
        return;
    }
    int ms = (int)(rem % 1000);
    int secs = (int)(rem / 1000);
    /* Hand-written rather than snprintf: this runs once per record field. */
    put_digits(out, (unsigned)y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, (unsigned)(secs / 3600), 2);
    out[13] = ':';
    put_digits(out + 14, (unsigned)((secs / 60) % 60), 2);
    out[16] = ':';
    put_digits(out + 17, (unsigned)(secs % 60), 2);
    out[19] = '.';
    put_digits(out + 20, (unsigned)ms, 3);
    out[23] = 'Z';
    out[24] = '\0';
}

static bool take_digits(const char *s, size_t len, size_t *pos, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*pos >= len || s[*pos] < '0' || s[*pos] > '9')
            return false;
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
    }
    *value = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos >= len || s[*pos] != c)
        return false;
    (*pos)++;
    return true;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool parse_zone(const char *s, size_t len, size_t *pos, int *offset_min)
{
    if (*pos < len && s[*pos] == 'Z') {
        (*pos)++;
        *offset_min = 0;
        return true;
    }
    if (*pos >= len || (s[*pos] != '+' && s[*pos] != '-'))
        return false;
    int sign = s[*pos] == '-' ? -1 : 1;
    (*pos)++;
    int hh, mm;
    if (!take_digits(s, len, pos, 2, &hh))
        return false;
    if (*pos < len && s[*pos] == ':')
        (*pos)++;
    if (!take_digits(s, len, pos, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *offset_min = sign * (hh * 60 + mm);
    return true;
}

bool up_civil_days(int64_t y, int m, int d, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return false;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool up_iso8601_parse(const char *s, size_t len, int64_t *epoch_ms)
{
    size_t pos = 0;
    int y, mo, d, h, mi, sec, ms = 0, offset_min;
    if (!take_digits(s, len, &pos, 4, &y) || !expect(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &mo) || !expect(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &d) || !expect(s, len, &pos, 'T') ||
        !take_digits(s, len, &pos, 2, &h) || !expect(s, len, &pos, ':') ||
        !take_digits(s, len, &pos, 2, &mi) || !expect(s, len, &pos, ':') ||
        !take_digits(s, len, &pos, 2, &sec))
        return false;
    if (pos < len && s[pos] == '.') {
        pos++;
        int digits = 0;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 3)
                ms = ms * 10 + (s[pos] - '0');
            digits++;
            pos++;
        }
        if (digits == 0 || digits > 9)
            return false;
        for (int i = digits; i < 3; i++)
            ms *= 10;
    }
    if (!parse_zone(s, len, &pos, &offset_min) || pos != len)
        return false;
    int64_t days;
    if (h > 23 || mi > 59 || sec > 59 || !up_civil_days(y, mo, d, &days))
        return false;
    *epoch_ms = ((days * 24 + h) * 60 + mi - offset_min) * 60000LL + sec * 1000LL + ms;
    return true;
}
