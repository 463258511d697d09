/* core/json: what the parts that read JSON with jansson share. */
#ifndef UP_CORE_JSON_H
#define UP_CORE_JSON_H

#include <jansson.h>

/* "an object", "an array", "a string", "a number", "a boolean" or "null": a JSON value's kind
 * as an error message names it ("... is a string, expected a number"). */
const char *up_json_kind(const json_t *v);
/* The same name for a kind known without a tree (a value read in place from its text). */
const char *up_json_type_kind(json_type type);

#endif
