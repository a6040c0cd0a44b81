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
	int	    pty;		/* give the child its own pty */
};
int jail_exec(const struct jail_exec *je);

/* SIGTERM every process of the jail (and its children's), then wait up to
 * timeout_s seconds for them to exit: 0 if they did, -1 if not. */
int jail_stop(int jid, int timeout_s);

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

#ifdef __cplusplus
}
#endif
#endif
