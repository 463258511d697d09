/* signals: graceful stop on SIGINT/SIGTERM. The first signal asks every loop to
 * finish its work (flush, drain, commit); a second one exits at once with 130.
 * SIGPIPE is ignored so a vanished peer is an error return, not a death. */
#ifndef UP_CORE_SIGNALS_H
#define UP_CORE_SIGNALS_H

#include <stdbool.h>

void up_signals_install(void);
bool up_stop_requested(void);
/* Lets code (a fatal error, --exit-when-idle, a test) ask for the same graceful stop. */
void up_request_stop(void);
/* A file descriptor that becomes readable when a stop is requested, for poll() loops. */
int up_stop_fd(void);

#endif
