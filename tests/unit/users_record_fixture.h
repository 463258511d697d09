/* A users record for the unit tests of the users record's rules (test_stream_validate,
 * test_stream_users_mapping): record_with gives the record as `produce` writes it, key ID.
 * Header-only: each unit test is one program. */
#ifndef UP_TESTS_USERS_RECORD_FIXTURE_H
#define UP_TESTS_USERS_RECORD_FIXTURE_H

#include "core/buf.h"
#include "core/record.h"

#include <stdbool.h>
#include <string.h>

#define ID "0b6d3c52-4f3e-4e0a-9a52-1c2d3e4f5a6b"

/* The record as `produce` writes it, with one field's JSON replaced when field != NULL
 * (json == NULL drops the field). */
static char *record_with(const char *field, const char *json)
{
    static const char *const values[UP_RECORD_NFIELDS] = {
        "\"" ID "\"",
        "\"Zoë\"",
        "\"O'Neill\"",
        "\"female\"",
        "\"12 Rue d'Alésia, Paris, Île-de-France, France\"",
        "\"75014\"",
        "\"zoe.oneill@example.com\"",
        "\"bluebird42\"",
        "\"1985-02-03T04:05:06.789Z\"",
        "\"2015-06-07T08:09:10.111Z\"",
        "\"01-23-45-67-89\"",
        "\"https://randomuser.me/api/portraits/med/women/1.jpg\"",
        "\"FR\"",
    };
    struct up_buf b = UP_BUF_INIT;
    up_buf_putc(&b, '{');
    bool first = true;
    for (int i = 0; i < UP_RECORD_NFIELDS; i++) {
        const char *v = values[i];
        if (field && strcmp(field, up_record_field_names[i]) == 0) {
            if (!json)
                continue;
            v = json;
        }
        up_buf_printf(&b, "%s\"%s\":%s", first ? "" : ",", up_record_field_names[i], v);
        first = false;
    }
    up_buf_putc(&b, '}');
    return up_buf_steal(&b);
}

#endif
