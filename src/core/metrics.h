/* metrics: a Prometheus registry of counters, gauges and histograms with labels,
 * rendered in the text exposition format (version 0.0.4). Updates are lock-free
 * atomics so hot loops can count; only creating a series and rendering take a lock.
 * Metric and label names follow Prometheus' naming rules (userpipe_<cmd>_<what>_<unit>). */
#ifndef UP_CORE_METRICS_H
#define UP_CORE_METRICS_H

#include "core/buf.h"

#include <stddef.h>

enum up_metric_type { UP_METRIC_COUNTER, UP_METRIC_GAUGE, UP_METRIC_HISTOGRAM };

struct up_registry;
struct up_metric; /* a family: name, help, type, label names */
struct up_series; /* one labelled time series of a family */

/* The process-wide registry that --metrics serves. */
struct up_registry *up_registry_default(void);
struct up_registry *up_registry_new(void);
void up_registry_free(struct up_registry *r);

/* labels: comma-separated label names ("topic,partition"), or NULL for none.
 * buckets (histograms only): increasing upper bounds; NULL = latency defaults in seconds.
 * Registering a name twice returns the first family. */
struct up_metric *up_metric_new(struct up_registry *r, enum up_metric_type type, const char *name,
                                const char *help, const char *labels, const double *buckets,
                                size_t nbuckets);
/* A counter or gauge (no labels) whose value is read from fn(ctx) at each scrape. */
void up_metric_fn(struct up_registry *r, enum up_metric_type type, const char *name,
                  const char *help, double (*fn)(void *ctx), void *ctx);
/* Adds process_resident_memory_bytes, process_cpu_seconds_total, process_start_time_seconds. */
void up_registry_add_process_metrics(struct up_registry *r);

/* The series for these label values (as many as the family has label names);
 * created on first use. Keep the pointer: lookups take a lock. */
struct up_series *up_metric_labels(struct up_metric *m, const char *const *values);
/* The single series of a family without labels. */
struct up_series *up_metric_series(struct up_metric *m);

void up_series_add(struct up_series *s, double v);     /* counters and gauges */
void up_series_set(struct up_series *s, double v);     /* gauges */
void up_series_observe(struct up_series *s, double v); /* histograms */
double up_series_value(const struct up_series *s);
unsigned long long up_series_count(const struct up_series *s); /* histograms */
/* Estimated quantile (0..1) from a histogram's buckets; NAN when empty. */
double up_series_quantile(const struct up_series *s, double q);

void up_metrics_render(struct up_registry *r, struct up_buf *out);

#endif
