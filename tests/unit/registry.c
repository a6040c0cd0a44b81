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
#include <sys/stat.h>
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

	/* ---- the registry's own files as untrusted input ---- */
	char path[PATH_MAX], msg[PATH_MAX + 128];
	FILE *f;
	b = a;
	b.jid = 42;
	b.parent = 0;
	snprintf(b.name, sizeof(b.name), "web");
	snprintf(b.cgroup, sizeof(b.cgroup), "/sys/fs/cgroup/vjail/42");
	ok(reg_store(&r, &b, err) == 0 && reg_load(&r, 42, &a) == 0 &&
	    !a.damaged, "a sound record loads");
	snprintf(path, sizeof(path), "%s/jails/42", dir);
	ok(truncate(path, 300) == 0 && reg_load(&r, 42, &a) < 0 &&
	    errno == EBADMSG, "a record cut mid-line is refused (EBADMSG)");
	ok(reg_read(&r, 42, &a) == 1 && a.damaged && a.dying &&
	    strcmp(a.name, "web") == 0 && a.cgroup[0] == '\0',
	    "  and read as damaged: its name kept, no cgroup believed");
	ok(truncate(path, 0) == 0 && reg_read(&r, 42, &a) == 1 &&
	    strcmp(a.name, "42") == 0, "an empty record is damaged, named by "
	    "its jid");
	struct { const char *line, *why; } bad[] = {
		{ ".state=9", "a state out of range" },
		{ ".state=-1", "a negative state" },
		{ ".uidslot=16384", "a uid slot beyond the pool" },
		{ ".uidslots=65", "more slots than a jail may hold" },
		{ ".parent=42", "its own parent" },
		{ ".holder=12x", "a holder that is not a number" },
		{ ".cgroup=/sys/fs/cgroup/system.slice", "a cgroup not its own" },
		{ ".cgroup=/sys/fs/cgroup/vjail/43", "another jid's cgroup" },
		{ ".cgroup=/sys/fs/cgroup/vjail/../42", "a cgroup path with .." },
		{ "name=a/b", "a name with a slash" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		reg_store(&r, &b, err);
		f = fopen(path, "a");
		fprintf(f, "%s\n", bad[i].line);
		fclose(f);
		snprintf(msg, sizeof(msg), "damaged: %s (%s)", bad[i].why,
		    bad[i].line);
		ok(reg_read(&r, 42, &a) == 1 && a.damaged, msg);
	}
	reg_store(&r, &b, err);
	ok(reg_read(&r, 42, &a) == 0, "rewritten, it is sound again");
	ok(unlink(path) == 0 && mkfifo(path, 0600) == 0 &&
	    reg_read(&r, 42, &a) == 1 && a.damaged,
	    "a FIFO for a record is damaged, read without blocking");
	ok(reg_exists(&r, 42), "  and still holds its jid");
	ok(reg_delete(&r, 42) == 0 && !reg_exists(&r, 42),
	    "  and is deleted");
	snprintf(path, sizeof(path), "%s/lastjid", dir);
	for (const char **v = (const char *[]){ "-5", "99999999", "junk",
	    "12abc", NULL }; *v; v++) {
		f = fopen(path, "w");
		fputs(*v, f);
		fclose(f);
		snprintf(msg, sizeof(msg), "lastjid=%s is not believed", *v);
		ok(reg_counter(&r, "lastjid", JAIL_MAX) == -1, msg);
	}
	reg_save_counter(&r, "lastjid", 77);
	ok(reg_counter(&r, "lastjid", JAIL_MAX) == 77, "lastjid=77 is");
	reg_close(&r);

	/* the cgroup vjail puts a jail in, and nothing else */
	struct { const char *cg; int jid, parent; bool good; } shape[] = {
		{ "/sys/fs/cgroup/vjail/5", 5, 0, true },
		{ "/sys/fs/cgroup/unified/user.slice/vjail/5", 5, 0, true },
		{ "/sys/fs/cgroup/vjail/5/7", 7, 5, true },
		{ "/sys/fs/cgroup/vjail/3/5/7", 7, 5, true },
		{ "/sys/fs/cgroup/vjail/7", 7, 5, false },
		{ "/sys/fs/cgroup/vjail/5/7", 7, 0, false },
		{ "/sys/fs/cgroup/vjail/05", 5, 0, false },
		{ "/sys/fs/cgroup/vjail/5/", 5, 0, false },
		{ "/sys/fs/cgroup/vjail//5", 5, 0, false },
		{ "/sys/fs/cgroup/system.slice/5", 5, 0, false },
		{ "/sys/fs/cgroup/5", 5, 0, false },
		{ "relative/vjail/5", 5, 0, false },
		{ "/5", 5, 0, false },
	};
	unsetenv("VJAIL_CGROUP");
	for (size_t i = 0; i < sizeof(shape) / sizeof(*shape); i++) {
		rec_defaults(&a);
		a.jid = shape[i].jid;
		a.parent = shape[i].parent;
		snprintf(a.cgroup, sizeof(a.cgroup), "%s", shape[i].cg);
		snprintf(msg, sizeof(msg), "cgroup %s for jail %d (parent %d): "
		    "%s", shape[i].cg, shape[i].jid, shape[i].parent,
		    shape[i].good ? "its own" : "not its own");
		ok(cg_shape_ok(&a) == shape[i].good, msg);
	}
	setenv("VJAIL_CGROUP", "/sys/fs/cgroup/test.1", 1);
	snprintf(a.cgroup, sizeof(a.cgroup), "/sys/fs/cgroup/test.1/5");
	a.jid = 5, a.parent = 0;
	ok(cg_shape_ok(&a), "under $VJAIL_CGROUP, whatever its name");

	setenv("VJAIL_CGROUP", "relative/path", 1);
	ok(cg_base(err) == NULL && strstr(err, "VJAIL_CGROUP") != NULL,
	    "a relative VJAIL_CGROUP is refused, naming it");

	/* (as root, vjail keeps the registry on a tmpfs of its own where
	 * /tmp is not one) */
	char cmd[2 * sizeof(dir) + 48];
	snprintf(cmd, sizeof(cmd), "umount %s 2>/dev/null; rm -rf %s", dir, dir);
	ok(system(cmd) == 0, "cleanup");
	return done_testing();
}
