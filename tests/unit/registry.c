/*
 * Unit tier (no root): the registry's record format round-trips every
 * parameter and host-side fact; listing is ordered; records are written
 * in place and shrink correctly; cgroup base selection.  TAP on stdout.
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

int
main(void)
{
	char dir[] = "/tmp/vjail-unit.XXXXXX", err[JAIL_ERRMSGLEN];
	struct registry r;
	struct jail_rec a, b;
	int *jids, n;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	setenv("VJAIL_RUNDIR", dir, 1);
	ok(strcmp(reg_rundir(), dir) == 0, "VJAIL_RUNDIR selects the registry");
	ok(reg_open(&r, true, err) == 0, "registry opens (and is created)");

	rec_defaults(&a);
	a.jid = 42;
	snprintf(a.name, sizeof(a.name), "web.db");
	snprintf(a.path, sizeof(a.path), "/srv/web dir/db");
	snprintf(a.hostname, sizeof(a.hostname), "db.example");
	a.parent = 7;
	a.persist = 1;
	a.children_max = 3;
	a.vnet = JAIL_SYS_NEW;
	a.ipc = JAIL_SYS_DISABLE;
	a.state = JS_ALIVE;
	a.holder = 12345;
	a.holder_start = 9876543210ull;
	a.uidslot = 41;
	a.userns = 4026531837ull;
	snprintf(a.cgroup, sizeof(a.cgroup), "/sys/fs/cgroup/vjail/7/42");
	ok(reg_store(&r, &a, err) == 0, "a record is stored");
	ok(reg_load(&r, 42, &b) == 0, "and loaded");
	ok(strcmp(a.name, b.name) == 0 && strcmp(a.path, b.path) == 0 &&
	    strcmp(a.hostname, b.hostname) == 0, "strings round-trip");
	ok(a.parent == b.parent && a.persist == b.persist &&
	    a.children_max == b.children_max && a.vnet == b.vnet &&
	    a.ipc == b.ipc && a.enforce_statfs == b.enforce_statfs &&
	    a.devfs == b.devfs && a.procfs == b.procfs,
	    "parameters round-trip");
	ok(a.state == b.state && a.holder == b.holder &&
	    a.holder_start == b.holder_start && a.uidslot == b.uidslot &&
	    a.userns == b.userns && strcmp(a.cgroup, b.cgroup) == 0,
	    "host-side facts round-trip");

	/* in place: a shorter record must not keep the old tail */
	a.hostname[0] = '\0';
	snprintf(a.path, sizeof(a.path), "/");
	ok(reg_store(&r, &a, err) == 0 && reg_load(&r, 42, &b) == 0 &&
	    strcmp(b.path, "/") == 0 && b.hostname[0] == '\0' &&
	    b.holder == a.holder, "rewriting a record shorter leaves no tail");

	b.jid = 5;
	reg_store(&r, &b, err);
	b.jid = 100;
	reg_store(&r, &b, err);
	n = reg_list(&r, &jids);
	ok(n == 3 && jids[0] == 5 && jids[1] == 42 && jids[2] == 100,
	    "reg_list lists jids in order");
	free(jids);
	ok(reg_delete(&r, 42) == 0 && reg_load(&r, 42, &b) < 0,
	    "a deleted record is gone");
	ok(!reg_holder_alive(&a), "a made-up holder is not alive");
	reg_delete(&r, 5);
	reg_delete(&r, 100);
	reg_close(&r);

	setenv("VJAIL_CGROUP", "relative/path", 1);
	ok(cg_base(err) == NULL && strstr(err, "VJAIL_CGROUP") != NULL,
	    "a relative VJAIL_CGROUP is refused, naming it");

	char cmd[sizeof(dir) + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0, "cleanup");
	return done_testing();
}
