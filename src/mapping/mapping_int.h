/* mapping_int: what the files of src/mapping share and the rest of the tree does not need. */
#ifndef UP_MAPPING_MAPPING_INT_H
#define UP_MAPPING_MAPPING_INT_H

#include "mapping/mapping.h"
#include "mapping/props.h"

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Formats "FILE:LINE:COL: message" into err. */
void up_map_fail(char *err, size_t errlen, const char *file, int line, int col, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));

/* Parses the value of a topic.<t>.<ks>.<table>.mapping entry into t->cols (and ttl_col,
 * timestamp_col). 0, or -1 with err pointing into the file. */
int up_map_expr_parse(const char *file, const struct up_props_entry *e, struct up_map_table *t,
                      char *err, size_t errlen);

void up_map_column_free(struct up_map_column *c);

/* temporal.c: text -> CQL time values under a topic's codec. false + err on anything else. */
bool up_tm_timestamp(const char *s, size_t len, const struct up_map_codec *codec, int64_t *ms,
                     char *err, size_t errlen);
/* date: days since 1970-01-01 (negative before). */
bool up_tm_date(const char *s, size_t len, int64_t *days, char *err, size_t errlen);
/* time of day: nanoseconds since midnight. */
bool up_tm_time(const char *s, size_t len, int64_t *ns, char *err, size_t errlen);
/* duration: CQL's 1y2mo3w4d5h6m7s8ms9us10ns or ISO 8601 P1Y2M3DT4H5M6S, either signed. */
bool up_tm_duration(const char *s, size_t len, int32_t *months, int32_t *days, int64_t *nanos,
                    char *err, size_t errlen);
/* Cassandra's zig-zag vint, appended to out (duration's three fields). */
void up_tm_put_vint(struct up_buf *out, int64_t v);

/* numeric.c: decimal text -> varint (two's complement, big-endian, minimal) appended to out. */
bool up_num_varint(const char *s, size_t len, struct up_buf *out, char *err, size_t errlen);
/* decimal text ("-12.50", "1e-3") -> CQL decimal: int scale, then the unscaled varint. */
bool up_num_decimal(const char *s, size_t len, struct up_buf *out, char *err, size_t errlen);
/* The shortest text that reads back as d (for a JSON real headed for a decimal column). */
void up_num_shortest(double d, char *out, size_t outlen);

#endif
