/* log: one line per event on stderr, as text for people or JSON for collectors.
 * stdout stays free for data and the final summary line of each command. */
#ifndef UP_CORE_LOG_H
#define UP_CORE_LOG_H

#include <stdbool.h>

enum up_log_level { UP_LOG_DEBUG, UP_LOG_INFO, UP_LOG_WARN, UP_LOG_ERROR };
enum up_log_format { UP_LOG_TEXT, UP_LOG_JSON };

/* component names the command ("produce", "stream", ...) in every line. */
void up_log_setup(const char *component, enum up_log_format format, enum up_log_level min);
bool up_log_parse_level(const char *s, enum up_log_level *out);
bool up_log_parse_format(const char *s, enum up_log_format *out);
bool up_log_enabled(enum up_log_level level);

void up_log(enum up_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define UP_DEBUG(...) up_log(UP_LOG_DEBUG, __VA_ARGS__)
#define UP_INFO(...)  up_log(UP_LOG_INFO, __VA_ARGS__)
#define UP_WARN(...)  up_log(UP_LOG_WARN, __VA_ARGS__)
#define UP_ERROR(...) up_log(UP_LOG_ERROR, __VA_ARGS__)

#endif
