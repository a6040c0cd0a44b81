/*
 * jail(8): create, modify and remove jails (FreeBSD usr.sbin/jail).
 *
 *	jail [-dhilqv] [-u user | -U user] -[cmr] param=value ... [command=...]
 *	jail [-dqv] [-f file] -[cmr] [jail ...]
 *	jail [-qv] [-f file] -[rR] ['*' | jail ...]
 *	jail [-f file] -e separator
 *
 * Turns the command line or jail.conf into jobs (libjail parameters and
 * jail(8)'s own pseudo-parameters), then state.c runs them in order.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jailcmd.h"

#define CONF_DEFAULT	"/etc/jail.conf"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
	    "            -[cmr] param=value ... [command=command ...]\n"
	    "       jail [-dqv] [-f file] -[cmr] [jail]\n"
	    "       jail [-qv] [-f file] -[rR] ['*' | jail ...]\n"
	    "       jail [-f file] -e separator\n"
	    "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
	    "            [-n jailname] [-s securelevel]\n"
	    "            path hostname ip[,...] command ...\n");
	exit(1);
}

static struct job *
new_job(struct run *run, const char *name)
{
	struct job *nj = realloc(run->jobs, sizeof(*nj) * (size_t)(run->njobs + 1));

	if (nj == NULL)
		err(1, "realloc");
	run->jobs = nj;
	memset(&nj[run->njobs], 0, sizeof(*nj));
	nj[run->njobs].name = strdup(name ? name : "");
	return &nj[run->njobs++];
}

/*
 * One parameter for job j: jail(8)'s own, or libjail's (whose table
 * decides what exists).  where: "file:line: " or "".
 */
static void
add_param(struct job *j, const char *name, const char *const *vals, int n,
    bool append, const char *where)
{
	bool neg;
	int p = pseudo_lookup(name, &neg);
	struct jailparam *jp;
	char *joined = NULL;
	size_t len = 0;

	if (p >= 0) {
		const char *bv[] = { neg ? "false" : "true" };
		if (pseudo_table[p].type == PS_BOOL && n == 0)
			vals = bv, n = 1;
		if (job_set_pseudo(j, p, vals, n, append) < 0)
			err(1, "%s", name);
		return;
	}
	/* libjail: a list is one comma-separated value; += extends it */
	for (unsigned i = 0; i < j->njp; i++)
		if (strcmp(j->jp[i].jp_name, name) == 0) {
			if (append && j->jp[i].jp_value && j->jp[i].jp_valuelen &&
			    (j->jp[i].jp_ctltype & CTLTYPE) == CTLTYPE_STRING) {
				len = strlen(j->jp[i].jp_value);
				joined = strdup(j->jp[i].jp_value);
			}
			jailparam_free(&j->jp[i], 1);
			memmove(&j->jp[i], &j->jp[i + 1],
			    sizeof(*j->jp) * (j->njp - i - 1));
			j->njp--;
			break;
		}
	for (int i = 0; i < n; i++) {
		size_t add = strlen(vals[i]) + 2;
		char *nj = realloc(joined, len + add);
		if (nj == NULL)
			err(1, "realloc");
		joined = nj;
		len += (size_t)snprintf(joined + len, add, "%s%s",
		    len ? "," : "", vals[i]);
	}
	jp = realloc(j->jp, sizeof(*jp) * (j->njp + 1));
	if (jp == NULL)
		err(1, "realloc");
	j->jp = jp;
	if (jailparam_init(&j->jp[j->njp], name) < 0)
		errx(1, "%s%s", where, jail_errmsg);
	j->njp++;
	if (jailparam_import(&j->jp[j->njp - 1], joined) < 0)
		errx(1, "%s%s", where, jail_errmsg);
	free(joined);
}

/* name=value arguments into job j (over what it has). */
static void
jobs_from_args_into(struct run *run, struct job *j, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), name[256];
		size_t nlen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

		if (nlen >= sizeof(name))
			errx(1, "%.40s: parameter name too long", argv[i]);
		snprintf(name, sizeof(name), "%.*s", (int)nlen, argv[i]);
		if (strcmp(name, "command") == 0) {
			if (!eq)
				errx(1, "command: missing value");
			/* the rest of the line is its argv */
			argv[i] = eq + 1;
			j->argv = &argv[i];
			break;
		}
		const char *v[] = { eq ? eq + 1 : NULL };
		add_param(j, name, v, eq ? 1 : 0, false, "");
		/* the jail's name in messages: its name, else its jid */
		if ((strcmp(name, "name") == 0 || (strcmp(name, "jid") == 0 &&
		    !j->name[0])) && eq) {
			free(j->name);
			j->name = strdup(eq + 1);
		}
	}
	if (!j->name[0] && run->op != 'c')
		errx(1, "no jail specified");
}

/* jail -c name=web ... command=prog args: one job from the command line */
static void
jobs_from_args(struct run *run, int argc, char **argv)
{
	jobs_from_args_into(run, new_job(run, NULL), argc, argv);
}

/* One job for jail name as jail.conf means it. */
static void
job_from_conf(struct run *run, const struct cf_conf *cf, const char *name)
{
	char err[CONF_ERRLEN], where[PATH_MAX + 16];
	struct cf_block *b = conf_jail(cf, name, err);
	struct job *j;
	bool named = false;

	if (b == NULL)
		errx(1, "%s", err);
	j = new_job(run, name);
	j->conf = true;
	for (int i = 0; i < b->nparams; i++) {
		const struct cf_param *p = &b->params[i];
		snprintf(where, sizeof(where), "%s:%d: ", p->file ? p->file : "",
		    p->line);
		add_param(j, p->name, (const char *const *)p->vals, p->nvals,
		    false, where);
		named |= strcmp(p->name, "name") == 0;
	}
	if (!named) {
		const char *v[] = { name };
		add_param(j, "name", v, 1, false, "");
	}
	/* a block named by a number is that jid (jail.conf(5)) */
	if (name[strspn(name, "0123456789")] == '\0') {
		bool has_jid = false;
		for (unsigned i = 0; i < j->njp; i++)
			has_jid |= strcmp(j->jp[i].jp_name, "jid") == 0;
		const char *v[] = { name };
		if (!has_jid)
			add_param(j, "jid", v, 1, false, "");
	}
	conf_block_free(b);
}

static bool
configured(const struct cf_conf *cf, const char *name)
{
	return cf && conf_has_jail(cf, name);
}

/* A jail to work on: as jail.conf means it, or by name alone. */
static void
add_job(struct run *run, const struct cf_conf *cf, const char *name)
{
	if (job_find(run, name))
		return;
	if (configured(cf, name))
		job_from_conf(run, cf, name);
	else
		new_job(run, name);
}

/* What the jobs depend on, if jail.conf has it, is worked on too. */
static void
add_dependencies(struct run *run, const struct cf_conf *cf)
{
	for (int i = 0; i < run->njobs; i++)
		for (char **d = run->jobs[i].pv[P_DEPEND]; d && *d; d++)
			if (!job_find(run, *d) && configured(cf, *d)) {
				job_from_conf(run, cf, *d);
				run->jobs[run->njobs - 1].implied = true;
			}
}

/* On stop, the running jails that depend on those stopped go first. */
static void
add_dependents(struct run *run, const struct cf_conf *cf)
{
	char **names;
	int n = conf_jail_names(cf, &names);
	bool added = true;

	while (added) {
		added = false;
		for (int k = 0; k < n; k++) {
			if (job_find(run, names[k]) ||
			    jail_getv(0, "name", names[k], NULL) < 0)
				continue;
			char err[CONF_ERRLEN];
			struct cf_block *b = conf_jail(cf, names[k], err);
			const struct cf_param *dep = b ? conf_get(b, "depend") : NULL;
			bool needs = false;
			for (int v = 0; dep && v < dep->nvals && !needs; v++)
				needs = job_find(run, dep->vals[v]) != NULL;
			conf_block_free(b);
			if (needs) {
				job_from_conf(run, cf, names[k]);
				run->jobs[run->njobs - 1].implied = true;
				added = true;
			}
		}
	}
	for (int k = 0; k < n; k++)
		free(names[k]);
	if (n > 0)
		free(names);
}

/* Every running jail (jail -r '*'), children after parents. */
static void
jobs_running(struct run *run, const struct cf_conf *cf)
{
	char name[256];
	int last = 0, jid;
	char lastjid[16];

	for (;;) {
		snprintf(lastjid, sizeof(lastjid), "%d", last);
		if ((jid = jail_getv(0, "lastjid", lastjid, "name", name,
		    NULL)) < 0)
			break;
		/* a child goes with its parent (or an ancestor) */
		bool child = false;
		char up[256];
		snprintf(up, sizeof(up), "%s", name);
		for (char *dot = strrchr(up, '.'); dot && !child;
		    dot = strrchr(up, '.')) {
			*dot = '\0';
			child = job_find(run, up) != NULL;
		}
		if (!child && !job_find(run, name)) {
			add_job(run, cf, name);
			run->jobs[run->njobs - 1].jid = jid;	/* found: no
								   second look */
		}
		last = jid;
	}
}

/* jail -e sep: each configured jail's parameters on a line */
static int
exhibit(const struct cf_conf *cf, const char *sep)
{
	char **names, err[CONF_ERRLEN];
	int n = conf_jail_names(cf, &names);

	for (int i = 0; i < n; i++) {
		struct cf_block *b = conf_jail(cf, names[i], err);
		if (b == NULL)
			errx(1, "%s", err);
		printf("name=");
		quoted_print(stdout, names[i]);
		for (int k = 0; k < b->nparams; k++) {
			if (strcmp(b->params[k].name, "name") == 0 ||
			    strcmp(b->params[k].name, "jid") == 0)
				continue;
			printf("%s%s", sep, b->params[k].name);
			for (int v = 0; v < b->params[k].nvals; v++) {
				fputs(v ? "," : "=", stdout);
				quoted_print(stdout, b->params[k].vals[v]);
			}
		}
		putchar('\n');
		conf_block_free(b);
		free(names[i]);
	}
	free(names);
	return 0;
}

/*
 * The legacy form, jail [-n name] [-s securelevel] path hostname ip[,ip]
 * command ...: one jail that runs command and goes with it.
 */
static void
job_legacy(struct run *run, char **argv, struct job *proto)
{
	struct job *j = new_job(run, NULL);
	const char *v[1];
	char *ips = argv[2], *save;
	struct in6_addr a6;

	char *name = j->name;

	*j = *proto;		/* -n and -s */
	j->name = name;
	v[0] = argv[0];
	add_param(j, "path", v, 1, false, "");
	v[0] = argv[1];
	add_param(j, "host.hostname", v, 1, false, "");
	for (char *ip = strtok_r(ips, ",", &save); ip;
	    ip = strtok_r(NULL, ",", &save)) {
		v[0] = ip;
		add_param(j, inet_pton(AF_INET6, ip, &a6) == 1 ? "ip6.addr" :
		    "ip4.addr", v, 1, true, "");
	}
	j->argv = &argv[3];
	for (unsigned i = 0; i < j->njp; i++)
		if (strcmp(j->jp[i].jp_name, "name") == 0) {
			free(j->name);
			j->name = jailparam_export(&j->jp[i]);
		}
}

int
main(int argc, char **argv)
{
	struct run run = { .parallel = 0 };
	struct job proto = { .name = (char *)"" };	/* -n, -s */
	const char *conffile = NULL, *sep = NULL, *jidfile = NULL;
	struct cf_conf cf = { 0 };
	char err[CONF_ERRLEN];
	bool args_are_params = false, have_conf;
	int c, rc;

	/* "+": options end at the first name=value, as in FreeBSD */
	while ((c = getopt(argc, argv, "+cde:f:hiJ:lmn:p:qrRs:u:U:v")) != -1) {
		const char *v[] = { optarg };
		switch (c) {
		case 'c':
		case 'm':
			if (run.op == 'r' || run.op == 'R')
				usage();
			run.op = run.op && run.op != c ? 'c' | 'm' : c;
			break;
		case 'r':
		case 'R':
			if (run.op)
				usage();
			run.op = c;
			break;
		case 'e': sep = optarg; break;
		case 'f': conffile = optarg; break;
		case 'q': run.quiet = true; run.verbose = false; break;
		case 'v': run.verbose = true; run.quiet = false; break;
		case 'l': run.login = true; break;
		case 'i': run.print_jid = run.quiet = true; break;
		case 'u': run.user = optarg; run.user_in_jail = false; break;
		case 'U': run.user = optarg; run.user_in_jail = true; break;
		case 'J': jidfile = optarg; break;
		case 'n': add_param(&proto, "name", v, 1, false, ""); break;
		case 's': add_param(&proto, "securelevel", v, 1, false, "");
			break;
		case 'p': {
			char *ep;
			long n = strtol(optarg, &ep, 10);
			if (*ep || n < 0 || n > 100000)
				errx(1, "-p: %s: not a number of jails", optarg);
			run.parallel = (int)n;
			break;
		}
		case 'd': case 'h': break;
		default: usage();
		}
	}
	argc -= optind, argv += optind;
	for (int i = 0; i < argc; i++)
		args_are_params |= strchr(argv[i], '=') != NULL;
	if (!run.op && !sep) {
		/* FreeBSD's first form: path hostname ip command ... */
		if (argc < 4 || argv[0][0] != '/')
			usage();
		run.op = 'c';
		run.legacy = true;
	}
	if (jidfile && (run.jidfile = fopen(jidfile, "we")) == NULL)
		errx(1, "open %s: %s", jidfile, strerror(errno));

	/* jail.conf unless the command line says everything */
	have_conf = !run.legacy && (conffile || (!args_are_params &&
	    access(CONF_DEFAULT, R_OK) == 0) || (args_are_params &&
	    run.op != 'r' && run.op != 'R' && !strchr(argv[0], '=') &&
	    access(CONF_DEFAULT, R_OK) == 0));
	if (have_conf && conf_parse(conffile ? conffile : CONF_DEFAULT, &cf,
	    err) < 0)
		errx(1, "%s", err);
	if (sep) {
		if (!have_conf)
			errx(1, "-e: no jail.conf");
		return exhibit(&cf, sep);
	}
	int nnames = 0;		/* jail -r stop.timeout=N name: one name */
	for (int i = 0; i < argc; i++)
		nnames += strchr(argv[i], '=') == NULL;
	run.note_remove = have_conf || nnames > 1 ||
	    (argc == 1 && strchr(argv[0], '*'));

	if (run.legacy) {
		job_legacy(&run, argv, &proto);
	} else if (args_are_params && (run.op == 'r' || run.op == 'R')) {
		/* jail -r [stop.timeout=N] name ...: names, with pseudo ones */
		for (int i = 0; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			bool neg;
			if (eq) {
				*eq = '\0';
				int p = pseudo_lookup(argv[i], &neg);
				const char *v[] = { eq + 1 };
				if (p < 0 && strcmp(argv[i], "name") &&
				    strcmp(argv[i], "jid"))
					errx(1, "%s: not a parameter jail -r takes",
					    argv[i]);
				if (p >= 0)
					job_set_pseudo(&proto, p, v, 1, false);
				else
					new_job(&run, eq + 1);
			} else {
				new_job(&run, argv[i]);
			}
		}
		for (int i = 0; i < run.njobs; i++)
			for (int p = 0; p < P_COUNT; p++)
				if (proto.pv[p])
					job_set_pseudo(&run.jobs[i], p,
					    (const char *const *)proto.pv[p], 1, false);
	} else if (args_are_params && !strchr(argv[0], '=') && have_conf) {
		/* jail -c web host.hostname=x: web's jail.conf, then these */
		if (!configured(&cf, argv[0]))
			errx(1, "\"%s\" not found", argv[0]);
		job_from_conf(&run, &cf, argv[0]);
		jobs_from_args_into(&run, &run.jobs[0], argc - 1, argv + 1);
	} else if (args_are_params) {
		jobs_from_args(&run, argc, argv);
	} else if (argc == 1 && strcmp(argv[0], "*") == 0) {
		if (run.op == 'r' || run.op == 'R')
			jobs_running(&run, have_conf ? &cf : NULL);
		else if (have_conf) {
			char **names;
			int n = conf_jail_names(&cf, &names);
			for (int i = 0; i < n; i++)
				job_from_conf(&run, &cf, names[i]), free(names[i]);
			free(names);
		}
	} else if (argc == 0) {
		/* no names: every jail the file defines */
		char **names;
		int n = have_conf ? conf_jail_names(&cf, &names) : 0;
		if (!have_conf)
			usage();
		for (int i = 0; i < n; i++)
			job_from_conf(&run, &cf, names[i]), free(names[i]);
		if (n > 0)
			free(names);
	} else {
		char **names;
		int n = have_conf ? conf_jail_names(&cf, &names) : 0;
		for (int i = 0; i < argc; i++) {
			bool known = false;
			for (int k = 0; k < n && !known; k++)
				known = strcmp(names[k], argv[i]) == 0;
			if (known)
				job_from_conf(&run, &cf, argv[i]);
			else if (run.op == 'r' || run.op == 'R')
				new_job(&run, argv[i]);
			else
				errx(1, "\"%s\" not found", argv[i]);
		}
		for (int k = 0; k < n; k++)
			free(names[k]);
		if (n > 0)
			free(names);
	}
	if (have_conf && (run.op == 'c' || run.op == ('c' | 'm')))
		add_dependencies(&run, &cf);
	if (have_conf && (run.op == 'r' || run.op == 'R'))
		add_dependents(&run, &cf);
	/* -n and -s apply to every jail of this run */
	for (int i = 0; i < run.njobs && !run.legacy; i++)
		for (unsigned k = 0; k < proto.njp; k++) {
			char *v = jailparam_export(&proto.jp[k]);
			const char *vv[] = { v };
			add_param(&run.jobs[i], proto.jp[k].jp_name, vv, 1,
			    false, "");
			free(v);
		}
	rc = run_all(&run);
	if (run.jidfile)
		fclose(run.jidfile);
	if (have_conf)
		conf_free(&cf);
	return rc;
}
