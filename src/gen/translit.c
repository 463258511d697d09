/* gen/translit: a small, explicit transliteration table (no locale database). */
#include "gen/translit.h"

#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

/* U+00C0..U+00FF, one entry per code point; "" = drop. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

/* U+0100..U+017F, the base letter of each; U+0132/3 and U+0152/3 are digraphs. */
static const char latin_ext_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii"
                                  "iijjkkkllllllllllnnnnnnnnnoooooooorrrrrrsssssssstttttt"
                                  "uuuuuuuuuuuuwwyyyzzzzzzs";

struct persian {
    uint16_t cp;
    const char *ascii;
};

/* Sorted by code point for the binary search. */
static const struct persian persian[] = {
    {0x0621, ""},  {0x0622, "a"},  {0x0623, "a"},  {0x0624, "o"},  {0x0625, "e"}, {0x0626, "y"},
    {0x0627, "a"}, {0x0628, "b"},  {0x0629, "h"},  {0x062A, "t"},  {0x062B, "s"}, {0x062C, "j"},
    {0x062D, "h"}, {0x062E, "kh"}, {0x062F, "d"},  {0x0630, "z"},  {0x0631, "r"}, {0x0632, "z"},
    {0x0633, "s"}, {0x0634, "sh"}, {0x0635, "s"},  {0x0636, "z"},  {0x0637, "t"}, {0x0638, "z"},
    {0x0639, "a"}, {0x063A, "gh"}, {0x0641, "f"},  {0x0642, "gh"}, {0x0643, "k"}, {0x0644, "l"},
    {0x0645, "m"}, {0x0646, "n"},  {0x0647, "h"},  {0x0648, "v"},  {0x0649, "y"}, {0x064A, "y"},
    {0x067E, "p"}, {0x0686, "ch"}, {0x0698, "zh"}, {0x06A9, "k"},  {0x06AF, "g"}, {0x06CC, "y"}};

static const char *persian_ascii(uint32_t cp)
{
    size_t lo = 0, hi = sizeof persian / sizeof persian[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (persian[mid].cp == cp)
            return persian[mid].ascii;
        if (persian[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return "";
}

/* The ASCII spelling of one code point into buf (NUL-terminated; "" = drop). */
static const char *ascii_of(uint32_t cp, char buf[2])
{
    if (cp == 0xAA)
        return "a"; /* ª as in "Mª José" */
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp == 0x132 || cp == 0x133)
        return "ij";
    if (cp == 0x152 || cp == 0x153)
        return "oe";
    if (cp >= 0x100 && cp <= 0x17F) {
        buf[0] = latin_ext_a[cp - 0x100];
        buf[1] = '\0';
        return buf;
    }
    if (cp >= 0x600 && cp <= 0x6FF)
        return persian_ascii(cp);
    return "";
}

static uint32_t decode(const unsigned char *s, size_t n)
{
    if (n == 2)
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (n == 3)
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

size_t up_translit_ascii(const char *utf8, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)utf8;
    size_t len = strlen(utf8), o = 0;
    for (size_t i = 0; i < len && o + 1 < cap;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                out[o++] = (char)c;
            else if (c >= 'A' && c <= 'Z')
                out[o++] = (char)(c - 'A' + 'a');
            i++;
            continue;
        }
        size_t n = up_utf8_sequence_len(p + i, len - i);
        if (n == 0) {
            i++;
            continue;
        }
        char one[2];
        const char *a = ascii_of(decode(p + i, n), one);
        for (; *a && o + 1 < cap; a++)
            out[o++] = *a;
        i += n;
    }
    out[o] = '\0';
    return o;
}
