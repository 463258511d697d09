/* clock: monotonic time for intervals and rates, wall time for records, and the
 * one ISO 8601 formatter (UTC, milliseconds) the whole tree prints dates with. */
#ifndef UP_CORE_CLOCK_H
#define UP_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t up_mono_ms(void);
int64_t up_mono_us(void);
int64_t up_wall_ms(void);
int64_t up_wall_us(void);

#define UP_ISO8601_LEN 25 /* "2024-05-01T12:00:00.000Z" + NUL */
/* Formats ms since the epoch as YYYY-MM-DDTHH:MM:SS.mmmZ. */
void up_iso8601_format(int64_t epoch_ms, char out[UP_ISO8601_LEN]);
/* Parses an ISO 8601 date-time: YYYY-MM-DDTHH:MM:SS with optional fraction (any
 * number of digits, kept to ms) and a zone of Z or +HH:MM / -HH:MM / +HHMM.
 * Returns false on anything else (including out-of-range fields). */
bool up_iso8601_parse(const char *s, size_t len, int64_t *epoch_ms);
/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d; false when there is no such
 * day (month 1-12, the day within its month, leap years counted). */
bool up_civil_days(int64_t y, int m, int d, int64_t *days);

void up_sleep_ms(int64_t ms);

#endif
