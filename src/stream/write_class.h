/* stream/write_class: what a refused write means for the record, from the CQL error.
 *
 *   data      the record can never be written as it is (a value Cassandra refuses: a key
 *             longer than 64 KiB, an empty partition key, a v4 UUID in a timeuuid column, a
 *             guardrail on a value's size): the record goes to the DLQ (stage write) and the
 *             stream moves on.
 *   transient the cluster cannot take it now (timeouts, Unavailable, Overloaded, a node
 *             bootstrapping, a lost connection): wait and write it again; never skipped.
 *   operator  someone must change the table, the grants or the mapping (no such table or
 *             keyspace, unauthorized, a syntax error, a column that no longer fits): the
 *             stream pauses with one error line saying what to fix and tries again slowly;
 *             never skipped.
 *
 * InvalidRequest (0x2200) is both "unconfigured table" and "this value is refused": it is data
 * only when its message is one of the value refusals listed in write_class.c; any other
 * message is operator (a doubt never drops a record). docs/dlq.md has the whole table. */
#ifndef UP_STREAM_WRITE_CLASS_H
#define UP_STREAM_WRITE_CLASS_H

#include "cql/cql.h"
#include "stream/sink.h"

enum up_write_class up_write_classify(enum cql_error_code code, const char *message);
/* For an operator failure: what to change, one phrase ("create the table or fix the mapping"). */
const char *up_write_operator_hint(enum cql_error_code code, const char *message);

#endif
