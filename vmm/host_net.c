#include "vmm/host_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static bool fail(char *err, size_t errlen, const char *what, const char *tap)
{
	snprintf(err, errlen, "%s %s: %s", what, tap, strerror(errno));
	return false;
}

static bool set_addr(int s, const char *tap, unsigned long req, in_addr_t a,
		     char *err, size_t errlen)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = a };

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tap);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	if (ioctl(s, req, &ifr) < 0)
		return fail(err, errlen, "cannot set the address of", tap);
	return true;
}

static bool bring_up(int s, const char *tap, char *err, size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tap);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return fail(err, errlen, "cannot read the flags of", tap);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return fail(err, errlen, "cannot bring up", tap);
	return true;
}

static bool add_to_bridge(int s, const char *tap, const char *br, char *err,
			  size_t errlen)
{
	struct ifreq ifr;
	int idx;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tap);
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		return fail(err, errlen, "no interface", tap);
	idx = ifr.ifr_ifindex;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", br);
	ifr.ifr_ifindex = idx;
	if (ioctl(s, SIOCBRADDIF, &ifr) < 0) {
		snprintf(err, errlen, "cannot add %s to bridge %s: %s", tap, br,
			 strerror(errno));
		return false;
	}
	return true;
}

bool host_net_configure(const char *tap, const char *how, char *err,
			size_t errlen)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (s < 0)
		return fail(err, errlen, "no socket to configure", tap);
	if (!strncmp(how, "bridge:", 7)) {
		ok = add_to_bridge(s, tap, how + 7, err, errlen) &&
		     bring_up(s, tap, err, errlen);
	} else {
		struct in_addr a;
		if (inet_pton(AF_INET, how, &a) != 1) {
			snprintf(err, errlen, "--tunnet: '%s' is not an IPv4 address", how);
			ok = false;
		} else {
			ok = set_addr(s, tap, SIOCSIFADDR, a.s_addr, err, errlen) &&
			     set_addr(s, tap, SIOCSIFNETMASK, htonl(0xffffff00u),
				      err, errlen) &&
			     bring_up(s, tap, err, errlen);
		}
	}
	close(s);
	return ok;
}
