/*
 * modules/secure.c - securelevel and allow.*: what root in a jail may
 * do, with FreeBSD's names and defaults, on Linux's mechanisms.
 *
 * Root in a jail is root of the jail's user namespace: it has power only
 * over what the jail owns.  Within that, each allow.* bit takes away (when
 * off) capabilities from the bounding set and system calls by seccomp;
 * secure_mapping below is the one table of what each bit means on Linux,
 * and the manual's table is made from it (`make man`).
 *
 * Linux fixes a process's bounding set and filter when it starts: a
 * change made with jail -m applies to every process that enters the jail
 * afterwards (jexec, exec.* hooks, child jails), not to those running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../vjail.h"

/* What each allow.* bit means here: the manual's table is made of this. */
const struct allow_map secure_mapping[] = {
	{ A_SET_HOSTNAME, "sethostname(2), setdomainname(2) refused when off" },
	{ A_SYSVIPC, "same as sysvipc=inherit: the parent's IPC namespace" },
	{ A_RAW_SOCKETS, "a vnet jail always has raw sockets in its own stack "
	  "(as FreeBSD); on a shared stack with ip4.addr or ip6.addr, ping "
	  "sockets (as net.ipv4.ping_group_range allows), never raw ones "
	  "(Linux gives a jail no CAP_NET_RAW over the host's stack)" },
	{ A_CHFLAGS, "no effect: immutable and append-only flags need the "
	  "host's CAP_LINUX_IMMUTABLE" },
	{ A_MOUNT, "with enforce_statfs < 2 and an allow.mount.* bit: the "
	  "mount system calls; which file systems is the kernel's rule for "
	  "user namespaces (tmpfs, proc, sysfs, bind, ...), not per bit; it "
	  "refuses a new proc or sysfs where /proc and /sys are masked (no "
	  "children.max): one would show what the masks hide (a procfs or "
	  "linsysfs mount entry gets the jail's own, masks and all); the "
	  "masks are locked only for a jail created with the mount calls, "
	  "so jail -m cannot give them to a running masked jail" },
	{ A_QUOTAS, "quotactl(2) refused when off" },
	{ A_SOCKET_AF, "socket(2) of other families refused when off "
	  "(packet sockets belong to vnet jails)" },
	{ A_MLOCK, "mlock(2), mlock2(2), mlockall(2) refused when off; on, "
	  "within RLIMIT_MEMLOCK" },
	{ A_RESERVED_PORTS, "CAP_NET_BIND_SERVICE in a jail's own stack; on "
	  "a shared stack with ip4.addr or ip6.addr, the cgroup bind hook "
	  "grants ports below 1024 in the kernel's place" },
	{ A_READ_MSGBUF, "syslog(2) refused when off (on: as the host's "
	  "kernel.dmesg_restrict allows)" },
	{ A_UNPRIV_PROC_DEBUG, "ptrace(2), process_vm_readv/writev(2), "
	  "pidfd_getfd(2) refused when off (for root too)" },
	{ A_SUSER, "off: an empty bounding set, root has no capability" },
	{ A_SETTIME, "no effect: Linux has one clock (CAP_SYS_TIME is the "
	  "host's)" },
	{ A_ADJTIME, "no effect, as allow.settime" },
	{ A_ROUTING, "no effect: a shared stack belongs to the host; a vnet "
	  "jail always routes its own" },
	{ A_KEYRING, "keyctl(2), add_key(2), request_key(2) refused when off; "
	  "every process entering gets a session keyring of its own" },
	{ A_NAMESPACES, "unshare(2) and clone(2) of new namespaces refused "
	  "when off (clone3(2) reads as absent, so libc uses clone)" },
	{ -1, NULL },
};

/* Each bit: given, the caller's; else the parent's and FreeBSD's
 * default.  A child never gets what its parent lacks (FreeBSD: EPERM). */
static int
check_allow(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
#define ALLOW_NAME(i, name, d, desc) [i] = "allow." name,
#define ALLOW_DFLT(i, name, d, desc) [i] = d,
	static const char *const names[A_COUNT] = { ALLOW_LIST(ALLOW_NAME) };
	static const int dflt[A_COUNT] = { ALLOW_LIST(ALLOW_DFLT) };

	for (int i = 0; i < A_COUNT; i++) {
		bool given = set_has_name(set, names[i]);
		if (!given && (flags & JAIL_CREATE))
			jr->allow[i] = dflt[i] && (!parent || parent->allow[i]);
		jr->allow[i] = jr->allow[i] != 0;
		if (given && jr->allow[i] && parent && !parent->allow[i]) {
			errno = EPERM;
			return jerr(err, "%s: the parent jail does not have it",
			    names[i]);
		}
	}
	return 0;
}

static int
secure_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	bool given = set_has_name(set, "securelevel");

	if (!given && (flags & JAIL_CREATE))
		jr->securelevel = parent ? parent->securelevel : -1;
	if (given && (jr->securelevel < -1 || jr->securelevel > 3)) {
		errno = EINVAL;
		return jerr(err, "securelevel: must be -1 to 3");
	}
	if (parent && jr->securelevel < parent->securelevel) {
		errno = EPERM;
		return jerr(err, "securelevel: %d is below the parent's %d",
		    jr->securelevel, parent->securelevel);
	}
	return check_allow(jr, parent, set, flags, err);
}

/*
 * Lowering a bit or raising securelevel reaches every descendant (as in
 * FreeBSD); they then apply it to what enters them.
 */
static void
propagate(struct registry *r, const struct jail_rec *jr, int depth)
{
	int *kids = NULL, n = depth < 64 ? reg_kids(r, jr->jid, &kids) : 0;
	char err[JAIL_ERRMSGLEN];
	struct jail_rec k;

	for (int i = 0; i < n; i++) {
		if (kids[i] == jr->jid || reg_load(r, kids[i], &k) < 0)
			continue;
		bool changed = k.securelevel < jr->securelevel;
		if (changed)
			k.securelevel = jr->securelevel;
		for (int a = 0; a < A_COUNT; a++)
			if (k.allow[a] && !jr->allow[a])
				k.allow[a] = 0, changed = true;
		if (changed && reg_store(r, &k, err) == 0)
			propagate(r, &k, depth + 1);
	}
	free(kids);
}

static int
secure_update(struct registry *r, struct jail_rec *jr, const uint64_t *set,
    char *err)
{
	(void)set, (void)err;
	if (jr->children_cur > 0)	/* (core_update's count, locked) */
		propagate(r, jr, 0);
	return 0;
}

/* Capabilities no jail root can use (they are the host's) or that would
 * outlive the jail's boundary (file capabilities: see DESIGN notes). */
static const int never_caps[] = {
	CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_TIME,
	CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_MAC_ADMIN, CAP_MAC_OVERRIDE,
	CAP_AUDIT_CONTROL, CAP_AUDIT_READ, CAP_LINUX_IMMUTABLE, CAP_BPF,
	CAP_PERFMON, CAP_MKNOD, CAP_SETFCAP, CAP_SYS_PACCT,
};

/* System calls no jail makes: the host's machine, or kernel attack
 * surface a jail does not need. */
static const int never_calls[] = {
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(init_module),
	SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(reboot),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(acct), SCMP_SYS(bpf),
	SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
	SCMP_SYS(lookup_dcookie), SCMP_SYS(iopl), SCMP_SYS(ioperm),
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register), SCMP_SYS(open_by_handle_at),
};

#define DENY_ALL(c, calls, e) \
	for (size_t i_ = 0; i_ < sizeof(calls) / sizeof(*(calls)); i_++) \
		confine_deny(c, (calls)[i_], e, NULL)

static const int mount_calls[] = {
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(umount),
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
	SCMP_SYS(fspick), SCMP_SYS(move_mount), SCMP_SYS(open_tree),
	SCMP_SYS(mount_setattr), SCMP_SYS(pivot_root),
};
static const int key_calls[] = {
	SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
};
static const int debug_calls[] = {
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev), SCMP_SYS(pidfd_getfd),
};
static const int mlock_calls[] = {
	SCMP_SYS(mlock), SCMP_SYS(mlock2), SCMP_SYS(mlockall),
};

/* Refuse unshare(2) and clone(2) of any new namespace; clone3's flags
 * are out of seccomp's sight, so it reads as absent. */
static void
deny_namespaces(struct confine *c)
{
	static const uint64_t ns[] = { CLONE_NEWNS, CLONE_NEWCGROUP,
	    CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	    CLONE_NEWNET };

	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++) {
		struct sc_arg a = { 0, SCMP_CMP_MASKED_EQ, ns[i], ns[i] };
		confine_deny(c, SCMP_SYS(clone), EPERM, &a);
		confine_deny(c, SCMP_SYS(unshare), EPERM, &a);
	}
	struct sc_arg t = { 0, SCMP_CMP_MASKED_EQ, 0x80 /* CLONE_NEWTIME */,
	    0x80 };
	confine_deny(c, SCMP_SYS(unshare), EPERM, &t);
	confine_deny(c, SCMP_SYS(clone3), ENOSYS, NULL);
}

/* Sockets of local, IPv4, IPv6 and netlink families (and packet ones
 * in a jail's own stack) only. */
static void
deny_families(struct confine *c, bool packet)
{
	for (uint64_t f = 0; f < AF_PACKET; f++) {
		if (f == AF_UNIX || f == AF_INET || f == AF_INET6 ||
		    f == AF_NETLINK)
			continue;
		struct sc_arg a = { 0, SCMP_CMP_EQ, f, 0 };
		confine_deny(c, SCMP_SYS(socket), EAFNOSUPPORT, &a);
	}
	struct sc_arg rest = { 0, SCMP_CMP_GE, packet ? AF_PACKET + 1 :
	    AF_PACKET, 0 };
	confine_deny(c, SCMP_SYS(socket), EAFNOSUPPORT, &rest);
}

/* The mount calls pass the filter (and CAP_SYS_ADMIN stays) only so. */
bool
secure_mount_calls(const struct jail_rec *jr)
{
	const int *a = jr->allow;

	return a[A_MOUNT] && jr->enforce_statfs < 2 &&
	    (a[A_MOUNT_DEVFS] || a[A_MOUNT_FDESCFS] || a[A_MOUNT_NULLFS] ||
	    a[A_MOUNT_PROCFS] || a[A_MOUNT_TMPFS] || a[A_MOUNT_LINPROCFS] ||
	    a[A_MOUNT_LINSYSFS]);
}

static int
secure_confine(const struct jail_rec *jr, struct confine *c, char *err)
{
	const int *a = jr->allow;
	bool vnet = jr->vnet == JAIL_SYS_NEW;
	bool mount = secure_mount_calls(jr);

	(void)err;
	for (size_t i = 0; i < sizeof(never_caps) / sizeof(*never_caps); i++)
		confine_drop_cap(c, never_caps[i]);
	DENY_ALL(c, never_calls, EPERM);
	if (!a[A_SUSER])
		for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
			confine_drop_cap(c, cap);
	if (!a[A_SET_HOSTNAME]) {
		confine_deny(c, SCMP_SYS(sethostname), EPERM, NULL);
		confine_deny(c, SCMP_SYS(setdomainname), EPERM, NULL);
	}
	if (!mount)
		DENY_ALL(c, mount_calls, EPERM);
	if (!a[A_NAMESPACES])
		deny_namespaces(c);
	/* CAP_SYS_ADMIN only for what a bit above allows */
	if (!a[A_SET_HOSTNAME] && !mount && !a[A_NAMESPACES])
		confine_drop_cap(c, CAP_SYS_ADMIN);
	if (!a[A_KEYRING])
		DENY_ALL(c, key_calls, EPERM);
	if (!a[A_UNPRIV_PROC_DEBUG])
		DENY_ALL(c, debug_calls, EPERM);
	if (!a[A_MLOCK]) {
		DENY_ALL(c, mlock_calls, EPERM);
		confine_drop_cap(c, CAP_IPC_LOCK);
	}
	if (!a[A_READ_MSGBUF]) {
		confine_deny(c, SCMP_SYS(syslog), EPERM, NULL);
		confine_drop_cap(c, CAP_SYSLOG);
	}
	if (!a[A_QUOTAS]) {
		confine_deny(c, SCMP_SYS(quotactl), EPERM, NULL);
		confine_deny(c, SCMP_SYS(quotactl_fd), EPERM, NULL);
	}
	if (!a[A_SOCKET_AF])
		deny_families(c, vnet);
	if (!a[A_RESERVED_PORTS])
		confine_drop_cap(c, CAP_NET_BIND_SERVICE);
	/* A shared stack is the host's: nothing to administer there. */
	if (!vnet || jr->securelevel >= 3)
		confine_drop_cap(c, CAP_NET_ADMIN);
	if (!vnet)
		confine_drop_cap(c, CAP_NET_RAW);
	return 0;
}

const struct module mod_secure = {
	.name = "secure",
	.check = secure_check,
	.update = secure_update,
	.confine = secure_confine,
};
