/*
 * jailip.h - what the address-restriction programs (jailip.bpf.c) are
 * told about one jail: shared by the BPF object and its loader (sys/bpf.c).
 * Written into the object's read-only data before it is loaded, so the
 * verifier sees constants and no one can change them afterwards.
 */
#ifndef VJAIL_JAILIP_H
#define VJAIL_JAILIP_H

#define JIP_MAX		16	/* addresses per family */

#define JIP_V4		0x01	/* IPv4 restricted to ip4[] (none: no IPv4) */
#define JIP_V6		0x02	/* IPv6 restricted to ip6[] (none: no IPv6) */
#define JIP_SADDRSEL4	0x04	/* ip4.saddrsel: source by prefix, else ip4[0] */
#define JIP_SADDRSEL6	0x08
#define JIP_RAW		0x10	/* allow.raw_sockets: raw and ping sockets */
#define JIP_RESERVED	0x20	/* allow.reserved_ports: bind below 1024 */
#define JIP_MARK	0x40	/* mark every socket (exec.fib) */

struct jip_conf {
	__u32	flags;
	__u32	n4, n6;
	__u32	mark;			/* socket mark, with JIP_MARK */
	__u64	netns;			/* cookie of the stack the rules are
					   for (0: any); others' sockets pass */
	__u32	ip4[JIP_MAX];		/* network order; [0] is the primary */
	__u32	mask4[JIP_MAX];		/* its prefix, network order; 0: none */
	__u32	ip6[JIP_MAX][4];	/* network order; [0] is the primary */
	__u32	mask6[JIP_MAX][4];
};

#endif
