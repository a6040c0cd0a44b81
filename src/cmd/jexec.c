/*
 * jexec(8): run a command in a jail (FreeBSD usr.sbin/jexec).
 * vjail extension: -n ns[,ns...] enters only the chosen namespaces, so
 * host tools can work on, say, a jail's network stack.
 */
#define _GNU_SOURCE
#include <err.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../libjail/vjail.h"	/* jail_exec_named: libjail is static */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: jexec [-l] [-d working-directory] "
	    "[-u username | -U username]\n"
	    "             [-n ns[,ns...]] jail [command ...]\n");
	exit(1);
}

static int
parse_ns(char *list)
{
	static const struct { const char *name; int flag; } ns[] = {
		{ "net", CLONE_NEWNET }, { "uts", CLONE_NEWUTS },
		{ "ipc", CLONE_NEWIPC }, { "mnt", CLONE_NEWNS },
		{ "pid", CLONE_NEWPID }, { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	int mask = 0;

	for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
		size_t i;
		for (i = 0; i < sizeof(ns) / sizeof(*ns); i++)
			if (strcmp(t, ns[i].name) == 0)
				break;
		if (i == sizeof(ns) / sizeof(*ns))
			errx(1, "-n: unknown namespace \"%s\"", t);
		mask |= ns[i].flag;
	}
	return mask;
}

int
main(int argc, char **argv)
{
	struct jail_exec je = { 0 };
	int c, st;

	while ((c = getopt(argc, argv, "+d:ln:u:U:")) != -1) {
		switch (c) {
		case 'd': je.dir = optarg; break;
		case 'l': je.login = 1; break;
		case 'n': je.nsmask = parse_ns(optarg); break;
		case 'u': je.user = optarg; je.user_in_jail = 0; break;
		case 'U': je.user = optarg; je.user_in_jail = 1; break;
		default: usage();
		}
	}
	argc -= optind, argv += optind;
	if (argc < 1)
		usage();
	/* No command: the user's shell (libjail looks it up in the jail). */
	je.argv = argc > 1 ? argv + 1 : NULL;
	/* Any terminal among 0-2 gets a pty in between: a jailed process
	 * must never hold the admin's terminal (TIOCSTI). */
	if (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) ||
	    isatty(STDERR_FILENO))
		je.stdio = JAIL_STDIO_PTY;
	if ((st = jail_exec_named(argv[0], &je)) < 0)
		errx(1, "%s", jail_errmsg);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
