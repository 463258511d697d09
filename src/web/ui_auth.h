/* web/ui_auth: HTTP basic authentication for the dashboard (--auth-file). The file holds
 * one "user:password" per line ('#' starts a comment); like cqlsh with its credentials
 * file, it is refused when group or others may read it. Comparison takes the same time
 * whatever matches, so timing does not reveal a password's prefix. */
#ifndef UP_WEB_UI_AUTH_H
#define UP_WEB_UI_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define UP_UI_AUTH_MAX_USERS 64

struct up_ui_auth {
    size_t n;
    char *user[UP_UI_AUTH_MAX_USERS];
    char *password[UP_UI_AUTH_MAX_USERS];
};

/* 0, or -1 + err (missing file, loose permissions, malformed line, no user at all). */
int up_ui_auth_load(const char *path, struct up_ui_auth *out, char *err, size_t errlen);
bool up_ui_auth_check(const struct up_ui_auth *a, const char *user, const char *password);
void up_ui_auth_free(struct up_ui_auth *a);
/* Overwrites a secret string with zeros, then frees it (NULL is fine). */
void up_ui_secret_free(char *s);

#endif
