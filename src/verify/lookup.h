/* verify/lookup: every key of an index looked up in the table, one prepared SELECT per key
 * (verify/target.h), routed to a replica of its partition by the session (token-aware), at most
 * `concurrency` in flight; and the verdict on each row (up_vcheck_classify). Lookups are
 * idempotent, so the session retries them as it retries any read (docs/cql.md); one that still
 * fails is reported as failed, never as missing. */
#ifndef UP_VERIFY_LOOKUP_H
#define UP_VERIFY_LOOKUP_H

#include "cql/cql.h"
#include "verify/index.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum up_vcheck {
    UP_VCHECK_PRESENT,    /* a row, at least as new as its record */
    UP_VCHECK_ABSENT,     /* no row, and the record is a tombstone: as expected */
    UP_VCHECK_MISSING,    /* no row for a record that writes one */
    UP_VCHECK_STALE,      /* a row older than its record (WRITETIME < the record's write time) */
    UP_VCHECK_UNEXPECTED, /* a row where the record is a tombstone */
    UP_VCHECK_FAILED,     /* the lookup failed: nothing is known */
    UP_VCHECK_COUNT
};

/* "present", "absent", "missing", "stale", "unexpected", "failed". */
const char *up_vcheck_name(enum up_vcheck c);

/* The verdict. row: the SELECT found a row; row_us: its WRITETIME, -1 when null or not
 * compared; write_us: the record's write time, -1 when unknown (then never stale). */
enum up_vcheck up_vcheck_classify(bool deletes, bool row, int64_t row_us, int64_t write_us);

/* Called once per entry, from cql_session_poll on the caller's thread. row_us as above; err
 * set for UP_VCHECK_FAILED. */
typedef void (*up_vlookup_fn)(void *ctx, const struct up_vindex_entry *e, enum up_vcheck c,
                              int64_t row_us, const struct cql_error *err);

struct up_vlookup_config {
    cql_session *session;
    cql_prepared *select;
    bool compares_time; /* the SELECT's column is a WRITETIME */
    size_t concurrency; /* lookups in flight, >= 1 */
    enum cql_consistency consistency;
    up_vlookup_fn fn;
    void *ctx;
    bool (*stop)(void); /* polled between submissions: true ends the run early; NULL: never */
};

/* Looks every entry of ix up. 0 when each got its verdict, -1 + err when the run was
 * stopped or a request could not be submitted at all. */
int up_vlookup_run(const struct up_vlookup_config *cfg, const struct up_vindex *ix, char *err,
                   size_t errlen);

#endif
