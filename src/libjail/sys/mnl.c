/*
 * mnl.c - libmnl, opened on the first netlink socket (see sys/mnl.h):
 * only in the root this program started in (sys_dlopen).
 */
#define _GNU_SOURCE
#include <libmnl/libmnl.h>

#define SYS_MNL_IMPL
#include "mnl.h"
#include "../vjail.h"

struct sys_mnl sys_mnl;

int
sys_mnl_open(char *err)
{
	static void *dl;
	static const struct dl_sym syms[] = {
#define MNL_SYM(n) DL_SYM(struct sys_mnl, n, "mnl_" #n),
		MNL_FNS(MNL_SYM)
#undef MNL_SYM
	};

	return sys_dlopen(&dl, "libmnl.so.0", syms,
	    sizeof(syms) / sizeof(*syms), &sys_mnl, err);
}
