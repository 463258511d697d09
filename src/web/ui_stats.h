/* web/ui_stats: the arithmetic behind the dashboard's health view, free of I/O so it can be
 * tested on plain numbers: reading sums out of Prometheus text (the stream's --metrics),
 * rates from successive counter readings, numbers as JSON, and lag in seconds estimated from
 * the history of a partition's high watermark (the interpolation kafka-lag-exporter uses:
 * the record at the committed offset was written when the high watermark passed it). */
#ifndef UP_WEB_UI_STATS_H
#define UP_WEB_UI_STATS_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sums every sample of metric `name` (any labels) in Prometheus text format. With label
 * and label_value set, only samples carrying label="label_value". false when no sample of
 * that name is present (or the text is malformed around it). */
bool up_prom_sum(const char *text, size_t len, const char *name, const char *label,
                 const char *label_value, double *sum);

/* A number in JSON: null when unknown (not finite), counts as exact integers. */
void up_json_num(struct up_buf *b, double v);

/* A ring of (time, value) samples: a counter's readings over the last minutes. */
#define UP_SERIES_CAP 600

struct up_sample_ring {
    int64_t t_ms[UP_SERIES_CAP];
    double v[UP_SERIES_CAP];
    size_t head, count; /* oldest at head */
};

void up_ring_push(struct up_sample_ring *r, int64_t t_ms, double v);
/* i-th oldest sample, 0 <= i < count. */
void up_ring_get(const struct up_sample_ring *r, size_t i, int64_t *t_ms, double *v);
/* Per-second increase between the newest sample and the oldest one at most window_ms old
 * (at least two samples needed; NAN otherwise). A counter reset (value going down) gives 0
 * over that step rather than a negative rate. */
double up_ring_rate(const struct up_sample_ring *r, int64_t window_ms);

/* Seconds the record at `committed` has been waiting, given the history of the partition's
 * high watermark (samples of next-offset-to-write in r) and the time now. 0 when nothing
 * waits; when the record is older than the whole history, the age of the oldest sample
 * (a lower bound) and *lower_bound set. */
double up_lag_seconds(const struct up_sample_ring *high_history, int64_t committed, int64_t now_ms,
                      bool *lower_bound);

#endif
