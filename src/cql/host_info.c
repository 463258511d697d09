/* cql/host_info: the session's nodes as plain values, for callers that show them. Kept out
 * of session.c: it only reads the state that file maintains. */
#include "cql/cql.h"
#include "cql/session_int.h"

#include <stdio.h>
#include <string.h>

static void fill(const struct cql_session *s, const struct cql_host *h, struct cql_host_info *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->address, sizeof o->address, "%s", h->label);
    snprintf(o->dc, sizeof o->dc, "%s", h->dc);
    snprintf(o->rack, sizeof o->rack, "%s", h->rack);
    o->up = h->up;
    o->contact = h->contact;
    o->control = s->control && s->control->host == h;
    o->ntokens = h->ntokens;
    o->failures = h->failures;
    if (h->failures)
        snprintf(o->last_error, sizeof o->last_error, "%.255s", h->last_error.message);
    o->requests = h->requests;
    o->errors = h->errors;
    o->reprepares = h->reprepares;
    o->timeouts = h->timeouts;
    o->suspect = h->suspect;
}

size_t cql_session_hosts(const cql_session *s, struct cql_host_info *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nhosts; i++) {
        const struct cql_host *h = s->hosts[i];
        if (h->removed)
            continue;
        if (n < max)
            fill(s, h, &out[n]);
        n++;
    }
    return n;
}
