/*
 * jailrun: start a program as the first process of a new jail (jail_fork).
 *
 *   jailrun name=value ... -- command [arg ...]
 *
 * The parameters are jail(8)'s (name=web path=/ vnet ...); the jail lives
 * as long as the command and its children unless persist is given.
 * Exits with the command's status.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jail.h>

int
main(int argc, char **argv)
{
	struct jailparam *jp = calloc((size_t)argc, sizeof(*jp));
	unsigned n = 0;
	int i, st;
	pid_t pid;

	if (jp == NULL)
		err(1, "calloc");
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++, n++) {
		char *eq = strchr(argv[i], '=');
		if (eq)
			*eq++ = '\0';
		if (jailparam_init(&jp[n], argv[i]) < 0 ||
		    jailparam_import(&jp[n], eq ? eq : jp[n].jp_flags &
		    JP_JAILSYS ? "new" : jp[n].jp_flags & JP_BOOL ? "true" :
		    "") < 0)
			errx(1, "%s", jail_errmsg);
	}
	if (i + 1 >= argc)
		errx(1, "usage: jailrun name=value ... -- command [arg ...]");
	if ((pid = jail_fork(jp, n, 0)) < 0)
		errx(1, "%s", jail_errmsg);
	if (pid == 0) {
		execvp(argv[i + 1], argv + i + 1);
		err(127, "%s", argv[i + 1]);
	}
	jailparam_free(jp, n);
	if (waitpid(pid, &st, 0) < 0)
		err(1, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
