/* verify/report: counts, samples and their two printed forms (report.h). */
#include "verify/report.h"

#include "core/buf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KINDS (UP_VCHECK_COUNT + 1) /* the checks, then dead-lettered */

struct sample_list {
    struct up_vsample *items;
    size_t n;
};

struct up_vreport {
    char *topic, *table;
    struct up_vcounts total;
    struct up_vcounts *parts;
    size_t nparts;
    size_t max_samples;
    struct sample_list samples[KINDS];
};

struct up_vreport *up_vreport_new(const char *topic, const char *table, const int32_t *partitions,
                                  size_t n, size_t samples)
{
    struct up_vreport *r = up_xcalloc(1, sizeof *r);
    r->topic = up_xstrdup(topic);
    r->table = up_xstrdup(table);
    r->parts = up_xcalloc(n ? n : 1, sizeof *r->parts);
    r->nparts = n;
    for (size_t i = 0; i < n; i++)
        r->parts[i].partition = partitions[i];
    r->total.partition = -1;
    r->max_samples = samples;
    for (size_t k = 0; k < KINDS; k++)
        r->samples[k].items = up_xcalloc(samples ? samples : 1, sizeof(struct up_vsample));
    return r;
}

void up_vreport_free(struct up_vreport *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < KINDS; k++) {
        for (size_t i = 0; i < r->samples[k].n; i++) {
            free(r->samples[k].items[i].key);
            free(r->samples[k].items[i].detail);
        }
        free(r->samples[k].items);
    }
    free(r->parts);
    free(r->topic);
    free(r->table);
    free(r);
}

/* The partition's counts; the total's for an id not read (cannot happen: records come only
 * from the partitions read). */
static struct up_vcounts *part(struct up_vreport *r, int32_t partition)
{
    if (partition >= 0 && (size_t)partition < r->nparts &&
        r->parts[partition].partition == partition)
        return &r->parts[partition];
    for (size_t i = 0; i < r->nparts; i++)
        if (r->parts[i].partition == partition)
            return &r->parts[i];
    return &r->total;
}

static void add_sample(struct up_vreport *r, size_t kind, int32_t partition, int64_t offset,
                       const char *key, size_t key_len, int64_t write_us, int64_t row_us,
                       const char *detail)
{
    struct sample_list *l = &r->samples[kind];
    if (l->n >= r->max_samples)
        return;
    l->items[l->n++] = (struct up_vsample){.partition = partition,
                                           .offset = offset,
                                           .key = up_xstrndup(key ? key : "", key ? key_len : 0),
                                           .write_us = write_us,
                                           .row_us = row_us,
                                           .detail = detail ? up_xstrdup(detail) : NULL};
}

void up_vreport_record(struct up_vreport *r, int32_t partition)
{
    part(r, partition)->records++;
    r->total.records++;
}

void up_vreport_dead_letter(struct up_vreport *r, int32_t partition, int64_t offset,
                            const char *key, size_t key_len, const char *reason)
{
    part(r, partition)->dead_lettered++;
    r->total.dead_lettered++;
    /* a Kafka key is any bytes: at most 64 of them, the unprintable ones as '?' */
    char text[65];
    size_t n = key_len < 64 ? key_len : 64;
    for (size_t i = 0; i < n; i++)
        text[i] = (unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e ? '?' : key[i];
    text[n] = '\0';
    add_sample(r, UP_VCHECK_COUNT, partition, offset, key ? text : "", key ? n : 0, -1, -1, reason);
}

void up_vreport_key(struct up_vreport *r, int32_t partition)
{
    part(r, partition)->keys++;
    r->total.keys++;
}

void up_vreport_check(struct up_vreport *r, const struct up_vindex_entry *e, enum up_vcheck c,
                      const char *key, int64_t row_us, const char *detail)
{
    part(r, e->partition)->checks[c]++;
    r->total.checks[c]++;
    if (c != UP_VCHECK_PRESENT && c != UP_VCHECK_ABSENT)
        add_sample(r, c, e->partition, e->offset, key, strlen(key), e->write_us, row_us, detail);
}

const struct up_vcounts *up_vreport_total(const struct up_vreport *r)
{
    return &r->total;
}

size_t up_vreport_partitions(const struct up_vreport *r)
{
    return r->nparts;
}

const struct up_vcounts *up_vreport_partition(const struct up_vreport *r, size_t i)
{
    return &r->parts[i];
}

size_t up_vreport_samples(const struct up_vreport *r, enum up_vcheck kind,
                          const struct up_vsample **out)
{
    *out = r->samples[kind].items;
    return r->samples[kind].n;
}

bool up_vreport_ok(const struct up_vreport *r)
{
    const uint64_t *c = r->total.checks;
    return c[UP_VCHECK_MISSING] + c[UP_VCHECK_STALE] + c[UP_VCHECK_UNEXPECTED] +
               c[UP_VCHECK_FAILED] ==
           0;
}

/* ---- printing ---------------------------------------------------------------------------- */

/* Microseconds since the epoch as 2026-12-07T17:21:12.123456Z; "-" when unknown. */
static void format_us(int64_t us, char *out, size_t outlen)
{
    if (us < 0) {
        snprintf(out, outlen, "-");
        return;
    }
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, outlen - n, ".%06dZ", (int)(us % 1000000));
}

static const char *kind_name(size_t kind)
{
    return kind == UP_VCHECK_COUNT ? "dead-lettered" : up_vcheck_name((enum up_vcheck)kind);
}

static void print_row(FILE *out, const char *label, const struct up_vcounts *c)
{
    const uint64_t *k = c->checks;
    fprintf(out,
            "%9s %9" PRIu64 " %13" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
            " %9" PRIu64 " %10" PRIu64 " %9" PRIu64 "\n",
            label, c->records, c->dead_lettered, c->keys, k[UP_VCHECK_PRESENT],
            k[UP_VCHECK_MISSING], k[UP_VCHECK_STALE], k[UP_VCHECK_UNEXPECTED], k[UP_VCHECK_ABSENT],
            k[UP_VCHECK_FAILED]);
}

static uint64_t kind_count(const struct up_vreport *r, size_t kind)
{
    return kind == UP_VCHECK_COUNT ? r->total.dead_lettered : r->total.checks[kind];
}

static void print_samples_text(const struct up_vreport *r, FILE *out, size_t kind)
{
    const struct sample_list *l = &r->samples[kind];
    if (l->n == 0)
        return;
    fprintf(out, "\n%s: %" PRIu64 " (%zu shown)\n", kind_name(kind), kind_count(r, kind), l->n);
    for (size_t i = 0; i < l->n; i++) {
        const struct up_vsample *s = &l->items[i];
        fprintf(out, "  partition %d offset %" PRId64 " key %s", s->partition, s->offset, s->key);
        if (kind == UP_VCHECK_STALE) {
            char row[40], rec[40];
            format_us(s->row_us, row, sizeof row);
            format_us(s->write_us, rec, sizeof rec);
            fprintf(out, ": row written %s, record %s", row, rec);
        }
        if (s->detail)
            fprintf(out, ": %s", s->detail);
        fputc('\n', out);
    }
}

void up_vreport_print_text(const struct up_vreport *r, FILE *out)
{
    fprintf(out, "topic %s -> table %s\n\n", r->topic, r->table);
    fprintf(out, "%9s %9s %13s %9s %9s %9s %9s %10s %9s %9s\n", "partition", "records",
            "dead-lettered", "keys", "present", "missing", "stale", "unexpected", "deleted",
            "failed");
    for (size_t i = 0; i < r->nparts; i++) {
        char label[16];
        snprintf(label, sizeof label, "%d", r->parts[i].partition);
        print_row(out, label, &r->parts[i]);
    }
    print_row(out, "total", &r->total);
    static const size_t order[] = {UP_VCHECK_MISSING, UP_VCHECK_STALE, UP_VCHECK_UNEXPECTED,
                                   UP_VCHECK_FAILED, UP_VCHECK_COUNT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        print_samples_text(r, out, order[i]);
    fprintf(out, "\n%s\n",
            up_vreport_ok(r) ? "OK: every row is there, and as new as its record"
                             : "DIFFERS: rows are missing, stale or unexpected (or unchecked)");
}

static void json_counts(struct up_buf *b, const struct up_vcounts *c)
{
    up_buf_printf(b, "{");
    if (c->partition >= 0)
        up_buf_printf(b, "\"partition\":%d,", c->partition);
    up_buf_printf(b, "\"records\":%" PRIu64 ",\"dead_lettered\":%" PRIu64 ",\"keys\":%" PRIu64,
                  c->records, c->dead_lettered, c->keys);
    for (size_t k = 0; k < UP_VCHECK_COUNT; k++)
        up_buf_printf(b, ",\"%s\":%" PRIu64, up_vcheck_name((enum up_vcheck)k), c->checks[k]);
    up_buf_putc(b, '}');
}

static void json_samples(struct up_buf *b, const struct up_vreport *r, size_t kind)
{
    const struct sample_list *l = &r->samples[kind];
    up_buf_printf(b, "\"%s\":[", kind == UP_VCHECK_COUNT ? "dead_lettered" : kind_name(kind));
    for (size_t i = 0; i < l->n; i++) {
        const struct up_vsample *s = &l->items[i];
        up_buf_printf(b, "%s{\"partition\":%d,\"offset\":%" PRId64 ",\"key\":", i ? "," : "",
                      s->partition, s->offset);
        up_buf_json_cstring(b, s->key);
        up_buf_printf(b, ",\"record_write_time_us\":%" PRId64 ",\"row_write_time_us\":%" PRId64,
                      s->write_us, s->row_us);
        if (s->detail) {
            up_buf_puts(b, ",\"detail\":");
            up_buf_json_cstring(b, s->detail);
        }
        up_buf_putc(b, '}');
    }
    up_buf_putc(b, ']');
}

void up_vreport_print_json(const struct up_vreport *r, FILE *out)
{
    struct up_buf b = UP_BUF_INIT;
    up_buf_puts(&b, "{\"topic\":");
    up_buf_json_cstring(&b, r->topic);
    up_buf_puts(&b, ",\"table\":");
    up_buf_json_cstring(&b, r->table);
    up_buf_printf(&b, ",\"ok\":%s,\"total\":", up_vreport_ok(r) ? "true" : "false");
    json_counts(&b, &r->total);
    up_buf_puts(&b, ",\"partitions\":[");
    for (size_t i = 0; i < r->nparts; i++) {
        up_buf_puts(&b, i ? "," : "");
        json_counts(&b, &r->parts[i]);
    }
    up_buf_puts(&b, "],\"samples\":{");
    static const size_t order[] = {UP_VCHECK_MISSING, UP_VCHECK_STALE, UP_VCHECK_UNEXPECTED,
                                   UP_VCHECK_FAILED, UP_VCHECK_COUNT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        up_buf_puts(&b, i ? "," : "");
        json_samples(&b, r, order[i]);
    }
    up_buf_puts(&b, "}}\n");
    fwrite(b.data, 1, b.len, out);
    up_buf_free(&b);
}
