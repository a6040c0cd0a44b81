/*
 * sockattack: socket calls a jail's root might use to get around its
 * address rules, for tests/sys/14-ipjail.t; prints one line.
 *
 *   sockattack pktinfo SRC DST PORT   connected UDP socket, one datagram
 *                                     with IP_PKTINFO source SRC
 *   sockattack tfo DST PORT           TCP fast open (sendto MSG_FASTOPEN),
 *                                     the reply read: the address it went to
 *   sockattack freebind ADDR PORT     IP_FREEBIND, then bind
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in
sin_of(const char *a, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)atoi(port)) };

	if (inet_pton(AF_INET, a, &sa.sin_addr) != 1) {
		fprintf(stderr, "sockattack: %s: not an address\n", a);
		exit(2);
	}
	return sa;
}

static int
fail(void)
{
	printf("%s\n", strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	char a[INET_ADDRSTRLEN];
	int s, one = 1;

	if (argc == 5 && strcmp(argv[1], "pktinfo") == 0) {
		struct sockaddr_in dst = sin_of(argv[3], argv[4]);
		struct sockaddr_in src = sin_of(argv[2], "0");
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = { 0 };
		struct iovec iov = { "x", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		struct in_pktinfo pi = { .ipi_spec_dst = src.sin_addr };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
		    connect(s, (struct sockaddr *)&dst, sizeof(dst)) < 0 ||
		    sendmsg(s, &m, 0) < 0)
			return fail();
		printf("sent\n");
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "tfo") == 0) {
		struct sockaddr_in dst = sin_of(argv[2], argv[3]), peer;
		socklen_t len = sizeof(peer);

		char reply[64];

		/* the reply: the connection is made (with a cookie, sendto
		 * returns before it is) */
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    sendto(s, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&dst,
		    sizeof(dst)) < 0 || read(s, reply, sizeof(reply)) < 0 ||
		    getpeername(s, (struct sockaddr *)&peer, &len) < 0)
			return fail();
		printf("%s\n", inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a)));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "freebind") == 0) {
		struct sockaddr_in sa = sin_of(argv[2], argv[3]), got;
		socklen_t len = sizeof(got);

		if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    setsockopt(s, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
		    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    getsockname(s, (struct sockaddr *)&got, &len) < 0)
			return fail();
		printf("%s\n", inet_ntop(AF_INET, &got.sin_addr, a, sizeof(a)));
		return 0;
	}
	fprintf(stderr, "usage: sockattack pktinfo|tfo|freebind ...\n");
	return 2;
}
