/*
 * Unit tier (no root): the parameter table, jailparam import/export, the
 * raw jail_set decoding and its error texts.  TAP on stdout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jail.h"
#include "vjail.h"

#include "tap.h"

static void
is_str(const char *got, const char *want, const char *what)
{
	int good = got && strcmp(got, want) == 0;

	ok(good, what);
	if (!good)
		printf("#   got: '%s'\n#   expected: '%s'\n",
		    got ? got : "(null)", want);
}

/* import then export must give back the canonical string */
static void
roundtrip(const char *name, const char *in, const char *want)
{
	struct jailparam jp;
	char what[256], *out = NULL;

	snprintf(what, sizeof(what), "%s=%s exports as %s", name,
	    in ? in : "(none)", want);
	if (jailparam_init(&jp, name) == 0 && jailparam_import(&jp, in) == 0)
		out = jailparam_export(&jp);
	is_str(out, want, what);
	free(out);
	jailparam_free(&jp, 1);
}

static void
import_fails(const char *name, const char *in, const char *msg)
{
	struct jailparam jp;
	char what[256];
	int rc = jailparam_init(&jp, name);

	if (rc == 0)
		rc = jailparam_import(&jp, in);
	snprintf(what, sizeof(what), "%s=%s is refused", name, in ? in : "");
	ok(rc < 0, what);
	is_str(jail_errmsg, msg, "  with the message naming it");
	if (rc == 0 || jp.jp_name)
		jailparam_free(&jp, 1);
}

/* jail_set refuses before anything is made; errmsg says why. */
static void
set_fails(const char *msg, int want_errno, ...)
{
	struct iovec iov[16];
	char errbuf[JAIL_ERRMSGLEN] = "";
	unsigned n = 0;
	va_list ap;
	const char *name;

	va_start(ap, want_errno);
	while ((name = va_arg(ap, const char *)) != NULL) {
		iov[n].iov_base = (void *)name;
		iov[n++].iov_len = strlen(name) + 1;
		iov[n].iov_base = va_arg(ap, void *);
		iov[n].iov_len = va_arg(ap, size_t);
		n++;
	}
	va_end(ap);
	iov[n].iov_base = "errmsg";
	iov[n++].iov_len = sizeof("errmsg");
	iov[n].iov_base = errbuf;
	iov[n++].iov_len = sizeof(errbuf);
	errno = 0;
	int rc = jail_set(iov, n, JAIL_CREATE);
	char what[256];
	snprintf(what, sizeof(what), "jail_set refuses: %s", msg);
	ok(rc == -1 && errno == want_errno, what);
	is_str(errbuf, msg, "  errmsg");
}

int
main(void)
{
	struct jailparam *all;
	int n, hostname_seen = 0;

	/* the table */
	n = jailparam_all(&all);
	ok(n >= 17, "jailparam_all lists the table");
	for (int i = 0; i < n; i++) {
		hostname_seen |= strcmp(all[i].jp_name, "host.hostname") == 0;
		if (jailparam_describe(all[i].jp_name) == NULL)
			ok(0, "every parameter has a description");
	}
	ok(hostname_seen, "host.hostname is enumerated");
	jailparam_free(all, (unsigned)n);
	free(all);
	for (size_t i = 0; i < param_count; i++) {
		bool neg;
		ok(param_lookup(param_table[i].name, &neg) == &param_table[i] &&
		    !neg, param_table[i].name);
	}
	bool neg;
	ok(param_lookup("nopersist", &neg) && neg, "nopersist is persist negated");
	ok(param_lookup("mount.nodevfs", &neg) && neg,
	    "mount.nodevfs is mount.devfs negated");
	ok(param_lookup("nopath", &neg) == NULL, "nopath is not a parameter");

	/* import and export */
	roundtrip("persist", NULL, "true");
	roundtrip("nopersist", NULL, "false");
	roundtrip("persist", "false", "false");
	roundtrip("children.max", "12", "12");
	roundtrip("vnet", "new", "new");
	roundtrip("vnet", "inherit", "inherit");
	roundtrip("sysvshm", "disable", "disable");
	roundtrip("sysvshm", "1", "new");
	roundtrip("host.hostname", "web.example", "web.example");
	roundtrip("path", "/srv/web dir", "/srv/web dir");

	import_fails("children.max", "abc",
	    "children.max: non-integer value \"abc\"");
	import_fails("persist", "maybe",
	    "persist: unknown boolean value \"maybe\"");
	import_fails("vnet", "shared", "vnet: unknown jailsys value \"shared\"");
	import_fails("nosuch", "1", "unknown parameter: nosuch");
	import_fails("nopersist", "1", "nopersist: boolean takes no value");

	/* meta.KEY edits, merged into a stored value (under the lock) */
	const char *key;
	const struct param_def *meta = kv_param("meta.a", &key);
	char edits[4096] = "", val[4096] = "b=2\na=0", err[JAIL_ERRMSGLEN];
	ok(meta != NULL && strcmp(key, "a") == 0, "meta.a is a key of meta");
	ok(meta && kv_edit(meta, edits, "a", "1", err) == 0 &&
	    kv_edit(meta, edits, "b", NULL, err) == 0 &&
	    kv_edit(meta, edits, "c", "x=y", err) == 0 && edits[0] == KV_EDITS,
	    "kv_edit records set, remove, set");
	ok(meta && kv_merge(meta, val, edits, err) == 0, "kv_merge applies them");
	is_str(val, "c=x=y\na=1", "  in order, over the stored value");
	ok(meta && kv_edit(meta, edits, "bad key", "1", err) < 0,
	    "kv_edit refuses a key with a blank");
	is_str(err, "meta.bad key: invalid key", "  naming it");
	char big[5000];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	edits[0] = '\0';
	ok(meta && kv_edit(meta, edits, "k", big, err) < 0 && errno == EFBIG,
	    "kv_edit refuses edits beyond the buffer");

	/* raw decoding in jail_set (before any registry access) */
	int one = 1, zero = 0;
	char longname[80];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	set_fails("unknown parameter: foo", ENOENT, "foo", &one, sizeof(one),
	    NULL);
	set_fails("children.cur: parameter is read-only", EINVAL,
	    "children.cur", &one, sizeof(one), NULL);
	set_fails("host.hostname: value too long (at most 64 bytes)",
	    ENAMETOOLONG, "host.hostname", longname, sizeof(longname), NULL);
	set_fails("children.max: value must be an integer", EINVAL,
	    "children.max", "x", (size_t)2, NULL);
	set_fails("vnet: \"disable\" is not supported, use new or inherit",
	    EINVAL, "vnet", &zero, sizeof(zero), NULL);
	int two = 2;
	set_fails("sysvsem: must equal sysvmsg: Linux has one IPC namespace "
	    "for all three", EINVAL, "sysvmsg", &one, sizeof(one),
	    "sysvsem", &two, sizeof(two), NULL);

	return done_testing();
}
