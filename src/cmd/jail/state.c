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
#include <sys/wait.h>
#include <unistd.h>

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

/* Does job a have to wait for job b (b first on start, last on stop)? */
static bool
waits_for(struct run *run, const struct job *a, const struct job *b)
{
	const struct job *first = run->op == 'r' || run->op == 'R' ? b : a,
	    *then = first == a ? b : a;
	size_t l = strlen(then->name);

	/* start: a after what it depends on, and after its parent jail */
	for (char **d = first->pv[P_DEPEND]; d && *d; d++)
		if (strcmp(*d, then->name) == 0)
			return true;
	return strncmp(first->name, then->name, l) == 0 &&
	    first->name[l] == '.';
}

/* One job, alone: its dependencies are the scheduler's business. */
static int
one(struct run *run, struct job *j)
{
	if (run->op == 'r' || run->op == 'R') {
		j->jid = jail_getv(JAIL_DYING, j->name[0] && j->name[strspn(
		    j->name, "0123456789")] == '\0' ? "jid" : "name", j->name,
		    NULL);
		if (j->jid < 0) {
			if (j->implied)
				return 0;
			warnx("\"%s\" not found", j->name);
			return -1;
		}
		return job_stop(run, j);
	}
	if (run->op == 'm')
		return job_update(run, j);
	if (j->implied && running(j->name))
		return 0;
	for (char **d = j->pv[P_DEPEND]; d && *d; d++)
		if (!job_find(run, *d) && !running(*d)) {
			warnx("%s: depends on \"%s\", which is not running "
			    "and not configured", j->name, *d);
			return -1;
		}
	if (run->op == ('c' | 'm') && running(j->name))
		return job_update(run, j);
	return job_start(run, j);
}

/*
 * -p N: up to N jails at once (0: no limit), each in a child of its own,
 * each as soon as the jails it waits for are done.  A jail whose
 * dependency failed is skipped, as FreeBSD's jail(8) does.
 */
static int
run_parallel(struct run *run)
{
	pid_t *pids = calloc((size_t)run->njobs, sizeof(*pids));
	int busy = 0, left = run->njobs, rc = 0;

	if (pids == NULL)
		err(1, "calloc");
	while (left > 0) {
		bool started = false;
		for (int i = 0; i < run->njobs && (run->parallel == 0 ||
		    busy < run->parallel); i++) {
			struct job *j = &run->jobs[i];
			bool ready = j->mark == M_NEW, skip = false;
			for (int k = 0; k < run->njobs && ready; k++)
				if (k != i && waits_for(run, j, &run->jobs[k])) {
					ready = run->jobs[k].mark == M_DONE;
					skip |= run->jobs[k].failed &&
					    run->op != 'r' && run->op != 'R';
				}
			if (!ready)
				continue;
			started = true;
			if (skip) {
				warnx("%s: skipped", j->name);
				j->mark = M_DONE, j->failed = true, left--, rc = 1;
				continue;
			}
			fflush(stdout);
			fflush(stderr);
			if ((pids[i] = fork()) < 0)
				err(1, "fork");
			if (pids[i] == 0)
				_exit(one(run, j) < 0);
			j->mark = M_BUSY;
			busy++;
		}
		if (busy == 0) {
			if (started)
				continue;
			/* nothing runs and nothing can start: a loop */
			for (int i = 0; i < run->njobs; i++)
				if (run->jobs[i].mark == M_NEW) {
					warnx("%s: dependency loop",
					    run->jobs[i].name);
					run->jobs[i].mark = M_DONE;
				}
			free(pids);
			return 1;
		}
		int st;
		pid_t pid = wait(&st);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			err(1, "wait");
		}
		for (int i = 0; i < run->njobs; i++)
			if (pids[i] == pid && run->jobs[i].mark == M_BUSY) {
				run->jobs[i].mark = M_DONE;
				run->jobs[i].failed = !WIFEXITED(st) ||
				    WEXITSTATUS(st) != 0;
				rc |= run->jobs[i].failed;
				busy--, left--;
			}
	}
	free(pids);
	return rc;
}

int
run_all(struct run *run)
{
	int rc = 0;

	if (run->parallel >= 0 && run->njobs > 1)
		return run_parallel(run);

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
