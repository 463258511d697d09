/* connection: one socket to one node: connect, TLS, handshake, stream ids, framing. */
#include "cql/connection.h"

#include "core/clock.h"
#include "cql/message.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK       (64 * 1024)
#define READ_BUDGET      (4 * 1024 * 1024) /* per handle call, so one busy socket can't starve */
#define HANDSHAKE_STREAM 0

/* Marks a stream id whose request timed out: the id waits for the late answer. */
static char orphan_marker;
#define ORPHAN ((void *)&orphan_marker)

struct cql_conn {
    int fd;
    SSL *ssl;
    enum cql_conn_state state;
    char label[64];
    struct cql_conn_config cfg;
    const struct cql_conn_hooks *hooks;
    void *owner, *user;
    struct cql_reader reader;
    struct up_buf out; /* frames to write; out.data[out_off..out.len) pending */
    size_t out_off;
    struct up_buf scratch; /* compression output */
    struct up_buf hs;      /* handshake bodies (never the compression scratch: that is the
                            * output while this is the input) */
    void **streams;        /* request per stream id, NULL when free, ORPHAN when abandoned */
    int16_t *free_ids;     /* stack of free ids */
    int nfree, live, orphans;
    bool compression;
    bool tls_wants_write; /* SSL_read/SSL_write asked for the socket to become writable */
    int64_t handshake_deadline;
    int64_t last_read_ms;
    uint64_t bytes_sent, bytes_received;
    char authenticator[128];
};

static void set_error(struct cql_error *err, enum cql_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct cql_error *err, enum cql_error_code code, const char *fmt, ...)
{
    cql_error_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ---- life cycle -------------------------------------------------------------------------- */

static void init_streams(struct cql_conn *c)
{
    int n = c->cfg.max_streams;
    c->streams = up_xcalloc((size_t)n, sizeof *c->streams);
    c->free_ids = up_xmalloc((size_t)n * sizeof *c->free_ids);
    /* lowest ids on top of the stack: small ids keep the table's hot end in cache */
    for (int i = 0; i < n; i++)
        c->free_ids[i] = (int16_t)(n - 1 - i);
    c->nfree = n;
}

struct cql_conn *cql_conn_open(const struct sockaddr *addr, socklen_t addrlen, const char *label,
                               const struct cql_conn_config *cfg,
                               const struct cql_conn_hooks *hooks, void *owner,
                               struct cql_error *err)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_error(err, CQL_ERR_CONNECT, "%s: socket: %s", label, strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (cfg->tcp_user_timeout_ms > 0) /* a silent peer: sends fail instead of piling up */
        setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &cfg->tcp_user_timeout_ms,
                   sizeof cfg->tcp_user_timeout_ms);
    if (connect(fd, addr, addrlen) != 0 && errno != EINPROGRESS) {
        set_error(err, CQL_ERR_CONNECT, "%s: connect: %s", label, strerror(errno));
        snprintf(err->host, sizeof err->host, "%s", label);
        close(fd);
        return NULL;
    }
    struct cql_conn *c = up_xcalloc(1, sizeof *c);
    c->fd = fd;
    c->state = CQL_CONN_CONNECTING;
    snprintf(c->label, sizeof c->label, "%s", label);
    c->cfg = *cfg;
    if (c->cfg.max_streams <= 0 || c->cfg.max_streams > CQL_MAX_STREAMS)
        c->cfg.max_streams = CQL_MAX_STREAMS;
    c->hooks = hooks;
    c->owner = owner;
    cql_reader_init(&c->reader, cfg->max_frame);
    init_streams(c);
    c->handshake_deadline =
        up_mono_ms() + (cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000);
    c->last_read_ms = up_mono_ms();
    return c;
}

void cql_conn_free(struct cql_conn *c)
{
    if (!c)
        return;
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    cql_reader_free(&c->reader);
    up_buf_free(&c->out);
    up_buf_free(&c->scratch);
    up_buf_free(&c->hs);
    free(c->streams);
    free(c->free_ids);
    free(c);
}

int cql_conn_fd(const struct cql_conn *c)
{
    return c->fd;
}

enum cql_conn_state cql_conn_state(const struct cql_conn *c)
{
    return c->state;
}

const char *cql_conn_label(const struct cql_conn *c)
{
    return c->label;
}

void cql_conn_set_user(struct cql_conn *c, void *user)
{
    c->user = user;
}

void *cql_conn_user(const struct cql_conn *c)
{
    return c->user;
}

bool cql_conn_want_write(const struct cql_conn *c)
{
    if (c->state == CQL_CONN_CLOSED)
        return false;
    return c->state == CQL_CONN_CONNECTING || c->tls_wants_write || c->out.len > c->out_off;
}

size_t cql_conn_pending_out(const struct cql_conn *c)
{
    return c->out.len - c->out_off;
}

size_t cql_conn_requests(const struct cql_conn *c, void **out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < c->cfg.max_streams && n < max; i++)
        if (c->streams[i] && c->streams[i] != ORPHAN)
            out[n++] = c->streams[i];
    return n;
}

int cql_conn_in_flight(const struct cql_conn *c)
{
    return c->live;
}

int cql_conn_orphans(const struct cql_conn *c)
{
    return c->orphans;
}

int cql_conn_free_streams(const struct cql_conn *c)
{
    return c->nfree;
}

bool cql_conn_compressed(const struct cql_conn *c)
{
    return c->compression;
}

int64_t cql_conn_last_read_ms(const struct cql_conn *c)
{
    return c->last_read_ms;
}

void cql_conn_counters(const struct cql_conn *c, uint64_t *sent, uint64_t *received)
{
    *sent = c->bytes_sent;
    *received = c->bytes_received;
}

void cql_conn_close(struct cql_conn *c, enum cql_error_code code, const char *fmt, ...)
{
    if (c->state == CQL_CONN_CLOSED)
        return;
    struct cql_error why;
    cql_error_clear(&why);
    why.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why.message, sizeof why.message, fmt, ap);
    va_end(ap);
    snprintf(why.host, sizeof why.host, "%s", c->label);
    c->state = CQL_CONN_CLOSED;
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    c->hooks->on_closed(c->owner, c, &why);
}

/* Closes with a server ERROR frame's code and message (handshake failures). */
static void close_with_server_error(struct cql_conn *c, const struct cql_frame *f, const char *step)
{
    struct cql_error e;
    cql_error_parse(f->body, f->len, f->flags, &e, NULL, NULL);
    cql_conn_close(c, e.code, "%s: %s", step, e.message);
}

size_t cql_conn_take_requests(struct cql_conn *c, void **out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < c->cfg.max_streams && n < max; i++) {
        void *r = c->streams[i];
        if (r && r != ORPHAN)
            out[n++] = r;
        if (r) {
            c->streams[i] = NULL;
            c->free_ids[c->nfree++] = (int16_t)i;
        }
    }
    c->live = 0;
    c->orphans = 0;
    return n;
}

/* ---- output ------------------------------------------------------------------------------ */

static void queue_frame(struct cql_conn *c, uint8_t opcode, int16_t stream, const uint8_t *body,
                        size_t len)
{
    /* reclaim the written prefix before growing */
    if (c->out_off > 0 && c->out_off == c->out.len) {
        c->out.len = 0;
        c->out_off = 0;
    } else if (c->out_off > 65536 && c->out_off * 2 > c->out.len) {
        memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out_off = 0;
    }
    bool compress = c->compression && opcode != CQL_OP_STARTUP && opcode != CQL_OP_OPTIONS;
    cql_frame_write(&c->out, opcode, stream, body, len, compress, &c->scratch);
}

int cql_conn_send(struct cql_conn *c, uint8_t opcode, const uint8_t *body, size_t len,
                  void *request, int16_t *stream)
{
    if (c->state != CQL_CONN_READY || c->nfree == 0 ||
        cql_conn_pending_out(c) > CQL_MAX_PENDING_OUT)
        return -1;
    int16_t id = c->free_ids[--c->nfree];
    c->streams[id] = request;
    c->live++;
    queue_frame(c, opcode, id, body, len);
    *stream = id;
    return 0;
}

void cql_conn_orphan(struct cql_conn *c, int16_t stream)
{
    if (stream < 0 || stream >= c->cfg.max_streams || !c->streams[stream] ||
        c->streams[stream] == ORPHAN)
        return;
    c->streams[stream] = ORPHAN;
    c->live--;
    c->orphans++;
}

static ssize_t raw_write(struct cql_conn *c, const char *p, size_t n)
{
    if (!c->ssl) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        return w;
    }
    /* OpenSSL writes with write(), which raises SIGPIPE on a dead peer: hold the signal
     * during the call and swallow one we caused, so a library never kills its host process */
    sigset_t pipe_set, old_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    ERR_clear_error();
    int w = SSL_write(c->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
    if (w <= 0 && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    if (w > 0)
        return w;
    int e = SSL_get_error(c->ssl, w);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
        return 0;
    errno = EPIPE;
    return -1;
}

void cql_conn_flush(struct cql_conn *c)
{
    while (c->state != CQL_CONN_CLOSED && c->state != CQL_CONN_CONNECTING &&
           c->state != CQL_CONN_TLS && c->out.len > c->out_off) {
        ssize_t w = raw_write(c, c->out.data + c->out_off, c->out.len - c->out_off);
        if (w < 0) {
            cql_conn_close(c, CQL_ERR_CONNECTION_CLOSED, "%s: write: %s", c->label,
                           strerror(errno));
            return;
        }
        if (w == 0)
            break;
        c->out_off += (size_t)w;
        c->bytes_sent += (uint64_t)w;
    }
    if (c->out_off == c->out.len) {
        c->out.len = 0;
        c->out_off = 0;
    }
}

/* ---- handshake --------------------------------------------------------------------------- */

static void send_handshake(struct cql_conn *c, uint8_t opcode, enum cql_conn_state next)
{
    c->state = next;
    queue_frame(c, opcode, HANDSHAKE_STREAM, (const uint8_t *)c->hs.data, c->hs.len);
    cql_conn_flush(c);
}

static void send_options(struct cql_conn *c)
{
    up_buf_clear(&c->hs);
    send_handshake(c, CQL_OP_OPTIONS, CQL_CONN_OPTIONS);
}

static void become_ready(struct cql_conn *c)
{
    c->state = CQL_CONN_READY;
    c->hooks->on_ready(c->owner, c);
}

static void send_keyspace_or_ready(struct cql_conn *c)
{
    if (!c->cfg.keyspace || !c->cfg.keyspace[0]) {
        become_ready(c);
        return;
    }
    /* quote the name so mixed case survives; double any embedded quote */
    struct up_buf q = UP_BUF_INIT;
    up_buf_puts(&q, "USE \"");
    for (const char *p = c->cfg.keyspace; *p; p++) {
        if (*p == '"')
            up_buf_putc(&q, '"');
        up_buf_putc(&q, *p);
    }
    up_buf_putc(&q, '"');
    up_buf_clear(&c->hs);
    cql_put_long_string(&c->hs, q.data, q.len);
    cql_put_short(&c->hs, CQL_ONE);
    cql_put_byte(&c->hs, 0);
    up_buf_free(&q);
    send_handshake(c, CQL_OP_QUERY, CQL_CONN_KEYSPACE);
}

static void on_supported(struct cql_conn *c, const struct cql_frame *f)
{
    bool lz4 =
        c->cfg.compression && cql_supported_has(f->body, f->len, f->flags, "COMPRESSION", "lz4");
    up_buf_clear(&c->hs);
    cql_encode_startup(&c->hs, lz4);
    send_handshake(c, CQL_OP_STARTUP, CQL_CONN_STARTUP);
    /* the server may compress from its answer to STARTUP on */
    if (lz4) {
        c->compression = true;
        c->reader.compression = true;
    }
}

static void on_authenticate(struct cql_conn *c, const struct cql_frame *f)
{
    struct cql_cursor cur;
    const char *name = "";
    size_t len = 0;
    cql_cursor_init(&cur, f->body, f->len);
    if (cql_skip_response_prefix(&cur, f->flags, NULL, NULL))
        cql_get_string(&cur, &name, &len);
    snprintf(c->authenticator, sizeof c->authenticator, "%.*s", (int)len, name);
    if (!c->cfg.user) {
        cql_conn_close(c, CQL_ERR_AUTH,
                       "%s requires authentication (%s): give a user and a password", c->label,
                       c->authenticator);
        return;
    }
    up_buf_clear(&c->hs);
    cql_encode_auth_plain(&c->hs, c->cfg.user, c->cfg.password ? c->cfg.password : "");
    send_handshake(c, CQL_OP_AUTH_RESPONSE, CQL_CONN_AUTH);
    /* the token held the password: do not leave it in the scratch buffer */
    if (c->hs.data)
        explicit_bzero(c->hs.data, c->hs.cap);
    if (c->scratch.data)
        explicit_bzero(c->scratch.data, c->scratch.cap);
}

/* One frame during the handshake: each state expects one answer. */
static void handshake_frame(struct cql_conn *c, const struct cql_frame *f)
{
    static const char *const steps[] = {
        [CQL_CONN_OPTIONS] = "OPTIONS",
        [CQL_CONN_STARTUP] = "STARTUP",
        [CQL_CONN_AUTH] = "authentication",
        [CQL_CONN_KEYSPACE] = "USE keyspace",
    };
    const char *step = steps[c->state] ? steps[c->state] : "handshake";
    if (f->opcode == CQL_OP_ERROR) {
        close_with_server_error(c, f, step);
        return;
    }
    switch (c->state) {
    case CQL_CONN_OPTIONS:
        if (f->opcode == CQL_OP_SUPPORTED)
            on_supported(c, f);
        else
            break;
        return;
    case CQL_CONN_STARTUP:
        if (f->opcode == CQL_OP_READY)
            send_keyspace_or_ready(c);
        else if (f->opcode == CQL_OP_AUTHENTICATE)
            on_authenticate(c, f);
        else
            break;
        return;
    case CQL_CONN_AUTH:
        if (f->opcode == CQL_OP_AUTH_SUCCESS) {
            send_keyspace_or_ready(c);
            return;
        }
        if (f->opcode == CQL_OP_AUTH_CHALLENGE) {
            cql_conn_close(c, CQL_ERR_AUTH,
                           "%s: authenticator %s sent a challenge; only SASL PLAIN "
                           "(PasswordAuthenticator) is supported",
                           c->label, c->authenticator);
            return;
        }
        break;
    case CQL_CONN_KEYSPACE:
        if (f->opcode == CQL_OP_RESULT) {
            become_ready(c);
            return;
        }
        break;
    default:
        break;
    }
    cql_conn_close(c, CQL_ERR_PROTOCOL, "%s: unexpected %s during %s", c->label,
                   cql_opcode_name(f->opcode), step);
}

void cql_conn_check_handshake(struct cql_conn *c, int64_t now_ms)
{
    if (c->state == CQL_CONN_READY || c->state == CQL_CONN_CLOSED)
        return;
    if (now_ms >= c->handshake_deadline)
        cql_conn_close(c, CQL_ERR_CONNECT, "%s: no connection within %d ms (stuck at %s)", c->label,
                       c->cfg.connect_timeout_ms,
                       c->state == CQL_CONN_CONNECTING ? "TCP connect"
                       : c->state == CQL_CONN_TLS      ? "TLS handshake"
                                                       : "CQL handshake");
}

/* ---- TLS --------------------------------------------------------------------------------- */

SSL_CTX *cql_tls_context_new(const struct cql_config *cfg, struct cql_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        set_error(err, CQL_ERR_TLS, "TLS: cannot create a context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const char *what = NULL;
    if (cfg->tls_ca_file) {
        if (SSL_CTX_load_verify_locations(ctx, cfg->tls_ca_file, NULL) != 1)
            what = "cannot load the CA file";
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        what = "cannot load the system CA certificates";
    }
    if (!what && cfg->tls_cert_file &&
        SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert_file) != 1)
        what = "cannot load the client certificate";
    if (!what && cfg->tls_key_file &&
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key_file, SSL_FILETYPE_PEM) != 1)
        what = "cannot load the client key";
    if (what) {
        char detail[256];
        ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
        set_error(err, CQL_ERR_TLS, "TLS: %s (%s)", what, detail);
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, cfg->tls_verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    return ctx;
}

/* The host part of a label ("[::1]:9042" -> "::1"). */
static void label_host(const char *label, char *out, size_t size)
{
    const char *colon = strrchr(label, ':');
    size_t n = colon ? (size_t)(colon - label) : strlen(label);
    if (n >= 2 && label[0] == '[' && label[n - 1] == ']') {
        label++;
        n -= 2;
    }
    snprintf(out, size, "%.*s", (int)n, label);
}

static int tls_start(struct cql_conn *c)
{
    c->ssl = SSL_new(c->cfg.tls);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return -1;
    char host[256];
    if (c->cfg.tls_server_name)
        snprintf(host, sizeof host, "%s", c->cfg.tls_server_name);
    else
        label_host(c->label, host, sizeof host);
    struct in6_addr probe;
    bool is_ip = inet_pton(AF_INET, host, &probe) == 1 || inet_pton(AF_INET6, host, &probe) == 1;
    if (!is_ip)
        SSL_set_tlsext_host_name(c->ssl, host);
    if (c->cfg.tls_verify) {
        X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
        if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1
                  : X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
            return -1;
    }
    c->state = CQL_CONN_TLS;
    return 0;
}

static void tls_continue(struct cql_conn *c)
{
    ERR_clear_error();
    int r = SSL_connect(c->ssl);
    if (r == 1) {
        c->tls_wants_write = false;
        send_options(c);
        return;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        c->tls_wants_write = e == SSL_ERROR_WANT_WRITE;
        return;
    }
    char detail[256] = "";
    long verify = SSL_get_verify_result(c->ssl);
    if (verify != X509_V_OK)
        snprintf(detail, sizeof detail, "certificate verification failed: %s",
                 X509_verify_cert_error_string(verify));
    else
        ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    cql_conn_close(c, CQL_ERR_TLS, "%s: TLS handshake failed: %s", c->label,
                   detail[0] ? detail : "the peer closed the connection (is TLS enabled there?)");
}

/* ---- input ------------------------------------------------------------------------------- */

static void connect_finished(struct cql_conn *c)
{
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
        soerr = errno;
    if (soerr != 0) {
        cql_conn_close(c, CQL_ERR_CONNECT, "%s: connect: %s", c->label, strerror(soerr));
        return;
    }
    if (c->cfg.tls) {
        if (tls_start(c) != 0) {
            cql_conn_close(c, CQL_ERR_TLS, "%s: TLS setup failed", c->label);
            return;
        }
        tls_continue(c);
        return;
    }
    send_options(c);
}

/* Reads what the socket has; returns bytes read, 0 for "nothing now", -1 when closed. */
static ssize_t raw_read(struct cql_conn *c, uint8_t *buf, size_t n)
{
    if (!c->ssl) {
        ssize_t r = recv(c->fd, buf, n, 0);
        if (r > 0)
            return r;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        /* a TLS-only port drops a plaintext client at its first bytes */
        const char *hint = c->state == CQL_CONN_OPTIONS ? " during the handshake (does the node "
                                                          "require TLS?)"
                                                        : "";
        if (r == 0)
            cql_conn_close(c, CQL_ERR_CONNECTION_CLOSED, "%s: the node closed the connection%s",
                           c->label, hint);
        else
            cql_conn_close(c, CQL_ERR_CONNECTION_CLOSED, "%s: read: %s%s", c->label,
                           strerror(errno), hint);
        return -1;
    }
    ERR_clear_error();
    int r = SSL_read(c->ssl, buf, (int)n);
    if (r > 0)
        return r;
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    if (e == SSL_ERROR_WANT_WRITE) {
        c->tls_wants_write = true;
        return 0;
    }
    cql_conn_close(c, CQL_ERR_CONNECTION_CLOSED, "%s: TLS read failed or the node closed",
                   c->label);
    return -1;
}

static void dispatch_frame(struct cql_conn *c, const struct cql_frame *f)
{
    if (c->state != CQL_CONN_READY) {
        if (f->stream == HANDSHAKE_STREAM)
            handshake_frame(c, f);
        else if (f->stream >= 0)
            cql_conn_close(c, CQL_ERR_PROTOCOL, "%s: answer on stream %d during the handshake",
                           c->label, f->stream);
        return;
    }
    if (f->stream < 0) {
        if (f->opcode == CQL_OP_EVENT)
            c->hooks->on_event(c->owner, c, f);
        return;
    }
    if (f->stream >= c->cfg.max_streams || !c->streams[f->stream]) {
        cql_conn_close(c, CQL_ERR_PROTOCOL, "%s: answer on stream %d, which has no request",
                       c->label, f->stream);
        return;
    }
    void *req = c->streams[f->stream];
    c->streams[f->stream] = NULL;
    c->free_ids[c->nfree++] = f->stream;
    if (req == ORPHAN) {
        c->orphans--;
        return;
    }
    c->live--;
    c->hooks->on_response(c->owner, c, req, f);
}

static void read_frames(struct cql_conn *c)
{
    size_t budget = READ_BUDGET;
    while (c->state != CQL_CONN_CLOSED && budget > 0) {
        uint8_t *space = cql_reader_space(&c->reader, READ_CHUNK);
        size_t room = c->reader.in.cap - c->reader.in.len - 1;
        ssize_t n = raw_read(c, space, room);
        if (n <= 0)
            break;
        c->bytes_received += (uint64_t)n;
        c->last_read_ms = up_mono_ms();
        cql_reader_commit(&c->reader, (size_t)n);
        budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
        struct cql_frame f;
        int rc = 0;
        while (c->state != CQL_CONN_CLOSED && (rc = cql_reader_next(&c->reader, &f)) == 1)
            dispatch_frame(c, &f);
        if (c->state != CQL_CONN_CLOSED && rc < 0) {
            cql_conn_close(c, CQL_ERR_PROTOCOL, "%s: %s", c->label, c->reader.error);
            return;
        }
        if ((size_t)n < room && !c->ssl)
            break; /* the socket is drained; skip the extra EAGAIN read */
    }
}

void cql_conn_handle(struct cql_conn *c, uint32_t events)
{
    if (c->state == CQL_CONN_CLOSED)
        return;
    if (c->state == CQL_CONN_CONNECTING) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            connect_finished(c);
        return;
    }
    if (c->state == CQL_CONN_TLS) {
        tls_continue(c);
        return;
    }
    if (c->tls_wants_write && (events & EPOLLOUT)) {
        c->tls_wants_write = false;
        events |= EPOLLIN; /* retry the read that asked for it */
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        read_frames(c);
    if (c->state != CQL_CONN_CLOSED && (events & EPOLLOUT))
        cql_conn_flush(c);
}
