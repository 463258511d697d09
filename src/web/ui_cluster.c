/* web/ui_cluster: brokers and nodes, merged and rendered. */
#include "web/ui_cluster.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------ Kafka */

static void format_address(const char *host, int port, char *out, size_t size)
{
    if (strchr(host, ':'))
        snprintf(out, size, "[%s]:%d", host, port);
    else
        snprintf(out, size, "%s:%d", host, port);
}

/* host:port of one bootstrap entry; false when empty. */
static bool parse_entry(const char *item, size_t len, char *host, size_t hsize, int *port)
{
    while (len && (*item == ' ' || *item == '\t'))
        item++, len--;
    while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i + 2 < len; i++)
        if (memcmp(item + i, "://", 3) == 0) {
            item += i + 3;
            len -= i + 3;
            break;
        }
    if (!len)
        return false;
    char buf[272];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1), item);
    *port = 9092;
    char *h = buf, *colon;
    if (*h == '[') {
        char *close = strchr(h, ']');
        if (close) {
            *close = '\0';
            if (close[1] == ':')
                *port = atoi(close + 2);
        }
        h++;
    } else if ((colon = strchr(h, ':')) && colon == strrchr(h, ':')) { /* not a bare v6 */
        *colon = '\0';
        *port = atoi(colon + 1);
    }
    snprintf(host, hsize, "%s", h);
    return host[0] != '\0';
}

static void resolve(const char *host, int port, char *out, size_t size)
{
    out[0] = '\0';
    unsigned char tmp[16];
    if (inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1)
        return; /* already an address */
    /* IPv4 first: brokers advertise it far more often than IPv6 */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
        hints.ai_family = AF_UNSPEC;
        if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
            return;
    }
    char ip[INET6_ADDRSTRLEN] = "";
    const void *a = res->ai_family == AF_INET6
                        ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
                        : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
    if (inet_ntop(res->ai_family, a, ip, sizeof ip))
        format_address(ip, port, out, size);
    freeaddrinfo(res);
}

static struct ui_broker *add(struct ui_brokers *b)
{
    b->v = up_xrealloc(b->v, (b->n + 1) * sizeof *b->v);
    struct ui_broker *e = &b->v[b->n++];
    memset(e, 0, sizeof *e);
    e->id = -1;
    return e;
}

void ui_brokers_init(struct ui_brokers *b, const char *bootstrap)
{
    memset(b, 0, sizeof *b);
    for (const char *p = bootstrap ? bootstrap : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char host[272];
        int port;
        if (parse_entry(p, len, host, sizeof host, &port)) {
            struct ui_broker *e = add(b);
            format_address(host, port, e->address, sizeof e->address);
            resolve(host, port, e->resolved, sizeof e->resolved);
            e->bootstrap = true;
        }
        p = end ? end + 1 : p + len;
    }
}

void ui_brokers_free(struct ui_brokers *b)
{
    free(b->v);
    memset(b, 0, sizeof *b);
}

static struct ui_broker *find(struct ui_brokers *b, int32_t id, const char *address)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].id == id)
            return &b->v[i];
    for (size_t i = 0; i < b->n; i++) /* a bootstrap address not yet tied to an id */
        if (b->v[i].id < 0 &&
            (strcmp(b->v[i].address, address) == 0 || strcmp(b->v[i].resolved, address) == 0))
            return &b->v[i];
    return NULL;
}

void ui_brokers_update(struct ui_brokers *b, const struct up_broker_info *md, size_t n)
{
    for (size_t i = 0; i < b->n; i++)
        b->v[i].up = false;
    for (size_t i = 0; md && i < n; i++) {
        char address[280];
        format_address(md[i].host, md[i].port, address, sizeof address);
        struct ui_broker *e = find(b, md[i].id, address);
        if (!e)
            e = add(b);
        snprintf(e->address, sizeof e->address, "%s", address); /* as the broker advertises it */
        e->id = md[i].id;
        e->up = true;
    }
}

static int cmp_broker(const void *x, const void *y)
{
    const struct ui_broker *a = *(struct ui_broker *const *)x, *b = *(struct ui_broker *const *)y;
    if ((a->id < 0) != (b->id < 0))
        return a->id < 0 ? 1 : -1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return strcmp(a->address, b->address);
}

void ui_brokers_json(const struct ui_brokers *b, int32_t controller, const char *source,
                     const char *error, struct up_buf *out)
{
    const struct ui_broker **order = up_xcalloc(b->n ? b->n : 1, sizeof *order);
    for (size_t i = 0; i < b->n; i++)
        order[i] = &b->v[i];
    qsort(order, b->n, sizeof *order, cmp_broker);
    up_buf_puts(out, "{\"brokers\":[");
    for (size_t i = 0; i < b->n; i++) {
        const struct ui_broker *e = order[i];
        up_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
        if (e->id < 0)
            up_buf_puts(out, "null");
        else
            up_buf_printf(out, "%d", e->id);
        up_buf_puts(out, ",\"address\":");
        up_buf_json_cstring(out, e->address);
        up_buf_printf(
            out, ",\"up\":%s,\"controller\":%s,\"bootstrap\":%s}", e->up ? "true" : "false",
            e->id >= 0 && e->id == controller ? "true" : "false", e->bootstrap ? "true" : "false");
    }
    free(order);
    up_buf_puts(out, "],\"controller_id\":");
    if (controller < 0)
        up_buf_puts(out, "null");
    else
        up_buf_printf(out, "%d", controller);
    up_buf_puts(out, ",\"controller_source\":");
    up_buf_json_cstring(out, source);
    up_buf_puts(out, ",\"error\":");
    up_buf_json_cstring(out, error);
    up_buf_putc(out, '}');
}

/* -------------------------------------------------------------------------- Cassandra */

struct node_ref {
    const struct cql_host_info *h;
    const char *status;
};

/* By IP then port, numerically where both parse ("127.0.0.10" after "127.0.0.9"). */
static int cmp_node(const void *x, const void *y)
{
    const char *a = ((const struct node_ref *)x)->h->address;
    const char *b = ((const struct node_ref *)y)->h->address;
    unsigned a1, a2, a3, a4, ap, b1, b2, b3, b4, bp;
    if (sscanf(a, "%u.%u.%u.%u:%u", &a1, &a2, &a3, &a4, &ap) == 5 &&
        sscanf(b, "%u.%u.%u.%u:%u", &b1, &b2, &b3, &b4, &bp) == 5) {
        unsigned long long ka = ((unsigned long long)a1 << 48) | ((unsigned long long)a2 << 40) |
                                ((unsigned long long)a3 << 32) | ((unsigned long long)a4 << 24) |
                                ap;
        unsigned long long kb = ((unsigned long long)b1 << 48) | ((unsigned long long)b2 << 40) |
                                ((unsigned long long)b3 << 32) | ((unsigned long long)b4 << 24) |
                                bp;
        return (ka > kb) - (ka < kb);
    }
    return strcmp(a, b);
}

void ui_nodes_json(const struct cql_host_info *hosts, const char *const *status, size_t n,
                   const char *error, struct up_buf *out)
{
    struct node_ref *order = up_xcalloc(n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        order[i].h = &hosts[i];
        order[i].status = status ? status[i] : NULL;
    }
    qsort(order, n, sizeof *order, cmp_node);
    size_t up = 0;
    up_buf_puts(out, "{\"nodes\":[");
    for (size_t i = 0; i < n; i++) {
        const struct cql_host_info *h = order[i].h;
        const char *ev = order[i].status;
        bool reported_down = ev && strcmp(ev, "DOWN") == 0;
        bool is_up = h->up && !reported_down;
        up += is_up;
        up_buf_puts(out, i ? ",{\"address\":" : "{\"address\":");
        up_buf_json_cstring(out, h->address);
        up_buf_puts(out, ",\"dc\":");
        up_buf_json_cstring(out, h->dc[0] ? h->dc : NULL);
        up_buf_puts(out, ",\"rack\":");
        up_buf_json_cstring(out, h->rack[0] ? h->rack : NULL);
        up_buf_printf(out, ",\"up\":%s,\"control\":%s,\"contact\":%s,\"tokens\":%zu",
                      is_up ? "true" : "false", h->control ? "true" : "false",
                      h->contact ? "true" : "false", h->ntokens);
        up_buf_puts(out, ",\"status_event\":");
        up_buf_json_cstring(out, ev);
        char detail[400];
        if (reported_down)
            snprintf(detail, sizeof detail, "the cluster reports it DOWN");
        else if (h->up)
            snprintf(detail, sizeof detail, "connected%s",
                     h->control ? " (control connection)" : "");
        else if (h->last_error[0])
            snprintf(detail, sizeof detail, "no connection: %s", h->last_error);
        else
            snprintf(detail, sizeof detail, "no connection");
        up_buf_puts(out, ",\"detail\":");
        up_buf_json_cstring(out, detail);
        up_buf_putc(out, '}');
    }
    free(order);
    up_buf_printf(out, "],\"up\":%zu,\"known\":%zu,\"error\":", up, n);
    up_buf_json_cstring(out, error);
    up_buf_putc(out, '}');
}
