/*
 * cgroup.c - the jail's cgroup v2 directory.
 *
 * Layout (DESIGN.md): <base>/<jid>/ holds the holder, <base>/<jid>/jail/
 * the jail's own processes, <base>/<jid>/<childjid>/ each child jail.
 * "jail is empty" is then jail/cgroup.events populated=0, and the holder
 * never counts.  The v2 group exists even on hybrid hosts (cgroup.kill,
 * cgroup.events); v1 groups will be made only for limited controllers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
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

/* populated from cgroup.events: 1, 0, or -1 if unreadable. */
int
cg_populated(const char *dir)
{
	char path[PATH_MAX + 16], buf[256], *p;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "populated ")) == NULL)
		return -1;
	return p[10] == '1';
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
	char path[PATH_MAX + 16];
	struct timespec t0, t;
	int in, rc, left = timeout_ms;

	/* Closing an inotify descriptor can take milliseconds: none if
	 * there is nothing to wait for. */
	if ((rc = cg_populated(dir)) != 1)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if ((in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0)
		return -1;
	inotify_add_watch(in, path, IN_MODIFY);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = cg_populated(dir)) == 1) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		char buf[512];

		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				break;
		}
		/* Poll with a cap: an event may race the first read. */
		poll(&p, 1, left < 0 || left > 100 ? 100 : left);
		while (read(in, buf, sizeof(buf)) > 0)
			;
	}
	close(in);
	return rc == 1 ? -1 : 0;
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
		if (rmdir(sub) < 0 && errno != ENOENT)
			rc = -1;
		if (rc == 0 && rmdir(jr->cgroup) < 0 && errno != ENOENT)
			rc = -1;
		if (rc == 0 || errno != EBUSY)
			break;
		/* Exited tasks leave the cgroup asynchronously. */
		usleep(1000);
	}
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
