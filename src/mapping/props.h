/* mapping/props: a reader for the Java properties format that Kafka Connect standalone files
 * use (java.util.Properties.load): '#' and '!' comments, `key=value`, `key: value` and
 * `key value`, a backslash at the end of a line continuing the value on the next one (leading
 * blanks there dropped), and the escapes \t \n \r \f \uXXXX and \x -> x. No I/O: it reads a
 * buffer, so it is unit-tested and fuzzed on bytes.
 *
 * Each entry remembers where it stood so that later checks (a bad key, a mapping expression
 * naming a column the table lacks) can point at file:line:column: the key's position, and for
 * the value a table of segments (one per physical line it spans) that turns an offset into the
 * decoded value back into a line and a column. */
#ifndef UP_MAPPING_PROPS_H
#define UP_MAPPING_PROPS_H

#include <stddef.h>

/* Bounds on untrusted input: a standalone connector file is a few kilobytes. */
#define UP_PROPS_MAX_BYTES   (1u << 20)
#define UP_PROPS_MAX_ENTRIES 4096

struct up_props_segment {
    size_t offset; /* into the decoded value */
    int line, col; /* where that byte of the value came from (1-based) */
};

struct up_props_entry {
    char *key;
    char *value; /* decoded; NUL-terminated (a \u0000 escape is refused, so no NUL inside) */
    size_t value_len;
    int line, col; /* the key's first character */
    struct up_props_segment *segs;
    size_t nsegs;
};

struct up_props {
    struct up_props_entry *entries; /* in file order; a key given twice is refused */
    size_t n;
};

/* Parses text[0..len). 0, or -1 with "LINE:COL: why" in err (the caller adds the file name).
 * On failure *out is empty. */
int up_props_parse(const char *text, size_t len, struct up_props *out, char *err, size_t errlen);
void up_props_free(struct up_props *p);
/* The entry for key, or NULL. */
const struct up_props_entry *up_props_get(const struct up_props *p, const char *key);
/* Where byte offset of e's value came from. */
void up_props_position(const struct up_props_entry *e, size_t offset, int *line, int *col);

#endif
