/* web/ui_health: the pipeline-health side of the dashboard. One thread polls, once a second,
 * what a data engineer watches: the topic's watermarks (produce rate), the stream group's
 * committed offsets (consume rate, lag per partition in records and seconds, without joining
 * the group), the stream's own --metrics (rows stored, store rate), every broker and
 * Cassandra node with its state (web/ui_cluster), and whether Kafka,
 * Cassandra, the stream and Airflow answer. A second thread reads the DLQ topic and counts
 * its records by the userpipe.error.reason header. Everything is kept as ready-made JSON,
 * so serving a browser costs a string copy. Cassandra is asked cheap questions only (its
 * version, and the table's size estimate every 30 s), never a full-table COUNT. */
#ifndef UP_WEB_UI_HEALTH_H
#define UP_WEB_UI_HEALTH_H

#include "core/buf.h"
#include "core/flags.h"
#include "core/metrics.h"

#include <stddef.h>
#include <stdint.h>

struct up_ui_health_config {
    const char *brokers;
    const struct up_str_list *props;
    const char *topic;              /* the pipeline's topic: users_queue */
    const char *dlq;                /* its dead-letter topic; NULL = none */
    const char *group;              /* the stream's consumer group, inspected, never joined */
    const char *stream_metrics_url; /* http://host:port/metrics of `userpipe stream`; NULL = none */
    const char *airflow_url;        /* linked from the page and probed; NULL = none */
    /* Cassandra's probe (web/ui_cassandra): called every 10 s on the poll thread; fills up
     * (1/0), a detail line and the table's estimated row count (-1 unknown). NULL = not
     * watched. */
    void (*cassandra_probe)(void *ctx, int *up, char *detail, size_t detail_len,
                            int64_t *rows_estimate);
    /* Appends the Cassandra nodes' JSON object (web/ui_cassandra's ui_cassandra_nodes), once
     * a second on the poll thread, with cassandra_ctx. NULL = not shown. */
    void (*cassandra_nodes)(void *ctx, struct up_buf *out);
    void *cassandra_ctx;
    int interval_ms; /* 0 = 1000 */
    struct up_registry *reg;
};

struct up_ui_health;

/* Starts the pollers. The config's strings are copied. NULL + err when a poller's thread
 * cannot be created (nothing is left running). */
struct up_ui_health *up_ui_health_start(const struct up_ui_health_config *cfg, char *err,
                                        size_t errlen);
void up_ui_health_stop(struct up_ui_health *h);

/* Malloc'ed JSON documents (free() them); never NULL. */
char *up_ui_health_json(struct up_ui_health *h);         /* the latest health snapshot */
char *up_ui_health_history_json(struct up_ui_health *h); /* rates and lag, last 10 minutes */
char *up_ui_health_topics_json(struct up_ui_health *h);  /* every topic, partitions, retention */
char *up_ui_health_dlq_json(struct up_ui_health *h);     /* counts by reason + recent records */
/* {"kafka": every broker, up or down, and the active controller; "cassandra": every node and
 * its state} (web/ui_cluster); also the "cluster" member of the health snapshot. */
char *up_ui_health_cluster_json(struct up_ui_health *h);

#endif
