/*
 * modules/net.c - vnet: a network stack of the jail's own (a network
 * namespace owned by the jail's user namespace) or its parent's, and the
 * wiring of vnet stacks into networks (all through rtnetlink):
 *
 *   vnet.bridge     one epair per bridge: epair<N>a in the parent's stack,
 *                   in the bridge (made if missing, tagged "vjail"), and
 *                   eth0, eth1, ... in the jail (N = jid * 10 + index)
 *   vnet.link       one epair per peer vnet jail, an ethK at each end
 *   vnet.interface  links of the parent's stack moved in, and back out
 *                   (by ifindex, since the jail may rename them) before
 *                   the jail's stack goes
 *   vnet.ip4.addr, vnet.ip6.addr, vnet.ip4/ip6.defaultrouter
 *
 * "Outer" is the stack the jail's epairs and moved links come from: the
 * parent jail's (its holder's), or the creating command's for a jail of
 * the host.  Epairs die with the jail's stack; a bridge vjail made goes
 * when its last port does.  New links are quiet while they come up (no
 * link-local on host ends, no DAD or router solicitation on jail ends),
 * so a bridge does not flood every port with each new jail's chatter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "../vjail.h"

#define NETNS_DIR	"/run/netns"
#define MAX_ITEMS	16

/* Split a comma-separated list into at most MAX_ITEMS items in buf. */
static int
split(const char *list, char buf[JAIL_LISTLEN], char *item[MAX_ITEMS])
{
	int n = 0;

	snprintf(buf, JAIL_LISTLEN, "%s", list);
	for (char *save, *t = strtok_r(buf, ", ", &save); t;
	    t = strtok_r(NULL, ", ", &save)) {
		if (n == MAX_ITEMS)
			return -1;
		item[n++] = t;
	}
	return n;
}

/* "[iface|]addr/plen": iface defaults to eth0. */
static int
parse_addr(const char *pname, char *s, int family, char **iface,
    unsigned char addr[16], int *plen, char *err)
{
	char *bar = strchr(s, '|'), *slash, *ep;
	int max = family == AF_INET ? 32 : 128;

	*iface = "eth0";
	if (bar) {
		*bar = '\0';
		*iface = s;
		s = bar + 1;
		if (!**iface || strlen(*iface) >= IFNAMSIZ) {
			errno = EINVAL;
			return jerr(err, "%s: bad interface name \"%s\"", pname,
			    *iface);
		}
	}
	*plen = max;
	if ((slash = strchr(s, '/')) != NULL) {
		*slash = '\0';
		*plen = (int)strtol(slash + 1, &ep, 10);
		if (ep == slash + 1 || *ep || *plen < 0 || *plen > max) {
			*slash = '/';
			errno = EINVAL;
			return jerr(err, "%s: bad prefix length in \"%s\"",
			    pname, s);
		}
	}
	if (inet_pton(family, s, addr) != 1) {
		errno = EINVAL;
		return jerr(err, "%s: \"%s\" is not an IPv%d address", pname, s,
		    family == AF_INET ? 4 : 6);
	}
	if (slash)
		*slash = '/';
	return 0;
}

static int
check_names(const char *pname, const char *list, char *err)
{
	char buf[JAIL_LISTLEN], *item[MAX_ITEMS];
	int n = split(list, buf, item);

	if (n < 0) {
		errno = E2BIG;
		return jerr(err, "%s: at most %d entries", pname, MAX_ITEMS);
	}
	for (int i = 0; i < n; i++)
		if (strlen(item[i]) >= IFNAMSIZ || strchr(item[i], '/')) {
			errno = EINVAL;
			return jerr(err, "%s: \"%s\" is not a link name (at most "
			    "15 characters)", pname, item[i]);
		}
	return 0;
}

static int
check_addrs(const char *pname, const char *list, int family, char *err)
{
	char buf[JAIL_LISTLEN], *item[MAX_ITEMS], *iface;
	unsigned char a[16];
	int plen, n = split(list, buf, item);

	if (n < 0) {
		errno = E2BIG;
		return jerr(err, "%s: at most %d entries", pname, MAX_ITEMS);
	}
	for (int i = 0; i < n; i++)
		if (parse_addr(pname, item[i], family, &iface, a, &plen, err) < 0)
			return -1;
	return 0;
}

static int
net_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	static const char *const wiring[] = { "vnet.interface", "vnet.bridge",
	    "vnet.link", "vnet.ip4.addr", "vnet.ip6.addr",
	    "vnet.ip4.defaultrouter", "vnet.ip6.defaultrouter", "vnet.quiet" };
	unsigned char a[16];

	(void)flags;
	for (size_t i = 0; i < sizeof(wiring) / sizeof(*wiring); i++) {
		bool neg;
		const struct param_def *pd = param_lookup(wiring[i], &neg);
		if (set_has_name(set, wiring[i]) && jr->vnet != JAIL_SYS_NEW &&
		    *(char *)param_field(pd, jr)) {
			errno = EINVAL;
			return jerr(err, "%s: only for a jail with vnet",
			    wiring[i]);
		}
	}
	/* A child takes links and bridges from its parent's stack: only if
	 * that stack is the parent's own, never the host's through it. */
	if (parent && parent->vnet != JAIL_SYS_NEW &&
	    (jr->vnet_iface[0] || jr->vnet_bridge[0])) {
		errno = EPERM;
		return jerr(err, "%s: the parent jail has no network stack of "
		    "its own", jr->vnet_iface[0] ? "vnet.interface" :
		    "vnet.bridge");
	}
	if (check_names("vnet.interface", jr->vnet_iface, err) < 0 ||
	    check_names("vnet.bridge", jr->vnet_bridge, err) < 0 ||
	    check_addrs("vnet.ip4.addr", jr->vnet_ip4, AF_INET, err) < 0 ||
	    check_addrs("vnet.ip6.addr", jr->vnet_ip6, AF_INET6, err) < 0)
		return -1;
	if (jr->vnet_gw4[0] && inet_pton(AF_INET, jr->vnet_gw4, a) != 1) {
		errno = EINVAL;
		return jerr(err, "vnet.ip4.defaultrouter: \"%s\" is not an IPv4 "
		    "address", jr->vnet_gw4);
	}
	if (jr->vnet_gw6[0] && inet_pton(AF_INET6, jr->vnet_gw6, a) != 1) {
		errno = EINVAL;
		return jerr(err, "vnet.ip6.defaultrouter: \"%s\" is not an IPv6 "
		    "address", jr->vnet_gw6);
	}
	return 0;
}

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

/* ----- host side ----- */

static int
open_netns(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * A jail's stack being wired: a socket in it, and the ends of new epairs
 * that are to come up there.  One visit to the stack (setns there and
 * back) opens the socket and the IPv6 knobs of every end made so far: a
 * /proc/sys/net file belongs to the stack its opener is in, and stays so
 * once open.
 */
#define MAX_ENDS	(2 * MAX_ITEMS)
#define LL_WAIT_MS	50	/* at most, for a jail end's link-local */
enum { K_DAD, K_RS, K_OFF, K_GEN, KNOBS };
static const char *const knob_name[KNOBS] = { "accept_dad",
    "router_solicitations", "disable_ipv6", "addr_gen_mode" };

struct end {
	int	 idx;			/* in the stack */
	char	 name[IFNAMSIZ];
	int	 knob[KNOBS];		/* open in the stack, or -1 */
	char	 old[2][16];		/* accept_dad, router_solicitations */
	bool	 visited;		/* its knobs were opened */
	bool	 up;
	bool	 hushed;		/* its knobs are 0 until it is up */
	bool	 waiting;		/* for its link-local */
};

struct stack {
	int	 fd;			/* the network namespace */
	pid_t	 holder;		/* its holder's, if a jail's own */
	bool	 quiet;			/* vnet.quiet */
	struct nl nl;			/* a socket in it, once visited */
	int	 n;
	struct end end[MAX_ENDS];
};

static void
stack_init(struct stack *st, int fd, pid_t holder, bool quiet)
{
	st->fd = fd;
	st->holder = holder;
	st->quiet = quiet;
	st->nl.s = NULL;
	st->n = 0;
}

static int
stack_add_end(struct stack *st, int idx, const char *name, char *err)
{
	struct end *e;

	if (st->n == MAX_ENDS) {
		errno = E2BIG;
		return jerr(err, "vnet: more than %d new links", MAX_ENDS);
	}
	e = &st->end[st->n++];
	memset(e, 0, sizeof(*e));
	e->idx = idx;
	snprintf(e->name, sizeof(e->name), "%s", name);
	for (int k = 0; k < KNOBS; k++)
		e->knob[k] = -1;
	return 0;
}

/*
 * The stack's /proc/sys/net/ipv6/conf, through its holder's own /proc (a
 * procfs of its own: a link's directory is looked up there among that
 * stack's links alone, where the host's /proc/sys keeps the "eth0" of
 * every stack that was looked up through it on one hash chain, a lookup
 * growing with the number of jails), or the host's.  Reached without
 * symlinks, and only if a procfs: what the jail could have put there is
 * never taken, and whichever procfs it is, the knobs opened through it
 * are those of the opener's stack.  Called in the stack.
 */
static int
conf_dir(pid_t holder)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS };
	struct statfs sf;
	char path[64];
	int root, fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)holder);
	if (holder > 0 && (root = open(path, O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		fd = (int)syscall(SYS_openat2, root, "proc/sys/net/ipv6/conf",
		    &how, sizeof(how));
		close(root);
		if (fd >= 0 && (fstatfs(fd, &sf) < 0 ||
		    sf.f_type != PROC_SUPER_MAGIC)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		fd = open("/proc/sys/net/ipv6/conf", O_PATH | O_DIRECTORY |
		    O_CLOEXEC);
	return fd;
}

/* Into the stack and back, if there is anything to open there. */
static int
stack_visit(struct stack *st, char *err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV };
	bool need = st->nl.s == NULL;
	int self, conf = -1, rc = 0;

	for (int i = 0; i < st->n; i++)
		need |= !st->end[i].visited && !st->quiet;
	if (!need)
		return 0;
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "vnet: /proc/self/ns/net");
	if (setns(st->fd, CLONE_NEWNET) < 0) {
		close(self);
		return jerrno(err, "vnet: entering the jail's stack");
	}
	if (st->nl.s == NULL)
		rc = nl_open(&st->nl, -1, err);
	for (int i = 0; i < st->n; i++) {
		struct end *e = &st->end[i];
		int dir;
		if (e->visited || st->quiet)
			continue;
		e->visited = true;
		if (conf < 0 && (conf = conf_dir(st->holder)) < 0)
			continue;
		/* one lookup of the link's name, the knobs within */
		how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
		if ((dir = (int)syscall(SYS_openat2, conf, e->name, &how,
		    sizeof(how))) < 0)
			continue;
		for (int k = 0; k < KNOBS; k++) {
			how.flags = (k == K_DAD || k == K_RS ? O_RDWR :
			    O_RDONLY) | O_CLOEXEC;
			e->knob[k] = (int)syscall(SYS_openat2, dir,
			    knob_name[k], &how, sizeof(how));
		}
		close(dir);
	}
	if (conf >= 0)
		close(conf);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();	/* our own stack: cannot fail */
	close(self);
	return rc;
}

static bool
knob_get(int fd, char *buf, size_t len)
{
	ssize_t k = fd >= 0 ? pread(fd, buf, len - 1, 0) : -1;

	if (k <= 0)
		return false;
	buf[k] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static void
knob_set(int fd, const char *val)
{
	if (fd >= 0)
		(void)!pwrite(fd, val, strlen(val), 0);
}

static void
end_event(const struct nlmsghdr *h, void *arg)
{
	struct stack *st = arg;
	int idx = nl_lladdr_event(h);

	for (int i = 0; idx > 0 && i < st->n; i++)
		if (st->end[i].idx == idx)
			st->end[i].waiting = false;
}

/*
 * Hush an end while it comes up, if it will make a link-local address:
 * it gets it usable at once and without flooding the bridge (no DAD, no
 * router solicitation for it), then its own settings back (stack_close),
 * so everything the user does later behaves as the jail's stack says
 * (DESIGN.md: quieting the jail side is the user's choice: vnet.quiet).
 * accept_dad=0 completes the link-local as soon as its DAD work runs
 * (dad_transmits=0 would still wait up to rtr_solicit_delay).
 */
static bool
end_hush(struct end *e)
{
	char v[16];

	if (e->knob[K_DAD] < 0 || e->knob[K_RS] < 0 ||
	    !knob_get(e->knob[K_OFF], v, sizeof(v)) || strcmp(v, "0") != 0 ||
	    !knob_get(e->knob[K_GEN], v, sizeof(v)) || strcmp(v, "1") == 0 ||
	    !knob_get(e->knob[K_DAD], e->old[0], sizeof(e->old[0])) ||
	    !knob_get(e->knob[K_RS], e->old[1], sizeof(e->old[1])))
		return false;	/* no IPv6 link-local to come */
	knob_set(e->knob[K_DAD], "0");
	knob_set(e->knob[K_RS], "0");
	return e->hushed = e->waiting = true;
}

/*
 * The new ends, in one batch with the requests the caller queues between
 * stack_begin() and stack_finish() (addresses before stack_queue_up(),
 * routes after): with vnet.quiet without IPv6 link-local; else hushed.
 */
static void
stack_begin(struct stack *st)
{
	bool hushed = false;

	nl_batch(&st->nl);
	for (int i = 0; i < st->n; i++) {
		struct end *e = &st->end[i];
		if (e->up)
			continue;
		if (st->quiet) {
			nl_link_quiet(&st->nl, e->idx);
			nl_label(&st->nl, "vnet.quiet: %s", e->name);
		} else
			hushed |= end_hush(e);
	}
	if (hushed) {
		st->nl.event = end_event;
		st->nl.event_arg = st;
		nl_watch_ipv6_addrs(&st->nl);
	}
}

static void
stack_queue_up(struct stack *st)
{
	char err[JAIL_ERRMSGLEN];

	for (int i = 0; i < st->n; i++) {
		struct end *e = &st->end[i];
		if (e->up)
			continue;
		e->up = true;
		nl_link_set(&st->nl, e->idx, NULL, 1, -1, err);
		nl_label(&st->nl, "vnet: %s up", e->name);
	}
}

/*
 * Send the batch, wait for the hushed ends' link-locals (made by a work
 * item), then a request that takes the RTNL lock for each: answered only
 * once the work that made its link-local (holding that lock while it
 * decides on a router solicitation) is done, so its knobs may go back.
 */
static int
stack_finish(struct stack *st, char *err)
{
	struct timespec t0, t;
	bool waiting = true;
	int ms;

	if (nl_commit(&st->nl, err) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waiting) {
		waiting = false;
		for (int i = 0; i < st->n; i++)
			waiting |= st->end[i].waiting;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = LL_WAIT_MS - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (waiting && (ms <= 0 || nl_poll(&st->nl, ms) < 0))
			break;
	}
	nl_batch(&st->nl);
	for (int i = 0; i < st->n; i++)
		if (st->end[i].hushed)
			nl_link_set(&st->nl, st->end[i].idx, NULL, 1, -1, err);
	return nl_commit(&st->nl, err);	/* nothing queued: 0 */
}

/* Knobs back as they were, and closed; the socket closed. */
static void
stack_close(struct stack *st)
{
	for (int i = 0; i < st->n; i++) {
		struct end *e = &st->end[i];
		if (e->hushed) {
			knob_set(e->knob[K_DAD], e->old[0]);
			knob_set(e->knob[K_RS], e->old[1]);
		}
		for (int k = 0; k < KNOBS; k++)
			if (e->knob[k] >= 0)
				close(e->knob[k]);
	}
	st->n = 0;
	nl_close(&st->nl);
}

/*
 * A bridge epair's host end: epair<N>a, N = jid * 10 + k, as FreeBSD's
 * users know it; taken (a jail of the same jid in another registry on
 * this stack), epair<d0000000 + N>a for the first free d of 1..9.  Its
 * alias says whose it is: "vjail:<registry>:<jid>:<holder>:<start>"
 * (registry: the device and inode of its directory), so that a bridge's
 * last user knows a port of a live jail, of any registry, from one of a
 * jail that is gone (its end goes with its stack, a little later).
 */
#define EPAIR_ALTS	10
static void
epair_name(const struct jail_rec *jr, int k, int alt, char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, "epair%da", alt * 10000000 + jr->jid * 10 + k);
}

static void
epair_alias(struct registry *r, const struct jail_rec *jr, char *buf,
    size_t len)
{
	struct stat st;

	if (fstat(r->dirfd, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(buf, len, "vjail:%lx.%lx:%d:%d:%llu", (unsigned long)st.st_dev,
	    (unsigned long)st.st_ino, jr->jid, (int)jr->holder,
	    (unsigned long long)jr->holder_start);
}

/* The registry key of a bridge: its name within the outer stack. */
static void
bridge_key(const struct jail_rec *jr, const char *br, char *key, size_t len)
{
	snprintf(key, len, "%d.%s", jr->parent, br);
}

/*
 * A host end is a bridge port and nothing more: IPv6 off on it before it
 * comes up.  addrgenmode none leaves it no address, but the kernel still
 * gives every IPv6 link with a carrier a multicast route (ff00::/8), all
 * of a stack's on one list: each insert walks it (fib6_add_rt2node, in
 * the link watcher, holding the RTNL lock) and each carrier change of a
 * port walks the stack's whole IPv6 table, so a create grew with the
 * ports of the outer stack.  A bridge forwards IPv6 whatever its ports'
 * own stack says.  The knob is its opener's stack's: opened in the outer
 * one (own: the caller's, no setns), and written only if a procfs's.
 * Best effort: without IPv6 there is no knob, and addrgenmode none still
 * keeps the end quiet.
 */
static void
host_end_v6_off(int outfd, bool own, const char *host)
{
	struct statfs sf;
	char path[80];
	int self = -1, fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
	    host);
	if (!own && ((self = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) < 0 || setns(outfd, CLONE_NEWNET) < 0)) {
		if (self >= 0)
			close(self);
		return;
	}
	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
			(void)!write(fd, "1", 1);
		close(fd);
	}
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0)
			abort();	/* our own stack: cannot fail */
		close(self);
	}
}

/*
 * One epair per bridge: the host end made in the bridge, IPv6 off, quiet,
 * up; the jail end made in the jail's stack, down, one of st's ends.  Per
 * jail, two round trips on the host's stack and no look at its other
 * links.
 */
static int
join_bridges(struct registry *r, const struct jail_rec *jr, struct nl *out,
    int outfd, struct stack *st, int *next_eth, char *err)
{
	char buf[JAIL_LISTLEN], *br[MAX_ITEMS], host[IFNAMSIZ], eth[IFNAMSIZ],
	    alias[128], key[64];
	int n = split(jr->vnet_bridge, buf, br), idx, kind, hidx = -1, peer;

	epair_alias(r, jr, alias, sizeof(alias));
	for (int k = 0; k < n; k++) {
		if (k >= 10) {
			errno = E2BIG;
			return jerr(err, "vnet.bridge: at most 10 bridges");
		}
		kind = nl_bridge_kind(out, br[k], &idx);
		if (kind < 0 && errno == ENOTTY) {
			errno = EEXIST;
			return jerr(err, "vnet.bridge: %s exists and is not a "
			    "bridge", br[k]);
		}
		/* Recorded as a user of the bridge before it is made: a
		 * bridge vjail made always has a user who removes it. */
		bridge_key(jr, br[k], key, sizeof(key));
		if (reg_member_add(r, "bridges", key, jr->jid) < 0)
			return jerrno(err, "vnet.bridge: registry");
		fault_point("net-bridge-recorded");
		if (kind < 0 && (idx = nl_bridge_add(out, br[k], err)) < 0)
			return jerr(err, "vnet.bridge: %s: %s", br[k],
			    strerror(errno));
		fault_point("net-bridge-made");
		snprintf(eth, sizeof(eth), "eth%d", (*next_eth)++);
		errno = EEXIST;
		for (int alt = 0; alt < EPAIR_ALTS && hidx < 0 && errno == EEXIST;
		    alt++) {
			epair_name(jr, k, alt, host);
			hidx = nl_veth_add(out, host, eth, st->fd, idx, &peer,
			    err);
		}
		if (hidx < 0)
			return -1;
		fault_point("net-epair");
		host_end_v6_off(outfd, jr->parent <= 0, host);
		if (nl_host_end_up(out, hidx, host, alias, err) < 0 ||
		    stack_add_end(st, peer, eth, err) < 0)
			return -1;
		hidx = -1;
	}
	return 0;
}

/*
 * A point-to-point epair to vnet jail `name`: both ends are jail ends,
 * ours one of st's, theirs brought up in their stack (ps) at once.
 */
static int
join_link(struct registry *r, const char *name, struct stack *st,
    struct stack *ps, int *next_eth, char *err)
{
	char here[IFNAMSIZ], there[IFNAMSIZ];
	struct jail_rec p;
	int pfd, m, idx, pidx, rc = -1;

	if (reg_find_alive(r, 0, name, &p) < 0) {
		errno = ENOENT;
		return jerr(err, "vnet.link: jail \"%s\" not found", name);
	}
	if (p.vnet != JAIL_SYS_NEW) {
		errno = EINVAL;
		return jerr(err, "vnet.link: jail \"%s\" has no vnet", name);
	}
	if ((pfd = open_netns(p.holder)) < 0)
		return jerrno(err, "vnet.link: %s", name);
	stack_init(ps, pfd, 0, p.vnet_quiet);	/* (its /proc: the jail's) */
	snprintf(here, sizeof(here), "eth%d", (*next_eth)++);
	if (stack_visit(ps, err) == 0 &&
	    (m = nl_free_eth(&ps->nl, 0, err)) >= 0) {
		snprintf(there, sizeof(there), "eth%d", m);
		if ((idx = nl_veth_add(&st->nl, here, there, pfd, 0, &pidx,
		    err)) >= 0 && stack_add_end(st, idx, here, err) == 0 &&
		    stack_add_end(ps, pidx, there, err) == 0 &&
		    stack_visit(ps, err) == 0) {
			stack_begin(ps);
			stack_queue_up(ps);
			rc = stack_finish(ps, err);
		}
	}
	stack_close(ps);
	close(pfd);
	return rc;
}

static int
join_links(struct registry *r, const struct jail_rec *jr, struct stack *st,
    int *next_eth, char *err)
{
	char buf[JAIL_LISTLEN], *peer[MAX_ITEMS];
	int n = split(jr->vnet_link, buf, peer), rc = 0;
	struct stack *ps;

	if (n <= 0)
		return 0;
	if ((ps = malloc(sizeof(*ps))) == NULL)
		return jerrno(err, "vnet.link");
	for (int k = 0; k < n && rc == 0; k++)
		rc = join_link(r, peer[k], st, ps, next_eth, err);
	free(ps);
	return rc;
}

/*
 * A moved link, as jr->moved records it: "ifindex:name:ident:peer" (its
 * index and first name in the jail's stack, nl_link_ident()'s hash, the
 * index of its peer in the outer stack or 0).
 */
struct moved {
	int	 idx, peer;
	char	*name;
	uint64_t ident;
	bool	 known;		/* an ident was recorded */
};

static void
parse_moved(char *item, struct moved *m)
{
	char *p = strchr(item, ':'), *q;

	memset(m, 0, sizeof(*m));
	m->idx = atoi(item);
	m->name = p ? p + 1 : item;
	if (p && (q = strchr(p + 1, ':')) != NULL) {
		*q = '\0';
		m->ident = strtoull(q + 1, &q, 16);
		m->peer = *q == ':' ? atoi(q + 1) : 0;
		m->known = true;
	}
}

static void
note_moved(struct jail_rec *jr, const struct moved *m)
{
	size_t len = strlen(jr->moved);

	snprintf(jr->moved + len, sizeof(jr->moved) - len, "%s%d:%s:%llx:%d",
	    len ? "," : "", m->idx, m->name, (unsigned long long)m->ident,
	    m->peer);
}

/*
 * Move link name into the jail's stack.  Journaled: "0:name" is in the
 * record before the link moves (teardown then finds it by name, which
 * nothing in the jail has had a chance to change), its index in the
 * jail's stack after.
 */
static int
move_in(struct registry *r, struct jail_rec *jr, struct nl *out,
    struct nl *in, int nsfd, const char *name, char *err)
{
	struct moved m = { .name = (char *)name };
	char before[JAIL_LISTLEN];
	size_t len = strlen(jr->moved);
	int idx = nl_ifindex(out, name);

	if (idx < 0) {
		errno = ENODEV;
		return jerr(err, "vnet.interface: %s: no such link", name);
	}
	/* the intent: "0:name", no identity yet */
	snprintf(before, sizeof(before), "%s", jr->moved);
	snprintf(jr->moved + len, sizeof(jr->moved) - len, "%s0:%s",
	    len ? "," : "", name);
	if (reg_store(r, jr, err) < 0)
		return -1;
	fault_point("net-move-recorded");
	snprintf(jr->moved, sizeof(jr->moved), "%s", before);
	if (nl_link_set(out, idx, NULL, -1, nsfd, err) < 0)
		return jerr(err, "vnet.interface: %s: %s", name,
		    strerror(errno));
	/* its index and identity in the jail's stack are how we know it */
	if ((m.idx = nl_ifindex(in, name)) < 0 ||
	    nl_link_ident(in, m.idx, &m.ident, &m.peer) < 0)
		return jerrno(err, "vnet.interface: %s", name);
	note_moved(jr, &m);
	return 0;
}

/* An entry recorded as about to move ("0:name"): found by its name in
 * the jail's stack, which nothing in the jail has renamed yet. */
static void
about_to_move(struct nl *in, struct moved *m)
{
	if (m->idx == 0 && !m->known)
		m->idx = nl_ifindex(in, m->name);
}

/*
 * Move a link back to outer under its first name (or as it is named now,
 * if that name is taken there) — if it is still the link that was moved
 * in: a jail that deleted it may have made one of its own with the same
 * index, which must not land in the outer stack.
 */
static void
move_out(struct nl *in, const struct moved *m, int outfd, struct nl *out)
{
	char err[JAIL_ERRMSGLEN];
	uint64_t ident;
	int peer;

	if (m->known && (nl_link_ident(in, m->idx, &ident, &peer) < 0 ||
	    ident != m->ident || peer != m->peer ||
	    (peer > 0 && nl_link_peer(out, peer) != m->idx)))
		return;
	if (nl_link_set(in, m->idx, m->name, 0, outfd, err) < 0)
		nl_link_set(in, m->idx, NULL, 0, outfd, err);
}

/* The index of a link of the stack: a new end, or asked. */
static int
stack_ifindex(struct stack *st, const char *name)
{
	for (int i = 0; i < st->n; i++)
		if (strcmp(st->end[i].name, name) == 0)
			return st->end[i].idx;
	return nl_ifindex(&st->nl, name);
}

/* Addresses (and the links they go on: looked up first, since a batch
 * cannot wait for an answer), queued. */
struct addr {
	const char *pname;
	int	 family, idx, plen;
	unsigned char a[16];
};

static int
parse_addrs(struct stack *st, const char *pname, const char *list,
    int family, struct addr *out, int *n, char *err)
{
	char buf[JAIL_LISTLEN], *item[MAX_ITEMS], *iface;
	int k = split(list, buf, item);

	for (int i = 0; i < k; i++) {
		struct addr *ad = &out[(*n)++];
		ad->pname = pname;
		ad->family = family;
		if (parse_addr(pname, item[i], family, &iface, ad->a, &ad->plen,
		    err) < 0)
			return -1;
		if ((ad->idx = stack_ifindex(st, iface)) < 0) {
			errno = ENODEV;
			return jerr(err, "%s: %s: no such link in the jail",
			    pname, iface);
		}
	}
	return 0;
}

static void
queue_addr(struct nl *in, const struct addr *ad)
{
	char err[JAIL_ERRMSGLEN], text[INET6_ADDRSTRLEN];

	nl_addr_add(in, ad->idx, ad->family, ad->a, ad->plen, err);
	inet_ntop(ad->family, ad->a, text, sizeof(text));
	nl_label(in, "%s: %s/%d", ad->pname, text, ad->plen);
}

static void
queue_router(struct nl *in, const char *pname, const char *gw, int family)
{
	char err[JAIL_ERRMSGLEN];
	unsigned char a[16];

	if (!gw[0])
		return;
	inet_pton(family, gw, a);
	nl_route_default(in, family, a, err);
	nl_label(in, "%s: %s", pname, gw);
}

/* /run/netns/<name>: ip netns, ss -N and friends find the jail's stack;
 * a symlink, so the host's mount table does not grow per jail. */
static void
netns_link(const struct jail_rec *jr, char *link, char *target)
{
	snprintf(link, PATH_MAX, NETNS_DIR "/%s", jr->name);
	snprintf(target, 64, "/proc/%d/ns/net", (int)jr->holder);
}

/* The holder pid a /run/netns link of vjail's form names, or -1. */
static long
link_pid(const char *link)
{
	char got[64], *ep;
	ssize_t n = readlink(link, got, sizeof(got) - 1);
	long pid;

	if (n <= 0)
		return -1;
	got[n] = '\0';
	if (strncmp(got, "/proc/", 6) != 0 || (pid = strtol(got + 6, &ep,
	    10)) <= 0 || strcmp(ep, "/ns/net") != 0)
		return -1;
	return pid;
}

/* pid's cgroup v2 path as /proc shows it (relative to our namespace). */
static bool
pid_cgroup(long pid, char *buf, size_t len)
{
	char path[64], cg[2048], *v2;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if (sys_read_small(AT_FDCWD, path, cg, sizeof(cg)) <= 0 ||
	    (v2 = strncmp(cg, "0::", 3) == 0 ? cg : strstr(cg, "\n0::")) ==
	    NULL)
		return false;
	v2 += v2 == cg ? 3 : 4;
	v2[strcspn(v2, "\n")] = '\0';
	snprintf(buf, len, "%s", v2);
	return true;
}

/*
 * A /run/netns/<name> left by an earlier jail of that name (the name is
 * ours now, under the lock): vjail's form, and its holder gone or its
 * jail dying in this registry.  A link of a live jail, or anything not
 * vjail's, is never taken over.
 */
static bool
netns_link_stale(struct registry *r, const char *link)
{
	char cg[PATH_MAX], *slash, *ep;
	struct jail_rec o;
	struct stat st;
	long pid = link_pid(link), jid;

	if (pid < 0)
		return false;
	if (stat(link, &st) < 0)
		return errno == ENOENT;		/* its holder is gone */
	if (!pid_cgroup(pid, cg, sizeof(cg)) ||
	    (slash = strrchr(cg, '/')) == NULL ||
	    (jid = strtol(slash + 1, &ep, 10)) <= 0 || *ep)
		return false;
	return reg_load(r, (int)jid, &o) == 0 && o.holder == (pid_t)pid &&
	    o.state == JS_DYING;
}

/* Is the process the link names at the top of the jail's own cgroup
 * (its holder), for a damaged record that does not say? */
static bool
link_in_cgroup(const char *link, const struct jail_rec *jr)
{
	char cg[PATH_MAX];
	long pid = link_pid(link);
	size_t n, c = strlen(jr->cgroup);

	return pid > 0 && jr->cgroup[0] && pid_cgroup(pid, cg, sizeof(cg)) &&
	    (n = strlen(cg)) > 1 && n <= c && strcmp(jr->cgroup + c - n, cg) == 0;
}

/* Put a symlink in place of another, atomically. */
static int
replace_link(const char *target, const char *link)
{
	char tmp[PATH_MAX + 16];

	snprintf(tmp, sizeof(tmp), "%s.vjail-new", link);
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -1;
	if (rename(tmp, link) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static bool
has_wiring(const struct jail_rec *jr)
{
	return jr->vnet_iface[0] || jr->vnet_bridge[0] || jr->vnet_link[0] ||
	    jr->vnet_ip4[0] || jr->vnet_ip6[0] || jr->vnet_gw4[0] ||
	    jr->vnet_gw6[0];
}

/*
 * Links in (journaled), epairs made (each end made where it belongs),
 * then in the jail's stack, in one batch each: the new ends up, and
 * addresses and routes.  The jail's stack is visited once, the outer one
 * only for links and bridges taken from it.
 */
static int
wire(struct registry *r, struct jail_rec *jr, int nsfd, int outfd,
    char *err)
{
	char buf[JAIL_LISTLEN], *item[MAX_ITEMS];
	struct addr addrs[2 * MAX_ITEMS];
	struct stack *st;
	struct nl out = { .s = NULL };
	int rc = -1, next_eth = 0, n = split(jr->vnet_iface, buf, item), na = 0;

	if ((st = malloc(sizeof(*st))) == NULL)
		return jerrno(err, "vnet");
	stack_init(st, nsfd, jr->holder, jr->vnet_quiet);
	if ((n > 0 || jr->vnet_bridge[0]) && nl_open(&out, outfd, err) < 0)
		goto out;
	if (n > 0 && stack_visit(st, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (move_in(r, jr, &out, &st->nl, nsfd, item[i], err) < 0)
			goto out;
	if (join_bridges(r, jr, &out, outfd, st, &next_eth, err) < 0 ||
	    (jr->vnet_link[0] && stack_visit(st, err) < 0) ||
	    join_links(r, jr, st, &next_eth, err) < 0 ||
	    stack_visit(st, err) < 0 ||
	    parse_addrs(st, "vnet.ip4.addr", jr->vnet_ip4, AF_INET, addrs, &na,
	    err) < 0 ||
	    parse_addrs(st, "vnet.ip6.addr", jr->vnet_ip6, AF_INET6, addrs, &na,
	    err) < 0)
		goto out;
	/* one batch, in the floor's order: addresses, links up, routes */
	stack_begin(st);
	for (int i = 0; i < na; i++)
		queue_addr(&st->nl, &addrs[i]);
	stack_queue_up(st);
	queue_router(&st->nl, "vnet.ip4.defaultrouter", jr->vnet_gw4, AF_INET);
	queue_router(&st->nl, "vnet.ip6.defaultrouter", jr->vnet_gw6, AF_INET6);
	rc = stack_finish(st, err);
out:
	stack_close(st);
	free(st);
	if (out.s)
		nl_close(&out);
	return rc;
}

static int
net_created(struct registry *r, struct jail_rec *jr, char *err)
{
	char link[PATH_MAX], target[64];
	int nsfd, outfd = -1, rc;

	if (jr->vnet != JAIL_SYS_NEW)
		return 0;
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return jerrno(err, "vnet: mkdir " NETNS_DIR);
	netns_link(jr, link, target);
	if (symlink(target, link) < 0 && (errno != EEXIST ||
	    !netns_link_stale(r, link) || replace_link(target, link) < 0))
		return jerrno(err, "vnet: %s", link);
	fault_point("net-linked");
	/* lo is up already (net_setup): nothing else to do without wiring */
	if (!has_wiring(jr))
		return 0;
	if ((nsfd = open_netns(jr->holder)) < 0)
		return jerrno(err, "vnet: the jail's stack");
	if ((jr->vnet_iface[0] || jr->vnet_bridge[0]) &&
	    (outfd = jail_outer_netns(r, jr)) < 0) {
		close(nsfd);
		return jerrno(err, "vnet: the parent's stack");
	}
	rc = wire(r, jr, nsfd, outfd, err);
	close(nsfd);
	if (outfd >= 0)
		close(outfd);
	return rc;
}

struct port_owner { struct registry *r; int jid; bool seen; char me[128]; };

/*
 * Does a bridge port still count?  Not this jail's epair, nor that of a
 * jail that is gone, of this registry or another (its holder, named in
 * the port's alias, is dead: its end goes with its stack, a little
 * later); anything else does.
 */
static bool
port_counts(const char *port, const char *alias, void *arg)
{
	struct port_owner *o = arg;
	struct jail_rec p;
	unsigned long long start;
	int jid, holder, n = 0;
	char *ep;

	if (o->seen)	/* one is enough: the bridge stays */
		return false;
	if (strcmp(alias, o->me) == 0)
		return false;			/* this jail's */
	if (sscanf(alias, "vjail:%*[0-9a-f].%*[0-9a-f]:%d:%d:%llu%n", &jid,
	    &holder, &start, &n) == 3 && alias[n] == '\0')
		return o->seen = holder > 0 &&
		    sys_starttime(holder) == (uint64_t)start;
	if (alias[0] || strncmp(port, "epair", 5) != 0)
		return o->seen = true;
	/* an epair made before aliases said whose it is */
	jid = (int)(strtol(port + 5, &ep, 10) / 10);
	if (strcmp(ep, "a") != 0)
		return o->seen = true;
	return o->seen = jid != o->jid && reg_load(o->r, jid, &p) == 0 &&
	    p.state == JS_ALIVE && reg_holder_alive(&p);
}

/*
 * `jail -r` of many jails undoes each twice (again once all their holders
 * are gone), and the second time every one of them finds its bridges'
 * sets of users gone: only the first need look at a bridge.  A process
 * remembers, by registry and key, the bridges it saw gone once their last
 * user left (absent, or deleted by it; forgotten once it sees users
 * again or keeps the bridge) and the users it took out of their sets
 * itself; it skips the look only for one of those, while the set stays
 * gone.  A user that some other process took out (one whose removal was
 * cut short) still looks, as does any user of a set made again (a jail
 * that joins records itself before it makes the bridge).
 */
#define KEYS_MAX	16
#define LEFT_MAX	8192	/* half of it used, at most */
static struct bkey { dev_t dev; ino_t ino; bool gone; char key[64]; }
    bkeys[KEYS_MAX];
static struct left { int slot, jid; } *left;
static int nkeys, nleft;

/* The slot of registry r's bridge key, or -1; made if add. */
static int
key_slot(struct registry *r, const char *key, bool add)
{
	struct stat st;
	int k;

	if (fstat(r->dirfd, &st) < 0)
		return -1;
	for (k = 0; k < nkeys && k < KEYS_MAX; k++)
		if (bkeys[k].dev == st.st_dev && bkeys[k].ino == st.st_ino &&
		    strcmp(bkeys[k].key, key) == 0)
			return k;
	if (!add)
		return -1;
	k = nkeys++ % KEYS_MAX;
	for (int i = 0; left && i < LEFT_MAX; i++)	/* its former key's */
		if (left[i].slot == k)
			left[i].slot = -1;
	bkeys[k] = (struct bkey){ st.st_dev, st.st_ino, false, "" };
	snprintf(bkeys[k].key, sizeof(bkeys[k].key), "%s", key);
	return k;
}

static void
key_gone(struct registry *r, const char *key, bool gone)
{
	int k = key_slot(r, key, gone);

	if (k >= 0)
		bkeys[k].gone = gone;
}

/* Did this process take jid out of key's set (note: it does now)?  An
 * open-addressed table, so that N removals cost N lookups of O(1). */
static bool
key_left(struct registry *r, const char *key, int jid, bool note)
{
	int k = key_slot(r, key, note);
	unsigned h = (unsigned)jid * 2654435761u >> 19;

	if (k < 0 || (left == NULL && (!note || (left = calloc(LEFT_MAX,
	    sizeof(*left))) == NULL)))
		return false;
	for (int i = 0; i < LEFT_MAX; i++, h++) {
		struct left *l = &left[h % LEFT_MAX];
		if (l->jid == jid && l->slot == k)
			return true;
		if (l->jid == 0) {
			if (note && nleft < LEFT_MAX / 2) {
				*l = (struct left){ k, jid };
				nleft++;
			}
			return false;
		}
	}
	return false;
}

/* May jid, out of key's set already, skip looking at the bridge? */
static bool
key_settled(struct registry *r, const char *key, int jid)
{
	int k = key_slot(r, key, false);

	return k >= 0 && bkeys[k].gone && key_left(r, key, jid, false) &&
	    !reg_member_has(r, "bridges", key, 0);
}

/*
 * Links moved in go back; bridges vjail made go with their last port.
 * Epairs go with the jail's stack, which takes both their ends: nothing
 * else to undo, and no socket opened for a jail with no more than that.
 */
static void
unwire(struct registry *r, const struct jail_rec *jr)
{
	char buf[JAIL_LISTLEN], *item[MAX_ITEMS], *br[MAX_ITEMS],
	    err[JAIL_ERRMSGLEN], key[64];
	struct port_owner owner = { r, jr->jid, false, "" };
	int n = split(jr->moved, buf, item), nb, idx, kind, nsfd = -1,
	    outfd = -1;
	struct nl out = { .s = NULL }, in;

	/* Only while the holder is this jail's is its stack ours to touch. */
	if (n > 0 && reg_holder_alive(jr))
		nsfd = open_netns(jr->holder);
	if (nsfd >= 0 && (outfd = jail_outer_netns(r, jr)) >= 0 &&
	    nl_open(&out, outfd, err) == 0 && nl_open(&in, nsfd, err) == 0) {
		for (int i = 0; i < n; i++) {
			struct moved m;
			parse_moved(item[i], &m);
			about_to_move(&in, &m);
			if (m.idx > 0)
				move_out(&in, &m, outfd, &out);
		}
		nl_close(&in);
	}
	if (nsfd >= 0)
		close(nsfd);
	/*
	 * The registry knows which jails use a bridge: only the last one
	 * looks at its ports (a dump of all of them), so removal does not
	 * grow with the number of jails on the bridge.
	 */
	epair_alias(r, jr, owner.me, sizeof(owner.me));
	nb = split(jr->vnet_bridge, buf, br);
	for (int k = 0; k < nb; k++) {
		bool mine, skip, done = false;
		bridge_key(jr, br[k], key, sizeof(key));
		mine = reg_member_has(r, "bridges", key, jr->jid);
		skip = !mine && key_settled(r, key, jr->jid);
		if (mine)
			key_left(r, key, jr->jid, true);
		if (reg_member_del(r, "bridges", key, jr->jid) > 0) {
			key_gone(r, key, false);	/* it has users */
			continue;
		}
		if (skip)
			continue;
		fault_point("net-bridge-left");
		if (outfd < 0 && (outfd = jail_outer_netns(r, jr)) < 0)
			break;
		if (out.s == NULL && nl_open(&out, outfd, err) < 0)
			break;
		owner.seen = false;
		if ((kind = nl_bridge_kind(&out, br[k], &idx)) < 0)
			done = errno == ENODEV || errno == ENOTTY;
		else if (kind == 0)
			done = true;	/* not vjail's: never ours to delete */
		else if (nl_bridge_ports(&out, idx, port_counts, &owner,
		    err) == 0)
			done = nl_link_del(&out, idx, err) == 0;
		key_gone(r, key, done);
	}
	if (out.s)
		nl_close(&out);
	if (outfd >= 0)
		close(outfd);
}

static void
net_destroy(struct registry *r, const struct jail_rec *jr)
{
	char link[PATH_MAX], target[64], got[64];
	ssize_t n;

	if (jr->damaged) {
		/* its holder is unknown: the one in its cgroup */
		netns_link(jr, link, target);
		if (link_in_cgroup(link, jr))
			unlink(link);
	}
	if (jr->vnet != JAIL_SYS_NEW || jr->holder <= 0)
		return;
	/* The link is ours only if it names this jail's holder. */
	netns_link(jr, link, target);
	n = readlink(link, got, sizeof(got) - 1);
	if (n > 0 && (got[n] = '\0', strcmp(got, target) == 0))
		unlink(link);
	unwire(r, jr);
}

/* jail -m vnet.interface=...: move links in or out to match the list. */
static int
net_update(struct registry *r, struct jail_rec *jr, const uint64_t *set,
    char *err)
{
	char want[JAIL_LISTLEN], had[JAIL_LISTLEN], *w[MAX_ITEMS],
	    *h[MAX_ITEMS];
	int nw, nh, nsfd, outfd, rc = 0;
	struct nl out, in;

	if (!set_has_name(set, "vnet.interface"))
		return 0;
	if (jr->vnet != JAIL_SYS_NEW) {
		errno = EINVAL;
		return jerr(err, "vnet.interface: only for a jail with vnet");
	}
	nw = split(jr->vnet_iface, want, w);
	nh = split(jr->moved, had, h);
	nsfd = open_netns(jr->holder);
	outfd = jail_outer_netns(r, jr);
	if (nsfd < 0 || outfd < 0 || nl_open(&out, outfd, err) < 0) {
		rc = jerrno(err, "vnet.interface");
		goto done;
	}
	if (nl_open(&in, nsfd, err) < 0) {
		nl_close(&out);
		rc = -1;
		goto done;
	}
	jr->moved[0] = '\0';
	/* out: moved before and no longer wanted */
	struct moved hm[MAX_ITEMS];
	for (int i = 0; i < nh; i++)
		parse_moved(h[i], &hm[i]);
	for (int i = 0; i < nh; i++) {
		bool keep = false;
		for (int j = 0; j < nw && !keep; j++)
			keep = strcmp(w[j], hm[i].name) == 0;
		about_to_move(&in, &hm[i]);
		if (keep)
			note_moved(jr, &hm[i]);
		else if (hm[i].idx > 0)
			move_out(&in, &hm[i], outfd, &out);
	}
	/* in: wanted and not there yet */
	for (int j = 0; j < nw && rc == 0; j++) {
		bool have = false;
		for (int i = 0; i < nh && !have; i++)
			have = strcmp(hm[i].name, w[j]) == 0;
		if (!have)
			rc = move_in(r, jr, &out, &in, nsfd, w[j], err);
	}
	nl_close(&in);
	nl_close(&out);
done:
	if (nsfd >= 0)
		close(nsfd);
	if (outfd >= 0)
		close(outfd);
	return rc;
}

const struct module mod_net = {
	.name = "net",
	.check = net_check,
	.nsflags = net_nsflags,
	.setup = net_setup,
	.update = net_update,
	.created = net_created,
	.destroy = net_destroy,
};
