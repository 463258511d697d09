/* web/metrics_server: the --metrics endpoint every command can open. Serves the
 * registry as Prometheus text at GET /metrics (and a short index at /), from
 * libmicrohttpd's own thread, so a scrape never waits on the pipeline's loop. */
#ifndef UP_WEB_METRICS_SERVER_H
#define UP_WEB_METRICS_SERVER_H

#include "core/metrics.h"
#include "web/listen.h"

#include <stddef.h>
#include <stdint.h>

struct up_metrics_server;

/* host_port: "127.0.0.1:9464", ":9464" (all interfaces) or "localhost:0" (any free port).
 * NULL + a message in err when the address is bad or taken. */
struct up_metrics_server *up_metrics_server_start(const char *host_port, struct up_registry *reg,
                                                  char *err, size_t errlen);
uint16_t up_metrics_server_port(const struct up_metrics_server *s);
void up_metrics_server_stop(struct up_metrics_server *s);

#endif
