/* web/ui_cluster: the dashboard's view of the nodes. Every Kafka broker, from the metadata,
 * the bootstrap list and the memory of brokers seen before (a broker that left the metadata,
 * or a bootstrap address that never answered, is down), with the active controller; and every
 * Cassandra node the CQL client knows, with its state. Bookkeeping and JSON only: the requests
 * are made by web/ui_health (Kafka) and web/ui_cassandra (CQL). */
#ifndef UP_WEB_UI_CLUSTER_H
#define UP_WEB_UI_CLUSTER_H

#include "core/buf.h"
#include "cql/cql.h"
#include "kafka/inspect.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ui_broker {
    int32_t id;         /* -1: never listed by the metadata (a bootstrap address) */
    char address[280];  /* host:port, as the metadata names it (or as configured) */
    char resolved[280]; /* a configured host name resolved to its IP, for matching; "" = none */
    bool up;            /* listed by the latest metadata */
    bool bootstrap;     /* in the configured bootstrap list */
};

struct ui_brokers {
    struct ui_broker *v;
    size_t n;
};

/* The bootstrap list as librdkafka takes it: "host:port[,host:port..]", optional
 * "PLAINTEXT://"-style prefixes, port 9092 by default, [v6]:port. Every entry starts down. */
void ui_brokers_init(struct ui_brokers *b, const char *bootstrap);
void ui_brokers_free(struct ui_brokers *b);

/* The latest metadata: listed brokers are up (new ones added, a bootstrap address listed gets
 * its id), every other is down. md == NULL: the request failed, so nobody is known up. */
void ui_brokers_update(struct ui_brokers *b, const struct up_broker_info *md, size_t n);

/* {"brokers":[{"id","address","up","controller","bootstrap"},..],"controller_id",
 * "controller_source","error"}, brokers by id (unknown ids last). controller < 0: unknown;
 * source says how it was learned, error why the metadata failed (both NULL-able). */
void ui_brokers_json(const struct ui_brokers *b, int32_t controller, const char *source,
                     const char *error, struct up_buf *out);

/* {"nodes":[{"address","dc","rack","up","control","contact","tokens","status_event",
 * "detail"},..],"up","known","error"}, by address. status[i] is the last STATUS_CHANGE the
 * cluster pushed about host i ("UP", "DOWN", or NULL: none); a node is up when the client has
 * a ready connection to it and the cluster did not last report it DOWN. */
void ui_nodes_json(const struct cql_host_info *hosts, const char *const *status, size_t n,
                   const char *error, struct up_buf *out);

#endif
