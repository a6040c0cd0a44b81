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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

/* The jail of job j, dying ones too: jail -r 5 names the jid (FreeBSD's
 * jail_getid), else the name. */
static int
job_lookup(struct job *j)
{
	return j->jid = jail_getv(JAIL_DYING, j->name[0] &&
	    j->name[strspn(j->name, "0123456789")] == '\0' ? "jid" : "name",
	    j->name, NULL);
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
	if (job_lookup(j) < 0) {
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
		if (job_lookup(j) < 0) {
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

/* A job run by a worker: its stdout, what of that waits its turn to be
 * printed, and whether it has ended. */
struct child {
	int	 out;			/* -1 once closed */
	char	*buf;
	size_t	 len;
	bool	 ended;
};

static void
put(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w, n -= (size_t)w;
	}
}

/* Read what a child wrote: printed at once if it is the one whose turn it
 * is, else kept.  False when nothing more is there now. */
static bool
drain(struct child *c, bool turn)
{
	char tmp[4096];
	ssize_t n = read(c->out, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return errno == EINTR;
	if (n <= 0) {
		close(c->out);
		c->out = -1;
		return false;
	}
	if (turn) {
		put(tmp, (size_t)n);
		return true;
	}
	if ((c->buf = realloc(c->buf, c->len + (size_t)n)) == NULL)
		err(1, "realloc");
	memcpy(c->buf + c->len, tmp, (size_t)n);
	c->len += (size_t)n;
	return true;
}

/*
 * Workers: children that run the jobs they are sent, one at a time,
 * each job's stdout a pipe of its own passed with it (its output is
 * printed in turn), and answer {job, failed}.  Forked when a job is ready
 * and none is idle (up to -p), then used again: a fork copies the whole
 * run, and one per job made 10 000 jails cost 10 000 such copies.  A
 * worker's state does not leak from one job to the next: every hook runs
 * in a child of its own.
 */
struct worker {
	pid_t	 pid;
	int	 sock;			/* -1: gone */
	int	 job;			/* running, or -1 */
};

static void __attribute__((noreturn))
worker_main(struct run *run, int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int i, fd, null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (;;) {
		struct iovec v = { &i, sizeof(i) };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		/* a job index and its pipe; anything else is the end */
		if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(i) ||
		    (cm = CMSG_FIRSTHDR(&m)) == NULL ||
		    cm->cmsg_type != SCM_RIGHTS || i < 0 || i >= run->njobs)
			_exit(0);
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if (dup2(fd, STDOUT_FILENO) < 0)
			_exit(1);
		close(fd);
		int r[2] = { i, one(run, &run->jobs[i]) < 0 };
		fflush(NULL);
		dup2(null, STDOUT_FILENO);	/* the job's pipe is let go */
		if (send(sock, r, sizeof(r), 0) != (ssize_t)sizeof(r))
			_exit(1);
	}
}

/* Worker all[nw], new.  It inherits the others' sockets (closing them
 * would cost a look at every worker per fork): so the end is a message,
 * not the socket's end. */
static bool
worker_new(struct run *run, struct worker *all, int nw)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return false;
	fflush(stdout);
	fflush(stderr);
	if ((all[nw].pid = fork()) < 0) {
		close(sp[0]), close(sp[1]);
		return false;
	}
	if (all[nw].pid == 0) {
		close(sp[0]);
		worker_main(run, sp[1]);
	}
	close(sp[1]);
	all[nw].sock = sp[0];
	all[nw].job = -1;
	return true;
}

/* Send job i to worker w with a fresh pipe for its stdout (c->out). */
static void
worker_send(struct worker *w, int i, struct child *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec v = { &i, sizeof(i) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		err(1, "pipe");
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	if (sendmsg(w->sock, &m, 0) != (ssize_t)sizeof(i))
		err(1, "worker");
	close(p[1]);
	/* not waited on past the job's end: what a hook left running may
	 * hold the pipe */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->out = p[0];
	c->ended = false;
	w->job = i;
}

/* Ready to start: the jobs that wait for no other, in a queue. */
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

/* Watch fd (kind 0: job i's output, 1: worker i's socket). */
static void
watch(int ep, int fd, int i, int kind)
{
	struct epoll_event ev = { .events = EPOLLIN,
	    .data.u64 = (uint64_t)i << 1 | (uint64_t)kind };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		err(1, "epoll_ctl");
}

/*
 * Jails at once (FreeBSD's default; -p N: up to N), each in a child of
 * its own, each as soon as the jails it waits for are done (a count per
 * job and a queue of the ready ones, events by epoll: nothing looks at
 * every job, or every pair of jobs, per step).  A jail whose dependency
 * failed is skipped, as FreeBSD's jail(8) does.  Their output comes in
 * the order they started, each one's as a whole (the same text as one
 * after the other); errors come at once.
 */
static int
run_parallel(struct run *run, struct graph *g)
{
	bool stopping = run->op == 'r' || run->op == 'R';
	size_t n = (size_t)run->njobs;
	int *nwait = stopping ? g->nafter : g->nbefore, busy = 0,
	    left = run->njobs, rc = 0, norder = 0, head = 0,
	    ep = epoll_create1(EPOLL_CLOEXEC);
	struct queue q = { run, stopping ? g->before : g->after,
	    stopping ? g->nbefore : g->nafter, calloc(n, sizeof(int)),
	    calloc(n, sizeof(int)), 0, 0, calloc(n, sizeof(bool)), stopping };
	struct child *c = calloc(n, sizeof(*c));
	int *order = calloc(n, sizeof(*order)), nw = 0, max =
	    run->parallel > 0 && run->parallel < run->njobs ? run->parallel :
	    run->njobs;
	struct worker *w = calloc((size_t)max, sizeof(*w));
	int *idle = calloc((size_t)max, sizeof(int)), nidle = 0;
	struct epoll_event ev[64];

	if (q.need == NULL || q.ready == NULL || q.skip == NULL || c == NULL ||
	    order == NULL || w == NULL || idle == NULL)
		err(1, "calloc");
	if (ep < 0)
		err(1, "epoll_create1");
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
			/* an idle worker (a stack of them: no look at every
			 * worker per job), else a new one */
			while (nidle > 0 && w[idle[nidle - 1]].sock < 0)
				nidle--;
			if (nidle > 0)
				k = idle[--nidle];
			else {
				if (nw == max || !worker_new(run, w, nw))
					break;	/* all busy: wait for one */
				k = nw;
				watch(ep, w[nw++].sock, k, 1);
			}
			q.head++;
			worker_send(&w[k], i, &c[i]);
			watch(ep, c[i].out, i, 0);
			order[norder++] = i;
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
		int ne = epoll_wait(ep, ev, (int)(sizeof(ev) / sizeof(*ev)), -1);
		if (ne < 0) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (int e = 0; e < ne; e++) {
			int i = (int)(ev[e].data.u64 >> 1), r[2] = { -1, 1 };
			if (ev[e].data.u64 & 1) {
				/* worker i: a job ended (or the worker died
				 * with it) */
				struct worker *wk = &w[i];
				bool was_busy = wk->job >= 0;
				if (recv(wk->sock, r, sizeof(r), 0) !=
				    (ssize_t)sizeof(r) || r[0] != wk->job) {
					r[0] = wk->job, r[1] = 1;
					close(wk->sock);
					wk->sock = -1;
				}
				wk->job = -1;
				if (was_busy && wk->sock >= 0)
					idle[nidle++] = i;
				if ((i = r[0]) < 0)
					continue;
				c[i].ended = true;
				run->jobs[i].failed = r[1];
			}
			struct child *ch = &c[i];
			bool turn = head < norder && order[head] == i;
			if (run->jobs[i].mark != M_BUSY)
				continue;
			if (!ch->ended) {
				if (ch->out >= 0)
					drain(ch, turn);
				continue;
			}
			/* what it wrote is in the pipe by now */
			while (ch->out >= 0 && drain(ch, turn))
				;
			if (ch->out >= 0) {
				close(ch->out);
				ch->out = -1;
			}
			rc |= run->jobs[i].failed;
			busy--, left--;
			finished(&q, i);
		}
		/* the next in line prints what it kept, then goes on live */
		while (head < norder && run->jobs[order[head]].mark == M_DONE) {
			if (++head < norder) {
				struct child *ch = &c[order[head]];
				put(ch->buf, ch->len);
				free(ch->buf);
				ch->buf = NULL;
				ch->len = 0;
			}
		}
	}
	for (int k = 0; k < nw; k++)
		if (w[k].sock >= 0) {
			int end = -1;	/* no pipe with it: the end */
			(void)!send(w[k].sock, &end, sizeof(end), 0);
			close(w[k].sock);
		}
	for (int k = 0; k < nw; k++)
		while (waitpid(w[k].pid, NULL, 0) < 0 && errno == EINTR)
			;
	close(ep);
	free(w), free(idle), free(c), free(order), free(q.need), free(q.ready),
	    free(q.skip);
	return rc;
}

/*
 * jail -r of jails with nothing to run on their stop (no exec.* hook of
 * it, or -R), none depending on another of the run: FreeBSD's jail(8)
 * removes such jails from its own process, one after the other (its -p
 * limits the hooks it runs at once, nothing else), and so does this,
 * with no worker per jail: forking thousands, all meeting on the
 * registry's lock, cost more than the removals.  Every jail's processes
 * get their SIGTERM first, then each jail is waited for (what is left of
 * its stop.timeout) and removed, children first.
 */
static bool
batch_removal(struct run *run)
{
	if (run->op != 'r' && run->op != 'R')
		return false;
	for (int i = 0; i < run->njobs; i++) {
		if (!job_stop_light(run, &run->jobs[i]))
			return false;
		for (char **d = run->jobs[i].pv[P_DEPEND]; d && *d; d++)
			if (job_find(run, *d))
				return false;
	}
	return true;
}

static int
remove_batch(struct run *run)
{
	struct timespec t0, t;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run->nowait = true;
	for (int i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];
		if (j->jid <= 0 && job_lookup(j) < 0) {
			if (!j->implied) {
				warnx("\"%s\" not found", j->name);
				rc = 1;
			}
		} else if (run->op == 'r') {	/* SIGTERM; errors come below */
			int st = jail_stop(j->jid, 0);
			j->stopped = st == 0 || errno == ETIMEDOUT;
			j->running = st < 0 && errno == ETIMEDOUT;
		}
	}
	for (int i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];
		int left = -1;
		if (j->jid < 0)
			continue;
		if (run->op == 'r' && (j->running || !j->stopped)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = job_stop_timeout(j) - (int)(t.tv_sec - t0.tv_sec);
			left = left < 0 ? 0 : left;
		}
		rc |= !job_remove(run, j, left);
	}
	/* the holders were killed one after the other; their ends (and
	 * their network stacks') are waited for once */
	if (jail_remove_wait() < 0) {
		warnx("%s", jail_errmsg);
		rc = 1;
	}
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
	if (run->njobs > 1 && batch_removal(run))
		return remove_batch(run);
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
