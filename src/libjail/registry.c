/*
 * registry.c - the host-side record of jails under /run/vjail
 * ($VJAIL_RUNDIR): one file per jail in jails/<jid>, one lock.
 *
 * Only host-side code writes here; nothing inside a jail can reach it
 * (the holder mounts an empty tmpfs over it in a jail whose root would
 * show it).  Records are still never trusted blindly: a holder is alive
 * only if its pid, start time and user namespace all match.  Records from
 * an earlier boot are dropped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vjail.h"

/*
 * Fault injection for the system tests (tests/sys/24-crash.t):
 * VJAIL_FAULT=<step> kills the process with SIGKILL when it reaches
 * that step, as an operator's kill -9 would.  Armed only with a
 * registry other than the default one (VJAIL_RUNDIR), so a production
 * command pays one getenv on its first step point, and the hook can
 * never fire against the machine's real jails.
 */
void
fault_point(const char *step)
{
	static const char *want;
	static int armed = -1;

	if (armed < 0) {
		const char *d = getenv("VJAIL_RUNDIR");
		want = getenv("VJAIL_FAULT");
		armed = want && *want && d && *d && strcmp(d, "/run/vjail") != 0;
	}
	if (armed && strcmp(want, step) == 0)
		raise(SIGKILL);
}

const char *
reg_rundir(void)
{
	const char *d = getenv("VJAIL_RUNDIR");

	return d && *d ? d : "/run/vjail";
}

/*
 * Who holds the stub images every jail shares (spawn.c): the link
 * "stubs" -> "pid:start", no page.  Read and replaced without the lock:
 * it is replaced whole, and a stale or forged one only costs a fresh
 * image (the taker checks the images themselves).
 */
#define STUBS_LINK	"stubs"

int
reg_stubs_owner(pid_t *pid, uint64_t *start)
{
	char path[PATH_MAX], to[64];
	unsigned long long st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/" STUBS_LINK, reg_rundir());
	if ((n = readlink(path, to, sizeof(to) - 1)) <= 0)
		return -1;
	to[n] = '\0';
	if (sscanf(to, "%d:%llu", pid, &st) != 2 || *pid <= 0)
		return -1;
	*start = st;
	return 0;
}

void
reg_stubs_claim(pid_t pid, uint64_t start)
{
	char path[PATH_MAX], tmp[PATH_MAX], to[64];

	snprintf(to, sizeof(to), "%d:%llu", (int)pid,
	    (unsigned long long)start);
	snprintf(path, sizeof(path), "%s/" STUBS_LINK, reg_rundir());
	/* One name for every claimer: a kill between the two steps leaves
	 * at most this one link, replaced by the next claim.  Racing claims
	 * may be lost: the next creator then makes its own images. */
	snprintf(tmp, sizeof(tmp), "%s/." STUBS_LINK, reg_rundir());
	(void)unlink(tmp);
	if (symlink(to, tmp) == 0 && rename(tmp, path) < 0)
		(void)unlink(tmp);
}

static void
boot_id(char *buf, size_t len)
{
	if (sys_read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id", buf,
	    len) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The registry's own small files (boot, lastjid, lastslot) and records
 * are read as untrusted input: regular files only, opened without
 * blocking (a FIFO planted there must not hang every command, which
 * would hold the lock), bounded in size.
 */
static int
reg_openat(int dirfd, const char *name, int flags, off_t max)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > max) {
		close(fd);
		errno = EBADMSG;
		return -1;
	}
	return fd;
}

static ssize_t
reg_read_small_at(int dirfd, const char *name, char *buf, size_t len)
{
	return sys_read_fd(reg_openat(dirfd, name, O_RDONLY, (off_t)len - 1),
	    buf, len);
}

ssize_t
reg_read_small(struct registry *r, const char *name, char *buf, size_t len)
{
	return reg_read_small_at(r->dirfd, name, buf, len);
}

/* A counter of the registry: a decimal in [0, max], else -1. */
long
reg_counter(struct registry *r, const char *name, long max)
{
	char buf[24], *ep;
	long v;

	if (reg_read_small(r, name, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtol(buf, &ep, 10);
	if (ep == buf || (*ep && *ep != '\n') || errno || v < 0 || v > max)
		return -1;
	return v;
}

/* Written in place (as reg_store). */
void
reg_save_counter(struct registry *r, const char *name, long value)
{
	char buf[24];
	int fd;

	snprintf(buf, sizeof(buf), "%ld", value);
	if ((fd = reg_openat(r->dirfd, name, O_WRONLY | O_CREAT, 64)) >= 0) {
		(void)!pwrite(fd, buf, strlen(buf), 0);
		(void)!ftruncate(fd, (off_t)strlen(buf));
		close(fd);
	}
}

/*
 * A registry written in an earlier boot: its jails are all dead and the
 * kernel has none of their state, so their records are dropped without a
 * teardown (one could remove addresses or mounts of this boot that only
 * look like theirs).  A boot file that is missing or unreadable proves
 * nothing: with records there, none is dropped (live jails' least of
 * all); without, the registry is new.  0: this boot's registry; 1: not
 * known to be; 2: an earlier boot's, or new: the caller resets what a
 * boot clears (rctl's rules).  Then reg_boot_mark(), after that reset.
 */
int
reg_boot_check(struct registry *r)
{
	char now[64], then[64] = "";
	int *jids = NULL, n;
	bool known;

	boot_id(now, sizeof(now));
	known = reg_read_small(r, "boot", then, sizeof(then)) > 0;
	if (known && strcmp(now, then) == 0)
		return 0;
	n = reg_list(r, &jids);
	if (known)
		for (int i = 0; i < n; i++)
			reg_delete(r, jids[i]);
	free(jids);
	return known || n == 0 ? 2 : 1;
}

void
reg_boot_mark(struct registry *r)
{
	char now[64];
	int fd;

	boot_id(now, sizeof(now));
	if ((fd = openat(r->dirfd, "boot.tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0644)) >= 0) {
		(void)!write(fd, now, strlen(now));
		close(fd);
		renameat(r->dirfd, "boot.tmp", r->dirfd, "boot");
	}
}

/*
 * The registry lives in memory: a jail's creation makes and removes a
 * few files and symlinks, which cost 0.6-1.4 ms each on an ext4 /run
 * (measured: a bare jail -c took twice as long as on a tmpfs).  Where
 * its directory is not on a tmpfs, the first command mounts one there
 * (nosuid, nodev, noexec, mode 0700), which stays: a registry, like
 * /run, is gone at reboot, and the boot check expects no less.  Only
 * over an empty registry (records there would be hidden), and only in
 * the machine's first mount namespace, or for a registry of one's own
 * (VJAIL_RUNDIR: tests and benches in namespaces of their own): every
 * vjail command must see the one registry.  The directory below the
 * mount keeps a mark (the boot id), so a command in a mount namespace
 * that does not see the tmpfs refuses to work on a registry of its own
 * instead.  1: mounted (open again), 0: stay, -1: refused.
 */
#define REG_MARK	"tmpfs-mounted"

static bool
mem_backed(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && (sf.f_type == TMPFS_MAGIC ||
	    sf.f_type == RAMFS_MAGIC);
}

static bool
first_mntns(void)
{
	struct stat a, b;

	return stat("/proc/self/ns/mnt", &a) == 0 &&
	    stat("/proc/1/ns/mnt", &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev;
}

/*
 * May the registry in dirfd move into a tmpfs?  Only if nothing in it
 * names a jail or a kernel object (records, index and member entries:
 * hiding them would hide state): its counters, boot id and rctl rules
 * are carried over (copy_small), caches are made again.
 */
static bool
movable(int dirfd)
{
	static const char *const carried[] = { ".", "..", "lock", REG_MARK,
	    "boot", "lastjid", "lastslot", "reaped", "filters", "rctl", NULL };
	static const char *const sets[] = { "jails", "names", "slots", "kids",
	    "bridges", "fibs", "addrs", NULL };
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool ok = d != NULL;

	if (d == NULL && fd >= 0)
		close(fd);
	while (ok && (de = readdir(d)) != NULL) {
		bool known = false;
		for (int i = 0; carried[i] && !known; i++)
			known = strcmp(de->d_name, carried[i]) == 0;
		for (int i = 0; sets[i] && !known; i++)
			if (strcmp(de->d_name, sets[i]) == 0) {
				int sfd = openat(dirfd, sets[i],
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				DIR *sd = sfd >= 0 ? fdopendir(sfd) : NULL;
				struct dirent *e;
				known = sd != NULL;
				while (known && (e = readdir(sd)) != NULL)
					known = e->d_name[0] == '.' &&
					    (!e->d_name[1] || (e->d_name[1] == '.' &&
					    !e->d_name[2]));
				if (sd)
					closedir(sd);
				else if (sfd >= 0)
					close(sfd);
			}
		ok = known;
	}
	if (d)
		closedir(d);
	return ok;
}

/* Copy the small regular file name from one registry to another. */
static void
copy_small(int from, int to, const char *name)
{
	char buf[16384];
	ssize_t n = reg_read_small_at(from, name, buf, sizeof(buf));
	int fd;

	if (n < 0 || (fd = reg_openat(to, name, O_WRONLY | O_CREAT | O_TRUNC,
	    sizeof(buf))) < 0)
		return;
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

/* The counters, boot id and rctl rules of the registry below the tmpfs. */
static void
carry_over(int from, const char *dir)
{
	int to = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rfd, dfd;
	DIR *d;
	struct dirent *de;
	char path[PATH_MAX];

	if (to < 0)
		return;
	copy_small(from, to, "boot");
	copy_small(from, to, "lastjid");
	copy_small(from, to, "lastslot");
	if ((rfd = openat(from, "rctl", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) >= 0 && (dfd = dup(rfd)) >= 0 &&
	    (d = fdopendir(dfd)) != NULL) {
		mkdirat(to, "rctl", 0700);
		while ((de = readdir(d)) != NULL)
			if (de->d_type == DT_REG && snprintf(path, sizeof(path),
			    "rctl/%s", de->d_name) < (int)sizeof(path))
				copy_small(from, to, path);
		closedir(d);
	}
	if (rfd >= 0)
		close(rfd);
	close(to);
}

/* Is the registry below a tmpfs mounted in this boot, which our mount
 * namespace does not see?  (Then working here would be a second one.) */
static bool
elsewhere(const char *dir, int dirfd, char *err)
{
	char now[64], mark[64] = "";

	if (sys_read_small(dirfd, REG_MARK, mark, sizeof(mark)) <= 0)
		return false;
	boot_id(now, sizeof(now));
	if (strcmp(mark, now) != 0)
		return false;	/* of an earlier boot */
	errno = EBUSY;
	jerr(err, "registry: %s is vjail's tmpfs in another mount namespace "
	    "(its mark: %s/" REG_MARK "): work there", dir, dir);
	return true;
}

static int
reg_mount(const char *dir, int dirfd, char *err)
{
	char now[64];
	struct stat top, here;
	int lockfd, fd = -1, rc = 0;
	const char *own = getenv("VJAIL_RUNDIR");

	if (!first_mntns() && !(own && *own && strcmp(own, "/run/vjail")))
		return 0;
	if ((lockfd = reg_openat(dirfd, "lock", O_RDWR | O_CREAT, 4096)) < 0)
		return 0;
	while (flock(lockfd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(lockfd);
			return 0;
		}
	boot_id(now, sizeof(now));
	if (stat(dir, &top) < 0 || fstat(dirfd, &here) < 0 ||
	    top.st_dev != here.st_dev || top.st_ino != here.st_ino)
		rc = 1;		/* mounted meanwhile: open it */
	else if (elsewhere(dir, dirfd, err))
		rc = -1;
	else if (!movable(dirfd))
		rc = 0;		/* jails there: stay with them */
	else if ((fd = reg_openat(dirfd, REG_MARK, O_WRONLY | O_CREAT |
	    O_TRUNC, 64)) >= 0 && write(fd, now, strlen(now)) ==
	    (ssize_t)strlen(now)) {
		if (mount("vjail", dir, "tmpfs", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, "mode=0700") == 0) {
			carry_over(dirfd, dir);
			rc = 1;
		}
		else
			unlinkat(dirfd, REG_MARK, 0);
	}
	if (fd >= 0)
		close(fd);
	close(lockfd);
	return rc;
}

int
reg_open(struct registry *r, bool exclusive, char *err)
{
	const char *dir = reg_rundir();
	struct stat top, here;
	int tries = 0, m;
	bool mem;

again:
	r->dirfd = r->jailsfd = r->lockfd = -1;
	r->idxfd[0] = r->idxfd[1] = -1;
	/* (opened first: made only the first time) */
	if ((r->dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return jerrno(err, "registry: mkdir %s", dir);
		r->dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	if (r->dirfd < 0)
		return jerrno(err, "registry: %s", dir);
	mem = mem_backed(r->dirfd);
	if (!mem && tries == 0 && (m = reg_mount(dir, r->dirfd, err)) != 0) {
		reg_close(r);
		if (m < 0)
			return -1;
		tries++;
		goto again;
	}
	if ((r->jailsfd = openat(r->dirfd, "jails", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0 && errno == ENOENT &&
	    (mkdirat(r->dirfd, "jails", 0700) == 0 || errno == EEXIST))
		r->jailsfd = openat(r->dirfd, "jails", O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	if (r->jailsfd < 0)
		goto fail;
	if ((r->lockfd = reg_openat(r->dirfd, "lock", O_RDWR | O_CREAT,
	    4096)) < 0)
		goto fail;
	while (flock(r->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			goto fail;
	/* Locked: is this still the registry (not a directory a tmpfs was
	 * mounted over while we waited; vjail mounts over no tmpfs)? */
	if (!mem && stat(dir, &top) == 0 && fstat(r->dirfd, &here) == 0 &&
	    (top.st_dev != here.st_dev || top.st_ino != here.st_ino) &&
	    tries++ < 3) {
		reg_close(r);
		goto again;
	}
	if (!mem && elsewhere(dir, r->dirfd, err)) {
		reg_close(r);
		return -1;
	}
	return 0;
fail:
	jerrno(err, "registry: %s", dir);
	reg_close(r);
	return -1;
}

/*
 * The full sweep (core_clean) reads every record, so it is spaced by the
 * registry's size: 1 s, plus 10 ms a record, after the last one ended
 * (the time it may run again is the "reaped" file's mtime), so that its
 * cost per creation does not grow with the number of jails.
 */
bool
reg_sweep_due(struct registry *r)
{
	struct stat st;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	/* (a clock set back does not stop it) */
	return !(fstatat(r->dirfd, "reaped", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.tv_sec < st.st_mtim.tv_sec &&
	    st.st_mtim.tv_sec - now.tv_sec <= 1 + REG_SWEEP_MAXGAP);
}

/* A sweep that looked at n records ended. */
void
reg_swept(struct registry *r, int n)
{
	struct timespec now, next[2];
	int fd;

	clock_gettime(CLOCK_REALTIME, &now);
	next[0] = next[1] = (struct timespec){ now.tv_sec + 1 +
	    (n / 100 < REG_SWEEP_MAXGAP ? n / 100 : REG_SWEEP_MAXGAP), 0 };
	if ((fd = reg_openat(r->dirfd, "reaped", O_WRONLY | O_CREAT, 0)) >= 0) {
		futimens(fd, next);
		close(fd);
	}
}

void
reg_close(struct registry *r)
{
	if (r->lockfd >= 0)
		close(r->lockfd);	/* releases the lock */
	if (r->jailsfd >= 0)
		close(r->jailsfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	for (int i = 0; i < 2; i++)
		if (r->idxfd[i] >= 0)
			close(r->idxfd[i]);
	r->dirfd = r->jailsfd = r->lockfd = -1;
	r->idxfd[0] = r->idxfd[1] = -1;
}

/*
 * The lock alone dropped and taken again (core_create spawns without
 * it): the directories stay open, so a command opens its registry once.
 * The lock file is closed meanwhile, so that no process forked in
 * between shares the locked file.  A registry not in memory is opened
 * anew: reg_open checks that one for a tmpfs mounted over it meanwhile.
 */
void
reg_unlock(struct registry *r)
{
	if (r->lockfd >= 0)
		close(r->lockfd);	/* releases the lock */
	r->lockfd = -1;
}

int
reg_relock(struct registry *r, char *err)
{
	if (r->dirfd < 0 || !mem_backed(r->dirfd)) {
		reg_close(r);
		return reg_open(r, true, err);
	}
	if ((r->lockfd = reg_openat(r->dirfd, "lock", O_RDWR | O_CREAT,
	    4096)) < 0)
		goto fail;
	while (flock(r->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			goto fail;
	return 0;
fail:
	jerrno(err, "registry: %s", reg_rundir());
	reg_close(r);
	return -1;
}

/*
 * Record format: "key=value" lines.  Parameters use their table names;
 * host-side facts use names that are not parameters.  Values never hold
 * a newline (strings with control characters are refused at check; the
 * PF_LINES ones, meta and env, are escaped: a newline as backslash-n,
 * a backslash as two).
 */
struct fact { const char *key; size_t off, size; int kind; };
enum { K_INT, K_U64, K_STR };
#define FACT(k, f, kind) { k, offsetof(struct jail_rec, f), \
    sizeof(((struct jail_rec *)0)->f), kind }
static const struct fact facts[] = {
	FACT(".state", state, K_INT),
	FACT(".holder", holder, K_INT),
	FACT(".holder_start", holder_start, K_U64),
	FACT(".monitor", monitor, K_INT),
	FACT(".monitor_start", monitor_start, K_U64),
	FACT(".creator", creator, K_INT),
	FACT(".creator_start", creator_start, K_U64),
	FACT(".uidslot", uidslot, K_INT),
	FACT(".uidslots", uidslots, K_INT),
	FACT(".userns", userns, K_U64),
	FACT(".cgroup", cgroup, K_STR),
	FACT(".cgroup_id", cgroup_id, K_U64),
	FACT(".parent", parent, K_INT),
	FACT(".moved", moved, K_STR),
	FACT(".aliases", aliases, K_STR),
	FACT(".idmapped", idmapped, K_INT),
	FACT(".guard", guard, K_INT),
	FACT(".guard_mnt", guard_mnt, K_U64),
	FACT(".table", table, K_INT),
	FACT(".fib_groups", fib_groups, K_INT),
	FACT(".cg1.cpu", cg1[CG_CPU], K_STR),
	FACT(".cg1.memory", cg1[CG_MEMORY], K_STR),
	FACT(".cg1.pids", cg1[CG_PIDS], K_STR),
	FACT(".cg1.cpuset", cg1[CG_CPUSET], K_STR),
	FACT(".cg1.blkio", cg1[CG_IO], K_STR),
	FACT(".rlimits", rlimits, K_STR),
	FACT(".watcher", watcher, K_INT),
	FACT(".watcher_start", watcher_start, K_U64),
};

/*
 * A record's lines come in the order reg_store writes them (the table's,
 * then the facts'): each key is looked for from just after the last one
 * found, so a record is read in one pass over the table, not one per
 * line (param_lookup is the fallback for a record written otherwise).
 */
static const struct param_def *
rec_param(const char *key, size_t *hint)
{
	for (size_t i = *hint; i < param_count; i++)
		if (!(param_table[i].flags & (PF_ALIAS | PF_RDONLY)) &&
		    strcmp(param_table[i].name, key) == 0) {
			*hint = i + 1;
			return &param_table[i];
		}
	return NULL;
}

static const struct fact *
rec_fact(const char *key, size_t *hint)
{
	size_t n = sizeof(facts) / sizeof(*facts);

	for (size_t k = 0; k < n; k++) {
		size_t i = (*hint + k) % n;
		if (strcmp(facts[i].key, key) == 0) {
			*hint = i + 1;
			return &facts[i];
		}
	}
	return NULL;
}

/* Parse one fact strictly: false if the value is not of its kind. */
static bool
fact_set(struct jail_rec *jr, const struct fact *f, const char *v)
{
	char *p = (char *)jr + f->off, *ep;

	errno = 0;
	if (f->kind == K_INT) {
		long x = strtol(v, &ep, 10);
		if (ep == v || *ep || errno || x < 0 || x > INT_MAX)
			return false;
		*(int *)p = (int)x;
	} else if (f->kind == K_U64) {
		unsigned long long x = strtoull(v, &ep, 10);
		if (ep == v || *ep || errno || *v == '-')
			return false;
		*(uint64_t *)p = x;
	} else {
		if (strlen(v) >= f->size)
			return false;
		snprintf(p, f->size, "%s", v);
	}
	return true;
}

/* A PF_LINES value: backslash-n is a newline, two backslashes one. */
static void
unescape_lines(char *dst, size_t size, const char *v)
{
	size_t n = 0;

	for (; *v && n + 1 < size; v++)
		if (v[0] == '\\' && (v[1] == 'n' || v[1] == '\\'))
			dst[n++] = *++v == 'n' ? '\n' : '\\';
		else
			dst[n++] = *v;
	dst[n] = '\0';
}

/* Are the v1 groups the record names the jail's (clear those that are
 * not, if asked)? */
static bool
cg1_valid(struct jail_rec *jr, bool clear)
{
	bool ok = true;

	for (int c = 0; c < CG_NCTRL; c++)
		if (jr->cg1[c][0] && !cg_v1_valid(c, jr->cg1[c], jr->jid)) {
			ok = false;
			if (clear)
				jr->cg1[c][0] = '\0';
		}
	return ok;
}

/*
 * Is the record's word about itself believable?  Only what could lead a
 * command to act on something not the jail's is checked: identity,
 * ranges, the cgroup, whose processes teardown would kill, and how its
 * table was made (jail -m lets only a locked one meet the mount calls).
 */
static bool
rec_valid(struct jail_rec *jr)
{
	return jr->name[0] && mod_check_chars("name", jr->name, false,
	    (char[JAIL_ERRMSGLEN]){ 0 }) == 0 &&
	    jr->state >= JS_CREATING && jr->state <= JS_DYING &&
	    jr->parent >= 0 && jr->parent <= JAIL_MAX && jr->parent != jr->jid &&
	    jr->uidslot < JAIL_UIDSLOTS && jr->uidslots <= JAIL_UIDMAXRANGE &&
	    jr->uidslot + jr->uidslots <= JAIL_UIDSLOTS &&
	    jr->table <= TABLE_LOCKED &&
	    (jr->cgroup[0] == '\0' ? jr->state == JS_CREATING :
	    cg_shape_ok(jr)) && cg1_valid(jr, false);
}

/*
 * Read record jid: 0, or 1 if it is damaged (what could be read is in
 * jr, jr->damaged set, its name the jid and its cgroup cleared unless
 * they are believable), or -1 with errno (ENOENT: no record).
 */
int
reg_read(struct registry *r, int jid, struct jail_rec *jr)
{
	char name[16], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;
	bool bad = false, seen_name = false, seen_state = false;
	size_t phint = 0, fhint = 0;

	memset(jr, 0, sizeof(*jr));
	jr->jid = jid;
	/* a record from before ip4/ip6 were kept: unrestricted */
	jr->ip4 = jr->ip6 = JAIL_SYS_INHERIT;
	snprintf(name, sizeof(name), "%d", jid);
	if ((fd = reg_openat(r->jailsfd, name, O_RDONLY, REG_RECMAX)) < 0) {
		if (errno != EBADMSG)
			return -1;
		bad = true;	/* not a regular file, or too big */
		goto damaged;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		char *eq = strchr(line, '=');
		bool neg;
		const struct param_def *pd;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		else
			bad = true;	/* truncated */
		if (eq == NULL) {
			bad = true;
			continue;
		}
		*eq++ = '\0';
		if (line[0] == '.') {
			const struct fact *fa = rec_fact(line, &fhint);
			if (fa) {
				bad |= !fact_set(jr, fa, eq);
				seen_state |= fa->off ==
				    offsetof(struct jail_rec, state);
			}
			continue;
		}
		if ((pd = rec_param(line, &phint)) == NULL &&
		    ((pd = param_lookup(line, &neg)) == NULL || neg))
			continue;
		if (pd->flags & PF_LINES)
			unescape_lines(param_field(pd, jr), pd->size, eq);
		else if (pd->type == PT_STRING)
			snprintf(param_field(pd, jr), pd->size, "%s", eq);
		else {
			char *ep;
			long v = strtol(eq, &ep, 10);
			if (ep == eq || *ep || v < INT_MIN || v > INT_MAX)
				bad = true;
			*(int *)param_field(pd, jr) = (int)v;
		}
		seen_name |= strcmp(pd->name, "name") == 0;
	}
	bad |= ferror(f) != 0;
	free(line);
	fclose(f);
	jr->jid = jid;
	if (!bad && seen_name && seen_state && rec_valid(jr)) {
		jr->dying = jr->state == JS_DYING;
		return 0;
	}
damaged:
	/* Believe nothing that would name something else: the jail is
	 * known by its jid; its cgroup is looked for where vjail puts it. */
	jr->damaged = 1;
	jr->dying = 1;
	if (!jr->name[0] || mod_check_chars("name", jr->name, false,
	    (char[JAIL_ERRMSGLEN]){ 0 }) < 0)
		snprintf(jr->name, sizeof(jr->name), "%d", jid);
	if (jr->parent < 0 || jr->parent > JAIL_MAX || jr->parent == jid)
		jr->parent = 0;
	if (jr->uidslot >= JAIL_UIDSLOTS || jr->uidslots > JAIL_UIDMAXRANGE ||
	    jr->uidslot + jr->uidslots > JAIL_UIDSLOTS)
		jr->uidslot = jr->uidslots = 0;
	if (jr->cgroup[0] && !cg_shape_ok(jr))
		jr->cgroup[0] = '\0';
	cg1_valid(jr, true);
	if (jr->state < JS_CREATING || jr->state > JS_DYING)
		jr->state = JS_DYING;
	return 1;
}

/* A sound record, else -1 (errno EBADMSG for a damaged one). */
int
reg_load(struct registry *r, int jid, struct jail_rec *jr)
{
	int rc = reg_read(r, jid, jr);

	if (rc == 1) {
		errno = EBADMSG;
		return -1;
	}
	return rc;
}

/* Does record jid exist (sound or not)? */
bool
reg_exists(struct registry *r, int jid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", jid);
	return faccessat(r->jailsfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT;
}

/*
 * Write a record in place: writers hold the exclusive lock and readers
 * the shared one, so no reader sees it half-written.  (Replacing the file
 * by rename, or truncating it to zero, makes ext4 flush it: 0.1-0.3 ms a
 * time where /run is not a tmpfs.)
 */
int
reg_store(struct registry *r, const struct jail_rec *jr, char *err)
{
	char name[16], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd = -1, rc = -1;

	if (f == NULL)
		return jerrno(err, "registry");
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *pd = &param_table[i];
		const void *v = (const char *)jr + pd->off;
		if (pd->flags & (PF_ALIAS | PF_RDONLY))
			continue;
		if (pd->flags & PF_LINES) {
			fprintf(f, "%s=", pd->name);
			for (const char *c = v; *c; c++)
				fputs(*c == '\n' ? "\\n" : *c == '\\' ? "\\\\" :
				    (char[]){ *c, 0 }, f);
			putc('\n', f);
		} else if (pd->type == PT_STRING)
			fprintf(f, "%s=%s\n", pd->name, (const char *)v);
		else
			fprintf(f, "%s=%d\n", pd->name, *(const int *)v);
	}
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++) {
		const char *v = (const char *)jr + facts[i].off;
		if (facts[i].kind == K_INT)
			fprintf(f, "%s=%d\n", facts[i].key, *(const int *)v);
		else if (facts[i].kind == K_U64)
			fprintf(f, "%s=%" PRIu64 "\n", facts[i].key,
			    *(const uint64_t *)v);
		else
			fprintf(f, "%s=%s\n", facts[i].key, v);
	}
	if (fclose(f) != 0)
		goto out;
	snprintf(name, sizeof(name), "%d", jr->jid);
	if ((fd = reg_openat(r->jailsfd, name, O_WRONLY | O_CREAT,
	    REG_RECMAX)) < 0 ||
	    pwrite(fd, buf, len, 0) != (ssize_t)len || ftruncate(fd,
	    (off_t)len) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		jerrno(err, "registry: record %d", jr->jid);
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/*
 * Indexes, so that per-jail work does not grow with the number of jails:
 *   names/<name> -> "<jid>"	the live (not dying) jail of that name
 *   kids/<jid>/<childjid>	children, for children.max and .cur
 *   slots/<n> -> "<jid>"	who holds host uid range n
 * All are changed under the exclusive lock only.
 */
static int
index_open(struct registry *r, const char *dir)
{
	int fd;

	if ((fd = openat(r->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 && errno == ENOENT &&
	    mkdirat(r->dirfd, dir, 0700) == 0)
		fd = openat(r->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	return fd;
}

/* names/ and slots/ stay open with the registry (index_done keeps them). */
static int *
index_slot(struct registry *r, const char *dir)
{
	if (strcmp(dir, "names") == 0)
		return &r->idxfd[0];
	if (strcmp(dir, "slots") == 0)
		return &r->idxfd[1];
	return NULL;
}

static int
index_dir(struct registry *r, const char *dir)
{
	int *slot = index_slot(r, dir);

	if (slot == NULL)
		return index_open(r, dir);
	if (*slot < 0)
		*slot = index_open(r, dir);
	return *slot;
}

static void
index_done(struct registry *r, const char *dir, int fd)
{
	if (fd >= 0 && index_slot(r, dir) == NULL)
		close(fd);
}

/* The jid an index entry points to, or -1. */
static int
index_get(struct registry *r, const char *dir, const char *key)
{
	char buf[16];
	int fd = index_dir(r, dir);
	ssize_t n = fd >= 0 ? readlinkat(fd, key, buf, sizeof(buf) - 1) : -1;

	index_done(r, dir, fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/* Point key at jid; 0, or -1 with EEXIST if key is taken. */
static int
index_set(struct registry *r, const char *dir, const char *key, int jid)
{
	char buf[16];
	int fd = index_dir(r, dir), rc;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", jid);
	rc = symlinkat(buf, fd, key);
	index_done(r, dir, fd);
	return rc;
}

/* Drop key if it still points at jid. */
static void
index_del(struct registry *r, const char *dir, const char *key, int jid)
{
	int fd;

	if (index_get(r, dir, key) != jid || (fd = index_dir(r, dir)) < 0)
		return;
	unlinkat(fd, key, 0);
	index_done(r, dir, fd);
}

int
reg_name_jid(struct registry *r, const char *name)
{
	return index_get(r, "names", name);
}

int
reg_name_claim(struct registry *r, const char *name, int jid)
{
	return index_set(r, "names", name, jid);
}

void
reg_name_release(struct registry *r, const char *name, int jid)
{
	index_del(r, "names", name, jid);
}

int
reg_slot_claim(struct registry *r, uint32_t slot, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	return index_set(r, "slots", key, jid);
}

int
reg_slot_holder(struct registry *r, uint32_t slot)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	return index_get(r, "slots", key);
}

void
reg_slot_release(struct registry *r, uint32_t slot, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	index_del(r, "slots", key, jid);
}

/*
 * Member sets: <set>/<key>/<jid>, e.g. kids/<parent>/<jid> (children) and
 * bridges/<outer>.<bridge>/<jid> (jails with a port on a bridge).
 */
static void
member_path(const char *set, const char *key, int jid, char *buf,
    size_t len)
{
	if (jid != 0)	/* (FIB_HOST, -1: the host) */
		snprintf(buf, len, "%s/%s/%d", set, key, jid);
	else
		snprintf(buf, len, "%s/%s", set, key);
}

int
reg_member_add(struct registry *r, const char *set, const char *key, int jid)
{
	char path[PATH_MAX];
	int fd;

	index_done(r, set, index_dir(r, set));
	member_path(set, key, 0, path, sizeof(path));
	if (mkdirat(r->dirfd, path, 0700) < 0 && errno != EEXIST)
		return -1;
	member_path(set, key, jid, path, sizeof(path));
	fd = reg_openat(r->dirfd, path, O_WRONLY | O_CREAT, 0);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The jids named by the entries of directory fd (closed), sorted. */
static int
read_jids(int fd, int **jidsp)
{
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int *jids = NULL, n = 0, cap = 0;

	*jidsp = NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char *ep;
		long jid = strtol(de->d_name, &ep, 10);
		if (*ep || jid == 0 || jid < FIB_HOST || jid > JAIL_MAX)
			continue;
		if (n == cap) {
			int *nj = realloc(jids, sizeof(int) * (cap = cap ? cap * 2 : 32));
			if (nj == NULL)
				break;
			jids = nj;
		}
		jids[n++] = (int)jid;
	}
	closedir(d);
	qsort(jids, (size_t)n, sizeof(int), cmp_int);
	*jidsp = jids;
	return n;
}

/* Members of set/key: count, and their jids in *jids (malloc'd). */
int
reg_members(struct registry *r, const char *set, const char *key,
    int **jidsp)
{
	char path[PATH_MAX];

	member_path(set, key, 0, path, sizeof(path));
	return read_jids(openat(r->dirfd, path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC), jidsp);
}

/* The jids named by the entries of directory dir (say, a cgroup). */
int
reg_members_at(const char *dir, int **jidsp)
{
	return read_jids(open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC), jidsp);
}

/*
 * Drop jid from set/key, and the key once empty: 1 if members are left,
 * else 0.  The directory's rmdir says so (ENOTEMPTY): no listing, so the
 * last of 1000 jails on a bridge costs what the first does.
 */
int
reg_member_del(struct registry *r, const char *set, const char *key, int jid)
{
	char path[PATH_MAX];

	member_path(set, key, jid, path, sizeof(path));
	unlinkat(r->dirfd, path, 0);
	member_path(set, key, 0, path, sizeof(path));
	return unlinkat(r->dirfd, path, AT_REMOVEDIR) < 0 &&
	    (errno == ENOTEMPTY || errno == EEXIST);
}

/* Is jid a member of set/key (jid 0: is set/key there at all)? */
bool
reg_member_has(struct registry *r, const char *set, const char *key, int jid)
{
	char path[PATH_MAX];
	struct stat st;

	member_path(set, key, jid, path, sizeof(path));
	return fstatat(r->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int
reg_kid_add(struct registry *r, int parent, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", parent);
	return reg_member_add(r, "kids", key, jid);
}

int
reg_kids(struct registry *r, int parent, int **jidsp)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", parent);
	return reg_members(r, "kids", key, jidsp);
}

/*
 * Every entry of index dir (names/, slots/) that points at jid: dropped
 * (purge), or the first one's name copied to found (a damaged record's
 * name, found by its jid).
 */
static void
index_scan(struct registry *r, const char *dir, int jid, bool purge,
    char *found, size_t len)
{
	int fd = index_open(r, dir), dfd;	/* (its own offset) */
	DIR *d;
	struct dirent *de;
	char buf[16];
	ssize_t n;

	if (fd < 0)
		return;
	if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if ((n = readlinkat(fd, de->d_name, buf, sizeof(buf) - 1)) > 0 &&
		    (buf[n] = '\0', atoi(buf) == jid)) {
			if (purge)
				unlinkat(fd, de->d_name, 0);
			else {
				snprintf(found, len, "%s", de->d_name);
				break;
			}
		}
	closedir(d);
	close(fd);
}

#define index_purge(r, dir, jid)	index_scan(r, dir, jid, true, NULL, 0)

/* The name the index gives jid (for a record that lost its own). */
void
reg_name_of(struct registry *r, int jid, char *name, size_t len)
{
	index_scan(r, "names", jid, false, name, len);
}

/* Drop jid from every kids/<parent>/ (a damaged record's parent is not
 * known). */
static void
kids_purge(struct registry *r, int jid)
{
	int *parents = NULL, n = reg_members(r, "kids", ".", &parents);
	char key[16];

	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%d", parents[i]);
		reg_member_del(r, "kids", key, jid);
	}
	free(parents);
}

/*
 * Forget a jail: every index entry of it, then its record (the record
 * goes last: until then, it says what is left to undo).  For a damaged
 * record the indexes are searched.
 */
static int
delete_known(struct registry *r, int jid, const struct jail_rec *jr, int rc)
{
	char name[16], key[16];

	if (rc == 0) {
		reg_name_release(r, jr->name, jid);
		if (jr->parent > 0) {
			snprintf(key, sizeof(key), "%d", jr->parent);
			reg_member_del(r, "kids", key, jid);
		} else {
			for (uint32_t i = 0; i < jr->uidslots; i++)
				reg_slot_release(r, jr->uidslot + i, jid);
		}
	} else if (rc == 1) {
		/* damaged, or a stand-in for a record that is gone */
		index_purge(r, "names", jid);
		index_purge(r, "slots", jid);
		kids_purge(r, jid);
	}
	snprintf(key, sizeof(key), "kids/%d", jid);
	unlinkat(r->dirfd, key, AT_REMOVEDIR);
	snprintf(name, sizeof(name), "%d", jid);
	if (unlinkat(r->jailsfd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
reg_delete(struct registry *r, int jid)
{
	struct jail_rec jr;
	int rc = reg_read(r, jid, &jr);

	return delete_known(r, jid, &jr, rc == 0 ? 0 :
	    rc == 1 || errno == ENOENT ? 1 : -1);
}

/* reg_delete with the record the caller read under this lock: a sound
 * one is not read again (a teardown's last step). */
int
reg_delete_rec(struct registry *r, const struct jail_rec *jr)
{
	if (jr->damaged)
		return reg_delete(r, jr->jid);
	return delete_known(r, jr->jid, jr, 0);
}

int
reg_list(struct registry *r, int **jidsp)
{
	return read_jids(openat(r->jailsfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC), jidsp);
}

/* Is the recorded holder still the live PID 1 of this jail? */
bool
reg_holder_alive(const struct jail_rec *jr)
{
	uint64_t ino;

	if (jr->holder <= 0 || sys_starttime(jr->holder) != jr->holder_start)
		return false;
	return sys_ns_inode(jr->holder, "user", &ino) == 0 && ino == jr->userns;
}

/* A jail that is alive (not creating, not dying), by jid or name. */
int
reg_find_alive(struct registry *r, int jid, const char *name,
    struct jail_rec *jr)
{
	if (jid <= 0 && name)
		jid = reg_name_jid(r, name);
	if (jid > 0 && reg_load(r, jid, jr) == 0 && jr->state == JS_ALIVE &&
	    (!name || strcmp(jr->name, name) == 0) && reg_holder_alive(jr))
		return 0;
	errno = ENOENT;
	return -1;
}

bool
reg_creator_alive(const struct jail_rec *jr)
{
	return jr->creator > 0 &&
	    sys_starttime(jr->creator) == jr->creator_start;
}

bool
reg_monitor_alive(const struct jail_rec *jr)
{
	return jr->monitor > 0 &&
	    sys_starttime(jr->monitor) == jr->monitor_start;
}

/*
 * The stack a jail's epairs, moved links and address aliases come from:
 * its parent's (the parent holder's), or for a jail of the host the
 * calling process's own.
 */
int
jail_outer_netns(struct registry *r, const struct jail_rec *jr)
{
	char path[64] = "/proc/self/ns/net";
	struct jail_rec p;

	if (jr->parent > 0) {
		if (reg_load(r, jr->parent, &p) < 0 || !reg_holder_alive(&p)) {
			errno = ESRCH;
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)p.holder);
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * A damaged record's groups: where vjail puts that jid's, v2 and v1
 * (under the base, or under its parent's if the parent is known and
 * sound), those that exist.
 */
void
reg_fallback_groups(struct registry *r, struct jail_rec *jr)
{
	char err[JAIL_ERRMSGLEN], dir[PATH_MAX];
	struct jail_rec p;
	bool parent = jr->parent > 0 && reg_load(r, jr->parent, &p) == 0;
	const char *base;

	if (!jr->cgroup[0]) {
		jr->cgroup_id = 0;
		if (parent)
			snprintf(jr->cgroup, sizeof(jr->cgroup), "%s/%d",
			    p.cgroup, jr->jid);
		else if (jr->parent == 0 && (base = cg_base(err)) != NULL)
			snprintf(jr->cgroup, sizeof(jr->cgroup), "%s/%d", base,
			    jr->jid);
		if (!cg_shape_ok(jr) || access(jr->cgroup, F_OK) < 0)
			jr->cgroup[0] = '\0';
	}
	for (int c = 0; c < CG_NCTRL; c++)
		if (!jr->cg1[c][0] && cg_v1_mount(c) && (parent ||
		    jr->parent == 0) && cg_v1.path(jr, parent ? &p : NULL, c,
		    dir, sizeof(dir), err) == 0 && cg_v1_valid(c, dir, jr->jid) &&
		    access(dir, F_OK) == 0)
			snprintf(jr->cg1[c], sizeof(jr->cg1[c]), "%s", dir);
}

/*
 * Read record jid for cleaning up: a damaged one gets the cgroup vjail
 * would have made for it, if that exists.  0, or -1 (no record).
 */
int
reg_read_any(struct registry *r, int jid, struct jail_rec *jr)
{
	char numeric[16];
	int rc = reg_read(r, jid, jr);

	snprintf(numeric, sizeof(numeric), "%d", jid);
	if (rc == 1 && strcmp(jr->name, numeric) == 0)
		reg_name_of(r, jid, jr->name, sizeof(jr->name));
	if (rc == 1)
		reg_fallback_groups(r, jr);
	return rc < 0 ? -1 : 0;
}
