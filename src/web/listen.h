/* web/listen: turns a --listen / --metrics "HOST:PORT" into a socket address, the one
 * way every userpipe server (api, ui, metrics) reads where to bind. */
#ifndef UP_WEB_LISTEN_H
#define UP_WEB_LISTEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Splits "host:port" (host may be empty or [v6]); 0 on a malformed address. */
int up_parse_host_port(const char *s, char *host, size_t hostlen, uint16_t *port);

/* Resolves host_port for binding. An empty host means every IPv4 interface (name [::]
 * for IPv6). On failure err names the flag (e.g. "--listen"), the value and an example. */
int up_listen_resolve(const char *flag, const char *host_port, const char *example,
                      struct sockaddr_storage *ss, char *err, size_t errlen);

#endif
