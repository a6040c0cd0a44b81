/*
 * cpuset(1), for jails (FreeBSD usr.bin/cpuset -j): show a jail's CPU
 * set, or restrict it.  The jail is named by jid or by name.
 *   cpuset -g -j jail		jail 3 mask: 0, 1
 *   cpuset -g -i -j jail		jail 3 id: 3
 *   cpuset -l 0-1 -j jail
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jail.h>

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cpuset [-l cpu-list] -j jail\n"
	    "       cpuset -g [-i] -j jail\n");
	exit(1);
}

static const char *
why(void)
{
	return jail_errmsg[0] ? jail_errmsg : strerror(errno);
}

/* "0-2,5" as FreeBSD prints a mask: "0, 1, 2, 5". */
static void
print_mask(const char *list)
{
	const char *sep = "";

	for (const char *p = list; *p; ) {
		char *ep;
		long a = strtol(p, &ep, 10), b = a;
		if (*ep == '-')
			b = strtol(ep + 1, &ep, 10);
		for (long i = a; i <= b; i++) {
			printf("%s%ld", sep, i);
			sep = ", ";
		}
		p = *ep == ',' ? ep + 1 : ep + strlen(ep);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	int ch, gflag = 0, iflag = 0, jid = -1;
	const char *list = NULL, *jail = NULL;
	char buf[1024];

	while ((ch = getopt(argc, argv, "gij:l:")) != -1) {
		switch (ch) {
		case 'g': gflag = 1; break;
		case 'i': iflag = 1; break;
		case 'j': jail = optarg; break;
		case 'l': list = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || jail == NULL || gflag == (list != NULL) ||
	    (iflag && !gflag))
		usage();
	if ((jid = jail_getid(jail)) < 0)
		errx(1, "%s", why());
	if (iflag) {
		printf("jail %d id: %d\n", jid, jid);
		return 0;
	}
	if (gflag) {
		if (jail_cpuset_get(jid, buf, sizeof(buf)) < 0)
			errx(1, "getaffinity: %s", why());
		printf("jail %d mask: ", jid);
		print_mask(buf);
		return 0;
	}
	if (jail_cpuset_set(jid, list) < 0) {
		if (errno == EINVAL && strncmp(jail_errmsg, "Malformed", 9) == 0)
			errx(1, "%s", jail_errmsg);
		errx(1, "setaffinity: %s", why());
	}
	return 0;
}
