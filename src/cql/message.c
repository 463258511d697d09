/* message: response bodies (RESULT, ERROR, EVENT, SUPPORTED) parsed into structures. */
#include "cql/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- column specs ------------------------------------------------------------------------ */

void cql_columns_free(struct cql_column *cols, size_t n)
{
    if (!cols)
        return;
    for (size_t i = 0; i < n; i++) {
        free(cols[i].keyspace);
        free(cols[i].table);
        free(cols[i].name);
        cql_data_type_free(cols[i].type);
    }
    free(cols);
}

/* <global_table_spec>? <col_spec_1>...<col_spec_n>. Every spec takes at least 4 bytes (name
 * and type id), which bounds n by the bytes left. */
static bool parse_col_specs(struct cql_cursor *c, int32_t flags, size_t n, struct cql_column **out)
{
    const char *gks = NULL, *gtable = NULL;
    size_t gks_len = 0, gtable_len = 0;
    bool global = flags & 0x0001;
    *out = NULL;
    if (global && (!cql_get_string(c, &gks, &gks_len) || !cql_get_string(c, &gtable, &gtable_len)))
        return false;
    if (n > cql_cursor_left(c) / 4) {
        c->failed = true;
        return false;
    }
    struct cql_column *cols = up_xcalloc(n ? n : 1, sizeof *cols);
    for (size_t i = 0; i < n; i++) {
        bool ok;
        if (global) {
            cols[i].keyspace = up_xstrndup(gks, gks_len);
            cols[i].table = up_xstrndup(gtable, gtable_len);
            ok = true;
        } else {
            ok = cql_get_string_dup(c, &cols[i].keyspace) && cql_get_string_dup(c, &cols[i].table);
        }
        ok = ok && cql_get_string_dup(c, &cols[i].name);
        if (ok)
            cols[i].type = cql_data_type_parse(c, 0);
        if (!ok || !cols[i].type) {
            cql_columns_free(cols, n);
            c->failed = true;
            return false;
        }
    }
    *out = cols;
    return true;
}

void cql_rows_meta_free(struct cql_rows_meta *m)
{
    cql_columns_free(m->cols, m->ncols);
    free(m->paging_state);
    memset(m, 0, sizeof *m);
}

/* Without metadata (No_metadata flag) the columns get blob types, so cells stay printable. */
static void placeholder_columns(struct cql_rows_meta *m)
{
    m->cols = up_xcalloc(m->ncols ? m->ncols : 1, sizeof *m->cols);
    for (size_t i = 0; i < m->ncols; i++) {
        char name[32];
        snprintf(name, sizeof name, "column%zu", i + 1);
        m->cols[i].name = up_xstrdup(name);
        m->cols[i].type = cql_data_type_new(CQL_TYPE_BLOB);
    }
}

static bool parse_rows_meta(struct cql_cursor *c, struct cql_rows_meta *m)
{
    int32_t ncols;
    memset(m, 0, sizeof *m);
    if (!cql_get_int(c, &m->flags) || !cql_get_int(c, &ncols))
        return false;
    if (ncols < 0) {
        c->failed = true;
        return false;
    }
    m->ncols = (size_t)ncols;
    if (m->flags & 0x0002) {
        const uint8_t *p;
        int32_t len;
        if (!cql_get_bytes(c, &p, &len))
            return false;
        m->has_more = true;
        if (len > 0) {
            m->paging_state = up_xmalloc((size_t)len);
            memcpy(m->paging_state, p, (size_t)len);
            m->paging_len = (size_t)len;
        }
    }
    if (m->flags & 0x0004) {
        /* no specs on the wire: bound ncols by the body like a row of empty cells would */
        if (m->ncols > cql_cursor_left(c) + 1024) {
            c->failed = true;
            return false;
        }
        placeholder_columns(m);
        return true;
    }
    if (!parse_col_specs(c, m->flags, m->ncols, &m->cols))
        return false;
    return true;
}

/* ---- RESULT ------------------------------------------------------------------------------ */

static int protocol_error(struct cql_error *err, const char *what)
{
    cql_error_set(err, CQL_ERR_PROTOCOL, "malformed %s from the server", what);
    return -1;
}

static bool parse_rows(struct cql_cursor *c, struct cql_result *r)
{
    int32_t nrows;
    if (!parse_rows_meta(c, &r->meta) || !cql_get_int(c, &nrows) || nrows < 0)
        return false;
    size_t ncols = r->meta.ncols;
    /* each cell is at least its 4-byte length: check before allocating rows * cols */
    size_t left = cql_cursor_left(c);
    if (ncols > 0 && (size_t)nrows > left / 4 / ncols)
        return false;
    if (ncols == 0 && (size_t)nrows > left + 1024 * 1024)
        return false;
    r->nrows = (size_t)nrows;
    size_t ncells = r->nrows * ncols;
    r->cells = up_xmalloc((ncells ? ncells : 1) * sizeof *r->cells);
    for (size_t i = 0; i < ncells; i++) {
        const uint8_t *p;
        int32_t len;
        if (!cql_get_bytes(c, &p, &len))
            return false;
        r->cells[i].len = len < 0 ? -1 : len;
        r->cells[i].off = len < 0 ? 0 : (uint32_t)(p - r->body);
    }
    return true;
}

static bool parse_prepared(struct cql_cursor *c, struct cql_result *r)
{
    struct cql_prepared_meta *pm = up_xcalloc(1, sizeof *pm);
    r->prepared = pm;
    const uint8_t *id;
    int32_t flags, ncols, npk;
    if (!cql_get_short_bytes(c, &id, &pm->id_len) || pm->id_len > CQL_MAX_PREPARED_ID)
        return false;
    memcpy(pm->id, id, pm->id_len);
    if (!cql_get_int(c, &flags) || !cql_get_int(c, &ncols) || !cql_get_int(c, &npk) || ncols < 0 ||
        npk < 0 || (size_t)npk > cql_cursor_left(c) / 2)
        return false;
    pm->npk = (size_t)npk;
    pm->pk = up_xmalloc((pm->npk ? pm->npk : 1) * sizeof *pm->pk);
    for (size_t i = 0; i < pm->npk; i++) {
        if (!cql_get_short(c, &pm->pk[i]) || pm->pk[i] >= (uint32_t)ncols)
            return false;
    }
    if (!parse_col_specs(c, flags, (size_t)ncols, &pm->params))
        return false;
    pm->nparams = (size_t)ncols;
    return parse_rows_meta(c, &r->meta);
}

static bool parse_schema_change(struct cql_cursor *c, struct cql_result *r)
{
    if (!cql_get_string_dup(c, &r->change) || !cql_get_string_dup(c, &r->target) ||
        !cql_get_string_dup(c, &r->sc_keyspace))
        return false;
    if (strcmp(r->target, "KEYSPACE") != 0 && !cql_get_string_dup(c, &r->sc_name))
        return false;
    if (!r->sc_name)
        r->sc_name = up_xstrdup("");
    return true; /* FUNCTION/AGGREGATE argument types follow; not needed */
}

static void free_prepared_meta(struct cql_prepared_meta *pm)
{
    if (!pm)
        return;
    cql_columns_free(pm->params, pm->nparams);
    free(pm->pk);
    free(pm);
}

void cql_result_free(cql_result *r)
{
    if (!r || --r->refs > 0)
        return;
    cql_rows_meta_free(&r->meta);
    free(r->cells);
    free(r->keyspace);
    free(r->change);
    free(r->target);
    free(r->sc_keyspace);
    free(r->sc_name);
    free_prepared_meta(r->prepared);
    cql_strings_free(r->warnings, r->nwarnings);
    free(r->body);
    free(r);
}

int cql_result_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_result **out,
                     struct cql_error *err)
{
    *out = NULL;
    struct cql_result *r = up_xcalloc(1, sizeof *r);
    r->refs = 1;
    struct cql_cursor c;
    cql_cursor_init(&c, body, len);
    if (!cql_skip_response_prefix(&c, flags, &r->warnings, &r->nwarnings)) {
        cql_result_free(r);
        return protocol_error(err, "RESULT prefix (tracing id, warnings or payload)");
    }
    /* An INSERT's answer is VOID: four bytes that nothing points into, so no copy (one
     * allocation fewer per write). */
    struct cql_cursor peek = c;
    int32_t void_kind;
    if (cql_get_int(&peek, &void_kind) && void_kind == CQL_RESULT_VOID && !peek.failed) {
        r->kind = CQL_RESULT_VOID;
        *out = r;
        return 0;
    }
    /* keep a private copy of the message so cells can point into it */
    r->body_len = cql_cursor_left(&c);
    r->body = up_xmalloc(r->body_len ? r->body_len : 1);
    if (r->body_len)
        memcpy(r->body, c.p, r->body_len);
    cql_cursor_init(&c, r->body, r->body_len);
    int32_t kind;
    bool ok = cql_get_int(&c, &kind);
    if (ok) {
        r->kind = (enum cql_result_kind)kind;
        switch (kind) {
        case CQL_RESULT_VOID:
            break;
        case CQL_RESULT_ROWS:
            ok = parse_rows(&c, r);
            break;
        case CQL_RESULT_SET_KEYSPACE:
            ok = cql_get_string_dup(&c, &r->keyspace);
            break;
        case CQL_RESULT_PREPARED:
            ok = parse_prepared(&c, r);
            break;
        case CQL_RESULT_SCHEMA_CHANGE:
            ok = parse_schema_change(&c, r);
            break;
        default:
            ok = false;
        }
    }
    if (!ok || c.failed) {
        cql_result_free(r);
        return protocol_error(err, "RESULT body");
    }
    *out = r;
    return 0;
}

/* ---- public result accessors ------------------------------------------------------------- */

enum cql_result_kind cql_result_kind(const cql_result *r)
{
    return r->kind;
}

size_t cql_result_column_count(const cql_result *r)
{
    return r->meta.ncols;
}

const char *cql_result_column_name(const cql_result *r, size_t col)
{
    return col < r->meta.ncols ? r->meta.cols[col].name : NULL;
}

const cql_data_type *cql_result_column_type(const cql_result *r, size_t col)
{
    return col < r->meta.ncols ? r->meta.cols[col].type : NULL;
}

size_t cql_result_row_count(const cql_result *r)
{
    return r->nrows;
}

struct cql_value cql_result_cell(const cql_result *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->meta.ncols)
        return (struct cql_value){NULL, NULL, -1};
    const struct cql_cell *cell = &r->cells[row * r->meta.ncols + col];
    return (struct cql_value){r->meta.cols[col].type, cell->len < 0 ? NULL : r->body + cell->off,
                              cell->len};
}

bool cql_result_has_more_pages(const cql_result *r)
{
    return r->meta.has_more;
}

const char *cql_result_keyspace(const cql_result *r)
{
    return r->keyspace;
}

bool cql_result_schema_change(const cql_result *r, const char **change, const char **target,
                              const char **keyspace, const char **name)
{
    if (r->kind != CQL_RESULT_SCHEMA_CHANGE)
        return false;
    *change = r->change;
    *target = r->target;
    *keyspace = r->sc_keyspace;
    *name = r->sc_name;
    return true;
}

size_t cql_result_warning_count(const cql_result *r)
{
    return r->nwarnings;
}

const char *cql_result_warning(const cql_result *r, size_t i)
{
    return i < r->nwarnings ? r->warnings[i] : NULL;
}

const char *cql_result_host(const cql_result *r)
{
    return r->host;
}

cql_result *cql_result_retain(cql_result *r)
{
    r->refs++;
    return r;
}

/* ---- ERROR ------------------------------------------------------------------------------- */

static void copy_string(char *dst, size_t size, const char *s, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static bool get_string_into(struct cql_cursor *c, char *dst, size_t size)
{
    const char *s;
    size_t len;
    if (!cql_get_string(c, &s, &len))
        return false;
    copy_string(dst, size, s, len);
    return true;
}

/* The details after <code><message> (spec §9). A short body only loses details. */
static void parse_error_details(struct cql_cursor *c, struct cql_error *err, const uint8_t **id,
                                size_t *id_len)
{
    uint16_t cl;
    uint8_t present;
    switch (err->code) {
    case CQL_ERR_UNAVAILABLE:
        if (cql_get_short(c, &cl) && cql_get_int(c, &err->required) &&
            cql_get_int(c, &err->received))
            err->consistency = (enum cql_consistency)cl;
        break;
    case CQL_ERR_WRITE_TIMEOUT:
    case CQL_ERR_WRITE_FAILURE:
        if (cql_get_short(c, &cl) && cql_get_int(c, &err->received) &&
            cql_get_int(c, &err->required) &&
            (err->code == CQL_ERR_WRITE_TIMEOUT || cql_get_int(c, &err->failures)))
            err->consistency = (enum cql_consistency)cl;
        get_string_into(c, err->write_type, sizeof err->write_type);
        break;
    case CQL_ERR_READ_TIMEOUT:
    case CQL_ERR_READ_FAILURE:
        if (cql_get_short(c, &cl) && cql_get_int(c, &err->received) &&
            cql_get_int(c, &err->required) &&
            (err->code == CQL_ERR_READ_TIMEOUT || cql_get_int(c, &err->failures)) &&
            cql_get_byte(c, &present)) {
            err->consistency = (enum cql_consistency)cl;
            err->data_present = present != 0;
        }
        break;
    case CQL_ERR_ALREADY_EXISTS:
    case CQL_ERR_FUNCTION_FAILURE:
        if (get_string_into(c, err->keyspace, sizeof err->keyspace))
            get_string_into(c, err->table, sizeof err->table);
        break;
    case CQL_ERR_UNPREPARED:
        if (id && !cql_get_short_bytes(c, id, id_len))
            *id = NULL;
        break;
    default:
        break;
    }
}

int cql_error_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_error *err,
                    const uint8_t **id, size_t *id_len)
{
    cql_error_clear(err);
    if (id) {
        *id = NULL;
        *id_len = 0;
    }
    struct cql_cursor c;
    cql_cursor_init(&c, body, len);
    int32_t code;
    const char *msg;
    size_t msg_len;
    if (!cql_skip_response_prefix(&c, flags, NULL, NULL) || !cql_get_int(&c, &code) ||
        !cql_get_string(&c, &msg, &msg_len))
        return protocol_error(err, "ERROR body");
    err->code = cql_error_from_server(code);
    copy_string(err->message, sizeof err->message, msg, msg_len);
    if (err->code == CQL_ERR_SERVER_ERROR && code != 0)
        snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
                 " (unknown server code 0x%04X)", (unsigned)code);
    parse_error_details(&c, err, id, id_len);
    return 0;
}

/* ---- EVENT ------------------------------------------------------------------------------- */

void cql_event_msg_free(struct cql_event_msg *m)
{
    for (size_t i = 0; i < sizeof m->strings / sizeof m->strings[0]; i++)
        free(m->strings[i]);
    memset(m, 0, sizeof *m);
}

static char *event_string(struct cql_event_msg *m, size_t slot, struct cql_cursor *c)
{
    if (!cql_get_string_dup(c, &m->strings[slot]))
        return NULL;
    return m->strings[slot];
}

int cql_event_parse(const uint8_t *body, size_t len, uint8_t flags, struct cql_event_msg *out)
{
    memset(out, 0, sizeof *out);
    struct cql_cursor c;
    cql_cursor_init(&c, body, len);
    const char *type;
    if (!cql_skip_response_prefix(&c, flags, NULL, NULL) || !(type = event_string(out, 0, &c)) ||
        !(out->ev.change = event_string(out, 1, &c)))
        goto fail;
    if (strcmp(type, "TOPOLOGY_CHANGE") == 0 || strcmp(type, "STATUS_CHANGE") == 0) {
        out->ev.type = type[0] == 'T' ? CQL_EVENT_TOPOLOGY_CHANGE : CQL_EVENT_STATUS_CHANGE;
        if (!cql_get_inet(&c, out->addr, &out->addr_len, &out->port))
            goto fail;
        out->strings[2] = up_xmalloc(64);
        cql_format_inet(out->addr, out->addr_len, out->port, out->strings[2], 64);
        out->ev.address = out->strings[2];
        out->ev.target = out->ev.keyspace = out->ev.name = "";
        return 0;
    }
    if (strcmp(type, "SCHEMA_CHANGE") == 0) {
        out->ev.type = CQL_EVENT_SCHEMA_CHANGE;
        out->ev.address = "";
        if (!(out->ev.target = event_string(out, 2, &c)) ||
            !(out->ev.keyspace = event_string(out, 3, &c)))
            goto fail;
        if (strcmp(out->ev.target, "KEYSPACE") == 0)
            out->ev.name = "";
        else if (!(out->ev.name = event_string(out, 4, &c)))
            goto fail;
        return 0;
    }
fail:
    cql_event_msg_free(out);
    return -1;
}

/* ---- SUPPORTED --------------------------------------------------------------------------- */

bool cql_supported_has(const uint8_t *body, size_t len, uint8_t flags, const char *key,
                       const char *value)
{
    struct cql_cursor c;
    cql_cursor_init(&c, body, len);
    uint16_t n;
    if (!cql_skip_response_prefix(&c, flags, NULL, NULL) || !cql_get_short(&c, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *k;
        size_t klen;
        uint16_t nv;
        if (!cql_get_string(&c, &k, &klen) || !cql_get_short(&c, &nv))
            return false;
        bool key_match = klen == strlen(key) && memcmp(k, key, klen) == 0;
        for (size_t j = 0; j < nv; j++) {
            const char *v;
            size_t vlen;
            if (!cql_get_string(&c, &v, &vlen))
                return false;
            if (key_match && vlen == strlen(value) && memcmp(v, value, vlen) == 0)
                return true;
        }
    }
    return false;
}
