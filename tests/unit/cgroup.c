/*
 * Unit tier (no root): the cgroup limit backends against a fake tree,
 * each file named as the kernel's cgroup-v2 document (and the v1 one)
 * names it: the v2 backend writes cpu.max, memory.max, memory.swap.max,
 * pids.max, cpuset.cpus, io.max and cgroup.subtree_control as the kernel
 * reads them, moves a parent's holder out of the way of "no internal
 * processes", and reports a controller the tree lacks; detection picks
 * v2, v1 or nothing per controller; rctl refuses a missing controller
 * before anything is stored.  Hybrid machines cannot run the v2 backend
 * end to end; this is where it is proven.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "vjail.h"

#include "tap.h"

static char top[64];

static void
put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *
get(const char *rel)
{
	static char buf[4096];
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return "(missing)";
	return buf;
}

static void
mk(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	mkdir(path, 0755);
}

/* A group's interface files as the kernel makes them. */
static void
group(const char *rel, const char *ctrls)
{
	static const char *const files[] = { "cgroup.subtree_control",
	    "cgroup.procs", "cgroup.events", "cgroup.freeze", "cpu.max",
	    "memory.max", "memory.swap.max", "pids.max", "cpuset.cpus",
	    "io.max" };
	char f[PATH_MAX];

	mk(rel);
	snprintf(f, sizeof(f), "%s/cgroup.controllers", rel);
	put(f, ctrls);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(f, sizeof(f), "%s/%s", rel, files[i]);
		put(f, "");
	}
}

/* Kernel files take each write whole; plain files keep a longer old
 * text's tail: empty the group's files before the next step. */
static void
reset(const char *rel)
{
	static const char *const files[] = { "cgroup.subtree_control",
	    "cpu.max", "memory.max", "memory.swap.max", "pids.max",
	    "cpuset.cpus", "io.max" };
	char f[PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(f, sizeof(f), "%s/%s", rel, files[i]);
		put(f, "");
	}
}

static struct jail_rec
jail(int jid, int parent, const char *rel)
{
	struct jail_rec jr;

	rec_defaults(&jr);
	jr.jid = jid;
	jr.parent = parent;
	snprintf(jr.cgroup, sizeof(jr.cgroup), "%s/%s", top, rel);
	return jr;
}

int
main(void)
{
	char err[JAIL_ERRMSGLEN], path[PATH_MAX], buf[256];
	struct cg_limits l;
	struct jail_rec j5, j7;
	char devs[64][16];
	int ndev = cg_disks(devs, 64), c;

	snprintf(top, sizeof(top), "/tmp/vjail-cg.XXXXXX");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	/* root, base (vjail), a jail (5) with its holder, its child (7) */
	group("root", "cpuset cpu io memory hugetlb pids\n");
	group("root/vjail", "cpuset cpu io memory hugetlb pids\n");
	group("root/vjail/5", "cpuset cpu io memory pids\n");
	put("root/vjail/5/cgroup.procs", "4242\n");
	group("root/vjail/5/init", "");
	group("root/vjail/5/7", "pids\n");
	put("root/vjail/5/memory.current", "1048576\n");
	put("root/vjail/5/cpuset.cpus.effective", "0-3\n");
	snprintf(path, sizeof(path), "%s/root/vjail", top);
	setenv("VJAIL_CGROUP", path, 1);
	snprintf(path, sizeof(path), "%s/root", top);
	cg_detect(path, "");
	for (c = 0; c < CG_NCTRL && cg_backend(c) == &cg_v2; c++)
		;
	ok(c == CG_NCTRL, "every controller the v2 root offers is served by v2");

	j5 = jail(5, 0, "root/vjail/5");
	j7 = jail(7, 5, "root/vjail/5/7");
	ok(cg_v2.make(&j5, CG_MEMORY, j5.cgroup, err) == 0 &&
	    strcmp(get("root/vjail/cgroup.subtree_control"), "+memory") == 0,
	    "make: the base passes memory on (cgroup.subtree_control +memory)");
	ok(strcmp(get("root/vjail/5/init/cgroup.procs"), "") == 0,
	    "  a top-level jail's holder stays where it is");

	memset(&l, 0, sizeof(l));
	l.mem = 64 << 20, l.swap = CG_MAX, l.vmem = CG_MAX;
	ok(cg_v2.limit(j5.cgroup, CG_MEMORY, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/memory.max"), "67108864") == 0 &&
	    strcmp(get("root/vjail/5/memory.swap.max"), "max") == 0,
	    "memoryuse: memory.max, swap unlimited (memory.swap.max max)");
	l.vmem = 96 << 20;
	ok(cg_v2.limit(j5.cgroup, CG_MEMORY, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/memory.swap.max"), "33554432") == 0,
	    "vmemoryuse: RAM + swap, so memory.swap.max = vmem - memory.max");
	reset("root/vjail/5");
	l.mem = CG_MAX, l.vmem = 32 << 20, l.swap = 8 << 20;
	ok(cg_v2.limit(j5.cgroup, CG_MEMORY, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/memory.max"), "33554432") == 0 &&
	    strcmp(get("root/vjail/5/memory.swap.max"), "0") == 0,
	    "vmemoryuse alone bounds memory.max; swapuse within what is left");
	reset("root/vjail/5");
	l.mem = CG_MAX, l.vmem = CG_MAX, l.swap = 8 << 20;
	ok(cg_v2.limit(j5.cgroup, CG_MEMORY, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/memory.max"), "max") == 0 &&
	    strcmp(get("root/vjail/5/memory.swap.max"), "8388608") == 0,
	    "swapuse alone: memory.swap.max (v2 counts swap apart)");
	l.cpu_us = 20000;
	ok(cg_v2.limit(j5.cgroup, CG_CPU, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/cpu.max"), "20000 100000") == 0,
	    "pcpu=20: cpu.max \"20000 100000\"");
	reset("root/vjail/5");
	l.cpu_us = CG_MAX;
	ok(cg_v2.limit(j5.cgroup, CG_CPU, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/cpu.max"), "max 100000") == 0,
	    "no pcpu rule: cpu.max \"max 100000\"");
	l.pids = 100;
	ok(cg_v2.limit(j5.cgroup, CG_PIDS, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/pids.max"), "100") == 0,
	    "maxproc: pids.max");
	reset("root/vjail/5");
	l.pids = CG_MAX;
	ok(cg_v2.limit(j5.cgroup, CG_PIDS, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/pids.max"), "max") == 0,
	    "no maxproc rule: pids.max max");
	snprintf(l.cpus, sizeof(l.cpus), "1-2");
	ok(cg_v2.limit(j5.cgroup, CG_CPUSET, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/cpuset.cpus"), "1-2") == 0,
	    "cpuset -l 1-2: cpuset.cpus");
	l.io[0] = 1 << 20, l.io[1] = l.io[2] = CG_MAX, l.io[3] = 500;
	snprintf(buf, sizeof(buf), "%s rbps=1048576 wbps=max riops=max "
	    "wiops=500", ndev ? devs[ndev - 1] : "");
	ok(cg_v2.limit(j5.cgroup, CG_IO, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/io.max"), ndev ? buf : "") == 0,
	    "readbps/writeiops: io.max \"MAJ:MIN rbps=.. wbps=max riops=max "
	    "wiops=..\" for each disk");

	/* a child jail's limit: jail 5 passes pids on, its holder moves */
	reset("root/vjail");
	reset("root/vjail/5");
	ok(cg_v2.make(&j7, CG_PIDS, j7.cgroup, err) == 0,
	    "make for a child jail's group");
	ok(strcmp(get("root/vjail/5/init/cgroup.procs"), "4242") == 0,
	    "  the parent's holder moves to <jid>/init (no internal processes)");
	ok(strcmp(get("root/vjail/5/cgroup.subtree_control"), "+pids") == 0 &&
	    strcmp(get("root/vjail/cgroup.subtree_control"), "+pids") == 0,
	    "  pids is passed on by the base and by the parent jail");
	ok(cg_v2.limit(j7.cgroup, CG_PIDS, &l, err) == 0 &&
	    strcmp(get("root/vjail/5/7/pids.max"), "max") == 0,
	    "  and the child's pids.max is written");

	ok(cg_get(j5.cgroup, cg_v2.memory_file, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "1048576") == 0, "usage: memory.current");
	ok(cg_get(j5.cgroup, cg_v2.cpus_file, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "0-3") == 0, "cpuset -g: cpuset.cpus.effective");
	ok(cg_v2.join(j5.cgroup, CG_MEMORY, 1, err) == 0,
	    "join is nothing in v2 (the jail's own group is the v2 group)");

	/* a controller the tree lacks */
	put("root/vjail/cgroup.controllers", "cpu pids\n");
	snprintf(path, sizeof(path), "cgroup: the memory controller is not "
	    "available in %s/root/vjail", top);
	ok(cg_v2.make(&j5, CG_MEMORY, j5.cgroup, err) < 0 &&
	    strcmp(err, path) == 0, "a base without memory: a clear error");
	ok(!cg_has("cpuset io", "cpu") && cg_has("cpuset io", "io") &&
	    cg_has("rw,cpu,cpuacct", "cpuacct"), "controller names are words");

	/* detection: v2 where the root offers it, else v1, else none */
	put("root/cgroup.controllers", "cpu pids\n");
	mk("v1"), mk("v1/memory"), mk("v1/blkio");
	snprintf(buf, sizeof(buf), "%s/v1", top);
	snprintf(path, sizeof(path), "%s/root", top);
	cg_detect(path, buf);
	ok(cg_backend(CG_CPU) == &cg_v2 && cg_backend(CG_PIDS) == &cg_v2 &&
	    cg_backend(CG_MEMORY) == &cg_v1 && cg_backend(CG_IO) == &cg_v1 &&
	    cg_backend(CG_CPUSET) == NULL,
	    "hybrid: cpu and pids in v2, memory and blkio in v1, no cpuset");
	snprintf(path, sizeof(path), "%s/v1/memory/a/5", top);
	ok(cg_v1_valid(CG_MEMORY, path, 5), "a recorded v1 group below its mount");
	snprintf(path, sizeof(path), "%s/v1/memory/a/../5", top);
	ok(!cg_v1_valid(CG_MEMORY, path, 5), "  one with .. is not trusted");
	snprintf(path, sizeof(path), "%s/v1/blkio/a/5", top);
	ok(!cg_v1_valid(CG_MEMORY, path, 5), "  nor one below another mount");
	snprintf(path, sizeof(path), "%s/v1/memory/a/6", top);
	ok(!cg_v1_valid(CG_MEMORY, path, 5), "  nor one of another jid");
	ok(!cg_v1_valid(CG_MEMORY, "/etc", 5), "  nor anything else");

	/* rctl: a missing controller is refused before anything is stored */
	snprintf(path, sizeof(path), "%s/reg", top);
	setenv("VJAIL_RUNDIR", path, 1);
	snprintf(path, sizeof(path), "%s/root", top);
	cg_detect(path, "");
	const char *rule = "jail:web:memoryuse:deny=1m";
	ok(rctl_add_rule(rule, strlen(rule) + 1, NULL, 0) < 0 &&
	    errno == EOPNOTSUPP && strcmp(jail_errmsg, "memoryuse: the memory "
	    "controller is not available (neither in cgroup v2 nor v1)") == 0,
	    "memoryuse without a memory controller: refused by name");
	snprintf(path, sizeof(path), "%s/reg/rctl", top);
	ok(access(path, F_OK) < 0, "  and nothing was stored");

	snprintf(buf, sizeof(buf), "rm -rf '%s'", top);
	(void)!system(buf);
	return done_testing();
}
