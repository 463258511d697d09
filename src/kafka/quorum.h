/* kafka/quorum: which node leads the KRaft controller quorum (the active controller), asked
 * with one DescribeQuorum request (API key 55, version 0) on a plain TCP connection to a
 * broker, which forwards it to the controllers. It exists because librdkafka 2.0.2 has no call
 * for it, and because under KRaft the controller id of a Metadata response is a random live
 * broker (KIP-590), not the active controller. PLAINTEXT listeners only: no TLS, no SASL. */
#ifndef UP_KAFKA_QUORUM_H
#define UP_KAFKA_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#define UP_QUORUM_MAX_VOTERS 16

struct up_quorum {
    int32_t leader_id; /* the active controller; -1 while the quorum has no leader */
    int32_t leader_epoch;
    int64_t high_watermark; /* of the __cluster_metadata log */
    size_t nvoters;
    int32_t voters[UP_QUORUM_MAX_VOTERS];
    int64_t voter_end_offsets[UP_QUORUM_MAX_VOTERS];
};

/* The request as sent, 4-byte size prefix included, into out (room for 64 bytes is enough);
 * returns its length. */
size_t up_quorum_request(uint8_t *out, size_t cap, int32_t correlation_id);

/* Parses a response (without the size prefix) to up_quorum_request(correlation_id). -1 + err
 * on a short or malformed body, another correlation id, or an error code from the broker. */
int up_quorum_parse(const uint8_t *p, size_t len, int32_t correlation_id, struct up_quorum *q,
                    char *err, size_t errlen);

/* Connects to host:port, sends the request, reads the answer; everything within timeout_ms. */
int up_quorum_describe(const char *host, int port, int timeout_ms, struct up_quorum *q, char *err,
                       size_t errlen);

#endif
