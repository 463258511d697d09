/* utf8: strict UTF-8 checks (no overlongs, no surrogates, nothing past U+10FFFF),
 * shared by the JSON writer, the record validator and the HTTP layer. */
#ifndef UP_CORE_UTF8_H
#define UP_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the valid sequence starting at s, or 0 if none starts there. */
size_t up_utf8_sequence_len(const unsigned char *s, size_t avail);
bool up_utf8_valid(const char *s, size_t len);

#endif
