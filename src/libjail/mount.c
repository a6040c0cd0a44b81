/*
 * mount.c - jail_mount(): a file system mounted into a running jail, as
 * FreeBSD's jail(8) mounts its "mount" and "mount.fstab" entries.
 *
 * The entry names host paths: the source on the host, the mount point
 * below the jail's path.  Nothing runs inside the jail and the host's
 * mount table never changes (DESIGN.md "User ids, namespaces"):
 *
 *  1. A forked helper takes a private copy of the host's mount table
 *     (the "staging" table; the host's own is never touched).
 *  2. There it builds the mount detached: a clone of the source tree for
 *     nullfs/bind, fsopen+fsmount for other types; binds and file systems
 *     that allow it are idmapped into the jail's user namespace, so owners
 *     read right inside and stay what they are on disk.
 *  3. It stacks that mount on its root, enters the jail's user namespace
 *     and copies its table once more: the kernel locks every mount of a
 *     table copied into a less privileged user namespace, so the jail's
 *     root cannot remount "ro" away, nor "nosuid", "nodev", "noexec"
 *     (measured: without this step the jail's root remounts a read-only
 *     host /usr read-write and writes to it).
 *  4. It enters the jail's mount namespace, resolves the mount point there
 *     (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS: a symlink the jail planted
 *     is refused, never followed) and attaches the locked clone with
 *     move_mount.  The mount goes with the jail's mount namespace.
 *
 * proc (procfs, linprocfs) and sysfs (linsysfs) belong to the jail's own
 * process and network spaces: those are made by a process inside them
 * (in a masked jail the kernel makes none: its own is cloned, masks and
 * all, own_fs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>

#include "vjail.h"

enum mkind { MK_BIND, MK_FS, MK_PROC, MK_SYSFS };

/* What one jail_mount call asks for, parsed and checked on the host. */
struct mreq {
	enum mkind kind;
	const char *fstype;		/* for fsopen */
	char	 src[PATH_MAX];
	char	 inside[PATH_MAX];	/* the mount point, jail-relative */
	uint64_t attr_set, attr_clr;	/* MOUNT_ATTR_* */
	char	 fsopts[1024];		/* the rest, for fsconfig: "k=v,k" */
	bool	 recursive;		/* rbind */
	const struct jail_rec *asker;	/* the jail asking (service.c) */
	int	 asker_mnt;		/* its mount namespace */
	dev_t	 src_dev;		/* the source it resolved */
	ino_t	 src_ino;
	const char *show_src, *show_file; /* names for messages */
};

/* FreeBSD's type names and Linux's. */
static int
mount_kind(struct mreq *m, const char *type, char *err)
{
	static const struct { const char *name, *fs; enum mkind kind; } t[] = {
		{ "nullfs", NULL, MK_BIND }, { "bind", NULL, MK_BIND },
		{ "none", NULL, MK_BIND },
		{ "procfs", "proc", MK_PROC }, { "linprocfs", "proc", MK_PROC },
		{ "proc", "proc", MK_PROC },
		{ "linsysfs", "sysfs", MK_SYSFS }, { "sysfs", "sysfs", MK_SYSFS },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (strcmp(type, t[i].name) == 0) {
			m->kind = t[i].kind;
			m->fstype = t[i].fs;
			return 0;
		}
	if (strcmp(type, "devfs") == 0 || strcmp(type, "fdescfs") == 0) {
		errno = EINVAL;
		return jerr(err, "mount: %s: use the parameter mount.%s", type,
		    type);
	}
	if (mod_check_chars("mount: type", type, false, err) < 0)
		return -1;
	m->kind = MK_FS;
	m->fstype = type;
	return 0;
}

/* The options of fstab(5): mount flags, and the rest for the file system. */
static int
mount_opts(struct mreq *m, const char *opts, char *err)
{
	static const struct { const char *name; uint64_t set, clr; } f[] = {
		{ "ro", MOUNT_ATTR_RDONLY, 0 }, { "rdonly", MOUNT_ATTR_RDONLY, 0 },
		{ "rw", 0, MOUNT_ATTR_RDONLY },
		{ "nosuid", MOUNT_ATTR_NOSUID, 0 }, { "suid", 0, MOUNT_ATTR_NOSUID },
		{ "nodev", MOUNT_ATTR_NODEV, 0 }, { "dev", 0, MOUNT_ATTR_NODEV },
		{ "noexec", MOUNT_ATTR_NOEXEC, 0 }, { "exec", 0, MOUNT_ATTR_NOEXEC },
		{ "noatime", MOUNT_ATTR_NOATIME, 0 },
		{ "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
		{ "relatime", MOUNT_ATTR_RELATIME, 0 },
		{ "strictatime", MOUNT_ATTR_STRICTATIME, 0 },
		/* fstab words that say nothing to the mount itself */
		{ "defaults", 0, 0 }, { "late", 0, 0 }, { "auto", 0, 0 },
		{ "noauto", 0, 0 }, { "nofail", 0, 0 }, { "bind", 0, 0 },
	};
	char buf[1024], *save, *o;
	size_t n = 0;

	if (opts == NULL)
		return 0;
	if (strlen(opts) >= sizeof(buf)) {
		errno = EINVAL;
		return jerr(err, "mount: options too long");
	}
	snprintf(buf, sizeof(buf), "%s", opts);
	for (o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(f) / sizeof(*f); i++)
			if (strcmp(o, f[i].name) == 0)
				break;
		if (i < sizeof(f) / sizeof(*f)) {
			m->attr_set = (m->attr_set & ~f[i].clr) | f[i].set;
			m->attr_clr = (m->attr_clr & ~f[i].set) | f[i].clr;
			continue;
		}
		if (strcmp(o, "rbind") == 0 && m->kind == MK_BIND) {
			m->recursive = true;
			continue;
		}
		if (m->kind != MK_FS) {
			errno = EINVAL;
			return jerr(err, "mount: %s: unknown option", o);
		}
		n += (size_t)snprintf(m->fsopts + n, sizeof(m->fsopts) - n,
		    "%s%s", n ? "," : "", o);
	}
	return 0;
}

/* Has path a "." or ".." component? */
static bool
has_dots(const char *path)
{
	for (const char *c = path; *c; ) {
		size_t l;
		c += strspn(c, "/");
		l = strcspn(c, "/");
		if ((l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' &&
		    c[1] == '.'))
			return true;
		c += l;
	}
	return false;
}

/*
 * The mount point, a host path, as a path inside the jail: below the
 * jail's path, lexically; "." and ".." are refused (FreeBSD resolves
 * nothing through the jail's tree either).
 */
static int
mount_point(struct mreq *m, const char *root, const char *file, char *err)
{
	size_t rlen = strcmp(root, "/") ? strlen(root) : 0;
	const char *rest;

	if (file[0] != '/') {
		errno = EINVAL;
		return jerr(err, "mount: %s: not an absolute pathname",
		    m->show_file);
	}
	if (strncmp(file, root, rlen) != 0 ||
	    (file[rlen] != '/' && file[rlen] != '\0')) {
		errno = EINVAL;
		if (m->asker)	/* no host path in an answer to a jail */
			return jerr(err, "mount: %s: not below the jail's path",
			    m->show_file);
		return jerr(err, "mount: %s: not below the jail's path %s",
		    file, root);
	}
	rest = file + rlen;
	if (has_dots(rest)) {
		errno = EINVAL;
		return jerr(err, "mount: %s: \".\" and \"..\" are not "
		    "allowed in a mount point", m->show_file);
	}
	if (snprintf(m->inside, sizeof(m->inside), "%s", *rest ? rest : "/") >=
	    (int)sizeof(m->inside)) {
		errno = ENAMETOOLONG;
		return jerr(err, "mount: %s: path too long", m->show_file);
	}
	return 0;
}

/*
 * Open a host path as the source of a bind, following only symlinks
 * owned by host root: a jail (whose ids are never host root) must not
 * redirect a source below its tree to something the admin did not name.
 */
static int
open_source(const char *path, char *err)
{
	char todo[PATH_MAX], link[PATH_MAX], next[PATH_MAX];
	int fd, hops = 0;

	if (path[0] != '/') {
		errno = EINVAL;
		return jerr(err, "mount: %s: not an absolute pathname", path);
	}
	snprintf(todo, sizeof(todo), "%s", path);
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return jerrno(err, "mount: /");
	for (char *p = todo; ; ) {
		struct stat st;
		char *end;
		int nfd;
		ssize_t ll;

		p += strspn(p, "/");
		if (*p == '\0')
			return fd;
		end = p + strcspn(p, "/");
		char save = *end;
		*end = '\0';
		nfd = openat(fd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		*end = save;
		if (nfd < 0 || fstat(nfd, &st) < 0) {
			jerrno(err, "mount: %s", path);
			goto fail;
		}
		if (!S_ISLNK(st.st_mode)) {
			close(fd);
			fd = nfd;
			p = end;
			continue;
		}
		if (st.st_uid != 0 || ++hops > 40) {
			close(nfd);
			errno = ELOOP;
			jerr(err, "mount: %s: a symlink in it is not owned by "
			    "root", path);
			goto fail;
		}
		ll = readlinkat(nfd, "", link, sizeof(link) - 1);
		close(nfd);
		if (ll < 0) {
			jerrno(err, "mount: %s", path);
			goto fail;
		}
		link[ll] = '\0';
		if (snprintf(next, sizeof(next), "%s%s", link, end) >=
		    (int)sizeof(next)) {
			errno = ENAMETOOLONG;
			jerr(err, "mount: %s: path too long", path);
			goto fail;
		}
		snprintf(todo, sizeof(todo), "%s", next);
		p = todo;
		if (todo[0] == '/') {
			close(fd);
			if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
				return jerrno(err, "mount: /");
		}
	}
fail:
	close(fd);
	return -1;
}

/*
 * A read-write bind hands the tree to the jail's root, whose writes land
 * as its ids on disk (idmapped: a setuid-root file it leaves is root's
 * for good).  As for the jail's path (modules/fs.c), host users other
 * than root must not be able to reach it, unless path.reachable.
 */
static int
closed_source(int fd, const struct mreq *m, char *err)
{
	char proc[64], real[PATH_MAX];
	const char *via;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((n = readlink(proc, real, sizeof(real) - 1)) < 0)
		return jerrno(err, "mount: %s", m->show_src);
	real[n] = '\0';
	if (strcmp(real, "/") == 0)
		via = "/";
	else if ((via = path_reachable(real)) == NULL)
		return 0;
	errno = EPERM;
	return jerr(err, "mount: %s: host users other than root can reach it "
	    "through %s, and the jail's root could leave setuid files there; "
	    "mount it ro, make a directory above it root's and closed to "
	    "others (chmod 0700), or set path.reachable", m->show_src, via);
}

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/*
 * The source a jail named for its descendant, as a detached clone: taken
 * in the jail's own mount table (so a mount it has, such as a read-only
 * base from the host, is passed on too, its locked flags with it), at the
 * directory the jail resolved (from_jail), found again the same way by
 * the host and matched by dev/ino.  Idmapped into the descendant's user
 * namespace (idmap) where the file system allows it: open_tree_attr makes
 * an idmapped clone of a mount that is idmapped already (Linux 6.15).
 * *mapped says whether it is.
 */
static int
jail_source(const struct mreq *m, int idmap, bool *mapped, char *err)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS };
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP,
	    .userns_fd = (uint64_t)idmap };
	unsigned fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
	    (m->recursive ? AT_RECURSIVE : 0);
	struct stat st;
	int here, fd = -1, mfd = -1;

	*mapped = false;
	if ((here = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "mount: staging");
	/* setns sets root and cwd to the jail's root */
	if (setns(m->asker_mnt, CLONE_NEWNS) < 0) {
		jerrno(err, "mount: entering the jail");
		goto out;
	}
	fd = (int)syscall(SYS_openat2, AT_FDCWD, m->src, &how, sizeof(how));
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != m->src_dev ||
	    st.st_ino != m->src_ino) {
		errno = fd < 0 ? errno : ESTALE;
		jerrno(err, "mount: %s", m->show_src);
		goto out;
	}
	if (idmap >= 0) {
		mfd = (int)syscall(SYS_open_tree_attr, fd, "", fl, &a,
		    sizeof(a));
		*mapped = mfd >= 0;
		/* EINVAL: a file system that cannot be idmapped; then the
		 * clone keeps the jail's view, and nothing runs setuid */
		if (mfd < 0 && errno != EINVAL) {
			if (errno == ENOSYS)
				jerr(err, "mount: %s: passing a mount on needs "
				    "open_tree_attr (Linux 6.15)", m->show_src);
			else
				jerrno(err, "mount: %s", m->show_src);
			goto out;
		}
	}
	if (mfd < 0 && (mfd = (int)syscall(SYS_open_tree, fd, "", fl)) < 0)
		jerrno(err, "mount: %s", m->show_src);
out:
	if (fd >= 0)
		close(fd);
	if (setns(here, CLONE_NEWNS) < 0 && mfd >= 0) {
		close(mfd);
		mfd = jerrno(err, "mount: staging");
	}
	close(here);
	return mfd;
}

/* A new file system of m's type, detached (fsopen, fsconfig, fsmount). */
static int
new_fs(const struct mreq *m, char *err)
{
	char buf[sizeof(m->fsopts)], *save, *o;
	int fsfd, mfd;

	if ((fsfd = (int)syscall(SYS_fsopen, m->fstype, FSOPEN_CLOEXEC)) < 0)
		return jerrno(err, "mount: %s", m->fstype);
	if (m->src[0] && syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING,
	    "source", m->src, 0) < 0) {
		jerrno(err, "mount: %s: source %s", m->fstype, m->src);
		goto fail;
	}
	snprintf(buf, sizeof(buf), "%s", m->fsopts);
	for (o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		if (eq)
			*eq = '\0';
		if (syscall(SYS_fsconfig, fsfd, eq ? FSCONFIG_SET_STRING :
		    FSCONFIG_SET_FLAG, o, eq ? eq + 1 : NULL, 0) < 0) {
			jerrno(err, "mount: %s: option %s", m->fstype, o);
			goto fail;
		}
	}
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) <
	    0) {
		jerrno(err, "mount: %s", m->fstype);
		goto fail;
	}
	if ((mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0)) < 0) {
		jerrno(err, "mount: %s", m->fstype);
		goto fail;
	}
	close(fsfd);
	return mfd;
fail:
	close(fsfd);
	return -1;
}

/*
 * The jail's own procfs or sysfs and what is mounted under it, as a
 * detached clone, for an entry where the kernel refuses a new one: in a
 * masked jail one would show what the masks hide (mount_too_revealing),
 * so the entry gets the jail's view, masks and all.  Run in the jail's
 * namespaces, its root ours; -1 (EPERM) if that is no such file system.
 */
static int
own_fs(const struct mreq *m)
{
	long magic = m->kind == MK_PROC ? PROC_SUPER_MAGIC : SYSFS_MAGIC;
	struct statfs sf;
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, m->kind == MK_PROC ?
	    "/proc" : "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);

	if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != magic)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		errno = EPERM;
	return fd;
}

static int
set_attr(int mfd, uint64_t set, uint64_t clr, int userns)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr };

	if (userns >= 0) {
		a.attr_set |= MOUNT_ATTR_IDMAP;
		a.userns_fd = (uint64_t)userns;
	}
	return (int)syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &a, sizeof(a));
}

/* Attach mfd at m->inside, resolved in the caller's (the jail's) root. */
static int
attach_inside(const struct mreq *m, int mfd, char *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS };
	int mp, rc;

	if ((mp = (int)syscall(SYS_openat2, AT_FDCWD, m->inside, &how,
	    sizeof(how))) < 0) {
		if (errno == ELOOP)
			return jerr(err, "mount: %s: a symlink in the jail's "
			    "tree is not followed", m->inside);
		return jerrno(err, "mount: %s in the jail", m->inside);
	}
	rc = (int)syscall(SYS_move_mount, mfd, "", mp, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (rc < 0)
		jerrno(err, "mount: attaching at %s in the jail", m->inside);
	close(mp);
	return rc;
}

/*
 * The helper's work (a forked child of the caller, host root): steps 1-4
 * of the comment at the top.  Its error text goes back on `out`.
 */
static int
helper(const struct mreq *m, const struct jail_rec *jr, int userns, int mntns,
    int pidfd, int out, char *err)
{
	int mfd = -1, lfd, idmap = jr->idmapped ? userns : -1;
	uint64_t set = m->attr_set;
	bool premapped = false;

	if (m->kind == MK_PROC || m->kind == MK_SYSFS) {
		/* the jail's own: made from inside its spaces */
		pid_t pid;
		int st;
		if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
		    CLONE_NEWNET) < 0)
			return jerrno(err, "mount: entering the jail");
		if ((pid = fork()) < 0)
			return jerrno(err, "mount: fork");
		if (pid == 0) {
			/* in the jail's PID space: proc takes it from here */
			const uint64_t safe = MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
			uint64_t add = safe, clr = m->attr_clr & ~safe;
			/* a masked jail (fs.c) shows no new one: its own
			 * then, whose flags are the jail's, locked (nodev
			 * but on its /dev/null masks); where the masks are
			 * not locked the kernel would make one, unmasked */
			bool unlocked = jr->table == TABLE_MASKED;
			if (unlocked || (mfd = new_fs(m, err)) < 0) {
				if (!unlocked && errno != EPERM)
					goto fail;
				if ((mfd = own_fs(m)) < 0) {
					jerrno(err, "mount: %s", m->fstype);
					goto fail;
				}
				add &= ~(uint64_t)MOUNT_ATTR_NODEV;
				clr = 0;
			}
			if (set_attr(mfd, (set & ~(uint64_t)MOUNT_ATTR_NODEV) |
			    add, clr, -1) < 0) {
				jerrno(err, "mount: %s", m->fstype);
				goto fail;
			}
			if (attach_inside(m, mfd, err) < 0)
				goto fail;
			_exit(0);
fail:
			(void)!write(out, err, strlen(err));
			_exit(1);
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 0;
		_exit(1);	/* its error text is in the pipe already */
	}
	/* 1: a private copy of the host's table to stage in */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return jerrno(err, "mount: staging");
	/* 2: the mount, detached */
	if (m->kind == MK_BIND && m->asker) {
		/* what the descendant may write there, the jail may already:
		 * no closed_source */
		if ((mfd = jail_source(m, idmap, &premapped, err)) < 0)
			return -1;
		idmap = -1;	/* done, or not to be */
	} else if (m->kind == MK_BIND) {
		int src = open_source(m->src, err);
		if (src < 0)
			return -1;
		if (!(m->attr_set & MOUNT_ATTR_RDONLY) && !jr->path_reachable &&
		    closed_source(src, m, err) < 0) {
			close(src);
			return -1;
		}
		mfd = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
		    (m->recursive ? AT_RECURSIVE : 0));
		close(src);
		if (mfd < 0)
			return jerrno(err, "mount: %s", m->show_src);
	} else if ((mfd = new_fs(m, err)) < 0)
		return -1;
	/* Not the jail's own ids on the host (no idmapped root): nothing
	 * on it runs setuid, as for the root (spawn.c). */
	if (idmap < 0 && !premapped)
		set |= MOUNT_ATTR_NOSUID;
	if (set_attr(mfd, set, m->attr_clr, idmap) < 0) {
		/* a file system that cannot be idmapped is shown as it is,
		 * and nothing on it runs setuid */
		if (errno != EINVAL || idmap < 0 || set_attr(mfd, set |
		    MOUNT_ATTR_NOSUID, m->attr_clr & ~(uint64_t)
		    MOUNT_ATTR_NOSUID, -1) < 0)
			return jerrno(err, "mount: %s: setting its flags",
			    m->show_src[0] ? m->show_src : m->fstype);
	}
	/* 3: stacked on the staging root, then copied into the jail's user
	 * namespace, where the kernel locks its flags */
	if (syscall(SYS_move_mount, mfd, "", AT_FDCWD, "/",
	    MOVE_MOUNT_F_EMPTY_PATH) < 0 || fchdir(mfd) < 0 || chroot(".") < 0)
		return jerrno(err, "mount: staging");
	close(mfd);
	if (setns(userns, CLONE_NEWUSER) < 0 || unshare(CLONE_NEWNS) < 0)
		return jerrno(err, "mount: locking");
	lfd = (int)syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | (m->recursive ? AT_RECURSIVE : 0));
	if (lfd < 0)
		return jerrno(err, "mount: locking");
	/* 4: into the jail's table, at a place resolved there */
	if (setns(mntns, CLONE_NEWNS) < 0)
		return jerrno(err, "mount: entering the jail");
	return attach_inside(m, lfd, err);
}

/* A path a jail names: absolute, no "." or ".." (nothing to probe). */
static int
jail_path_ok(const char *p, char *err)
{
	if (p[0] == '/' && !has_dots(p))
		return 0;
	errno = EINVAL;
	return jerr(err, "mount: %s: not an absolute path without \".\" or "
	    "\"..\"", p);
}

/* A jail's path p as a host path (below the jail's root). */
static int
host_path(const struct jail_rec *j, const char *p, char *out, char *err)
{
	bool top = strcmp(j->path, "/") == 0;

	if (jail_path_ok(p, err) < 0)
		return -1;
	if ((size_t)snprintf(out, PATH_MAX, "%s%s", top ? "" : j->path,
	    top || strcmp(p, "/") ? p : "") >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return jerr(err, "mount: %s: path too long", p);
	}
	return 0;
}

/*
 * A mount a jail asks for in one of its descendants (service.c), as
 * FreeBSD's jail(8) run in a jail mounts: only where the jail may mount
 * (allow.mount, enforce_statfs < 2, the file system's allow.mount.* bit)
 * and only what a jail may mount.  Its paths are its own view: the mount
 * point is made a host path (hostfile); a bind's source is resolved by
 * the jail (below its root, with its root's rights, no symlink followed)
 * and taken from its table by jail_source.
 */
static int
from_jail(struct mreq *m, const char *type, const char *file, char *hostfile,
    char *err)
{
	static const struct { const char *type, *allow; int bit; } may[] = {
		{ "nullfs", "nullfs", A_MOUNT_NULLFS },
		{ "bind", "nullfs", A_MOUNT_NULLFS },
		{ "none", "nullfs", A_MOUNT_NULLFS },
		{ "tmpfs", "tmpfs", A_MOUNT_TMPFS },
		{ "procfs", "procfs", A_MOUNT_PROCFS },
		{ "proc", "procfs", A_MOUNT_PROCFS },
		{ "linprocfs", "linprocfs", A_MOUNT_LINPROCFS },
		{ "linsysfs", "linsysfs", A_MOUNT_LINSYSFS },
		{ "sysfs", "linsysfs", A_MOUNT_LINSYSFS },
	};
	const struct jail_rec *j = m->asker;
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(may) / sizeof(*may); i++)
		if (strcmp(type, may[i].type) == 0)
			break;
	if (i == sizeof(may) / sizeof(*may)) {
		errno = EPERM;
		return jerr(err, "mount: %s: not available inside a jail", type);
	}
	if (!j->allow[A_MOUNT] || !j->allow[may[i].bit] ||
	    j->enforce_statfs >= 2) {
		errno = EPERM;
		return jerr(err, "mount: %s: Operation not permitted (the jail "
		    "needs allow.mount, allow.mount.%s and enforce_statfs < 2)",
		    type, may[i].allow);
	}
	if (host_path(j, file, hostfile, err) < 0)
		return -1;
	if (m->kind != MK_BIND)
		return 0;
	if (jail_path_ok(m->src, err) < 0)
		return -1;
	if (sys_stat_in_jail(j->holder, m->src, &st) < 0)
		return jerrno(err, "mount: %s", m->show_src);
	m->src_dev = st.st_dev;
	m->src_ino = st.st_ino;
	return 0;
}

static int
open_ns(pid_t pid, const char *ns, char *err)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, ns);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "mount: %s", p);
	return fd;
}

int
core_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts, const struct jail_rec *asker, char *err)
{
	struct mreq m = { 0 };
	char hostfile[PATH_MAX];
	struct jail_rec jr;
	struct jail_ns ns;
	int userns = -1, mntns = -1, pipefd[2], st, rc = -1;
	pid_t pid;
	ssize_t n;

	if (spec == NULL || file == NULL || type == NULL) {
		errno = EINVAL;
		return jerr(err, "mount: missing information");
	}
	if (jail_inside())
		return svc_mount(jid, spec, file, type, opts, err);
	m.asker = asker;
	m.show_src = spec;
	m.show_file = file;
	if (mount_kind(&m, type, err) < 0 || mount_opts(&m, opts, err) < 0)
		return -1;
	if (strlen(spec) >= sizeof(m.src)) {
		errno = ENAMETOOLONG;
		return jerr(err, "mount: %s: path too long", spec);
	}
	snprintf(m.src, sizeof(m.src), "%s", spec);
	m.asker_mnt = -1;
	if (asker && from_jail(&m, type, file, hostfile, err) < 0)
		return -1;
	if (core_enter(jid, NULL, &jr, &ns, err) < 0)
		return -1;
	/* the asker's namespaces: its holder is its monitor's (our) child,
	 * its pid not reused while we live */
	if (asker && m.kind == MK_BIND &&
	    (m.asker_mnt = open_ns(asker->holder, "mnt", err)) < 0)
		goto out;
	if (mount_point(&m, jr.path, asker ? hostfile : file, err) < 0 ||
	    (userns = open_ns(jr.holder, "user", err)) < 0 ||
	    (mntns = open_ns(jr.holder, "mnt", err)) < 0)
		goto out;
	/* the namespaces are the holder's if it still lives after opening */
	if (sys_pidfd_send_signal(ns.pidfd, 0) < 0) {
		errno = ENOENT;
		jerr(err, "jail %d not found", jid);
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		jerrno(err, "pipe");
		goto out;
	}
	if ((pid = fork()) < 0) {
		jerrno(err, "fork");
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (pid == 0) {
		/* In the jail's namespaces later: not to be traced from there. */
		prctl(PR_SET_DUMPABLE, 0);
		close(pipefd[0]);
		err[0] = '\0';
		rc = helper(&m, &jr, userns, mntns, ns.pidfd, pipefd[1], err);
		if (rc < 0) {
			if (!err[0])
				jerr(err, "mount: %s on %s failed", m.show_src,
				    m.show_file);
			(void)!write(pipefd[1], err, strlen(err));
		}
		_exit(rc < 0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], err, JAIL_ERRMSGLEN - 1);
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		rc = 0;
	} else {
		err[n > 0 ? n : 0] = '\0';
		if (n <= 0)
			jerr(err, "mount: %s on %s failed", m.show_src,
			    m.show_file);
		errno = EINVAL;
	}
out:
	if (m.asker_mnt >= 0)
		close(m.asker_mnt);
	if (userns >= 0)
		close(userns);
	if (mntns >= 0)
		close(mntns);
	jns_close(&ns);
	return rc;
}

int
jail_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts)
{
	int rc = core_mount(jid, spec, file, type, opts, NULL, jail_errmsg);

	/* a jail's service refuses some callers without a word (svc_call) */
	if (rc < 0 && !jail_errmsg[0])
		jerrno(jail_errmsg, "mount");
	return rc;
}
