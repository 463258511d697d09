/* record: field table and JSON encoding of the flat profile. */
#include "core/record.h"

#include <stdlib.h>
#include <string.h>

const char *const up_record_field_names[UP_RECORD_NFIELDS] = {
#define UP_RECORD_NAME(name) #name,
    UP_RECORD_FIELDS(UP_RECORD_NAME)
#undef UP_RECORD_NAME
};

void up_record_to_json(const struct up_record *r, struct up_buf *out)
{
    up_buf_putc(out, '{');
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        const char *v = r->fields[i] ? r->fields[i] : "";
        /* appends, not printf: this runs for every field of every user */
        if (i)
            up_buf_putc(out, ',');
        up_buf_putc(out, '"');
        up_buf_puts(out, up_record_field_names[i]);
        up_buf_append(out, "\":\"", 3);
        up_buf_json_escape(out, v, strlen(v));
        up_buf_putc(out, '"');
    }
    up_buf_putc(out, '}');
}

void up_record_free(struct up_record *r)
{
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        free(r->fields[i]);
        r->fields[i] = NULL;
    }
}
