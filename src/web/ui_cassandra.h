/* web/ui_cassandra: the dashboard's questions to Cassandra, through our CQL client: does it
 * answer (and which version), and roughly how many rows the users table holds. The count is
 * Cassandra's own size estimate (system.size_estimates, refreshed by the node every few
 * minutes), never a full-table COUNT; the exact number of rows stored comes from the
 * stream's metrics instead; and which nodes there are and whether each is up. One session,
 * discovering every node from the contact points, opened on first use and again once no node
 * answers. */
#ifndef UP_WEB_UI_CASSANDRA_H
#define UP_WEB_UI_CASSANDRA_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ui_cassandra;

/* TLS to the nodes, as --cassandra-tls, --cassandra-tls-ca-file, --cassandra-tls-no-verify. */
struct ui_cassandra_tls {
    bool on;
    const char *ca_file; /* NULL: the system's CA store */
    bool verify;
};

/* Copies what it is given (user and password may be NULL: no credentials offered); the
 * password is wiped when freed. Where the password comes from is the command's business. */
struct ui_cassandra *ui_cassandra_new(const char *contact_points, const char *user,
                                      const char *password, const struct ui_cassandra_tls *tls,
                                      const char *keyspace, const char *table);
void ui_cassandra_free(struct ui_cassandra *c);

/* The up_ui_health_config.cassandra_probe: blocking, bounded by short timeouts. */
void ui_cassandra_probe(void *ctx, int *up, char *detail, size_t detail_len,
                        int64_t *rows_estimate);

/* The up_ui_health_config.cassandra_nodes: every node the client knows (discovered from
 * system.peers) with its state, as web/ui_cluster's ui_nodes_json renders it. Polls the
 * session for a few milliseconds first, so a closed connection or a pushed event shows up
 * within a tick. Before the first connect, or while none works, the nodes last seen, down. */
void ui_cassandra_nodes(void *ctx, struct up_buf *out);

#endif
