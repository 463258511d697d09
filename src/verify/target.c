/* verify/target: the table, the record's meaning for it, and the lookup statement
 * (target.h). */
#include "verify/target.h"

#include "mapping/mapping.h"
#include "mapping/plan.h"
#include "stream/schema.h"
#include "stream/sink_map.h"
#include "stream/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up_vtarget {
    char *topic, *name;
    cql_prepared *select;
    bool compares_time;
    /* a mapping file (NULL for the built-in users pipeline) */
    struct up_mapping *mapping;
    struct up_map_plan *plan;
    size_t table;
    struct up_map_writes writes;
    size_t max_record_bytes;
};

/* SELECT WRITETIME("c") FROM "ks"."t" WHERE "k1" = ? AND ... */
static void build_select(const char *keyspace, const char *table, const char *const *keys,
                         size_t nkeys, const char *writetime_col, struct up_buf *b)
{
    up_buf_puts(b, "SELECT ");
    if (writetime_col) {
        up_buf_puts(b, "WRITETIME(");
        up_map_put_ident(b, writetime_col);
        up_buf_putc(b, ')');
    } else {
        up_map_put_ident(b, keys[0]);
    }
    up_buf_puts(b, " FROM ");
    up_map_put_ident(b, keyspace);
    up_buf_putc(b, '.');
    up_map_put_ident(b, table);
    for (size_t i = 0; i < nkeys; i++) {
        up_buf_puts(b, i ? " AND " : " WHERE ");
        up_map_put_ident(b, keys[i]);
        up_buf_puts(b, " = ?");
    }
}

static int prepare_select(cql_session *s, struct up_vtarget *t, const char *keyspace,
                          const char *table, const char *const *keys, size_t nkeys,
                          const char *writetime_col, char *err, size_t errlen)
{
    struct up_buf cql = UP_BUF_INIT;
    build_select(keyspace, table, keys, nkeys, writetime_col, &cql);
    t->compares_time = writetime_col != NULL;
    struct cql_error e;
    int rc = cql_session_prepare_sync(s, cql.data, &t->select, &e);
    if (rc != 0) {
        char why[640];
        cql_error_format(&e, why, sizeof why);
        snprintf(err, errlen, "preparing %.200s: %s", cql.data, why);
    }
    up_buf_free(&cql);
    return rc;
}

static int open_users(cql_session *s, struct up_vtarget *t, const struct up_vtarget_config *cfg,
                      bool *usage, char *err, size_t errlen)
{
    if (!up_schema_name_valid(cfg->keyspace) || !up_schema_name_valid(cfg->table)) {
        *usage = true;
        snprintf(err, errlen, "keyspace and table names are 1-48 of [A-Za-z0-9_]");
        return -1;
    }
    t->topic = up_xstrdup(cfg->topic);
    size_t len = strlen(cfg->keyspace) + strlen(cfg->table) + 2;
    t->name = up_xmalloc(len);
    snprintf(t->name, len, "%s.%s", cfg->keyspace, cfg->table);
    t->max_record_bytes = cfg->max_record_bytes;
    static const char *const keys[] = {"id"};
    return prepare_select(s, t, cfg->keyspace, cfg->table, keys, 1, "first_name", err, errlen);
}

/* The plan's table for cfg->table ("ks.table") among those topic feeds, or the only one. */
static int pick_table(struct up_vtarget *t, const struct up_vtarget_config *cfg, char *err,
                      size_t errlen)
{
    size_t found = 0, n = up_map_plan_tables(t->plan);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(up_map_plan_topic(t->plan, i), t->topic) != 0)
            continue;
        if (cfg->table && strcmp(up_map_plan_target(t->plan, i), cfg->table) != 0)
            continue;
        t->table = i;
        found++;
    }
    if (found == 1)
        return 0;
    if (found == 0)
        snprintf(err, errlen, "%s maps no table %s from topic '%s'", cfg->mapping_file,
                 cfg->table ? cfg->table : "", t->topic);
    else
        snprintf(err, errlen, "topic '%s' feeds %zu tables in %s: name one with --table KS.TABLE",
                 t->topic, found, cfg->mapping_file);
    return -1;
}

static int open_mapping(cql_session *s, struct up_vtarget *t, const struct up_vtarget_config *cfg,
                        bool *usage, char *err, size_t errlen)
{
    *usage = true;
    t->mapping = up_xcalloc(1, sizeof *t->mapping);
    if (up_mapping_load(cfg->mapping_file, t->mapping, err, errlen) != 0)
        return -1;
    if (!cfg->topic && t->mapping->ntopics != 1) {
        snprintf(err, errlen, "%s reads %zu topics: name one with --topic", cfg->mapping_file,
                 t->mapping->ntopics);
        return -1;
    }
    t->topic = up_xstrdup(cfg->topic ? cfg->topic : t->mapping->topics[0].name);
    if (!up_mapping_topic(t->mapping, t->topic)) {
        snprintf(err, errlen, "%s does not read topic '%s'", cfg->mapping_file, t->topic);
        return -1;
    }
    bool retryable;
    if (up_map_plan_open(s, t->mapping, &t->plan, usage, &retryable, err, errlen) != 0)
        return -1;
    *usage = true;
    if (pick_table(t, cfg, err, errlen) != 0)
        return -1;
    *usage = false;
    t->name = up_xstrdup(up_map_plan_target(t->plan, t->table));
    size_t nkeys = up_map_plan_key_count(t->plan, t->table);
    const char *keys[UP_VTARGET_MAX_KEYS];
    if (nkeys == 0 || nkeys > UP_VTARGET_MAX_KEYS) {
        snprintf(err, errlen, "%s: %zu primary key columns (1 to %d supported)", t->name, nkeys,
                 UP_VTARGET_MAX_KEYS);
        return -1;
    }
    for (size_t i = 0; i < nkeys; i++)
        keys[i] = up_map_plan_key_name(t->plan, t->table, i);
    const struct up_map_table *mt = NULL;
    for (size_t i = 0; i < t->mapping->ntables && !mt; i++) {
        const struct up_map_table *c = &t->mapping->tables[i];
        char name[128];
        snprintf(name, sizeof name, "%s.%s", c->keyspace, c->table);
        if (strcmp(c->topic, t->topic) == 0 && strcmp(name, t->name) == 0)
            mt = c;
    }
    return prepare_select(s, t, mt->keyspace, mt->table, keys, nkeys,
                          up_map_plan_writetime_column(t->plan, t->table), err, errlen);
}

int up_vtarget_open(cql_session *s, const struct up_vtarget_config *cfg, struct up_vtarget **out,
                    bool *usage, char *err, size_t errlen)
{
    struct up_vtarget *t = up_xcalloc(1, sizeof *t);
    *usage = false;
    int rc = cfg->mapping_file ? open_mapping(s, t, cfg, usage, err, errlen)
                               : open_users(s, t, cfg, usage, err, errlen);
    if (rc != 0) {
        up_vtarget_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}

void up_vtarget_free(struct up_vtarget *t)
{
    if (!t)
        return;
    if (t->select)
        cql_prepared_free(t->select);
    up_map_writes_free(&t->writes);
    up_map_plan_free(t->plan);
    if (t->mapping) {
        up_mapping_free(t->mapping);
        free(t->mapping);
    }
    free(t->topic);
    free(t->name);
    free(t);
}

const char *up_vtarget_topic(const struct up_vtarget *t)
{
    return t->topic;
}

const char *up_vtarget_name(const struct up_vtarget *t)
{
    return t->name;
}

cql_prepared *up_vtarget_select(const struct up_vtarget *t)
{
    return t->select;
}

bool up_vtarget_compares_time(const struct up_vtarget *t)
{
    return t->compares_time;
}

static void put_length(struct up_buf *b, size_t len)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        up_buf_putc(b, (char)((len >> shift) & 0xff));
}

static int users_record(struct up_vtarget *t, const rd_kafka_message_t *m, struct up_buf *key,
                        const char **reason)
{
    struct up_row row;
    char detail[UP_REJECT_DETAIL_LEN];
    enum up_reject why = up_validate_record(m->key, m->key_len, m->payload, m->len,
                                            t->max_record_bytes, &row, detail, sizeof detail);
    if (why != UP_REJECT_NONE) {
        *reason = up_reject_name(why);
        return 1;
    }
    put_length(key, sizeof row.id);
    up_buf_append(key, row.id, sizeof row.id);
    up_row_free(&row);
    return 0;
}

static int mapped_record(struct up_vtarget *t, const rd_kafka_message_t *m, int64_t ts_ms,
                         struct up_buf *key, int64_t *write_us, bool *deletes, const char **reason)
{
    struct up_map_record r = up_map_record_of(m, ts_ms);
    struct up_map_reject rej;
    /* The stream's own binding decides whether the record is dead-lettered (any column, any
     * table the topic feeds); only then is the key read. */
    if (up_map_plan_bind(t->plan, &r, &t->writes, &rej) != 0 ||
        up_map_plan_key(t->plan, t->table, &r, key, write_us, deletes, &rej) != 0) {
        *reason = rej.reason;
        return 1;
    }
    up_map_writes_clear(&t->writes);
    return 0;
}

int up_vtarget_record(struct up_vtarget *t, const rd_kafka_message_t *m, struct up_buf *key,
                      int64_t *write_us, bool *deletes, const char **reason)
{
    int64_t ts_ms = rd_kafka_message_timestamp(m, NULL);
    *deletes = false;
    *write_us = ts_ms >= 0 ? ts_ms * 1000 : -1;
    int rc = t->plan ? mapped_record(t, m, ts_ms, key, write_us, deletes, reason)
                     : users_record(t, m, key, reason);
    if (*write_us < 0) /* no timestamp: the stream writes at the time it reads the record */
        *write_us = -1;
    return rc;
}

size_t up_vtarget_key_split(const uint8_t *key, size_t len, const uint8_t **values, int32_t *lens,
                            size_t max)
{
    size_t n = 0, pos = 0;
    while (pos + 4 <= len && n < max) {
        uint32_t l = (uint32_t)key[pos] << 24 | (uint32_t)key[pos + 1] << 16 |
                     (uint32_t)key[pos + 2] << 8 | key[pos + 3];
        pos += 4;
        if (l > len - pos) {
            values[n] = NULL;
            lens[n++] = -1;
            break;
        }
        values[n] = key + pos;
        lens[n++] = (int32_t)l;
        pos += l;
    }
    return n;
}

void up_vtarget_key_text(const struct up_vtarget *t, const uint8_t *key, size_t len,
                         struct up_buf *out)
{
    const uint8_t *values[UP_VTARGET_MAX_KEYS];
    int32_t lens[UP_VTARGET_MAX_KEYS];
    size_t n = up_vtarget_key_split(key, len, values, lens, UP_VTARGET_MAX_KEYS);
    for (size_t i = 0; i < n; i++) {
        struct cql_value v = {cql_prepared_param_type(t->select, i), values[i], lens[i]};
        up_buf_puts(out, i ? "," : "");
        cql_value_print(&v, CQL_PRINT_TEXT, out);
    }
}
