/*
 * service.c - a jail's view of its own subtree (DESIGN.md: "Inside a
 * jail, libjail sees a view of its own subtree, served by its monitor").
 *
 * The holder binds a SOCK_SEQPACKET socket at /dev/vjail in the jail's
 * own /dev and hands the listening end to the monitor; nothing else of
 * the host is reachable from the jail.  Inside a jail, libjail's
 * jail_set/jail_get/jail_remove/jail_exec send one request each
 * (inside.c); the monitor (host root, host namespaces) runs a closed set
 * of operations:
 *
 *   SET     create/update a descendant; names and paths are relative to
 *           the jail and translated here, children.max enforced by core
 *   GET     find a descendant (by jid, relative name, or after lastjid)
 *   REMOVE, STOP  a descendant
 *   ENTER   a pidfd of a descendant's holder (to setns into it)
 *   JOIN    move the caller into a descendant's cgroup
 *   SELF    the jail as it sees itself: jid 0 and its env (FreeBSD's
 *           security.jail.env), never its meta; for any process in it
 *   MOUNT   a mount entry (jail_mount) into a descendant, paths the
 *           jail's own; what it may mount is core_mount's rule
 *   SETFIB  move the caller, one of the jail's own processes, into the
 *           cgroup of a FIB it may use (fib.c); any user, as setfib(2)
 *   SOCKETS the jail's own sockets as it sees them (sockstat; sockets.c),
 *           in a memfd; any user
 *
 * Every request is validated here: the record from the jail is untrusted
 * (only the parameters it names are copied, strings bounded), the target
 * must be a strict descendant, and changes need the jail's root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "service.h"

/* Holder side: the listening socket in the jail's /dev. */
int
svc_listen(char *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SVC_PATH };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0)
		return jerrno(err, "jail service: socket");
	unlink(SVC_PATH);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(SVC_PATH, 0666) < 0 || listen(s, 16) < 0) {
		jerrno(err, "jail service: %s", SVC_PATH);
		close(s);
		return -1;
	}
	return s;
}

/* ----- in the monitor: the server side ----- */

/* Is jid a strict descendant of anc?  Walks the registry's parents. */
static bool
is_descendant(int jid, int anc)
{
	struct registry r;
	struct jail_rec jr;
	char err[JAIL_ERRMSGLEN];
	bool yes = false;

	if (reg_open(&r, false, err) < 0)
		return false;
	for (int depth = 0; depth < 64 && jid > 0 && !yes; depth++) {
		if (reg_load(&r, jid, &jr) < 0)
			break;
		jid = jr.parent;
		yes = jid == anc;
	}
	reg_close(&r);
	return yes;
}

/* What a jail may see of its descendant: relative names and paths. */
static void
to_jail_view(const struct jail_rec *self, struct jail_rec *jr)
{
	size_t nlen = strlen(self->name), plen = strlen(self->path);
	char buf[PATH_MAX];

	if (strncmp(jr->name, self->name, nlen) == 0 && jr->name[nlen] == '.')
		memmove(jr->name, jr->name + nlen + 1,
		    strlen(jr->name + nlen + 1) + 1);
	if (jr->parent == self->jid)
		jr->parent = 0;
	if (strcmp(self->path, "/") != 0 &&
	    strncmp(jr->path, self->path, plen) == 0) {
		snprintf(buf, sizeof(buf), "%s", jr->path[plen] ?
		    jr->path + plen : "/");
		snprintf(jr->path, sizeof(jr->path), "%s", buf);
	}
	/* host-side facts stay on the host */
	jr->holder = jr->monitor = jr->creator = 0;
	jr->holder_start = jr->creator_start = jr->userns = 0;
	jr->uidslot = 0;
	jr->cgroup[0] = jr->moved[0] = '\0';
}

/*
 * The jail as it may see itself, by a list of what it may see: what a
 * FreeBSD jail reads of itself through sysctl (security.jail.env, its
 * allow bits, securelevel, kern.osrelease, kern.hostuuid, ...).  Not its
 * meta (FreeBSD hides it from the jail), not its name, path or parent
 * (its parent's view), nor any host-side fact.
 */
static void
self_view(const struct jail_rec *self, struct jail_rec *v)
{
	rec_defaults(v);
	snprintf(v->name, sizeof(v->name), "0");
	snprintf(v->path, sizeof(v->path), "/");
	memcpy(v->env, self->env, sizeof(v->env));
	memcpy(v->hostname, self->hostname, sizeof(v->hostname));
	memcpy(v->domainname, self->domainname, sizeof(v->domainname));
	memcpy(v->allow, self->allow, sizeof(v->allow));
	memcpy(v->osrelease, self->osrelease, sizeof(v->osrelease));
	memcpy(v->hostuuid, self->hostuuid, sizeof(v->hostuuid));
	memcpy(v->ip4_addr, self->ip4_addr, sizeof(v->ip4_addr));
	memcpy(v->ip6_addr, self->ip6_addr, sizeof(v->ip6_addr));
	v->persist = self->persist;
	v->securelevel = self->securelevel;
	v->enforce_statfs = self->enforce_statfs;
	v->children_max = self->children_max;
	v->children_cur = self->children_cur;
	v->vnet = self->vnet;
	v->ipc = self->ipc;
	v->devfs = self->devfs;
	v->procfs = self->procfs;
	v->osreldate = self->osreldate;
	v->hostid = self->hostid;
	v->devfs_ruleset = self->devfs_ruleset;
	v->ip4 = self->ip4;
	v->ip6 = self->ip6;
}

static int
deny(char *err, int e, const char *msg)
{
	errno = e;
	if (msg)
		snprintf(err, JAIL_ERRMSGLEN, "%s", msg);
	else
		err[0] = '\0';
	return -1;
}

/* The request's record, trusted only for the parameters it names. */
static int
host_set(const struct jail_rec *self, struct svc_req *req, char *err)
{
	struct jail_rec jr;
	char path[PATH_MAX];

	/* what the jail names, and only what jail_set itself would take */
	for (size_t i = 0; i < param_count; i++)
		if (set_has(req->set, i) && (param_table[i].flags & PF_RDONLY)) {
			errno = EINVAL;
			return jerr(err, "%s: parameter is read-only",
			    param_table[i].name);
		}
	rec_defaults(&jr);
	rec_copy_set(&jr, &req->rec, req->set);
	if (set_has_name(req->set, "name")) {
		if (!jr.name[0])
			return deny(err, EINVAL, "name: empty");
		if ((size_t)snprintf(req->name, sizeof(req->name), "%s.%s",
		    self->name, jr.name) >= sizeof(req->name))
			return deny(err, ENAMETOOLONG, "name: too long");
		snprintf(jr.name, sizeof(jr.name), "%s", req->name);
	} else if (!set_has_name(req->set, "jid") ||
	    !is_descendant(jr.jid, self->jid)) {
		if (req->flags & JAIL_CREATE)
			return deny(err, EINVAL, "name: required inside a jail");
		errno = ENOENT;
		return jerr(err, "jail %d not found", jr.jid);
	}
	if (set_has_name(req->set, "path")) {
		/* lexically inside the jail: no probing of the host's tree */
		if (strstr(jr.path, "/../") || strstr(jr.path, "/./") ||
		    (strlen(jr.path) >= 3 &&
		    strcmp(jr.path + strlen(jr.path) - 3, "/..") == 0) ||
		    (strlen(jr.path) >= 2 &&
		    strcmp(jr.path + strlen(jr.path) - 2, "/.") == 0)) {
			errno = EINVAL;
			return jerr(err, "path: \"%s\" has . or .. components",
			    jr.path);
		}
		if (jr.path[0] != '/') {
			errno = EINVAL;
			return jerr(err, "path: \"%s\" is not an absolute path",
			    jr.path);
		}
	}
	/*
	 * A new child's root as the jail's root sees it: resolved there, with
	 * its credentials, no symlink followed; its identity is checked again
	 * when the host opens it to make the child.  The jail learns nothing
	 * of the host's tree beyond its own.  (Without a path, the child has
	 * its parent's root, checked when the parent was made.)
	 */
	if ((req->flags & JAIL_CREATE) && set_has_name(req->set, "path")) {
		struct stat st;
		if (sys_stat_in_jail(self->holder, jr.path, &st) < 0)
			return jerrno(err, "path: %s", jr.path);
		jr.root_dev = st.st_dev;
		jr.root_ino = st.st_ino;
		if (strcmp(self->path, "/") != 0) {
			snprintf(path, sizeof(path), "%s%s", self->path,
			    strcmp(jr.path, "/") ? jr.path : "");
			snprintf(jr.path, sizeof(jr.path), "%s", path);
		}
	}
	/* vnet.link names are the jail's own children, relative too */
	if (jr.vnet_link[0]) {
		char buf[JAIL_LISTLEN], out[JAIL_LISTLEN] = "", *save, *t;
		size_t len = 0;
		snprintf(buf, sizeof(buf), "%s", jr.vnet_link);
		for (t = strtok_r(buf, ", ", &save); t;
		    t = strtok_r(NULL, ", ", &save))
			len += (size_t)snprintf(out + len, len < sizeof(out) ?
			    sizeof(out) - len : 0, "%s%s.%s", len ? "," : "",
			    self->name, t);
		if (len >= sizeof(out))
			return deny(err, E2BIG, "vnet.link: too long");
		snprintf(jr.vnet_link, sizeof(jr.vnet_link), "%s", out);
	}
	return core_set(&jr, req->set, (req->flags & (JAIL_CREATE |
	    JAIL_UPDATE)) | CF_JAILREQ, err);
}

static int
host_get(const struct jail_rec *self, struct svc_req *req,
    struct jail_rec *jr, char *err)
{
	char full[JAIL_NAMELEN + 2];
	int last = req->lastjid;

	req->name[sizeof(req->name) - 1] = '\0';
	if (req->jid > 0 || req->name[0]) {
		snprintf(full, sizeof(full), "%s.%s", self->name, req->name);
		if (core_find(jr, req->jid > 0 ? req->jid : 0,
		    req->jid > 0 ? NULL : full, -1,
		    (req->flags & JAIL_DYING) | CF_LIVE,
		    err) < 0 || !is_descendant(jr->jid, self->jid)) {
			errno = ENOENT;
			return req->jid > 0 ?
			    jerr(err, "jail %d not found", req->jid) :
			    jerr(err, "jail \"%s\" not found", req->name);
		}
		return 0;
	}
	for (;;) {
		if (core_find(jr, 0, NULL, last,
		    (req->flags & JAIL_DYING) | CF_LIVE, err) < 0)
			return -1;
		if (is_descendant(jr->jid, self->jid))
			return 0;
		last = jr->jid;
	}
}

/* Is the peer a process of this very jail (its user namespace)? */
static bool
peer_in_jail(const struct jail_rec *self, pid_t pid)
{
	uint64_t ino;

	return sys_ns_inode(pid, "user", &ino) == 0 && ino == self->userns;
}

/* Root of the jail: the first host uid of its range. */
static bool
peer_is_root(const struct jail_rec *self, uid_t uid)
{
	return uid == JAIL_UIDBASE + self->uidslot * JAIL_UIDCOUNT;
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* A pidfd of the peer pid, or -1: moves go by it, so a reused pid
 * cannot put some other process anywhere. */
static int
peer_pidfd(int c, pid_t pid, char *err)
{
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);

	if (getsockopt(c, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0 ||
	    sys_pidfd_pid(pidfd) != pid) {
		if (pidfd >= 0)
			close(pidfd);
		return deny(err, EPERM, "jail service: peer is gone");
	}
	return pidfd;
}

/* Still the same process after it was moved? */
static int
peer_done(int pidfd, int rc, char *err)
{
	if (rc == 0 && sys_pidfd_wait(pidfd, 0))
		rc = deny(err, EPERM, "jail service: peer is gone");
	close(pidfd);
	return rc;
}

/* Move the peer into target's cgroup. */
static int
join(const struct jail_rec *target, int c, pid_t pid, char *err)
{
	char dir[PATH_MAX + 8];
	int pidfd = peer_pidfd(c, pid, err), rc;

	if (pidfd < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/jail", target->cgroup);
	rc = cg_move(dir, pid, err);
	if (rc == 0)
		rc = lim_enter(target, pid, err);	/* v1 groups, rlimits */
	return peer_done(pidfd, rc, err);
}

/* Move the peer into the group of FIB fib (-1: clean up). */
static int
setfib(const struct jail_rec *self, int c, pid_t pid, int fib, char *err)
{
	int pidfd = peer_pidfd(c, pid, err);

	if (pidfd < 0)
		return -1;
	return peer_done(pidfd, fib_jail(self, pid, fib, err), err);
}

static void
handle(const struct jail_rec *self, int c)
{
	struct svc_req *req = calloc(1, sizeof(*req));
	struct svc_resp *resp = calloc(1, sizeof(*resp));
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct jail_rec target;
	struct jail_ns ns;
	char *err = resp ? resp->errmsg : NULL;
	int rc = -1;

	jns_init(&ns);

	if (!req || !resp || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr,
	    &crl) < 0 || sys_recv_fd(c, req, sizeof(*req), NULL) !=
	    sizeof(*req) || !peer_in_jail(self, cr.pid))
		goto out;
	if (req->op != SVC_GET && req->op != SVC_SELF &&
	    req->op != SVC_SETFIB && req->op != SVC_SOCKETS &&
	    (!peer_is_root(self, cr.uid) ||
	    /* FreeBSD: no jail_set at all where children.max is 0 */
	    (self->children_max == 0 && req->op != SVC_ENTER &&
	    req->op != SVC_JOIN))) {
		rc = deny(err, EPERM, NULL);
	} else if (req->op == SVC_SET) {
		rc = host_set(self, req, err);
	} else if (req->op == SVC_GET) {
		if ((rc = host_get(self, req, &resp->rec, err)) == 0) {
			rc = resp->rec.jid;
			to_jail_view(self, &resp->rec);
		}
	} else if (req->op == SVC_SELF) {
		self_view(self, &resp->rec);
		rc = 0;
	} else if (req->op == SVC_SETFIB) {
		rc = setfib(self, c, cr.pid, req->jid, err);
	} else if (req->op == SVC_SOCKETS) {
		rc = sockets_for_jail(self, &ns.fd[0], err);
	} else if (!is_descendant(req->jid, self->jid) ||
	    core_find(&target, req->jid, NULL, -1,
	    req->op == SVC_GET ? 0 : JAIL_DYING, err) < 0) {
		errno = ENOENT;
		rc = jerr(err, "jail %d not found", req->jid);
	} else if (req->op == SVC_REMOVE) {
		rc = core_remove(req->jid, false, err);
	} else if (req->op == SVC_STOP) {
		rc = core_stop(req->jid, req->timeout, err);
	} else if (req->op == SVC_ENTER) {
		if (jns_open(target.holder, &ns) < 0 ||
		    !reg_holder_alive(&target))
			rc = deny(err, ENOENT, "jail is gone");
		else {
			rc = 0;
			resp->rec = target;
			to_jail_view(self, &resp->rec);
		}
	} else if (req->op == SVC_JOIN) {
		rc = join(&target, c, cr.pid, err);
	} else if (req->op == SVC_MOUNT) {
		/* strings from the jail: bounded here, meant in core_mount */
		req->spec[sizeof(req->spec) - 1] = '\0';
		req->file[sizeof(req->file) - 1] = '\0';
		req->type[sizeof(req->type) - 1] = '\0';
		req->opts[sizeof(req->opts) - 1] = '\0';
		rc = core_mount(req->jid, req->spec, req->file, req->type,
		    req->opts[0] ? req->opts : NULL, self, err);
	} else {
		rc = deny(err, EINVAL, "jail service: unknown request");
	}
	resp->rc = rc;
	resp->err = rc < 0 ? errno : 0;
	if (rc < 0)	/* a lookup that failed may have filled in a record */
		memset(&resp->rec, 0, sizeof(resp->rec));
	sys_send_fds(c, resp, sizeof(*resp), ns.fd, JNS_COUNT);
out:
	jns_close(&ns);
	free(req);
	free(resp);
}

/* Serve one connection on the listening socket of jail `jid`. */
void
svc_serve(int lfd, int jid)
{
	struct jail_rec self;
	char err[JAIL_ERRMSGLEN];
	/* A client that sends nothing must not stall the monitor. */
	struct timeval tv = { .tv_sec = 1 };
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (c < 0)
		return;
	int fl = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (core_find(&self, jid, NULL, -1, 0, err) == 0)
		handle(&self, c);
	close(c);
}
