/*
 * confine.c - the last restrictions of a process about to run a jail's
 * code, recorded by the modules and applied here once, in this order:
 *
 *   1. a session keyring of its own (the caller's may hold the admin's
 *      keys; later key calls may be refused by the filter)
 *   2. capabilities out of the bounding set and the inheritable set (a
 *      root exec gets bounding | inheritable)
 *   3. Landlock scopes (abstract unix sockets: modules/ip.c), which need
 *      Landlock ABI 6; also under CAP_SYS_ADMIN, without no_new_privs
 *   4. the seccomp filter, loaded while we still hold CAP_SYS_ADMIN in the
 *      jail's user namespace, so no_new_privs is not needed (setuid
 *      programs of the jail keep working, as in FreeBSD)
 *
 * Filters are deny lists built with libseccomp for the native ABI and,
 * on x86-64, for the i386 and x32 ABIs too (else a 32-bit call would go
 * around them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../vjail.h"

/* Landlock's scopes: not in Debian 12's headers (ABI 6, kernel 6.12). */
#define LL_CREATE_RULESET_VERSION	(1U << 0)
struct ll_ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
};

/* <keyutils.h>'s permission bits */
#define KEY_POS_ALL	0x3f000000
#define KEY_USR_VIEW	0x00010000
#define KEY_USR_READ	0x00020000
#define KEY_USR_SEARCH	0x00080000
#define KEY_USR_LINK	0x00100000

void
confine_init(struct confine *c)
{
	memset(c, 0, sizeof(*c));
}

void
confine_drop_cap(struct confine *c, int cap)
{
	c->drop_caps |= 1ull << cap;
}

static scmp_filter_ctx
filter(struct confine *c)
{
	if (c->filter == NULL && !c->failed) {
		c->filter = seccomp_init(SCMP_ACT_ALLOW);
		if (c->filter == NULL ||
		    seccomp_attr_set(c->filter, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
		    (seccomp_arch_native() == SCMP_ARCH_X86_64 &&
		    ((seccomp_arch_add(c->filter, SCMP_ARCH_X86) < 0) ||
		    seccomp_arch_add(c->filter, SCMP_ARCH_X32) < 0)))
			c->failed = 1;
	}
	return c->filter;
}

/* Refuse system call nr with errnum (when cmp, only if it matches). */
void
confine_deny(struct confine *c, int nr, int errnum, const struct sc_arg *cmp)
{
	scmp_filter_ctx f = filter(c);
	int rc;

	if (f == NULL)
		return;
	if (cmp) {
		struct scmp_arg_cmp a = { .arg = cmp->arg,
		    .op = (enum scmp_compare)cmp->op, .datum_a = cmp->a,
		    .datum_b = cmp->b };
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO((uint16_t)errnum), nr,
		    1, a);
	} else
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO((uint16_t)errnum), nr,
		    0);
	/* a call this ABI does not have is nothing to refuse */
	if (rc < 0 && rc != -EDOM && nr >= 0)
		c->failed = 1;
}

/*
 * Leave the caller's session keyring (it may hold the admin's keys) for
 * the jail's own: the keyring "vjail" of the jail's root, made by the
 * holder and searchable by that user, so entering processes share it
 * (a keyring each would soon exceed the user's key quota).  Refused by
 * a filter: we are in a jail already, whose entry did this.
 */
int
sys_new_session_keyring(void)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "vjail") < 0 &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return errno == EPERM || errno == ENOSYS ? 0 : -1;
	syscall(SYS_keyctl, KEYCTL_SETPERM, KEY_SPEC_SESSION_KEYRING,
	    KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH |
	    KEY_USR_LINK);
	return 0;
}

static int
drop_caps(uint64_t drop, char *err)
{
	struct __user_cap_header_struct h = { .version =
	    _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	for (int cap = 0; cap < 64; cap++)
		if ((drop >> cap & 1) && prctl(PR_CAPBSET_DROP, cap) < 0 &&
		    errno != EINVAL)	/* a cap this kernel does not know */
			return jerrno(err, "capability bounding set");
	if (syscall(SYS_capget, &h, d) < 0)
		return jerrno(err, "capget");
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d) < 0)
		return jerrno(err, "capset");
	return 0;
}

/* A Landlock domain that handles nothing but the scopes asked for. */
static int
landlock_scope(uint64_t scoped, char *err)
{
	struct ll_ruleset_attr attr = { .scoped = scoped };
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	int fd;

	if (abi < 6) {
		errno = ENOSYS;
		return jerr(err, "landlock: the kernel has no scopes (ABI 6 "
		    "needed, has %ld)", abi < 0 ? 0 : abi);
	}
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) < 0)
		return jerrno(err, "landlock");
	if (syscall(SYS_landlock_restrict_self, fd, 0) < 0) {
		close(fd);
		return jerrno(err, "landlock");
	}
	close(fd);
	return 0;
}

int
confine_apply(struct confine *c, char *err)
{
	int rc;

	if (c->failed)
		return jerr(err, "seccomp: the jail's filter cannot be built");
	if (sys_new_session_keyring() < 0)
		return jerrno(err, "session keyring");
	if (drop_caps(c->drop_caps, err) < 0)
		return -1;
	if (c->landlock_scoped && landlock_scope(c->landlock_scoped, err) < 0)
		return -1;
	if (c->filter && (rc = seccomp_load(c->filter)) < 0) {
		errno = -rc;
		return jerrno(err, "seccomp");
	}
	return 0;
}

void
confine_free(struct confine *c)
{
	if (c->filter)
		seccomp_release(c->filter);
	c->filter = NULL;
}
