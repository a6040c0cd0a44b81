/*
 * jailparam.c - libjail's string layer (FreeBSD lib/libjail): converts
 * name=value strings to the raw values jail_set()/jail_get() exchange,
 * using the parameter table instead of FreeBSD's sysctl descriptions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vjail.h"

static const char *const jailsys_names[] = { "disable", "new", "inherit" };

static int
perr(int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(jail_errmsg, JAIL_ERRMSGLEN, fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

/* Keys jail_get accepts that are not parameters. */
static bool
is_key_only(const char *name)
{
	return strcmp(name, "lastjid") == 0;
}

int
jailparam_init(struct jailparam *jp, const char *name)
{
	const struct param_def *pd;
	const char *key;
	bool neg = false;

	memset(jp, 0, sizeof(*jp));
	if (is_key_only(name)) {
		jp->jp_ctltype = CTLTYPE_INT | CTLFLAG_RD;
	} else if ((pd = param_lookup(name, &neg)) == NULL &&
	    kv_param(name, &key) != NULL) {
		/* meta.KEY, env.KEY: a string; no value removes the key */
		jp->jp_ctltype = CTLTYPE_STRING | CTLFLAG_RW;
		jp->jp_flags |= JP_KEYVALUE;
	} else if (pd != NULL) {
		jp->jp_ctltype = param_ctltype(pd);
		if (pd->type == PT_BOOL)
			jp->jp_flags |= neg ? JP_NOBOOL : JP_BOOL;
		if (pd->type == PT_JAILSYS)
			jp->jp_flags |= JP_JAILSYS | (neg ? JP_NOBOOL : 0);
	} else {
		return perr(ENOENT, "unknown parameter: %s", name);
	}
	if ((jp->jp_name = strdup(name)) == NULL)
		return perr(ENOMEM, "%s: %s", name, strerror(ENOMEM));
	return 0;
}

static int
set_value(struct jailparam *jp, const void *v, size_t len)
{
	void *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return perr(ENOMEM, "%s: %s", jp->jp_name, strerror(ENOMEM));
	memcpy(copy, v, len);
	free(jp->jp_value);
	jp->jp_value = copy;
	jp->jp_valuelen = len;
	jp->jp_elemlen = len;
	return 0;
}

static int
parse_int(const struct jailparam *jp, const char *s, long *out)
{
	char *ep;

	errno = 0;
	*out = strtol(s, &ep, 10);
	if (ep == s || *ep || errno || *out < INT_MIN || *out > INT_MAX)
		return perr(EINVAL, "%s: non-integer value \"%s\"",
		    jp->jp_name, s);
	return 0;
}

int
jailparam_import(struct jailparam *jp, const char *value)
{
	long n;
	int v;
	size_t i;

	if (jp->jp_flags & JP_JAILSYS) {
		if (value == NULL) {
			/* bare "vnet" is new; "novnet" is decided by jail_set */
			v = JAIL_SYS_NEW;
			return set_value(jp, &v, sizeof(v));
		}
		for (i = 0; i < 3; i++)
			if (strcasecmp(value, jailsys_names[i]) == 0)
				break;
		if (i == 3 && parse_int(jp, value, &n) == 0 && n >= 0 && n < 3)
			i = (size_t)n;
		if (i == 3)
			return perr(EINVAL, "%s: unknown jailsys value \"%s\"",
			    jp->jp_name, value);
		v = (int)i;
		return set_value(jp, &v, sizeof(v));
	}
	if (jp->jp_flags & (JP_BOOL | JP_NOBOOL)) {
		if (value == NULL)
			v = !(jp->jp_flags & JP_NOBOOL);
		else if (jp->jp_flags & JP_NOBOOL)
			return perr(EINVAL, "%s: boolean takes no value",
			    jp->jp_name);
		else if (!strcasecmp(value, "true") || !strcasecmp(value, "yes"))
			v = 1;
		else if (!strcasecmp(value, "false") || !strcasecmp(value, "no"))
			v = 0;
		else if (parse_int(jp, value, &n) == 0)
			v = n != 0;
		else
			return perr(EINVAL, "%s: unknown boolean value \"%s\"",
			    jp->jp_name, value);
		return set_value(jp, &v, sizeof(v));
	}
	if (value == NULL && (jp->jp_flags & JP_KEYVALUE)) {
		free(jp->jp_value);
		jp->jp_value = NULL;
		jp->jp_valuelen = 0;
		return 0;
	}
	if (value == NULL)
		return perr(EINVAL, "%s: missing value", jp->jp_name);
	switch (jp->jp_ctltype & CTLTYPE) {
	case CTLTYPE_STRING:
		return set_value(jp, value, strlen(value) + 1);
	case CTLTYPE_UINT:
		if (value[0] == '-')
			return perr(EINVAL, "%s: non-integer value \"%s\"",
			    jp->jp_name, value);
		/* FALLTHROUGH */
	default:
		if (parse_int(jp, value, &n) < 0)
			return -1;
		v = (int)n;
		return set_value(jp, &v, sizeof(v));
	}
}

int
jailparam_import_raw(struct jailparam *jp, void *value, size_t valuelen)
{
	if (set_value(jp, value, valuelen) < 0)
		return -1;
	jp->jp_flags |= JP_RAWVALUE;
	return 0;
}

char *
jailparam_export(struct jailparam *jp)
{
	char *s = NULL;
	int v;

	if (jp->jp_value == NULL)
		return strdup("");
	if ((jp->jp_ctltype & CTLTYPE) == CTLTYPE_STRING)
		return strndup(jp->jp_value, jp->jp_valuelen);
	if (jp->jp_valuelen < sizeof(int)) {
		perr(EINVAL, "%s: no value", jp->jp_name);
		return NULL;
	}
	v = *(int *)jp->jp_value;
	if ((jp->jp_flags & JP_JAILSYS) && v >= 0 && v < 3)
		return strdup(jailsys_names[v]);
	if (jp->jp_flags & (JP_BOOL | JP_NOBOOL))
		return strdup(v ? "true" : "false");
	if (asprintf(&s, (jp->jp_ctltype & CTLTYPE) == CTLTYPE_UINT ?
	    "%u" : "%d", v) < 0)
		return NULL;
	return s;
}

void
jailparam_free(struct jailparam *jp, unsigned njp)
{
	for (unsigned i = 0; i < njp; i++) {
		free(jp[i].jp_name);
		free(jp[i].jp_value);
		jp[i].jp_name = NULL;
		jp[i].jp_value = NULL;
	}
}

int
jailparam_all(struct jailparam **jpp)
{
	struct jailparam *jp = calloc(param_count, sizeof(*jp));
	unsigned n = 0;

	if (jp == NULL)
		return perr(ENOMEM, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < param_count; i++) {
		if (param_table[i].flags & PF_ALIAS)
			continue;
		if (jailparam_init(&jp[n], param_table[i].name) < 0) {
			jailparam_free(jp, n);
			free(jp);
			return -1;
		}
		n++;
	}
	*jpp = jp;
	return (int)n;
}

const char *
jailparam_describe(const char *name)
{
	bool neg;
	const struct param_def *pd = param_lookup(name, &neg);

	return pd ? pd->desc : NULL;
}

/* Build the iovec pairs for jp[], plus an errmsg pair. */
static struct iovec *
build_iov(struct jailparam *jp, unsigned njp, char *errbuf, unsigned *niov)
{
	struct iovec *iov = calloc(2 * njp + 2, sizeof(*iov));
	unsigned k = 0;

	if (iov == NULL)
		return NULL;
	for (unsigned i = 0; i < njp; i++) {
		iov[k].iov_base = jp[i].jp_name;
		iov[k++].iov_len = strlen(jp[i].jp_name) + 1;
		iov[k].iov_base = jp[i].jp_value;
		iov[k++].iov_len = jp[i].jp_valuelen;
	}
	iov[k].iov_base = (char *)"errmsg";
	iov[k++].iov_len = sizeof("errmsg");
	iov[k].iov_base = errbuf;
	iov[k++].iov_len = JAIL_ERRMSGLEN;
	*niov = k;
	return iov;
}

int
jailparam_set(struct jailparam *jp, unsigned njp, int flags)
{
	unsigned niov;
	struct iovec *iov;
	int jid, e;

	jail_errmsg[0] = '\0';
	if ((iov = build_iov(jp, njp, jail_errmsg, &niov)) == NULL)
		return perr(ENOMEM, "%s", strerror(ENOMEM));
	/* As FreeBSD's libjail: "noX" goes by its name alone. */
	for (unsigned i = 0; i < njp; i++)
		if (jp[i].jp_flags & JP_NOBOOL) {
			iov[2 * i + 1].iov_base = NULL;
			iov[2 * i + 1].iov_len = 0;
		}
	jid = jail_set(iov, niov, flags);
	e = errno;
	free(iov);
	if (jid < 0 && jail_errmsg[0] == '\0')
		snprintf(jail_errmsg, JAIL_ERRMSGLEN, "jail_set: %s",
		    strerror(e));
	errno = e;
	return jid;
}

int
jailparam_get(struct jailparam *jp, unsigned njp, int flags)
{
	unsigned niov, i;
	struct iovec *iov;
	int jid, e, key = -1;

	jail_errmsg[0] = '\0';
	/* The key is the first of jid, name, lastjid that has a value. */
	for (i = 0; i < njp && key < 0; i++)
		if (jp[i].jp_value != NULL && (!strcmp(jp[i].jp_name, "jid") ||
		    !strcmp(jp[i].jp_name, "name") ||
		    !strcmp(jp[i].jp_name, "lastjid")))
			key = (int)i;
	if (key < 0)
		return perr(ENOENT, "no jail specified");
	for (i = 0; i < njp; i++) {
		if ((int)i == key)
			continue;
		size_t len = (jp[i].jp_ctltype & CTLTYPE) == CTLTYPE_STRING ?
		    PATH_MAX : sizeof(int);
		free(jp[i].jp_value);
		if ((jp[i].jp_value = calloc(1, len)) == NULL)
			return perr(ENOMEM, "%s", strerror(ENOMEM));
		jp[i].jp_valuelen = len;
	}
	if ((iov = build_iov(jp, njp, jail_errmsg, &niov)) == NULL)
		return perr(ENOMEM, "%s", strerror(ENOMEM));
	jid = jail_get(iov, niov, flags);
	e = errno;
	for (i = 0; jid >= 0 && i < njp; i++)
		if ((int)i != key &&
		    (jp[i].jp_ctltype & CTLTYPE) == CTLTYPE_STRING)
			jp[i].jp_valuelen = strlen(jp[i].jp_value);
	free(iov);
	if (jid < 0 && jail_errmsg[0] == '\0')
		snprintf(jail_errmsg, JAIL_ERRMSGLEN, "jail_get: %s",
		    strerror(e));
	errno = e;
	return jid;
}

/* jail_setv(flags, name, value, ..., NULL) */
int
jail_setv(int flags, ...)
{
	struct jailparam jp[64];
	unsigned n = 0;
	const char *name, *value;
	va_list ap;
	int jid = -1;

	va_start(ap, flags);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (n == 64) {
			perr(E2BIG, "too many parameters");
			goto out;
		}
		if (jailparam_init(&jp[n], name) < 0)
			goto out;
		n++;
		if (jailparam_import(&jp[n - 1], value) < 0)
			goto out;
	}
	jid = jailparam_set(jp, n, flags);
out:
	va_end(ap);
	jailparam_free(jp, n);
	return jid;
}

/* jail_getv(flags, keyname, keyvalue, name, char buf[], ..., NULL) */
int
jail_getv(int flags, ...)
{
	struct jailparam jp[64];
	char *bufs[64];
	unsigned n = 0;
	const char *name;
	char *value;
	va_list ap;
	int jid = -1;

	va_start(ap, flags);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, char *);
		if (n == 64) {
			perr(E2BIG, "too many parameters");
			goto out;
		}
		if (jailparam_init(&jp[n], name) < 0)
			goto out;
		bufs[n++] = value;
		/* The first parameter is the key and carries its value. */
		if (n == 1 && jailparam_import(&jp[0], value) < 0)
			goto out;
	}
	if ((jid = jailparam_get(jp, n, flags)) < 0)
		goto out;
	for (unsigned i = 1; i < n; i++) {
		char *s = jailparam_export(&jp[i]);
		if (s == NULL) {
			jid = -1;
			goto out;
		}
		strcpy(bufs[i], s);
		free(s);
	}
out:
	va_end(ap);
	jailparam_free(jp, n);
	return jid;
}

int
jail_getid(const char *name)
{
	char *ep;
	long jid = strtol(name, &ep, 10);
	char jids[24];

	if (*name && *ep == '\0' && jid > 0) {
		snprintf(jids, sizeof(jids), "%ld", jid);
		return jail_getv(0, "jid", jids, NULL);
	}
	return jail_getv(0, "name", name, NULL);
}

char *
jail_getname(int jid)
{
	char jids[16], name[JAIL_NAMELEN];

	snprintf(jids, sizeof(jids), "%d", jid);
	if (jail_getv(0, "jid", jids, "name", name, NULL) < 0)
		return NULL;
	return strdup(name);
}
