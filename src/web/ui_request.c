/* web/ui_request: routes and their arguments, checked. */
#include "web/ui_request.h"

#include "core/buf.h"
#include "kafka/topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path;
    enum up_ui_route route;
    const char *label;
} routes[] = {
    {"/api/tail", UP_UI_TAIL, "tail"},      {"/api/health", UP_UI_HEALTH, "api"},
    {"/api/history", UP_UI_HISTORY, "api"}, {"/api/topics", UP_UI_TOPICS, "api"},
    {"/api/cluster", UP_UI_CLUSTER, "api"}, {"/api/dlq", UP_UI_DLQ, "api"},
    {"/api/config", UP_UI_CONFIG, "api"},   {"/metrics", UP_UI_METRICS, "metrics"},
};

static void refuse(struct up_ui_request *r, unsigned status, const char *why)
{
    r->status = status;
    snprintf(r->error, sizeof r->error, "%s", why);
}

/* ?topic=NAME&from=START&q=FILTER, or Last-Event-ID (which EventSource resends on a reconnect:
 * resuming beats the original start). */
static void decode_tail(struct up_ui_request *r, up_ui_lookup_fn lookup, void *ctx)
{
    const char *topic = lookup(ctx, UP_UI_QUERY, "topic");
    const char *from = lookup(ctx, UP_UI_QUERY, "from");
    const char *filter = lookup(ctx, UP_UI_QUERY, "q");
    const char *last = lookup(ctx, UP_UI_HEADER, "Last-Event-ID");
    if (!topic || !*topic) {
        refuse(r, 400, "give ?topic=NAME");
        return;
    }
    if (up_kafka_topic_name_check(topic, strlen(topic), r->error, sizeof r->error) != 0) {
        r->status = 400;
        return;
    }
    if (filter && strlen(filter) > UP_UI_FILTER_MAX) {
        refuse(r, 400, "q= is longer than 256 bytes");
        return;
    }
    r->start = up_xcalloc(1, sizeof *r->start);
    if (up_tail_start_parse(last && *last ? last : from, r->start, r->error, sizeof r->error) !=
        0) {
        r->status = 400;
        return;
    }
    r->topic = topic;
    r->filter = filter && *filter ? filter : NULL;
}

void up_ui_request_decode(const char *method, const char *url, up_ui_lookup_fn lookup, void *ctx,
                          struct up_ui_request *out)
{
    memset(out, 0, sizeof *out);
    out->route = UP_UI_NOT_FOUND;
    out->label = "other";
    bool get = strcmp(method, "GET") == 0;
    out->head = strcmp(method, "HEAD") == 0;
    if (!get && !out->head) {
        refuse(out, 405, "the dashboard is read-only: use GET");
        return;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) == 0) {
            out->route = routes[i].route;
            out->label = routes[i].label;
            if (out->route == UP_UI_TAIL)
                decode_tail(out, lookup, ctx);
            return;
        }
    }
    out->asset = up_ui_asset_find(url);
    if (out->asset) {
        const char *inm = lookup(ctx, UP_UI_HEADER, "If-None-Match");
        out->route = UP_UI_ASSET;
        out->label = "asset";
        out->fresh = inm && strcmp(inm, out->asset->etag) == 0;
        return;
    }
    refuse(out, 404, "no such page: the dashboard is at /, its API under /api/");
}

void up_ui_request_clear(struct up_ui_request *r)
{
    free(r->start);
    r->start = NULL;
}
