/* mapping_int: what the files of src/mapping share and the rest of the tree does not need. */
#ifndef UP_MAPPING_MAPPING_INT_H
#define UP_MAPPING_MAPPING_INT_H

#include "mapping/mapping.h"
#include "mapping/props.h"

#include <stddef.h>

/* Formats "FILE:LINE:COL: message" into err. */
void up_map_fail(char *err, size_t errlen, const char *file, int line, int col, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));

/* Parses the value of a topic.<t>.<ks>.<table>.mapping entry into t->cols (and ttl_col,
 * timestamp_col). 0, or -1 with err pointing into the file. */
int up_map_expr_parse(const char *file, const struct up_props_entry *e, struct up_map_table *t,
                      char *err, size_t errlen);

void up_map_column_free(struct up_map_column *c);

#endif
