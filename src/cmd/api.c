/* api: `userpipe api` — the offline RandomUser 1.4 server. Parses flags and plugs
 * the generator (gen/gen.h) into the HTTP server (web/api_server.h). */
#include "cmd/commands.h"
#include "core/flags.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "gen/gen.h"
#include "web/api_server.h"
#include "web/metrics_server.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_opts {
    struct up_common_opts common;
    char *listen;
    long long threads;
    char *rate_limit;
    double fail_rate;
    int64_t slow_ms;
};

#define OPT(field) offsetof(struct api_opts, field)

static const struct up_flag api_flags[] = {
    {.name = "listen",
     .short_name = 'l',
     .type = UP_FLAG_STRING,
     .value_name = "HOST:PORT",
     .def = "127.0.0.1:8000",
     .help = "address to serve the API on (port 0 = any free port, printed at start)",
     .offset = OPT(listen)},
    {.name = "threads",
     .type = UP_FLAG_INT,
     .value_name = "N",
     .def = "0",
     .help = "server threads (0 = one per core)",
     .offset = OPT(threads),
     .max = 256},
    {.name = "rate-limit",
     .type = UP_FLAG_STRING,
     .value_name = "N/TIME",
     .def = "0",
     .help = "answer 429 (with Retry-After) once a client address has received N users in the "
             "current "
             "fixed window, e.g. 20000/5m as upstream; 0 = no limit",
     .offset = OPT(rate_limit)},
    {.name = "fail-rate",
     .type = UP_FLAG_DOUBLE,
     .value_name = "SHARE",
     .def = "0",
     .help = "fail this share of /api requests on purpose (0-1), split evenly between a 500 "
             "with a JSON "
             "error, a 503 with an HTML body, a 200 with an HTML body and a response delayed by "
             "--slow-delay",
     .offset = OPT(fail_rate),
     .max = 1},
    {.name = "slow-delay",
     .type = UP_FLAG_DURATION,
     .value_name = "TIME",
     .def = "2s",
     .help = "how long a slow injected response waits",
     .offset = OPT(slow_ms)},
    UP_FLAGS_METRICS(struct api_opts),
    UP_FLAGS_LOG(struct api_opts),
};

static const struct up_command_spec api_spec = {
    "api",
    NULL,
    "offline RandomUser 1.4-compatible API server (deterministic seeds)",
    "Serves GET /api, /api/, /api/1.4 and /api/1.4/ with the parameters of RandomUser 1.4:\n"
    "results (1-5000), page, seed, gender, nat (21 nationalities), inc, exc, password,\n"
    "format (json, pretty, csv, yaml, xml), noinfo, callback, dl. The same seed, page and\n"
    "parameters give the same users; results=N is a prefix of results=M>N. A bad parameter\n"
    "gets 400 {\"error\": ...} where upstream silently falls back (see docs/api.md).\n"
    "--rate-limit and --fail-rate inject the failures a client meets in the wild.\n\n"
    "Examples:\n"
    "  userpipe api                                  # http://127.0.0.1:8000/api/\n"
    "  curl 'http://127.0.0.1:8000/api/?results=5&seed=demo&nat=fr,de'\n"
    "  userpipe api --rate-limit 20000/5m --fail-rate 0.1 --metrics 127.0.0.1:9464\n",
    api_flags,
    UP_NFLAGS(api_flags),
    0,
    0,
};

/* The generator as the server's request handler. */
static void generate(void *ctx, const char *query, size_t len, struct up_api_response *out)
{
    (void)ctx;
    struct up_gen_reply reply;
    up_gen_respond(query, len, 0, &out->body, &reply);
    out->status = reply.status;
    out->content_type = reply.content_type;
    out->filename = reply.filename;
    out->users = reply.users;
}

static int run(const struct api_opts *o)
{
    struct up_api_server_config cfg = {
        .listen = o->listen,
        .threads = (unsigned)o->threads,
        .fail_rate = o->fail_rate,
        .slow_ms = o->slow_ms,
        .handler = generate,
    };
    char host[256];
    uint16_t port;
    if (!up_parse_host_port(o->listen, host, sizeof host, &port)) {
        fprintf(stderr, "userpipe api: --listen '%s': expected HOST:PORT, e.g. 127.0.0.1:8000\n",
                o->listen);
        return 2;
    }
    if (up_api_parse_rate_limit(o->rate_limit, &cfg.rate_limit_users, &cfg.rate_window_ms) != 0) {
        fprintf(stderr,
                "userpipe api: --rate-limit '%s': expected N/TIME such as 20000/5m (window "
                ">= 1s), or 0\n",
                o->rate_limit);
        return 2;
    }
    struct up_registry *reg = up_registry_default();
    up_registry_add_process_metrics(reg);
    cfg.metrics = reg;
    char err[512];
    struct up_metrics_server *ms = NULL;
    if (o->common.metrics) {
        ms = up_metrics_server_start(o->common.metrics, reg, err, sizeof err);
        if (!ms) {
            fprintf(stderr, "userpipe api: %s\n", err);
            return 1;
        }
    }
    up_signals_install();
    struct up_api_server *s = up_api_server_start(&cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "userpipe api: %s\n", err);
        up_metrics_server_stop(ms);
        return 1;
    }
    UP_INFO("serving RandomUser 1.4 on %s (port %u) at /api/; rate limit %s, fail rate %.3g",
            o->listen, up_api_server_port(s), cfg.rate_limit_users ? o->rate_limit : "off",
            o->fail_rate);
    struct pollfd pfd = {.fd = up_stop_fd(), .events = POLLIN};
    while (!up_stop_requested())
        poll(&pfd, 1, 1000);
    UP_INFO("stopping: finishing responses in flight");
    up_api_server_stop(s);
    up_metrics_server_stop(ms);
    return 0;
}

int cmd_api(int argc, char **argv)
{
    struct api_opts o;
    memset(&o, 0, sizeof o);
    char **args = NULL;
    int nargs = 0;
    enum up_flags_result fr = up_flags_parse(&api_spec, &o, argc, argv, &args, &nargs);
    free(args);
    int rc;
    if (fr != UP_FLAGS_OK)
        rc = fr == UP_FLAGS_HELP ? 0 : 2;
    else if (!up_common_apply(&o.common, "api"))
        rc = 2;
    else
        rc = run(&o);
    up_flags_free(&api_spec, &o);
    return rc;
}
