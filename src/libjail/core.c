/*
 * core.c - create, update, find, attach and remove jails: the ordered
 * steps behind jail_set/jail_get/jail_attach/jail_remove.
 *
 * Create is: check (every module) -> registry record (CREATING) ->
 * cgroup -> holder and monitor -> record ALIVE.  A failure walks back
 * exactly the steps done.  A creator killed half-way leaves a CREATING
 * record whose creator is dead; the next command that opens the registry
 * (and the monitor, which notices its creator's socket close) cleans it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vjail.h"

/* A monitor serving its jail's requests (spawn.c sets it). */
bool core_serving;
const struct spawner *core_spawner;

/* The jail this process made last: jail(8) enters it right away, and the
 * holder's pid and start time still decide whether it is current. */
static struct jail_rec made;

/* Setup order matters: fs pivots into the new root, so it runs last. */
const struct module *const modules[] = {
	&mod_core, &mod_uts, &mod_ipc, &mod_net, &mod_ip, &mod_rctl,
	&mod_cpuset, &mod_secure, &mod_fs, &mod_info, NULL,
};

void
rec_defaults(struct jail_rec *jr)
{
	memset(jr, 0, sizeof(*jr));
	jr->vnet = JAIL_SYS_INHERIT;
	jr->ipc = JAIL_SYS_NEW;
	jr->enforce_statfs = 2;
	jr->devfs = 1;
	jr->procfs = 1;
	jr->ip4 = jr->ip6 = JAIL_SYS_INHERIT;	/* unrestricted */
	jr->ip4_saddrsel = jr->ip6_saddrsel = 1;
}

int
jail_nsflags(const struct jail_rec *jr)
{
	int fl = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP;

	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->nsflags)
			fl |= (*m)->nsflags(jr);
	return fl;
}

/*
 * The namespaces to enter a jail with: its own, and the network stack
 * its holder is in when that is not ours (a jail without vnet under a
 * vnet jail shares its parent's stack, not the caller's).
 */
int
jail_enterflags(const struct jail_rec *jr, const struct jail_ns *ns)
{
	char path[64];
	struct stat hs, ms;
	int fl = jail_nsflags(jr);

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)jr->holder);
	if (!(fl & CLONE_NEWNET) && stat("/proc/self/ns/net", &ms) == 0 &&
	    (ns->pidfd < 0 ? fstat(ns->fd[5], &hs) : stat(path, &hs)) == 0 &&
	    hs.st_ino != ms.st_ino)
		fl |= CLONE_NEWNET;
	return fl;
}

/*
 * What every module restricts, recorded and compiled while the caller is
 * still the host's (the filter cache is in the registry); confine_apply()
 * then applies it in the jail.  Free with confine_free().
 */
int
jail_confine_prepare(const struct jail_rec *jr, struct confine *c, char *err)
{
	confine_init(c);
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->confine && (*m)->confine(jr, c, err) < 0)
			return -1;
	return confine_compile(c, reg_rundir(), err);
}

int
jail_created(struct registry *r, struct jail_rec *jr, char *err)
{
	/* A failure is undone by the caller's teardown (every destroy
	 * hook also undoes a partial created). */
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->created && (*m)->created(r, jr, err) < 0)
			return -1;
	return 0;
}

void
jail_destroy(struct registry *r, const struct jail_rec *jr)
{
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->destroy)
			(*m)->destroy(r, jr);
}

static int
run_checks(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->check && (*m)->check(jr, parent, set, flags, err) < 0)
			return -1;
	return 0;
}

static bool is_unused(struct registry *r, const struct jail_rec *jr,
    int kids);

/* The read-only parameter "state", in words (alive: the lookup's check
 * of the holder; "dead": alive in the record, its holder gone). */
static void
state_text(struct jail_rec *jr, bool dying, bool alive)
{
	static const char *const words[] = { "", "creating", "alive",
	    "dying" };

	snprintf(jr->state_name, sizeof(jr->state_name), "%s",
	    jr->damaged ? "damaged" : jr->state == JS_ALIVE && dying &&
	    !alive ? "dead" : words[jr->state]);
}

/*
 * jls shows a live jail; with JAIL_DYING (jls -d) also every other
 * record: one being made or removed, one whose holder is gone, a
 * damaged one, so that nothing the registry holds is hidden.  -1 if jr
 * is not shown, else whether its holder is alive (asked of another
 * state only for live values; not at all with CF_UNCHECKED, which
 * asks for no state).  With pidfd (an enter), the holder's
 * pidfd is opened before the check, which then vouches for it too, and
 * left in *pidfd: the pid cannot be another process's in between.
 */
static int
visible(const struct jail_rec *jr, int flags, int *pidfd)
{
	int fd = -1;
	bool alive;

	if (jr->damaged || jr->state != JS_ALIVE || (flags & CF_UNCHECKED))
		return !(flags & JAIL_DYING) ? -1 :
		    (flags & CF_LIVE) && reg_holder_alive(jr);
	if (pidfd)
		fd = sys_pidfd_open(jr->holder);
	alive = (!pidfd || fd >= 0) && reg_holder_alive(jr);
	if (alive && fd >= 0) {
		if (*pidfd >= 0)
			close(*pidfd);
		*pidfd = fd;
	} else if (fd >= 0)
		close(fd);
	return alive || (flags & JAIL_DYING) ? alive : -1;
}

/*
 * Descendants of jid (children, grandchildren, ...), as FreeBSD counts
 * children.cur and checks children.max along the whole chain.
 */
static int
count_children(struct registry *r, int jid)
{
	int *kids = NULL, n = reg_kids(r, jid, &kids), k = n;

	for (int i = 0; i < n; i++)
		k += count_children(r, kids[i]);
	free(kids);
	return k;
}

/*
 * Record jid as far as anything is left of it: its record (a damaged one
 * too), else, if an index entry (name) or its cgroup is left, a damaged
 * stand-in, so that jls -d shows it and jail -r removes it.  0, or -1.
 */
static int
load_traces(struct registry *r, int jid, const char *name,
    struct jail_rec *jr)
{
	if (reg_read_any(r, jid, jr) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	memset(jr, 0, sizeof(*jr));
	jr->jid = jid;
	jr->state = JS_DYING;
	jr->damaged = jr->dying = 1;
	snprintf(jr->name, sizeof(jr->name), "%d", jid);
	if (name)
		snprintf(jr->name, sizeof(jr->name), "%s", name);
	else
		reg_name_of(r, jid, jr->name, sizeof(jr->name));
	reg_fallback_groups(r, jr);
	if (jr->cgroup[0] || (name && reg_name_jid(r, name) == jid))
		return 0;
	errno = ENOENT;
	return -1;
}

/* Top-level cgroups under the base that have no record (jls -d). */
static int
orphan_cgroups(struct registry *r, int **jidsp)
{
	char err[JAIL_ERRMSGLEN];
	const char *base = cg_base(err);
	int *all = NULL, n = 0, k = 0;

	*jidsp = NULL;
	if (base == NULL || (n = reg_members_at(base, &all)) <= 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (!reg_exists(r, all[i]))
			all[k++] = all[i];
	*jidsp = all;
	return k;
}

static int
cmp_jid(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The listing a walk by lastjid goes through (find_locked). */
static struct walk {
	int	*jids, n, next;	/* the listing, where the walk is in it */
	int	 last;		/* the jid the walk was given last */
	bool	 dying;
} walk;

/*
 * Find a visible jail by jid, by name, or the first after lastjid.  By
 * name the index answers; a jail no longer in the index (dying) is
 * looked for among all records.  A record the index points at is
 * trusted for its name even when damaged: the index is the evidence.
 * 1 if found with its holder alive, 0 if found, else -1.  With pidfd,
 * one jail's holder pinned (visible).
 */
static int
find_locked(struct registry *r, struct jail_rec *jr, int jid,
    const char *name, int lastjid, int flags, int *pidfd, char *err)
{
	int *jids = NULL, n, found = -1, ij, lr = 0, alive = -1;
	bool dying = flags & JAIL_DYING;

	if (jid <= 0 && name && (ij = reg_name_jid(r, name)) > 0 &&
	    (dying ? load_traces(r, ij, name, jr) : reg_load(r, ij, jr)) == 0 &&
	    (alive = visible(jr, flags, pidfd)) >= 0 &&
	    (jr->damaged || strcmp(jr->name, name) == 0)) {
		if (jr->damaged)
			snprintf(jr->name, sizeof(jr->name), "%s", name);
		found = 0;
	} else if (jid > 0 && (lr = dying ? load_traces(r, jid, NULL, jr) :
	    reg_load(r, jid, jr)) == 0 && (alive = visible(jr, flags,
	    pidfd)) >= 0 && (!name || strcmp(jr->name, name) == 0))
		found = 0;
	else if (jid > 0 && lr < 0 && errno != ENOENT && errno != EBADMSG)
		return jerrno(err, "registry: record %d", jid);	/* not "not found" */
	else if (lastjid >= 0 || (name && dying)) {
		int i = 0;
		/* The walk of jls or jail -r '*' (lastjid: the jid it was
		 * given last) goes on in the listing made at its start: one
		 * listing per walk, not one per jail. */
		if (lastjid > 0 && lastjid == walk.last && walk.dying == dying &&
		    walk.jids) {
			jids = walk.jids, n = walk.n, i = walk.next;
			walk.jids = NULL;
		} else {
			n = reg_list(r, &jids);
			if (dying) {
				/* cgroups whose record is gone are jails too */
				int *orph = NULL, no = orphan_cgroups(r, &orph),
				    *all;
				if (no > 0 && (all = realloc(jids, sizeof(int) *
				    (size_t)(n + no))) != NULL) {
					memcpy(all + n, orph,
					    sizeof(int) * (size_t)no);
					jids = all;
					n += no;
					qsort(jids, (size_t)n, sizeof(int), cmp_jid);
				}
				free(orph);
			}
		}
		for (; i < n && found < 0; i++) {
			if (lastjid >= 0 && jids[i] <= lastjid)
				continue;
			if ((dying ? load_traces(r, jids[i], NULL, jr) :
			    reg_load(r, jids[i], jr)) < 0 ||
			    (alive = visible(jr, flags, NULL)) < 0)
				continue;
			if (name && strcmp(jr->name, name) != 0)
				continue;
			found = i;
		}
		free(walk.jids);
		walk.jids = NULL;
		if (found >= 0 && lastjid >= 0) {
			walk = (struct walk){ jids, n, found + 1, jids[found],
			    dying };
			jids = NULL;
		}
		free(jids);
	}
	if (found >= 0) {
		jr->children_cur = count_children(r, jr->jid);
		state_text(jr, dying, alive);
		return alive;
	}
	if (pidfd && *pidfd >= 0) {
		close(*pidfd);
		*pidfd = -1;
	}
	/* One jail asked for, whose record is not believable: say so */
	if (!dying && (jid > 0 || name) && (ij = jid > 0 ? jid :
	    reg_name_jid(r, name)) > 0 && reg_read(r, ij, jr) == 1) {
		errno = EBADMSG;
		return jerr(err, "jail \"%s\": its registry record is damaged "
		    "(jls -d shows it, jail -r removes it)", name ? name :
		    jr->name);
	}
	errno = ENOENT;
	if (name)
		return jerr(err, "jail \"%s\" not found", name);
	if (jid > 0)
		return jerr(err, "jail %d not found", jid);
	return jerr(err, "no more jails");
}

/*
 * Jail jid (or the one the index names) is dead: clear it away now, so
 * that the command that met it does not leave it to an unrelated one.
 */
static void reap_one(int jid, const char *name);

void
core_reap(int jid)
{
	reap_one(jid, NULL);
}

/*
 * Removing jr may undo links, bridges, addresses or FIB rules with
 * netlink (modules net and ip; children too).  A command built without
 * it (the static jexec: sys/dl_static.c) leaves such a dead jail to jail
 * -r, jls or the next creation's sweep, as if killed before it reaped.
 */
static bool
can_remove(struct registry *r, const struct jail_rec *jr)
{
	int *kids = NULL, n;

	if (sys_dl_has("libmnl.so.0"))
		return true;
	if (jr->damaged || jr->moved[0] || jr->vnet_bridge[0] ||
	    jr->aliases[0] || jr->fib > 0 || jr->fib_groups)
		return false;
	n = reg_kids(r, jr->jid, &kids);
	for (int i = 0; i < n; i++)
		if (kids[i] != jr->jid)
			n = -1;
	free(kids);
	return n >= 0;
}

static void
reap_one(int jid, const char *name)
{
	char err[JAIL_ERRMSGLEN];
	struct registry r;
	struct jail_rec jr;

	if (reg_open(&r, true, err) < 0)
		return;
	if (jid <= 0 && name)
		jid = reg_name_jid(&r, name);
	if (jid > 0 && reg_read_any(&r, jid, &jr) == 0 && core_dead(&r, &jr) &&
	    can_remove(&r, &jr))
		core_remove_locked(&r, &jr, err);
	reg_close(&r);
}

/*
 * core_find, and with pidfd (core_enter) the holder of the one jail
 * asked for pinned by the lookup's check of it: -1 in *pidfd on failure.
 */
static int
find(struct jail_rec *jr, int jid, const char *name, int lastjid,
    int flags, int *pidfd, char *err)
{
	struct registry r;
	struct jail_rec o;
	int rc, ij, e;
	bool dead = false;

	if (reg_open(&r, false, err) < 0)
		return -1;
	rc = find_locked(&r, jr, jid, name, lastjid, flags, pidfd, err);
	e = errno;
	/* One jail asked for, and it is dead (its holder, creator or
	 * remover gone, or ending when empty with no monitor to notice)?
	 * A live persistent one is not: it does not end when empty. */
	if (lastjid < 0 && !(flags & JAIL_DYING) && (jid > 0 || name)) {
		if (rc >= 0)
			dead = !jr->persist && !reg_monitor_alive(jr) &&
			    core_dead(&r, jr);
		else if (e == ENOENT && (ij = jid > 0 ? jid :
		    reg_name_jid(&r, name)) > 0 && reg_read_any(&r, ij, &o) == 0)
			dead = core_dead(&r, &o);
	}
	reg_close(&r);
	if (dead) {
		if (pidfd && *pidfd >= 0) {
			close(*pidfd);
			*pidfd = -1;
		}
		reap_one(jid, name);
		if (rc >= 0) {
			errno = ENOENT;
			return name ? jerr(err, "jail \"%s\" not found", name) :
			    jerr(err, "jail %d not found", jid);
		}
	}
	errno = e;
	/* (rc 1: the lookup checked the holder, under the lock a moment
	 * ago) Live values come from the kernel, not from the record. */
	if (rc == 1 && (flags & CF_LIVE))
		for (const struct module *const *m = modules; *m; m++)
			if ((*m)->get && (*m)->get(jr, err) < 0)
				return -1;
	return rc < 0 ? -1 : 0;
}

int
core_find(struct jail_rec *jr, int jid, const char *name, int lastjid,
    int flags, char *err)
{
	if (jail_inside())
		return svc_find(jr, jid, name, lastjid, flags, err);
	return find(jr, jid, name, lastjid, flags, NULL, err);
}

/* Next jid after the last one handed out, skipping those with a record
 * (a damaged record still holds its jid). */
static int
alloc_jid(struct registry *r)
{
	long last = reg_counter(r, "lastjid", JAIL_MAX);
	int jid;

	for (jid = last > 0 ? (int)last + 1 : 1; ; jid++) {
		if (jid > JAIL_MAX)
			jid = 1;
		if (!reg_exists(r, jid))
			return jid;
	}
}

/*
 * Is the jail of this record dead, so that whoever meets it may clear it
 * away?  Its holder gone; its creation or removal abandoned (the process
 * doing it gone); a jail that must end when empty, empty, with no monitor
 * left to notice; a damaged record with nothing left in its cgroup.
 */
bool
core_dead(struct registry *r, const struct jail_rec *jr)
{
	char dir[PATH_MAX + 8];

	if (jr->damaged)
		return !jr->cgroup[0] || cg_populated(jr->cgroup) != 1;
	if (jr->state != JS_ALIVE && reg_creator_alive(jr))
		return false;
	if (jr->state == JS_CREATING || !reg_holder_alive(jr))
		return true;
	/* An interrupted jail -r: its monitor finishes it when its
	 * processes are gone (they were given stop.timeout), unless they
	 * are gone already, or it has no monitor. */
	snprintf(dir, sizeof(dir), "%s/jail", jr->cgroup);
	if (jr->state == JS_DYING)
		return !reg_monitor_alive(jr) || cg_populated(dir) != 1;
	return !reg_monitor_alive(jr) && is_unused(r, jr, -1);
}

/* Kill jr's monitor (not us): pidfd first, then the start-time check,
 * so that the pid cannot be another process's by then. */
static void
kill_monitor(const struct jail_rec *jr)
{
	int pidfd;

	if (jr->monitor > 0 && jr->monitor != getpid() &&
	    (pidfd = sys_pidfd_open(jr->monitor)) >= 0) {
		if (reg_monitor_alive(jr))
			sys_pidfd_send_signal(pidfd, SIGKILL);
		close(pidfd);
	}
}

/* Tell jr's monitor its record changed what it watches for. */
void
monitor_poke(const struct jail_rec *jr)
{
	if (jr->monitor > 0 && reg_monitor_alive(jr))
		kill(jr->monitor, SIGUSR1);
}

/*
 * Remove every trace of a jail, by its record (the journal): children
 * first; the record marked DYING (by us) before anything is undone, so
 * an interrupted removal is seen and finished by the next command; the
 * modules' host-side work undone while the holder still lives (links
 * moved in go back before the stack dies); the holder and whatever is
 * left in the jail's cgroup killed, the cgroup removed; index entries,
 * then the record.  Called with the registry locked.
 *
 * With pidfd, the holder is only killed (its pidfd left in *pidfd, 1
 * returned): the caller waits for it without the lock, so that many
 * removals wait once, then calls core_teardown_finish.
 */
static int
teardown(struct registry *r, struct jail_rec *jr, int depth, int *pidfdp,
    char *err)
{
	int *kids = NULL, n = depth < 64 ? reg_kids(r, jr->jid, &kids) : 0,
	    pidfd = -1;
	struct jail_rec child;

	for (int i = 0; i < n; i++)
		if (kids[i] != jr->jid && reg_read_any(r, kids[i], &child) == 0)
			teardown(r, &child, depth + 1, NULL, err);
	free(kids);
	if (!jr->damaged && (jr->state != JS_DYING ||
	    jr->creator != getpid())) {
		jr->state = JS_DYING;
		jr->dying = 1;
		jr->creator = getpid();
		jr->creator_start = sys_starttime(jr->creator);
		reg_store(r, jr, err);	/* best effort: we go on anyway */
	}
	fault_point("teardown-marked");
	jail_destroy(r, jr);
	fault_point("teardown-destroyed");
	/* pidfd first, then the check: the pid cannot be reused in between */
	if (!jr->holder_ended &&
	    (pidfd = sys_pidfd_open(jr->holder)) >= 0) {
		if (reg_holder_alive(jr)) {
			if (pidfdp && !jr->damaged) {
				/* (a dying jail gives up its name at once) */
				reg_name_release(r, jr->name, jr->jid);
				/* the caller finishes it: its monitor need not
				 * wake (and exec itself, asleep) for the
				 * holder's end; killed first, or it would */
				kill_monitor(jr);
				sys_pidfd_send_signal(pidfd, SIGKILL);
				*pidfdp = pidfd;
				return 1;
			}
			sys_pidfd_send_signal(pidfd, SIGKILL);
			sys_pidfd_wait(pidfd, 5000);
		}
		close(pidfd);
	}
	return core_teardown_finish(r, jr, err);
}

/* The rest of a teardown, once the holder is gone: the jail's cgroup
 * (and what is left in it), its index entries, its record. */
int
core_teardown_finish(struct registry *r, struct jail_rec *jr, char *err)
{
	bool ours;

	/* (cg_is_ours's look at the group says whether it is there) */
	errno = 0;
	if (!jr->cgroup[0] || (!(ours = cg_is_ours(jr)) &&
	    (errno == ENOENT || errno == ENOTDIR)))
		cg_remove_v1(jr);	/* v1 groups left without their v2 one */
	else {
		/* Only the jail's own cgroup, never one a record names. */
		if (!ours) {
			errno = EPERM;
			jerr(err, "cgroup: %s is not the jail's; left alone",
			    jr->cgroup);
		} else {
			/* Processes that entered only some namespaces stay. */
			if (cg_populated(jr->cgroup) == 1) {
				cg_kill(jr->cgroup);
				cg_wait_empty(jr->cgroup, 5000);
			}
			if (cg_remove(jr) < 0)
				return jerrno(err, "cgroup: rmdir %s", jr->cgroup);
		}
		fault_point("teardown-cgroup");
		/* vjail's own parent group goes with its last jail */
		if (jr->parent <= 0 && !getenv("VJAIL_CGROUP")) {
			char base[PATH_MAX];
			snprintf(base, sizeof(base), "%s", jr->cgroup);
			*strrchr(base, '/') = '\0';
			rmdir(base);	/* fails while others are in it: fine */
		}
	}
	if (reg_delete_rec(r, jr) < 0)
		return jerrno(err, "registry: record %d", jr->jid);
	/* Its monitor has nothing left to do: spare it waking to find so
	 * (an exec, asleep). */
	kill_monitor(jr);
	return 0;
}

int
core_teardown(struct registry *r, struct jail_rec *jr, char *err)
{
	return teardown(r, jr, 0, NULL, err);
}

/* Begin a teardown: 1 with the killed holder's pidfd in *pidfd, to be
 * waited for and finished by the caller, else as core_teardown. */
int
core_teardown_begin(struct registry *r, struct jail_rec *jr, int *pidfd,
    char *err)
{
	*pidfd = -1;
	return teardown(r, jr, 0, pidfd, err);
}

/* Clean up after jails whose holder, creator, remover or (for a jail
 * that must end when empty) monitor died: the registry's journal says
 * what is left to undo.  The number of records looked at. */
static int
reap(struct registry *r)
{
	int *jids = NULL, n = reg_list(r, &jids);
	struct jail_rec jr;
	char err[JAIL_ERRMSGLEN];

	for (int i = 0; i < n; i++)
		if (reg_read_any(r, jids[i], &jr) == 0 && core_dead(r, &jr))
			core_teardown(r, &jr, err);
	free(jids);
	return n;
}

/*
 * Before a creation: drop records of an earlier boot and of jails whose
 * holder or creator died without cleaning up (a killed monitor); the
 * full sweep as often as reg_sweep_due() allows.  What a creation needs
 * (a name, a jid, a uid slot held by a dead jail) is checked on the spot,
 * and single lookups clear the dead jails they meet.
 */
void
core_clean(struct registry *r)
{
	if (rctl_boot_check(r) || reg_sweep_due(r))
		reg_swept(r, reap(r));
}

/* Is the jail jid gone for good (no record, or a dead one)? */
static bool
stale(struct registry *r, int jid)
{
	struct jail_rec o;
	char err[JAIL_ERRMSGLEN];

	if (reg_read_any(r, jid, &o) < 0)
		return errno == ENOENT;
	if (!core_dead(r, &o))
		return false;
	return core_teardown(r, &o, err) == 0;	/* died uncleanly: now */
}

/* Is host uid slot s free for jid (nobody's, or a dead jail's)? */
static bool
slot_free(struct registry *r, uint32_t s, int jid)
{
	int holder = reg_slot_holder(r, s);

	if (holder < 0 || holder == jid)
		return true;
	if (!stale(r, holder))
		return false;
	reg_slot_release(r, s, holder);	/* its record was gone already */
	return reg_slot_holder(r, s) < 0;
}

/*
 * A top-level jail's host uid range: n slots in a row that nobody holds,
 * from just after the last range handed out, so that a jid used again
 * does not mean ids used again until the whole pool has gone round.
 * Only looked for here; claimed once the record says so (reserve).
 */
static int
alloc_uidrange(struct registry *r, int jid, uint32_t n, uint32_t *first)
{
	long last = reg_counter(r, "lastslot", JAIL_UIDSLOTS - 1);
	uint32_t s = last >= 0 ? (uint32_t)last + 1 : 0, tried = 0, k;

	while (tried < JAIL_UIDSLOTS) {
		if (s >= JAIL_UIDSLOTS || s + n > JAIL_UIDSLOTS) {
			tried += s < JAIL_UIDSLOTS ? JAIL_UIDSLOTS - s : 0;
			s = 0;
			continue;
		}
		for (k = 0; k < n && slot_free(r, s + k, jid); k++)
			;
		if (k == n) {
			*first = s;
			return 0;
		}
		tried += k + 1;
		s += k + 1;
	}
	errno = EAGAIN;
	return -1;
}

/*
 * A child's range: n slots inside its parent's, whose first slot is the
 * parent's own and whose other children hold theirs.  Root of a child is
 * then neither root of its parent nor of a sibling.
 */
static int
alloc_subrange(struct registry *r, const struct jail_rec *parent, uint32_t n,
    uint32_t *first)
{
	int *kids = NULL, nk = reg_kids(r, parent->jid, &kids);
	uint32_t end = parent->uidslot + parent->uidslots, s, next;
	struct jail_rec k;

	for (s = parent->uidslot + 1; s + n <= end; s = next) {
		next = 0;
		for (int i = 0; i < nk && !next; i++)
			if (reg_read(r, kids[i], &k) >= 0 && k.uidslots &&
			    k.uidslot < s + n && s < k.uidslot + k.uidslots)
				next = k.uidslot + k.uidslots;
		if (!next) {
			free(kids);
			*first = s;
			return 0;
		}
	}
	free(kids);
	errno = ENOSPC;
	return -1;
}

/* The slots a jail holds: its own and room for 1 + children.max more. */
static uint32_t
range_size(const struct jail_rec *jr, uint32_t limit)
{
	uint32_t want = 1 + (uint32_t)(jr->children_max > 0 ?
	    jr->children_max : 0);

	return want < limit ? want : limit;
}

/* Claim the name for jr's jid, clearing a dead jail that held it. */
static int
claim_name(struct registry *r, struct jail_rec *jr, char *err)
{
	int holder;

	if (reg_name_claim(r, jr->name, jr->jid) == 0)
		return 0;
	if (errno == EEXIST && (holder = reg_name_jid(r, jr->name)) > 0 &&
	    holder != jr->jid && stale(r, holder)) {
		reg_name_release(r, jr->name, holder);
		if (reg_name_claim(r, jr->name, jr->jid) == 0)
			return 0;
	}
	if (errno == EEXIST)
		return jerr(err, "jail \"%s\" already exists", jr->name);
	return jerrno(err, "registry: name \"%s\"", jr->name);
}

/* Is jr's name or jid held by a live jail (a dead holder is cleared)? */
static int
taken(struct registry *r, struct jail_rec *jr, char *err)
{
	int holder;

	if (jr->jid > 0 && reg_exists(r, jr->jid) && !stale(r, jr->jid)) {
		errno = EEXIST;
		return jerr(err, "jail %d already exists", jr->jid);
	}
	if (jr->name[0] && (holder = reg_name_jid(r, jr->name)) > 0 &&
	    holder != jr->jid && !stale(r, holder)) {
		errno = EEXIST;
		return jerr(err, "jail \"%s\" already exists", jr->name);
	}
	return 0;
}

/*
 * Reserve the jail in the registry: unique name and jid, parent alive and
 * under its children.max.  Journaled: the CREATING record, naming all it
 * will hold (jid, name, uid range, parent, cgroup), is written before any
 * index entry is made, so that a reservation killed half-way leaves only
 * what the record says, for teardown to undo.
 */
static int
reserve(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    char *err)
{
	bool named = jr->name[0] != '\0';

	if (taken(r, jr, err) < 0)
		return -1;
	/* Every ancestor's children.max bounds all its descendants. */
	for (struct jail_rec a = *parent; a.jid > 0; ) {
		if (count_children(r, a.jid) >= a.children_max) {
			errno = EPERM;
			return jerr(err, "prison limit exceeded");
		}
		if (a.parent <= 0 || reg_load(r, a.parent, &a) < 0)
			break;
	}
	if (jr->jid <= 0)
		jr->jid = alloc_jid(r);
	if (!named)
		snprintf(jr->name, sizeof(jr->name), "%d", jr->jid);
	jr->parent = parent->jid;
	/* The host's own root is never handed to a jail's root, nor is any
	 * part of a root that was not handed to the parent. */
	jr->idmapped = strcmp(jr->path, "/") != 0 &&
	    (parent->jid == 0 || parent->idmapped);
	if (parent->jid) {
		uint32_t room = parent->uidslots > 1 ? parent->uidslots - 1 : 0;
		jr->uidslots = range_size(jr, room);
		if (room == 0 || alloc_subrange(r, parent, jr->uidslots,
		    &jr->uidslot) < 0) {
			errno = EAGAIN;
			return jerr(err, "no free user id range in the parent "
			    "jail (it was made with room for %u)", room);
		}
		snprintf(jr->cgroup, sizeof(jr->cgroup), "%s/%d",
		    parent->cgroup, jr->jid);
	} else {
		const char *cgb = cg_base(err);
		jr->uidslots = range_size(jr, JAIL_UIDMAXRANGE);
		if (alloc_uidrange(r, jr->jid, jr->uidslots, &jr->uidslot) < 0)
			return jerr(err, "no free host user id range");
		if (cgb == NULL)
			return -1;
		if (mkdir(cgb, 0755) < 0 && errno != EEXIST)
			return jerrno(err, "cgroup: mkdir %s", cgb);
		snprintf(jr->cgroup, sizeof(jr->cgroup), "%s/%d", cgb, jr->jid);
	}
	jr->state = JS_CREATING;
	jr->creator = getpid();
	jr->creator_start = sys_starttime(jr->creator);
	/* The record first: from here on it says what to undo. */
	if (reg_store(r, jr, err) < 0) {
		reg_delete(r, jr->jid);
		return -1;
	}
	reg_save_counter(r, "lastjid", jr->jid);
	fault_point("reserve-recorded");
	if (claim_name(r, jr, err) < 0)
		goto undo;
	fault_point("reserve-named");
	if (parent->jid) {
		if (reg_kid_add(r, parent->jid, jr->jid) < 0) {
			jerrno(err, "registry: kids/%d", parent->jid);
			goto undo;
		}
	} else {
		for (uint32_t i = 0; i < jr->uidslots; i++)
			if (reg_slot_claim(r, jr->uidslot + i, jr->jid) < 0 &&
			    (errno != EEXIST ||
			    reg_slot_holder(r, jr->uidslot + i) != jr->jid)) {
				jerrno(err, "registry: uid slot %u",
				    jr->uidslot + i);
				goto undo;
			}
		reg_save_counter(r, "lastslot", jr->uidslot + jr->uidslots - 1);
	}
	fault_point("reserve-done");
	return 0;
undo:
	{
		int e = errno;
		reg_delete(r, jr->jid);
		errno = e;
	}
	return -1;
}

/* The parent named by "a.b" (the host for a plain name). */
static int
load_parent(struct registry *r, const struct jail_rec *jr,
    struct jail_rec *parent, char *err)
{
	const char *dot = strrchr(jr->name, '.');
	char pname[JAIL_NAMELEN];

	memset(parent, 0, sizeof(*parent));
	if (dot == NULL)
		return 0;
	snprintf(pname, sizeof(pname), "%.*s", (int)(dot - jr->name),
	    jr->name);
	if (find_locked(r, parent, 0, pname, -1, 0, NULL, err) < 0) {
		errno = ENOENT;
		return jerr(err, "jail \"%s\" not found", pname);
	}
	return 0;
}

/* A non-persistent jail with no processes and no children goes (kids:
 * its descendants as counted under this lock, or -1: count them). */
static bool
is_unused(struct registry *r, const struct jail_rec *jr, int kids)
{
	char dir[PATH_MAX + 8];

	if (jr->persist)
		return false;
	snprintf(dir, sizeof(dir), "%s/jail", jr->cgroup);
	return (kids < 0 ? count_children(r, jr->jid) : kids) == 0 &&
	    cg_populated(dir) == 0;
}

/*
 * A jail whose last user is gone dies: as in FreeBSD it is DYING at
 * once (hidden, its name free for a new jail, its jid not), and its
 * monitor, which sees the holder go, clears it away.  The caller does
 * not wait for the namespaces to be torn down.  DYING is recorded
 * before anything is undone; whoever finds it with its remover gone
 * finishes it.
 */
static void
retire(struct registry *r, struct jail_rec *jr, int pidfd, char *err)
{
	jr->state = JS_DYING;
	jr->dying = 1;
	jr->creator = core_serving ? 0 : getpid();	/* as core_stop */
	jr->creator_start = core_serving ? 0 : sys_starttime(jr->creator);
	/* Without a pidfd vouched for by the lookup: one now, then the
	 * start time (the lookup under this lock checked the rest). */
	if (pidfd < 0 && (pidfd = sys_pidfd_open(jr->holder)) >= 0 &&
	    sys_starttime(jr->holder) != jr->holder_start) {
		close(pidfd);
		pidfd = -1;
	}
	if (pidfd < 0 || reg_store(r, jr, err) < 0) {
		core_remove_locked(r, jr, err);	/* no monitor to rely on */
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	reg_name_release(r, jr->name, jr->jid);	/* free for a new jail */
	jail_destroy(r, jr);
	if (sys_pidfd_send_signal(pidfd, SIGKILL) < 0 ||
	    !reg_monitor_alive(jr))
		core_remove_locked(r, jr, err);
	close(pidfd);
}

/* Remove every ancestor from parent up that is left unused. */
static int
remove_unused(struct registry *r, int parent, char *err)
{
	struct jail_rec p;

	while (parent > 0 && reg_load(r, parent, &p) == 0 &&
	    p.state == JS_ALIVE && is_unused(r, &p, -1)) {
		parent = p.parent;
		if (core_teardown(r, &p, err) < 0)
			return -1;
	}
	return 0;
}

/* Remove jr and then every ancestor it leaves unused. */
int
core_remove_locked(struct registry *r, struct jail_rec *jr, char *err)
{
	int parent = jr->parent;

	if (core_teardown(r, jr, err) < 0)
		return -1;
	return remove_unused(r, parent, err);
}

/* The deepest user (and PID) namespace the kernel allows is 32 below
 * the initial one; ours may already be some levels down. */
#define NS_MAXDEPTH	32
#ifndef NS_GET_PARENT
#define NS_GET_PARENT	_IO(0xb7, 0x2)
#endif

static int
own_userns_depth(void)
{
	static int depth = -1;
	int fd, up;

	if (depth >= 0)
		return depth;
	depth = 0;
	if ((fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC)) < 0)
		return depth;
	while ((up = ioctl(fd, NS_GET_PARENT)) >= 0 && depth < NS_MAXDEPTH) {
		close(fd);
		fd = up;
		depth++;
	}
	close(fd);
	return depth;
}

/* A dotted name is a jail that deep (1: a jail of the host). */
static int
name_depth(const char *name)
{
	int d = 1;

	for (; *name; name++)
		d += *name == '.';
	return d;
}

/*
 * The creation failed or was abandoned: undo it from its record, and
 * tell the monitor (which would otherwise undo it too).
 */
static int
undo_create(struct registry *r, struct jail_rec *jr, int pidfd)
{
	char err2[JAIL_ERRMSGLEN];
	int e = errno;

	core_spawner->commit(false);
	if (reg_read_any(r, jr->jid, jr) == 0 && jr->state != JS_ALIVE)
		core_teardown(r, jr, err2);
	if (pidfd >= 0) {
		sys_pidfd_send_signal(pidfd, SIGKILL);
		close(pidfd);
	}
	errno = e;
	return -1;
}

int
core_create(struct jail_rec *jr, const uint64_t *set, int flags, char *err)
{
	struct registry r;
	struct jail_rec parent, now;
	int pidfd = -1, jid;

	/* The name's own form first: "a..b" has no parent to look for. */
	if (mod_core.check(jr, NULL, set, flags, err) < 0)
		return -1;
	if (own_userns_depth() + name_depth(jr->name) > NS_MAXDEPTH) {
		errno = EINVAL;
		return jerr(err, "name: jails nest at most %d deep here (Linux "
		    "nests user and PID namespaces %d deep)", NS_MAXDEPTH -
		    own_userns_depth(), NS_MAXDEPTH);
	}
	if (reg_open(&r, true, err) < 0)	/* host side only (core_set) */
		return -1;
	core_clean(&r);
	if (load_parent(&r, jr, &parent, err) < 0 ||
	    run_checks(jr, parent.jid ? &parent : NULL, set, flags, err) < 0 ||
	    reserve(&r, jr, &parent, err) < 0) {
		reg_close(&r);
		return -1;
	}
	if (cg_create(jr, err) < 0) {
		undo_create(&r, jr, -1);
		reg_close(&r);
		return -1;
	}
	/* Recorded with the holder: until then the record's id is 0, which
	 * teardown takes as "the group at the recorded path". */
	jr->cgroup_id = cg_id(jr->cgroup);
	fault_point("create-cgroup");
	/*
	 * Spawn without the lock: a parent jail can stall its child's setup
	 * (up to the setup timeout), and must not stall every host command
	 * with it.  The CREATING record holds the name and jid meanwhile.
	 */
	reg_unlock(&r);
	int spawned = core_spawner->jail(jr, parent.jid ? &parent : NULL,
	    &pidfd, err);
	if (reg_relock(&r, err) < 0) {
		if (spawned == 0) {
			sys_pidfd_send_signal(pidfd, SIGKILL);
			close(pidfd);
			core_spawner->commit(false);
		}
		return -1;	/* the CREATING record is reaped later */
	}
	if (spawned < 0)
		goto undo;
	fault_point("create-spawned");
	if (reg_load(&r, jr->jid, &now) < 0 || now.state != JS_CREATING ||
	    now.creator != jr->creator) {
		/* torn down meanwhile (its parent went): undo ours */
		errno = ENOENT;
		jerr(err, "jail \"%s\": its parent was removed", jr->name);
		core_spawner->commit(false);
		sys_pidfd_send_signal(pidfd, SIGKILL);
		sys_pidfd_wait(pidfd, 5000);
		close(pidfd);
		if (cg_is_ours(jr)) {
			cg_kill(jr->cgroup);
			cg_wait_empty(jr->cgroup, 5000);
			cg_remove(jr);
		}
		reg_close(&r);
		return -1;
	}
	/* The holder in the record before anything is wired to it: from
	 * here a teardown can find its stack and what was put there. */
	if (reg_store(&r, jr, err) < 0)
		goto undo;
	fault_point("create-holder");
	if (jail_created(&r, jr, err) < 0)
		goto undo;
	fault_point("create-wired");
	jr->state = JS_ALIVE;
	jr->creator = 0;
	jr->creator_start = 0;
	if (reg_store(&r, jr, err) < 0)
		goto undo;
	close(pidfd);
	core_spawner->commit(true);
	jid = jr->jid;
	made = *jr;
	/* Without persist and without anyone attaching, it is gone at once. */
	if (!(flags & JAIL_ATTACH) && is_unused(&r, jr, -1))
		core_remove_locked(&r, jr, err);
	reg_close(&r);
	if ((flags & JAIL_ATTACH) && core_attach(jid, err) < 0)
		return -1;
	return jid;
undo:
	undo_create(&r, jr, pidfd);
	reg_close(&r);
	return -1;
}

/*
 * dst takes src's given values; meta and env given as key edits
 * (KV_EDITS) are merged into dst's (the stored ones, under the lock).
 */
static int
rec_apply(struct jail_rec *dst, const struct jail_rec *src,
    const uint64_t *set, char *err)
{
	uint64_t rest[SET_WORDS];

	memcpy(rest, set, sizeof(rest));
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *pd = &param_table[i];
		const char *v = (const char *)src + pd->off;
		if (!set_has(set, i) || !(pd->flags & PF_LINES) ||
		    v[0] != KV_EDITS)
			continue;
		if (kv_merge(pd, param_field(pd, dst), v, err) < 0)
			return -1;
		rest[i / 64] &= ~(1ull << (i % 64));
	}
	rec_copy_set(dst, src, rest);
	return 0;
}

/* Key edits for a jail being made: of an empty value. */
static int
edits_of_nothing(struct jail_rec *jr, const uint64_t *set, char *err)
{
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *pd = &param_table[i];
		char *v = param_field(pd, jr), *edits;
		int rc;
		if (!set_has(set, i) || !(pd->flags & PF_LINES) ||
		    v[0] != KV_EDITS)
			continue;
		if ((edits = strdup(v)) == NULL)
			return jerrno(err, "%s", pd->name);
		v[0] = '\0';
		rc = kv_merge(pd, v, edits, err);
		free(edits);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
core_update(struct jail_rec *jr, const uint64_t *set, int flags, char *err)
{
	struct registry r;
	struct jail_rec cur, parent;
	int jid = jr->jid, pidfd = -1, kids;

	if (reg_open(&r, true, err) < 0)	/* host side only (core_set) */
		return -1;
	/* The fresh record, under the lock, with only the given values;
	 * of a jail that may die here (retire), its holder pinned. */
	if (find_locked(&r, &cur, jid, NULL, -1, 0, jr->persist ? NULL :
	    &pidfd, err) < 0)
		goto fail;
	/* jr holds the name of the jail the caller looked at: gone if
	 * its jid is another jail's now */
	if (strcmp(cur.name, jr->name) != 0) {
		errno = ENOENT;
		jerr(err, "jail \"%s\" not found", jr->name);
		goto fail;
	}
	kids = cur.children_cur;
	if (rec_apply(&cur, jr, set, err) < 0)
		goto fail;
	*jr = cur;
	jr->children_cur = kids;	/* the lookup's count, under this lock:
					   the hooks and is_unused use it */
	if ((cur.parent && load_parent(&r, &cur, &parent, err) < 0) ||
	    run_checks(jr, cur.parent ? &parent : NULL, set,
	    flags & ~JAIL_CREATE, err) < 0)
		goto fail;
	for (const struct module *const *m = modules; *m; m++)
		if ((*m)->update && (*m)->update(&r, jr, set, err) < 0)
			goto fail;
	/* No longer persistent and nothing in it: it dies. */
	if (!(flags & JAIL_ATTACH) && is_unused(&r, jr, kids)) {
		retire(&r, jr, pidfd, err);
		pidfd = -1;
	} else if (reg_store(&r, jr, err) < 0)
		goto fail;
	else
		monitor_poke(jr);	/* (persist may have changed) */
	if (pidfd >= 0)
		close(pidfd);
	reg_close(&r);
	if ((flags & JAIL_ATTACH) && core_attach(jid, err) < 0)
		return -1;
	return jid;
fail:
	if (pidfd >= 0)
		close(pidfd);
	reg_close(&r);
	return -1;
}

/*
 * Is someone else making or removing this jail right now?  Then it is
 * theirs: -1 with EBUSY (a concurrent jail -r does not also report a
 * removal it did not do).
 */
static int
busy(const struct jail_rec *jr, char *err)
{
	if (jr->damaged || jr->state == JS_ALIVE || jr->creator == getpid() ||
	    !reg_creator_alive(jr))
		return 0;
	errno = EBUSY;
	return jerr(err, "jail \"%s\" is being %s by process %d", jr->name,
	    jr->state == JS_CREATING ? "created" : "removed", (int)jr->creator);
}

/* The registry locked and the jail found, for removing or stopping it
 * (whose teardown or signal checks the holder through its pidfd). */
static int
lock_to_end(struct registry *r, struct jail_rec *jr, int jid, char *err)
{
	if (reg_open(r, true, err) < 0)
		return -1;
	if (find_locked(r, jr, jid, NULL, -1, JAIL_DYING | CF_UNCHECKED, NULL,
	    err) < 0 ||
	    busy(jr, err) < 0) {
		reg_close(r);
		return -1;
	}
	return 0;
}

/*
 * Removals whose holders were killed and are waited for later, without
 * the registry's lock (jail_remove_nowait): jail(8) removing many jails
 * kills every holder first and waits once, their namespaces going down
 * together.  Whoever takes the lock first after a holder's end finishes
 * its removal: the remover here, or the jail's monitor.  Bounded, so
 * that a caller's descriptors are not all pidfds.
 */
#define PENDING_MAX	256
static struct pending {
	int	 jid, pidfd;
	uint64_t holder_start;
} pending[PENDING_MAX];
static int npending;

/*
 * Wait (5 s at most) for the pending holders to be gone, then finish
 * each removal that is still ours (its monitor, woken by its holder's
 * end, may have finished it first) and the ancestors it leaves unused.
 */
int
core_remove_wait(char *err)
{
	struct pollfd p[PENDING_MAX];
	struct registry r;
	struct jail_rec jr;
	int left = npending, rc = 0;
	struct timespec t0, t;

	if (npending == 0)
		return 0;
	fault_point("remove-wait");
	for (int i = 0; i < npending; i++)
		p[i] = (struct pollfd){ .fd = pending[i].pidfd, .events = POLLIN };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		int ms = 5000 - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || (poll(p, (nfds_t)npending, ms) < 0 &&
		    errno != EINTR))
			break;
		for (int i = 0; i < npending; i++)
			if (p[i].fd >= 0 && p[i].revents) {
				p[i].fd = -1;	/* (poll skips it now) */
				left--;
			}
	}
	if (reg_open(&r, true, err) < 0)
		rc = -1;
	for (int i = 0; i < npending; i++) {
		if (rc == 0 && reg_read(&r, pending[i].jid, &jr) == 0 &&
		    jr.state == JS_DYING && jr.creator == getpid() &&
		    jr.holder_start == pending[i].holder_start) {
			/* Undone again, now that the holders are gone: the
			 * last of a bridge's jails counts the ports of the
			 * others only while their holders live. */
			jail_destroy(&r, &jr);
			if (core_teardown_finish(&r, &jr, err) < 0 ||
			    remove_unused(&r, jr.parent, err) < 0)
				rc = -1;
		}
		close(pending[i].pidfd);
	}
	npending = 0;
	reg_close(&r);
	return rc;
}

/*
 * Remove a jail, whatever is left of it: a live one, one whose creation
 * or removal was interrupted, one whose holder died, a damaged record.
 * With nowait, its holder is killed and the rest left to
 * core_remove_wait (or to its monitor): the jail is dying meanwhile,
 * hidden, its name free.
 */
int
core_remove(int jid, bool nowait, char *err)
{
	struct registry r;
	struct jail_rec jr;
	int rc, pidfd;

	if (jail_inside())
		return svc_remove(jid, err);
	if (lock_to_end(&r, &jr, jid, err) < 0)
		return -1;
	if (!nowait)
		rc = core_remove_locked(&r, &jr, err);
	else if ((rc = core_teardown_begin(&r, &jr, &pidfd, err)) == 1) {
		pending[npending++] = (struct pending){ jr.jid, pidfd,
		    jr.holder_start };
		rc = 0;
	} else if (rc == 0)
		rc = remove_unused(&r, jr.parent, err);
	reg_close(&r);
	if (rc == 0 && npending == PENDING_MAX)
		rc = core_remove_wait(err);
	return rc;
}

/*
 * Jail jid, or the one named name, to be entered: its record and a
 * pidfd of its holder, opened before the one check that it is still
 * that holder (the lookup's, or for the jail this process just made, its
 * own).  Inside a jail the monitor hands them over.
 */
int
core_enter(int jid, const char *name, struct jail_rec *jr,
    struct jail_ns *ns, char *err)
{
	jns_init(ns);
	if (jid <= 0 && (name == NULL || !*name)) {	/* as jail_get */
		errno = ENOENT;
		return jerr(err, "no jail specified");
	}
	if (jail_inside())
		return jid <= 0 && svc_find(jr, 0, name, -1, 0, err) < 0 ? -1 :
		    svc_enter(jid > 0 ? jid : jr->jid, jr, ns, err);
	if (jid <= 0 || made.jid != jid || made.holder <= 0)
		return find(jr, jid, jid > 0 ? NULL : name, -1, 0, &ns->pidfd,
		    err);
	*jr = made;
	if ((ns->pidfd = sys_pidfd_open(jr->holder)) < 0 ||
	    !reg_holder_alive(jr)) {
		jns_close(ns);
		errno = ENOENT;
		return jerr(err, "jail %d not found", jid);
	}
	return 0;
}

/* Enter jid: its cgroup, then its namespaces (single-threaded caller). */
int
core_attach(int jid, char *err)
{
	struct jail_rec jr;
	struct jail_ns ns;
	char dir[PATH_MAX + 8];
	int rc = -1;

	struct confine c;

	confine_init(&c);
	if (core_enter(jid, NULL, &jr, &ns, err) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/jail", jr.cgroup);
	if (jail_confine_prepare(&jr, &c, err) < 0 ||
	    (jail_inside() ? svc_join(jid, err) :
	    cg_move(dir, getpid(), err) < 0 ? -1 :
	    lim_enter(&jr, getpid(), err)) < 0)
		goto out;
	if (jns_setns(&ns, jail_enterflags(&jr, &ns)) < 0 ||
	    sys_become_root() < 0) {
		jerrno(err, "jail_attach: setns");
		goto out;
	}
	jail_inside_forget();
	if (chdir("/") < 0 || confine_apply(&c, err) < 0)
		goto out;
	rc = 0;
out:
	confine_free(&c);
	jns_close(&ns);
	return rc;
}

/* Signal every process of jid and its children, and wait for them. */
int
jail_stop(int jid, int timeout_s)
{
	return core_stop(jid, timeout_s, jail_errmsg);
}

int
core_stop(int jid, int timeout_s, char *err)
{
	char dir[PATH_MAX + 8];
	struct registry r;
	struct jail_rec jr;
	int pidfd;

	if (jail_inside())
		return svc_stop(jid, timeout_s, err);
	if (lock_to_end(&r, &jr, jid, err) < 0)
		return -1;
	if (jr.damaged || jr.state == JS_CREATING) {
		reg_close(&r);
		return 0;	/* nothing to stop: removal kills what is left */
	}
	/* Stopped by us already (jail(8) signals many jails, then waits
	 * for each): only the wait is left. */
	bool again = jr.state == JS_DYING && !core_serving &&
	    jr.creator == getpid();
	/* Dying, by us (a concurrent jail -r is told so): hidden from jls,
	 * its name free for a new jail; the monitor, or whoever finds it
	 * after we are gone, finishes it. */
	if (!again) {
		reg_name_release(&r, jr.name, jr.jid);
		jr.state = JS_DYING;
		jr.dying = 1;
		/* a monitor stopping a child for its jail outlives the
		 * request: not the remover, or nobody could finish an
		 * interrupted one */
		jr.creator = core_serving ? 0 : getpid();
		jr.creator_start = core_serving ? 0 : sys_starttime(jr.creator);
		if (reg_store(&r, &jr, err) < 0) {
			reg_close(&r);
			return -1;
		}
	}
	reg_close(&r);
	snprintf(dir, sizeof(dir), "%s/jail", jr.cgroup);
	if (cg_populated(dir) != 1)
		return 0;	/* nothing to stop */
	if (!again)
		monitor_poke(&jr);	/* to finish it when empty, if we are
					   killed */
	/* The holder relays SIGTERM to all of its PID namespace. */
	if (!again && (pidfd = sys_pidfd_open(jr.holder)) >= 0) {
		if (reg_holder_alive(&jr))
			sys_pidfd_send_signal(pidfd, SIGTERM);
		close(pidfd);
	}
	if (cg_wait_empty(dir, timeout_s > 3600 ? 3600000 : timeout_s * 1000) < 0) {
		errno = ETIMEDOUT;
		return jerr(err, "jail \"%s\": processes still running after "
		    "%d s", jr.name, timeout_s);
	}
	return 0;
}

/* Copy the parameters named in set from src over dst. */
void
rec_copy_set(struct jail_rec *dst, const struct jail_rec *src,
    const uint64_t *set)
{
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *pd = &param_table[i];
		if (!set_has(set, i))
			continue;
		if (pd->type == PT_STRING)
			snprintf(param_field(pd, dst), pd->size, "%.*s",
			    (int)pd->size - 1,
			    (const char *)src + pd->off);
		else
			*(int *)param_field(pd, dst) =
			    *(const int *)((const char *)src + pd->off);
	}
}

/*
 * jail_set after decoding: find the jail by jid, else by name, and
 * create or update it as flags allow.
 */
int
core_set(struct jail_rec *jr, const uint64_t *set, int flags, char *err)
{
	struct jail_rec cur;
	const char *name = set_has_name(set, "name") ? jr->name : NULL;
	int jid = set_has_name(set, "jid") ? jr->jid : 0, found;

	/* No string reaches a record, a name or a command with a control
	 * character in it (the registry is line-based). */
	for (size_t i = 0; i < param_count; i++)
		if (set_has(set, i) && param_table[i].type == PT_STRING &&
		    !(param_table[i].flags & PF_LINES) &&	/* own check */
		    mod_check_chars(param_table[i].name,
		    param_field(&param_table[i], jr), true, err) < 0)
			return -1;

	/* Create only: reserve() refuses a taken name or jid, under lock.
	 * An update of the jail this process made (jail(8) dropping the
	 * persist it added for a command) needs no look first: core_update
	 * finds it under the lock, its holder checked there, and refuses
	 * another jail given that jid since (by its name). */
	if ((flags & (JAIL_UPDATE | JAIL_CREATE)) == JAIL_UPDATE && jid > 0 &&
	    made.jid == jid) {
		cur = made;
		found = jid;
	} else
		found = (jid > 0 || name) && (flags & JAIL_UPDATE) ?
		    core_find(&cur, jid, jid > 0 ? NULL : name, -1, 0, err) :
		    -1;
	if (found < 0 && (jid > 0 || name) && (flags & JAIL_UPDATE) &&
	    errno != ENOENT)
		return -1;
	if (found < 0) {
		if (!(flags & JAIL_CREATE)) {
			errno = ENOENT;
			return name ? jerr(err, "jail \"%s\" not found", name) :
			    jerr(err, "jail %d not found", jid);
		}
		if (edits_of_nothing(jr, set, err) < 0)
			return -1;
		return core_create(jr, set, flags, err);
	}
	if (!(flags & JAIL_UPDATE)) {
		errno = EEXIST;
		return name ? jerr(err, "jail \"%s\" already exists", name) :
		    jerr(err, "jail %d already exists", jid);
	}
	for (size_t i = 0; i < param_count; i++)
		if (set_has(set, i) && (param_table[i].flags & PF_CREATE) &&
		    strcmp(param_table[i].name, "jid") != 0) {
			errno = EINVAL;
			return jerr(err, "%s cannot be changed after creation",
			    param_table[i].name);
		}
	if (name && strcmp(name, cur.name) != 0) {
		errno = EINVAL;
		return jerr(err, "name cannot be changed after creation");
	}
	rec_copy_set(&cur, jr, set);
	return core_update(&cur, set, flags, err);
}
