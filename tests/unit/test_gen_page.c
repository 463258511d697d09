/* Unit tests for gen: every nationality's users against the documented shape
 * (key order, types, formats), determinism, prefixes, pages and parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "gen/gen.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2024-06-15T12:00:00.000Z: ages are checked against a fixed day. */
#define NOW_MS 1718452800000LL

static const char *const user_keys[] = {"gender", "name", "location",   "email",
                                        "login",  "dob",  "registered", "phone",
                                        "cell",   "id",   "picture",    "nat"};

static json_t *render(const char *query)
{
    struct up_buf body = UP_BUF_INIT;
    struct up_gen_reply reply;
    up_gen_respond(query, strlen(query), NOW_MS, &body, &reply);
    assert_int_equal(reply.status, 200);
    json_error_t jerr;
    json_t *doc = json_loadb(body.data, body.len, 0, &jerr);
    if (!doc)
        fail_msg("not JSON (%s) for %s", jerr.text, query);
    up_buf_free(&body);
    return doc;
}

static char *render_text(const char *query, struct up_gen_reply *reply)
{
    struct up_buf body = UP_BUF_INIT;
    up_gen_respond(query, strlen(query), NOW_MS, &body, reply);
    return up_buf_steal(&body);
}

static void assert_keys(json_t *obj, const char *const *keys, size_t n)
{
    assert_true(json_is_object(obj));
    assert_int_equal(json_object_size(obj), n);
    size_t i = 0;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
        assert_string_equal(json_object_iter_key(it), keys[i]);
}

#define KEYS(obj, ...)                                                                             \
    do {                                                                                           \
        static const char *const k_[] = {__VA_ARGS__};                                             \
        assert_keys(obj, k_, sizeof k_ / sizeof k_[0]);                                            \
    } while (0)

static const char *s(json_t *obj, const char *path)
{
    /* "a.b.c" -> a string member, failing the test when absent or not a string */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = obj;
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    if (!json_is_string(cur))
        fail_msg("%s is not a string", path);
    return json_string_value(cur);
}

static json_int_t n(json_t *obj, const char *path)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = obj;
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    if (!json_is_integer(cur))
        fail_msg("%s is not an integer", path);
    return json_integer_value(cur);
}

static bool all_chars(const char *v, const char *set)
{
    return strspn(v, set) == strlen(v);
}

static void hex_digest(const char *name, const char *pw, const char *salt, char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_get_digestbyname(name), NULL);
    EVP_DigestUpdate(ctx, pw, strlen(pw));
    EVP_DigestUpdate(ctx, salt, strlen(salt));
    EVP_DigestFinal_ex(ctx, d, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_coordinate(const char *v, double lo, double hi)
{
    const char *dot = strchr(v, '.');
    assert_non_null(dot);
    assert_int_equal(strlen(dot + 1), 4);
    assert_true(all_chars(v + (v[0] == '-'), "0123456789."));
    double d = atof(v);
    assert_true(d >= lo && d <= hi);
}

static void check_date(json_t *u, const char *key, int y_lo, int y_hi)
{
    const char *date = s(json_object_get(u, key), "date");
    int64_t ms;
    assert_int_equal(strlen(date), 24);
    assert_true(up_iso8601_parse(date, strlen(date), &ms));
    assert_int_equal(date[23], 'Z');
    int year = atoi(date);
    assert_true(year >= y_lo && year <= y_hi);
    /* age in whole years against 2024-06-15T12:00:00Z */
    int age = 2024 - year;
    if (strcmp(date + 5, "06-15T12:00:00.000Z") > 0)
        age--;
    assert_int_equal(n(json_object_get(u, key), "age"), age);
}

static bool is_uuid_v4(const char *v)
{
    if (strlen(v) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (v[i] != '-')
                return false;
        } else if (!strchr("0123456789abcdef", v[i])) {
            return false;
        }
    }
    return v[14] == '4' && strchr("89ab", v[19]);
}

static void check_postcode(json_t *loc, const char *nat)
{
    json_t *pc = json_object_get(loc, "postcode");
    if (!strcmp(nat, "GB") || !strcmp(nat, "CA") || !strcmp(nat, "NO")) {
        assert_true(json_is_string(pc));
        if (!strcmp(nat, "NO"))
            assert_true(strlen(json_string_value(pc)) == 4 &&
                        all_chars(json_string_value(pc), "0123456789"));
        if (!strcmp(nat, "CA"))
            assert_int_equal(strlen(json_string_value(pc)), 7);
    } else if (!strcmp(nat, "NL")) {
        assert_true(json_is_string(pc) || json_is_integer(pc));
    } else {
        assert_true(json_is_integer(pc));
        json_int_t v = json_integer_value(pc);
        if (!strcmp(nat, "AU") || !strcmp(nat, "CH"))
            assert_true(v >= 100 && v <= 9999);
        else
            assert_true(v >= 1000);
    }
}

static void check_user(json_t *u, const char *nat)
{
    assert_keys(u, user_keys, sizeof user_keys / sizeof user_keys[0]);
    const char *gender = s(u, "gender");
    bool female = strcmp(gender, "female") == 0;
    assert_true(female || strcmp(gender, "male") == 0);

    KEYS(json_object_get(u, "name"), "title", "first", "last");
    const char *title = s(u, "name.title");
    if (!strcmp(nat, "CH"))
        assert_true(female ? (!strcmp(title, "Madame") || !strcmp(title, "Mademoiselle"))
                           : !strcmp(title, "Monsieur"));
    else
        assert_true(female
                        ? (!strcmp(title, "Miss") || !strcmp(title, "Mrs") || !strcmp(title, "Ms"))
                        : !strcmp(title, "Mr"));
    assert_true(strlen(s(u, "name.first")) > 0 && strlen(s(u, "name.last")) > 0);

    json_t *loc = json_object_get(u, "location");
    KEYS(loc, "street", "city", "state", "country", "postcode", "coordinates", "timezone");
    KEYS(json_object_get(loc, "street"), "number", "name");
    json_int_t number = n(loc, "street.number");
    assert_true(number >= 1 && number <= 9999);
    assert_true(strlen(s(loc, "street.name")) > 0);
    assert_true(strlen(s(loc, "city")) > 0 && strlen(s(loc, "state")) > 0);
    assert_true(strlen(s(loc, "country")) > 0);
    check_postcode(loc, nat);
    KEYS(json_object_get(loc, "coordinates"), "latitude", "longitude");
    check_coordinate(s(loc, "coordinates.latitude"), -90, 90);
    check_coordinate(s(loc, "coordinates.longitude"), -180, 180);
    KEYS(json_object_get(loc, "timezone"), "offset", "description");
    const char *offset = s(loc, "timezone.offset");
    assert_true(strchr(offset, ':') != NULL);

    const char *email = s(u, "email");
    const char *at = strstr(email, "@example.com");
    assert_non_null(at);
    assert_int_equal(strlen(at), strlen("@example.com"));
    assert_true(all_chars(email, "abcdefghijklmnopqrstuvwxyz0123456789-.@"));

    json_t *login = json_object_get(u, "login");
    KEYS(login, "uuid", "username", "password", "salt", "md5", "sha1", "sha256");
    assert_true(is_uuid_v4(s(login, "uuid")));
    const char *username = s(login, "username");
    size_t ul = strlen(username);
    assert_true(ul > 3 && all_chars(username + ul - 3, "0123456789") &&
                all_chars(username, "abcdefghijklmnopqrstuvwxyz0123456789"));
    const char *pw = s(login, "password"), *salt = s(login, "salt");
    assert_true(strlen(pw) > 0);
    assert_int_equal(strlen(salt), 8);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    hex_digest("MD5", pw, salt, hex);
    assert_string_equal(s(login, "md5"), hex);
    hex_digest("SHA1", pw, salt, hex);
    assert_string_equal(s(login, "sha1"), hex);
    hex_digest("SHA256", pw, salt, hex);
    assert_string_equal(s(login, "sha256"), hex);

    KEYS(json_object_get(u, "dob"), "date", "age");
    check_date(u, "dob", 1944, 2001);
    KEYS(json_object_get(u, "registered"), "date", "age");
    check_date(u, "registered", 2002, 2022);
    assert_true(strlen(s(u, "phone")) >= 6 && strlen(s(u, "cell")) >= 6);

    json_t *id = json_object_get(u, "id");
    KEYS(id, "name", "value");
    if (!strcmp(nat, "IR") || !strcmp(nat, "NZ") || !strcmp(nat, "TR") || !strcmp(nat, "UA")) {
        assert_string_equal(s(id, "name"), "");
        assert_true(json_is_null(json_object_get(id, "value")));
    } else {
        assert_true(strlen(s(id, "name")) > 0 && strlen(s(id, "value")) > 0);
    }

    json_t *pic = json_object_get(u, "picture");
    KEYS(pic, "large", "medium", "thumbnail");
    char prefix[80];
    snprintf(prefix, sizeof prefix, "https://randomuser.me/api/portraits/%s/",
             female ? "women" : "men");
    const char *large = s(pic, "large");
    assert_memory_equal(large, prefix, strlen(prefix));
    int picture = atoi(large + strlen(prefix));
    assert_true(picture >= 0 && picture <= (female ? 96 : 99));
    snprintf(prefix, sizeof prefix, "https://randomuser.me/api/portraits/med/%s/%d.jpg",
             female ? "women" : "men", picture);
    assert_string_equal(s(pic, "medium"), prefix);
    snprintf(prefix, sizeof prefix, "https://randomuser.me/api/portraits/thumb/%s/%d.jpg",
             female ? "women" : "men", picture);
    assert_string_equal(s(pic, "thumbnail"), prefix);
    assert_string_equal(s(u, "nat"), nat);
}

static const char *const nats[] = {"AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE",
                                   "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR", "UA", "US"};

static void test_every_nationality_shape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof nats / sizeof nats[0]; i++) {
        char q[96];
        snprintf(q, sizeof q, "results=300&seed=shape&nat=%s", nats[i]);
        json_t *doc = render(q);
        KEYS(doc, "results", "info");
        json_t *results = json_object_get(doc, "results");
        assert_int_equal(json_array_size(results), 300);
        bool numeric_pc = false, string_pc = false;
        size_t k;
        json_t *u;
        json_array_foreach(results, k, u)
        {
            check_user(u, nats[i]);
            json_t *pc = json_object_get(json_object_get(u, "location"), "postcode");
            numeric_pc |= json_is_integer(pc);
            string_pc |= json_is_string(pc);
        }
        if (!strcmp(nats[i], "NL"))
            assert_true(numeric_pc && string_pc); /* both shapes of the live service */
        json_t *info = json_object_get(doc, "info");
        KEYS(info, "seed", "results", "page", "version");
        assert_string_equal(s(info, "seed"), "shape");
        assert_int_equal(n(info, "results"), 300);
        assert_int_equal(n(info, "page"), 1);
        assert_string_equal(s(info, "version"), "1.4");
        json_decref(doc);
    }
}

/* True when some user of the page has `needle` in the field at path. */
static bool page_has(json_t *doc, const char *path, const char *needle, bool at_end)
{
    size_t k;
    json_t *u;
    json_array_foreach(json_object_get(doc, "results"), k, u)
    {
        const char *v = s(u, path);
        if (at_end
                ? (strlen(v) >= strlen(needle) && !strcmp(v + strlen(v) - strlen(needle), needle))
                : strstr(v, needle) != NULL)
            return true;
    }
    return false;
}

static void test_letters_of_each_language(void **state)
{
    (void)state;
    static const struct {
        const char *nat, *path, *needle;
    } cases[] = {
        {"FR", "name.first", "é"},           {"NO", "name.last", "ø"},  {"DK", "name.first", "ø"},
        {"DE", "location.street.name", "ß"}, {"FR", "name.first", "ç"}, {"TR", "name.first", "ğ"},
        {"RS", "name.first", "đ"},           {"IR", "name.first", "ا"}, {"IE", "name.last", "'"},
        {"DE", "name.first", " "},           {"ES", "name.first", "ñ"}, {"UA", "name.first", "a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char q[96];
        snprintf(q, sizeof q, "results=2000&seed=letters&nat=%s", cases[i].nat);
        json_t *doc = render(q);
        if (!page_has(doc, cases[i].path, cases[i].needle, false))
            fail_msg("no %s %s contains '%s'", cases[i].nat, cases[i].path, cases[i].needle);
        json_decref(doc);
    }
    json_t *doc = render("results=3000&seed=letters");
    assert_true(page_has(doc, "location.street.name", " ", true)); /* trailing space */
    json_decref(doc);
    /* emails are ASCII even for Persian names */
    doc = render("results=50&seed=letters&nat=ir");
    size_t k;
    json_t *u;
    json_array_foreach(json_object_get(doc, "results"), k, u)
    {
        const char *email = s(u, "email");
        assert_true(strlen(email) > strlen(".@example.com"));
        assert_true(email[0] != '.');
    }
    json_decref(doc);
}

static char *user_text(json_t *doc, size_t i)
{
    return json_dumps(json_array_get(json_object_get(doc, "results"), i),
                      JSON_PRESERVE_ORDER | JSON_COMPACT);
}

static void test_determinism_and_prefix(void **state)
{
    (void)state;
    struct up_gen_reply r1, r2;
    char *a = render_text("results=500&seed=det&nat=us,fr,ir", &r1);
    char *b = render_text("results=500&seed=det&nat=us,fr,ir", &r2);
    assert_string_equal(a, b);
    free(a);
    free(b);

    json_t *small = render("results=7&seed=det");
    json_t *big = render("results=5000&seed=det");
    for (size_t i = 0; i < 7; i++) {
        char *x = user_text(small, i), *y = user_text(big, i);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    json_decref(small);
    json_decref(big);
}

static void test_pages(void **state)
{
    (void)state;
    json_t *p1 = render("results=5&seed=abc");
    json_t *p2 = render("results=5&seed=abc&page=2");
    json_t *abc2 = render("results=5&seed=abc2");
    char *a = user_text(p1, 0), *b = user_text(p2, 0), *c = user_text(abc2, 0);
    assert_string_not_equal(a, b);
    assert_string_equal(b, c); /* upstream: seed abc page 2 = seed abc2 page 1 */
    assert_int_equal(n(json_object_get(p2, "info"), "page"), 2);
    assert_string_equal(s(json_object_get(p2, "info"), "seed"), "abc");
    free(a);
    free(b);
    free(c);
    json_decref(p1);
    json_decref(p2);
    json_decref(abc2);
}

static void test_random_seed(void **state)
{
    (void)state;
    json_t *a = render("results=1"), *b = render("results=1");
    const char *sa = s(json_object_get(a, "info"), "seed");
    const char *sb = s(json_object_get(b, "info"), "seed");
    assert_int_equal(strlen(sa), 16);
    assert_true(all_chars(sa, "0123456789abcdef"));
    assert_string_not_equal(sa, sb);
    /* the echoed seed reproduces the page */
    char q[64];
    snprintf(q, sizeof q, "results=1&seed=%s", sa);
    json_t *again = render(q);
    char *x = user_text(a, 0), *y = user_text(again, 0);
    assert_string_equal(x, y);
    free(x);
    free(y);
    json_decref(a);
    json_decref(b);
    json_decref(again);
}

static void test_filters(void **state)
{
    (void)state;
    json_t *doc = render("results=200&seed=f&gender=female&nat=ch,NO");
    size_t k;
    json_t *u;
    json_array_foreach(json_object_get(doc, "results"), k, u)
    {
        assert_string_equal(s(u, "gender"), "female");
        assert_true(!strcmp(s(u, "nat"), "CH") || !strcmp(s(u, "nat"), "NO"));
    }
    json_decref(doc);
    /* the nat set is part of the seed: ids do not repeat across filters */
    json_t *us = render("results=1&seed=f&nat=us"), *gb = render("results=1&seed=f&nat=gb");
    assert_string_not_equal(s(json_array_get(json_object_get(us, "results"), 0), "login.uuid"),
                            s(json_array_get(json_object_get(gb, "results"), 0), "login.uuid"));
    json_decref(us);
    json_decref(gb);
}

static void test_inc_exc_noinfo(void **state)
{
    (void)state;
    json_t *doc = render("results=3&seed=i&inc=nat,name,gender&noinfo");
    KEYS(doc, "results");
    KEYS(json_array_get(json_object_get(doc, "results"), 0), "gender", "name", "nat");
    json_decref(doc);
    doc = render("results=3&seed=i&exc=login,id,picture");
    KEYS(json_array_get(json_object_get(doc, "results"), 0), "gender", "name", "location", "email",
         "dob", "registered", "phone", "cell", "nat");
    json_decref(doc);
    /* excluding fields does not change the others */
    json_t *all = render("results=3&seed=i"), *some = render("results=3&seed=i&inc=email");
    assert_string_equal(s(json_array_get(json_object_get(all, "results"), 2), "email"),
                        s(json_array_get(json_object_get(some, "results"), 2), "email"));
    json_decref(all);
    json_decref(some);
}

static void test_password_rules(void **state)
{
    (void)state;
    static const struct {
        const char *rule, *chars;
        size_t lo, hi;
    } cases[] = {
        {"upper,lower,1-16", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 1, 16},
        {"number,10", "0123456789", 10, 10},
        {"special,32", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", 32, 32},
        {"upper,number", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8, 64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char q[128];
        snprintf(q, sizeof q, "results=100&seed=pw&password=%s", cases[i].rule);
        json_t *doc = render(q);
        size_t k;
        json_t *u;
        json_array_foreach(json_object_get(doc, "results"), k, u)
        {
            const char *pw = s(u, "login.password");
            assert_true(strlen(pw) >= cases[i].lo && strlen(pw) <= cases[i].hi);
            assert_true(all_chars(pw, cases[i].chars));
        }
        json_decref(doc);
    }
}

static void test_callback_and_pretty(void **state)
{
    (void)state;
    struct up_gen_reply r;
    char *body = render_text("results=2&seed=cb&callback=handle.users", &r);
    assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
    assert_memory_equal(body, "handle.users({", 14);
    size_t len = strlen(body);
    assert_string_equal(body + len - 2, ");");
    json_t *inner = json_loadb(body + 13, len - 15, 0, NULL);
    assert_non_null(inner);
    json_decref(inner);
    free(body);

    char *compact = render_text("results=3&seed=cb", &r);
    char *pretty = render_text("results=3&seed=cb&format=pretty", &r);
    assert_non_null(strstr(pretty, "{\n  \"results\": [\n    {\n      \"gender\": "));
    json_t *a = json_loads(compact, 0, NULL), *b = json_loads(pretty, 0, NULL);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    free(compact);
    free(pretty);
}

/* Splits one RFC 4180 record; returns the number of fields and advances *p. */
static size_t csv_record(const char **p, char fields[][256], size_t max)
{
    size_t nf = 0, len = 0;
    bool quoted = false;
    const char *c = *p;
    for (;; c++) {
        if (quoted) {
            if (*c == '"' && c[1] == '"') {
                fields[nf][len++] = '"';
                c++;
            } else if (*c == '"') {
                quoted = false;
            } else {
                fields[nf][len++] = *c;
            }
            continue;
        }
        if (*c == '"') {
            quoted = true;
        } else if (*c == ',' || *c == '\n' || *c == '\0') {
            fields[nf][len] = '\0';
            nf++;
            len = 0;
            if (*c != ',') {
                *p = *c ? c + 1 : c;
                return nf;
            }
            assert_true(nf < max);
        } else {
            fields[nf][len++] = *c;
        }
    }
}

static void test_csv(void **state)
{
    (void)state;
    struct up_gen_reply r;
    char *csv = render_text("results=50&seed=csv&format=csv&password=special,upper,20", &r);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    json_t *doc = render("results=50&seed=csv&password=special,upper,20");
    static char fields[64][256];
    const char *p = csv;
    size_t ncols = csv_record(&p, fields, 64);
    assert_int_equal(ncols, 34);
    assert_string_equal(fields[0], "gender");
    assert_string_equal(fields[4], "location.street.number");
    assert_string_equal(fields[29], "id.value");
    assert_string_equal(fields[33], "nat");
    for (size_t i = 0; i < 50; i++) {
        assert_int_equal(csv_record(&p, fields, 64), ncols);
        json_t *u = json_array_get(json_object_get(doc, "results"), i);
        assert_string_equal(fields[2], s(u, "name.first"));
        assert_string_equal(fields[17], s(u, "login.password")); /* quotes and commas */
        assert_string_equal(fields[33], s(u, "nat"));
    }
    assert_int_equal(*p, '\0');
    json_decref(doc);
    free(csv);
}

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        c++;
    return c;
}

static void test_yaml_xml_shape(void **state)
{
    (void)state;
    struct up_gen_reply r;
    char *xml = render_text("results=40&seed=x&format=xml&nat=us", &r);
    assert_string_equal(r.content_type, "text/xml; charset=utf-8");
    assert_memory_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user><results>", 54);
    assert_int_equal(count(xml, "<results><gender>"), 40);
    assert_non_null(strstr(xml, "(US &amp; Canada)")); /* escaped */
    assert_null(strstr(xml, "& "));
    assert_non_null(strstr(xml, "<info><seed>x</seed><results>40</results><page>1</page>"));
    free(xml);
    xml = render_text("results=1&seed=x&format=xml&nat=tr", &r);
    assert_non_null(strstr(xml, "<id><name></name><value/></id>"));
    free(xml);
    char *yaml = render_text("results=4&seed=x&format=yaml&nat=no", &r);
    assert_string_equal(r.content_type, "text/x-yaml; charset=utf-8");
    assert_memory_equal(yaml, "results:\n  - gender: ", 21);
    assert_int_equal(count(yaml, "\n  - gender: "), 4);
    assert_non_null(strstr(yaml, "      postcode: \"")); /* NO postcodes stay strings */
    assert_non_null(strstr(yaml, "\ninfo:\n  seed: \"x\"\n  results: 4\n"));
    free(yaml);
}

static void test_up_gen_page_api(void **state)
{
    (void)state;
    struct up_gen_params p;
    up_gen_params_default(&p);
    p.results = 3;
    p.now_ms = NOW_MS;
    snprintf(p.seed, sizeof p.seed, "lib");
    struct up_buf a = UP_BUF_INIT;
    up_gen_page(&p, &a);
    struct up_gen_reply r;
    char *b = render_text("results=3&seed=lib", &r);
    assert_string_equal(a.data, b);
    free(b);
    up_buf_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_nationality_shape),
        cmocka_unit_test(test_letters_of_each_language),
        cmocka_unit_test(test_determinism_and_prefix),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_random_seed),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_inc_exc_noinfo),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test(test_callback_and_pretty),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_yaml_xml_shape),
        cmocka_unit_test(test_up_gen_page_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
