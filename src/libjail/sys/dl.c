/*
 * dl.c - libraries opened on first use (libbpf, libseccomp, libmnl through
 * sys/mnl.c, which guards where it is looked up): most runs
 * of jail, jls and jexec never need them, and loading a shared library
 * at start costs every run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../vjail.h"

/*
 * A library is looked up through the caller's root and mount namespace:
 * opened after a process entered a jail's (setns, pivot_root, chroot),
 * it would be the jail's file run by the host's root.  So the root mount
 * this program started with is noted before main, and a library is
 * opened only while it is still the root (tests/unit/dlroot.c).
 */
static struct { uint64_t mnt_id; dev_t dev; ino_t ino; } start_root;

static int
root_now(uint64_t *mnt_id, dev_t *dev, ino_t *ino)
{
	struct statx stx;

	if (statx(AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return -1;
	*mnt_id = stx.stx_mnt_id;
	*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ino = stx.stx_ino;
	return 0;
}

/* before spawn.c's constructor, which may become the monitor and never
 * return */
static void __attribute__((constructor(101)))
note_root(void)
{
	if (root_now(&start_root.mnt_id, &start_root.dev, &start_root.ino) < 0)
		start_root.mnt_id = 0;	/* nothing is opened then */
}

static bool
same_root(void)
{
	uint64_t mnt_id;
	dev_t dev;
	ino_t ino;

	return start_root.mnt_id != 0 && root_now(&mnt_id, &dev, &ino) == 0 &&
	    mnt_id == start_root.mnt_id && dev == start_root.dev &&
	    ino == start_root.ino;
}

/* Every library may be opened (sys/dl_static.c: only what is linked in). */
bool
sys_dl_has(const char *lib)
{
	(void)lib;
	return true;
}

/*
 * A host user by name (or number) and its groups (at most *ngroups),
 * through NSS, which may load the modules /etc/nsswitch.conf names.
 */
struct passwd *
sys_getpw_nss(const char *user, gid_t *groups, int *ngroups)
{
	struct passwd *pw;
	char *ep;
	long n = strtol(user, &ep, 10);

	if ((pw = getpwnam(user)) == NULL && *user && *ep == '\0' && n >= 0)
		pw = getpwuid((uid_t)n);
	if (pw && getgrouplist(pw->pw_name, pw->pw_gid, groups, ngroups) < 0)
		*ngroups = 0;
	return pw;
}

/*
 * Open lib and fill table's function pointers (at syms[i].off) from
 * syms[i].name; *dl stays set once done.  0, or -1 (ENOSYS) naming what
 * is missing.
 */
int
sys_dlopen(void **dl, const char *lib, const struct dl_sym *syms, size_t n,
    void *table, char *err)
{
	void *h;

	if (*dl)
		return 0;
	if (!same_root()) {
		errno = EPERM;
		return jerr(err, "%s: not opened outside the root this program "
		    "started in", lib);
	}
	if ((h = dlopen(lib, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		errno = ENOSYS;
		return jerr(err, "%s", dlerror());
	}
	for (size_t i = 0; i < n; i++) {
		void *f = dlsym(h, syms[i].name);
		if (f == NULL) {
			dlclose(h);
			errno = ENOSYS;
			return jerr(err, "%s: no %s", lib, syms[i].name);
		}
		memcpy((char *)table + syms[i].off, &f, sizeof(f));
	}
	*dl = h;
	return 0;
}
