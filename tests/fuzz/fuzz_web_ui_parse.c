/* Fuzz target for the dashboard's parsers of untrusted text: the stream's /metrics page
 * (web/ui_stats up_prom_sum), the from= / Last-Event-ID start spec (kafka/tail
 * up_tail_start_parse) and the SSE event formatter fed with that text (web/ui_sse).
 * Input: the first line is a start spec, the rest Prometheus text. */
#include "kafka/tail.h"
#include "web/ui_sse.h"
#include "web/ui_stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t first = nl ? (size_t)(nl - text) : size;
    char *spec = malloc(first + 1);
    memcpy(spec, text, first);
    spec[first] = '\0';
    struct up_tail_start *st = malloc(sizeof *st);
    char err[256];
    if (up_tail_start_parse(spec, st, err, sizeof err) == 0 && st->from == UP_TAIL_CURSOR) {
        if (st->ncursor == 0 || st->ncursor > UP_TAIL_MAX_PARTITIONS)
            abort();
    }
    free(st);

    const char *rest = nl ? nl + 1 : text + size;
    size_t rest_len = size - (size_t)(rest - text);
    double v;
    up_prom_sum(rest, rest_len, "userpipe_stream_records_stored_total", NULL, NULL, &v);
    up_prom_sum(rest, rest_len, "m", "reason", "bad_uuid", &v);

    /* Whatever the data, an event is one block: no blank line before its end. */
    struct up_sse_event *e = up_sse_event_new(spec, spec, rest, rest_len);
    if (e->len < 2 || e->data[e->len - 1] != '\n' || e->data[e->len - 2] != '\n')
        abort();
    const char *blank = strstr(e->data, "\n\n");
    bool has_nul = memchr(rest, '\0', rest_len) != NULL; /* strstr would stop there */
    if (!has_nul && (!blank || (size_t)(blank - e->data) + 2 != e->len))
        abort();
    up_sse_event_unref(e);
    free(spec);
    return 0;
}
