/*
 * modules/ip.c - FreeBSD's address-restricted jail on its parent's stack:
 * ip4, ip4.addr, ip4.saddrsel, ip6, ip6.addr, ip6.saddrsel, interface.
 *
 *   ip4 = new       the jail uses only the addresses of ip4.addr (the
 *                   first is the primary); setting ip4.addr implies it
 *   ip4 = inherit   all of the parent's (a restricted parent's list is
 *                   copied, as in FreeBSD)
 *   ip4 = disable   no IPv4 at all (new without addresses reads so too)
 *
 * A jail naming none of these shares its parent's stack unrestricted
 * (FreeBSD would give it no address); one naming any gets FreeBSD's
 * default, disable, for the family it leaves out.
 *
 * The rules are cgroup BPF programs (bpf/jailip.bpf.c) attached to the
 * jail's cgroup when it is made, so they hold for every process of the
 * jail and of its children, and go with the cgroup.  The host's abstract
 * unix sockets live in the same stack; a Landlock scope keeps the jail
 * from connecting to them (confine, below).
 *
 * exec.fib, FreeBSD's FIB: the same sock_create program marks every
 * socket of the jail, and a policy rule of the jail's stack sends marked
 * sockets to routing table N (FreeBSD sets the FIB of the commands jail(8)
 * starts; here it is the whole jail's, jexec included).  The rule is
 * shared by the jails of that stack and FIB, counted in the registry.
 *
 * An address written "iface|addr/plen" (or with the `interface`
 * parameter) is added to that link of the outer stack while the jail
 * lives, as FreeBSD's jail(8) does; it is recorded in the registry before
 * it is added, so whoever removes the jail removes it, and an address
 * the link had already is not the jail's to remove.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <seccomp.h>

#include "../vjail.h"
#include "../bpf/jailip.h"

struct ip_ent {
	char	iface[IFNAMSIZ];	/* "": no alias */
	unsigned char a[16];
	int	plen;			/* -1: none given */
};

struct fam {
	int	af;
	const char *mode, *addr, *saddrsel;
	int	bits;
};
static const struct fam fams[2] = {
	{ AF_INET, "ip4", "ip4.addr", "ip4.saddrsel", 32 },
	{ AF_INET6, "ip6", "ip6.addr", "ip6.saddrsel", 128 },
};

static int *
mode_of(struct jail_rec *jr, int k)
{
	return k ? &jr->ip6 : &jr->ip4;
}

static char *
list_of(struct jail_rec *jr, int k)
{
	return k ? jr->ip6_addr : jr->ip4_addr;
}

/* Restricted on a shared stack: the programs and the scope apply. */
static bool
restricted(const struct jail_rec *jr)
{
	return jr->vnet != JAIL_SYS_NEW && (jr->ip4 != JAIL_SYS_INHERIT ||
	    jr->ip6 != JAIL_SYS_INHERIT);
}

/*
 * allow.raw_sockets: raw and ping sockets (root of a jail on a shared
 * stack still lacks CAP_NET_RAW for raw ones; ping sockets follow
 * net.ipv4.ping_group_range).  allow.reserved_ports: binding below 1024,
 * which the bind programs allow in the kernel's place.
 */
static unsigned
allow_flags(const struct jail_rec *jr)
{
	return (jr->allow[A_RAW_SOCKETS] ? JIP_RAW : 0) |
	    (jr->allow[A_RESERVED_PORTS] ? JIP_RESERVED : 0);
}

/* One entry: "[iface|]addr[/plen]"; iface defaults to dflt. */
static int
parse_ent(const struct fam *f, char *s, const char *dflt, struct ip_ent *e,
    char *err)
{
	char *bar = strchr(s, '|'), *slash, *ep;
	long plen;

	memset(e, 0, sizeof(*e));
	e->plen = -1;
	snprintf(e->iface, sizeof(e->iface), "%s", dflt);
	if (strpbrk(s, " \t")) {
		errno = EINVAL;
		return jerr(err, "%s: \"%s\": ifconfig options are not supported",
		    f->addr, s);
	}
	if (bar) {
		*bar = '\0';
		if (!*s || strlen(s) >= IFNAMSIZ || strchr(s, '/')) {
			errno = EINVAL;
			return jerr(err, "%s: bad interface name \"%s\"", f->addr,
			    s);
		}
		snprintf(e->iface, sizeof(e->iface), "%s", s);
		s = bar + 1;
	}
	if ((slash = strchr(s, '/')) != NULL) {
		struct in_addr m;
		*slash = '\0';
		plen = strtol(slash + 1, &ep, 10);
		/* FreeBSD's jail(8) also takes a dotted IPv4 netmask */
		if (f->af == AF_INET && *ep == '.' &&
		    inet_pton(AF_INET, slash + 1, &m) == 1) {
			uint32_t inv = ~ntohl(m.s_addr);
			plen = 32 - __builtin_popcount(inv);
			/* contiguous ones, else refused below */
			ep = (inv & (inv + 1)) == 0 ? ep + strlen(ep) : slash + 1;
		}
		if (ep == slash + 1 || *ep || plen < 0 || plen > f->bits) {
			errno = EINVAL;
			return jerr(err, "%s: bad prefix length in \"%s/%s\"",
			    f->addr, s, slash + 1);
		}
		e->plen = (int)plen;
	}
	if (inet_pton(f->af, s, e->a) != 1) {
		errno = EINVAL;
		return jerr(err, "%s: \"%s\" is not an IPv%d address", f->addr,
		    s, f->af == AF_INET ? 4 : 6);
	}
	static const unsigned char zero[16], bcast[4] = { 255, 255, 255, 255 };
	if (memcmp(e->a, zero, f->bits / 8) == 0 ||
	    (f->af == AF_INET && memcmp(e->a, bcast, 4) == 0) ||
	    (f->af == AF_INET6 && e->a[0] == 0xff)) {
		errno = EINVAL;
		return jerr(err, "%s: %s cannot be a jail's address", f->addr, s);
	}
	return 0;
}

/* A comma-separated list into at most JIP_MAX entries; their count. */
static int
parse_list(const struct fam *f, const char *list, const char *dflt,
    struct ip_ent *ent, char *err)
{
	char buf[JAIL_LISTLEN], *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t;
	    t = strtok_r(NULL, ",", &save)) {
		t += strspn(t, " \t");
		for (size_t l = strlen(t); l && (t[l - 1] == ' ' ||
		    t[l - 1] == '\t'); )
			t[--l] = '\0';
		if (!*t)
			continue;
		if (n == JIP_MAX) {
			errno = EINVAL;
			return jerr(err, "%s: too many addresses (at most %d)",
			    f->addr, JIP_MAX);
		}
		if (parse_ent(f, t, dflt, &ent[n], err) < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (memcmp(ent[i].a, ent[n].a, 16) == 0) {
				char a[INET6_ADDRSTRLEN];
				inet_ntop(f->af, ent[n].a, a, sizeof(a));
				errno = EINVAL;
				return jerr(err, "%s: %s is given twice", f->addr, a);
			}
		n++;
	}
	return n;
}

static void
ent_text(const struct fam *f, const struct ip_ent *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(f->af, e->a, a, sizeof(a));
	if (e->plen >= 0)
		snprintf(buf, len, "%s/%d", a, e->plen);
	else
		snprintf(buf, len, "%s", a);
}

/*
 * A jail that names no address parameter keeps its parent's stack as it
 * is (vjail's default: no programs, nothing to pay at creation); one that
 * names any gets FreeBSD's default for the family it does not name, no
 * addresses at all, so "ip4.addr=..." alone does not leave IPv6 open.
 */
static bool
named_any(const uint64_t *set)
{
	for (int k = 0; k < 2; k++)
		if (set_has_name(set, fams[k].mode) ||
		    set_has_name(set, fams[k].addr))
			return true;
	return false;
}

/*
 * Entries ent[0..n) of family f against the parent: among its addresses
 * pent[0..pn) if it is restricted (pent not NULL), and an alias only on a
 * link of a stack the parent owns.
 */
static int
check_entries(const struct fam *f, const struct jail_rec *parent,
    const struct ip_ent *pent, int pn, const struct ip_ent *ent, int n,
    char *err)
{
	char a[INET6_ADDRSTRLEN];

	for (int i = 0; i < n; i++) {
		inet_ntop(f->af, ent[i].a, a, sizeof(a));
		if (pent) {
			int j = 0;
			while (j < pn && memcmp(pent[j].a, ent[i].a, 16) != 0)
				j++;
			if (j == pn) {
				errno = EPERM;
				return jerr(err, "%s: %s is not an address of the "
				    "parent jail", f->addr, a);
			}
		}
		if (!ent[i].iface[0])
			continue;
		/* Only a parent with a stack of its own may have its links
		 * changed for a child; never the host's through a jail. */
		if (parent && parent->vnet != JAIL_SYS_NEW) {
			errno = EPERM;
			return jerr(err, "%s: %s|%s: the parent jail has no "
			    "network stack of its own", f->addr, ent[i].iface, a);
		}
		if (!parent && if_nametoindex(ent[i].iface) == 0) {
			errno = ENODEV;
			return jerr(err, "%s: %s|%s: no such interface", f->addr,
			    ent[i].iface, a);
		}
	}
	return 0;
}

/* Check one family of a new jail against its parent's. */
static int
check_family(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int k, char *err)
{
	const struct fam *f = &fams[k];
	struct ip_ent ent[JIP_MAX], pent[JIP_MAX];
	struct jail_rec pc;
	int *mode = mode_of(jr, k), n, pn = 0;
	char *list = list_of(jr, k);
	bool prestricted = parent && restricted(parent);

	if (prestricted) {
		pc = *parent;
		if ((pn = parse_list(f, list_of(&pc, k), "", pent, err)) < 0)
			return -1;
		prestricted = *mode_of(&pc, k) != JAIL_SYS_INHERIT;
	}
	if (list[0]) {
		if (set_has_name(set, f->mode) && *mode != JAIL_SYS_NEW) {
			errno = EINVAL;
			return jerr(err, "%s: only with %s=new", f->addr, f->mode);
		}
		*mode = JAIL_SYS_NEW;
	} else if (!set_has_name(set, f->mode))
		*mode = named_any(set) ? JAIL_SYS_DISABLE : JAIL_SYS_INHERIT;
	/* inherit from a restricted parent: its addresses, copied */
	if (*mode == JAIL_SYS_INHERIT && prestricted) {
		*mode = *mode_of(&pc, k);
		list[0] = '\0';
		for (int i = 0; i < pn; i++) {
			size_t len = strlen(list);
			ent_text(f, &pent[i], list + len + (len ? 1 : 0),
			    JAIL_LISTLEN - len - 1);
			if (len)
				list[len] = ',';
		}
		if (!set_has_name(set, f->saddrsel))
			*(k ? &jr->ip6_saddrsel : &jr->ip4_saddrsel) =
			    k ? pc.ip6_saddrsel : pc.ip4_saddrsel;
		return 0;
	}
	if ((n = parse_list(f, list, jr->ip_iface, ent, err)) < 0)
		return -1;
	if (*mode == JAIL_SYS_NEW && n == 0)
		*mode = JAIL_SYS_DISABLE;
	if (!set_has_name(set, f->saddrsel))
		*(k ? &jr->ip6_saddrsel : &jr->ip4_saddrsel) = 1;
	return check_entries(f, parent, prestricted ? pent : NULL, pn, ent, n,
	    err);
}

static int
ip_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	if (!(flags & JAIL_CREATE))
		return 0;	/* changes: ip_update checks them */
	if (fib_check(jr, parent, set_has_name(set, "exec.fib"), err) < 0)
		return -1;
	if (jr->ip_iface[0] && (strlen(jr->ip_iface) >= IFNAMSIZ ||
	    strchr(jr->ip_iface, '/'))) {
		errno = EINVAL;
		return jerr(err, "interface: bad interface name \"%s\"",
		    jr->ip_iface);
	}
	/* (`interface` alone is no restriction: a jail.conf may set it for
	 * every jail, vnet ones too, as FreeBSD's jail(8) allows) */
	if (jr->vnet == JAIL_SYS_NEW) {
		for (int k = 0; k < 2; k++)
			if (list_of(jr, k)[0] || (set_has_name(set, fams[k].mode) &&
			    *mode_of(jr, k) != JAIL_SYS_INHERIT)) {
				errno = EINVAL;
				return jerr(err, "vnet jails cannot have IP address "
				    "restrictions");
			}
		jr->ip4 = jr->ip6 = JAIL_SYS_INHERIT;
		return 0;
	}
	for (int k = 0; k < 2; k++)
		if (check_family(jr, parent, set, k, err) < 0)
			return -1;
	/* refused before anything is made: without the scope the host's
	 * abstract unix sockets would be in the jail's reach */
	if (restricted(jr) && confine_landlock_abi() < CONFINE_LL_SCOPE_ABI) {
		errno = ENOSYS;
		return jerr(err, "%s: needs Landlock ABI %d (Linux 6.12) to "
		    "keep the host's abstract unix sockets out of reach; "
		    "this kernel has %d", jr->ip4 != JAIL_SYS_INHERIT ?
		    "ip4" : "ip6", CONFINE_LL_SCOPE_ABI,
		    confine_landlock_abi());
	}
	return 0;
}

/* The rules the programs get. */
static void
make_conf(struct jail_rec *jr, struct jip_conf *c)
{
	struct ip_ent ent[JIP_MAX];
	char err[JAIL_ERRMSGLEN];
	int n;

	memset(c, 0, sizeof(*c));
	if (jr->fib > 0) {
		c->flags |= JIP_MARK;
		c->mark = FIB_MARK(jr->fib);
	}
	if (!restricted(jr))
		return;
	c->flags |= allow_flags(jr);
	if (jr->ip4 != JAIL_SYS_INHERIT) {
		c->flags |= JIP_V4 | (jr->ip4_saddrsel ? JIP_SADDRSEL4 : 0);
		n = parse_list(&fams[0], jr->ip4_addr, "", ent, err);
		for (int i = 0; i < n; i++) {
			memcpy(&c->ip4[i], ent[i].a, 4);
			if (ent[i].plen > 0)
				c->mask4[i] = htonl(~0u << (32 - ent[i].plen));
		}
		c->n4 = n > 0 ? (__u32)n : 0;
	}
	if (jr->ip6 != JAIL_SYS_INHERIT) {
		c->flags |= JIP_V6 | (jr->ip6_saddrsel ? JIP_SADDRSEL6 : 0);
		n = parse_list(&fams[1], jr->ip6_addr, "", ent, err);
		for (int i = 0; i < n; i++) {
			memcpy(c->ip6[i], ent[i].a, 16);
			for (int w = 0, left = ent[i].plen; w < 4 && left > 0;
			    w++, left -= 32)
				c->mask6[i][w] = htonl(left >= 32 ? ~0u :
				    ~0u << (32 - left));
		}
		c->n6 = n > 0 ? (__u32)n : 0;
	}
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71
#endif

/*
 * The cookie of the stack the jail shares: its rules are for that
 * stack's sockets only (0, unknown: for every socket, the safe side).
 */
static uint64_t
stack_cookie(struct registry *r, const struct jail_rec *jr)
{
	int fd = jail_outer_netns(r, jr), self = -1, s = -1;
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (fd >= 0 && (self = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) >= 0 && setns(fd, CLONE_NEWNET) == 0) {
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET) < 0)
			abort();	/* our own stack: cannot fail */
	}
	if (s >= 0 && getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie,
	    &len) < 0)
		cookie = 0;
	for (int *p = (int[]){ fd, self, s }, i = 0; i < 3; i++)
		if (p[i] >= 0)
			close(p[i]);
	return cookie;
}

/* ----- aliases on the outer stack ----- */

static void
alias_note(struct jail_rec *jr, int idx, const char *text)
{
	size_t len = strlen(jr->aliases);

	snprintf(jr->aliases + len, sizeof(jr->aliases) - len, "%s%d|%s",
	    len ? "," : "", idx, text);
}

/* Is "idx|text" among the aliases recorded in list? */
static bool
alias_in(const char *list, int idx, const char *text)
{
	char item[96];
	size_t len = (size_t)snprintf(item, sizeof(item), "%d|%s", idx, text);

	for (const char *p = list; (p = strstr(p, item)) != NULL; p++)
		if ((p == list || p[-1] == ',') && (p[len] == ',' ||
		    p[len] == '\0'))
			return true;
	return false;
}

/* The alias key of an entry: its link's index in nl's stack and text. */
static int
alias_of(struct nl *nl, const struct fam *f, struct ip_ent *e, char *text,
    size_t len)
{
	if (e->plen < 0)
		e->plen = f->bits;
	ent_text(f, e, text, len);
	return nl_ifindex(nl, e->iface);
}

/*
 * Remove the recorded aliases that want's lists do not name (all of
 * them for want NULL), and from jr->aliases.
 */
static void
drop_aliases(struct jail_rec *jr, struct nl *nl, const struct jail_rec *want)
{
	char buf[JAIL_LISTLEN], err[JAIL_ERRMSGLEN], text[64], *save;
	struct ip_ent ent[JIP_MAX];
	struct jail_rec w;

	if (want)
		w = *want;
	snprintf(buf, sizeof(buf), "%s", jr->aliases);
	jr->aliases[0] = '\0';
	for (char *t = strtok_r(buf, ",", &save); t;
	    t = strtok_r(NULL, ",", &save)) {
		char *bar = strchr(t, '|'), *slash;
		unsigned char a[16];
		bool keep = false;
		int af, idx = atoi(t);

		if (!bar || !(slash = strchr(bar, '/')))
			continue;
		for (int k = 0; want && k < 2 && !keep; k++) {
			int n = parse_list(&fams[k], list_of(&w, k), w.ip_iface,
			    ent, err);
			for (int i = 0; i < n && !keep; i++)
				keep = ent[i].iface[0] && alias_of(nl, &fams[k],
				    &ent[i], text, sizeof(text)) == idx &&
				    strcmp(text, bar + 1) == 0;
		}
		if (keep) {
			alias_note(jr, idx, bar + 1);
			continue;
		}
		*slash = '\0';
		af = strchr(bar + 1, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, bar + 1, a) == 1)
			nl_addr_del(nl, idx, af, a, atoi(slash + 1), err);
	}
}

/*
 * Add the aliases jr names that rec has not recorded yet, recording each
 * in rec (jr itself at creation; the record as it stands for an update).
 */
static int
add_aliases(struct registry *r, struct jail_rec *jr, struct jail_rec *rec,
    struct nl *nl, char *err)
{
	struct ip_ent ent[JIP_MAX];
	char text[64], before[JAIL_LISTLEN];

	for (int k = 0; k < 2; k++) {
		const struct fam *f = &fams[k];
		int n = parse_list(f, list_of(jr, k), jr->ip_iface, ent, err);
		for (int i = 0; i < n; i++) {
			int idx;
			if (!ent[i].iface[0])
				continue;
			if ((idx = alias_of(nl, f, &ent[i], text,
			    sizeof(text))) < 0) {
				errno = ENODEV;
				return jerr(err, "%s: %s|%s: no such interface",
				    f->addr, ent[i].iface, text);
			}
			if (alias_in(rec->aliases, idx, text))
				continue;
			/* recorded before it exists: a crash leaves nothing
			 * the registry does not know */
			snprintf(before, sizeof(before), "%s", rec->aliases);
			alias_note(rec, idx, text);
			if (reg_store(r, rec, err) < 0)
				return -1;
			if (nl_addr_add(nl, idx, f->af, ent[i].a, ent[i].plen,
			    err) == 0)
				continue;
			if (errno != EEXIST)
				return jerr(err, "%s: %s|%s: %s", f->addr,
				    ent[i].iface, text, strerror(errno));
			/* the link had it already: not ours to remove */
			snprintf(rec->aliases, sizeof(rec->aliases), "%s", before);
			if (reg_store(r, rec, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* ----- FIBs (fib.c) ----- */

/* Counted as a member of its FIB before the rules are made: whoever
 * removes the jail removes them with the last member. */
static int
fib_add(struct registry *r, const struct jail_rec *jr, char *err)
{
	int fd = fib_stack(r, jr), rc;

	if (fd < 0)
		return jerrno(err, "exec.fib: the jail's stack");
	rc = fib_hold(r, fd, jr->fib, jr->jid, err);
	close(fd);
	return rc < 0 ? jerr(err, "exec.fib: %s", strerror(errno)) : 0;
}

/* The jail's FIB and the FIB groups its processes used (setfib): none
 * to look for unless its record says so (a damaged one may not say). */
static void
fib_del(struct registry *r, const struct jail_rec *jr)
{
	char key[64], dir[PATH_MAX + 8];
	bool groups = jr->fib_groups || jr->damaged;
	int fd;

	if (jr->fib == 0 && !groups)
		return;
	fd = fib_stack(r, jr);
	if (jr->fib > 0 && fd >= 0 && fib_key(fd, jr->fib, key,
	    sizeof(key)) == 0)
		fib_unhold(r, fd, key, jr->jid);
	else if (jr->fib > 0)		/* its stack is gone, and its rules */
		fib_forget(r, jr->fib, jr->jid);
	if (groups && jr->cgroup[0]) {
		snprintf(dir, sizeof(dir), "%s/jail", jr->cgroup);
		fib_sweep(r, dir, fd, jr->jid, true);
	}
	if (fd >= 0)
		close(fd);
}

/* ----- address clashes ----- */

/*
 * The registry key of address e of a jail: "<stack>-<addr>", the stack
 * being the network namespace the jail shares (its inode).
 */
static bool
addr_key(struct registry *r, const struct jail_rec *jr, int k,
    const struct ip_ent *e, char *key, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	struct stat st;
	int fd = jail_outer_netns(r, jr);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	inet_ntop(fams[k].af, e->a, a, sizeof(a));
	snprintf(key, len, "%lu-%s", (unsigned long)st.st_ino, a);
	return true;
}

/*
 * FreeBSD's rule: restricted jails of one stack may not share addresses,
 * unless each has exactly one.  Only the topmost restricted jails count:
 * one under a restricted parent has a subset of its parent's, checked
 * when the parent was made.  Each address is recorded,
 * "addrs/<key>/<jid>", so a check does not grow with the number of jails.
 */
static int
addrs_claim(struct registry *r, struct jail_rec *jr, char *err)
{
	struct ip_ent ent[2][JIP_MAX], oent[JIP_MAX];
	struct jail_rec p;
	char key[128];
	int n[2];

	if (jr->parent > 0 && reg_load(r, jr->parent, &p) == 0 &&
	    restricted(&p))
		return 0;
	for (int k = 0; k < 2; k++)
		n[k] = parse_list(&fams[k], list_of(jr, k), "", ent[k], err);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < n[k]; i++) {
			int *jids = NULL, m = addr_key(r, jr, k, &ent[k][i], key,
			    sizeof(key)) ? reg_members(r, "addrs", key, &jids) : 0;
			bool clash = false;
			for (int j = 0; j < m && !clash; j++) {
				struct jail_rec o;
				if (jids[j] == jr->jid || reg_load(r, jids[j], &o) < 0 ||
				    o.state == JS_DYING || !reg_holder_alive(&o))
					continue;
				clash = n[k] != 1 || parse_list(&fams[k],
				    list_of(&o, k), "", oent, err) != 1;
			}
			free(jids);
			if (clash) {
				errno = EADDRINUSE;
				return jerr(err, "IPv%d addresses clash",
				    k ? 6 : 4);
			}
		}
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < n[k]; i++)
			if (addr_key(r, jr, k, &ent[k][i], key, sizeof(key)) &&
			    reg_member_add(r, "addrs", key, jr->jid) < 0)
				return jerrno(err, "%s: registry", fams[k].addr);
	return 0;
}

static void
addrs_release(struct registry *r, const struct jail_rec *jr)
{
	struct ip_ent ent[JIP_MAX];
	char key[128], err[JAIL_ERRMSGLEN];
	struct jail_rec c = *jr;

	for (int k = 0; k < 2; k++) {
		int n = parse_list(&fams[k], list_of(&c, k), "", ent, err);
		for (int i = 0; i < n; i++)
			if (addr_key(r, jr, k, &ent[i], key, sizeof(key)))
				reg_member_del(r, "addrs", key, jr->jid);
	}
}

/* A netlink socket in the stack the jail's aliases are on. */
static int
outer_nl(struct registry *r, const struct jail_rec *jr, struct nl *nl,
    char *err)
{
	int fd = jail_outer_netns(r, jr), rc;

	if (fd < 0)
		return jerrno(err, "ip4.addr: the parent's stack");
	rc = nl_open(nl, fd, err);
	close(fd);
	return rc;
}

static void
ip_destroy(struct registry *r, const struct jail_rec *jr)
{
	char err[JAIL_ERRMSGLEN];
	struct jail_rec c = *jr;
	struct nl nl;

	fib_del(r, jr);
	if (restricted(jr))
		addrs_release(r, jr);
	/* a damaged record's list could name addresses not the jail's */
	if (jr->aliases[0] && !jr->damaged && outer_nl(r, jr, &nl, err) == 0) {
		drop_aliases(&c, &nl, NULL);
		nl_close(&nl);
	}
}

static int
ip_created(struct registry *r, struct jail_rec *jr, char *err)
{
	struct jip_conf c;
	struct nl nl;
	int rc;

	if (!restricted(jr) && jr->fib == 0)
		return 0;
	if (restricted(jr) && addrs_claim(r, jr, err) < 0)
		return -1;
	if (jr->fib > 0 && fib_add(r, jr, err) < 0)
		return -1;
	if (restricted(jr) && (strchr(jr->ip4_addr, '|') ||
	    strchr(jr->ip6_addr, '|') || jr->ip_iface[0])) {
		if (outer_nl(r, jr, &nl, err) < 0)
			return -1;
		rc = add_aliases(r, jr, jr, &nl, err);
		nl_close(&nl);
		if (rc < 0)
			return -1;
	}
	make_conf(jr, &c);
	c.netns = restricted(jr) ? stack_cookie(r, jr) : 0;
	return bpf_jail_attach(jr->cgroup, &c, err);
}

/*
 * Each family's new list, checked as at creation, against the parent and
 * the children (FreeBSD narrows a child's list; here a child's address
 * must stay: EBUSY names it).  Fills the new modes; false if nothing
 * changes.
 */
static int
update_check(struct registry *r, struct jail_rec *jr,
    const struct jail_rec *old, const uint64_t *set, char *err)
{
	struct ip_ent ent[JIP_MAX], pent[JIP_MAX], kent[JIP_MAX];
	struct jail_rec p, kid;
	int *kids = NULL, nk = 0, changed = 0;
	bool haveparent = jr->parent > 0 && reg_load(r, jr->parent, &p) == 0;

	for (int k = 0; k < 2; k++) {
		const struct fam *f = &fams[k];
		int n, pn = 0;
		if (!set_has_name(set, f->addr))
			continue;
		if (jr->vnet == JAIL_SYS_NEW) {
			errno = EINVAL;
			return jerr(err, "vnet jails cannot have IP address "
			    "restrictions");
		}
		if (*mode_of(jr, k) == JAIL_SYS_INHERIT) {
			errno = EINVAL;
			return jerr(err, "%s cannot be changed after creation",
			    f->mode);
		}
		if ((n = parse_list(f, list_of(jr, k), jr->ip_iface, ent,
		    err)) < 0)
			return -1;
		if (haveparent && restricted(&p) &&
		    (pn = parse_list(f, list_of(&p, k), "", pent, err)) < 0)
			return -1;
		if (check_entries(f, haveparent ? &p : NULL, haveparent &&
		    restricted(&p) ? pent : NULL, pn, ent, n, err) < 0)
			return -1;
		free(kids);
		nk = reg_kids(r, jr->jid, &kids);
		for (int c = 0; c < nk; c++) {
			int m;
			if (reg_load(r, kids[c], &kid) < 0 || !restricted(&kid) ||
			    (m = parse_list(f, list_of(&kid, k), "", kent,
			    err)) < 0)
				continue;
			for (int i = 0; i < m; i++) {
				int j = 0;
				while (j < n && memcmp(ent[j].a, kent[i].a, 16))
					j++;
				if (j == n) {
					char a[INET6_ADDRSTRLEN];
					inet_ntop(f->af, kent[i].a, a, sizeof(a));
					free(kids);
					errno = EBUSY;
					return jerr(err, "%s: %s is used by jail "
					    "\"%s\"", f->addr, a, kid.name);
				}
			}
		}
		*mode_of(jr, k) = n ? JAIL_SYS_NEW : JAIL_SYS_DISABLE;
		struct jail_rec o = *old;
		changed |= strcmp(list_of(jr, k), list_of(&o, k)) != 0;
	}
	free(kids);
	return changed;
}

/*
 * jail -m ip4.addr=...: FreeBSD lets a restricted jail's addresses
 * change.  The new addresses are claimed and aliased, the new programs
 * attached next to the old ones (both hold meanwhile: never more than
 * either allows), then the old ones and the aliases no longer named go.
 * A failure leaves the old rules, addresses and aliases.
 */
static int
ip_update(struct registry *r, struct jail_rec *jr, const uint64_t *set,
    char *err)
{
	char err2[JAIL_ERRMSGLEN];
	struct bpf_attached old_progs[32];
	struct jail_rec old;
	struct jip_conf c;
	struct nl nl;
	int rc, nold, e;

	if (!set_has_name(set, "ip4.addr") && !set_has_name(set, "ip6.addr"))
		return 0;
	if (reg_load(r, jr->jid, &old) < 0)
		return jerrno(err, "registry");
	if ((rc = update_check(r, jr, &old, set, err)) <= 0)
		return rc;
	addrs_release(r, &old);
	if (addrs_claim(r, jr, err) < 0)
		goto undo_claim;
	if (outer_nl(r, jr, &nl, err) < 0)
		goto undo_claim;
	nold = bpf_jail_query(jr->cgroup, old_progs, 32);
	make_conf(jr, &c);
	c.netns = stack_cookie(r, jr);
	/* the record keeps the old addresses until the new ones hold */
	if (add_aliases(r, jr, &old, &nl, err) < 0 ||
	    bpf_jail_attach(jr->cgroup, &c, err) < 0) {
		e = errno;
		drop_aliases(&old, &nl, &old);	/* those just added */
		reg_store(r, &old, err2);
		nl_close(&nl);
		errno = e;
		goto undo_claim;
	}
	if (nold > 0)
		bpf_jail_detach(jr->cgroup, old_progs, nold);
	snprintf(jr->aliases, sizeof(jr->aliases), "%s", old.aliases);
	drop_aliases(jr, &nl, jr);
	nl_close(&nl);
	return 0;	/* core stores the record */
undo_claim:
	e = errno;
	addrs_release(r, jr);
	addrs_claim(r, &old, err2);
	errno = e;
	return -1;
}

/*
 * jail_get (jls) reports the addresses as FreeBSD's kernel keeps them,
 * bare: "192.0.2.10", not "em0|192.0.2.10/24".  The list as written
 * stays in the record: its interfaces name the aliases to remove, its
 * prefixes choose sources (ip4.saddrsel).
 */
static int
ip_get(struct jail_rec *jr, char *err)
{
	struct ip_ent ent[JIP_MAX];
	char text[64];

	for (int k = 0; k < 2; k++) {
		char *list = list_of(jr, k);
		int n = parse_list(&fams[k], list, "", ent, err);
		if (n < 0)
			continue;	/* (checked when it was set) */
		list[0] = '\0';
		for (int i = 0; i < n; i++) {
			size_t len = strlen(list);
			ent[i].plen = -1;
			ent_text(&fams[k], &ent[i], text, sizeof(text));
			snprintf(list + len, JAIL_LISTLEN - len, "%s%s",
			    len ? "," : "", text);
		}
	}
	return 0;
}

/*
 * The host's abstract unix sockets share the stack.  A Landlock scope
 * (ABI 6; applied by sys/confine.c) lets the jail's processes reach only
 * those of their own Landlock domain: the holder's descendants share one,
 * each entry (jexec, jail_attach) gets one of its own.  (BPF's
 * connect_unix hook sees the name but not whose socket it is; seccomp
 * cannot read it.)
 */
static int
ip_confine(const struct jail_rec *jr, struct confine *c, char *err)
{
	/* socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) */
	const struct sc_arg nl = { 0, SCMP_CMP_EQ, AF_NETLINK, 0 },
	    diag = { 2, SCMP_CMP_EQ, NETLINK_SOCK_DIAG, 0 };

	(void)err;
	if (!restricted(jr))
		return 0;
	c->landlock_scoped |= CONFINE_LL_ABSTRACT_UNIX;
	/* sock_diag would list the whole shared stack's sockets, with the
	 * cgroups and marks of the host's; sockstat asks the monitor for
	 * the jail's own instead (sockets.c).  (/proc/net stays: see
	 * jail.8.) */
	confine_deny2(c, SCMP_SYS(socket), EACCES, &nl, &diag);
	return 0;
}

const struct module mod_ip = {
	.name = "ip",
	.check = ip_check,
	.get = ip_get,
	.confine = ip_confine,
	.update = ip_update,
	.created = ip_created,
	.destroy = ip_destroy,
};
