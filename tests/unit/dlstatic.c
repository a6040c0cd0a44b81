/*
 * sys/dl_static.c, as the static commands (jexec) link it: libseccomp is
 * linked in and works; netlink and BPF fail with a clear error instead
 * of loading anything; no shared object is ever mapped (a static glibc
 * program that dlopens loads a second libc).  Built static-pie by the
 * Makefile, like jexec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vjail.h"
#include "tap.h"

/* Is any shared object mapped in this process? */
static bool
any_so_mapped(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n <= 0 || strstr(buf, ".so") != NULL;
}

int
main(void)
{
	char err[JAIL_ERRMSGLEN];
	struct confine c;
	struct nl nl;
	int rc;

	ok(!any_so_mapped(), "static: no shared object mapped at start");

	/* libseccomp: the functions linked in, no cache (regdir NULL) */
	confine_init(&c);
	confine_deny(&c, SCMP_SYS(acct), EPERM, NULL);
	rc = confine_compile(&c, NULL, err);
	ok(rc == 0 && c.prog != NULL && c.proglen > 0,
	    "a filter compiles with the libseccomp linked in");
	confine_free(&c);

	/* libmnl and libbpf: not built in, said so */
	errno = 0;
	rc = nl_open(&nl, -1, err);
	ok(rc < 0 && errno == ENOSYS, "nl_open fails (ENOSYS)");
	ok(strstr(err, "netlink is not built into this command") != NULL,
	    "  saying netlink is not built into this command");
	errno = 0;
	rc = bpf_jail_attach("/nonexistent", NULL, err);
	ok(rc < 0 && errno == ENOSYS &&
	    strstr(err, "BPF is not built into this command") != NULL,
	    "BPF fails too, saying it is not built in");
	ok(sys_dl_has("libseccomp.so.2") && !sys_dl_has("libmnl.so.0") &&
	    !sys_dl_has("libbpf.so.1") && !sys_dl_has("NSS"),
	    "sys_dl_has: libseccomp only");

	ok(!any_so_mapped(), "and still no shared object mapped");
	return done_testing();
}
