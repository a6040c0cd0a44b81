/*
 * cgroup_v2.c - limits in the unified tree (the kernel's cgroup-v2.rst):
 * cpu.max, memory.max, memory.swap.max, pids.max, cpuset.cpus, io.max
 * on the jail's own <jid>/ group, which holds its holder, jail/ and its
 * children, so a limit covers the whole jail and every child below it.
 *
 * A controller reaches <jid>/ only through cgroup.subtree_control of
 * every group above it, from the base down, and a group that passes
 * controllers on may hold no process ("no internal processes"): a parent
 * jail's holder moves to <jid>/init first (its cgroup namespace stays
 * rooted at <jid>/).
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

static int
v2_path(const struct jail_rec *jr, const struct jail_rec *parent, int ctrl,
    char *buf, size_t len, char *err)
{
	(void)parent, (void)ctrl, (void)err;
	snprintf(buf, len, "%s", jr->cgroup);
	return 0;
}

/* Move the processes of dir into dir/init, so dir may pass controllers. */
static int
drain(const char *dir, char *err)
{
	char init[PATH_MAX + 8], buf[32];
	pid_t *pids;
	int n = cg_pids(dir, &pids), rc = 0;

	if (n == 0)
		return 0;
	snprintf(init, sizeof(init), "%s/init", dir);
	if (mkdir(init, 0755) < 0 && errno != EEXIST)
		rc = jerrno(err, "cgroup: mkdir %s", init);
	for (int i = 0; i < n && rc == 0; i++) {
		snprintf(buf, sizeof(buf), "%d", (int)pids[i]);
		if (cg_put(init, "cgroup.procs", buf, err) < 0 && errno != ESRCH)
			rc = -1;
	}
	free(pids);
	return rc;
}

/*
 * Enable ctrl on the way from the base down to dir: each group above dir
 * must offer it (cgroup.controllers) and pass it on (subtree_control).
 */
static int
v2_make(const struct jail_rec *jr, int ctrl, const char *dir, char *err)
{
	char cur[PATH_MAX], have[1024], word[16];
	const char *base = cg_base(err), *name = cg_names[ctrl];
	size_t n;

	(void)jr;
	if (base == NULL)
		return -1;
	n = strlen(base);
	if (strncmp(dir, base, n) != 0 || dir[n] != '/') {
		errno = EINVAL;
		return jerr(err, "cgroup: %s is not below %s", dir, base);
	}
	snprintf(cur, sizeof(cur), "%s", base);
	snprintf(word, sizeof(word), "+%s", name);
	for (const char *p = dir + n; *p; ) {
		const char *next = strchr(p + 1, '/');
		size_t l = next ? (size_t)(next - dir) : strlen(dir);
		if (cg_get(cur, "cgroup.controllers", have, sizeof(have)) < 0 ||
		    !cg_has(have, name)) {
			errno = ENOTSUP;
			return jerr(err, "cgroup: the %s controller is not "
			    "available in %s", name, cur);
		}
		/* cur is a jail's group (not the base): its holder moves */
		if (strcmp(cur, base) != 0 && drain(cur, err) < 0)
			return -1;
		if (cg_put(cur, "cgroup.subtree_control", word, err) < 0)
			return -1;
		snprintf(cur, sizeof(cur), "%.*s", (int)l, dir);
		p = dir + l;
	}
	return 0;
}

static int
v2_limit(const char *dir, int ctrl, const struct cg_limits *l, char *err)
{
	char buf[160], a[24], b[24], c[24], d[24];
	char devs[64][16];
	int n;

	switch (ctrl) {
	case CG_CPU:
		cg_num(a, sizeof(a), l->cpu_us, "max");
		snprintf(buf, sizeof(buf), "%s %d", a, CG_PERIOD_US);
		return cg_put(dir, "cpu.max", buf, err);
	case CG_MEMORY: {
		/* v2 counts swap apart: memory.max + swap.max <= vmem */
		uint64_t mem = l->mem < l->vmem ? l->mem : l->vmem, swap = l->swap;
		if (l->vmem != CG_MAX && l->vmem - mem < swap)
			swap = l->vmem - mem;
		cg_num(a, sizeof(a), mem, "max");
		if (cg_put(dir, "memory.max", a, err) < 0)
			return -1;
		cg_num(a, sizeof(a), swap, "max");
		snprintf(buf, sizeof(buf), "%s/memory.swap.max", dir);
		if (swap == CG_MAX && access(buf, F_OK) < 0)
			return 0;	/* no swap accounting, nothing asked */
		return cg_put(dir, "memory.swap.max", a, err);
	}
	case CG_PIDS:
		cg_num(a, sizeof(a), l->pids, "max");
		return cg_put(dir, "pids.max", a, err);
	case CG_CPUSET:
		return l->cpus[0] ? cg_put(dir, "cpuset.cpus", l->cpus, err) : 0;
	case CG_IO:
		n = cg_disks(devs, 64);
		cg_num(a, sizeof(a), l->io[0], "max");
		cg_num(b, sizeof(b), l->io[1], "max");
		cg_num(c, sizeof(c), l->io[2], "max");
		cg_num(d, sizeof(d), l->io[3], "max");
		for (int i = 0; i < n; i++) {
			snprintf(buf, sizeof(buf), "%s rbps=%s wbps=%s "
			    "riops=%s wiops=%s", devs[i], a, b, c, d);
			if (cg_put(dir, "io.max", buf, err) < 0)
				return -1;
		}
		return 0;
	}
	errno = EINVAL;
	return jerr(err, "cgroup: no such controller");
}

static int
v2_join(const char *dir, int ctrl, pid_t pid, char *err)
{
	(void)dir, (void)ctrl, (void)pid, (void)err;
	return 0;	/* the jail's own group is the v2 group */
}

const struct cg_backend cg_v2 = {
	.name = "v2",
	.path = v2_path,
	.make = v2_make,
	.limit = v2_limit,
	.join = v2_join,
	.memory_file = "memory.current",
	.cpus_file = "cpuset.cpus.effective",
};
