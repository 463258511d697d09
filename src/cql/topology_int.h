/* topology_int: private to the library: the hosts of a session, discovery (system.local,
 * system.peers_v2 or system.peers), the control connection with its events, and the token
 * ring that routes requests (topology.c). session.c owns the connections and calls in here
 * when one becomes ready or closes. */
#ifndef UP_CQL_TOPOLOGY_INT_H
#define UP_CQL_TOPOLOGY_INT_H

#include "cql/session_int.h"

/* The host with this address (added once; a removed host found again is revived). */
struct cql_host *cql_host_add(struct cql_session *s, const struct sockaddr *sa, socklen_t len,
                              const char *server_name);
void cql_host_free(struct cql_host *h);

/* Reads system.local and the peers through the control connection: tokens, partitioner,
 * the other nodes. Called once at connect. */
int cql_topology_discover(struct cql_session *s, struct cql_error *err);
/* Picks a READY connection as the control connection (when there is none) and REGISTERs it
 * for events. */
void cql_topology_elect_control(struct cql_session *s);
/* Re-reads the peers in the background (after a topology event or a new control node). */
void cql_topology_refresh(struct cql_session *s);
/* The connection hook for EVENT frames. */
void cql_topology_on_event(void *owner, struct cql_conn *c, const struct cql_frame *f);

#endif
