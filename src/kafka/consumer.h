/* kafka/consumer: a thin librdkafka consumer-group member for at-least-once processing.
 * Offsets are stored by the application only (enable.auto.offset.store=false) and the
 * stored ones are committed by librdkafka's auto-commit, on revoke and on close, so an
 * offset is committed only once the caller said everything below it is done.
 * Rebalances (eager or cooperative, whatever partition.assignment.strategy says) are
 * handled here and reported through two hooks, called from up_consumer_poll on the
 * caller's thread. Knows nothing of records, users or sinks. */
#ifndef UP_KAFKA_CONSUMER_H
#define UP_KAFKA_CONSUMER_H

#include "core/flags.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct up_consumer;

struct up_consumer_hooks {
    /* After partitions were added to the assignment (their fetch has not started yet, so
     * pausing them here takes effect before the first message). */
    void (*assigned)(void *ctx, const rd_kafka_topic_partition_list_t *parts);
    /* Before partitions leave the assignment: the last moment to finish their work and
     * store offsets (up_consumer_store); the consumer commits right after, unless lost
     * (another member may own them already: storing or committing would be wrong). */
    void (*revoking)(void *ctx, const rd_kafka_topic_partition_list_t *parts, bool lost);
    void *ctx;
};

struct up_consumer_config {
    const char *brokers;
    const struct up_str_list *props; /* -X key=value, applied last */
    const char *group;
    const char *const *topics;
    size_t ntopics;
    struct up_consumer_hooks hooks;
};

/* Creates the consumer and subscribes. NULL + err on a bad -X property (a usage error:
 * the message names it) or when librdkafka refuses the configuration. */
struct up_consumer *up_consumer_new(const struct up_consumer_config *cfg, char *err, size_t errlen);
/* Leaves the group: the revoking hook runs for the current assignment, stored offsets
 * are committed, the handle is destroyed. NULL is allowed. */
void up_consumer_close(struct up_consumer *c);

/* The next message (destroy it with rd_kafka_message_destroy), or NULL on timeout.
 * Serves rebalances and logs transient errors (librdkafka retries those by itself).
 * A fatal error makes up_consumer_failed() true. */
rd_kafka_message_t *up_consumer_poll(struct up_consumer *c, int timeout_ms);
bool up_consumer_failed(const struct up_consumer *c, char *err, size_t errlen);

/* Stores next_offset (the offset of the next record to read: last done + 1) for
 * auto-commit. Fails when the partition is not assigned to us anymore. */
int up_consumer_store(struct up_consumer *c, const char *topic, int32_t partition,
                      int64_t next_offset, char *err, size_t errlen);
/* Commits the stored offsets now and waits for the broker's answer. */
int up_consumer_commit(struct up_consumer *c, char *err, size_t errlen);

/* Pause or resume fetching of parts, or of the whole assignment when parts is NULL. */
int up_consumer_pause(struct up_consumer *c, const rd_kafka_topic_partition_list_t *parts);
int up_consumer_resume(struct up_consumer *c, const rd_kafka_topic_partition_list_t *parts);

/* The broker's last known end offset of a partition (from fetch responses, no network
 * call), or -1 when unknown yet. Lag = this minus the consumer's stored position. */
int64_t up_consumer_high_watermark(struct up_consumer *c, const char *topic, int32_t partition);
/* The committed offset of a partition as the group coordinator has it (network call;
 * for tests and tools), or -1 when none. */
int64_t up_consumer_committed(struct up_consumer *c, const char *topic, int32_t partition,
                              int timeout_ms);

/* Wakes librdkafka's fetcher for the broker leading partition, from a helper thread (so
 * the caller never waits): a watermark query, one small request whose answer makes that
 * broker's thread look at its fetch queues again. Why: librdkafka 2.0 stops fetching while
 * its queue is over queued.max.messages.kbytes / queued.min.messages and looks again only
 * after up to a second, however fast the queue is drained (2.1 made that delay
 * configurable: fetch.queue.backoff.ms). A caller that has drained the queue and knows the
 * partition has more (high watermark above its position) kicks instead of idling. A kick
 * asked for while one is under way is dropped. */
void up_consumer_kick_fetcher(struct up_consumer *c, const char *topic, int32_t partition);

/* Makes librdkafka write 8 bytes (an eventfd increment of 1) to fd whenever a message or event
 * becomes available after the queue was empty, so the caller can poll() on it with other
 * descriptors. */
void up_consumer_wakeup_fd(struct up_consumer *c, int fd);

rd_kafka_t *up_consumer_handle(struct up_consumer *c);

#endif
