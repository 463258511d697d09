/* bench_api: users/s that `userpipe api` serves as JSON over loopback.
 * Keep-alive connections (one thread each) fetch results=5000 pages with
 * distinct seeds for --seconds, check the first body with jansson, and print
 * one JSON line with the rate, plus the server's RSS and CPU seconds when
 * --pid names its process (and users per server CPU second, the figure that
 * holds when other work shares the machine). bench/api/run.sh pins the server
 * to one core. */
#include "core/buf.h"
#include "core/clock.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct worker {
    const char *base;
    int id;
    unsigned results;
    int64_t deadline_ms;
    unsigned long long requests, users, bytes, failures;
    int checked;
};

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    struct up_buf *b = ud;
    if (b)
        up_buf_append(b, p, size * n);
    return size * n;
}

static size_t count_only(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    *(unsigned long long *)ud += size * n;
    return size * n;
}

/* The first page of each worker is parsed in full: the rate is of real users. */
static int check_page(CURL *c, const char *url, unsigned results)
{
    struct up_buf body = UP_BUF_INIT;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    int ok = curl_easy_perform(c) == CURLE_OK;
    json_t *doc = ok ? json_loadb(body.data, body.len, 0, NULL) : NULL;
    ok = doc && json_array_size(json_object_get(doc, "results")) == results;
    json_decref(doc);
    up_buf_free(&body);
    return ok;
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    CURL *c = curl_easy_init();
    char url[512];
    snprintf(url, sizeof url, "%s?results=%u&seed=bench%d", w->base, w->results, w->id);
    w->checked = check_page(c, url, w->results);
    unsigned long long got = 0;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_only);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    for (unsigned page = 1; up_mono_ms() < w->deadline_ms; page++) {
        snprintf(url, sizeof url, "%s?results=%u&seed=bench%d&page=%u", w->base, w->results, w->id,
                 page % 10000 + 1);
        curl_easy_setopt(c, CURLOPT_URL, url);
        got = 0;
        long status = 0;
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
            w->failures++;
            continue;
        }
        w->requests++;
        w->users += w->results;
        w->bytes += got;
    }
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_cleanup(c);
    return NULL;
}

/* RSS (bytes) and user+system CPU seconds of a process, from /proc. */
static void proc_usage(long pid, long long *rss, double *cpu)
{
    char path[64], line[256];
    *rss = -1;
    *cpu = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmRSS:", 6) == 0)
                *rss = atoll(line + 6) * 1024;
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (f) {
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        char *p = strrchr(buf, ')'); /* fields after the command name */
        unsigned long long ut = 0, st = 0;
        if (p &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
            *cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
}

int main(int argc, char **argv)
{
    const char *url = "http://127.0.0.1:8000/api/";
    double seconds = 10;
    int conns = 2;
    unsigned results = 5000;
    long pid = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc)
            url = argv[++i];
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--connections") && i + 1 < argc)
            conns = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--results") && i + 1 < argc)
            results = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pid") && i + 1 < argc)
            pid = atol(argv[++i]);
        else {
            fprintf(stderr,
                    "usage: bench_api [--url URL] [--seconds S] [--connections N] [--results N] "
                    "[--pid SERVER_PID]\n");
            return 2;
        }
    }
    if (conns < 1 || conns > 64 || seconds <= 0 || results < 1 || results > 5000) {
        fprintf(stderr, "bench_api: --connections 1-64, --seconds > 0, --results 1-5000\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long long rss0;
    double cpu0 = 0, cpu1 = 0;
    if (pid)
        proc_usage(pid, &rss0, &cpu0);
    struct worker *w = calloc((size_t)conns, sizeof *w);
    pthread_t *t = calloc((size_t)conns, sizeof *t);
    int64_t start = up_mono_ms();
    for (int i = 0; i < conns; i++) {
        w[i] = (struct worker){.base = url,
                               .id = i,
                               .results = results,
                               .deadline_ms = start + (int64_t)(seconds * 1000)};
        int rc = pthread_create(&t[i], NULL, run_worker, &w[i]);
        if (rc != 0) {
            fprintf(stderr, "bench_api: cannot start worker %d: %s\n", i, strerror(rc));
            exit(1);
        }
    }
    unsigned long long requests = 0, users = 0, bytes = 0, failures = 0;
    int checked = 1;
    for (int i = 0; i < conns; i++) {
        pthread_join(t[i], NULL);
        requests += w[i].requests;
        users += w[i].users;
        bytes += w[i].bytes;
        failures += w[i].failures;
        checked &= w[i].checked;
    }
    double elapsed = (double)(up_mono_ms() - start) / 1000.0;
    long long rss = -1;
    if (pid)
        proc_usage(pid, &rss, &cpu1);
    printf("{\"users_per_second\":%.0f,\"requests\":%llu,\"users\":%llu,\"failures\":%llu,"
           "\"mb_per_second\":%.1f,\"seconds\":%.2f,\"connections\":%d,\"results\":%u,"
           "\"first_pages_valid\":%s,\"server_rss_bytes\":%lld,\"server_cpu_seconds\":%.2f,"
           "\"users_per_server_cpu_second\":%.0f}\n",
           users / elapsed, requests, users, failures, (double)bytes / elapsed / 1e6, elapsed,
           conns, results, checked ? "true" : "false", rss, pid ? cpu1 - cpu0 : -1.0,
           pid && cpu1 > cpu0 ? (double)users / (cpu1 - cpu0) : -1.0);
    free(w);
    free(t);
    curl_global_cleanup();
    return checked && failures == 0 ? 0 : 1;
}
