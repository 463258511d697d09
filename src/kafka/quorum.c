/* kafka/quorum: DescribeQuorum v0 on the wire (Kafka protocol, flexible versions: request
 * header v2, response header v1, compact arrays and strings, tagged fields). */
#include "kafka/quorum.h"

#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define API_KEY_DESCRIBE_QUORUM 55
#define METADATA_TOPIC          "__cluster_metadata"
#define CLIENT_ID               "userpipe-quorum"
#define MAX_RESPONSE            (1u << 20)

/* ------------------------------------------------------------------------------ encode */

struct out {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct out *o, const void *b, size_t n)
{
    if (o->len + n <= o->cap)
        memcpy(o->p + o->len, b, n);
    o->len += n;
}

static void put_u8(struct out *o, uint8_t v)
{
    put(o, &v, 1);
}

static void put_be(struct out *o, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        put_u8(o, (uint8_t)(v >> (8 * i)));
}

static void put_uvarint(struct out *o, uint32_t v)
{
    while (v >= 0x80) {
        put_u8(o, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_u8(o, (uint8_t)v);
}

size_t up_quorum_request(uint8_t *buf, size_t cap, int32_t correlation_id)
{
    struct out o = {buf, 0, cap};
    put_be(&o, 0, 4); /* size, filled below */
    /* header v2: api key, version, correlation id, client id (a nullable int16 string), tags */
    put_be(&o, API_KEY_DESCRIBE_QUORUM, 2);
    put_be(&o, 0, 2);
    put_be(&o, (uint32_t)correlation_id, 4);
    put_be(&o, sizeof CLIENT_ID - 1, 2);
    put(&o, CLIENT_ID, sizeof CLIENT_ID - 1);
    put_uvarint(&o, 0);
    /* body: topics [ {name, partitions [ {index 0} ]} ]; compact lengths are n + 1 */
    put_uvarint(&o, 2);
    put_uvarint(&o, sizeof METADATA_TOPIC);
    put(&o, METADATA_TOPIC, sizeof METADATA_TOPIC - 1);
    put_uvarint(&o, 2);
    put_be(&o, 0, 4);
    put_uvarint(&o, 0); /* partition tags */
    put_uvarint(&o, 0); /* topic tags */
    put_uvarint(&o, 0); /* body tags */
    if (o.len <= cap) {
        uint32_t body = (uint32_t)(o.len - 4);
        for (int i = 0; i < 4; i++)
            buf[i] = (uint8_t)(body >> (8 * (3 - i)));
    }
    return o.len;
}

/* ------------------------------------------------------------------------------- parse */

struct in {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
};

static uint64_t get_be(struct in *in, int bytes)
{
    if (in->bad || in->len - in->pos < (size_t)bytes) {
        in->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | in->p[in->pos++];
    return v;
}

static uint32_t get_uvarint(struct in *in)
{
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b = (uint8_t)get_be(in, 1);
        if (in->bad)
            return 0;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    in->bad = true; /* more than 5 bytes */
    return 0;
}

static void skip(struct in *in, size_t n)
{
    if (in->bad || in->len - in->pos < n)
        in->bad = true;
    else
        in->pos += n;
}

static void skip_tags(struct in *in)
{
    uint32_t n = get_uvarint(in);
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        get_uvarint(in); /* tag */
        skip(in, get_uvarint(in));
    }
}

/* A compact array's element count (its length is stored + 1; 0 means null, read as empty). */
static uint32_t get_count(struct in *in)
{
    uint32_t n = get_uvarint(in);
    if (n > in->len) /* each element is at least a byte: a larger count is garbage */
        in->bad = true;
    return n ? n - 1 : 0;
}

/* ReplicaState v0: replica id, log end offset, tags. Kept while there is room. */
static void get_replicas(struct in *in, struct up_quorum *q, bool keep)
{
    uint32_t n = get_count(in);
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        int32_t id = (int32_t)get_be(in, 4);
        int64_t end = (int64_t)get_be(in, 8);
        skip_tags(in);
        if (keep && q->nvoters < UP_QUORUM_MAX_VOTERS) {
            q->voters[q->nvoters] = id;
            q->voter_end_offsets[q->nvoters++] = end;
        }
    }
}

int up_quorum_parse(const uint8_t *p, size_t len, int32_t correlation_id, struct up_quorum *q,
                    char *err, size_t errlen)
{
    memset(q, 0, sizeof *q);
    q->leader_id = -1;
    struct in in = {p, len, 0, false};
    int32_t corr = (int32_t)get_be(&in, 4);
    skip_tags(&in); /* response header v1 */
    if (!in.bad && corr != correlation_id) {
        snprintf(err, errlen, "DescribeQuorum: answer to request %d, not %d", corr, correlation_id);
        return -1;
    }
    int16_t code = (int16_t)get_be(&in, 2);
    if (!in.bad && code != 0) {
        snprintf(err, errlen, "DescribeQuorum: error code %d", code);
        return -1;
    }
    bool found = false;
    uint32_t ntopics = get_count(&in);
    for (uint32_t t = 0; t < ntopics && !in.bad; t++) {
        skip(&in, get_count(&in)); /* topic name */
        uint32_t nparts = get_count(&in);
        for (uint32_t k = 0; k < nparts && !in.bad; k++) {
            get_be(&in, 4); /* partition index: 0, the only one asked for */
            int16_t pcode = (int16_t)get_be(&in, 2);
            int32_t leader = (int32_t)get_be(&in, 4);
            int32_t epoch = (int32_t)get_be(&in, 4);
            int64_t hw = (int64_t)get_be(&in, 8);
            if (!in.bad && pcode != 0) {
                snprintf(err, errlen, "DescribeQuorum: partition error code %d", pcode);
                return -1;
            }
            get_replicas(&in, q, !found); /* current voters */
            get_replicas(&in, q, false);  /* observers */
            skip_tags(&in);
            if (!found && !in.bad) {
                q->leader_id = leader;
                q->leader_epoch = epoch;
                q->high_watermark = hw;
                found = true;
            }
        }
        skip_tags(&in);
    }
    skip_tags(&in);
    if (in.bad || !found) {
        snprintf(err, errlen, "DescribeQuorum: %s", in.bad ? "malformed answer" : "no partition");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------- network */

static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - up_mono_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, (int)left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

static int connect_to(const char *host, int port, int64_t deadline, char *err, size_t errlen)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (fd < 0 || wait_fd(fd, POLLOUT, deadline) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        snprintf(err, errlen, "%s:%d: connect: %s", host, port, strerror(soerr ? soerr : errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int io_all(int fd, uint8_t *p, size_t n, bool sending, int64_t deadline)
{
    size_t done = 0;
    while (done < n) {
        if (wait_fd(fd, sending ? POLLOUT : POLLIN, deadline) != 0)
            return -1;
        ssize_t r =
            sending ? send(fd, p + done, n - done, MSG_NOSIGNAL) : recv(fd, p + done, n - done, 0);
        if (r == 0) {
            errno = ECONNRESET;
            return -1;
        }
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (r > 0)
            done += (size_t)r;
    }
    return 0;
}

int up_quorum_describe(const char *host, int port, int timeout_ms, struct up_quorum *q, char *err,
                       size_t errlen)
{
    int64_t deadline = up_mono_ms() + timeout_ms;
    int fd = connect_to(host, port, deadline, err, errlen);
    if (fd < 0)
        return -1;
    static atomic_int next_corr = 1;
    int32_t corr = atomic_fetch_add(&next_corr, 1);
    uint8_t req[64], size[4];
    size_t n = up_quorum_request(req, sizeof req, corr);
    int rc = -1;
    if (io_all(fd, req, n, true, deadline) != 0 || io_all(fd, size, 4, false, deadline) != 0) {
        snprintf(err, errlen, "%s:%d: DescribeQuorum: %s", host, port, strerror(errno));
    } else {
        uint32_t len =
            (uint32_t)size[0] << 24 | (uint32_t)size[1] << 16 | (uint32_t)size[2] << 8 | size[3];
        uint8_t *body = len <= MAX_RESPONSE ? malloc(len ? len : 1) : NULL;
        if (!body)
            snprintf(err, errlen, "%s:%d: DescribeQuorum: answer of %u bytes", host, port, len);
        else if (io_all(fd, body, len, false, deadline) != 0)
            snprintf(err, errlen, "%s:%d: DescribeQuorum: %s", host, port, strerror(errno));
        else
            rc = up_quorum_parse(body, len, corr, q, err, errlen);
        free(body);
    }
    close(fd);
    return rc;
}
