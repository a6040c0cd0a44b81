/*
 * registry.c - the host-side record of jails under /run/vjail
 * ($VJAIL_RUNDIR): one file per jail in jails/<jid>, one lock.
 *
 * Only host-side code writes here; nothing inside a jail can reach it
 * (the holder mounts an empty tmpfs over it in a jail whose root would
 * show it).  Records are still never trusted blindly: a holder is alive
 * only if its pid, start time and user namespace all match.  Records from
 * an earlier boot are dropped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vjail.h"

const char *
reg_rundir(void)
{
	const char *d = getenv("VJAIL_RUNDIR");

	return d && *d ? d : "/run/vjail";
}

static void
boot_id(char *buf, size_t len)
{
	if (sys_read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id", buf,
	    len) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Drop every record if the registry was written in an earlier boot. */
static void
check_boot(struct registry *r)
{
	char now[64], then[64] = "";
	int fd;

	boot_id(now, sizeof(now));
	if (sys_read_small(r->dirfd, "boot", then, sizeof(then)) < 0)
		then[0] = '\0';
	if (strcmp(now, then) == 0)
		return;
	int *jids = NULL, n2 = reg_list(r, &jids);
	for (int i = 0; i < n2; i++)
		reg_delete(r, jids[i]);
	free(jids);
	rctl_boot(r);	/* rules of that boot go; /etc/rctl.conf is read */
	if ((fd = openat(r->dirfd, "boot.tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0644)) >= 0) {
		(void)!write(fd, now, strlen(now));
		close(fd);
		renameat(r->dirfd, "boot.tmp", r->dirfd, "boot");
	}
}

int
reg_open(struct registry *r, bool exclusive, char *err)
{
	const char *dir = reg_rundir();

	r->dirfd = r->jailsfd = r->lockfd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return jerrno(err, "registry: mkdir %s", dir);
	if ((r->dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return jerrno(err, "registry: %s", dir);
	if (mkdirat(r->dirfd, "jails", 0700) < 0 && errno != EEXIST)
		goto fail;
	if ((r->jailsfd = openat(r->dirfd, "jails", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0)
		goto fail;
	if ((r->lockfd = openat(r->dirfd, "lock", O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		goto fail;
	while (flock(r->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			goto fail;
	return 0;
fail:
	jerrno(err, "registry: %s", dir);
	reg_close(r);
	return -1;
}

/*
 * Before a creation: drop records of an earlier boot and of jails whose
 * holder or creator died without cleaning up (a killed monitor).  The
 * full sweep reads every record, so it runs at most once a second; a
 * name or slot found taken is checked on the spot (core).
 */
void
reg_clean(struct registry *r)
{
	struct stat st;
	struct timespec now;

	check_boot(r);
	clock_gettime(CLOCK_REALTIME, &now);
	if (fstatat(r->dirfd, "reaped", &st, 0) == 0 &&
	    now.tv_sec - st.st_mtim.tv_sec < 1)
		return;
	reg_reap(r);
	int fd = openat(r->dirfd, "reaped", O_WRONLY | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
}

void
reg_close(struct registry *r)
{
	if (r->lockfd >= 0)
		close(r->lockfd);	/* releases the lock */
	if (r->jailsfd >= 0)
		close(r->jailsfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = r->jailsfd = r->lockfd = -1;
}

/*
 * Record format: "key=value" lines.  Parameters use their table names;
 * host-side facts use names that are not parameters.  Values never hold
 * a newline (strings with control characters are refused at check; the
 * PF_LINES ones, meta and env, are escaped: a newline as backslash-n,
 * a backslash as two).
 */
struct fact { const char *key; size_t off, size; int kind; };
enum { K_INT, K_U64, K_STR };
#define FACT(k, f, kind) { k, offsetof(struct jail_rec, f), \
    sizeof(((struct jail_rec *)0)->f), kind }
static const struct fact facts[] = {
	FACT(".state", state, K_INT),
	FACT(".holder", holder, K_INT),
	FACT(".holder_start", holder_start, K_U64),
	FACT(".monitor", monitor, K_INT),
	FACT(".creator", creator, K_INT),
	FACT(".creator_start", creator_start, K_U64),
	FACT(".uidslot", uidslot, K_INT),
	FACT(".uidslots", uidslots, K_INT),
	FACT(".userns", userns, K_U64),
	FACT(".cgroup", cgroup, K_STR),
	FACT(".parent", parent, K_INT),
	FACT(".moved", moved, K_STR),
	FACT(".aliases", aliases, K_STR),
	FACT(".idmapped", idmapped, K_INT),
	FACT(".guard", guard, K_INT),
	FACT(".guard_mnt", guard_mnt, K_U64),
	FACT(".cg1.cpu", cg1[CG_CPU], K_STR),
	FACT(".cg1.memory", cg1[CG_MEMORY], K_STR),
	FACT(".cg1.pids", cg1[CG_PIDS], K_STR),
	FACT(".cg1.cpuset", cg1[CG_CPUSET], K_STR),
	FACT(".cg1.blkio", cg1[CG_IO], K_STR),
	FACT(".rlimits", rlimits, K_STR),
	FACT(".watcher", watcher, K_INT),
	FACT(".watcher_start", watcher_start, K_U64),
};

static void
fact_set(struct jail_rec *jr, const struct fact *f, const char *v)
{
	char *p = (char *)jr + f->off;

	if (f->kind == K_INT)
		*(int *)p = (int)strtol(v, NULL, 10);
	else if (f->kind == K_U64)
		*(uint64_t *)p = strtoull(v, NULL, 10);
	else
		snprintf(p, f->size, "%s", v);
}

/* A PF_LINES value: backslash-n is a newline, two backslashes one. */
static void
unescape_lines(char *dst, size_t size, const char *v)
{
	size_t n = 0;

	for (; *v && n + 1 < size; v++)
		if (v[0] == '\\' && (v[1] == 'n' || v[1] == '\\'))
			dst[n++] = *++v == 'n' ? '\n' : '\\';
		else
			dst[n++] = *v;
	dst[n] = '\0';
}

int
reg_load(struct registry *r, int jid, struct jail_rec *jr)
{
	char name[16], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;

	snprintf(name, sizeof(name), "%d", jid);
	if ((fd = openat(r->jailsfd, name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return -1;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	memset(jr, 0, sizeof(*jr));
	/* a record from before ip4/ip6 were kept: unrestricted */
	jr->ip4 = jr->ip6 = JAIL_SYS_INHERIT;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *eq = strchr(line, '=');
		bool neg;
		const struct param_def *pd;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (eq == NULL)
			continue;
		*eq++ = '\0';
		if (line[0] == '.') {
			for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++)
				if (strcmp(facts[i].key, line) == 0)
					fact_set(jr, &facts[i], eq);
			continue;
		}
		if ((pd = param_lookup(line, &neg)) == NULL || neg)
			continue;
		if (pd->flags & PF_LINES)
			unescape_lines(param_field(pd, jr), pd->size, eq);
		else if (pd->type == PT_STRING)
			snprintf(param_field(pd, jr), pd->size, "%s", eq);
		else
			*(int *)param_field(pd, jr) = (int)strtol(eq, NULL, 10);
	}
	free(line);
	fclose(f);
	jr->jid = jid;
	jr->dying = jr->state == JS_DYING;
	return 0;
}

/*
 * Write a record in place: writers hold the exclusive lock and readers
 * the shared one, so no reader sees it half-written.  (Replacing the file
 * by rename, or truncating it to zero, makes ext4 flush it: 0.1-0.3 ms a
 * time where /run is not a tmpfs.)
 */
int
reg_store(struct registry *r, const struct jail_rec *jr, char *err)
{
	char name[16], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd = -1, rc = -1;

	if (f == NULL)
		return jerrno(err, "registry");
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *pd = &param_table[i];
		const void *v = (const char *)jr + pd->off;
		if (pd->flags & (PF_ALIAS | PF_RDONLY))
			continue;
		if (pd->flags & PF_LINES) {
			fprintf(f, "%s=", pd->name);
			for (const char *c = v; *c; c++)
				fputs(*c == '\n' ? "\\n" : *c == '\\' ? "\\\\" :
				    (char[]){ *c, 0 }, f);
			putc('\n', f);
		} else if (pd->type == PT_STRING)
			fprintf(f, "%s=%s\n", pd->name, (const char *)v);
		else
			fprintf(f, "%s=%d\n", pd->name, *(const int *)v);
	}
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++) {
		const char *v = (const char *)jr + facts[i].off;
		if (facts[i].kind == K_INT)
			fprintf(f, "%s=%d\n", facts[i].key, *(const int *)v);
		else if (facts[i].kind == K_U64)
			fprintf(f, "%s=%" PRIu64 "\n", facts[i].key,
			    *(const uint64_t *)v);
		else
			fprintf(f, "%s=%s\n", facts[i].key, v);
	}
	if (fclose(f) != 0)
		goto out;
	snprintf(name, sizeof(name), "%d", jr->jid);
	if ((fd = openat(r->jailsfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0 ||
	    pwrite(fd, buf, len, 0) != (ssize_t)len || ftruncate(fd,
	    (off_t)len) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		jerrno(err, "registry: record %d", jr->jid);
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/*
 * Indexes, so that per-jail work does not grow with the number of jails:
 *   names/<name> -> "<jid>"	the live (not dying) jail of that name
 *   kids/<jid>/<childjid>	children, for children.max and .cur
 *   slots/<n> -> "<jid>"	who holds host uid range n
 * All are changed under the exclusive lock only.
 */
static int
index_dir(struct registry *r, const char *dir)
{
	int fd;

	if ((fd = openat(r->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 && errno == ENOENT &&
	    mkdirat(r->dirfd, dir, 0700) == 0)
		fd = openat(r->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	return fd;
}

/* The jid an index entry points to, or -1. */
static int
index_get(struct registry *r, const char *dir, const char *key)
{
	char buf[16];
	int fd = index_dir(r, dir);
	ssize_t n = fd >= 0 ? readlinkat(fd, key, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/* Point key at jid; 0, or -1 with EEXIST if key is taken. */
static int
index_set(struct registry *r, const char *dir, const char *key, int jid)
{
	char buf[16];
	int fd = index_dir(r, dir), rc;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", jid);
	rc = symlinkat(buf, fd, key);
	close(fd);
	return rc;
}

/* Drop key if it still points at jid. */
static void
index_del(struct registry *r, const char *dir, const char *key, int jid)
{
	int fd;

	if (index_get(r, dir, key) != jid || (fd = index_dir(r, dir)) < 0)
		return;
	unlinkat(fd, key, 0);
	close(fd);
}

int
reg_name_jid(struct registry *r, const char *name)
{
	return index_get(r, "names", name);
}

int
reg_name_claim(struct registry *r, const char *name, int jid)
{
	return index_set(r, "names", name, jid);
}

void
reg_name_release(struct registry *r, const char *name, int jid)
{
	index_del(r, "names", name, jid);
}

int
reg_slot_claim(struct registry *r, uint32_t slot, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	return index_set(r, "slots", key, jid);
}

int
reg_slot_holder(struct registry *r, uint32_t slot)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	return index_get(r, "slots", key);
}

void
reg_slot_release(struct registry *r, uint32_t slot, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", slot);
	index_del(r, "slots", key, jid);
}

/*
 * Member sets: <set>/<key>/<jid>, e.g. kids/<parent>/<jid> (children) and
 * bridges/<outer>.<bridge>/<jid> (jails with a port on a bridge).
 */
static void
member_path(const char *set, const char *key, int jid, char *buf,
    size_t len)
{
	if (jid > 0)
		snprintf(buf, len, "%s/%s/%d", set, key, jid);
	else
		snprintf(buf, len, "%s/%s", set, key);
}

int
reg_member_add(struct registry *r, const char *set, const char *key, int jid)
{
	char path[PATH_MAX];
	int fd;

	if ((fd = index_dir(r, set)) >= 0)
		close(fd);
	member_path(set, key, 0, path, sizeof(path));
	if (mkdirat(r->dirfd, path, 0700) < 0 && errno != EEXIST)
		return -1;
	member_path(set, key, jid, path, sizeof(path));
	fd = openat(r->dirfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The jids named by the entries of directory fd (closed), sorted. */
static int
read_jids(int fd, int **jidsp)
{
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int *jids = NULL, n = 0, cap = 0;

	*jidsp = NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char *ep;
		long jid = strtol(de->d_name, &ep, 10);
		if (*ep || jid <= 0 || jid > JAIL_MAX)
			continue;
		if (n == cap) {
			int *nj = realloc(jids, sizeof(int) * (cap = cap ? cap * 2 : 32));
			if (nj == NULL)
				break;
			jids = nj;
		}
		jids[n++] = (int)jid;
	}
	closedir(d);
	qsort(jids, (size_t)n, sizeof(int), cmp_int);
	*jidsp = jids;
	return n;
}

/* Members of set/key: count, and their jids in *jids (malloc'd). */
int
reg_members(struct registry *r, const char *set, const char *key,
    int **jidsp)
{
	char path[PATH_MAX];

	member_path(set, key, 0, path, sizeof(path));
	return read_jids(openat(r->dirfd, path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC), jidsp);
}

/* Drop jid from set/key (and the key once empty): members left. */
int
reg_member_del(struct registry *r, const char *set, const char *key, int jid)
{
	char path[PATH_MAX];
	int *left = NULL, n;

	member_path(set, key, jid, path, sizeof(path));
	unlinkat(r->dirfd, path, 0);
	n = reg_members(r, set, key, &left);
	free(left);
	if (n == 0) {
		member_path(set, key, 0, path, sizeof(path));
		unlinkat(r->dirfd, path, AT_REMOVEDIR);
	}
	return n;
}

int
reg_kid_add(struct registry *r, int parent, int jid)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", parent);
	return reg_member_add(r, "kids", key, jid);
}

int
reg_kids(struct registry *r, int parent, int **jidsp)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", parent);
	return reg_members(r, "kids", key, jidsp);
}

/* Forget a jail: its record and every index entry of it. */
int
reg_delete(struct registry *r, int jid)
{
	char name[16], key[16];
	struct jail_rec jr;

	if (reg_load(r, jid, &jr) == 0) {
		reg_name_release(r, jr.name, jid);
		if (jr.parent > 0) {
			snprintf(key, sizeof(key), "%d", jr.parent);
			reg_member_del(r, "kids", key, jid);
		} else {
			for (uint32_t i = 0; i < jr.uidslots &&
			    i < JAIL_UIDMAXRANGE; i++)
				reg_slot_release(r, jr.uidslot + i, jid);
		}
	}
	snprintf(key, sizeof(key), "kids/%d", jid);
	unlinkat(r->dirfd, key, AT_REMOVEDIR);
	snprintf(name, sizeof(name), "%d", jid);
	return unlinkat(r->jailsfd, name, 0);
}


int
reg_list(struct registry *r, int **jidsp)
{
	return read_jids(openat(r->jailsfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC), jidsp);
}

/* Is the recorded holder still the live PID 1 of this jail? */
bool
reg_holder_alive(const struct jail_rec *jr)
{
	uint64_t ino;

	if (jr->holder <= 0 || sys_starttime(jr->holder) != jr->holder_start)
		return false;
	return sys_ns_inode(jr->holder, "user", &ino) == 0 && ino == jr->userns;
}

/* A jail that is alive (not creating, not dying), by jid or name. */
int
reg_find_alive(struct registry *r, int jid, const char *name,
    struct jail_rec *jr)
{
	if (jid <= 0 && name)
		jid = reg_name_jid(r, name);
	if (jid > 0 && reg_load(r, jid, jr) == 0 && jr->state == JS_ALIVE &&
	    (!name || strcmp(jr->name, name) == 0) && reg_holder_alive(jr))
		return 0;
	errno = ENOENT;
	return -1;
}

static bool
creator_alive(const struct jail_rec *jr)
{
	return jr->creator > 0 &&
	    sys_starttime(jr->creator) == jr->creator_start;
}

/*
 * Remove every trace of a jail whose holder is gone or going: its
 * children first, then processes left in its cgroup, the cgroup, the
 * record.  Called with the registry locked.
 */
static int
teardown(struct registry *r, struct jail_rec *jr, int depth, char *err)
{
	int *kids = NULL, n = depth < 64 ? reg_kids(r, jr->jid, &kids) : 0,
	    pidfd = -1;
	struct jail_rec child;

	for (int i = 0; i < n; i++)
		if (kids[i] != jr->jid && reg_load(r, kids[i], &child) == 0)
			teardown(r, &child, depth + 1, err);
	free(kids);
	jail_destroy(r, jr);
	/* pidfd first, then the check: the pid cannot be reused in between */
	if ((pidfd = sys_pidfd_open(jr->holder)) >= 0) {
		if (reg_holder_alive(jr)) {
			sys_pidfd_send_signal(pidfd, SIGKILL);
			sys_pidfd_wait(pidfd, 5000);
		}
		close(pidfd);
	}
	if (jr->cgroup[0]) {
		/* Processes that entered only some namespaces stay in it. */
		if (cg_populated(jr->cgroup) == 1) {
			cg_kill(jr->cgroup);
			cg_wait_empty(jr->cgroup, 5000);
		}
		if (cg_remove(jr) < 0) {
			jerrno(err, "cgroup: rmdir %s", jr->cgroup);
			return -1;
		}
		/* vjail's own parent group goes with its last jail */
		if (jr->parent <= 0 && !getenv("VJAIL_CGROUP")) {
			char base[PATH_MAX];
			snprintf(base, sizeof(base), "%s", jr->cgroup);
			*strrchr(base, '/') = '\0';
			rmdir(base);	/* fails while others are in it: fine */
		}
	}
	reg_delete(r, jr->jid);
	return 0;
}

int
reg_teardown(struct registry *r, struct jail_rec *jr, char *err)
{
	return teardown(r, jr, 0, err);
}

/* Clean up after jails whose holder died or whose creator was killed. */
void
reg_reap(struct registry *r)
{
	int *jids = NULL, n = reg_list(r, &jids);
	struct jail_rec jr;
	char err[JAIL_ERRMSGLEN];

	for (int i = 0; i < n; i++) {
		if (reg_load(r, jids[i], &jr) < 0)
			continue;
		if (jr.state == JS_CREATING ? !creator_alive(&jr) :
		    !reg_holder_alive(&jr))
			reg_teardown(r, &jr, err);
	}
	free(jids);
}
