/* stream/write_class: CQL errors -> data / transient / operator (write_class.h). */
#include "stream/write_class.h"

#include <string.h>

/* The messages of an InvalidRequest that refuse a value, not the statement or the table
 * (Cassandra 4.x/5.0: Validation, ModificationStatement, the types' validate(), Guardrails,
 * the mutation size check). Matched as substrings. */
static const char *const value_refusals[] = {
    "Key length of ",                 /* a partition key above 65535 bytes */
    "Key may not be empty",           /* an empty partition key */
    "clustering columns is too long", /* clustering values above 65535 bytes */
    "Invalid null value for ",        /* a null key part */
    "Invalid unset value for ",       /* an unset key part */
    "Invalid version for TimeUUID",   /* a UUID that is not version 1 in a timeuuid */
    "didn't validate",                /* text that is not UTF-8, ascii that is not ASCII */
    "Guardrail column_value_size",    /* a value above the configured size */
    "Guardrail items_per_collection", /* a collection with too many items */
    "Guardrail collection_size",      /* a collection above the configured size */
    "Guardrail fields_per_udt",       /* a UDT value with too many fields */
    "Rejected an oversized mutation", /* a row above half a commit log segment */
    "ttl is too large",               /* __ttl above 20 years */
    "A TTL must be greater",          /* a negative __ttl */
    "value is too long",              /* old "List/Map value is too long" */
};

static bool refuses_a_value(const char *message)
{
    if (!message)
        return false;
    for (size_t i = 0; i < sizeof value_refusals / sizeof value_refusals[0]; i++)
        if (strstr(message, value_refusals[i]))
            return true;
    return false;
}

enum up_write_class up_write_classify(enum cql_error_code code, const char *message)
{
    /* what the CQL client itself would send again (timeouts, Unavailable, Overloaded, a lost
     * connection ...) waits here too */
    if (cql_error_is_retryable(code))
        return UP_WRITE_TRANSIENT;
    switch (code) {
    case CQL_ERR_INVALID:
        return refuses_a_value(message) ? UP_WRITE_DATA : UP_WRITE_OPERATOR;
    case CQL_ERR_FUNCTION_FAILURE: /* a function failed on this record's arguments */
        return UP_WRITE_DATA;
    case CQL_ERR_READ_FAILURE:
    case CQL_ERR_WRITE_FAILURE: /* a replica failed (disk, a dropped table racing): try again */
    case CQL_ERR_CDC_WRITE_FAILURE:
    case CQL_ERR_CAS_WRITE_UNKNOWN:
    case CQL_ERR_UNPREPARED: /* the client re-prepares; seen here only when that raced */
    case CQL_ERR_SHUTDOWN:
    case CQL_ERR_RETRIES_EXHAUSTED:
    case CQL_ERR_COMPRESSION:
        return UP_WRITE_TRANSIENT;
    default: /* syntax, unauthorized, credentials, config, already exists, a re-prepare that
              * failed (a dropped table), protocol, TLS, frame size, our own bugs */
        return UP_WRITE_OPERATOR;
    }
}

const char *up_write_operator_hint(enum cql_error_code code, const char *message)
{
    const char *m = message ? message : "";
    if (strstr(m, "unconfigured table") || strstr(m, "does not exist"))
        return "create the table (or keyspace), or fix the mapping";
    if (strstr(m, "Undefined column") || strstr(m, "Unknown identifier"))
        return "add the column to the table, or fix the mapping";
    switch (code) {
    case CQL_ERR_UNAUTHORIZED:
        return "GRANT MODIFY on the table to the stream's role";
    case CQL_ERR_BAD_CREDENTIALS:
    case CQL_ERR_AUTH:
        return "fix the Cassandra user or password";
    case CQL_ERR_SYNTAX_ERROR:
        return "fix the mapping";
    case CQL_ERR_TLS:
        return "fix the TLS settings or certificates";
    default:
        return "fix the table or the mapping so that this write fits it";
    }
}
