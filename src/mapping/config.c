/* mapping/config: from the properties of a DataStax connector file to struct up_mapping
 * (mapping.h). Global keys go through one table (name, handler, or the reason userpipe
 * refuses it); keys under topic.<topic>. are split against the topics the file lists, because
 * a topic name may itself contain dots. */
#include "mapping/mapping_int.h"

#include "core/buf.h"
#include "mapping/convert.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void up_map_fail(char *err, size_t errlen, const char *file, int line, int col, const char *fmt,
                 ...)
{
    if (!errlen)
        return;
    int n = snprintf(err, errlen, "%s:%d:%d: ", file, line, col);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- time units ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int64_t micros_num, micros_den; /* one unit = num/den microseconds */
} time_units[] = {
    [UP_UNIT_NANOSECONDS] = {"NANOSECONDS", 1, 1000},
    [UP_UNIT_MICROSECONDS] = {"MICROSECONDS", 1, 1},
    [UP_UNIT_MILLISECONDS] = {"MILLISECONDS", 1000, 1},
    [UP_UNIT_SECONDS] = {"SECONDS", 1000000, 1},
    [UP_UNIT_MINUTES] = {"MINUTES", 60000000, 1},
    [UP_UNIT_HOURS] = {"HOURS", 3600000000LL, 1},
    [UP_UNIT_DAYS] = {"DAYS", 86400000000LL, 1},
};

bool up_time_unit_parse(const char *s, enum up_time_unit *out)
{
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (strcasecmp(s, time_units[i].name) == 0) {
            *out = (enum up_time_unit)i;
            return true;
        }
    }
    return false;
}

const char *up_time_unit_name(enum up_time_unit u)
{
    return (size_t)u < sizeof time_units / sizeof time_units[0] ? time_units[u].name : "?";
}

bool up_time_unit_to_micros(int64_t v, enum up_time_unit unit, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(v, time_units[unit].micros_num, &r))
        return false;
    *out = r / time_units[unit].micros_den;
    return true;
}

/* ---- the parse state ------------------------------------------------------------------- */

struct parse {
    const char *file;
    struct up_mapping *m;
    const struct up_props_entry *e; /* the entry being read */
    char *err;
    size_t errlen;
};

static int refuse(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails at the current entry's key. */
static int refuse(struct parse *p, const char *fmt, ...)
{
    char msg[UP_MAP_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    up_map_fail(p->err, p->errlen, p->file, p->e->line, p->e->col, "%s", msg);
    return -1;
}

/* Fails at the current entry's value. */
static int bad_value(struct parse *p, const char *what)
{
    int line, col;
    up_props_position(p->e, 0, &line, &col);
    up_map_fail(p->err, p->errlen, p->file, line, col, "%s: %s", p->e->key, what);
    return -1;
}

static int get_bool(struct parse *p, bool *out)
{
    if (strcasecmp(p->e->value, "true") == 0)
        *out = true;
    else if (strcasecmp(p->e->value, "false") == 0)
        *out = false;
    else
        return bad_value(p, "true or false expected");
    return 0;
}

static int get_long(struct parse *p, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(p->e->value, &end, 10);
    if (errno || end == p->e->value || *end || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "a whole number from %ld to %ld expected", lo, hi);
        return bad_value(p, what);
    }
    *out = v;
    return 0;
}

static int get_string(struct parse *p, char **out)
{
    if (p->e->value_len == 0)
        return bad_value(p, "empty");
    free(*out);
    *out = up_xstrdup(p->e->value);
    return 0;
}

/* ---- global keys ----------------------------------------------------------------------- */

static int set_name(struct parse *p)
{
    free(p->m->name);
    p->m->name = up_xstrdup(p->e->value);
    return 0;
}

static int set_connector_class(struct parse *p)
{
    static const char *const classes[] = {
        "com.datastax.oss.kafka.sink.CassandraSinkConnector", "CassandraSinkConnector",
        "com.datastax.kafkaconnector.DseSinkConnector", "DseSinkConnector"};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(p->e->value, classes[i]) == 0)
            return 0;
    return bad_value(p, "userpipe reads the DataStax Cassandra sink's settings only "
                        "(com.datastax.oss.kafka.sink.CassandraSinkConnector)");
}

static int set_tasks_max(struct parse *p)
{
    long v;
    /* Accepted for the file's sake: parallelism is more processes in the same --group. */
    return get_long(p, 1, 1000000, &v);
}

static int set_topics(struct parse *p)
{
    (void)p; /* read before every other key: see read_topics */
    return 0;
}

static int set_converter(struct parse *p, enum up_map_format *out)
{
    if (strcmp(p->e->value, "org.apache.kafka.connect.json.JsonConverter") == 0)
        *out = UP_MAP_JSON;
    else if (strcmp(p->e->value, "org.apache.kafka.connect.storage.StringConverter") == 0)
        *out = UP_MAP_STRING;
    else
        return bad_value(p, "userpipe reads JSON (org.apache.kafka.connect.json.JsonConverter) "
                            "or text (org.apache.kafka.connect.storage.StringConverter)");
    return 0;
}

static int set_key_converter(struct parse *p)
{
    return set_converter(p, &p->m->key_format);
}

static int set_value_converter(struct parse *p)
{
    return set_converter(p, &p->m->value_format);
}

static int set_key_schemas(struct parse *p)
{
    return get_bool(p, &p->m->key_envelope);
}

static int set_value_schemas(struct parse *p)
{
    return get_bool(p, &p->m->value_envelope);
}

static int set_contact_points(struct parse *p)
{
    return get_string(p, &p->m->conn.contact_points);
}

static int set_port(struct parse *p)
{
    long v;
    if (get_long(p, 1, 65535, &v) != 0)
        return -1;
    p->m->conn.port = (int)v;
    return 0;
}

static int set_local_dc(struct parse *p)
{
    return get_string(p, &p->m->conn.local_dc);
}

static int set_auth_provider(struct parse *p)
{
    if (strcasecmp(p->e->value, "None") == 0 || strcasecmp(p->e->value, "PLAIN") == 0)
        return 0;
    return bad_value(p, "userpipe authenticates with a user and password only (None or PLAIN)");
}

static int set_user(struct parse *p)
{
    return get_string(p, &p->m->conn.user);
}

static int set_password(struct parse *p)
{
    /* Honoured as the connector does; never printed (no message here quotes the value). */
    free(p->m->conn.password);
    p->m->conn.password = up_xstrdup(p->e->value);
    return 0;
}

static int set_ssl_provider(struct parse *p)
{
    if (strcasecmp(p->e->value, "None") == 0)
        p->m->conn.tls = 0;
    else if (strcasecmp(p->e->value, "JDK") == 0 || strcasecmp(p->e->value, "OpenSSL") == 0)
        p->m->conn.tls = 1;
    else
        return bad_value(p, "None, JDK or OpenSSL expected");
    return 0;
}

static int set_hostname_validation(struct parse *p)
{
    bool v = true;
    if (get_bool(p, &v) != 0)
        return -1;
    p->m->conn.tls_verify = v;
    return 0;
}

static int set_cert_chain(struct parse *p)
{
    return get_string(p, &p->m->conn.tls_cert_file);
}

static int set_private_key(struct parse *p)
{
    return get_string(p, &p->m->conn.tls_key_file);
}

static int set_compression(struct parse *p)
{
    if (strcasecmp(p->e->value, "None") == 0)
        p->m->conn.compression = 0;
    else if (strcasecmp(p->e->value, "LZ4") == 0)
        p->m->conn.compression = 1;
    else
        return bad_value(p, "None or LZ4 expected (userpipe has no Snappy)");
    return 0;
}

static int set_max_concurrent(struct parse *p)
{
    return get_long(p, 1, 1000000, &p->m->conn.max_concurrent);
}

static int set_pool_size(struct parse *p)
{
    return get_long(p, 1, 64, &p->m->conn.connections_per_host);
}

static int set_query_timeout(struct parse *p)
{
    long s;
    if (get_long(p, 1, 86400, &s) != 0)
        return -1;
    p->m->conn.request_timeout_ms = s * 1000;
    return 0;
}

static int set_ignore_errors(struct parse *p)
{
    if (strcasecmp(p->e->value, "None") == 0 || strcasecmp(p->e->value, "false") == 0)
        return 0;
    return bad_value(p, "userpipe never ignores a record: records it cannot map go to the "
                        "DLQ (--dlq) and failed writes are retried; remove it or set None");
}

typedef int (*key_handler)(struct parse *p);

/* Keys userpipe knows. handler NULL: refused, with why (what to do instead). */
static const struct global_key {
    const char *name;
    bool prefix; /* name is a prefix: "errors." matches errors.tolerance... */
    key_handler handler;
    const char *refusal;
} global_keys[] = {
    {"name", false, set_name, NULL},
    {"connector.class", false, set_connector_class, NULL},
    {"tasks.max", false, set_tasks_max, NULL},
    {"topics", false, set_topics, NULL},
    {"key.converter", false, set_key_converter, NULL},
    {"value.converter", false, set_value_converter, NULL},
    {"key.converter.schemas.enable", false, set_key_schemas, NULL},
    {"value.converter.schemas.enable", false, set_value_schemas, NULL},
    {"contactPoints", false, set_contact_points, NULL},
    {"port", false, set_port, NULL},
    {"loadBalancing.localDc", false, set_local_dc, NULL},
    {"auth.provider", false, set_auth_provider, NULL},
    {"auth.username", false, set_user, NULL},
    {"auth.password", false, set_password, NULL},
    {"ssl.provider", false, set_ssl_provider, NULL},
    {"ssl.hostnameValidation", false, set_hostname_validation, NULL},
    {"ssl.openssl.keyCertChain", false, set_cert_chain, NULL},
    {"ssl.openssl.privateKey", false, set_private_key, NULL},
    {"compression", false, set_compression, NULL},
    {"maxConcurrentRequests", false, set_max_concurrent, NULL},
    {"connectionPoolLocalSize", false, set_pool_size, NULL},
    {"queryExecutionTimeout", false, set_query_timeout, NULL},
    {"ignoreErrors", false, set_ignore_errors, NULL},
    {"topics.regex", false, NULL, "userpipe subscribes to the topics listed in topics="},
    {"ssl.keystore.", true, NULL,
     "userpipe reads PEM files, not Java keystores: convert them and use "
     "ssl.openssl.keyCertChain / ssl.openssl.privateKey"},
    {"ssl.truststore.", true, NULL,
     "userpipe reads a PEM CA bundle, not a Java truststore: convert it and give it with "
     "--cassandra-tls-ca-file"},
    {"ssl.cipherSuites", false, NULL, "userpipe uses OpenSSL's default ciphers"},
    {"auth.gssapi.", true, NULL, "userpipe has no Kerberos (GSSAPI) authentication"},
    {"cloud.", true, NULL, "userpipe does not connect to DataStax Astra bundles"},
    {"datastax-java-driver.", true, NULL,
     "userpipe is not the Java driver: use the --cassandra-* flags"},
    {"maxNumberOfRecordsInBatch", false, NULL,
     "userpipe writes one row per request; --in-flight bounds what is outstanding"},
    {"jmx", false, NULL, "userpipe's metrics are Prometheus text on --metrics"},
    {"errors.", true, NULL,
     "userpipe sends every record it cannot map to the DLQ named by --dlq, headers included"},
    {"bootstrap.servers", false, NULL, "give the brokers with --brokers"},
    {"offset.", true, NULL, "userpipe commits offsets to Kafka for its --group"},
    {"consumer.", true, NULL, "give consumer properties with -X"},
};

static int read_global(struct parse *p)
{
    const char *key = p->e->key;
    for (size_t i = 0; i < sizeof global_keys / sizeof global_keys[0]; i++) {
        const struct global_key *g = &global_keys[i];
        bool match =
            g->prefix ? strncmp(key, g->name, strlen(g->name)) == 0 : strcmp(key, g->name) == 0;
        if (!match)
            continue;
        if (g->handler)
            return g->handler(p);
        return refuse(p, "'%s' is not supported: %s", key, g->refusal);
    }
    return refuse(p,
                  "unknown setting '%s': userpipe does not support it (docs/mapping.md "
                  "lists every setting); remove it",
                  key);
}

/* ---- topics ---------------------------------------------------------------------------- */

static bool topic_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

static int read_topics(struct parse *p, const struct up_props *props)
{
    const struct up_props_entry *e = up_props_get(props, "topics");
    if (!e) {
        up_map_fail(p->err, p->errlen, p->file, 1, 1,
                    "no topics= setting: list the topics to read, comma-separated");
        return -1;
    }
    p->e = e;
    const char *s = e->value;
    while (*s) {
        size_t at = (size_t)(s - e->value);
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        char *name = up_xstrndup(s, n);
        char *b = name, *end = name + strlen(name);
        while (isspace((unsigned char)*b))
            b++;
        while (end > b && isspace((unsigned char)end[-1]))
            *--end = '\0';
        int line, col;
        up_props_position(e, at + (size_t)(b - name), &line, &col);
        if (p->m->ntopics == UP_MAP_MAX_TOPICS) {
            up_map_fail(p->err, p->errlen, p->file, line, col,
                        "more than %d topics: split them over several files and processes",
                        UP_MAP_MAX_TOPICS);
            free(name);
            return -1;
        }
        if (!topic_name_valid(b) || up_mapping_topic(p->m, b)) {
            up_map_fail(p->err, p->errlen, p->file, line, col,
                        !topic_name_valid(b) ? "'%s' is not a Kafka topic name"
                                             : "topic '%s' is listed twice",
                        b);
            free(name);
            return -1;
        }
        struct up_mapping *m = p->m;
        m->topics = up_xrealloc(m->topics, (m->ntopics + 1) * sizeof *m->topics);
        struct up_map_topic *t = &m->topics[m->ntopics++];
        t->name = up_xstrdup(b);
        up_map_codec_default(&t->codec);
        free(name);
        s = comma ? comma + 1 : s + n;
    }
    if (p->m->ntopics == 0)
        return bad_value(p, "no topic named");
    return 0;
}

/* The listed topic that `rest` (a key after "topic.") starts with, followed by a dot: the
 * longest one, so that topics "a" and "a.b" are both usable. */
static struct up_map_topic *match_topic(struct up_mapping *m, const char *rest)
{
    struct up_map_topic *best = NULL;
    for (size_t i = 0; i < m->ntopics; i++) {
        size_t n = strlen(m->topics[i].name);
        if (strncmp(rest, m->topics[i].name, n) == 0 && rest[n] == '.' &&
            (!best || n > strlen(best->name)))
            best = &m->topics[i];
    }
    return best;
}

/* ---- codec.* --------------------------------------------------------------------------- */

/* "UTC", "Z", "GMT", "Etc/UTC", "+02:00", "UTC+02:00", "-0530" -> seconds east of UTC. */
static bool parse_zone(const char *s, int32_t *out)
{
    if (strcasecmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcasecmp(s, "GMT") == 0 ||
        strcmp(s, "Etc/UTC") == 0) {
        *out = 0;
        return true;
    }
    if (strncasecmp(s, "UTC", 3) == 0 || strncasecmp(s, "GMT", 3) == 0)
        s += 3;
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s++ == '-' ? -1 : 1;
    int h, m = 0, used = 0;
    if (sscanf(s, "%2d:%2d%n", &h, &m, &used) == 2 && s[used] == '\0') {
    } else if (strlen(s) == 4 && sscanf(s, "%2d%2d%n", &h, &m, &used) == 2 && s[used] == '\0') {
    } else if (sscanf(s, "%2d%n", &h, &used) == 1 && s[used] == '\0') {
        m = 0;
    } else {
        return false;
    }
    if (h > 18 || m > 59)
        return false;
    *out = sign * (h * 3600 + m * 60);
    return true;
}

static int read_codec(struct parse *p, struct up_map_topic *t, const char *name)
{
    const char *v = p->e->value;
    if (strcmp(name, "timestamp") == 0) {
        if (strcmp(v, "CQL_TIMESTAMP") == 0)
            t->codec.timestamp = UP_TS_CQL_TIMESTAMP;
        else if (strcmp(v, "ISO_OFFSET_DATE_TIME") == 0 || strcmp(v, "ISO_ZONED_DATE_TIME") == 0 ||
                 strcmp(v, "ISO_INSTANT") == 0)
            t->codec.timestamp = UP_TS_ISO_OFFSET;
        else if (strcmp(v, "ISO_LOCAL_DATE_TIME") == 0)
            t->codec.timestamp = UP_TS_ISO_LOCAL;
        else
            return bad_value(p, "userpipe reads CQL_TIMESTAMP, ISO_OFFSET_DATE_TIME, "
                                "ISO_ZONED_DATE_TIME, ISO_INSTANT or ISO_LOCAL_DATE_TIME; "
                                "date-time patterns are not supported");
        return 0;
    }
    if (strcmp(name, "date") == 0) {
        if (strcmp(v, "ISO_LOCAL_DATE") != 0)
            return bad_value(p, "userpipe reads dates as ISO_LOCAL_DATE (2024-05-01) only");
        return 0;
    }
    if (strcmp(name, "time") == 0) {
        if (strcmp(v, "ISO_LOCAL_TIME") != 0)
            return bad_value(p, "userpipe reads times as ISO_LOCAL_TIME (13:45:00.123) only");
        return 0;
    }
    if (strcmp(name, "unit") == 0) {
        if (!up_time_unit_parse(v, &t->codec.unit))
            return bad_value(p, "a time unit expected (MILLISECONDS, SECONDS, ...)");
        return 0;
    }
    if (strcmp(name, "timeZone") == 0) {
        if (!parse_zone(v, &t->codec.tz_offset_s))
            return bad_value(p, "UTC or a fixed offset (+02:00) expected: userpipe has no "
                                "time zone database");
        return 0;
    }
    if (strcmp(name, "locale") == 0)
        return 0; /* only locale-free formats are read, so any locale reads them the same */
    return refuse(p,
                  "unknown setting '%s': the codec settings are timestamp, date, time, "
                  "unit, timeZone and locale",
                  p->e->key);
}

/* ---- topic.<t>.<ks>.<table>.<setting> -------------------------------------------------- */

/* Cassandra's rule for unquoted keyspace and table names, folded to lowercase as CQL does. */
static char *table_name(const char *s, size_t n)
{
    if (n == 0 || n > 48)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return NULL;
    char *out = up_xstrndup(s, n);
    for (char *c = out; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

static struct up_map_table *find_table(struct up_mapping *m, const char *topic, const char *ks,
                                       const char *table)
{
    for (size_t i = 0; i < m->ntables; i++) {
        struct up_map_table *t = &m->tables[i];
        if (strcmp(t->topic, topic) == 0 && strcmp(t->keyspace, ks) == 0 &&
            strcmp(t->table, table) == 0)
            return t;
    }
    return NULL;
}

static struct up_map_table *add_table(struct parse *p, const char *topic, char *ks, char *table)
{
    struct up_mapping *m = p->m;
    m->tables = up_xrealloc(m->tables, (m->ntables + 1) * sizeof *m->tables);
    struct up_map_table *t = &m->tables[m->ntables++];
    *t = (struct up_map_table){.topic = up_xstrdup(topic),
                               .keyspace = ks,
                               .table = table,
                               .ttl_col = -1,
                               .timestamp_col = -1,
                               .consistency = CQL_LOCAL_ONE,
                               .ttl = -1,
                               .ttl_unit = UP_UNIT_SECONDS,
                               .timestamp_unit = UP_UNIT_MICROSECONDS,
                               .null_to_unset = true,
                               .deletes_enabled = true,
                               .line = -1};
    return t;
}

static int read_table_setting(struct parse *p, struct up_map_table *t, const char *setting)
{
    if (strcmp(setting, "mapping") == 0) {
        if (t->line >= 0)
            return refuse(p, "%s.%s is mapped from topic %s twice (first on line %d)", t->keyspace,
                          t->table, t->topic, t->line);
        t->line = p->e->line;
        t->col = p->e->col;
        return up_map_expr_parse(p->file, p->e, t, p->err, p->errlen);
    }
    if (strcmp(setting, "consistencyLevel") == 0) {
        if (!cql_consistency_parse(p->e->value, &t->consistency))
            return bad_value(p, "a consistency level expected (LOCAL_ONE, LOCAL_QUORUM, ...)");
        return 0;
    }
    if (strcmp(setting, "ttl") == 0) {
        long v;
        if (get_long(p, -1, 630720000 /* Cassandra's maximum, 20 years */, &v) != 0)
            return -1;
        t->ttl = v;
        return 0;
    }
    if (strcmp(setting, "ttlTimeUnit") == 0 || strcmp(setting, "timestampTimeUnit") == 0) {
        enum up_time_unit *u = setting[1] == 't' ? &t->ttl_unit : &t->timestamp_unit;
        if (!up_time_unit_parse(p->e->value, u))
            return bad_value(p, "a time unit expected (SECONDS, MILLISECONDS, ...)");
        return 0;
    }
    if (strcmp(setting, "nullToUnset") == 0)
        return get_bool(p, &t->null_to_unset);
    if (strcmp(setting, "deletesEnabled") == 0)
        return get_bool(p, &t->deletes_enabled);
    if (strcmp(setting, "query") == 0)
        return refuse(p,
                      "'%s' is not supported: userpipe writes the row with the INSERT it "
                      "builds from the mapping; custom CQL is not run",
                      p->e->key);
    return refuse(p,
                  "unknown setting '%s': a table's settings are mapping, consistencyLevel, ttl, "
                  "ttlTimeUnit, timestampTimeUnit, nullToUnset and deletesEnabled",
                  p->e->key);
}

static int read_topic_key(struct parse *p)
{
    const char *rest = p->e->key + strlen("topic.");
    struct up_map_topic *topic = match_topic(p->m, rest);
    if (!topic)
        return refuse(p, "'%s' names a topic that topics= does not list", p->e->key);
    rest += strlen(topic->name) + 1;
    if (strncmp(rest, "codec.", 6) == 0)
        return read_codec(p, topic, rest + 6);
    const char *dot1 = strchr(rest, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2)
        return refuse(p, "'%s': write topic.<topic>.<keyspace>.<table>.<setting>", p->e->key);
    char *ks = table_name(rest, (size_t)(dot1 - rest));
    char *table = table_name(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!ks || !table) {
        free(ks);
        free(table);
        return refuse(p, "'%s': keyspace and table names are 1 to 48 letters, digits or _",
                      p->e->key);
    }
    struct up_map_table *t = find_table(p->m, topic->name, ks, table);
    if (t) {
        free(ks);
        free(table);
    } else {
        t = add_table(p, topic->name, ks, table);
    }
    return read_table_setting(p, t, dot2 + 1);
}

/* ---- the whole file -------------------------------------------------------------------- */

static int check_complete(struct parse *p)
{
    struct up_mapping *m = p->m;
    for (size_t i = 0; i < m->ntables; i++) {
        if (m->tables[i].line < 0) {
            up_map_fail(p->err, p->errlen, p->file, 1, 1,
                        "topic %s -> %s.%s has settings but no .mapping", m->tables[i].topic,
                        m->tables[i].keyspace, m->tables[i].table);
            return -1;
        }
    }
    const struct up_props_entry *topics = p->e;
    for (size_t i = 0; i < m->ntopics; i++) {
        bool used = false;
        for (size_t j = 0; j < m->ntables && !used; j++)
            used = strcmp(m->tables[j].topic, m->topics[i].name) == 0;
        if (!used) {
            p->e = topics;
            return bad_value(p, "a listed topic has no topic.<topic>.<keyspace>.<table>.mapping");
        }
    }
    return 0;
}

void up_mapping_init(struct up_mapping *m, const char *file, const char *name)
{
    *m = (struct up_mapping){.file = up_xstrdup(file), .name = up_xstrdup(name)};
    m->conn = (struct up_map_connection){.port = -1,
                                         .tls = -1,
                                         .tls_verify = -1,
                                         .compression = -1,
                                         .max_concurrent = -1,
                                         .connections_per_host = -1,
                                         .request_timeout_ms = -1};
}

int up_mapping_parse(const char *file, const char *text, size_t len, struct up_mapping *out,
                     char *err, size_t errlen)
{
    up_mapping_init(out, file, "");
    struct up_props props;
    char perr[UP_MAP_ERR_LEN];
    if (up_props_parse(text, len, &props, perr, sizeof perr) != 0) {
        snprintf(err, errlen, "%s:%s", file, perr);
        up_mapping_free(out);
        return -1;
    }
    struct parse p = {.file = file, .m = out, .err = err, .errlen = errlen};
    int rc = read_topics(&p, &props);
    const struct up_props_entry *topics = p.e;
    for (size_t i = 0; rc == 0 && i < props.n; i++) {
        p.e = &props.entries[i];
        rc = strncmp(p.e->key, "topic.", 6) == 0 ? read_topic_key(&p) : read_global(&p);
    }
    if (rc == 0) {
        p.e = topics;
        rc = check_complete(&p);
    }
    up_props_free(&props);
    if (rc != 0)
        up_mapping_free(out);
    return rc;
}

int up_mapping_load(const char *file, struct up_mapping *out, char *err, size_t errlen)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read the mapping file: %s", file, strerror(errno));
        return -1;
    }
    struct up_buf b = UP_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= UP_PROPS_MAX_BYTES)
        up_buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: cannot read the mapping file", file);
        up_buf_free(&b);
        return -1;
    }
    int rc = up_mapping_parse(file, b.data ? b.data : "", b.len, out, err, errlen);
    up_buf_free(&b);
    return rc;
}

void up_mapping_free(struct up_mapping *m)
{
    for (size_t i = 0; i < m->ntopics; i++)
        free(m->topics[i].name);
    free(m->topics);
    for (size_t i = 0; i < m->ntables; i++) {
        struct up_map_table *t = &m->tables[i];
        for (size_t j = 0; j < t->ncols; j++)
            up_map_column_free(&t->cols[j]);
        free(t->cols);
        free(t->topic);
        free(t->keyspace);
        free(t->table);
    }
    free(m->tables);
    struct up_map_connection *c = &m->conn;
    free(c->contact_points);
    free(c->local_dc);
    free(c->user);
    if (c->password)
        explicit_bzero(c->password, strlen(c->password));
    free(c->password);
    free(c->tls_cert_file);
    free(c->tls_key_file);
    free(m->file);
    free(m->name);
    *m = (struct up_mapping){0};
}

const struct up_map_topic *up_mapping_topic(const struct up_mapping *m, const char *topic)
{
    for (size_t i = 0; i < m->ntopics; i++)
        if (strcmp(m->topics[i].name, topic) == 0)
            return &m->topics[i];
    return NULL;
}
