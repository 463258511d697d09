/* Fuzz target for the dashboard's parsers of untrusted text: the stream's /metrics page
 * (web/ui_stats up_prom_sum, and web/ui_mappings' per topic -> table series, the panel's
 * JSON built from them), the from= / Last-Event-ID start spec (kafka/tail
 * up_tail_start_parse) and the SSE event formatter fed with that text (web/ui_sse).
 * Input: the first line is a start spec, the rest Prometheus text. */
#include "kafka/tail.h"
#include "web/ui_mappings.h"
#include "web/ui_sse.h"
#include "web/ui_stats.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every figure read is a finite count, within the caps; the panel's JSON always parses and
 * every p99 lies within the bounds it was estimated from. */
static void check_mappings(const char *text, size_t len)
{
    static struct up_mapping_scrape scrape;
    static struct up_ui_mappings *panel;
    if (!panel)
        panel = up_ui_mappings_new();
    up_mapping_scrape_reset(&scrape);
    up_mapping_scrape_add(&scrape, text, len);
    up_mapping_scrape_add(&scrape, text, len); /* a second process: sums stay counts */
    if (scrape.npairs > UP_MAPPINGS_MAX_PAIRS)
        abort();
    for (size_t i = 0; i < scrape.npairs; i++) {
        const struct up_mapping_reading *r = &scrape.pairs[i];
        const double v[] = {r->records,   r->inserts,     r->deletes,
                            r->dlq_parse, r->dlq_mapping, r->dlq_write};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            if (!(v[k] >= 0) || isinf(v[k]))
                abort();
        if (r->nbuckets > UP_MAPPINGS_MAX_BUCKETS ||
            memchr(r->topic, '\0', sizeof r->topic) == NULL ||
            memchr(r->table, '\0', sizeof r->table) == NULL)
            abort();
        double p99 = up_histogram_quantile(r->le, r->cum, r->nbuckets, 0.99), lo = 0, hi = 0;
        for (size_t k = 0; k < r->nbuckets; k++)
            if (isfinite(r->le[k])) {
                lo = r->le[k] < lo ? r->le[k] : lo;
                hi = r->le[k] > hi ? r->le[k] : hi;
            }
        if (!isnan(p99) && (p99 < lo || p99 > hi))
            abort();
    }
    up_ui_mappings_update(panel, &scrape, 1000);
    struct up_buf b = UP_BUF_INIT;
    up_ui_mappings_json(panel, &b);
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    if (!j)
        abort();
    json_decref(j);
    up_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t first = nl ? (size_t)(nl - text) : size;
    char *spec = malloc(first + 1);
    memcpy(spec, text, first);
    spec[first] = '\0';
    struct up_tail_start *st = malloc(sizeof *st);
    char err[256];
    if (up_tail_start_parse(spec, st, err, sizeof err) == 0 && st->from == UP_TAIL_CURSOR) {
        if (st->ncursor == 0 || st->ncursor > UP_TAIL_MAX_PARTITIONS)
            abort();
    }
    free(st);

    const char *rest = nl ? nl + 1 : text + size;
    size_t rest_len = size - (size_t)(rest - text);
    double v;
    up_prom_sum(rest, rest_len, "userpipe_stream_records_stored_total", NULL, NULL, &v);
    up_prom_sum(rest, rest_len, "m", "reason", "bad_uuid", &v);
    check_mappings(rest, rest_len);

    /* Whatever the data, an event is one block: no blank line before its end. */
    struct up_sse_event *e = up_sse_event_new(spec, spec, rest, rest_len);
    if (e->len < 2 || e->data[e->len - 1] != '\n' || e->data[e->len - 2] != '\n')
        abort();
    const char *blank = strstr(e->data, "\n\n");
    bool has_nul = memchr(rest, '\0', rest_len) != NULL; /* strstr would stop there */
    if (!has_nul && (!blank || (size_t)(blank - e->data) + 2 != e->len))
        abort();
    up_sse_event_unref(e);
    free(spec);
    return 0;
}
