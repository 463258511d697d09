/* mapping/plan: the schema check, the prepared statements, and record -> bound statements
 * (plan.h). */
#include "mapping/plan.h"

#include "core/buf.h"
#include "mapping/convert.h"
#include "mapping/mapping_int.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One mapped column of the INSERT. */
struct bind_col {
    const struct up_map_column *col;
    const cql_data_type *type;
    size_t marker;     /* its '?' in the INSERT */
    bool primary_key;  /* null refused */
    int delete_marker; /* its '?' in the DELETE, -1 when not a key column */
};

struct table_plan {
    const struct up_map_table *t;
    const struct up_map_codec *codec;
    char target[128];
    cql_prepared *insert, *del; /* del NULL: no deletes (disabled, or a key from the value) */
    struct bind_col *cols;
    size_t ncols;
    int ttl_marker;            /* -1: no USING TTL */
    size_t ts_marker;          /* the DELETE binds its write time at marker 0 */
    bool idempotent;           /* false with now(): every attempt makes a new timeuuid */
    const char *no_delete_why; /* deletes enabled but impossible: the reason, for the DLQ */
};

struct up_map_plan {
    const struct up_mapping *m;
    struct table_plan *tables;
    size_t n;
};

/* ---- reading the schema ------------------------------------------------------------------ */

struct schema_col {
    char *name, *kind, *type;
};

struct schema {
    struct schema_col *cols;
    size_t n;
};

static void schema_free(struct schema *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->cols[i].name);
        free(s->cols[i].kind);
        free(s->cols[i].type);
    }
    free(s->cols);
    *s = (struct schema){0};
}

static char *cell_text(const cql_result *r, size_t row, size_t col)
{
    struct cql_value v = cql_result_cell(r, row, col);
    const char *s;
    size_t len;
    if (cql_value_get_text(&v, &s, &len) != CQL_OK)
        return up_xstrdup("");
    return up_xstrndup(s, len);
}

/* Runs a query with text parameters; the result or -1 with the formatted error. */
static int query(cql_session *s, const char *cql, const char *a, const char *b, cql_result **out,
                 bool *retryable, char *err, size_t errlen)
{
    cql_statement *st = cql_statement_new(cql, b ? 2 : 1);
    cql_statement_bind_text(st, 0, a, strlen(a));
    if (b)
        cql_statement_bind_text(st, 1, b, strlen(b));
    struct cql_error e;
    int rc = cql_session_execute_sync(s, st, out, &e);
    cql_statement_free(st);
    if (rc != 0) {
        *retryable = cql_error_is_retryable(e.code);
        char why[640];
        cql_error_format(&e, why, sizeof why);
        snprintf(err, errlen, "reading the schema: %s", why);
    }
    return rc;
}

static int read_schema(cql_session *s, const struct up_map_table *t, struct schema *out,
                       bool *exists_ks, bool *retryable, char *err, size_t errlen)
{
    cql_result *r;
    if (query(s,
              "SELECT column_name, kind, type FROM system_schema.columns "
              "WHERE keyspace_name = ? AND table_name = ?",
              t->keyspace, t->table, &r, retryable, err, errlen) != 0)
        return -1;
    size_t n = cql_result_row_count(r);
    out->cols = up_xcalloc(n ? n : 1, sizeof *out->cols);
    for (size_t i = 0; i < n; i++)
        out->cols[out->n++] =
            (struct schema_col){cell_text(r, i, 0), cell_text(r, i, 1), cell_text(r, i, 2)};
    cql_result_free(r);
    *exists_ks = true;
    if (n == 0) {
        if (query(s, "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                  t->keyspace, NULL, &r, retryable, err, errlen) != 0)
            return -1;
        *exists_ks = cql_result_row_count(r) > 0;
        cql_result_free(r);
    }
    return 0;
}

static const struct schema_col *schema_find(const struct schema *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return &s->cols[i];
    return NULL;
}

static bool is_key_kind(const char *kind)
{
    return strcmp(kind, "partition_key") == 0 || strcmp(kind, "clustering") == 0;
}

/* ---- the checks -------------------------------------------------------------------------- */

struct open_ctx {
    const struct up_mapping *m;
    char *err;
    size_t errlen;
};

static int refuse_at(struct open_ctx *o, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse_at(struct open_ctx *o, int line, int col, const char *fmt, ...)
{
    char msg[UP_MAP_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    up_map_fail(o->err, o->errlen, o->m->file, line, col, "%s", msg);
    return -1;
}

static void list_columns(const struct schema *s, struct up_buf *out)
{
    for (size_t i = 0; i < s->n; i++)
        up_buf_printf(out, "%s%s", i ? ", " : "", s->cols[i].name);
}

static int check_columns(struct open_ctx *o, const struct up_map_table *t, const struct schema *s)
{
    for (size_t i = 0; i < t->ncols; i++) {
        const struct up_map_column *c = &t->cols[i];
        const struct schema_col *sc = c->role == UP_MAP_COLUMN ? schema_find(s, c->column) : NULL;
        /* Counters first: the node would refuse the whole INSERT without naming the column. */
        if (sc && strcmp(sc->type, "counter") == 0)
            return refuse_at(o, c->line, c->col,
                             "column '%s': a counter column cannot be written by a mapping "
                             "(counters are updated, not set)",
                             c->column);
        if (sc && c->source == UP_MAP_NOW && strcmp(sc->type, "timeuuid") != 0 &&
            strcmp(sc->type, "uuid") != 0)
            return refuse_at(o, c->line, c->col, "now() makes a timeuuid; column '%s' is a %s",
                             c->column, sc->type);
        if (c->role != UP_MAP_COLUMN || sc)
            continue;
        struct up_buf cols = UP_BUF_INIT;
        list_columns(s, &cols);
        refuse_at(o, c->line, c->col, "%s.%s has no column '%s' (its columns: %s)", t->keyspace,
                  t->table, c->column, cols.data);
        up_buf_free(&cols);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!is_key_kind(s->cols[i].kind))
            continue;
        bool mapped = false;
        for (size_t j = 0; j < t->ncols && !mapped; j++)
            mapped =
                t->cols[j].role == UP_MAP_COLUMN && strcmp(t->cols[j].column, s->cols[i].name) == 0;
        if (!mapped)
            return refuse_at(o, t->line, t->col,
                             "primary key column '%s' of %s.%s is not mapped: every key "
                             "column needs a value",
                             s->cols[i].name, t->keyspace, t->table);
    }
    return 0;
}

/* ---- the statements ---------------------------------------------------------------------- */

static void put_ident(struct up_buf *b, const char *name)
{
    up_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            up_buf_putc(b, '"');
        up_buf_putc(b, *p);
    }
    up_buf_putc(b, '"');
}

static void put_table(struct up_buf *b, const struct up_map_table *t)
{
    put_ident(b, t->keyspace);
    up_buf_putc(b, '.');
    put_ident(b, t->table);
}

/* INSERT INTO "ks"."t" ("a", "b", "c") VALUES (?, ?, now()) [USING TTL ? AND] TIMESTAMP ?:
 * markers in column order (now() takes none), then TTL, then the write time. */
static void build_insert(struct table_plan *tp, struct up_buf *b)
{
    const struct up_map_table *t = tp->t;
    up_buf_puts(b, "INSERT INTO ");
    put_table(b, t);
    up_buf_puts(b, " (");
    size_t n = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        if (t->cols[i].role != UP_MAP_COLUMN)
            continue;
        up_buf_puts(b, n++ ? ", " : "");
        put_ident(b, t->cols[i].column);
    }
    up_buf_puts(b, ") VALUES (");
    n = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        if (t->cols[i].role != UP_MAP_COLUMN)
            continue;
        up_buf_puts(b, n++ ? ", " : "");
        up_buf_puts(b, t->cols[i].source == UP_MAP_NOW ? "now()" : "?");
    }
    up_buf_puts(b, ") USING ");
    if (tp->ttl_marker >= 0)
        up_buf_puts(b, "TTL ? AND ");
    up_buf_puts(b, "TIMESTAMP ?");
}

/* DELETE FROM "ks"."t" USING TIMESTAMP ? WHERE "k1" = ? AND "k2" = ? */
static void build_delete(struct table_plan *tp, const struct schema *s, struct up_buf *b)
{
    up_buf_puts(b, "DELETE FROM ");
    put_table(b, tp->t);
    up_buf_puts(b, " USING TIMESTAMP ? WHERE ");
    int marker = 1;
    for (size_t i = 0; i < tp->ncols; i++) {
        const struct schema_col *sc = schema_find(s, tp->cols[i].col->column);
        if (!sc || !is_key_kind(sc->kind))
            continue;
        up_buf_puts(b, marker > 1 ? " AND " : "");
        put_ident(b, sc->name);
        up_buf_puts(b, " = ?");
        tp->cols[i].delete_marker = marker++;
    }
}

static int prepare(cql_session *s, const char *cql, cql_prepared **out, bool *retryable, char *err,
                   size_t errlen)
{
    struct cql_error e;
    if (cql_session_prepare_sync(s, cql, out, &e) == 0)
        return 0;
    *retryable = cql_error_is_retryable(e.code);
    char why[640];
    cql_error_format(&e, why, sizeof why);
    snprintf(err, errlen, "preparing %.120s: %s", cql, why);
    return -1;
}

/* The mapped columns in INSERT order with their marker types; type checks at their place. */
static int plan_columns(struct open_ctx *o, struct table_plan *tp, const struct schema *s)
{
    const struct up_map_table *t = tp->t;
    tp->cols = up_xcalloc(t->ncols, sizeof *tp->cols);
    size_t marker = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct up_map_column *c = &t->cols[i];
        if (c->role != UP_MAP_COLUMN)
            continue;
        const struct schema_col *sc = schema_find(s, c->column);
        if (c->source == UP_MAP_NOW) { /* its type was checked with the columns */
            tp->idempotent = false;
            continue;
        }
        const cql_data_type *type = cql_prepared_param_type(tp->insert, marker);
        char why[160];
        if (!up_convert_supported(type, why, sizeof why))
            return refuse_at(o, c->line, c->col, "column '%s': %s", c->column, why);
        tp->cols[tp->ncols++] = (struct bind_col){.col = c,
                                                  .type = type,
                                                  .marker = marker++,
                                                  .primary_key = is_key_kind(sc->kind),
                                                  .delete_marker = -1};
    }
    tp->ts_marker = marker + (tp->ttl_marker >= 0);
    return 0;
}

static int open_table(struct open_ctx *o, cql_session *s, struct table_plan *tp, bool *usage,
                      bool *retryable)
{
    const struct up_map_table *t = tp->t;
    struct schema sch = {0};
    bool ks_exists;
    *usage = false;
    if (read_schema(s, t, &sch, &ks_exists, retryable, o->err, o->errlen) != 0)
        return -1;
    *usage = true;
    int rc = 0;
    if (sch.n == 0 && !ks_exists)
        rc = refuse_at(o, t->line, t->col, "keyspace %s does not exist (for table %s.%s)",
                       t->keyspace, t->keyspace, t->table);
    else if (sch.n == 0)
        rc = refuse_at(o, t->line, t->col,
                       "table %s.%s does not exist: create it first (userpipe does not create "
                       "mapped tables)",
                       t->keyspace, t->table);
    if (rc == 0)
        rc = check_columns(o, t, &sch);
    struct up_buf cql = UP_BUF_INIT;
    tp->ttl_marker = t->ttl >= 0 || t->ttl_col >= 0 ? 0 : -1;
    tp->idempotent = true;
    if (rc == 0) {
        build_insert(tp, &cql);
        *usage = false;
        rc = prepare(s, cql.data, &tp->insert, retryable, o->err, o->errlen);
        *usage = rc != 0 && !*retryable;
    }
    if (rc == 0) {
        *usage = true;
        rc = plan_columns(o, tp, &sch);
    }
    if (rc == 0 && tp->ttl_marker >= 0)
        tp->ttl_marker = (int)tp->ts_marker - 1;
    if (rc == 0 && t->deletes_enabled) {
        up_buf_clear(&cql);
        build_delete(tp, &sch, &cql);
        for (size_t i = 0; i < tp->ncols && !tp->no_delete_why; i++)
            if (tp->cols[i].primary_key && tp->cols[i].col->source == UP_MAP_VALUE)
                tp->no_delete_why = "a primary key column comes from the value";
        if (!tp->no_delete_why) {
            *usage = false;
            rc = prepare(s, cql.data, &tp->del, retryable, o->err, o->errlen);
            *usage = rc != 0 && !*retryable;
        }
    }
    up_buf_free(&cql);
    schema_free(&sch);
    if (rc == 0)
        *usage = false; /* a table without a DELETE (its key from the value) ends here too */
    return rc;
}

int up_map_plan_open(cql_session *s, const struct up_mapping *m, struct up_map_plan **out,
                     bool *usage, bool *retryable, char *err, size_t errlen)
{
    *out = NULL;
    *usage = *retryable = false;
    struct up_map_plan *p = up_xcalloc(1, sizeof *p);
    p->m = m;
    p->tables = up_xcalloc(m->ntables, sizeof *p->tables);
    struct open_ctx o = {m, err, errlen};
    for (size_t i = 0; i < m->ntables; i++) {
        struct table_plan *tp = &p->tables[p->n++];
        tp->t = &m->tables[i];
        tp->codec = &up_mapping_topic(m, tp->t->topic)->codec;
        snprintf(tp->target, sizeof tp->target, "%s.%s", tp->t->keyspace, tp->t->table);
        if (open_table(&o, s, tp, usage, retryable) != 0) {
            up_map_plan_free(p);
            return -1;
        }
    }
    *out = p;
    return 0;
}

void up_map_plan_free(struct up_map_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (p->tables[i].insert)
            cql_prepared_free(p->tables[i].insert);
        if (p->tables[i].del)
            cql_prepared_free(p->tables[i].del);
        free(p->tables[i].cols);
    }
    free(p->tables);
    free(p);
}

size_t up_map_plan_tables(const struct up_map_plan *p)
{
    return p->n;
}

const char *up_map_plan_target(const struct up_map_plan *p, size_t table)
{
    return p->tables[table].target;
}

const char *up_map_plan_topic(const struct up_map_plan *p, size_t table)
{
    return p->tables[table].t->topic;
}

/* ---- record -> statements ---------------------------------------------------------------- */

/* The record read once for all its tables. */
struct parsed {
    json_t *key;                   /* NULL: no key */
    json_t *value;                 /* NULL: a tombstone */
    json_t *key_root, *value_root; /* what the owners hold (envelopes unwrapped from them) */
};

static int reject(struct up_map_reject *rej, enum up_map_stage stage, const char *reason,
                  const char *target, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int reject(struct up_map_reject *rej, enum up_map_stage stage, const char *reason,
                  const char *target, const char *fmt, ...)
{
    rej->stage = stage;
    rej->reason = reason;
    snprintf(rej->target, sizeof rej->target, "%s", target);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rej->detail, sizeof rej->detail, fmt, ap);
    va_end(ap);
    /* The detail goes into a Kafka header and a log line: printable ASCII only. */
    for (char *c = rej->detail; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
    return -1;
}

/* Reads one side of the record: JSON (falling back to text for a key, which is often a plain
 * id), or text. The connector's schemas.enable envelope is unwrapped to its payload. */
static int read_side(const void *p, size_t len, enum up_map_format format, bool envelope,
                     bool is_key, json_t **root, json_t **out, struct up_map_reject *rej)
{
    const char *what = is_key ? "key" : "value";
    *root = NULL;
    if (format == UP_MAP_JSON) {
        json_error_t e;
        *root = json_loadb(p, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
        if (!*root && !is_key)
            return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "",
                          "the value is not JSON: %s at byte %d", e.text, e.position);
    }
    if (!*root) {
        *root = json_stringn(p, len);
        if (!*root)
            return reject(rej, UP_MAP_STAGE_PARSE, "invalid_utf8", "", "the %s is not UTF-8 text",
                          what);
    }
    *out = *root;
    if (envelope && format == UP_MAP_JSON) {
        json_t *payload = json_is_object(*root) ? json_object_get(*root, "payload") : NULL;
        if (!payload || !json_object_get(*root, "schema"))
            return reject(rej, UP_MAP_STAGE_PARSE, "not_envelope", "",
                          "%s.converter.schemas.enable=true but the %s is not "
                          "{\"schema\": ..., \"payload\": ...}",
                          what, what);
        *out = payload;
    }
    return 0;
}

static void parsed_free(struct parsed *pr)
{
    json_decref(pr->key_root);
    json_decref(pr->value_root);
}

static int parse_record(const struct up_mapping *m, const struct up_map_record *r,
                        struct parsed *pr, struct up_map_reject *rej)
{
    *pr = (struct parsed){0};
    if (r->key && read_side(r->key, r->key_len, m->key_format, m->key_envelope, true, &pr->key_root,
                            &pr->key, rej) != 0)
        return -1;
    if (r->value && read_side(r->value, r->value_len, m->value_format, m->value_envelope, false,
                              &pr->value_root, &pr->value, rej) != 0)
        return -1;
    return 0;
}

/* The text of a source for messages: "value.a.b", "header.h", "key". */
static void source_name(const struct up_map_column *c, char *out, size_t outlen)
{
    static const char *const names[] = {"key", "value", "header", "now()"};
    int n = snprintf(out, outlen, "%s", names[c->source]);
    for (size_t i = 0; i < c->npath && n > 0 && (size_t)n < outlen; i++)
        n += snprintf(out + n, outlen - (size_t)n, ".%s", c->path[i]);
}

/* The JSON a column reads: borrowed, NULL when absent; -1 when a path goes through something
 * that is not an object. Headers come back as a new string in *owned. */
static int resolve(const struct up_map_record *r, const struct parsed *pr,
                   const struct up_map_column *c, const json_t **out, json_t **owned,
                   const char *target, struct up_map_reject *rej)
{
    *out = NULL;
    *owned = NULL;
    if (c->source == UP_MAP_HEADER) {
        const void *v;
        size_t len;
        if (r->header && r->header(r->header_ctx, c->path[0], &v, &len) && v) {
            *owned = json_stringn(v, len);
            if (!*owned)
                return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", target,
                              "column '%s': header '%s' is not UTF-8 text", c->column, c->path[0]);
            *out = *owned;
        }
        return 0;
    }
    const json_t *v = c->source == UP_MAP_KEY ? pr->key : pr->value;
    for (size_t i = 0; v && i < c->npath; i++) {
        if (!json_is_object(v)) {
            char name[128];
            source_name(c, name, sizeof name);
            return reject(rej, UP_MAP_STAGE_MAPPING, "not_object", target,
                          "column '%s': %s: the %s is not a JSON object there", c->column, name,
                          c->source == UP_MAP_KEY ? "key" : "value");
        }
        v = json_object_get(v, c->path[i]);
    }
    *out = json_is_null(v) ? NULL : v;
    return 0;
}

/* __ttl / __timestamp: a whole number in unit -> microseconds. */
static int special_micros(const json_t *v, enum up_time_unit unit, int64_t *micros)
{
    int64_t n;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end;
        n = strtoll(json_string_value(v), &end, 10);
        if (end == json_string_value(v) || *end)
            return -1;
    } else {
        return -1;
    }
    return up_time_unit_to_micros(n, unit, micros) ? 0 : -1;
}

static cql_statement *add_statement(struct up_map_writes *w, cql_prepared *p, size_t table,
                                    bool is_delete, const struct table_plan *tp)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->stmts = up_xrealloc(w->stmts, w->cap * sizeof *w->stmts);
        w->tables = up_xrealloc(w->tables, w->cap * sizeof *w->tables);
        w->is_delete = up_xrealloc(w->is_delete, w->cap * sizeof *w->is_delete);
    }
    cql_statement *st = cql_prepared_bind(p);
    cql_statement_set_consistency(st, tp->t->consistency);
    cql_statement_set_idempotent(st, tp->idempotent);
    w->stmts[w->n] = st;
    w->tables[w->n] = table;
    w->is_delete[w->n] = is_delete;
    w->n++;
    return st;
}

static int bind_delete(struct up_map_plan *p, size_t table, const struct up_map_record *r,
                       const struct parsed *pr, struct up_map_writes *w, struct up_map_reject *rej)
{
    struct table_plan *tp = &p->tables[table];
    if (!tp->del)
        return reject(rej, UP_MAP_STAGE_MAPPING, "tombstone", tp->target,
                      "a tombstone (null value) cannot delete from %s: %s", tp->target,
                      tp->no_delete_why);
    cql_statement *st = add_statement(w, tp->del, table, true, tp);
    cql_statement_bind_bigint(st, 0, r->timestamp_ms * 1000);
    struct up_buf buf = UP_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < tp->ncols && rc == 0; i++) {
        const struct bind_col *bc = &tp->cols[i];
        if (bc->delete_marker < 0)
            continue;
        const json_t *v;
        json_t *owned;
        rc = resolve(r, pr, bc->col, &v, &owned, tp->target, rej);
        char cerr[UP_CONV_ERR_LEN];
        up_buf_clear(&buf);
        if (rc == 0 && !v)
            rc = reject(rej, UP_MAP_STAGE_MAPPING, "missing_key", tp->target,
                        "primary key column '%s' has no value in the tombstone's key",
                        bc->col->column);
        else if (rc == 0 &&
                 up_convert_json(v, bc->type, tp->codec, &buf, cerr, sizeof cerr) != UP_CONV_OK)
            rc = reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target, "column '%s': %s",
                        bc->col->column, cerr);
        else if (rc == 0)
            cql_statement_bind_raw(st, (size_t)bc->delete_marker, buf.data ? buf.data : "",
                                   buf.len);
        json_decref(owned);
    }
    up_buf_free(&buf);
    return rc;
}

static int bind_column(const struct table_plan *tp, const struct bind_col *bc,
                       const struct up_map_record *r, const struct parsed *pr, cql_statement *st,
                       struct up_buf *buf, struct up_map_reject *rej)
{
    const json_t *v;
    json_t *owned;
    if (resolve(r, pr, bc->col, &v, &owned, tp->target, rej) != 0)
        return -1;
    int rc = 0;
    char cerr[UP_CONV_ERR_LEN], name[128];
    up_buf_clear(buf);
    enum up_conv c =
        v ? up_convert_json(v, bc->type, tp->codec, buf, cerr, sizeof cerr) : UP_CONV_NULL;
    if (c == UP_CONV_OK) {
        cql_statement_bind_raw(st, bc->marker, buf->data ? buf->data : "", buf->len);
    } else if (c == UP_CONV_ERROR) {
        source_name(bc->col, name, sizeof name);
        rc = reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target, "column '%s' (%s): %s",
                    bc->col->column, name, cerr);
    } else if (bc->primary_key) {
        source_name(bc->col, name, sizeof name);
        rc = reject(rej, UP_MAP_STAGE_MAPPING, "missing_key", tp->target,
                    "primary key column '%s': %s is absent or null", bc->col->column, name);
    } else if (tp->t->null_to_unset) {
        cql_statement_bind_unset(st, bc->marker);
    } else {
        cql_statement_bind_null(st, bc->marker);
    }
    json_decref(owned);
    return rc;
}

/* USING TTL and TIMESTAMP: from __ttl / __timestamp when mapped and present. */
static int bind_specials(const struct table_plan *tp, const struct up_map_record *r,
                         const struct parsed *pr, cql_statement *st, struct up_map_reject *rej)
{
    const struct up_map_table *t = tp->t;
    int64_t ts_us = r->timestamp_ms * 1000, micros;
    const json_t *v;
    json_t *owned;
    if (t->timestamp_col >= 0) {
        if (resolve(r, pr, &t->cols[t->timestamp_col], &v, &owned, tp->target, rej) != 0)
            return -1;
        int bad = v && (special_micros(v, t->timestamp_unit, &micros) != 0 || micros < 0);
        json_decref(owned);
        if (bad)
            return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target,
                          "__timestamp: not a whole number of %s since the epoch",
                          up_time_unit_name(t->timestamp_unit));
        if (v)
            ts_us = micros;
    }
    cql_statement_bind_bigint(st, tp->ts_marker, ts_us);
    if (tp->ttl_marker < 0)
        return 0;
    int64_t ttl = t->ttl;
    if (t->ttl_col >= 0) {
        if (resolve(r, pr, &t->cols[t->ttl_col], &v, &owned, tp->target, rej) != 0)
            return -1;
        int bad = v && (special_micros(v, t->ttl_unit, &micros) != 0 || micros < 0 ||
                        micros / 1000000 > 630720000);
        json_decref(owned);
        if (bad)
            return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target,
                          "__ttl: not a whole number of %s from 0 to 20 years",
                          up_time_unit_name(t->ttl_unit));
        if (v)
            ttl = micros / 1000000;
    }
    if (ttl >= 0)
        cql_statement_bind_int(st, (size_t)tp->ttl_marker, (int32_t)ttl);
    else
        cql_statement_bind_unset(st, (size_t)tp->ttl_marker);
    return 0;
}

static int bind_insert(struct up_map_plan *p, size_t table, const struct up_map_record *r,
                       const struct parsed *pr, struct up_map_writes *w, struct up_map_reject *rej)
{
    struct table_plan *tp = &p->tables[table];
    cql_statement *st = add_statement(w, tp->insert, table, false, tp);
    struct up_buf buf = UP_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < tp->ncols && rc == 0; i++)
        rc = bind_column(tp, &tp->cols[i], r, pr, st, &buf, rej);
    up_buf_free(&buf);
    if (rc == 0)
        rc = bind_specials(tp, r, pr, st, rej);
    return rc;
}

int up_map_plan_bind(struct up_map_plan *p, const struct up_map_record *r, struct up_map_writes *w,
                     struct up_map_reject *rej)
{
    up_map_writes_clear(w);
    struct parsed pr;
    if (parse_record(p->m, r, &pr, rej) != 0) {
        parsed_free(&pr);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++) {
        if (strcmp(p->tables[i].t->topic, r->topic) != 0)
            continue;
        bool tombstone = !r->value && p->tables[i].t->deletes_enabled;
        rc = tombstone ? bind_delete(p, i, r, &pr, w, rej) : bind_insert(p, i, r, &pr, w, rej);
    }
    parsed_free(&pr);
    if (rc != 0)
        up_map_writes_clear(w);
    return rc;
}

void up_map_writes_clear(struct up_map_writes *w)
{
    for (size_t i = 0; i < w->n; i++)
        cql_statement_free(w->stmts[i]);
    w->n = 0;
}

void up_map_writes_free(struct up_map_writes *w)
{
    up_map_writes_clear(w);
    free(w->stmts);
    free(w->tables);
    free(w->is_delete);
    *w = (struct up_map_writes){0};
}
