/* kafka_cli: what the commands that talk to Kafka (produce, stream, ui) share beyond the flag
 * group UP_FLAGS_KAFKA: --kafka-config FILE read, merged in front of -X and everything checked
 * before any client is created. It sits on the command side so that the kafka library reads
 * no flags.
 *
 * Precedence, later wins: userpipe's defaults for each client < --brokers < the file < -X.
 * A file that sets bootstrap.servers therefore overrides --brokers, as -X does. */
#ifndef UP_CMD_KAFKA_CLI_H
#define UP_CMD_KAFKA_CLI_H

#include "core/flags.h"

#include <stdbool.h>
#include <stddef.h>

/* Puts the file's properties (when --kafka-config is set) before the -X ones in
 * c->kafka_props, makes c->brokers the bootstrap servers the clients will really use, and
 * checks every property with librdkafka. 0, or -1 with a message that is a usage error
 * (exit 2) and never holds a secret's value. */
int kafka_cli_props(struct up_common_opts *c, char *err, size_t errlen);
/* .check of a topic flag (struct up_flag): Kafka's rule (kafka/topic.h), so that a bad
 * name is a usage error at start, not a broker error (or a crash) later. */
int kafka_cli_topic_check(const char *value, char *err, size_t errlen);
/* The same for a flag where '' means "none". */
int kafka_cli_optional_topic_check(const char *value, char *err, size_t errlen);

/* kafka_cli_props for `userpipe <command>`: false after "userpipe <command>: <why>" on
 * stderr. */
bool kafka_cli_apply(struct up_common_opts *c, const char *command);

#endif
