/*
 * jailip.bpf.c - FreeBSD's address-restricted jail (ip4.addr, ip6.addr on
 * the parent's stack) as cgroup BPF programs, attached to the jail's
 * cgroup (so to every process of it and of its child jails):
 *
 *   sock_create     no IPv4 (IPv6) socket in a jail without addresses of
 *                   that family; no raw or ping socket without
 *                   allow.raw_sockets; the FIB mark on every socket
 *   bind4/6         only the jail's addresses; the wildcard and the
 *                   loopback address mean the jail's first address
 *                   (EADDRNOTAVAIL otherwise, as in FreeBSD)
 *   post_bind4/6    the address a socket ended up bound to is the jail's
 *   connect4/6      127.0.0.0/8, ::1 and the unspecified address mean the
 *                   jail's first address; an unbound socket is bound to the
 *                   jail's source address first (FreeBSD's in_pcbladdr)
 *   sendmsg4/6      the same for unconnected UDP datagrams
 *   ingress         datagrams reach a jail's socket only when sent to one
 *                   of its addresses (a UDP socket that sent before it was
 *                   bound is bound to the wildcard by the kernel)
 *   egress          packets leave a jail's socket only from one of its
 *                   addresses (a connected UDP socket's IP_PKTINFO source
 *                   passes no other hook)
 *
 * The rules are for the stack the jail shares: a socket of another one
 * (a vnet child jail's, or a stack the jail made for itself) passes.
 * IPv4-mapped IPv6 addresses follow the IPv4 rules.  Every rule is a
 * constant of the object (read-only data, frozen at load), so nothing,
 * not even the host, can change a jail's addresses behind its record.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "jailip.h"

#define AF_INET		2
#define AF_INET6	10
#define SOCK_RAW	3
#define IPPROTO_ICMP	1
#define IPPROTO_ICMPV6	58
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define EPERM		1
#define EAFNOSUPPORT	97
#define EADDRNOTAVAIL	99

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct jip_conf conf = {};

struct sin4 {
	__u16	family;
	__be16	port;
	__u32	addr;
	__u8	zero[8];
};

struct sin6 {
	__u16	family;
	__be16	port;
	__u32	flowinfo;
	__u32	addr[4];
	__u32	scope;
};

/* Refuse the call with errno e (the kernel's default would be EPERM). */
static __always_inline int
refuse(int e)
{
	bpf_set_retval(-e);
	return 0;
}

/* Is the socket of ctx in a stack other than the jail's? */
static __always_inline int
other_stack(void *ctx)
{
	return conf.netns && bpf_get_netns_cookie(ctx) != conf.netns;
}

/* ----- IPv4 ----- */

static __always_inline int
v4_index(__u32 a)
{
	#pragma clang loop unroll(disable)
	for (int i = 0; i < JIP_MAX; i++) {
		if (i >= conf.n4)
			break;
		if (conf.ip4[i] == a)
			return i;
	}
	return -1;
}

/* A local address the jail may bind: itself, or the primary for the
 * wildcard and 127.0.0.1; 0 when it may not. */
static __always_inline __u32
v4_local(__u32 a)
{
	if (conf.n4 == 0)
		return 0;
	if (v4_index(a) >= 0)
		return a;
	if (a == 0 || a == bpf_htonl(0x7f000001))
		return conf.ip4[0];
	return 0;
}

/* A destination: the host's loopback (all of 127/8 is local on Linux)
 * and the unspecified address, which Linux treats as loopback, are the
 * jail's own first address. */
static __always_inline __u32
v4_remote(__u32 a)
{
	if (v4_index(a) < 0 && (a == 0 || (bpf_ntohl(a) >> 24) == 127))
		return conf.ip4[0];
	return a;
}

/* The source for destination d: d itself if it is the jail's; with
 * saddrsel the address whose prefix holds d; else the primary. */
static __always_inline __u32
v4_source(__u32 d)
{
	if (v4_index(d) >= 0)
		return d;
	if (conf.flags & JIP_SADDRSEL4)
		#pragma clang loop unroll(disable)
		for (int i = 0; i < JIP_MAX; i++) {
			if (i >= conf.n4)
				break;
			if (conf.mask4[i] &&
			    (d & conf.mask4[i]) == (conf.ip4[i] & conf.mask4[i]))
				return conf.ip4[i];
		}
	return conf.ip4[0];
}

/* Binding below 1024: the bind hook may waive CAP_NET_BIND_SERVICE,
 * which root of a jail never has on its parent's stack. */
static __always_inline int
bind_verdict(__u32 port)
{
	__u16 p = bpf_ntohs((__u16)port);

	return (conf.flags & JIP_RESERVED) && p > 0 && p < 1024 ? 3 : 1;
}

/* ----- IPv6 ----- */

/* (Comparisons without short-circuits: one branch each, not four, keeps
 * the verifier's paths, and the load time, small.) */
static __always_inline int
v6_is(const __u32 *a, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	return ((a[0] ^ w0) | (a[1] ^ w1) | (a[2] ^ w2) | (a[3] ^ w3)) == 0;
}

static __always_inline int
v6_mapped(const __u32 *a)
{
	return (a[0] | a[1] | (a[2] ^ bpf_htonl(0xffff))) == 0;
}

static __always_inline int
v6_index(const __u32 *a)
{
	#pragma clang loop unroll(disable)
	for (int i = 0; i < JIP_MAX; i++) {
		if (i >= conf.n6)
			break;
		if (v6_is(a, conf.ip6[i][0], conf.ip6[i][1], conf.ip6[i][2],
		    conf.ip6[i][3]))
			return i;
	}
	return -1;
}

static __always_inline void
v6_set(__u32 *a, int i)
{
	a[0] = conf.ip6[i][0], a[1] = conf.ip6[i][1];
	a[2] = conf.ip6[i][2], a[3] = conf.ip6[i][3];
}

/*
 * Make a an address the jail may bind, in place: 1 if it may, 0 if not.
 * A wildcard bind of a dual-stack socket would take IPv4 on every
 * address: only the jail's IPv6 primary is given for it.
 */
static __always_inline int
v6_local(__u32 *a)
{
	if (v6_mapped(a)) {
		if (!(conf.flags & JIP_V4))
			return 1;
		return (a[3] = v4_local(a[3])) != 0;
	}
	if (!(conf.flags & JIP_V6))
		return !(conf.flags & JIP_V4) || !v6_is(a, 0, 0, 0, 0);
	if (conf.n6 == 0)
		return 0;
	if (v6_index(a) >= 0)
		return 1;
	if (v6_is(a, 0, 0, 0, 0) || v6_is(a, 0, 0, 0, bpf_htonl(1))) {
		v6_set(a, 0);
		return 1;
	}
	return 0;
}

static __always_inline void
v6_remote(__u32 *a)
{
	if (v6_mapped(a)) {
		if (conf.flags & JIP_V4)
			a[3] = v4_remote(a[3]);
		return;
	}
	if ((conf.flags & JIP_V6) && conf.n6 > 0 && v6_index(a) < 0 &&
	    (v6_is(a, 0, 0, 0, 0) || v6_is(a, 0, 0, 0, bpf_htonl(1))))
		v6_set(a, 0);
}

/* The source for destination d, in src; 0 when the jail has no rule for
 * d's family (the kernel chooses). */
static __always_inline int
v6_source(const __u32 *d, __u32 *src)
{
	if (v6_mapped(d)) {
		if (!(conf.flags & JIP_V4))
			return 0;
		src[0] = 0, src[1] = 0, src[2] = bpf_htonl(0xffff);
		src[3] = v4_source(d[3]);
		return 1;
	}
	if (!(conf.flags & JIP_V6) || conf.n6 == 0)
		return 0;
	int k = v6_index(d);
	if (k < 0 && (conf.flags & JIP_SADDRSEL6))
		#pragma clang loop unroll(disable)
		for (int i = 0; i < JIP_MAX; i++) {
			if (i >= conf.n6)
				break;
			if ((conf.mask6[i][0] | conf.mask6[i][1] |
			    conf.mask6[i][2] | conf.mask6[i][3]) &&
			    (((d[0] ^ conf.ip6[i][0]) & conf.mask6[i][0]) |
			    ((d[1] ^ conf.ip6[i][1]) & conf.mask6[i][1]) |
			    ((d[2] ^ conf.ip6[i][2]) & conf.mask6[i][2]) |
			    ((d[3] ^ conf.ip6[i][3]) & conf.mask6[i][3])) == 0) {
				k = i;
				break;
			}
		}
	v6_set(src, k < 0 ? 0 : k);
	return 1;
}

/* Is a, an address a socket has already, one the jail may use? */
static __always_inline int
v6_own(const __u32 *a)
{
	__u32 t[4] = { a[0], a[1], a[2], a[3] };

	return v6_local(t) && v6_is(t, a[0], a[1], a[2], a[3]);
}

static __always_inline void
set_user_ip6(struct bpf_sock_addr *ctx, const __u32 *a)
{
	ctx->user_ip6[0] = a[0], ctx->user_ip6[1] = a[1];
	ctx->user_ip6[2] = a[2], ctx->user_ip6[3] = a[3];
}

/* Bind an unbound socket to its source before it connects (FreeBSD's
 * in_pcbladdr); fails on a socket the kernel already bound to the
 * wildcard, as one that sent a datagram before is. */
static __always_inline int
bind_source(struct bpf_sock_addr *ctx, void *sa, int len)
{
	return bpf_bind(ctx, sa, len) == 0 ? 1 : refuse(EADDRNOTAVAIL);
}

/*
 * An IPv4 destination of connect4 or sendmsg4 made the jail's (*d):
 * -1 to go on, else the verdict (no rules: 1; no IPv4: refused).
 */
static __always_inline int
v4_dest(struct bpf_sock_addr *ctx, __u32 *d)
{
	if (!(conf.flags & JIP_V4) || other_stack(ctx))
		return 1;
	if (conf.n4 == 0)
		return refuse(EAFNOSUPPORT);
	if ((*d = v4_remote(ctx->user_ip4)) != ctx->user_ip4)
		ctx->user_ip4 = *d;
	return -1;
}

/* ----- programs ----- */

SEC("cgroup/sock_create")
int
jip_sock_create(struct bpf_sock *sk)
{
	__u32 restricted = conf.flags & (JIP_V4 | JIP_V6);

	/* a child jail's program runs first: its FIB wins */
	if ((conf.flags & JIP_MARK) && sk->mark == 0)
		sk->mark = conf.mark;
	if (other_stack(sk))
		return 1;
	if (sk->family == AF_INET && (conf.flags & JIP_V4) && conf.n4 == 0)
		return refuse(EAFNOSUPPORT);
	if (sk->family == AF_INET6 && (conf.flags & JIP_V6) && conf.n6 == 0)
		return refuse(EAFNOSUPPORT);
	/* raw and ping sockets choose their own source address */
	if (restricted && !(conf.flags & JIP_RAW) && (sk->type == SOCK_RAW ||
	    sk->protocol == IPPROTO_ICMP || sk->protocol == IPPROTO_ICMPV6))
		return refuse(EPERM);
	return 1;
}

SEC("cgroup/bind4")
int
jip_bind4(struct bpf_sock_addr *ctx)
{
	__u32 a;

	if (!(conf.flags & JIP_V4) || other_stack(ctx))
		return 1;
	if ((a = v4_local(ctx->user_ip4)) == 0)
		return refuse(EADDRNOTAVAIL);
	if (a != ctx->user_ip4)
		ctx->user_ip4 = a;
	return bind_verdict(ctx->user_port);
}

SEC("cgroup/bind6")
int
jip_bind6(struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
	    ctx->user_ip6[3] };

	if (!(conf.flags & (JIP_V4 | JIP_V6)) || other_stack(ctx))
		return 1;
	if (!v6_local(a))
		return refuse(EADDRNOTAVAIL);
	set_user_ip6(ctx, a);
	return bind_verdict(ctx->user_port);
}

SEC("cgroup/post_bind4")
int
jip_post_bind4(struct bpf_sock *sk)
{
	if (other_stack(sk))
		return 1;
	if ((conf.flags & JIP_V4) && v4_index(sk->src_ip4) < 0)
		return refuse(EADDRNOTAVAIL);
	return 1;
}

SEC("cgroup/post_bind6")
int
jip_post_bind6(struct bpf_sock *sk)
{
	__u32 a[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2],
	    sk->src_ip6[3] };

	if (other_stack(sk))
		return 1;
	if (v6_mapped(a))
		return (conf.flags & JIP_V4) && v4_index(a[3]) < 0 ?
		    refuse(EADDRNOTAVAIL) : 1;
	if (conf.flags & JIP_V6)
		return v6_index(a) < 0 ? refuse(EADDRNOTAVAIL) : 1;
	return (conf.flags & JIP_V4) && v6_is(a, 0, 0, 0, 0) ?
	    refuse(EADDRNOTAVAIL) : 1;
}

SEC("cgroup/connect4")
int
jip_connect4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct sin4 sa = { .family = AF_INET };
	__u32 d;
	int v;

	if ((v = v4_dest(ctx, &d)) >= 0)
		return v;
	if (sk->src_ip4 != 0)
		return v4_index(sk->src_ip4) < 0 ? refuse(EADDRNOTAVAIL) : 1;
	sa.addr = v4_source(d);
	return bind_source(ctx, &sa, sizeof(sa));
}

SEC("cgroup/connect6")
int
jip_connect6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct sin6 sa = { .family = AF_INET6 };
	__u32 d[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
	    ctx->user_ip6[3] };
	__u32 s[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2],
	    sk->src_ip6[3] };

	if (!(conf.flags & (JIP_V4 | JIP_V6)) || other_stack(ctx))
		return 1;
	v6_remote(d);
	set_user_ip6(ctx, d);
	if (!v6_is(s, 0, 0, 0, 0))
		return v6_own(s) ? 1 : refuse(EADDRNOTAVAIL);
	return v6_source(d, sa.addr) ? bind_source(ctx, &sa, sizeof(sa)) : 1;
}

SEC("cgroup/sendmsg4")
int
jip_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 d, s;
	int v;

	if ((v = v4_dest(ctx, &d)) >= 0)
		return v;
	if ((s = ctx->msg_src_ip4) != 0)	/* IP_PKTINFO */
		return v4_index(s) < 0 ? refuse(EADDRNOTAVAIL) : 1;
	if (sk->src_ip4 == 0)
		ctx->msg_src_ip4 = v4_source(d);
	return 1;
}

SEC("cgroup/sendmsg6")
int
jip_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 d[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
	    ctx->user_ip6[3] };
	__u32 m[4] = { ctx->msg_src_ip6[0], ctx->msg_src_ip6[1],
	    ctx->msg_src_ip6[2], ctx->msg_src_ip6[3] };
	__u32 s[4];

	if (!(conf.flags & (JIP_V4 | JIP_V6)) || other_stack(ctx))
		return 1;
	v6_remote(d);
	set_user_ip6(ctx, d);
	if (!v6_is(m, 0, 0, 0, 0))	/* IPV6_PKTINFO */
		return v6_own(m) ? 1 : refuse(EADDRNOTAVAIL);
	if (sk->src_ip6[0] | sk->src_ip6[1] | sk->src_ip6[2] | sk->src_ip6[3])
		return 1;
	/* (a mapped destination never gets here: udpv6_sendmsg hands it
	 * to udp_sendmsg, which runs sendmsg4) */
	if (!v6_mapped(d) && v6_source(d, s)) {
		ctx->msg_src_ip6[0] = s[0], ctx->msg_src_ip6[1] = s[1];
		ctx->msg_src_ip6[2] = s[2], ctx->msg_src_ip6[3] = s[3];
	}
	return 1;
}

/* Is the packet's address at off4 (IPv4) or off6 (IPv6) the jail's? */
static __always_inline int
skb_addr_ok(struct __sk_buff *skb, __u32 off4, __u32 off6)
{
	__u32 a[4];

	if (other_stack(skb))
		return 1;

	if (skb->protocol == bpf_htons(ETH_P_IP) && (conf.flags & JIP_V4))
		return bpf_skb_load_bytes(skb, off4, a, 4) == 0 &&
		    v4_index(a[0]) >= 0;
	if (skb->protocol == bpf_htons(ETH_P_IPV6) && (conf.flags & JIP_V6))
		return bpf_skb_load_bytes(skb, off6, a, 16) == 0 &&
		    v6_index(a) >= 0;
	return 1;
}

SEC("cgroup_skb/ingress")
int
jip_ingress(struct __sk_buff *skb)
{
	return skb_addr_ok(skb, 16, 24);	/* destination */
}

SEC("cgroup_skb/egress")
int
jip_egress(struct __sk_buff *skb)
{
	return skb_addr_ok(skb, 12, 8);		/* source */
}
