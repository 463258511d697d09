/* stream/schema: the keyspace and the table, as CQL text and created when absent. */
#include "stream/schema.h"

#include "core/record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool up_schema_name_valid(const char *name)
{
    size_t n = 0;
    for (; name && name[n]; n++)
        if (!isalnum((unsigned char)name[n]) && name[n] != '_')
            return false;
    return n >= 1 && n <= 48;
}

/* The CQL type of each record field: the id is a uuid, the two dates are timestamps. */
static const char *column_type(int field)
{
    switch (field) {
    case UP_FIELD_id:
        return "uuid";
    case UP_FIELD_dob:
    case UP_FIELD_registered_date:
        return "timestamp";
    default:
        return "text";
    }
}

static bool parse_rf(const char *s, size_t len, int *rf)
{
    if (len == 0 || len > 3)
        return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *rf = v;
    return v >= 1 && v <= 100;
}

static bool dc_name_valid(const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

/* "dc1=3,dc2=2" -> ", 'dc1': 3, 'dc2': 2" */
static int parse_dc_list(const char *s, struct up_buf *out, char *err, size_t errlen)
{
    if (!*s) {
        snprintf(err, errlen, "NetworkTopologyStrategy needs DC=RF pairs, e.g. dc1=3");
        return -1;
    }
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        int rf;
        if (!eq || !dc_name_valid(s, (size_t)(eq - s)) ||
            !parse_rf(eq + 1, len - (size_t)(eq - s) - 1, &rf)) {
            snprintf(err, errlen, "bad data-center entry '%.*s': expected NAME=RF (RF 1-100)",
                     (int)len, s);
            return -1;
        }
        up_buf_printf(out, ", '%.*s': %d", (int)(eq - s), s, rf);
        s += len + (comma ? 1 : 0);
        if (comma && !*s) {
            snprintf(err, errlen, "trailing ',' in the data-center list");
            return -1;
        }
    }
    return 0;
}

int up_schema_replication_map(const char *spec, struct up_buf *out, char *err, size_t errlen)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon) {
        snprintf(err, errlen,
                 "replication '%s': expected SimpleStrategy:RF or "
                 "NetworkTopologyStrategy:DC=RF[,DC=RF..]",
                 spec ? spec : "");
        return -1;
    }
    size_t klen = (size_t)(colon - spec);
    const char *rest = colon + 1;
    bool simple = (klen == 6 && strncasecmp(spec, "simple", 6) == 0) ||
                  (klen == 14 && strncasecmp(spec, "SimpleStrategy", 14) == 0);
    bool nts = (klen == 3 && strncasecmp(spec, "nts", 3) == 0) ||
               (klen == 15 && strncasecmp(spec, "NetworkTopology", 15) == 0) ||
               (klen == 23 && strncasecmp(spec, "NetworkTopologyStrategy", 23) == 0);
    struct up_buf map = UP_BUF_INIT;
    int rc = 0;
    if (simple) {
        int rf;
        if (!parse_rf(rest, strlen(rest), &rf)) {
            snprintf(err, errlen, "replication '%s': RF must be a number from 1 to 100", spec);
            rc = -1;
        } else {
            up_buf_printf(&map, "{'class': 'SimpleStrategy', 'replication_factor': %d}", rf);
        }
    } else if (nts) {
        up_buf_puts(&map, "{'class': 'NetworkTopologyStrategy'");
        rc = parse_dc_list(rest, &map, err, errlen);
        up_buf_putc(&map, '}');
    } else {
        snprintf(err, errlen,
                 "replication '%s': unknown strategy (SimpleStrategy or NetworkTopologyStrategy)",
                 spec);
        rc = -1;
    }
    if (rc == 0)
        up_buf_append(out, map.data, map.len);
    up_buf_free(&map);
    return rc;
}

static int check_names(const char *keyspace, const char *table, char *err, size_t errlen)
{
    const char *bad = !up_schema_name_valid(keyspace) ? keyspace
                      : !up_schema_name_valid(table)  ? table
                                                      : NULL;
    if (bad) {
        snprintf(err, errlen,
                 "name '%.60s': keyspace and table names are 1-48 letters, digits "
                 "or '_'",
                 bad);
        return -1;
    }
    return 0;
}

int up_schema_create_statements(const char *keyspace, const char *table, const char *replication,
                                struct up_buf *create_keyspace, struct up_buf *create_table,
                                char *err, size_t errlen)
{
    if (check_names(keyspace, table, err, errlen) != 0)
        return -1;
    struct up_buf map = UP_BUF_INIT;
    if (up_schema_replication_map(replication, &map, err, errlen) != 0) {
        up_buf_free(&map);
        return -1;
    }
    up_buf_printf(create_keyspace, "CREATE KEYSPACE IF NOT EXISTS \"%s\" WITH replication = %s",
                  keyspace, map.data);
    up_buf_free(&map);
    up_buf_printf(create_table, "CREATE TABLE IF NOT EXISTS \"%s\".\"%s\" (", keyspace, table);
    for (int i = 0; i < UP_RECORD_NFIELDS; i++)
        up_buf_printf(create_table, "%s %s%s, ", up_record_field_names[i], column_type(i),
                      i == UP_FIELD_id ? " PRIMARY KEY" : "");
    up_buf_puts(create_table, "ingested_at timestamp)");
    return 0;
}

/* ---- on the node ---- */

static int run_ddl(cql_session *s, const char *cql, bool *retryable, char *err, size_t errlen)
{
    struct cql_error e;
    if (cql_session_query_sync(s, cql, NULL, &e) == 0)
        return 0;
    *retryable = cql_error_is_retryable(e.code);
    char why[640];
    cql_error_format(&e, why, sizeof why);
    snprintf(err, errlen, "%.80s...: %s", cql, why);
    return -1;
}

/* *exists: system_schema has the keyspace (table NULL) or the table. The names were validated
 * (up_schema_name_valid: letters, digits, '_'), so they can stand in the literal. */
static int schema_has(cql_session *s, const char *keyspace, const char *table, bool *exists,
                      bool *retryable, char *err, size_t errlen)
{
    char cql[256];
    if (table)
        snprintf(cql, sizeof cql,
                 "SELECT table_name FROM system_schema.tables WHERE keyspace_name = '%s' AND "
                 "table_name = '%s'",
                 keyspace, table);
    else
        snprintf(cql, sizeof cql,
                 "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = '%s'",
                 keyspace);
    cql_result *r = NULL;
    struct cql_error e;
    if (cql_session_query_sync(s, cql, &r, &e) != 0) {
        *retryable = cql_error_is_retryable(e.code);
        char why[640];
        cql_error_format(&e, why, sizeof why);
        snprintf(err, errlen, "%.80s...: %s", cql, why);
        return -1;
    }
    *exists = cql_result_row_count(r) > 0;
    cql_result_free(r);
    return 0;
}

/* Runs the DDL unless what it creates exists: CREATE ... IF NOT EXISTS asks for the CREATE
 * permission even when there is nothing to create, and a least-privilege role (docs/security.md)
 * has MODIFY on a table someone else made, not CREATE. */
static int create_unless_exists(cql_session *s, const char *keyspace, const char *table,
                                const char *ddl, bool *retryable, char *err, size_t errlen)
{
    bool exists = false;
    if (schema_has(s, keyspace, table, &exists, retryable, err, errlen) != 0)
        return -1;
    return exists ? 0 : run_ddl(s, ddl, retryable, err, errlen);
}

int up_schema_ensure(cql_session *s, const char *keyspace, const char *table,
                     const char *replication, bool *retryable, char *err, size_t errlen)
{
    *retryable = false;
    struct up_buf ks = UP_BUF_INIT, tb = UP_BUF_INIT;
    int rc = up_schema_create_statements(keyspace, table, replication, &ks, &tb, err, errlen);
    if (rc == 0)
        rc = create_unless_exists(s, keyspace, NULL, ks.data, retryable, err, errlen);
    if (rc == 0)
        rc = create_unless_exists(s, keyspace, table, tb.data, retryable, err, errlen);
    up_buf_free(&ks);
    up_buf_free(&tb);
    return rc;
}
