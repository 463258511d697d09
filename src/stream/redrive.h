/* stream/redrive: `userpipe redrive`'s logic. Replays dead-lettered records once their cause is
 * fixed: through the current mapping straight into the table (the default) or back to the
 * source topic. The DLQ is read as consumer group `group` without joining it (assign, not
 * subscribe): each partition from the group's committed offset, up to its end as of the start
 * (its high watermark then) unless follow. A record's offset is committed once what it needed is
 * done (its rows acknowledged, its copy on the source topic or back in the DLQ acknowledged), so
 * a redrive killed midway resumes after the last record it finished and a second run over the
 * same group finds nothing; at most the record in hand at the kill is done again, and its write
 * is the same cells at the same write time. A record that fails again for its data or mapping
 * goes back to the DLQ with userpipe.error.attempts one higher; a failure that needs an operator
 * (or a transient one that outlasts the retries) stops the run with exit 1 before that record's
 * offset, so the next run starts there. */
#ifndef UP_STREAM_REDRIVE_H
#define UP_STREAM_REDRIVE_H

#include "core/flags.h"
#include "cql/cql.h"
#include "mapping/mapping.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Which DLQ records to replay; a NULL string or -1 matches anything. */
struct up_redrive_filter {
    const char *stage;        /* userpipe.error.stage: parse, mapping, write, "" = none */
    const char *reason;       /* userpipe.error.reason */
    const char *source_topic; /* userpipe.source.topic */
    int32_t source_partition; /* userpipe.source.partition */
    int64_t since_ms;         /* userpipe.source.timestamp >= since_ms */
    int64_t until_ms;         /* userpipe.source.timestamp < until_ms */
};

struct up_redrive_config {
    const char *brokers;
    const struct up_str_list *kafka_props;
    const char *dlq_topic;
    const char *group;
    struct up_redrive_filter filter;
    bool to_source;                   /* else through mapping into Cassandra */
    const struct up_mapping *mapping; /* !to_source */
    const struct cql_config *session; /* !to_source */
    bool dry_run;                     /* print what would happen; change and commit nothing */
    bool follow;                      /* keep reading past the end as of the start */
    FILE *out;                        /* --dry-run's lines */
    int64_t progress_ms;              /* the counts on stderr this often; 0 = at the end only */
};

struct up_redrive_totals {
    uint64_t read, matched, stored, to_source, failed_again, skipped;
};

/* 0 when every record up to the end was handled (or a stop was asked); -1 + err otherwise
 * (exit 1). totals counts what was done either way. */
int up_redrive_run(const struct up_redrive_config *cfg, struct up_redrive_totals *totals, char *err,
                   size_t errlen);

#endif
