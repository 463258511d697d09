/* web/ui_stats: Prometheus text sums, counter rates and lag in seconds. */
#include "web/ui_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* Does the label set {..} between p and q hold label="value"? Values may contain escaped
 * quotes, which never equal ours (our label values are plain words). */
static bool has_label(const char *p, const char *q, const char *label, const char *value)
{
    size_t ll = strlen(label), vl = strlen(value);
    while (p < q) {
        while (p < q && (*p == '{' || *p == ',' || *p == ' '))
            p++;
        const char *eq = memchr(p, '=', (size_t)(q - p));
        if (!eq || eq + 1 >= q || eq[1] != '"')
            return false;
        const char *v = eq + 2, *ve = v;
        while (ve < q && *ve != '"') {
            if (*ve == '\\' && ve + 1 < q)
                ve++;
            ve++;
        }
        if ((size_t)(eq - p) == ll && memcmp(p, label, ll) == 0 && (size_t)(ve - v) == vl &&
            memcmp(v, value, vl) == 0)
            return true;
        p = ve + 1;
    }
    return false;
}

bool up_prom_sum(const char *text, size_t len, const char *name, const char *label,
                 const char *label_value, double *sum)
{
    size_t nl = strlen(name);
    const char *p = text, *end = text + len;
    bool found = false;
    double total = 0;
    for (; p < end; p = line_end(p, end) + 1) {
        const char *e = line_end(p, end);
        if (*p == '#' || (size_t)(e - p) <= nl || memcmp(p, name, nl) != 0)
            continue;
        const char *q = p + nl;
        if (*q != '{' && *q != ' ')
            continue; /* a longer name with our name as prefix */
        if (*q == '{') {
            const char *close = q;
            while (close < e && *close != '}') {
                if (*close == '"') { /* skip a quoted value, braces and all */
                    close++;
                    while (close < e && *close != '"')
                        close += (*close == '\\') ? 2 : 1;
                }
                close++;
            }
            if (close >= e)
                continue;
            if (label && !has_label(q, close, label, label_value))
                continue;
            q = close + 1;
        } else if (label) {
            continue;
        }
        while (q < e && *q == ' ')
            q++;
        char num[64];
        size_t n = 0;
        while (q < e && *q != ' ' && n + 1 < sizeof num)
            num[n++] = *q++;
        num[n] = '\0';
        char *stop;
        double v = strtod(num, &stop);
        if (n == 0 || *stop)
            continue;
        if (isfinite(v))
            total += v;
        found = true;
    }
    if (found)
        *sum = total;
    return found;
}

void up_json_num(struct up_buf *b, double v)
{
    if (!isfinite(v))
        up_buf_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* counts stay exact */
        up_buf_printf(b, "%.0f", v);
    else
        up_buf_printf(b, "%.6g", v);
}

void up_ring_push(struct up_sample_ring *r, int64_t t_ms, double v)
{
    size_t at = (r->head + r->count) % UP_SERIES_CAP;
    if (r->count == UP_SERIES_CAP) {
        at = r->head;
        r->head = (r->head + 1) % UP_SERIES_CAP;
    } else {
        r->count++;
    }
    r->t_ms[at] = t_ms;
    r->v[at] = v;
}

void up_ring_get(const struct up_sample_ring *r, size_t i, int64_t *t_ms, double *v)
{
    size_t at = (r->head + i) % UP_SERIES_CAP;
    *t_ms = r->t_ms[at];
    *v = r->v[at];
}

double up_ring_rate(const struct up_sample_ring *r, int64_t window_ms)
{
    if (r->count < 2)
        return NAN;
    int64_t t_new, t;
    double v_new, v;
    up_ring_get(r, r->count - 1, &t_new, &v_new);
    double increase = 0;
    int64_t t_first = t_new;
    /* Walk back step by step so a reset in the middle only loses its own step. */
    double v_next = v_new;
    for (size_t i = r->count - 1; i-- > 0;) {
        up_ring_get(r, i, &t, &v);
        if (t_new - t > window_ms)
            break;
        if (v_next >= v)
            increase += v_next - v;
        v_next = v;
        t_first = t;
    }
    if (t_first == t_new)
        return NAN;
    return increase * 1000.0 / (double)(t_new - t_first);
}

double up_lag_seconds(const struct up_sample_ring *hist, int64_t committed, int64_t now_ms,
                      bool *lower_bound)
{
    *lower_bound = false;
    if (hist->count == 0)
        return 0;
    int64_t t, t_prev = 0;
    double high, high_prev = 0;
    up_ring_get(hist, hist->count - 1, &t, &high);
    if ((double)committed >= high)
        return 0; /* everything written has been consumed */
    for (size_t i = 0; i < hist->count; i++) {
        up_ring_get(hist, i, &t, &high);
        if (high > (double)committed) {
            if (i == 0) {
                *lower_bound = true;
                return (double)(now_ms - t) / 1000.0;
            }
            /* Offset `committed` was written between the two samples: interpolate. */
            double share = ((double)committed + 1 - high_prev) / (high - high_prev);
            double written = (double)t_prev + share * (double)(t - t_prev);
            double age = ((double)now_ms - written) / 1000.0;
            return age > 0 ? age : 0;
        }
        t_prev = t;
        high_prev = high;
    }
    return 0;
}
