/* cql_cli: what commands share to reach Cassandra: the flag group (--cassandra, --cassandra-user,
 * --cassandra-password-file, TLS, timeouts) and the one place the password is resolved. It sits
 * on the command side so that the cql library reads no flags and no environment.
 *
 * Password, first match wins (never taken from the command line, never logged):
 *   1. --cassandra-password-file FILE: its first line; refused unless only the owner can
 *      read it (chmod 600), as cqlsh does with its credentials file.
 *   2. the environment variable USERPIPE_CASSANDRA_PASSWORD.
 *   3. "cassandra", only when the user is the stock "cassandra" (a fresh node's superuser,
 *      what scripts/stack runs).
 *   Otherwise no credentials are offered; a node that requires them answers with a clear
 *   error naming the flag. */
#ifndef UP_CMD_CQL_CLI_H
#define UP_CMD_CQL_CLI_H

#include "core/flags.h"
#include "cql/cql.h"

/* --cassandra-password-file's help: the rule above in one line, for every command's table. */
#define CQL_CLI_PASSWORD_FILE_HELP                                                                 \
    "file whose first line is the password (chmod 600); else env "                                 \
    "USERPIPE_CASSANDRA_PASSWORD; else 'cassandra' for the user cassandra"

struct cql_cli_opts {
    char *cassandra;
    char *user;
    char *password_file;
    bool tls;
    char *tls_ca_file;
    bool tls_no_verify;
    bool compression;
    int64_t connect_timeout_ms;
    int64_t request_timeout_ms;
};

/* The TLS flags alone, for a command with its own --cassandra flags (the ui's). */
#define CQL_FLAGS_TLS(type_, field_)                                                               \
    {.name = "cassandra-tls",                                                                      \
     .type = UP_FLAG_BOOL,                                                                         \
     .help = "connect to Cassandra over TLS",                                                      \
     .offset = offsetof(type_, field_.tls)},                                                       \
        {.name = "cassandra-tls-ca-file",                                                          \
         .type = UP_FLAG_STRING,                                                                   \
         .value_name = "FILE",                                                                     \
         .help = "PEM CA bundle to verify the node (default: the system's)",                       \
         .offset = offsetof(type_, field_.tls_ca_file)},                                           \
    {                                                                                              \
        .name = "cassandra-tls-no-verify", .type = UP_FLAG_BOOL,                                   \
        .help = "do not verify the node's certificate (testing only)",                             \
        .offset = offsetof(type_, field_.tls_no_verify)                                            \
    }

#define CQL_FLAGS_CASSANDRA(type_, field_)                                                         \
    {.name = "cassandra",                                                                          \
     .type = UP_FLAG_STRING,                                                                       \
     .value_name = "HOST:PORT[,..]",                                                               \
     .def = "127.0.0.1:9042",                                                                      \
     .help = "Cassandra contact points (other nodes are discovered)",                              \
     .offset = offsetof(type_, field_.cassandra)},                                                 \
        {.name = "cassandra-user",                                                                 \
         .type = UP_FLAG_STRING,                                                                   \
         .value_name = "USER",                                                                     \
         .def = "cassandra",                                                                       \
         .help = "Cassandra user",                                                                 \
         .offset = offsetof(type_, field_.user)},                                                  \
        {.name = "cassandra-password-file",                                                        \
         .type = UP_FLAG_STRING,                                                                   \
         .value_name = "FILE",                                                                     \
         .help = CQL_CLI_PASSWORD_FILE_HELP,                                                       \
         .offset = offsetof(type_, field_.password_file)},                                         \
        CQL_FLAGS_TLS(type_, field_),                                                              \
        {.name = "cassandra-compression",                                                          \
         .type = UP_FLAG_BOOL,                                                                     \
         .help = "ask for LZ4 frame compression",                                                  \
         .offset = offsetof(type_, field_.compression)},                                           \
        {.name = "cassandra-connect-timeout",                                                      \
         .type = UP_FLAG_DURATION,                                                                 \
         .value_name = "DURATION",                                                                 \
         .def = "5s",                                                                              \
         .help = "time to connect and authenticate to one node",                                   \
         .offset = offsetof(type_, field_.connect_timeout_ms)},                                    \
    {                                                                                              \
        .name = "cassandra-timeout", .type = UP_FLAG_DURATION, .value_name = "DURATION",           \
        .def = "12s", .help = "time to wait for the answer to one request",                        \
        .offset = offsetof(type_, field_.request_timeout_ms)                                       \
    }

#define CQL_PASSWORD_MAX 1024

/* Resolves the password as described above into out (NUL-terminated; "" = none).
 * 0, or -1 with a message (unreadable file, permissive mode, empty file). */
int cql_cli_password(const char *user, const char *password_file, char *out, size_t size, char *err,
                     size_t errsize);

/* Fills cfg from the flags (strings point into o and password). 0, or -1 with a message
 * that is a usage error (exit 2). */
int cql_cli_config(const struct cql_cli_opts *o, struct cql_config *cfg, char *password,
                   size_t password_size, char *err, size_t errsize);

#endif
