/*
 * cgroup.c - the jail's cgroup v2 directory.
 *
 * Layout (DESIGN.md): <base>/<jid>/ holds the holder, <base>/<jid>/jail/
 * the jail's own processes, <base>/<jid>/<childjid>/ each child jail.
 * "jail is empty" is then jail/cgroup.events populated=0, and the holder
 * never counts.  The v2 group exists even on hybrid hosts (cgroup.kill,
 * cgroup.events); v1 groups are made only for limited controllers.
 *
 * Limits (struct cg_backend): each controller is served by the unified
 * tree where its root offers it, else by its v1 hierarchy; detected once,
 * on first use, so a jail without limits never pays for it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "../vjail.h"

/*
 * The parent of every top-level jail's cgroup: $VJAIL_CGROUP, else the
 * creating process's own v2 cgroup plus "/vjail".
 */
const char *
cg_base(char *err)
{
	static char base[PATH_MAX];
	char line[4096], mnt[PATH_MAX] = "", own[PATH_MAX] = "";
	const char *env = getenv("VJAIL_CGROUP");
	FILE *f;

	if (base[0])
		return base;
	if (env && *env) {
		if (env[0] != '/') {
			jerr(err, "VJAIL_CGROUP: must be an absolute path");
			return NULL;
		}
		snprintf(base, sizeof(base), "%s", env);
		return base;
	}
	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL) {
		jerrno(err, "cgroup: /proc/self/mountinfo");
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		char point[PATH_MAX];
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", point);
			break;
		}
	}
	fclose(f);
	if ((f = fopen("/proc/self/cgroup", "re")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "0::", 3) == 0) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(own, sizeof(own), "%s", line + 3);
			}
		fclose(f);
	}
	if (!mnt[0]) {
		jerr(err, "cgroup: no cgroup2 file system is mounted");
		return NULL;
	}
	if (strcmp(own, "/") == 0)
		own[0] = '\0';
	snprintf(base, sizeof(base), "%s%s/vjail", mnt, own);
	return base;
}

/* Is [s, e) a jid as vjail writes one (no sign, no leading zero)? */
static long
jid_part(const char *s, const char *e)
{
	long v = 0;

	if (e <= s || e - s > 6 || *s == '0')
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * Is jr's cgroup where vjail puts a jail's: canonical, <base>/<jid>,
 * or for a child <base>/<ancestors...>/<parent>/<jid>, where <base> is
 * $VJAIL_CGROUP or a directory named vjail*.  A record's word is never
 * enough to make teardown kill the processes of some other cgroup.
 */
bool
cg_shape_ok(const struct jail_rec *jr)
{
	const char *c = jr->cgroup, *env = getenv("VJAIL_CGROUP"), *e, *s;
	size_t len = strlen(c);
	int k = 0;

	if (c[0] != '/' || c[len - 1] == '/' || strstr(c, "//") ||
	    strstr(c, "/./") || strstr(c, "/../"))
		return false;
	for (e = c + len; ; e = s, k++) {
		for (s = e; s > c && s[-1] != '/'; s--)
			;
		long v = jid_part(s, e);
		if (v < 0)
			break;
		if ((k == 0 && v != jr->jid) || (k == 1 && jr->parent > 0 &&
		    v != jr->parent))
			return false;
		s--;	/* onto the slash */
	}
	if (k == 0 || (jr->parent > 0 && k < 2) || (jr->parent == 0 && k != 1))
		return false;
	/* [c, e) is the base, [s, e) its last component */
	if (env && *env && strlen(env) == (size_t)(e - c) &&
	    strncmp(env, c, (size_t)(e - c)) == 0)
		return true;
	return strncmp(s, "vjail", 5) == 0 && s > c;
}

/*
 * Is dir really the cgroup the record made (a cgroup2 directory, its
 * inode the one noted when it was made, if it was noted)?
 */
bool
cg_is_ours(const struct jail_rec *jr)
{
	struct statfs sf;
	struct stat st;

	return jr->cgroup[0] && cg_shape_ok(jr) &&
	    statfs(jr->cgroup, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC &&
	    lstat(jr->cgroup, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (jr->cgroup_id == 0 || st.st_ino == jr->cgroup_id);
}

/* The inode of the jail's cgroup directory (its cgroup id), or 0. */
uint64_t
cg_id(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int
cg_create(const struct jail_rec *jr, char *err)
{
	char sub[PATH_MAX + 8];

	if (mkdir(jr->cgroup, 0755) < 0)
		return jerrno(err, "cgroup: mkdir %s", jr->cgroup);
	snprintf(sub, sizeof(sub), "%s/jail", jr->cgroup);
	if (mkdir(sub, 0755) < 0) {
		jerrno(err, "cgroup: mkdir %s", sub);
		rmdir(jr->cgroup);
		return -1;
	}
	return 0;
}

/*
 * cgroup.events, open: its "populated" line changes wake a poll() for
 * POLLPRI (kernfs notifies its open files), so watching a group takes no
 * inotify instance (root has 128) and closing costs nothing (closing an
 * inotify descriptor can take milliseconds).  Each read re-arms it.
 */
int
cg_events_open(const char *dir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* populated, read from an open cgroup.events: 1, 0, or -1. */
int
cg_events_populated(int fd)
{
	char buf[256], *p;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "populated ")) == NULL)
		return -1;
	return p[10] == '1';
}

/* populated from cgroup.events: 1, 0, or -1 if unreadable. */
int
cg_populated(const char *dir)
{
	int fd = cg_events_open(dir), rc;

	if (fd < 0)
		return -1;
	rc = cg_events_populated(fd);
	close(fd);
	return rc;
}

int
cg_kill(const char *dir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	return sys_write_file(path, "1", NULL);
}

/* Wait for dir to become empty: 0, or -1 on timeout (<0: forever). */
int
cg_wait_empty(const char *dir, int timeout_ms)
{
	struct timespec t0, t;
	int fd = cg_events_open(dir), rc, left = timeout_ms;

	if (fd < 0)
		return 0;	/* no group, nothing in it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = cg_events_populated(fd)) == 1) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };

		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				break;
		}
		/* the read above armed it: a change since wakes this */
		poll(&p, 1, left);
	}
	close(fd);
	return rc == 1 ? -1 : 0;
}

/* Remove the groups directly below dir (empty ones: the rest stays). */
static void
rm_below(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) != NULL)
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	if (d)
		closedir(d);
}

/* Remove the jail's directories; processes must be gone. */
int
cg_remove(const struct jail_rec *jr)
{
	char sub[PATH_MAX + 8];
	int rc = 0;

	if (!jr->cgroup[0])
		return 0;
	snprintf(sub, sizeof(sub), "%s/jail", jr->cgroup);
	for (int tries = 0; tries < 200; tries++) {
		rc = 0;
		rm_below(sub);		/* FIB groups (fib.c) */
		if (rmdir(sub) < 0 && errno != ENOENT)
			rc = -1;
		/* v2 only: the holder's leaf once the group passes on limits */
		snprintf(sub, sizeof(sub), "%s/init", jr->cgroup);
		if (rc == 0 && rmdir(sub) < 0 && errno != ENOENT)
			rc = -1;
		snprintf(sub, sizeof(sub), "%s/jail", jr->cgroup);
		if (rc == 0 && rmdir(jr->cgroup) < 0 && errno != ENOENT)
			rc = -1;
		if (rc == 0 || errno != EBUSY)
			break;
		/* Exited tasks leave the cgroup asynchronously. */
		usleep(1000);
	}
	if (cg_remove_v1(jr) < 0)
		rc = -1;
	return rc;
}

/* A descriptor for clone3(CLONE_INTO_CGROUP) into the jail's processes. */
int
cg_open_procs(const struct jail_rec *jr)
{
	char sub[PATH_MAX + 8];

	snprintf(sub, sizeof(sub), "%s/jail", jr->cgroup);
	return open(sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int
cg_move(const char *dir, pid_t pid, char *err)
{
	char path[PATH_MAX + 16], buf[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return sys_write_file(path, buf, err);
}

/* ----- limits: which backend serves a controller ----- */

/* Write one value to a group's file; the error names file and value. */
int
cg_put(const char *dir, const char *file, const char *val, char *err)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_write_file(path, val, NULL) < 0)
		return err ? jerrno(err, "cgroup: %s: writing \"%s\"", path,
		    val) : -1;
	return 0;
}

/* A limit as a file takes it: the number, or none for CG_MAX. */
void
cg_num(char *buf, size_t len, uint64_t v, const char *none)
{
	if (v == CG_MAX)
		snprintf(buf, len, "%s", none);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* The first line of a group's file, without its newline. */
int
cg_get(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_read_small(AT_FDCWD, path, buf, len) <= 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

const char *const cg_names[CG_NCTRL] = { "cpu", "memory", "pids", "cpuset",
    "io" };
/* the same controllers as v1 hierarchies name them */
static const char *const v1_names[CG_NCTRL] = { "cpu", "memory", "pids",
    "cpuset", "blkio" };

static struct {
	bool	done;
	char	v2[PATH_MAX];			/* the cgroup2 mount */
	char	v1[CG_NCTRL][PATH_MAX];		/* v1 mounts, "" = none */
	bool	v2has[CG_NCTRL];		/* the v2 root offers it */
} cgd;

/* Is word one of the words of list (separated by ",", " " or "\n")? */
bool
cg_has(const char *list, const char *word)
{
	const char *seps = ", \n";
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || strchr(seps, p[-1])) &&
		    (p[n] == '\0' || strchr(seps, p[n])))
			return true;
	return false;
}

/*
 * Find the mounts, and the controllers the unified tree's root offers
 * (cg_backend, in limits.c above both backends, picks one).  v2root and
 * v1root override the mount table (unit tests: a fake tree; v1root "" =
 * none, else v1 hierarchies at v1root/<name>).
 */
void
cg_detect(const char *v2root, const char *v1root)
{
	char line[4096], ctrls[1024] = "", path[PATH_MAX + 32];
	FILE *f;

	memset(&cgd, 0, sizeof(cgd));
	cgd.done = true;
	if (v2root)
		snprintf(cgd.v2, sizeof(cgd.v2), "%s", v2root);
	if (v1root) {
		for (int c = 0; c < CG_NCTRL && *v1root; c++) {
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", v1root, v1_names[c]);
			if (stat(path, &st) == 0)
				snprintf(cgd.v1[c], sizeof(cgd.v1[c]), "%s", path);
		}
	} else if ((f = fopen("/proc/self/mountinfo", "re")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			char point[PATH_MAX], type[32], opts[1024];
			char *sep = strstr(line, " - ");
			if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s",
			    point) != 1 || sscanf(sep + 3, "%31s %*s %1023s",
			    type, opts) != 2)
				continue;
			if (strcmp(type, "cgroup2") == 0 && !cgd.v2[0] && !v2root)
				snprintf(cgd.v2, sizeof(cgd.v2), "%s", point);
			if (strcmp(type, "cgroup") != 0)
				continue;
			for (int c = 0; c < CG_NCTRL; c++)
				if (!cgd.v1[c][0] && cg_has(opts, v1_names[c]))
					snprintf(cgd.v1[c], sizeof(cgd.v1[c]), "%s",
					    point);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/cgroup.controllers", cgd.v2);
	if (cgd.v2[0])
		sys_read_small(AT_FDCWD, path, ctrls, sizeof(ctrls));
	for (int c = 0; c < CG_NCTRL; c++)
		cgd.v2has[c] = cgd.v2[0] && cg_has(ctrls, cg_names[c]);
}

bool
cg_v2_has(int ctrl)
{
	if (!cgd.done)
		cg_detect(NULL, NULL);
	return cgd.v2has[ctrl];
}

const char *
cg_v1_mount(int ctrl)
{
	if (!cgd.done)
		cg_detect(NULL, NULL);
	return cgd.v1[ctrl][0] ? cgd.v1[ctrl] : NULL;
}

const char *
cg_v2_root(void)
{
	if (!cgd.done)
		cg_detect(NULL, NULL);
	return cgd.v2;
}

/*
 * A v1 directory read back from the registry is trusted only if it lies
 * below that controller's mount, has no "." or ".." component, and ends
 * in the jail's jid.
 */
bool
cg_v1_valid(int ctrl, const char *dir, int jid)
{
	const char *m = cg_v1_mount(ctrl), *last;
	size_t n;

	if (m == NULL || (n = strlen(m)) == 0 || strncmp(dir, m, n) != 0 ||
	    dir[n] != '/' || strstr(dir, "/./") || strstr(dir, "/../") ||
	    strstr(dir, "//") || (last = strrchr(dir, '/')) == NULL)
		return false;
	for (const unsigned char *p = (const unsigned char *)dir; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return atoi(last + 1) == jid && last[1] >= '1' && last[1] <= '9';
}

/* Remove the jail's v1 groups (processes gone), and the anchor with the
 * last top-level one (it fails while others use it). */
int
cg_remove_v1(const struct jail_rec *jr)
{
	int rc = 0;

	for (int c = 0; c < CG_NCTRL; c++) {
		const char *d = jr->cg1[c];
		int r = -1;

		if (!d[0] || !cg_v1_valid(c, d, jr->jid))
			continue;
		for (int tries = 0; tries < 200; tries++) {
			if ((r = rmdir(d)) == 0 || errno == ENOENT) {
				r = 0;
				break;
			}
			if (errno != EBUSY)
				break;
			usleep(1000);
		}
		if (r < 0)
			rc = -1;
		else if (jr->parent <= 0) {
			char anchor[JAIL_LISTLEN];
			snprintf(anchor, sizeof(anchor), "%s", d);
			*strrchr(anchor, '/') = '\0';
			rmdir(anchor);	/* fails while others are in it: fine */
		}
	}
	return rc;
}

/* Freeze (or thaw) a v2 group and its subtree; frozen within 1 s. */
int
cg_freeze(const char *dir, bool on)
{
	char path[PATH_MAX + 16], buf[256], *p;

	snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	if (sys_write_file(path, on ? "1" : "0", NULL) < 0)
		return -1;
	if (!on)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	for (int i = 0; i < 1000; i++) {
		if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) > 0 &&
		    (p = strstr(buf, "frozen ")) != NULL && p[7] == '1')
			return 0;
		usleep(1000);
	}
	return -1;
}

/* The processes of one group (not below it): count, *pids malloc'd. */
int
cg_pids(const char *dir, pid_t **pidsp)
{
	char path[PATH_MAX + 16], *line = NULL;
	size_t cap = 0;
	pid_t *pids = NULL;
	int n = 0, max = 0;
	FILE *f;

	*pidsp = NULL;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		if (n == max) {
			pid_t *np = realloc(pids, sizeof(pid_t) *
			    (size_t)(max = max ? max * 2 : 64));
			if (np == NULL)
				break;
			pids = np;
		}
		if ((pids[n] = (pid_t)atoi(line)) > 0)
			n++;
	}
	free(line);
	fclose(f);
	*pidsp = pids;
	return n;
}

/* The pids of dir and of the groups below it. */
static void
add_pid(pid_t pid, void *arg)
{
	struct { pid_t *v; int n, cap; } *a = arg;

	if (a->n == a->cap) {
		pid_t *v = realloc(a->v, sizeof(pid_t) *
		    (size_t)(a->cap = a->cap ? a->cap * 2 : 64));
		if (v == NULL)
			return;
		a->v = v;
	}
	a->v[a->n++] = pid;
}

int
cg_pids_tree(const char *dir, pid_t **pidsp)
{
	struct { pid_t *v; int n, cap; } a = { NULL, 0, 0 };

	cg_each_pid(dir, add_pid, &a);
	*pidsp = a.v;
	return a.n;
}

/* fn for every process in dir and in the groups below it. */
static void
each_pid(const char *dir, void (*fn)(pid_t, void *), void *arg, int depth)
{
	pid_t *pids;
	int n = cg_pids(dir, &pids);
	DIR *d;
	struct dirent *de;

	for (int i = 0; i < n; i++)
		fn(pids[i], arg);
	free(pids);
	if (depth > 64 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		each_pid(sub, fn, arg, depth + 1);
	}
	closedir(d);
}

void
cg_each_pid(const char *dir, void (*fn)(pid_t, void *), void *arg)
{
	each_pid(dir, fn, arg, 0);
}

/* Block devices I/O limits apply to: "MAJ:MIN" of every disk with a size. */
int
cg_disks(char devs[][16], int max)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		char path[PATH_MAX], buf[32];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/size", de->d_name);
		if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0 ||
		    atoll(buf) == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dev", de->d_name);
		if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(devs[n++], 16, "%s", buf);
	}
	closedir(d);
	return n;
}
