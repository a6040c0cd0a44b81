/*
 * jail.h - the vjail library: FreeBSD jails on Linux.
 *
 * The API is FreeBSD's: jail(2)'s jail_set/jail_get/jail_attach/jail_remove
 * (here implemented in the library rather than the kernel) and libjail's
 * jailparam_* layer that converts name=value strings to and from the raw
 * values jail_set/jail_get exchange.
 *
 * Recipe:
 *	struct jailparam jp[3];
 *	jailparam_init(&jp[0], "name");	jailparam_import(&jp[0], "web");
 *	jailparam_init(&jp[1], "path");	jailparam_import(&jp[1], "/srv/web");
 *	jailparam_init(&jp[2], "persist");	jailparam_import(&jp[2], NULL);
 *	jid = jailparam_set(jp, 3, JAIL_CREATE);
 *	if (jid < 0) warnx("%s", jail_errmsg);
 *	jailparam_free(jp, 3);
 * or in one call: jail_setv(JAIL_CREATE, "name", "web", "persist", NULL, NULL).
 *
 * Errors: functions return -1 (or NULL), set errno, and write one sentence
 * into jail_errmsg, naming the parameter where there is one.
 * Threads: jail_attach() changes namespaces of the calling process and must
 * be called single-threaded; the PID namespace applies to its children.
 */
#ifndef VJAIL_JAIL_H
#define VJAIL_JAIL_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* jail_set / jail_get flags (FreeBSD <sys/jail.h>). */
#define JAIL_CREATE	0x01	/* create jail if it does not exist */
#define JAIL_UPDATE	0x02	/* update parameters of existing jail */
#define JAIL_ATTACH	0x04	/* attach to jail upon creation */
#define JAIL_DYING	0x08	/* allow getting a dying jail */
#define JAIL_SET_MASK	0x0f
#define JAIL_GET_MASK	0x08

/* Values of jailsys parameters (vnet, sysvipc, ...). */
#define JAIL_SYS_DISABLE	0
#define JAIL_SYS_NEW		1
#define JAIL_SYS_INHERIT	2

#define JAIL_MAX		999999	/* highest jid */
#define MAXHOSTNAMELEN		65	/* Linux: 64 bytes + NUL */

/* Parameter value types (jp_ctltype & CTLTYPE). */
#define CTLTYPE		0x0f
#define CTLTYPE_NODE	1
#define CTLTYPE_INT	2
#define CTLTYPE_STRING	3
#define CTLTYPE_UINT	6
#define CTLTYPE_STRUCT	5
/* Access flags in jp_ctltype. */
#define CTLFLAG_RD	0x80000000
#define CTLFLAG_WR	0x40000000
#define CTLFLAG_RW	(CTLFLAG_RD | CTLFLAG_WR)
#define CTLFLAG_TUN	0x00080000

/* jp_flags */
#define JP_RAWVALUE	0x01	/* jp_value is raw, not converted */
#define JP_BOOL		0x02	/* a boolean: "name" or "noname" */
#define JP_NOBOOL	0x04	/* the "noname" spelling was used */
#define JP_JAILSYS	0x08	/* new / inherit / disable */
#define JP_KEYVALUE	0x10	/* meta.KEY, env.KEY: one key of the value */

#define JAIL_ERRMSGLEN	1024

struct jailparam {
	char	*jp_name;	/* parameter name, owned */
	void	*jp_value;	/* raw value, owned */
	size_t	 jp_valuelen;	/* bytes in jp_value */
	size_t	 jp_elemlen;	/* bytes per element of a list */
	int	 jp_ctltype;	/* CTLTYPE_* | CTLFLAG_* */
	int	 jp_structtype;	/* reserved (address lists) */
	unsigned jp_flags;	/* JP_* */
};

/* Last error text of the jailparam_* and jail_*v calls (not thread-safe,
 * kept for FreeBSD compatibility). */
extern char jail_errmsg[];

/* "jail(2)": name/value iovec pairs; values are raw (int, NUL-terminated
 * string, NULL for a true boolean). An "errmsg" pair receives the error. */
int jail_set(struct iovec *iov, unsigned int niov, int flags);
int jail_get(struct iovec *iov, unsigned int niov, int flags);
int jail_attach(int jid);
int jail_remove(int jid);

/* libjail */
int jail_getid(const char *name);
char *jail_getname(int jid);			/* caller frees */
int jail_setv(int flags, ...);			/* name, value, ..., NULL */
int jail_getv(int flags, ...);			/* name, char buf[], ..., NULL */
int jailparam_all(struct jailparam **jpp);	/* caller frees *jpp and each */
int jailparam_init(struct jailparam *jp, const char *name);
int jailparam_import(struct jailparam *jp, const char *value);
int jailparam_import_raw(struct jailparam *jp, void *value, size_t valuelen);
int jailparam_set(struct jailparam *jp, unsigned njp, int flags);
int jailparam_get(struct jailparam *jp, unsigned njp, int flags);
char *jailparam_export(struct jailparam *jp);	/* caller frees */
void jailparam_free(struct jailparam *jp, unsigned njp);

/* vjail extensions. */

/* Description of a parameter for help and completion (NULL if unknown). */
const char *jailparam_describe(const char *name);

/* Run argv inside jail jid as a child of the caller and wait for it;
 * returns its wait status, or -1 with jail_errmsg set.  The child gets
 * no descriptor but 0, 1 and 2, and a pty of its own if asked. */
struct jail_exec {
	int	    jid;
	char	  *const *argv;
	char	  *const *envp;		/* NULL: the caller's environment */
	const char *dir;		/* working directory; NULL: / or home */
	const char *user;		/* NULL: root of the jail */
	int	    user_in_jail;	/* look user up in the jail (-U), else
					   on the host (-u) */
	int	    login;		/* -l: clean login environment */
	int	    nsmask;		/* CLONE_NEW* to enter; 0: all */
	int	    stdio;		/* JAIL_STDIO_*: what 0-2 of the child are */
};
/* The caller's descriptors as they are. */
#define JAIL_STDIO_INHERIT	0
/* A pty of its own, relayed to the caller's 0-2 until the child exits:
 * a jailed process never holds the caller's terminal (TIOCSTI). */
#define JAIL_STDIO_PTY		1
/* stdin /dev/null, stdout and stderr through pipes relayed to the
 * caller's until the child exits (non-interactive hooks). */
#define JAIL_STDIO_PIPES	2
int jail_exec(const struct jail_exec *je);

/*
 * jail_fork: make a jail from parameters, as jailparam_set(JAIL_CREATE)
 * (flags may add JAIL_UPDATE), and start a child of the caller as its
 * first process: born in the jail's cgroup and PID namespace, in all of
 * its namespaces, root of the jail, confined as jexec'd processes are.
 * Returns the child's pid in the caller, 0 in the child, -1 with
 * jail_errmsg on error (nothing made).  The child keeps the caller's
 * descriptors; unless "persist" is given, the jail goes with its last
 * process.
 */
pid_t jail_fork(struct jailparam *jp, unsigned int njp, int flags);

/*
 * jail_socket: socket(2) in jail jid's network stack, for a daemon that
 * serves many jails from one process.  The socket is made in the jail's
 * cgroup, so the jail's address rules (ip4.addr: a wildcard bind becomes
 * the jail's address) and its FIB apply to it.  Needs the host's root.
 */
int jail_socket(int jid, int domain, int type, int protocol);

/*
 * jail_sockets: the TCP, UDP and unix sockets of jail jid (0: of the
 * caller's stack; inside a jail, the jail's own, from its monitor), one
 * row per descriptor that holds one: a descriptor of a process of the
 * jail (sockets none of them holds, such as a host daemon's from
 * jail_socket: one row with js_pid 0).  A vnet jail's are all those of
 * its stack; a jail on a shared stack's are those made in its cgroup
 * (unix ones: held by its processes).  Returns the count and *socks
 * (the caller frees it), or -1 with jail_errmsg.
 */
struct jail_sock {
	int	js_family;		/* AF_INET, AF_INET6, AF_UNIX */
	int	js_type;		/* SOCK_STREAM, SOCK_DGRAM, ... */
	int	js_protocol;		/* IPPROTO_TCP, IPPROTO_UDP; 0 */
	int	js_state;		/* Linux's TCP_* numbering */
	struct sockaddr_storage js_local, js_peer; /* unix: js_local's name */
	int	js_namelen;		/* unix: bytes of the name (abstract:
					   sun_path[0] is NUL) */
	unsigned long js_inode, js_peer_inode;
	pid_t	js_pid;			/* a holder; 0: none found */
	int	js_fd;
	uid_t	js_uid;			/* the holder's uid */
	char	js_command[16];
};
int jail_sockets(int jid, struct jail_sock **socks);

/*
 * jail_setfib: FreeBSD's setfib(2): routing table (FIB) fib, 0 to 252,
 * for the sockets the calling process and its children make from now
 * on.  Linux has no per-process FIB: the caller is moved into a cgroup
 * of that FIB whose sockets are marked for a policy rule (modules/ip.c
 * documents exec.fib's).  On the host it needs root; inside a jail the
 * jail's monitor moves it, and a jail with an exec.fib may choose only
 * that FIB (EPERM).  jail_setfib_clean removes the FIB cgroups no
 * process uses any more, and their rules: call it when the processes
 * started so are done (setfib(1) does).  0, or -1 with jail_errmsg.
 */
int jail_setfib(int fib);
void jail_setfib_clean(void);

/* SIGTERM every process of the jail (and its children's), then wait up to
 * timeout_s seconds for them to exit: 0 if they did, -1 if not. */
int jail_stop(int jid, int timeout_s);

/*
 * Removing many jails: jail_remove_nowait is jail_remove that kills the
 * jail's processes without waiting for them to be gone (the jail is
 * dying: hidden, its name free, its jid not); jail_remove_wait then
 * waits once for all the jails the caller removed so, and finishes
 * their removal.  What nobody waits for, the jail's monitor finishes.
 * 0, or -1 with jail_errmsg.
 */
int jail_remove_nowait(int jid);
int jail_remove_wait(void);

/*
 * FreeBSD's rctl(2) calls, for jail subjects: rules are text
 * ("jail:web:memoryuse:deny=536870912"), results a comma-separated list
 * in outbuf (ERANGE: too small).  -1 with errno and jail_errmsg set.
 * Rules belong to the jail name and apply whenever it runs.
 */
int rctl_add_rule(const char *inbufp, size_t inbuflen, char *outbufp,
    size_t outbuflen);
int rctl_remove_rule(const char *inbufp, size_t inbuflen, char *outbufp,
    size_t outbuflen);
int rctl_get_rules(const char *inbufp, size_t inbuflen, char *outbufp,
    size_t outbuflen);
int rctl_get_racct(const char *inbufp, size_t inbuflen, char *outbufp,
    size_t outbuflen);
int rctl_get_limits(const char *inbufp, size_t inbuflen, char *outbufp,
    size_t outbuflen);

/*
 * A jail's CPU set (FreeBSD's cpuset_getaffinity/setaffinity with
 * CPU_WHICH_JAIL), as a list "0-3,6": within its parent's, and its
 * children's sets shrink with it.
 */
int jail_cpuset_get(int jid, char *list, size_t len);
int jail_cpuset_set(int jid, const char *list);

/*
 * Mount a file system into jail jid, as jail(8)'s "mount" entries (the
 * fields of an fstab(5) line): spec is a host path for nullfs (a bind;
 * "rbind" in opts takes its submounts too), or a source for other types;
 * file is the mount point as a host path below the jail's path, resolved
 * inside the jail without following symlinks; type is nullfs, tmpfs,
 * procfs/linprocfs, linsysfs or another Linux file system; opts is a
 * comma list (ro, rw, nosuid, noexec, nodev, noatime, and the file
 * system's own, such as size=, mode=).  The jail's root cannot change
 * the flags, and the mount goes with the jail.  0, or -1 with jail_errmsg.
 */
int jail_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts);

#ifdef __cplusplus
}
#endif
#endif
