/* log: text or JSON lines to stderr, one write per line so threads never interleave. */
#include "core/log.h"

#include "core/buf.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static const char *log_component = "userpipe";
static enum up_log_format log_format = UP_LOG_TEXT;
static enum up_log_level log_min = UP_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void up_log_setup(const char *component, enum up_log_format format, enum up_log_level min)
{
    log_component = component ? component : "userpipe";
    log_format = format;
    log_min = min;
}

bool up_log_parse_level(const char *s, enum up_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum up_log_level)i;
            return true;
        }
    }
    return false;
}

bool up_log_parse_format(const char *s, enum up_log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = UP_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = UP_LOG_JSON;
    else
        return false;
    return true;
}

bool up_log_enabled(enum up_log_level level)
{
    return level >= log_min;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void up_log(enum up_log_level level, const char *fmt, ...)
{
    if (!up_log_enabled(level))
        return;
    char ts[UP_ISO8601_LEN];
    up_iso8601_format(up_wall_ms(), ts);

    struct up_buf msg = UP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    up_buf_vprintf(&msg, fmt, ap);
    va_end(ap);

    struct up_buf line = UP_BUF_INIT;
    if (log_format == UP_LOG_JSON) {
        up_buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"", ts,
                      level_names[level]);
        up_buf_json_escape(&line, log_component, strlen(log_component));
        up_buf_puts(&line, "\",\"msg\":\"");
        up_buf_json_escape(&line, msg.data ? msg.data : "", msg.len);
        up_buf_puts(&line, "\"}\n");
    } else {
        up_buf_printf(&line, "%s %-5s %s: %s\n", ts, level_names[level], log_component,
                      msg.data ? msg.data : "");
    }
    pthread_mutex_lock(&log_lock);
    write_all(2, line.data, line.len);
    pthread_mutex_unlock(&log_lock);
    up_buf_free(&line);
    up_buf_free(&msg);
}
