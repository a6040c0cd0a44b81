/*
 * dl_static.c - sys/dl.c's stand-in in the commands linked static
 * (jexec: the Makefile's STATIC_CMDS), linked before libjail.a so that
 * dl.c, and dlopen with it, is never linked in (a name of dl.c's that
 * is missing here would pull it in, and the link fail on the others).
 *
 * A static glibc program must never dlopen: that loads a second libc
 * (and the library's dependencies) from wherever the root then is, tied
 * to the glibc it was built with.  So here libseccomp is linked in
 * (libseccomp.a) and its functions are handed out from a table; libmnl
 * and libbpf are not: asking for them fails ("netlink is not built into
 * this command") and core.c leaves removals that would need them to the
 * dynamic commands (sys_dl_has).  glibc's own NSS would dlopen any
 * module but its built-in "files" (systemd, sss, ...; glibc 2.36's
 * static dlopen of libnss_systemd crashed here): host users are read
 * from /etc/passwd and /etc/group as "files" would (exec.c's
 * jail_getpw), those only another module knows asked of getent(1), and
 * no NSS function is linked in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <seccomp.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../vjail.h"

#define SC_FN(name)	{ #name, (void *)name }
static const struct { const char *name; void *fn; } seccomp_fns[] = {
	SC_FN(seccomp_init), SC_FN(seccomp_attr_set), SC_FN(seccomp_arch_add),
	SC_FN(seccomp_rule_add_array), SC_FN(seccomp_export_bpf),
	SC_FN(seccomp_release),
};

bool
sys_dl_has(const char *lib)
{
	return strcmp(lib, "libseccomp.so.2") == 0;
}

int
sys_dlopen(void **dl, const char *lib, const struct dl_sym *syms, size_t n,
    void *table, char *err)
{
	errno = ENOSYS;
	if (!sys_dl_has(lib))
		return jerr(err, "%s is not built into this command (%s)",
		    strncmp(lib, "libmnl", 6) == 0 ? "netlink" :
		    strncmp(lib, "libbpf", 6) == 0 ? "BPF" : lib, lib);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < sizeof(seccomp_fns) / sizeof(*seccomp_fns) &&
		    strcmp(seccomp_fns[k].name, syms[i].name) != 0)
			k++;
		if (k == sizeof(seccomp_fns) / sizeof(*seccomp_fns))
			return jerr(err, "%s: no %s built in", lib, syms[i].name);
		memcpy((char *)table + syms[i].off, &seccomp_fns[k].fn,
		    sizeof(void *));
	}
	*dl = (void *)seccomp_fns;	/* (done: any non-NULL) */
	errno = 0;
	return 0;
}

/*
 * getent(1)'s answer for DB and KEY, a line of at most len - 1 bytes in
 * buf: 0, or -1 (not found, or no getent).  getent is a dynamic program
 * of the host's: it loads what /etc/nsswitch.conf names in a process of
 * its own, never in ours.
 */
static int
getent(const char *db, const char *key, char *buf, size_t len)
{
	char *argv[] = { "getent", (char *)db, "--", (char *)key, NULL };
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	ssize_t n = 1;
	int p[2], st = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if (posix_spawn(&pid, "/usr/bin/getent", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (pid > 0 && n > 0 && got < len - 1)
		if ((n = read(p[0], buf + got, len - 1 - got)) > 0)
			got += (size_t)n;
	close(p[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * A host user that /etc/passwd does not have (an sss, LDAP or systemd
 * one) and its groups, from getent: NSS itself would dlopen the module.
 */
struct passwd *
sys_getpw_nss(const char *user, gid_t *groups, int *ngroups)
{
	static char line[4096], gline[4096];
	static struct passwd pw;
	char *f[7], *s = line, *g, *end;
	int max = *ngroups, i;

	*ngroups = 0;
	if (getent("passwd", user, line, sizeof(line)) < 0)
		return NULL;
	for (i = 0; i < 7 && s; i++)
		f[i] = strsep(&s, ":");
	if (i < 7 || s)
		return NULL;	/* not a passwd line */
	pw.pw_name = f[0], pw.pw_passwd = f[1], pw.pw_gecos = f[4];
	pw.pw_dir = f[5], pw.pw_shell = f[6];
	errno = 0;
	pw.pw_uid = (uid_t)strtoul(f[2], &end, 10);
	if (errno || *end || !*f[2])
		return NULL;
	pw.pw_gid = (gid_t)strtoul(f[3], &end, 10);
	if (errno || *end || !*f[3])
		return NULL;
	groups[(*ngroups)++] = pw.pw_gid;
	/* "NAME gid gid ...": its other groups */
	if (getent("initgroups", pw.pw_name, gline, sizeof(gline)) == 0) {
		strtok_r(gline, " ", &s);
		while ((g = strtok_r(NULL, " ", &s)) && *ngroups < max) {
			unsigned long v = strtoul(g, &end, 10);
			if (*end == '\0' && v != pw.pw_gid)
				groups[(*ngroups)++] = (gid_t)v;
		}
	}
	return &pw;
}
