/*
 * modules/fs.c - path, mount.devfs, mount.procfs, enforce_statfs: the
 * jail's root and mount table.
 *
 * The holder does all mounting inside the jail's own mount namespace, so
 * the host's table never grows per jail (DESIGN.md).  The root arrives as
 * a detached idmapped mount made on the host side (only a process owning
 * the file system may idmap it); the holder attaches it at `at`, builds
 * /proc, /dev and /sys on it, and pivots into it.  A helper of the
 * creator's then masks that table and locks it (fs_lock, below).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>
#include <linux/openat2.h>

#include "../vjail.h"

static bool
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Can host users other than root walk down to path?  Not if some
 * directory above it is root's and shut to group and others (as FreeBSD
 * advises for the directory holding jails).  NULL if not, else the
 * directory just above it (ACLs are not looked at).
 */
const char *
path_reachable(const char *path)
{
	static char parent[PATH_MAX];
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *slash = strrchr(dir, '/'); slash && slash != dir;
	    slash = strrchr(dir, '/')) {
		*slash = '\0';
		if (stat(dir, &st) == 0 && st.st_uid == 0 &&
		    !(st.st_mode & S_IXOTH) &&
		    (!(st.st_mode & S_IXGRP) || st.st_gid == 0))
			return NULL;
	}
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return parent;
}

static int
fs_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	char real[PATH_MAX];
	struct stat st;
	size_t plen;

	if (set_has_name(set, "enforce_statfs") &&
	    (jr->enforce_statfs < 0 || jr->enforce_statfs > 2)) {
		errno = EINVAL;
		return jerr(err, "enforce_statfs: must be 0, 1 or 2");
	}
	if (parent && jr->enforce_statfs < parent->enforce_statfs)
		jr->enforce_statfs = parent->enforce_statfs;	/* inherited */
	if (!(flags & JAIL_CREATE))
		return 0;
	if (!set_has_name(set, "path"))
		snprintf(jr->path, sizeof(jr->path), "%s",
		    parent ? parent->path : "/");
	if (mod_check_chars("path", jr->path, true, err) < 0)
		return -1;
	if (jr->path[0] != '/') {
		errno = EINVAL;
		return jerr(err, "path: \"%s\" is not an absolute path",
		    jr->path);
	}
	/* Asked from inside a jail, the jail's root resolved it (service.c);
	 * the host resolves only its own requests, with its rights. */
	if (!(flags & CF_JAILREQ)) {
		if (realpath(jr->path, real) == NULL)
			return jerrno(err, "path: %s", jr->path);
		if (stat(real, &st) < 0)
			return jerrno(err, "path: %s", jr->path);
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return jerr(err, "path: %s: not a directory", jr->path);
		}
		snprintf(jr->path, sizeof(jr->path), "%s", real);
		jr->root_dev = st.st_dev;
		jr->root_ino = st.st_ino;
		/*
		 * The jail's root owns this tree (idmapped): a setuid-root
		 * program it makes is root's on disk, for good.  As FreeBSD
		 * advises, and more: no host user but root may reach it.
		 */
		const char *via;
		if (strcmp(real, "/") != 0 && (!parent || parent->idmapped) &&
		    !jr->path_reachable && (via = path_reachable(real)) != NULL) {
			errno = EPERM;
			return jerr(err, "path: %s: host users other than root "
			    "can reach it through %s; make a directory above "
			    "it root's and closed to others (chmod 0700), or "
			    "set path.reachable", real, via);
		}
	} else
		snprintf(real, sizeof(real), "%s", jr->path);
	/* Unless asked for, /proc and /dev are mounted where the root has
	 * a place for them; asked for, a missing place is an error. */
	char mp[PATH_MAX + 8];
	if (!set_has_name(set, "mount.procfs")) {
		snprintf(mp, sizeof(mp), "%s/proc", real);
		jr->procfs = is_dir(mp);
	}
	if (!set_has_name(set, "mount.devfs")) {
		snprintf(mp, sizeof(mp), "%s/dev", real);
		jr->devfs = is_dir(mp);
	}
	if (parent && strcmp(parent->path, "/") != 0) {
		plen = strlen(parent->path);
		if (strncmp(jr->path, parent->path, plen) != 0 ||
		    (jr->path[plen] != '/' && jr->path[plen] != '\0')) {
			errno = EPERM;
			if (flags & CF_JAILREQ)	/* no host path for a jail */
				return jerr(err, "path: not within the parent's "
				    "root");
			return jerr(err, "path: %s is not within the parent's "
			    "root %s", jr->path, parent->path);
		}
	}
	return 0;
}

/* mount(2) that names what failed. */
static int
mnt(const char *src, const char *dst, const char *type, unsigned long fl,
    const char *data, char *err)
{
	if (mount(src, dst, type, fl, data) < 0)
		return jerrno(err, "mount %s on %s",
		    type ? type : src ? src : "(remount)", dst);
	return 0;
}

/* A minimal /dev: tmpfs, bound safe devices, a new devpts, shm, mqueue. */
static int
make_dev(const struct jail_rec *jr, char *err)
{
	static const char *const devs[] =
	    { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
	    { "pts/ptmx", "dev/ptmx" }, { "/proc/self/fd", "dev/fd" },
	    { "/proc/self/fd/0", "dev/stdin" },
	    { "/proc/self/fd/1", "dev/stdout" },
	    { "/proc/self/fd/2", "dev/stderr" } };
	char src[32], dst[32];
	int fd;

	if (!is_dir("dev"))
		return jerr(err, "mount.devfs: %s/dev is not a directory",
		    jr->path);
	if (mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
	    "mode=755,size=1m", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(devs) / sizeof(*devs); i++) {
		snprintf(src, sizeof(src), "/dev/%s", devs[i]);
		snprintf(dst, sizeof(dst), "dev/%s", devs[i]);
		if ((fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666)) < 0)
			return jerrno(err, "mount.devfs: %s", dst);
		close(fd);
		if (mnt(src, dst, NULL, MS_BIND, NULL, err) < 0)
			return -1;
	}
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0 ||
	    mkdir("dev/mqueue", 01777) < 0)
		return jerrno(err, "mount.devfs: mkdir");
	if (mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return jerrno(err, "mount.devfs: %s", links[i][1]);
	if (jr->ipc == JAIL_SYS_INHERIT) {
		if (mnt("/dev/shm", "dev/shm", NULL, MS_BIND | MS_REC, NULL,
		    err) < 0)
			return -1;
		return 0;
	}
	if (mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777", err) < 0 ||
	    mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL, err) < 0)
		return -1;
	return 0;
}

/* /sys read-only: the jail's own sysfs with vnet, else the parent's. */
static int
make_sys(const struct jail_rec *jr, char *err)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;

	if (!is_dir("sys"))
		return 0;
	if (jr->vnet == JAIL_SYS_NEW)
		return mnt("sysfs", "sys", "sysfs", fl, NULL, err);
	/* Recursive: a user namespace may not uncover locked submounts. */
	if (mnt("/sys", "sys", NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
	return mnt(NULL, "sys", NULL, MS_BIND | MS_REMOUNT | fl, NULL, err);
}

/*
 * /proc and /sys as a jail should see them (the choice Docker and LXC
 * made): the host's hardware and kernel internals masked, the kernel's
 * knobs read-only but for a vnet jail's own net.* ones.  Paths this
 * kernel lacks are skipped.
 *
 * Only for a jail made without children.max: a child mounts its own
 * /proc and /sys, which Linux allows only where one is fully visible
 * (mount_too_revealing), and a jail's id range is sized at birth for
 * its children anyway.
 *
 * The holder builds its table in the jail's own user and mount
 * namespaces, where nothing it mounts is locked.  So a helper, host root,
 * makes the masks over that table in a copy owned by the host's user
 * namespace (their tmpfs the host's: the jail's root cannot reconfigure
 * it), then copies it once more from inside the jail's user namespace,
 * where the kernel locks every mount but the root and every flag
 * (lock_mnt_tree); the holder moves into that copy (spawn.c).  A jail
 * then unmounts only what it mounted itself, as on FreeBSD.
 */
static const char *const masked_files[] = {
	"proc/kcore", "proc/keys", "proc/key-users", "proc/latency_stats",
	"proc/timer_list", "proc/timer_stats", "proc/sched_debug",
	"proc/kmsg", "proc/kallsyms", "proc/sysrq-trigger",
	"proc/vmallocinfo", "proc/slabinfo", "proc/pagetypeinfo",
};
#define NMASKED_FILES	(sizeof(masked_files) / sizeof(*masked_files))
static const char *const masked_dirs[] = {
	"proc/acpi", "proc/asound", "proc/scsi", "proc/driver",
	"sys/firmware", "sys/devices/virtual/powercap", "sys/kernel/debug",
	"sys/kernel/security",
};
static const char *const readonly_dirs[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys",
};

static bool
exists(const char *p, bool dir)
{
	struct stat st;

	return lstat(p, &st) == 0 && (dir ? S_ISDIR(st.st_mode) :
	    S_ISREG(st.st_mode));
}

/*
 * May the jail's root read or write p?  Asked of the kernel by the holder,
 * which is that root with every capability in the jail's user namespace:
 * a file of the host's root (unmapped here, so no capability overrides
 * its mode) shut to others (kmsg, slabinfo, timer_list, ... are 0400)
 * stays shut to everything in the jail, and needs no mask.
 */
static bool
jail_root_may_open(const char *p)
{
	return faccessat(AT_FDCWD, p, R_OK, AT_EACCESS) == 0 ||
	    faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
}

/*
 * The holder's part, in its root: which masked files the jail's root
 * could open ('1'), for the helper (host root) that makes the masks.
 */
void
fs_lock_plan(const struct jail_rec *jr, char *plan, size_t len)
{
	size_t i;

	for (i = 0; i < NMASKED_FILES && i + 1 < len; i++)
		plan[i] = jr->children_max == 0 && jr->procfs &&
		    exists(masked_files[i], false) &&
		    jail_root_may_open(masked_files[i]) ? '1' : '0';
	plan[i] = '\0';
}

static int clone_of(int fd, bool rec);

/*
 * An O_PATH descriptor of p in the jail's root: a symlink on the way (a
 * root's proc may be one) is followed inside it, no magic link at all.
 */
static int
at_path(const char *p)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how));
}

/* Attach the detached mount mfd at p. */
static int
attach_at(int mfd, const char *p, char *err)
{
	int at = mfd < 0 ? -1 : at_path(p), rc = -1;

	if (at >= 0)
		rc = (int)syscall(SYS_move_mount, mfd, "", at, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (rc < 0)
		jerrno(err, "locking the mount table: %s", p);
	if (at >= 0)
		close(at);
	return rc;
}

/* Attach a clone of the mount at fd (attached) at p. */
static int
attach_clone(int fd, const char *p, char *err)
{
	int mfd = clone_of(fd, false), rc = attach_at(mfd, p, err);

	if (mfd >= 0)
		close(mfd);
	return rc;
}

/* A detached clone of the mount at fd (with what is under it: rec). */
static int
clone_of(int fd, bool rec)
{
	return (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0));
}

/* Bind p over itself read-only (rw: only nosuid, nodev, noexec). */
static int
bind_readonly(const char *p, bool rw, char *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (rw ? 0 : MOUNT_ATTR_RDONLY),
	    .attr_clr = rw ? MOUNT_ATTR_RDONLY : 0 };
	int at = at_path(p), mfd = at < 0 ? -1 : clone_of(at, true), rc = -1;

	if (mfd >= 0 && syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH,
	    &a, sizeof(a)) == 0)
		rc = attach_at(mfd, p, err);
	else
		jerrno(err, "locking the mount table: %s", p);
	if (mfd >= 0)
		close(mfd);
	if (at >= 0)
		close(at);
	return rc;
}

/* One empty read-only tmpfs, the host's: the masks of directories. */
static int
empty_tmpfs(const char *size)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), mfd = -1;

	if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size",
	    size, 0) == 0 && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING,
	    "mode", "555", 0) == 0 && syscall(SYS_fsconfig, fs,
	    FSCONFIG_SET_FLAG, "ro", NULL, 0) == 0 && syscall(SYS_fsconfig, fs,
	    FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mfd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
		    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		    MOUNT_ATTR_NOEXEC);
	if (fs >= 0)
		close(fs);
	return mfd;
}

/*
 * Stack the masks (the host's /dev/null over files, one tmpfs of the
 * host's over directories) and the read-only binds.  *cover: the tmpfs,
 * attached, or -1.
 */
static int
mask_kernel(const struct jail_rec *jr, const char *plan, int devnull,
    int *cover, char *err)
{
	bool first = true;

	for (size_t i = 0; i < NMASKED_FILES && plan[i]; i++)
		if (plan[i] == '1' && exists(masked_files[i], false)) {
			if ((first ? attach_at(devnull, masked_files[i], err) :
			    attach_clone(devnull, masked_files[i], err)) < 0)
				return -1;
			first = false;
		}
	for (size_t i = 0; i < sizeof(masked_dirs) / sizeof(*masked_dirs);
	    i++) {
		const char *d = masked_dirs[i];
		if (!exists(d, true) ||
		    (!jr->procfs && strncmp(d, "proc/", 5) == 0))
			continue;
		/* the first attached, cloned for the rest */
		if (*cover >= 0 ? attach_clone(*cover, d, err) < 0 :
		    (*cover = empty_tmpfs("0")) < 0 ?
		    jerrno(err, "locking the mount table: tmpfs") :
		    attach_at(*cover, d, err) < 0)
			return -1;
	}
	for (size_t i = 0; jr->procfs &&
	    i < sizeof(readonly_dirs) / sizeof(*readonly_dirs); i++)
		if (exists(readonly_dirs[i], true) &&
		    bind_readonly(readonly_dirs[i], false, err) < 0)
			return -1;
	/* a stack of its own: its knobs are the jail's (sysctl -w ...) */
	if (jr->procfs && jr->vnet == JAIL_SYS_NEW &&
	    exists("proc/sys/net", true) &&
	    bind_readonly("proc/sys/net", true, err) < 0)
		return -1;
	return 0;
}

/*
 * The registry must stay out of reach of a jail whose root shows it
 * (path=/ on a host where /run is on the root file system): cover it,
 * with the masks' tmpfs where there is one.
 */
static int
hide_registry(const char *root, int cover, char *err)
{
	const char *rundir = reg_rundir();
	size_t alen = strcmp(root, "/") ? strlen(root) : 0;
	char rel[PATH_MAX];
	int mfd, rc;

	if (strncmp(rundir, root, alen) != 0 || rundir[alen] != '/')
		return 0;
	snprintf(rel, sizeof(rel), "%s", rundir + alen + 1);
	if (!is_dir(rel))
		return 0;
	if (cover >= 0)
		return attach_clone(cover, rel, err);
	if ((mfd = empty_tmpfs("4k")) < 0)
		return jerrno(err, "locking the mount table: tmpfs");
	rc = attach_at(mfd, rel, err);
	close(mfd);
	return rc;
}

/*
 * The helper's part (spawn.c: forked by the creator, host root): the
 * masks made over the holder's finished table in a copy of it owned by
 * the host's user namespace, then that copy copied into the jail's,
 * which locks it all.  *nsfd: the locked table, for the holder; pass:
 * the two tables it passed through, the holder's own and the host's
 * copy, held so that they are freed when the caller exits, off the
 * holder's path (a table's teardown waits for RCU).
 */
int
fs_lock(const struct jail_rec *jr, int hpidfd, const char *plan, int *nsfd,
    int pass[2], char *err)
{
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC), cover = -1,
	    devnull = -1, rc = -1;

	if (proc < 0)
		return jerrno(err, "locking the mount table: /proc");
	/* the host's /dev/null, taken before we leave its table */
	if (strchr(plan, '1') && (devnull = (int)syscall(SYS_open_tree,
	    AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0) {
		jerrno(err, "locking the mount table: /dev/null");
		goto out;
	}
	/* setns sets root and cwd to the jail's root */
	if (setns(hpidfd, CLONE_NEWNS) < 0 || (pass[0] = openat(proc,
	    "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0 ||
	    unshare(CLONE_NEWNS) < 0 || (pass[1] = openat(proc,
	    "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0) {
		jerrno(err, "locking the mount table");
		goto out;
	}
	if ((jr->children_max == 0 && mask_kernel(jr, plan, devnull, &cover,
	    err) < 0) || hide_registry(jr->path, cover, err) < 0)
		goto out;
	if (setns(hpidfd, CLONE_NEWUSER) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    (*nsfd = openat(proc, "thread-self/ns/mnt", O_RDONLY |
	    O_CLOEXEC)) < 0) {
		jerrno(err, "locking the mount table");
		goto out;
	}
	rc = 0;
out:
	if (devnull >= 0)
		close(devnull);
	if (cover >= 0)
		close(cover);
	close(proc);
	return rc;
}

static int
fs_setup(const struct jail_rec *jr, int rootfd, char *err)
{
	/*
	 * Stack the root on "/": no lookup of the path as the jail's root
	 * (a 0700 directory above it would stop that), and the same for a
	 * child jail.  "/" does not step onto a mount stacked on it, so go
	 * through the fd.
	 */
	if (syscall(SYS_move_mount, rootfd, "", AT_FDCWD, "/",
	    0x00000004 /* MOVE_MOUNT_F_EMPTY_PATH */) < 0)
		return jerrno(err, "path: attaching the idmapped root");
	if (fchdir(rootfd) < 0)
		return jerrno(err, "path: chdir %s", jr->path);
	if (jr->procfs) {
		if (!is_dir("proc"))
			return jerr(err, "mount.procfs: %s/proc is not a "
			    "directory", jr->path);
		if (mnt("proc", "proc", "proc", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, NULL, err) < 0)
			return -1;
	}
	if ((jr->devfs && make_dev(jr, err) < 0) || make_sys(jr, err) < 0)
		return -1;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return jerrno(err, "path: pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return jerrno(err, "path: detaching the old root");
	if (chdir("/") < 0)
		return jerrno(err, "path: chdir /");
	return 0;
}

/* The mount at path, if path is the root of one: its id, else 0. */
static uint64_t
mount_at(const char *path, unsigned long *flags)
{
	struct statx stx;
	struct statvfs sv;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
	    statvfs(path, &sv) < 0)
		return 0;
	*flags = sv.f_flag;
	return stx.stx_mnt_id;
}

/*
 * A jail's root owns its tree: a setuid-root program it makes there is,
 * on disk, root's.  Where host users may walk to it (path.reachable), the
 * host sees the tree, while the jail lives, through a nosuid, nodev bind
 * of the path onto itself, so nothing in it runs with privileges on the
 * host (the jail's own view, an idmapped clone, keeps them).  Recorded
 * before it is made.
 */
static int
fs_created(struct registry *r, struct jail_rec *jr, char *err)
{
	unsigned long fl;

	if (!jr->idmapped || jr->parent > 0 || !jr->path_reachable ||
	    !path_reachable(jr->path))
		return 0;
	jr->guard = 1;
	if (reg_store(r, jr, err) < 0)
		return -1;
	fault_point("fs-guard-recorded");
	/* Made detached, flags and all, then attached in one step: a
	 * crash leaves no guard or a whole one (fs_destroy knows it by its
	 * flags until its id is recorded). */
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV };
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, jr->path,
	    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH,
	    &attr, sizeof(attr)) < 0 || syscall(SYS_move_mount, tree, "",
	    AT_FDCWD, jr->path, 0x00000004 /* MOVE_MOUNT_F_EMPTY_PATH */) < 0) {
		jerrno(err, "path: %s: nosuid bind on the host", jr->path);
		if (tree >= 0)
			close(tree);
		return -1;
	}
	close(tree);
	jr->guard_mnt = mount_at(jr->path, &fl);
	return 0;
}

/* The guard goes with the jail, if it is still ours. */
static void
fs_destroy(struct registry *r, const struct jail_rec *jr)
{
	unsigned long fl = 0;
	uint64_t id;

	(void)r;
	if (!jr->guard || (id = mount_at(jr->path, &fl)) == 0)
		return;
	/* known by id; if we died before noting it, by its flags (not
	 * on the word of a damaged record) */
	if (jr->guard_mnt ? id == jr->guard_mnt : !jr->damaged &&
	    (fl & (ST_NOSUID | ST_NODEV)) == (ST_NOSUID | ST_NODEV))
		umount2(jr->path, MNT_DETACH | UMOUNT_NOFOLLOW);
}

static int
fs_nsflags(const struct jail_rec *jr)
{
	(void)jr;
	return CLONE_NEWNS;
}

const struct module mod_fs = {
	.name = "fs",
	.check = fs_check,
	.nsflags = fs_nsflags,
	.setup = fs_setup,
	.created = fs_created,
	.destroy = fs_destroy,
};
