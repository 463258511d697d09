/* cli: TRANSITIONAL, not part of the library; delete it together with its last user.
 * The Cassandra flags and the password rule moved to the command side, cmd/cql_cli.h.
 * bench/cql/bench_cql.c still includes this path (bench/ was changed by others on another
 * branch at the time). Nothing in src/ or tests/ includes this file. */
#include "cmd/cql_cli.h"
