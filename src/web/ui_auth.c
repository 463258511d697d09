/* web/ui_auth: the --auth-file users and their check. */
#include "web/ui_auth.h"

#include "core/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINE 1024

void up_ui_secret_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    free(s);
}

void up_ui_auth_free(struct up_ui_auth *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->user[i]);
        up_ui_secret_free(a->password[i]);
    }
    a->n = 0;
}

static int parse_line(struct up_ui_auth *a, char *line, const char *path, int lineno, char *err,
                      size_t errlen)
{
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#')
        return 0;
    char *colon = strchr(line, ':');
    if (!colon || colon == line || !colon[1]) {
        snprintf(err, errlen, "%s:%d: expected USER:PASSWORD", path, lineno);
        return -1;
    }
    if (a->n == UP_UI_AUTH_MAX_USERS) {
        snprintf(err, errlen, "%s: more than %d users", path, UP_UI_AUTH_MAX_USERS);
        return -1;
    }
    *colon = '\0';
    a->user[a->n] = up_xstrdup(line);
    a->password[a->n] = up_xstrdup(colon + 1);
    a->n++;
    return 0;
}

int up_ui_auth_load(const char *path, struct up_ui_auth *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--auth-file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
        snprintf(err, errlen, "--auth-file %s: readable by group or others; run chmod 600 %s", path,
                 path);
        fclose(f);
        return -1;
    }
    char line[MAX_LINE];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line longer than %d bytes", path, lineno, MAX_LINE - 2);
            rc = -1;
            break;
        }
        rc = parse_line(out, line, path, lineno, err, errlen);
    }
    volatile char *p = line; /* the last password read stays in no stack buffer */
    for (size_t i = 0; i < sizeof line; i++)
        p[i] = '\0';
    fclose(f);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "--auth-file %s: no USER:PASSWORD line", path);
        rc = -1;
    }
    if (rc != 0)
        up_ui_auth_free(out);
    return rc;
}

/* Compares all of both strings whatever their content. */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned)(unsigned char)a[i] ^ (unsigned)(unsigned char)b[lb ? i % lb : 0];
    return diff == 0;
}

bool up_ui_auth_check(const struct up_ui_auth *a, const char *user, const char *password)
{
    if (!user || !password)
        return false;
    bool ok = false;
    for (size_t i = 0; i < a->n; i++)
        ok |= (int)same_secret(a->user[i], user) & (int)same_secret(a->password[i], password);
    return ok;
}
