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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vjail.h"

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
 * command could not load one of another libc).
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
	if (in_jail) {
		pw = jail_getpw(user, id->groups, &id->ngroups);
	} else {
		char *ep;
		long n = strtol(user, &ep, 10);
		if ((pw = getpwnam(user)) == NULL && *user && *ep == '\0' &&
		    n >= 0)
			pw = getpwuid((uid_t)n);
		if (pw && getgrouplist(pw->pw_name, pw->pw_gid, id->groups,
		    &id->ngroups) < 0)
			id->ngroups = 0;
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
    int nsflags, struct ident *id, int slave, int pipefd, bool cgfd_missing)
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
	if (slave >= 0) {
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			child_fail(pipefd, "pty");
		dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
	}
	if (cgfd_missing && svc_join(je->jid, err) < 0)
		child_fail(pipefd, err[0] ? err : "joining the jail's cgroup");
	/* v1 groups of a limited jail: clone3 placed us in the v2 one */
	if (!cgfd_missing && cg_join_limits(jr, getpid(), err) < 0)
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
	syscall(SYS_close_range, 4, ~0U, 0);
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
	if ((nsflags & CLONE_NEWUSER) && jail_confine(jr, err) < 0)
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
	execvpe(argv[0], argv, envp ? envp : environ);
	child_fail(pipefd, argv[0]);
}

/* ---- pty relay ---- */

static volatile sig_atomic_t winch;
static void on_winch(int sig) { (void)sig; winch = 1; }

static void
copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Shuttle bytes between our terminal and the child's pty until it ends. */
static void
relay(int master, pid_t pid)
{
	struct termios saved, raw;
	bool tty = tcgetattr(0, &saved) == 0;
	char buf[4096];
	bool in_open = true;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	signal(SIGWINCH, on_winch);
	for (;;) {
		struct pollfd p[2] = { { .fd = master, .events = POLLIN },
		    { .fd = in_open ? 0 : -1, .events = POLLIN } };
		ssize_t n;

		if (winch) {
			winch = 0;
			copy_winsize(master);
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			if ((n = read(master, buf, sizeof(buf))) <= 0)
				break;	/* EIO: the child's side closed */
			if (write(1, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			if ((n = read(0, buf, sizeof(buf))) <= 0) {
				in_open = false;
				/* end of input: the pty's end-of-file */
				struct termios t;
				if (tcgetattr(master, &t) == 0 &&
				    (t.c_lflag & ICANON))
					(void)!write(master, &t.c_cc[VEOF], 1);
			}
			else if (write(master, buf, (size_t)n) < 0)
				break;
		}
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	signal(SIGWINCH, SIG_DFL);
	(void)pid;
}

static int
open_pty(int *master, int *slave, char *err)
{
	char *name;

	if ((*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return jerrno(err, "pty");
	if (grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    (name = ptsname(*master)) == NULL ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		jerrno(err, "pty");
		close(*master);
		return -1;
	}
	copy_winsize(*master);
	/* Not a terminal on both ends: pass bytes through untranslated
	 * (no CR before LF in a pipe, no echo of piped input). */
	if (!isatty(0) || !isatty(1)) {
		struct termios t;
		if (tcgetattr(*slave, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(*slave, TCSANOW, &t);
		}
	}
	return 0;
}

int
jail_exec(const struct jail_exec *je)
{
	char *err = jail_errmsg, msg[JAIL_ERRMSGLEN];
	struct jail_rec jr;
	struct ident id;
	struct jail_ns ns;
	int cgfd = -1, selfpid = -1, pipefd[2] = { -1, -1 };
	int master = -1, slave = -1, nsflags, st = -1, e;
	long pid;
	ssize_t n;

	err[0] = '\0';
	if (je->argv && je->argv[0] == NULL) {
		errno = EINVAL;
		return jerr(err, "no command");
	}
	root_ident(&id);
	if (je->user && !je->user_in_jail &&
	    lookup_user(je->user, false, &id, err) < 0)
		return -1;
	if (core_enter(je->jid, &jr, &ns, err) < 0)
		return -1;
	nsflags = jail_nsflags(&jr);
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
	if (pipe2(pipefd, O_CLOEXEC) < 0 ||
	    (je->pty && open_pty(&master, &slave, err) < 0))
		goto out;
	if (nsflags & CLONE_NEWPID) {
		if ((selfpid = open("/proc/self/ns/pid_for_children",
		    O_RDONLY | O_CLOEXEC)) < 0 ||
		    jns_setns(&ns, CLONE_NEWPID) < 0) {
			jerrno(err, "setns pid");
			goto out;
		}
	}
	pid = sys_clone3(0, NULL, cgfd);
	if (pid == 0) {
		close(pipefd[0]);
		child(je, &jr, &ns, nsflags, &id, slave, pipefd[1], cgfd < 0);
	}
	e = errno;
	if (selfpid >= 0)
		(void)!setns(selfpid, CLONE_NEWPID);	/* back to our own */
	if (pid < 0) {
		errno = e;
		jerrno(err, "clone3");
		goto out;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	if (slave >= 0)
		close(slave), slave = -1;
	/* exec succeeded iff the pipe closes empty */
	n = read(pipefd[0], &e, sizeof(e));
	if (n == sizeof(e)) {
		n = read(pipefd[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		waitpid((pid_t)pid, NULL, 0);
		errno = e;
		jerr(err, "%s", msg);
		goto out;
	}
	if (master >= 0)
		relay(master, (pid_t)pid);
	while (waitpid((pid_t)pid, &st, 0) < 0 && errno == EINTR)
		;
out:
	e = errno;
	jns_close(&ns);
	for (int *fd = (int[]){ cgfd, selfpid, pipefd[0], pipefd[1],
	    master, slave }, i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	errno = e;
	return st;
}
