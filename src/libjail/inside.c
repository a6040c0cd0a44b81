/*
 * inside.c - libjail inside a jail: whether we are (jail_inside), and the
 * requests that then go to the jail's monitor over /dev/vjail (the
 * client side of service.c).  Below core: core's operations ask here
 * when inside, and nothing here calls up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "service.h"

/* Cached: only jail_attach moves a process into another user namespace. */
static int inside = -1;

/* Are we inside a jail?  Our user namespace is not the initial one. */
bool
jail_inside(void)
{
	char buf[64];
	unsigned a, b, c;

	if (inside >= 0)
		return inside;
	if (sys_read_small(AT_FDCWD, "/proc/self/uid_map", buf,
	    sizeof(buf)) <= 0)
		return false;
	inside = !(sscanf(buf, "%u %u %u", &a, &b, &c) == 3 && a == 0 &&
	    b == 0 && c == 4294967295u);
	return inside;
}

/* The caller moved into another user namespace (jail_attach). */
void
jail_inside_forget(void)
{
	inside = -1;
}

static int
svc_call(struct svc_req *req, struct svc_resp *resp, int *fds, char *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SVC_PATH };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* No service: as FreeBSD, a bare "Operation not permitted". */
		if (s >= 0)
			close(s);
		err[0] = '\0';
		errno = EPERM;
		return -1;
	}
	if (sys_send_fd(s, req, sizeof(*req), -1) < 0 ||
	    (n = sys_recv_fds(s, resp, sizeof(*resp), fds,
	    fds ? JNS_COUNT : 0)) != sizeof(*resp)) {
		close(s);
		errno = EIO;
		return jerr(err, "jail service: %s", SVC_PATH);
	}
	close(s);
	if (resp->rc < 0) {
		snprintf(err, JAIL_ERRMSGLEN, "%s", resp->errmsg);
		errno = resp->err;
		return -1;
	}
	return resp->rc;
}

static struct svc_req *
new_req(int op)
{
	struct svc_req *req = calloc(1, sizeof(*req));

	if (req)
		req->op = op;
	return req;
}

/*
 * Send req (from new_req; freed here) and return the answer's rc; its
 * record goes to jr and its descriptors to fds, when given.
 */
static int
request(struct svc_req *req, struct jail_rec *jr, int *fds, char *err)
{
	struct svc_resp *resp = calloc(1, sizeof(*resp));
	int rc = -1;

	if (req && resp) {
		rc = svc_call(req, resp, fds, err);
		if (rc >= 0 && jr)
			*jr = resp->rec;
	} else {
		errno = ENOMEM;
		jerr(err, "%s", strerror(ENOMEM));
	}
	free(req);
	free(resp);
	return rc;
}

/* One request with a key, the answer's record into jr (may be NULL). */
static int
call_simple(int op, int jid, int timeout, struct jail_rec *jr, int *fds,
    char *err)
{
	struct svc_req *req = new_req(op);

	if (req) {
		req->jid = jid;
		req->timeout = timeout;
	}
	return request(req, jr, fds, err);
}

/* Create or update; JAIL_ATTACH is the caller's (core_attach). */
int
svc_set(struct jail_rec *jr, const uint64_t *set, int flags, char *err)
{
	struct svc_req *req = new_req(SVC_SET);

	if (req) {
		req->flags = flags & ~JAIL_ATTACH;
		memcpy(req->set, set, sizeof(req->set));
		req->rec = *jr;
	}
	return request(req, NULL, NULL, err);
}

int
svc_find(struct jail_rec *jr, int jid, const char *name, int lastjid,
    int flags, char *err)
{
	struct svc_req *req = new_req(SVC_GET);

	if (req) {
		req->jid = jid;
		req->lastjid = lastjid;
		req->flags = flags;
		if (name)
			snprintf(req->name, sizeof(req->name), "%s", name);
	}
	return request(req, jr, NULL, err) < 0 ? -1 : 0;
}

int
svc_remove(int jid, char *err)
{
	return call_simple(SVC_REMOVE, jid, 0, NULL, NULL, err) < 0 ? -1 : 0;
}

int
svc_stop(int jid, int timeout_s, char *err)
{
	return call_simple(SVC_STOP, jid, timeout_s, NULL, NULL, err);
}

/* The namespaces of a descendant's holder, and its (translated) record. */
int
svc_enter(int jid, struct jail_rec *jr, struct jail_ns *ns, char *err)
{
	if (call_simple(SVC_ENTER, jid, 0, jr, ns->fd, err) < 0)
		return -1;
	for (int i = 0; i < JNS_COUNT; i++)
		if (ns->fd[i] < 0) {
			jns_close(ns);
			errno = EIO;
			return jerr(err, "jail service: namespaces missing");
		}
	return 0;
}

/* Ask to be moved into the descendant's cgroup. */
int
svc_join(int jid, char *err)
{
	return call_simple(SVC_JOIN, jid, 0, NULL, NULL, err) < 0 ? -1 : 0;
}

/* The jail itself, as it may see itself (jail_get's jid 0 inside). */
int
svc_self(struct jail_rec *jr, char *err)
{
	return call_simple(SVC_SELF, 0, 0, jr, NULL, err) < 0 ? -1 : 0;
}

/* Move the caller into FIB fib's group; -1: remove the empty ones. */
int
svc_setfib(int fib, char *err)
{
	return call_simple(SVC_SETFIB, fib, 0, NULL, NULL, err) < 0 ? -1 : 0;
}

/* The jail's own sockets (jail_sockets inside): their count, the rows
 * in a memfd, *fd. */
int
svc_sockets(int *fd, char *err)
{
	int fds[JNS_COUNT], rc;

	for (int i = 0; i < JNS_COUNT; i++)
		fds[i] = -1;
	rc = call_simple(SVC_SOCKETS, 0, 0, NULL, fds, err);
	for (int i = 1; i < JNS_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	*fd = fds[0];
	return rc;
}

/* A mount entry for a descendant (core_mount from inside a jail). */
int
svc_mount(int jid, const char *spec, const char *file, const char *type,
    const char *opts, char *err)
{
	struct svc_req *req = new_req(SVC_MOUNT);

	if (req) {
		req->jid = jid;
		if ((size_t)snprintf(req->spec, sizeof(req->spec), "%s", spec) >=
		    sizeof(req->spec) || (size_t)snprintf(req->file,
		    sizeof(req->file), "%s", file) >= sizeof(req->file) ||
		    (size_t)snprintf(req->type, sizeof(req->type), "%s", type) >=
		    sizeof(req->type) || (size_t)snprintf(req->opts,
		    sizeof(req->opts), "%s", opts ? opts : "") >=
		    sizeof(req->opts)) {
			free(req);
			errno = ENAMETOOLONG;
			return jerr(err, "mount: %s on %s: too long", spec, file);
		}
	}
	return request(req, NULL, NULL, err) < 0 ? -1 : 0;
}
