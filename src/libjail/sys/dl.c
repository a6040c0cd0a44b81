/*
 * dl.c - libraries opened on first use (libbpf, libseccomp): most runs
 * of jail, jls and jexec never need them, and loading a shared library
 * at start costs every run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "../vjail.h"

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
