/*
 * modules/rctl.c - FreeBSD's rctl(2) for jails: rules by jail name, kept
 * under the registry (rctl/<name>, replaced by rename under the lock),
 * applied to a jail when it is created and at once to a running one.
 *
 * Resources map to Linux as follows (rctl.8 documents it):
 *   memoryuse, swapuse, vmemoryuse   memory controller (RAM; swap; RAM +
 *                                    swap: Linux charges memory, not
 *                                    address space); vmemoryuse/process
 *                                    is RLIMIT_AS
 *   maxproc, nthr                    pids controller (counts threads)
 *   pcpu                             cpu controller quota per 100 ms
 *   readbps writebps readiops        io/blkio throttling, per disk
 *   writeiops
 *   openfiles memorylocked datasize  rlimits of every process of the
 *   stacksize coredumpsize           jail (Linux has no per-group count)
 *   cputime                          the jail's CPU seconds (cpu.stat),
 *                                    watched by a small host process
 *                                    that signals the jail's processes;
 *                                    cputime/process is RLIMIT_CPU:
 *                                    sigxcpu at the soft limit, sigkill
 *                                    at the hard one
 *   wallclock                        seconds since the jail started,
 *                                    the same watcher
 * Anything else, and actions Linux cannot take (log, devctl, other
 * signals), is refused by name.  A jail's limit never exceeds its
 * parent's: the kernel nests groups, rlimits are the minimum along the
 * chain, and a looser rule for a child is refused.
 *
 * Rules read back from the registry are untrusted: each line is parsed
 * again, and kept only if it is a valid rule for that very name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../vjail.h"

#define RULES_MAX	64	/* per jail name */
#define STORE		"rctl"

enum { ACT_DENY = 1, ACT_LOG, ACT_DEVCTL, ACT_THROTTLE, ACT_SIG };
enum { R_CG = 1, R_RLIM, R_WATCH, R_NONE };
/* indexes of resources[] the code names */
enum { RES_CPUTIME = 0, RES_MEMORYUSE = 4, RES_MAXPROC = 6,
    RES_OPENFILES = 7, RES_VMEMORYUSE = 8, RES_SWAPUSE = 10, RES_NTHR = 11,
    RES_WALLCLOCK = 19, RES_PCPU = 20, RES_READBPS = 21 };

struct res {
	const char *name;
	int	kind;
	int	ctrl;		/* R_CG */
	int	rlim;		/* R_RLIM, or the /process form */
	int	act;		/* the one action Linux can take */
};

/* In FreeBSD's order (rctl -u lists them so). */
static const struct res resources[] = {
	{ "cputime", R_RLIM, -1, RLIMIT_CPU, ACT_SIG },
	{ "datasize", R_RLIM, -1, RLIMIT_DATA, ACT_DENY },
	{ "stacksize", R_RLIM, -1, RLIMIT_STACK, ACT_DENY },
	{ "coredumpsize", R_RLIM, -1, RLIMIT_CORE, ACT_DENY },
	{ "memoryuse", R_CG, CG_MEMORY, -1, ACT_DENY },
	{ "memorylocked", R_RLIM, -1, RLIMIT_MEMLOCK, ACT_DENY },
	{ "maxproc", R_CG, CG_PIDS, -1, ACT_DENY },
	{ "openfiles", R_RLIM, -1, RLIMIT_NOFILE, ACT_DENY },
	{ "vmemoryuse", R_CG, CG_MEMORY, RLIMIT_AS, ACT_DENY },
	{ "pseudoterminals", R_NONE, -1, -1, 0 },
	{ "swapuse", R_CG, CG_MEMORY, -1, ACT_DENY },
	{ "nthr", R_CG, CG_PIDS, -1, ACT_DENY },
	{ "msgqqueued", R_NONE, -1, -1, 0 },
	{ "msgqsize", R_NONE, -1, -1, 0 },
	{ "nmsgq", R_NONE, -1, -1, 0 },
	{ "nsem", R_NONE, -1, -1, 0 },
	{ "nsemop", R_NONE, -1, -1, 0 },
	{ "nshm", R_NONE, -1, -1, 0 },
	{ "shmsize", R_NONE, -1, -1, 0 },
	{ "wallclock", R_WATCH, -1, -1, ACT_SIG },
	{ "pcpu", R_CG, CG_CPU, -1, ACT_DENY },
	{ "readbps", R_CG, CG_IO, -1, ACT_THROTTLE },
	{ "writebps", R_CG, CG_IO, -1, ACT_THROTTLE },
	{ "readiops", R_CG, CG_IO, -1, ACT_THROTTLE },
	{ "writeiops", R_CG, CG_IO, -1, ACT_THROTTLE },
};
#define NRES	(int)(sizeof(resources) / sizeof(*resources))

static const struct { const char *name; int sig; } signals[] = {
	{ "sighup", 1 }, { "sigint", 2 }, { "sigquit", 3 }, { "sigill", 4 },
	{ "sigtrap", 5 }, { "sigabrt", 6 }, { "sigemt", 0 }, { "sigfpe", 8 },
	{ "sigkill", 9 }, { "sigbus", 7 }, { "sigsegv", 11 }, { "sigsys", 31 },
	{ "sigpipe", 13 }, { "sigalrm", 14 }, { "sigterm", 15 },
	{ "sigurg", 23 }, { "sigstop", 19 }, { "sigtstp", 20 },
	{ "sigcont", 18 }, { "sigchld", 17 }, { "sigttin", 21 },
	{ "sigttou", 22 }, { "sigio", 29 }, { "sigxcpu", 24 },
	{ "sigxfsz", 25 }, { "sigvtalrm", 26 }, { "sigprof", 27 },
	{ "sigwinch", 28 }, { "siginfo", 0 }, { "sigusr1", 10 },
	{ "sigusr2", 12 }, { "sigthr", 0 },
};
#define NSIG_NAMES	(int)(sizeof(signals) / sizeof(*signals))

struct rule {
	char	name[JAIL_NAMELEN];
	int	res;		/* index in resources[] */
	int	act;		/* ACT_* */
	int	sig;		/* index in signals[] for ACT_SIG */
	uint64_t amount;
	bool	per_process;
};

/* What a filter gives (a rule gives them all). */
#define F_SUBJ	0x01
#define F_NAME	0x02
#define F_RES	0x04
#define F_ACT	0x08
#define F_AMT	0x10

static const char *
act_name(const struct rule *ru)
{
	static const char *const names[] = { "", "deny", "log", "devctl",
	    "throttle" };

	return ru->act == ACT_SIG ? signals[ru->sig].name : names[ru->act];
}

static void
rule_text(const struct rule *ru, char *buf, size_t len)
{
	snprintf(buf, len, "jail:%s:%s:%s=%" PRIu64 "%s", ru->name,
	    resources[ru->res].name, act_name(ru), ru->amount,
	    ru->per_process ? "/process" : "");
}

/* FreeBSD's expand_number: digits and a k/m/g/t/p/e unit (x1024). */
static int
parse_amount(const char *s, uint64_t *v)
{
	static const char units[] = "kmgtpe";
	char *ep;
	const char *u;
	unsigned long long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &ep, 10);
	if (errno)
		return -1;
	if (*ep && (u = strchr(units, ep[0] | 0x20)) != NULL) {
		for (int shift = (int)(u - units + 1) * 10; shift > 0; shift -= 10) {
			if (n > UINT64_MAX >> 10)
				return -1;
			n <<= 10;
		}
		ep++;
	}
	if (*ep == 'b' || *ep == 'B')
		ep++;
	if (*ep)
		return -1;
	*v = n;
	return 0;
}

/* A jail name as a rule may name it: it is also a file name here. */
static int
check_name(const char *name, char *err)
{
	if (strlen(name) >= JAIL_NAMELEN || name[0] == '.' ||
	    strstr(name, "..") || strchr(name, ':')) {
		errno = EINVAL;
		return jerr(err, "invalid jail name '%s'", name);
	}
	return mod_check_chars("jail name", name, false, err);
}

/* Next field up to one of seps; *s moves past the separator. */
static char *
field(char **s, const char *seps, char *sep)
{
	char *f = *s;
	size_t n;

	*sep = '\0';
	if (f == NULL)
		return NULL;
	n = strcspn(f, seps);
	*sep = f[n];
	*s = f[n] ? f + n + 1 : NULL;
	f[n] = '\0';
	return f;
}

/*
 * Parse "subject:id:resource:action=amount/per".  A filter may leave any
 * field empty or out (*given says which it has); a rule must have all.
 */
static int
rule_parse(const char *text, struct rule *ru, unsigned *given, bool filter,
    char *err)
{
	char buf[1024], *s = buf, *subj, *id, *res, *act, *amt, sep;

	memset(ru, 0, sizeof(*ru));
	*given = 0;
	errno = EINVAL;
	if (strlen(text) >= sizeof(buf))
		return jerr(err, "rule too long");
	snprintf(buf, sizeof(buf), "%s", text);
	subj = field(&s, ":", &sep);
	id = field(&s, ":", &sep);
	res = field(&s, ":", &sep);
	act = field(&s, "=/", &sep);
	amt = sep == '=' ? field(&s, "/", &sep) : NULL;
	if (subj && *subj) {
		static const char *const others[] = { "user", "u", "process",
		    "p", "loginclass", "l", "c", "class", "group", "g" };
		if (strcmp(subj, "jail") != 0 && strcmp(subj, "j") != 0) {
			for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++)
				if (strcmp(subj, others[i]) == 0)
					return jerr(err, "subject '%s' is not "
					    "supported (rules are for jails)", subj);
			return jerr(err, "unknown subject '%s'", subj);
		}
		*given |= F_SUBJ;
	}
	if (id && *id) {
		if (check_name(id, err) < 0)
			return -1;
		snprintf(ru->name, sizeof(ru->name), "%s", id);
		*given |= F_NAME;
	}
	if (res && *res) {
		for (ru->res = 0; ru->res < NRES; ru->res++)
			if (strcmp(resources[ru->res].name, res) == 0)
				break;
		if (ru->res == NRES)
			return jerr(err, "unknown resource '%s'", res);
		*given |= F_RES;
	}
	if (act && *act) {
		static const char *const names[] = { "", "deny", "log", "devctl",
		    "throttle" };
		for (int i = 1; i < 5; i++)
			if (strcmp(act, names[i]) == 0)
				ru->act = i;
		for (int i = 0; i < NSIG_NAMES && !ru->act; i++)
			if (strcmp(act, signals[i].name) == 0) {
				ru->act = ACT_SIG;
				ru->sig = i;
			}
		if (!ru->act)
			return jerr(err, "unknown action '%s'", act);
		*given |= F_ACT;
	}
	if (amt) {
		if (parse_amount(amt, &ru->amount) < 0)
			return jerr(err, "invalid numeric value '%s'", amt);
		*given |= F_AMT;
	}
	if (s && *s) {		/* per */
		if (strcmp(s, "process") == 0 || strcmp(s, "p") == 0)
			ru->per_process = true;
		else if (strcmp(s, "jail") != 0 && strcmp(s, "j") != 0)
			return jerr(err, "per '%s' is not supported", s);
	}
	if (filter)
		return 0;
	if ((*given & (F_SUBJ | F_NAME | F_RES | F_ACT | F_AMT)) !=
	    (F_SUBJ | F_NAME | F_RES | F_ACT | F_AMT))
		return jerr(err, "%s", !(*given & F_SUBJ) ? "missing subject" :
		    !(*given & F_NAME) ? "missing jail name" :
		    !(*given & F_RES) ? "missing resource" :
		    !(*given & F_ACT) ? "missing action" : "missing amount");
	return 0;
}

/* Can Linux do what the rule asks?  (A rule from parse is complete.) */
static int
rule_check(const struct rule *ru, char *err)
{
	const struct res *r = &resources[ru->res];

	errno = EOPNOTSUPP;
	if (r->kind == R_NONE)
		return jerr(err, "resource '%s' is not supported on Linux",
		    r->name);
	if (ru->act == ACT_LOG || ru->act == ACT_DEVCTL)
		return jerr(err, "action '%s' is not supported on Linux",
		    act_name(ru));
	if (ru->act == ACT_SIG && signals[ru->sig].sig == 0)
		return jerr(err, "signal '%s' does not exist on Linux",
		    act_name(ru));
	if (ru->res == RES_CPUTIME && ru->act == ACT_SIG && ru->per_process) {
		if (signals[ru->sig].sig != 24 && signals[ru->sig].sig != 9)
			return jerr(err, "cputime/process: action '%s' is not "
			    "supported on Linux (RLIMIT_CPU sends sigxcpu, then "
			    "sigkill)", act_name(ru));
	} else if (ru->act != r->act)
		return jerr(err, "%s: action '%s' is not supported (use %s)",
		    r->name, act_name(ru), r->act == ACT_SIG ? "a signal" :
		    r->act == ACT_DENY ? "deny" : "throttle");
	if (ru->per_process && r->rlim < 0)
		return jerr(err, "%s: per process is not supported on Linux",
		    r->name);
	if (ru->res == RES_PCPU && (ru->amount == 0 || ru->amount > 100000))
		return jerr(err, "pcpu: %" PRIu64 " out of range (1 to 100000 "
		    "percent of one CPU)", ru->amount);
	errno = 0;
	return 0;
}

static bool
rule_matches(const struct rule *f, unsigned given, const struct rule *ru)
{
	return (!(given & F_NAME) || strcmp(f->name, ru->name) == 0) &&
	    (!(given & F_RES) || f->res == ru->res) &&
	    (!(given & F_ACT) || (f->act == ru->act &&
	    (f->act != ACT_SIG || f->sig == ru->sig))) &&
	    (!(given & F_AMT) || f->amount == ru->amount);
}

/* Rules the watcher enforces: jail-wide cputime, and wallclock. */
static bool
watched_rule(const struct rule *ru)
{
	return (ru->res == RES_CPUTIME && !ru->per_process) ||
	    ru->res == RES_WALLCLOCK;
}

/* ----- the store: rctl/<name>, one rule a line ----- */

static int
store_fd(struct registry *r, bool make)
{
	int fd = openat(r->dirfd, STORE, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && make &&
	    mkdirat(r->dirfd, STORE, 0700) == 0)
		fd = openat(r->dirfd, STORE, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/* The rules of name, as far as they are valid (untrusted file). */
static int
store_read(struct registry *r, const char *name, struct rule *rules)
{
	char path[JAIL_NAMELEN + 8], buf[65536], *line, *save, err[JAIL_ERRMSGLEN];
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), STORE "/%s", name);
	if ((fd = openat(r->dirfd, path, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && n < RULES_MAX;
	    line = strtok_r(NULL, "\n", &save)) {
		unsigned given;
		if (rule_parse(line, &rules[n], &given, false, err) == 0 &&
		    rule_check(&rules[n], err) == 0 &&
		    strcmp(rules[n].name, name) == 0)
			n++;
	}
	return n;
}

/* Replace name's rules (none: the file goes), atomically. */
static int
store_write(struct registry *r, const char *name, const struct rule *rules,
    int n, char *err)
{
	char tmp[JAIL_NAMELEN + 8], text[256];
	int dfd = store_fd(r, true), fd = -1, rc = -1;
	FILE *f = NULL;

	if (dfd < 0)
		return jerrno(err, "registry: %s", STORE);
	if (n == 0) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			jerrno(err, "registry: %s/%s", STORE, name);
		else
			rc = 0;
		close(dfd);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), ".%s", name);	/* never a jail name */
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	for (int i = 0; i < n; i++) {
		rule_text(&rules[i], text, sizeof(text));
		fprintf(f, "%s\n", text);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		goto out;
	if (renameat(dfd, tmp, dfd, name) == 0)
		rc = 0;
out:
	if (rc < 0) {
		jerrno(err, "registry: %s/%s", STORE, name);
		unlinkat(dfd, tmp, 0);
	}
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return rc;
}

/* Jail names with rules, for listing (malloc'd array of malloc'd). */
static int
store_names(struct registry *r, char ***namesp)
{
	int dfd = store_fd(r, false), n = 0, cap = 0;
	char **names = NULL;
	DIR *d;
	struct dirent *de;

	*namesp = NULL;
	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, sizeof(*names) *
			    (size_t)(cap = cap ? cap * 2 : 16));
			if (nn == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	*namesp = names;
	return n;
}

static void
free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ----- applying rules to a running jail ----- */

struct plan {
	struct cg_limits l;
	unsigned ctrls;			/* controllers the rules use */
	struct rlimit rl[LIM_NRLIM];
	bool	watch;			/* jail-wide cputime rules */
};

/* Fold rules into limits; rlimits start from the parent's. */
static void
plan_rules(const struct rule *rules, int n, const struct jail_rec *parent,
    struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->l.mem = p->l.swap = p->l.vmem = p->l.pids = p->l.cpu_us = CG_MAX;
	for (int i = 0; i < 4; i++)
		p->l.io[i] = CG_MAX;
	lim_rl_parse(parent ? parent->rlimits : "", p->rl);
	for (int i = 0; i < n; i++) {
		const struct rule *ru = &rules[i];
		const struct res *r = &resources[ru->res];
		uint64_t a = ru->amount, *v = NULL;

		if (watched_rule(ru)) {
			p->watch = true;
			continue;
		}
		if (r->kind == R_RLIM || (ru->per_process && r->rlim >= 0)) {
			struct rlimit *x = &p->rl[lim_rl_index(r->rlim)];
			if (ru->act == ACT_SIG && signals[ru->sig].sig == 24)
				lim_rl_lower(x, a, RLIM_INFINITY);	/* sigxcpu */
			else
				lim_rl_lower(x, a, a);
			continue;
		}
		switch (ru->res) {
		case RES_MEMORYUSE: v = &p->l.mem; break;
		case RES_VMEMORYUSE: v = &p->l.vmem; break;
		case RES_SWAPUSE: v = &p->l.swap; break;
		case RES_MAXPROC: case RES_NTHR: v = &p->l.pids; break;
		case RES_PCPU: v = &p->l.cpu_us; a *= CG_PERIOD_US / 100; break;
		default: v = &p->l.io[ru->res - RES_READBPS]; break;
		}
		if (a < *v)
			*v = a;
		p->ctrls |= 1u << r->ctrl;
	}
}

static int
set_rlimits(pid_t pid, void *arg)
{
	return lim_rl_apply(pid, arg, false, NULL);
}

static uint64_t cpu_usec(const struct jail_rec *jr);

/* Wall time since the jail started, µs (its holder's start). */
static uint64_t
wall_usec(const struct jail_rec *jr)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t t, st = jr->holder_start;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	t = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	st = hz > 0 ? st * 1000000 / (uint64_t)hz : 0;
	return t > st ? t - st : 0;
}


/* ----- jail-wide cputime: a watcher process per jail that has such rules ----- */

static bool
watcher_alive(const struct jail_rec *jr)
{
	return jr->watcher > 0 && sys_starttime(jr->watcher) == jr->watcher_start;
}

/* What signal_one needs: which signal, and whose processes. */
struct sigjob { const char *rel; size_t rl; pid_t holder; int sig; };

/*
 * sig to one process of the jail (not its holder), through a pidfd and
 * only while it is still in the jail's group (rel: its path as
 * /proc/PID/cgroup shows it), so a reused pid is never signalled.
 */
static void
signal_one(pid_t pid, void *arg)
{
	const struct sigjob *j = arg;
	char path[64], buf[PATH_MAX], *v2;
	int fd;

	if (pid == j->holder || (fd = sys_pidfd_open(pid)) < 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) > 0 &&
	    (v2 = strstr(buf, "0::")) != NULL && (v2 == buf || v2[-1] == '\n') &&
	    strncmp(v2 + 3, j->rel, j->rl) == 0 &&
	    (v2[3 + j->rl] == '/' || v2[3 + j->rl] == '\n'))
		sys_pidfd_send_signal(fd, j->sig);
	close(fd);
}

/*
 * The watcher: while the jail lives and has cputime rules (re-read each
 * time, so rctl -r ends it), compare the jail's CPU seconds with each;
 * over one, its signal goes to the jail's processes every second, as
 * FreeBSD signals at each accounting pass.  Under all, it sleeps until
 * the jail could first cross one (its CPUs working flat out).
 */
static void __attribute__((noreturn))
watch_main(const struct jail_rec *jr)
{
	char err[JAIL_ERRMSGLEN], rel[PATH_MAX];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *v2 = cg_v2_root();
	size_t vl = strlen(v2);
	int hfd;

	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* nothing of the caller's: its terminal, the registry lock */
	if (null >= 0)
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
	syscall(SYS_close_range, 3, ~0U, 0);
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sys_proctitle("vjail-rctl");
	snprintf(rel, sizeof(rel), "%s", strncmp(jr->cgroup, v2, vl) == 0 ?
	    jr->cgroup + vl : jr->cgroup);
	hfd = sys_pidfd_open(jr->holder);
	if (hfd < 0 || sys_starttime(jr->holder) != jr->holder_start)
		_exit(0);
	for (;;) {
		struct rule rules[RULES_MAX];
		struct registry r;
		struct jail_rec now;
		/* µs: CPU time (up to ncpu a second), wall time (one a second) */
		uint64_t used[2] = { cpu_usec(jr), wall_usec(jr) },
		    rate[2] = { (uint64_t)(ncpu > 0 ? ncpu : 1), 1 },
		    next = UINT64_MAX;
		int n, watched = 0;

		if (reg_open(&r, false, err) < 0)
			_exit(1);
		/* still this jail's record (not a new one under its jid)? */
		n = reg_load(&r, jr->jid, &now) == 0 &&
		    now.holder_start == jr->holder_start ?
		    store_read(&r, jr->name, rules) : 0;
		reg_close(&r);
		for (int i = 0; i < n; i++) {
			uint64_t limit = rules[i].amount * 1000000;
			int k = rules[i].res == RES_WALLCLOCK;
			if (!watched_rule(&rules[i]))
				continue;
			watched++;
			if (used[k] >= limit) {
				struct sigjob j = { rel, strlen(rel), jr->holder,
				    signals[rules[i].sig].sig };
				cg_each_pid(jr->cgroup, signal_one, &j);
			} else if ((limit - used[k]) / rate[k] < next)
				next = (limit - used[k]) / rate[k];
		}
		if (!watched)
			_exit(0);
		/* until the first limit could be crossed; each second past one */
		uint64_t ms = next == UINT64_MAX ? 1000 : next / 1000;
		struct pollfd p = { .fd = hfd, .events = POLLIN };
		if (poll(&p, 1, ms < 100 ? 100 : ms > 60000 ? 60000 : (int)ms) != 0)
			_exit(0);	/* the holder is gone: so is the jail */
	}
}

/*
 * Start the jail's watcher unless it runs: a grandchild (re-parented to
 * init or the nearest subreaper), recorded before this returns.  Should
 * the record be lost, it still ends with the jail's holder.
 */
static int
watch_start(struct registry *r, struct jail_rec *jr, char *err)
{
	int pfd[2], st;
	pid_t child, w = -1;

	if (watcher_alive(jr))
		return 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return jerrno(err, "rctl: pipe");
	if ((child = fork()) < 0) {
		close(pfd[0]), close(pfd[1]);
		return jerrno(err, "rctl: fork");
	}
	if (child == 0) {
		pid_t g = fork();
		if (g == 0)
			watch_main(jr);
		(void)!write(pfd[1], &g, sizeof(g));
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &w, sizeof(w)) != sizeof(w))
		w = -1;
	close(pfd[0]);
	waitpid(child, &st, 0);
	if (w <= 0)
		return jerr(err, "rctl: the cputime watcher did not start");
	jr->watcher = w;
	jr->watcher_start = sys_starttime(w);
	return reg_store(r, jr, err);
}

/* Is ctrl enabled on the jail's v2 group (so its knobs exist)? */
static bool
v2_enabled(const struct jail_rec *jr, int ctrl)
{
	char have[512];

	return cg_get(jr->cgroup, "cgroup.controllers", have, sizeof(have)) == 0 &&
	    cg_has(have, cg_names[ctrl]);
}

/*
 * Apply jr's own rules (read from the store) to the running jail jr:
 * groups for what they use and for what its parent has, every knob of
 * those groups (unlimited where no rule is left), and the per-process
 * limits on every process.  lim_walk calls it for each descendant too.
 */
static int
apply_one(struct registry *r, struct jail_rec *jr, struct jail_rec *parent,
    void *arg, char *err)
{
	struct rule rules[RULES_MAX];
	struct plan p;
	char rltext[JAIL_LISTLEN];
	int n = store_read(r, jr->name, rules);

	(void)arg;
	plan_rules(rules, n, parent && parent->jid ? parent : NULL, &p);
	if (lim_groups(r, jr, parent, p.ctrls | (parent ?
	    lim_v1_ctrls(parent) : 0), err) < 0)
		return -1;
	for (int c = 0; c < CG_NCTRL; c++) {
		const struct cg_backend *be = cg_backend(c);
		if (c == CG_CPUSET || be == NULL)	/* cpuset's own */
			continue;
		if (be == &cg_v1 ? jr->cg1[c][0] != '\0' &&
		    cg_v1_valid(c, jr->cg1[c], jr->jid) :
		    (p.ctrls & 1u << c) || v2_enabled(jr, c)) {
			if (be->limit(be == &cg_v1 ? jr->cg1[c] : jr->cgroup, c,
			    &p.l, err) < 0)
				return -1;
		}
	}
	if (p.watch && watch_start(r, jr, err) < 0)
		return -1;
	lim_rl_format(p.rl, rltext, sizeof(rltext));
	if (strcmp(rltext, jr->rlimits) != 0) {
		snprintf(jr->rlimits, sizeof(jr->rlimits), "%s", rltext);
		if (reg_store(r, jr, err) < 0)
			return -1;
		lim_each_pid(jr, set_rlimits, p.rl);
	}
	return 0;
}

/* Apply to the live jail called name, if any, and its descendants. */
static int
apply_name(struct registry *r, const char *name, char *err)
{
	struct jail_rec jr, parent;

	if (lim_find(r, name, &jr, &parent) < 0)
		return 0;	/* not running: applies when it starts */
	return lim_walk(r, &jr, parent.jid ? &parent : NULL, apply_one, NULL,
	    err);
}

/*
 * A child never gets more than an ancestor: each rule of the same
 * resource and action of every ancestor name ("a" for "a.b") bounds it.
 */
static int
check_ancestors(struct registry *r, const struct rule *ru, char *err)
{
	char anc[JAIL_NAMELEN], text[256];
	struct rule rules[RULES_MAX];
	char *dot;

	snprintf(anc, sizeof(anc), "%s", ru->name);
	while ((dot = strrchr(anc, '.')) != NULL) {
		*dot = '\0';
		int n = store_read(r, anc, rules);
		for (int i = 0; i < n; i++)
			if (rules[i].res == ru->res && rules[i].act == ru->act &&
			    rules[i].per_process == ru->per_process &&
			    rules[i].amount < ru->amount) {
				rule_text(&rules[i], text, sizeof(text));
				errno = EPERM;
				return jerr(err, "exceeds the limit of jail %s "
				    "(%s)", anc, text);
			}
	}
	return 0;
}

/* ----- the rctl(2) calls ----- */

/* NUL-terminated input within its length, and the library's errmsg. */
static int
input(const char *in, size_t inlen, char *err)
{
	err[0] = '\0';
	if (in == NULL || inlen == 0 || memchr(in, '\0', inlen) == NULL) {
		errno = EINVAL;
		return jerr(err, "rule not terminated");
	}
	if (jail_inside()) {
		errno = EPERM;	/* as FreeBSD: no rctl inside a jail */
		return -1;
	}
	return 0;
}

/* Append s and "," to out; ERANGE once it does not fit. */
static int
out_add(char *out, size_t outlen, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (out == NULL || *off + n + 2 > outlen) {
		errno = ERANGE;
		return -1;
	}
	memcpy(out + *off, s, n);
	out[*off + n] = ',';
	*off += n + 1;
	out[*off] = '\0';
	return 0;
}

int
rctl_add_rule(const char *in, size_t inlen, char *out, size_t outlen)
{
	char *err = jail_errmsg;
	struct registry r;
	struct rule ru, rules[RULES_MAX], old[RULES_MAX];
	unsigned given;
	int n, k, oldn;

	(void)out, (void)outlen;
	if (input(in, inlen, err) < 0 ||
	    rule_parse(in, &ru, &given, false, err) < 0 ||
	    rule_check(&ru, err) < 0)
		return -1;
	if (!cg_backend(resources[ru.res].ctrl) &&
	    resources[ru.res].kind == R_CG && !ru.per_process) {
		errno = EOPNOTSUPP;
		return jerr(err, "%s: the %s controller is not available "
		    "(neither in cgroup v2 nor v1)", resources[ru.res].name,
		    cg_names[resources[ru.res].ctrl]);
	}
	if (reg_open(&r, true, err) < 0)
		return -1;
	rctl_boot_check(&r);	/* a new boot drops old rules first */
	if (check_ancestors(&r, &ru, err) < 0)
		goto fail;
	n = k = oldn = store_read(&r, ru.name, rules);
	memcpy(old, rules, sizeof(*rules) * (size_t)n);
	/* as FreeBSD: the same subject, resource and action is replaced */
	for (int i = 0; i < n; i++)
		if (rules[i].res == ru.res && rules[i].act == ru.act &&
		    rules[i].sig == ru.sig &&
		    rules[i].per_process == ru.per_process)
			k = i;
	if (k == RULES_MAX) {
		errno = ENOSPC;
		jerr(err, "too many rules for jail %s", ru.name);
		goto fail;
	}
	rules[k] = ru;
	if (k == n)
		n++;
	if (store_write(&r, ru.name, rules, n, err) < 0)
		goto fail;
	if (apply_name(&r, ru.name, err) < 0) {
		/* the kernel refused it: back to what was */
		char keep[JAIL_ERRMSGLEN];
		int e = errno;
		snprintf(keep, sizeof(keep), "%s", err);
		store_write(&r, ru.name, old, oldn, err);
		apply_name(&r, ru.name, err);
		snprintf(err, JAIL_ERRMSGLEN, "%s", keep);
		errno = e;
		goto fail;
	}
	reg_close(&r);
	return 0;
fail:
	reg_close(&r);
	return -1;
}

int
rctl_remove_rule(const char *in, size_t inlen, char *out, size_t outlen)
{
	char *err = jail_errmsg, **names = NULL;
	struct registry r;
	struct rule f, rules[RULES_MAX];
	unsigned given;
	int nnames, found = 0, rc = 0;

	(void)out, (void)outlen;
	if (input(in, inlen, err) < 0 ||
	    rule_parse(in, &f, &given, true, err) < 0 ||
	    reg_open(&r, true, err) < 0)
		return -1;
	rctl_boot_check(&r);
	if (given & F_NAME) {
		names = malloc(sizeof(*names));
		nnames = names && (names[0] = strdup(f.name)) ? 1 : 0;
	} else
		nnames = store_names(&r, &names);
	for (int i = 0; i < nnames && rc == 0; i++) {
		int n = store_read(&r, names[i], rules), k = 0;
		for (int j = 0; j < n; j++)
			if (!rule_matches(&f, given, &rules[j]))
				rules[k++] = rules[j];
		if (k == n)
			continue;
		found += n - k;
		if (store_write(&r, names[i], rules, k, err) < 0 ||
		    apply_name(&r, names[i], err) < 0)
			rc = -1;
	}
	free_names(names, nnames);
	reg_close(&r);
	if (rc == 0 && found == 0) {
		errno = ESRCH;	/* as FreeBSD: nothing matched */
		return -1;
	}
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rctl_get_rules(const char *in, size_t inlen, char *out, size_t outlen)
{
	char *err = jail_errmsg, **names = NULL, text[256];
	struct registry r;
	struct rule f, rules[RULES_MAX];
	unsigned given = 0;
	size_t off = 0;
	int nnames, rc = 0;

	if (in == NULL)
		in = "::", inlen = 3;
	if (input(in, inlen, err) < 0 ||
	    rule_parse(in, &f, &given, true, err) < 0 ||
	    reg_open(&r, true, err) < 0)
		return -1;
	rctl_boot_check(&r);	/* a new boot: its rules, not the old ones */
	nnames = store_names(&r, &names);
	qsort(names, (size_t)nnames, sizeof(*names), cmp_str);
	if (out && outlen)
		out[0] = '\0';
	for (int i = 0; i < nnames && rc == 0; i++) {
		int n;
		if ((given & F_NAME) && strcmp(names[i], f.name) != 0)
			continue;
		n = store_read(&r, names[i], rules);
		for (int j = 0; j < n && rc == 0; j++)
			if (rule_matches(&f, given, &rules[j])) {
				rule_text(&rules[j], text, sizeof(text));
				rc = out_add(out, outlen, &off, text);
			}
	}
	free_names(names, nnames);
	reg_close(&r);
	return rc;
}

/* ----- usage ----- */

struct usage {
	uint64_t rss, swap, nproc, nthr, nfiles;
	pid_t	holder;		/* not the jail's: not counted, not limited */
};

static void
count_pid(pid_t pid, struct usage *u)
{
	char path[64], buf[4096], *p;
	unsigned long long v;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return;
	u->nproc++;
	if ((p = strstr(buf, "\nVmRSS:")) && sscanf(p + 7, "%llu", &v) == 1)
		u->rss += v * 1024;
	if ((p = strstr(buf, "\nVmSwap:")) && sscanf(p + 8, "%llu", &v) == 1)
		u->swap += v * 1024;
	if ((p = strstr(buf, "\nThreads:")) && sscanf(p + 9, "%llu", &v) == 1)
		u->nthr += v;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) != NULL) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				u->nfiles++;
		closedir(d);
	}
}

/* One process of the jail and its children, the holder aside. */
static void
count_one(pid_t pid, void *arg)
{
	struct usage *u = arg;

	if (pid != u->holder)
		count_pid(pid, u);
}

/* CPU time of the jail and its children, µs (v2 core statistics). */
static uint64_t
cpu_usec(const struct jail_rec *jr)
{
	char path[PATH_MAX + 16], buf[1024], *p;

	snprintf(path, sizeof(path), "%s/cpu.stat", jr->cgroup);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "usage_usec ")) == NULL)
		return 0;
	return strtoull(p + 11, NULL, 10);
}

/* %CPU over a short sample, as FreeBSD's decaying pcpu is recent. */
#define PCPU_SAMPLE_MS	200

int
rctl_get_racct(const char *in, size_t inlen, char *out, size_t outlen)
{
	char *err = jail_errmsg, text[64];
	struct registry r;
	struct jail_rec jr, parent;
	struct rule f;
	struct usage u = { 0 };
	unsigned given;
	uint64_t mem, c0, c1, wall = 0;
	size_t off = 0;
	int rc;

	if (input(in, inlen, err) < 0 ||
	    rule_parse(in, &f, &given, true, err) < 0)
		return -1;
	if (!(given & F_NAME)) {
		errno = EINVAL;
		return jerr(err, "usage needs a jail: jail:name");
	}
	if (reg_open(&r, false, err) < 0)
		return -1;
	rc = lim_find(&r, f.name, &jr, &parent);
	reg_close(&r);
	if (rc < 0) {
		errno = ESRCH;
		return jerr(err, "jail \"%s\" not found", f.name);
	}
	c0 = cpu_usec(&jr);
	u.holder = jr.holder;
	cg_each_pid(jr.cgroup, count_one, &u);
	/* the memory group's count, else the processes' resident sizes */
	const char *mdir = jr.cg1[CG_MEMORY][0] && cg_v1_valid(CG_MEMORY,
	    jr.cg1[CG_MEMORY], jr.jid) ? jr.cg1[CG_MEMORY] :
	    cg_backend(CG_MEMORY) == &cg_v2 && v2_enabled(&jr, CG_MEMORY) ?
	    jr.cgroup : NULL;
	mem = mdir && cg_get(mdir, cg_backend(CG_MEMORY)->memory_file, text,
	    sizeof(text)) == 0 ? strtoull(text, NULL, 10) : u.rss;
	{
		struct timespec ts, t = { 0, PCPU_SAMPLE_MS * 1000000L };
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t st = sys_starttime(jr.holder);
		nanosleep(&t, NULL);
		c1 = cpu_usec(&jr);
		clock_gettime(CLOCK_BOOTTIME, &ts);
		if (hz > 0 && st && (uint64_t)ts.tv_sec >= st / (uint64_t)hz)
			wall = (uint64_t)ts.tv_sec - st / (uint64_t)hz;
	}
	const struct { const char *k; uint64_t v; } vals[] = {
		{ "cputime", c1 / 1000000 }, { "memoryuse", mem },
		{ "maxproc", u.nproc }, { "openfiles", u.nfiles },
		{ "vmemoryuse", mem + u.swap }, { "swapuse", u.swap },
		{ "nthr", u.nthr }, { "wallclock", wall },
		{ "pcpu", (c1 - c0) * 100 / (PCPU_SAMPLE_MS * 1000) },
	};
	if (out && outlen)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		snprintf(text, sizeof(text), "%s=%" PRIu64, vals[i].k, vals[i].v);
		if (out_add(out, outlen, &off, text) < 0)
			return -1;
	}
	return 0;
}

/*
 * Rules that apply to a process ("process:PID"): those of its jail and
 * of every ancestor, found from its v2 group <...>/<jid>[/jail|/init].
 */
int
rctl_get_limits(const char *in, size_t inlen, char *out, size_t outlen)
{
	char *err = jail_errmsg, path[64], line[PATH_MAX], name[JAIL_NAMELEN];
	char dir[PATH_MAX + 8], *slash, text[256], *ep;
	struct registry r;
	struct jail_rec jr;
	struct rule rules[RULES_MAX];
	size_t off = 0;
	long pid;
	int rc = 0;

	if (input(in, inlen, err) < 0)
		return -1;
	if ((strncmp(in, "process:", 8) != 0 && strncmp(in, "p:", 2) != 0) ||
	    (pid = strtol(strchr(in, ':') + 1, &ep, 10)) <= 0 || *ep) {
		errno = EINVAL;
		return jerr(err, "limits need a process: process:pid");
	}
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if (sys_read_small(AT_FDCWD, path, line, sizeof(line)) <= 0) {
		errno = ESRCH;
		return jerr(err, "process %ld not found", pid);
	}
	if (out && outlen)
		out[0] = '\0';
	char *v2 = strstr(line, "0::");
	if (v2 == NULL || (v2 != line && v2[-1] != '\n'))
		return 0;
	v2 += 3;
	v2[strcspn(v2, "\n")] = '\0';
	snprintf(dir, sizeof(dir), "%s%s", cg_v2_root(), v2);
	if ((slash = strrchr(dir, '/')) && (strcmp(slash, "/jail") == 0 ||
	    strcmp(slash, "/init") == 0))
		*slash = '\0';
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (reg_open(&r, false, err) < 0)
		return -1;
	if (reg_load(&r, atoi(slash + 1), &jr) < 0 ||
	    strcmp(jr.cgroup, dir) != 0) {
		reg_close(&r);
		return 0;	/* not in a jail */
	}
	snprintf(name, sizeof(name), "%s", jr.name);
	for (char *dot = name + strlen(name); rc == 0; ) {
		int n = store_read(&r, name, rules);
		for (int i = 0; i < n && rc == 0; i++) {
			rule_text(&rules[i], text, sizeof(text));
			rc = out_add(out, outlen, &off, text);
		}
		if ((dot = strrchr(name, '.')) == NULL)
			break;
		*dot = '\0';
	}
	reg_close(&r);
	return rc;
}

/* ----- module hooks ----- */

/*
 * Before rules are read or changed: a registry of an earlier boot (or a
 * new one) drops that boot's rules first (rctl_boot), before the boot is
 * marked, so that a command killed in between has it done again.
 * Nonzero when the registry was not known to be this boot's.
 */
int
rctl_boot_check(struct registry *r)
{
	int boot = reg_boot_check(r);

	if (boot == 2)
		rctl_boot(r);	/* rules of that boot go; /etc/rctl.conf is read */
	if (boot)
		reg_boot_mark(r);
	return boot;
}

/*
 * A new boot (or a fresh registry): rules of an earlier one go, and
 * /etc/rctl.conf ($VJAIL_RCTL_CONF) is loaded, as FreeBSD's rc.d does.
 * Lines that are not valid jail rules are skipped (rctl -f reports them).
 */
void
rctl_boot(struct registry *r)
{
	const char *conf = getenv("VJAIL_RCTL_CONF");
	char **names = NULL, line[1024], err[JAIL_ERRMSGLEN];
	struct rule ru, rules[RULES_MAX];
	int n = store_names(r, &names);
	FILE *f;

	for (int i = 0; i < n; i++)
		store_write(r, names[i], NULL, 0, err);
	free_names(names, n);
	if ((f = fopen(conf && *conf ? conf : "/etc/rctl.conf", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");
		unsigned given;
		int k;
		s[strcspn(s, "# \t\r\n")] = '\0';
		if (!*s || rule_parse(s, &ru, &given, false, err) < 0 ||
		    rule_check(&ru, err) < 0)
			continue;
		n = k = store_read(r, ru.name, rules);
		for (int i = 0; i < n; i++)
			if (rules[i].res == ru.res && rules[i].act == ru.act &&
			    rules[i].sig == ru.sig)
				k = i;
		if (k == RULES_MAX)
			continue;
		rules[k] = ru;
		store_write(r, ru.name, rules, k == n ? n + 1 : n, err);
	}
	fclose(f);
}

/*
 * The jail's rules apply as it is created.  Without rules, and under a
 * parent without limits, this is one failed open.
 */
static int
rctl_created(struct registry *r, struct jail_rec *jr, char *err)
{
	struct rule rules[RULES_MAX];
	struct jail_rec parent;
	int n = store_read(r, jr->name, rules);

	if (jr->parent <= 0)
		return n == 0 ? 0 : apply_one(r, jr, NULL, NULL, err);
	if (reg_load(r, jr->parent, &parent) < 0)
		return 0;
	if (n == 0 && !lim_v1_ctrls(&parent) && !parent.rlimits[0])
		return 0;
	return apply_one(r, jr, &parent, NULL, err);
}

/* The jail goes: so does its watcher (it would notice, a moment later). */
static void
rctl_destroy(struct registry *r, const struct jail_rec *jr)
{
	int fd;

	(void)r;
	if (jr->watcher > 0 && (fd = sys_pidfd_open(jr->watcher)) >= 0) {
		if (watcher_alive(jr))
			sys_pidfd_send_signal(fd, SIGKILL);
		close(fd);
	}
}

const struct module mod_rctl = {
	.name = "rctl",
	.created = rctl_created,
	.destroy = rctl_destroy,
};
