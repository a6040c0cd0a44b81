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
 * jail_getpw), and no NSS function is linked in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <string.h>

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

/* Never called: sys_dl_has("NSS") is false, and exec.c reads the
 * host's /etc/passwd and /etc/group itself. */
struct passwd *
sys_getpw_nss(const char *user, gid_t *groups, int *ngroups)
{
	(void)user, (void)groups;
	*ngroups = 0;
	errno = ENOSYS;
	return NULL;
}
