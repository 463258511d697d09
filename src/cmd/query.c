/* query: `userpipe query 'CQL'` — run one CQL statement and print its rows as cqlsh does
 * (or NDJSON with --json, CSV with --csv), paging through all of them. Wires cql_cli
 * (flags, password), the cql session and cql_printer together. */
#include "cmd/commands.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/signals.h"
#include "cmd/cql_cli.h"
#include "cql/cql.h"
#include "cmd/cql_printer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct query_opts {
    struct up_common_opts common;
    struct cql_cli_opts cql;
    bool json;
    bool csv;
    char *consistency;
    char *keyspace;
    long long page_size;
};

#define OPT(field) offsetof(struct query_opts, field)

static const struct up_flag query_flags[] = {
    {.name = "json",
     .type = UP_FLAG_BOOL,
     .help = "one JSON object per row (NDJSON), no footer",
     .offset = OPT(json)},
    {.name = "csv",
     .type = UP_FLAG_BOOL,
     .help = "CSV: a header line, then one line per row",
     .offset = OPT(csv)},
    {.name = "consistency",
     .short_name = 'c',
     .type = UP_FLAG_STRING,
     .value_name = "LEVEL",
     .def = "one",
     .help = "consistency level of the statement",
     .offset = OPT(consistency),
     .choices = CQL_CONSISTENCY_CHOICES},
    {.name = "keyspace",
     .short_name = 'k',
     .type = UP_FLAG_STRING,
     .value_name = "NAME",
     .help = "keyspace for unqualified table names",
     .offset = OPT(keyspace)},
    {.name = "page-size",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "5000",
     .help = "rows fetched per round trip (all pages are read)",
     .offset = OPT(page_size),
     .min = 1,
     .max = 1000000},
    CQL_FLAGS_CASSANDRA(struct query_opts, cql),
    UP_FLAGS_LOG(struct query_opts),
};

static const struct up_command_spec query_spec = {
    "query",
    "'CQL'",
    "run one CQL statement and print its rows (table, --json, --csv)",
    "Prints rows as cqlsh does: a header, right-aligned values, then \"(N rows)\". --json writes\n"
    "one object per row (timestamps as ISO 8601 UTC strings, blobs as \"0x..\"), --csv a header\n"
    "and RFC 4180-quoted rows; neither adds a footer. Every page is fetched.\n"
    "Statements without rows (DDL, INSERT) print nothing.\n\n"
    "On a server error the code and message are printed and the exit status is 1, e.g.\n"
    "  error: INVALID (server code 0x2200) from 127.0.0.1:9042: table users does not exist\n\n"
    "Examples:\n"
    "  userpipe query 'SELECT * FROM profiles.users LIMIT 10'\n"
    "  userpipe query --json 'SELECT id, email FROM profiles.users' | jq .email\n"
    "  USERPIPE_CASSANDRA_PASSWORD=... userpipe query --cassandra-user admin 'SELECT ...'",
    query_flags,
    UP_NFLAGS(query_flags),
    1,
    1,
};

static bool stop_requested(void)
{
    return up_stop_requested();
}

static void print_error(const char *what, const struct cql_error *e)
{
    char msg[1024];
    cql_error_format(e, msg, sizeof msg);
    fprintf(stderr, "userpipe query: %s: %s\n", what, msg);
    if (e->code == CQL_ERR_AUTH)
        fprintf(stderr, "userpipe query: give the password with --cassandra-password-file FILE "
                        "or USERPIPE_CASSANDRA_PASSWORD\n");
}

/* Connects, runs the statement through every page, prints. Returns the exit status. */
static int run(const struct query_opts *o, const char *cql, const struct cql_config *cfg)
{
    enum cql_consistency cl = CQL_ONE;
    cql_consistency_parse(o->consistency, &cl);
    enum cql_output_format format = o->json  ? CQL_OUTPUT_JSON
                                    : o->csv ? CQL_OUTPUT_CSV
                                             : CQL_OUTPUT_TABLE;
    cql_session *s;
    struct cql_error e;
    if (cql_session_connect(cfg, &s, &e) != 0) {
        print_error("cannot connect", &e);
        return 1;
    }
    cql_statement *st = cql_statement_new(cql, 0);
    cql_statement_set_consistency(st, cl);
    cql_statement_set_page_size(st, (int32_t)o->page_size);
    struct cql_printer *p = cql_printer_new(format, stdout);
    int rc = cql_query_all(s, st, p, stop_requested, &e);
    cql_printer_finish(p);
    if (rc != 0)
        print_error("the statement failed", &e);
    cql_printer_free(p);
    cql_statement_free(st);
    cql_session_free(s);
    return rc == 0 ? 0 : 1;
}

int cmd_query(int argc, char **argv)
{
    struct query_opts o = {0};
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&query_spec, &o, argc, argv, &args, &nargs);
    if (fr != UP_FLAGS_OK) {
        free(args);
        up_flags_free(&query_spec, &o);
        return fr == UP_FLAGS_HELP ? 0 : 2;
    }
    int status = 2;
    char password[CQL_PASSWORD_MAX], err[512];
    struct cql_config cfg;
    if (!up_common_apply(&o.common, "query")) {
        /* message printed */
    } else if (o.json && o.csv) {
        fprintf(stderr, "userpipe query: --json and --csv exclude each other\n");
        up_flags_print_usage(&query_spec, stderr);
    } else if (args[0][strspn(args[0], " \t\r\n;")] == '\0') {
        fprintf(stderr, "userpipe query: the CQL statement is empty\n");
        up_flags_print_usage(&query_spec, stderr);
    } else if (cql_cli_config(&o.cql, &cfg, password, sizeof password, err, sizeof err) != 0) {
        fprintf(stderr, "userpipe query: %s\n", err);
    } else {
        cfg.keyspace = o.keyspace && o.keyspace[0] ? o.keyspace : NULL;
        up_signals_install();
        status = run(&o, args[0], &cfg);
    }
    explicit_bzero(password, sizeof password);
    free(args);
    up_flags_free(&query_spec, &o);
    return status;
}
