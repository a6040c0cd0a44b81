/*
 * jail.c - FreeBSD's jail(2) interface, implemented in the library:
 * jail_set, jail_get, jail_attach, jail_remove.  This file only decodes
 * and encodes the name/value iovec pairs; core.c does the work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vjail.h"

/* The caller's errmsg buffer, if it passed one. */
static struct iovec *
find_errmsg(struct iovec *iov, unsigned niov)
{
	for (unsigned i = 0; i + 1 < niov; i += 2)
		if (iov[i].iov_base && strcmp(iov[i].iov_base, "errmsg") == 0)
			return &iov[i + 1];
	return NULL;
}

static int
fail(struct iovec *iov, unsigned niov, int e, const char *msg)
{
	struct iovec *em = find_errmsg(iov, niov);

	if (em && em->iov_base && em->iov_len > 0)
		snprintf(em->iov_base, em->iov_len, "%s", msg);
	errno = e;
	return -1;
}

static const char *
iov_name(const struct iovec *v)
{
	const char *s = v->iov_base;

	if (s == NULL || v->iov_len == 0 || memchr(s, '\0', v->iov_len) == NULL)
		return NULL;
	return s;
}

/* Store one raw value into the record, checking type and size. */
static int
import_raw(struct jail_rec *jr, const struct param_def *pd, bool neg,
    const struct iovec *v, uint64_t *set, char *err)
{
	void *field = param_field(pd, jr);
	size_t idx = (size_t)(pd - param_table);
	int iv;

	if (pd->flags & PF_RDONLY) {
		errno = EINVAL;
		return jerr(err, "%s: parameter is read-only", pd->name);
	}
	if (pd->type == PT_STRING) {
		const char *s = v->iov_base;
		size_t len;
		if (s == NULL || v->iov_len == 0 ||
		    (len = strnlen(s, v->iov_len)) == v->iov_len) {
			errno = EINVAL;
			return jerr(err, "%s: not a string", pd->name);
		}
		if (len >= pd->size) {
			errno = ENAMETOOLONG;
			return jerr(err, "%s: value too long (at most %zu bytes)",
			    pd->name, pd->size - 1);
		}
		memcpy(field, s, len + 1);
		set_add(set, idx);
		return 0;
	}
	if (pd->type == PT_JAILSYS && v->iov_base == NULL) {
		iv = !neg ? JAIL_SYS_NEW : (pd->flags & PF_NODISABLE) ?
		    JAIL_SYS_INHERIT : JAIL_SYS_DISABLE;
		neg = false;
	} else if (pd->type == PT_BOOL && v->iov_base == NULL) {
		iv = 1;
	} else if (v->iov_base == NULL || v->iov_len != sizeof(int)) {
		errno = EINVAL;
		return jerr(err, "%s: value must be an integer", pd->name);
	} else {
		memcpy(&iv, v->iov_base, sizeof(int));
	}
	if (pd->type == PT_BOOL) {
		iv = neg ? !iv : iv != 0;
	} else if (pd->type == PT_JAILSYS) {
		if (iv == JAIL_SYS_DISABLE && (pd->flags & PF_NODISABLE)) {
			errno = EINVAL;
			return jerr(err, "%s: \"disable\" is not supported, "
			    "use new or inherit", pd->name);
		}
		if (iv < 0 || iv > 2) {
			errno = EINVAL;
			return jerr(err, "%s: invalid value %d", pd->name, iv);
		}
	} else if (pd->type == PT_UINT && iv < 0) {
		errno = EINVAL;
		return jerr(err, "%s: value must not be negative", pd->name);
	}
	/* Rows sharing one field (sysvipc and friends) must agree. */
	for (size_t i = 0; i < param_count; i++)
		if (i != idx && param_table[i].off == pd->off && set_has(set, i) &&
		    *(int *)field != iv) {
			errno = EINVAL;
			return jerr(err, "%s: must equal %s: Linux has one IPC "
			    "namespace for all three", pd->name,
			    param_table[i].name);
		}
	*(int *)field = iv;
	set_add(set, idx);
	return 0;
}

/*
 * meta.KEY=VALUE sets one key, a bare meta.KEY removes it, in order, over
 * the whole value given in the same call, else the jail's current one.
 */
static int
apply_keys(struct jail_rec *jr, uint64_t *set, int flags,
    const struct iovec *iov, const unsigned *kv, unsigned nkv, char *err)
{
	for (unsigned k = 0; k < nkv; k++) {
		const char *key, *val = iov[kv[k] + 1].iov_base;
		const struct param_def *pd = kv_param(iov[kv[k]].iov_base, &key);
		size_t idx = (size_t)(pd - param_table);
		char *buf = param_field(pd, jr);

		if (val && memchr(val, '\0', iov[kv[k] + 1].iov_len) == NULL) {
			errno = EINVAL;
			return jerr(err, "%s: not a string", pd->name);
		}
		/* on an update, edits of the stored value (merged under the
		 * registry's lock), unless the whole value is given too */
		if ((flags & JAIL_UPDATE) && (!set_has(set, idx) ||
		    buf[0] == KV_EDITS)) {
			set_add(set, idx);
			if (kv_edit(pd, buf, key, val, err) < 0)
				return -1;
			continue;
		}
		set_add(set, idx);
		if (kv_set(pd, buf, key, val, err) < 0)
			return -1;
	}
	return 0;
}

int
jail_set(struct iovec *iov, unsigned int niov, int flags)
{
	char err[JAIL_ERRMSGLEN] = "";
	struct jail_rec jr;
	uint64_t set[SET_WORDS] = { 0 };
	unsigned kv[64], nkv = 0;	/* meta.KEY, env.KEY, in order */
	int rc;

	if (niov % 2 || (flags & ~JAIL_SET_MASK) ||
	    !(flags & (JAIL_CREATE | JAIL_UPDATE)))
		return fail(iov, niov, EINVAL, "jail_set: invalid arguments");
	rec_defaults(&jr);
	for (unsigned i = 0; i < niov; i += 2) {
		const char *pn = iov_name(&iov[i]);
		const struct param_def *pd;
		bool neg;

		if (pn == NULL)
			return fail(iov, niov, EINVAL, "jail_set: bad name");
		if (strcmp(pn, "errmsg") == 0)
			continue;
		const char *key;
		if ((pd = param_lookup(pn, &neg)) == NULL &&
		    kv_param(pn, &key) != NULL && nkv < 64) {
			kv[nkv++] = i;
			continue;
		}
		if (pd == NULL) {
			snprintf(err, sizeof(err), "unknown parameter: %s", pn);
			return fail(iov, niov, ENOENT, err);
		}
		if (import_raw(&jr, pd, neg, &iov[i + 1], set, err) < 0)
			return fail(iov, niov, errno, err);
	}
	if (nkv > 0 && apply_keys(&jr, set, flags, iov, kv, nkv, err) < 0)
		return fail(iov, niov, errno, err);
	if (!jail_inside()) {
		spawn_register();	/* core creates through spawn.c */
		rc = core_set(&jr, set, flags, err);
	} else if ((rc = svc_set(&jr, set, flags, err)) >= 0 &&
	    (flags & JAIL_ATTACH) && core_attach(rc, err) < 0)
		rc = -1;
	if (rc < 0)
		return fail(iov, niov, errno ? errno : EINVAL, err);
	return rc;
}

/* Copy one parameter of jr out to the caller's buffer. */
static int
export_raw(struct jail_rec *jr, const struct param_def *pd, bool neg,
    struct iovec *v, char *err)
{
	void *field = param_field(pd, jr);

	if (pd->type == PT_STRING) {
		size_t len = strlen(field) + 1;
		if (v->iov_base == NULL) {
			v->iov_len = len;
			return 0;
		}
		if (v->iov_len < len) {
			errno = EINVAL;
			return jerr(err, "%s: buffer too small", pd->name);
		}
		memcpy(v->iov_base, field, len);
		v->iov_len = len;
		return 0;
	}
	if (v->iov_base == NULL || v->iov_len != sizeof(int)) {
		errno = EINVAL;
		return jerr(err, "%s: buffer must be an int", pd->name);
	}
	int iv = *(int *)field;
	if (pd->type == PT_BOOL && neg)
		iv = !iv;
	memcpy(v->iov_base, &iv, sizeof(int));
	return 0;
}

int
jail_get(struct iovec *iov, unsigned int niov, int flags)
{
	char err[JAIL_ERRMSGLEN] = "";
	struct jail_rec jr;
	int jid = 0, lastjid = -1;
	unsigned jidi = niov, namei = niov;
	const char *name = NULL;

	if (niov % 2 || (flags & ~JAIL_GET_MASK))
		return fail(iov, niov, EINVAL, "jail_get: invalid arguments");
	for (unsigned i = 0; i < niov; i += 2) {
		const char *pn = iov_name(&iov[i]);
		struct iovec *v = &iov[i + 1];

		if (pn == NULL)
			return fail(iov, niov, EINVAL, "jail_get: bad name");
		if (v->iov_base == NULL)
			continue;
		if (!strcmp(pn, "jid") && v->iov_len == sizeof(int) && !jid) {
			memcpy(&jid, v->iov_base, sizeof(int));
			jidi = i;
		}
		else if (!strcmp(pn, "lastjid") && v->iov_len == sizeof(int))
			memcpy(&lastjid, v->iov_base, sizeof(int));
		else if (!strcmp(pn, "name") && !name &&
		    memchr(v->iov_base, '\0', v->iov_len) &&
		    *(char *)v->iov_base) {
			name = v->iov_base;
			namei = i;
		}
	}
	/* Inside a jail, jid 0 (or "0") is the jail itself as it may see
	 * itself: FreeBSD shows a jail its env (security.jail.env), not its
	 * meta.  (Not when listing: jls passes jid 0 for the answer.) */
	bool self = jid == 0 && lastjid < 0 &&
	    (jidi < niov || (name && !strcmp(name, "0"))) && jail_inside();
	if (jid <= 0 && name == NULL && lastjid < 0 && !self)
		return fail(iov, niov, ENOENT, "no jail specified");
	/* Live values (hostname, addresses, cpuset) are read from the
	 * kernel only if a parameter is asked for: "does it exist" and the
	 * listing of jail -r '*' ask for the key alone. */
	int live = 0;
	for (unsigned i = 0; i < niov; i += 2)
		if (strcmp(iov[i].iov_base, "errmsg") != 0 &&
		    strcmp(iov[i].iov_base, "lastjid") != 0 && i != jidi &&
		    i != namei)
			live = CF_LIVE;
	if (jid > 0 || self)
		name = NULL, lastjid = -1;
	else if (name)
		lastjid = -1;
	if (self && svc_self(&jr, err) == 0)
		gethostname(jr.hostname, sizeof(jr.hostname) - 1);
	else if (self || core_find(&jr, jid, name, lastjid, flags | live,
	    err) < 0) {
		if (errno != ENOENT || lastjid >= 0)
			return fail(iov, niov, errno, err);
		return fail(iov, niov, ENOENT, err);
	}
	for (unsigned i = 0; i < niov; i += 2) {
		const char *pn = iov[i].iov_base;
		const struct param_def *pd;
		bool neg;

		if (!strcmp(pn, "errmsg") || !strcmp(pn, "lastjid"))
			continue;
		if ((i == namei && jid <= 0) || (i == jidi && jid > 0))
			continue;	/* the key itself */
		const char *key;
		if ((pd = param_lookup(pn, &neg)) == NULL &&
		    (pd = kv_param(pn, &key)) != NULL) {
			/* meta.KEY: that key's value, empty if absent */
			struct iovec *v = &iov[i + 1];
			char val[sizeof(jr.meta)];
			kv_get(param_field(pd, &jr), key, val, sizeof(val));
			if (v->iov_base == NULL || v->iov_len <= strlen(val)) {
				if (v->iov_base == NULL) {
					v->iov_len = strlen(val) + 1;
					continue;
				}
				return fail(iov, niov, EINVAL, "buffer too small");
			}
			memcpy(v->iov_base, val, strlen(val) + 1);
			v->iov_len = strlen(val) + 1;
			continue;
		}
		if (pd == NULL) {
			snprintf(err, sizeof(err), "unknown parameter: %s", pn);
			return fail(iov, niov, ENOENT, err);
		}
		if (export_raw(&jr, pd, neg, &iov[i + 1], err) < 0)
			return fail(iov, niov, errno, err);
	}
	return jr.jid;
}

int
jail_remove(int jid)
{
	/* FreeBSD's is a system call with errno alone; the why is kept */
	return core_remove(jid, false, jail_errmsg) < 0 ? -1 : 0;
}

int
jail_remove_nowait(int jid)
{
	return core_remove(jid, true, jail_errmsg) < 0 ? -1 : 0;
}

int
jail_remove_wait(void)
{
	return core_remove_wait(jail_errmsg) < 0 ? -1 : 0;
}

int
jail_attach(int jid)
{
	char err[JAIL_ERRMSGLEN];

	return core_attach(jid, err);
}
