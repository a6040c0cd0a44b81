/*
 * timeit: run several command lines N times each, interleaved, and report
 * the wall time of each in microseconds.
 *
 * usage: timeit [-n N] [-w WARMUP] @LABEL CMD ARG... [';' CMD ARG...]
 *               [@LABEL ...]
 *
 * Each @LABEL starts a candidate; ';' separates the steps of one candidate,
 * which run in order and are timed together (and each on its own).  In an
 * argument, %i becomes the iteration number (unique across warm-up and
 * measured runs) and %% a percent sign.  Round r runs every candidate once,
 * starting at candidate r mod K, so no candidate always goes first.
 * Commands are started with posix_spawnp, stdout to /dev/null, stderr kept.
 *
 * Output, one tab-separated line per candidate, then per step if it has
 * more than one:  label  n  mean_us  median_us  min_us  max_us
 * Step labels are "LABEL:cmd" (plus the first argument if it is a flag).
 * Exits 1 as soon as a command fails, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct step {
	char **argv;		/* template, NULL-terminated */
	int argc;
	double *t;		/* measured times, us */
};

struct cand {
	const char *label;
	struct step *steps;
	int nsteps;
	double *t;		/* sum over steps, us */
};

static struct cand *cands;
static int ncands;

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("timeit: calloc");
		exit(1);
	}
	return p;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Expand %i and %% in a template argument. */
static char *expand(const char *tmpl, long iter)
{
	size_t cap = strlen(tmpl) + 32, len = 0;
	char *out = xcalloc(cap, 1);
	const char *p;

	for (p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 'i') {
			len += snprintf(out + len, cap - len, "%ld", iter);
			p++;
		} else {
			if (p[0] == '%' && p[1] == '%')
				p++;
			out[len++] = *p;
		}
		if (len + 24 >= cap) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out) {
				perror("timeit: realloc");
				exit(1);
			}
		}
	}
	out[len] = '\0';
	return out;
}

static void print_cmd(FILE *f, char **argv)
{
	for (; *argv; argv++)
		fprintf(f, " %s", *argv);
}

/* Run one step once; returns its wall time in us, or exits on failure. */
static double run_step(const struct cand *c, const struct step *s, long iter)
{
	posix_spawn_file_actions_t fa;
	char **argv = xcalloc(s->argc + 1, sizeof(*argv));
	double t0, t;
	pid_t pid;
	int i, err, status;

	for (i = 0; i < s->argc; i++)
		argv[i] = expand(s->argv[i], iter);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);

	t0 = now_us();
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(err));
		exit(1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("timeit: waitpid");
			exit(1);
		}
	t = now_us() - t0;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "timeit: %s, iteration %ld:", c->label, iter);
		print_cmd(stderr, argv);
		if (WIFEXITED(status))
			fprintf(stderr, ": exit status %d\n",
				WEXITSTATUS(status));
		else
			fprintf(stderr, ": killed by signal %d\n",
				WTERMSIG(status));
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < s->argc; i++)
		free(argv[i]);
	free(argv);
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *label, const char *suffix, double *t, long n)
{
	double sum = 0, median;
	long i;

	qsort(t, n, sizeof(*t), cmp_double);
	for (i = 0; i < n; i++)
		sum += t[i];
	median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	printf("%s%s\t%ld\t%.1f\t%.1f\t%.1f\t%.1f\n", label, suffix, n,
	       sum / n, median, t[0], t[n - 1]);
}

/* Split argv into candidates and steps (in place: ';' become NULL). */
static void parse(int argc, char **argv)
{
	int i, j;

	cands = xcalloc(argc, sizeof(*cands));
	for (i = 0; i < argc; i++) {
		struct cand *c;

		if (argv[i][0] != '@' || !argv[i][1]) {
			fprintf(stderr, "timeit: expected @LABEL, got '%s'\n",
				argv[i]);
			exit(2);
		}
		c = &cands[ncands++];
		c->label = argv[i] + 1;
		c->steps = xcalloc(argc, sizeof(*c->steps));
		for (i++; i < argc && argv[i][0] != '@'; i = j) {
			struct step *s = &c->steps[c->nsteps++];

			s->argv = &argv[i];
			for (j = i; j < argc && strcmp(argv[j], ";") &&
				    argv[j][0] != '@'; j++)
				;
			s->argc = j - i;
			if (s->argc == 0) {
				fprintf(stderr, "timeit: %s: empty step\n",
					c->label);
				exit(2);
			}
			if (j < argc && !strcmp(argv[j], ";"))
				argv[j++] = NULL;
		}
		i--;
		if (c->nsteps == 0) {
			fprintf(stderr, "timeit: %s: no command\n", c->label);
			exit(2);
		}
	}
	if (ncands == 0) {
		fprintf(stderr, "usage: timeit [-n N] [-w WARMUP] "
			"@LABEL CMD ARG... [';' CMD...] [@LABEL ...]\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	long n = 100, warm = 3, r, iter;
	int opt, k, i, j;
	char *end;

	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1)
				goto usage;
			break;
		case 'w':
			warm = strtol(optarg, &end, 10);
			if (*end || warm < 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	parse(argc - optind, argv + optind);

	for (k = 0; k < ncands; k++) {
		cands[k].t = xcalloc(n, sizeof(double));
		for (j = 0; j < cands[k].nsteps; j++)
			cands[k].steps[j].t = xcalloc(n, sizeof(double));
	}
	for (r = 0, iter = 0; r < warm + n; r++, iter++) {
		for (i = 0; i < ncands; i++) {
			struct cand *c = &cands[(r + i) % ncands];
			double sum = 0, t;

			for (j = 0; j < c->nsteps; j++) {
				t = run_step(c, &c->steps[j], iter);
				if (r >= warm)
					c->steps[j].t[r - warm] = t;
				sum += t;
			}
			if (r >= warm)
				c->t[r - warm] = sum;
		}
	}

	for (k = 0; k < ncands; k++) {
		struct cand *c = &cands[k];

		report(c->label, "", c->t, n);
		for (j = 0; c->nsteps > 1 && j < c->nsteps; j++) {
			struct step *s = &c->steps[j];
			const char *base = strrchr(s->argv[0], '/');
			char suffix[128];

			base = base ? base + 1 : s->argv[0];
			snprintf(suffix, sizeof(suffix), ":%s%s%s", base,
				 s->argc > 1 && s->argv[1][0] == '-' ? " " : "",
				 s->argc > 1 && s->argv[1][0] == '-' ?
				 s->argv[1] : "");
			report(c->label, suffix, s->t, n);
		}
	}
	return 0;

usage:
	fprintf(stderr, "usage: timeit [-n N] [-w WARMUP] "
		"@LABEL CMD ARG... [';' CMD...] [@LABEL ...]\n");
	return 2;
}
