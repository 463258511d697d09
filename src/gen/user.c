/* gen/user: draws one user from its own random stream. The order of the draws is
 * fixed and does not depend on which fields are sent, so inc/exc never change the
 * values of the fields that remain. */
#include "gen/user.h"

#include "gen/prng.h"
#include "gen/translit.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#define DOB_FROM_MS (-820540800000LL) /* 1944-01-01 */
#define DOB_TO_MS   1009843200000LL   /* 2002-01-01, exclusive */
#define REG_FROM_MS 1009843200000LL   /* 2002-01-01 */
#define REG_TO_MS   1672531200000LL   /* 2023-01-01, exclusive */

static const char *const adjectives[] = {
    "happy", "sad",   "lazy",   "brave",  "silver",   "golden", "tiny",      "big",
    "crazy", "quiet", "angry",  "heavy",  "purple",   "orange", "black",     "white",
    "red",   "blue",  "green",  "yellow", "ticklish", "smart",  "beautiful", "organic",
    "proud", "swift", "sleepy", "lucky",  "wild",     "jolly",  "fierce",    "gentle"};
static const char *const animals[] = {
    "bear",    "tiger",   "lion",     "wolf",    "fox",       "rabbit",  "duck",     "goose",
    "swan",    "owl",     "eagle",    "hawk",    "fish",      "shark",   "whale",    "dolphin",
    "frog",    "toad",    "snake",    "lizard",  "monkey",    "gorilla", "panda",    "koala",
    "zebra",   "giraffe", "elephant", "rhino",   "horse",     "cat",     "dog",      "mouse",
    "ostrich", "peacock", "leopard",  "buffalo", "butterfly", "ladybug", "squirrel", "beaver"};
/* Upstream's default passwords are weak words people really use; these are ours. */
static const char *const weak_passwords[] = {
    "password", "123456",   "qwerty",   "letmein",   "dragon",  "monkey",    "sunshine", "shadow",
    "master",   "football", "baseball", "welcome",   "freedom", "whatever",  "trustno1", "iloveyou",
    "princess", "starwars", "superman", "batman",    "hunter",  "ranger",    "summer",   "winter",
    "cookie",   "pepper",   "ginger",   "chocolate", "coffee",  "matrix",    "mustang",  "harley",
    "jordan",   "tigger",   "charlie",  "buster",    "soccer",  "hockey",    "killer",   "orange",
    "banana",   "cheese",   "secret",   "access",    "flower",  "hello",     "abc123",   "passw0rd",
    "1q2w3e",   "zxcvbn",   "asdfgh",   "marina",    "nirvana", "metallica", "scooter",  "snoopy",
    "bubbles",  "blink182", "q1w2e3r4", "changeme",  "1234",    "12345678",  "000000",   "111111"};

static const char special_chars[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
static const char upper_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char lower_chars[] = "abcdefghijklmnopqrstuvwxyz";
static const char digit_chars[] = "0123456789";
static const char salt_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

#define NITEMS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static const EVP_MD *md_md5, *md_sha1, *md_sha256;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
    /* Explicit fetches once: EVP_md5() and friends re-resolve on every use. */
    md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void up_gen_page_ctx_init(struct up_gen_page_ctx *ctx, const char *seed, size_t seed_len,
                          const struct up_gen_params *p)
{
    memset(ctx, 0, sizeof *ctx);
    uint32_t nats = 0;
    for (int i = 0; i < UP_NAT_COUNT; i++)
        if (!p->nats || (p->nats & (1u << i))) {
            ctx->nats[ctx->nnats++] = (enum up_nat)i;
            nats |= 1u << i;
        }
    /* The nationality set and gender filter are part of the seed: the same seed
     * with nat=us and with nat=gb must not hand out the same login.uuid, which the
     * pipeline uses as the primary key. */
    ctx->seed_hash = up_prng_hash_seed(seed, seed_len) ^
                     (((uint64_t)nats << 2 | (uint64_t)p->gender) * 0x9E3779B97F4A7C15ULL);
    ctx->gender = p->gender;
    ctx->password = p->password;
    up_iso8601_format(p->now_ms, ctx->now_iso);
    ctx->hashes = (p->fields & UP_GEN_F(LOGIN)) != 0;
    if (ctx->hashes) {
        pthread_once(&md_once, fetch_digests);
        ctx->md_ctx = EVP_MD_CTX_new();
    }
}

void up_gen_page_ctx_free(struct up_gen_page_ctx *ctx)
{
    EVP_MD_CTX_free(ctx->md_ctx);
    ctx->md_ctx = NULL;
}

static const char *pick(struct up_prng *r, struct up_strs list)
{
    return list.v[up_prng_below(r, list.n)];
}

static void put_uint(char *out, size_t cap, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t i = 0;
    for (; i < n && i + 1 < cap; i++)
        out[i] = tmp[n - 1 - i];
    out[i] = '\0';
}

/* A bounded string builder over a fixed array: cheaper than snprintf on the hot
 * path, and it can never overflow (it truncates). */
struct writer {
    char *p, *end; /* end leaves room for the NUL */
};

static struct writer writer_of(char *buf, size_t cap)
{
    buf[0] = '\0';
    return (struct writer){buf, buf + cap - 1};
}

static void w_str(struct writer *w, const char *s)
{
    while (*s && w->p < w->end)
        *w->p++ = *s++;
    *w->p = '\0';
}

static void w_uint(struct writer *w, uint64_t v)
{
    char digits[24];
    put_uint(digits, sizeof digits, v);
    w_str(w, digits);
}

static void w_fixed(struct writer *w, uint64_t v, int width)
{
    char digits[24];
    for (int i = width - 1; i >= 0; i--) {
        digits[i] = (char)('0' + v % 10);
        v /= 10;
    }
    digits[width] = '\0';
    w_str(w, digits);
}

/* Expands a format pattern (see gen/locale.h) into out. */
static void expand(struct up_prng *r, const char *pattern, const char *dob_iso, char *out,
                   size_t cap)
{
    size_t o = 0;
    for (const char *c = pattern; *c && o + 7 < cap; c++) {
        switch (*c) {
        case '#':
            out[o++] = (char)('0' + up_prng_below(r, 10));
            break;
        case 'N':
            out[o++] = (char)('1' + up_prng_below(r, 9));
            break;
        case 'A':
            out[o++] = (char)('A' + up_prng_below(r, 26));
            break;
        case 'D': /* DDMMYY from YYYY-MM-DD */
            memcpy(out + o, dob_iso + 8, 2);
            memcpy(out + o + 2, dob_iso + 5, 2);
            memcpy(out + o + 4, dob_iso + 2, 2);
            o += 6;
            break;
        case 'C':
            out[o++] = dob_iso[1] == '9' ? '-' : 'A';
            break;
        default:
            out[o++] = *c;
        }
    }
    out[o] = '\0';
}

static void coordinate(struct up_prng *r, int32_t lo, int32_t hi, char *out, size_t cap)
{
    int64_t v = up_prng_range(r, lo, hi);
    struct writer w = writer_of(out, cap);
    if (v < 0) {
        w_str(&w, "-");
        v = -v;
    }
    w_uint(&w, (uint64_t)v / 10000);
    w_str(&w, ".");
    w_fixed(&w, (uint64_t)v % 10000, 4);
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void uuid_v4(struct up_prng *r, char out[37])
{
    unsigned char b[16];
    uint64_t hi = up_prng_next(r), lo = up_prng_next(r);
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char digits[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = digits[b[i] >> 4];
        out[o++] = digits[b[i] & 15];
    }
    out[o] = '\0';
}

static void make_password(struct up_prng *r, const struct up_gen_password *rule, char *out)
{
    if (!rule->charsets) {
        struct writer w = writer_of(out, UP_GEN_PASSWORD_MAX + 1);
        w_str(&w, weak_passwords[up_prng_below(r, NITEMS(weak_passwords))]);
        return;
    }
    char pool[sizeof special_chars + sizeof upper_chars + sizeof lower_chars + sizeof digit_chars];
    size_t n = 0;
    const struct {
        unsigned bit;
        const char *chars;
        size_t len;
    } sets[] = {{UP_GEN_PW_SPECIAL, special_chars, sizeof special_chars - 1},
                {UP_GEN_PW_UPPER, upper_chars, sizeof upper_chars - 1},
                {UP_GEN_PW_LOWER, lower_chars, sizeof lower_chars - 1},
                {UP_GEN_PW_NUMBER, digit_chars, sizeof digit_chars - 1}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (rule->charsets & sets[i].bit) {
            memcpy(pool + n, sets[i].chars, sets[i].len);
            n += sets[i].len;
        }
    unsigned len = (unsigned)up_prng_range(r, rule->min_len, rule->max_len);
    for (unsigned i = 0; i < len; i++)
        out[i] = pool[up_prng_below(r, (uint32_t)n)];
    out[len] = '\0';
}

static void digest(EVP_MD_CTX *ctx, const EVP_MD *md, const char *pw, const char *salt, char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestInit_ex2(ctx, md, NULL);
    EVP_DigestUpdate(ctx, pw, strlen(pw));
    EVP_DigestUpdate(ctx, salt, strlen(salt));
    EVP_DigestFinal_ex(ctx, d, &n);
    hex(d, n, out);
}

/* Whole years from `date` to `now`, both YYYY-MM-DDTHH:MM:SS.mmmZ. */
static unsigned age_between(const char *date, const char *now)
{
    int years = (now[0] - date[0]) * 1000 + (now[1] - date[1]) * 100 + (now[2] - date[2]) * 10 +
                (now[3] - date[3]);
    if (memcmp(now + 5, date + 5, 19) < 0)
        years--;
    return years < 0 ? 0 : (unsigned)years;
}

static void make_date(struct up_prng *r, int64_t from, int64_t to, const char *now, char *iso,
                      char *age)
{
    up_iso8601_format(up_prng_range(r, from, to - 1), iso);
    put_uint(age, 8, age_between(iso, now));
}

static void make_email(const struct up_gen_user *u, char *out, size_t cap)
{
    char first[64], last[64];
    struct writer w = writer_of(out, cap);
    w_str(&w, up_translit_ascii(u->first, first, sizeof first) ? first : "user");
    w_str(&w, ".");
    w_str(&w, up_translit_ascii(u->last, last, sizeof last) ? last : "user");
    w_str(&w, "@example.com");
}

static void picture(char *out, size_t cap, const char *size, const char *who, unsigned n)
{
    struct writer w = writer_of(out, cap);
    w_str(&w, "https://randomuser.me/api/portraits/");
    w_str(&w, size);
    w_str(&w, who);
    w_str(&w, "/");
    w_uint(&w, n);
    w_str(&w, ".jpg");
}

static void make_pictures(struct up_gen_user *u, unsigned n)
{
    const char *who = u->female ? "women" : "men";
    picture(u->picture_large, sizeof u->picture_large, "", who, n);
    picture(u->picture_medium, sizeof u->picture_medium, "med/", who, n);
    picture(u->picture_thumbnail, sizeof u->picture_thumbnail, "thumb/", who, n);
}

static void make_name(struct up_prng *r, struct up_gen_user *u)
{
    const struct up_locale *loc = u->loc;
    if (u->female) {
        static const char *const titles[] = {"Miss", "Mrs", "Ms"};
        u->title = loc->female_titles.n ? pick(r, loc->female_titles)
                                        : titles[up_prng_below(r, NITEMS(titles))];
        u->first = pick(r, loc->female);
    } else {
        u->title = loc->male_titles.n ? pick(r, loc->male_titles) : "Mr";
        u->first = pick(r, loc->male);
    }
    u->last = pick(r, loc->last);
}

static void make_location(struct up_prng *r, struct up_gen_user *u)
{
    const struct up_locale *loc = u->loc;
    put_uint(u->street_number, sizeof u->street_number, (uint64_t)up_prng_range(r, 1, 9999));
    u->street = pick(r, loc->streets);
    const struct up_place *place = &loc->places.v[up_prng_below(r, loc->places.n)];
    u->city = place->city;
    u->state = place->state;
    const struct up_postcode *pc = &loc->postcodes.v[up_prng_below(r, loc->postcodes.n)];
    expand(r, pc->pattern, "", u->postcode, sizeof u->postcode);
    u->postcode_numeric = pc->numeric;
    coordinate(r, loc->lat_min, loc->lat_max, u->latitude, sizeof u->latitude);
    coordinate(r, loc->lon_min, loc->lon_max, u->longitude, sizeof u->longitude);
    u->tz = &loc->timezones.v[up_prng_below(r, loc->timezones.n)];
}

static void make_login(struct up_prng *r, const struct up_gen_page_ctx *ctx, struct up_gen_user *u)
{
    uuid_v4(r, u->uuid);
    struct writer w = writer_of(u->username, sizeof u->username);
    w_str(&w, adjectives[up_prng_below(r, NITEMS(adjectives))]);
    w_str(&w, animals[up_prng_below(r, NITEMS(animals))]);
    w_uint(&w, 100 + up_prng_below(r, 900));
    make_password(r, &ctx->password, u->password);
    for (int i = 0; i < 8; i++)
        u->salt[i] = salt_chars[up_prng_below(r, sizeof salt_chars - 1)];
    u->salt[8] = '\0';
    if (ctx->hashes) {
        digest(ctx->md_ctx, md_md5, u->password, u->salt, u->md5);
        digest(ctx->md_ctx, md_sha1, u->password, u->salt, u->sha1);
        digest(ctx->md_ctx, md_sha256, u->password, u->salt, u->sha256);
    } else {
        u->md5[0] = u->sha1[0] = u->sha256[0] = '\0';
    }
}

void up_gen_user_make(const struct up_gen_page_ctx *ctx, uint32_t index, struct up_gen_user *u)
{
    struct up_prng r;
    up_prng_init(&r, ctx->seed_hash, index);
    u->nat = ctx->nats[up_prng_below(&r, ctx->nnats)];
    u->loc = up_locale_get(u->nat);
    u->female = up_prng_below(&r, 2) == 1;
    if (ctx->gender != UP_GEN_ANY)
        u->female = ctx->gender == UP_GEN_FEMALE;
    make_name(&r, u);
    make_location(&r, u);
    make_email(u, u->email, sizeof u->email);
    make_login(&r, ctx, u);
    make_date(&r, DOB_FROM_MS, DOB_TO_MS, ctx->now_iso, u->dob, u->dob_age);
    make_date(&r, REG_FROM_MS, REG_TO_MS, ctx->now_iso, u->registered, u->registered_age);
    const struct up_locale *loc = u->loc;
    expand(&r, pick(&r, loc->phones), u->dob, u->phone, sizeof u->phone);
    expand(&r, pick(&r, loc->cells), u->dob, u->cell, sizeof u->cell);
    u->id_null = loc->id_values.n == 0;
    if (u->id_null)
        u->id_value[0] = '\0';
    else
        expand(&r, pick(&r, loc->id_values), u->dob, u->id_value, sizeof u->id_value);
    make_pictures(u, up_prng_below(&r, u->female ? 97 : 100));
}
