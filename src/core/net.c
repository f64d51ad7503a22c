/*
 * net.c - listener addresses, shared by the HTTP and SSH listeners.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

int net_parse_addr(struct sockaddr_storage *out, socklen_t *outlen, const char *spec,
		   struct err *e)
{
	const char *colon = strrchr(spec, ':');
	char host[INET6_ADDRSTRLEN + 2];
	uint64_t port;
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (colon == NULL || parse_u64(colon + 1, strlen(colon + 1), 0, 65535, &port) < 0)
		return err_set(e, CC_EINVAL, NULL, "'%s' is not HOST:PORT", spec);
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return err_set(e, CC_EINVAL, NULL, "'%s' is not HOST:PORT", spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return err_set(e, CC_EINVAL, NULL, "'%s' is not an IPv6 address", host);
		*outlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)out;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return err_set(e, CC_EINVAL, NULL, "'%s' is not an IPv4 address", host);
		*outlen = sizeof(*a);
	}
	return 0;
}
