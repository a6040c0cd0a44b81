/*
 * sys/mnl.h - libmnl opened on first use (sys/mnl.c), as libseccomp and
 * libbpf are: jexec, jls and most jails never speak netlink, and loading
 * a shared library at start costs every run (about 40 us).  Included
 * after <libmnl/libmnl.h> by the files that call libmnl; sys_mnl_open()
 * must have succeeded before any mnl_* call (nl_open, diag_sockets).
 */
#ifndef VJAIL_SYS_MNL_H
#define VJAIL_SYS_MNL_H

#define MNL_FNS(X) \
	X(attr_get_payload) X(attr_get_payload_len) X(attr_get_str) \
	X(attr_get_type) X(attr_get_u32) X(attr_nest_end) \
	X(attr_nest_start) X(attr_next) X(attr_ok) X(attr_parse) \
	X(attr_put) X(attr_put_strz) X(attr_put_u32) X(attr_put_u8) \
	X(attr_type_valid) X(cb_run) X(nlmsg_get_payload) \
	X(nlmsg_get_payload_offset) X(nlmsg_get_payload_tail) \
	X(nlmsg_next) X(nlmsg_ok) X(nlmsg_put_extra_header) \
	X(nlmsg_put_header) X(socket_bind) X(socket_close) \
	X(socket_get_fd) X(socket_get_portid) X(socket_open2) \
	X(socket_recvfrom) X(socket_sendto) X(socket_setsockopt)

struct sys_mnl {
#define MNL_FN(n) __typeof__(mnl_##n) *n;
	MNL_FNS(MNL_FN)
#undef MNL_FN
};
extern struct sys_mnl sys_mnl;
int sys_mnl_open(char *err);

#ifndef SYS_MNL_IMPL
#define mnl_attr_get_payload		(*sys_mnl.attr_get_payload)
#define mnl_attr_get_payload_len	(*sys_mnl.attr_get_payload_len)
#define mnl_attr_get_str		(*sys_mnl.attr_get_str)
#define mnl_attr_get_type		(*sys_mnl.attr_get_type)
#define mnl_attr_get_u32		(*sys_mnl.attr_get_u32)
#define mnl_attr_nest_end		(*sys_mnl.attr_nest_end)
#define mnl_attr_nest_start		(*sys_mnl.attr_nest_start)
#define mnl_attr_next			(*sys_mnl.attr_next)
#define mnl_attr_ok			(*sys_mnl.attr_ok)
#define mnl_attr_parse			(*sys_mnl.attr_parse)
#define mnl_attr_put			(*sys_mnl.attr_put)
#define mnl_attr_put_strz		(*sys_mnl.attr_put_strz)
#define mnl_attr_put_u32		(*sys_mnl.attr_put_u32)
#define mnl_attr_put_u8			(*sys_mnl.attr_put_u8)
#define mnl_attr_type_valid		(*sys_mnl.attr_type_valid)
#define mnl_cb_run			(*sys_mnl.cb_run)
#define mnl_nlmsg_get_payload		(*sys_mnl.nlmsg_get_payload)
#define mnl_nlmsg_get_payload_offset	(*sys_mnl.nlmsg_get_payload_offset)
#define mnl_nlmsg_get_payload_tail	(*sys_mnl.nlmsg_get_payload_tail)
#define mnl_nlmsg_next			(*sys_mnl.nlmsg_next)
#define mnl_nlmsg_ok			(*sys_mnl.nlmsg_ok)
#define mnl_nlmsg_put_extra_header	(*sys_mnl.nlmsg_put_extra_header)
#define mnl_nlmsg_put_header		(*sys_mnl.nlmsg_put_header)
#define mnl_socket_bind			(*sys_mnl.socket_bind)
#define mnl_socket_close		(*sys_mnl.socket_close)
#define mnl_socket_get_fd		(*sys_mnl.socket_get_fd)
#define mnl_socket_get_portid		(*sys_mnl.socket_get_portid)
#define mnl_socket_open2		(*sys_mnl.socket_open2)
#define mnl_socket_recvfrom		(*sys_mnl.socket_recvfrom)
#define mnl_socket_sendto		(*sys_mnl.socket_sendto)
#define mnl_socket_setsockopt		(*sys_mnl.socket_setsockopt)
#endif

#endif
