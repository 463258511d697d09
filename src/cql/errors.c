/* errors: the one error table (cql.h) turned into names, descriptions and classifiers,
 * plus consistency names. */
#include "cql/cql.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct error_entry {
    enum cql_error_code code;
    const char *name;
    const char *desc;
};

static const struct error_entry error_entries[] = {
#define CQL_ERROR_ENTRY_(src, name, code, desc) {CQL_ERR_##name, #name, desc},
    CQL_ERROR_TABLE(CQL_ERROR_ENTRY_)
#undef CQL_ERROR_ENTRY_
};

static const struct error_entry *find_error(enum cql_error_code code)
{
    for (size_t i = 0; i < sizeof error_entries / sizeof error_entries[0]; i++)
        if (error_entries[i].code == code)
            return &error_entries[i];
    return NULL;
}

const char *cql_error_name(enum cql_error_code code)
{
    if (code == CQL_OK)
        return "OK";
    const struct error_entry *e = find_error(code);
    return e ? e->name : "UNKNOWN";
}

const char *cql_error_desc(enum cql_error_code code)
{
    if (code == CQL_OK)
        return "no error";
    const struct error_entry *e = find_error(code);
    return e ? e->desc : "unknown error";
}

enum cql_error_code cql_error_from_server(int32_t server_code)
{
    if (server_code < 0 || server_code > 0xFFFF)
        return CQL_ERR_SERVER_ERROR;
    enum cql_error_code code = (enum cql_error_code)CQL_ERROR_CODE(CQL_SOURCE_SERVER, server_code);
    return find_error(code) ? code : CQL_ERR_SERVER_ERROR;
}

bool cql_error_is_server(enum cql_error_code code)
{
    return ((unsigned)code >> 24) == CQL_SOURCE_SERVER;
}

int32_t cql_error_server_code(enum cql_error_code code)
{
    return cql_error_is_server(code) ? (int32_t)(code & 0xFFFFFF) : -1;
}

bool cql_error_is_retryable(enum cql_error_code code)
{
    switch (code) {
    case CQL_ERR_SERVER_ERROR:
    case CQL_ERR_UNAVAILABLE:
    case CQL_ERR_OVERLOADED:
    case CQL_ERR_IS_BOOTSTRAPPING:
    case CQL_ERR_TRUNCATE_ERROR:
    case CQL_ERR_WRITE_TIMEOUT:
    case CQL_ERR_READ_TIMEOUT:
    case CQL_ERR_CONNECT:
    case CQL_ERR_CONNECTION_CLOSED:
    case CQL_ERR_TIMEOUT:
    case CQL_ERR_NO_HOSTS:
    case CQL_ERR_QUEUE_FULL:
    case CQL_ERR_SCHEMA_AGREEMENT:
        return true;
    default:
        return false;
    }
}

void cql_error_format(const struct cql_error *err, char *out, size_t size)
{
    const char *desc = cql_error_desc(err->code);
    const char *msg = err->message[0] ? err->message : desc;
    const char *from = err->host[0] ? " from " : "";
    if (cql_error_is_server(err->code))
        snprintf(out, size, "%s (server code 0x%04X)%s%s: %s", cql_error_name(err->code),
                 (unsigned)cql_error_server_code(err->code), from, err->host, msg);
    else
        snprintf(out, size, "%s%s%s: %s", cql_error_name(err->code), from, err->host, msg);
}

void cql_error_set(struct cql_error *err, enum cql_error_code code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void cql_error_clear(struct cql_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static const char *const consistency_names[] = {
    [CQL_ANY] = "ANY",
    [CQL_ONE] = "ONE",
    [CQL_TWO] = "TWO",
    [CQL_THREE] = "THREE",
    [CQL_QUORUM] = "QUORUM",
    [CQL_ALL] = "ALL",
    [CQL_LOCAL_QUORUM] = "LOCAL_QUORUM",
    [CQL_EACH_QUORUM] = "EACH_QUORUM",
    [CQL_SERIAL] = "SERIAL",
    [CQL_LOCAL_SERIAL] = "LOCAL_SERIAL",
    [CQL_LOCAL_ONE] = "LOCAL_ONE",
};

const char *cql_consistency_name(enum cql_consistency cl)
{
    if ((unsigned)cl < sizeof consistency_names / sizeof consistency_names[0])
        return consistency_names[cl];
    return "UNKNOWN";
}

bool cql_consistency_parse(const char *s, enum cql_consistency *out)
{
    for (size_t i = 0; i < sizeof consistency_names / sizeof consistency_names[0]; i++) {
        if (strcasecmp(s, consistency_names[i]) == 0) {
            *out = (enum cql_consistency)i;
            return true;
        }
    }
    return false;
}
