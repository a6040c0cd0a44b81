/*
 * exec.c - run a command inside a jail (jexec, jail(8)'s command=).
 *
 * Order (DESIGN.md "Entering"): pidfd of the holder, checked alive; the
 * child is born in the jail's cgroup (clone3 CLONE_INTO_CGROUP) and PID
 * namespace (setns of pid_for_children around the clone); it setns()es
 * into the rest, closes every inherited descriptor, takes its user and
 * environment, applies the jail's confinement and execs.  Exec errors
 * come back through a close-on-exec pipe, so the library never prints.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vjail.h"
#include "execstub.h"	/* build/gen: static const unsigned char execstub[] */

struct ident {
	uid_t	uid;
	gid_t	gid;
	gid_t	groups[256];
	int	ngroups;
	char	name[64], home[PATH_MAX], shell[PATH_MAX];
};

/* Does passwd entry pw match a name or a number? */
static bool
pw_matches(const struct passwd *pw, const char *user)
{
	char *ep;
	long n = strtol(user, &ep, 10);

	return strcmp(pw->pw_name, user) == 0 ||
	    (*user && *ep == '\0' && n >= 0 && pw->pw_uid == (uid_t)n);
}

/*
 * A user of the jail, read from the jail's own /etc/passwd and
 * /etc/group: no NSS module of the jail's is ever loaded (and a static
 * command could not load one of another libc).  Also the host's, in a
 * static command (before it enters anything).
 */
static struct passwd *
jail_getpw(const char *user, gid_t *groups, int *ngroups)
{
	static struct passwd found;
	static char name[64], dir[PATH_MAX], shell[PATH_MAX];
	struct passwd *pw;
	struct group *gr;
	FILE *f = fopen("/etc/passwd", "re");
	int max = *ngroups;

	*ngroups = 0;
	if (f == NULL)
		return NULL;
	while ((pw = fgetpwent(f)) != NULL && !pw_matches(pw, user))
		;
	if (pw) {
		found = *pw;
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		snprintf(dir, sizeof(dir), "%s", pw->pw_dir);
		snprintf(shell, sizeof(shell), "%s", pw->pw_shell);
		found.pw_name = name, found.pw_dir = dir, found.pw_shell = shell;
	}
	fclose(f);
	if (pw == NULL)
		return NULL;
	groups[(*ngroups)++] = found.pw_gid;
	if ((f = fopen("/etc/group", "re")) != NULL) {
		while ((gr = fgetgrent(f)) != NULL && *ngroups < max)
			for (char **m = gr->gr_mem; *m; m++)
				if (strcmp(*m, name) == 0 && gr->gr_gid != found.pw_gid) {
					groups[(*ngroups)++] = gr->gr_gid;
					break;
				}
		fclose(f);
	}
	return &found;
}

static int
lookup_user(const char *user, bool in_jail, struct ident *id, char *err)
{
	struct passwd *pw;

	id->ngroups = 256;
	/* the host's through NSS; a static command reads its files first,
	 * as NSS's built-in "files" would, then asks getent(1) for a user
	 * only another module knows (sys/dl_static.c) */
	pw = in_jail || !sys_dl_has("NSS") ?
	    jail_getpw(user, id->groups, &id->ngroups) : NULL;
	if (pw == NULL && !in_jail) {
		id->ngroups = 256;
		pw = sys_getpw_nss(user, id->groups, &id->ngroups);
	}
	if (pw == NULL) {
		errno = ENOENT;
		return jerr(err, "%s: no such user", user);
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	snprintf(id->home, sizeof(id->home), "%s", pw->pw_dir);
	snprintf(id->shell, sizeof(id->shell), "%s", pw->pw_shell);
	return 0;
}

static void
root_ident(struct ident *id)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->name, sizeof(id->name), "root");
	snprintf(id->home, sizeof(id->home), "/root");
	snprintf(id->shell, sizeof(id->shell), "/bin/sh");
}

/* ---- the last exec, through the stub ---- */

/* execvp's search, in the jail: the program's path, or NULL (errno). */
static const char *
find_program(const char *name, char *const *envp, char *buf, size_t len)
{
	const char *path = "/bin:/usr/bin";
	int e = ENOENT;

	if (strchr(name, '/'))
		return name;
	for (char *const *v = envp; v && *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0)
			path = *v + 5;
	for (const char *p = path, *end; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if ((size_t)snprintf(buf, len, "%.*s/%s", (int)(end - p), p,
		    name) >= len)
			continue;
		if (access(buf, X_OK) == 0)
			return buf;
		if (errno == EACCES)
			e = EACCES;
	}
	errno = e;
	return NULL;
}

/*
 * Exec the jail's program from the stub, so that no image of the host's
 * is ever reachable from the jail (see stub/execstub.c).  Returns only
 * on failure.
 */
static void
exec_through_stub(int stubfd, char *const *argv, char *const *envp,
    void **alloc)
{
	char buf[PATH_MAX];
	const char *path;
	size_t n = 0;

	if (stubfd < 0) {
		execvpe(argv[0], argv, envp);
		return;
	}
	if ((path = find_program(argv[0], envp, buf, sizeof(buf))) == NULL)
		return;
	while (argv[n])
		n++;
	const char **sargv = calloc(n + 3, sizeof(*sargv));
	if (sargv == NULL)
		return;
	*alloc = sargv;		/* the caller's memory: it frees it */
	sargv[0] = "vjail-exec";
	sargv[1] = path;
	memcpy(sargv + 2, argv, n * sizeof(*argv));
	fcntl(3, F_SETFD, 0);		/* the error pipe, for the stub */
	syscall(SYS_execveat, stubfd, "", sargv, envp, AT_EMPTY_PATH);
	fcntl(3, F_SETFD, FD_CLOEXEC);
}

/*
 * The child's stdio (JAIL_STDIO_*) and what the caller relays for it:
 * from[i] to our to[i], and our stdin to in_to.
 */
struct stdio_plan {
	int	cio[3];		/* the child's 0, 1, 2 (-1: the caller's) */
	int	from[2], to[2];
	int	nrelay;
	int	in_to;		/* -1: stdin is not relayed */
	bool	ctty;		/* cio[0] is a pty: the child's terminal */
	int	master, slave, pipes[2][2], null;	/* owned */
};

/* Report errno + text to the parent and die (child side). */
static void __attribute__((noreturn))
child_fail(int pipefd, const char *what)
{
	char buf[JAIL_ERRMSGLEN];
	int e = errno;

	snprintf(buf, sizeof(buf), "%s: %s", what, strerror(e));
	(void)!write(pipefd, &e, sizeof(e));
	(void)!write(pipefd, buf, strlen(buf));
	_exit(127);
}

static void __attribute__((noreturn))
child(const struct jail_exec *je, const struct jail_rec *jr,
    const struct jail_ns *ns,
    int nsflags, struct ident *id, const struct stdio_plan *sp, int pipefd,
    int stubfd, struct confine *confine, bool cgfd_missing, void **alloc)
{
	char err[JAIL_ERRMSGLEN], *const *envp = je->envp;
	char e_home[PATH_MAX + 8], e_shell[PATH_MAX + 8], e_user[80],
	    e_logname[80], e_term[128];
	char *login_env[] = { e_home, e_shell, e_user, e_logname,
	    "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin",
	    e_term, NULL };
	const char *dir;
	char *shell_argv[] = { NULL, NULL }, *const *argv =
	    je->argv ? je->argv : shell_argv;

	/* Not traceable while we still hold the host's descriptors. */
	prctl(PR_SET_DUMPABLE, 0);
	/* A session of its own: the admin's terminal is never its ctty. */
	setsid();
	if (sp->ctty && ioctl(sp->cio[0], TIOCSCTTY, 0) < 0)
		child_fail(pipefd, "pty");
	for (int i = 0; i < 3; i++)
		if (sp->cio[i] >= 0 && dup2(sp->cio[i], i) < 0)
			child_fail(pipefd, "stdio");
	if (cgfd_missing && svc_join(jr->jid, err) < 0)
		child_fail(pipefd, err[0] ? err : "joining the jail's cgroup");
	/* a limited jail's v1 groups and rlimits (clone3 placed us in its
	 * v2 group) */
	if (!cgfd_missing && lim_enter(jr, getpid(), err) < 0)
		child_fail(pipefd, err);
	if (jns_setns(ns, nsflags & ~CLONE_NEWPID) < 0)
		child_fail(pipefd, "setns");
	/* Entering a user namespace as host root leaves us unmapped. */
	if ((nsflags & CLONE_NEWUSER) && sys_become_root() < 0)
		child_fail(pipefd, "becoming root of the jail");
	/* Nothing of the host's but stdio and the error pipe (as fd 3),
	 * before anything of the jail's is read (NSS, the command). */
	if (pipefd != 3) {
		if (dup3(pipefd, 3, O_CLOEXEC) < 0)
			child_fail(pipefd, "dup3");
		pipefd = 3;
	}
	if (stubfd >= 0 && stubfd != 4) {
		if (dup3(stubfd, 4, O_CLOEXEC) < 0)
			child_fail(pipefd, "dup3");
		stubfd = 4;
	}
	syscall(SYS_close_range, stubfd >= 0 ? 5 : 4, ~0U, 0);
	if (je->user && je->user_in_jail &&
	    lookup_user(je->user, true, id, err) < 0) {
		errno = ENOENT;
		child_fail(pipefd, je->user);
	}
	/* No command: the user's shell, from the jail's passwd for root. */
	if (!je->user && !argv[0] && (nsflags & CLONE_NEWUSER))
		lookup_user("root", true, id, err);
	if (!argv[0]) {
		shell_argv[0] = id->shell[0] ? id->shell : "/bin/sh";
		argv = shell_argv;
	}
	dir = je->dir ? je->dir : je->login ? id->home : NULL;
	if ((nsflags & CLONE_NEWNS) && chdir(dir ? dir : "/") < 0) {
		if (je->dir)
			child_fail(pipefd, je->dir);
		if (chdir("/") < 0)
			child_fail(pipefd, "/");
	}
	if ((nsflags & CLONE_NEWUSER) && confine_apply(confine, err) < 0)
		child_fail(pipefd, err);
	if (je->user && (setgroups((size_t)id->ngroups, id->groups) < 0 ||
	    setresgid(id->gid, id->gid, id->gid) < 0 ||
	    setresuid(id->uid, id->uid, id->uid) < 0))
		child_fail(pipefd, "setting the user");
	if (je->login) {
		const char *term = getenv("TERM");
		snprintf(e_home, sizeof(e_home), "HOME=%s", id->home);
		snprintf(e_shell, sizeof(e_shell), "SHELL=%s", id->shell);
		snprintf(e_user, sizeof(e_user), "USER=%s", id->name);
		snprintf(e_logname, sizeof(e_logname), "LOGNAME=%s", id->name);
		snprintf(e_term, sizeof(e_term), "TERM=%s", term ? term : "dumb");
		envp = login_env;
	}
	exec_through_stub(stubfd, argv, envp ? envp : environ, alloc);
	child_fail(pipefd, argv[0]);
}

/* The child's facts, for sys_clone3_vfork's one argument. */
struct child_args {
	const struct jail_exec *je;
	const struct jail_rec *jr;
	const struct jail_ns *ns;
	int	nsflags;
	struct ident *id;
	const struct stdio_plan *sp;
	int	pipefd[2], stubfd;
	struct confine *confine;
	bool	cgfd_missing;
	sigset_t mask;		/* the caller's, blocked around the clone */
	void	*alloc;		/* what the child allocated in our memory */
};

#define CHILD_STACK	(256 * 1024)

static int
child_start(void *arg)
{
	struct child_args *a = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;

	/* A handler of the caller's would run the caller's code on the
	 * caller's memory: none in the child. */
	for (int sig = 1; sig < _NSIG; sig++)
		if (sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
			sigaction(sig, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &a->mask, NULL);
	close(a->pipefd[0]);
	child(a->je, a->jr, a->ns, a->nsflags, a->id, a->sp, a->pipefd[1],
	    a->stubfd, a->confine, a->cgfd_missing, &a->alloc);
}

/*
 * Start the child: sharing our memory until its exec where it can
 * (nothing copied, nothing torn down at its exec), else a copy.  Signals
 * are blocked meanwhile; the memory is not dumpable meanwhile, as the
 * child makes it before it enters the jail (dumpable is the memory's:
 * the jail's root must not trace a child sharing ours).
 */
static long
start_child(struct child_args *a, int *pidfd, int cgfd)
{
	int dumpable = prctl(PR_GET_DUMPABLE), e;
	sigset_t all;
	void *stack;
	long pid = -1;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &a->mask);
	prctl(PR_SET_DUMPABLE, 0);
	/* its lowest page a guard: the child never writes past it into
	 * whatever of ours lies below */
	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack != MAP_FAILED && mprotect(stack, 4096, PROT_NONE) == 0)
		pid = sys_clone3_vfork(pidfd, cgfd, (char *)stack + 4096,
		    CHILD_STACK - 4096, child_start, a);
	else
		errno = ENOSYS;
	if (pid < 0 && errno == ENOSYS &&
	    (pid = sys_clone3(0, pidfd, cgfd)) == 0)
		child_start(a);
	e = errno;
	if (stack != MAP_FAILED)
		munmap(stack, CHILD_STACK);
	free(a->alloc);
	a->alloc = NULL;
	if (dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable);
	sigprocmask(SIG_SETMASK, &a->mask, NULL);
	errno = e;
	return pid;
}

/* ---- stdio: pty or pipes, relayed ---- */

static volatile sig_atomic_t winch;
static void on_winch(int sig) { (void)sig; winch = 1; }

static void
copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/*
 * Copy from fd to out: one read, or (drain, fd non-blocking) all that is
 * waiting, at most 1 MiB.  False once fd is at its end.
 */
static bool
pass(int fd, int out, bool drain)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	do {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return n < 0 && errno == EAGAIN;
		if (write(out, buf, (size_t)n) < 0)
			return false;
	} while (drain && (total += (size_t)n) < (1u << 20));
	return true;
}

/*
 * Shuttle bytes until the child exits, then take what it left in the
 * buffers (bounded) and stop: whatever it left running in the jail keeps
 * no terminal of ours and no reader.
 */
static void
relay(int pidfd, const struct stdio_plan *sp)
{
	struct termios saved, raw;
	bool tty = sp->master >= 0 && tcgetattr(0, &saved) == 0,
	    in_open = sp->in_to >= 0;
	int from[2] = { sp->from[0], sp->nrelay > 1 ? sp->from[1] : -1 };

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	if (sp->master >= 0)
		signal(SIGWINCH, on_winch);
	for (;;) {
		struct pollfd p[4] = { { .fd = pidfd, .events = POLLIN },
		    { .fd = from[0], .events = POLLIN },
		    { .fd = from[1], .events = POLLIN },
		    { .fd = in_open ? 0 : -1, .events = POLLIN } };
		char buf[4096];
		ssize_t n;

		if (winch) {
			winch = 0;
			copy_winsize(sp->master);
		}
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		for (int i = 0; i < 2; i++)
			if (p[i + 1].revents && !pass(from[i], sp->to[i], false))
				from[i] = -1;	/* EIO: its side closed */
		if (p[3].revents) {
			if ((n = read(0, buf, sizeof(buf))) > 0) {
				(void)!write(sp->in_to, buf, (size_t)n);
				continue;
			}
			in_open = false;
			/* end of input: the pty's end-of-file */
			struct termios t;
			if (sp->master >= 0 && tcgetattr(sp->master, &t) == 0 &&
			    (t.c_lflag & ICANON))
				(void)!write(sp->master, &t.c_cc[VEOF], 1);
			else if (sp->master < 0)
				close(sp->in_to);
		}
	}
	for (int i = 0; i < 2; i++)
		if (from[i] >= 0) {
			fcntl(from[i], F_SETFL, O_RDONLY | O_NONBLOCK);
			pass(from[i], sp->to[i], true);
		}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	if (sp->master >= 0)
		signal(SIGWINCH, SIG_DFL);
}

/* Close the child's ends (after the clone), or every end. */
static void
stdio_close(struct stdio_plan *sp, bool child_ends_only)
{
	int *child_ends[] = { &sp->slave, &sp->null, &sp->pipes[0][1],
	    &sp->pipes[1][1] }, *ours[] = { &sp->master, &sp->pipes[0][0],
	    &sp->pipes[1][0] };

	for (size_t i = 0; i < 4; i++)
		if (*child_ends[i] >= 0)
			close(*child_ends[i]), *child_ends[i] = -1;
	for (size_t i = 0; i < 3 && !child_ends_only; i++)
		if (*ours[i] >= 0)
			close(*ours[i]), *ours[i] = -1;
}

static int
stdio_open(int mode, struct stdio_plan *sp, char *err)
{
	char *name;

	memset(sp, 0, sizeof(*sp));
	sp->cio[0] = sp->cio[1] = sp->cio[2] = sp->in_to = -1;
	sp->master = sp->slave = sp->null = -1;
	sp->pipes[0][0] = sp->pipes[0][1] = sp->pipes[1][0] =
	    sp->pipes[1][1] = -1;
	if (mode == JAIL_STDIO_PIPES) {
		if ((sp->null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
		    pipe2(sp->pipes[0], O_CLOEXEC) < 0 ||
		    pipe2(sp->pipes[1], O_CLOEXEC) < 0)
			return jerrno(err, "pipe");
		sp->cio[0] = sp->null;
		sp->cio[1] = sp->pipes[0][1], sp->cio[2] = sp->pipes[1][1];
		sp->from[0] = sp->pipes[0][0], sp->to[0] = 1;
		sp->from[1] = sp->pipes[1][0], sp->to[1] = 2;
		sp->nrelay = 2;
		return 0;
	}
	if (mode != JAIL_STDIO_PTY)
		return 0;
	if ((sp->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return jerrno(err, "pty");
	if (grantpt(sp->master) < 0 || unlockpt(sp->master) < 0 ||
	    (name = ptsname(sp->master)) == NULL ||
	    (sp->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return jerrno(err, "pty");
	sp->cio[0] = sp->cio[1] = sp->cio[2] = sp->slave;
	sp->ctty = true;
	sp->from[0] = sp->master, sp->to[0] = 1;
	sp->nrelay = 1;
	sp->in_to = sp->master;
	copy_winsize(sp->master);
	/* Not a terminal on both ends: pass bytes through untranslated
	 * (no CR before LF in a pipe, no echo of piped input). */
	if (!isatty(0) || !isatty(1)) {
		struct termios t;
		if (tcgetattr(sp->slave, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(sp->slave, TCSANOW, &t);
		}
	}
	return 0;
}

/* jail_exec in jail je->jid, or in the one named name. */
static int
exec_in(const struct jail_exec *je, const char *name)
{
	char *err = jail_errmsg, msg[JAIL_ERRMSGLEN];
	struct jail_rec jr;
	struct ident id;
	struct jail_ns ns;
	struct stdio_plan sp;
	struct confine confine;
	int cgfd = -1, selfpid = -1, pipefd[2] = { -1, -1 }, pidfd = -1;
	int stubfd = -1;
	int nsflags, st = -1, e;
	long pid;
	ssize_t n;

	err[0] = '\0';
	stdio_open(JAIL_STDIO_INHERIT, &sp, err);
	confine_init(&confine);
	if (je->argv && je->argv[0] == NULL) {
		errno = EINVAL;
		return jerr(err, "no command");
	}
	root_ident(&id);
	if (je->user && !je->user_in_jail &&
	    lookup_user(je->user, false, &id, err) < 0)
		return -1;
	if (core_enter(je->jid, name, &jr, &ns, err) < 0)
		return -1;
	nsflags = jail_enterflags(&jr, &ns);
	if (je->nsmask)
		nsflags &= je->nsmask;
	/* Host root must never run the jail's files, nor the jail's root
	 * the host's files: the user and mount namespaces go together. */
	if (!(nsflags & CLONE_NEWNS) != !(nsflags & CLONE_NEWUSER)) {
		errno = EPERM;
		jerr(err, "the user and mount namespaces are entered together");
		goto out;
	}
	/* Inside a jail the child asks the monitor to move it instead. */
	if (!jail_inside() && (cgfd = cg_open_procs(&jr)) < 0) {
		jerrno(err, "cgroup %s", jr.cgroup);
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0 || stdio_open(je->stdio, &sp, err) < 0 ||
	    ((nsflags & CLONE_NEWUSER) &&
	    jail_confine_prepare(&jr, &confine, err) < 0))
		goto out;
	/* where the kernel will not run a memfd (vm.memfd_noexec=2), -1:
	 * the jail's program is then exec'd directly */
	stubfd = sys_exec_memfd("vjail-exec", execstub, sizeof(execstub));
	if (nsflags & CLONE_NEWPID) {
		if ((selfpid = open("/proc/self/ns/pid_for_children",
		    O_RDONLY | O_CLOEXEC)) < 0 ||
		    jns_setns(&ns, CLONE_NEWPID) < 0) {
			jerrno(err, "setns pid");
			goto out;
		}
	}
	struct child_args ca = { .je = je, .jr = &jr, .ns = &ns,
	    .nsflags = nsflags, .id = &id, .sp = &sp,
	    .pipefd = { pipefd[0], pipefd[1] }, .stubfd = stubfd,
	    .confine = &confine, .cgfd_missing = cgfd < 0 };
	pid = start_child(&ca, &pidfd, cgfd);
	/* The caller's children are born in its own PID namespace again
	 * (jail(8) runs several commands in several jails). */
	if (selfpid >= 0)
		setns(selfpid, CLONE_NEWPID);
	if (pid < 0) {
		jerrno(err, "clone3");
		goto out;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	stdio_close(&sp, true);
	/* exec succeeded iff the pipe closes empty */
	n = read(pipefd[0], &e, sizeof(e));
	if (n == sizeof(e)) {
		n = read(pipefd[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		waitpid((pid_t)pid, NULL, 0);
		errno = e;
		/* the stub sends the program's name only */
		if (strchr(msg, ':'))
			jerr(err, "%s", msg);
		else
			jerrno(err, "%s", msg);
		goto out;
	}
	if (sp.nrelay)
		relay(pidfd, &sp);
	while (waitpid((pid_t)pid, &st, 0) < 0 && errno == EINTR)
		;
	/* A jail whose monitor is gone: if it ends when empty (the record
	 * says now), nobody else would notice it empty. */
	if (!jail_inside() && !reg_monitor_alive(&jr))
		core_reap(jr.jid);
out:
	e = errno;
	jns_close(&ns);
	stdio_close(&sp, false);
	confine_free(&confine);
	for (int *fd = (int[]){ cgfd, selfpid, pipefd[0], pipefd[1],
	    pidfd, stubfd }, i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	errno = e;
	return st;
}

int
jail_exec(const struct jail_exec *je)
{
	return exec_in(je, NULL);
}

/* jexec's jail_getid and jail_exec in one: jail is a jid or a name, as
 * jail_getid takes it, looked up once, its holder pinned and checked
 * once (core_enter).  je->jid is not used. */
int
jail_exec_named(const char *jail, const struct jail_exec *je)
{
	struct jail_exec j = *je;
	char *ep;
	long jid = strtol(jail, &ep, 10);

	j.jid = *jail && *ep == '\0' && jid > 0 && jid <= INT_MAX ? (int)jid : 0;
	return exec_in(&j, j.jid > 0 ? NULL : jail);
}
