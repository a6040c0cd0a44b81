/*
 * initstub.c - PID 1 of a jail (its holder) once the jail is set up: a
 * tiny static program that spawn.c runs from a sealed memfd.
 *
 * Why: the holder is born a copy of its monitor (itself a fork of the
 * creating command), and kept that image for the jail's whole life: its
 * page tables and every page either wrote, about 100 kB a jail for a
 * loop that only reaps.  Exec'd, PID 1 is a few pages, and holds nothing
 * of the host's in its memory.
 *
 *	vjail-holder		(no arguments; every signal already blocked)
 *
 * The signal mask survives exec, and a blocked signal is queued even for
 * PID 1 of a namespace (which drops signals left at their default
 * action), so sigwaitinfo sees SIGCHLD and SIGTERM without handlers.
 * SIGTERM is relayed to every process of the jail; orphans are reaped.
 * Freestanding (no libc): raw system calls, x86-64 and aarch64.
 */
#include "stub.h"

#define PR_SET_NAME	15
#define PR_SET_DUMPABLE	4
#define SIGTERM		15
#define WNOHANG		1

void
stub_main(long *sp)
{
	unsigned long all = ~0UL;	/* the kernel's sigset: 64 bits */
	long info[16];			/* siginfo_t: 128 bytes */

	(void)sp;
	/* no tracing of PID 1 by the jail (would_dump did it too: see
	 * sys_exec_memfd) */
	sys2(NR_prctl, PR_SET_DUMPABLE, 0);
	sys2(NR_prctl, PR_SET_NAME, "vjail-holder");
	for (;;) {
		if (sys4(NR_rt_sigtimedwait, &all, info, 0, sizeof(all)) ==
		    SIGTERM)
			sys2(NR_kill, -1, SIGTERM);
		while (sys4(NR_wait4, -1, 0, WNOHANG, 0) > 0)
			;
	}
}
