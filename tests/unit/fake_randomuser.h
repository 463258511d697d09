/* fake_randomuser: a scripted RandomUser-like HTTP server on a free loopback port for
 * the source unit tests (libmicrohttpd, one thread per connection so a slow answer
 * does not block the others). Each request takes the next scripted step (status,
 * body, Retry-After, delay); once the script is used up it answers 200 with a page of
 * generated users whose ids depend only on (seed, page, index). Header-only. */
#ifndef FAKE_RANDOMUSER_H
#define FAKE_RANDOMUSER_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE_MAX_STEPS 32
#define FAKE_MAX_SEEN  256

struct fake_step {
    int status;       /* 0 = a generated page (200) */
    const char *body; /* NULL = generated page or a short JSON error */
    int retry_after;  /* seconds; 0 = no header */
    int delay_ms;     /* before answering */
};

struct fake_api {
    struct MHD_Daemon *daemon;
    unsigned port;
    char url[64];
    pthread_mutex_t lock;
    struct fake_step steps[FAKE_MAX_STEPS];
    int nsteps, next;
    int fail_page; /* a page number answered 500 forever (0 = none) */
    int requests, connections;
    char seen[FAKE_MAX_SEEN][160]; /* "results=..&seed=..&page=..&nat=.." of each request */
    int nseen;
};

/* The id of user i on (seed, page): 32 hex digits from FNV-1a, dashed 8-4-4-4-12. */
static void fake_uuid(const char *seed, long page, long i, char out[37])
{
    char key[256];
    snprintf(key, sizeof key, "%s/%ld/%ld", seed, page, i);
    unsigned long long h1 = 1469598103934665603ULL, h2 = 1099511628211ULL * 31;
    for (const char *p = key; *p; p++) {
        h1 = (h1 ^ (unsigned char)*p) * 1099511628211ULL;
        h2 = (h2 ^ (unsigned char)*p) * 0x100000001b3ULL + 7;
    }
    char hex[33];
    snprintf(hex, sizeof hex, "%016llx%016llx", h1, h2);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static char *fake_page_json(const char *seed, long page, long results)
{
    size_t cap = 256 + (size_t)results * 512;
    char *out = malloc(cap);
    size_t n = (size_t)snprintf(out, cap, "{\"results\":[");
    for (long i = 0; i < results; i++) {
        char id[37];
        fake_uuid(seed, page, i, id);
        n += (size_t)snprintf(
            out + n, cap - n,
            "%s{\"gender\":\"female\",\"name\":{\"title\":\"Ms\",\"first\":\"U%ld\",\"last\":"
            "\"P%ld\"},\"location\":{\"street\":{\"number\":%ld,\"name\":\"Main St\"},\"city\":"
            "\"Oslo\",\"state\":\"Oslo\",\"country\":\"Norway\",\"postcode\":\"0150\"},\"email\":"
            "\"u%ld@example.com\",\"login\":{\"uuid\":\"%s\",\"username\":\"user%ld\"},\"dob\":"
            "{\"date\":\"1990-01-02T03:04:05.678Z\",\"age\":35},\"registered\":{\"date\":"
            "\"2010-01-02T03:04:05.678Z\",\"age\":15},\"phone\":\"555\",\"id\":{\"name\":\"\","
            "\"value\":null},\"picture\":{\"medium\":\"https://x/med/%ld.jpg\"},\"nat\":\"NO\"}",
            i ? "," : "", i, page, i + 1, i, id, i, i);
    }
    snprintf(out + n, cap - n,
             "],\"info\":{\"seed\":\"%s\",\"results\":%ld,\"page\":%ld,"
             "\"version\":\"1.4\"}}",
             seed, results, page);
    return out;
}

static const char *fake_arg(struct MHD_Connection *c, const char *name, const char *def)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v ? v : def;
}

static enum MHD_Result fake_answer(struct MHD_Connection *c, int status, const char *body,
                                   int retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", retry_after);
        MHD_add_response_header(r, "Retry-After", v);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result fake_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version, const char *upload,
                                       size_t *upload_len, void **state)
{
    (void)url, (void)method, (void)version, (void)upload, (void)upload_len;
    struct fake_api *f = cls;
    if (*state == NULL) { /* first call for this request: headers only */
        *state = f;
        return MHD_YES;
    }
    const char *seed = fake_arg(c, "seed", "");
    long page = atol(fake_arg(c, "page", "1"));
    long results = atol(fake_arg(c, "results", "1"));
    struct fake_step step = {0, NULL, 0, 0};
    pthread_mutex_lock(&f->lock);
    f->requests++;
    if (f->nseen < FAKE_MAX_SEEN)
        snprintf(f->seen[f->nseen++], sizeof f->seen[0], "results=%s&seed=%s&page=%s&nat=%s",
                 fake_arg(c, "results", "-"), seed, fake_arg(c, "page", "-"),
                 fake_arg(c, "nat", "-"));
    if (f->next < f->nsteps)
        step = f->steps[f->next++];
    if (f->fail_page && page == f->fail_page)
        step.status = 500;
    pthread_mutex_unlock(&f->lock);
    if (step.delay_ms)
        usleep((useconds_t)step.delay_ms * 1000);
    if (step.status != 0 && step.status != 200)
        return fake_answer(c, step.status, step.body ? step.body : "{\"error\":\"scripted\"}",
                           step.retry_after);
    if (step.body)
        return fake_answer(c, 200, step.body, 0);
    char *body = fake_page_json(seed, page, results);
    enum MHD_Result r = fake_answer(c, 200, body, 0);
    free(body);
    return r;
}

static void fake_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                               enum MHD_ConnectionNotificationCode code)
{
    (void)c, (void)socket_context;
    struct fake_api *f = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&f->lock);
        f->connections++;
        pthread_mutex_unlock(&f->lock);
    }
}

static struct fake_api *fake_start(void)
{
    struct fake_api *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, fake_on_request, f, MHD_OPTION_NOTIFY_CONNECTION, fake_on_connection, f,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!f->daemon) {
        free(f);
        return NULL;
    }
    f->port = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u/api/", f->port);
    return f;
}

static void fake_script(struct fake_api *f, const struct fake_step *steps, int n)
{
    pthread_mutex_lock(&f->lock);
    memcpy(f->steps, steps, (size_t)n * sizeof *steps);
    f->nsteps = n;
    f->next = 0;
    pthread_mutex_unlock(&f->lock);
}

static void fake_stop(struct fake_api *f)
{
    if (!f)
        return;
    MHD_stop_daemon(f->daemon);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

#endif
