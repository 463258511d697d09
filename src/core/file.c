/* file: bounded whole-file reads. */
#include "core/file.h"

#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *up_file_read(const char *path, size_t max, size_t *len, mode_t *mode, char *err,
                   size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    *mode = st.st_mode;
    size_t cap = max + 1, n = 0; /* one byte more than allowed tells a file that is too large */
    char *data = up_xmalloc(cap + 1);
    bool ok = true;
    for (;;) {
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            ok = false;
            break;
        }
        n += (size_t)r;
        if (r == 0)
            break;
        if (n == cap) {
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
            ok = false;
            break;
        }
    }
    close(fd);
    if (!ok) {
        up_file_free(data, n);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

void up_file_free(char *data, size_t len)
{
    if (!data)
        return;
    explicit_bzero(data, len);
    free(data);
}

int up_file_is_shared(mode_t mode)
{
    return (mode & (S_IRWXG | S_IRWXO)) != 0;
}
