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
#if defined(__x86_64__)
#define NR_wait4		61
#define NR_kill			62
#define NR_prctl		157
#define NR_rt_sigtimedwait	128
static long
sys4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.global _start\n_start:\n"
    "	xor %rbp, %rbp\n	and $-16, %rsp\n	call init_main\n	hlt\n");
#elif defined(__aarch64__)
#define NR_wait4		260
#define NR_kill			129
#define NR_prctl		167
#define NR_rt_sigtimedwait	137
static long
sys4(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3) : "memory");
	return x0;
}
__asm__(".text\n.global _start\n_start:\n"
    "	mov x29, #0\n	bl init_main\n	brk #0\n");
#else
#error "initstub: no system call glue for this architecture"
#endif

#define PR_SET_NAME	15
#define PR_SET_DUMPABLE	4
#define SIGTERM		15
#define WNOHANG		1

void __attribute__((noreturn, used))
init_main(void)
{
	unsigned long all = ~0UL;	/* the kernel's sigset: 64 bits */
	long info[16];			/* siginfo_t: 128 bytes */

	/* no tracing of PID 1 by the jail (would_dump did it too: see
	 * sys_exec_memfd) */
	sys4(NR_prctl, PR_SET_DUMPABLE, 0, 0, 0);
	sys4(NR_prctl, PR_SET_NAME, (long)"vjail-holder", 0, 0);
	for (;;) {
		if (sys4(NR_rt_sigtimedwait, (long)&all, (long)info, 0,
		    sizeof(all)) == SIGTERM)
			sys4(NR_kill, -1, SIGTERM, 0, 0);
		while (sys4(NR_wait4, -1, 0, WNOHANG, 0) > 0)
			;
	}
}
