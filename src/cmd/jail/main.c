/*
 * jail(8): create, modify and remove jails (FreeBSD usr.sbin/jail).
 * Parses flags and name=value pairs, hands jail parameters to libjail and
 * acts itself only on its pseudo-parameters (command, stop.timeout, ...).
 * jail.conf support comes with issue 5.
 */
#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <jail.h>

/* Pseudo-parameters jail(8) consumes itself, never passed to libjail. */
enum pseudo { P_COMMAND, P_STOP_TIMEOUT, P_EXEC_CLEAN, P_JAIL_USER,
    P_SYSTEM_USER, P_COUNT };
static const struct {
	const char *name;
	bool	    is_bool;
} pseudo_table[P_COUNT] = {
	[P_COMMAND]	 = { "command", false },
	[P_STOP_TIMEOUT] = { "stop.timeout", false },
	[P_EXEC_CLEAN]	 = { "exec.clean", true },
	[P_JAIL_USER]	 = { "exec.jail_user", false },
	[P_SYSTEM_USER]	 = { "exec.system_user", false },
};

struct opts {
	int	     op;		/* 'c', 'm', 'r', 'R', or 'c'|'m' */
	bool	     quiet, verbose, login, print_jid;
	const char  *user;		/* -u or -U */
	bool	     user_in_jail;
	const char  *pseudo[P_COUNT];
	char	   **command;		/* command=... and what follows */
	struct jailparam *jp;
	unsigned     njp;
	bool	     persist_given, persist_value;
	const char  *name;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: jail [-dhilqv] [-u username | -U username]\n"
	    "            -[cmr] param=value ... [command=command ...]\n"
	    "       jail [-qv] -[rR] jail ...\n");
	exit(1);
}

static int
find_pseudo(const char *name, size_t len)
{
	for (int i = 0; i < P_COUNT; i++)
		if (strlen(pseudo_table[i].name) == len &&
		    strncmp(pseudo_table[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Split name=value; keep jail params in o->jp, pseudo ones aside. */
static void
add_param(struct opts *o, char **argv, int *i, int argc)
{
	char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	char name[256];
	int p = find_pseudo(arg, nlen);

	if (nlen >= sizeof(name))
		errx(1, "%.*s: parameter name too long", 40, arg);
	snprintf(name, sizeof(name), "%.*s", (int)nlen, arg);
	if (p == P_COMMAND) {
		if (!eq)
			errx(1, "command: missing value");
		/* command=prog args...: the rest of the line is its argv */
		argv[*i] = eq + 1;
		o->command = &argv[*i];
		*i = argc;
		return;
	}
	if (p >= 0) {
		o->pseudo[p] = eq ? eq + 1 : (pseudo_table[p].is_bool ? "true" : "");
		return;
	}
	o->jp = realloc(o->jp, sizeof(*o->jp) * (o->njp + 1));
	if (o->jp == NULL)
		err(1, "realloc");
	if (jailparam_init(&o->jp[o->njp], name) < 0)
		errx(1, "%s", jail_errmsg);
	o->njp++;
	if (jailparam_import(&o->jp[o->njp - 1], eq ? eq + 1 : NULL) < 0)
		errx(1, "%s", jail_errmsg);
	if (strcmp(name, "persist") == 0 || strcmp(name, "nopersist") == 0) {
		o->persist_given = true;
		o->persist_value = *(int *)o->jp[o->njp - 1].jp_value;
	}
	if (strcmp(name, "name") == 0 && eq)
		o->name = eq + 1;
}

static void
note(const struct opts *o, const char *name, const char *what)
{
	if (!o->quiet)
		printf("%s: %s\n", name, what);
}

/* Run command= inside the jail and wait; false if it failed. */
static bool
run_command(const struct opts *o, int jid, const char *name)
{
	struct jail_exec je = {
		.jid = jid,
		.argv = o->command,
		.user = o->user ? o->user : o->pseudo[P_JAIL_USER],
		.user_in_jail = !o->user || o->user_in_jail,
		.login = o->login || (o->pseudo[P_EXEC_CLEAN] &&
		    strcmp(o->pseudo[P_EXEC_CLEAN], "false") != 0),
	};
	int st;

	fflush(stdout);
	if ((st = jail_exec(&je)) < 0) {
		warnx("%s: %s", name, jail_errmsg);
		return false;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		warnx("%s: %s: failed", name, o->command[0]);
		return false;
	}
	return true;
}

static int
stop_timeout(const struct opts *o)
{
	char *ep;
	long t;

	if (o->pseudo[P_STOP_TIMEOUT] == NULL)
		return 10;
	t = strtol(o->pseudo[P_STOP_TIMEOUT], &ep, 10);
	if (*ep || t < 0)
		errx(1, "stop.timeout: non-integer value \"%s\"",
		    o->pseudo[P_STOP_TIMEOUT]);
	return (int)t;
}

/* jid of a jail by name or number, dying ones included. */
static int
find_jid(const char *arg)
{
	char *ep;
	long n = strtol(arg, &ep, 10);

	return jail_getv(JAIL_DYING, *arg && !*ep && n > 0 ? "jid" : "name",
	    arg, NULL);
}

static int
remove_one(const struct opts *o, const char *arg)
{
	int jid = find_jid(arg);
	char *name, *ep;

	if (jid < 0) {
		if (errno == ENOENT)
			warnx("\"%s\" not found", arg);
		else
			warnx("%s", jail_errmsg);
		return 1;
	}
	name = strtol(arg, &ep, 10) > 0 && !*ep ? jail_getname(jid) : strdup(arg);
	if (o->op != 'R')
		jail_stop(jid, stop_timeout(o));
	if (jail_remove(jid) < 0 && errno != ENOENT) {
		warnx("%s: jail_remove: %s", name ? name : arg, strerror(errno));
		free(name);
		return 1;
	}
	note(o, name ? name : arg, "removed");
	free(name);
	return 0;
}

static int
create_or_modify(struct opts *o)
{
	int flags = (o->op == 'm' ? 0 : JAIL_CREATE) |
	    (o->op == 'c' ? 0 : JAIL_UPDATE);
	bool temp_persist = false;
	int jid, rc = 0;

	/* The jail must outlive the gap between creation and command=. */
	if (o->command && !(o->persist_given && o->persist_value) &&
	    (flags & JAIL_CREATE)) {
		o->jp = realloc(o->jp, sizeof(*o->jp) * (o->njp + 1));
		if (o->jp == NULL || jailparam_init(&o->jp[o->njp], "persist") < 0 ||
		    jailparam_import(&o->jp[o->njp], NULL) < 0)
			errx(1, "%s", jail_errmsg);
		o->njp++;
		temp_persist = true;
	}
	if ((jid = jailparam_set(o->jp, o->njp, flags)) < 0) {
		/* jail(8)'s own words for the jail itself */
		if (o->name && errno == EEXIST && o->op == 'c')
			errx(1, "\"%s\" already exists", o->name);
		if (o->name && errno == ENOENT && o->op == 'm')
			errx(1, "\"%s\" not found", o->name);
		errx(1, "%s", jail_errmsg);
	}
	char *name = o->name ? NULL : jail_getname(jid);
	const char *shown = o->name ? o->name : name ? name : "?";
	if (o->print_jid)
		printf("%d\n", jid);
	if (flags & JAIL_CREATE)
		note(o, shown, "created");
	else
		note(o, shown, "updated");
	if (o->command && !run_command(o, jid, shown)) {
		jail_remove(jid);
		free(name);
		return 1;
	}
	if (temp_persist) {
		char jids[16];
		snprintf(jids, sizeof(jids), "%d", jid);
		if (jail_setv(JAIL_UPDATE, "jid", jids, "nopersist", NULL,
		    NULL) < 0 && errno != ENOENT)
			rc = 1, warnx("%s", jail_errmsg);
	}
	free(name);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	int c, rc = 0;

	/* "+": options end at the first name=value, as in FreeBSD */
	while ((c = getopt(argc, argv, "+cdhilmp:qrRu:U:vf:e:J:")) != -1) {
		switch (c) {
		case 'c':
		case 'm':
			if (o.op == 'r' || o.op == 'R')
				usage();
			o.op = o.op && o.op != c ? 'c' | 'm' : c;
			break;
		case 'r':
		case 'R':
			if (o.op)
				usage();
			o.op = c;
			break;
		case 'q': o.quiet = true; break;
		case 'v': o.verbose = true; break;
		case 'l': o.login = true; break;
		case 'i': o.print_jid = true; break;
		case 'u': o.user = optarg; o.user_in_jail = false; break;
		case 'U': o.user = optarg; o.user_in_jail = true; break;
		case 'd': case 'h': case 'p': break;
		case 'f': case 'e': case 'J':
			errx(1, "-%c: jail.conf is not supported yet", c);
		default:
			usage();
		}
	}
	argc -= optind, argv += optind;
	if (!o.op)
		usage();
	if (o.op == 'r' || o.op == 'R') {
		/* jail -r name...; also -r name=x and stop.timeout=... */
		int removed = 0;
		for (int i = 0; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			int p = eq ? find_pseudo(argv[i], (size_t)(eq - argv[i])) : -1;
			if (p >= 0)
				o.pseudo[p] = eq + 1;
		}
		for (int i = 0; i < argc; i++) {
			if (strncmp(argv[i], "name=", 5) == 0 ||
			    strncmp(argv[i], "jid=", 4) == 0)
				rc |= remove_one(&o, strchr(argv[i], '=') + 1),
				    removed++;
			else if (!strchr(argv[i], '='))
				rc |= remove_one(&o, argv[i]), removed++;
		}
		if (!removed)
			usage();
		return rc;
	}
	for (int i = 0; i < argc; i++) {
		if (!strchr(argv[i], '=') && i == argc - 1 && o.njp == 0 &&
		    o.op == 'r')
			break;
		add_param(&o, argv, &i, argc);
	}
	if (o.njp == 0)
		usage();
	rc = create_or_modify(&o);
	jailparam_free(o.jp, o.njp);
	free(o.jp);
	return rc;
}
