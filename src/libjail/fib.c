/*
 * fib.c - FreeBSD's FIBs on a stack without FIBs: a socket mark and a
 * policy rule per FIB, and setfib(2) as a cgroup per FIB.
 *
 * FIB n of a stack is the mark FIB_MARK(n) and two rules of that stack:
 * the mark looks up table n (FIB 0: main), then is unreachable, so a FIB
 * reaches only what its own table routes.  The rules are counted in the
 * registry, fibs/<stack inode>.<n>/<member>: a jail with exec.fib
 * (its jid; modules/ip.c), a jail whose processes used setfib (its
 * jid), the host's setfib groups (FIB_HOST).  The last member to go
 * removes them.
 *
 * Linux has no per-process FIB.  A process that calls setfib is moved
 * into a cgroup of that FIB, fib.<stack inode>.<n>, carrying a sock_create
 * program that marks every socket made below it (as `ip vrf exec` binds
 * sockets to a VRF); a child cgroup's program runs before its ancestors',
 * so the innermost FIB wins and a jail's exec.fib holds for what setfib
 * does not choose.  The host's groups sit in the jails' cgroup base, a
 * jail's in its own <jid>/jail/, where the jail's processes live (its
 * "populated" still counts them).  A group is made before its member is
 * recorded and removed after: whoever finds an empty group (setfib(1)
 * when its command is done, the next setfib, the jail's teardown)
 * removes member, rules and group.  A jail's record says so
 * (fib_groups) before its first group is made, so that the teardown of
 * one that never had one has nothing to look for.
 *
 * Inside a jail the monitor does this on the jail's behalf (SVC_SETFIB):
 * a jail's root has no right to make cgroups or load programs.  A jail
 * with an exec.fib (its own or one inherited from the parent it shares a
 * stack with) may choose only that FIB: vjail's exec.fib is the jail's,
 * not only its first command's.  Others may choose any, as in FreeBSD.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>

#include "vjail.h"
#include "bpf/jailip.h"

#define FIB_PREF	32000	/* after "local" (0), before "main" (32766) */
#define TABLE_MAIN	254

/*
 * The rules of FIB fib in the stack fd: table fib (FIB 0: main), then
 * "unreachable", so that, as in FreeBSD, a FIB reaches only what its own
 * table routes (the "local" rule still comes first).  Removing them is
 * quiet.
 */
int
fib_rule(int fd, bool add, int fib, char *err)
{
	static const int afs[2] = { AF_INET, AF_INET6 };
	struct nl nl;
	int rc = 0;

	if (nl_open(&nl, fd, err) < 0)
		return -1;
	for (int k = 0; k < 4 && rc == 0; k++)
		if (nl_rule(&nl, add, afs[k % 2], FIB_MARK(fib),
		    k < 2 ? (uint32_t)(fib ? fib : TABLE_MAIN) : 0,
		    FIB_PREF + (uint32_t)k / 2, err) < 0 && add &&
		    errno != EEXIST)
			rc = jerr(err, "FIB %d: %s", fib, strerror(errno));
	nl_close(&nl);
	return rc;
}

/* The registry key of FIB fib of the stack fd: "<inode>.<fib>". */
int
fib_key(int fd, int fib, char *key, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	snprintf(key, len, "%lu.%d", (unsigned long)st.st_ino, fib);
	return 0;
}

/*
 * The stack whose routes a jail's sockets take: its own, or the one it
 * shares; -1 if it is gone.
 */
int
fib_stack(struct registry *r, const struct jail_rec *jr)
{
	char path[64];

	if (jr->vnet != JAIL_SYS_NEW)
		return jail_outer_netns(r, jr);
	if (!reg_holder_alive(jr))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)jr->holder);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Count member in FIB fib of stack fd and make its rules (recorded
 * first: whoever removes the member removes them). */
int
fib_hold(struct registry *r, int fd, int fib, int member, char *err)
{
	char key[64];

	if (fib_key(fd, fib, key, sizeof(key)) < 0 ||
	    reg_member_add(r, "fibs", key, member) < 0)
		return jerrno(err, "FIB %d: registry", fib);
	return fib_rule(fd, true, fib, err);
}

/* Drop member from key; the last one removes the rules when the stack
 * is at hand (fd >= 0; a stack that is gone took them along). */
void
fib_unhold(struct registry *r, int fd, const char *key, int member)
{
	char err[JAIL_ERRMSGLEN], mine[64];
	const char *dot = strrchr(key, '.');

	if (reg_member_del(r, "fibs", key, member) != 0 || fd < 0 || !dot)
		return;
	/* only the stack the key names */
	if (fib_key(fd, atoi(dot + 1), mine, sizeof(mine)) == 0 &&
	    strcmp(mine, key) == 0)
		fib_rule(fd, false, atoi(dot + 1), err);
}

/*
 * Drop member from FIB fib of whatever stack lists it: for a jail whose
 * stack is gone (a vnet jail that died), whose key is no longer known;
 * the rules went with the stack.  (A jid is not handed out again while
 * its record is there, so a key naming it names this jail.)
 */
void
fib_forget(struct registry *r, int fib, int member)
{
	char suffix[16];
	struct dirent *de;
	size_t sl;
	int fd = openat(r->dirfd, "fibs", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	sl = (size_t)snprintf(suffix, sizeof(suffix), ".%d", fib);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > sl &&
		    strcmp(de->d_name + l - sl, suffix) == 0)
			reg_member_del(r, "fibs", de->d_name, member);
	}
	closedir(d);
}

/*
 * The FIB a jail is held to: its exec.fib once it is on a stack it does
 * not own (check() below gives a child its parent's), else -1: any.
 */
int
fib_pinned(const struct jail_rec *jr)
{
	return jr->vnet != JAIL_SYS_NEW && jr->fib > 0 ? jr->fib : -1;
}

/*
 * exec.fib of a new jail against its parent (the hook of modules/ip.c):
 * a jail on its parent's stack keeps the parent's FIB; it may name it,
 * or none and get it.  A vnet jail's FIBs are its own stack's.
 */
int
fib_check(struct jail_rec *jr, const struct jail_rec *parent, bool named,
    char *err)
{
	int p = parent ? fib_pinned(parent) : -1;

	if (jr->fib < 0 || jr->fib > FIB_MAX) {
		errno = EINVAL;
		return jerr(err, "exec.fib: %d is not a FIB (0 to %d)", jr->fib,
		    FIB_MAX);
	}
	if (jr->vnet == JAIL_SYS_NEW || p < 0)
		return 0;
	if (!named)
		jr->fib = p;
	else if (jr->fib != p) {
		errno = EPERM;
		return jerr(err, "exec.fib: the parent jail uses FIB %d only", p);
	}
	return 0;
}

/* ----- FIB groups (setfib) ----- */

/* "fib.<inode>.<n>" of a group: its key into key, its FIB; -1 if the
 * name is not a group's. */
static int
group_key(const char *name, char *key, size_t len)
{
	unsigned long ino;
	int fib, end = 0;

	if (strncmp(name, "fib.", 4) != 0 ||
	    sscanf(name + 4, "%lu.%d%n", &ino, &fib, &end) != 2 ||
	    name[4 + end] != '\0' || fib < 0 || fib > FIB_MAX)
		return -1;
	snprintf(key, len, "%lu.%d", ino, fib);
	return fib;
}

/*
 * Remove the empty groups of dir whose stack is fd's (others are left to
 * a setfib in their stack: only it can remove their rules), each with
 * member and rules.  With all (a jail's teardown: its groups, its stack
 * or none), drop member from every group, empty or not, and leave the
 * directories to cg_remove.
 */
void
fib_sweep(struct registry *r, const char *dir, int fd, int member, bool all)
{
	char key[64], mine[64] = "", path[PATH_MAX + 80];
	struct dirent *de;
	size_t ml;
	DIR *d;

	if ((fd < 0 || fib_key(fd, 0, mine, sizeof(mine)) < 0) && !all)
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	ml = mine[0] ? strlen(mine) - 1 : 0;	/* "<inode>." */
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR ||
		    group_key(de->d_name, key, sizeof(key)) < 0 ||
		    (!all && strncmp(key, mine, ml) != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!all && cg_populated(path) != 0)
			continue;
		/* (no process can enter meanwhile: entering takes the lock) */
		fib_unhold(r, fd, key, member);
		if (!all)
			rmdir(path);
	}
	closedir(d);
}

/*
 * Move pid into FIB fib's group below dir, for the stack fd, counted as
 * member: the group is made (or an old one reused) before the member is
 * recorded, the rules before the program marks anything.
 */
int
fib_enter(struct registry *r, const char *dir, int fd, int fib, int member,
    pid_t pid, char *err)
{
	struct bpf_attached att[4];
	struct jip_conf c = { .flags = JIP_MARK, .mark = FIB_MARK(fib) };
	char key[64], path[PATH_MAX + 80];

	if (fib_key(fd, fib, key, sizeof(key)) < 0)
		return jerrno(err, "FIB %d: the stack", fib);
	snprintf(path, sizeof(path), "%s/fib.%s", dir, key);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return jerrno(err, "FIB %d: cgroup %s", fib, path);
	if (fib_hold(r, fd, fib, member, err) < 0 ||
	    (bpf_jail_query(path, att, 4) <= 0 &&
	    bpf_jail_attach(path, &c, err) < 0) ||
	    cg_move(path, pid, err) < 0) {
		fib_sweep(r, dir, fd, member, false);
		return -1;
	}
	return 0;
}

/* The FIB of the group a cgroup path (as /proc/PID/cgroup gives it)
 * ends in, for the stack fd; -1 if none. */
int
fib_of_cgroup(const char *cgpath, int fd)
{
	const char *last = strrchr(cgpath, '/');
	char key[64], mine[64];
	int fib;

	if (!last || (fib = group_key(last + 1, key, sizeof(key))) < 0 ||
	    fib_key(fd, fib, mine, sizeof(mine)) < 0 || strcmp(key, mine))
		return -1;
	return fib;
}

/* The v2 cgroup of process pid, as /proc/PID/cgroup gives it. */
static int
proc_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], line[PATH_MAX + 8];
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 3);
			rc = 0;
		}
	fclose(f);
	return rc;
}

/*
 * Inside a jail, the monitor's part of setfib for process pid of jail
 * self (SVC_SETFIB; fib -1: sweep the jail's empty groups).  The process
 * must be one of the jail's own (its jail/ tree, not a child jail's).
 */
int
fib_jail(const struct jail_rec *self, pid_t pid, int fib, char *err)
{
	char dir[PATH_MAX + 8], own[PATH_MAX + 8], rel[PATH_MAX + 8];
	const char *root = cg_v2_root();
	struct registry r;
	struct jail_rec jr;
	int fd, cur, rc = -1;
	size_t n;

	if (fib < -1 || fib > FIB_MAX) {
		errno = EINVAL;
		return jerr(err, "%d: invalid FIB (max %d)", fib, FIB_MAX);
	}
	if (reg_open(&r, true, err) < 0)
		return -1;
	/* the record as it is now, the jail alive */
	if (reg_load(&r, self->jid, &jr) < 0 || jr.state != JS_ALIVE ||
	    !reg_holder_alive(&jr) || (fd = fib_stack(&r, &jr)) < 0) {
		reg_close(&r);
		errno = ESRCH;
		return jerr(err, "the jail is going");
	}
	snprintf(dir, sizeof(dir), "%s/jail", jr.cgroup);
	if (fib < 0) {
		fib_sweep(&r, dir, fd, jr.jid, false);
		rc = 0;
		goto out;
	}
	/* where the process is: the jail's own processes, or a group */
	n = root ? strlen(root) : 0;
	if (!root || strncmp(dir, root, n) != 0 ||
	    proc_cgroup(pid, own, sizeof(own)) < 0) {
		rc = jerr(err, "setfib: the process is gone");
		errno = ESRCH;
		goto out;
	}
	snprintf(rel, sizeof(rel), "%s", dir + n);
	n = strlen(rel);
	if (strcmp(own, rel) == 0)
		cur = jr.fib;
	else if (strncmp(own, rel, n) != 0 || own[n] != '/' ||
	    strchr(own + n + 1, '/') || (cur = fib_of_cgroup(own, fd)) < 0) {
		errno = EPERM;
		rc = jerr(err, "setfib: only for the jail's own processes");
		goto out;
	}
	if (fib_pinned(&jr) >= 0 && fib != jr.fib) {
		errno = EPERM;
		rc = jerr(err, "FIB %d: the jail uses FIB %d only (exec.fib)",
		    fib, jr.fib);
	} else if (fib == cur)
		rc = 0;
	else if (fib == jr.fib)		/* back to the jail's own */
		rc = cg_move(dir, pid, err);
	else {
		/* recorded before its first group: a teardown looks for
		 * groups only in a jail that may have one (modules/ip.c) */
		rc = 0;
		if (!jr.fib_groups) {
			jr.fib_groups = 1;
			rc = reg_store(&r, &jr, err);
			fault_point("setfib-recorded");
		}
		if (rc == 0) {
			rc = fib_enter(&r, dir, fd, fib, jr.jid, pid, err);
			fault_point("setfib-entered");
		}
	}
out:
	close(fd);
	reg_close(&r);
	return rc;
}

/* ----- the public calls ----- */

/* The host's part: its groups in the jails' cgroup base. */
static int
host_setfib(int fib, bool sweep, char *err)
{
	char own[PATH_MAX];
	const char *base;
	struct registry r;
	int fd, cur, rc = 0;

	if (geteuid() != 0) {
		errno = EPERM;
		return jerr(err, "FIB %d: only root chooses a FIB on the host "
		    "(it needs a cgroup)", fib);
	}
	if ((fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "setfib: the network stack");
	cur = proc_cgroup(getpid(), own, sizeof(own)) == 0 ?
	    fib_of_cgroup(own, fd) : -1;
	if (!sweep && fib == (cur < 0 ? 0 : cur)) {
		close(fd);
		return 0;
	}
	if ((base = cg_base(err)) == NULL || reg_open(&r, true, err) < 0) {
		close(fd);
		return -1;
	}
	if (sweep) {
		fib_sweep(&r, base, fd, FIB_HOST, false);
		if (!getenv("VJAIL_CGROUP"))
			rmdir(base);	/* vjail's own, while empty */
	} else if (mkdir(base, 0755) < 0 && errno != EEXIST)
		rc = jerrno(err, "setfib: cgroup %s", base);
	else
		rc = fib_enter(&r, base, fd, fib, FIB_HOST, getpid(), err);
	reg_close(&r);
	close(fd);
	return rc;
}

int
jail_setfib(int fib)
{
	char *err = jail_errmsg;

	err[0] = '\0';
	if (fib < 0 || fib > FIB_MAX) {
		errno = EINVAL;
		return jerr(err, "%d: invalid FIB (max %d)", fib, FIB_MAX);
	}
	return jail_inside() ? svc_setfib(fib, err) : host_setfib(fib, false,
	    err);
}

void
jail_setfib_clean(void)
{
	char err[JAIL_ERRMSGLEN];

	if (jail_inside())
		svc_setfib(-1, err);
	else
		host_setfib(0, true, err);
}
