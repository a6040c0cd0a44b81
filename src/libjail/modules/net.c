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
#include <sys/stat.h>
#include <stdio.h>
#include <limits.h>
#include <unistd.h>

#include "../vjail.h"

static int
net_nsflags(const struct jail_rec *jr)
{
	return jr->vnet == JAIL_SYS_NEW ? CLONE_NEWNET : 0;
}

/* A fresh stack has lo down; FreeBSD's vnet jails have lo0 up. */
static int
net_setup(const struct jail_rec *jr, int rootfd, char *err)
{
	struct ifreq ifr;
	int s;

	(void)rootfd;
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

/*
 * /run/netns/<name> for ip netns, ss -N and friends: a symlink to the
 * holder's namespace, so the host's mount table does not grow per jail.
 */
#define NETNS_DIR "/run/netns"

static void
netns_path(const struct jail_rec *jr, char *buf, size_t len)
{
	snprintf(buf, len, NETNS_DIR "/%s", jr->name);
}

static int
net_publish(const struct jail_rec *jr, char *err)
{
	char link[PATH_MAX], target[64];

	if (jr->vnet != JAIL_SYS_NEW)
		return 0;
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return jerrno(err, "vnet: mkdir " NETNS_DIR);
	netns_path(jr, link, sizeof(link));
	snprintf(target, sizeof(target), "/proc/%d/ns/net", (int)jr->holder);
	if (symlink(target, link) < 0)
		return jerrno(err, "vnet: %s", link);
	return 0;
}

/* Remove the link only if it is ours: it names this jail's holder. */
static void
net_unpublish(const struct jail_rec *jr)
{
	char link[PATH_MAX], target[64], got[64];
	ssize_t n;

	if (jr->vnet != JAIL_SYS_NEW || jr->holder <= 0)
		return;
	netns_path(jr, link, sizeof(link));
	snprintf(target, sizeof(target), "/proc/%d/ns/net", (int)jr->holder);
	n = readlink(link, got, sizeof(got) - 1);
	if (n > 0 && (got[n] = '\0', strcmp(got, target) == 0))
		unlink(link);
}

const struct module mod_net = {
	.name = "net",
	.nsflags = net_nsflags,
	.setup = net_setup,
	.publish = net_publish,
	.unpublish = net_unpublish,
};
