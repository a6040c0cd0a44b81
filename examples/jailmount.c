/*
 * jailmount: mount a file system into a running jail (jail_mount), as
 * jail(8) does for its mount and mount.fstab entries.
 *
 *   jailmount JAIL SPEC FILE TYPE [OPTIONS]
 *
 * SPEC and FILE are paths as the caller sees them (inside a jail, the
 * jail's own; JAIL then names one of its descendants), FILE below the
 * jail's path: "jailmount web /usr /j/web/usr nullfs ro".  A number is
 * taken as a jid as it is (libjail checks it).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jail.h>

int
main(int argc, char **argv)
{
	int jid;

	if (argc != 5 && argc != 6)
		errx(1, "usage: jailmount jail spec file type [options]");
	if (argv[1][0] && strspn(argv[1], "0123456789") == strlen(argv[1]))
		jid = atoi(argv[1]);
	else if ((jid = jail_getid(argv[1])) < 0)
		errx(1, "%s", jail_errmsg);
	if (jail_mount(jid, argv[2], argv[3], argv[4],
	    argc == 6 ? argv[5] : NULL) < 0)
		errx(1, "%s", jail_errmsg);
	return 0;
}
