/* Fuzz target: the RandomUser query-string parser (gen/query.c), which sees every
 * byte a client puts after the '?'. Whatever it accepts is rendered too (with a
 * small results count), so the encoders meet every seed, callback and parameter
 * combination the parser lets through; JSON bodies must parse back. */
#include "gen/gen.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct up_gen_params p;
    char err[256];
    if (up_gen_query_parse((const char *)data, size, &p, err, sizeof err) != 0) {
        if (!err[0] || strlen(err) >= sizeof err)
            abort(); /* every rejection says why */
        return 0;
    }
    if (p.results > 3)
        p.results = 3;
    p.now_ms = 1718452800000LL;
    struct up_buf body = UP_BUF_INIT;
    up_gen_page(&p, &body);
    if ((p.format == UP_GEN_JSON || p.format == UP_GEN_PRETTY) && !p.callback[0]) {
        json_t *doc = json_loadb(body.data, body.len, 0, NULL);
        if (!doc)
            abort();
        json_decref(doc);
    }
    up_buf_free(&body);
    return 0;
}
