/* libFuzzer target for stream/validate: any key and value must give either a row whose
 * fields are valid UTF-8 and whose id equals the key, or a known reject reason with a
 * printable detail line; never a crash, leak or read past the input.
 * Input layout: first byte = key length (mod 64, capped at what remains), key, value. */
#include "core/utf8.h"
#include "stream/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t key_len = data[0] % 64;
    if (key_len > size - 1)
        key_len = size - 1;
    const uint8_t *key = data + 1;
    const uint8_t *value = key + key_len;
    size_t value_len = size - 1 - key_len;
    /* Copy the value so ASan catches any read past its end. */
    uint8_t *copy = malloc(value_len ? value_len : 1);
    memcpy(copy, value, value_len);

    struct up_row row;
    char detail[UP_REJECT_DETAIL_LEN];
    enum up_reject r =
        up_validate_record(key, key_len, copy, value_len, 16384, &row, detail, sizeof detail);
    if (r == UP_REJECT_NONE) {
        if (key_len != 36 || memcmp(key, row.rec.fields[UP_FIELD_id], 36) != 0)
            abort();
        for (int i = 0; i < UP_RECORD_NFIELDS; i++)
            if (!up_utf8_valid(row.rec.fields[i], strlen(row.rec.fields[i])))
                abort();
        up_row_free(&row);
    } else {
        if (r >= UP_REJECT_COUNT)
            abort();
        for (const char *p = detail; *p; p++)
            if (*p < 0x20 || *p > 0x7e)
                abort();
    }
    free(copy);
    return 0;
}
