/* Fuzz target for the dashboard's server as a whole, bytes on a socket: the input is sent as
 * it is to a running web/ui_server (libmicrohttpd's request parsing, then our routes, the
 * decoder of web/ui_request, the JSON routes and the tail's refusal paths) whose Kafka is a
 * closed port, so nothing waits on a broker for long. The answer is read to its end; the server
 * must answer or close, and never crash. Leak detection is off for this target: the server's
 * own threads (health poller, one per connection) allocate while an input runs; the soak
 * (make soak-ui) checks leaks at exit under the same sanitizers. */
#include "core/metrics.h"
#include "web/ui_feed.h"
#include "web/ui_health.h"
#include "web/ui_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

static uint16_t port;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct up_registry *reg = up_registry_new();
    struct up_ui_limits lim = {.queue_events = 16,
                               .queue_bytes = 1 << 16,
                               .max_value_bytes = 64,
                               .progress_ms = 1000,
                               .open_timeout_ms = 50};
    struct up_ui_hub *hub = up_ui_hub_new("127.0.0.1:1", NULL, &lim, reg);
    struct up_ui_health_config hc = {
        .brokers = "127.0.0.1:1", .topic = "users", .dlq = "users.dlq", .group = "g", .reg = reg};
    char err[512];
    struct up_ui_health *health = up_ui_health_start(&hc, err, sizeof err);
    if (!health) {
        fprintf(stderr, "fuzz_web_ui_http: %s\n", err);
        abort();
    }
    struct up_ui_server_config sc = {.listen = "127.0.0.1:0",
                                     .config_json = "{\"topic\":\"users\"}",
                                     .hub = hub,
                                     .health = health,
                                     .reg = reg};
    struct up_ui_server *srv = up_ui_server_start(&sc, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "fuzz_web_ui_http: %s\n", err);
        abort();
    }
    port = up_ui_server_port(srv);
    return 0; /* the server lives as long as the process */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        abort(); /* the server is gone: it crashed or stopped listening */
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t sent = 0;
    while (sent < size) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server closed early: a refusal, not a failure */
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char buf[16384];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
    close(fd);
    return 0;
}
