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

static int
ipc_nsflags(const struct jail_rec *jr)
{
	return jr->ipc == JAIL_SYS_INHERIT ? 0 : CLONE_NEWIPC;
}

static int
ipc_confine(const struct jail_rec *jr, char *err)
{
	static const int calls[] = {
		SCMP_SYS(msgget), SCMP_SYS(msgsnd), SCMP_SYS(msgrcv),
		SCMP_SYS(msgctl), SCMP_SYS(semget), SCMP_SYS(semop),
		SCMP_SYS(semtimedop), SCMP_SYS(semctl), SCMP_SYS(shmget),
		SCMP_SYS(shmat), SCMP_SYS(shmdt), SCMP_SYS(shmctl),
	};
	scmp_filter_ctx ctx;
	int rc = 0;

	if (jr->ipc != JAIL_SYS_DISABLE)
		return 0;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return jerr(err, "sysvipc: seccomp_init failed");
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), calls[i], 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return jerrno(err, "sysvipc: seccomp");
	}
	return 0;
}

const struct module mod_ipc = {
	.name = "ipc",
	.nsflags = ipc_nsflags,
	.confine = ipc_confine,
};
