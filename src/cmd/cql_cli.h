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

#define CQL_FLAGS_CASSANDRA(type_, field_)                                                         \
    {"cassandra",                                                                                  \
     0,                                                                                            \
     UP_FLAG_STRING,                                                                               \
     "HOST:PORT[,..]",                                                                             \
     "127.0.0.1:9042",                                                                             \
     "Cassandra contact points (other nodes are discovered)",                                      \
     offsetof(type_, field_.cassandra),                                                            \
     NULL,                                                                                         \
     0,                                                                                            \
     0},                                                                                           \
        {"cassandra-user",                                                                         \
         0,                                                                                        \
         UP_FLAG_STRING,                                                                           \
         "USER",                                                                                   \
         "cassandra",                                                                              \
         "Cassandra user",                                                                         \
         offsetof(type_, field_.user),                                                             \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-password-file",                                                                \
         0,                                                                                        \
         UP_FLAG_STRING,                                                                           \
         "FILE",                                                                                   \
         NULL,                                                                                     \
         "file whose first line is the password (chmod 600); else env "                            \
         "USERPIPE_CASSANDRA_PASSWORD; else 'cassandra' for the user cassandra",                   \
         offsetof(type_, field_.password_file),                                                    \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-tls",                                                                          \
         0,                                                                                        \
         UP_FLAG_BOOL,                                                                             \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "connect to Cassandra over TLS",                                                          \
         offsetof(type_, field_.tls),                                                              \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-tls-ca-file",                                                                  \
         0,                                                                                        \
         UP_FLAG_STRING,                                                                           \
         "FILE",                                                                                   \
         NULL,                                                                                     \
         "PEM CA bundle to verify the node (default: the system's)",                               \
         offsetof(type_, field_.tls_ca_file),                                                      \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-tls-no-verify",                                                                \
         0,                                                                                        \
         UP_FLAG_BOOL,                                                                             \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "do not verify the node's certificate (testing only)",                                    \
         offsetof(type_, field_.tls_no_verify),                                                    \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-compression",                                                                  \
         0,                                                                                        \
         UP_FLAG_BOOL,                                                                             \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "ask for LZ4 frame compression",                                                          \
         offsetof(type_, field_.compression),                                                      \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cassandra-connect-timeout",                                                              \
         0,                                                                                        \
         UP_FLAG_DURATION,                                                                         \
         "DURATION",                                                                               \
         "5s",                                                                                     \
         "time to connect and authenticate to one node",                                           \
         offsetof(type_, field_.connect_timeout_ms),                                               \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
    {                                                                                              \
        "cassandra-timeout", 0, UP_FLAG_DURATION, "DURATION", "12s",                               \
            "time to wait for the answer to one request",                                          \
            offsetof(type_, field_.request_timeout_ms), NULL, 0, 0                                 \
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
