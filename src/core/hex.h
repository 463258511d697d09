/* hex: the value of one hexadecimal digit, for the parsers that decode \u escapes, %XX
 * escapes and UUIDs (core/record_json, gen/query, cql/types), and the one UUID text parser
 * (the users path's id, every uuid a mapping converts). */
#ifndef UP_CORE_HEX_H
#define UP_CORE_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0-15 for [0-9a-fA-F], -1 for anything else. Inline: it runs per character of every id. */
static inline int up_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "8-4-4-4-12" hex into 16 bytes; lowercase_only refuses A-F (the canonical form). Table
 * driven, no branch per digit: it runs for every uuid of every row. */
bool up_uuid_parse(const char *s, size_t len, uint8_t out[16], bool lowercase_only);

#endif
