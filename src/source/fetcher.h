/* source/fetcher: fetches pages ahead of the producer. Worker threads, each with its
 * own kept-alive client, take page numbers from one deterministic plan, turn each page
 * into a batch (source/batch.h) and hand it over through a bounded queue, so the API,
 * the JSON work and Kafka all run at once while memory stays bounded.
 *
 * The plan: page i (0-based) asks for min(batch, count - i*batch) results (batch when
 * count is 0 = unbounded) with seed S and page i%10000+1; past the API's 10,000 pages
 * the seed becomes "S-<i/10000>". The same seed, batch and count therefore always fetch
 * the same users, whatever order the workers finish in. */
#ifndef UP_SOURCE_FETCHER_H
#define UP_SOURCE_FETCHER_H

#include "source/batch.h"
#include "source/client.h"

#include <stddef.h>

#define UP_API_MAX_PAGE 10000

struct up_fetcher_config {
    struct up_client_config client;
    const char *seed; /* required */
    int batch;        /* results per request, 1..5000 */
    long long count;  /* users to fetch in all; 0 = until stopped */
    int workers;      /* parallel requests (default 2) */
    int queue_pages;  /* finished pages waiting at most (default workers + 1) */
};

enum up_fetch_status {
    UP_FETCH_BATCH,   /* *out holds a batch: give it back with up_fetcher_release */
    UP_FETCH_TIMEOUT, /* nothing ready within the timeout */
    UP_FETCH_END,     /* the plan is done and every batch was handed out */
    UP_FETCH_ERROR,   /* a page failed for good; err says which and why */
};

struct up_fetcher;

struct up_fetcher *up_fetcher_start(const struct up_fetcher_config *cfg, char *err, size_t errlen);
enum up_fetch_status up_fetcher_next(struct up_fetcher *f, int timeout_ms, struct up_batch **out,
                                     char *err, size_t errlen);
void up_fetcher_release(struct up_fetcher *f, struct up_batch *b);
/* Cancels requests and waits in progress and joins the workers. Idempotent. */
void up_fetcher_stop(struct up_fetcher *f);
void up_fetcher_free(struct up_fetcher *f);

/* The plan for page index i (see above): seed into seed_out, returns results to ask
 * for (0 = past the end). */
int up_fetch_plan(const char *seed, int batch, long long count, long long index, char *seed_out,
                  size_t seed_len, long *page);

#endif
