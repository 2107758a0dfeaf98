/*
 * The host side of a guest's tap, for the lguest Launcher's --tunnet:
 * "IP" gives the tap that IPv4 address (/24, as the Launcher did) and brings
 * it up; "bridge:BR" adds the tap to bridge BR and brings it up.
 */
#ifndef LGKVM_HOST_NET_H
#define LGKVM_HOST_NET_H

#include <stdbool.h>
#include <stddef.h>

bool host_net_configure(const char *tap, const char *how, char *err,
			size_t errlen);

#endif
