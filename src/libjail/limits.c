/*
 * limits.c - the groups that carry a jail's limits, shared by the rctl
 * and cpuset modules (each writes its own controllers' knobs).
 *
 * A jail gets a v1 group for a controller only when it, an ancestor or a
 * descendant is limited there; the set of jails with a group is closed
 * upward and downward, so a child's group always sits inside its
 * parent's and nothing has to move between parents later.  A group is
 * recorded in the registry before it is made (a crash leaves a recorded
 * directory that teardown removes), and a running jail's processes are
 * moved in while its v2 group is frozen, so none forks past the move.
 * Everything here runs host side with the registry locked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vjail.h"

/*
 * Each controller's backend: the unified tree where its root offers the
 * controller, else its v1 hierarchy, else none (chosen here, above
 * sys/cgroup.c and both backends).
 */
const struct cg_backend *
cg_backend(int ctrl)
{
	if (ctrl < 0 || ctrl >= CG_NCTRL)
		return NULL;
	return cg_v2_has(ctrl) ? &cg_v2 : cg_v1_mount(ctrl) ? &cg_v1 : NULL;
}

/* Put pid into every v1 group of the jail (a process entering it). */
int
cg_join_limits(const struct jail_rec *jr, pid_t pid, char *err)
{
	for (int c = 0; c < CG_NCTRL; c++) {
		if (!jr->cg1[c][0])
			continue;
		if (!cg_v1_valid(c, jr->cg1[c], jr->jid)) {
			errno = EINVAL;
			return jerr(err, "cgroup: bad %s group in the record",
			    cg_names[c]);
		}
		if (cg_v1.join(jr->cg1[c], c, pid, err) < 0)
			return -1;
	}
	return 0;
}

/* Call fn for every process of the jail itself (not its children). */
int
lim_each_pid(const struct jail_rec *jr, int (*fn)(pid_t, void *), void *arg)
{
	static const char *const subs[] = { "", "/jail", "/init" };
	char dir[PATH_MAX + 8];
	int rc = 0;

	for (size_t s = 0; s < sizeof(subs) / sizeof(*subs); s++) {
		pid_t *pids;
		int n;

		snprintf(dir, sizeof(dir), "%s%s", jr->cgroup, subs[s]);
		/* jail/ with its FIB groups (fib.c) */
		n = s == 1 ? cg_pids_tree(dir, &pids) : cg_pids(dir, &pids);
		for (int i = 0; i < n; i++)
			if (fn(pids[i], arg) < 0)
				rc = -1;
		free(pids);
	}
	return rc;
}

/*
 * Move a running jail's processes into its new v1 groups.  Its holder
 * stays out: it runs no code of the jail's and never forks, and moving
 * another process costs an RCU grace period per hierarchy (measured: up
 * to 18 ms each), so a jail being created (its holder alone) costs none.
 */
static int
adopt(const struct jail_rec *jr, unsigned ctrls, char *err)
{
	char dir[PATH_MAX + 8];
	bool frozen;
	int rc = 0;

	if (jr->state != JS_ALIVE)
		return 0;
	snprintf(dir, sizeof(dir), "%s/jail", jr->cgroup);
	frozen = cg_freeze(jr->cgroup, true) == 0;
	/* Frozen, one pass sees every process; else repeat (a fork
	 * between passes shows up in the next one). */
	for (int pass = 0; pass < (frozen ? 1 : 8) && rc == 0; pass++) {
		pid_t *pids;
		int n = cg_pids_tree(dir, &pids);	/* FIB groups too */
		for (int i = 0; i < n && rc == 0; i++)
			for (int c = 0; c < CG_NCTRL && rc == 0; c++)
				if (ctrls & 1u << c)
					rc = cg_v1.join(jr->cg1[c], c, pids[i], err);
		free(pids);
	}
	cg_freeze(jr->cgroup, false);
	return rc;
}

/*
 * Give jr groups for ctrls (bits of enum cg_ctrl): v1, a recorded
 * directory with the jail's processes in it; v2, the controller enabled
 * down to the jail's group.  The parent must have them already.
 */
static int
groups(struct registry *r, struct jail_rec *jr,
    const struct jail_rec *parent, unsigned ctrls, char *err)
{
	unsigned fresh = 0;

	/* recorded groups are written to below: only genuine ones */
	for (int c = 0; c < CG_NCTRL; c++)
		if ((jr->cg1[c][0] && !cg_v1_valid(c, jr->cg1[c], jr->jid)) ||
		    (parent && parent->cg1[c][0] &&
		    !cg_v1_valid(c, parent->cg1[c], parent->jid))) {
			errno = EINVAL;
			return jerr(err, "cgroup: bad %s group in the registry",
			    cg_names[c]);
		}

	for (int c = 0; c < CG_NCTRL; c++) {
		const struct cg_backend *be = cg_backend(c);

		if (!(ctrls & 1u << c))
			continue;
		if (be == NULL) {
			errno = ENOTSUP;
			return jerr(err, "the %s controller is not available "
			    "(neither in cgroup v2 nor v1)", cg_names[c]);
		}
		if (be == &cg_v2) {
			if (be->make(jr, c, jr->cgroup, err) < 0)
				return -1;
		} else if (!jr->cg1[c][0]) {
			if (be->path(jr, parent, c, jr->cg1[c],
			    sizeof(jr->cg1[c]), err) < 0)
				goto undo;
			fresh |= 1u << c;
		}
	}
	if (fresh == 0)
		return 0;
	/* recorded first: a crash leaves nothing teardown does not know */
	if (reg_store(r, jr, err) < 0)
		goto undo;
	for (int c = 0; c < CG_NCTRL; c++)
		if ((fresh & 1u << c) && cg_v1.make(jr, c, jr->cg1[c], err) < 0) {
			/* the fresh ones made so far, still empty, go */
			struct jail_rec made = *jr;
			for (int k = 0; k < CG_NCTRL; k++)
				if (!(fresh & 1u << k))
					made.cg1[k][0] = '\0';
			cg_remove_v1(&made);
			goto undo;
		}
	return adopt(jr, fresh, err);
undo:
	for (int c = 0; c < CG_NCTRL; c++)
		if (fresh & 1u << c)
			jr->cg1[c][0] = '\0';
	char scratch[JAIL_ERRMSGLEN];
	reg_store(r, jr, scratch);
	return -1;
}

/* v1 controllers a jail has groups in. */
unsigned
lim_v1_ctrls(const struct jail_rec *jr)
{
	unsigned m = 0;

	for (int c = 0; c < CG_NCTRL; c++)
		if (jr->cg1[c][0])
			m |= 1u << c;
	return m;
}

/*
 * Groups for ctrls on jr, its ancestors first (top down) and then on
 * jr; descendants follow through lim_walk.  parent is jr's parent record
 * (NULL for the host), refreshed here.
 */
int
lim_groups(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    unsigned ctrls, char *err)
{
	struct jail_rec chain[32];
	int n = 0;

	if (ctrls == 0)
		return 0;
	/* ancestors, nearest first */
	for (int p = jr->parent; p > 0 && n < 32; p = chain[n - 1].parent)
		if (reg_load(r, p, &chain[n++]) < 0) {
			errno = ENOENT;
			return jerr(err, "jail %d not found", p);
		}
	for (int i = n - 1; i >= 0; i--)
		if (groups(r, &chain[i], i + 1 < n ? &chain[i + 1] : NULL,
		    ctrls, err) < 0)
			return -1;
	if (parent && n > 0)
		*parent = chain[0];
	return groups(r, jr, n > 0 ? &chain[0] : NULL, ctrls, err);
}

/*
 * fn on jr and then on every descendant, parents before children, each
 * with its parent's record (depth bounded like the registry's teardown).
 */
static int
walk(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    lim_fn fn, void *arg, int depth, char *err)
{
	int *kids = NULL, n, rc;
	struct jail_rec kid;

	if ((rc = fn(r, jr, parent, arg, err)) < 0 || depth >= 64)
		return rc;
	n = reg_kids(r, jr->jid, &kids);
	for (int i = 0; i < n && rc == 0; i++)
		if (kids[i] != jr->jid && reg_load(r, kids[i], &kid) == 0 &&
		    kid.state == JS_ALIVE)
			rc = walk(r, &kid, jr, fn, arg, depth + 1, err);
	free(kids);
	return rc;
}

int
lim_walk(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    lim_fn fn, void *arg, char *err)
{
	return walk(r, jr, parent, fn, arg, 0, err);
}

/* The live jail of that name, and its parent (zeroed for the host). */
int
lim_find(struct registry *r, const char *name, struct jail_rec *jr,
    struct jail_rec *parent)
{
	memset(parent, 0, sizeof(*parent));
	if (reg_find_alive(r, 0, name, jr) < 0)
		return -1;
	if (jr->parent > 0 && reg_load(r, jr->parent, parent) < 0)
		return -1;
	return 0;
}

/*
 * Per-process limits, the record's "nofile=S:H cpu=S:H ..." (.rlimits):
 * what rctl computes for a jail, and what every process entering it
 * takes (lim_enter).
 */

static const struct { const char *name; int rlim; } rlims[] = {
	{ "cpu", RLIMIT_CPU }, { "data", RLIMIT_DATA },
	{ "stack", RLIMIT_STACK }, { "core", RLIMIT_CORE },
	{ "memlock", RLIMIT_MEMLOCK }, { "nofile", RLIMIT_NOFILE },
	{ "as", RLIMIT_AS },
};
#define NRLIM	(int)(sizeof(rlims) / sizeof(*rlims))
_Static_assert(NRLIM == LIM_NRLIM, "LIM_NRLIM");

static void
rl_unlimited(struct rlimit *rl)
{
	for (int i = 0; i < NRLIM; i++)
		rl[i].rlim_cur = rl[i].rlim_max = RLIM_INFINITY;
}

/* Parse a record's text (untrusted: unknown words are skipped). */
void
lim_rl_parse(const char *text, struct rlimit *rl)
{
	char buf[JAIL_LISTLEN], *save, *w;

	rl_unlimited(rl);
	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		unsigned long long s, h;
		char name[16];
		if (sscanf(w, "%15[a-z]=%llu:%llu", name, &s, &h) != 3 || s > h)
			continue;
		for (int i = 0; i < NRLIM; i++)
			if (strcmp(name, rlims[i].name) == 0) {
				rl[i].rlim_cur = s;
				rl[i].rlim_max = h;
			}
	}
}

void
lim_rl_format(const struct rlimit *rl, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < NRLIM; i++)
		if (rl[i].rlim_max != RLIM_INFINITY ||
		    rl[i].rlim_cur != RLIM_INFINITY)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%llu:%llu",
			    off ? " " : "", rlims[i].name,
			    (unsigned long long)rl[i].rlim_cur,
			    (unsigned long long)rl[i].rlim_max);
}

int
lim_rl_index(int rlim)
{
	for (int i = 0; i < NRLIM; i++)
		if (rlims[i].rlim == rlim)
			return i;
	return 0;
}

void
lim_rl_lower(struct rlimit *r, unsigned long cur, unsigned long max)
{
	if (max < r->rlim_max)
		r->rlim_max = max;
	if (cur < r->rlim_cur)
		r->rlim_cur = cur;
	if (r->rlim_cur > r->rlim_max)
		r->rlim_cur = r->rlim_max;
}

/*
 * Give pid the limits rl.  A process entering the jail only has its own
 * lowered to them (it may have chosen less); rctl's changes to a running
 * jail set them as they are (raised too, once a rule goes: host root's
 * prlimit may).
 */
int
lim_rl_apply(pid_t pid, const struct rlimit *rl, bool lower_only, char *err)
{
	pid_t who = pid == getpid() ? 0 : pid;

	for (int i = 0; i < NRLIM; i++) {
		struct rlimit cur = rl[i];
		if (lower_only) {
			if (rl[i].rlim_max == RLIM_INFINITY &&
			    rl[i].rlim_cur == RLIM_INFINITY)
				continue;
			if (prlimit(who, rlims[i].rlim, NULL, &cur) < 0)
				return err ? jerrno(err, "rctl: getrlimit") : -1;
			lim_rl_lower(&cur, rl[i].rlim_cur, rl[i].rlim_max);
		}
		if (prlimit(who, rlims[i].rlim, &cur, NULL) < 0 && lower_only)
			return err ? jerrno(err, "rctl: setrlimit %s",
			    rlims[i].name) : -1;
	}
	return 0;
}

/*
 * A process entering the jail (jexec's child, jail_attach, the in-jail
 * service's JOIN), still on the host: the jail's v1 groups and its
 * per-process limits.  Nothing to do for a jail without limits.
 */
int
lim_enter(const struct jail_rec *jr, pid_t pid, char *err)
{
	struct rlimit rl[LIM_NRLIM];

	if (cg_join_limits(jr, pid, err) < 0)
		return -1;
	if (!jr->rlimits[0])
		return 0;
	lim_rl_parse(jr->rlimits, rl);
	return lim_rl_apply(pid, rl, true, err);
}
