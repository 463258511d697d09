/* web/ui_mappings: the dashboard's "Mappings" panel, free of I/O so it can be tested on
 * plain text. It owns reading the per topic -> table series that `userpipe stream --mapping`
 * exports (userpipe_mapping_records_total, _rows_total, _rejected_total and the
 * _e2e_latency_seconds histogram) out of one or more Prometheus pages, summing them across
 * stream processes, turning successive readings into rates, and the panel's JSON.
 * Everything read is bounded: label values, pairs, buckets and line lengths have caps, and
 * what does not fit is counted as dropped, never written past. */
#ifndef UP_WEB_UI_MAPPINGS_H
#define UP_WEB_UI_MAPPINGS_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UP_MAPPINGS_MAX_PAIRS   64  /* topic -> table pairs shown; more are counted as dropped */
#define UP_MAPPINGS_MAX_BUCKETS 40  /* histogram buckets per pair (the stream has 15 or 25) */
#define UP_MAPPINGS_NAME_MAX    256 /* a topic or keyspace.table, with its NUL */
#define UP_MAPPINGS_RATE_POINTS 6   /* readings kept per pair: rates over the last 5 ticks */

/* One topic -> table pair's counters in one scrape, summed over the pages added. A row with
 * table "" holds what the stream counts per topic only: records read and parse rejects (a
 * record that does not parse belongs to no table yet). */
struct up_mapping_reading {
    char topic[UP_MAPPINGS_NAME_MAX], table[UP_MAPPINGS_NAME_MAX];
    double records, inserts, deletes, dlq_parse, dlq_mapping, dlq_write;
    size_t nbuckets;
    double le[UP_MAPPINGS_MAX_BUCKETS];  /* upper bounds, +Inf included, in page order */
    double cum[UP_MAPPINGS_MAX_BUCKETS]; /* cumulative counts */
};

struct up_mapping_scrape {
    struct up_mapping_reading pairs[UP_MAPPINGS_MAX_PAIRS];
    size_t npairs;
    size_t dropped; /* samples of pairs or buckets past the caps, or malformed */
    bool any;       /* at least one userpipe_mapping_* sample was read */
};

void up_mapping_scrape_reset(struct up_mapping_scrape *s);
/* Adds the userpipe_mapping_* samples of one Prometheus text page into s (other metrics are
 * skipped); call once per stream process to sum them. */
void up_mapping_scrape_add(struct up_mapping_scrape *s, const char *text, size_t len);

/* Quantile q (0..1) of a cumulative histogram given as (le, cum) pairs in any order, the
 * way Prometheus' histogram_quantile estimates it: linear within the bucket the rank falls
 * in. NAN with no observation; the largest finite bound when the rank falls in +Inf. */
double up_histogram_quantile(const double *le, const double *cum, size_t n, double q);

/* The panel's state across ticks: the last scrape and a few readings per pair for rates. */
struct up_ui_mappings;

struct up_ui_mappings *up_ui_mappings_new(void);
void up_ui_mappings_free(struct up_ui_mappings *m);
/* A complete scrape (every stream process answered) taken at now_ms. */
void up_ui_mappings_update(struct up_ui_mappings *m, const struct up_mapping_scrape *s,
                           int64_t now_ms);
/* A tick where some process did not answer: the sums would be short, so the rows are kept
 * but marked stale and their rates unknown until a complete scrape. */
void up_ui_mappings_mark_stale(struct up_ui_mappings *m);
/* Appends the panel's JSON object: {"available":bool,"stale":bool,"dropped":N,"rows":[...]}
 * with one row per topic -> table (doc: docs/ui.md, "Mappings"). */
void up_ui_mappings_json(const struct up_ui_mappings *m, struct up_buf *out);

#endif
