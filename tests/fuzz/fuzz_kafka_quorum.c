/* libFuzzer target: the DescribeQuorum answer parser (kafka/quorum), whose input comes from
 * the network. Input: the answer's bytes after the size prefix, correlation id 42. */
#include "kafka/quorum.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct up_quorum q;
    char err[256];
    if (up_quorum_parse(data, size, 42, &q, err, sizeof err) == 0 &&
        q.nvoters > UP_QUORUM_MAX_VOTERS)
        __builtin_trap(); /* more voters than the array holds */
    return 0;
}
