/* mapping/numeric: arbitrary-size integers and decimals from text (mapping_int.h), so a varint
 * or decimal column gets every digit the record has, beyond what int64 or double hold. */
#include "mapping/mapping_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A varint of more digits than this is refused: Cassandra has no bound, a record should. */
#define MAX_DIGITS 4096

static bool fail(char *err, size_t errlen, const char *what, const char *s, size_t len)
{
    snprintf(err, errlen, "'%.*s' is not %s", (int)(len > 64 ? 64 : len), s, what);
    return false;
}

/* Sign and digits (no other characters) -> minimal two's complement, big-endian. */
static void digits_to_varint(bool negative, const char *d, size_t n, struct up_buf *out)
{
    /* Magnitude, little-endian base 256: mag = mag * 10 + digit for each digit. */
    size_t cap = n / 2 + 2, used = 1;
    uint8_t *mag = up_xcalloc(cap, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned carry = (unsigned)(d[i] - '0');
        for (size_t j = 0; j < used; j++) {
            unsigned v = mag[j] * 10u + carry;
            mag[j] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry)
            mag[used++] = (uint8_t)carry;
    }
    /* One extra byte for the sign, then two's complement when negative. */
    used++;
    if (negative) {
        unsigned carry = 1;
        for (size_t j = 0; j < used; j++) {
            unsigned v = (uint8_t)~mag[j] + carry;
            mag[j] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    /* Drop leading bytes that only repeat the sign. */
    while (used > 1 && ((mag[used - 1] == 0x00 && !(mag[used - 2] & 0x80)) ||
                        (mag[used - 1] == 0xFF && (mag[used - 2] & 0x80))))
        used--;
    for (size_t j = used; j-- > 0;)
        up_buf_putc(out, (char)mag[j]);
    free(mag);
}

bool up_num_varint(const char *s, size_t len, struct up_buf *out, char *err, size_t errlen)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    size_t start = i;
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    if (i == start || i != len || len - start > MAX_DIGITS)
        return fail(err, errlen, "an integer", s, len);
    digits_to_varint(negative, s + start, len - start, out);
    return true;
}

bool up_num_decimal(const char *s, size_t len, struct up_buf *out, char *err, size_t errlen)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    char *digits = up_xmalloc(len + 1);
    size_t nd = 0, nfrac = 0;
    bool point = false;
    for (; i < len && (isdigit((unsigned char)s[i]) || (s[i] == '.' && !point)); i++) {
        if (s[i] == '.') {
            point = true;
            continue;
        }
        digits[nd++] = s[i];
        nfrac += point;
    }
    long long exp = 0;
    if (nd > 0 && i < len && (s[i] == 'e' || s[i] == 'E')) {
        char *end;
        char buf[24];
        size_t n = len - i - 1 < sizeof buf - 1 ? len - i - 1 : sizeof buf - 1;
        memcpy(buf, s + i + 1, n);
        buf[n] = '\0';
        exp = strtoll(buf, &end, 10);
        if (end == buf || *end || n == 0 || len - i - 1 >= sizeof buf || exp > INT32_MAX ||
            exp < INT32_MIN)
            nd = 0;
        i = len;
    }
    long long scale = (long long)nfrac - exp;
    if (nd == 0 || i != len || nd > MAX_DIGITS || scale > INT32_MAX || scale < INT32_MIN) {
        free(digits);
        return fail(err, errlen, "a decimal number", s, len);
    }
    uint8_t be[4] = {(uint8_t)(scale >> 24), (uint8_t)(scale >> 16), (uint8_t)(scale >> 8),
                     (uint8_t)scale};
    up_buf_append(out, be, 4);
    digits_to_varint(negative, digits, nd, out);
    free(digits);
    return true;
}

void up_num_shortest(double d, char *out, size_t outlen)
{
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(out, outlen, "%.*g", precision, d);
        if (strtod(out, NULL) == d)
            return;
    }
}
