/* it_tcp_proxy: a TCP proxy between a client (userpipe stream, our CQL client) and the shared
 * Cassandra node, so the tests can take "the node" away from one client (and give it back)
 * without restarting the node that other engineers use, and can put TLS in front of a node
 * that has none.
 *
 *   it_tcp_proxy TARGET_HOST:PORT [--port N] [--tls-cert CERT.pem --tls-key KEY.pem]
 *
 * Prints "ready PORT" once listening on 127.0.0.1 (port 0 = any free one).
 *   SIGUSR1  cut: stop listening and reset every connection (a node that died)
 *   SIGUSR2  restore: listen again on the same port (the node is back)
 *   SIGTERM  exit
 * With --tls-* the client side speaks TLS and the node side plain TCP. One thread per
 * connection pair; each thread owns its TLS object, so nothing is shared across threads. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 512

struct pair {
    int client, node;
    SSL *ssl;
    atomic_bool used;
};

static struct pair pairs[MAX_PAIRS];
static struct sockaddr_storage target;
static socklen_t target_len;
static SSL_CTX *tls;
static uint16_t port;

static int listen_on(uint16_t p)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(p)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
        fprintf(stderr, "it_tcp_proxy: listen on %u: %s\n", p, strerror(errno));
        exit(1);
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    return fd;
}

/* Reads from the client side (TLS or not); <= 0 ends the pair. */
static ssize_t client_read(struct pair *p, char *buf, size_t n)
{
    if (!p->ssl)
        return recv(p->client, buf, n, 0);
    int r = SSL_read(p->ssl, buf, (int)n);
    return r > 0 ? r : -1;
}

static bool write_all(struct pair *p, bool to_client, const char *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = to_client && p->ssl
                        ? SSL_write(p->ssl, buf + off, (int)(n - off))
                        : send(to_client ? p->client : p->node, buf + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        off += (size_t)w;
    }
    return true;
}

static void close_pair(struct pair *p)
{
    if (p->ssl)
        SSL_free(p->ssl);
    p->ssl = NULL;
    close(p->client);
    close(p->node);
    p->used = false;
}

static void *pump(void *arg)
{
    struct pair *p = arg;
    char buf[65536];
    if (p->ssl && SSL_accept(p->ssl) != 1) {
        close_pair(p);
        return NULL;
    }
    for (;;) {
        struct pollfd fds[2] = {{p->client, POLLIN, 0}, {p->node, POLLIN, 0}};
        /* TLS may hold decrypted bytes the socket no longer shows */
        bool pending = p->ssl && SSL_pending(p->ssl) > 0;
        if (!pending && poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (pending || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = client_read(p, buf, sizeof buf);
            if (n <= 0 || !write_all(p, false, buf, (size_t)n))
                break;
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(p->node, buf, sizeof buf, 0);
            if (n <= 0 || !write_all(p, true, buf, (size_t)n))
                break;
        }
    }
    close_pair(p);
    return NULL;
}

static void accept_one(int lfd)
{
    int client = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0)
        return;
    int node = socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(node, (struct sockaddr *)&target, target_len) != 0) {
        close(client);
        close(node);
        return;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(node, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; i < MAX_PAIRS; i++) {
        if (pairs[i].used)
            continue;
        struct pair *p = &pairs[i];
        p->used = true;
        p->client = client;
        p->node = node;
        p->ssl = NULL;
        if (tls) {
            p->ssl = SSL_new(tls);
            SSL_set_fd(p->ssl, client);
        }
        pthread_t t;
        int rc = pthread_create(&t, NULL, pump, p);
        if (rc != 0) { /* out of threads: this connection is refused, the proxy goes on */
            fprintf(stderr, "it_tcp_proxy: cannot start a thread: %s\n", strerror(rc));
            close_pair(p);
            return;
        }
        pthread_detach(t);
        return;
    }
    close(client);
    close(node);
}

/* Resets every connection: the pump threads see the sockets die and clean up. */
static void cut_all(void)
{
    for (int i = 0; i < MAX_PAIRS; i++) {
        if (!pairs[i].used)
            continue;
        struct linger lg = {1, 0}; /* RST, as a crashed node's kernel would send */
        setsockopt(pairs[i].client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        shutdown(pairs[i].client, SHUT_RDWR);
        shutdown(pairs[i].node, SHUT_RDWR);
    }
}

static void parse_target(const char *arg)
{
    char host[256];
    const char *colon = strrchr(arg, ':');
    if (!colon) {
        fprintf(stderr, "it_tcp_proxy: target must be HOST:PORT\n");
        exit(2);
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - arg), arg);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
        fprintf(stderr, "it_tcp_proxy: cannot resolve %s\n", arg);
        exit(2);
    }
    memcpy(&target, res->ai_addr, res->ai_addrlen);
    target_len = res->ai_addrlen;
    freeaddrinfo(res);
}

static void setup_tls(const char *cert, const char *key)
{
    tls = SSL_CTX_new(TLS_server_method());
    if (!tls || SSL_CTX_use_certificate_chain_file(tls, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls, key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "it_tcp_proxy: cannot load %s / %s\n", cert, key);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    const char *cert = NULL, *key = NULL;
    uint16_t want_port = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: it_tcp_proxy HOST:PORT [--port N] [--tls-cert C --tls-key K]\n");
        return 2;
    }
    parse_target(argv[1]);
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            want_port = (uint16_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--tls-cert") == 0)
            cert = argv[i + 1];
        else if (strcmp(argv[i], "--tls-key") == 0)
            key = argv[i + 1];
    }
    if (cert && key)
        setup_tls(cert, key);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask */
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    int lfd = listen_on(want_port);
    printf("ready %u\n", port);
    fflush(stdout);
    for (;;) {
        struct pollfd fds[2] = {{sfd, POLLIN, 0}, {lfd, POLLIN, 0}};
        if (poll(fds, lfd >= 0 ? 2 : 1, -1) < 0)
            continue;
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) != sizeof si)
                continue;
            if (si.ssi_signo == SIGUSR1 && lfd >= 0) {
                close(lfd);
                lfd = -1;
                cut_all();
            } else if (si.ssi_signo == SIGUSR2 && lfd < 0) {
                lfd = listen_on(port);
            } else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                cut_all();
                return 0;
            }
            continue;
        }
        if (lfd >= 0 && (fds[1].revents & POLLIN))
            accept_one(lfd);
    }
}
