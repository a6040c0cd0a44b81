/*
 * jls(8): list jails (FreeBSD usr.sbin/jls), same columns and formats.
 * "--libxo json" (or --libxo=json) prints FreeBSD's JSON shape.
 */
#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jail.h>

enum {
	PRINT_DEFAULT = 0x01, PRINT_HEADER = 0x02, PRINT_NAMEVAL = 0x04,
	PRINT_QUOTED = 0x08, PRINT_SKIP = 0x10, PRINT_VERBOSE = 0x20,
	PRINT_JAIL_NAME = 0x40,
};

static struct jailparam *params;
static unsigned nparams;
static bool json;
static int njson;		/* jails printed as JSON so far */

static void __attribute__((noreturn))
usage(void)
{
	errx(1, "usage: jls [-dhNnqsv] [-c] [-j jail] [--libxo json] [param ...]");
}

/* FreeBSD's order for "all": top-level names first, then by name. */
static int
sort_param(const void *a, const void *b)
{
	const char *an = ((const struct jailparam *)a)->jp_name;
	const char *bn = ((const struct jailparam *)b)->jp_name;
	bool ad = strchr(an, '.') != NULL, bd = strchr(bn, '.') != NULL;

	return ad != bd ? ad - bd : strcmp(an, bn);
}

/* Add a parameter to fetch; "all" expands to the whole table. */
static void
add_param(const char *name)
{
	if (strcmp(name, "all") == 0) {
		struct jailparam *all;
		int n = jailparam_all(&all);
		if (n < 0)
			errx(1, "%s", jail_errmsg);
		qsort(all, (size_t)n, sizeof(*all), sort_param);
		for (int i = 0; i < n; i++)
			add_param(all[i].jp_name);
		jailparam_free(all, (unsigned)n);
		free(all);
		return;
	}
	for (unsigned i = 1; i < nparams; i++)	/* [0] is the key */
		if (strcmp(params[i].jp_name, name) == 0)
			return;
	params = realloc(params, sizeof(*params) * (nparams + 1));
	if (params == NULL)
		err(1, "realloc");
	if (jailparam_init(&params[nparams], name) < 0)
		errx(1, "%s", jail_errmsg);
	nparams++;
}

static const char *
sval(unsigned i)
{
	return params[i].jp_value ? (const char *)params[i].jp_value : "";
}

static int
ival(unsigned i)
{
	return params[i].jp_value ? *(int *)params[i].jp_value : 0;
}

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
json_open(void)
{
	printf("%s{", njson++ ? "," : "");
}

/*
 * One value for -q: as FreeBSD's quoted_print(), an empty value is "" and
 * a plain one is printed as it is; but a value with anything the shell
 * might act on is put in single quotes (a ' inside as '\''), not in
 * FreeBSD's double quotes: jls -s output is meant to be eval'd, and a
 * jail chooses its own hostname ("$(...)" must stay text).
 */
static void
quoted(int pflags, const char *v)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";

	if (!*v) {
		fputs("\"\"", stdout);	/* an empty string is always quoted */
		return;
	}
	if (!(pflags & PRINT_QUOTED) || v[strspn(v, plain)] == '\0') {
		fputs(v, stdout);
		return;
	}
	putchar('\'');
	for (; *v; v++)
		if (*v == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*v);
	putchar('\'');
}

static bool
is_bool(unsigned i)
{
	return (params[i].jp_flags & (JP_BOOL | JP_NOBOOL)) &&
	    !(params[i].jp_flags & JP_JAILSYS);
}

/*
 * For jls -s, as FreeBSD: "x.y" is skipped when a jailsys parameter "x"
 * is not "new" (vnet.bridge means nothing without vnet).
 */
static bool
jailsys_parent_new(unsigned i)
{
	const char *dot = strchr(params[i].jp_name, '.');

	if (dot == NULL)
		return true;
	for (unsigned j = 1; j < nparams; j++)
		if ((params[j].jp_flags & JP_JAILSYS) &&
		    strlen(params[j].jp_name) == (size_t)(dot - params[i].jp_name) &&
		    strncmp(params[j].jp_name, params[i].jp_name,
		    (size_t)(dot - params[i].jp_name)) == 0)
			return ival(j) == JAIL_SYS_NEW;
	return true;
}

static void
print_nameval(int pflags)
{
	bool first = true;

	if (json)
		json_open();
	for (unsigned i = 1; i < nparams; i++) {
		char *v;
		if ((pflags & PRINT_SKIP) && (!(params[i].jp_ctltype &
		    CTLFLAG_WR) || !jailsys_parent_new(i)))
			continue;
		if ((v = jailparam_export(&params[i])) == NULL)
			errx(1, "%s", jail_errmsg);
		if (json) {
			printf("%s", first ? "" : ",");
			json_string(params[i].jp_name);
			putchar(':');
			if (is_bool(i))
				fputs(ival(i) ? "true" : "false", stdout);
			else
				json_string(v);
		} else {
			printf("%s", first ? "" : " ");
			if (!(pflags & PRINT_NAMEVAL))
				quoted(pflags, v);
			else if (is_bool(i)) {
				/* FreeBSD's noname(): "no" after the last dot */
				const char *n = params[i].jp_name,
				    *dot = strrchr(n, '.');
				int pre = dot ? (int)(dot - n + 1) : 0;
				printf("%.*s%s%s", pre, n, ival(i) ? "" : "no",
				    n + pre);
			}
			else {
				printf("%s=", params[i].jp_name);
				quoted(pflags, v);
			}
		}
		first = false;
		free(v);
	}
	fputs(json ? "}" : "\n", stdout);
}

/* Fetch one jail into params[1..]; params[0] is the key. */
static int
fetch(int jflags)
{
	return jailparam_get(params, nparams, jflags);
}

/*
 * The k-th address of an ip4.addr/ip6.addr list, bare (its "iface|" and
 * "/plen" dropped), in buf; false past the end.
 */
static bool
addr_at(const char *list, int k, char *buf, size_t len)
{
	for (int i = 0; *list; i++) {
		size_t n = strcspn(list, ",");
		if (i == k) {
			const char *bar = memchr(list, '|', n);
			const char *a = bar ? bar + 1 : list;
			size_t alen = strcspn(a, ",/");
			snprintf(buf, len, "%.*s", (int)alen, a);
			return true;
		}
		list += n + (list[n] == ',');
	}
	return false;
}

/* jls -v's address lines, or a JSON array of them. */
static void
print_addrs(const char *key, const char *list)
{
	char a[64];

	if (json)
		printf(",\"%s\":[", key);
	for (int i = 0; addr_at(list, i, a, sizeof(a)); i++)
		if (json)
			printf("%s\"%s\"", i ? "," : "", a);
		else
			printf("        %s\n", a);
	if (json)
		putchar(']');
}

static void
print_jail(int pflags)
{
	char ip[64] = "";

	/* params: 0 key, then jid name host.hostname path dying as added */
	if (pflags & PRINT_VERBOSE) {
		if (json) {
			json_open();
			printf("\"jid\":%d,\"hostname\":", ival(1));
			json_string(sval(2));
			printf(",\"path\":");
			json_string(sval(3));
			printf(",\"name\":");
			json_string(sval(4));
			printf(",\"state\":\"%s\"", ival(5) ? "DYING" : "ACTIVE");
			print_addrs("ipv4_addrs", sval(6));
			print_addrs("ipv6_addrs", sval(7));
			putchar('}');
			return;
		}
		printf("%6d  %-29.29s %.74s\n", ival(1), sval(2), sval(3));
		printf("        %-29.29s %.74s\n", sval(4),
		    ival(5) ? "DYING" : "ACTIVE");
		printf("        %d\n", 0);
		print_addrs("ipv4_addrs", sval(6));
		print_addrs("ipv6_addrs", sval(7));
		return;
	}
	if (pflags & PRINT_DEFAULT) {
		addr_at(sval(4), 0, ip, sizeof(ip));	/* ip4.addr */
		if (json) {
			json_open();
			if (pflags & PRINT_JAIL_NAME) {
				printf("\"name\":");
				json_string(sval(1));
			} else
				printf("\"jid\":%d", ival(1));
			printf(",\"ipv4\":");
			json_string(ip);
			printf(",\"hostname\":");
			json_string(sval(2));
			printf(",\"path\":");
			json_string(sval(3));
			putchar('}');
			return;
		}
		if (pflags & PRINT_JAIL_NAME)
			printf(" %-15s ", sval(1));
		else
			printf("%6d  ", ival(1));
		printf("%-15.15s %-29.29s %.74s\n", ip, sval(2), sval(3));
		return;
	}
	print_nameval(pflags);
}

int
main(int argc, char **argv)
{
	int c, pflags = 0, jflags = 0, lastjid = 0, jid;
	bool check_only = false;
	const char *jname = NULL;

	/* libxo's option, before getopt sees it */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--libxo") == 0 && i + 1 < argc) {
			json = strncmp(argv[i + 1], "json", 4) == 0;
			memmove(&argv[i], &argv[i + 2],
			    sizeof(*argv) * (size_t)(argc - i - 1));
			argc -= 2, i--;
		} else if (strncmp(argv[i], "--libxo=", 8) == 0) {
			json = strncmp(argv[i] + 8, "json", 4) == 0;
			memmove(&argv[i], &argv[i + 1],
			    sizeof(*argv) * (size_t)(argc - i));
			argc--, i--;
		}
	}
	while ((c = getopt(argc, argv, "acdj:hNnqsv")) != -1) {
		switch (c) {
		case 'a': case 'd': jflags |= JAIL_DYING; break;
		case 'c': check_only = true; break;
		case 'j': jname = optarg; break;
		case 'h':
			pflags = (pflags & ~(PRINT_SKIP | PRINT_VERBOSE)) |
			    PRINT_HEADER;
			break;
		case 'N': pflags |= PRINT_JAIL_NAME; break;
		case 'n': pflags = (pflags & ~PRINT_VERBOSE) | PRINT_NAMEVAL; break;
		case 'q': pflags |= PRINT_QUOTED; break;
		case 's':
			pflags = (pflags & ~(PRINT_HEADER | PRINT_VERBOSE)) |
			    PRINT_NAMEVAL | PRINT_QUOTED | PRINT_SKIP;
			break;
		case 'v':
			pflags = (pflags & ~(PRINT_HEADER | PRINT_NAMEVAL |
			    PRINT_SKIP)) | PRINT_VERBOSE;
			break;
		default: usage();
		}
	}
	argc -= optind, argv += optind;

	/* params[0] is the key: jid, name or lastjid. */
	char *ep;
	long kj = jname ? strtol(jname, &ep, 10) : 0;
	if (jname && *jname && *ep == '\0' && kj > 0) {
		add_param("jid");
		jid = (int)kj;
		jailparam_import_raw(&params[0], &jid, sizeof(jid));
	} else if (jname) {
		add_param("name");
		jailparam_import(&params[0], jname);
	} else {
		add_param("lastjid");
	}
	if (check_only) {
		if (!jname)
			usage();
		return fetch(jflags) < 0 ? 1 : 0;
	}
	/* Duplicates of the key are fine: it is params[0] only. */
	struct jailparam key = params[0];
	nparams = 0;
	free(params);
	params = NULL;
	params = calloc(1, sizeof(*params));
	params[0] = key;
	nparams = 1;
	if (argc == 0) {
		if (pflags & (PRINT_HEADER | PRINT_NAMEVAL)) {
			add_param("all");
		} else if (pflags & PRINT_VERBOSE) {
			add_param("jid"), add_param("host.hostname");
			add_param("path"), add_param("name"), add_param("dying");
			add_param("ip4.addr"), add_param("ip6.addr");
		} else {
			pflags |= PRINT_DEFAULT;
			add_param(pflags & PRINT_JAIL_NAME ? "name" : "jid");
			add_param("host.hostname"), add_param("path");
			add_param("ip4.addr");
		}
	} else {
		pflags &= ~PRINT_VERBOSE;
		for (int i = 0; i < argc; i++) {
			struct jailparam probe;
			if (strcmp(argv[i], "all") == 0) {	/* FreeBSD's */
				add_param("all");
				continue;
			}
			if (jailparam_init(&probe, argv[i]) < 0)
				errx(1, "%s", jail_errmsg);
			jailparam_free(&probe, 1);
			params = realloc(params, sizeof(*params) * (nparams + 1));
			jailparam_init(&params[nparams++], argv[i]);
		}
	}

	if (json)
		printf("{\"__version\": \"2\", \"jail-information\": {\"jail\": [");
	else if (pflags & PRINT_VERBOSE)
		printf("   JID  Hostname                      Path\n"
		    "        Name                          State\n"
		    "        CPUSetID\n"
		    "        IP Address(es)\n");
	else if (pflags & PRINT_DEFAULT)
		printf(pflags & PRINT_JAIL_NAME ?
		    " JID             IP Address      Hostname                      Path\n" :
		    "   JID  IP Address      Hostname                      Path\n");
	else if (pflags & PRINT_HEADER) {
		for (unsigned i = 1; i < nparams; i++)
			printf("%s%s", i > 1 ? " " : "", params[i].jp_name);
		putchar('\n');
	}

	if (jname) {
		if (fetch(jflags) < 0) {
			if (json)
				printf("]}}\n");
			errx(1, "%s", jail_errmsg);
		}
		print_jail(pflags);
	} else {
		for (;;) {
			jailparam_import_raw(&params[0], &lastjid, sizeof(lastjid));
			if ((jid = fetch(jflags)) < 0)
				break;
			print_jail(pflags);
			lastjid = jid;
		}
		if (errno != 0 && errno != ENOENT)
			errx(1, "%s", jail_errmsg);
	}
	if (json)
		printf("]}}\n");
	return 0;
}
