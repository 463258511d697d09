/* stream/window: in-flight accounting with pause/resume hysteresis. */
#include "stream/window.h"

#include <assert.h>

void up_window_init(struct up_window *w, size_t limit, int64_t pause_after_ms)
{
    w->limit = limit ? limit : 1;
    w->in_flight = 0;
    w->pause_after_ms = pause_after_ms;
    w->full_since_ms = -1;
    w->paused = false;
}

bool up_window_has_room(const struct up_window *w)
{
    return w->in_flight < w->limit;
}

void up_window_acquire(struct up_window *w, int64_t now_ms)
{
    w->in_flight++;
    if (w->in_flight >= w->limit && w->full_since_ms < 0)
        w->full_since_ms = now_ms;
}

void up_window_release(struct up_window *w)
{
    assert(w->in_flight > 0);
    w->in_flight--;
    if (w->in_flight < w->limit)
        w->full_since_ms = -1;
}

enum up_window_action up_window_decide(struct up_window *w, int64_t now_ms, bool sink_failing)
{
    if (!w->paused) {
        bool stuck = w->full_since_ms >= 0 && now_ms - w->full_since_ms >= w->pause_after_ms;
        if (stuck || sink_failing) {
            w->paused = true;
            return UP_WINDOW_PAUSE;
        }
        return UP_WINDOW_KEEP;
    }
    if (!sink_failing && w->in_flight <= w->limit / 2) {
        w->paused = false;
        return UP_WINDOW_RESUME;
    }
    return UP_WINDOW_KEEP;
}
