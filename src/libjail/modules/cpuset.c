/*
 * modules/cpuset.c - a jail's CPU set (FreeBSD's cpuset(1) -j), on the
 * cpuset controller: the set is cpuset.cpus of the jail's group, and a
 * jail without a group of its own has its parent's (the host's at the
 * top).  A set is always within the parent's; shrinking a jail's set
 * shrinks its children's with it, and one that would leave a child no
 * CPU is refused (FreeBSD: EDEADLK).  cpuset.id, read-only, names the
 * jail's root set: the jail's own jid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vjail.h"

/* "0-3,6" into a set; -1 if malformed. */
static int
parse_list(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	if (!*s)
		return -1;
	while (*s) {
		char *ep;
		long a = strtol(s, &ep, 10), b = a;
		if (ep == s || a < 0 || a >= CPU_SETSIZE)
			return -1;
		if (*ep == '-') {
			s = ep + 1;
			b = strtol(s, &ep, 10);
			if (ep == s || b < a || b >= CPU_SETSIZE)
				return -1;
		}
		for (long i = a; i <= b; i++)
			CPU_SET((int)i, set);
		if (*ep == ',' && ep[1])
			ep++;
		else if (*ep)
			return -1;
		s = ep;
	}
	return 0;
}

static void
format_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && off < len; i++) {
		int j = i;
		if (!CPU_ISSET(i, set))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set))
			j++;
		off += (size_t)(j > i ? snprintf(buf + off, len - off, "%s%d-%d",
		    off ? "," : "", i, j) : snprintf(buf + off, len - off,
		    "%s%d", off ? "," : "", i));
		i = j;
	}
}

/* Does the jail have a cpuset group of its own, and where? */
static const char *
own_group(const struct jail_rec *jr, const struct cg_backend **bep)
{
	const struct cg_backend *be = cg_backend(CG_CPUSET);
	char have[512];

	*bep = be;
	if (be == &cg_v1)
		return jr->cg1[CG_CPUSET][0] && cg_v1_valid(CG_CPUSET,
		    jr->cg1[CG_CPUSET], jr->jid) ? jr->cg1[CG_CPUSET] : NULL;
	if (be != &cg_v2)
		return NULL;
	return cg_get(jr->cgroup, "cgroup.controllers", have, sizeof(have)) == 0 &&
	    cg_has(have, "cpuset") ? jr->cgroup : NULL;
}

/* The effective set of jail jid (0: the host), climbing to an ancestor
 * with a group, or to the host's CPUs. */
static int
effective(struct registry *r, int jid, cpu_set_t *set, char *err)
{
	char buf[1024];
	struct jail_rec jr;
	const struct cg_backend *be;
	const char *dir, *mnt;

	for (int depth = 0; jid > 0 && depth < 64; depth++) {
		if (reg_load(r, jid, &jr) < 0)
			break;
		if ((dir = own_group(&jr, &be)) != NULL &&
		    cg_get(dir, be->cpus_file, buf, sizeof(buf)) == 0 &&
		    parse_list(buf, set) == 0)
			return 0;
		jid = jr.parent;
	}
	if ((mnt = cg_v1_mount(CG_CPUSET)) != NULL &&
	    cg_backend(CG_CPUSET) == &cg_v1) {
		snprintf(buf, sizeof(buf), "%s/cpuset.effective_cpus", mnt);
		if (sys_read_small(AT_FDCWD, buf, buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (parse_list(buf, set) == 0)
				return 0;
		}
	}
	if (sys_read_small(AT_FDCWD, "/sys/devices/system/cpu/online", buf,
	    sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_list(buf, set) == 0)
			return 0;
	}
	errno = EIO;
	return jerr(err, "cpuset: cannot read the host's CPUs");
}

static int
find(struct registry *r, int jid, struct jail_rec *jr, char *err)
{
	if (jail_inside()) {
		errno = EPERM;
		return -1;
	}
	if (reg_find_alive(r, jid, NULL, jr) < 0) {
		errno = ESRCH;
		return jerr(err, "jail %d not found", jid);
	}
	return 0;
}

int
jail_cpuset_get(int jid, char *list, size_t len)
{
	char *err = jail_errmsg;
	struct registry r;
	struct jail_rec jr;
	cpu_set_t set;
	int rc;

	err[0] = '\0';
	if (jail_inside()) {
		errno = EPERM;
		return -1;
	}
	if (reg_open(&r, false, err) < 0)
		return -1;
	rc = find(&r, jid, &jr, err) < 0 ? -1 : effective(&r, jid, &set, err);
	reg_close(&r);
	if (rc == 0)
		format_list(&set, list, len);
	return rc;
}

/* The subtree in pre-order, each with its new set. */
struct node {
	struct jail_rec jr;
	cpu_set_t cur, want;
	int up;			/* index of the parent node, -1 for the top */
};
struct tree { struct node *n; int count, max; };

static int
collect(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    void *arg, char *err)
{
	struct tree *t = arg;
	struct node *nd;

	/* every jail of the subtree gets a group (v1: inside its parent's;
	 * v2: the controller passed down), so each set can be written */
	if (parent && lim_groups(r, jr, parent, 1u << CG_CPUSET, err) < 0)
		return -1;
	if (t->count == t->max) {
		struct node *nn = realloc(t->n, sizeof(*nn) *
		    (size_t)(t->max = t->max ? t->max * 2 : 8));
		if (nn == NULL)
			return jerrno(err, "cpuset");
		t->n = nn;
	}
	nd = &t->n[t->count];
	nd->jr = *jr;
	nd->up = -1;
	for (int i = t->count - 1; i >= 0 && t->count > 0; i--)
		if (t->n[i].jr.jid == jr->parent) {
			nd->up = i;
			break;
		}
	if (effective(r, jr->jid, &nd->cur, err) < 0)
		return -1;
	t->count++;
	return 0;
}

static int
write_set(const struct node *nd, const cpu_set_t *set, char *err)
{
	const struct cg_backend *be;
	const char *dir = own_group(&nd->jr, &be);
	struct cg_limits l;

	if (dir == NULL) {
		errno = EIO;
		return jerr(err, "cpuset: jail %d has no cpuset group",
		    nd->jr.jid);
	}
	memset(&l, 0, sizeof(l));
	format_list(set, l.cpus, sizeof(l.cpus));
	return be->limit(dir, CG_CPUSET, &l, err);
}

int
jail_cpuset_set(int jid, const char *list)
{
	char *err = jail_errmsg, a[256], b[256];
	struct registry r;
	struct jail_rec jr, parent;
	struct tree t = { 0 };
	cpu_set_t want, pset;
	int rc = -1;

	err[0] = '\0';
	if (parse_list(list, &want) < 0) {
		errno = EINVAL;
		return jerr(err, "Malformed cpu-list %s", list);
	}
	if (jail_inside()) {
		errno = EPERM;
		return -1;
	}
	if (!cg_backend(CG_CPUSET)) {
		errno = EOPNOTSUPP;
		return jerr(err, "the cpuset controller is not available "
		    "(neither in cgroup v2 nor v1)");
	}
	if (reg_open(&r, true, err) < 0)
		return -1;
	memset(&parent, 0, sizeof(parent));
	if (find(&r, jid, &jr, err) < 0 ||
	    (jr.parent > 0 && reg_load(&r, jr.parent, &parent) < 0) ||
	    effective(&r, jr.parent, &pset, err) < 0)
		goto out;
	CPU_AND(&pset, &pset, &want);
	if (!CPU_EQUAL(&pset, &want)) {
		cpu_set_t extra;
		CPU_XOR(&extra, &want, &pset);
		format_list(&extra, a, sizeof(a));
		effective(&r, jr.parent, &pset, err);
		format_list(&pset, b, sizeof(b));
		errno = EINVAL;
		jerr(err, "CPUs %s are not in the %s set (%s)", a,
		    jr.parent > 0 ? "parent jail's" : "host's", b);
		goto out;
	}
	/* groups up to the top and for the whole subtree */
	if (lim_groups(&r, &jr, jr.parent > 0 ? &parent : NULL,
	    1u << CG_CPUSET, err) < 0 ||
	    lim_walk(&r, &jr, jr.parent > 0 ? &parent : NULL, collect, &t,
	    err) < 0)
		goto out;
	/* each child keeps what is left of its set; none may end empty */
	for (int i = 0; i < t.count; i++) {
		struct node *nd = &t.n[i];
		if (nd->up < 0)
			nd->want = want;
		else
			CPU_AND(&nd->want, &nd->cur, &t.n[nd->up].want);
		if (CPU_COUNT(&nd->want) == 0) {
			errno = EDEADLK;
			jerr(err, "jail %s would have no CPU left", nd->jr.name);
			goto out;
		}
	}
	/* v1 wants a child within its parent at every write: first the
	 * union top down, then the new sets bottom up */
	for (int i = 0; i < t.count; i++) {
		cpu_set_t u;
		CPU_OR(&u, &t.n[i].cur, &t.n[i].want);
		if (write_set(&t.n[i], &u, err) < 0)
			goto out;
	}
	for (int i = t.count - 1; i >= 0; i--)
		if (write_set(&t.n[i], &t.n[i].want, err) < 0)
			goto out;
	rc = 0;
out:
	free(t.n);
	reg_close(&r);
	return rc;
}

static int
cpuset_get(struct jail_rec *jr, char *err)
{
	(void)err;
	jr->cpuset_id = jr->jid;
	return 0;
}

const struct module mod_cpuset = {
	.name = "cpuset",
	.get = cpuset_get,
};
