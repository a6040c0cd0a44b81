/*
 * stub.h - what the freestanding stubs (execstub, initstub, watchstub)
 * share: raw system calls and an entry point, x86-64 and aarch64.  No
 * libc: each stub is a few hundred bytes run from a sealed memfd.
 *
 * _start calls stub_main(sp): sp[0] is argc, then argv, NULL, envp.
 */
#ifndef VJAIL_STUB_H
#define VJAIL_STUB_H

#if defined(__x86_64__)
#define NR_nanosleep		35
#define NR_execve		59
#define NR_exit			60
#define NR_wait4		61
#define NR_kill			62
#define NR_fcntl		72
#define NR_write		1
#define NR_rt_sigtimedwait	128
#define NR_personality		135
#define NR_prctl		157
#define NR_ppoll		271
#define NR_execveat		322
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
    "	call stub_main\n	hlt\n");
#elif defined(__aarch64__)
#define NR_write		64
#define NR_ppoll		73
#define NR_exit			93
#define NR_nanosleep		101
#define NR_kill			129
#define NR_rt_sigtimedwait	137
#define NR_personality		92
#define NR_prctl		167
#define NR_execve		221
#define NR_wait4		260
#define NR_execveat		281
#define NR_fcntl		25
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
    "	mov x29, #0\n	mov x0, sp\n	bl stub_main\n	brk #0\n");
#else
#error "stub: no system call glue for this architecture"
#endif

#define sys1(n, a)		sys5(n, (long)(a), 0, 0, 0, 0)
#define sys2(n, a, b)		sys5(n, (long)(a), (long)(b), 0, 0, 0)
#define sys3(n, a, b, c)	sys5(n, (long)(a), (long)(b), (long)(c), 0, 0)
#define sys4(n, a, b, c, d)	sys5(n, (long)(a), (long)(b), (long)(c), \
				    (long)(d), 0)

void stub_main(long *sp) __attribute__((noreturn, used));

#endif
