/*
 * inns: run a command in the mount namespace pinned at a file.
 *
 * usage: inns NSFILE CMD ARG...
 * One open, one setns(CLONE_NEWNS), one execvp: the least a wrapper can
 * add.  bench/run uses it to run crun and runc where the cgroup v2 tree is
 * mounted at /sys/fs/cgroup (on hybrid hosts it is not, outside).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: inns NSFILE CMD ARG...\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
		perror("inns: setns");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror("inns: exec");
	return 127;
}
