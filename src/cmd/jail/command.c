/*
 * command.c - jail(8)'s start and stop steps and exec.* hooks, in
 * FreeBSD's order.  Start is an array of steps; a failed step walks back
 * over the ones done, each undone by its pair:
 *
 *	exec.prepare	<->  exec.release
 *	exec.prestart	<->  exec.poststop
 *	create		<->  remove
 *	exec.created
 *	exec.start / command  <->  exec.stop
 *	exec.poststart
 *
 * The mount and mount.fstab entries are mounted by libjail's jail_mount
 * right after creation, in the jail's own mount namespace (so they go
 * with it; nothing to undo on the host): "device mountpoint type options"
 * with host paths, as in FreeBSD.
 *
 * Stop: exec.prestop, exec.stop, stop.timeout (SIGTERM, wait), remove,
 * exec.poststop, exec.release.  Host hooks run /bin/sh -c on the host
 * (as exec.system_user); jail hooks run it in the jail (as
 * exec.jail_user, in a clean environment with exec.clean); all are
 * bounded by exec.timeout and may log to exec.consolelog.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jailcmd.h"

const struct pseudo_def pseudo_table[P_COUNT] = {
	[P_PREPARE]	= { "exec.prepare", PS_LIST, 0 },
	[P_PRESTART]	= { "exec.prestart", PS_LIST, 0 },
	[P_CREATED]	= { "exec.created", PS_LIST, 0 },
	[P_START]	= { "exec.start", PS_LIST, PS_IN_JAIL },
	[P_COMMAND]	= { "command", PS_LIST, PS_IN_JAIL },
	[P_POSTSTART]	= { "exec.poststart", PS_LIST, 0 },
	[P_PRESTOP]	= { "exec.prestop", PS_LIST, 0 },
	[P_STOP]	= { "exec.stop", PS_LIST, PS_IN_JAIL },
	[P_POSTSTOP]	= { "exec.poststop", PS_LIST, 0 },
	[P_RELEASE]	= { "exec.release", PS_LIST, 0 },
	[P_CLEAN]	= { "exec.clean", PS_BOOL, 0 },
	[P_JAIL_USER]	= { "exec.jail_user", PS_STRING, 0 },
	[P_SYSTEM_USER]	= { "exec.system_user", PS_STRING, 0 },
	[P_CONSOLELOG]	= { "exec.consolelog", PS_STRING, 0 },
	[P_TIMEOUT]	= { "exec.timeout", PS_INT, 0 },
	[P_STOP_TIMEOUT] = { "stop.timeout", PS_INT, 0 },
	[P_DEPEND]	= { "depend", PS_LIST, 0 },
	[P_MOUNT]	= { "mount", PS_LIST, 0 },
	[P_FSTAB]	= { "mount.fstab", PS_STRING, 0 },
	[P_FDESCFS]	= { "mount.fdescfs", PS_BOOL, 0 },	/* /dev/fd is
							   always there */
	[P_ALLOW_DYING]	= { "allow.dying", PS_BOOL, 0 },
};

int
pseudo_lookup(const char *name, bool *negated)
{
	const char *dot = strrchr(name, '.'), *base = dot ? dot + 1 : name;

	*negated = false;
	for (int i = 0; i < P_COUNT; i++)
		if (strcmp(pseudo_table[i].name, name) == 0)
			return i;
	/* "noX" / "a.noX" for booleans */
	if (strncmp(base, "no", 2) != 0)
		return -1;
	for (int i = 0; i < P_COUNT; i++) {
		const char *n = pseudo_table[i].name;
		size_t plen = (size_t)(base - name);
		if (pseudo_table[i].type == PS_BOOL &&
		    strncmp(n, name, plen) == 0 && strcmp(n + plen, base + 2) == 0) {
			*negated = true;
			return i;
		}
	}
	return -1;
}

/* Set (or with append, extend) a pseudo-parameter's values. */
int
job_set_pseudo(struct job *j, int p, const char *const *vals, int n,
    bool append)
{
	int old = 0;

	if (j->pv[p] && append)
		while (j->pv[p][old])
			old++;
	else if (j->pv[p]) {
		for (char **v = j->pv[p]; *v; v++)
			free(*v);
		free(j->pv[p]);
		j->pv[p] = NULL;
	}
	char **nv = realloc(j->pv[p], sizeof(char *) * (size_t)(old + n + 1));
	if (nv == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if ((nv[old + i] = strdup(vals[i])) == NULL)
			return -1;
	nv[old + n] = NULL;
	j->pv[p] = nv;
	return 0;
}

static const char *
pstr(const struct job *j, int p)
{
	return j->pv[p] && j->pv[p][0] ? j->pv[p][0] : NULL;
}

static int
pint(const struct job *j, int p, int dflt)
{
	const char *s = pstr(j, p);
	char *ep;
	long v;

	if (s == NULL)
		return dflt;
	v = strtol(s, &ep, 10);
	return *ep || v < 0 ? dflt : (int)v;
}

static bool
pbool(const struct job *j, int p)
{
	const char *s = pstr(j, p);

	return s && strcmp(s, "false") != 0 && strcmp(s, "0") != 0;
}

/*
 * "NAME: created" and its kin, by FreeBSD's rule: for jails named in
 * jail.conf, or with -v; "removed" on jail -r when a file was read or
 * several jails or '*' were named; never with -q.
 */
void
jnote(const struct run *run, const struct job *j, const char *what)
{
	bool stopping = run->op == 'r' || run->op == 'R';
	bool show = run->verbose || (!run->quiet &&
	    (stopping && strcmp(what, "removed") == 0 ? run->note_remove :
	    j->conf));

	if (show && j->name[0])
		printf("%s: %s\n", j->name, what);
	else if (show)
		printf("%s\n", what);	/* a jail with no name (FreeBSD) */
	fflush(stdout);
}

/* A value as FreeBSD's jail(8) prints it: quoted if empty or with blanks
 * or quotes, backslash before the quote and backslashes. */
void
quoted_print(FILE *fp, const char *s)
{
	int qc = !*s ? '"' : strchr(s, '\'') ? '"' : strchr(s, '"') ? '\'' :
	    strpbrk(s, " \t") ? '"' : 0;

	if (qc)
		putc(qc, fp);
	for (; *s; s++) {
		if (*s == '\\' || *s == qc)
			putc('\\', fp);
		putc(*s, fp);
	}
	if (qc)
		putc(qc, fp);
}

/* A libjail parameter's value as given for job j (raw string), or NULL. */
const char *
job_param(const struct job *j, const char *name)
{
	for (unsigned i = 0; i < j->njp; i++)
		if (strcmp(j->jp[i].jp_name, name) == 0 &&
		    (j->jp[i].jp_ctltype & CTLTYPE) == CTLTYPE_STRING &&
		    j->jp[i].jp_value)
			return j->jp[i].jp_value;
	return NULL;
}

/* -J: the created jail's line, FreeBSD's form. */
static void
print_jidfile(const struct run *run, const struct job *j)
{
	FILE *fp = run->jidfile;

	if (fp == NULL)
		return;
	if (run->legacy) {
		const char *p4 = job_param(j, "ip4.addr"),
		    *p6 = job_param(j, "ip6.addr");
		fprintf(fp, "%d\t%s\t%s\t%s%s%s\t", j->jid,
		    job_param(j, "path") ? job_param(j, "path") : "",
		    job_param(j, "host.hostname") ? job_param(j,
		    "host.hostname") : "", p4 ? p4 : "", p4 && *p4 && p6 &&
		    *p6 ? "," : "", p6 ? p6 : "");
		for (char **a = j->argv; a && *a; a++) {
			if (a != j->argv)
				putc(' ', fp);
			quoted_print(fp, *a);
		}
		putc('\n', fp);
		fflush(fp);
		return;
	}
	fprintf(fp, "jid=%d", j->jid);
	for (unsigned i = 0; i < j->njp; i++) {
		const struct jailparam *jp = &j->jp[i];
		char *v;
		if (strcmp(jp->jp_name, "jid") == 0)
			continue;
		if (jp->jp_flags & JP_BOOL) {
			fprintf(fp, " %s%s", jp->jp_value &&
			    !*(int *)jp->jp_value ? "no" : "", jp->jp_name);
			continue;
		}
		fprintf(fp, " %s=", jp->jp_name);
		if ((v = jailparam_export((struct jailparam *)jp)) != NULL) {
			quoted_print(fp, v);
			free(v);
		}
	}
	for (int p = 0; p < P_COUNT; p++)
		for (char **v = j->pv[p]; v && *v; v++) {
			fprintf(fp, " %s=", pseudo_table[p].name);
			quoted_print(fp, *v);
		}
	if (j->argv) {
		fprintf(fp, " command=");
		for (char **a = j->argv; *a; a++) {
			if (a != j->argv)
				putc(',', fp);
			quoted_print(fp, *a);
		}
	}
	putc('\n', fp);
	fflush(fp);
}

/*
 * Output of hooks to exec.consolelog, if set (child side).  The file may
 * lie in the jail's tree, which the jail's root controls: no symlink on
 * the way (a link swapped in would have host root append to a host
 * file), and a regular file only (opening a FIFO would hang us).
 */
static void
to_consolelog(const struct job *j)
{
	const char *log = pstr(j, P_CONSOLELOG);
	struct open_how how = { .flags = O_WRONLY | O_APPEND | O_CREAT |
	    O_NOCTTY | O_NONBLOCK | O_CLOEXEC, .mode = 0644,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct stat st;
	int fd;

	if (log == NULL)
		return;
	if (log[0] != '/') {
		warnx("%s: exec.consolelog: %s: not an absolute path",
		    j->name, log);
		_exit(126);
	}
	if ((fd = (int)syscall(SYS_openat2, AT_FDCWD, log, &how,
	    sizeof(how))) < 0) {
		warn("%s: exec.consolelog: %s", j->name, log);
		_exit(126);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		warnx("%s: exec.consolelog: %s: not a regular file", j->name,
		    log);
		_exit(126);
	}
	fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
	dup2(fd, 1), dup2(fd, 2);
}

/* As exec.system_user on the host (child side). */
static void
as_system_user(const struct job *j)
{
	const char *u = pstr(j, P_SYSTEM_USER);
	struct passwd *pw;

	if (u == NULL)
		return;
	if ((pw = getpwnam(u)) == NULL) {
		warnx("%s: exec.system_user: %s: no such user", j->name, u);
		_exit(126);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		_exit(126);
}

/* FreeBSD's environment for hooks: JID, JNAME, JPATH (child side). */
static void
hook_env(const struct job *j)
{
	char jid[16];
	const char *path = job_param(j, "path");

	snprintf(jid, sizeof(jid), "%d", j->jid);
	if (j->jid > 0)
		setenv("JID", jid, 1);
	else
		unsetenv("JID");
	setenv("JNAME", j->name, 1);
	if (path)
		setenv("JPATH", path, 1);
	else
		unsetenv("JPATH");
}

/* The same for a command in the jail: our environment and FreeBSD's
 * three, as an envp (NULL: out of memory). */
static char **
hook_envp(const struct job *j)
{
	extern char **environ;
	const char *path = job_param(j, "path");
	size_t n = 0, k = 0;
	char **envp;

	while (environ[n])
		n++;
	if ((envp = calloc(n + 4, sizeof(*envp))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "JID=", 4) &&
		    strncmp(environ[i], "JNAME=", 6) &&
		    strncmp(environ[i], "JPATH=", 6))
			envp[k++] = environ[i];
	if ((j->jid > 0 && asprintf(&envp[k++], "JID=%d", j->jid) < 0) ||
	    asprintf(&envp[k++], "JNAME=%s", j->name) < 0 ||
	    (path && asprintf(&envp[k++], "JPATH=%s", path) < 0)) {
		free(envp);	/* (about to fail anyway) */
		return NULL;
	}
	return envp;
}

/*
 * Run argv in the jail as hook p (the caller's stdio, or a pty or pipes
 * in between when one of them is a terminal): its wait status, or -1
 * after a warning.
 */
static int
in_jail_command(struct run *run, const struct job *j, int p,
    char *const *argv)
{
	struct jail_exec je = {
		.jid = j->jid,
		.argv = argv,
		.envp = hook_envp(j),
		.user = run->user ? run->user : pstr(j, P_JAIL_USER),
		.user_in_jail = !run->user || run->user_in_jail,
		.login = run->login || pbool(j, P_CLEAN),
	};
	int st;

	if (je.envp == NULL) {
		warn("%s", j->name);
		return -1;
	}
	/* Never the caller's terminal in the jail (a process left
	 * behind would read what the admin types next): a pty for
	 * an interactive command=, pipes for hooks. */
	if (isatty(0) || isatty(1) || isatty(2))
		je.stdio = p == P_COMMAND && j->argv ?
		    JAIL_STDIO_PTY : JAIL_STDIO_PIPES;
	if ((st = jail_exec(&je)) < 0)
		warnx("%s: %s", j->name, jail_errmsg);
	for (char **e = (char **)je.envp; *e; e++)	/* ours: the three */
		if (!strncmp(*e, "JID=", 4) || !strncmp(*e, "JNAME=", 6) ||
		    !strncmp(*e, "JPATH=", 6))
			free(*e);
	free((void *)je.envp);
	return st;
}

/* Wait for pid at most timeout seconds (0: forever): its status, or -1
 * after killing it on timeout. */
static int
wait_bounded(pid_t pid, int timeout)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), st = -1;

	if (timeout > 0 && pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int rc;
		while ((rc = poll(&p, 1, timeout * 1000)) < 0 && errno == EINTR)
			;
		if (rc == 0) {
			kill(-pid, SIGKILL);	/* its process group */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pidfd);
			return -1;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* A hook's command as written (sh -c's string, or a command's name). */
static const char *
shown(char *const *argv)
{
	return argv[1] && argv[2] && strcmp(argv[1], "-c") == 0 ? argv[2] :
	    argv[0];
}

/* Run one command of hook p for job j; false if it failed. */
static bool
run_one(struct run *run, struct job *j, int p, char *const *argv)
{
	int timeout = pint(j, P_TIMEOUT, 0), st;
	bool in_jail = pseudo_table[p].flags & PS_IN_JAIL;
	pid_t pid;

	if (run->verbose) {
		const char *u = in_jail ? (run->user ? run->user :
		    pstr(j, P_JAIL_USER)) : pstr(j, P_SYSTEM_USER);
		printf("%s: run command%s%s%s:", j->name, in_jail ?
		    " in jail" : "", u ? " as " : "", u ? u : "");
		for (char *const *a = argv; *a; a++)
			printf(" %s", *a);
		putchar('\n');
	}
	fflush(stdout);
	fflush(stderr);
	/* In the jail, unbounded and to our own stdio: jail_exec's child
	 * is the only process needed (no fork of ours around it). */
	if (in_jail && timeout == 0 && pstr(j, P_CONSOLELOG) == NULL) {
		if ((st = in_jail_command(run, j, p, argv)) == -1)
			st = W_EXITCODE(127, 0);	/* as a child's would */
		goto done;
	}
	if ((pid = fork()) < 0) {
		warn("%s: fork", j->name);
		return false;
	}
	if (pid == 0) {
		setpgid(0, 0);
		to_consolelog(j);
		if (!in_jail) {
			hook_env(j);
			as_system_user(j);
			execv(argv[0], argv);
			warn("%s: %s", j->name, argv[0]);
			_exit(127);
		}
		if ((st = in_jail_command(run, j, p, argv)) < 0)
			_exit(127);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	st = wait_bounded(pid, timeout);
	if (st == -1) {
		warnx("%s: %s: %s: timed out after %d seconds", j->name,
		    pseudo_table[p].name, shown(argv), timeout);
		return false;
	}
done:
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		warnx("%s: %s: %s: failed", j->name, pseudo_table[p].name,
		    shown(argv));
		return false;
	}
	return true;
}

/* Every command of hook p, in order; false at the first that fails. */
static bool
run_hook(struct run *run, struct job *j, int p)
{
	if (p == P_COMMAND && j->argv)	/* command= on the command line */
		return run_one(run, j, p, j->argv);
	for (char **c = j->pv[p]; c && *c; c++) {
		char *argv[] = { "/bin/sh", "-c", *c, NULL };
		if (!run_one(run, j, p, argv))
			return false;
	}
	return true;
}

/* fstab(5) fields are vis(3)-encoded: "\040" is a space. */
static void
unvis_field(char *f)
{
	char *o = f;

	for (; *f; f++) {
		if (f[0] == '\\' && f[1] >= '0' && f[1] <= '7' &&
		    f[2] >= '0' && f[2] <= '7' && f[3] >= '0' && f[3] <= '7') {
			*o++ = (char)((f[1] - '0') << 6 | (f[2] - '0') << 3 |
			    (f[3] - '0'));
			f += 3;
		} else if (f[0] == '\\' && f[1] == '\\') {
			*o++ = '\\';
			f++;
		} else
			*o++ = *f;
	}
	*o = '\0';
}

/*
 * One fstab line, "spec file type [options [dump [pass]]]": libjail
 * builds it on the host and attaches it in the jail (jail_mount).
 */
static bool
mount_entry(struct run *run, struct job *j, int p, const char *entry)
{
	char line[2048], *f[4] = { 0 }, *save;
	int n = 0;

	snprintf(line, sizeof(line), "%s", entry);
	for (char *t = strtok_r(line, " \t\f\v\r\n", &save); t && n < 4;
	    t = strtok_r(NULL, " \t\f\v\r\n", &save))
		f[n++] = t;
	if (n == 0)
		return true;
	if (n < 3) {
		warnx("%s: %s: %s: missing information", j->name,
		    pseudo_table[p].name, entry);
		return false;
	}
	unvis_field(f[0]);
	unvis_field(f[1]);
	if (run->verbose)
		printf("%s: mount -t %s%s%s %s %s\n", j->name, f[2],
		    f[3] ? " -o " : "", f[3] ? f[3] : "", f[0], f[1]);
	if (jail_mount(j->jid, f[0], f[1], f[2], f[3]) < 0) {
		warnx("%s: %s", j->name, jail_errmsg);
		return false;
	}
	return true;
}

/* mount, then mount.fstab, in order: after creation, before any hook
 * runs in the jail.  They go with the jail's mount namespace, so there
 * is nothing to unmount on the host when it stops. */
static bool
run_mounts(struct run *run, struct job *j)
{
	const char *fstab = pstr(j, P_FSTAB);
	char line[2048];
	bool ok = true;

	for (char **m = j->pv[P_MOUNT]; ok && m && *m; m++)
		ok = mount_entry(run, j, P_MOUNT, *m);
	if (ok && fstab) {
		FILE *f = fopen(fstab, "re");
		if (f == NULL) {
			warnx("%s: mount.fstab: %s: %s", j->name, fstab,
			    strerror(errno));
			return false;
		}
		while (ok && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "#")] = '\0';
			ok = mount_entry(run, j, P_FSTAB, line);
		}
		fclose(f);
	}
	return ok;
}

static bool
has_hook(const struct job *j, int p)
{
	return (p == P_COMMAND && j->argv) || (j->pv[p] && j->pv[p][0]);
}

static int
set_persist(struct job *j, bool on)
{
	char jids[16];

	snprintf(jids, sizeof(jids), "%d", j->jid);
	return jail_setv(JAIL_UPDATE, "jid", jids, on ? "persist" : "nopersist",
	    NULL, NULL);
}

/* -v: the jail_set call, as FreeBSD's jail(8) shows it. */
static void
note_set(const struct job *j, const char *how, int rc)
{
	int e = errno;

	printf("%s: jail_set(%s)", j->name, how);
	for (unsigned i = 0; i < j->njp; i++) {
		char *v = jailparam_export(&j->jp[i]);
		printf(" %s", j->jp[i].jp_name);
		if (v && !(j->jp[i].jp_flags & JP_BOOL)) {
			putchar('=');
			quoted_print(stdout, v);
		}
		free(v);
	}
	if (rc < 0)
		printf(": %s", strerror(e));
	putchar('\n');
	errno = e;
}

/* The jail itself: created with persist while commands are to run. */
static bool
create(struct run *run, struct job *j, bool *temp_persist)
{
	bool persist_asked = false;
	int n = (int)j->njp;

	for (unsigned i = 0; i < j->njp; i++)
		if (strcmp(j->jp[i].jp_name, "persist") == 0 ||
		    strcmp(j->jp[i].jp_name, "nopersist") == 0)
			persist_asked = j->jp[i].jp_value &&
			    *(int *)j->jp[i].jp_value;
	*temp_persist = !persist_asked && (has_hook(j, P_START) ||
	    has_hook(j, P_COMMAND) || has_hook(j, P_POSTSTART) ||
	    has_hook(j, P_CREATED) || has_hook(j, P_MOUNT) ||
	    has_hook(j, P_FSTAB));
	if (*temp_persist) {
		struct jailparam *np = realloc(j->jp, sizeof(*np) * (j->njp + 1));
		if (np == NULL)
			return false;
		j->jp = np;
		if (jailparam_init(&j->jp[n], "persist") < 0 ||
		    jailparam_import(&j->jp[n], NULL) < 0)
			return false;
		j->njp++;
	}
	j->jid = jailparam_set(j->jp, j->njp, JAIL_CREATE);
	if (run->verbose)
		note_set(j, "JAIL_CREATE", j->jid);
	if (*temp_persist) {
		jailparam_free(&j->jp[n], 1);
		j->njp--;
	}
	if (j->jid < 0) {
		/* FreeBSD's words for a taken name; any other EEXIST (a
		 * link, a bridge) says what exists */
		if (errno == EEXIST && strstr(jail_errmsg, " already exists") &&
		    strncmp(jail_errmsg, "jail ", 5) == 0)
			warnx("\"%s\" already exists", j->name);
		else
			warnx("%s", jail_errmsg);
		return false;
	}
	if (run->print_jid)
		printf("%d\n", j->jid);
	jnote(run, j, "created");
	return true;
}

/*
 * Stop and remove j.  Our stop makes the removal ours (a concurrent
 * jail -r gets EBUSY, or ENOENT once it is gone), so ENOENT after it is
 * the monitor having finished the removal for us; without a stop (-R)
 * it is "not found".
 */
static bool
remove_jail(struct run *run, struct job *j, bool wait_stop)
{
	return job_remove(run, j, wait_stop ? job_stop_timeout(j) : -1);
}

int
job_stop_timeout(const struct job *j)
{
	return pint(j, P_STOP_TIMEOUT, 10);
}

/* Nothing to run for j's stop: its removal is libjail's alone. */
bool
job_stop_light(const struct run *run, const struct job *j)
{
	return run->op == 'R' || (!has_hook(j, P_PRESTOP) &&
	    !has_hook(j, P_STOP) && !has_hook(j, P_POSTSTOP) &&
	    !has_hook(j, P_RELEASE));
}

/* Remove j after waiting stop_s for its processes (-1: no stop, -R, or
 * a stop that found none).  ENOENT once our stop began: the monitor
 * finished the removal. */
bool
job_remove(struct run *run, struct job *j, int stop_s)
{
	bool wait_stop = stop_s >= 0;

	if (wait_stop && jail_stop(j->jid, stop_s) < 0 &&
	    (errno == EBUSY || errno == ENOENT)) {
		/* gone since our stop began: its monitor finished it */
		if (errno == ENOENT && j->stopped)
			goto removed;
		if (errno == ENOENT)
			warnx("\"%s\" not found", j->name);
		else
			warnx("%s", jail_errmsg);
		return false;
	}
	if ((run->nowait ? jail_remove_nowait(j->jid) : jail_remove(j->jid)) < 0 &&
	    (errno != ENOENT || !(wait_stop || j->stopped))) {
		if (errno == ENOENT)
			warnx("\"%s\" not found", j->name);
		else
			warnx("%s: jail_remove: %s", j->name, jail_errmsg);
		return false;
	}
removed:
	jnote(run, j, "removed");
	return true;
}

/*
 * Start a jail: the steps in order; on a failure, the pairs of the steps
 * done, in reverse.  0, or -1 (the jail left as it was before).
 */
int
job_start(struct run *run, struct job *j)
{
	enum { D_PREPARE = 1, D_PRESTART = 2, D_CREATE = 4, D_START = 8 };
	unsigned done = 0;
	bool temp_persist = false;

	for (int p = 0; p < P_COUNT; p++)
		if ((pseudo_table[p].flags & PS_UNSUPPORTED) && j->pv[p]) {
			warnx("%s: %s: not supported on Linux", j->name,
			    pseudo_table[p].name);
			return -1;
		}
	/* A hook that failed half-way is undone too: its pair runs. */
	done |= D_PREPARE;
	if (!run_hook(run, j, P_PREPARE))
		goto undo;
	done |= D_PRESTART;
	if (!run_hook(run, j, P_PRESTART))
		goto undo;
	if (!create(run, j, &temp_persist))
		goto undo;
	done |= D_CREATE;
	if (!run_mounts(run, j) || !run_hook(run, j, P_CREATED))
		goto undo;
	done |= D_START;
	if (!run_hook(run, j, P_START) || !run_hook(run, j, P_COMMAND) ||
	    !run_hook(run, j, P_POSTSTART))
		goto undo;
	/* The persist jail(8) added for its commands goes: a jail with no
	 * process left then goes too (FreeBSD). */
	if (temp_persist && set_persist(j, false) < 0 && errno != ENOENT)
		warnx("%s: %s", j->name, jail_errmsg);
	print_jidfile(run, j);
	return 0;
undo:
	j->failed = true;
	if (done & D_START)
		run_hook(run, j, P_STOP);
	if (done & D_CREATE)
		remove_jail(run, j, true);
	if (done & D_PRESTART)
		run_hook(run, j, P_POSTSTOP);
	if (done & D_PREPARE)
		run_hook(run, j, P_RELEASE);
	return -1;
}

/* Stop: every step is tried; a failed hook is reported, not fatal. */
int
job_stop(struct run *run, struct job *j)
{
	bool ok = true;

	if (run->op != 'R') {
		ok &= run_hook(run, j, P_PRESTOP);
		ok &= run_hook(run, j, P_STOP);
	}
	ok &= remove_jail(run, j, run->op != 'R');
	if (run->op != 'R') {
		ok &= run_hook(run, j, P_POSTSTOP);
		ok &= run_hook(run, j, P_RELEASE);
	}
	return ok ? 0 : -1;
}

/*
 * A create-only parameter may be given to an update if it keeps its value
 * (jail.conf says the whole jail); it is then left out, as FreeBSD's
 * jail(8) does.  -1 if one would change.
 */
static int
drop_unchanged(struct job *j)
{
	char cur[4096];

	for (unsigned i = 0; i < j->njp; ) {
		struct jailparam *p = &j->jp[i];
		char *want;
		if (!(p->jp_ctltype & CTLFLAG_TUN) ||
		    strcmp(p->jp_name, "jid") == 0) {
			i++;
			continue;
		}
		want = jailparam_export(p);
		if (jail_getv(0, "name", j->name, p->jp_name, cur, NULL) < 0 ||
		    want == NULL || strcmp(want, cur) != 0) {
			warnx("%s: %s cannot be changed after creation", j->name,
			    p->jp_name);
			free(want);
			return -1;
		}
		free(want);
		jailparam_free(p, 1);
		memmove(p, p + 1, sizeof(*p) * (j->njp - i - 1));
		j->njp--;
	}
	return 0;
}

int
job_update(struct run *run, struct job *j)
{
	if (j->njp == 0)
		return 0;
	if (j->name[0] && drop_unchanged(j) < 0)
		return -1;
	int rc = jailparam_set(j->jp, j->njp, JAIL_UPDATE);
	if (run->verbose)
		note_set(j, "JAIL_UPDATE", rc);
	if (rc < 0) {
		if (errno == ENOENT)
			warnx("\"%s\" not found", j->name);
		else
			warnx("%s", jail_errmsg);
		return -1;
	}
	jnote(run, j, "updated");
	return 0;
}
