/* web/ui_mappings: per topic -> table figures read from the stream's /metrics pages. */
#include "web/ui_mappings.h"

#include "web/ui_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE        4096 /* a longer line is no sample of ours: skipped */
#define MAX_LABELS      8
#define LABEL_NAME_MAX  32
#define PREFIX          "userpipe_mapping_"
#define RECORDS_METRIC  "userpipe_mapping_records_total"
#define ROWS_METRIC     "userpipe_mapping_rows_total"
#define REJECTED_METRIC "userpipe_mapping_rejected_total"
#define BUCKET_METRIC   "userpipe_mapping_e2e_latency_seconds_bucket"
#define RATE_WINDOW_MS  5000

/* ------------------------------------------------------------------ one sample line */

struct prom_label {
    char name[LABEL_NAME_MAX];
    char value[UP_MAPPINGS_NAME_MAX];
};

struct prom_sample {
    const char *name;
    size_t name_len;
    struct prom_label labels[MAX_LABELS];
    size_t nlabels;
    double value;
};

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == ':';
}

static const char *skip_spaces(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A quoted label value at *pp (on its opening quote), unescaped into out. false when it is
 * unterminated or does not fit: such a sample is dropped rather than cut to a wrong name. */
static bool read_label_value(const char **pp, const char *e, char *out, size_t cap)
{
    const char *p = *pp + 1;
    size_t n = 0;
    while (p < e && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            if (p >= e)
                return false;
            c = *p == 'n' ? '\n' : *p;
            p++;
        }
        if (n + 1 >= cap)
            return false;
        out[n++] = c;
    }
    if (p >= e)
        return false;
    out[n] = '\0';
    *pp = p + 1;
    return true;
}

/* {name="value",...} at *pp (on the brace); leaves *pp after the closing brace. */
static bool read_labels(const char **pp, const char *e, struct prom_sample *s)
{
    const char *p = *pp + 1;
    while (true) {
        p = skip_spaces(p, e);
        if (p < e && *p == '}')
            break;
        const char *name = p;
        while (p < e && is_name_char(*p))
            p++;
        size_t name_len = (size_t)(p - name);
        p = skip_spaces(p, e);
        if (name_len == 0 || name_len >= LABEL_NAME_MAX || p >= e || *p != '=')
            return false;
        p = skip_spaces(p + 1, e);
        if (p >= e || *p != '"' || s->nlabels == MAX_LABELS)
            return false;
        struct prom_label *l = &s->labels[s->nlabels++];
        memcpy(l->name, name, name_len);
        l->name[name_len] = '\0';
        if (!read_label_value(&p, e, l->value, sizeof l->value))
            return false;
        p = skip_spaces(p, e);
        if (p < e && *p == ',')
            p++;
        else if (p >= e || *p != '}')
            return false;
    }
    *pp = p + 1;
    return true;
}

/* name[{labels}] value [timestamp] between p and e. */
static bool read_sample(const char *p, const char *e, struct prom_sample *s)
{
    s->name = p;
    while (p < e && is_name_char(*p))
        p++;
    s->name_len = (size_t)(p - s->name);
    s->nlabels = 0;
    if (s->name_len == 0)
        return false;
    if (p < e && *p == '{' && !read_labels(&p, e, s))
        return false;
    const char *v = skip_spaces(p, e);
    if (v == p && p < e)
        return false; /* the value must be set apart */
    char num[64];
    size_t n = 0;
    while (v < e && *v != ' ' && *v != '\t' && *v != '\r') {
        if (n + 1 >= sizeof num)
            return false;
        num[n++] = *v++;
    }
    num[n] = '\0';
    char *stop;
    s->value = strtod(num, &stop);
    return n > 0 && *stop == '\0';
}

static const char *label(const struct prom_sample *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

static bool named(const struct prom_sample *s, const char *name)
{
    return s->name_len == strlen(name) && memcmp(s->name, name, s->name_len) == 0;
}

/* ---------------------------------------------------------------------- the scrape */

void up_mapping_scrape_reset(struct up_mapping_scrape *s)
{
    s->npairs = 0;
    s->dropped = 0;
    s->any = false;
}

/* The pair's reading, created on first sight; NULL past the cap. */
static struct up_mapping_reading *pair(struct up_mapping_scrape *s, const char *topic,
                                       const char *table)
{
    for (size_t i = 0; i < s->npairs; i++)
        if (strcmp(s->pairs[i].topic, topic) == 0 && strcmp(s->pairs[i].table, table) == 0)
            return &s->pairs[i];
    if (s->npairs == UP_MAPPINGS_MAX_PAIRS)
        return NULL;
    struct up_mapping_reading *r = &s->pairs[s->npairs++];
    memset(r, 0, sizeof *r);
    strcpy(r->topic, topic); /* both fit: read into buffers of this size */
    strcpy(r->table, table);
    return r;
}

/* A bucket's upper bound, "+Inf" included. */
static bool bound(const char *text, double *le)
{
    char *stop;
    if (!text || !text[0])
        return false;
    *le = strtod(text, &stop);
    return *stop == '\0' && !isnan(*le);
}

static bool add_bucket(struct up_mapping_reading *r, double le, double count)
{
    for (size_t i = 0; i < r->nbuckets; i++)
        if (r->le[i] == le) {
            r->cum[i] += count;
            return true;
        }
    if (r->nbuckets == UP_MAPPINGS_MAX_BUCKETS)
        return false;
    r->le[r->nbuckets] = le;
    r->cum[r->nbuckets++] = count;
    return true;
}

/* One sample of ours into s; false when it does not have the labels it must have. */
static bool add_sample(struct up_mapping_scrape *s, const struct prom_sample *x)
{
    const char *topic = label(x, "topic"), *table = label(x, "table");
    if (!topic)
        return false;
    if (named(x, RECORDS_METRIC)) {
        struct up_mapping_reading *r = pair(s, topic, "");
        return r && (r->records += x->value, true);
    }
    if (!table)
        return false;
    struct up_mapping_reading *r = NULL;
    if (named(x, ROWS_METRIC)) {
        const char *op = label(x, "op");
        bool ins = op && strcmp(op, "insert") == 0, del = op && strcmp(op, "delete") == 0;
        if ((!ins && !del) || !(r = pair(s, topic, table)))
            return false;
        *(ins ? &r->inserts : &r->deletes) += x->value;
        return true;
    }
    if (named(x, REJECTED_METRIC)) {
        const char *stage = label(x, "stage");
        int which = !stage                          ? -1
                    : strcmp(stage, "parse") == 0   ? 0
                    : strcmp(stage, "mapping") == 0 ? 1
                    : strcmp(stage, "write") == 0   ? 2
                                                    : -1;
        if (which < 0 || !(r = pair(s, topic, table)))
            return false;
        *(which == 0 ? &r->dlq_parse : which == 1 ? &r->dlq_mapping : &r->dlq_write) += x->value;
        return true;
    }
    if (named(x, BUCKET_METRIC)) {
        double le;
        if (!bound(label(x, "le"), &le) || !(r = pair(s, topic, table)))
            return false;
        return add_bucket(r, le, x->value);
    }
    return true; /* _sum, _count and series we do not show */
}

void up_mapping_scrape_add(struct up_mapping_scrape *s, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    struct prom_sample *x = up_xmalloc(sizeof *x); /* 2 KiB of label buffers: off the stack */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        if (n >= sizeof PREFIX - 1 && n <= MAX_LINE && memcmp(p, PREFIX, sizeof PREFIX - 1) == 0) {
            s->any = true;
            /* counts never go down nor are infinite: anything else is not our exporter's */
            bool ok = read_sample(p, e, x) && isfinite(x->value) && x->value >= 0;
            if (!ok || !add_sample(s, x))
                s->dropped++;
        }
        p = e + 1;
    }
    free(x);
}

double up_histogram_quantile(const double *le, const double *cum, size_t n, double q)
{
    double total = 0, max_finite = NAN;
    for (size_t i = 0; i < n; i++) {
        if (isinf(le[i]) && le[i] > 0 && cum[i] > total)
            total = cum[i];
        if (isfinite(le[i]) && (isnan(max_finite) || le[i] > max_finite))
            max_finite = le[i];
    }
    if (!(total > 0))
        return NAN;
    double rank = q * total;
    /* the smallest bound whose cumulative count reaches the rank, and the bound below it */
    double upper = INFINITY, at = total;
    for (size_t i = 0; i < n; i++)
        if (cum[i] >= rank && le[i] < upper) {
            upper = le[i];
            at = cum[i];
        }
    if (isinf(upper))
        return max_finite; /* beyond the last finite bound: that bound is all we know */
    bool has_lower = false;
    double lower = 0, below = 0;
    for (size_t i = 0; i < n; i++)
        if (le[i] < upper && (!has_lower || le[i] > lower)) {
            has_lower = true;
            lower = le[i];
            below = cum[i];
        }
    if (!has_lower && upper <= 0)
        return upper;
    if (!has_lower)
        lower = below = 0; /* the first bucket starts at 0, as in Prometheus */
    if (at <= below || rank <= below)
        return at <= below ? upper : lower; /* counts out of order: no interpolation */
    return lower + (upper - lower) * (rank - below) / (at - below);
}

/* ------------------------------------------------------------- state across ticks */

/* The last few readings of one counter, oldest first. */
struct window {
    int64_t t_ms[UP_MAPPINGS_RATE_POINTS];
    double v[UP_MAPPINGS_RATE_POINTS];
    size_t n;
};

struct pair_state {
    struct up_mapping_reading r;
    struct window records, rows;
};

struct up_ui_mappings {
    struct pair_state pairs[UP_MAPPINGS_MAX_PAIRS];
    size_t npairs, dropped;
    bool available, stale;
};

static void window_push(struct window *w, int64_t t_ms, double v)
{
    if (w->n == UP_MAPPINGS_RATE_POINTS) {
        memmove(w->t_ms, w->t_ms + 1, (w->n - 1) * sizeof w->t_ms[0]);
        memmove(w->v, w->v + 1, (w->n - 1) * sizeof w->v[0]);
        w->n--;
    }
    w->t_ms[w->n] = t_ms;
    w->v[w->n++] = v;
}

/* Per-second increase over the readings of the last RATE_WINDOW_MS; a step that goes down
 * (a stream process restarted) counts as no increase rather than a negative rate. */
static double window_rate(const struct window *w)
{
    if (w->n < 2)
        return NAN;
    size_t last = w->n - 1, first = last;
    double increase = 0;
    while (first > 0 && w->t_ms[last] - w->t_ms[first - 1] <= RATE_WINDOW_MS) {
        double step = w->v[first] - w->v[first - 1];
        increase += step > 0 ? step : 0;
        first--;
    }
    if (first == last || w->t_ms[last] <= w->t_ms[first])
        return NAN;
    return increase * 1000.0 / (double)(w->t_ms[last] - w->t_ms[first]);
}

struct up_ui_mappings *up_ui_mappings_new(void)
{
    return up_xcalloc(1, sizeof(struct up_ui_mappings));
}

void up_ui_mappings_free(struct up_ui_mappings *m)
{
    free(m);
}

static int by_topic_then_table(const void *a, const void *b)
{
    const struct up_mapping_reading *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : strcmp(x->table, y->table);
}

static const struct pair_state *find_state(const struct up_ui_mappings *m, const char *topic,
                                           const char *table)
{
    for (size_t i = 0; i < m->npairs; i++)
        if (strcmp(m->pairs[i].r.topic, topic) == 0 && strcmp(m->pairs[i].r.table, table) == 0)
            return &m->pairs[i];
    return NULL;
}

void up_ui_mappings_update(struct up_ui_mappings *m, const struct up_mapping_scrape *s,
                           int64_t now_ms)
{
    struct up_mapping_reading *sorted = up_xmalloc(s->npairs * sizeof *sorted + 1);
    struct pair_state *next = up_xmalloc(sizeof m->pairs);
    memcpy(sorted, s->pairs, s->npairs * sizeof *sorted);
    qsort(sorted, s->npairs, sizeof *sorted, by_topic_then_table);
    for (size_t i = 0; i < s->npairs; i++) {
        const struct pair_state *old = find_state(m, sorted[i].topic, sorted[i].table);
        struct pair_state *ps = &next[i];
        if (old) {
            ps->records = old->records;
            ps->rows = old->rows;
        } else {
            ps->records.n = ps->rows.n = 0;
        }
        ps->r = sorted[i];
        window_push(&ps->records, now_ms, ps->r.records);
        window_push(&ps->rows, now_ms, ps->r.inserts + ps->r.deletes);
    }
    memcpy(m->pairs, next, s->npairs * sizeof *next);
    m->npairs = s->npairs;
    m->dropped = s->dropped;
    m->available = s->any;
    m->stale = false;
    free(next);
    free(sorted);
}

void up_ui_mappings_mark_stale(struct up_ui_mappings *m)
{
    m->stale = true;
}

/* ---------------------------------------------------------------------------- JSON */

static void json_rate(struct up_buf *out, const struct up_ui_mappings *m, const struct window *w)
{
    up_json_num(out, m->stale ? NAN : window_rate(w));
}

/* One row: the table's figures, with its topic's records and parse rejects beside them (the
 * same on every row of that topic); topic_only is NULL when the topic has no row of its own. */
static void json_row(struct up_buf *out, const struct up_ui_mappings *m,
                     const struct pair_state *topic_only, const struct pair_state *table)
{
    const struct pair_state *any = table ? table : topic_only;
    up_buf_puts(out, "{\"topic\":");
    up_buf_json_cstring(out, any->r.topic);
    up_buf_puts(out, ",\"table\":");
    up_buf_json_cstring(out, table ? table->r.table : NULL);
    up_buf_puts(out, ",\"records\":");
    up_json_num(out, topic_only ? topic_only->r.records : NAN);
    up_buf_puts(out, ",\"records_per_second\":");
    if (topic_only)
        json_rate(out, m, &topic_only->records);
    else
        up_buf_puts(out, "null");
    const struct up_mapping_reading *t = table ? &table->r : NULL;
    up_buf_puts(out, ",\"inserts\":");
    up_json_num(out, t ? t->inserts : NAN);
    up_buf_puts(out, ",\"deletes\":");
    up_json_num(out, t ? t->deletes : NAN);
    up_buf_puts(out, ",\"rows_per_second\":");
    if (table)
        json_rate(out, m, &table->rows);
    else
        up_buf_puts(out, "null");
    up_buf_puts(out, ",\"dlq\":{\"parse\":");
    up_json_num(out, topic_only ? topic_only->r.dlq_parse : NAN);
    up_buf_puts(out, ",\"mapping\":");
    up_json_num(out, t ? t->dlq_mapping : NAN);
    up_buf_puts(out, ",\"write\":");
    up_json_num(out, t ? t->dlq_write : NAN);
    up_buf_puts(out, "},\"e2e_p99_seconds\":");
    up_json_num(out, t ? up_histogram_quantile(t->le, t->cum, t->nbuckets, 0.99) : NAN);
    up_buf_puts(out, ",\"e2e_observations\":");
    double observed = NAN;
    for (size_t i = 0; t && i < t->nbuckets; i++)
        if (isinf(t->le[i]) && t->le[i] > 0)
            observed = t->cum[i];
    up_json_num(out, observed);
    up_buf_putc(out, '}');
}

void up_ui_mappings_json(const struct up_ui_mappings *m, struct up_buf *out)
{
    up_buf_printf(out, "{\"available\":%s,\"stale\":%s,\"dropped\":%zu,\"rows\":[",
                  m->available ? "true" : "false", m->stale ? "true" : "false", m->dropped);
    bool first = true;
    for (size_t i = 0; i < m->npairs; i++) {
        const struct pair_state *ps = &m->pairs[i];
        const struct pair_state *topic_only = find_state(m, ps->r.topic, "");
        bool has_tables = false;
        for (size_t k = 0; k < m->npairs; k++)
            has_tables |= m->pairs[k].r.table[0] && strcmp(m->pairs[k].r.topic, ps->r.topic) == 0;
        if (ps->r.table[0] || !has_tables) { /* a topic's own row only when it has no table */
            up_buf_puts(out, first ? "" : ",");
            json_row(out, m, topic_only, ps->r.table[0] ? ps : NULL);
            first = false;
        }
    }
    up_buf_puts(out, "]}");
}
