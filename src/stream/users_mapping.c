/* stream/users_mapping: the users record as a built-in mapping and its rules
 * (users_mapping.h). */
#include "stream/users_mapping.h"

#include "core/buf.h"
#include "core/record.h"
#include "mapping/convert.h"
#include "stream/validate.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A column's rule is 1 + the field it checks (enum up_record_field): id, dob, registered_date. */
static int rule_of(enum up_record_field f)
{
    return f == UP_FIELD_id || f == UP_FIELD_dob || f == UP_FIELD_registered_date ? 1 + (int)f : 0;
}

/* Fills rej from a rule's verdict r (its detail already in rej->detail). */
static int refused(struct up_map_reject *rej, enum up_reject r, enum up_map_stage stage)
{
    rej->stage = stage;
    rej->reason = up_reject_name(r);
    rej->code = (int)r;
    rej->target[0] = '\0';
    return -1;
}

static int check_record(void *ctx, const struct up_map_record *r, struct up_map_reject *rej)
{
    const struct up_users_mapping *um = ctx;
    enum up_reject v = up_validate_bytes(r->value, r->value_len, um->max_record_bytes, rej->detail,
                                         sizeof rej->detail);
    return v == UP_REJECT_NONE ? 0 : refused(rej, v, UP_MAP_STAGE_PARSE);
}

static int check_value(void *ctx, enum up_rj_status st, const char *why, const char *const *names,
                       const struct up_rj_field *fields, size_t n, struct up_map_reject *rej)
{
    (void)ctx;
    enum up_reject v =
        up_validate_shape(st, why, names, fields, n, rej->detail, sizeof rej->detail);
    return v == UP_REJECT_NONE ? 0 : refused(rej, v, UP_MAP_STAGE_PARSE);
}

static void put_be64(struct up_buf *out, int64_t v)
{
    unsigned char be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
    up_buf_append(out, be, sizeof be);
}

/* id and the dates: checked, then serialized as the uuid and timestamp columns take them. The
 * value is a string: check_value refused any other. */
static int check_column(void *ctx, int rule, const struct up_jv *v, const struct up_map_record *r,
                        struct up_buf *out, struct up_map_reject *rej)
{
    (void)ctx;
    enum up_record_field f = (enum up_record_field)(rule - 1);
    enum up_reject res;
    if (f == UP_FIELD_id) {
        uint8_t id[16];
        res = up_validate_id(v->s, v->len, r->key, r->key_len, id, rej->detail, sizeof rej->detail);
        if (res == UP_REJECT_NONE)
            up_buf_append(out, id, sizeof id);
    } else {
        int64_t ms;
        res = up_validate_date(up_record_field_names[f], v->s, v->len, &ms, rej->detail,
                               sizeof rej->detail);
        if (res == UP_REJECT_NONE)
            put_be64(out, ms);
    }
    return res == UP_REJECT_NONE ? 0 : refused(rej, res, UP_MAP_STAGE_MAPPING);
}

static struct up_map_column value_column(const char *name, int rule)
{
    struct up_map_column c = {.column = up_xstrdup(name),
                              .role = UP_MAP_COLUMN,
                              .source = UP_MAP_VALUE,
                              .npath = 1,
                              .rule = rule};
    c.path[0] = up_xstrdup(name);
    return c;
}

/* The record's fields in wire order (so the rules name the first bad field as the users
 * record always did), then ingested_at. */
static void users_table(struct up_map_table *t, const struct up_users_mapping_config *cfg)
{
    *t = (struct up_map_table){.topic = up_xstrdup(cfg->topic),
                               .keyspace = up_xstrdup(cfg->keyspace),
                               .table = up_xstrdup(cfg->table),
                               .ttl_col = -1,
                               .timestamp_col = -1,
                               .consistency = cfg->consistency,
                               .ttl = -1,
                               .ttl_unit = UP_UNIT_SECONDS,
                               .timestamp_unit = UP_UNIT_MICROSECONDS,
                               .null_to_unset = true,
                               .deletes_enabled = false}; /* a tombstone is an empty value */
    t->ncols = UP_RECORD_NFIELDS + 1;
    t->cols = up_xcalloc(t->ncols, sizeof *t->cols);
    for (int f = 0; f < UP_RECORD_NFIELDS; f++)
        t->cols[f] = value_column(up_record_field_names[f], rule_of((enum up_record_field)f));
    t->cols[UP_RECORD_NFIELDS] = (struct up_map_column){.column = up_xstrdup("ingested_at"),
                                                        .role = UP_MAP_COLUMN,
                                                        .source = UP_MAP_RECORD_TIMESTAMP};
}

void up_users_mapping_init(struct up_users_mapping *um, const struct up_users_mapping_config *cfg)
{
    memset(um, 0, sizeof *um);
    um->max_record_bytes = cfg->max_record_bytes;
    um->rules = (struct up_map_rules){
        .ctx = um, .record = check_record, .value = check_value, .column = check_column};
    struct up_mapping *m = &um->mapping;
    up_mapping_init(m, "the built-in users mapping", "users");
    m->ntopics = 1;
    m->topics = up_xcalloc(1, sizeof *m->topics);
    m->topics[0].name = up_xstrdup(cfg->topic);
    up_map_codec_default(&m->topics[0].codec);
    m->ntables = 1;
    m->tables = up_xcalloc(1, sizeof *m->tables);
    users_table(&m->tables[0], cfg);
    m->key_format = UP_MAP_STRING; /* no column reads the key: id is compared with it */
    m->value_format = UP_MAP_JSON;
    m->rules = &um->rules;
}

void up_users_mapping_free(struct up_users_mapping *um)
{
    up_mapping_free(&um->mapping);
}
