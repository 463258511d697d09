/* main: `userpipe <command>` dispatch, top-level --help and --version. */
#include "cmd/commands.h"
#include "kafka/version.h"

#include <curl/curl.h>
#include <librdkafka/rdkafka.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

const struct up_command up_commands[] = {
    {"api", "offline RandomUser 1.4-compatible API server (deterministic seeds)", cmd_api},
    {"produce", "fetch users from the RandomUser API and produce them to Kafka", cmd_produce},
    {"ui", "live dashboard: messages as they arrive, rates, lag, rows stored", cmd_ui},
    {"stream", "consume Kafka and upsert every record into Cassandra (at-least-once)", cmd_stream},
    {"redrive", "replay dead-lettered records once their cause is fixed", cmd_redrive},
    {"query", "run one CQL statement and print its rows (table, --json, --csv)", cmd_query},
    {"verify", "check that every record of a topic is in its table, and as new", cmd_verify},
    {NULL, NULL, NULL},
};

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: userpipe <command> [flags]\n\n"
                 "A real-time pipeline for user profiles: RandomUser API -> Kafka -> Cassandra.\n\n"
                 "Commands:\n");
    for (const struct up_command *c = up_commands; c->name; c++)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\nEvery flag can also be set as USERPIPE_<FLAG> in the environment.\n"
                 "Run 'userpipe <command> --help' for a command's flags.\n"
                 "Exit status: 0 success, 1 runtime failure, 2 usage error.\n");
}

static void print_version(void)
{
    char features[512];
    size_t size = sizeof features;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_get(conf, "builtin.features", features, &size) != RD_KAFKA_CONF_OK)
        snprintf(features, sizeof features, "unknown");
    rd_kafka_conf_destroy(conf);
    printf("userpipe %s\n", USERPIPE_VERSION);
    printf("librdkafka %s (builtin.features %s)\n", rd_kafka_version_str(), features);
    printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
    printf("libmicrohttpd %s\n", MHD_get_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 || strcmp(name, "version") == 0) {
        print_version();
        return 0;
    }
    char err[256];
    if (!up_kafka_library_ok(err, sizeof err)) {
        fprintf(stderr, "userpipe: %s\n", err);
        return 1;
    }
    for (const struct up_command *c = up_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "userpipe: unknown command '%s'\n", name);
    print_usage(stderr);
    return 2;
}
