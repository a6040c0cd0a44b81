/*
 * vjail.h - private interfaces of libjail: the jail record, the parameter
 * table, the module hooks, the registry and the sys layer.
 *
 * Error convention: fallible internal functions return -1 (or NULL) and
 * write one sentence into a caller-owned `char *err` of JAIL_ERRMSGLEN
 * bytes; errno is preserved for the public edge.
 */
#ifndef VJAIL_PRIVATE_H
#define VJAIL_PRIVATE_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "jail.h"

struct jail_ns;
struct registry;

#define JAIL_NAMELEN	256
#define JAIL_LISTLEN	512	/* a list parameter's text */
#define JAIL_UIDCOUNT	65536u		/* ids mapped into every jail */
#define JAIL_UIDBASE	1073741824u	/* first host uid of slot 0 */
#define JAIL_UIDSLOTS	16384u		/* slots between 2^30 and 2^31 */
#define JAIL_UIDMAXRANGE 64u		/* slots a jail may hold: its own
					   and its descendants' */

/*
 * allow.*: FreeBSD's permission bits, with FreeBSD's defaults for a new
 * jail (ANDed with the parent's).  X(index, name after "allow.", default,
 * description); modules/secure.c maps each onto Linux.
 */
#define ALLOW_LIST(X) \
	X(A_SET_HOSTNAME, "set_hostname", 1, \
	    "root may set the hostname and domain name") \
	X(A_SYSVIPC, "sysvipc", 0, \
	    "System V IPC shared with the parent (as sysvipc=inherit)") \
	X(A_RAW_SOCKETS, "raw_sockets", 0, \
	    "root may open raw sockets") \
	X(A_CHFLAGS, "chflags", 0, \
	    "root may change system file flags") \
	X(A_MOUNT, "mount", 0, \
	    "root may mount file systems allowed by allow.mount.*") \
	X(A_MOUNT_DEVFS, "mount.devfs", 0, "root may mount devfs") \
	X(A_MOUNT_FDESCFS, "mount.fdescfs", 0, "root may mount fdescfs") \
	X(A_MOUNT_NULLFS, "mount.nullfs", 0, \
	    "root may mount nullfs (bind mounts)") \
	X(A_MOUNT_PROCFS, "mount.procfs", 0, "root may mount procfs") \
	X(A_MOUNT_TMPFS, "mount.tmpfs", 0, "root may mount tmpfs") \
	X(A_MOUNT_LINPROCFS, "mount.linprocfs", 0, \
	    "root may mount linprocfs (proc)") \
	X(A_MOUNT_LINSYSFS, "mount.linsysfs", 0, \
	    "root may mount linsysfs (sysfs)") \
	X(A_QUOTAS, "quotas", 0, "root may administer quotas") \
	X(A_SOCKET_AF, "socket_af", 0, \
	    "sockets of families other than local, IPv4, IPv6, netlink") \
	X(A_MLOCK, "mlock", 0, "processes may lock memory") \
	X(A_RESERVED_PORTS, "reserved_ports", 1, \
	    "root may bind ports below 1024") \
	X(A_READ_MSGBUF, "read_msgbuf", 0, \
	    "processes may read the kernel message buffer") \
	X(A_UNPRIV_PROC_DEBUG, "unprivileged_proc_debug", 1, \
	    "processes may debug processes of the same user") \
	X(A_SUSER, "suser", 1, "root is privileged") \
	X(A_SETTIME, "settime", 0, "root may set the clock") \
	X(A_ADJTIME, "adjtime", 0, "root may adjust the clock") \
	X(A_ROUTING, "routing", 0, \
	    "root may change the routing table of a stack it shares") \
	X(A_KEYRING, "keyring", 0, \
	    "vjail: processes may use the kernel keyring") \
	X(A_NAMESPACES, "namespaces", 0, \
	    "vjail: processes may make Linux namespaces of their own")

#define ALLOW_ENUM(i, name, dflt, desc)	i,
enum allow { ALLOW_LIST(ALLOW_ENUM) A_COUNT };

/* modules/secure.c: what each bit is on Linux (the manual's table) */
struct allow_map {
	int		 bit;		/* enum allow, -1 ends */
	const char	*on_linux;
};
extern const struct allow_map secure_mapping[];

enum jail_state { JS_CREATING = 1, JS_ALIVE, JS_DYING };

/*
 * One jail: its parameters (the stored part of what jail_get reports) and
 * the host-side facts the registry keeps about it.  Only host-side code
 * writes a record; a jail can never reach its own.
 */
struct jail_rec {
	/* parameters */
	int	jid;
	char	name[JAIL_NAMELEN];	/* full dotted name */
	int	parent;			/* jid of the parent, 0 = host */
	char	path[PATH_MAX];		/* host-absolute root */
	char	hostname[MAXHOSTNAMELEN];
	char	domainname[MAXHOSTNAMELEN];
	int	persist;
	int	dying;
	int	children_max;
	int	children_cur;		/* derived from the registry */
	int	vnet;			/* JAIL_SYS_NEW or _INHERIT */
	int	ipc;			/* sysvipc/msg/sem/shm: one IPC ns */
	int	enforce_statfs;
	int	devfs;
	int	procfs;
	int	securelevel;
	int	path_reachable;		/* path.reachable: host users may reach
					   the root (else refused) */
	int	allow[A_COUNT];		/* allow.*, indexed by enum allow */
	/* stored and reported (modules/info.c) */
	int	devfs_ruleset;
	int	osreldate;
	unsigned hostid;
	char	osrelease[32];
	char	hostuuid[64];
	char	meta[4096];		/* "key=value" lines */
	char	env[4096];
	/* host-side facts */
	int	state;			/* enum jail_state */
	pid_t	holder;			/* PID 1 of the jail, host pid */
	uint64_t holder_start;		/* its start time, against pid reuse */
	pid_t	monitor;
	uint64_t monitor_start;
	pid_t	creator;		/* the process creating (JS_CREATING) or
					   removing (JS_DYING) it */
	uint64_t creator_start;
	int	damaged;		/* read: the record is not believable */
	int	holder_ended;		/* in memory: its end seen (a monitor,
					   through its pidfd): not checked again */
	char	state_name[12];		/* "state": creating, alive, dying,
					   dead (holder gone), damaged */
	uint32_t uidslot;		/* host uid range of the jail's root */
	uint32_t uidslots;		/* slots held: its own, then room for
					   its descendants' (1 + children.max) */
	uint64_t userns;		/* inode of the jail's user namespace */
	char	cgroup[PATH_MAX];	/* v2 directory of the jail */
	uint64_t cgroup_id;		/* its inode, once made */
	/* vnet wiring (lists are comma-separated) */
	char	ip4_addr[JAIL_LISTLEN];	/* FreeBSD's: refused with vnet */
	char	ip6_addr[JAIL_LISTLEN];
	char	vnet_iface[JAIL_LISTLEN];	/* links moved in */
	char	vnet_bridge[JAIL_LISTLEN];
	char	vnet_link[JAIL_LISTLEN];	/* point-to-point peers */
	char	vnet_ip4[JAIL_LISTLEN];
	char	vnet_ip6[JAIL_LISTLEN];
	char	vnet_gw4[64], vnet_gw6[64];
	int	vnet_quiet;		/* jail ends without IPv6 link-local */
	char	moved[JAIL_LISTLEN];	/* host-side: "ifindex:name:ident:peer,..." */
	int	idmapped;		/* host-side: root idmapped to the jail */
	uint64_t root_dev, root_ino;	/* the root as checked (not stored) */
	int	guard;			/* host-side: the path is bound nosuid on
					   the host (1: intended; stored first) */
	uint64_t guard_mnt;		/* its mount id, once made */
	int	table;			/* host-side, from birth: enum table */
	/* address restrictions on the parent's stack (modules/ip.c) */
	int	ip4, ip6;		/* JAIL_SYS_*: inherit = unrestricted */
	int	ip4_saddrsel, ip6_saddrsel;
	char	ip_iface[16];		/* `interface`: default for aliases */
	int	fib;			/* exec.fib: routing table (0: main) */
	int	fib_groups;		/* host-side: its processes used setfib
					   (stored before its first FIB group) */
	char	aliases[JAIL_LISTLEN];	/* host-side: "ifindex|addr/plen,..."
					   added to the outer stack */
	/* limits (modules/rctl.c, cpuset.c): v1 group per controller
	 * ("" = none), recorded before it is made; per-process limits */
	char	cg1[5][JAIL_LISTLEN];	/* indexed by enum cg_ctrl */
	char	rlimits[JAIL_LISTLEN];	/* "nofile=N cpu=S:H ..." */
	pid_t	watcher;		/* jail-wide cputime rules' watcher */
	uint64_t watcher_start;
	int	cpuset_id;		/* read-only parameter cpuset.id */
};

/* Parameter types (the table's view, finer than CTLTYPE). */
enum ptype { PT_INT, PT_UINT, PT_STRING, PT_BOOL, PT_JAILSYS };

/* Parameter flags. */
#define PF_RDONLY	0x01	/* reported, never set */
#define PF_CREATE	0x02	/* set at creation only */
#define PF_NOSKIP	0x04	/* jls -s prints it though read-only */
#define PF_ALIAS	0x08	/* shares its field with another row */
#define PF_NODISABLE	0x10	/* jailsys without "disable" */
#define PF_LINES	0x20	/* a string that may hold newlines (escaped
				   in the registry) */

struct module;
struct confine;

struct param_def {
	const char	*name;
	enum ptype	 type;
	unsigned	 flags;
	size_t		 off;		/* field in struct jail_rec */
	size_t		 size;		/* bytes for strings */
	const char	*mod;		/* owner: modules/<mod>.c (a name: the
					   table is below the modules) */
	const char	*desc;
};

extern const struct param_def param_table[];
extern const size_t param_count;

const struct param_def *param_lookup(const char *name, bool *negated);
void *param_field(const struct param_def *pd, struct jail_rec *jr);
int param_ctltype(const struct param_def *pd);

/*
 * A module owns some parameters and attaches to the jail life cycle.
 * Every hook is optional. `set` is a bitmap of table indexes the caller
 * gave. Hooks that run in the holder run inside the new namespaces,
 * before the jail's root becomes "/"; `root` is the new root's path then.
 */
struct module {
	const char *name;
	/* host side, before anything is made: validate and default */
	int (*check)(struct jail_rec *jr, const struct jail_rec *parent,
	    const uint64_t *set, int flags, char *err);
	/* clone flags this jail needs from this module */
	int (*nsflags)(const struct jail_rec *jr);
	/* holder, in the jail's namespaces; rootfd is the detached idmapped
	 * root (fs attaches it and pivots into it) */
	int (*setup)(const struct jail_rec *jr, int rootfd, char *err);
	/* host side, registry locked: apply updated parameters */
	int (*update)(struct registry *r, struct jail_rec *jr,
	    const uint64_t *set, char *err);
	/* host side: fill live values the kernel holds */
	int (*get)(struct jail_rec *jr, char *err);
	/* any process about to run jail code: add restrictions to c, which
	 * jail_confine() applies at once, in a fixed order */
	int (*confine)(const struct jail_rec *jr, struct confine *c,
	    char *err);
	/* host side, registry locked, the holder ready: wire and publish
	 * the jail; may record host-side facts in jr */
	int (*created)(struct registry *r, struct jail_rec *jr, char *err);
	/* host side, registry locked, the jail going (holder still alive):
	 * undo created, also a partial one; must not fail */
	void (*destroy)(struct registry *r, const struct jail_rec *jr);
};

extern const struct module mod_core, mod_fs, mod_uts, mod_ipc, mod_net,
    mod_secure, mod_ip, mod_info, mod_rctl, mod_cpuset;
void rctl_boot(struct registry *r);
int rctl_boot_check(struct registry *r);
int mod_check_chars(const char *what, const char *s, bool allow_slash,
    char *err);		/* param.c: the registry checks records with it */
extern const struct module *const modules[];

/* modules/fs.c: the directory through which host users other than root
 * can reach path, or NULL if they cannot */
const char *path_reachable(const char *path);
/* modules/secure.c: may the jail's root make mount calls (allow.mount,
 * enforce_statfs < 2 and an allow.mount.* bit)? */
bool secure_mount_calls(const struct jail_rec *jr);
/* modules/fs.c: what a mount call could lift in a jail's table (its
 * masks, the registry's cover), fixed at birth: nothing, made by the
 * holder (kept from the jail's root by the filter on mount calls and
 * CAP_SYS_ADMIN dropped), or locked by a helper (spawn.c) */
enum table { TABLE_PLAIN, TABLE_MASKED, TABLE_LOCKED };
#define FS_PLAN_LEN	32
void fs_lock_plan(const struct jail_rec *jr, char *plan, size_t len);
int fs_lock(const struct jail_rec *jr, int hpidfd, const char *plan,
    int *nsfd, int pass[2], char *err);

/* modules/info.c: meta.KEY and env.KEY */
const struct param_def *kv_param(const char *name, const char **key);
int kv_set(const struct param_def *pd, char *buf, const char *key,
    const char *val, char *err);
void kv_get(const char *buf, const char *key, char *out, size_t outlen);
/* an update's key edits: a field starting with KV_EDITS (never in a value) */
#define KV_EDITS	'\001'
int kv_edit(const struct param_def *pd, char *buf, const char *key,
    const char *val, char *err);
int kv_merge(const struct param_def *pd, char *buf, const char *edits,
    char *err);

#define SET_WORDS	2
static inline void set_add(uint64_t *s, size_t i) { s[i / 64] |= 1ull << (i % 64); }
static inline bool set_has(const uint64_t *s, size_t i) { return s[i / 64] >> (i % 64) & 1; }
bool set_has_name(const uint64_t *s, const char *name);

/* Clone flags every jail has; modules add CLONE_NEWNET, CLONE_NEWIPC. */
int jail_nsflags(const struct jail_rec *jr);
int jail_confine_prepare(const struct jail_rec *jr, struct confine *c,
    char *err);
struct jail_ns;
int jail_enterflags(const struct jail_rec *jr, const struct jail_ns *ns);
int jail_created(struct registry *r, struct jail_rec *jr, char *err);
void jail_destroy(struct registry *r, const struct jail_rec *jr);

/* core: the operations behind jail_set / jail_get / jail_remove */
#define CF_LIVE		0x100	/* core_find: also read live kernel values */
#define CF_JAILREQ	0x200	/* core_set: asked from inside a jail, whose
				   root resolved the path (root_dev/ino) */
#define CF_UNCHECKED	0x400	/* core.c's lookups with JAIL_DYING: the holder
				   is left to the caller (a removal's) */
void rec_defaults(struct jail_rec *jr);
void rec_copy_set(struct jail_rec *dst, const struct jail_rec *src,
    const uint64_t *set);
bool jail_inside(void);		/* inside.c */
void jail_inside_forget(void);
int core_set(struct jail_rec *jr, const uint64_t *set, int flags, char *err);
int core_create(struct jail_rec *jr, const uint64_t *set, int flags, char *err);
int core_update(struct jail_rec *jr, const uint64_t *set, int flags, char *err);
int core_remove(int jid, bool nowait, char *err);
int core_remove_wait(char *err);
int core_find(struct jail_rec *jr, int jid, const char *name, int lastjid,
    int flags, char *err);
int core_attach(int jid, char *err);
int core_enter(int jid, const char *name, struct jail_rec *jr,
    struct jail_ns *ns, char *err);
int core_stop(int jid, int timeout_s, char *err);
/* jexec's one call: jail_getid's lookup and jail_exec's enter in one
 * (exec.c; a command's, libjail being static in the commands) */
int jail_exec_named(const char *jail, const struct jail_exec *je);
void core_reap(int jid);
extern bool core_serving;
/* asker: NULL from the host, else the jail asking for a descendant (its
 * paths are its own view) */
int core_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts, const struct jail_rec *asker, char *err);
struct registry;
int core_remove_locked(struct registry *r, struct jail_rec *jr, char *err);
/* the registry's journal acted on: a jail's traces removed, dead jails
 * reaped (registry locked) */
int core_teardown(struct registry *r, struct jail_rec *jr, char *err);
int core_teardown_begin(struct registry *r, struct jail_rec *jr, int *pidfd,
    char *err);
int core_teardown_finish(struct registry *r, struct jail_rec *jr, char *err);
void core_clean(struct registry *r);
bool core_dead(struct registry *r, const struct jail_rec *jr);

/* holder and monitor (spawn.c, above core: core creates through the
 * spawner it registers) */
int spawn_jail(struct jail_rec *jr, const struct jail_rec *parent,
    int *pidfd, char *err);
int spawn_commit(bool ok);
struct spawner {
	int (*jail)(struct jail_rec *jr, const struct jail_rec *parent,
	    int *pidfd, char *err);
	int (*commit)(bool ok);
};
extern const struct spawner *core_spawner;
void spawn_register(void);
void monitor_poke(const struct jail_rec *jr);	/* core.c */
void holder_main(const struct jail_rec *jr, int sock) __attribute__((noreturn));

/*
 * service: a jail's view of its own subtree, served by its monitor over
 * /dev/vjail in the jail.  svc_* are the in-jail side of core_*
 * (inside.c); svc_listen and svc_serve the holder's and monitor's.
 */
int svc_set(struct jail_rec *jr, const uint64_t *set, int flags, char *err);
int svc_find(struct jail_rec *jr, int jid, const char *name, int lastjid,
    int flags, char *err);
int svc_remove(int jid, char *err);
int svc_stop(int jid, int timeout_s, char *err);
int svc_enter(int jid, struct jail_rec *jr, struct jail_ns *ns, char *err);
int svc_join(int jid, char *err);
int svc_self(struct jail_rec *jr, char *err);
int svc_setfib(int fib, char *err);
int svc_sockets(int *fd, char *err);
int sockets_for_jail(const struct jail_rec *self, int *fd, char *err);
int svc_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts, char *err);
int svc_listen(char *err);
void svc_serve(int lfd, int jid);

/* registry */
struct registry {
	int	dirfd;		/* the registry directory */
	int	jailsfd;	/* its jails/ */
	int	lockfd;		/* held while open */
	int	idxfd[2];	/* names/, slots/: opened at first use */
};
int reg_open(struct registry *r, bool exclusive, char *err);
void reg_close(struct registry *r);
void reg_unlock(struct registry *r);
int reg_relock(struct registry *r, char *err);
const char *reg_rundir(void);
int reg_stubs_owner(pid_t *pid, uint64_t *start);
void reg_stubs_claim(pid_t pid, uint64_t start);
#define REG_RECMAX	65536	/* bytes of a record, at most */
int reg_read(struct registry *r, int jid, struct jail_rec *jr);
int reg_load(struct registry *r, int jid, struct jail_rec *jr);
bool reg_exists(struct registry *r, int jid);
ssize_t reg_read_small(struct registry *r, const char *name, char *buf,
    size_t len);
long reg_counter(struct registry *r, const char *name, long max);
void reg_save_counter(struct registry *r, const char *name, long value);
int reg_store(struct registry *r, const struct jail_rec *jr, char *err);
int reg_delete(struct registry *r, int jid);
int reg_delete_rec(struct registry *r, const struct jail_rec *jr);
/* jids in ascending order; returns count, *jids malloc'd */
int reg_list(struct registry *r, int **jids);
bool reg_holder_alive(const struct jail_rec *jr);
bool reg_creator_alive(const struct jail_rec *jr);
bool reg_monitor_alive(const struct jail_rec *jr);
int reg_read_any(struct registry *r, int jid, struct jail_rec *jr);
void reg_fallback_groups(struct registry *r, struct jail_rec *jr);
void fault_point(const char *step);
int reg_find_alive(struct registry *r, int jid, const char *name,
    struct jail_rec *jr);
#define REG_SWEEP_MAXGAP 60	/* s between full sweeps, at most */
int reg_name_jid(struct registry *r, const char *name);
void reg_name_of(struct registry *r, int jid, char *name, size_t len);
int reg_name_claim(struct registry *r, const char *name, int jid);
void reg_name_release(struct registry *r, const char *name, int jid);
int reg_slot_claim(struct registry *r, uint32_t slot, int jid);
int reg_slot_holder(struct registry *r, uint32_t slot);
void reg_slot_release(struct registry *r, uint32_t slot, int jid);
int reg_member_add(struct registry *r, const char *set, const char *key,
    int jid);
int reg_member_del(struct registry *r, const char *set, const char *key,
    int jid);
int reg_members(struct registry *r, const char *set, const char *key,
    int **jids);
bool reg_member_has(struct registry *r, const char *set, const char *key,
    int jid);
int reg_members_at(const char *dir, int **jids);
int reg_kid_add(struct registry *r, int parent, int jid);
int reg_kids(struct registry *r, int parent, int **jids);
int reg_boot_check(struct registry *r);
void reg_boot_mark(struct registry *r);
bool reg_sweep_due(struct registry *r);
void reg_swept(struct registry *r, int n);

/* sys: cgroups */
const char *cg_base(char *err);
int cg_create(const struct jail_rec *jr, char *err);
bool cg_shape_ok(const struct jail_rec *jr);
bool cg_is_ours(const struct jail_rec *jr);
uint64_t cg_id(const char *dir);
int cg_remove(const struct jail_rec *jr);
int cg_kill(const char *dir);
int cg_populated(const char *dir);
int cg_events_open(const char *dir);
int cg_events_populated(int fd);
int cg_wait_empty(const char *dir, int timeout_ms);
int cg_open_procs(const struct jail_rec *jr);
int cg_move(const char *dir, pid_t pid, char *err);

/* registry.c: the stack a jail's epairs, moved links and aliases come from */
int jail_outer_netns(struct registry *r, const struct jail_rec *jr);

/* fib.c: FIBs (exec.fib, setfib) as a socket mark and policy rules */
#define FIB_MAX		252	/* 253-255 are Linux's default, main, local */
#define FIB_MARK(n)	(0x766a0000u | (unsigned)(n))	/* "vj": vjail's */
#define FIB_HOST	(-1)	/* the registry member of the host's setfib */
int fib_rule(int fd, bool add, int fib, char *err);
int fib_key(int fd, int fib, char *key, size_t len);
int fib_stack(struct registry *r, const struct jail_rec *jr);
int fib_hold(struct registry *r, int fd, int fib, int member, char *err);
void fib_unhold(struct registry *r, int fd, const char *key, int member);
void fib_forget(struct registry *r, int fib, int member);
int fib_pinned(const struct jail_rec *jr);
int fib_check(struct jail_rec *jr, const struct jail_rec *parent,
    bool named, char *err);
void fib_sweep(struct registry *r, const char *dir, int fd, int member,
    bool all);
int fib_enter(struct registry *r, const char *dir, int fd, int fib,
    int member, pid_t pid, char *err);
int fib_of_cgroup(const char *cgpath, int fd);
int fib_jail(const struct jail_rec *self, pid_t pid, int fib, char *err);

/* sys: cgroup BPF (sys/bpf.c; rules in bpf/jailip.h) */
struct jip_conf;
int bpf_jail_attach(const char *cgroup, const struct jip_conf *conf,
    char *err);
struct bpf_attached { int type; uint32_t id; };
int bpf_jail_query(const char *cgroup, struct bpf_attached *out, int max);
void bpf_jail_detach(const char *cgroup, const struct bpf_attached *p,
    int n);

/* sys: sock_diag (sys/sockdiag.c) */
struct diag_sock {
	int	family, type, protocol, state;
	struct sockaddr_storage local, peer;
	int	namelen;		/* unix: bytes of the name */
	unsigned long inode, peer_inode;
	uid_t	uid;
	uint64_t cgroup;		/* id of the cgroup it was made in */
};
int diag_sockets(int netnsfd, struct diag_sock **out, char *err);

/*
 * sys: cgroup controllers for limits.  Each controller is served by the
 * unified tree where it has it (v2), else by its v1 hierarchy, else it
 * is missing; one backend per controller, chosen once (cg_backend).
 * v2 limits sit on <jid>/ (the holder moves to <jid>/init once the
 * group must pass controllers on); v1 groups are <anchor>/<jid>/ with
 * children below, holder and processes together (jr->cg1).
 */
enum cg_ctrl { CG_CPU, CG_MEMORY, CG_PIDS, CG_CPUSET, CG_IO, CG_NCTRL };
#define CG_MAX		UINT64_MAX	/* no limit */
#define CG_PERIOD_US	100000		/* cpu quota period */
struct cg_limits {
	uint64_t mem, swap, vmem;	/* bytes: RAM, swap, RAM + swap */
	uint64_t pids;
	uint64_t cpu_us;		/* per CG_PERIOD_US */
	uint64_t io[4];			/* rbps wbps riops wiops, each disk */
	char	cpus[256];		/* "" = leave as is */
};
struct cg_backend {
	const char *name;		/* "v1" or "v2" */
	/* the jail's group for ctrl, to be made (v1) or used (v2) */
	int (*path)(const struct jail_rec *jr, const struct jail_rec *parent,
	    int ctrl, char *buf, size_t len, char *err);
	/* make it able to hold limits: v1 mkdir (cpuset: cpus and mems
	 * first); v2 enable ctrl from the base down */
	int (*make)(const struct jail_rec *jr, int ctrl, const char *dir,
	    char *err);
	int (*limit)(const char *dir, int ctrl, const struct cg_limits *l,
	    char *err);
	/* move pid into the group (v2: nothing, the jail's own does) */
	int (*join)(const char *dir, int ctrl, pid_t pid, char *err);
	/* files: memory in use (bytes), the CPUs the set has in effect */
	const char *memory_file, *cpus_file;
};
extern const struct cg_backend cg_v1, cg_v2;
extern const char *const cg_names[CG_NCTRL];
bool cg_v2_has(int ctrl);
void cg_detect(const char *v2root, const char *v1root);
bool cg_has(const char *list, const char *word);
int cg_put(const char *dir, const char *file, const char *val, char *err);
int cg_get(const char *dir, const char *file, char *buf, size_t len);
void cg_num(char *buf, size_t len, uint64_t v, const char *none);
const char *cg_v1_mount(int ctrl);
const char *cg_v2_root(void);
bool cg_v1_valid(int ctrl, const char *dir, int jid);
int cg_freeze(const char *dir, bool on);
int cg_pids(const char *dir, pid_t **pids);
int cg_pids_tree(const char *dir, pid_t **pids);
void cg_each_pid(const char *dir, void (*fn)(pid_t, void *), void *arg);
int cg_remove_v1(const struct jail_rec *jr);
int cg_disks(char devs[][16], int max);

/* limits.c: each controller's backend (above both), joining the v1
 * groups; the groups that carry limits (registry locked) */
const struct cg_backend *cg_backend(int ctrl);
int cg_join_limits(const struct jail_rec *jr, pid_t pid, char *err);
int lim_groups(struct registry *r, struct jail_rec *jr,
    struct jail_rec *parent, unsigned ctrls, char *err);
unsigned lim_v1_ctrls(const struct jail_rec *jr);
int lim_each_pid(const struct jail_rec *jr, int (*fn)(pid_t, void *),
    void *arg);
typedef int (*lim_fn)(struct registry *, struct jail_rec *,
    struct jail_rec *, void *, char *);
int lim_walk(struct registry *r, struct jail_rec *jr,
    struct jail_rec *parent, lim_fn fn, void *arg, char *err);
int lim_find(struct registry *r, const char *name, struct jail_rec *jr,
    struct jail_rec *parent);
int lim_enter(const struct jail_rec *jr, pid_t pid, char *err);
#define LIM_NRLIM	7	/* rlimits rctl sets (limits.c) */
struct rlimit;
void lim_rl_parse(const char *text, struct rlimit *rl);
void lim_rl_format(const struct rlimit *rl, char *buf, size_t len);
int lim_rl_index(int resource);
void lim_rl_lower(struct rlimit *r, unsigned long cur, unsigned long max);
int lim_rl_apply(pid_t pid, const struct rlimit *rl, bool lower_only,
    char *err);

/* sys: processes and namespaces */
int sys_pidfd_open(pid_t pid);
int sys_pidfd_send_signal(int pidfd, int sig);
int sys_pidfd_wait(int pidfd, int timeout_ms);
uint64_t sys_starttime(pid_t pid);
pid_t sys_pidfd_pid_at(int procfd, int pidfd);
#define sys_pidfd_pid(fd) sys_pidfd_pid_at(-1, fd)
int sys_ns_inode(pid_t pid, const char *ns, uint64_t *ino);
int sys_setns_pid(pid_t pid, const char *ns);
long sys_clone3(uint64_t flags, int *pidfd, int cgroupfd);
long sys_clone3_vfork(int *pidfd, int cgroupfd, void *stack, size_t size,
    int (*fn)(void *), void *arg);
int sys_write_file(const char *path, const char *buf, char *err);
ssize_t sys_read_fd(int fd, char *buf, size_t len);
ssize_t sys_read_small(int dirfd, const char *path, char *buf, size_t len);
int sys_write_fileat(int dirfd, const char *path, const char *buf);
int sys_send_fds(int sock, const void *msg, size_t len, const int *fds,
    int nfds);
ssize_t sys_recv_fds(int sock, void *msg, size_t len, int *fds, int nfds);
#define sys_send_fd(s, m, l, fd) sys_send_fds(s, m, l, (int[]){ fd }, 1)
#define sys_recv_fd(s, m, l, fd) sys_recv_fds(s, m, l, fd, (fd) ? 1 : 0)

/*
 * A way into a jail's namespaces: the holder's pidfd on the host, or,
 * inside a jail, one descriptor per namespace (setns through a pidfd
 * needs ptrace rights over the holder, which a jail must not have).
 */
#define JNS_COUNT	7
struct jail_ns {
	int	pidfd;
	int	fd[JNS_COUNT];	/* user mnt pid uts ipc net cgroup */
};
void jns_init(struct jail_ns *ns);
int jns_open(pid_t pid, struct jail_ns *ns);
int jns_setns(const struct jail_ns *ns, int flags);
pid_t jns_clone(const struct jail_ns *ns, int nsflags, int cgfd,
    int *pidfd);
void jns_close(struct jail_ns *ns);
void sys_proctitle(const char *title);
int sys_exec_memfd(const char *name, const void *image, size_t len);
int sys_exec_stub(int fd, const void *image, char *const argv[],
    char *const envp[]);
int sys_exec_memfd_take(pid_t pid, uint64_t start, int fd,
    const void *image, size_t len);
int sys_become_root(void);
int sys_stat_in_jail(pid_t holder, const char *path, struct stat *st);
int sys_uid_map(int procfd, pid_t pid, uint32_t outside, uint32_t count,
    char *err);

/*
 * sys: confinement recorded, then applied once (minijail's shape):
 * capabilities out of the bounding set, system calls refused by seccomp,
 * a session keyring of its own, Landlock scopes.
 */
#define CONFINE_LL_ABSTRACT_UNIX	(1ull << 0)	/* Landlock's scope */
#define CONFINE_LL_SCOPE_ABI	6	/* Landlock's first with scopes */
int confine_landlock_abi(void);
/* cmp: NULL, or {arg, op, value[, mask]} as SCMP_A*() would give */
struct sc_arg { unsigned arg; int op; uint64_t a, b; };
struct sc_rule { int nr, errnum, has_cmp; struct sc_arg cmp[2]; };
#define CONFINE_MAXRULES 160
struct confine {
	uint64_t drop_caps;	/* 1 << CAP_* */
	uint64_t landlock_scoped; /* CONFINE_LL_*: Landlock scopes */
	struct sc_rule rules[CONFINE_MAXRULES];
	int	 nrules;
	int	 failed;	/* too many rules */
	struct sock_filter *prog;	/* compiled (confine_compile) */
	unsigned short proglen;
};
void confine_init(struct confine *c);
void confine_drop_cap(struct confine *c, int cap);
void confine_deny(struct confine *c, int nr, int errnum,
    const struct sc_arg *cmp);
void confine_deny2(struct confine *c, int nr, int errnum,
    const struct sc_arg *cmp, const struct sc_arg *cmp2);
int confine_compile(struct confine *c, const char *regdir, char *err);
int confine_apply(struct confine *c, char *err);
void confine_free(struct confine *c);
int sys_new_session_keyring(void);

/* sys: libraries opened on first use (sys/dl.c; in static commands
 * sys/dl_static.c, which opens nothing) */
struct dl_sym { const char *name; size_t off; };
#define DL_SYM(type, field, name) { name, offsetof(type, field) }
int sys_dlopen(void **dl, const char *lib, const struct dl_sym *syms,
    size_t n, void *table, char *err);
bool sys_dl_has(const char *lib);	/* may this command use lib ("NSS":
					   its modules)? */
struct passwd *sys_getpw_nss(const char *user, gid_t *groups, int *ngroups);

/* sys: rtnetlink (libmnl) */
#define NL_VJAIL_TAG	"vjail"	/* ifalias of the bridges vjail made */
#define NL_BRIDGE_FDB_MAX 65536	/* learned addresses a vjail bridge keeps */
#define NL_BATCH	16	/* requests sent together at most */
struct mnl_socket;
struct nlmsghdr;
struct nl {
	struct mnl_socket *s;
	unsigned portid, seq;
	bool	batching;		/* requests queue until nl_commit() */
	int	queued;			/* requests in buf, from seq first */
	unsigned first;
	size_t	len;
	char	what[NL_BATCH][64];	/* each one, for its error */
	int	failed;			/* errno of a batch sent early */
	char	failure[JAIL_ERRMSGLEN];	/* and its message */
	/* messages that answer no request of ours (notifications) */
	void	(*event)(const struct nlmsghdr *h, void *arg);
	void	*event_arg;
	char	buf[8192];
};
int nl_open(struct nl *nl, int netnsfd, char *err);
void nl_close(struct nl *nl);
int nl_ifindex(struct nl *nl, const char *name);
int nl_link_ident(struct nl *nl, int ifindex, uint64_t *hash, int *peer);
int nl_link_peer(struct nl *nl, int ifindex);
int nl_bridge_kind(struct nl *nl, const char *name, int *ifindex);
int nl_bridge_add(struct nl *nl, const char *name, char *err);
int nl_veth_add(struct nl *nl, const char *name, const char *peer,
    int peer_nsfd, int master, int *peer_index, char *err);
int nl_host_end_up(struct nl *nl, int ifindex, const char *name,
    const char *alias, char *err);
int nl_link_set(struct nl *nl, int ifindex, const char *name, int up,
    int nsfd, char *err);
int nl_link_del(struct nl *nl, int ifindex, char *err);
int nl_bridge_ports(struct nl *nl, int bridge,
    bool (*counts)(const char *port, const char *alias, void *arg),
    void *arg, char *err);
int nl_free_eth(struct nl *nl, int from, char *err);
int nl_addr_add(struct nl *nl, int ifindex, int family, const void *addr,
    int plen, char *err);
int nl_addr_del(struct nl *nl, int ifindex, int family, const void *addr,
    int plen, char *err);
int nl_rule(struct nl *nl, bool add, int family, uint32_t mark,
    uint32_t table, uint32_t prio, char *err);
int nl_route_default(struct nl *nl, int family, const void *gw, char *err);
void nl_batch(struct nl *nl);
void nl_label(struct nl *nl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int nl_commit(struct nl *nl, char *err);
int nl_watch_ipv6_addrs(struct nl *nl);
int nl_poll(struct nl *nl, int ms);
int nl_lladdr_event(const struct nlmsghdr *h);
int nl_link_quiet(struct nl *nl, int ifindex);

/* errors (err.c, a leaf) */
int jerr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int jerrno(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
