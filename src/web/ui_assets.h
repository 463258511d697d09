/* web/ui_assets: the dashboard's page, script and style sheet, compiled into the binary so
 * `userpipe ui` needs no files at run time. The table lives in ui_assets.c, which
 * scripts/embed-assets generates from src/web/assets/ (run it after editing an asset;
 * tests/unit/test_web_ui_assets.c fails while the two disagree). */
#ifndef UP_WEB_UI_ASSETS_H
#define UP_WEB_UI_ASSETS_H

#include <stddef.h>

struct up_ui_asset {
    const char *path;         /* as requested: "/app.js" ("/" is index.html) */
    const char *file;         /* its name under src/web/assets/ */
    const char *content_type; /* with charset for text */
    const unsigned char *data;
    size_t len;
    const char *etag; /* quoted strong validator: a hash of the content */
};

extern const struct up_ui_asset up_ui_assets[];
extern const size_t up_ui_assets_count;

/* The asset served at path, or NULL. */
const struct up_ui_asset *up_ui_asset_find(const char *path);

#endif
