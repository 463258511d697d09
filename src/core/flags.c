/* flags: table-driven command-line, environment and help handling. */
#include "core/flags.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(opts, flag, type) ((type *)((char *)(opts) + (flag)->offset))

void up_str_list_push(struct up_str_list *l, const char *s)
{
    l->items = up_xrealloc(l->items, (l->len + 1) * sizeof *l->items);
    l->items[l->len++] = up_xstrdup(s);
}

void up_str_list_free(struct up_str_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

static bool parse_number_with_unit(const char *s, double *num, const char **unit)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0' || *s == '-' || *s == '+')
        return false;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return false;
    *num = v;
    *unit = end;
    return true;
}

bool up_parse_duration_ms(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    double v;
    const char *unit;
    if (!parse_number_with_unit(s, &v, &unit))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].unit) == 0) {
            double total = v * units[i].ms;
            if (total > 9.0e15)
                return false;
            *ms = (int64_t)llround(total);
            return true;
        }
    }
    return false;
}

bool up_parse_size(const char *s, int64_t *bytes)
{
    static const struct {
        const char *unit;
        double mult;
    } units[] = {{"", 1},           {"b", 1},           {"k", 1024},        {"kb", 1024},
                 {"kib", 1024},     {"m", 1048576},     {"mb", 1048576},    {"mib", 1048576},
                 {"g", 1073741824}, {"gb", 1073741824}, {"gib", 1073741824}};
    double v;
    const char *unit;
    if (!parse_number_with_unit(s, &v, &unit))
        return false;
    char lower[8];
    size_t n = strlen(unit);
    if (n >= sizeof lower)
        return false;
    /* i < sizeof lower as well as < n: gcc -O3 cannot see that the check above bounds n. */
    for (size_t i = 0; i < n && i < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)unit[i]);
    lower[n] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(lower, units[i].unit) == 0) {
            double total = v * units[i].mult;
            if (total > 9.0e18)
                return false;
            *bytes = (int64_t)llround(total);
            return true;
        }
    }
    return false;
}

static bool choice_ok(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == vlen && strncmp(p, value, len) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static void usage_error(const struct up_command_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void usage_error(const struct up_command_spec *spec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "userpipe %s: ", spec->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    up_flags_print_usage(spec, stderr);
    fprintf(stderr, "Run 'userpipe %s --help' for the flags.\n", spec->name);
}

/* Stores one textual value into the options struct; `origin` names where it came from. */
static bool set_value(const struct up_command_spec *spec, const struct up_flag *f, void *opts,
                      const char *value, const char *origin)
{
    bool bounded = f->min < f->max;
    switch (f->type) {
    case UP_FLAG_STRING:
        if (f->choices && !choice_ok(f->choices, value)) {
            usage_error(spec, "%s --%s: '%s' is not one of %s", origin, f->name, value, f->choices);
            return false;
        }
        char why[512];
        if (f->check && f->check(value, why, sizeof why) != 0) {
            usage_error(spec, "%s --%s: %s", origin, f->name, why);
            return false;
        }
        free(*FIELD(opts, f, char *));
        *FIELD(opts, f, char *) = up_xstrdup(value);
        return true;
    case UP_FLAG_LIST:
        up_str_list_push(FIELD(opts, f, struct up_str_list), value);
        return true;
    case UP_FLAG_BOOL:
        if (!parse_bool(value, FIELD(opts, f, bool))) {
            usage_error(spec, "%s --%s: '%s' is not true or false", origin, f->name, value);
            return false;
        }
        return true;
    case UP_FLAG_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end) {
            usage_error(spec, "%s --%s: '%s' is not a whole number", origin, f->name, value);
            return false;
        }
        if (bounded && (v < f->min || v > f->max)) {
            usage_error(spec, "%s --%s: %lld is out of range [%.0f, %.0f]", origin, f->name, v,
                        f->min, f->max);
            return false;
        }
        *FIELD(opts, f, long long) = v;
        return true;
    }
    case UP_FLAG_DOUBLE: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v)) {
            usage_error(spec, "%s --%s: '%s' is not a number", origin, f->name, value);
            return false;
        }
        if (bounded && (v < f->min || v > f->max)) {
            usage_error(spec, "%s --%s: %g is out of range [%g, %g]", origin, f->name, v, f->min,
                        f->max);
            return false;
        }
        *FIELD(opts, f, double) = v;
        return true;
    }
    case UP_FLAG_DURATION:
    case UP_FLAG_SIZE: {
        int64_t v;
        bool ok = f->type == UP_FLAG_DURATION ? up_parse_duration_ms(value, &v)
                                              : up_parse_size(value, &v);
        if (!ok) {
            usage_error(spec, "%s --%s: '%s' is not a %s", origin, f->name, value,
                        f->type == UP_FLAG_DURATION ? "duration (e.g. 500ms, 60s, 5m, 1h)"
                                                    : "size (e.g. 512, 64k, 16MiB)");
            return false;
        }
        if (bounded && ((double)v < f->min || (double)v > f->max)) {
            usage_error(spec, "%s --%s: '%s' is out of range", origin, f->name, value);
            return false;
        }
        *FIELD(opts, f, int64_t) = v;
        return true;
    }
    }
    return false;
}

static void env_name(const char *flag, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "USERPIPE_");
    for (const char *p = flag; *p && n + 1 < cap; p++)
        out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

static bool apply_env(const struct up_command_spec *spec, const struct up_flag *f, void *opts)
{
    char name[96];
    env_name(f->name, name, sizeof name);
    const char *v = getenv(name);
    if (!v || !*v)
        return true;
    char origin[128];
    snprintf(origin, sizeof origin, "environment %s:", name);
    if (f->type != UP_FLAG_LIST)
        return set_value(spec, f, opts, v, origin);
    char *copy = up_xstrdup(v);
    bool ok = true;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok && ok; tok = strtok_r(NULL, ";", &save))
        ok = set_value(spec, f, opts, tok, origin);
    free(copy);
    return ok;
}

static const struct up_flag *find_long(const struct up_command_spec *spec, const char *name,
                                       size_t len)
{
    for (size_t i = 0; i < spec->nflags; i++)
        if (strlen(spec->flags[i].name) == len && strncmp(spec->flags[i].name, name, len) == 0)
            return &spec->flags[i];
    return NULL;
}

static const struct up_flag *find_short(const struct up_command_spec *spec, char c)
{
    for (size_t i = 0; i < spec->nflags; i++)
        if (spec->flags[i].short_name == c)
            return &spec->flags[i];
    return NULL;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

/* Handles argv[*i], a flag; may consume the next element as its value. */
static bool parse_one_flag(const struct up_command_spec *spec, void *opts, int argc, char **argv,
                           int *i)
{
    const char *arg = argv[*i];
    const struct up_flag *f;
    const char *value = NULL;
    char shown[128];
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        f = find_long(spec, name, len);
        if (!f && !eq && len > 3 && strncmp(name, "no-", 3) == 0) {
            const struct up_flag *neg = find_long(spec, name + 3, len - 3);
            if (neg && neg->type == UP_FLAG_BOOL) {
                *FIELD(opts, neg, bool) = false;
                return true;
            }
        }
        if (!f) {
            usage_error(spec, "unknown flag '--%.*s'", (int)len, name);
            return false;
        }
        if (eq)
            value = eq + 1;
        snprintf(shown, sizeof shown, "--%s", f->name);
    } else {
        f = find_short(spec, arg[1]);
        if (!f) {
            usage_error(spec, "unknown flag '-%c'", arg[1]);
            return false;
        }
        if (arg[2])
            value = arg + 2;
        snprintf(shown, sizeof shown, "-%c", f->short_name);
    }
    if (f->type == UP_FLAG_BOOL && !value)
        value = "true";
    if (!value) {
        if (*i + 1 >= argc) {
            usage_error(spec, "flag %s needs a value (%s)", shown,
                        f->value_name ? f->value_name : "VALUE");
            return false;
        }
        value = argv[++*i];
    }
    return set_value(spec, f, opts, value, "flag");
}

enum up_flags_result up_flags_parse(const struct up_command_spec *spec, void *opts, int argc,
                                    char **argv, char ***args, int *nargs)
{
    *args = up_xcalloc((size_t)argc + 1, sizeof(char *));
    *nargs = 0;
    if (wants_help(argc, argv)) {
        up_flags_print_help(spec, stdout);
        return UP_FLAGS_HELP;
    }
    for (size_t i = 0; i < spec->nflags; i++) {
        const struct up_flag *f = &spec->flags[i];
        if (f->def && !set_value(spec, f, opts, f->def, "default"))
            return UP_FLAGS_USAGE;
        if (!apply_env(spec, f, opts))
            return UP_FLAGS_USAGE;
    }
    /* A flag given on the command line replaces the environment's list, not appends. */
    bool list_reset[64] = {false};
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0') {
            (*args)[(*nargs)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        const struct up_flag *f = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            f = find_long(spec, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
        } else {
            f = find_short(spec, a[1]);
        }
        if (f && f->type == UP_FLAG_LIST) {
            size_t idx = (size_t)(f - spec->flags);
            if (idx < 64 && !list_reset[idx]) {
                up_str_list_free(FIELD(opts, f, struct up_str_list));
                list_reset[idx] = true;
            }
        }
        if (!parse_one_flag(spec, opts, argc, argv, &i))
            return UP_FLAGS_USAGE;
    }
    if (*nargs < spec->min_args || *nargs > spec->max_args) {
        if (*nargs > spec->max_args)
            usage_error(spec, "unexpected argument '%s'", (*args)[spec->max_args]);
        else
            usage_error(spec, "missing argument %s", spec->args ? spec->args : "");
        return UP_FLAGS_USAGE;
    }
    return UP_FLAGS_OK;
}

void up_flags_free(const struct up_command_spec *spec, void *opts)
{
    for (size_t i = 0; i < spec->nflags; i++) {
        const struct up_flag *f = &spec->flags[i];
        if (f->type == UP_FLAG_STRING) {
            free(*FIELD(opts, f, char *));
            *FIELD(opts, f, char *) = NULL;
        } else if (f->type == UP_FLAG_LIST) {
            up_str_list_free(FIELD(opts, f, struct up_str_list));
        }
    }
}

void up_flags_print_usage(const struct up_command_spec *spec, FILE *out)
{
    fprintf(out, "Usage: userpipe %s [flags]%s%s\n", spec->name, spec->args ? " " : "",
            spec->args ? spec->args : "");
}

void up_flags_print_help(const struct up_command_spec *spec, FILE *out)
{
    up_flags_print_usage(spec, out);
    fprintf(out, "\n%s\n\nFlags:\n", spec->summary);
    for (size_t i = 0; i < spec->nflags; i++) {
        const struct up_flag *f = &spec->flags[i];
        struct up_buf left = UP_BUF_INIT;
        if (f->short_name)
            up_buf_printf(&left, "  -%c, --%s", f->short_name, f->name);
        else
            up_buf_printf(&left, "      --%s", f->name);
        if (f->type != UP_FLAG_BOOL)
            up_buf_printf(&left, " %s", f->value_name ? f->value_name : "VALUE");
        char env[96];
        env_name(f->name, env, sizeof env);
        fprintf(out, "%-38s %s", left.data, f->help);
        if (f->choices)
            fprintf(out, " (%s)", f->choices);
        if (f->def)
            fprintf(out, " [default %s]", f->def);
        fprintf(out, " [$%s]\n", env);
        up_buf_free(&left);
    }
    fprintf(out, "  -h, --help                           show this help\n");
    if (spec->details)
        fprintf(out, "\n%s\n", spec->details);
    fprintf(out, "\nExit status: 0 success, 1 runtime failure, 2 usage error.\n");
}

bool up_common_apply(const struct up_common_opts *c, const char *component)
{
    enum up_log_format fmt = UP_LOG_TEXT;
    enum up_log_level lvl = UP_LOG_INFO;
    if (c->log_format && !up_log_parse_format(c->log_format, &fmt))
        return false;
    if (c->log_level && !up_log_parse_level(c->log_level, &lvl))
        return false;
    up_log_setup(component, fmt, lvl);
    return true;
}

bool up_parse_time_ms(const char *s, int64_t *epoch_ms)
{
    char *end;
    errno = 0;
    long long ms = strtoll(s, &end, 10);
    if (end != s && *end == '\0' && errno == 0 && ms >= 0) {
        *epoch_ms = ms;
        return true;
    }
    return up_iso8601_parse(s, strlen(s), epoch_ms);
}

int up_flag_time_check(const char *value, char *err, size_t errlen)
{
    int64_t ms;
    if (!*value || up_parse_time_ms(value, &ms))
        return 0;
    snprintf(err, errlen,
             "'%.64s' is not an ISO 8601 date-time (2026-12-07T17:00:00Z) nor ms since the epoch",
             value);
    return -1;
}

int64_t up_flag_time_value(const char *value)
{
    int64_t ms;
    return value && *value && up_parse_time_ms(value, &ms) ? ms : -1;
}
