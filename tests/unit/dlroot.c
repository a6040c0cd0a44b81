/*
 * Libraries opened on first use (sys/dl.c: libmnl on the first netlink
 * socket, libseccomp on the first filter compiled) are looked up through
 * the process's root: never once the process has left the root and mount
 * namespace it started in (a jail's, whose files a host process would
 * then run).  Each case in a child of its own, since a library once
 * opened stays.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vjail.h"
#include "tap.h"

/* Is lib mapped in this process?  maps is an fd on our
 * /proc/self/maps, opened while /proc was still ours. */
static int
mapped(int maps, const char *lib)
{
	static char buf[1 << 16];
	ssize_t n = pread(maps, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, lib) != NULL;
}

/* Leave the mount namespace (and, unless root, the user namespace). */
static int
new_mntns(void)
{
	return unshare(geteuid() == 0 ? CLONE_NEWNS :
	    CLONE_NEWUSER | CLONE_NEWNS);
}

enum { CONTROL, CHROOT, MNTNS };

/* Open the library: libmnl through nl_open, libseccomp through a filter
 * compiled without a cache. */
static int
use(bool seccomp, char *err)
{
	struct confine c;
	struct nl nl;
	int rc;

	if (seccomp) {
		confine_init(&c);
		confine_deny(&c, SCMP_SYS(acct), EPERM, NULL);
		rc = confine_compile(&c, NULL, err);
		confine_free(&c);
		return rc;
	}
	if ((rc = nl_open(&nl, -1, err)) == 0)
		nl_close(&nl);
	return rc;
}

/* 0: it worked and the library is mapped; 1: refused with EPERM and not
 * mapped; 2: anything else; 3: the case could not be set up. */
static int
run(int how, const char *root, bool seccomp)
{
	char err[JAIL_ERRMSGLEN];
	const char *lib = seccomp ? "libseccomp" : "libmnl";
	int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (maps < 0)
		return 3;
	if (how != CONTROL && new_mntns() < 0)
		return 3;
	if (how == CHROOT && (chroot(root) < 0 || chdir("/") < 0))
		return 3;
	if (use(seccomp, err) == 0)
		return mapped(maps, lib) ? 0 : 2;
	return errno == EPERM && !mapped(maps, lib) ? 1 : 2;
}

static int
in_child(int how, const char *root, bool seccomp)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(run(how, root, seccomp));
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 2;
	return WEXITSTATUS(st);
}

int
main(void)
{
	char root[] = "/tmp/vjail-dl.XXXXXX", dir[PATH_MAX], cmd[PATH_MAX * 2];
	int rc;

	/* the attack: a root holding the libraries of its own, where the
	 * real ones are (here copies: their path is what matters) */
	if (mkdtemp(root) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/lib/x86_64-linux-gnu", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s/etc && cp "
	    "/lib/x86_64-linux-gnu/libmnl.so.0 "
	    "/lib/x86_64-linux-gnu/libseccomp.so.2 %s/ 2>/dev/null; "
	    "cp /etc/ld.so.cache %s/etc/", dir, root, dir, root);
	(void)!system(cmd);
	for (int seccomp = 0; seccomp < 2; seccomp++) {
		const char *lib = seccomp ? "libseccomp" : "libmnl";
		printf("# %s\n", lib);
		ok(in_child(CONTROL, NULL, seccomp) == 0,
		    "control: opened in the root we started in");
		rc = in_child(CHROOT, root, seccomp);
		if (rc == 3)
			printf("# skipped: no chroot here (no user namespaces)\n");
		else
			ok(rc == 1, "after chroot: not opened (EPERM), nothing "
			    "of the new root mapped");
		rc = in_child(MNTNS, NULL, seccomp);
		if (rc == 3)
			printf("# skipped: no mount namespace here\n");
		else
			ok(rc == 1, "in another mount namespace: not opened "
			    "(EPERM)");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	(void)!system(cmd);
	return done_testing();
}
