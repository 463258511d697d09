/* record: the flat user profile that travels on users_queue (docs/design.md "The
 * record on the topic"). One X-macro lists the fields in their wire order, so the producer's
 * encoder, the stream's validator and the CQL column list can never disagree.
 * Every field is a UTF-8 string; dob and registered_date are ISO 8601 UTC with ms. */
#ifndef UP_CORE_RECORD_H
#define UP_CORE_RECORD_H

#include "core/buf.h"

#define UP_RECORD_FIELDS(X)                                                                        \
    X(id)                                                                                          \
    X(first_name)                                                                                  \
    X(last_name)                                                                                   \
    X(gender)                                                                                      \
    X(address)                                                                                     \
    X(post_code)                                                                                   \
    X(email)                                                                                       \
    X(username)                                                                                    \
    X(dob)                                                                                         \
    X(registered_date)                                                                             \
    X(phone)                                                                                       \
    X(picture)                                                                                     \
    X(nat)

enum up_record_field {
#define UP_RECORD_ENUM(name) UP_FIELD_##name,
    UP_RECORD_FIELDS(UP_RECORD_ENUM)
#undef UP_RECORD_ENUM
        UP_RECORD_NFIELDS
};

struct up_record {
    char *fields[UP_RECORD_NFIELDS]; /* owned, NUL-terminated; index by enum up_record_field */
};

/* Field names in wire order, e.g. up_record_field_names[UP_FIELD_post_code] = "post_code". */
extern const char *const up_record_field_names[UP_RECORD_NFIELDS];

/* Appends the record as one compact JSON object, fields in wire order. */
void up_record_to_json(const struct up_record *r, struct up_buf *out);
void up_record_free(struct up_record *r);

#endif
