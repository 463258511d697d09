/* metrics: registry, atomic series and the text exposition renderer. */
#include "core/metrics.h"

#include <math.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LABELS 4

static const double default_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,  0.5,    1,     2.5,  5,     10};

struct up_series {
    struct up_metric *family;
    char *values[MAX_LABELS];
    _Atomic uint64_t value_bits; /* a double, stored as bits for atomic CAS */
    _Atomic uint64_t count;
    _Atomic uint64_t *bucket_counts; /* per bucket, not cumulative */
    struct up_series *next;
};

struct up_metric {
    enum up_metric_type type;
    char *name;
    char *help;
    char *label_names[MAX_LABELS];
    size_t nlabels;
    double *buckets;
    size_t nbuckets;
    double (*fn)(void *);
    void *fn_ctx;
    struct up_series *series;
    struct up_registry *registry;
    struct up_metric *next;
};

struct up_registry {
    pthread_mutex_t lock;
    struct up_metric *head, *tail;
};

static double bits_to_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t double_to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

struct up_registry *up_registry_new(void)
{
    struct up_registry *r = up_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

static struct up_registry *default_registry;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void make_default_registry(void)
{
    default_registry = up_registry_new();
}

struct up_registry *up_registry_default(void)
{
    pthread_once(&default_once, make_default_registry);
    return default_registry;
}

static void series_free(struct up_series *s, size_t nlabels)
{
    for (size_t i = 0; i < nlabels; i++)
        free(s->values[i]);
    free(s->bucket_counts);
    free(s);
}

void up_registry_free(struct up_registry *r)
{
    if (!r)
        return;
    struct up_metric *m = r->head;
    while (m) {
        struct up_metric *next = m->next;
        struct up_series *s = m->series;
        while (s) {
            struct up_series *sn = s->next;
            series_free(s, m->nlabels);
            s = sn;
        }
        for (size_t i = 0; i < m->nlabels; i++)
            free(m->label_names[i]);
        free(m->name);
        free(m->help);
        free(m->buckets);
        free(m);
        m = next;
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static struct up_metric *find_locked(struct up_registry *r, const char *name)
{
    for (struct up_metric *m = r->head; m; m = m->next)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

static void append_locked(struct up_registry *r, struct up_metric *m)
{
    if (r->tail)
        r->tail->next = m;
    else
        r->head = m;
    r->tail = m;
}

struct up_metric *up_metric_new(struct up_registry *r, enum up_metric_type type, const char *name,
                                const char *help, const char *labels, const double *buckets,
                                size_t nbuckets)
{
    pthread_mutex_lock(&r->lock);
    struct up_metric *m = find_locked(r, name);
    if (m) {
        pthread_mutex_unlock(&r->lock);
        return m;
    }
    m = up_xcalloc(1, sizeof *m);
    m->type = type;
    m->registry = r;
    m->name = up_xstrdup(name);
    m->help = up_xstrdup(help ? help : "");
    if (labels && *labels) {
        const char *p = labels;
        while (*p && m->nlabels < MAX_LABELS) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            m->label_names[m->nlabels++] = up_xstrndup(p, len);
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    if (type == UP_METRIC_HISTOGRAM) {
        if (!buckets) {
            buckets = default_buckets;
            nbuckets = sizeof default_buckets / sizeof default_buckets[0];
        }
        m->buckets = up_xmalloc(nbuckets * sizeof(double));
        memcpy(m->buckets, buckets, nbuckets * sizeof(double));
        m->nbuckets = nbuckets;
    }
    append_locked(r, m);
    pthread_mutex_unlock(&r->lock);
    return m;
}

void up_metric_fn(struct up_registry *r, enum up_metric_type type, const char *name,
                  const char *help, double (*fn)(void *ctx), void *ctx)
{
    struct up_metric *m = up_metric_new(r, type, name, help, NULL, NULL, 0);
    pthread_mutex_lock(&r->lock);
    m->fn = fn;
    m->fn_ctx = ctx;
    pthread_mutex_unlock(&r->lock);
}

static double read_proc_rss(void *ctx)
{
    (void)ctx;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return NAN;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    return n == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : NAN;
}

static double read_proc_cpu(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double start_time_seconds;
static double read_start_time(void *ctx)
{
    (void)ctx;
    return start_time_seconds;
}

void up_registry_add_process_metrics(struct up_registry *r)
{
    if (start_time_seconds == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        start_time_seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    up_metric_fn(r, UP_METRIC_GAUGE, "process_resident_memory_bytes",
                 "Resident memory size in bytes.", read_proc_rss, NULL);
    up_metric_fn(r, UP_METRIC_COUNTER, "process_cpu_seconds_total",
                 "Total user and system CPU time in seconds.", read_proc_cpu, NULL);
    up_metric_fn(r, UP_METRIC_GAUGE, "process_start_time_seconds",
                 "Start time of the process since the epoch in seconds.", read_start_time, NULL);
}

static bool same_values(const struct up_series *s, const char *const *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->values[i], values[i] ? values[i] : "") != 0)
            return false;
    return true;
}

struct up_series *up_metric_labels(struct up_metric *m, const char *const *values)
{
    pthread_mutex_lock(&m->registry->lock);
    struct up_series *s;
    for (s = m->series; s; s = s->next)
        if (same_values(s, values, m->nlabels))
            break;
    if (!s) {
        s = up_xcalloc(1, sizeof *s);
        s->family = m;
        for (size_t i = 0; i < m->nlabels; i++)
            s->values[i] = up_xstrdup(values && values[i] ? values[i] : "");
        if (m->type == UP_METRIC_HISTOGRAM)
            s->bucket_counts = up_xcalloc(m->nbuckets, sizeof(_Atomic uint64_t));
        s->next = m->series;
        m->series = s;
    }
    pthread_mutex_unlock(&m->registry->lock);
    return s;
}

struct up_series *up_metric_series(struct up_metric *m)
{
    return up_metric_labels(m, NULL);
}

void up_series_add(struct up_series *s, double v)
{
    uint64_t old = atomic_load(&s->value_bits);
    while (!atomic_compare_exchange_weak(&s->value_bits, &old,
                                         double_to_bits(bits_to_double(old) + v)))
        ;
}

void up_series_set(struct up_series *s, double v)
{
    atomic_store(&s->value_bits, double_to_bits(v));
}

void up_series_observe(struct up_series *s, double v)
{
    struct up_metric *m = s->family;
    if (m->type != UP_METRIC_HISTOGRAM)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        if (v <= m->buckets[i]) {
            atomic_fetch_add(&s->bucket_counts[i], 1);
            break;
        }
    }
    atomic_fetch_add(&s->count, 1);
    up_series_add(s, v);
}

double up_series_value(const struct up_series *s)
{
    return bits_to_double(atomic_load(&((struct up_series *)s)->value_bits));
}

unsigned long long up_series_count(const struct up_series *s)
{
    return atomic_load(&((struct up_series *)s)->count);
}

double up_series_quantile(const struct up_series *s, double q)
{
    const struct up_metric *m = s->family;
    uint64_t total = up_series_count(s);
    if (m->type != UP_METRIC_HISTOGRAM || total == 0)
        return NAN;
    double rank = q * (double)total;
    uint64_t cum = 0;
    double lower = 0;
    for (size_t i = 0; i < m->nbuckets; i++) {
        uint64_t c = atomic_load(&((struct up_series *)s)->bucket_counts[i]);
        if ((double)(cum + c) >= rank && c > 0) {
            double within = (rank - (double)cum) / (double)c;
            return lower + (m->buckets[i] - lower) * within;
        }
        cum += c;
        lower = m->buckets[i];
    }
    return m->nbuckets ? m->buckets[m->nbuckets - 1] : NAN; /* in the +Inf bucket */
}

static void render_escaped(struct up_buf *out, const char *s, bool quote_escape)
{
    for (; *s; s++) {
        if (*s == '\\')
            up_buf_puts(out, "\\\\");
        else if (*s == '\n')
            up_buf_puts(out, "\\n");
        else if (quote_escape && *s == '"')
            up_buf_puts(out, "\\\"");
        else
            up_buf_putc(out, *s);
    }
}

/* The fewest significant digits that read back as the same double. */
static int shortest_precision(double v)
{
    char tmp[40];
    for (int p = 15; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            return p;
    }
    return 17;
}

static void render_number(struct up_buf *out, double v)
{
    if (isnan(v))
        up_buf_puts(out, "NaN");
    else if (isinf(v))
        up_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
    else if (v == (double)(long long)v && fabs(v) < 1e15)
        up_buf_printf(out, "%lld", (long long)v);
    else
        up_buf_printf(out, "%.*g", shortest_precision(v), v);
}

/* name{l1="v1",l2="v2"[,extra]} */
static void render_name(struct up_buf *out, const struct up_metric *m, const struct up_series *s,
                        const char *suffix, const char *extra)
{
    up_buf_puts(out, m->name);
    up_buf_puts(out, suffix);
    if (m->nlabels == 0 && !extra)
        return;
    up_buf_putc(out, '{');
    for (size_t i = 0; i < m->nlabels; i++) {
        up_buf_printf(out, "%s%s=\"", i ? "," : "", m->label_names[i]);
        render_escaped(out, s->values[i], true);
        up_buf_putc(out, '"');
    }
    if (extra)
        up_buf_printf(out, "%s%s", m->nlabels ? "," : "", extra);
    up_buf_putc(out, '}');
}

static void render_histogram(struct up_buf *out, const struct up_metric *m,
                             const struct up_series *s)
{
    uint64_t cum = 0;
    char le[64];
    for (size_t i = 0; i < m->nbuckets; i++) {
        cum += atomic_load(&((struct up_series *)s)->bucket_counts[i]);
        struct up_buf b = UP_BUF_INIT;
        render_number(&b, m->buckets[i]);
        snprintf(le, sizeof le, "le=\"%s\"", b.data);
        up_buf_free(&b);
        render_name(out, m, s, "_bucket", le);
        up_buf_printf(out, " %llu\n", (unsigned long long)cum);
    }
    render_name(out, m, s, "_bucket", "le=\"+Inf\"");
    up_buf_printf(out, " %llu\n", up_series_count(s));
    render_name(out, m, s, "_sum", NULL);
    up_buf_putc(out, ' ');
    render_number(out, up_series_value(s));
    up_buf_putc(out, '\n');
    render_name(out, m, s, "_count", NULL);
    up_buf_printf(out, " %llu\n", up_series_count(s));
}

void up_metrics_render(struct up_registry *r, struct up_buf *out)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    pthread_mutex_lock(&r->lock);
    for (struct up_metric *m = r->head; m; m = m->next) {
        if (!m->fn && !m->series)
            continue;
        up_buf_printf(out, "# HELP %s ", m->name);
        render_escaped(out, m->help, false);
        up_buf_printf(out, "\n# TYPE %s %s\n", m->name, type_names[m->type]);
        if (m->fn) {
            up_buf_puts(out, m->name);
            up_buf_putc(out, ' ');
            render_number(out, m->fn(m->fn_ctx));
            up_buf_putc(out, '\n');
            continue;
        }
        for (const struct up_series *s = m->series; s; s = s->next) {
            if (m->type == UP_METRIC_HISTOGRAM) {
                render_histogram(out, m, s);
                continue;
            }
            render_name(out, m, s, "", NULL);
            up_buf_putc(out, ' ');
            render_number(out, up_series_value(s));
            up_buf_putc(out, '\n');
        }
    }
    pthread_mutex_unlock(&r->lock);
}
