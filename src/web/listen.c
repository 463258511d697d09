/* web/listen: HOST:PORT parsing and resolution for the servers. */
#include "web/listen.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int up_parse_host_port(const char *s, char *host, size_t hostlen, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon)
        return 0;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hostlen)
        return 0;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535)
        return 0;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (uint16_t)p;
    return 1;
}

int up_listen_resolve(const char *flag, const char *host_port, const char *example,
                      struct sockaddr_storage *ss, char *err, size_t errlen)
{
    char host[256];
    uint16_t port;
    if (!up_parse_host_port(host_port, host, sizeof host, &port)) {
        snprintf(err, errlen, "%s '%s': expected HOST:PORT, e.g. %s", flag, host_port, example);
        return -1;
    }
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                             .ai_family = host[0] ? AF_UNSPEC : AF_INET,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, service, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, errlen, "%s '%s': cannot resolve '%s': %s", flag, host_port, host,
                 gai_strerror(rc));
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}
