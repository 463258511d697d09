/* cql_printer: cqlsh-style tables, NDJSON and CSV from result pages. */
#include "cmd/cql_printer.h"

#include "core/buf.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

struct cql_printer {
    enum cql_output_format format;
    FILE *out;
    size_t ncols;
    char **names;
    size_t *widths;
    bool header_done;
    size_t rows;
    /* table: every cell, formatted, row-major */
    char **cells;
    size_t ncells, capcells;
    struct up_buf line;
};

struct cql_printer *cql_printer_new(enum cql_output_format format, FILE *out)
{
    struct cql_printer *p = up_xcalloc(1, sizeof *p);
    p->format = format;
    p->out = out;
    return p;
}

void cql_printer_free(struct cql_printer *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ncols; i++)
        free(p->names[i]);
    free(p->names);
    free(p->widths);
    for (size_t i = 0; i < p->ncells; i++)
        free(p->cells[i]);
    free(p->cells);
    up_buf_free(&p->line);
    free(p);
}

size_t cql_printer_rows(const struct cql_printer *p)
{
    return p->rows;
}

/* Decodes one code point; returns its length (invalid bytes count as one U+FFFD). */
static size_t next_code_point(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = up_utf8_sequence_len(u, len);
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    if (n == 1)
        *cp = u[0];
    else if (n == 2)
        *cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
    else if (n == 3)
        *cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    else
        *cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
              (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
    return n;
}

/* Columns a code point takes: the common ranges of East Asian wide characters and emoji take
 * two, combining marks none (a small table instead of the locale-dependent wcwidth). */
static int code_point_width(uint32_t cp)
{
    if (cp == 0 || (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t cql_display_width(const char *s, size_t len)
{
    size_t width = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        i += next_code_point(s + i, len - i, &cp);
        width += (size_t)code_point_width(cp);
    }
    return width;
}

static void pad(struct up_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        up_buf_putc(b, ' ');
}

/* ---- header ------------------------------------------------------------------------------ */

static void csv_field(struct up_buf *b, const char *s, size_t len)
{
    bool quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        up_buf_append(b, s, len);
        return;
    }
    up_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            up_buf_putc(b, '"');
        up_buf_putc(b, s[i]);
    }
    up_buf_putc(b, '"');
}

static void take_columns(struct cql_printer *p, const cql_result *page)
{
    p->ncols = cql_result_column_count(page);
    p->names = up_xcalloc(p->ncols ? p->ncols : 1, sizeof *p->names);
    p->widths = up_xcalloc(p->ncols ? p->ncols : 1, sizeof *p->widths);
    for (size_t c = 0; c < p->ncols; c++) {
        p->names[c] = up_xstrdup(cql_result_column_name(page, c));
        p->widths[c] = cql_display_width(p->names[c], strlen(p->names[c]));
    }
    p->header_done = true;
    if (p->format != CQL_OUTPUT_CSV)
        return;
    up_buf_clear(&p->line);
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            up_buf_putc(&p->line, ',');
        csv_field(&p->line, p->names[c], strlen(p->names[c]));
    }
    up_buf_putc(&p->line, '\n');
    fwrite(p->line.data, 1, p->line.len, p->out);
}

/* ---- rows -------------------------------------------------------------------------------- */

static void json_row(struct cql_printer *p, const cql_result *page, size_t row)
{
    struct up_buf *b = &p->line;
    up_buf_clear(b);
    up_buf_putc(b, '{');
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            up_buf_putc(b, ',');
        up_buf_putc(b, '"');
        up_buf_json_escape(b, p->names[c], strlen(p->names[c]));
        up_buf_puts(b, "\":");
        struct cql_value v = cql_result_cell(page, row, c);
        cql_value_print(&v, CQL_PRINT_JSON, b);
    }
    up_buf_puts(b, "}\n");
    fwrite(b->data, 1, b->len, p->out);
}

static void csv_row(struct cql_printer *p, const cql_result *page, size_t row)
{
    struct up_buf *b = &p->line, cell = UP_BUF_INIT;
    up_buf_clear(b);
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            up_buf_putc(b, ',');
        struct cql_value v = cql_result_cell(page, row, c);
        up_buf_clear(&cell);
        cql_value_print(&v, CQL_PRINT_TEXT, &cell);
        csv_field(b, cell.data ? cell.data : "", cell.len);
    }
    up_buf_putc(b, '\n');
    fwrite(b->data, 1, b->len, p->out);
    up_buf_free(&cell);
}

static void table_row(struct cql_printer *p, const cql_result *page, size_t row)
{
    struct up_buf cell = UP_BUF_INIT;
    for (size_t c = 0; c < p->ncols; c++) {
        struct cql_value v = cql_result_cell(page, row, c);
        up_buf_clear(&cell);
        cql_value_print(&v, CQL_PRINT_CQLSH, &cell);
        const char *text = cell.data ? cell.data : "";
        size_t w = cql_display_width(text, cell.len);
        if (w > p->widths[c])
            p->widths[c] = w;
        if (p->ncells == p->capcells) {
            p->capcells = p->capcells ? p->capcells * 2 : 1024;
            p->cells = up_xrealloc(p->cells, p->capcells * sizeof *p->cells);
        }
        p->cells[p->ncells++] = up_xstrdup(text);
    }
    up_buf_free(&cell);
}

void cql_printer_add(struct cql_printer *p, const cql_result *page)
{
    if (cql_result_kind(page) != CQL_RESULT_ROWS)
        return;
    if (!p->header_done)
        take_columns(p, page);
    if (cql_result_column_count(page) != p->ncols)
        return; /* a later page never changes shape; refuse to misalign if it did */
    for (size_t r = 0; r < cql_result_row_count(page); r++) {
        if (p->format == CQL_OUTPUT_JSON)
            json_row(p, page, r);
        else if (p->format == CQL_OUTPUT_CSV)
            csv_row(p, page, r);
        else
            table_row(p, page, r);
        p->rows++;
    }
}

static void print_table(struct cql_printer *p)
{
    struct up_buf *b = &p->line;
    up_buf_clear(b);
    up_buf_puts(b, "\n ");
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            up_buf_puts(b, " | ");
        up_buf_puts(b, p->names[c]);
        pad(b, p->widths[c] - cql_display_width(p->names[c], strlen(p->names[c])));
    }
    while (b->len > 0 && b->data[b->len - 1] == ' ') /* cqlsh strips the header's tail */
        b->len--;
    up_buf_puts(b, "\n-");
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            up_buf_puts(b, "-+-");
        for (size_t i = 0; i < p->widths[c]; i++)
            up_buf_putc(b, '-');
    }
    up_buf_puts(b, "-\n");
    fwrite(b->data, 1, b->len, p->out);
    for (size_t r = 0; p->ncols && r < p->ncells / p->ncols; r++) {
        up_buf_clear(b);
        up_buf_putc(b, ' ');
        for (size_t c = 0; c < p->ncols; c++) {
            const char *text = p->cells[r * p->ncols + c];
            if (c)
                up_buf_puts(b, " | ");
            pad(b, p->widths[c] - cql_display_width(text, strlen(text)));
            up_buf_puts(b, text);
        }
        up_buf_putc(b, '\n');
        fwrite(b->data, 1, b->len, p->out);
    }
}

void cql_printer_finish(struct cql_printer *p)
{
    if (p->format == CQL_OUTPUT_TABLE && p->header_done) {
        print_table(p);
        fprintf(p->out, "\n(%zu rows)\n", p->rows);
    }
    fflush(p->out);
}

/* ---- paging ------------------------------------------------------------------------------ */

int cql_query_all(cql_session *s, cql_statement *st, struct cql_printer *p, bool (*stop)(void),
                  struct cql_error *err)
{
    for (;;) {
        cql_result *page;
        if (cql_session_execute_sync(s, st, &page, err) != 0)
            return -1;
        cql_printer_add(p, page);
        bool more = cql_result_has_more_pages(page);
        cql_statement_set_paging_state(st, page);
        cql_result_free(page);
        if (!more || (stop && stop()))
            return 0;
    }
}
