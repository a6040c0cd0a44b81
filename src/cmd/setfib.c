/*
 * setfib(1): run a command with another routing table (FreeBSD
 * usr.sbin/setfib): setfib [-[F]]fib command [argument ...].
 *
 * FreeBSD's setfib sets its own FIB and execs.  Here the FIB is a cgroup
 * (libjail's jail_setfib), which must go when its processes are done:
 * setfib stays the command's parent, waits for it, removes the FIB's
 * group if it is empty (jail_setfib_clean) and exits as the command did.
 * A setfib killed first leaves the group to the next one to clean.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jail.h>

#define NUMFIBS	253	/* FreeBSD's net.fibs: 0 to 252 */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: setfib [-[F]]value command\n");
	exit(1);
}

static pid_t child;

/* Termination asked of setfib is passed on to the command. */
static void
pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int
main(int argc, char *argv[])
{
	static const int passed[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	struct sigaction sa = { .sa_handler = pass_on };
	char *ep, *arg1 = NULL;
	long fib = 0;
	int ch, st;

	if (argc < 2)
		usage();
	/* as FreeBSD's: -N or N is -FN */
	ep = argv[1];
	if (ep[0] == '-' && isdigit((unsigned char)ep[1]))
		ep++;
	if (isdigit((unsigned char)*ep)) {
		if (asprintf(&arg1, "-F%s", ep) < 0)
			err(1, "asprintf");
		argv[1] = arg1;
	}
	while ((ch = getopt(argc, argv, "+F:")) != -1) {
		switch (ch) {
		case 'F':
			errno = 0;
			fib = strtol(optarg, &ep, 10);
			if (ep == optarg || *ep != '\0' || errno ||
			    fib < 0 || fib >= NUMFIBS)
				errx(1, "%s: invalid FIB (max %d)", optarg,
				    NUMFIBS - 1);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	if ((child = fork()) < 0)
		err(1, "fork");
	if (child == 0) {
		if (jail_setfib((int)fib) < 0) {
			if (jail_errmsg[0])
				errx(1, "%s", jail_errmsg);
			err(1, "setfib");
		}
		execvp(*argv, argv);
		err(errno == ENOENT ? 127 : 126, "%s", *argv);
	}
	/* A terminal's ^C reaches the command too; setfib outlives it to
	 * clean up. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(passed) / sizeof(*passed); i++)
		sigaction(passed[i], &sa, NULL);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			err(1, "waitpid");
	jail_setfib_clean();
	free(arg1);
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		raise(WTERMSIG(st));
		exit(128 + WTERMSIG(st));
	}
	return WEXITSTATUS(st);
}
