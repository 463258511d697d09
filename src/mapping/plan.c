/* mapping/plan: the schema check, the prepared statements, and record -> bound statements
 * (plan.h). */
#include "mapping/plan.h"

#include "core/buf.h"
#include "core/record_json.h"
#include "core/utf8.h"
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
    bool text;         /* a text/varchar column: a string is bound as it is */
    int delete_marker; /* its '?' in the DELETE, -1 when not a key column */
};

struct table_plan {
    const struct up_map_table *t;
    int *field; /* per entry of t->cols: its first path name's index in the side's names, or -1 */
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

#define MAX_FIELDS 64 /* first-level names read per side (core/record_json's bound) */

/* The first-level member names one side (key or value) is read for, over every table. */
struct side_names {
    const char *names[MAX_FIELDS];
    size_t n;
    bool overflow; /* more names than MAX_FIELDS: the side is read as a jansson tree */
};

struct up_map_plan {
    const struct up_mapping *m;
    struct table_plan *tables;
    size_t n;
    struct side_names key_names, value_names;
    bool reads_key; /* a column takes the key or a field of it: else the key is not read */
    /* Per record, reused: the decoded strings of both sides, each side's members, and one
     * column's serialized value. The plan serves one thread. */
    struct up_buf text, value_buf;
    struct up_rj_field key_fields[MAX_FIELDS], value_fields[MAX_FIELDS];
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

void up_map_put_ident(struct up_buf *b, const char *name)
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
    up_map_put_ident(b, t->keyspace);
    up_buf_putc(b, '.');
    up_map_put_ident(b, t->table);
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
        up_map_put_ident(b, t->cols[i].column);
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
        up_map_put_ident(b, sc->name);
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
        tp->cols[tp->ncols++] =
            (struct bind_col){.col = c,
                              .type = type,
                              .marker = marker++,
                              .primary_key = is_key_kind(sc->kind),
                              .text = cql_data_type_id(type) == CQL_TYPE_VARCHAR,
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
            else if (tp->cols[i].primary_key && tp->cols[i].col->source > UP_MAP_NOW)
                tp->no_delete_why = "a primary key column comes from the record's position";
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

/* The index of name among the side's names, added when new; -1 past MAX_FIELDS. */
static int side_name(struct side_names *sn, const char *name)
{
    for (size_t i = 0; i < sn->n; i++)
        if (strcmp(sn->names[i], name) == 0)
            return (int)i;
    if (sn->n == MAX_FIELDS) {
        sn->overflow = true;
        return -1;
    }
    sn->names[sn->n] = name;
    return (int)sn->n++;
}

static void plan_fields(struct up_map_plan *p, struct table_plan *tp)
{
    const struct up_map_table *t = tp->t;
    tp->field = up_xcalloc(t->ncols ? t->ncols : 1, sizeof *tp->field);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct up_map_column *c = &t->cols[i];
        bool from_json = c->source == UP_MAP_KEY || c->source == UP_MAP_VALUE;
        p->reads_key |= c->source == UP_MAP_KEY;
        tp->field[i] =
            from_json && c->npath
                ? side_name(c->source == UP_MAP_KEY ? &p->key_names : &p->value_names, c->path[0])
                : -1;
    }
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
        plan_fields(p, tp);
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
        free(p->tables[i].field);
    }
    up_buf_free(&p->text);
    up_buf_free(&p->value_buf);
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

/* One side of the record (key or value) as read once for all its tables. JSON objects are
 * read in place (core/record_json): the members the mapping names, strings decoded into the
 * plan's text buffer, other values as spans of the text; a tree is made only for what a
 * column takes whole (`value` itself, an object or array for a collection or a UDT). */
struct side {
    bool present;         /* false: no key, or a tombstone */
    bool json;            /* read as JSON; false: text */
    enum up_rj_status rj; /* JSON: OK (an object: fields filled) or NOT_OBJECT */
    const char *text;     /* the side's bytes (the envelope's payload once unwrapped) */
    size_t len;
    size_t text_at;             /* text, not JSON: its NUL-terminated copy in the plan's text */
    struct up_rj_field *fields; /* rj == OK: per name of names */
    const struct side_names *names;
    json_t *tree; /* the whole side as a jansson tree, made when first needed */
};

/* The record read once for all its tables. */
struct parsed {
    struct side key, value;
};

static int reject(struct up_map_reject *rej, enum up_map_stage stage, const char *reason,
                  const char *target, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int reject(struct up_map_reject *rej, enum up_map_stage stage, const char *reason,
                  const char *target, const char *fmt, ...)
{
    rej->stage = stage;
    rej->reason = reason;
    rej->code = 0;
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

/* Reads JSON text with the side's names; a malformed text is refused as jansson would refuse
 * it (not UTF-8, not one JSON text, a name asked for given twice). */
static enum up_rj_status read_json(struct up_map_plan *p, struct side *sd, char *err, size_t errlen)
{
    return up_rj_parse(sd->text, sd->len, sd->names->names, sd->names->n, sd->fields, &p->text, err,
                       errlen);
}

/* The connector's schemas.enable envelope, {"schema": ..., "payload": ...}: its payload is
 * what the side reads. MALFORMED when the text is not JSON; *is_envelope false when it is
 * JSON of another shape. */
static enum up_rj_status read_envelope(struct up_map_plan *p, struct side *sd, bool *is_envelope,
                                       char *err, size_t errlen)
{
    static const char *const names[] = {"schema", "payload"};
    struct up_rj_field f[2];
    enum up_rj_status st = up_rj_parse(sd->text, sd->len, names, 2, f, &p->text, err, errlen);
    *is_envelope = st == UP_RJ_OK && f[0].state != UP_RJ_ABSENT && f[1].state != UP_RJ_ABSENT;
    if (!*is_envelope)
        return st;
    sd->text += f[1].raw_offset;
    sd->len = f[1].raw_length;
    return read_json(p, sd, err, errlen);
}

/* The side as a jansson tree, for names beyond MAX_FIELDS: envelope unwrapped. */
static enum up_rj_status read_tree(struct side *sd, bool envelope, bool *is_envelope, char *err,
                                   size_t errlen)
{
    json_error_t e;
    sd->tree = json_loadb(sd->text, sd->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
    if (!sd->tree) {
        snprintf(err, errlen, "%.100s at byte %d", e.text, e.position);
        return UP_RJ_MALFORMED;
    }
    *is_envelope = true;
    if (envelope) {
        json_t *payload = json_is_object(sd->tree) ? json_object_get(sd->tree, "payload") : NULL;
        *is_envelope = payload && json_object_get(sd->tree, "schema");
        json_incref(payload);
        json_decref(sd->tree);
        sd->tree = payload;
    }
    return json_is_object(sd->tree) ? UP_RJ_OK : UP_RJ_NOT_OBJECT;
}

/* Reads one side of the record: JSON (falling back to text for a key, which is often a plain
 * id), or text. The connector's schemas.enable envelope is unwrapped to its payload. */
static int read_side(struct up_map_plan *p, const void *bytes, size_t len,
                     enum up_map_format format, bool envelope, bool is_key, struct side *sd,
                     struct up_map_reject *rej)
{
    const char *what = is_key ? "key" : "value";
    *sd = (struct side){.present = true,
                        .text = bytes,
                        .len = len,
                        .names = is_key ? &p->key_names : &p->value_names,
                        .fields = is_key ? p->key_fields : p->value_fields};
    char err[200] = "";
    bool is_envelope = true;
    /* Rules that check the record's bytes have refused a value that is not UTF-8. */
    bool utf8_checked = !is_key && p->m->rules && p->m->rules->record;
    if (format == UP_MAP_JSON) {
        if (!utf8_checked && !up_utf8_valid(bytes, len)) {
            snprintf(err, sizeof err, "the text is not valid UTF-8");
            sd->rj = UP_RJ_MALFORMED;
        } else if (sd->names->overflow) {
            sd->rj = read_tree(sd, envelope, &is_envelope, err, sizeof err);
        } else {
            sd->rj = envelope ? read_envelope(p, sd, &is_envelope, err, sizeof err)
                              : read_json(p, sd, err, sizeof err);
        }
        sd->json = sd->rj != UP_RJ_MALFORMED;
        const struct up_map_rules *rules = p->m->rules;
        if (!is_key && rules && rules->value &&
            rules->value(rules->ctx, sd->rj, err, sd->names->names, sd->fields, sd->names->n,
                         rej) != 0)
            return -1;
        if (!sd->json && !is_key)
            return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "",
                          "the value is not JSON: %s", err);
    }
    if (!sd->json) {
        if (!up_utf8_valid(bytes, len))
            return reject(rej, UP_MAP_STAGE_PARSE, "invalid_utf8", "", "the %s is not UTF-8 text",
                          what);
        sd->text_at = p->text.len;
        up_buf_append(&p->text, bytes, len);
        up_buf_putc(&p->text, '\0');
        is_envelope = !envelope || format != UP_MAP_JSON;
    }
    if (!is_envelope)
        return reject(rej, UP_MAP_STAGE_PARSE, "not_envelope", "",
                      "%s.converter.schemas.enable=true but the %s is not "
                      "{\"schema\": ..., \"payload\": ...}",
                      what, what);
    return 0;
}

static void parsed_free(struct parsed *pr)
{
    json_decref(pr->key.tree);
    json_decref(pr->value.tree);
}

static int parse_record(struct up_map_plan *p, const struct up_map_record *r, struct parsed *pr,
                        struct up_map_reject *rej)
{
    const struct up_mapping *m = p->m;
    *pr = (struct parsed){0};
    up_buf_clear(&p->text);
    if (m->rules && m->rules->record && m->rules->record(m->rules->ctx, r, rej) != 0)
        return -1;
    if (r->key && p->reads_key &&
        read_side(p, r->key, r->key_len, m->key_format, m->key_envelope, true, &pr->key, rej) != 0)
        return -1;
    if (r->value && read_side(p, r->value, r->value_len, m->value_format, m->value_envelope, false,
                              &pr->value, rej) != 0)
        return -1;
    return 0;
}

/* The text of a source for messages: "value.a.b", "header.h", "key". */
static void source_name(const struct up_map_column *c, char *out, size_t outlen)
{
    static const char *const names[] = {"key",     "value",       "header",   "now()",
                                        "__topic", "__partition", "__offset", "__record_timestamp"};
    int n = snprintf(out, outlen, "%s", names[c->source]);
    for (size_t i = 0; i < c->npath && n > 0 && (size_t)n < outlen; i++)
        n += snprintf(out + n, outlen - (size_t)n, ".%s", c->path[i]);
}

/* __topic, __partition, __offset, __record_timestamp: what the record itself says. */
static struct up_jv provenance(const struct up_map_record *r, enum up_map_source source)
{
    switch (source) {
    case UP_MAP_TOPIC:
        return (struct up_jv){.kind = UP_JV_STRING, .s = r->topic, .len = strlen(r->topic)};
    case UP_MAP_PARTITION:
        return (struct up_jv){.kind = UP_JV_INTEGER, .i = r->partition};
    case UP_MAP_OFFSET:
        return (struct up_jv){.kind = UP_JV_INTEGER, .i = r->offset};
    default:
        return (struct up_jv){.kind = UP_JV_INTEGER, .i = r->timestamp_ms};
    }
}

/* What was read for one member (field of the text base): a string decoded into the plan's
 * text, a literal or number read where it lies, an object or array as a tree in *owned. */
static int field_value(struct up_map_plan *p, const char *base, const struct up_rj_field *f,
                       struct up_jv *out, json_t **owned, struct up_map_reject *rej)
{
    const char *raw = base + f->raw_offset, *why = "";
    *out = (struct up_jv){.kind = UP_JV_NULL};
    if (f->state == UP_RJ_STRING) {
        *out =
            (struct up_jv){.kind = UP_JV_STRING, .s = p->text.data + f->offset, .len = f->length};
    } else if (f->state == UP_RJ_ABSENT) {
        return 0;
    } else if (raw[0] == '{' || raw[0] == '[') {
        json_error_t e;
        *owned = json_loadb(raw, f->raw_length, JSON_REJECT_DUPLICATES, &e);
        if (!*owned)
            return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "",
                          "the record is not JSON: %s", e.text);
        *out = (struct up_jv){.kind = UP_JV_TREE, .tree = *owned};
    } else if (!up_jv_scalar(raw, f->raw_length, out, &why)) {
        return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "", "the record is not JSON: %s",
                      why);
    }
    return 0;
}

static int not_object(const struct up_map_column *c, const char *target, struct up_map_reject *rej)
{
    char name[128];
    source_name(c, name, sizeof name);
    return reject(rej, UP_MAP_STAGE_MAPPING, "not_object", target,
                  "column '%s': %s: the %s is not a JSON object there", c->column, name,
                  c->source == UP_MAP_KEY ? "key" : "value");
}

/* A path followed in a jansson tree (a side read whole). */
static int resolve_tree(const json_t *v, const struct up_map_column *c, const char *target,
                        struct up_jv *out, struct up_map_reject *rej)
{
    for (size_t i = 0; v && i < c->npath; i++) {
        if (!json_is_object(v))
            return not_object(c, target, rej);
        v = json_object_get(v, c->path[i]);
    }
    if (v)
        up_jv_of_json(v, out);
    return 0;
}

/* A path followed in place: the first name was read with the side, each deeper one is read
 * from its parent object's text. */
static int resolve_in_place(struct up_map_plan *p, const struct side *sd, int first,
                            const struct up_map_column *c, const char *target, struct up_jv *out,
                            json_t **owned, struct up_map_reject *rej)
{
    if (sd->rj != UP_RJ_OK)
        return not_object(c, target, rej);
    const char *base = sd->text;
    struct up_rj_field f = sd->fields[first];
    for (size_t i = 1; i < c->npath && f.state != UP_RJ_ABSENT; i++) {
        const char *raw = base + f.raw_offset;
        if (f.state != UP_RJ_OTHER || raw[0] != '{')
            return not_object(c, target, rej);
        const char *name = c->path[i];
        char err[160];
        if (up_rj_parse(raw, f.raw_length, &name, 1, &f, &p->text, err, sizeof err) != UP_RJ_OK)
            return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "",
                          "the record is not JSON: %s", err);
        base = raw;
    }
    return field_value(p, base, &f, out, owned, rej);
}

/* The value a column reads (kind NULL when absent or null); -1 when a path goes through
 * something that is not an object. What it points to lives until the next resolve; a tree
 * made for it is in *owned. */
static int resolve(struct up_map_plan *p, const struct table_plan *tp,
                   const struct up_map_record *r, const struct parsed *pr,
                   const struct up_map_column *c, struct up_jv *out, json_t **owned,
                   struct up_map_reject *rej)
{
    *out = (struct up_jv){.kind = UP_JV_NULL};
    *owned = NULL;
    if (c->source > UP_MAP_NOW) {
        *out = provenance(r, c->source);
        return 0;
    }
    if (c->source == UP_MAP_HEADER) {
        const void *v;
        size_t len;
        if (r->header && r->header(r->header_ctx, c->path[0], &v, &len) && v) {
            if (!up_utf8_valid(v, len))
                return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target,
                              "column '%s': header '%s' is not UTF-8 text", c->column, c->path[0]);
            size_t at = p->text.len;
            up_buf_append(&p->text, v, len);
            up_buf_putc(&p->text, '\0');
            *out = (struct up_jv){.kind = UP_JV_STRING, .s = p->text.data + at, .len = len};
        }
        return 0;
    }
    const struct side *sd = c->source == UP_MAP_KEY ? &pr->key : &pr->value;
    if (!sd->present)
        return 0;
    if (!sd->json && c->npath)
        return not_object(c, tp->target, rej);
    if (!sd->json) {
        *out =
            (struct up_jv){.kind = UP_JV_STRING, .s = p->text.data + sd->text_at, .len = sd->len};
        return 0;
    }
    if (sd->names->overflow)
        return resolve_tree(sd->tree, c, tp->target, out, rej);
    if (c->npath == 0) { /* the whole side: a tree */
        json_error_t e;
        *owned = json_loadb(sd->text, sd->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
        if (!*owned)
            return reject(rej, UP_MAP_STAGE_PARSE, "malformed_json", "",
                          "the record is not JSON: %s at byte %d", e.text, e.position);
        up_jv_of_json(*owned, out);
        return 0;
    }
    return resolve_in_place(p, sd, tp->field[c - tp->t->cols], c, tp->target, out, owned, rej);
}

/* __ttl / __timestamp: a whole number in unit -> microseconds. */
static int special_micros(const struct up_jv *v, enum up_time_unit unit, int64_t *micros)
{
    int64_t n;
    if (v->kind == UP_JV_INTEGER) {
        n = v->i;
    } else if (v->kind == UP_JV_STRING) {
        char *end;
        n = strtoll(v->s, &end, 10);
        if (end == v->s || *end)
            return -1;
    } else {
        return -1;
    }
    return up_time_unit_to_micros(n, unit, micros) ? 0 : -1;
}

/* Room for twice as many statements. The four arrays share one block, so that a record's
 * writes are a cache line or two, not four (the sink binds thousands a second, each cold). */
static void writes_grow(struct up_map_writes *w)
{
    size_t cap = w->cap ? w->cap * 2 : 2;
    size_t per = sizeof *w->stmts + sizeof *w->of + sizeof *w->tables + sizeof *w->is_delete;
    char *block = up_xmalloc(cap * per);
    cql_statement **stmts = (cql_statement **)block;
    cql_prepared **of = (cql_prepared **)(stmts + cap);
    size_t *tables = (size_t *)(of + cap);
    bool *is_delete = (bool *)(tables + cap);
    if (w->cap) {
        memcpy(stmts, w->stmts, w->cap * sizeof *stmts);
        memcpy(of, w->of, w->cap * sizeof *of);
        memcpy(tables, w->tables, w->cap * sizeof *tables);
        memcpy(is_delete, w->is_delete, w->cap * sizeof *is_delete);
    }
    free(w->stmts); /* the block */
    w->stmts = stmts;
    w->of = of;
    w->tables = tables;
    w->is_delete = is_delete;
    w->cap = cap;
}

/* The next statement of w, for p: the one kept in its place when it was bound from p (its
 * values cleared), else a new one. */
static cql_statement *add_statement(struct up_map_writes *w, cql_prepared *p, size_t table,
                                    bool is_delete, const struct table_plan *tp)
{
    if (w->n == w->cap)
        writes_grow(w);
    cql_statement *st;
    if (w->n < w->kept && w->of[w->n] == p) {
        st = w->stmts[w->n];
        cql_statement_clear_values(st);
    } else {
        if (w->n < w->kept)
            cql_statement_free(w->stmts[w->n]);
        st = cql_prepared_bind(p);
        w->of[w->n] = p;
        if (w->n == w->kept)
            w->kept++;
    }
    cql_statement_set_consistency(st, tp->t->consistency);
    cql_statement_set_idempotent(st, tp->idempotent);
    w->stmts[w->n] = st;
    w->tables[w->n] = table;
    w->is_delete[w->n] = is_delete;
    w->n++;
    return st;
}

/* One column's value, serialized into the plan's value buffer. */
static enum up_conv convert_column(struct up_map_plan *p, const struct table_plan *tp,
                                   const struct bind_col *bc, const struct up_jv *v, char *err,
                                   size_t errlen)
{
    up_buf_clear(&p->value_buf);
    if (v->kind == UP_JV_NULL)
        return UP_CONV_NULL;
    if (bc->col->source == UP_MAP_RECORD_TIMESTAMP &&
        cql_data_type_id(bc->type) == CQL_TYPE_TIMESTAMP) {
        /* The instant itself: codec.unit says how the record's numbers read, not this one. */
        unsigned char be[8];
        for (int i = 0; i < 8; i++)
            be[i] = (unsigned char)((uint64_t)v->i >> (56 - 8 * i));
        up_buf_append(&p->value_buf, be, sizeof be);
        return UP_CONV_OK;
    }
    return up_convert_value(v, bc->type, tp->codec, &p->value_buf, err, errlen);
}

static void bind_value(struct up_map_plan *p, cql_statement *st, size_t marker)
{
    cql_statement_bind_raw(st, marker, p->value_buf.data ? p->value_buf.data : "",
                           p->value_buf.len);
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
    int rc = 0;
    for (size_t i = 0; i < tp->ncols && rc == 0; i++) {
        const struct bind_col *bc = &tp->cols[i];
        if (bc->delete_marker < 0)
            continue;
        struct up_jv v;
        json_t *owned;
        rc = resolve(p, tp, r, pr, bc->col, &v, &owned, rej);
        char cerr[UP_CONV_ERR_LEN];
        enum up_conv c = rc == 0 ? convert_column(p, tp, bc, &v, cerr, sizeof cerr) : UP_CONV_OK;
        if (rc == 0 && c == UP_CONV_NULL)
            rc = reject(rej, UP_MAP_STAGE_MAPPING, "missing_key", tp->target,
                        "primary key column '%s' has no value in the tombstone's key",
                        bc->col->column);
        else if (rc == 0 && c == UP_CONV_ERROR)
            rc = reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target, "column '%s': %s",
                        bc->col->column, cerr);
        else if (rc == 0)
            bind_value(p, st, (size_t)bc->delete_marker);
        json_decref(owned);
    }
    return rc;
}

/* The common column: a first-level member of a side read in place that is a string, as
 * resolve would find it; NULL for anything else (resolve then says what it is). */
static const struct up_rj_field *direct_string(const struct table_plan *tp, const struct parsed *pr,
                                               const struct up_map_column *c)
{
    if (c->npath != 1 || (c->source != UP_MAP_KEY && c->source != UP_MAP_VALUE))
        return NULL;
    const struct side *sd = c->source == UP_MAP_KEY ? &pr->key : &pr->value;
    if (!sd->present || !sd->json || sd->rj != UP_RJ_OK || sd->names->overflow)
        return NULL;
    const struct up_rj_field *f = &sd->fields[tp->field[c - tp->t->cols]];
    return f->state == UP_RJ_STRING ? f : NULL;
}

static int bind_column(struct up_map_plan *p, const struct table_plan *tp,
                       const struct bind_col *bc, const struct up_map_record *r,
                       const struct parsed *pr, cql_statement *st, struct up_map_reject *rej)
{
    const struct up_rj_field *f =
        bc->text && !bc->col->rule ? direct_string(tp, pr, bc->col) : NULL;
    if (f) { /* text is its own serialization: bound as decoded, without resolving */
        cql_statement_bind_raw(st, bc->marker, p->text.data + f->offset, f->length);
        return 0;
    }
    struct up_jv v;
    json_t *owned;
    if (resolve(p, tp, r, pr, bc->col, &v, &owned, rej) != 0)
        return -1;
    int rc = 0;
    char cerr[UP_CONV_ERR_LEN], name[128];
    const struct up_map_rules *rules = p->m->rules;
    if (bc->col->rule && rules && rules->column) { /* the rule reads and serializes it */
        up_buf_clear(&p->value_buf);
        rc = rules->column(rules->ctx, bc->col->rule, &v, r, &p->value_buf, rej);
        if (rc == 0)
            bind_value(p, st, bc->marker);
        else
            snprintf(rej->target, sizeof rej->target, "%s", tp->target);
        json_decref(owned);
        return rc;
    }
    if (bc->text && v.kind == UP_JV_STRING) { /* text is its own serialization: no copy */
        cql_statement_bind_raw(st, bc->marker, v.s, v.len);
        json_decref(owned);
        return 0;
    }
    enum up_conv c = convert_column(p, tp, bc, &v, cerr, sizeof cerr);
    if (c == UP_CONV_OK) {
        bind_value(p, st, bc->marker);
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

/* __ttl or __timestamp (column col of the table) in unit -> microseconds; *present false when
 * the field is absent or null; -1 (rej untouched) when it is not a whole number, -2 when the
 * record cannot be read there (rej says why). */
static int special_value(struct up_map_plan *p, const struct table_plan *tp,
                         const struct up_map_record *r, const struct parsed *pr, int col,
                         enum up_time_unit unit, int64_t *micros, bool *present,
                         struct up_map_reject *rej)
{
    struct up_jv v;
    json_t *owned;
    if (resolve(p, tp, r, pr, &tp->t->cols[col], &v, &owned, rej) != 0)
        return -2;
    *present = v.kind != UP_JV_NULL;
    int rc = *present && special_micros(&v, unit, micros) != 0 ? -1 : 0;
    json_decref(owned);
    return rc;
}

/* An INSERT's write time: __timestamp in its unit when mapped and present, else the record's. */
static int write_time(struct up_map_plan *p, const struct table_plan *tp,
                      const struct up_map_record *r, const struct parsed *pr, int64_t *ts_us,
                      struct up_map_reject *rej)
{
    const struct up_map_table *t = tp->t;
    int64_t micros = 0;
    bool present;
    *ts_us = r->timestamp_ms * 1000;
    if (t->timestamp_col < 0)
        return 0;
    int rc =
        special_value(p, tp, r, pr, t->timestamp_col, t->timestamp_unit, &micros, &present, rej);
    if (rc == -2)
        return -1;
    if (rc != 0 || (present && micros < 0))
        return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target,
                      "__timestamp: not a whole number of %s since the epoch",
                      up_time_unit_name(t->timestamp_unit));
    if (present)
        *ts_us = micros;
    return 0;
}

/* USING TTL and TIMESTAMP: from __ttl / __timestamp when mapped and present. */
static int bind_specials(struct up_map_plan *p, const struct table_plan *tp,
                         const struct up_map_record *r, const struct parsed *pr, cql_statement *st,
                         struct up_map_reject *rej)
{
    const struct up_map_table *t = tp->t;
    int64_t ts_us, micros = 0;
    bool present;
    if (write_time(p, tp, r, pr, &ts_us, rej) != 0)
        return -1;
    cql_statement_bind_bigint(st, tp->ts_marker, ts_us);
    if (tp->ttl_marker < 0)
        return 0;
    int64_t ttl = t->ttl;
    if (t->ttl_col >= 0) {
        int rc = special_value(p, tp, r, pr, t->ttl_col, t->ttl_unit, &micros, &present, rej);
        if (rc == -2)
            return -1;
        if (rc != 0 || (present && (micros < 0 || micros / 1000000 > 630720000)))
            return reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target,
                          "__ttl: not a whole number of %s from 0 to 20 years",
                          up_time_unit_name(t->ttl_unit));
        if (present)
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
    int rc = 0;
    for (size_t i = 0; i < tp->ncols && rc == 0; i++)
        rc = bind_column(p, tp, &tp->cols[i], r, pr, st, rej);
    if (rc == 0)
        rc = bind_specials(p, tp, r, pr, st, rej);
    return rc;
}

int up_map_plan_bind(struct up_map_plan *p, const struct up_map_record *r, struct up_map_writes *w,
                     struct up_map_reject *rej)
{
    up_map_writes_clear(w);
    struct parsed pr;
    if (parse_record(p, r, &pr, rej) != 0) {
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
    w->n = 0; /* the statements stay, to be bound again */
}

void up_map_writes_free(struct up_map_writes *w)
{
    for (size_t i = 0; i < w->kept; i++)
        cql_statement_free(w->stmts[i]);
    free(w->stmts); /* one block with the other arrays */
    *w = (struct up_map_writes){0};
}

/* ---- what verify asks of a record -------------------------------------------------------- */

static const struct bind_col *key_col(const struct table_plan *tp, size_t i)
{
    for (size_t j = 0; j < tp->ncols; j++)
        if (tp->cols[j].primary_key && i-- == 0)
            return &tp->cols[j];
    return NULL;
}

size_t up_map_plan_key_count(const struct up_map_plan *p, size_t table)
{
    size_t n = 0;
    for (size_t j = 0; j < p->tables[table].ncols; j++)
        n += p->tables[table].cols[j].primary_key;
    return n;
}

const char *up_map_plan_key_name(const struct up_map_plan *p, size_t table, size_t i)
{
    return key_col(&p->tables[table], i)->col->column;
}

const cql_data_type *up_map_plan_key_type(const struct up_map_plan *p, size_t table, size_t i)
{
    return key_col(&p->tables[table], i)->type;
}

const char *up_map_plan_writetime_column(const struct up_map_plan *p, size_t table)
{
    const struct table_plan *tp = &p->tables[table];
    for (size_t j = 0; j < tp->ncols; j++) {
        enum cql_type_id id = cql_data_type_id(tp->cols[j].type);
        bool one_cell =
            id != CQL_TYPE_LIST && id != CQL_TYPE_SET && id != CQL_TYPE_MAP && id != CQL_TYPE_UDT;
        if (!tp->cols[j].primary_key && one_cell)
            return tp->cols[j].col->column;
    }
    return NULL;
}

/* One key column's serialized value, length first, appended to key. */
static int put_key_value(struct up_map_plan *p, const struct table_plan *tp,
                         const struct bind_col *bc, const struct up_map_record *r,
                         const struct parsed *pr, struct up_buf *key, struct up_map_reject *rej)
{
    struct up_jv v;
    json_t *owned;
    if (resolve(p, tp, r, pr, bc->col, &v, &owned, rej) != 0)
        return -1;
    char cerr[UP_CONV_ERR_LEN];
    int rc = 0;
    enum up_conv c = convert_column(p, tp, bc, &v, cerr, sizeof cerr);
    if (c == UP_CONV_NULL)
        rc = reject(rej, UP_MAP_STAGE_MAPPING, "missing_key", tp->target,
                    "primary key column '%s' has no value", bc->col->column);
    else if (c == UP_CONV_ERROR)
        rc = reject(rej, UP_MAP_STAGE_MAPPING, "conversion", tp->target, "column '%s': %s",
                    bc->col->column, cerr);
    json_decref(owned);
    if (rc == 0) {
        for (int shift = 24; shift >= 0; shift -= 8)
            up_buf_putc(key, (char)((p->value_buf.len >> shift) & 0xff));
        up_buf_append(key, p->value_buf.data ? p->value_buf.data : "", p->value_buf.len);
    }
    return rc;
}

int up_map_plan_key(struct up_map_plan *p, size_t table, const struct up_map_record *r,
                    struct up_buf *key, int64_t *write_us, bool *deletes, struct up_map_reject *rej)
{
    const struct table_plan *tp = &p->tables[table];
    *deletes = !r->value && tp->t->deletes_enabled;
    if (*deletes && !tp->del)
        return reject(rej, UP_MAP_STAGE_MAPPING, "tombstone", tp->target,
                      "a tombstone (null value) cannot delete from %s: %s", tp->target,
                      tp->no_delete_why);
    struct parsed pr;
    int rc = parse_record(p, r, &pr, rej);
    for (size_t i = 0; rc == 0 && i < tp->ncols; i++)
        if (tp->cols[i].primary_key)
            rc = put_key_value(p, tp, &tp->cols[i], r, &pr, key, rej);
    *write_us = r->timestamp_ms * 1000;
    if (rc == 0 && !*deletes)
        rc = write_time(p, tp, r, &pr, write_us, rej);
    parsed_free(&pr);
    return rc;
}
