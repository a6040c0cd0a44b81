/*
 * rctl(8): display and update resource limits of jails (FreeBSD
 * usr.bin/rctl).  Rules are kept and applied by libjail's rctl calls;
 * this parses flags, expands nothing but the subject's short forms, and
 * prints.  Exit status: the number of rules or filters that failed.
 * vjail extension: -f [file ...] loads rule files (/etc/rctl.conf).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jail.h>

typedef int (*rctl_call)(const char *, size_t, char *, size_t);
static char *out;
static size_t outlen = 64 * 1024;

/* A listing call, with a buffer grown until the answer fits (ERANGE). */
static int
query(rctl_call fn, const char *filter)
{
	for (;;) {
		int rc = fn(filter, strlen(filter) + 1, out, outlen);
		if (rc == 0 || errno != ERANGE || outlen >= (64u << 20))
			return rc;
		free(out);
		if ((out = malloc(outlen *= 4)) == NULL)
			err(1, "malloc");
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: rctl [-h] [-a rule | -l filter | -r filter "
	    "| -u filter | filter]\n       rctl -f [file ...]\n");
	exit(1);
}

/* FreeBSD's humanize_number(buf, 6, n, "", HN_AUTOSCALE, HN_DECIMAL |
 * HN_NOSPACE): at most four digits and a unit, one decimal below 10. */
static void
humanize(unsigned long long n, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	unsigned long long rem = 0;

	while (n >= 10000 || (u >= 0 && n >= 1000)) {
		rem = n % 1024;
		n /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", n);
	else if (n < 10 && rem * 10 / 1024 > 0)
		snprintf(buf, len, "%llu.%llu%c", n, rem * 10 / 1024, units[u]);
	else
		snprintf(buf, len, "%llu%c", n + (rem >= 512), units[u]);
}

/* "...=N[/per]" with N in human units. */
static void
print_item(const char *item, int hflag)
{
	const char *eq = strrchr(item, '=');
	char *end, num[16];
	unsigned long long n;

	if (!hflag || eq == NULL) {
		printf("%s\n", item);
		return;
	}
	n = strtoull(eq + 1, &end, 10);
	if (end == eq + 1 || (*end && *end != '/')) {
		printf("%s\n", item);
		return;
	}
	humanize(n, num, sizeof(num));
	printf("%.*s%s%s\n", (int)(eq + 1 - item), item, num, end);
}

static void
print_list(char *list, int hflag)
{
	for (char *p = strtok(list, ","); p; p = strtok(NULL, ","))
		print_item(p, hflag);
}

/* The kernel's word when libjail has none of its own. */
static const char *
why(void)
{
	return jail_errmsg[0] ? jail_errmsg : strerror(errno);
}

/* "j:web" -> "jail:web" (FreeBSD's short subjects). */
static const char *
expand(const char *rule, char *buf, size_t len)
{
	if (strncmp(rule, "j:", 2) == 0) {
		snprintf(buf, len, "jail:%s", rule + 2);
		return buf;
	}
	return rule;
}

static int
load_file(const char *path)
{
	char line[1024], *s;
	int errors = 0, lineno = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		warn("%s", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		s = line + strspn(line, " \t");
		s[strcspn(s, "# \t\r\n")] = '\0';
		if (!*s)
			continue;
		if (rctl_add_rule(s, strlen(s) + 1, NULL, 0) < 0) {
			warnx("%s:%d: failed to add rule '%s': %s", path,
			    lineno, s, why());
			errors++;
		}
	}
	fclose(f);
	return errors;
}

int
main(int argc, char **argv)
{
	int ch, aflag = 0, fflag = 0, hflag = 0, lflag = 0, rflag = 0,
	    uflag = 0, errors = 0;
	char buf[1100];

	if ((out = malloc(outlen)) == NULL)
		err(1, "malloc");
	while ((ch = getopt(argc, argv, "afhlnru")) != -1) {
		switch (ch) {
		case 'a': aflag = 1; break;
		case 'f': fflag = 1; break;
		case 'h': hflag = 1; break;
		case 'l': lflag = 1; break;
		case 'n': break;	/* ids are not resolved: jail names */
		case 'r': rflag = 1; break;
		case 'u': uflag = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (aflag + fflag + lflag + rflag + uflag > 1)
		errx(1, "at most one of -a, -f, -l, -r, or -u may be specified");
	if (fflag) {
		if (argc == 0)
			return load_file("/etc/rctl.conf");
		for (int i = 0; i < argc; i++)
			errors += load_file(argv[i]);
		return errors;
	}
	if (argc == 0) {
		if (aflag + lflag + rflag + uflag)
			usage();
		if (query(rctl_get_rules, "::") < 0)
			errx(1, "failed to show rules for '::': %s", why());
		print_list(out, hflag);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *rule = expand(argv[i], buf, sizeof(buf));
		size_t len = strlen(rule) + 1;

		if (aflag && rctl_add_rule(rule, len, NULL, 0) < 0)
			warnx("failed to add rule '%s': %s", argv[i], why());
		else if (rflag && rctl_remove_rule(rule, len, NULL, 0) < 0)
			warnx("failed to remove rule '%s': %s", argv[i], why());
		else if (uflag && query(rctl_get_racct, rule) < 0)
			warnx("failed to show resource consumption for '%s': %s",
			    argv[i], why());
		else if (lflag && query(rctl_get_limits, rule) < 0)
			warnx("failed to get limits for '%s': %s", argv[i],
			    why());
		else if (!aflag && !rflag && !uflag && !lflag &&
		    query(rctl_get_rules, rule) < 0)
			warnx("failed to show rules for '%s': %s", argv[i],
			    why());
		else {
			if (!aflag && !rflag)
				print_list(out, hflag);
			continue;
		}
		errors++;
	}
	free(out);
	return errors;
}
