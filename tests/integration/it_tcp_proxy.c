/* it_tcp_proxy: a TCP proxy the tests can cut, to take Cassandra "down" for one client
 * without stopping the shared node.
 *   it_tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT
 * Prints "ready <port>" on stdout once listening (LISTEN_PORT 0 = any free port).
 *   SIGUSR1  cut: every connection is closed and the port stops listening, so clients see
 *            what a stopped node looks like (resets, then "connection refused")
 *   SIGUSR2  restore: listen again on the same port
 *   SIGTERM  exit
 * One thread, poll(), at most 256 connection pairs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 256
#define BUF_SIZE  65536

struct side {
    int fd;
    char buf[BUF_SIZE]; /* bytes read from this side, waiting to go to the other */
    size_t len;
};

struct pair {
    struct side a, b; /* a: the client, b: the target */
};

static struct pair *pairs[MAX_PAIRS];
static struct sockaddr_in target;
static uint16_t port;

static int listen_on(uint16_t p)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(p)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        perror("it_tcp_proxy: listen");
        exit(1);
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    return fd;
}

static void close_pair(int i)
{
    struct pair *p = pairs[i];
    /* RST rather than FIN: a node that dies does not say goodbye politely. */
    struct linger lg = {1, 0};
    setsockopt(p->a.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(p->a.fd);
    close(p->b.fd);
    free(p);
    pairs[i] = NULL;
}

static void accept_one(int lfd)
{
    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return;
    int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(t, (struct sockaddr *)&target, sizeof target) != 0) {
        close(c);
        close(t);
        return;
    }
    fcntl(t, F_SETFL, fcntl(t, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; i < MAX_PAIRS; i++)
        if (!pairs[i]) {
            pairs[i] = calloc(1, sizeof *pairs[i]);
            pairs[i]->a.fd = c;
            pairs[i]->b.fd = t;
            return;
        }
    close(c);
    close(t);
}

/* Moves bytes from `from` into its buffer and from the buffer to `to`; false on EOF/error. */
static bool pump(struct side *from, struct side *to, short revents_from)
{
    if ((revents_from & (POLLIN | POLLHUP | POLLERR)) && from->len < BUF_SIZE) {
        ssize_t n = read(from->fd, from->buf + from->len, BUF_SIZE - from->len);
        if (n == 0 || (n < 0 && errno != EAGAIN))
            return false;
        if (n > 0)
            from->len += (size_t)n;
    }
    if (from->len) { /* non-blocking: writes what the peer takes now, keeps the rest */
        ssize_t n = write(to->fd, from->buf, from->len);
        if (n < 0 && errno != EAGAIN)
            return false;
        if (n > 0) {
            memmove(from->buf, from->buf + n, from->len - (size_t)n);
            from->len -= (size_t)n;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: it_tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT\n");
        return 2;
    }
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)atoi(argv[3]));
    inet_pton(AF_INET, argv[2], &target.sin_addr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    int lfd = listen_on((uint16_t)atoi(argv[1]));
    printf("ready %u\n", port);
    fflush(stdout);
    for (;;) {
        struct pollfd fds[2 + 2 * MAX_PAIRS];
        int idx[MAX_PAIRS];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = lfd, .events = lfd >= 0 ? POLLIN : 0};
        for (int i = 0; i < MAX_PAIRS; i++) {
            idx[i] = -1;
            if (!pairs[i])
                continue;
            idx[i] = (int)n;
            short wa = pairs[i]->b.len ? POLLOUT : 0, wb = pairs[i]->a.len ? POLLOUT : 0;
            fds[n++] = (struct pollfd){.fd = pairs[i]->a.fd, .events = POLLIN | wa};
            fds[n++] = (struct pollfd){.fd = pairs[i]->b.fd, .events = POLLIN | wb};
        }
        if (poll(fds, n, -1) < 0 && errno != EINTR)
            return 1;
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGUSR1 && lfd >= 0) {
                    for (int i = 0; i < MAX_PAIRS; i++)
                        if (pairs[i])
                            close_pair(i);
                    close(lfd);
                    lfd = -1;
                    fprintf(stderr, "it_tcp_proxy: cut\n");
                    continue;
                } else if (si.ssi_signo == SIGUSR2 && lfd < 0) {
                    lfd = listen_on(port);
                    fprintf(stderr, "it_tcp_proxy: restored\n");
                    continue;
                } else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                    return 0;
                }
            }
        }
        if (lfd >= 0 && (fds[1].revents & POLLIN))
            accept_one(lfd);
        for (int i = 0; i < MAX_PAIRS; i++) {
            if (!pairs[i] || idx[i] < 0)
                continue;
            short ra = fds[idx[i]].revents, rb = fds[idx[i] + 1].revents;
            if (!pump(&pairs[i]->a, &pairs[i]->b, ra) || !pump(&pairs[i]->b, &pairs[i]->a, rb))
                close_pair(i);
        }
    }
}
