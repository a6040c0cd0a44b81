/*
 * floor: the least work a jail start can do, timed.
 *
 * Each iteration makes a child in new user, mount, PID, UTS, IPC and cgroup
 * namespaces (-n: and a network namespace) in one clone, maps its root to
 * an unprivileged host range, gives it a root directory with pivot_root and
 * a fresh /proc, and runs /bin/true in it.  The parent waits.  What vjail
 * does beyond this (registry, cgroups, monitor, holder) is its overhead.
 *
 * usage: floor [-n] [iterations [root]]      (defaults: 1, /)
 * prints: floor: N iterations, mean X us, median Y us
 *
 * floor -j PID: the least work of a jexec, once: a pidfd for PID (the
 * jail's holder), one setns() into every namespace of its that differs
 * from ours, fork (a new PID namespace takes effect in children), exec
 * /bin/true in the child (its root is the jail's: setns into a mount
 * namespace moves to its root), wait.  Prints nothing; exits with the
 * child's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP_LINE "0 1073741824 65536\n"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static const char *root = "/";

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* clone3 with the given namespace flags; falls back to clone if needed. */
static pid_t clone_ns(uint64_t flags)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	return pid;
}

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, ok;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, s, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: child: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* In the child: wait for the maps, build the root, exec /bin/true. */
static void child(int go)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);	/* parent failed to map us */
	close(go);

	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		die("make / rslave");
	/* Recursive: a lone bind of a tree with locked submounts is refused. */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind root");
	/*
	 * A lookup of "/" stops at the root mount, under the bind just
	 * stacked on it; ".." steps onto the topmost mount there.
	 */
	if (chdir(root) < 0 || (strcmp(root, "/") == 0 && chdir("..") < 0))
		die("chdir root");
	/*
	 * A fresh /proc, mounted while the host's is still in sight: a user
	 * namespace may mount procfs only where one is fully visible.
	 */
	if (access("proc", F_OK) == 0 &&
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die("mount /proc");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach old root");
	if (chdir("/") < 0)
		die("chdir /");
	/* Become the jail's root (host uid 1073741824), as a jail would. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("become root");
	execl("/bin/true", "true", (char *)NULL);
	die("exec /bin/true");
}

/* One iteration; returns 0 when /bin/true ran and exited 0. */
static int run_once(uint64_t flags)
{
	char path[64];
	int go[2], status, err = 0;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0) {
		perror("floor: pipe2");
		return -1;
	}
	pid = clone_ns(flags);
	if (pid < 0) {
		perror("floor: clone3");
		close(go[0]);
		close(go[1]);
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		child(go[0]);
	}
	close(go[0]);

	/* Root of the parent's user namespace: no need to deny setgroups. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_file(path, MAP_LINE) < 0) {
		perror("floor: uid_map");
		err = -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (!err && write_file(path, MAP_LINE) < 0) {
		perror("floor: gid_map");
		err = -1;
	}
	/* One byte releases the child; EOF alone tells it to give up. */
	if (!err && write(go[1], "x", 1) != 1) {
		perror("floor: release child");
		err = -1;
	}
	close(go[1]);

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("floor: waitpid");
			return -1;
		}
	if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "floor: child failed (status 0x%x)\n", status);
		err = -1;
	}
	return err;
}

/* The setns floor: what jexec PID /bin/true cannot do with less. */
static int enter_once(const char *pidarg)
{
	static const struct { const char *name; int flag; } ns[] = {
		{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
		{ "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
		{ "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	char path[64], a[64], b[64];
	int flags = 0, pidfd, status;
	unsigned i;
	ssize_t k;
	pid_t pid = (pid_t)atoi(pidarg);

	/* Only the namespaces that differ: setns refuses our own user ns. */
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 ns[i].name);
		k = readlink(path, a, sizeof(a) - 1);
		if (k < 0) {
			perror("floor: readlink");
			return 1;
		}
		a[k] = '\0';
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		k = readlink(path, b, sizeof(b) - 1);
		b[k < 0 ? 0 : k] = '\0';
		if (strcmp(a, b) != 0)
			flags |= ns[i].flag;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("floor: pidfd_open");
		return 1;
	}
	if (setns(pidfd, flags) < 0) {
		perror("floor: setns");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("floor: fork");
		return 1;
	}
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("floor: waitpid");
			return 1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
			 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	double *t, sum = 0, median, t0;
	long n = 1, i;
	int opt;

	while ((opt = getopt(argc, argv, "nj:")) != -1) {
		if (opt == 'j')
			return enter_once(optarg);
		if (opt != 'n') {
			fprintf(stderr, "usage: floor [-n] [iterations [root]]\n"
				"       floor -j PID\n");
			return 2;
		}
		flags |= CLONE_NEWNET;
	}
	if (optind < argc) {
		char *end;

		n = strtol(argv[optind++], &end, 10);
		if (*end || n < 1) {
			fprintf(stderr, "floor: bad iteration count\n");
			return 2;
		}
	}
	if (optind < argc)
		root = argv[optind++];

	t = calloc(n, sizeof(*t));
	if (!t) {
		perror("floor: calloc");
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (run_once(flags) < 0)
			return 1;
		t[i] = now_us() - t0;
		sum += t[i];
	}
	qsort(t, n, sizeof(*t), cmp_double);
	median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	printf("floor: %ld iterations, mean %.1f us, median %.1f us\n",
	       n, sum / n, median);
	free(t);
	return 0;
}
