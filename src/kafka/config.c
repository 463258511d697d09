/* kafka/config: librdkafka configuration from flags and properties files. */
#include "kafka/config.h"

#include "core/buf.h"
#include "core/file.h"

#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The last certificate verdict of any handle, for the error callback's message: the verify
 * callback runs on a broker thread, the error callback on the application's. */
static pthread_mutex_t cert_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_cert_error[320];

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool up_kafka_property_is_secret(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") ||
           strcmp(key, "sasl.oauthbearer.config") == 0 || strcmp(key, "sasl.jaas.config") == 0 ||
           strstr(key, ".key.pem") || ends_with(key, ".key");
}

/* librdkafka quotes the value of an invalid property ("Invalid value "x" for ..."): for a
 * secret, the quote is replaced so that no message carries it. */
static void redact(char *msg, size_t size, const char *value)
{
    static const char mask[] = "[redacted]";
    size_t vlen = strlen(value);
    char *at;
    while (vlen > 0 && (at = strstr(msg, value)) != NULL) {
        size_t tail = strlen(at + vlen);
        if ((size_t)(at - msg) + sizeof mask + tail > size) {
            snprintf(msg, size, "invalid value %s", mask);
            return;
        }
        memmove(at + sizeof mask - 1, at + vlen, tail + 1);
        memcpy(at, mask, sizeof mask - 1);
    }
}

/* The value of property key ("" when unset or unreadable). */
static void conf_value(const rd_kafka_t *rk, const char *key, char *out, size_t outlen)
{
    size_t size = outlen;
    if (rd_kafka_conf_get(rd_kafka_conf((rd_kafka_t *)rk), key, out, &size) != RD_KAFKA_CONF_OK)
        out[0] = '\0';
}

void up_kafka_login(const rd_kafka_t *rk, char *out, size_t outlen)
{
    char protocol[32], mechanism[64], user[256];
    conf_value(rk, "security.protocol", protocol, sizeof protocol);
    conf_value(rk, "sasl.mechanisms", mechanism, sizeof mechanism);
    conf_value(rk, "sasl.username", user, sizeof user);
    if (strncasecmp(protocol, "sasl", 4) != 0)
        snprintf(out, outlen, "no SASL login (security.protocol %s)", protocol);
    else
        snprintf(out, outlen, "user '%s' (SASL %s over %s)", user, mechanism, protocol);
}

bool up_kafka_config_error(const rd_kafka_t *rk, int err, const char *reason, bool connecting,
                           char *out, size_t outlen)
{
    char login[400];
    up_kafka_login(rk, login, sizeof login);
    /* the broker's verdict, not a connection lost during the exchange ("SaslAuthenticateRequest
     * failed: Local: Broker transport failure" comes with the same code) */
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION && !strstr(reason, "transport failure") &&
        !strstr(reason, "Disconnected")) {
        snprintf(out, outlen, "Kafka refused the login of %s: %s", login, reason);
        return true;
    }
    /* librdkafka's own guesses when the peer hangs up during the first exchange */
    bool tls_mismatch = strstr(reason, "PLAINTEXT broker listener?") ||
                        strstr(reason, "connecting to a SSL listener?");
    if ((err == RD_KAFKA_RESP_ERR__SSL && strstr(reason, "certificate")) ||
        (connecting && tls_mismatch)) {
        char verdict[320] = "";
        if (strstr(reason, "certificate verify failed")) {
            pthread_mutex_lock(&cert_lock);
            snprintf(verdict, sizeof verdict, "%s", last_cert_error);
            pthread_mutex_unlock(&cert_lock);
        }
        snprintf(out, outlen, "TLS with Kafka failed for %s: %s%s%s", login,
                 verdict[0] ? verdict : "", verdict[0] ? "; " : "", reason);
        return true;
    }
    return false;
}

int up_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                      size_t errlen)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) == RD_KAFKA_CONF_OK)
        return 0;
    if (up_kafka_property_is_secret(key))
        redact(why, sizeof why, value);
    snprintf(err, errlen, "Kafka property '%s': %s", key, why);
    return -1;
}

/* librdkafka's own text for a certificate that does not verify says only "verify that
 * ssl.ca.location is correctly configured", whether the CA is unknown, the certificate expired
 * or the name does not match: its verdict (x509_error, OpenSSL's) is kept as it is, and
 * named (in its log line, and in up_kafka_config_error's message). */
static int name_cert_error(rd_kafka_t *rk, const char *broker, int32_t broker_id, int *x509_error,
                           int depth, const char *buf, size_t size, char *errstr,
                           size_t errstr_size, void *opaque)
{
    (void)rk, (void)broker_id, (void)buf, (void)size, (void)opaque;
    static const struct {
        int code;
        const char *what;
    } reasons[] = {
        {X509_V_ERR_CERT_HAS_EXPIRED, "the certificate has expired"},
        {X509_V_ERR_CERT_NOT_YET_VALID, "the certificate is not valid yet"},
        {X509_V_ERR_HOSTNAME_MISMATCH, "the host name is not in the certificate"},
        {X509_V_ERR_IP_ADDRESS_MISMATCH, "the IP address is not in the certificate"},
        {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "signed by a CA that ssl.ca.location does not hold"},
        {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
         "signed by a CA that ssl.ca.location does not hold"},
        {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "a self-signed certificate"},
    };
    if (*x509_error == X509_V_OK)
        return 1;
    const char *what = "OpenSSL's verify error";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == *x509_error)
            what = reasons[i].what;
    snprintf(errstr, errstr_size, "certificate of %s (depth %d): %s (X509 error %d)", broker, depth,
             what, *x509_error);
    pthread_mutex_lock(&cert_lock);
    snprintf(last_cert_error, sizeof last_cert_error, "%s", errstr);
    pthread_mutex_unlock(&cert_lock);
    return 0;
}

rd_kafka_conf_t *up_kafka_conf_new(const char *brokers, const struct up_str_list *props,
                                   const char *const *defaults, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_ssl_cert_verify_cb(conf, name_cert_error);
    if (brokers && up_kafka_conf_set(conf, "bootstrap.servers", brokers, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; defaults && defaults[i]; i += 2)
        if (up_kafka_conf_set(conf, defaults[i], defaults[i + 1], err, errlen) != 0)
            goto fail;
    for (size_t i = 0; props && i < props->len; i++) {
        const char *kv = props->items[i];
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            snprintf(err, errlen, "-X '%s': expected KEY=VALUE", kv);
            goto fail;
        }
        char key[UP_KAFKA_PROPERTY_NAME_MAX + 1];
        size_t klen = (size_t)(eq - kv);
        if (klen >= sizeof key) {
            snprintf(err, errlen, "-X: property name too long");
            goto fail;
        }
        memcpy(key, kv, klen);
        key[klen] = '\0';
        if (up_kafka_conf_set(conf, key, eq + 1, err, errlen) != 0)
            goto fail;
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* [*b, *e) without the white space at both ends. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_blank(**b))
        (*b)++;
    while (*e > *b && is_blank((*e)[-1]))
        (*e)--;
}

static void push_property(struct up_kafka_properties *p, const char *k, size_t klen, const char *v,
                          size_t vlen, int line)
{
    p->items = up_xrealloc(p->items, (p->len + 1) * sizeof *p->items);
    p->items[p->len++] = (struct up_kafka_property){
        .key = up_xstrndup(k, klen), .value = up_xstrndup(v, vlen), .line = line};
}

/* One line, [b, e) without its newline. 0, or -1 + err (which never quotes the line: it
 * may be a password written without its key). */
static int parse_line(struct up_kafka_properties *out, const char *b, const char *e, int line,
                      char *err, size_t errlen)
{
    if (e > b && e[-1] == '\r')
        e--;
    trim(&b, &e);
    if (b == e || *b == '#' || *b == '!')
        return 0;
    if (memchr(b, '\0', (size_t)(e - b))) {
        snprintf(err, errlen, "%d: a NUL byte", line);
        return -1;
    }
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq) {
        snprintf(err, errlen, "%d: expected key=value", line);
        return -1;
    }
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    if (kb == ke) {
        snprintf(err, errlen, "%d: a value without a property name", line);
        return -1;
    }
    if ((size_t)(ke - kb) > UP_KAFKA_PROPERTY_NAME_MAX) {
        snprintf(err, errlen, "%d: property name longer than %d bytes", line,
                 UP_KAFKA_PROPERTY_NAME_MAX);
        return -1;
    }
    for (const char *c = kb; c < ke; c++) {
        if (is_blank(*c)) {
            snprintf(err, errlen, "%d: white space inside the property name (expected key=value)",
                     line);
            return -1;
        }
    }
    push_property(out, kb, (size_t)(ke - kb), vb, (size_t)(ve - vb), line);
    return 0;
}

int up_kafka_properties_parse(const char *text, size_t len, struct up_kafka_properties *out,
                              char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > UP_KAFKA_PROPERTIES_MAX_BYTES) {
        snprintf(err, errlen, "larger than %d bytes", UP_KAFKA_PROPERTIES_MAX_BYTES);
        return -1;
    }
    static const char bom[] = "\xEF\xBB\xBF"; /* some editors start UTF-8 files with it */
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (parse_line(out, p, e, line, err, errlen) != 0) {
            up_kafka_properties_free(out);
            return -1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

void up_kafka_properties_free(struct up_kafka_properties *p)
{
    for (size_t i = 0; i < p->len; i++) {
        free(p->items[i].key);
        explicit_bzero(p->items[i].value, strlen(p->items[i].value));
        free(p->items[i].value);
    }
    free(p->items);
    p->items = NULL;
    p->len = 0;
}

/* What a user coming from the Java clients wrote instead of the librdkafka name. */
static const char *java_hint(const char *key)
{
    static const struct {
        const char *java, *hint;
    } hints[] = {
        {"sasl.jaas.config", "a Java client property: librdkafka takes sasl.username and "
                             "sasl.password"},
        {"ssl.truststore.location", "a Java client property: librdkafka takes ssl.ca.location "
                                    "(a PEM file)"},
        {"ssl.truststore.password", "a Java client property: librdkafka's ssl.ca.location is a "
                                    "PEM file, without a password"},
        {"ssl.truststore.type", "a Java client property: librdkafka's ssl.ca.location is a PEM "
                                "file"},
        {"key.serializer", "a Java client property: userpipe sends bytes"},
        {"value.serializer", "a Java client property: userpipe sends bytes"},
        {"key.deserializer", "a Java client property: userpipe reads bytes"},
        {"value.deserializer", "a Java client property: userpipe reads bytes"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(key, hints[i].java) == 0)
            return hints[i].hint;
    return NULL;
}

/* Every property set on a scratch conf, so that a bad one is named with its line now rather
 * than later by whichever client is created first. */
static int check_properties(const char *path, const struct up_kafka_properties *p, char *err,
                            size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->len; i++) {
        char why[768];
        if (up_kafka_conf_set(conf, p->items[i].key, p->items[i].value, why, sizeof why) == 0)
            continue;
        const char *hint = java_hint(p->items[i].key);
        snprintf(err, errlen, "%s:%d: %s%s%s%s", path, p->items[i].line, why, hint ? " (" : "",
                 hint ? hint : "", hint ? ")" : "");
        rc = -1;
    }
    rd_kafka_conf_destroy(conf);
    return rc;
}

/* A file that holds a secret is refused unless only its owner may read it, as
 * --cassandra-password-file is (cmd/cql_cli.c). */
static int check_mode(const char *path, mode_t mode, const struct up_kafka_properties *p, char *err,
                      size_t errlen)
{
    if (!up_file_is_shared(mode))
        return 0;
    for (size_t i = 0; i < p->len; i++) {
        if (up_kafka_property_is_secret(p->items[i].key)) {
            snprintf(err, errlen,
                     "%s:%d holds %s but the file is accessible by group or others (mode %03o); "
                     "refusing it: run chmod 600 %s",
                     path, p->items[i].line, p->items[i].key, (unsigned)(mode & 0777), path);
            return -1;
        }
    }
    return 0;
}

int up_kafka_properties_load(const char *path, struct up_kafka_properties *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t len;
    mode_t mode;
    char *text = up_file_read(path, UP_KAFKA_PROPERTIES_MAX_BYTES, &len, &mode, err, errlen);
    if (!text)
        return -1;
    char why[256];
    int rc = up_kafka_properties_parse(text, len, out, why, sizeof why);
    up_file_free(text, len);
    if (rc != 0) {
        /* "path:LINE: reason", the form editors jump to */
        snprintf(err, errlen, "%s:%s%s", path, why[0] >= '0' && why[0] <= '9' ? "" : " ", why);
        return -1;
    }
    if (check_mode(path, mode, out, err, errlen) != 0 ||
        check_properties(path, out, err, errlen) != 0) {
        up_kafka_properties_free(out);
        return -1;
    }
    return 0;
}
