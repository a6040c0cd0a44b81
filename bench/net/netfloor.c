/*
 * netfloor: the least kernel work N wired vnet jails need, timed.
 *
 * Create, per jail K = 1..N:
 *   - a network namespace: unshare(CLONE_NEWNET) in this process, a
 *     netlink socket opened in it (SIOCGSKNS on it gives the fd that
 *     keeps the namespace), then setns() back to the host's;
 *   - one veth pair in one RTM_NEWLINK: host end <prefix>K attached to the
 *     bridge (IFLA_MASTER), peer eth0 made directly in the namespace
 *     (IFLA_NET_NS_FD, ifindex 2);
 *   - host end: IPv6 address generation off (IFLA_AF_SPEC / AF_INET6 /
 *     IFLA_INET6_ADDR_GEN_MODE = none) before it goes up, then up;
 *   - in the namespace, through its own socket: lo up, 198.18.X.Y/15 on
 *     eth0 (198.18.0.0 + K), eth0 up.
 * The host-side requests of one jail go in one sendto, and so do the
 * namespace-side ones; no fork, no exec.  The bridge is made once first,
 * with multicast snooping off and IPv6 address generation off.
 *
 * Teardown: close every namespace fd (the namespaces' end takes their
 * veth pairs, in the kernel's batched cleanup), wait until no host end is
 * left, then delete the bridge.
 *
 * -H, a held jail: the namespace is not unshared in this process but
 * belongs to a child cloned per jail with every namespace a jail has
 * (user, mount, PID, network, UTS, IPC, cgroup) that maps its root, binds
 * "/" as its root, mounts its own /proc and sysfs, pivot_roots and then
 * waits, as PID 1 of its PID namespace, until told to go: the least a
 * jail that holds its own stack, processes and mounts costs, wired the
 * same way.  Its teardown ends the children first.
 *
 * A bridge takes at most 1024 ports: jail K goes on bridge (K-1)/P, P ports
 * a bridge (-P, default 1000), named <bridge prefix><index>: bnbr0, bnbr1...
 *
 * usage: netfloor [-J | -D] [-H] [-Q] [-c] [-s settle_s] [-p prefix]
 *                 [-b bridge_prefix] [-P ports] N
 *   -J  also turn IPv6 address generation off on the jail ends
 *   -D  keep IPv6 on the jail ends but without DAD or router solicitation
 *       (dad_transmits and router_solicitations 0 before they go up)
 *   -H  each namespace held by a child in every namespace (above)
 *   -Q  bridge multicast snooping on, with the bridge as querier (instead
 *       of snooping off): reports go to router ports, not every port
 *   -c  check: ping jail 2 from jail 1 (N >= 2) before teardown, untimed
 *   -s  seconds to wait before the last /proc/meminfo read (default 0)
 * prints key value lines: create_s, create_first10_ms, create_last10_ms,
 * teardown_s, teardown_close_s, mem_{before,created,after}_kb (MemAvailable),
 * slab_{before,created,after}_kb, and with BENCH_MEMCG (the usage file of
 * its memory cgroup) charged_{before,created}_kb.  Exits 1 on any failure (after undoing
 * what it made), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

static const char *prefix = "bn", *brprefix = "bnbr";
static int njail, jail_v6_off, jail_dad_off, held, querier, check, settle;
static int hostns = -1, nbridge, ports = 1000;
static int *brindex;		/* per bridge, 0 when not made */
static int *nsfd;		/* per jail, -1 when closed */
static pid_t *holder;		/* -H: per jail, 0 when none */
static int *holdfd;		/* -H: per jail, its go pipe, -1 when closed */
static struct mnl_socket *nl;	/* host */
static unsigned seq;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void undo(void);

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fprintf(stderr, "netfloor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
	undo();
	exit(1);
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket:");
	return s;
}

/* A batch of requests, each with NLM_F_ACK, sent at once. */
struct batch {
	char buf[8192];
	size_t len;
	int n;
	unsigned first;
};

static struct nlmsghdr *msg(struct batch *b, int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(b->buf + b->len);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++seq;
	if (!b->n++)
		b->first = h->nlmsg_seq;
	return h;
}

static void done(struct batch *b, struct nlmsghdr *h)
{
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

/* Send the batch, read one ack per request; the first error is returned. */
static int run(struct mnl_socket *s, struct batch *b, const char **what)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	int acks = 0, err = 0;

	if (mnl_socket_sendto(s, b->buf, b->len) < 0)
		return -errno;
	while (acks < b->n) {
		ssize_t r = mnl_socket_recvfrom(s, rbuf, sizeof rbuf);
		struct nlmsghdr *h;
		int left;

		if (r < 0)
			return -errno;
		left = (int)r;
		for (h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !err) {
				err = e->error;
				if (what)
					*what = what[h->nlmsg_seq - b->first + 1];
			}
			acks++;
		}
	}
	b->len = 0;
	b->n = 0;
	return err;
}

static struct ifinfomsg *ifi(struct nlmsghdr *h, int index)
{
	struct ifinfomsg *i = mnl_nlmsg_put_extra_header(h, sizeof *i);

	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	return i;
}

static void gen_mode_none(struct nlmsghdr *h)
{
	struct nlattr *af = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *v6 = mnl_attr_nest_start(h, AF_INET6);

	mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(h, v6);
	mnl_attr_nest_end(h, af);
}

static void set_up(struct batch *b, int index, const char *name)
{
	struct nlmsghdr *h = msg(b, RTM_NEWLINK, 0);
	struct ifinfomsg *i = ifi(h, index);

	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	i->ifi_flags = i->ifi_change = IFF_UP;
	done(b, h);
}

static void set_gen_mode_none(struct batch *b, int index, const char *name)
{
	struct nlmsghdr *h = msg(b, RTM_NEWLINK, 0);

	ifi(h, index);
	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	gen_mode_none(h);
	done(b, h);
}

static int del_link(int index)
{
	struct batch b = { .len = 0 };
	struct nlmsghdr *h = msg(&b, RTM_DELLINK, 0);

	ifi(h, index);
	done(&b, h);
	return run(nl, &b, NULL);
}

static void hostname_of(char *buf, size_t len, int k)
{
	snprintf(buf, len, "%s%d", prefix, k);
}

static uint32_t addr_of(int k)
{
	return htonl((198u << 24 | 18u << 16) + (uint32_t)k);
}

static void make_bridge(int j)
{
	char brname[IFNAMSIZ];
	struct batch b = { .len = 0 };
	const char *what[] = { NULL, "create", "addrgenmode", "up" };
	struct nlmsghdr *h;
	struct nlattr *li, *data;
	int err;

	snprintf(brname, sizeof brname, "%s%d", brprefix, j);
	h = msg(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, brname);
	li = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	if (querier) {
		mnl_attr_put_u8(h, IFLA_BR_MCAST_SNOOPING, 1);
		mnl_attr_put_u8(h, IFLA_BR_MCAST_QUERIER, 1);
	} else {
		mnl_attr_put_u8(h, IFLA_BR_MCAST_SNOOPING, 0);
	}
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, li);
	done(&b, h);
	set_gen_mode_none(&b, 0, brname);
	set_up(&b, 0, brname);
	err = run(nl, &b, what);
	if (err) {
		errno = -err;
		if (err == -EEXIST)
			die("bridge %s already exists; not touching it", brname);
		brindex[j] = (int)if_nametoindex(brname);
		errno = -err;
		die("bridge %s: %s:", brname, what[0]);
	}
	brindex[j] = (int)if_nametoindex(brname);
	if (!brindex[j])
		die("bridge %s made but not found:", brname);
}

static void sysctl_eth0(const char *key, const char *val)
{
	char path[128];
	int f;

	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/eth0/%s", key);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0 || write(f, val, strlen(val)) < 0)
		die("%s:", path);
	close(f);
}

/* -H: the held child, fds 0 (go: EOF means exit) and 1 (ready). */
static void hold(void)
{
	char c;

	if (read(0, &c, 1) != 1)	/* not mapped */
		_exit(1);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("/", "/", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    chdir("/") < 0 || chdir("..") < 0 ||
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0 ||
	    mount("sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC |
		  MS_RDONLY, NULL) < 0 ||
	    syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0 ||
	    setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		_exit(1);
	if (write(1, "r", 1) != 1)
		_exit(1);
	while (read(0, &c, 1) != 0)
		;
	_exit(0);
}

static void write_map(pid_t pid, const char *which, int k)
{
	char path[64], line[64];
	int f;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, which);
	snprintf(line, sizeof line, "0 %u 65536\n", 1u << 30 | (unsigned)k << 16);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0 || write(f, line, strlen(line)) < 0)
		die("%s:", path);
	close(f);
}

/* -H: clone jail k's holder; returns its network namespace fd. */
static int make_holder(int k)
{
	struct clone_args ca = { .exit_signal = SIGCHLD,
		.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
			 CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
			 CLONE_NEWCGROUP };
	char path[64], c;
	int go[2], ready[2], fd;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		die("pipe:");
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3:");
	if (pid == 0) {
		if (dup2(go[0], 0) < 0 || dup2(ready[1], 1) < 0)
			_exit(1);
		syscall(SYS_close_range, 2, ~0u, 0);
		hold();
	}
	holder[k - 1] = pid;
	holdfd[k - 1] = go[1];
	close(go[0]);
	close(ready[1]);
	write_map(pid, "uid_map", k);
	write_map(pid, "gid_map", k);
	if (write(go[1], "g", 1) != 1 || read(ready[0], &c, 1) != 1)
		die("jail %d's holder did not start", k);
	close(ready[0]);
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("%s:", path);
	return fd;
}

/* -H: tell every holder to go and reap it. */
static void end_holders(void)
{
	int k;

	for (k = 0; holder && k < njail; k++)
		if (holdfd[k] >= 0)
			close(holdfd[k]), holdfd[k] = -1;
	for (k = 0; holder && k < njail; k++)
		if (holder[k] > 0) {
			while (waitpid(holder[k], NULL, 0) < 0 && errno == EINTR)
				;
			holder[k] = 0;
		}
}

/* Make jail k (1-based), or die. */
static void make_jail(int k)
{
	struct batch b = { .len = 0 };
	const char *what[] = { NULL, "veth", "addrgenmode", "up" };
	const char *jwhat[] = { NULL, "lo up", "address", "eth0 up", NULL };
	struct mnl_socket *jnl;
	struct nlmsghdr *h;
	struct nlattr *li, *data, *peer;
	struct ifinfomsg *pi;
	struct ifaddrmsg *ia;
	char name[IFNAMSIZ];
	uint32_t a;
	int fd, err;

	if (held) {
		fd = nsfd[k - 1] = make_holder(k);
		if (setns(fd, CLONE_NEWNET) < 0)
			die("setns into jail %d's namespace:", k);
		jnl = nl_open();
	} else {
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare(CLONE_NEWNET):");
		jnl = nl_open();
		fd = ioctl(mnl_socket_get_fd(jnl), SIOCGSKNS);
		if (fd < 0)
			die("SIOCGSKNS:");
		nsfd[k - 1] = fd;
	}
	if (setns(hostns, CLONE_NEWNET) < 0)
		die("setns back to the host:");

	/* Host side: veth with the peer in the namespace, address
	 * generation off, up. */
	hostname_of(name, sizeof name, k);
	h = msg(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)brindex[(k - 1) / ports]);
	li = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
	pi = (struct ifinfomsg *)((char *)h + h->nlmsg_len);
	memset(pi, 0, sizeof *pi);
	pi->ifi_family = AF_UNSPEC;
	pi->ifi_index = 2;	/* lo is 1 in a new namespace */
	h->nlmsg_len += NLMSG_ALIGN(sizeof *pi);
	mnl_attr_put_strz(h, IFLA_IFNAME, "eth0");
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)fd);
	mnl_attr_nest_end(h, peer);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, li);
	done(&b, h);
	set_gen_mode_none(&b, 0, name);
	set_up(&b, 0, name);
	err = run(nl, &b, what);
	if (err) {
		errno = -err;
		die("%s: %s:", name, what[0]);
	}

	/* -D: no DAD and no router solicitation on eth0, set before it
	 * is up (sysctls: the namespace's own /proc/sys/net). */
	if (jail_dad_off) {
		if (setns(fd, CLONE_NEWNET) < 0)
			die("setns into %s's namespace:", name);
		sysctl_eth0("dad_transmits", "0");
		sysctl_eth0("router_solicitations", "0");
		if (setns(hostns, CLONE_NEWNET) < 0)
			die("setns back to the host:");
	}

	/* In the namespace: lo up, the address, eth0 up. */
	set_up(&b, 1, NULL);
	h = msg(&b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	ia = mnl_nlmsg_put_extra_header(h, sizeof *ia);
	ia->ifa_family = AF_INET;
	ia->ifa_prefixlen = 15;
	ia->ifa_index = 2;
	a = addr_of(k);
	mnl_attr_put_u32(h, IFA_LOCAL, a);
	mnl_attr_put_u32(h, IFA_ADDRESS, a);
	done(&b, h);
	if (jail_v6_off) {
		jwhat[3] = "eth0 addrgenmode";
		jwhat[4] = "eth0 up";
		set_gen_mode_none(&b, 2, NULL);
	}
	set_up(&b, 2, NULL);
	err = run(jnl, &b, jwhat);
	if (err) {
		errno = -err;
		die("%s in its namespace: %s:", name, jwhat[0]);
	}
	mnl_socket_close(jnl);
}

/* How many host ends are still there; starts at *from, which it moves
 * past the ones that are gone, and stops at the first one still there. */
static int left_from(int *from)
{
	char name[IFNAMSIZ];

	while (*from <= njail) {
		hostname_of(name, sizeof name, *from);
		if (if_nametoindex(name))
			return njail - *from + 1;
		(*from)++;
	}
	return 0;
}

static void wait_host_ends_gone(void)
{
	int from = 1;
	double t0 = now();

	while (left_from(&from)) {
		if (now() - t0 > 120)
			die("host ends still there 120 s after their namespaces "
			    "were released");
		usleep(1000);
	}
}

/* Undo whatever was made, on failure; never dies. */
static void undo(void)
{
	static int undoing;
	int k, from = 1;
	double t0;

	if (undoing++ || !nsfd)
		return;
	if (hostns >= 0)
		setns(hostns, CLONE_NEWNET);
	end_holders();
	for (k = 0; k < njail; k++)
		if (nsfd[k] >= 0)
			close(nsfd[k]), nsfd[k] = -1;
	/* A host end whose peer never made it to a namespace stays: delete
	 * it by name.  Ours only: <prefix>K. */
	for (k = 1; k <= njail; k++) {
		char name[IFNAMSIZ];
		int idx;

		hostname_of(name, sizeof name, k);
		idx = (int)if_nametoindex(name);
		if (idx)
			del_link(idx);
	}
	for (t0 = now(); left_from(&from) && now() - t0 < 30;)
		usleep(10000);
	for (k = 0; brindex && k < nbridge; k++)
		if (brindex[k])
			del_link(brindex[k]);
}

/* What this process's memory cgroup is charged, in kB (BENCH_MEMCG names
 * its usage file; bench/lib.sh's memcg_join), or -1. */
static long charged(void)
{
	const char *path = getenv("BENCH_MEMCG");
	long long v = -1;
	FILE *f;

	if (!path || !(f = fopen(path, "r")))
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v < 0 ? -1 : (long)(v / 1024);
}

static void meminfo(long *avail, long *slab)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	*avail = *slab = -1;
	if (!f)
		die("/proc/meminfo:");
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "MemAvailable: %ld", avail);
		sscanf(line, "Slab: %ld", slab);
	}
	fclose(f);
}

static int ping_check(void)
{
	char to[INET_ADDRSTRLEN];
	uint32_t a = addr_of(2);
	pid_t pid;
	int st;

	inet_ntop(AF_INET, &a, to, sizeof to);
	pid = fork();
	if (pid < 0)
		die("fork:");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (setns(nsfd[0], CLONE_NEWNET) < 0)
			_exit(126);
		if (null >= 0)
			dup2(null, 1);
		execlp("ping", "ping", "-q", "-c", "1", "-W", "3", to,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		die("waitpid:");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: netfloor [-J | -D] [-H] [-Q] [-c] [-s settle_s] [-p prefix] "
		"[-b bridge_prefix] [-P ports] N\n");
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	undo();
	_exit(1);
}

int main(int argc, char **argv)
{
	long av0, sl0, av1, sl1, av2, sl2, ch0, ch1;
	double t0, t1, t2, t3, *tk, first = 0, last = 0;
	struct rlimit rl;
	int c, k, tenth;

	while ((c = getopt(argc, argv, "JDHQcs:p:b:P:")) != -1) {
		switch (c) {
		case 'J': jail_v6_off = 1; break;
		case 'D': jail_dad_off = 1; break;
		case 'H': held = 1; break;
		case 'Q': querier = 1; break;
		case 'c': check = 1; break;
		case 's': settle = atoi(optarg); break;
		case 'p': prefix = optarg; break;
		case 'b': brprefix = optarg; break;
		case 'P': ports = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || (njail = atoi(argv[optind])) < 1)
		usage();
	if (strlen(prefix) + 10 >= IFNAMSIZ || strlen(brprefix) + 5 >= IFNAMSIZ ||
	    ports < 1 || ports > 1024)
		usage();
	if (njail > 65534) {
		fprintf(stderr, "netfloor: N must be at most 65534\n");
		return 2;
	}
	/* One fd per namespace, and a few more. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)njail + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	nbridge = (njail + ports - 1) / ports;
	nsfd = malloc(njail * sizeof *nsfd);
	tk = malloc(njail * sizeof *tk);
	brindex = calloc(nbridge, sizeof *brindex);
	holder = calloc(njail, sizeof *holder);
	holdfd = malloc(njail * sizeof *holdfd);
	if (!nsfd || !tk || !brindex || !holder || !holdfd)
		die("malloc:");
	for (k = 0; k < njail; k++)
		nsfd[k] = holdfd[k] = -1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (hostns < 0)
		die("/proc/self/ns/net:");
	nl = nl_open();

	meminfo(&av0, &sl0);
	ch0 = charged();
	t0 = now();
	for (k = 0; k < nbridge; k++)
		make_bridge(k);
	for (k = 1; k <= njail; k++) {
		double tj = now();

		make_jail(k);
		tk[k - 1] = now() - tj;
	}
	t1 = now();
	meminfo(&av1, &sl1);
	ch1 = charged();

	if (check && njail >= 2 && !ping_check())
		die("jail 1 cannot ping jail 2 across %s0", brprefix);

	t2 = now();
	end_holders();
	for (k = 0; k < njail; k++)
		close(nsfd[k]), nsfd[k] = -1;
	t3 = now();
	wait_host_ends_gone();
	for (k = 0; k < nbridge; k++) {
		if ((errno = -del_link(brindex[k])))
			die("deleting bridge %s%d:", brprefix, k);
		brindex[k] = 0;
	}
	t3 = t3 - t2;
	t2 = now() - t2;
	if (settle > 0)
		sleep(settle);
	meminfo(&av2, &sl2);

	tenth = njail >= 10 ? njail / 10 : 1;
	for (k = 0; k < tenth; k++) {
		first += tk[k];
		last += tk[njail - 1 - k];
	}
	printf("create_s %.6f\n", t1 - t0);
	printf("create_first10_ms %.3f\n", first / tenth * 1e3);
	printf("create_last10_ms %.3f\n", last / tenth * 1e3);
	printf("teardown_s %.6f\n", t2);
	printf("teardown_close_s %.6f\n", t3);
	printf("mem_before_kb %ld\nmem_created_kb %ld\nmem_after_kb %ld\n",
	       av0, av1, av2);
	printf("slab_before_kb %ld\nslab_created_kb %ld\nslab_after_kb %ld\n",
	       sl0, sl1, sl2);
	if (ch0 >= 0 && ch1 >= 0)
		printf("charged_before_kb %ld\ncharged_created_kb %ld\n",
		       ch0, ch1);
	return 0;
}
