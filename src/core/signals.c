/* signals: SIGINT/SIGTERM to a stop flag plus a self-pipe. */
#include "core/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t signals_seen;
static atomic_bool stop_flag;
static int stop_pipe[2] = {-1, -1};

static void wake_pipe(void)
{
    if (stop_pipe[1] >= 0) {
        char c = 1;
        ssize_t n = write(stop_pipe[1], &c, 1);
        (void)n;
    }
}

static void on_signal(int sig)
{
    (void)sig;
    signals_seen++;
    if (signals_seen > 1) {
        static const char msg[] = "userpipe: second signal, exiting now\n";
        ssize_t n = write(2, msg, sizeof msg - 1);
        (void)n;
        _exit(130);
    }
    atomic_store(&stop_flag, true);
    wake_pipe();
}

void up_signals_install(void)
{
    if (stop_pipe[0] < 0 && pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        stop_pipe[0] = stop_pipe[1] = -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool up_stop_requested(void)
{
    return atomic_load(&stop_flag);
}

void up_request_stop(void)
{
    atomic_store(&stop_flag, true);
    wake_pipe();
}

int up_stop_fd(void)
{
    return stop_pipe[0];
}
