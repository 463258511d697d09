/* core/hex: the UUID text parser (hex.h). */
#include "core/hex.h"

/* Where each of the 16 bytes' two hex digits start in "8-4-4-4-12". */
static const uint8_t uuid_byte_at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

/* A hex digit's value + 1; 0 for anything else. */
static const uint8_t lower_hex[256] = {
    ['0'] = 1, ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};
static const uint8_t any_hex[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

bool up_uuid_parse(const char *s, size_t len, uint8_t out[16], bool lowercase_only)
{
    if (len != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return false;
    const uint8_t *value = lowercase_only ? lower_hex : any_hex;
    unsigned bad = 0;
    for (size_t i = 0; i < 16; i++) {
        unsigned hi = value[(unsigned char)s[uuid_byte_at[i]]];
        unsigned lo = value[(unsigned char)s[uuid_byte_at[i] + 1]];
        bad |= (hi == 0) | (lo == 0);
        out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    return !bad;
}
