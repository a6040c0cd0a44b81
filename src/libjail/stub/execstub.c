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
#if defined(__x86_64__)
#define NR_write	1
#define NR_fcntl	72
#define NR_execve	59
#define NR_exit		60
static long
sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b),
	    "d"(c) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.global _start\n_start:\n"
    "	xor %rbp, %rbp\n	mov %rsp, %rdi\n	and $-16, %rsp\n"
    "	call stub_main\n	hlt\n");
#elif defined(__aarch64__)
#define NR_write	64
#define NR_fcntl	25
#define NR_execve	221
#define NR_exit		93
static long
sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) :
	    "memory");
	return x0;
}
__asm__(".text\n.global _start\n_start:\n"
    "	mov x29, #0\n	mov x0, sp\n	bl stub_main\n	brk #0\n");
#else
#error "execstub: no system call glue for this architecture"
#endif

void __attribute__((noreturn, used))
stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	int e = 22;	/* EINVAL */
	long n = 0;

	/* the error pipe: ours until the program runs */
	sys3(NR_fcntl, 3, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
	if (argc >= 3) {
		e = (int)-sys3(NR_execve, (long)argv[1], (long)(argv + 2),
		    (long)envp);
		while (argv[2][n])
			n++;
	}
	sys3(NR_write, 3, (long)&e, sizeof(e));
	if (n)
		sys3(NR_write, 3, (long)argv[2], n);
	for (;;)
		sys3(NR_exit, 127, 0, 0);
}
