/*
 * escape.c - one system call (or a classic trick) at a time, for the
 * escape suite (tests/sys/22-escapes.t): what a hostile jail root tries.
 * Built static so it runs in any jail root.  Prints "OK" (exit 0) or the
 * errno's name (exit 1); some print what they found.
 *
 *	escape euid			the effective uid (installed setuid)
 *	escape setfcap FILE		a file capability (cap_net_raw+ep)
 *	escape keyadd DESC DATA		a user key in the session keyring
 *	escape keyfind DESC		search the session keyring
 *	escape mlock			lock a page
 *	escape chroot MARKER		chroot("d"), chdir("..") x 64, chroot(".")
 *					then stat MARKER: "escaped" or "contained"
 *	escape fdchroot MARKER		the same with a directory fd kept
 *	escape initmod			finit_module
 *	escape socket FAMILY		socket(FAMILY, SOCK_DGRAM or SOCK_RAW)
 *	escape unshare-net		unshare(CLONE_NEWNET)
 *	escape ptrace PID		PTRACE_SEIZE
 *	escape bind PORT		TCP bind on 0.0.0.0:PORT
 *	escape mount-tmpfs DIR		mount a tmpfs on DIR
 *	escape remount-rw DIR		remount DIR's mount read-write
 *	escape umount DIR		detach DIR's mount (MNT_DETACH)
 *	escape move DIR TO		move DIR's mount to TO (move_mount)
 *	escape clone DIR TO		bind DIR alone at TO (open_tree, not
 *					recursive: what is mounted under it left)
 *	escape fspick-rw DIR		reconfigure DIR's superblock read-write
 *					(fspick, fsconfig)
 *	escape sethostname NAME
 *	escape dmesg			read the kernel's message buffer
 *	escape chown FILE UID
 *	escape kill PID			SIGKILL
 *	escape clone3			a plain clone3 (a libc may need it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/sched.h>

static int
result(int rc)
{
	if (rc < 0) {
		const char *n = strerrorname_np(errno);
		printf("%s\n", n ? n : "E?");
		return 1;
	}
	printf("OK\n");
	return 0;
}

/* The classic: a chroot below our root, then ".." until we are above it. */
static int
chroot_break(const char *marker, bool keep_fd)
{
	struct stat st;
	int fd = -1;

	mkdir("escape.d", 0700);
	if (keep_fd)
		fd = open(".", O_RDONLY | O_DIRECTORY);
	if (chroot("escape.d") < 0)
		return result(-1);
	if (fd >= 0 && fchdir(fd) < 0)
		return result(-1);
	for (int i = 0; i < 64; i++)
		(void)!chdir("..");
	(void)!chroot(".");
	printf("%s\n", stat(marker, &st) == 0 ? "escaped" : "contained");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : "", *b = argc > 3 ? argv[3] : "";

	if (strcmp(op, "euid") == 0) {
		printf("%d\n", (int)geteuid());
		return 0;
	}
	if (strcmp(op, "setfcap") == 0) {
		struct vfs_cap_data cap = { .magic_etc =
		    VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE };
		cap.data[0].permitted = 1u << CAP_NET_RAW;
		return result(setxattr(a, "security.capability", &cap,
		    XATTR_CAPS_SZ_2, 0));
	}
	if (strcmp(op, "keyadd") == 0) {
		long id = syscall(SYS_add_key, "user", a, b, strlen(b),
		    -3 /* KEY_SPEC_SESSION_KEYRING */);
		if (id < 0)
			return result(-1);
		printf("%ld\n", id);
		return 0;
	}
	if (strcmp(op, "keyfind") == 0) {
		long id = syscall(SYS_keyctl, 10 /* KEYCTL_SEARCH */,
		    -3 /* KEY_SPEC_SESSION_KEYRING */, "user", a, 0);
		if (id < 0)
			return result(-1);
		printf("found %ld\n", id);
		return 0;
	}
	if (strcmp(op, "mlock") == 0) {
		static char page[4096] __attribute__((aligned(4096)));
		return result(mlock(page, sizeof(page)));
	}
	if (strcmp(op, "chroot") == 0 || strcmp(op, "fdchroot") == 0)
		return chroot_break(a, op[0] == 'f');
	if (strcmp(op, "initmod") == 0)
		return result((int)syscall(SYS_finit_module, 0, "", 0));
	if (strcmp(op, "socket") == 0) {
		int fam = atoi(a), s = socket(fam, SOCK_DGRAM, 0);
		if (s < 0 && errno != EAFNOSUPPORT && errno != EPERM)
			s = socket(fam, SOCK_RAW, 0);
		if (s < 0 && errno != EAFNOSUPPORT && errno != EPERM)
			s = socket(fam, SOCK_SEQPACKET, 0);
		return result(s);
	}
	if (strcmp(op, "unshare-net") == 0)
		return result(unshare(CLONE_NEWNET));
	if (strcmp(op, "ptrace") == 0)
		return result((int)ptrace(PTRACE_SEIZE, atoi(a), 0, 0));
	if (strcmp(op, "bind") == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)atoi(a)) };
		int s = socket(AF_INET, SOCK_STREAM, 0);
		return result(s < 0 ? s : bind(s, (struct sockaddr *)&sin,
		    sizeof(sin)));
	}
	if (strcmp(op, "mount-tmpfs") == 0)
		return result(mount("tmpfs", a, "tmpfs", 0, "size=64k"));
	if (strcmp(op, "remount-rw") == 0)
		return result(mount(NULL, a, NULL, MS_REMOUNT | MS_BIND, NULL));
	if (strcmp(op, "umount") == 0)
		return result(umount2(a, MNT_DETACH));
	if (strcmp(op, "move") == 0)
		return result((int)syscall(SYS_move_mount, AT_FDCWD, a,
		    AT_FDCWD, b, 0));
	if (strcmp(op, "clone") == 0) {
		int t = (int)syscall(SYS_open_tree, AT_FDCWD, a,
		    1 /* OPEN_TREE_CLONE */);
		return result(t < 0 ? t : (int)syscall(SYS_move_mount, t, "",
		    AT_FDCWD, b, 4 /* MOVE_MOUNT_F_EMPTY_PATH */));
	}
	if (strcmp(op, "fspick-rw") == 0) {
		int fs = (int)syscall(SYS_fspick, AT_FDCWD, a, 0);
		if (fs < 0 || syscall(SYS_fsconfig, fs, 0 /* SET_FLAG */, "rw",
		    NULL, 0) < 0)
			return result(-1);
		return result((int)syscall(SYS_fsconfig, fs,
		    7 /* FSCONFIG_CMD_RECONFIGURE */, NULL, NULL, 0));
	}
	if (strcmp(op, "sethostname") == 0)
		return result(sethostname(a, strlen(a)));
	if (strcmp(op, "dmesg") == 0) {
		char buf[256];
		return result(klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf,
		    sizeof(buf)));
	}
	if (strcmp(op, "chown") == 0)
		return result(chown(a, (uid_t)atoi(b), (gid_t)-1));
	if (strcmp(op, "kill") == 0)
		return result(kill(atoi(a), SIGKILL));
	if (strcmp(op, "clone3") == 0) {
		struct clone_args ca = { .exit_signal = SIGCHLD };
		long pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid((pid_t)pid, NULL, 0);
		return result(pid < 0 ? -1 : 0);
	}
	fprintf(stderr, "escape: unknown test \"%s\"\n", op);
	return 2;
}
