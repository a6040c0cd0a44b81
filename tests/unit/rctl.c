/*
 * Unit tier (no root): rctl's rule grammar through the public calls, up
 * to the point where a rule would be stored: FreeBSD's units, overflow,
 * the fields a rule must have, and every refusal by name.  Nothing here
 * reaches the registry (VJAIL_RUNDIR points at a directory that is
 * checked to stay empty).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jail.h"
#include "vjail.h"

#include "tap.h"

static void
refused(const char *rule, const char *msg)
{
	char what[512];
	int rc = rctl_add_rule(rule, strlen(rule) + 1, NULL, 0);

	snprintf(what, sizeof(what), "%s: %s", rule, msg);
	ok(rc < 0 && strcmp(jail_errmsg, msg) == 0, what);
	if (rc == 0 || strcmp(jail_errmsg, msg) != 0)
		printf("# got: %s\n", jail_errmsg);
}

int
main(void)
{
	char dir[] = "/tmp/vjail-rctl.XXXXXX", path[64];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	setenv("VJAIL_RUNDIR", dir, 1);
	refused("jail:web:memoryuse:deny=1q", "invalid numeric value '1q'");
	refused("jail:web:memoryuse:deny=99999999999999999999",
	    "invalid numeric value '99999999999999999999'");
	refused("jail:web:memoryuse:deny=17179869184e",
	    "invalid numeric value '17179869184e'");
	refused("jail:web:memoryuse:deny=-1", "invalid numeric value '-1'");
	refused("jail:web:memoryuse:deny=", "invalid numeric value ''");
	refused("jail:web:memoryuse:deny", "missing amount");
	refused("jail:web:memoryuse", "missing action");
	refused("jail:web", "missing resource");
	refused("jail", "missing jail name");
	refused(":web:memoryuse:deny=1", "missing subject");
	refused("process:1:memoryuse:deny=1",
	    "subject 'process' is not supported (rules are for jails)");
	refused("loginclass:x:memoryuse:deny=1",
	    "subject 'loginclass' is not supported (rules are for jails)");
	refused("cage:web:memoryuse:deny=1", "unknown subject 'cage'");
	refused("jail:.web:maxproc:deny=1", "invalid jail name '.web'");
	refused("jail:a..b:maxproc:deny=1", "invalid jail name 'a..b'");
	refused("jail:web:wallclock:deny=10",
	    "wallclock: action 'deny' is not supported (use a signal)");
	refused("jail:web:wallclock:sigterm=10/process",
	    "wallclock: per process is not supported on Linux");
	refused("jail:web:pseudoterminals:deny=10",
	    "resource 'pseudoterminals' is not supported on Linux");
	refused("jail:web:maxproc:sigterm=10",
	    "maxproc: action 'sigterm' is not supported (use deny)");
	refused("jail:web:writeiops:deny=10",
	    "writeiops: action 'deny' is not supported (use throttle)");
	refused("jail:web:cputime:deny=10",
	    "cputime: action 'deny' is not supported (use a signal)");
	refused("jail:web:cputime:sighup=10/process",
	    "cputime/process: action 'sighup' is not supported on Linux "
	    "(RLIMIT_CPU sends sigxcpu, then sigkill)");
	refused("jail:web:cputime:siginfo=10",
	    "signal 'siginfo' does not exist on Linux");
	refused("jail:web:memoryuse:deny=1m/process",
	    "memoryuse: per process is not supported on Linux");
	refused("jail:web:memoryuse:deny=1m/user", "per 'user' is not supported");
	refused("jail:web:pcpu:deny=100001",
	    "pcpu: 100001 out of range (1 to 100000 percent of one CPU)");
	snprintf(path, sizeof(path), "%s/rctl", dir);
	ok(access(path, F_OK) < 0, "no refused rule reached the registry");
	rmdir(dir);
	return done_testing();
}
