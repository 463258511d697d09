/* bench_ui_sse: N browsers' worth of EventSource clients on `userpipe ui`'s live tail, and
 * the server's CPU and memory meanwhile.
 *
 *   bench_ui_sse --url http://127.0.0.1:PORT/api/tail?topic=T --clients 20 --seconds 30
 *                --pid SERVER_PID [--ready FILE]
 *
 * Opens the connections (HTTP/1.0, so the stream is not chunked), writes "ready" to FILE once
 * all are open, then for --seconds reads every stream with poll(): counts "message" events per
 * client, takes each record's delivery latency (now - the record's Kafka timestamp), keeps
 * the last "dropped" count of each client's progress events, and samples the server's
 * utime+stime and VmRSS from /proc. Prints one JSON line. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS  256
#define LINE_MAX_LEN (1 << 20)
#define MAX_SAMPLES  (4 << 20)

struct client {
    int fd;
    char *line;
    size_t len;
    bool in_message, in_progress, header_done;
    uint64_t events, dropped;
};

static double *lat;
static size_t nlat;
static unsigned long long no_timestamp;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_stream(const char *host, const char *port, const char *path)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        freeaddrinfo(ai);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    freeaddrinfo(ai);
    char req[2048];
    int n =
        snprintf(req, sizeof req,
                 "GET %s HTTP/1.0\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", path, host);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

static void on_line(struct client *c, const char *line, size_t len)
{
    if (!c->header_done) { /* HTTP status line and headers end with an empty line */
        if (len == 0 || (len == 1 && line[0] == '\r'))
            c->header_done = true;
        return;
    }
    if (len == 0) {
        c->in_message = c->in_progress = false;
        return;
    }
    if (len >= 7 && memcmp(line, "event: ", 7) == 0) {
        c->in_message = len == 14 && memcmp(line + 7, "message", 7) == 0;
        c->in_progress = len == 15 && memcmp(line + 7, "progress", 8) == 0;
        return;
    }
    if (len < 6 || memcmp(line, "data: ", 6) != 0)
        return;
    if (c->in_message) {
        c->events++;
        const char *ts = memmem(line, len, "\"timestamp\":", 12);
        long long t = ts ? strtoll(ts + 12, NULL, 10) : 0;
        if (t <= 0)
            no_timestamp++; /* a record without one: no latency to take */
        else if (nlat < MAX_SAMPLES)
            lat[nlat++] = (double)(wall_ms() - t);
    } else if (c->in_progress) {
        const char *d = memmem(line, len, "\"dropped\":", 10);
        if (d)
            c->dropped = strtoull(d + 10, NULL, 10);
    }
}

static int feed(struct client *c)
{
    char buf[65536];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n <= 0)
        return -1;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            on_line(c, c->line, c->len);
            c->len = 0;
        } else if (c->len < LINE_MAX_LEN) {
            c->line[c->len++] = buf[i];
        }
    }
    return 0;
}

/* utime + stime in seconds and VmRSS in MiB of pid. */
static int proc_sample(int pid, double *cpu_s, double *rss_mb)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long ut = 0, st = 0;
    /* fields after the name: state(3) ... utime(14) stime(15) */
    int field = 3;
    for (char *tok = strtok(p + 2, " "); tok; tok = strtok(NULL, " "), field++) {
        if (field == 14)
            ut = strtoull(tok, NULL, 10);
        if (field == 15) {
            st = strtoull(tok, NULL, 10);
            break;
        }
    }
    *cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    *rss_mb = 0;
    while (fgets(buf, sizeof buf, f))
        if (strncmp(buf, "VmRSS:", 6) == 0)
            *rss_mb = strtod(buf + 6, NULL) / 1024.0;
    fclose(f);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double q)
{
    if (!nlat)
        return -1;
    size_t i = (size_t)(q * (double)(nlat - 1));
    return lat[i];
}

int main(int argc, char **argv)
{
    const char *url = NULL, *ready = NULL;
    int clients = 20, pid = 0;
    double seconds = 30;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--url"))
            url = argv[i + 1];
        else if (!strcmp(argv[i], "--clients"))
            clients = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--pid"))
            pid = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ready"))
            ready = argv[i + 1];
    }
    char host[256], port[16], path[1024];
    if (!url || clients < 1 || clients > MAX_CLIENTS || !pid ||
        sscanf(url, "http://%255[^:]:%15[0-9]%1023s", host, port, path) != 3) {
        fprintf(stderr, "usage: bench_ui_sse --url http://HOST:PORT/PATH --clients N --seconds S "
                        "--pid PID [--ready FILE]\n");
        return 2;
    }
    lat = malloc(MAX_SAMPLES * sizeof *lat);
    struct client *cs = calloc((size_t)clients, sizeof *cs);
    struct pollfd *pfd = calloc((size_t)clients, sizeof *pfd);
    for (int i = 0; i < clients; i++) {
        cs[i].fd = open_stream(host, port, path);
        if (cs[i].fd < 0) {
            fprintf(stderr, "bench_ui_sse: connect %s: %s\n", url, strerror(errno));
            return 1;
        }
        cs[i].line = malloc(LINE_MAX_LEN);
        pfd[i].fd = cs[i].fd;
        pfd[i].events = POLLIN;
    }
    double cpu0, rss, rss_max = 0, cpu1;
    if (proc_sample(pid, &cpu0, &rss) != 0) {
        fprintf(stderr, "bench_ui_sse: cannot read /proc/%d\n", pid);
        return 1;
    }
    if (ready) {
        FILE *f = fopen(ready, "w");
        if (f) {
            fputs("ready\n", f);
            fclose(f);
        }
    }
    double t0 = mono_s(), next_sample = t0;
    int open_streams = clients;
    while (mono_s() - t0 < seconds && open_streams > 0) {
        if (poll(pfd, (nfds_t)clients, 100) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < clients; i++)
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                if (feed(&cs[i]) != 0) {
                    close(pfd[i].fd);
                    pfd[i].fd = -1;
                    open_streams--;
                }
            }
        if (mono_s() >= next_sample) {
            if (proc_sample(pid, &cpu1, &rss) == 0 && rss > rss_max)
                rss_max = rss;
            next_sample += 0.2;
        }
    }
    double window = mono_s() - t0;
    proc_sample(pid, &cpu1, &rss);
    if (rss > rss_max)
        rss_max = rss;
    uint64_t total = 0, dropped = 0, min_events = UINT64_MAX;
    for (int i = 0; i < clients; i++) {
        total += cs[i].events;
        dropped += cs[i].dropped;
        if (cs[i].events < min_events)
            min_events = cs[i].events;
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
        free(cs[i].line);
    }
    qsort(lat, nlat, sizeof *lat, cmp_double);
    printf("{\"clients\":%d,\"window_s\":%.2f,\"events\":%llu,\"events_per_s\":%.1f,"
           "\"min_events_per_client\":%llu,\"dropped_events\":%llu,\"latency_p50_ms\":%.1f,"
           "\"latency_p99_ms\":%.1f,\"latency_max_ms\":%.1f,\"server_cpu_s\":%.3f,"
           "\"server_rss_max_mb\":%.1f,\"open_streams_at_end\":%d,\"no_timestamp\":%llu}\n",
           clients, window, (unsigned long long)total, (double)total / window,
           (unsigned long long)min_events, (unsigned long long)dropped, pct(0.5), pct(0.99),
           nlat ? lat[nlat - 1] : -1.0, cpu1 - cpu0, rss_max, open_streams, no_timestamp);
    free(lat);
    free(cs);
    free(pfd);
    return 0;
}
