/* web/ui_request: what a dashboard request asks for, decoded and checked before anything is
 * done for it: the method, the route, and the route's arguments (the tail's topic name,
 * start and filter). Pure, no I/O and no libmicrohttpd: ui_server feeds it from a connection,
 * fuzz_web_ui_request from bytes. Every argument is untrusted and bounded here. */
#ifndef UP_WEB_UI_REQUEST_H
#define UP_WEB_UI_REQUEST_H

#include "kafka/tail.h"
#include "web/ui_assets.h"

#include <stdbool.h>
#include <stddef.h>

#define UP_UI_FILTER_MAX 256 /* bytes of q= */

enum up_ui_route {
    UP_UI_TAIL,
    UP_UI_HEALTH,
    UP_UI_HISTORY,
    UP_UI_TOPICS,
    UP_UI_CLUSTER,
    UP_UI_DLQ,
    UP_UI_CONFIG,
    UP_UI_METRICS,
    UP_UI_ASSET,
    UP_UI_NOT_FOUND,
};

/* Where a request value comes from. */
enum up_ui_value_kind { UP_UI_QUERY, UP_UI_HEADER };

/* Looks up one value of the request: a query argument ("topic") or a header
 * ("Last-Event-ID"); NULL when absent. The string must outlive the decoded request. */
typedef const char *(*up_ui_lookup_fn)(void *ctx, enum up_ui_value_kind kind, const char *name);

struct up_ui_request {
    enum up_ui_route route;
    const char *label; /* the route's label in userpipe_ui_http_requests_total */
    bool head;         /* HEAD: headers only */
    unsigned status;   /* 0: serve it; otherwise answer this status with error */
    char error[256];
    const struct up_ui_asset *asset; /* UP_UI_ASSET */
    bool fresh;                      /* UP_UI_ASSET: If-None-Match matches its ETag */
    /* UP_UI_TAIL: the topic (a legal Kafka name), the filter (NULL = none) and the start */
    const char *topic;
    const char *filter;
    struct up_tail_start *start; /* owned: up_ui_request_clear frees it */
};

/* Decodes method and url (the path, without the query string) with lookup. Never fails:
 * a request that cannot be served gets its status (400, 404, 405) and error. */
void up_ui_request_decode(const char *method, const char *url, up_ui_lookup_fn lookup, void *ctx,
                          struct up_ui_request *out);
void up_ui_request_clear(struct up_ui_request *r);

#endif
