/*
 * modules/uts.c - host.hostname and host.domainname: a UTS namespace per
 * jail.  Live values are read from the kernel, never from the registry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../vjail.h"

static int
uts_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	(void)parent, (void)flags;
	/* Only what the caller gives: the live value is the jail's. */
	if (set_has_name(set, "host.hostname") &&
	    mod_check_chars("host.hostname", jr->hostname, true, err) < 0)
		return -1;
	if (set_has_name(set, "host.domainname") &&
	    mod_check_chars("host.domainname", jr->domainname, true, err) < 0)
		return -1;
	return 0;
}

static int
uts_apply(const struct jail_rec *jr, char *err)
{
	if (jr->hostname[0] &&
	    sethostname(jr->hostname, strlen(jr->hostname)) < 0)
		return jerrno(err, "host.hostname: sethostname");
	if (jr->domainname[0] &&
	    setdomainname(jr->domainname, strlen(jr->domainname)) < 0)
		return jerrno(err, "host.domainname: setdomainname");
	return 0;
}

static int
uts_setup(const struct jail_rec *jr, int rootfd, char *err)
{
	(void)rootfd;
	return uts_apply(jr, err);
}

static int
uts_nsflags(const struct jail_rec *jr)
{
	(void)jr;
	return CLONE_NEWUTS;
}

/* Run fn inside the holder's UTS namespace, then come back. */
static int
in_uts(struct jail_rec *jr, int (*fn)(struct jail_rec *, char *), char *err)
{
	char path[64];
	int self, target, rc;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)jr->holder);
	if ((target = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return jerrno(err, "host.hostname: %s", path);
	if ((self = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC)) < 0) {
		close(target);
		return jerrno(err, "host.hostname: /proc/self/ns/uts");
	}
	rc = setns(target, CLONE_NEWUTS) < 0 ?
	    jerrno(err, "host.hostname: setns") : fn(jr, err);
	if (setns(self, CLONE_NEWUTS) < 0)
		rc = jerrno(err, "host.hostname: setns back");
	close(self);
	close(target);
	return rc;
}

/* The jail sets these to any bytes it likes: never pass control
 * characters on to a terminal or into a jls -s line. */
static void
sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int
read_uts(struct jail_rec *jr, char *err)
{
	struct utsname u;

	if (uname(&u) < 0)
		return jerrno(err, "host.hostname: uname");
	snprintf(jr->hostname, sizeof(jr->hostname), "%s", u.nodename);
	snprintf(jr->domainname, sizeof(jr->domainname), "%s",
	    strcmp(u.domainname, "(none)") ? u.domainname : "");
	sanitize(jr->hostname);
	sanitize(jr->domainname);
	return 0;
}

static int
write_uts(struct jail_rec *jr, char *err)
{
	return uts_apply(jr, err);
}

static int
uts_update(struct registry *r, struct jail_rec *jr, const uint64_t *set,
    char *err)
{
	(void)r;
	if (!set_has_name(set, "host.hostname") &&
	    !set_has_name(set, "host.domainname"))
		return 0;
	return in_uts(jr, write_uts, err);
}

static int
uts_get(struct jail_rec *jr, char *err)
{
	return in_uts(jr, read_uts, err);
}

const struct module mod_uts = {
	.name = "uts",
	.check = uts_check,
	.nsflags = uts_nsflags,
	.setup = uts_setup,
	.update = uts_update,
	.get = uts_get,
};
