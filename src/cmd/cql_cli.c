/* cql_cli: Cassandra flags to a cql_config, and the password rule. */
#include "cmd/cql_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_USER "cassandra"

static int read_password_file(const char *path, char *out, size_t size, char *err, size_t errsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errsize, "--cassandra-password-file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "--cassandra-password-file %s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errsize,
                 "--cassandra-password-file %s is accessible by group or others (mode %03o); "
                 "refusing it: run chmod 600 %s",
                 path, (unsigned)(st.st_mode & 0777), path);
        close(fd);
        return -1;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, out + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == size - 1)
            break;
    }
    close(fd);
    out[len] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (out[0] == '\0') {
        snprintf(err, errsize, "--cassandra-password-file %s: the first line is empty", path);
        return -1;
    }
    return 0;
}

int cql_cli_password(const char *user, const char *password_file, char *out, size_t size, char *err,
                     size_t errsize)
{
    out[0] = '\0';
    if (password_file && password_file[0])
        return read_password_file(password_file, out, size, err, errsize);
    const char *env = getenv("USERPIPE_CASSANDRA_PASSWORD");
    if (env && env[0]) {
        if (strlen(env) >= size) {
            snprintf(err, errsize, "USERPIPE_CASSANDRA_PASSWORD is too long");
            return -1;
        }
        snprintf(out, size, "%s", env);
        return 0;
    }
    if (user && strcmp(user, DEFAULT_USER) == 0)
        snprintf(out, size, "%s", DEFAULT_USER);
    return 0;
}

int cql_cli_config(const struct cql_cli_opts *o, struct cql_config *cfg, char *password,
                   size_t password_size, char *err, size_t errsize)
{
    cql_config_init(cfg);
    if (cql_cli_password(o->user, o->password_file, password, password_size, err, errsize) != 0)
        return -1;
    cfg->contact_points = o->cassandra;
    /* without a password there is nothing to offer; a node that requires it says so */
    cfg->user = password[0] ? o->user : NULL;
    cfg->password = password[0] ? password : NULL;
    cfg->tls = o->tls || (o->tls_ca_file && o->tls_ca_file[0]);
    cfg->tls_ca_file = o->tls_ca_file && o->tls_ca_file[0] ? o->tls_ca_file : NULL;
    cfg->tls_verify = !o->tls_no_verify;
    cfg->compression = o->compression;
    if (o->connect_timeout_ms > 0)
        cfg->connect_timeout_ms =
            (int)(o->connect_timeout_ms > 3600000 ? 3600000 : o->connect_timeout_ms);
    if (o->request_timeout_ms > 0)
        cfg->request_timeout_ms =
            (int)(o->request_timeout_ms > 3600000 ? 3600000 : o->request_timeout_ms);
    return 0;
}
