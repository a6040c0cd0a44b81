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
#include <sys/syscall.h>
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

/* A job run in a child: how to know it ended, its stdout, what of that
 * waits its turn to be printed. */
struct child {
	pid_t	 pid;
	int	 pidfd, out;		/* -1 once closed */
	char	*buf;
	size_t	 len;
	int	 status;
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

static void
fork_job(struct run *run, struct job *j, struct child *c)
{
	int p[2];

	fflush(stdout);
	fflush(stderr);
	if (pipe2(p, O_CLOEXEC) < 0)
		err(1, "pipe");
	if ((c->pid = fork()) < 0)
		err(1, "fork");
	if (c->pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(1);
		int rc = one(run, j);
		fflush(NULL);
		_exit(rc < 0);
	}
	close(p[1]);
	/* not waited on past the job's end: what a hook left running may
	 * hold the pipe */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->out = p[0];
	if ((c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0)) < 0)
		err(1, "pidfd_open");
}

/*
 * Jails at once (FreeBSD's default; -p N: up to N), each in a child of
 * its own, each as soon as the jails it waits for are done.  A jail whose
 * dependency failed is skipped, as FreeBSD's jail(8) does.  Their output
 * comes in the order they started, each one's as a whole (the same text
 * as one after the other); errors come at once.
 */
static int
run_parallel(struct run *run)
{
	struct child *c = calloc((size_t)run->njobs, sizeof(*c));
	struct pollfd *pfd = calloc((size_t)run->njobs * 2, sizeof(*pfd));
	int *order = calloc((size_t)run->njobs, sizeof(*order)), *who =
	    calloc((size_t)run->njobs * 2, sizeof(*who));
	int busy = 0, left = run->njobs, rc = 0, norder = 0, head = 0;

	if (c == NULL || pfd == NULL || order == NULL || who == NULL)
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
			fork_job(run, j, &c[i]);
			order[norder++] = i;
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
			rc = 1;
			break;
		}
		int n = 0;
		for (int i = 0; i < run->njobs; i++) {
			if (run->jobs[i].mark != M_BUSY)
				continue;
			if (c[i].out >= 0)
				pfd[n] = (struct pollfd){ c[i].out, POLLIN, 0 },
				    who[n++] = i;
			if (c[i].pidfd >= 0)
				pfd[n] = (struct pollfd){ c[i].pidfd, POLLIN,
				    0 }, who[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (int k = 0; k < n; k++) {
			struct child *ch = &c[who[k]];
			if (!pfd[k].revents)
				continue;
			bool turn = head < norder && order[head] == who[k];
			if (pfd[k].fd == ch->out && ch->out >= 0)
				drain(ch, turn);
			else if (pfd[k].fd == ch->pidfd) {
				while (waitpid(ch->pid, &ch->status, 0) < 0 &&
				    errno == EINTR)
					;
				close(ch->pidfd);
				ch->pidfd = -1;
				/* what it wrote is in the pipe by now */
				while (ch->out >= 0 && drain(ch, turn))
					;
				if (ch->out >= 0) {
					close(ch->out);
					ch->out = -1;
				}
			}
		}
		/* done: ended, and all it wrote read */
		for (int i = 0; i < run->njobs; i++) {
			struct job *j = &run->jobs[i];
			if (j->mark != M_BUSY || c[i].out >= 0 ||
			    c[i].pidfd >= 0)
				continue;
			j->mark = M_DONE;
			j->failed = !WIFEXITED(c[i].status) ||
			    WEXITSTATUS(c[i].status) != 0;
			rc |= j->failed;
			busy--, left--;
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
	free(c);
	free(pfd);
	free(order);
	free(who);
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
