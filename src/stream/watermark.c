/* stream/watermark: a sorted ring of in-flight offsets per partition. */
#include "stream/watermark.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

void up_watermark_init(struct up_watermark *w)
{
    memset(w, 0, sizeof *w);
    w->last_submitted = -1;
    w->committable = -1;
}

void up_watermark_free(struct up_watermark *w)
{
    free(w->offsets);
    free(w->done);
    up_watermark_init(w);
}

void up_watermark_reset(struct up_watermark *w)
{
    w->head = 0;
    w->count = 0;
    w->pending = 0;
    w->last_submitted = -1;
    w->committable = -1;
}

static size_t slot(const struct up_watermark *w, size_t i)
{
    return (w->head + i) & (w->cap - 1);
}

/* Doubles the ring, unrolling it so the oldest entry is at index 0. */
static void grow(struct up_watermark *w)
{
    size_t cap = w->cap ? w->cap * 2 : 64;
    int64_t *offsets = up_xmalloc(cap * sizeof *offsets);
    bool *done = up_xmalloc(cap * sizeof *done);
    for (size_t i = 0; i < w->count; i++) {
        offsets[i] = w->offsets[slot(w, i)];
        done[i] = w->done[slot(w, i)];
    }
    free(w->offsets);
    free(w->done);
    w->offsets = offsets;
    w->done = done;
    w->cap = cap;
    w->head = 0;
}

bool up_watermark_submit(struct up_watermark *w, int64_t offset)
{
    if (offset < 0 || offset <= w->last_submitted)
        return false;
    if (w->count == w->cap)
        grow(w);
    size_t s = slot(w, w->count);
    w->offsets[s] = offset;
    w->done[s] = false;
    w->count++;
    w->pending++;
    w->last_submitted = offset;
    return true;
}

/* Index (0 = oldest) of offset in the ring, or -1. The ring is sorted: binary search. */
static long find(const struct up_watermark *w, int64_t offset)
{
    size_t lo = 0, hi = w->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t o = w->offsets[slot(w, mid)];
        if (o == offset)
            return (long)mid;
        if (o < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

bool up_watermark_complete(struct up_watermark *w, int64_t offset)
{
    long i = find(w, offset);
    if (i < 0 || w->done[slot(w, (size_t)i)])
        return false;
    w->done[slot(w, (size_t)i)] = true;
    w->pending--;
    /* Pop the finished prefix; the watermark follows its last record. */
    while (w->count && w->done[w->head]) {
        w->committable = w->offsets[w->head] + 1;
        w->head = (w->head + 1) & (w->cap - 1);
        w->count--;
    }
    return true;
}

int64_t up_watermark_committable(const struct up_watermark *w)
{
    return w->committable;
}

size_t up_watermark_in_flight(const struct up_watermark *w)
{
    return w->pending;
}

int64_t up_watermark_oldest(const struct up_watermark *w)
{
    return w->count ? w->offsets[w->head] : -1;
}
