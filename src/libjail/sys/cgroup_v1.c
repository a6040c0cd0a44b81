/*
 * cgroup_v1.c - limits in v1 hierarchies (hybrid hosts), for the
 * controllers the unified tree lacks.  A jail's group is
 * <anchor>/<jid>/, a child's <parent's group>/<jid>/, nested as the v2
 * tree is.  The anchor mirrors the v2 base: the creator's own group in
 * that hierarchy plus the base's path below the creator's v2 group (as
 * systemd keeps one path in every hierarchy), so jails stay inside the
 * accounting the admin set up.  Holder and processes share the group:
 * v1 has no rule against processes beside child groups, and the v2
 * jail/ split exists only for cgroup.events, which v2 keeps.
 *
 * cpuset: a new group has no CPUs and no memory nodes, and no task may
 * join it until both are set: each is copied from the parent at mkdir.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../vjail.h"

/* Our own group in ctrl's v1 hierarchy ("" for its root). */
static int
own_v1(int ctrl, char *buf, size_t len)
{
	static const char *const names[CG_NCTRL] = { "cpu", "memory", "pids",
	    "cpuset", "blkio" };
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int rc = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'), *p;
		if (c == NULL || (p = strchr(c + 1, ':')) == NULL)
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		if (cg_has(c + 1, names[ctrl])) {
			snprintf(buf, len, "%s", strcmp(p, "/") ? p : "");
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/*
 * The anchor: <mount><own group>/<the v2 base below our own v2 group>,
 * e.g. /sys/fs/cgroup/memory/user.slice/vjail for a base of
 * /sys/fs/cgroup/unified/user.slice/vjail.
 */
static int
anchor(int ctrl, char *buf, size_t len, char *err)
{
	const char *base = cg_base(err), *v2 = cg_v2_root(),
	    *mnt = cg_v1_mount(ctrl), *rel;
	char own[PATH_MAX] = "", own2[PATH_MAX] = "", line[4096];
	FILE *f;
	size_t n;

	if (base == NULL)
		return -1;
	if (mnt == NULL || own_v1(ctrl, own, sizeof(own)) < 0) {
		errno = ENOTSUP;
		return jerr(err, "cgroup: no %s hierarchy", cg_names[ctrl]);
	}
	if ((f = fopen("/proc/self/cgroup", "re")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "0::", 3) == 0) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(own2, sizeof(own2), "%s",
				    strcmp(line + 3, "/") ? line + 3 : "");
			}
		fclose(f);
	}
	/* base below the v2 mount, then below our own v2 group */
	n = strlen(v2);
	rel = strncmp(base, v2, n) == 0 && (base[n] == '/' || !base[n]) ?
	    base + n : base;
	n = strlen(own2);
	if (n && strncmp(rel, own2, n) == 0 && rel[n] == '/')
		rel += n;
	if (!*rel)
		rel = "/vjail";	/* never the creator's own group */
	if ((size_t)snprintf(buf, len, "%s%s%s", mnt, own, rel) >= len) {
		errno = ENAMETOOLONG;
		return jerr(err, "cgroup: %s path too long", cg_names[ctrl]);
	}
	return 0;
}

static int
v1_path(const struct jail_rec *jr, const struct jail_rec *parent, int ctrl,
    char *buf, size_t len, char *err)
{
	char top[PATH_MAX];

	if (parent && parent->cg1[ctrl][0])
		snprintf(top, sizeof(top), "%s", parent->cg1[ctrl]);
	else if (anchor(ctrl, top, sizeof(top), err) < 0)
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%d", top, jr->jid) >= len) {
		errno = ENAMETOOLONG;
		return jerr(err, "cgroup: %s path too long", cg_names[ctrl]);
	}
	return 0;
}

/* cpuset: a group takes its parent's CPUs and memory nodes. */
static int
inherit_cpuset(const char *dir, char *err)
{
	char parent[PATH_MAX], buf[1024];
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	for (int i = 0; i < 2; i++) {
		if (cg_get(parent, files[i], buf, sizeof(buf)) < 0)
			return jerrno(err, "cgroup: %s/%s", parent, files[i]);
		if (cg_put(dir, files[i], buf, err) < 0)
			return -1;
	}
	return 0;
}

/* mkdir -p below the mount; each new cpuset level gets its parent's set. */
static int
v1_make(const struct jail_rec *jr, int ctrl, const char *dir, char *err)
{
	const char *mnt = cg_v1_mount(ctrl);
	char cur[PATH_MAX];
	size_t n = mnt ? strlen(mnt) : 0;

	(void)jr;
	if (mnt == NULL || strncmp(dir, mnt, n) != 0 || dir[n] != '/') {
		errno = EINVAL;
		return jerr(err, "cgroup: %s is not a %s group", dir,
		    cg_names[ctrl]);
	}
	for (const char *p = dir + n; *p; ) {
		const char *next = strchr(p + 1, '/');
		size_t l = next ? (size_t)(next - dir) : strlen(dir);

		snprintf(cur, sizeof(cur), "%.*s", (int)l, dir);
		p = dir + l;
		if (mkdir(cur, 0755) < 0) {
			if (errno == EEXIST)
				continue;
			return jerrno(err, "cgroup: mkdir %s", cur);
		}
		if (ctrl == CG_CPUSET && inherit_cpuset(cur, err) < 0) {
			rmdir(cur);
			return -1;
		}
	}
	return 0;
}

/* v1 limits RAM, and RAM + swap (memsw); swap alone only beside RAM. */
static int
v1_memory_limits(const char *dir, const struct cg_limits *l, char *err)
{
	char mem[24], memsw[24], path[PATH_MAX + 32];
	uint64_t m = l->mem < l->vmem ? l->mem : l->vmem, sw = l->vmem;
	bool acct;

	if (l->swap != CG_MAX) {
		if (l->mem == CG_MAX) {
			errno = ENOTSUP;
			return jerr(err, "swapuse: cgroup v1 limits swap only "
			    "with memory (add a memoryuse rule)");
		}
		if (l->mem + l->swap < sw)
			sw = l->mem + l->swap;
	}
	cg_num(mem, sizeof(mem), m, "-1");
	cg_num(memsw, sizeof(memsw), sw, "-1");
	snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
	acct = access(path, F_OK) == 0;
	if (!acct && sw != CG_MAX) {
		errno = ENOTSUP;
		return jerr(err, "cgroup: no swap accounting "
		    "(memory.memsw.limit_in_bytes)");
	}
	/* memsw >= mem at every step: raise memsw first, lower it last */
	if (acct && cg_put(dir, "memory.memsw.limit_in_bytes", memsw, NULL) < 0) {
		if (cg_put(dir, "memory.limit_in_bytes", mem, err) < 0)
			return -1;
		return cg_put(dir, "memory.memsw.limit_in_bytes", memsw, err);
	}
	return cg_put(dir, "memory.limit_in_bytes", mem, err);
}

static int
v1_limit(const char *dir, int ctrl, const struct cg_limits *l, char *err)
{
	static const char *const io[4] = { "blkio.throttle.read_bps_device",
	    "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
	    "blkio.throttle.write_iops_device" };
	char buf[64];
	char devs[64][16];
	int n;

	switch (ctrl) {
	case CG_CPU:
		snprintf(buf, sizeof(buf), "%d", CG_PERIOD_US);
		if (cg_put(dir, "cpu.cfs_period_us", buf, err) < 0)
			return -1;
		cg_num(buf, sizeof(buf), l->cpu_us, "-1");
		return cg_put(dir, "cpu.cfs_quota_us", buf, err);
	case CG_MEMORY:
		return v1_memory_limits(dir, l, err);
	case CG_PIDS:
		cg_num(buf, sizeof(buf), l->pids, "max");
		return cg_put(dir, "pids.max", buf, err);
	case CG_CPUSET:
		return l->cpus[0] ? cg_put(dir, "cpuset.cpus", l->cpus, err) : 0;
	case CG_IO:
		n = cg_disks(devs, 64);
		for (int k = 0; k < 4; k++)
			for (int i = 0; i < n; i++) {
				/* 0 drops the device's rule */
				snprintf(buf, sizeof(buf), "%s %llu", devs[i],
				    l->io[k] == CG_MAX ? 0ull :
				    (unsigned long long)l->io[k]);
				if (cg_put(dir, io[k], buf, err) < 0)
					return -1;
			}
		return 0;
	}
	errno = EINVAL;
	return jerr(err, "cgroup: no such controller");
}

static int
v1_join(const char *dir, int ctrl, pid_t pid, char *err)
{
	char buf[32];

	(void)ctrl;
	/* Itself, single-threaded (jexec's child, jail_attach): "0" into
	 * tasks moves the calling thread without the global lock (and its
	 * RCU grace period) another process's move takes. */
	if (pid == getpid())
		return cg_put(dir, "tasks", "0", err);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (cg_put(dir, "cgroup.procs", buf, err) < 0 && errno != ESRCH)
		return -1;
	return 0;
}

const struct cg_backend cg_v1 = {
	.name = "v1",
	.path = v1_path,
	.make = v1_make,
	.limit = v1_limit,
	.join = v1_join,
	.memory_file = "memory.usage_in_bytes",
	.cpus_file = "cpuset.effective_cpus",
};
