/*
 * jailecho: one daemon serving many jails (jail_socket).
 *
 *   jailecho PORT JAIL...
 *
 * Opens a TCP listener on the wildcard address and PORT in each jail's
 * network stack (a vnet jail's own, or the one it shares, where the
 * jail's ip4.addr narrows the wildcard to its address), prints "ready",
 * and answers every connection with the name of the jail it came in
 * through.  Runs until killed.
 */
#include <err.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jail.h>

int
main(int argc, char **argv)
{
	struct pollfd *p;
	int n = argc - 2, one = 1;

	if (argc < 3)
		errx(1, "usage: jailecho port jail ...");
	if ((p = calloc((size_t)n, sizeof(*p))) == NULL)
		err(1, "calloc");
	for (int i = 0; i < n; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)atoi(argv[1])) };
		int jid = jail_getid(argv[i + 2]);
		if (jid < 0)
			errx(1, "%s", jail_errmsg);
		if ((p[i].fd = jail_socket(jid, AF_INET, SOCK_STREAM |
		    SOCK_CLOEXEC, 0)) < 0)
			errx(1, "%s: %s", argv[i + 2], jail_errmsg);
		setsockopt(p[i].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(p[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(p[i].fd, 16) < 0)
			err(1, "%s: bind", argv[i + 2]);
		p[i].events = POLLIN;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			err(1, "poll");
		for (int i = 0; i < n; i++) {
			int c;
			if (!(p[i].revents & POLLIN) ||
			    (c = accept(p[i].fd, NULL, NULL)) < 0)
				continue;
			dprintf(c, "%s\n", argv[i + 2]);
			close(c);
		}
	}
}
