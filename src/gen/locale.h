/* gen/locale: the per-nationality tables the generator draws from (names, places,
 * formats), all 21 nationalities of RandomUser 1.4. The data lives in nat_xx.c,
 * one file per nationality, written for this project.
 *
 * Format patterns (phone, cell, postcode, id value) are expanded character by
 * character: '#' a digit, 'N' a digit 1-9, 'A' a capital letter, 'D' the date of
 * birth as DDMMYY, 'C' the century sign of the birth year ('-' for 19xx, 'A' for
 * 20xx); any other character is copied. */
#ifndef UP_GEN_LOCALE_H
#define UP_GEN_LOCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* By hand: clang-format re-flows this list differently on every pass. */
/* clang-format off */
#define UP_NAT_LIST(X) \
    X(AU) X(BR) X(CA) X(CH) X(DE) X(DK) X(ES) X(FI) X(FR) X(GB) X(IE) \
    X(IN) X(IR) X(MX) X(NL) X(NO) X(NZ) X(RS) X(TR) X(UA) X(US)
/* clang-format on */

enum up_nat {
#define UP_NAT_ENUM(code) UP_NAT_##code,
    UP_NAT_LIST(UP_NAT_ENUM)
#undef UP_NAT_ENUM
        UP_NAT_COUNT
};

struct up_strs {
    const char *const *v;
    uint32_t n;
};

struct up_place {
    const char *city, *state;
};

struct up_places {
    const struct up_place *v;
    uint32_t n;
};

struct up_tz {
    const char *offset, *description;
};

struct up_tzs {
    const struct up_tz *v;
    uint32_t n;
};

/* A postcode pattern and whether the API sends it as a JSON number. */
struct up_postcode {
    const char *pattern;
    bool numeric;
};

struct up_postcodes {
    const struct up_postcode *v;
    uint32_t n;
};

struct up_locale {
    const char *code;    /* "US" */
    const char *country; /* "United States" */
    struct up_strs male, female, last;
    struct up_strs male_titles, female_titles; /* empty = Mr / Miss, Mrs, Ms */
    struct up_strs streets;
    struct up_places places;
    struct up_postcodes postcodes;
    struct up_strs phones, cells; /* patterns */
    const char *id_name;          /* "" when the nationality has none: value is null */
    struct up_strs id_values;     /* patterns */
    struct up_tzs timezones;
    int32_t lat_min, lat_max, lon_min, lon_max; /* ten-thousandths of a degree */
};

#define UP_STRS(arr)                                                                               \
    {                                                                                              \
        arr, (uint32_t)(sizeof(arr) / sizeof((arr)[0]))                                            \
    }

/* Every nat_xx.c names its arrays male, female, last, streets, places, postcodes, phones and
 * tzs; its up_locale names what differs (code, country, cells, titles, ids, the bounding box)
 * and ends with this. A field left out is empty: default titles, no id value. */
#define UP_LOCALE_ARRAYS                                                                           \
    .male = UP_STRS(male), .female = UP_STRS(female), .last = UP_STRS(last),                       \
    .streets = UP_STRS(streets), .places = UP_STRS(places), .postcodes = UP_STRS(postcodes),       \
    .phones = UP_STRS(phones), .timezones = UP_STRS(tzs)

/* The table of a nationality. */
const struct up_locale *up_locale_get(enum up_nat nat);
/* Parses a two-letter code, any case; false when it is not one of the 21. */
bool up_nat_parse(const char *s, size_t len, enum up_nat *out);
const char *up_nat_code(enum up_nat nat);

#define UP_NAT_DECLARE(code) extern const struct up_locale up_locale_##code;
UP_NAT_LIST(UP_NAT_DECLARE)
#undef UP_NAT_DECLARE

#endif
