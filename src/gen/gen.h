/* gen: the RandomUser 1.4 generator behind `userpipe api`, usable without HTTP.
 *
 *   struct up_gen_params p;
 *   up_gen_params_default(&p);            // results=1, page=1, all 21 nationalities, JSON
 *   p.results = 100;
 *   snprintf(p.seed, sizeof p.seed, "abc");
 *   struct up_buf body = UP_BUF_INIT;
 *   up_gen_page(&p, &body);               // appends the response body
 *
 * Determinism: the same (seed, page, params) give a byte-identical body on any day
 * except for dob.age and registered.age, which are computed against now_ms. Every
 * user is generated from its own stream derived from (seed, page, index), so
 * results=N is a prefix of results=M>N. Page P != 1 behaves like seed "<seed>P" on
 * page 1, as upstream does. Thread-safe: no shared mutable state. */
#ifndef UP_GEN_GEN_H
#define UP_GEN_GEN_H

#include "core/buf.h"
#include "gen/locale.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UP_GEN_RESULTS_MAX  5000
#define UP_GEN_PAGE_MAX     10000
#define UP_GEN_SEED_MAX     256 /* bytes of UTF-8 */
#define UP_GEN_CALLBACK_MAX 64
#define UP_GEN_PASSWORD_MAX 64
#define UP_GEN_VERSION      "1.4"

/* The top-level fields of a user, in the order the API sends them. */
#define UP_GEN_FIELD_LIST(X)                                                                       \
    X(GENDER, "gender")                                                                            \
    X(NAME, "name")                                                                                \
    X(LOCATION, "location")                                                                        \
    X(EMAIL, "email")                                                                              \
    X(LOGIN, "login")                                                                              \
    X(DOB, "dob")                                                                                  \
    X(REGISTERED, "registered")                                                                    \
    X(PHONE, "phone")                                                                              \
    X(CELL, "cell")                                                                                \
    X(ID, "id")                                                                                    \
    X(PICTURE, "picture")                                                                          \
    X(NAT, "nat")

enum up_gen_field_bit {
#define UP_GEN_FIELD_ENUM(id, name) UP_GEN_FIELD_BIT_##id,
    UP_GEN_FIELD_LIST(UP_GEN_FIELD_ENUM)
#undef UP_GEN_FIELD_ENUM
        UP_GEN_FIELD_COUNT
};
#define UP_GEN_F(id)      (1u << UP_GEN_FIELD_BIT_##id)
#define UP_GEN_FIELDS_ALL ((1u << UP_GEN_FIELD_COUNT) - 1)

enum up_gen_format { UP_GEN_JSON, UP_GEN_PRETTY, UP_GEN_CSV, UP_GEN_YAML, UP_GEN_XML };
enum up_gen_gender { UP_GEN_ANY, UP_GEN_MALE, UP_GEN_FEMALE };

/* Character sets of the `password` parameter; 0 = upstream's default, a word
 * from a list of weak passwords. */
enum {
    UP_GEN_PW_SPECIAL = 1,
    UP_GEN_PW_UPPER = 2,
    UP_GEN_PW_LOWER = 4,
    UP_GEN_PW_NUMBER = 8,
};

struct up_gen_password {
    unsigned charsets;
    unsigned min_len, max_len; /* 1..64 */
};

struct up_gen_params {
    char seed[UP_GEN_SEED_MAX + 1]; /* "" = a random 16-hex seed, echoed in info */
    unsigned results;               /* 1..5000 */
    unsigned page;                  /* 1..10000 */
    enum up_gen_gender gender;
    uint32_t nats;   /* bit (1 << enum up_nat) per allowed nationality; 0 = all */
    uint32_t fields; /* UP_GEN_F(...) bits; 0 is not allowed */
    struct up_gen_password password;
    enum up_gen_format format;
    bool noinfo, dl;
    char callback[UP_GEN_CALLBACK_MAX + 1]; /* JSONP function name; "" = none */
    int64_t now_ms;                         /* ages are computed against it; 0 = now */
};

/* The parameters' defaults and names live with their parser, in query.c. */
void up_gen_params_default(struct up_gen_params *p);
const char *up_gen_format_name(enum up_gen_format f);

/* Appends the body of one API response (the format of p->format, JSONP when
 * p->callback is set) to out. p must be valid (as up_gen_query_parse leaves it). */
void up_gen_page(const struct up_gen_params *p, struct up_buf *out);

/* Parses a raw URL query string ("results=10&nat=us,gb", without the '?') into p,
 * starting from the defaults. Returns 0, or -1 with a message for the client in err
 * (the API answers 400). Repeated parameters: the last one wins; unknown ones are
 * ignored. Never reads past len and allocates nothing. */
int up_gen_query_parse(const char *query, size_t len, struct up_gen_params *p, char *err,
                       size_t errlen);

/* What an HTTP layer needs to answer one API request. */
struct up_gen_reply {
    unsigned status;          /* 200 or 400 */
    const char *content_type; /* static string */
    const char *filename;     /* for Content-Disposition when the client asked dl; else NULL */
    size_t users;             /* users in the body */
};

/* Parses the query and renders the page (or a JSON {"error": ...} body on a bad
 * parameter) into body. now_ms as in up_gen_params (0 = now). */
void up_gen_respond(const char *query, size_t len, int64_t now_ms, struct up_buf *body,
                    struct up_gen_reply *reply);

#endif
