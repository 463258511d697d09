/* verify/report: what `userpipe verify` found, per partition and in total, with up to N samples
 * of each kind of difference (partition, offset, key), printed as a table for people or as one
 * JSON object for programs. A key counts in the partition of the record that decides it. */
#ifndef UP_VERIFY_REPORT_H
#define UP_VERIFY_REPORT_H

#include "verify/index.h"
#include "verify/lookup.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct up_vcounts {
    int32_t partition;      /* -1 for the total */
    uint64_t records;       /* read in the range */
    uint64_t dead_lettered; /* records the stream dead-letters: they expect no row */
    uint64_t keys;          /* primary keys decided by a record of this partition */
    uint64_t checks[UP_VCHECK_COUNT];
};

struct up_vsample {
    int32_t partition;
    int64_t offset;
    char *key;        /* the key as text */
    int64_t write_us; /* the record's write time; -1 unknown */
    int64_t row_us;   /* the row's WRITETIME; -1 none */
    char *detail;     /* why (dead-lettered: the reason; failed: the error); NULL */
};

struct up_vreport;

/* partitions: the ids read (at most UP_PARTITIONS_MAX); samples: kept per kind. */
struct up_vreport *up_vreport_new(const char *topic, const char *table, const int32_t *partitions,
                                  size_t n, size_t samples);
void up_vreport_free(struct up_vreport *r);

void up_vreport_record(struct up_vreport *r, int32_t partition);
void up_vreport_dead_letter(struct up_vreport *r, int32_t partition, int64_t offset,
                            const char *key, size_t key_len, const char *reason);
void up_vreport_key(struct up_vreport *r, int32_t partition);
/* key: the entry's key as text; detail: NULL or why it failed. */
void up_vreport_check(struct up_vreport *r, const struct up_vindex_entry *e, enum up_vcheck c,
                      const char *key, int64_t row_us, const char *detail);

const struct up_vcounts *up_vreport_total(const struct up_vreport *r);
size_t up_vreport_partitions(const struct up_vreport *r);
const struct up_vcounts *up_vreport_partition(const struct up_vreport *r, size_t i);
/* Samples of one kind (MISSING, STALE, UNEXPECTED, FAILED; UP_VCHECK_COUNT: dead-lettered). */
size_t up_vreport_samples(const struct up_vreport *r, enum up_vcheck kind,
                          const struct up_vsample **out);
/* Nothing missing, stale, unexpected or failed. */
bool up_vreport_ok(const struct up_vreport *r);

void up_vreport_print_text(const struct up_vreport *r, FILE *out);
void up_vreport_print_json(const struct up_vreport *r, FILE *out);

#endif
