/*
 * sockets.c - jail_sockets(): what sockstat -j shows.  The sockets come
 * from sock_diag in the jail's stack (sys/sockdiag.c); their holders from
 * the host's /proc, among the jail's processes only (its cgroup tree: the
 * work grows with the jail, not with the host).  A jail on a shared stack
 * owns the sockets made in its cgroup tree (inet ones carry the cgroup's
 * id) and the unix sockets its processes hold; a vnet jail owns its
 * stack's.  Inside a jail the monitor answers (sockets_for_jail).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vjail.h"

struct ids {
	uint64_t *v;
	int	n, cap;
};

static int
ids_add(struct ids *s, uint64_t id)
{
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 32;
		uint64_t *v = realloc(s->v, (size_t)cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v, s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

static bool
ids_has(const struct ids *s, uint64_t id)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

/* The ids of the cgroups in dir's tree (a cgroup's id is its inode), and
 * the pids in them; depth-bounded like the registry's walks. */
static void
cg_tree(int dirfd, int depth, struct ids *cgs, struct ids *pids)
{
	struct stat st;
	struct dirent *de;
	char buf[64];
	int fd;
	DIR *d;

	if (fstat(dirfd, &st) == 0)
		ids_add(cgs, st.st_ino);
	if ((fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC)) >= 0) {
		FILE *f = fdopen(fd, "r");
		while (f && fgets(buf, sizeof(buf), f))
			ids_add(pids, strtoull(buf, NULL, 10));
		if (f)
			fclose(f);
		else
			close(fd);
	}
	if (depth > 32 || (fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			cg_tree(sub, depth + 1, cgs, pids);
			close(sub);
		}
	}
	closedir(d);
}

static int
by_inode(const void *a, const void *b)
{
	unsigned long x = ((const struct diag_sock *)a)->inode,
	    y = ((const struct diag_sock *)b)->inode;

	return x < y ? -1 : x > y;
}

struct rows {
	struct jail_sock *v;
	int	n, cap;
};

static struct jail_sock *
row_add(struct rows *r, const struct diag_sock *s)
{
	struct jail_sock *j;

	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 64;
		struct jail_sock *v = realloc(r->v, (size_t)cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		r->v = v, r->cap = cap;
	}
	j = &r->v[r->n++];
	memset(j, 0, sizeof(*j));
	j->js_family = s->family, j->js_type = s->type;
	j->js_protocol = s->protocol, j->js_state = s->state;
	j->js_local = s->local, j->js_peer = s->peer;
	j->js_namelen = s->namelen;
	j->js_inode = s->inode, j->js_peer_inode = s->peer_inode;
	j->js_uid = s->uid;
	return j;
}

/*
 * A process's uid, as its own user namespace sees it (root of a jail is
 * 0, as in FreeBSD), and its command name.
 */
static void
proc_ident(int pfd, struct jail_sock *j)
{
	unsigned long in, out, len;
	struct stat st;
	char comm[32], map[256];
	ssize_t n;

	if (fstat(pfd, &st) == 0)
		j->js_uid = st.st_uid;
	char *save, *l = sys_read_small(pfd, "uid_map", map, sizeof(map)) > 0 ?
	    strtok_r(map, "\n", &save) : NULL;
	for (; l; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%lu %lu %lu", &in, &out, &len) == 3 &&
		    j->js_uid >= out && j->js_uid - out < len) {
			j->js_uid = (uid_t)(j->js_uid - out + in);
			break;
		}
	if ((n = sys_read_small(pfd, "comm", comm, sizeof(comm))) > 0) {
		comm[strcspn(comm, "\n")] = '\0';
		snprintf(j->js_command, sizeof(j->js_command), "%s", comm);
	}
}

/* One row per descriptor of process pid (its /proc directory pfd)
 * holding one of s[0..n) (sorted by inode); held[] says which are held. */
static int
holder(int pfd, pid_t pid, struct diag_sock *s, int n, bool *held,
    struct rows *r)
{
	char link[64];
	struct dirent *fe;
	int dfd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *fds = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (fds == NULL) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((fe = readdir(fds)) != NULL) {
		struct diag_sock key, *hit;
		ssize_t len = readlinkat(dirfd(fds), fe->d_name, link,
		    sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &key.inode) != 1 ||
		    (hit = bsearch(&key, s, (size_t)n, sizeof(*s),
		    by_inode)) == NULL)
			continue;
		struct jail_sock *j = row_add(r, hit);
		if (j == NULL)
			break;
		held[hit - s] = true;
		j->js_pid = pid;
		j->js_fd = atoi(fe->d_name);
		proc_ident(pfd, j);
	}
	closedir(fds);
	return 0;
}

/*
 * The rows of the processes holding s[0..n): those of pids (a jail's:
 * its cgroup tree, so the work is the jail's size, not the host's), or,
 * without pids, every process.
 */
static int
holders(struct diag_sock *s, int n, bool *held, const struct ids *pids,
    struct rows *r)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;
	char name[24];
	int pfd;

	if (proc == NULL)
		return -1;
	for (int i = 0; pids && i < pids->n; i++) {
		snprintf(name, sizeof(name), "%llu",
		    (unsigned long long)pids->v[i]);
		if ((pfd = openat(dirfd(proc), name, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			holder(pfd, (pid_t)pids->v[i], s, n, held, r);
			close(pfd);
		}
	}
	while (!pids && (pe = readdir(proc)) != NULL) {
		long pid = strtol(pe->d_name, NULL, 10);
		if (pid <= 0 || (pfd = openat(dirfd(proc), pe->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		holder(pfd, (pid_t)pid, s, n, held, r);
		close(pfd);
	}
	closedir(proc);
	return 0;
}

/*
 * The rows of jail jid (0: the caller's stack, from the host), the pids
 * of the jail's cgroup tree in *pids when jid > 0.
 */
static int
sockets_of(int jid, struct jail_sock **out, struct ids *pids, char *err)
{
	char path[64];
	struct diag_sock *s = NULL;
	struct ids cgs = { 0 };
	struct rows r = { 0 };
	struct jail_rec jr;
	struct jail_ns ns;
	bool shared = false, *held = NULL;
	int n, nsfd = -1, keep = 0;

	jns_init(&ns);
	if (jid > 0) {
		if (core_enter(jid, NULL, &jr, &ns, err) < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)jr.holder);
		if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			jns_close(&ns);
			return jerrno(err, "%s", path);
		}
		shared = jr.vnet != JAIL_SYS_NEW;
		int cg = open(jr.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg >= 0) {
			cg_tree(cg, 0, &cgs, pids);
			close(cg);
		}
	}
	n = diag_sockets(nsfd, &s, err);
	if (nsfd >= 0)
		close(nsfd);
	jns_close(&ns);
	if (n < 0)
		goto out;
	/* a jail on a shared stack: the inet sockets of its cgroups */
	for (int i = 0; i < n; i++)
		if (!shared || s[i].family == AF_UNIX ||
		    ids_has(&cgs, s[i].cgroup))
			s[keep++] = s[i];
	n = keep;
	qsort(s, (size_t)n, sizeof(*s), by_inode);
	if ((held = calloc((size_t)n + 1, sizeof(*held))) == NULL ||
	    holders(s, n, held, jid > 0 ? pids : NULL, &r) < 0) {
		n = jerrno(err, "jail_sockets: /proc");
		goto out;
	}
	/* the rest, held by nobody we can see (not unix ones of a jail) */
	for (int i = 0; i < n; i++)
		if (!held[i] && !(shared && s[i].family == AF_UNIX) &&
		    row_add(&r, &s[i]) == NULL)
			break;
	*out = r.v;
	r.v = NULL;
	n = r.n;
out:
	free(r.v);
	free(held);
	free(s);
	free(cgs.v);
	return n;
}

/* The NSpid entries of a process: their count, the first max in v. */
static int
nspids(pid_t pid, pid_t *v, int max)
{
	char path[64], buf[2048], *p;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (sys_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "\nNSpid:")) == NULL)
		return 0;
	for (p += 7; *p && *p != '\n'; ) {
		char *ep;
		long x = strtol(p, &ep, 10);
		if (ep == p)
			break;
		if (n < max)
			v[n] = (pid_t)x;
		n++;
		p = ep;
	}
	return n;
}

/*
 * The monitor's answer to sockstat in a jail (SVC_SOCKETS): the jail's
 * own rows, as the jail sees them, written to a memfd (*fd); their
 * count.  Holders are named only if they are the jail's processes, by
 * their pids in its PID namespace; a host process holding one of its
 * sockets (a jail_socket daemon) is not shown, nor the host's uids.
 */
int
sockets_for_jail(const struct jail_rec *self, int *fd, char *err)
{
	struct jail_sock *v = NULL;
	struct ids pids = { 0 };
	pid_t hv[64], pv[64];
	uid_t base = JAIL_UIDBASE + self->uidslot * JAIL_UIDCOUNT;
	int n = sockets_of(self->jid, &v, &pids, err), level;
	size_t len;

	*fd = -1;
	if (n < 0)
		goto out;
	/* the jail's PID namespace: its holder's, pid 1 there */
	level = nspids(self->holder, hv, 64) - 1;
	for (int i = 0; i < n; i++) {
		struct jail_sock *j = &v[i];
		int m = j->js_pid > 0 && ids_has(&pids, (uint64_t)j->js_pid) ?
		    nspids(j->js_pid, pv, 64) : 0;
		if (level >= 0 && level < 64 && m > level)
			j->js_pid = pv[level];
		else {
			j->js_pid = 0, j->js_fd = 0;
			j->js_command[0] = '\0';
			j->js_uid = j->js_uid >= base && j->js_uid - base <
			    JAIL_UIDCOUNT ? j->js_uid - base : 65534;
		}
	}
	len = (size_t)n * sizeof(*v);
	if ((*fd = memfd_create("vjail-sockets", MFD_CLOEXEC)) < 0 ||
	    (len && write(*fd, v, len) != (ssize_t)len)) {
		n = jerrno(err, "jail_sockets: memfd");
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
out:
	free(v);
	free(pids.v);
	return n;
}

/* In a jail: its own rows, from its monitor. */
static int
sockets_inside(struct jail_sock **out, char *err)
{
	int fd = -1, n = svc_sockets(&fd, err);
	struct jail_sock *v;
	struct stat st;
	size_t len;

	if (n < 0)
		return -1;
	len = (size_t)n * sizeof(*v);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != len ||
	    (v = malloc(len + 1)) == NULL ||
	    pread(fd, v, len, 0) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		errno = EIO;
		return jerr(err, "jail_sockets: the service's answer");
	}
	close(fd);
	*out = v;
	return n;
}

int
jail_sockets(int jid, struct jail_sock **out)
{
	char *err = jail_errmsg;
	struct ids pids = { 0 };
	int n;

	err[0] = '\0';
	if (jail_inside()) {
		if (jid > 0) {
			errno = EPERM;
			return jerr(err, "jail_sockets: only on the host");
		}
		if ((n = sockets_inside(out, err)) >= 0 || errno != EPERM ||
		    err[0])
			return n;
		/* no service (no mount.devfs): what its stack shows it */
	}
	n = sockets_of(jid, out, &pids, err);
	free(pids.v);
	return n;
}
