/*
 * modules/ipc.c - sysvipc, sysvmsg, sysvsem, sysvshm.  Linux has one IPC
 * namespace for all of System V and POSIX message queues, so the four
 * parameters share one value (param.c gives them one field).
 *   new      own IPC namespace, own /dev/shm and /dev/mqueue (fs mounts them)
 *   inherit  the parent's IPC namespace and /dev/shm
 *   disable  own (empty) namespace, and the System V calls fail with ENOSYS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>

#include "../vjail.h"

/* allow.sysvipc, FreeBSD's legacy switch: the parent's IPC, unless a
 * sysv* parameter says otherwise. */
static int
ipc_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	(void)parent, (void)err;
	if ((flags & JAIL_CREATE) && set_has_name(set, "allow.sysvipc") &&
	    jr->allow[A_SYSVIPC] && !set_has_name(set, "sysvipc") &&
	    !set_has_name(set, "sysvmsg") && !set_has_name(set, "sysvsem") &&
	    !set_has_name(set, "sysvshm"))
		jr->ipc = JAIL_SYS_INHERIT;
	return 0;
}

static int
ipc_nsflags(const struct jail_rec *jr)
{
	return jr->ipc == JAIL_SYS_INHERIT ? 0 : CLONE_NEWIPC;
}

static int
ipc_confine(const struct jail_rec *jr, struct confine *c, char *err)
{
	static const int calls[] = {
		SCMP_SYS(msgget), SCMP_SYS(msgsnd), SCMP_SYS(msgrcv),
		SCMP_SYS(msgctl), SCMP_SYS(semget), SCMP_SYS(semop),
		SCMP_SYS(semtimedop), SCMP_SYS(semctl), SCMP_SYS(shmget),
		SCMP_SYS(shmat), SCMP_SYS(shmdt), SCMP_SYS(shmctl),
	};

	(void)err;
	if (jr->ipc == JAIL_SYS_DISABLE)
		for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
			confine_deny(c, calls[i], ENOSYS, NULL);
	return 0;
}

const struct module mod_ipc = {
	.name = "ipc",
	.check = ipc_check,
	.nsflags = ipc_nsflags,
	.confine = ipc_confine,
};
