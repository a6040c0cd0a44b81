/*
 * sockstat(1): list open sockets (FreeBSD usr.bin/sockstat), with its
 * columns: USER COMMAND PID FD PROTO LOCAL ADDRESS FOREIGN ADDRESS.
 * -j jail: the sockets of a jail (libjail's jail_sockets: a vnet jail's
 * whole stack, a jail on a shared stack those of its cgroup).
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jail.h>

static bool opt_4, opt_6, opt_c, opt_l, opt_n, opt_q, opt_s, opt_u, opt_w;
static bool proto_tcp = true, proto_udp = true, opt_P;
static int nports, ports[64][2];	/* ranges */

/* Linux's TCP states (include/net/tcp_states.h) by FreeBSD's names. */
static const char *const tcpstates[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RCVD",
	[4] = "FIN_WAIT_1", [5] = "FIN_WAIT_2", [6] = "TIME_WAIT",
	[7] = "CLOSED", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
	[10] = "LISTEN", [11] = "CLOSING",
};
#define TCP_LISTEN	10

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sockstat [-46clnqsuw] [-j jid] [-p ports] "
	    "[-P protocols]\n");
	exit(1);
}

static void
parse_ports(char *list)
{
	for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
		char *dash = strchr(t, '-'), *ep;
		long lo = strtol(t, &ep, 10), hi = lo;
		if (ep == t || (dash ? ep != dash : *ep != '\0'))
			errx(1, "syntax error in port range");
		if (dash && ((hi = strtol(dash + 1, &ep, 10)), *ep != '\0' ||
		    ep == dash + 1))
			errx(1, "syntax error in port range");
		if (lo < 0 || hi > 65535 || lo > hi || nports == 64)
			errx(1, "invalid port range %s", t);
		ports[nports][0] = (int)lo, ports[nports++][1] = (int)hi;
	}
}

static void
parse_protos(char *list)
{
	opt_P = true;
	proto_tcp = proto_udp = false;
	for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
		if (strcmp(t, "tcp") == 0)
			proto_tcp = true;
		else if (strcmp(t, "udp") == 0)
			proto_udp = true;
		else
			errx(1, "protocol `%s' not supported", t);
}

static int
port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool
port_wanted(const struct jail_sock *s)
{
	int lp = port_of(&s->js_local), fp = port_of(&s->js_peer);

	if (nports == 0 || s->js_family == AF_UNIX)
		return true;
	for (int i = 0; i < nports; i++)
		if ((lp >= ports[i][0] && lp <= ports[i][1]) ||
		    (fp >= ports[i][0] && fp <= ports[i][1]))
			return true;
	return false;
}

static bool
wanted(const struct jail_sock *s)
{
	bool connected;

	switch (s->js_family) {
	case AF_INET:
	case AF_INET6:
		if (!(s->js_family == AF_INET ? opt_4 : opt_6) ||
		    !(s->js_protocol == IPPROTO_TCP ? proto_tcp : proto_udp))
			return false;
		connected = port_of(&s->js_peer) != 0;
		break;
	case AF_UNIX:
		if (!opt_u)
			return false;
		connected = s->js_peer_inode != 0;
		break;
	default:
		return false;
	}
	return ((connected && opt_c) || (!connected && opt_l)) &&
	    port_wanted(s);
}

static int
xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
xprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : n;
}

static int
printaddr(const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN] = "*";
	int port = port_of(ss);

	if (ss->ss_family == AF_INET &&
	    ((const struct sockaddr_in *)ss)->sin_addr.s_addr != INADDR_ANY)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    a, sizeof(a));
	else if (ss->ss_family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(
	    &((const struct sockaddr_in6 *)ss)->sin6_addr))
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    a, sizeof(a));
	else if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return 0;
	return port ? xprintf("%s:%d", a, port) : xprintf("%s:*", a);
}

/* A unix socket's name: a path, "@name" for an abstract one. */
static int
printname(const struct jail_sock *s)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&s->js_local;

	if (s->js_namelen <= 0)
		return 0;
	if (sun->sun_path[0] == '\0')
		return xprintf("@%.*s", s->js_namelen - 1, sun->sun_path + 1);
	return xprintf("%.*s", s->js_namelen, sun->sun_path);
}

static const struct jail_sock *all;
static int nall;

static void
displaysock(const struct jail_sock *s, int pos)
{
	static const char *const unames[] = { [SOCK_STREAM] = "stream",
	    [SOCK_DGRAM] = "dgram", [SOCK_SEQPACKET] = "seqpac" };
	int offset = pos, w = opt_w ? 46 : 22;

	if (s->js_family == AF_UNIX)
		pos += xprintf("%s", s->js_type < 6 && unames[s->js_type] ?
		    unames[s->js_type] : "?");
	else
		pos += xprintf("%s%c ", s->js_protocol == IPPROTO_TCP ? "tcp" :
		    "udp", s->js_family == AF_INET ? '4' : '6');
	offset += 7;
	while (pos < offset)
		pos += xprintf(" ");
	if (s->js_family == AF_UNIX) {
		if (s->js_namelen > 0)
			pos += printname(s);
		else if (s->js_peer_inode) {
			/* a client: its peer's name */
			const struct jail_sock *p = NULL;
			for (int i = 0; i < nall && !p; i++)
				if (all[i].js_inode == s->js_peer_inode)
					p = &all[i];
			pos += xprintf("-> ");
			pos += p && p->js_namelen > 0 ? printname(p) :
			    xprintf("??");
		}
		offset += opt_w ? 92 : 44;
	} else {
		pos += printaddr(&s->js_local);
		offset += w;
		while (pos < offset)
			pos += xprintf(" ");
		pos += printaddr(&s->js_peer);
		offset += w;
	}
	if (opt_s && s->js_protocol == IPPROTO_TCP) {
		offset += 13;	/* PATH STATE: SCTP's, empty for TCP */
		while (pos < offset)
			pos += xprintf(" ");
		xprintf("%s", s->js_state > 0 && s->js_state < 12 ?
		    tcpstates[s->js_state] : "?");
	}
	xprintf("\n");
}

static int
by_holder(const void *a, const void *b)
{
	const struct jail_sock *x = a, *y = b;

	/* held ones first, by pid and fd; unheld ones last */
	if ((x->js_pid == 0) != (y->js_pid == 0))
		return x->js_pid == 0 ? 1 : -1;
	if (x->js_pid != y->js_pid)
		return x->js_pid < y->js_pid ? -1 : 1;
	return x->js_fd - y->js_fd;
}

int
main(int argc, char **argv)
{
	struct jail_sock *socks;
	int c, jid = 0, n;

	while ((c = getopt(argc, argv, "46cj:lnp:P:qsuw")) != -1) {
		switch (c) {
		case '4': opt_4 = true; break;
		case '6': opt_6 = true; break;
		case 'c': opt_c = true; break;
		case 'j':
			if ((jid = jail_getid(optarg)) < 0)
				errx(1, "jail_getid: %s", jail_errmsg);
			break;
		case 'l': opt_l = true; break;
		case 'n': opt_n = true; break;
		case 'p': parse_ports(optarg); break;
		case 'P': parse_protos(optarg); break;
		case 'q': opt_q = true; break;
		case 's': opt_s = true; break;
		case 'u': opt_u = true; break;
		case 'w': opt_w = true; break;
		default: usage();
		}
	}
	if (optind < argc)
		usage();
	/* as FreeBSD: -P alone means both IP families, no unix sockets */
	if (!opt_4 && !opt_6 && opt_P)
		opt_4 = opt_6 = true;
	if (!opt_4 && !opt_6 && !opt_u)
		opt_4 = opt_6 = opt_u = true;
	if (!opt_c && !opt_l)
		opt_c = opt_l = true;
	if ((n = jail_sockets(jid, &socks)) < 0)
		errx(1, "%s", jail_errmsg);
	qsort(socks, (size_t)n, sizeof(*socks), by_holder);
	all = socks, nall = n;
	if (!opt_q) {
		printf("%-8s %-10s %-5s %-3s %-6s %-*s %-*s", "USER", "COMMAND",
		    "PID", "FD", "PROTO", opt_w ? 45 : 21, "LOCAL ADDRESS",
		    opt_w ? 45 : 21, "FOREIGN ADDRESS");
		if (opt_s)
			printf(" %-12s %-12s", "PATH STATE", "CONN STATE");
		printf("\n");
	}
	for (int i = 0; i < n; i++) {
		const struct jail_sock *s = &socks[i];
		struct passwd *pw;
		int pos = 0;

		if (!wanted(s))
			continue;
		if (s->js_pid == 0) {	/* held by no process we see */
			displaysock(s, xprintf("%-8s %-10s %-5s %-3s ", "?", "?",
			    "?", "?"));
			continue;
		}
		if (opt_n || (pw = getpwuid(s->js_uid)) == NULL)
			pos += xprintf("%lu ", (unsigned long)s->js_uid);
		else
			pos += xprintf("%s ", pw->pw_name);
		while (pos < 9)
			pos += xprintf(" ");
		pos += xprintf("%.10s", s->js_command);
		while (pos < 20)
			pos += xprintf(" ");
		pos += xprintf("%5lu ", (unsigned long)s->js_pid);
		while (pos < 26)
			pos += xprintf(" ");
		pos += xprintf("%-3d ", s->js_fd);
		displaysock(s, pos);
	}
	free(socks);
	return 0;
}
