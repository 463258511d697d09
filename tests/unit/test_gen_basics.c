/* Unit tests for gen's building blocks: the PRNG, transliteration, and the
 * well-formedness of all 21 locale tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/utf8.h"
#include "gen/locale.h"
#include "gen/prng.h"
#include "gen/translit.h"

#include <string.h>

static void test_prng_streams(void **state)
{
    (void)state;
    struct up_prng a, b, c;
    uint64_t h = up_prng_hash_seed("abc", 3);
    assert_true(h != up_prng_hash_seed("abd", 3));
    assert_true(h != up_prng_hash_seed("abc2", 4));
    up_prng_init(&a, h, 7);
    up_prng_init(&b, h, 7);
    up_prng_init(&c, h, 8);
    for (int i = 0; i < 100; i++) {
        uint64_t x = up_prng_next(&a);
        assert_true(x == up_prng_next(&b));
        assert_true(x != up_prng_next(&c));
    }
    /* bounded draws stay in range and reach both ends */
    unsigned seen[10] = {0};
    bool lo = false, hi = false;
    for (int i = 0; i < 20000; i++) {
        uint32_t v = up_prng_below(&a, 10);
        assert_true(v < 10);
        seen[v]++;
        int64_t r = up_prng_range(&a, -5, 5);
        assert_true(r >= -5 && r <= 5);
        lo |= r == -5;
        hi |= r == 5;
    }
    assert_true(lo && hi);
    for (int i = 0; i < 10; i++)
        assert_true(seen[i] > 1700 && seen[i] < 2300); /* roughly uniform */
}

static void test_translit(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Élodie", "elodie"},      {"Groß", "gross"},
        {"Søren", "soren"},        {"Ærø", "aero"},
        {"Çağan", "cagan"},        {"Đorđe", "dorde"},
        {"Yılmaz", "yilmaz"},      {"O'Connor", "oconnor"},
        {"Hans Jörg", "hansjorg"}, {"Jean-Marc", "jean-marc"},
        {"Mª José", "majose"},     {"Łukasz", "lukasz"},
        {"امیر", "amyr"},          {"حسین زاده", "hsynzadh"},
        {"Tāwhiao", "tawhiao"},    {"Œuvre", "oeuvre"},
        {"\xff\xfe", ""},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        up_translit_ascii(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    /* never overflows */
    char tiny[4];
    assert_int_equal(up_translit_ascii("Schwarzenegger", tiny, sizeof tiny), 3);
    assert_string_equal(tiny, "sch");
}

/* A table string the encoders can write as it is: valid UTF-8, no quote,
 * backslash, control character or markup character, no leading space. */
static void check_text(const char *s)
{
    assert_non_null(s);
    assert_true(up_utf8_valid(s, strlen(s)));
    for (const char *c = s; *c; c++)
        assert_true((unsigned char)*c >= 0x20 && *c != '"' && *c != '\\' && *c != '<');
    if (*s)
        assert_true(s[0] != ' ');
}

static void check_list(struct up_strs l, bool may_be_empty)
{
    if (!may_be_empty)
        assert_true(l.n > 0);
    for (uint32_t i = 0; i < l.n; i++) {
        check_text(l.v[i]);
        assert_true(strlen(l.v[i]) > 0);
    }
}

static void test_locale_tables(void **state)
{
    (void)state;
    for (int i = 0; i < UP_NAT_COUNT; i++) {
        const struct up_locale *l = up_locale_get((enum up_nat)i);
        enum up_nat back;
        assert_true(up_nat_parse(l->code, 2, &back));
        assert_int_equal(back, i);
        check_text(l->country);
        check_list(l->male, false);
        check_list(l->female, false);
        check_list(l->last, false);
        check_list(l->male_titles, true);
        check_list(l->female_titles, true);
        check_list(l->streets, false);
        check_list(l->phones, false);
        check_list(l->cells, false);
        assert_true(l->places.n > 0 && l->timezones.n > 0 && l->postcodes.n > 0);
        for (uint32_t k = 0; k < l->places.n; k++) {
            check_text(l->places.v[k].city);
            check_text(l->places.v[k].state);
        }
        for (uint32_t k = 0; k < l->timezones.n; k++) {
            check_text(l->timezones.v[k].offset);
            check_text(l->timezones.v[k].description);
        }
        for (uint32_t k = 0; k < l->postcodes.n; k++)
            if (l->postcodes.v[k].numeric) /* a JSON number cannot start with 0 */
                assert_int_equal(l->postcodes.v[k].pattern[0], 'N');
        bool no_id = !strcmp(l->code, "IR") || !strcmp(l->code, "NZ") || !strcmp(l->code, "TR") ||
                     !strcmp(l->code, "UA");
        assert_int_equal(no_id, l->id_values.n == 0);
        assert_int_equal(no_id, l->id_name[0] == '\0');
        check_list(l->id_values, true);
        assert_true(l->lat_min < l->lat_max && l->lon_min < l->lon_max);
        assert_true(l->lat_min >= -900000 && l->lat_max <= 900000);
    }
    enum up_nat n;
    assert_true(up_nat_parse("gb", 2, &n) && n == UP_NAT_GB);
    assert_false(up_nat_parse("GBR", 3, &n));
    assert_false(up_nat_parse("XX", 2, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prng_streams),
        cmocka_unit_test(test_translit),
        cmocka_unit_test(test_locale_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
