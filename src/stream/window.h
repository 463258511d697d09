/* stream/window: the --in-flight bound and when to pause or resume consumption.
 * While the window is full the loop stops taking messages from librdkafka; if it
 * stays full for longer than pause_after_ms, or the sink is failing, the partitions
 * are paused (so librdkafka stops fetching and the process keeps serving rebalances
 * without buffering more). They resume once the window has drained to half and the
 * sink is healthy. The hysteresis matters: pausing discards librdkafka's prefetched
 * messages, so pausing at N and resuming at N-1 would refetch on every record. */
#ifndef UP_STREAM_WINDOW_H
#define UP_STREAM_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_window {
    size_t limit;
    size_t in_flight;
    int64_t pause_after_ms;
    int64_t full_since_ms; /* -1 while not full */
    bool paused;
};

enum up_window_action { UP_WINDOW_KEEP, UP_WINDOW_PAUSE, UP_WINDOW_RESUME };

void up_window_init(struct up_window *w, size_t limit, int64_t pause_after_ms);
bool up_window_has_room(const struct up_window *w);
void up_window_acquire(struct up_window *w, int64_t now_ms);
void up_window_release(struct up_window *w);
/* What to do now; the caller performs it (pause/resume the assigned partitions) and
 * the window records the new state. */
enum up_window_action up_window_decide(struct up_window *w, int64_t now_ms, bool sink_failing);

#endif
