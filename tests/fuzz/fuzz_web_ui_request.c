/* Fuzz target for every argument a dashboard request carries (web/ui_request: method, path,
 * the tail's topic, from=, q= and Last-Event-ID, If-None-Match) and the basic-auth check
 * (web/ui_auth) on the decoded user and password: no live broker, no socket. Input: fields
 * separated by '\n' in that order: method, path, topic, from, q, Last-Event-ID, If-None-Match,
 * user, password; a field past the end of the input is absent (NULL), an empty one is "".
 * Checked: the answer is one of 0/400/404/405 with a reason that makes a valid JSON body; a
 * tail request that passes has a legal topic, a bounded filter and a start; the check admits
 * exactly the one configured user. */
#include "core/buf.h"
#include "kafka/topic.h"
#include "web/ui_auth.h"
#include "web/ui_request.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { F_METHOD, F_PATH, F_TOPIC, F_FROM, F_Q, F_LAST_ID, F_INM, F_USER, F_PASSWORD, NFIELDS };

struct fields {
    char *v[NFIELDS];
};

static const char *lookup(void *ctx, enum up_ui_value_kind kind, const char *name)
{
    struct fields *f = ctx;
    static const struct {
        enum up_ui_value_kind kind;
        const char *name;
        int field;
    } map[] = {{UP_UI_QUERY, "topic", F_TOPIC},
               {UP_UI_QUERY, "from", F_FROM},
               {UP_UI_QUERY, "q", F_Q},
               {UP_UI_HEADER, "Last-Event-ID", F_LAST_ID},
               {UP_UI_HEADER, "If-None-Match", F_INM}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].kind == kind && strcmp(map[i].name, name) == 0)
            return f->v[map[i].field];
    abort(); /* a lookup of something this target does not feed: extend the map */
}

static void check_request(const struct up_ui_request *rq)
{
    if (rq->status != 0 && rq->status != 400 && rq->status != 404 && rq->status != 405)
        abort();
    if (rq->status) {
        if (!rq->error[0] || memchr(rq->error, '\0', sizeof rq->error) == NULL)
            abort();
        /* the body ui_server sends: valid JSON whatever the reason quotes */
        struct up_buf b = UP_BUF_INIT;
        up_buf_puts(&b, "{\"error\":");
        up_buf_json_cstring(&b, rq->error);
        up_buf_putc(&b, '}');
        json_error_t je;
        json_t *j = json_loadb(b.data, b.len, 0, &je);
        if (!j)
            abort();
        json_decref(j);
        up_buf_free(&b);
        return;
    }
    if (rq->route == UP_UI_ASSET && !rq->asset)
        abort();
    if (rq->route == UP_UI_TAIL) {
        char err[256];
        if (!rq->topic || !rq->start ||
            up_kafka_topic_name_check(rq->topic, strlen(rq->topic), err, sizeof err) != 0)
            abort();
        if (rq->filter && strlen(rq->filter) > UP_UI_FILTER_MAX)
            abort();
        if (rq->start->from == UP_TAIL_CURSOR &&
            (rq->start->ncursor == 0 || rq->start->ncursor > UP_TAIL_MAX_PARTITIONS))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fields f = {{0}};
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < NFIELDS && p <= end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        f.v[i] = up_xstrndup(p, (size_t)(e - p)); /* a C string, as libmicrohttpd hands them */
        if (!nl)
            break;
        p = nl + 1;
    }
    struct up_ui_request rq;
    up_ui_request_decode(f.v[F_METHOD] ? f.v[F_METHOD] : "", f.v[F_PATH] ? f.v[F_PATH] : "", lookup,
                         &f, &rq);
    check_request(&rq);
    up_ui_request_clear(&rq);

    static char user[] = "admin", password[] = "s3cret";
    struct up_ui_auth auth = {.n = 1, .user = {user}, .password = {password}};
    bool admitted = up_ui_auth_check(&auth, f.v[F_USER], f.v[F_PASSWORD]);
    bool right = f.v[F_USER] && f.v[F_PASSWORD] && strcmp(f.v[F_USER], user) == 0 &&
                 strcmp(f.v[F_PASSWORD], password) == 0;
    if (admitted != right)
        abort();
    for (int i = 0; i < NFIELDS; i++)
        free(f.v[i]);
    return 0;
}
