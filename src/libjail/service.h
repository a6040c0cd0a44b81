/*
 * service.h - the jail service's protocol (service.c serves it in the
 * monitor, inside.c asks from inside the jail): one request, one answer.
 */
#ifndef VJAIL_SERVICE_H
#define VJAIL_SERVICE_H

#include "vjail.h"

#define SVC_PATH	"/dev/vjail"

enum svc_op { SVC_SET = 1, SVC_GET, SVC_REMOVE, SVC_STOP, SVC_ENTER,
    SVC_JOIN, SVC_MOUNT, SVC_SELF, SVC_SETFIB, SVC_SOCKETS };

struct svc_req {
	int	op, flags, jid, lastjid, timeout;
	char	name[JAIL_NAMELEN];
	uint64_t set[SET_WORDS];
	struct jail_rec rec;
	/* SVC_MOUNT: an fstab line's fields */
	char	spec[PATH_MAX], file[PATH_MAX], type[32], opts[1024];
};

struct svc_resp {
	int	rc, err;
	char	errmsg[JAIL_ERRMSGLEN];
	struct jail_rec rec;
};

#endif
