/*
 * watchstub.c - a jail's monitor between events: a tiny static program
 * that spawn.c runs from a sealed memfd, and that execs the monitor's own
 * program again (which resumes as the monitor: spawn.c's monitor_resume)
 * when there is something to do.
 *
 * Why: a monitor is a fork of the command that made the jail and lives as
 * long as the jail, but works only when something happens.  Its image
 * (libjail, libc, the command's pages: some 200 kB with page tables) is
 * kept only while it works; in between it is this, a few pages.
 *
 *	vjail-monitor MODE	(descriptors below; environment passed on)
 *
 * fd 3: the holder's pidfd (readable: the jail's PID 1 is gone)
 * fd 4: an epoll, readable once the jail/ group's cgroup.events changed
 *	(with 'e'; fd 10 is that file, never read: spawn.c's watch_events)
 * fd 5: the jail's service listener (MODE has 's')
 * fd 6: the monitor's program, to exec
 * fd 7: a signalfd for SIGUSR1 (the registry changed what to watch)
 * fd 8, 9: this stub's image and the holder's, kept for the next jails
 *	(spawn.c: one image of each for every jail)
 *
 * With 'e' in MODE (a jail that ends when empty) a change of the jail's
 * cgroup.events is an event (its emptying; a rare refill costs an exec,
 * the monitor reads it); otherwise there is no fd 4.  If the exec fails,
 * it tries again a second later.
 * Linked high and run without address randomization on x86-64
 * (sys_exec_stub); what it execs gets randomization back.
 * Freestanding (no libc): raw system calls, x86-64 and aarch64.
 */
#include "stub.h"

#define PR_SET_NAME	15
#define POLLIN		0x001
#define POLLPRI		0x002
#define AT_EMPTY_PATH	0x1000
#define ADDR_NO_RANDOMIZE	0x0040000

struct pollfd {
	int	fd;
	short	events, revents;
};

void
stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	const char *mode = argc > 1 ? argv[1] : "";
	int empty = 0, service = 0;
	long second[2] = { 1, 0 };

	for (const char *m = mode; *m; m++)
		empty |= *m == 'e', service |= *m == 's';
	sys2(NR_prctl, PR_SET_NAME, "vjail-monitor");
	for (;;) {
		struct pollfd p[4] = { { 3, POLLIN, 0 },
		    { empty ? 4 : -1, POLLIN, 0 },
		    { service ? 5 : -1, POLLIN, 0 }, { 7, POLLIN, 0 } };

		if (sys5(NR_ppoll, (long)p, 4, 0, 0, 8) <= 0)
			continue;
		if (!p[0].revents && !p[1].revents &&
		    !p[2].revents && !p[3].revents)
			continue;
		/* run without randomization for our layout (sys_exec_stub):
		 * not so the monitor, which serves the jail */
		long pers = sys1(NR_personality, 0xffffffff);
		if (pers >= 0 && (pers & ADDR_NO_RANDOMIZE))
			sys1(NR_personality, pers & ~ADDR_NO_RANDOMIZE);
		for (;;) {
			sys5(NR_execveat, 6, (long)"", (long)argv, (long)envp,
			    AT_EMPTY_PATH);
			sys2(NR_nanosleep, second, 0);
		}
	}
}
