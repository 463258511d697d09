/* verify/lookup: the keys looked up in pages of concurrent prepared SELECTs (lookup.h). */
#include "verify/lookup.h"

#include "core/buf.h"
#include "verify/target.h"

#include <stdio.h>
#include <stdlib.h>

const char *up_vcheck_name(enum up_vcheck c)
{
    static const char *const names[UP_VCHECK_COUNT] = {"present", "absent",     "missing",
                                                       "stale",   "unexpected", "failed"};
    return c < UP_VCHECK_COUNT ? names[c] : "unknown";
}

enum up_vcheck up_vcheck_classify(bool deletes, bool row, int64_t row_us, int64_t write_us)
{
    if (deletes)
        return row ? UP_VCHECK_UNEXPECTED : UP_VCHECK_ABSENT;
    if (!row)
        return UP_VCHECK_MISSING;
    if (row_us >= 0 && write_us >= 0 && row_us < write_us)
        return UP_VCHECK_STALE;
    return UP_VCHECK_PRESENT;
}

struct run;

/* One lookup in flight: which entry it is for. */
struct slot {
    struct run *run;
    size_t entry;
    struct slot *next_free;
};

struct run {
    const struct up_vlookup_config *cfg;
    const struct up_vindex *ix;
    struct slot *slots, *free_slots;
};

/* The row's WRITETIME, or -1 when null or not asked. */
static int64_t row_time(const struct run *run, const cql_result *r)
{
    if (!run->cfg->compares_time)
        return -1;
    struct cql_value v = cql_result_cell(r, 0, 0);
    int64_t us;
    return cql_value_get_int64(&v, &us) == CQL_OK ? us : -1;
}

static void on_result(void *opaque, cql_result *result, const struct cql_error *err)
{
    struct slot *s = opaque;
    struct run *run = s->run;
    const struct up_vindex_entry *e = up_vindex_at(run->ix, s->entry);
    if (!result) {
        run->cfg->fn(run->cfg->ctx, e, UP_VCHECK_FAILED, -1, err);
    } else {
        bool row = cql_result_row_count(result) > 0;
        int64_t row_us = row ? row_time(run, result) : -1;
        run->cfg->fn(run->cfg->ctx, e, up_vcheck_classify(e->deletes, row, row_us, e->write_us),
                     row_us, NULL);
    }
    s->next_free = run->free_slots;
    run->free_slots = s;
}

/* Binds entry i's key; false when the key does not split into the statement's columns. */
static bool bind_key(cql_statement *st, const struct up_vindex *ix, size_t i, size_t nparams)
{
    const struct up_vindex_entry *e = up_vindex_at(ix, i);
    const uint8_t *values[UP_VTARGET_MAX_KEYS];
    int32_t lens[UP_VTARGET_MAX_KEYS];
    size_t n =
        up_vtarget_key_split(up_vindex_key(ix, e), e->key_len, values, lens, UP_VTARGET_MAX_KEYS);
    if (n != nparams)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lens[k] < 0 || cql_statement_bind_raw(st, k, values[k], (size_t)lens[k]) != CQL_OK)
            return false;
    return true;
}

static int submit(struct run *run, cql_statement *st, size_t i, char *err, size_t errlen)
{
    const struct up_vlookup_config *cfg = run->cfg;
    if (!bind_key(st, run->ix, i, cql_prepared_param_count(cfg->select))) {
        struct cql_error e;
        cql_error_set(&e, CQL_ERR_BAD_PARAMS, "the key does not fit the lookup statement");
        cfg->fn(cfg->ctx, up_vindex_at(run->ix, i), UP_VCHECK_FAILED, -1, &e);
        return 0;
    }
    struct slot *s = run->free_slots;
    run->free_slots = s->next_free;
    s->entry = i;
    struct cql_error e;
    while (cql_session_execute(cfg->session, st, on_result, s, &e) != 0) {
        if (e.code != CQL_ERR_QUEUE_FULL) {
            char why[640];
            cql_error_format(&e, why, sizeof why);
            snprintf(err, errlen, "looking a row up: %s", why);
            s->next_free = run->free_slots;
            run->free_slots = s;
            return -1;
        }
        cql_session_poll(cfg->session, 10);
    }
    return 0;
}

int up_vlookup_run(const struct up_vlookup_config *cfg, const struct up_vindex *ix, char *err,
                   size_t errlen)
{
    struct run run = {.cfg = cfg, .ix = ix};
    size_t nslots = cfg->concurrency ? cfg->concurrency : 1;
    run.slots = up_xcalloc(nslots, sizeof *run.slots);
    for (size_t i = 0; i < nslots; i++) {
        run.slots[i].run = &run;
        run.slots[i].next_free = run.free_slots;
        run.free_slots = &run.slots[i];
    }
    cql_statement *st = cql_prepared_bind(cfg->select);
    cql_statement_set_consistency(st, cfg->consistency);
    cql_statement_set_idempotent(st, true);
    int rc = 0;
    size_t n = up_vindex_count(ix);
    for (size_t i = 0; i < n && rc == 0;) {
        if (cfg->stop && cfg->stop()) {
            snprintf(err, errlen, "stopped after %zu of %zu lookups", i, n);
            rc = -1;
        } else if (run.free_slots) {
            rc = submit(&run, st, i++, err, errlen);
        } else {
            cql_session_poll(cfg->session, 100);
        }
    }
    /* Every callback must run before the slots go away, stopped or not. */
    while (cql_session_in_flight(cfg->session) > 0)
        cql_session_poll(cfg->session, 100);
    cql_statement_free(st);
    free(run.slots);
    return rc;
}
