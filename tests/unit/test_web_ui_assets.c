/* Unit test for web/ui_assets: the assets compiled into the binary are byte for byte the
 * files in src/web/assets/ (fails when someone edits an asset and forgets
 * scripts/embed-assets), and every file there is embedded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "web/ui_assets.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CMake compiles this file by its absolute path, <root>/tests/unit/test_web_ui_assets.c;
 * the assets are <root>/src/web/assets. */
static void assets_dir(char *out, size_t len)
{
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_web_ui_assets.c");
    assert_non_null(tail);
    snprintf(out, len, "%.*ssrc/web/assets", (int)(tail - self), self);
}

static int read_file(const char *path, struct up_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        up_buf_append(out, chunk, n);
    fclose(f);
    return 0;
}

static void test_embedded_matches_files(void **state)
{
    (void)state;
    char dir[4096];
    assets_dir(dir, sizeof dir);
    assert_true(up_ui_assets_count > 0);
    for (size_t i = 0; i < up_ui_assets_count; i++) {
        const struct up_ui_asset *a = &up_ui_assets[i];
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, a->file);
        struct up_buf disk = UP_BUF_INIT;
        if (read_file(path, &disk) != 0)
            fail_msg("%s is embedded but missing on disk: run scripts/embed-assets", a->file);
        if (disk.len != a->len || memcmp(disk.data, a->data, a->len) != 0)
            fail_msg("%s changed since it was embedded: run scripts/embed-assets", a->file);
        up_buf_free(&disk);
        assert_true(a->etag[0] == '"');
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        bool found = false;
        for (size_t i = 0; i < up_ui_assets_count; i++)
            found |= strcmp(up_ui_assets[i].file, e->d_name) == 0;
        if (!found)
            fail_msg("%s is not embedded: run scripts/embed-assets", e->d_name);
    }
    closedir(d);
}

static void test_lookup(void **state)
{
    (void)state;
    const struct up_ui_asset *a = up_ui_asset_find("/");
    assert_non_null(a);
    assert_string_equal(a->file, "index.html");
    assert_non_null(strstr(a->content_type, "text/html"));
    a = up_ui_asset_find("/app.js");
    assert_non_null(a);
    assert_non_null(strstr(a->content_type, "javascript"));
    assert_null(up_ui_asset_find("/index.html/../etc/passwd"));
    assert_null(up_ui_asset_find("/nope.js"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_matches_files),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
