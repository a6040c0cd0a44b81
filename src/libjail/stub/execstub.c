/*
 * execstub.c - the last step into a jail: a tiny static program that
 * exec.c runs from a sealed memfd, and that then execs the jail's program.
 *
 * Why: whatever enters a jail is, until its last exec, an image of the
 * host's (jexec, jail).  A jail's file can name /proc/self/exe as its
 * interpreter ("#!/proc/self/exe") and so get that image run, and then
 * reach the host's binary through /proc/<pid>/exe (CVE-2019-5736).  Run
 * from a sealed memfd first, the image a jail can reach is this one, which
 * no one can write.
 *
 *	execstub PATH ARGV0 ARGS...	(environment passed through)
 *
 * On failure: errno (an int) and ARGV0 on fd 3, then exit 127.  Fd 3 is
 * the caller's error pipe, made close-on-exec here, so a successful exec
 * closes it.
 * Freestanding (no libc): raw system calls, x86-64 and aarch64.
 */
#include "stub.h"

void
stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	int e = 22;	/* EINVAL */
	long n = 0;

	/* the error pipe: ours until the program runs */
	sys3(NR_fcntl, 3, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
	if (argc >= 3) {
		e = (int)-sys3(NR_execve, argv[1], argv + 2, envp);
		while (argv[2][n])
			n++;
	}
	sys3(NR_write, 3, &e, sizeof(e));
	if (n)
		sys3(NR_write, 3, argv[2], n);
	for (;;)
		sys1(NR_exit, 127);
}
