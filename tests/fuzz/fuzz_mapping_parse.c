/* libFuzzer target for mapping/props and mapping/config: any bytes as a connector properties
 * file. Either a mapping whose every table has columns and a mapping line, every column a
 * name, and every special column index in range; or an error that names the file and a
 * line:col. Nothing leaks either way (ASan). */
#include "mapping/mapping.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_mapping(const struct up_mapping *m)
{
    if (m->ntopics == 0 || m->ntables == 0)
        abort();
    for (size_t i = 0; i < m->ntables; i++) {
        const struct up_map_table *t = &m->tables[i];
        if (t->ncols == 0 || t->line < 1 || !up_mapping_topic(m, t->topic))
            abort();
        if (t->ttl_col >= (int)t->ncols || t->timestamp_col >= (int)t->ncols)
            abort();
        for (size_t j = 0; j < t->ncols; j++) {
            const struct up_map_column *c = &t->cols[j];
            if (!c->column[0] || c->line < 1 || c->col < 1 || c->npath > UP_MAP_MAX_PATH)
                abort();
            if (c->source == UP_MAP_HEADER && c->npath != 1)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct up_mapping m;
    char err[UP_MAP_ERR_LEN];
    if (up_mapping_parse("fuzz", (const char *)data, size, &m, err, sizeof err) == 0) {
        check_mapping(&m);
        up_mapping_free(&m);
        return 0;
    }
    if (strncmp(err, "fuzz:", 5) != 0 || strlen(err) >= sizeof err)
        abort();
    return 0;
}
