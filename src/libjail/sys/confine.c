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
 * around them); compiled before the caller enters the jail (the cache is
 * in the host's registry), loaded as a plain program after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../vjail.h"

#if defined(__x86_64__)
#define ARCH_NAME	"x86_64"
#elif defined(__aarch64__)
#define ARCH_NAME	"aarch64"
#else
#define ARCH_NAME	"other"
#endif

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

/* Refuse system call nr with errnum (when cmp, only if it matches; with
 * cmp2 too, only if both do). */
void
confine_deny2(struct confine *c, int nr, int errnum, const struct sc_arg *cmp,
    const struct sc_arg *cmp2)
{
	struct sc_rule *r;

	if (c->nrules == CONFINE_MAXRULES) {
		c->failed = 1;
		return;
	}
	r = &c->rules[c->nrules++];
	memset(r, 0, sizeof(*r));	/* (rules are hashed whole) */
	r->nr = nr;
	r->errnum = errnum;
	if (cmp)
		r->cmp[r->has_cmp++] = *cmp;
	if (cmp && cmp2)
		r->cmp[r->has_cmp++] = *cmp2;
}

void
confine_deny(struct confine *c, int nr, int errnum, const struct sc_arg *cmp)
{
	confine_deny2(c, nr, errnum, cmp, NULL);
}

/* The part of libseccomp 2.5 used here, opened on the first compile
 * (a cached filter needs none of it). */
static struct {
	scmp_filter_ctx (*init)(uint32_t def_action);
	int (*attr_set)(scmp_filter_ctx, enum scmp_filter_attr, uint32_t);
	int (*arch_add)(scmp_filter_ctx, uint32_t arch_token);
	int (*rule_add_array)(scmp_filter_ctx, uint32_t action, int syscall,
	    unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);
	int (*export_bpf)(const scmp_filter_ctx, int fd);
	void (*release)(scmp_filter_ctx);
} sc;

static int
sc_open(char *err)
{
	static void *dl;
	static const struct dl_sym syms[] = {
#define SYM(field, name) DL_SYM(__typeof__(sc), field, name)
		SYM(init, "seccomp_init"),
		SYM(attr_set, "seccomp_attr_set"),
		SYM(arch_add, "seccomp_arch_add"),
		SYM(rule_add_array, "seccomp_rule_add_array"),
		SYM(export_bpf, "seccomp_export_bpf"),
		SYM(release, "seccomp_release"),
#undef SYM
	};

	return sys_dlopen(&dl, "libseccomp.so.2", syms,
	    sizeof(syms) / sizeof(*syms), &sc, err);
}

/* Compile the rules with libseccomp into fd (a BPF program). */
static int
compile(const struct confine *c, int fd)
{
	scmp_filter_ctx f = sc.init(SCMP_ACT_ALLOW);
	int rc = f ? 0 : -ENOMEM;

	if (rc == 0)
		rc = sc.attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary tree of syscall numbers, not a list: each call (and
	 * the kernel's per-call cache, computed at every attach by running
	 * the filter for every number) walks a few jumps, not all of them.
	 * Only an optimization: a libseccomp without it builds the list. */
	if (rc == 0)
		(void)sc.attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#if defined(__x86_64__)
	if (rc == 0 && (rc = sc.arch_add(f, SCMP_ARCH_X86)) == 0)
		rc = sc.arch_add(f, SCMP_ARCH_X32);
#endif
	/* by their number of comparisons: libseccomp 2.5 refuses a rule of
	 * fewer after one of more on the same call with another action
	 * (EEXIST), not the other way round */
	for (int i = 0; i < 3 * c->nrules && rc == 0; i++) {
		const struct sc_rule *r = &c->rules[i % c->nrules];
		if (r->has_cmp != i / c->nrules)
			continue;
		struct scmp_arg_cmp a[2];
		for (int k = 0; k < r->has_cmp && k < 2; k++)
			a[k] = (struct scmp_arg_cmp){ .arg = r->cmp[k].arg,
			    .op = (enum scmp_compare)r->cmp[k].op,
			    .datum_a = r->cmp[k].a, .datum_b = r->cmp[k].b };
		rc = sc.rule_add_array(f, SCMP_ACT_ERRNO((uint16_t)r->errnum),
		    r->nr, (unsigned)r->has_cmp, a);
		if (rc == -EDOM)	/* a call this ABI does not have */
			rc = 0;
	}
	if (rc == 0)
		rc = sc.export_bpf(f, fd);
	if (f)
		sc.release(f);
	return rc;
}

/* Read a compiled program back: whole instructions, a sane length. */
static int
load_prog(struct confine *c, int fd)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size % sizeof(struct sock_filter) ||
	    st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter) ||
	    (c->prog = malloc((size_t)st.st_size)) == NULL)
		return -1;
	n = pread(fd, c->prog, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		free(c->prog);
		c->prog = NULL;
		return -1;
	}
	c->proglen = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter));
	return 0;
}

/* The last program this process compiled or read, by name: a command
 * that makes a jail and then runs a command in it (a one-shot) needs the
 * same program twice, for the holder and for the command. */
static struct {
	char name[64];
	struct sock_filter *prog;
	unsigned short len;
} last;

static void
remember(const struct confine *c, const char *name)
{
	struct sock_filter *p = malloc(c->proglen * sizeof(*p));

	if (!p)
		return;
	memcpy(p, c->prog, c->proglen * sizeof(*p));
	free(last.prog);
	last.prog = p;
	last.len = c->proglen;
	snprintf(last.name, sizeof(last.name), "%s", name);
}

/*
 * The recorded rules as a BPF program.  Compiling costs about 0.6 ms, so
 * programs are kept in the registry's filters/, named by a hash of the
 * rules and the libseccomp that compiled them: jails with the same
 * permissions share one, and it is derived data (nothing to undo).
 * Without the registry (inside a jail) it is compiled each time.  regdir
 * is the registry's directory, given (sys/ is below the registry).
 */
int
confine_compile(struct confine *c, const char *regdir, char *err)
{
	uint64_t h = 14695981039346656037ull;
	char name[64];
	int dir, fd, rc;

	if (c->failed)
		return jerr(err, "seccomp: the jail's filter cannot be built");
	if (c->nrules == 0 || c->prog)
		return 0;
	unsigned char *p = (unsigned char *)c->rules;
	for (size_t i = 0; i < sizeof(c->rules[0]) * (size_t)c->nrules; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	/* named for the rules, the libseccomp and machine building them and
	 * the layout (a tree) */
	snprintf(name, sizeof(name), "%016llx.%u.%u.%s.tree",
	    (unsigned long long)h,
	    SCMP_VER_MAJOR, SCMP_VER_MINOR, ARCH_NAME);
	if (last.prog && strcmp(last.name, name) == 0 &&
	    (c->prog = malloc(last.len * sizeof(*last.prog))) != NULL) {
		memcpy(c->prog, last.prog, last.len * sizeof(*last.prog));
		c->proglen = last.len;
		return 0;
	}
	dir = open(regdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0 && (mkdirat(dir, "filters", 0700) == 0 || errno == EEXIST)) {
		int fdir = openat(dir, "filters", O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		dir = fdir;
	} else if (dir >= 0) {
		close(dir);
		dir = -1;
	}
	if (dir >= 0 && (fd = openat(dir, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) >= 0) {
		rc = load_prog(c, fd);
		close(fd);
		if (rc == 0) {
			close(dir);
			remember(c, name);
			return 0;
		}
	}
	if (sc_open(err) < 0) {
		if (dir >= 0)
			close(dir);
		return -1;
	}
	/* Compile into an unnamed file, then give it its name. */
	fd = dir >= 0 ? openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) :
	    memfd_create("vjail-filter", MFD_CLOEXEC);
	if (fd < 0) {
		if (dir >= 0)
			close(dir);
		return jerrno(err, "seccomp: filter file");
	}
	if ((rc = compile(c, fd)) < 0) {
		errno = -rc;
		jerrno(err, "seccomp");
	} else if ((rc = load_prog(c, fd)) < 0)
		jerr(err, "seccomp: the compiled filter is unreadable");
	else {
		remember(c, name);
		if (dir >= 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			(void)!linkat(AT_FDCWD, path, dir, name,
			    AT_SYMLINK_FOLLOW);
		}
	}
	close(fd);
	if (dir >= 0)
		close(dir);
	return rc < 0 ? -1 : 0;
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

/* Landlock's ABI version; 0 without Landlock. */
int
confine_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* A Landlock domain that handles nothing but the scopes asked for. */
static int
landlock_scope(uint64_t scoped, char *err)
{
	struct ll_ruleset_attr attr = { .scoped = scoped };
	int abi = confine_landlock_abi(), fd;

	if (abi < CONFINE_LL_SCOPE_ABI) {
		errno = ENOSYS;
		return jerr(err, "landlock: the kernel has no scopes (ABI %d "
		    "needed, has %d)", CONFINE_LL_SCOPE_ABI, abi);
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
	if (c->failed || (c->nrules && !c->prog))
		return jerr(err, "seccomp: the jail's filter cannot be built");
	if (sys_new_session_keyring() < 0)
		return jerrno(err, "session keyring");
	if (drop_caps(c->drop_caps, err) < 0)
		return -1;
	if (c->landlock_scoped && landlock_scope(c->landlock_scoped, err) < 0)
		return -1;
	if (c->prog) {
		struct sock_fprog fp = { .len = c->proglen, .filter = c->prog };
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) < 0)
			return jerrno(err, "seccomp");
	}
	return 0;
}

void
confine_free(struct confine *c)
{
	free(c->prog);
	c->prog = NULL;
}
