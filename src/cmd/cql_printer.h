/* cql_printer: result rows as people and scripts read them, for `userpipe query`.
 *   table  cqlsh's layout: blank line, left-justified header, -+- rule, right-justified
 *          values, blank line, "(N rows)". Needs every row for the widths, so it buffers.
 *   json   one JSON object per row (NDJSON), no footer, streamed page by page.
 *   csv    header line then RFC 4180 rows (quoted when needed, LF line ends), streamed.
 * Plus cql_query_all(), which pages through every row of a statement. */
#ifndef UP_CMD_CQL_PRINTER_H
#define UP_CMD_CQL_PRINTER_H

#include "cql/cql.h"

#include <stdio.h>

enum cql_output_format { CQL_OUTPUT_TABLE, CQL_OUTPUT_JSON, CQL_OUTPUT_CSV };

struct cql_printer;

struct cql_printer *cql_printer_new(enum cql_output_format format, FILE *out);
/* Adds a page of rows (the first one with columns fixes the header). Non-row results are
 * ignored. */
void cql_printer_add(struct cql_printer *p, const cql_result *page);
/* Writes what is buffered and the footer (table only). */
void cql_printer_finish(struct cql_printer *p);
size_t cql_printer_rows(const struct cql_printer *p);
void cql_printer_free(struct cql_printer *p);

/* Runs st and every following page, handing each page to p. stop (may be NULL) is polled
 * between pages. 0, or -1 with err (a failed page stops the walk). */
int cql_query_all(cql_session *s, cql_statement *st, struct cql_printer *p, bool (*stop)(void),
                  struct cql_error *err);

/* Display width of UTF-8 text in terminal columns (wide East Asian characters count 2,
 * combining marks 0), for aligning tables. */
size_t cql_display_width(const char *s, size_t len);

#endif
