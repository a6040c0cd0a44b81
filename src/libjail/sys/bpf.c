/*
 * bpf.c - load the address-restriction programs (bpf/jailip.bpf.c) with a
 * jail's rules and attach them to its cgroup.
 *
 * libbpf is opened with dlopen() the first time a jail needs programs:
 * every jail, jls and jexec would otherwise pay for loading it (and
 * libelf and libz) at start, and most never touch BPF.  The object is
 * built into the library (.incbin), so nothing is read from disk.
 *
 * Programs are attached with BPF_PROG_ATTACH and BPF_F_ALLOW_MULTI, not
 * as links: the cgroup holds them, so they outlive this process and go
 * when the cgroup is removed (nothing to pin, nothing to leak), and a
 * child jail's programs run before its parent's, each allowing only what
 * its own rules allow.  Attaching and detaching needs CAP_NET_ADMIN and
 * CAP_BPF in the host's user namespace, which no jail has.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "../vjail.h"
#include "../bpf/jailip.h"

/* The object, embedded at build time. */
__asm__(".section .rodata\n"
    ".balign 8\n"
    "jailip_obj:\n"
    ".incbin \"" JAILIP_OBJ "\"\n"
    "jailip_obj_end:\n"
    ".previous\n");
extern const char jailip_obj[], jailip_obj_end[];

struct bpf_object;
struct bpf_program;
struct bpf_map;
typedef int (*print_fn)(int level, const char *fmt, va_list ap);

/* The part of libbpf 1.x used here, resolved once. */
static struct {
	print_fn (*set_print)(print_fn fn);
	struct bpf_object *(*open_mem)(const void *buf, size_t size,
	    const void *opts);
	struct bpf_map *(*find_map)(const struct bpf_object *obj,
	    const char *name);
	void *(*initial_value)(struct bpf_map *map, size_t *size);
	struct bpf_program *(*next_program)(const struct bpf_object *obj,
	    struct bpf_program *prev);
	int (*set_autoload)(struct bpf_program *prog, _Bool autoload);
	int (*attach_type)(const struct bpf_program *prog);
	const char *(*prog_name)(const struct bpf_program *prog);
	int (*load)(struct bpf_object *obj);
	int (*prog_fd)(const struct bpf_program *prog);
	void (*close)(struct bpf_object *obj);
} lb;

/* libbpf's last complaint, for the error message (a library never
 * prints). */
static char lb_msg[256];

static int
lb_print(int level, const char *fmt, va_list ap)
{
	char line[sizeof(lb_msg)];

	if (level > 0)		/* LIBBPF_WARN only */
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (line[0])
		snprintf(lb_msg, sizeof(lb_msg), "%s", line);
	return 0;
}

static int
lb_open(char *err)
{
	static void *dl;
	static const struct dl_sym syms[] = {
#define SYM(field, name) DL_SYM(__typeof__(lb), field, name)
		SYM(set_print, "libbpf_set_print"),
		SYM(open_mem, "bpf_object__open_mem"),
		SYM(find_map, "bpf_object__find_map_by_name"),
		SYM(initial_value, "bpf_map__initial_value"),
		SYM(next_program, "bpf_object__next_program"),
		SYM(set_autoload, "bpf_program__set_autoload"),
		SYM(attach_type, "bpf_program__expected_attach_type"),
		SYM(prog_name, "bpf_program__name"),
		SYM(load, "bpf_object__load"),
		SYM(prog_fd, "bpf_program__fd"),
		SYM(close, "bpf_object__close"),
#undef SYM
	};

	if (dl)
		return 0;
	if (sys_dlopen(&dl, "libbpf.so.1", syms, sizeof(syms) / sizeof(*syms),
	    &lb, err) < 0)
		return -1;
	lb.set_print(lb_print);
	return 0;
}

static int
prog_attach(int cgfd, int progfd, int type, unsigned flags, int cmd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = (uint32_t)type;
	a.attach_flags = flags;
	return (int)syscall(SYS_bpf, cmd, &a, sizeof(a));
}

/* The attach types of the programs. */
static const int jip_types[] = {
	BPF_CGROUP_INET_SOCK_CREATE, BPF_CGROUP_INET4_BIND,
	BPF_CGROUP_INET6_BIND, BPF_CGROUP_INET4_POST_BIND,
	BPF_CGROUP_INET6_POST_BIND, BPF_CGROUP_INET4_CONNECT,
	BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_UDP4_SENDMSG,
	BPF_CGROUP_UDP6_SENDMSG, BPF_CGROUP_INET_INGRESS,
	BPF_CGROUP_INET_EGRESS,
};

/*
 * The programs attached to the cgroup itself (only vjail attaches
 * there): at most max, in out; their count.
 */
int
bpf_jail_query(const char *cgroup, struct bpf_attached *out, int max)
{
	int cgfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;

	if (cgfd < 0)
		return -1;
	for (size_t t = 0; t < sizeof(jip_types) / sizeof(*jip_types); t++) {
		uint32_t ids[8];
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		a.query.target_fd = (uint32_t)cgfd;
		a.query.attach_type = (uint32_t)jip_types[t];
		a.query.prog_ids = (uint64_t)(uintptr_t)ids;
		a.query.prog_cnt = 8;
		if (syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0)
			continue;
		for (uint32_t i = 0; i < a.query.prog_cnt && i < 8 && n < max;
		    i++)
			out[n++] = (struct bpf_attached){ jip_types[t], ids[i] };
	}
	close(cgfd);
	return n;
}

/* Detach programs bpf_jail_query found. */
void
bpf_jail_detach(const char *cgroup, const struct bpf_attached *p, int n)
{
	int cgfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int i = 0; cgfd >= 0 && i < n; i++) {
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_id = p[i].id;
		if ((fd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a,
		    sizeof(a))) < 0)
			continue;
		prog_attach(cgfd, fd, p[i].type, 0, BPF_PROG_DETACH);
		close(fd);
	}
	if (cgfd >= 0)
		close(cgfd);
}

/*
 * Is the program of attach type t needed?  With no address rules only
 * sock_create (the FIB mark); and no hook of a family the jail has no
 * socket of (sock_create refuses them).
 */
static bool
needed(const struct jip_conf *c, int t)
{
	bool no4 = (c->flags & JIP_V4) && c->n4 == 0,
	    no6 = (c->flags & JIP_V6) && c->n6 == 0;

	if (!(c->flags & (JIP_V4 | JIP_V6)))
		return t == BPF_CGROUP_INET_SOCK_CREATE;
	switch (t) {
	case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET4_POST_BIND:
	case BPF_CGROUP_INET4_CONNECT: case BPF_CGROUP_UDP4_SENDMSG:
		return !no4;
	case BPF_CGROUP_INET6_BIND: case BPF_CGROUP_INET6_POST_BIND:
	case BPF_CGROUP_INET6_CONNECT: case BPF_CGROUP_UDP6_SENDMSG:
		return !no6;
	case BPF_CGROUP_INET_INGRESS: case BPF_CGROUP_INET_EGRESS:
		return !(no4 && no6);
	default:
		return true;
	}
}

/*
 * Load the programs with conf and attach them to the cgroup v2 directory
 * cgroup; only those needed.  On failure nothing stays attached.
 */
int
bpf_jail_attach(const char *cgroup, const struct jip_conf *conf, char *err)
{
	struct bpf_object *obj;
	struct bpf_program *p, *done[16];
	struct bpf_map *rodata;
	int cgfd = -1, ndone = 0, rc = -1;
	size_t size = 0;
	void *ro;

	if (lb_open(err) < 0)
		return -1;
	lb_msg[0] = '\0';
	obj = lb.open_mem(jailip_obj, (size_t)(jailip_obj_end - jailip_obj),
	    NULL);
	if (obj == NULL)	/* libbpf 1.x: NULL with errno */
		return jerrno(err, "bpf: opening the programs");
	if ((rodata = lb.find_map(obj, ".rodata")) == NULL ||
	    (ro = lb.initial_value(rodata, &size)) == NULL ||
	    size < sizeof(*conf)) {
		errno = EINVAL;
		jerr(err, "bpf: the programs have no rules section");
		goto out;
	}
	memcpy(ro, conf, sizeof(*conf));
	for (p = lb.next_program(obj, NULL); p; p = lb.next_program(obj, p))
		if (!needed(conf, lb.attach_type(p)))
			lb.set_autoload(p, false);
	if (lb.load(obj) < 0) {
		jerr(err, "bpf: loading the programs: %s", lb_msg[0] ? lb_msg :
		    strerror(errno));
		goto out;
	}
	if ((cgfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		jerrno(err, "bpf: %s", cgroup);
		goto out;
	}
	for (p = lb.next_program(obj, NULL); p; p = lb.next_program(obj, p)) {
		if (lb.prog_fd(p) < 0)
			continue;	/* not loaded */
		if (prog_attach(cgfd, lb.prog_fd(p), lb.attach_type(p),
		    BPF_F_ALLOW_MULTI, BPF_PROG_ATTACH) < 0) {
			jerrno(err, "bpf: attaching %s to %s", lb.prog_name(p),
			    cgroup);
			goto detach;
		}
		if (ndone < 16)
			done[ndone++] = p;
	}
	rc = 0;
	goto out;
detach:
	while (ndone-- > 0)
		prog_attach(cgfd, lb.prog_fd(done[ndone]),
		    lb.attach_type(done[ndone]), 0, BPF_PROG_DETACH);
out:
	if (cgfd >= 0)
		close(cgfd);
	lb.close(obj);	/* the cgroup keeps what is attached */
	return rc;
}
