/* statement: simple and bound statements, batches, binding by index, and the encoding of
 * QUERY / EXECUTE / BATCH / PREPARE / STARTUP / AUTH_RESPONSE / REGISTER bodies. */
#include "cql/message.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE_SIZE 5000

/* ---- prepared statements ----------------------------------------------------------------- */

struct cql_prepared *cql_prepared_ref(struct cql_prepared *p)
{
    p->refs++;
    return p;
}

void cql_prepared_free(cql_prepared *p)
{
    if (!p || --p->refs > 0)
        return;
    cql_columns_free(p->meta.params, p->meta.nparams);
    free(p->meta.pk);
    free(p->query);
    free(p);
}

const char *cql_prepared_query(const cql_prepared *p)
{
    return p->query;
}

size_t cql_prepared_param_count(const cql_prepared *p)
{
    return p->meta.nparams;
}

const char *cql_prepared_param_name(const cql_prepared *p, size_t i)
{
    return i < p->meta.nparams ? p->meta.params[i].name : NULL;
}

const cql_data_type *cql_prepared_param_type(const cql_prepared *p, size_t i)
{
    return i < p->meta.nparams ? p->meta.params[i].type : NULL;
}

size_t cql_prepared_pk_count(const cql_prepared *p)
{
    return p->meta.npk;
}

size_t cql_prepared_pk_index(const cql_prepared *p, size_t i)
{
    return i < p->meta.npk ? p->meta.pk[i] : 0;
}

/* ---- statements -------------------------------------------------------------------------- */

/* A slot with no value: sent as "not set" (-2), which leaves the column as it is. */
static const struct cql_slot unset_slot = {-2, 0};

static struct cql_statement *statement_alloc(size_t nvalues)
{
    struct cql_statement *st = up_xcalloc(1, sizeof *st);
    st->nvalues = nvalues;
    st->slots = up_xmalloc((nvalues ? nvalues : 1) * sizeof *st->slots);
    cql_statement_clear_values(st);
    st->consistency = -1;
    st->serial_consistency = -1;
    st->timestamp = -1;
    st->page_size = DEFAULT_PAGE_SIZE;
    return st;
}

cql_statement *cql_statement_new(const char *cql, size_t nvalues)
{
    if (!cql || nvalues > UINT16_MAX)
        return NULL;
    struct cql_statement *st = statement_alloc(nvalues);
    st->query_len = strlen(cql);
    st->query = up_xstrndup(cql, st->query_len);
    return st;
}

cql_statement *cql_prepared_bind(cql_prepared *p)
{
    struct cql_statement *st = statement_alloc(p->meta.nparams);
    st->prepared = cql_prepared_ref(p);
    return st;
}

void cql_statement_free(cql_statement *st)
{
    if (!st)
        return;
    free(st->query);
    cql_prepared_free(st->prepared);
    free(st->slots);
    up_buf_free(&st->data);
    free(st->paging_state);
    free(st);
}

void cql_statement_clear_values(cql_statement *st)
{
    for (size_t i = 0; i < st->nvalues; i++)
        st->slots[i] = unset_slot;
    up_buf_clear(&st->data);
}

struct cql_statement *cql_statement_clone(const struct cql_statement *st)
{
    struct cql_statement *c = up_xmalloc(sizeof *c);
    *c = *st;
    c->query = st->query ? up_xstrndup(st->query, st->query_len) : NULL;
    if (st->prepared)
        cql_prepared_ref(st->prepared);
    c->slots = up_xmalloc((st->nvalues ? st->nvalues : 1) * sizeof *c->slots);
    memcpy(c->slots, st->slots, st->nvalues * sizeof *c->slots);
    c->data = (struct up_buf)UP_BUF_INIT;
    if (st->data.len)
        up_buf_append(&c->data, st->data.data, st->data.len);
    c->paging_state = NULL;
    c->paging_len = 0;
    if (st->paging_len) {
        c->paging_state = up_xmalloc(st->paging_len);
        memcpy(c->paging_state, st->paging_state, st->paging_len);
        c->paging_len = st->paging_len;
    }
    return c;
}

void cql_statement_set_consistency(cql_statement *st, enum cql_consistency cl)
{
    st->consistency = (int)cl;
}

void cql_statement_set_serial_consistency(cql_statement *st, enum cql_consistency cl)
{
    st->serial_consistency = (int)cl;
}

enum cql_error_code cql_statement_set_timestamp(cql_statement *st, int64_t micros)
{
    if (micros < 0)
        return CQL_ERR_BAD_PARAMS;
    st->timestamp = micros;
    return CQL_OK;
}

void cql_statement_set_page_size(cql_statement *st, int32_t rows)
{
    st->page_size = rows;
}

enum cql_error_code cql_statement_set_paging_state_raw(cql_statement *st, const uint8_t *state,
                                                       size_t len)
{
    if (len > INT32_MAX)
        return CQL_ERR_BAD_PARAMS;
    free(st->paging_state);
    st->paging_state = NULL;
    st->paging_len = 0;
    if (state && len) {
        st->paging_state = up_xmalloc(len);
        memcpy(st->paging_state, state, len);
        st->paging_len = len;
    }
    return CQL_OK;
}

void cql_statement_set_paging_state(cql_statement *st, const cql_result *previous)
{
    if (previous && previous->meta.has_more)
        cql_statement_set_paging_state_raw(st, previous->meta.paging_state,
                                           previous->meta.paging_len);
    else
        cql_statement_set_paging_state_raw(st, NULL, 0);
}

void cql_statement_set_idempotent(cql_statement *st, bool idempotent)
{
    st->idempotent = idempotent;
}

void cql_statement_set_timeout_ms(cql_statement *st, int timeout_ms)
{
    st->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

/* ---- binding ----------------------------------------------------------------------------- */

/* Checks the index and, for bound statements, that the variable's type is one of the
 * accepted ones (a zero-terminated list; NULL accepts any type). */
static enum cql_error_code check_bind(const struct cql_statement *st, size_t i,
                                      const enum cql_type_id *accepted, size_t naccepted)
{
    if (i >= st->nvalues)
        return CQL_ERR_BAD_PARAMS;
    if (!st->prepared || !accepted)
        return CQL_OK;
    enum cql_type_id id = st->prepared->meta.params[i].type->id;
    for (size_t k = 0; k < naccepted; k++)
        if (accepted[k] == id)
            return CQL_OK;
    return CQL_ERR_TYPE_MISMATCH;
}

static void store_value(struct cql_statement *st, size_t i, const void *data, size_t len)
{
    st->slots[i].off = (uint32_t)st->data.len;
    st->slots[i].len = (int32_t)len;
    up_buf_append(&st->data, data, len);
}

#define ACCEPT(...)                                                                                \
    (const enum cql_type_id[]){__VA_ARGS__},                                                       \
        sizeof((const enum cql_type_id[]){__VA_ARGS__}) / sizeof(enum cql_type_id)

static enum cql_error_code bind_checked(struct cql_statement *st, size_t i, const void *data,
                                        size_t len, const enum cql_type_id *accepted, size_t n)
{
    enum cql_error_code e = check_bind(st, i, accepted, n);
    if (e != CQL_OK)
        return e;
    if (len > INT32_MAX || st->data.len + len > UINT32_MAX)
        return CQL_ERR_BAD_PARAMS;
    store_value(st, i, data, len);
    return CQL_OK;
}

enum cql_error_code cql_statement_bind_null(cql_statement *st, size_t i)
{
    if (i >= st->nvalues)
        return CQL_ERR_BAD_PARAMS;
    st->slots[i] = (struct cql_slot){-1, 0};
    return CQL_OK;
}

enum cql_error_code cql_statement_bind_unset(cql_statement *st, size_t i)
{
    if (i >= st->nvalues)
        return CQL_ERR_BAD_PARAMS;
    st->slots[i] = unset_slot;
    return CQL_OK;
}

enum cql_error_code cql_statement_bind_text(cql_statement *st, size_t i, const char *s, size_t len)
{
    if (i < st->nvalues && st->prepared &&
        st->prepared->meta.params[i].type->id == CQL_TYPE_ASCII) {
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)s[k] > 127)
                return CQL_ERR_BAD_PARAMS;
    }
    return bind_checked(st, i, s, len, ACCEPT(CQL_TYPE_VARCHAR, CQL_TYPE_ASCII));
}

enum cql_error_code cql_statement_bind_blob(cql_statement *st, size_t i, const void *data,
                                            size_t len)
{
    return bind_checked(st, i, data, len, ACCEPT(CQL_TYPE_BLOB, CQL_TYPE_CUSTOM));
}

enum cql_error_code cql_statement_bind_uuid(cql_statement *st, size_t i, const struct cql_uuid *u)
{
    return bind_checked(st, i, u->bytes, 16, ACCEPT(CQL_TYPE_UUID, CQL_TYPE_TIMEUUID));
}

static enum cql_error_code bind_be64(struct cql_statement *st, size_t i, uint64_t v,
                                     const enum cql_type_id *accepted, size_t n)
{
    uint8_t b[8];
    cql_store_u64(b, v);
    return bind_checked(st, i, b, 8, accepted, n);
}

enum cql_error_code cql_statement_bind_timestamp(cql_statement *st, size_t i, int64_t ms)
{
    return bind_be64(st, i, (uint64_t)ms, ACCEPT(CQL_TYPE_TIMESTAMP));
}

/* Integers bound to a varint variable take the minimal two's complement form. */
static enum cql_error_code bind_integer(struct cql_statement *st, size_t i, int64_t v, size_t width,
                                        enum cql_type_id native, enum cql_type_id alias)
{
    if (i < st->nvalues && st->prepared &&
        st->prepared->meta.params[i].type->id == CQL_TYPE_VARINT) {
        struct up_buf b = UP_BUF_INIT;
        cql_encode_varint(v, &b);
        enum cql_error_code e = bind_checked(st, i, b.data, b.len, NULL, 0);
        up_buf_free(&b);
        return e;
    }
    uint8_t bytes[8];
    cql_store_u64(bytes, (uint64_t)v);
    return bind_checked(st, i, bytes + 8 - width, width, ACCEPT(native, alias));
}

enum cql_error_code cql_statement_bind_bigint(cql_statement *st, size_t i, int64_t v)
{
    return bind_integer(st, i, v, 8, CQL_TYPE_BIGINT, CQL_TYPE_COUNTER);
}

enum cql_error_code cql_statement_bind_int(cql_statement *st, size_t i, int32_t v)
{
    return bind_integer(st, i, v, 4, CQL_TYPE_INT, CQL_TYPE_INT);
}

enum cql_error_code cql_statement_bind_smallint(cql_statement *st, size_t i, int16_t v)
{
    return bind_integer(st, i, v, 2, CQL_TYPE_SMALLINT, CQL_TYPE_SMALLINT);
}

enum cql_error_code cql_statement_bind_tinyint(cql_statement *st, size_t i, int8_t v)
{
    return bind_integer(st, i, v, 1, CQL_TYPE_TINYINT, CQL_TYPE_TINYINT);
}

enum cql_error_code cql_statement_bind_bool(cql_statement *st, size_t i, bool v)
{
    uint8_t b = v ? 1 : 0;
    return bind_checked(st, i, &b, 1, ACCEPT(CQL_TYPE_BOOLEAN));
}

enum cql_error_code cql_statement_bind_double(cql_statement *st, size_t i, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    return bind_be64(st, i, bits, ACCEPT(CQL_TYPE_DOUBLE));
}

enum cql_error_code cql_statement_bind_float(cql_statement *st, size_t i, float v)
{
    uint32_t bits;
    uint8_t b[4];
    memcpy(&bits, &v, 4);
    cql_store_u32(b, bits);
    return bind_checked(st, i, b, 4, ACCEPT(CQL_TYPE_FLOAT));
}

enum cql_error_code cql_statement_bind_date(cql_statement *st, size_t i, int32_t days)
{
    uint8_t b[4];
    cql_store_u32(b, (uint32_t)((int64_t)days + ((int64_t)1 << 31)));
    return bind_checked(st, i, b, 4, ACCEPT(CQL_TYPE_DATE));
}

enum cql_error_code cql_statement_bind_time(cql_statement *st, size_t i, int64_t ns)
{
    if (ns < 0 || ns > 86399999999999LL)
        return CQL_ERR_BAD_PARAMS;
    return bind_be64(st, i, (uint64_t)ns, ACCEPT(CQL_TYPE_TIME));
}

enum cql_error_code cql_statement_bind_inet(cql_statement *st, size_t i, const uint8_t *addr,
                                            size_t len)
{
    if (len != 4 && len != 16)
        return CQL_ERR_BAD_PARAMS;
    return bind_checked(st, i, addr, len, ACCEPT(CQL_TYPE_INET));
}

enum cql_error_code cql_statement_bind_raw(cql_statement *st, size_t i, const void *data,
                                           size_t len)
{
    return bind_checked(st, i, data, len, NULL, 0);
}

/* ---- batches ----------------------------------------------------------------------------- */

cql_batch *cql_batch_new(enum cql_batch_type type)
{
    struct cql_batch *b = up_xcalloc(1, sizeof *b);
    b->type = type;
    b->consistency = -1;
    b->serial_consistency = -1;
    b->timestamp = -1;
    return b;
}

enum cql_error_code cql_batch_add(cql_batch *b, const cql_statement *st)
{
    if (b->n >= UINT16_MAX)
        return CQL_ERR_BAD_PARAMS;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->entries = up_xrealloc(b->entries, b->cap * sizeof *b->entries);
    }
    b->entries[b->n++] = cql_statement_clone(st);
    return CQL_OK;
}

size_t cql_batch_count(const cql_batch *b)
{
    return b->n;
}

void cql_batch_set_consistency(cql_batch *b, enum cql_consistency cl)
{
    b->consistency = (int)cl;
}

void cql_batch_set_serial_consistency(cql_batch *b, enum cql_consistency cl)
{
    b->serial_consistency = (int)cl;
}

enum cql_error_code cql_batch_set_timestamp(cql_batch *b, int64_t micros)
{
    if (micros < 0)
        return CQL_ERR_BAD_PARAMS;
    b->timestamp = micros;
    return CQL_OK;
}

void cql_batch_set_idempotent(cql_batch *b, bool idempotent)
{
    b->idempotent = idempotent;
}

void cql_batch_set_timeout_ms(cql_batch *b, int timeout_ms)
{
    b->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

void cql_batch_free(cql_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        cql_statement_free(b->entries[i]);
    free(b->entries);
    free(b);
}

/* ---- encoding ---------------------------------------------------------------------------- */

enum query_flag {
    QF_VALUES = 0x01,
    QF_PAGE_SIZE = 0x04,
    QF_PAGING_STATE = 0x08,
    QF_SERIAL = 0x10,
    QF_TIMESTAMP = 0x20,
};

static void put_values(struct up_buf *b, const struct cql_statement *st)
{
    cql_put_short(b, (uint16_t)st->nvalues);
    for (size_t i = 0; i < st->nvalues; i++) {
        const struct cql_slot *s = &st->slots[i];
        cql_put_bytes(b, s->len >= 0 ? (const uint8_t *)st->data.data + s->off : NULL, s->len);
    }
}

static enum cql_consistency pick(int own, enum cql_consistency fallback)
{
    return own >= 0 ? (enum cql_consistency)own : fallback;
}

/* <consistency><flags>[values][page size][paging state][serial consistency][timestamp] */
static void put_query_params(struct up_buf *b, const struct cql_statement *st,
                             const struct cql_defaults *d)
{
    uint8_t flags = 0;
    if (st->nvalues)
        flags |= QF_VALUES;
    if (st->page_size > 0)
        flags |= QF_PAGE_SIZE;
    if (st->paging_len)
        flags |= QF_PAGING_STATE;
    if (st->serial_consistency >= 0)
        flags |= QF_SERIAL;
    if (st->timestamp >= 0)
        flags |= QF_TIMESTAMP;
    cql_put_short(b, (uint16_t)pick(st->consistency, d->consistency));
    cql_put_byte(b, flags);
    if (flags & QF_VALUES)
        put_values(b, st);
    if (flags & QF_PAGE_SIZE)
        cql_put_int(b, st->page_size);
    if (flags & QF_PAGING_STATE)
        cql_put_bytes(b, st->paging_state, (int32_t)st->paging_len);
    if (flags & QF_SERIAL)
        cql_put_short(b, (uint16_t)st->serial_consistency);
    if (flags & QF_TIMESTAMP)
        cql_put_long(b, st->timestamp);
}

static void add_id_ref(struct cql_encoded *e, struct cql_prepared *p)
{
    if (e->nids == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->ids = up_xrealloc(e->ids, e->cap * sizeof *e->ids);
    }
    e->ids[e->nids++] = (struct cql_id_ref){e->body.len, p->meta.id_len, cql_prepared_ref(p)};
    cql_put_short_bytes(&e->body, p->meta.id, p->meta.id_len);
}

void cql_encoded_reset(struct cql_encoded *e)
{
    for (size_t i = 0; i < e->nids; i++)
        cql_prepared_free(e->ids[i].prepared);
    e->nids = 0;
    up_buf_clear(&e->body);
}

void cql_encoded_free(struct cql_encoded *e)
{
    cql_encoded_reset(e);
    up_buf_free(&e->body);
    free(e->ids);
    e->ids = NULL;
    e->cap = 0;
}

int cql_encode_statement(const struct cql_statement *st, const struct cql_defaults *d,
                         struct cql_encoded *out, struct cql_error *err)
{
    cql_encoded_reset(out);
    if (st->prepared) {
        out->opcode = CQL_OP_EXECUTE;
        add_id_ref(out, st->prepared);
    } else {
        out->opcode = CQL_OP_QUERY;
        if (cql_put_long_string(&out->body, st->query, st->query_len) != 0) {
            cql_error_set(err, CQL_ERR_BAD_PARAMS, "query text too long");
            return -1;
        }
    }
    put_query_params(&out->body, st, d);
    return 0;
}

int cql_encode_batch(const struct cql_batch *b, const struct cql_defaults *d,
                     struct cql_encoded *out, struct cql_error *err)
{
    cql_encoded_reset(out);
    out->opcode = CQL_OP_BATCH;
    if (b->n == 0) {
        cql_error_set(err, CQL_ERR_BAD_PARAMS, "empty batch: add at least one statement");
        return -1;
    }
    cql_put_byte(&out->body, (uint8_t)b->type);
    cql_put_short(&out->body, (uint16_t)b->n);
    for (size_t i = 0; i < b->n; i++) {
        const struct cql_statement *st = b->entries[i];
        if (st->prepared) {
            cql_put_byte(&out->body, 1);
            add_id_ref(out, st->prepared);
        } else {
            cql_put_byte(&out->body, 0);
            if (cql_put_long_string(&out->body, st->query, st->query_len) != 0) {
                cql_error_set(err, CQL_ERR_BAD_PARAMS, "query text too long");
                return -1;
            }
        }
        put_values(&out->body, st);
    }
    uint8_t flags = 0;
    if (b->serial_consistency >= 0)
        flags |= QF_SERIAL;
    if (b->timestamp >= 0)
        flags |= QF_TIMESTAMP;
    cql_put_short(&out->body, (uint16_t)pick(b->consistency, d->consistency));
    cql_put_byte(&out->body, flags);
    if (flags & QF_SERIAL)
        cql_put_short(&out->body, (uint16_t)b->serial_consistency);
    if (flags & QF_TIMESTAMP)
        cql_put_long(&out->body, b->timestamp);
    return 0;
}

int cql_encode_prepare(const char *query, struct cql_encoded *out, struct cql_error *err)
{
    cql_encoded_reset(out);
    out->opcode = CQL_OP_PREPARE;
    if (cql_put_long_string(&out->body, query, strlen(query)) != 0) {
        cql_error_set(err, CQL_ERR_BAD_PARAMS, "query text too long");
        return -1;
    }
    return 0;
}

void cql_encoded_refresh_ids(struct cql_encoded *e)
{
    bool changed = false;
    for (size_t i = 0; i < e->nids && !changed; i++) {
        const struct cql_id_ref *r = &e->ids[i];
        changed = r->len != r->prepared->meta.id_len ||
                  memcmp(e->body.data + r->off + 2, r->prepared->meta.id, r->len) != 0;
    }
    if (!changed)
        return;
    /* splice: copy the bytes between ids, write each id afresh */
    struct up_buf nb = UP_BUF_INIT;
    size_t from = 0;
    for (size_t i = 0; i < e->nids; i++) {
        struct cql_id_ref *r = &e->ids[i];
        up_buf_append(&nb, e->body.data + from, r->off - from);
        from = r->off + 2 + r->len;
        r->off = nb.len;
        r->len = r->prepared->meta.id_len;
        cql_put_short_bytes(&nb, r->prepared->meta.id, r->len);
    }
    up_buf_append(&nb, e->body.data + from, e->body.len - from);
    up_buf_free(&e->body);
    e->body = nb;
}

bool cql_statement_routing_key(const struct cql_statement *st, struct up_buf *key)
{
    up_buf_clear(key);
    if (!st->prepared || st->prepared->meta.npk == 0)
        return false;
    const struct cql_prepared_meta *m = &st->prepared->meta;
    for (size_t k = 0; k < m->npk; k++) {
        if (m->pk[k] >= st->nvalues || st->slots[m->pk[k]].len < 0)
            return false;
    }
    if (m->npk == 1) {
        const struct cql_slot *s = &st->slots[m->pk[0]];
        up_buf_append(key, st->data.data + s->off, (size_t)s->len);
        return true;
    }
    for (size_t k = 0; k < m->npk; k++) {
        const struct cql_slot *s = &st->slots[m->pk[k]];
        if (s->len > UINT16_MAX)
            return false;
        cql_put_short(key, (uint16_t)s->len);
        up_buf_append(key, st->data.data + s->off, (size_t)s->len);
        cql_put_byte(key, 0);
    }
    return true;
}

/* ---- connection setup messages ----------------------------------------------------------- */

void cql_encode_startup(struct up_buf *body, bool lz4)
{
    static const char *const keys[] = {"CQL_VERSION", "COMPRESSION"};
    static const char *const values[] = {"3.0.0", "lz4"};
    cql_put_string_map(body, keys, values, lz4 ? 2 : 1);
}

void cql_encode_auth_plain(struct up_buf *body, const char *user, const char *password)
{
    /* SASL PLAIN: authzid NUL authcid NUL password, with an empty authzid */
    size_t ulen = strlen(user), plen = strlen(password);
    cql_put_int(body, (int32_t)(ulen + plen + 2));
    cql_put_byte(body, 0);
    up_buf_append(body, user, ulen);
    cql_put_byte(body, 0);
    up_buf_append(body, password, plen);
}

void cql_encode_register(struct up_buf *body)
{
    static const char *const events[] = {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"};
    cql_put_string_list(body, events, 3);
}
