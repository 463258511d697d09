/* flags: one declarative table per command drives parsing of long and short flags,
 * the USERPIPE_<FLAG> environment fallback, validation and --help (Fluent Bit's
 * config_map idea). Precedence: default < environment < command line. */
#ifndef UP_CORE_FLAGS_H
#define UP_CORE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum up_flag_type {
    UP_FLAG_STRING,   /* char *            */
    UP_FLAG_INT,      /* long long         */
    UP_FLAG_DOUBLE,   /* double            */
    UP_FLAG_DURATION, /* int64_t ms: "250ms", "60s", "5m", "1h", bare number = seconds */
    UP_FLAG_SIZE,     /* int64_t bytes: "512", "64k", "16MiB", "1G" */
    UP_FLAG_BOOL,     /* bool: present = true; --name=false and env 0/false/no allowed */
    UP_FLAG_LIST,     /* struct up_str_list: repeatable; env value split on ';' */
};

struct up_str_list {
    char **items;
    size_t len;
};

struct up_flag {
    const char *name; /* long name without the dashes */
    char short_name;  /* 0 when there is none */
    enum up_flag_type type;
    const char *value_name; /* shown in help: "URL", "N" */
    const char *def;        /* default as text; NULL = unset */
    const char *help;
    size_t offset;       /* where the value lives inside the command's options struct */
    const char *choices; /* "text|json": the only accepted values; NULL = any */
    double min, max;     /* numeric bounds, checked when min < max */
    /* A further rule for a string's value (a topic name, say): 0, or -1 with the reason in
     * err. NULL = none. Keeps core free of what the rule is about. */
    int (*check)(const char *value, char *err, size_t errlen);
};

struct up_command_spec {
    const char *name;    /* "produce" */
    const char *args;    /* positional part of the usage line: "'CQL'"; NULL = none */
    const char *summary; /* one line for `userpipe --help` */
    const char *details; /* paragraphs after the flag list: behaviour, examples */
    const struct up_flag *flags;
    size_t nflags;
    int min_args, max_args;
};

enum up_flags_result { UP_FLAGS_OK = 0, UP_FLAGS_HELP = 1, UP_FLAGS_USAGE = 2 };

/* Fills opts from defaults, environment and argv (argv[0] is the command name).
 * Positional arguments are returned in *args (pointers into argv; free the array).
 * On UP_FLAGS_USAGE a message naming the bad flag and the usage line are on stderr;
 * on UP_FLAGS_HELP the help text is on stdout. */
enum up_flags_result up_flags_parse(const struct up_command_spec *spec, void *opts, int argc,
                                    char **argv, char ***args, int *nargs);
void up_flags_free(const struct up_command_spec *spec, void *opts);
void up_flags_print_help(const struct up_command_spec *spec, FILE *out);
void up_flags_print_usage(const struct up_command_spec *spec, FILE *out);

bool up_parse_duration_ms(const char *s, int64_t *ms);
/* A point in time given on the command line: an ISO 8601 date-time, or ms since the epoch. */
bool up_parse_time_ms(const char *s, int64_t *epoch_ms);
/* The .check of a flag that takes such a time, so a bad one is a usage error (exit 2) before
 * the command connects to anything. */
int up_flag_time_check(const char *value, char *err, size_t errlen);
/* Such a flag's value in ms since the epoch; -1 when it was not given. */
int64_t up_flag_time_value(const char *value);
bool up_parse_size(const char *s, int64_t *bytes);
void up_str_list_push(struct up_str_list *l, const char *s);
void up_str_list_free(struct up_str_list *l);

/* Flags every command shares. Embed `struct up_common_opts common;` in a command's
 * options and list the UP_FLAGS_* groups it needs in its table. */
struct up_common_opts {
    char *log_format;
    char *log_level;
    char *metrics;
    char *brokers;
    char *kafka_config;
    struct up_str_list kafka_props;
};

#define UP_FLAGS_LOG(type_)                                                                        \
    {.name = "log-format",                                                                         \
     .type = UP_FLAG_STRING,                                                                       \
     .value_name = "FMT",                                                                          \
     .def = "text",                                                                                \
     .help = "log line format on stderr",                                                          \
     .offset = offsetof(type_, common.log_format),                                                 \
     .choices = "text|json"},                                                                      \
    {                                                                                              \
        .name = "log-level", .type = UP_FLAG_STRING, .value_name = "LEVEL", .def = "info",         \
        .help = "least severe level logged", .offset = offsetof(type_, common.log_level),          \
        .choices = "debug|info|warn|error"                                                         \
    }

#define UP_FLAGS_METRICS(type_)                                                                    \
    {                                                                                              \
        .name = "metrics", .type = UP_FLAG_STRING, .value_name = "HOST:PORT",                      \
        .help = "serve Prometheus metrics at http://HOST:PORT/metrics",                            \
        .offset = offsetof(type_, common.metrics)                                                  \
    }

#define UP_FLAGS_KAFKA(type_)                                                                      \
    {.name = "brokers",                                                                            \
     .short_name = 'b',                                                                            \
     .type = UP_FLAG_STRING,                                                                       \
     .value_name = "HOST:PORT[,..]",                                                               \
     .def = "127.0.0.1:9092",                                                                      \
     .help = "Kafka bootstrap servers",                                                            \
     .offset = offsetof(type_, common.brokers)},                                                   \
        {.name = "kafka-config",                                                                   \
         .type = UP_FLAG_STRING,                                                                   \
         .value_name = "FILE",                                                                     \
         .help = "librdkafka properties file (key=value lines, as kcat -F); -X wins over it",      \
         .offset = offsetof(type_, common.kafka_config)},                                          \
    {                                                                                              \
        .name = "kafka-property", .short_name = 'X', .type = UP_FLAG_LIST,                         \
        .value_name = "KEY=VALUE",                                                                 \
        .help = "any librdkafka property (SASL, SSL, tuning); repeatable",                         \
        .offset = offsetof(type_, common.kafka_props)                                              \
    }

#define UP_NFLAGS(table) (sizeof(table) / sizeof((table)[0]))

/* Sets up logging from the common flags; returns false (after a message) on bad values. */
bool up_common_apply(const struct up_common_opts *c, const char *component);

#endif
