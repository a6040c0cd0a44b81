/*
 * spawnall: run command lines one after another, as fast as a program can
 * (posix_spawnp, no shell), and report the wall time.
 *
 * usage: spawnall [-g K] < FILE
 * Each line of FILE is one command, its words separated by blanks (no
 * quoting).  Each runs to its end before the next starts, stdout to
 * /dev/null, stderr kept.  Stops at the first command that fails (exit 1,
 * after naming it).  Prints key value lines: count, total_s, first10_ms
 * and last10_ms (mean time of a command in the first and last tenth).
 * With -g K, each K commands in a row make one unit (a cycle), and
 * first10_ms and last10_ms are of units.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv_)
{
	size_t group = 1;
	posix_spawn_file_actions_t fa;
	char *line = NULL, **argv = NULL;
	size_t cap = 0, acap = 0;
	double *t = NULL, t0, first = 0, last = 0;
	size_t n = 0, tcap = 0, k, tenth;
	ssize_t len;

	if (argc == 3 && strcmp(argv_[1], "-g") == 0 && atoi(argv_[2]) > 0)
		group = (size_t)atoi(argv_[2]);
	else if (argc != 1)
		return fprintf(stderr, "usage: spawnall [-g K] < FILE\n"), 2;
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0))
		return perror("spawnall: file actions"), 1;
	t0 = now();
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		size_t argc = 0;
		char *w, *save = NULL;
		double ts;
		pid_t pid;
		int st, e;

		for (w = strtok_r(line, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			if (argc + 2 > acap) {
				acap = acap ? 2 * acap : 64;
				argv = realloc(argv, acap * sizeof *argv);
				if (!argv)
					return perror("spawnall"), 1;
			}
			argv[argc++] = w;
		}
		if (!argc)
			continue;
		argv[argc] = NULL;
		if (n == tcap) {
			tcap = tcap ? 2 * tcap : 1024;
			t = realloc(t, tcap * sizeof *t);
			if (!t)
				return perror("spawnall"), 1;
		}
		ts = now();
		e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
		if (e) {
			fprintf(stderr, "spawnall: %s: %s\n", argv[0],
				strerror(e));
			return 1;
		}
		if (waitpid(pid, &st, 0) < 0)
			return perror("spawnall: waitpid"), 1;
		t[n++] = now() - ts;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawnall: command %zu failed (%s %d):",
				n, WIFEXITED(st) ? "exit" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			for (k = 0; k < argc; k++)
				fprintf(stderr, " %s", argv[k]);
			fputc('\n', stderr);
			return 1;
		}
	}
	t0 = now() - t0;
	if (group > 1) {	/* sum each unit's commands into its first */
		size_t u;

		for (u = 0; u * group < n; u++) {
			double sum = 0;

			for (k = u * group; k < (u + 1) * group && k < n; k++)
				sum += t[k];
			t[u] = sum;
		}
		n = u;
	}
	tenth = n >= 10 ? n / 10 : 1;
	for (k = 0; k < tenth && k < n; k++) {
		first += t[k];
		last += t[n - 1 - k];
	}
	printf("count %zu\ntotal_s %.6f\n", n, t0);
	printf("first10_ms %.3f\nlast10_ms %.3f\n", first / tenth * 1e3,
	       last / tenth * 1e3);
	return 0;
}
