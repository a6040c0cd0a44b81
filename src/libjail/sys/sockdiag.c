/*
 * sockdiag.c - the sockets of a network stack, from sock_diag netlink
 * (what ss(8) reads): TCP and UDP over IPv4 and IPv6, with the cgroup
 * each socket was made in, and unix sockets with their names and peers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <libmnl/libmnl.h>
#include "mnl.h"

#include "../vjail.h"

struct dump {
	struct diag_sock *v;
	int	n, cap;
	int	family, protocol;
};

static struct diag_sock *
grow(struct dump *d)
{
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct diag_sock *v = realloc(d->v, (size_t)cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		d->v = v, d->cap = cap;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	return &d->v[d->n++];
}

static void
put_inet(struct sockaddr_storage *ss, int family, const __be32 *a,
    __be16 port)
{
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, a, 16);
	}
}

static int
inet_cb(const struct nlmsghdr *h, void *data)
{
	struct dump *d = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	struct diag_sock *s;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || (s = grow(d)) == NULL)
		return MNL_CB_OK;
	s->family = m->idiag_family;
	s->protocol = d->protocol;
	s->type = d->protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	s->state = m->idiag_state;
	s->inode = m->idiag_inode;
	s->uid = m->idiag_uid;
	put_inet(&s->local, m->idiag_family, m->id.idiag_src, m->id.idiag_sport);
	put_inet(&s->peer, m->idiag_family, m->id.idiag_dst, m->id.idiag_dport);
	mnl_attr_for_each(a, h, sizeof(*m))
		if (mnl_attr_get_type(a) == INET_DIAG_CGROUP_ID &&
		    mnl_attr_get_payload_len(a) >= 8)
			memcpy(&s->cgroup, mnl_attr_get_payload(a), 8);
	return MNL_CB_OK;
}

static int
unix_cb(const struct nlmsghdr *h, void *data)
{
	struct dump *d = data;
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	struct diag_sock *s;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || (s = grow(d)) == NULL)
		return MNL_CB_OK;
	s->family = AF_UNIX;
	s->type = m->udiag_type;
	s->state = m->udiag_state;
	s->inode = m->udiag_ino;
	s->uid = (uid_t)-1;
	mnl_attr_for_each(a, h, sizeof(*m)) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&s->local;
		size_t len = mnl_attr_get_payload_len(a);
		switch (mnl_attr_get_type(a)) {
		case UNIX_DIAG_NAME:
			sun->sun_family = AF_UNIX;
			if (len > sizeof(sun->sun_path) - 1)
				len = sizeof(sun->sun_path) - 1;
			memcpy(sun->sun_path, mnl_attr_get_payload(a), len);
			s->namelen = (int)len;
			break;
		case UNIX_DIAG_PEER:
			if (len >= 4)
				s->peer_inode = mnl_attr_get_u32(a);
			break;
		}
	}
	return MNL_CB_OK;
}

static int
dump(struct mnl_socket *nl, void *req, size_t len, mnl_cb_t cb,
    struct dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(h, len), req, len);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, d);
		if (rc <= MNL_CB_STOP)
			return rc;
	}
	return n < 0 ? -1 : 0;
}

/*
 * Every TCP, UDP and unix socket of the stack netnsfd (-1: ours): count,
 * and the sockets in *out (malloc'd); -1 on error.
 */
int
diag_sockets(int netnsfd, struct diag_sock **out, char *err)
{
	static const int protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct dump d = { 0 };
	struct mnl_socket *nl = NULL;
	int self = -1, rc = -1;

	if (sys_mnl_open(err) < 0)
		return -1;
	if (netnsfd >= 0 && ((self = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) < 0 || setns(netnsfd, CLONE_NEWNET) < 0)) {
		jerrno(err, "sock_diag: entering the jail's stack");
		goto out;
	}
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0)
		abort();	/* our own stack: cannot fail */
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		jerrno(err, "sock_diag");
		goto out;
	}
	for (int f = 0; f < 2; f++)
		for (int p = 0; p < 2; p++) {
			struct inet_diag_req_v2 req = {
				.sdiag_family = f ? AF_INET6 : AF_INET,
				.sdiag_protocol = (uint8_t)protos[p],
				.idiag_states = ~0u,
			};
			d.protocol = protos[p];
			if (dump(nl, &req, sizeof(req), inet_cb, &d) < 0) {
				jerrno(err, "sock_diag: inet");
				goto out;
			}
		}
	struct unix_diag_req ureq = { .sdiag_family = AF_UNIX,
	    .udiag_states = ~0u, .udiag_show = UDIAG_SHOW_NAME |
	    UDIAG_SHOW_PEER };
	if (dump(nl, &ureq, sizeof(ureq), unix_cb, &d) < 0) {
		jerrno(err, "sock_diag: unix");
		goto out;
	}
	*out = d.v;
	d.v = NULL;
	rc = d.n;
out:
	free(d.v);
	if (nl)
		mnl_socket_close(nl);
	if (self >= 0)
		close(self);
	return rc;
}
