/* gen: pages of users in the five formats, and the query-to-response glue. */
#include "gen/gen.h"

#include "core/clock.h"
#include "gen/encode.h"
#include "gen/user.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* Bytes per user a format takes, to size the buffer once (a guess, not a limit). */
static const size_t bytes_per_user[] = {1300, 2000, 1000, 1600, 1600};

static void str(struct up_emitter *e, const char *key, const char *s)
{
    e->ops->string(e, key, s, strlen(s));
}

static void num(struct up_emitter *e, const char *key, const char *digits)
{
    e->ops->number(e, key, digits, strlen(digits));
}

static void begin(struct up_emitter *e, const char *key)
{
    e->ops->object_begin(e, key);
}

static void end(struct up_emitter *e)
{
    e->ops->object_end(e);
}

static void walk_location(struct up_emitter *e, const struct up_gen_user *u)
{
    begin(e, "location");
    begin(e, "street");
    num(e, "number", u->street_number);
    str(e, "name", u->street);
    end(e);
    str(e, "city", u->city);
    str(e, "state", u->state);
    str(e, "country", u->loc->country);
    if (u->postcode_numeric)
        num(e, "postcode", u->postcode);
    else
        str(e, "postcode", u->postcode);
    begin(e, "coordinates");
    str(e, "latitude", u->latitude);
    str(e, "longitude", u->longitude);
    end(e);
    begin(e, "timezone");
    str(e, "offset", u->tz->offset);
    str(e, "description", u->tz->description);
    end(e);
    end(e);
}

static void walk_login(struct up_emitter *e, const struct up_gen_user *u)
{
    begin(e, "login");
    str(e, "uuid", u->uuid);
    str(e, "username", u->username);
    str(e, "password", u->password);
    str(e, "salt", u->salt);
    str(e, "md5", u->md5);
    str(e, "sha1", u->sha1);
    str(e, "sha256", u->sha256);
    end(e);
}

static void walk_date(struct up_emitter *e, const char *key, const char *iso, const char *age)
{
    begin(e, key);
    str(e, "date", iso);
    num(e, "age", age);
    end(e);
}

/* One user, fields in the API's order. */
static void walk_user(struct up_emitter *e, const struct up_gen_user *u, uint32_t fields)
{
    begin(e, NULL);
    if (fields & UP_GEN_F(GENDER))
        str(e, "gender", u->female ? "female" : "male");
    if (fields & UP_GEN_F(NAME)) {
        begin(e, "name");
        str(e, "title", u->title);
        str(e, "first", u->first);
        str(e, "last", u->last);
        end(e);
    }
    if (fields & UP_GEN_F(LOCATION))
        walk_location(e, u);
    if (fields & UP_GEN_F(EMAIL))
        str(e, "email", u->email);
    if (fields & UP_GEN_F(LOGIN))
        walk_login(e, u);
    if (fields & UP_GEN_F(DOB))
        walk_date(e, "dob", u->dob, u->dob_age);
    if (fields & UP_GEN_F(REGISTERED))
        walk_date(e, "registered", u->registered, u->registered_age);
    if (fields & UP_GEN_F(PHONE))
        str(e, "phone", u->phone);
    if (fields & UP_GEN_F(CELL))
        str(e, "cell", u->cell);
    if (fields & UP_GEN_F(ID)) {
        begin(e, "id");
        str(e, "name", u->loc->id_name);
        if (u->id_null)
            e->ops->null(e, "value");
        else
            str(e, "value", u->id_value);
        end(e);
    }
    if (fields & UP_GEN_F(PICTURE)) {
        begin(e, "picture");
        str(e, "large", u->picture_large);
        str(e, "medium", u->picture_medium);
        str(e, "thumbnail", u->picture_thumbnail);
        end(e);
    }
    if (fields & UP_GEN_F(NAT))
        str(e, "nat", up_nat_code(u->nat));
    end(e);
}

static void walk_info(struct up_emitter *e, const char *seed, unsigned results, unsigned page)
{
    char n[16];
    begin(e, "info");
    str(e, "seed", seed);
    snprintf(n, sizeof n, "%u", results);
    num(e, "results", n);
    snprintf(n, sizeof n, "%u", page);
    num(e, "page", n);
    str(e, "version", UP_GEN_VERSION);
    end(e);
}

static void random_seed(char out[17])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char b[8];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* getrandom on Linux >= 3.17 only fails on EINTR before any byte; the
         * clock is a fine fallback for a test seed. */
        uint64_t t = (uint64_t)up_wall_us();
        memcpy(b, &t, sizeof b);
    }
    for (int i = 0; i < 8; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[16] = '\0';
}

static const struct up_emitter_ops *ops_for(enum up_gen_format f)
{
    switch (f) {
    case UP_GEN_CSV:
        return &up_emit_csv;
    case UP_GEN_YAML:
        return &up_emit_yaml;
    case UP_GEN_XML:
        return &up_emit_xml;
    default:
        return &up_emit_json;
    }
}

void up_gen_page(const struct up_gen_params *p, struct up_buf *out)
{
    struct up_gen_params q = *p;
    if ((unsigned)q.format > UP_GEN_XML)
        q.format = UP_GEN_JSON; /* a C caller's slip must not index past the tables */
    if (!q.seed[0])
        random_seed(q.seed);
    if (!q.now_ms)
        q.now_ms = up_wall_ms();
    /* Upstream: page P != 1 is seed "<seed>P" on page 1, an independent set. */
    char effective[UP_GEN_SEED_MAX + 16];
    int elen = q.page == 1 ? snprintf(effective, sizeof effective, "%s", q.seed)
                           : snprintf(effective, sizeof effective, "%s%u", q.seed, q.page);
    struct up_gen_page_ctx ctx;
    up_gen_page_ctx_init(&ctx, effective, (size_t)elen, &q);

    up_buf_reserve(out, q.results * bytes_per_user[q.format] + 256);
    struct up_emitter e = {
        .ops = ops_for(q.format), .out = out, .pretty = q.format == UP_GEN_PRETTY};
    if (q.callback[0]) {
        up_put_str(out, q.callback);
        up_buf_putc(out, '(');
    }
    e.ops->doc_begin(&e);
    e.ops->array_begin(&e, "results");
    struct up_gen_user u;
    for (unsigned i = 0; i < q.results; i++) {
        up_gen_user_make(&ctx, i, &u);
        if (i == 0 && q.format == UP_GEN_CSV) {
            e.header = true;
            walk_user(&e, &u, q.fields);
            e.header = false;
        }
        walk_user(&e, &u, q.fields);
    }
    e.ops->array_end(&e);
    if (!q.noinfo)
        walk_info(&e, q.seed, q.results, q.page);
    e.ops->doc_end(&e);
    if (q.callback[0])
        UP_PUT(out, ");");
    up_gen_page_ctx_free(&ctx);
}

static const char *content_type(const struct up_gen_params *p)
{
    if (p->callback[0])
        return "text/javascript; charset=utf-8";
    switch (p->format) {
    case UP_GEN_CSV:
        return "text/csv; charset=utf-8";
    case UP_GEN_YAML:
        return "text/x-yaml; charset=utf-8";
    case UP_GEN_XML:
        return "text/xml; charset=utf-8";
    default:
        return "application/json; charset=utf-8";
    }
}

static const char *filename(enum up_gen_format f)
{
    static const char *const names[] = {"users.json", "users.json", "users.csv", "users.yaml",
                                        "users.xml"};
    return names[f];
}

void up_gen_respond(const char *query, size_t len, int64_t now_ms, struct up_buf *body,
                    struct up_gen_reply *reply)
{
    struct up_gen_params p;
    char err[256];
    if (up_gen_query_parse(query, len, &p, err, sizeof err) != 0) {
        UP_PUT(body, "{\"error\":");
        up_buf_json_cstring(body, err);
        UP_PUT(body, "}");
        *reply = (struct up_gen_reply){400, "application/json; charset=utf-8", NULL, 0};
        return;
    }
    p.now_ms = now_ms;
    up_gen_page(&p, body);
    *reply =
        (struct up_gen_reply){200, content_type(&p), p.dl ? filename(p.format) : NULL, p.results};
}
