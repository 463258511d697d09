/* source/fetcher: worker threads fetching and transforming pages into a bounded queue. */
#include "source/fetcher.h"

#include "core/buf.h"
#include "source/json_arena.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Address space per worker for one page's JSON tree (only the used part is resident):
 * a 5,000-user page takes ~30 MiB; larger pages spill to malloc. */
#define JSON_ARENA_RESERVE ((size_t)512 << 20)

struct worker {
    struct up_fetcher *f;
    struct up_client *client;
    struct up_json_arena *arena; /* the page's JSON tree; NULL = plain malloc */
    pthread_t thread;
    bool started;
};

struct up_fetcher {
    struct up_fetcher_config cfg;
    char *seed;
    struct worker *workers;
    int nworkers;

    pthread_mutex_t lock;
    pthread_cond_t ready;    /* a batch was queued, or the state changed */
    pthread_cond_t room;     /* a batch was taken */
    struct up_batch **queue; /* ring of finished batches */
    int qhead, qlen, qcap;
    struct up_batch **spare; /* released batches, reused */
    int nspare;
    long long next_index; /* next page of the plan to hand to a worker */
    int workers_done;
    bool stopping;
    char error[1024]; /* the first fatal page error; "" when none */
};

int up_fetch_plan(const char *seed, int batch, long long count, long long index, char *seed_out,
                  size_t seed_len, long *page)
{
    long long want = batch;
    if (count > 0) {
        long long left = count - index * (long long)batch;
        if (left <= 0)
            return 0;
        if (left < want)
            want = left;
    }
    long long round = index / UP_API_MAX_PAGE;
    *page = (long)(index % UP_API_MAX_PAGE) + 1;
    if (round == 0)
        snprintf(seed_out, seed_len, "%s", seed);
    else
        snprintf(seed_out, seed_len, "%s-%lld", seed, round);
    return (int)want;
}

static struct up_batch *take_spare(struct up_fetcher *f)
{
    struct up_batch *b = NULL;
    pthread_mutex_lock(&f->lock);
    if (f->nspare > 0)
        b = f->spare[--f->nspare];
    pthread_mutex_unlock(&f->lock);
    if (!b) {
        b = up_xmalloc(sizeof *b);
        up_batch_init(b);
    }
    up_batch_reset(b);
    return b;
}

static void fail(struct up_fetcher *f, const char *msg)
{
    pthread_mutex_lock(&f->lock);
    if (!f->stopping && !f->error[0])
        snprintf(f->error, sizeof f->error, "%s", msg);
    f->stopping = true;
    pthread_cond_broadcast(&f->ready);
    pthread_cond_broadcast(&f->room);
    pthread_mutex_unlock(&f->lock);
    for (int i = 0; i < f->nworkers; i++)
        up_client_cancel(f->workers[i].client);
}

/* Claims the next page of the plan; false when there is none or we are stopping. */
static bool claim_page(struct up_fetcher *f, char *seed, size_t seed_len, long *page, int *want)
{
    pthread_mutex_lock(&f->lock);
    bool ok = false;
    if (!f->stopping) {
        *want =
            up_fetch_plan(f->seed, f->cfg.batch, f->cfg.count, f->next_index, seed, seed_len, page);
        if (*want > 0) {
            f->next_index++;
            ok = true;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return ok;
}

/* Queues a finished batch, waiting for room; false (batch kept) when stopping. */
static bool enqueue(struct up_fetcher *f, struct up_batch *b)
{
    pthread_mutex_lock(&f->lock);
    while (!f->stopping && f->qlen == f->qcap)
        pthread_cond_wait(&f->room, &f->lock);
    bool ok = !f->stopping;
    if (ok) {
        f->queue[(f->qhead + f->qlen) % f->qcap] = b;
        f->qlen++;
        pthread_cond_broadcast(&f->ready);
    }
    pthread_mutex_unlock(&f->lock);
    return ok;
}

/* One page: GET, parse (into the worker's arena), transform into a batch. */
static struct up_batch *fetch_page(struct worker *w, const char *seed, long page, int want,
                                   char *err, size_t errlen)
{
    json_t *body = NULL;
    struct up_batch *b = NULL;
    up_json_arena_begin(w->arena);
    if (up_client_get_page(w->client, seed, page, want, &body, err, errlen) == 0) {
        b = take_spare(w->f);
        b->page = page;
        b->asked = (size_t)want;
        up_batch_add_results(b, json_object_get(body, "results"), (size_t)want);
        if (!w->arena || up_json_arena_spilled(w->arena))
            json_decref(body); /* frees what went to malloc; arena parts are no-ops */
    }
    up_json_arena_end();
    if (w->arena)
        up_json_arena_reset(w->arena); /* the whole tree at once */
    return b;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct up_fetcher *f = w->f;
    char seed[512], err[1024];
    long page;
    int want;
    while (claim_page(f, seed, sizeof seed, &page, &want)) {
        struct up_batch *b = fetch_page(w, seed, page, want, err, sizeof err);
        if (!b) {
            fail(f, err);
            break;
        }
        if (!enqueue(f, b)) {
            up_batch_free(b);
            free(b);
            break;
        }
    }
    pthread_mutex_lock(&f->lock);
    f->workers_done++;
    pthread_cond_broadcast(&f->ready);
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static void init_sync(struct up_fetcher *f)
{
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->ready, &attr);
    pthread_cond_init(&f->room, &attr);
    pthread_condattr_destroy(&attr);
}

struct up_fetcher *up_fetcher_start(const struct up_fetcher_config *cfg, char *err, size_t errlen)
{
    struct up_fetcher *f = up_xcalloc(1, sizeof *f);
    f->cfg = *cfg;
    f->seed = up_xstrdup(cfg->seed ? cfg->seed : "");
    f->cfg.seed = f->seed;
    if (f->cfg.batch <= 0)
        f->cfg.batch = 1;
    f->nworkers = f->cfg.workers > 0 ? f->cfg.workers : 2;
    f->qcap = f->cfg.queue_pages > 0 ? f->cfg.queue_pages : f->nworkers + 1;
    f->queue = up_xcalloc((size_t)f->qcap, sizeof *f->queue);
    f->spare = up_xcalloc((size_t)(f->qcap + f->nworkers + 1), sizeof *f->spare);
    f->workers = up_xcalloc((size_t)f->nworkers, sizeof *f->workers);
    init_sync(f);
    up_json_arena_install();
    for (int i = 0; i < f->nworkers; i++) {
        f->workers[i].f = f;
        f->workers[i].arena = up_json_arena_new(JSON_ARENA_RESERVE);
        f->workers[i].client = up_client_new(&f->cfg.client, err, errlen);
        if (!f->workers[i].client) {
            up_fetcher_free(f);
            return NULL;
        }
    }
    for (int i = 0; i < f->nworkers; i++) {
        int rc = pthread_create(&f->workers[i].thread, NULL, worker_main, &f->workers[i]);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start a fetch thread: %s", strerror(rc));
            up_fetcher_free(f);
            return NULL;
        }
        f->workers[i].started = true;
    }
    return f;
}

static void deadline_in(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

enum up_fetch_status up_fetcher_next(struct up_fetcher *f, int timeout_ms, struct up_batch **out,
                                     char *err, size_t errlen)
{
    struct timespec until;
    deadline_in(&until, timeout_ms);
    enum up_fetch_status st = UP_FETCH_TIMEOUT;
    pthread_mutex_lock(&f->lock);
    for (;;) {
        if (f->qlen > 0) {
            *out = f->queue[f->qhead];
            f->qhead = (f->qhead + 1) % f->qcap;
            f->qlen--;
            pthread_cond_broadcast(&f->room);
            st = UP_FETCH_BATCH;
            break;
        }
        if (f->error[0]) {
            snprintf(err, errlen, "%s", f->error);
            st = UP_FETCH_ERROR;
            break;
        }
        if (f->workers_done == f->nworkers) {
            st = UP_FETCH_END;
            break;
        }
        if (pthread_cond_timedwait(&f->ready, &f->lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&f->lock);
    return st;
}

void up_fetcher_release(struct up_fetcher *f, struct up_batch *b)
{
    pthread_mutex_lock(&f->lock);
    bool kept = f->nspare < f->qcap + f->nworkers + 1;
    if (kept)
        f->spare[f->nspare++] = b;
    pthread_mutex_unlock(&f->lock);
    if (!kept) {
        up_batch_free(b);
        free(b);
    }
}

void up_fetcher_stop(struct up_fetcher *f)
{
    pthread_mutex_lock(&f->lock);
    f->stopping = true;
    pthread_cond_broadcast(&f->room);
    pthread_cond_broadcast(&f->ready);
    pthread_mutex_unlock(&f->lock);
    for (int i = 0; i < f->nworkers; i++)
        if (f->workers[i].client)
            up_client_cancel(f->workers[i].client);
    for (int i = 0; i < f->nworkers; i++)
        if (f->workers[i].started) {
            pthread_join(f->workers[i].thread, NULL);
            f->workers[i].started = false;
        }
}

static void free_batches(struct up_batch **list, int n)
{
    for (int i = 0; i < n; i++) {
        up_batch_free(list[i]);
        free(list[i]);
    }
}

void up_fetcher_free(struct up_fetcher *f)
{
    if (!f)
        return;
    up_fetcher_stop(f);
    for (int i = 0; i < f->qlen; i++) {
        struct up_batch *b = f->queue[(f->qhead + i) % f->qcap];
        free_batches(&b, 1);
    }
    free_batches(f->spare, f->nspare);
    for (int i = 0; i < f->nworkers; i++) {
        up_client_free(f->workers[i].client);
        up_json_arena_free(f->workers[i].arena);
    }
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->ready);
    pthread_cond_destroy(&f->room);
    free(f->queue);
    free(f->spare);
    free(f->workers);
    free(f->seed);
    free(f);
}
