/*
 * state.c - the order jail(8) works in: a jail starts after the jails it
 * depends on ("depend"), and stops before them; a dependency loop is an
 * error naming the jails in it.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jailcmd.h"

enum { M_NEW, M_BUSY, M_DONE };

struct job *
job_find(struct run *run, const char *name)
{
	for (int i = 0; i < run->njobs; i++)
		if (strcmp(run->jobs[i].name, name) == 0)
			return &run->jobs[i];
	return NULL;
}

static bool
running(const char *name)
{
	return jail_getv(0, "name", name, NULL) >= 0;
}

/* Start j after what it depends on (configured ones are started too). */
static int
start(struct run *run, struct job *j)
{
	int rc = 0;

	if (j->mark == M_DONE)
		return j->failed ? -1 : 0;
	if (j->mark == M_BUSY) {
		warnx("%s: dependency loop", j->name);
		return -1;
	}
	j->mark = M_BUSY;
	for (char **d = j->pv[P_DEPEND]; d && *d && rc == 0; d++) {
		struct job *dj = job_find(run, *d);
		if (dj && !running(*d))
			rc = start(run, dj);
		else if (!dj && !running(*d)) {
			warnx("%s: depends on \"%s\", which is not running "
			    "and not configured", j->name, *d);
			rc = -1;
		}
	}
	if (rc == 0) {
		if (run->op == ('c' | 'm') && running(j->name))
			rc = job_update(run, j);
		else
			rc = job_start(run, j);
	}
	j->failed = rc < 0;
	j->mark = M_DONE;
	return rc;
}

/* Stop j after the jails among this run's that depend on it. */
static int
stop(struct run *run, struct job *j)
{
	int rc = 0;

	if (j->mark == M_DONE)
		return 0;
	if (j->mark == M_BUSY) {
		warnx("%s: dependency loop", j->name);
		return -1;
	}
	j->mark = M_BUSY;
	for (int i = 0; i < run->njobs; i++)
		for (char **d = run->jobs[i].pv[P_DEPEND]; d && *d; d++)
			if (strcmp(*d, j->name) == 0 && stop(run, &run->jobs[i]) < 0)
				rc = -1;
	/* jail -r 5: a number names the jid (FreeBSD's jail_getid) */
	j->jid = jail_getv(JAIL_DYING, j->name[0] && j->name[strspn(j->name,
	    "0123456789")] == '\0' ? "jid" : "name", j->name, NULL);
	if (j->jid < 0) {
		if (!j->implied) {
			warnx("\"%s\" not found", j->name);
			rc = -1;
		}
	} else if (job_stop(run, j) < 0)
		rc = -1;
	j->mark = M_DONE;
	return rc;
}

static int
depth(const char *name)
{
	int d = 0;

	for (; *name; name++)
		d += *name == '.';
	return d;
}

/* On stop, children first: a parent's removal takes them, and they have
 * their own stop hooks to run. */
static int
deeper_first(const void *a, const void *b)
{
	return depth(((const struct job *)b)->name) -
	    depth(((const struct job *)a)->name);
}

int
run_all(struct run *run)
{
	int rc = 0;

	if (run->op == 'r' || run->op == 'R')
		qsort(run->jobs, (size_t)run->njobs, sizeof(*run->jobs),
		    deeper_first);
	for (int i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];
		switch (run->op) {
		case 'c':
		case 'c' | 'm':
			/* a dependency that already runs is fine as it is */
			if (j->implied && running(j->name))
				break;
			rc |= start(run, j) < 0;
			break;
		case 'm':
			rc |= job_update(run, j) < 0;
			break;
		default:
			rc |= stop(run, j) < 0;
		}
	}
	return rc ? 1 : 0;
}
