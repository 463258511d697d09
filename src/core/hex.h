/* hex: the value of one hexadecimal digit, for the parsers that decode \u escapes, %XX
 * escapes and UUIDs (core/record_json, gen/query, cql/types). */
#ifndef UP_CORE_HEX_H
#define UP_CORE_HEX_H

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

#endif
