/*
 * modules/net.c - vnet: a network stack of the jail's own (a network
 * namespace owned by the jail's user namespace) or the parent's.
 * Epairs, bridges and moved interfaces come with issue 4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../vjail.h"

static int
net_nsflags(const struct jail_rec *jr)
{
	return jr->vnet == JAIL_SYS_NEW ? CLONE_NEWNET : 0;
}

/* A fresh stack has lo down; FreeBSD's vnet jails have lo0 up. */
static int
net_setup(const struct jail_rec *jr, int rootfd, const char *at, char *err)
{
	struct ifreq ifr;
	int s;

	(void)rootfd, (void)at;
	if (jr->vnet != JAIL_SYS_NEW)
		return 0;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return jerrno(err, "vnet: socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
			close(s);
			return jerrno(err, "vnet: lo up");
		}
	}
	close(s);
	return 0;
}

const struct module mod_net = {
	.name = "net",
	.nsflags = net_nsflags,
	.setup = net_setup,
};
