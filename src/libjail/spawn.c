/*
 * spawn.c - the monitor and the holder (DESIGN.md "Three processes").
 *
 * creator (jail_set)  --clone3-->  holder (PID 1)
 *                      --fork---->  monitor (while the holder sets up)
 *                      --vfork--->  locker (when the holder asks: the
 *                                   jail's root may make mount calls)
 *
 * The creator writes the holder's id maps, makes the idmapped root (only
 * the owner of the file system may) and hands it to the holder; then it
 * forks the monitor, so that neither waits for the other, and waits for
 * both to say ready.  The holder's table, built in the jail's
 * namespaces, is masked and locked by the locker on its way (fs.c:
 * fs_lock).  The monitor stays in the host's namespaces, outside
 * the jail's cgroup; once the creator has recorded the jail it watches:
 * holder gone, or a non-persistent jail's jail/ cgroup empty, means
 * teardown under the registry lock.  (The holder is the creator's child,
 * not the monitor's: its pidfd tells the monitor it is gone, and whoever
 * inherits it reaps it.)
 *
 * A child jail's holder must be born inside the parent's user and PID
 * namespaces, so the creator forks a helper that setns()es into the
 * parent and forks once more (a PID namespace applies to children) before
 * cloning; the helper writes the maps (only the parent user namespace
 * may) and passes the holder's pidfd back.
 *
 * Messages are SOCK_SEQPACKET datagrams of struct msg.
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
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/openat2.h>

#include "vjail.h"
#include "initstub.h"	/* build/gen: static const unsigned char initstub[] */
#include "watchstub.h"	/* build/gen: static const unsigned char watchstub[] */

enum { M_GO = 1, M_READY, M_ERROR, M_COMMIT, M_PIDFD, M_LOCK, M_TABLE };

struct msg {
	int	type;
	char	text[JAIL_ERRMSGLEN];
};

static int commit_sock = -1;	/* creator's end, until spawn_commit */
static struct confine holder_confine;	/* prepared by the creator */

static int
send_msg(int sock, int type, const char *text, int fd)
{
	struct msg m = { .type = type };

	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	return sys_send_fd(sock, &m, sizeof(m), fd);
}

/* Setup steps are bounded: a hung step (say, a FUSE mount in a child's
 * tree) must not hold the registry lock forever. */
#define SETUP_TIMEOUT_MS	30000

/* Receive one message; EOF, error or timeout read as M_ERROR. */
static int
recv_msg_within(int sock, struct msg *m, int *fd, const char *who,
    int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n = -1;
	int rc;

	if (fd)
		*fd = -1;
	while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (rc > 0)
		n = sys_recv_fd(sock, m, sizeof(*m), fd);
	if (n == (ssize_t)sizeof(*m)) {
		/* the sender may be a jail's process: a string either way */
		m->text[sizeof(m->text) - 1] = '\0';
		return m->type;
	}
	m->type = M_ERROR;
	snprintf(m->text, sizeof(m->text), rc == 0 ?
	    "%s did not answer within %d s" : "%s exited during setup", who,
	    SETUP_TIMEOUT_MS / 1000);
	return M_ERROR;
}

#define recv_msg(s, m, fd, who) recv_msg_within(s, m, fd, who, \
    SETUP_TIMEOUT_MS)

/* Close every descriptor but keep[0..n). */
static void
close_all_but(const int *keep, int n)
{
	int lo = 3;

	for (;;) {
		int next = -1;
		for (int i = 0; i < n; i++)
			if (keep[i] >= lo && (next < 0 || keep[i] < next))
				next = keep[i];
		if (next < 0) {
			syscall(SYS_close_range, lo, ~0U, 0);
			return;
		}
		if (next > lo)
			syscall(SYS_close_range, lo, next - 1, 0);
		lo = next + 1;
	}
}

static void
devnull_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* ----- the stubs' images: one memfd of each for every jail ----- */

/*
 * A jail's holder and its resting monitor run stubs from sealed memfds
 * (sys_exec_memfd): rather than a page and an inode of each a jail, one
 * of each serves them all.  A monitor that made its images names itself
 * in the registry (reg_stubs_claim: pid:start) and holds
 * them at W_STUB and W_INIT; the next creator and monitor take copies
 * (sys_exec_memfd_take checks them byte for byte), or make their own.
 */
static int holder_image = -1;	/* the creator's initstub, for the holder
				   and the monitor it forks */
static bool stubs_made;		/* this monitor made its watchstub */

static int
stub_image(int slot, const char *name, const unsigned char *image,
    size_t len, bool *made)
{
	uint64_t start;
	pid_t pid;
	int fd = -1;

	if (reg_stubs_owner(&pid, &start) == 0)
		fd = sys_exec_memfd_take(pid, start, slot, image, len);
	if (fd < 0 && (fd = sys_exec_memfd(name, image, len)) >= 0 && made)
		*made = true;
	return fd;
}

static void
holder_close(void)
{
	if (holder_image >= 0)
		close(holder_image);
	holder_image = -1;
}

/* ----- holder ----- */

static void
holder_signal(int sig)
{
	(void)sig;	/* a handler must exist: PID 1 drops default signals */
}

/*
 * PID 1 of the jail: reap orphans, relay SIGTERM to the whole jail.
 * Exec'd from initfd (stub/initstub.c: the same loop in a few pages, not
 * the monitor's image kept for the jail's life), or run here if the
 * kernel will not exec a memfd.
 */
static void __attribute__((noreturn))
holder_loop(int initfd)
{
	char *const argv[] = { "vjail-holder", NULL }, *const envp[] = { NULL };
	sigset_t all;
	siginfo_t si;

	signal(SIGTERM, holder_signal);
	signal(SIGCHLD, holder_signal);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);	/* kept across exec */
	if (initfd >= 0)
		sys_exec_stub(initfd, initstub, argv, envp);
	for (;;) {
		if (sigwaitinfo(&all, &si) < 0)
			continue;
		if (si.si_signo == SIGTERM)
			kill(-1, SIGTERM);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

void
holder_main(const struct jail_rec *jr, int sock)
{
	char err[JAIL_ERRMSGLEN] = "";
	struct msg m;
	int rootfd, tablefd, initfd = holder_image,
	    keep[2] = { sock, holder_image };

	/* Only the creator's socket (and the stub's image): no other
	 * descriptor of the host's, not even its stdio. */
	close_all_but(keep, 2);
	devnull_stdio();
	/* made while we are still the host's root: see sys_exec_memfd */
	if (initfd < 0)
		initfd = sys_exec_memfd("vjail-holder", initstub,
		    sizeof(initstub));
	if (recv_msg(sock, &m, &rootfd, "creator") != M_GO)
		_exit(1);
	/* Maps are written: no tracing of PID 1 from now on. */
	prctl(PR_SET_DUMPABLE, 0);
	/* Named now, while the host's /proc still shows us. */
	sys_proctitle("vjail-holder");
	/* Become the jail's root: host uid of its range, not host root. */
	if (sys_become_root() < 0) {
		jerrno(err, "holder: becoming root of the jail");
		goto fail;
	}
	/* A child jail was moved into its cgroup after birth. */
	if (m.text[0] && unshare(CLONE_NEWCGROUP) < 0) {
		jerrno(err, "holder: cgroup namespace");
		goto fail;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		jerrno(err, "holder: mount propagation");
		goto fail;
	}
	for (const struct module *const *mod = modules; *mod; mod++)
		if ((*mod)->setup && (*mod)->setup(jr, rootfd, err) < 0)
			goto fail;
	close(rootfd);
	/* Built in our own namespaces, nothing of the table is locked: where
	 * the jail's root may make mount calls, the creator has it masked
	 * and locked (fs_lock), and we move in (else fs_setup masked it). */
	if (jr->table == TABLE_LOCKED) {
		fs_lock_plan(jr, m.text, FS_PLAN_LEN);
		if (send_msg(sock, M_LOCK, m.text, -1) < 0)
			_exit(1);
		if (recv_msg(sock, &m, &tablefd, "creator") != M_TABLE) {
			snprintf(err, sizeof(err), "%s", m.text);
			goto fail;
		}
		if (setns(tablefd, CLONE_NEWNS) < 0 || chdir("/") < 0) {
			jerrno(err, "holder: entering its locked mount table");
			goto fail;
		}
		close(tablefd);
	}
	if (confine_apply(&holder_confine, err) < 0)
		goto fail;
	/* The jail's door to its monitor, in its own /dev. */
	int lfd = jr->devfs ? svc_listen(err) : -1;
	if (jr->devfs && lfd < 0)
		goto fail;
	if (send_msg(sock, M_READY, NULL, lfd) < 0)
		_exit(1);
	close_all_but(&initfd, initfd >= 0);
	devnull_stdio();
	holder_loop(initfd);
fail:
	send_msg(sock, M_ERROR, err, -1);
	_exit(1);
}

/* ----- monitor ----- */

/* The detached idmapped root: on-disk ids seen through the jail's map. */
static int
idmapped_root(const struct jail_rec *jr, pid_t holder, char *err)
{
	/*
	 * Private: a clone of a shared mount is a peer of it, and what the
	 * holder mounts on the jail's root (its /proc, /dev, the cover over
	 * the registry) would otherwise show up in the host's tree.  Nodev:
	 * device nodes are /dev's (FreeBSD's devfs); setuid as the tree is
	 * the jail's own (a host guard above may be nosuid: fs.c).
	 */
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP |
	    MOUNT_ATTR_NODEV, .attr_clr = MOUNT_ATTR_NOSUID,
	    .propagation = MS_PRIVATE };
	char path[64];
	int tree, userns;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)holder);
	if ((userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "path: %s", path);
	/*
	 * The path was made canonical at check; a symlink in it now means
	 * someone (a jail owning part of the path) swapped one in since.
	 */
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int dir = (int)syscall(SYS_openat2, AT_FDCWD, jr->path, &how,
	    sizeof(how));
	/* ... and the directory must still be the one that was checked. */
	struct stat st;
	if (dir >= 0 && jr->root_ino && (fstat(dir, &st) < 0 ||
	    st.st_dev != jr->root_dev || st.st_ino != jr->root_ino)) {
		close(dir);
		dir = -1;
		errno = ESTALE;
	}
	tree = dir < 0 ? -1 : (int)syscall(SYS_open_tree, dir, "",
	    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0) {
		if (errno == ESTALE)
			jerr(err, "path: it changed since it was checked");
		else
			jerrno(err, "path: %s", jr->path);
		if (dir >= 0)
			close(dir);
		close(userns);
		return -1;
	}
	close(dir);
	attr.userns_fd = (uint64_t)userns;
	/*
	 * Not the jail's own tree (the host's root, or under a parent whose
	 * root was not handed over): seen without an idmap its files belong
	 * to nobody in the jail, and nothing on it runs setuid (DESIGN.md:
	 * the jail's root has no power over the host's).
	 */
	if (!jr->idmapped) {
		attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
		attr.attr_clr = 0;
		attr.userns_fd = 0;
	}
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
	    sizeof(attr)) < 0) {
		jerrno(err, "path: %s: idmapped mount", jr->path);
		close(tree);
		tree = -1;
	}
	close(userns);
	return tree;
}

/*
 * Clone a child jail's holder from inside the parent jail.  Runs in a
 * forked helper; sends the holder's pidfd (or an error) on `back`.
 */
static void __attribute__((noreturn))
spawn_nested(const struct jail_rec *jr, const struct jail_rec *parent,
    int hsock, int back)
{
	char err[JAIL_ERRMSGLEN] = "";
	int ppidfd, hpidfd = -1, st, keep[2] = { hsock, back }, hostproc,
	    priv[2];
	struct msg m;
	long h;
	pid_t inner;

	/*
	 * This helper ("outer") enters the parent jail's namespaces but stays
	 * host uid 0 and non-dumpable: invisible in the jail's PID space and
	 * out of its reach, it alone holds the host's /proc and the creator's
	 * socket.  The "inner" fork, the jail's root in its PID space, only
	 * clones the holder and hands back its pidfd.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	close_all_but(keep, 2);
	holder_image = -1;	/* (closed: the holder makes its own) */
	devnull_stdio();	/* not the creator's into the parent jail */
	hostproc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (hostproc < 0 || (ppidfd = sys_pidfd_open(parent->holder)) < 0 ||
	    setns(ppidfd, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
	    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, priv) < 0) {
		jerrno(err, "entering the parent jail");
		send_msg(back, M_ERROR, err, -1);
		_exit(1);
	}
	if ((inner = fork()) < 0) {
		jerrno(err, "fork");
		send_msg(back, M_ERROR, err, -1);
		_exit(1);
	}
	if (inner == 0) {
		int ikeep[2] = { hsock, priv[1] };
		close_all_but(ikeep, 2);
		/* a new user namespace needs an owner mapped in its parent */
		if (sys_become_root() < 0)
			_exit(1);
		prctl(PR_SET_DUMPABLE, 0);
		h = sys_clone3((uint64_t)(jail_nsflags(jr) & ~CLONE_NEWCGROUP),
		    &hpidfd, -1);
		if (h == 0)
			holder_main(jr, hsock);
		send_msg(priv[1], h < 0 ? M_ERROR : M_PIDFD, h < 0 ?
		    strerror(errno) : NULL, hpidfd);
		_exit(0);
	}
	close(priv[1]);
	if (recv_msg(priv[0], &m, &hpidfd, "helper") != M_PIDFD || hpidfd < 0) {
		kill(inner, SIGKILL);
		waitpid(inner, &st, 0);
		snprintf(err, sizeof(err), "clone3: %s", m.text);
		send_msg(back, M_ERROR, err, -1);
		_exit(1);
	}
	waitpid(inner, &st, 0);
	/* The child maps onto its own part of the parent's range (root in
	 * the child is not root of the parent, nor of a sibling), seen from
	 * the parent; through the host's /proc, which the parent cannot fake. */
	if (sys_uid_map(hostproc, sys_pidfd_pid_at(hostproc, hpidfd),
	    (jr->uidslot - parent->uidslot) * JAIL_UIDCOUNT,
	    jr->uidslots * JAIL_UIDCOUNT, err) < 0) {
		sys_pidfd_send_signal(hpidfd, SIGKILL);
		send_msg(back, M_ERROR, err, -1);
		_exit(1);
	}
	send_msg(back, M_PIDFD, NULL, hpidfd);
	_exit(0);
}

#ifndef NS_GET_PARENT
#define NS_GET_PARENT	_IO(0xb7, 0x2)
#endif

/* Is pid's user namespace a child of the one with inode parent_ino? */
static bool
userns_child_of(pid_t pid, uint64_t parent_ino)
{
	char path[64];
	struct stat st;
	int fd, pfd;
	bool yes = false;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if ((pfd = ioctl(fd, NS_GET_PARENT)) >= 0) {
		yes = fstat(pfd, &st) == 0 && st.st_ino == parent_ino;
		close(pfd);
	}
	close(fd);
	return yes;
}

/*
 * The helper that locks the holder's table (fs_lock: host root, it masks
 * the table and copies it into the jail's user namespace, then hands the
 * holder the locked copy, or the reason not).  It shares our memory until
 * it exits (CLONE_VM | CLONE_VFORK: nothing of ours copied, nor torn down
 * at its exit), all signals blocked (no handler of ours runs in it).  We
 * resume when its memory is released, before its exit closes what it
 * holds (the tables it passed through: their teardown off our path); it
 * is reaped once the record is committed.  No deadline of ours can stop
 * it while we wait, so it only does what the kernel does at once: mount
 * calls on the paths the holder has just walked, under its own /proc
 * and /sys.
 */
static struct locker {
	pid_t	pid;
	int	pidfd;
	const struct jail_rec *jr;
	int	hpidfd, hsock;
	const char *plan;
} locker = { .pid = -1, .pidfd = -1 };

#define LOCKER_STACK	(64 * 1024)

static int
locker_run(void *arg)
{
	struct locker *lk = arg;
	char e[JAIL_ERRMSGLEN] = "";
	int nsfd = -1, pass[2] = { -1, -1 };

	fault_point("fs-lock");
	if (fs_lock(lk->jr, lk->hpidfd, lk->plan, &nsfd, pass, e) < 0)
		return send_msg(lk->hsock, M_ERROR, e, -1) < 0 ? 2 : 1;
	return send_msg(lk->hsock, M_TABLE, NULL, nsfd) < 0 ? 2 : 0;
}

/* Reap the helper (killed first unless it did its part): its status. */
static int
locker_end(bool kill_it)
{
	int st = 0;

	if (locker.pid <= 0)
		return 0;
	if (kill_it)
		kill(locker.pid, SIGKILL);
	close(locker.pidfd);
	while (waitpid(locker.pid, &st, 0) < 0 && errno == EINTR)
		;
	locker.pid = -1;
	locker.pidfd = -1;
	return st;
}

/*
 * The holder asked for its table to be locked (m: its plan): the helper
 * does it, then the holder's next word is awaited, unless the helper
 * died without doing its part (its error, if any, went to the holder,
 * which says it).
 */
static int
locker_go(const struct jail_rec *jr, int hpidfd, int hsock, struct msg *m,
    int *fd)
{
	struct pollfd p[2] = { { .fd = hsock, .events = POLLIN },
	    { .fd = -1, .events = POLLIN } };
	int dumpable = prctl(PR_GET_DUMPABLE), st;
	sigset_t all, old;
	void *stack;
	long pid = -1;

	locker = (struct locker){ .pid = -1, .pidfd = -1, .jr = jr,
	    .hpidfd = hpidfd, .hsock = hsock, .plan = m->text };
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* in the jail's namespaces soon: not to be traced there (our
	 * memory's flag while it is shared) */
	prctl(PR_SET_DUMPABLE, 0);
	stack = mmap(NULL, LOCKER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack != MAP_FAILED && mprotect(stack, 4096, PROT_NONE) == 0)
		pid = sys_clone3_vfork(&locker.pidfd, -1, (char *)stack + 4096,
		    LOCKER_STACK - 4096, locker_run, &locker);
	else
		errno = ENOSYS;
	if (pid < 0 && errno == ENOSYS &&
	    (pid = sys_clone3(0, &locker.pidfd, -1)) == 0)
		_exit(locker_run(&locker));
	if (stack != MAP_FAILED)
		munmap(stack, LOCKER_STACK);
	if (dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		m->type = M_ERROR;
		snprintf(m->text, sizeof(m->text), "holder: fork: %s",
		    strerror(errno));
		return M_ERROR;
	}
	locker.pid = (pid_t)pid;
	p[1].fd = locker.pidfd;
	while (poll(p, 2, SETUP_TIMEOUT_MS) < 0 && errno == EINTR)
		;
	if (!p[0].revents && p[1].revents) {
		st = locker_end(false);
		if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
			m->type = M_ERROR;
			snprintf(m->text, sizeof(m->text), "holder: the helper "
			    "locking its mount table exited");
			return M_ERROR;
		}
	}
	return recv_msg(hsock, m, fd, "holder");
}

/* Start the holder; returns its pidfd (in the creator). */
static int
start_holder(const struct jail_rec *jr, const struct jail_rec *parent,
    int hsock, char *err)
{
	int hpidfd = -1, cgfd, back[2], st;
	struct msg m;
	pid_t helper;
	long h;

	if (parent == NULL) {
		if ((cgfd = open(jr->cgroup, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			return jerrno(err, "cgroup: %s", jr->cgroup);
		h = sys_clone3((uint64_t)jail_nsflags(jr), &hpidfd, cgfd);
		if (h == 0)
			holder_main(jr, hsock);
		close(cgfd);
		if (h < 0)
			return jerrno(err, "clone3");
		if (sys_uid_map(-1, (pid_t)h, JAIL_UIDBASE +
		    jr->uidslot * JAIL_UIDCOUNT, jr->uidslots * JAIL_UIDCOUNT,
		    err) < 0) {
			sys_pidfd_send_signal(hpidfd, SIGKILL);
			return -1;
		}
		return hpidfd;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, back) < 0)
		return jerrno(err, "socketpair");
	if ((helper = fork()) == 0) {
		close(back[0]);
		spawn_nested(jr, parent, hsock, back[1]);
	}
	close(back[1]);
	if (helper < 0) {
		close(back[0]);
		return jerrno(err, "fork");
	}
	if (recv_msg(back[0], &m, &hpidfd, "helper") != M_PIDFD || hpidfd < 0) {
		jerr(err, "%s", m.text);
		hpidfd = -1;
	}
	close(back[0]);
	kill(helper, SIGKILL);	/* done or hung: either way, gone */
	waitpid(helper, &st, 0);
	/* Only a process born in the parent's user namespace is a holder. */
	if (hpidfd >= 0 && !userns_child_of(sys_pidfd_pid(hpidfd),
	    parent->userns)) {
		close(hpidfd);
		errno = EPERM;
		return jerr(err, "holder: not a child of the parent jail");
	}
	if (hpidfd >= 0 && cg_move(jr->cgroup, sys_pidfd_pid(hpidfd), err) < 0) {
		sys_pidfd_send_signal(hpidfd, SIGKILL);
		close(hpidfd);
		return -1;
	}
	return hpidfd;
}

/* Under the registry lock: is this still our jail, and must it go? */
static void
monitor_teardown(int jid, uint64_t start, bool holder_gone)
{
	char err[JAIL_ERRMSGLEN], dir[PATH_MAX + 8];
	struct registry r;
	struct jail_rec cur;

	if (reg_open(&r, true, err) < 0)
		return;
	if (reg_load(&r, jid, &cur) == 0 && cur.holder_start == start &&
	    cur.state != JS_CREATING) {
		snprintf(dir, sizeof(dir), "%s/jail", cur.cgroup);
		/* Empty: a dying jail (an interrupted jail -r) goes, and a
		 * non-persistent one unless children keep it (core decides). */
		if (holder_gone || (cg_populated(dir) == 0 && (cur.state == JS_DYING ||
		    (!cur.persist && cur.state == JS_ALIVE)))) {
			cur.holder_ended = holder_gone;	/* (its pidfd said so) */
			core_remove_locked(&r, &cur, err);	/* + cascade */
		}
	}
	reg_close(&r);
}

/*
 * The creator went without a word: if it had recorded the jail ALIVE,
 * the jail is made and ours to watch (false); if not, undo it from its
 * record while the holder lives (links moved into its stack go back
 * first) and say so (true).  The creator's own timeouts bound its
 * steps, so there is no other deadline here.
 */
static bool
monitor_abandoned(const struct jail_rec *jr, uint64_t start)
{
	char err[JAIL_ERRMSGLEN];
	struct registry r;
	struct jail_rec cur;
	bool made = false;

	if (reg_open(&r, true, err) < 0)
		return true;
	if (reg_load(&r, jr->jid, &cur) == 0) {
		made = cur.state == JS_ALIVE && cur.holder_start == start;
		if (cur.state == JS_CREATING && cur.creator == jr->creator &&
		    cur.creator_start == jr->creator_start)
			core_remove_locked(&r, &cur, err);
	}
	reg_close(&r);
	return !made;
}

static void
on_sigchld(int sig)
{
	(void)sig;	/* interrupts poll, so children are reaped below */
}

/* What the monitor watches for the rest of the jail's life. */
static struct watch {
	int	jid, hpidfd, ev, lfd, sig;	/* ev: cgroup.events; sig: pokes */
	uint64_t start;		/* the holder's start time */
	char	cgroup[PATH_MAX];
} watch = { .ev = -1, .sig = -1 };

/* ----- between events: the watcher (stub/watchstub.c) ----- */

/*
 * A monitor works only when something happens, and lives as long as its
 * jail: once its jail has been quiet for MONITOR_LINGER_MS it execs the
 * watcher stub, which execs the monitor's program again on an event, and
 * the program resumes as the monitor before its main (monitor_resume).
 * Its descriptors are kept at fixed places across these execs.
 */
enum { W_HOLDER = 3, W_EVENTS, W_SERVICE, W_PROGRAM, W_SIGNAL, W_STUB,
    W_INIT, W_EVFILE, W_END };
/*
 * Where descriptors wait out of the places: W_END, not 64, as anything
 * at 64 or above grows the files table (a 1 kB array kept for the
 * jail's life by the monitor and its watcher, which share it).
 */
#define W_OUT	W_END
#define WATCH_ENV	"VJAIL_MONITOR"		/* jid:start:cgroup */
#define MONITOR_LINGER_MS	2000

/* A monitor holding both images, one it made: name it for the next. */
static void
stub_publish(void)
{
	pid_t self = getpid();

	if (!stubs_made || fcntl(W_INIT, F_GETFD) < 0)
		return;
	stubs_made = false;
	reg_stubs_claim(self, sys_starttime(self));
}

/* Does the jail end when it empties?  Its record says. */
static bool
ends_empty(void)
{
	char err[JAIL_ERRMSGLEN];
	struct registry r;
	struct jail_rec cur;
	bool e = true;

	if (reg_open(&r, false, err) < 0)
		return true;
	if (reg_load(&r, watch.jid, &cur) == 0 && cur.holder_start == watch.start)
		e = !cur.persist || cur.state == JS_DYING;
	reg_close(&r);
	return e;
}

/* The monitor's descriptors to their places: 0, or -1 (nothing moved). */
static int
watch_place(void)
{
	int fds[W_END - W_HOLDER] = { -1, -1, -1, -1, -1, -1, -1, -1 }, i;
	char dir[PATH_MAX + 8];
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);	/* blocked since monitor_main */
	snprintf(dir, sizeof(dir), "%s/jail", watch.cgroup);
	fds[0] = watch.hpidfd;
	fds[1] = cg_events_open(dir);
	fds[2] = watch.lfd;
	fds[3] = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	fds[4] = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
	/* (optional, as the service: where none, the holder made its own,
	 * and monitor_watch tries again) */
	fds[W_STUB - W_HOLDER] = stub_image(W_STUB, "vjail-monitor",
	    watchstub, sizeof(watchstub), &stubs_made);
	fds[W_INIT - W_HOLDER] = holder_image;
	for (i = 0; i < W_END - W_HOLDER; i++)
		if ((i < W_STUB - W_HOLDER && i != 2 && fds[i] < 0) ||
		    (fds[i] >= 0 &&
		    (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, W_OUT)) < 0))
			return -1;
	for (i = 0; i < W_END - W_HOLDER; i++)
		if (fds[i] >= 0 && dup3(fds[i], W_HOLDER + i, 0) < 0)
			return -1;
	syscall(SYS_close_range, W_EVFILE, ~0U, 0);	/* (the watcher's) */
	if (watch.lfd < 0)
		close(W_SERVICE);
	if (fds[W_STUB - W_HOLDER] < 0)
		close(W_STUB);
	if (holder_image < 0)
		close(W_INIT);
	holder_image = -1;
	stub_publish();
	watch.hpidfd = W_HOLDER;
	watch.ev = W_EVENTS;
	watch.lfd = watch.lfd < 0 ? -1 : W_SERVICE;
	watch.sig = W_SIGNAL;
	cg_events_populated(W_EVENTS);	/* arms it */
	return 0;
}

/*
 * What tells the watcher of a change of cgroup.events, where the jail's
 * emptying is an event: an edge-triggered epoll (W_EVENTS) over a
 * descriptor never read (W_EVFILE), one report a change.  A read one
 * keeps a 4 kB buffer for the jail's life; an unread one polls as
 * changed until read, and only an edge trigger makes it an event.
 * 0: in place; 1: a change since the last read (handle it awake);
 * -1: cannot be had.
 */
/* fd moved out of the fixed places, or -1. */
static int
fd_high(int fd)
{
	int high = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, W_OUT);

	if (fd >= 0)
		close(fd);
	return high;
}

static int
watch_events(void)
{
	struct epoll_event ev = { .events = EPOLLPRI | EPOLLET }, out;
	struct pollfd p = { .events = POLLPRI };
	char dir[PATH_MAX + 8];
	int fd = -1, ep = -1, rc = -1;

	snprintf(dir, sizeof(dir), "%s/jail", watch.cgroup);
	/* (all out of the places to fill) */
	if (watch.ev < 0 || (watch.ev = p.fd = fd_high(watch.ev)) < 0)
		return -1;
	if ((fd = fd_high(cg_events_open(dir))) >= 0 &&
	    (ep = fd_high(epoll_create1(0))) >= 0 &&
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0) {
		while (epoll_wait(ep, &out, 1, 0) > 0)
			;	/* (the report of the open itself) */
		/* after that drain: a change since the old one was read? */
		if (poll(&p, 1, 0) > 0)
			rc = 1;
		else if (dup3(ep, W_EVENTS, 0) == W_EVENTS &&
		    dup3(fd, W_EVFILE, 0) == W_EVFILE)
			rc = 0;
	}
	if (fd >= 0)
		close(fd);
	if (ep >= 0)
		close(ep);
	if (rc == 0) {		/* (opened again if the exec fails) */
		close(watch.ev);
		watch.ev = -1;
	}
	return rc;
}

/*
 * Become the watcher until something happens: children reaped by the
 * kernel meanwhile, what to wait for from the record, the stub exec'd.
 * Returns 1 if a change is pending, -1 if the watcher cannot be had.
 */
static int
monitor_watch(void)
{
	static char envbuf[PATH_MAX + 128];
	char mode[3] = "", **envp;
	char *argv[] = { "vjail-monitor", mode, NULL };
	int n = 0, k = 0, fd;

	if (fcntl(W_STUB, F_GETFD) < 0) {
		if ((fd = stub_image(W_STUB, "vjail-monitor", watchstub,
		    sizeof(watchstub), &stubs_made)) < 0)
			return -1;
		if (fd == W_STUB ? fcntl(fd, F_SETFD, 0) < 0 :
		    dup3(fd, W_STUB, 0) < 0)
			return -1;
		if (fd != W_STUB)
			close(fd);
	}
	/* where emptying is no event, no cgroup.events at all (opened
	 * again if the exec fails, or once awake) */
	if (ends_empty()) {
		mode[k++] = 'e';
		if ((n = watch_events()) != 0)
			return n;
	} else if (watch.ev >= 0) {
		close(watch.ev);
		watch.ev = -1;
	}
	n = 0;
	if (watch.lfd >= 0)
		mode[k++] = 's';
	snprintf(envbuf, sizeof(envbuf), WATCH_ENV "=%d:%llu:%s", watch.jid,
	    (unsigned long long)watch.start, watch.cgroup);
	for (char **e = environ; *e; e++)
		n++;
	if ((envp = calloc((size_t)n + 2, sizeof(*envp))) == NULL)
		return -1;
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, WATCH_ENV "=", sizeof(WATCH_ENV)) != 0)
			envp[n++] = *e;
	envp[n] = envbuf;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	signal(SIGCHLD, SIG_IGN);
	sys_exec_stub(W_STUB, watchstub, argv, envp);
	signal(SIGCHLD, SIG_DFL);
	free(envp);
	if (watch.ev < 0) {	/* (the watcher's: cgroup.events reopened) */
		close(W_EVENTS);
		close(W_EVFILE);
	}
	return -1;
}


/*
 * Handle what happens until quiet for timeout_ms (-1: for ever, where no
 * watcher can be had).  Lingering a while means a burst of requests, or
 * a jail hammering its service, costs one exec, not one each.
 * empty_unknown: the watcher read cgroup.events, so a change it saw is
 * not pending here.
 */
static void
monitor_linger(bool empty_unknown, int timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_sigchld };
	struct signalfd_siginfo si;
	char dir[PATH_MAX + 8];
	int n = 1, e = 0;

	snprintf(dir, sizeof(dir), "%s/jail", watch.cgroup);
	/* Monitors of child jails made through the service are ours. */
	sigaction(SIGCHLD, &sa, NULL);
	for (;;) {
		struct pollfd p[4] = { { .fd = watch.hpidfd, .events = POLLIN },
		    { .fd = watch.ev, .events = POLLPRI },
		    { .fd = watch.lfd, .events = POLLIN },
		    { .fd = watch.sig, .events = POLLIN } };

		if (!empty_unknown) {
			/* (cgroup.events unopened, out of descriptors:
			 * tried again every 250 ms) */
			n = poll(p, 4, watch.ev < 0 ? 250 : timeout_ms);
			e = errno;
			if (n == 0 && watch.ev >= 0)
				return;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (n < 0 && e != EINTR)
			return;
		/* (drained before the record is read: a change after
		 * that wakes us again) */
		while (watch.sig >= 0 && read(watch.sig, &si, sizeof(si)) > 0)
			;
		if (p[0].revents) {
			monitor_teardown(watch.jid, watch.start, true);
			_exit(0);
		}
		if (watch.ev < 0 && (watch.ev = cg_events_open(dir)) >= 0)
			empty_unknown = true;
		/* The registry decides (persist, children). */
		if ((empty_unknown || p[1].revents) && watch.ev >= 0 &&
		    cg_events_populated(watch.ev) == 0)
			monitor_teardown(watch.jid, watch.start, false);
		if (p[2].revents)
			svc_serve(watch.lfd, watch.jid);
		empty_unknown = false;
	}
}

/* Handle events until quiet, then watch; for ever if no watcher. */
static void __attribute__((noreturn))
monitor_rest(bool empty_unknown)
{
	do {
		monitor_linger(empty_unknown, MONITOR_LINGER_MS);
		empty_unknown = false;
	} while (monitor_watch() > 0);
	monitor_linger(watch.ev < 0, -1);	/* (no watcher to be had) */
	_exit(1);
}

/*
 * The watcher exec'd our program again: before its main, be the monitor
 * once more (any program using libjail carries this, since any may have
 * made a jail), then go back to watching.
 */
static void __attribute__((constructor))
monitor_resume(int argc, char **argv)
{
	const char *v = getenv(WATCH_ENV);
	char link[32] = "";
	unsigned long long start;
	int jid, off = 0;

	if (v == NULL || argc != 2 || strcmp(argv[0], "vjail-monitor") != 0 ||
	    sscanf(v, "%d:%llu:%n", &jid, &start, &off) != 2 ||
	    off == 0 || readlink("/proc/self/fd/3", link, sizeof(link) - 1) < 0 ||
	    strcmp(link, "anon_inode:[pidfd]") != 0)
		return;
	/* (W_EVENTS was the watcher's epoll: cgroup.events is opened anew) */
	close(W_EVENTS);
	close(W_EVFILE);
	watch = (struct watch){ .jid = jid, .start = start, .hpidfd = W_HOLDER,
	    .ev = -1, .lfd = strchr(argv[1], 's') ? W_SERVICE : -1,
	    .sig = W_SIGNAL };
	snprintf(watch.cgroup, sizeof(watch.cgroup), "%s", v + off);
	core_serving = true;
	spawn_register();
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	monitor_rest(true);
}

/*
 * The monitor, forked by the creator once the holder is setting up (off
 * the creation's path): it says it is there, then waits for the record
 * to be committed (the service socket comes with the word) and watches.
 */
static void __attribute__((noreturn))
monitor_main(const struct jail_rec *jr, int csock, int hpidfd)
{
	int keep[3] = { csock, hpidfd, holder_image }, lfd = -1;
	struct msg m;
	pid_t hpid = sys_pidfd_pid(hpidfd);
	sigset_t usr1;

	/* the registry's pokes (monitor_poke) are read by a signalfd */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	setsid();
	core_serving = true;
	close_all_but(keep, 3);
	devnull_stdio();
	(void)!chdir("/");	/* pin no mount of the creator's */
	signal(SIGPIPE, SIG_IGN);
	fault_point("monitor-setup");
	if (send_msg(csock, M_READY, NULL, -1) < 0)
		_exit(1);
	sys_proctitle("vjail-monitor");
	/* Wait for the creator to record the jail; if it dies, undo it
	 * from its record while the holder lives (links moved into its
	 * stack go back first), then make sure the holder is gone. */
	fault_point("monitor-ready");
	if (recv_msg_within(csock, &m, &lfd, "creator", -1) != M_COMMIT &&
	    monitor_abandoned(jr, sys_starttime(hpid))) {
		sys_pidfd_send_signal(hpidfd, SIGKILL);
		_exit(1);
	}
	close(csock);
	/* (the holder is the creator's child, never ours to reap) */
	watch = (struct watch){ .jid = jr->jid, .hpidfd = hpidfd, .ev = -1,
	    .lfd = lfd, .sig = -1, .start = jr->holder_start };
	snprintf(watch.cgroup, sizeof(watch.cgroup), "%s", jr->cgroup);
	if (watch_place() == 0)
		monitor_rest(false);
	monitor_linger(watch.ev < 0, -1);	/* (no watcher to be had) */
	_exit(1);
}

static int commit_lfd = -1;	/* the service socket, for the monitor */

/*
 * Called by the creator with the record CREATING (the registry not
 * locked).  The creator clones the holder, writes its maps and hands it
 * its root, then forks the monitor while the holder sets up.  On success
 * *pidfd is the holder's and jr holds its facts.
 */
int
spawn_jail(struct jail_rec *jr, const struct jail_rec *parent, int *pidfd,
    char *err)
{
	int hs[2], cs[2] = { -1, -1 }, hpidfd, rootfd, lfd = -1;
	struct msg m;
	pid_t hpid, mon = -1;

	/* the holder's confinement, compiled here where the cache is */
	if (jail_confine_prepare(jr, &holder_confine, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hs) < 0) {
		confine_free(&holder_confine);
		return jerrno(err, "socketpair");
	}
	/* The holder keeps its end across clone3 and closes the rest. */
	holder_image = stub_image(W_INIT, "vjail-holder", initstub,
	    sizeof(initstub), NULL);
	hpidfd = start_holder(jr, parent, hs[1], err);
	close(hs[1]);
	confine_free(&holder_confine);	/* the holder has its copy */
	if (hpidfd < 0) {
		close(hs[0]);
		holder_close();
		return -1;
	}
	hpid = sys_pidfd_pid(hpidfd);
	/* Start times read while the holder and the monitor wait for us
	 * (neither can have been reaped yet): off the path we wait on, and
	 * the monitor inherits the holder's. */
	jr->holder_start = sys_starttime(hpid);
	if ((rootfd = idmapped_root(jr, hpid, err)) < 0)
		goto kill;
	if (send_msg(hs[0], M_GO, parent ? "nested" : NULL, rootfd) < 0) {
		close(rootfd);
		jerrno(err, "holder");
		goto kill;
	}
	close(rootfd);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cs) < 0) {
		jerrno(err, "socketpair");
		goto kill;
	}
	if ((mon = fork()) < 0) {
		jerrno(err, "fork");
		goto kill;
	}
	if (mon == 0)
		monitor_main(jr, cs[1], hpidfd);
	jr->monitor_start = sys_starttime(mon);
	close(cs[1]);
	cs[1] = -1;
	holder_close();	/* (the holder and the monitor have theirs) */
	int said = recv_msg(hs[0], &m, &lfd, "holder");
	if (said == M_LOCK)
		said = locker_go(jr, hpidfd, hs[0], &m, &lfd);
	if (said != M_READY) {
		snprintf(err, JAIL_ERRMSGLEN, "%s", m.text);
		goto kill;
	}
	if (recv_msg(cs[0], &m, NULL, "monitor") != M_READY) {
		snprintf(err, JAIL_ERRMSGLEN, "%s", m.text);
		goto kill;
	}
	close(hs[0]);
	*pidfd = hpidfd;
	jr->holder = hpid;
	jr->monitor = mon;
	if (sys_ns_inode(jr->holder, "user", &jr->userns) < 0) {
		jerrno(err, "holder: user namespace");
		hs[0] = -1;
		goto kill;
	}
	commit_sock = cs[0];
	commit_lfd = lfd;
	return 0;
kill:
	holder_close();
	locker_end(true);
	sys_pidfd_send_signal(hpidfd, SIGKILL);
	if (!parent)
		waitpid(hpid, NULL, 0);	/* ours to reap */
	if (mon > 0) {
		kill(mon, SIGKILL);	/* our child: its pid cannot be reused */
		waitpid(mon, NULL, 0);
	}
	for (int *fd = (int[]){ hs[0], cs[0], cs[1], lfd, hpidfd }, i = 0;
	    i < 5; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	errno = EINVAL;
	return -1;
}

/* The record is stored (ok) or abandoned: tell the monitor. */
int
spawn_commit(bool ok)
{
	locker_end(false);	/* (done by now) */
	if (commit_sock < 0)
		return -1;
	if (ok)
		send_msg(commit_sock, M_COMMIT, NULL, commit_lfd);
	close(commit_sock);
	if (commit_lfd >= 0)
		close(commit_lfd);
	commit_sock = commit_lfd = -1;
	return 0;
}

/*
 * Core creates a jail through us, a layer above it (our monitor runs
 * core's operations): we hand it our entry points.  Called by jail_set
 * (which so links us into static programs) and by a monitor exec'd
 * again (monitor_resume), the two ways into core_create; forks inherit.
 */
static const struct spawner spawner = { spawn_jail, spawn_commit };

void
spawn_register(void)
{
	core_spawner = &spawner;
}
