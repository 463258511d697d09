/* file: a small file read whole, with its mode, for the files userpipe takes secrets from
 * (--kafka-config, the dashboard's TLS key): bounded, read through one descriptor so the
 * mode checked is the mode of what was read. */
#ifndef UP_CORE_FILE_H
#define UP_CORE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* The file's bytes (NUL-terminated, *len without the NUL; free with up_file_free) and its
 * mode. NULL + "path: reason" in err: unreadable, not a regular file, over max bytes. */
char *up_file_read(const char *path, size_t max, size_t *len, mode_t *mode, char *err,
                   size_t errlen);
/* Wipes the bytes (they may be a secret) and frees them; NULL is fine. */
void up_file_free(char *data, size_t len);
/* True when group or others have any access to a file of this mode. */
int up_file_is_shared(mode_t mode);

#endif
