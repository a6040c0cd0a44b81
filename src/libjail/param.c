/*
 * param.c - the parameter table: every jail parameter, its type, flags,
 * owning module and description.  jailparam_all(), jls -n, jls -s, the
 * registry format and the man page's list are all loops over this table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vjail.h"

#define F(field)	offsetof(struct jail_rec, field)
#define S(field)	sizeof(((struct jail_rec *)0)->field)

const struct param_def param_table[] = {
	{ "jid", PT_INT, PF_CREATE, F(jid), 0, "core",
	  "jail identifier" },
	{ "name", PT_STRING, 0, F(name), S(name), "core",
	  "jail name; dots separate parent and child" },
	{ "parent", PT_INT, PF_RDONLY, F(parent), 0, "core",
	  "jid of the parent jail (0: the host)" },
	{ "path", PT_STRING, PF_CREATE, F(path), S(path), "fs",
	  "directory that becomes the jail's root" },
	{ "path.reachable", PT_BOOL, PF_CREATE, F(path_reachable), 0, "fs",
	  "host users other than root may reach the jail's root (refused "
	  "unless set: the jail's setuid files would be theirs to run)" },
	{ "host.hostname", PT_STRING, 0, F(hostname), S(hostname), "uts",
	  "hostname of the jail (at most 64 bytes)" },
	{ "host.domainname", PT_STRING, 0, F(domainname), S(domainname),
	  "uts", "NIS domain name of the jail (at most 64 bytes)" },
	{ "persist", PT_BOOL, 0, F(persist), 0, "core",
	  "the jail stays when it has no processes" },
	{ "dying", PT_BOOL, PF_RDONLY, F(dying), 0, "core",
	  "the jail is being removed" },
	{ "state", PT_STRING, PF_RDONLY, F(state_name), S(state_name),
	  "core", "creating, alive, dying, dead (its holder is gone) or "
	  "damaged (its record is): jls -d shows all but alive" },
	{ "children.max", PT_INT, 0, F(children_max), 0, "core",
	  "number of child jails allowed (0: none)" },
	{ "children.cur", PT_INT, PF_RDONLY, F(children_cur), 0, "core",
	  "number of child jails" },
	{ "cpuset.id", PT_INT, PF_RDONLY, F(cpuset_id), 0, "cpuset",
	  "id of the jail's root CPU set (cpuset -g -j)" },
	{ "vnet", PT_JAILSYS, PF_CREATE | PF_NODISABLE, F(vnet), 0, "net",
	  "network stack: new (own) or inherit (the parent's)" },
	{ "sysvipc", PT_JAILSYS, PF_CREATE | PF_ALIAS, F(ipc), 0, "ipc",
	  "System V and POSIX IPC: new, inherit or disable" },
	{ "sysvmsg", PT_JAILSYS, PF_CREATE, F(ipc), 0, "ipc",
	  "System V messages (one IPC namespace with sysvsem, sysvshm)" },
	{ "sysvsem", PT_JAILSYS, PF_CREATE, F(ipc), 0, "ipc",
	  "System V semaphores (one IPC namespace with sysvmsg, sysvshm)" },
	{ "sysvshm", PT_JAILSYS, PF_CREATE, F(ipc), 0, "ipc",
	  "System V shared memory (one IPC namespace with sysvmsg, sysvsem)" },
	{ "enforce_statfs", PT_INT, 0, F(enforce_statfs), 0, "fs",
	  "mount points visible to statfs: 0, 1 or 2 (stored, inherited)" },
	{ "mount.devfs", PT_BOOL, PF_CREATE, F(devfs), 0, "fs",
	  "mount a minimal /dev in the jail" },
	{ "mount.procfs", PT_BOOL, PF_CREATE, F(procfs), 0, "fs",
	  "mount the jail's own /proc" },
	{ "securelevel", PT_INT, 0, F(securelevel), 0, "secure",
	  "security level: at least the parent's; 3 freezes network config" },
#define ALLOW_ROW(i, name, dflt, desc) \
	{ "allow." name, PT_BOOL, 0, F(allow[i]), 0, "secure", desc },
	ALLOW_LIST(ALLOW_ROW)
	{ "ip4", PT_JAILSYS, PF_CREATE, F(ip4), 0, "ip",
	  "IPv4 on the parent's stack: new (ip4.addr only), inherit, disable" },
	{ "ip4.addr", PT_STRING, 0, F(ip4_addr), S(ip4_addr),
	  "ip", "IPv4 addresses of the jail: [iface|]addr[/plen], first "
	  "is primary" },
	{ "ip4.saddrsel", PT_BOOL, PF_CREATE, F(ip4_saddrsel), 0, "ip",
	  "source address by prefix (else always the primary)" },
	{ "ip6", PT_JAILSYS, PF_CREATE, F(ip6), 0, "ip",
	  "IPv6 on the parent's stack: new (ip6.addr only), inherit, disable" },
	{ "ip6.addr", PT_STRING, 0, F(ip6_addr), S(ip6_addr),
	  "ip", "IPv6 addresses of the jail: [iface|]addr[/plen], first "
	  "is primary" },
	{ "ip6.saddrsel", PT_BOOL, PF_CREATE, F(ip6_saddrsel), 0, "ip",
	  "source address by prefix (else always the primary)" },
	{ "exec.fib", PT_INT, PF_CREATE, F(fib), 0, "ip",
	  "routing table of the jail's sockets (FreeBSD's FIB; 0: main)" },
	{ "interface", PT_STRING, PF_CREATE, F(ip_iface), S(ip_iface), "ip",
	  "link of the parent's stack that carries the jail's addresses" },
	{ "vnet.interface", PT_STRING, 0, F(vnet_iface), S(vnet_iface),
	  "net", "links moved into the jail's stack (and back at removal)" },
	{ "vnet.bridge", PT_STRING, PF_CREATE, F(vnet_bridge), S(vnet_bridge),
	  "net", "bridges to join, one epair each; jail ends eth0, eth1..." },
	{ "vnet.link", PT_STRING, PF_CREATE, F(vnet_link), S(vnet_link),
	  "net", "vnet jails to join point-to-point, one epair each" },
	{ "vnet.ip4.addr", PT_STRING, PF_CREATE, F(vnet_ip4), S(vnet_ip4),
	  "net", "IPv4 addresses in the jail's stack: [iface|]addr/plen" },
	{ "vnet.ip6.addr", PT_STRING, PF_CREATE, F(vnet_ip6), S(vnet_ip6),
	  "net", "IPv6 addresses in the jail's stack: [iface|]addr/plen" },
	{ "vnet.ip4.defaultrouter", PT_STRING, PF_CREATE, F(vnet_gw4),
	  S(vnet_gw4), "net", "IPv4 default router of the jail's stack" },
	{ "vnet.ip6.defaultrouter", PT_STRING, PF_CREATE, F(vnet_gw6),
	  S(vnet_gw6), "net", "IPv6 default router of the jail's stack" },
	{ "vnet.quiet", PT_BOOL, PF_CREATE, F(vnet_quiet), 0, "net",
	  "jail ends of new epairs without IPv6 link-local address: no DAD, "
	  "router solicitation or MLD from them (large topologies)" },
	{ "devfs_ruleset", PT_INT, 0, F(devfs_ruleset), 0, "info",
	  "devfs rule set number, 0 to 65535 (stored: Linux has no devfs rules)" },
	{ "osrelease", PT_STRING, PF_CREATE, F(osrelease), S(osrelease),
	  "info", "release the jail reports (stored; uname(2) is the host's)" },
	{ "osreldate", PT_INT, PF_CREATE, F(osreldate), 0, "info",
	  "release date number the jail reports (stored)" },
	{ "host.hostuuid", PT_STRING, 0, F(hostuuid), S(hostuuid), "info",
	  "the jail's host UUID (stored)" },
	{ "host.hostid", PT_UINT, 0, F(hostid), 0, "info",
	  "the jail's host id (stored)" },
	{ "meta", PT_STRING, PF_LINES, F(meta), S(meta), "info",
	  "metadata for the host: key=value lines (FreeBSD 15)" },
	{ "env", PT_STRING, PF_LINES, F(env), S(env), "info",
	  "metadata the jail may read: key=value lines (FreeBSD 15)" },
};
const size_t param_count = sizeof(param_table) / sizeof(param_table[0]);

/*
 * Find a parameter by name.  A boolean may be spelled "noX" (or
 * "a.noX"); *negated says so.
 */
const struct param_def *
param_lookup(const char *name, bool *negated)
{
	const char *dot, *base;
	size_t i, plen;

	*negated = false;
	for (i = 0; i < param_count; i++)
		if (strcmp(param_table[i].name, name) == 0)
			return &param_table[i];
	dot = strrchr(name, '.');
	base = dot ? dot + 1 : name;
	if (strncmp(base, "no", 2) != 0)
		return NULL;
	plen = (size_t)(base - name);
	for (i = 0; i < param_count; i++) {
		const char *n = param_table[i].name;
		if ((param_table[i].type == PT_BOOL ||
		    param_table[i].type == PT_JAILSYS) &&
		    strncmp(n, name, plen) == 0 && strcmp(n + plen, base + 2) == 0) {
			*negated = true;
			return &param_table[i];
		}
	}
	return NULL;
}

void *
param_field(const struct param_def *pd, struct jail_rec *jr)
{
	return (char *)jr + pd->off;
}

int
param_ctltype(const struct param_def *pd)
{
	int t = pd->type == PT_STRING ? CTLTYPE_STRING :
	    pd->type == PT_UINT ? CTLTYPE_UINT : CTLTYPE_INT;

	/* create-only ones are "tunable" (FreeBSD's RDTUN) */
	return t | CTLFLAG_RD | (pd->flags & PF_RDONLY ? 0 : CTLFLAG_WR) |
	    (pd->flags & PF_CREATE ? CTLFLAG_TUN : 0);
}

bool
set_has_name(const uint64_t *s, const char *name)
{
	bool neg;
	const struct param_def *pd = param_lookup(name, &neg);

	return pd && set_has(s, (size_t)(pd - param_table));
}

/* Printable, and without "/" unless allowed (a name becomes
 * /run/netns/<name>); the modules taking strings from users share it. */
int
mod_check_chars(const char *what, const char *s, bool allow_slash, char *err)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == '/' && !allow_slash)) {
			errno = EINVAL;
			return jerr(err, "%s: invalid character in \"%s\"",
			    what, s);
		}
	return 0;
}
