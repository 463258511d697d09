/* fuzz_transform: arbitrary bytes as an API body -> JSON -> every result through the
 * transform and the batch encoder. Checks: no crash or leak, a record is produced or a
 * known reason given, records are valid JSON objects with every field and a canonical
 * id, and each input result counts exactly once. */
#include "source/batch.h"
#include "source/transform.h"

#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

static void check_record_json(const char *p, size_t len, const char *key, size_t key_len)
{
    json_error_t e;
    json_t *v = json_loadb(p, len, 0, &e);
    assert(json_is_object(v));
    assert(json_object_size(v) == UP_RECORD_NFIELDS);
    for (int i = 0; i < UP_RECORD_NFIELDS; i++)
        assert(json_is_string(json_object_get(v, up_record_field_names[i])));
    const char *id = json_string_value(json_object_get(v, "id"));
    assert(strlen(id) == 36 && key_len == 36 && memcmp(id, key, 36) == 0);
    char canon[37];
    assert(up_uuid_canonical(id, 36, canon) && strcmp(canon, id) == 0);
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t e;
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &e);
    if (!root)
        return 0;
    json_t *results = json_is_object(root) ? json_object_get(root, "results") : root;
    if (!json_is_array(results)) {
        /* a single result */
        struct up_record r = {{0}};
        char why[200];
        enum up_transform_reason res = up_transform_result(root, &r, why, sizeof why);
        assert(res < UP_TRANSFORM_NREASONS);
        if (res == UP_TRANSFORM_OK)
            for (int i = 0; i < UP_RECORD_NFIELDS; i++)
                assert(r.fields[i] && strlen(r.fields[i]) <= UP_TRANSFORM_MAX_FIELD);
        else
            assert(why[0] != '\0');
        up_record_free(&r);
        json_decref(root);
        return 0;
    }
    struct up_batch b;
    up_batch_init(&b);
    up_batch_add_results(&b, results, (size_t)-1);
    assert(up_batch_users(&b) == json_array_size(results));
    for (size_t i = 0; i < b.nrecords; i++) {
        const struct up_batch_record *r = &b.records[i];
        check_record_json(up_batch_ptr(&b, r->value_off), r->value_len,
                          up_batch_ptr(&b, r->key_off), r->key_len);
    }
    for (size_t i = 0; i < b.nrejects; i++) {
        const struct up_batch_reject *r = &b.rejects[i];
        assert(r->reason != UP_TRANSFORM_OK && r->detail[0] != '\0');
        json_t *v = json_loadb(up_batch_ptr(&b, r->value_off), r->value_len, JSON_DECODE_ANY, &e);
        assert(v); /* the dead letter carries the result as valid JSON */
        json_decref(v);
    }
    up_batch_free(&b);
    json_decref(root);
    return 0;
}
