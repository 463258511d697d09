/* ui: `userpipe ui` — the live dashboard: Control Center's "Topics > users_queue > Messages"
 * view plus the pipeline's health, served on 127.0.0.1:9021. Parses flags and wires
 * web/ui_feed (live tails), web/ui_health (pollers) and web/ui_server (HTTP) together. */
#include "cmd/commands.h"
#include "cmd/cql_cli.h"
#include "cmd/kafka_cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "web/metrics_server.h"
#include "web/ui_auth.h"
#include "web/ui_cassandra.h"
#include "web/ui_feed.h"
#include "web/ui_health.h"
#include "web/ui_server.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_opts {
    struct up_common_opts common;
    char *listen;
    char *topic;
    char *dlq;
    char *group;
    struct cql_cli_opts cql; /* contact points, user, password file, TLS (no timeouts here) */
    char *keyspace;
    char *table;
    char *stream_metrics;
    char *airflow_url;
    char *auth_file;
    bool insecure_no_auth;
    char *tls_cert;
    char *tls_key;
    long long queue_events;
    int64_t queue_bytes;
    int64_t max_value_bytes;
};

#define OPT(field) offsetof(struct ui_opts, field)

static const struct up_flag ui_flags[] = {
    {.name = "listen",
     .short_name = 'l',
     .type = UP_FLAG_STRING,
     .value_name = "HOST:PORT",
     .def = "127.0.0.1:9021",
     .help = "where the dashboard listens (a non-loopback address needs --auth-file)",
     .offset = OPT(listen)},
    {.name = "topic",
     .short_name = 't',
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue",
     .help = "topic the page opens on (any topic can be picked in the page)",
     .offset = OPT(topic),
     .check = kafka_cli_topic_check},
    {.name = "dlq",
     .type = UP_FLAG_STRING,
     .value_name = "TOPIC",
     .def = "users_queue.dlq",
     .help = "dead-letter topic, counted by its userpipe.error.reason header ('' = none)",
     .offset = OPT(dlq),
     .check = kafka_cli_optional_topic_check},
    {.name = "group",
     .short_name = 'g',
     .type = UP_FLAG_STRING,
     .value_name = "GROUP",
     .def = "userpipe-stream",
     .help = "consumer group whose lag is shown (inspected, never joined)",
     .offset = OPT(group)},
    {.name = "cassandra",
     .type = UP_FLAG_STRING,
     .value_name = "HOST:PORT[,..]",
     .def = "127.0.0.1:9042",
     .help = "Cassandra to probe for health and the table's size estimate ('' = none)",
     .offset = OPT(cql.cassandra)},
    {.name = "cassandra-user",
     .type = UP_FLAG_STRING,
     .value_name = "USER",
     .help = "Cassandra user",
     .offset = OPT(cql.user)},
    {.name = "cassandra-password-file",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = CQL_CLI_PASSWORD_FILE_HELP,
     .offset = OPT(cql.password_file)},
    CQL_FLAGS_TLS(struct ui_opts, cql),
    {.name = "keyspace",
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "profiles",
     .help = "keyspace of the users table",
     .offset = OPT(keyspace)},
    {.name = "table",
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .def = "users",
     .help = "table the stream writes",
     .offset = OPT(table)},
    {.name = "stream-metrics",
     .type = UP_FLAG_STRING,
     .value_name = "URL[,URL..]",
     .help = "the stream's --metrics endpoint (http://127.0.0.1:9465/metrics), or several, "
             "comma-separated, one per stream process: rows stored, store rate (summed)",
     .offset = OPT(stream_metrics)},
    {.name = "airflow-url",
     .type = UP_FLAG_STRING,
     .value_name = "URL",
     .def = "http://127.0.0.1:8080",
     .help = "Airflow's web UI, linked from the page and probed ('' = none)",
     .offset = OPT(airflow_url)},
    {.name = "auth-file",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "require HTTP basic auth: USER:PASSWORD lines, file mode 600",
     .offset = OPT(auth_file)},
    {.name = "insecure-no-auth",
     .type = UP_FLAG_BOOL,
     .help = "allow a non-loopback --listen without --auth-file",
     .offset = OPT(insecure_no_auth)},
    {.name = "tls-cert",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "serve HTTPS with this PEM certificate (chain); needs --tls-key",
     .offset = OPT(tls_cert)},
    {.name = "tls-key",
     .type = UP_FLAG_STRING,
     .value_name = "FILE",
     .help = "the certificate's PEM private key, file mode 600",
     .offset = OPT(tls_key)},
    {.name = "queue-events",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "2000",
     .help = "records buffered per browser; the oldest are dropped (and counted) beyond",
     .offset = OPT(queue_events),
     .min = 16,
     .max = 1000000},
    {.name = "queue-bytes",
     .type = UP_FLAG_SIZE,
     .value_name = "SIZE",
     .def = "8MiB",
     .help = "bytes buffered per browser",
     .offset = OPT(queue_bytes)},
    {.name = "max-value-bytes",
     .type = UP_FLAG_SIZE,
     .value_name = "SIZE",
     .def = "64KiB",
     .help = "longer record values are cut (and marked) in the page",
     .offset = OPT(max_value_bytes)},
    UP_FLAGS_KAFKA(struct ui_opts),
    UP_FLAGS_METRICS(struct ui_opts),
    UP_FLAGS_LOG(struct ui_opts),
};

static const struct up_command_spec ui_spec = {
    "ui",
    NULL,
    "live dashboard: messages as they arrive, rates, lag, rows stored",
    "Serves the dashboard on --listen: a live tail of any topic (newest first, server-side\n"
    "filter, start from the end, the beginning, an offset or a time, export as JSON/CSV),\n"
    "the topics with their partitions, record counts and retention, the DLQ counted by\n"
    "reason, and the pipeline's health: produce/consume/store rates, the --group's lag per\n"
    "partition in records and seconds, rows stored, every Kafka broker (and the active\n"
    "controller) and Cassandra node with its state, and whether Kafka, Cassandra, the\n"
    "stream and Airflow answer. The tails are group-less consumers: opening the page never\n"
    "rebalances the stream. Prometheus text at /metrics; JSON under /api/.\n\n"
    "Examples:\n"
    "  userpipe ui --stream-metrics http://127.0.0.1:9465/metrics\n"
    "  userpipe ui --listen 0.0.0.0:9021 --auth-file ~/.config/userpipe/ui.auth \\\n"
    "      --tls-cert ui.pem --tls-key ui.key\n",
    ui_flags,
    UP_NFLAGS(ui_flags),
    0,
    0,
};

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static char *config_json(const struct ui_opts *o)
{
    struct up_buf b = UP_BUF_INIT;
    const char *names[] = {"topic", "dlq", "group", "airflow_url", "version"};
    const char *values[] = {o->topic, nonempty(o->dlq), o->group, nonempty(o->airflow_url),
                            USERPIPE_VERSION};
    up_buf_putc(&b, '{');
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        up_buf_printf(&b, "%s\"%s\":", i ? "," : "", names[i]);
        up_buf_json_cstring(&b, values[i]);
    }
    up_buf_putc(&b, '}');
    return up_buf_steal(&b);
}

static char *stats_json(void *health)
{
    return up_ui_health_json(health);
}

static void wait_for_stop(void)
{
    struct pollfd pfd = {.fd = up_stop_fd(), .events = POLLIN};
    while (!up_stop_requested())
        poll(&pfd, 1, 1000);
}

/* The Cassandra probe, with the password found by the rule every command shares
 * (cmd/cql_cli.h). -1 + err (a usage error) when the password file is unusable. */
static int open_cassandra(const struct ui_opts *o, struct ui_cassandra **out, char *err,
                          size_t errlen)
{
    const char *user = nonempty(o->cql.user);
    char password[CQL_PASSWORD_MAX];
    if (cql_cli_password(user, nonempty(o->cql.password_file), password, sizeof password, err,
                         errlen) != 0)
        return -1;
    const struct ui_cassandra_tls tls = {.on = o->cql.tls || nonempty(o->cql.tls_ca_file),
                                         .ca_file = nonempty(o->cql.tls_ca_file),
                                         .verify = !o->cql.tls_no_verify};
    /* without a password there is nothing to offer; a node that requires it says so */
    *out = ui_cassandra_new(o->cql.cassandra, password[0] ? user : NULL,
                            password[0] ? password : NULL, &tls, o->keyspace, o->table);
    explicit_bzero(password, sizeof password);
    return 0;
}

/* The PEM certificate and key of --tls-cert/--tls-key (both or neither); the key file is
 * refused when others may read it, the rule of every file that holds a secret here. */
struct tls_files {
    char *cert, *key;
    size_t cert_len, key_len;
};

#define TLS_FILE_MAX (1024 * 1024)

static void free_tls(struct tls_files *t)
{
    free(t->cert);
    up_file_free(t->key, t->key_len);
    memset(t, 0, sizeof *t);
}

/* The files as PEM, and the key the certificate's: said here in words, where libmicrohttpd
 * would only fail to start. */
static int check_tls_pair(const struct ui_opts *o, const struct tls_files *t, char *err,
                          size_t errlen)
{
    BIO *cb = BIO_new_mem_buf(t->cert, (int)t->cert_len);
    BIO *kb = BIO_new_mem_buf(t->key, (int)t->key_len);
    X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    EVP_PKEY *k = x ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    int rc = 0;
    if (!x) {
        snprintf(err, errlen, "--tls-cert %s: no PEM certificate in it", o->tls_cert);
        rc = -1;
    } else if (!k) {
        snprintf(err, errlen, "--tls-key %s: no unencrypted PEM private key in it", o->tls_key);
        rc = -1;
    } else if (X509_check_private_key(x, k) != 1) {
        snprintf(err, errlen, "--tls-key %s is not the key of --tls-cert %s", o->tls_key,
                 o->tls_cert);
        rc = -1;
    }
    ERR_clear_error();
    EVP_PKEY_free(k);
    X509_free(x);
    BIO_free(kb);
    BIO_free(cb);
    return rc;
}

static int load_tls(const struct ui_opts *o, struct tls_files *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *cert = nonempty(o->tls_cert), *key = nonempty(o->tls_key);
    if (!cert && !key)
        return 0;
    if (!cert || !key) {
        snprintf(err, errlen, "--tls-cert and --tls-key go together");
        return -1;
    }
    char why[512];
    mode_t mode;
    t->key = up_file_read(key, TLS_FILE_MAX, &t->key_len, &mode, why, sizeof why);
    if (!t->key) {
        snprintf(err, errlen, "--tls-key %s", why);
    } else if (up_file_is_shared(mode)) {
        snprintf(err, errlen,
                 "--tls-key %s is accessible by group or others (mode %03o); refusing it: run "
                 "chmod 600 %s",
                 key, (unsigned)(mode & 0777), key);
    } else if (!(t->cert =
                     up_file_read(cert, TLS_FILE_MAX, &t->cert_len, &mode, why, sizeof why))) {
        snprintf(err, errlen, "--tls-cert %s", why);
    } else if (check_tls_pair(o, t, err, errlen) == 0) {
        return 0;
    }
    free_tls(t);
    return -1;
}

static int run(const struct ui_opts *o)
{
    struct up_ui_auth auth;
    bool have_auth = false;
    char err[1024];
    if (o->auth_file) {
        if (up_ui_auth_load(o->auth_file, &auth, err, sizeof err) != 0) {
            fprintf(stderr, "userpipe ui: %s\n", err);
            return 2;
        }
        have_auth = true;
    }
    struct ui_cassandra *cass = NULL;
    struct tls_files tls;
    if (load_tls(o, &tls, err, sizeof err) != 0 ||
        (nonempty(o->cql.cassandra) && open_cassandra(o, &cass, err, sizeof err) != 0)) {
        fprintf(stderr, "userpipe ui: %s\n", err);
        free_tls(&tls);
        if (have_auth)
            up_ui_auth_free(&auth);
        return 2;
    }
    struct up_registry *reg = up_registry_default();
    up_registry_add_process_metrics(reg);

    struct up_ui_limits lim = {.queue_events = (size_t)o->queue_events,
                               .queue_bytes = (size_t)o->queue_bytes,
                               .max_value_bytes = (size_t)o->max_value_bytes,
                               .progress_ms = 1000};
    struct up_ui_hub *hub = up_ui_hub_new(o->common.brokers, &o->common.kafka_props, &lim, reg);
    struct up_ui_health_config hc = {.brokers = o->common.brokers,
                                     .props = &o->common.kafka_props,
                                     .topic = o->topic,
                                     .dlq = nonempty(o->dlq),
                                     .group = o->group,
                                     .stream_metrics_url = nonempty(o->stream_metrics),
                                     .airflow_url = nonempty(o->airflow_url),
                                     .cassandra_probe = cass ? ui_cassandra_probe : NULL,
                                     .cassandra_nodes = cass ? ui_cassandra_nodes : NULL,
                                     .cassandra_ctx = cass,
                                     .reg = reg};
    struct up_ui_health *health = up_ui_health_start(&hc, err, sizeof err);
    if (health)
        up_ui_hub_set_stats(hub, stats_json, health);

    char *cfg_json = config_json(o);
    struct up_ui_server_config sc = {.listen = o->listen,
                                     .auth = have_auth ? &auth : NULL,
                                     .allow_open = o->insecure_no_auth,
                                     .config_json = cfg_json,
                                     .tls_cert_pem = tls.cert,
                                     .tls_key_pem = tls.key,
                                     .hub = hub,
                                     .health = health,
                                     .reg = reg};
    int rc = 0;
    struct up_metrics_server *ms = NULL;
    struct up_ui_server *srv = NULL;
    if (!health) {
        fprintf(stderr, "userpipe ui: %s\n", err);
        rc = 1;
    } else if (!(srv = up_ui_server_start(&sc, err, sizeof err))) {
        fprintf(stderr, "userpipe ui: %s\n", err);
        rc = strstr(err, "cannot listen") ? 1 : 2;
    } else if (o->common.metrics &&
               !(ms = up_metrics_server_start(o->common.metrics, reg, err, sizeof err))) {
        fprintf(stderr, "userpipe ui: %s\n", err);
        rc = 1;
    } else {
        up_signals_install();
        /* The bound port, not the asked one: with port 0 the system picks it. */
        char host[256];
        uint16_t asked;
        up_parse_host_port(o->listen, host, sizeof host, &asked);
        UP_INFO("dashboard at %s://%s:%u/ (topic %s, group %s, brokers %s)",
                tls.cert ? "https" : "http", host[0] ? host : "0.0.0.0", up_ui_server_port(srv),
                o->topic, o->group, o->common.brokers);
        wait_for_stop();
        UP_INFO("stopping: closing %zu live tail(s)", up_ui_hub_clients(hub));
    }
    up_metrics_server_stop(ms);
    up_ui_server_stop(srv);
    up_ui_health_stop(health);
    ui_cassandra_free(cass);
    up_ui_hub_free(hub);
    free(cfg_json);
    free_tls(&tls);
    if (have_auth)
        up_ui_auth_free(&auth);
    return rc;
}

int cmd_ui(int argc, char **argv)
{
    struct ui_opts o;
    memset(&o, 0, sizeof o);
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&ui_spec, &o, argc, argv, &args, &nargs);
    free(args);
    int rc;
    if (fr != UP_FLAGS_OK)
        rc = fr == UP_FLAGS_HELP ? 0 : 2;
    else if (!up_common_apply(&o.common, "ui") || !kafka_cli_apply(&o.common, "ui"))
        rc = 2;
    else {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = run(&o);
        curl_global_cleanup();
    }
    up_flags_free(&ui_spec, &o);
    return rc;
}
