/*
 * state.c - the order jail(8) works in: a jail starts after the jails it
 * depends on ("depend"), and stops before them; a dependency loop is an
 * error naming the jails in it.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jailcmd.h"

enum { M_NEW, M_BUSY, M_DONE };

/*
 * job_find looks names up in a hash of the jobs (open addressing),
 * extended as jobs are added and rebuilt when it fills or the jobs move:
 * a file of 10 000 jails must not cost 10 000 x 10 000 comparisons.
 */
static unsigned
name_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of name: where it is, or the empty one it would go in. */
static int
slot_of(const struct run *run, const char *name)
{
	unsigned m = (unsigned)run->hcap - 1, i = name_hash(name) & m;

	while (run->hash[i] >= 0 && strcmp(run->jobs[run->hash[i]].name,
	    name) != 0)
		i = (i + 1) & m;
	return (int)i;
}

static void
hash_jobs(struct run *run)
{
	if (run->hashed > run->njobs || run->hash == NULL ||
	    2 * run->njobs > run->hcap) {
		int cap = 64;
		while (cap < 4 * run->njobs)
			cap *= 2;
		free(run->hash);
		if ((run->hash = malloc(sizeof(int) * (size_t)cap)) == NULL)
			err(1, "malloc");
		memset(run->hash, 0xff, sizeof(int) * (size_t)cap);
		run->hcap = cap;
		run->hashed = 0;
	}
	for (; run->hashed < run->njobs; run->hashed++) {
		int k = slot_of(run, run->jobs[run->hashed].name);
		if (run->hash[k] < 0)	/* the first of a name is found */
			run->hash[k] = run->hashed;
	}
}

struct job *
job_find(struct run *run, const char *name)
{
	int k;

	hash_jobs(run);
	k = slot_of(run, name);
	return run->hash[k] >= 0 ? &run->jobs[run->hash[k]] : NULL;
}

/*
 * The order between jobs as a graph, made once: before[i] are the jobs
 * i starts after (those it depends on, and its ancestors among the jobs),
 * after[i] the reverse.  Stopping walks it backwards.
 */
struct graph {
	int	**before, **after;	/* -1-terminated lists */
	int	*nbefore, *nafter;
};

static void
edge_add(int ***lists, int **counts, int from, int to)
{
	int n = (*counts)[from];
	int *l = realloc((*lists)[from], sizeof(int) * (size_t)(n + 2));

	if (l == NULL)
		err(1, "realloc");
	l[n] = to;
	l[n + 1] = -1;
	(*lists)[from] = l;
	(*counts)[from] = n + 1;
}

static void
graph_make(struct run *run, struct graph *g)
{
	size_t n = (size_t)run->njobs;
	char name[1024];

	if ((g->before = calloc(n, sizeof(int *))) == NULL ||
	    (g->after = calloc(n, sizeof(int *))) == NULL ||
	    (g->nbefore = calloc(n, sizeof(int))) == NULL ||
	    (g->nafter = calloc(n, sizeof(int))) == NULL)
		err(1, "calloc");
	for (int i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i], *o;
		for (char **d = j->pv[P_DEPEND]; d && *d; d++)
			if ((o = job_find(run, *d)) != NULL && o != j) {
				edge_add(&g->before, &g->nbefore, i, (int)(o - run->jobs));
				edge_add(&g->after, &g->nafter, (int)(o - run->jobs), i);
			}
		/* a child jail after its parent, whatever the file says */
		snprintf(name, sizeof(name), "%s", j->name);
		for (char *dot = strrchr(name, '.'); dot; dot = strrchr(name, '.')) {
			*dot = '\0';
			if ((o = job_find(run, name)) != NULL) {
				edge_add(&g->before, &g->nbefore, i, (int)(o - run->jobs));
				edge_add(&g->after, &g->nafter, (int)(o - run->jobs), i);
			}
		}
	}
}

static void
graph_free(struct run *run, struct graph *g)
{
	for (int i = 0; i < run->njobs; i++) {
		free(g->before[i]);
		free(g->after[i]);
	}
	free(g->before), free(g->after), free(g->nbefore), free(g->nafter);
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
stop(struct run *run, struct graph *g, struct job *j)
{
	int rc = 0, i = (int)(j - run->jobs);

	if (j->mark == M_DONE)
		return 0;
	if (j->mark == M_BUSY) {
		warnx("%s: dependency loop", j->name);
		return -1;
	}
	j->mark = M_BUSY;
	for (int k = 0; k < g->nafter[i]; k++) {
		struct job *o = &run->jobs[g->after[i][k]];
		/* (children are not waited for: deeper ones go first) */
		bool dep = false;
		for (char **d = o->pv[P_DEPEND]; d && *d && !dep; d++)
			dep = strcmp(*d, j->name) == 0;
		if (dep && stop(run, g, o) < 0)
			rc = -1;
	}
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
 * each as soon as the jails it waits for are done (a count per job, the
 * ready ones in a queue: no look at every pair of jobs).  A jail whose
 * dependency failed is skipped, as FreeBSD's jail(8) does.
 */
struct queue {
	struct run *run;
	int	**wake, *nwake;		/* who waits for a job */
	int	*need;			/* jobs a job still waits for */
	int	*ready, head, tail;	/* jobs that wait for none, FIFO */
	bool	*skip;			/* a dependency failed */
	bool	 stopping;
};

/* Job i is done: those waiting for it wait for one job less. */
static void
finished(struct queue *q, int i)
{
	struct job *j = &q->run->jobs[i];

	j->mark = M_DONE;
	for (int k = 0; k < q->nwake[i]; k++) {
		int w = q->wake[i][k];
		q->skip[w] |= j->failed && !q->stopping;
		if (--q->need[w] == 0)
			q->ready[q->tail++] = w;
	}
}

/*
 * A worker: a child that runs the jobs it is sent, one at a time, and
 * answers {job, failed} for each.  Forked when a job is ready and no
 * worker is idle (up to -p), then used again: a fork copies the whole
 * run, and one per job made 10 000 jails cost 10 000 of those copies.
 */
struct worker {
	pid_t	pid;
	int	to, back;	/* job indexes in, answers out */
	int	job;		/* running, or -1 */
};

static void __attribute__((noreturn))
worker_main(struct run *run, int from, int back)
{
	int i;

	while (read(from, &i, sizeof(i)) == (ssize_t)sizeof(i)) {
		int r[2] = { i, one(run, &run->jobs[i]) < 0 };
		fflush(stdout);
		fflush(stderr);
		if (write(back, r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
	}
	_exit(0);
}

/* Start worker w[nw]; the others' pipes are closed in it (a worker
 * holding another's pipe would keep it from ever seeing the end). */
static bool
worker_new(struct run *run, struct worker *all, int nw)
{
	struct worker *w = &all[nw];
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) < 0)
		return false;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]), close(in[1]);
		return false;
	}
	fflush(stdout);
	fflush(stderr);
	if ((w->pid = fork()) < 0) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return false;
	}
	if (w->pid == 0) {
		close(in[1]), close(out[0]);
		for (int k = 0; k < nw; k++)
			if (all[k].to >= 0)
				close(all[k].to), close(all[k].back);
		worker_main(run, in[0], out[1]);
	}
	close(in[0]), close(out[1]);
	w->to = in[1], w->back = out[0], w->job = -1;
	return true;
}

static int
run_parallel(struct run *run, struct graph *g)
{
	bool stopping = run->op == 'r' || run->op == 'R';
	size_t n = (size_t)run->njobs;
	int *nwait = stopping ? g->nafter : g->nbefore, busy = 0, nw = 0,
	    max = run->parallel > 0 && run->parallel < run->njobs ?
	    run->parallel : run->njobs, left = run->njobs, rc = 0;
	struct queue q = { run, stopping ? g->before : g->after,
	    stopping ? g->nbefore : g->nafter, calloc(n, sizeof(int)),
	    calloc(n, sizeof(int)), 0, 0, calloc(n, sizeof(bool)), stopping };
	struct worker *w = calloc((size_t)max, sizeof(*w));
	struct pollfd *pf = calloc((size_t)max, sizeof(*pf));

	if (q.need == NULL || q.ready == NULL || q.skip == NULL || w == NULL ||
	    pf == NULL)
		err(1, "calloc");
	for (int i = 0; i < run->njobs; i++)
		if ((q.need[i] = nwait[i]) == 0)
			q.ready[q.tail++] = i;
	while (left > 0) {
		while (q.head < q.tail) {
			int i = q.ready[q.head], k = 0;
			struct job *j = &run->jobs[i];
			if (q.skip[i]) {
				q.head++;
				warnx("%s: skipped", j->name);
				j->failed = true, rc = 1;
				finished(&q, i), left--;
				continue;
			}
			while (k < nw && (w[k].job >= 0 || w[k].to < 0))
				k++;
			if (k == nw && (nw == max || !worker_new(run, w, nw)))
				break;		/* all busy: wait for one */
			nw += k == nw;
			q.head++;
			if (write(w[k].to, &i, sizeof(i)) != (ssize_t)sizeof(i))
				err(1, "worker");
			w[k].job = i;
			j->mark = M_BUSY;
			busy++;
		}
		if (busy == 0) {
			if (q.head < q.tail)
				errx(1, "cannot start a worker");
			/* nothing runs and nothing can start: a loop */
			for (int i = 0; i < run->njobs; i++)
				if (run->jobs[i].mark == M_NEW) {
					warnx("%s: dependency loop",
					    run->jobs[i].name);
					run->jobs[i].mark = M_DONE;
				}
			rc = 1;
			break;
		}
		for (int k = 0; k < nw; k++)
			pf[k] = (struct pollfd){ .fd = w[k].job >= 0 ? w[k].back :
			    -1, .events = POLLIN };
		if (poll(pf, (nfds_t)nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (int k = 0; k < nw; k++) {
			int r[2];
			if (pf[k].fd < 0 || !pf[k].revents)
				continue;
			if (read(w[k].back, r, sizeof(r)) != (ssize_t)sizeof(r)) {
				/* the worker died with its job */
				r[0] = w[k].job, r[1] = 1;
				close(w[k].to), close(w[k].back);
				w[k].to = w[k].back = -1;
			}
			run->jobs[r[0]].failed = r[1];
			rc |= r[1];
			w[k].job = -1;
			busy--;
			finished(&q, r[0]), left--;
		}
	}
	for (int k = 0; k < nw; k++) {
		if (w[k].to >= 0)
			close(w[k].to), close(w[k].back);
		while (waitpid(w[k].pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(w), free(pf), free(q.need), free(q.ready), free(q.skip);
	return rc;
}

int
run_all(struct run *run)
{
	struct graph g;
	int rc = 0;

	if (run->op == 'r' || run->op == 'R') {
		qsort(run->jobs, (size_t)run->njobs, sizeof(*run->jobs),
		    deeper_first);
		run->hashed = run->njobs + 1;	/* they moved: hash again */
	}
	graph_make(run, &g);
	if (run->parallel >= 0 && run->njobs > 1) {
		rc = run_parallel(run, &g);
		graph_free(run, &g);
		return rc;
	}
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
			rc |= stop(run, &g, j) < 0;
		}
	}
	graph_free(run, &g);
	return rc ? 1 : 0;
}
