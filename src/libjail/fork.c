/*
 * fork.c - a child of the caller inside a jail:
 *
 *   jail_fork(jp, njp, flags)      make a jail (as jailparam_set) and start the
 *                                  caller's child as its first process
 *                                  (the requirements' machine_rfork)
 *   jail_socket(jid, domain, type, protocol)
 *                                  a socket in a jail's network stack and
 *                                  cgroup, for a daemon serving many jails
 *
 * Both fork a child that is born in the jail's cgroup (clone3 into it,
 * so the jail's socket rules and FIB hold for what it makes) and, for
 * jail_fork, in its PID namespace, then enters the namespaces it needs.
 * The child reports on a socket pair: an errno and text, or success, with
 * the socket for jail_socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vjail.h"

struct report {
	int	error;			/* 0: done */
	char	text[JAIL_ERRMSGLEN];
};

static void __attribute__((noreturn))
child_fail(int sock, const char *what, const char *detail)
{
	struct report rp = { .error = errno ? errno : EINVAL };

	snprintf(rp.text, sizeof(rp.text), "%s: %s", what,
	    detail ? detail : strerror(rp.error));
	(void)!send(sock, &rp, sizeof(rp), 0);
	_exit(127);
}

/*
 * Fork a child into jail jid with the namespaces in mask (of those it is
 * entered with: the jail's own, and its holder's stack).  In the child:
 * 0, entered, confined when it entered the user namespace, and *sock its
 * end of the report channel.  In the caller: the child's pid, or -1;
 * *sock the caller's end.
 */
static pid_t
member_fork(int jid, int mask, int *sock, char *err)
{
	struct jail_rec jr;
	struct jail_ns ns;
	struct confine confine;
	int sv[2] = { -1, -1 }, cgfd = -1, nsflags, e;
	pid_t pid = -1;

	confine_init(&confine);
	if (core_enter(jid, NULL, &jr, &ns, err) < 0)
		return -1;
	nsflags = jail_enterflags(&jr, &ns) & mask;
	if ((nsflags & CLONE_NEWUSER) &&
	    jail_confine_prepare(&jr, &confine, err) < 0)
		goto out;
	if (!jail_inside() && (cgfd = cg_open_procs(&jr)) < 0) {
		jerrno(err, "cgroup %s", jr.cgroup);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		jerrno(err, "socketpair");
		goto out;
	}
	if ((pid = jns_clone(&ns, nsflags, cgfd, NULL)) == 0) {
		/* not traceable by the jail while it holds the host's */
		prctl(PR_SET_DUMPABLE, 0);
		close(sv[0]);
		if (cgfd < 0 && svc_join(jid, err) < 0)
			child_fail(sv[1], "joining the jail's cgroup", err);
		if ((nsflags & ~CLONE_NEWPID) &&
		    jns_setns(&ns, nsflags & ~CLONE_NEWPID) < 0)
			child_fail(sv[1], "setns", NULL);
		if ((nsflags & CLONE_NEWUSER) && sys_become_root() < 0)
			child_fail(sv[1], "becoming root of the jail", NULL);
		if ((nsflags & CLONE_NEWNS) && chdir("/") < 0)
			child_fail(sv[1], "chdir /", NULL);
		if ((nsflags & CLONE_NEWUSER) && confine_apply(&confine, err) < 0)
			child_fail(sv[1], "confining", err);
		jns_close(&ns);
		confine_free(&confine);
		if (cgfd >= 0)
			close(cgfd);
		*sock = sv[1];
		return 0;
	}
	if (pid < 0)
		jerrno(err, "clone3");
out:
	e = errno;
	jns_close(&ns);
	confine_free(&confine);
	for (int *fd = (int[]){ cgfd, sv[1] }, i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (pid < 0 && sv[0] >= 0)
		close(sv[0]);
	*sock = pid < 0 ? -1 : sv[0];
	errno = e;
	return pid;
}

/* The child's report: 0 (and *fd if one came), or -1 with its error. */
static int
read_report(int sock, pid_t pid, int *fd, char *err)
{
	struct report rp;
	ssize_t n = sys_recv_fd(sock, &rp, sizeof(rp), fd);

	close(sock);
	if (n == (ssize_t)sizeof(rp) && rp.error == 0)
		return 0;
	if (fd && *fd >= 0)
		close(*fd);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(rp)) {
		errno = ECHILD;
		return jerr(err, "the child in the jail died");
	}
	errno = rp.error;
	return jerr(err, "%s", rp.text);
}

int
jail_socket(int jid, int domain, int type, int protocol)
{
	char *err = jail_errmsg;
	int sock, s = -1;
	pid_t pid;

	err[0] = '\0';
	/* the network namespace only: the socket is made by the host's
	 * root, in the jail's stack and cgroup */
	if ((pid = member_fork(jid, CLONE_NEWNET, &sock, err)) < 0)
		return -1;
	if (pid == 0) {
		struct report rp = { 0 };
		if ((s = socket(domain, type, protocol)) < 0)
			child_fail(sock, "socket", NULL);
		sys_send_fd(sock, &rp, sizeof(rp), s);
		_exit(0);
	}
	if (read_report(sock, pid, &s, err) < 0)
		return -1;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!(type & SOCK_CLOEXEC))	/* as socket(2) would have made it */
		fcntl(s, F_SETFD, 0);
	return s;
}

pid_t
jail_fork(struct jailparam *jp, unsigned int njp, int flags)
{
	char *err = jail_errmsg, msg[JAIL_ERRMSGLEN];
	struct jailparam *all;
	bool temp = true;
	int jid, sock, e;
	pid_t pid;

	if (flags & ~(JAIL_CREATE | JAIL_UPDATE)) {
		errno = EINVAL;
		return jerr(err, "jail_fork: flags: only JAIL_CREATE, JAIL_UPDATE");
	}
	for (unsigned i = 0; i < njp; i++)
		if (strcmp(jp[i].jp_name, "persist") == 0)
			temp = false;
	/* persistent until the child is in: never empty meanwhile */
	if ((all = calloc(njp + 1, sizeof(*all))) == NULL)
		return jerrno(err, "jail_fork");
	memcpy(all, jp, njp * sizeof(*all));
	if (temp && (jailparam_init(&all[njp], "persist") < 0 ||
	    jailparam_import(&all[njp], "true") < 0)) {
		free(all);
		return -1;
	}
	jid = jailparam_set(all, temp ? njp + 1 : njp, flags | JAIL_CREATE);
	e = errno;
	if (temp)
		jailparam_free(&all[njp], 1);
	free(all);
	if (jid < 0) {
		errno = e;
		return -1;
	}
	err[0] = '\0';
	if ((pid = member_fork(jid, ~0, &sock, err)) == 0) {
		struct report rp = { 0 };
		(void)!send(sock, &rp, sizeof(rp), 0);
		close(sock);
		return 0;
	}
	if (pid < 0 || read_report(sock, pid, NULL, err) < 0) {
		e = errno;
		snprintf(msg, sizeof(msg), "%s", err);
		jail_remove(jid);
		snprintf(err, JAIL_ERRMSGLEN, "%s", msg);
		errno = e;
		return -1;
	}
	/* Persistent only for the start: from now on it lives with its
	 * processes, as a jail created with JAIL_ATTACH does. */
	if (temp) {
		char j[16];
		snprintf(j, sizeof(j), "%d", jid);
		jail_setv(JAIL_UPDATE, "jid", j, "persist", "false", NULL);
	}
	return pid;
}
