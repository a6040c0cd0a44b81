/*
 * proc.c - processes and namespaces: pidfds, clone3, setns, uid maps,
 * descriptor passing, small file writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <elf.h>
#include <grp.h>
#include <linux/sched.h>
#include <linux/openat2.h>
#include <sys/wait.h>

#include "../vjail.h"

int
sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int
sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Wait until the process behind pidfd has exited: 1, or 0 on timeout. */
int
sys_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int rc;

	while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return rc > 0;
}

/* Read fd (closed) into buf, NUL-terminated: bytes read, or -1. */
ssize_t
sys_read_fd(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Read a small file into buf, NUL-terminated: bytes read, or -1. */
ssize_t
sys_read_small(int dirfd, const char *path, char *buf, size_t len)
{
	return sys_read_fd(openat(dirfd, path, O_RDONLY | O_CLOEXEC), buf, len);
}

/* The pid behind a pidfd as the /proc at procfd sees it (-1: /proc). */
pid_t
sys_pidfd_pid_at(int procfd, int pidfd)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "%sself/fdinfo/%d",
	    procfd < 0 ? "/proc/" : "", pidfd);
	if (sys_read_small(procfd < 0 ? AT_FDCWD : procfd, path, buf,
	    sizeof(buf)) <= 0 || (p = strstr(buf, "\nPid:")) == NULL)
		return -1;
	return (pid_t)strtol(p + 5, NULL, 10);
}

/* Start time of a process in clock ticks since boot (0: no such process). */
uint64_t
sys_starttime(pid_t pid)
{
	/* our own, read once (a fork's child has another pid) */
	static pid_t self;
	static unsigned long long self_st;
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	int field;
	bool own = pid == getpid();

	if (own && self == pid)
		return self_st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	/* comm may hold spaces and parentheses: count from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (sscanf(p, "%llu", &st) != 1)
		return 0;
	/* A zombie is gone for our purposes. */
	if (strstr(buf, ") Z "))
		return 0;
	if (own)
		self = pid, self_st = st;
	return st;
}

int
sys_ns_inode(pid_t pid, const char *ns, uint64_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	if (stat(path, &st) < 0)
		return -1;
	*ino = st.st_ino;
	return 0;
}

long
sys_clone3(uint64_t flags, int *pidfd, int cgroupfd)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof(ca));
	ca.flags = flags | (pidfd ? CLONE_PIDFD : 0) |
	    (cgroupfd >= 0 ? CLONE_INTO_CGROUP : 0);
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = cgroupfd >= 0 ? (uint64_t)cgroupfd : 0;
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	/* Inside a jail clone3 reads as absent (its flags are out of
	 * seccomp's sight): clone(2) does the rest (tls and child_tid 0). */
	if (pid < 0 && errno == ENOSYS && cgroupfd < 0)
		pid = syscall(SYS_clone, (unsigned long)(ca.flags | SIGCHLD),
		    0UL, pidfd, NULL, 0UL);
	return pid;
}

/*
 * A child that shares our memory until it execs or exits, we waiting
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): nothing of ours is
 * copied for a child that is about to exec, nor torn down at its exec.
 * It runs fn(arg) on its own stack and exits with what fn returns.  In
 * cgroupfd's group from birth (-1: ours), its pidfd in *pidfd.  -1 with
 * ENOSYS where this is not built (other than x86-64), or clone3 is
 * absent: the caller forks instead.
 */
long
sys_clone3_vfork(int *pidfd, int cgroupfd, void *stack, size_t size,
    int (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
	struct clone_args ca;
	long ret;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD |
	    (cgroupfd >= 0 ? CLONE_INTO_CGROUP : 0);
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = SIGCHLD;
	ca.stack = (uint64_t)(uintptr_t)stack;
	ca.stack_size = size;
	ca.cgroup = cgroupfd >= 0 ? (uint64_t)cgroupfd : 0;
	/* The child starts on the new stack: no C frame of ours to
	 * return to, so it calls fn here and exits. */
	register void *rfn __asm__("r8") = (void *)fn;
	register void *rarg __asm__("r9") = arg;
	__asm__ volatile(
	    "syscall\n\t"
	    "test %%rax, %%rax\n\t"
	    "jnz 1f\n\t"
	    "xor %%ebp, %%ebp\n\t"
	    "mov %%r9, %%rdi\n\t"
	    "call *%%r8\n\t"
	    "mov %%eax, %%edi\n\t"
	    "mov %[exit], %%eax\n\t"
	    "syscall\n\t"
	    "hlt\n"
	    "1:"
	    : "=a"(ret)
	    : "0"((long)SYS_clone3), "D"(&ca), "S"(sizeof(ca)), "r"(rfn),
	      "r"(rarg), [exit] "i"(SYS_exit_group)
	    : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
#else
	(void)pidfd, (void)cgroupfd, (void)stack, (void)size, (void)fn,
	    (void)arg;
	errno = ENOSYS;
	return -1;
#endif
}

int
sys_write_fileat(int dirfd, const char *path, const char *buf)
{
	size_t len = strlen(buf);
	int fd, e;
	ssize_t n;

	if ((fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = write(fd, buf, len);
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)len ? 0 : -1;
}

int
sys_write_file(const char *path, const char *buf, char *err)
{
	if (sys_write_fileat(AT_FDCWD, path, buf) < 0)
		return err ? jerrno(err, "write %s", path) : -1;
	return 0;
}

/*
 * Map count ids from 0 inside to outside for process pid, through the
 * /proc at procfd (-1: /proc): a child jail's maps are written from inside
 * its parent, whose own /proc must not be trusted for it.
 */
int
sys_uid_map(int procfd, pid_t pid, uint32_t outside, uint32_t count,
    char *err)
{
	static const char *const files[] = { "uid_map", "gid_map" };
	char path[64], map[64];

	snprintf(map, sizeof(map), "0 %u %u\n", outside, count);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%d/%s",
		    procfd < 0 ? "/proc/" : "", (int)pid, files[i]);
		if (sys_write_fileat(procfd < 0 ? AT_FDCWD : procfd, path,
		    map) < 0)
			return jerrno(err, "writing %s of the holder", files[i]);
	}
	return 0;
}

int
sys_send_fds(int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * JNS_COUNT)];
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int n = 0, v[JNS_COUNT];

	for (int i = 0; i < nfds && i < JNS_COUNT; i++)
		if (fds[i] >= 0)
			v[n++] = fds[i];
	if (n > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(c), v, sizeof(int) * (size_t)n);
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Receive a message and up to nfds descriptors (the rest are closed). */
ssize_t
sys_recv_fds(int sock, void *msg, size_t len, int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * JNS_COUNT)];
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;
	int k = 0;

	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int cnt = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < cnt; i++) {
			int got;
			memcpy(&got, CMSG_DATA(c) + sizeof(int) * (size_t)i,
			    sizeof(int));
			if (k < nfds)
				fds[k++] = got;
			else
				close(got);
		}
	}
	return n;
}

static const struct { int flag; const char *name; } ns_kinds[JNS_COUNT] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },
	{ CLONE_NEWPID, "pid" }, { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "net" },
	{ CLONE_NEWCGROUP, "cgroup" },
};

void
jns_init(struct jail_ns *ns)
{
	ns->pidfd = -1;
	for (int i = 0; i < JNS_COUNT; i++)
		ns->fd[i] = -1;
}

int
jns_open(pid_t pid, struct jail_ns *ns)
{
	char path[64];

	jns_init(ns);
	for (int i = 0; i < JNS_COUNT; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
		    ns_kinds[i].name);
		if ((ns->fd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			jns_close(ns);
			return -1;
		}
	}
	return 0;
}

/* setns into the namespaces in flags; the user namespace first. */
int
jns_setns(const struct jail_ns *ns, int flags)
{
	if (ns->pidfd >= 0)
		return setns(ns->pidfd, flags);
	for (int i = 0; i < JNS_COUNT; i++)
		if ((flags & ns_kinds[i].flag) &&
		    setns(ns->fd[i], ns_kinds[i].flag) < 0)
			return -1;
	return 0;
}

/*
 * clone3 a child into the cgroup cgfd (-1: ours) and, with CLONE_NEWPID
 * in nsflags, into ns's PID namespace, which applies to children: ours is
 * set for the one clone and put back.  As fork(): 0 in the child, its
 * pid in the caller (and its pidfd in *pidfd, unless NULL), -1 with errno.
 */
pid_t
jns_clone(const struct jail_ns *ns, int nsflags, int cgfd, int *pidfd)
{
	int self = -1, e;
	long pid;

	if ((nsflags & CLONE_NEWPID) && ((self = open(
	    "/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC)) < 0 ||
	    jns_setns(ns, CLONE_NEWPID) < 0)) {
		e = errno;
		if (self >= 0)
			close(self);
		errno = e;
		return -1;
	}
	pid = sys_clone3(0, pidfd, cgfd);
	e = errno;
	if (self >= 0) {
		if (pid != 0)
			(void)!setns(self, CLONE_NEWPID);	/* our own */
		close(self);
	}
	errno = e;
	return (pid_t)pid;
}

void
jns_close(struct jail_ns *ns)
{
	if (ns->pidfd >= 0)
		close(ns->pidfd);
	for (int i = 0; i < JNS_COUNT; i++)
		if (ns->fd[i] >= 0)
			close(ns->fd[i]);
	jns_init(ns);
}

/*
 * A sealed, close-on-exec memfd holding an executable image (a stub), or
 * -1 where the kernel will not run one (vm.memfd_noexec=2).  Made by the
 * host's root and execute-only: a jail's process exec'ing it cannot read
 * it, so the kernel keeps the process from being traced by the jail
 * (would_dump: its memory belongs to the first user namespace that may
 * read the file, the host's).
 */
int
sys_exec_memfd(const char *name, const void *image, size_t len)
{
	unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE;
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING |
	    0x0010U /* MFD_EXEC, 6.3+ */);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (write(fd, image, len) != (ssize_t)len || fchmod(fd, 0111) < 0 ||
	    fcntl(fd, F_ADD_SEALS, seals) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A copy of descriptor fd of the process pid started at start, if it is
 * an image as sys_exec_memfd makes it: sealed against any change, the
 * host root's, execute-only, these very bytes.  So one memfd serves
 * every jail's stub.  Nothing is opened (pidfd_getfd: no open of a
 * FIFO, no device), and the process is the one named or none.  -1 if not.
 */
int
sys_exec_memfd_take(pid_t pid, uint64_t start, int fd, const void *image,
    size_t len)
{
	unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE;
	char buf[4096];
	struct stat st;
	int pfd, copy = -1;

	if (len > sizeof(buf) || (pfd = sys_pidfd_open(pid)) < 0)
		return -1;
	/* (the pidfd is older than the check: it is that process) */
	if (sys_starttime(pid) == start)
		copy = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (copy >= 0 && (fstat(copy, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 07777) != 0111 ||
	    st.st_size != (off_t)len ||
	    (fcntl(copy, F_GET_SEALS) & (int)seals) != (int)seals ||
	    pread(copy, buf, len, 0) != (ssize_t)len ||
	    memcmp(buf, image, len) != 0)) {
		close(copy);
		copy = -1;
	}
	return copy;
}

/*
 * Exec a stub (its image and the memfd holding it); returns only on
 * failure.  An image linked at the top of the address space (x86-64:
 * 2 MB under the stack's top, where the stack starts when addresses are
 * not randomized; Makefile) runs with ADDR_NO_RANDOMIZE, so that its
 * code and its stack share their page tables: 12 kB a process, not 24.
 * Without that personality it is not run at all (a randomized stack may
 * land on it, and the exec would then fail past its point of no
 * return), nor with more than STUB_ARGS of arguments (a stack that big
 * would reach down to it).  The stub gives randomization back to what
 * it execs (watchstub).
 */
#define STUB_ARGS	(256 * 1024)
int
sys_exec_stub(int fd, const void *image, char *const argv[],
    char *const envp[])
{
	const Elf64_Ehdr *eh = image;
	size_t args = 0;
	int old = -1;

	if (eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_entry >> 32 != 0) {
		for (char *const *a = argv; *a; a++)
			args += strlen(*a) + 1 + sizeof(*a);
		for (char *const *e = envp; *e; e++)
			args += strlen(*e) + 1 + sizeof(*e);
		if (args > STUB_ARGS) {
			errno = E2BIG;
			return -1;
		}
		if ((old = personality(0xffffffff)) < 0 ||
		    personality((unsigned)old | ADDR_NO_RANDOMIZE) < 0 ||
		    !(personality(0xffffffff) & ADDR_NO_RANDOMIZE)) {
			if (old >= 0)
				personality((unsigned)old);
			errno = EPERM;
			return -1;
		}
	}
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	if (old >= 0) {
		int e = errno;
		personality((unsigned)old);
		errno = e;
	}
	return -1;
}

/*
 * Overwrite our command line as seen in ps, setproctitle-style: argv
 * strings are contiguous from program_invocation_name on.
 */
void
sys_proctitle(const char *title)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 1 || program_invocation_name == NULL)
		return;
	memset(program_invocation_name, 0, (size_t)n);
	snprintf(program_invocation_name, (size_t)n, "%s", title);
	prctl(PR_SET_NAME, title);
}

/* Just entered a user namespace as host root: become root of it. */
int
sys_become_root(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 ||
	    setresuid(0, 0, 0) < 0)
		return -1;
	return 0;
}

/*
 * stat a directory as root of the jail whose holder is pid sees it: in
 * its mount namespace, with its credentials, no symlink followed.  For
 * a path a jail names (a child's root), so that the host never opens for
 * a jail what the jail itself could not, nor tells it what lies beyond.
 * 0, or -1 with the errno the jail would have got.
 */
int
sys_stat_in_jail(pid_t holder, const char *path, struct stat *st)
{
	struct { int e; struct stat st; } r = { .e = EIO };
	struct jail_ns ns;
	int p[2], status;
	pid_t pid;

	if (jns_open(holder, &ns) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		jns_close(&ns);
		return -1;
	}
	if ((pid = fork()) == 0) {
		struct open_how how = { .flags = O_PATH | O_DIRECTORY |
		    O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS };
		int fd;

		prctl(PR_SET_DUMPABLE, 0);
		if (jns_setns(&ns, CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
		    sys_become_root() < 0)
			r.e = errno;
		else if ((fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how,
		    sizeof(how))) < 0 || fstat(fd, &r.st) < 0)
			r.e = errno;
		else
			r.e = 0;
		(void)!write(p[1], &r, sizeof(r));
		_exit(0);
	}
	close(p[1]);
	jns_close(&ns);
	if (pid < 0 || read(p[0], &r, sizeof(r)) != sizeof(r))
		r.e = pid < 0 ? errno : EIO;
	close(p[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (r.e) {
		errno = r.e;
		return -1;
	}
	*st = r.st;
	return 0;
}
