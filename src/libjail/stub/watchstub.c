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
 * fd 4: the jail/ group's cgroup.events (POLLPRI on a change)
 * fd 5: the jail's service listener (MODE has 's')
 * fd 6: the monitor's program, to exec
 * fd 7: a signalfd for SIGUSR1 (the registry changed what to watch)
 *
 * With 'e' in MODE (a jail that ends when empty) the jail's emptying is
 * an event; otherwise changes of cgroup.events are only read (each read
 * re-arms it).  If the exec fails, it tries again a second later.
 * Freestanding (no libc): raw system calls, x86-64 and aarch64.
 */
#if defined(__x86_64__)
#define NR_pread64	17
#define NR_prctl	157
#define NR_nanosleep	35
#define NR_ppoll	271
#define NR_execveat	322
static long
sys5(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.global _start\n_start:\n"
    "	xor %rbp, %rbp\n	mov %rsp, %rdi\n	and $-16, %rsp\n"
    "	call watch_main\n	hlt\n");
#elif defined(__aarch64__)
#define NR_pread64	67
#define NR_prctl	167
#define NR_nanosleep	101
#define NR_ppoll	73
#define NR_execveat	281
static long
sys5(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3), "r"(x4) : "memory");
	return x0;
}
__asm__(".text\n.global _start\n_start:\n"
    "	mov x29, #0\n	mov x0, sp\n	bl watch_main\n	brk #0\n");
#else
#error "watchstub: no system call glue for this architecture"
#endif

#define PR_SET_NAME	15
#define POLLIN		0x001
#define POLLPRI		0x002
#define AT_EMPTY_PATH	0x1000

struct pollfd {
	int	fd;
	short	events, revents;
};

/* cgroup.events says "populated 0"; reading it re-arms the poll. */
static int
emptied(void)
{
	char buf[128];
	long n = sys5(NR_pread64, 4, (long)buf, sizeof(buf) - 1, 0, 0);

	for (long i = 0; i + 10 < n; i++)
		if (buf[i] == 'p' && buf[i + 1] == 'o' && buf[i + 9] == ' ' &&
		    buf[i + 2] == 'p' && buf[i + 8] == 'd')
			return buf[i + 10] == '0';
	return 0;
}

void __attribute__((noreturn, used))
watch_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	const char *mode = argc > 1 ? argv[1] : "";
	int empty = 0, service = 0;
	long second[2] = { 1, 0 };

	for (const char *m = mode; *m; m++)
		empty |= *m == 'e', service |= *m == 's';
	sys5(NR_prctl, PR_SET_NAME, (long)"vjail-monitor", 0, 0, 0);
	for (;;) {
		struct pollfd p[4] = { { 3, POLLIN, 0 }, { 4, POLLPRI, 0 },
		    { service ? 5 : -1, POLLIN, 0 }, { 7, POLLIN, 0 } };

		if (sys5(NR_ppoll, (long)p, 4, 0, 0, 8) <= 0)
			continue;
		/* (each read of cgroup.events re-arms it) */
		if (p[1].revents && !emptied())
			p[1].revents = 0;
		if (!p[0].revents && !(p[1].revents && empty) &&
		    !p[2].revents && !p[3].revents)
			continue;
		for (;;) {
			sys5(NR_execveat, 6, (long)"", (long)argv, (long)envp,
			    AT_EMPTY_PATH);
			sys5(NR_nanosleep, (long)second, 0, 0, 0, 0);
		}
	}
}
