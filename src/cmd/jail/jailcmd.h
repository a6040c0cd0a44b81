/*
 * jailcmd.h - jail(8)'s own pieces: the pseudo-parameters it consumes
 * itself (one table), a "job" per jail it works on, and the steps.
 *
 *   main.c     options; jobs from the command line or from jail.conf
 *   config.c   the jail.conf grammar and its meaning per jail
 *   command.c  the start and stop steps, exec.* hooks, rollback
 *   state.c    order: dependencies first on start, last on stop
 */
#ifndef VJAIL_JAILCMD_H
#define VJAIL_JAILCMD_H

#include <stdbool.h>
#include <stdio.h>

#include <jail.h>

enum pseudo {
	P_PREPARE, P_PRESTART, P_CREATED, P_START, P_COMMAND, P_POSTSTART,
	P_PRESTOP, P_STOP, P_POSTSTOP, P_RELEASE,
	P_CLEAN, P_JAIL_USER, P_SYSTEM_USER, P_CONSOLELOG, P_TIMEOUT,
	P_STOP_TIMEOUT, P_DEPEND, P_MOUNT, P_FSTAB, P_FDESCFS,
	P_ALLOW_DYING,
	P_COUNT
};

enum ptype { PS_LIST, PS_STRING, PS_BOOL, PS_INT };
#define PS_UNSUPPORTED	0x1	/* FreeBSD's, with nothing to do on Linux */
#define PS_IN_JAIL	0x2	/* a hook that runs inside the jail */

struct pseudo_def {
	const char *name;
	enum ptype  type;
	unsigned    flags;
};
extern const struct pseudo_def pseudo_table[P_COUNT];
int pseudo_lookup(const char *name, bool *negated);

/* One jail jail(8) starts, changes or stops. */
struct job {
	char	*name;
	struct jailparam *jp;		/* for libjail */
	unsigned njp;
	char	**pv[P_COUNT];		/* pseudo values, NULL-terminated */
	char	**argv;			/* command= from the command line */
	int	 jid;
	int	 mark;			/* state.c: 0 new, 1 busy, 2 done */
	bool	 failed;
	bool	 implied;		/* only there as a dependency */
	bool	 conf;			/* named in jail.conf: notes printed */
	bool	 stopped;		/* our stop of it began (jail -r) */
	bool	 running;		/* and found processes to wait for */
};

struct run {
	int	 op;			/* 'c', 'm', 'r', 'R', 'c' | 'm' */
	bool	 quiet, verbose, login, print_jid;
	bool	 note_remove;		/* FreeBSD: a file, several or '*' */
	bool	 nowait;		/* removals waited for at the end */
	bool	 legacy;		/* jail path hostname ip command... */
	FILE	*jidfile;		/* -J */
	int	 parallel;		/* -p: jails at once, 0 (the
					   default, FreeBSD's) no limit */
	const char *user;		/* -u / -U */
	bool	 user_in_jail;
	struct job *jobs;
	int	 njobs;
	int	*hash;			/* state.c: job_find's index into jobs */
	int	 hcap, hashed;		/* its size; jobs[0..hashed) are in it */
};

/* command.c */
int job_start(struct run *run, struct job *j);
int job_update(struct run *run, struct job *j);
int job_stop(struct run *run, struct job *j);
bool job_stop_light(const struct run *run, const struct job *j);
int job_stop_timeout(const struct job *j);
bool job_remove(struct run *run, struct job *j, int stop_s);
int job_set_pseudo(struct job *j, int p, const char *const *vals, int n,
    bool append);

/* state.c */
int run_all(struct run *run);
struct job *job_find(struct run *run, const char *name);

void jnote(const struct run *run, const struct job *j, const char *what);
void quoted_print(FILE *fp, const char *s);
const char *job_param(const struct job *j, const char *name);

#endif
