/*
 * modules/info.c - parameters FreeBSD's tools and scripts read or set
 * that describe a jail rather than change what it can do: meta and env
 * (FreeBSD 15's jail metadata), osrelease and osreldate, host.hostuuid
 * and host.hostid, and devfs_ruleset (kept for jail(8) and the allow.*
 * rules; no devfs rules exist on Linux).  `interface` is modules/ip.c's.
 *
 * They are stored with the jail and reported, and keep FreeBSD's checks
 * and defaults.  Linux has one uname release and one host id for all
 * namespaces, so osrelease, osreldate, hostuuid and hostid are what the
 * jail says it is, not what uname(2) or gethostid(3) return inside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../vjail.h"

#define NULL_UUID	"00000000-0000-0000-0000-000000000000"

/* Linux's release as FreeBSD's __FreeBSD_version-like number. */
static int
host_reldate(const char *release)
{
	unsigned a = 0, b = 0, c = 0;

	sscanf(release, "%u.%u.%u", &a, &b, &c);
	return (int)(a * 100000 + b * 1000 + (c > 999 ? 999 : c));
}

/* meta and env: "key=value" lines; a newline is their only control
 * character (the registry escapes it). */
static int
check_lines(const char *what, const char *s, char *err)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f) {
			errno = EINVAL;
			return jerr(err, "%s: invalid character in the value",
			    what);
		}
	return 0;
}

static int
info_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	struct utsname u;

	if (set_has_name(set, "devfs_ruleset") &&
	    (jr->devfs_ruleset < 0 || jr->devfs_ruleset > 65535)) {
		errno = EINVAL;
		return jerr(err, "devfs_ruleset: %d out of range (0 to 65535)",
		    jr->devfs_ruleset);
	}
	if (set_has_name(set, "meta") && check_lines("meta", jr->meta, err) < 0)
		return -1;
	if (set_has_name(set, "env") && check_lines("env", jr->env, err) < 0)
		return -1;
	if (set_has_name(set, "host.hostuuid") &&
	    mod_check_chars("host.hostuuid", jr->hostuuid, true, err) < 0)
		return -1;
	if (set_has_name(set, "osrelease") && (!jr->osrelease[0] ||
	    strlen(jr->osrelease) > 31 ||
	    mod_check_chars("osrelease", jr->osrelease, true, err) < 0)) {
		errno = EINVAL;
		return jerr(err, "osrelease string must be 1-31 bytes long");
	}
	if (set_has_name(set, "osreldate") && jr->osreldate <= 0) {
		errno = EINVAL;
		return jerr(err, "osreldate cannot be %s", jr->osreldate ?
		    "negative" : "0");
	}
	if (!(flags & JAIL_CREATE))
		return 0;
	/* FreeBSD's defaults: the parent's (the host's for a top jail) */
	if (!set_has_name(set, "devfs_ruleset"))
		jr->devfs_ruleset = parent ? parent->devfs_ruleset : 0;
	if (!set_has_name(set, "osrelease") && !set_has_name(set, "osreldate") &&
	    parent) {
		snprintf(jr->osrelease, sizeof(jr->osrelease), "%s",
		    parent->osrelease);
		jr->osreldate = parent->osreldate;
	}
	if (!jr->osrelease[0] || !jr->osreldate) {
		if (uname(&u) < 0)
			return jerrno(err, "osrelease: uname");
		if (!jr->osrelease[0])
			snprintf(jr->osrelease, sizeof(jr->osrelease), "%.31s",
			    u.release);
		if (!jr->osreldate)
			jr->osreldate = host_reldate(u.release);
	}
	if (!set_has_name(set, "host.hostuuid"))
		snprintf(jr->hostuuid, sizeof(jr->hostuuid), "%s", NULL_UUID);
	return 0;
}

const struct module mod_info = {
	.name = "info",
	.check = info_check,
};

/*
 * meta.KEY and env.KEY (FreeBSD's JP_KEYVALUE): one key of the buffer.
 * kv_param: the buffer's row for such a name, and where KEY starts.
 */
const struct param_def *
kv_param(const char *name, const char **key)
{
	const char *dot = strchr(name, '.');
	char base[16];
	bool neg;
	const struct param_def *pd;

	if (dot == NULL || dot[1] == '\0' || (size_t)(dot - name) >= sizeof(base))
		return NULL;
	snprintf(base, sizeof(base), "%.*s", (int)(dot - name), name);
	if ((pd = param_lookup(base, &neg)) == NULL || neg ||
	    !(pd->flags & PF_LINES))
		return NULL;
	*key = dot + 1;
	return pd;
}

/* The line of key in buf, or NULL; *len its length with the newline. */
static char *
kv_line(char *buf, const char *key, size_t *len)
{
	size_t kl = strlen(key);

	for (char *l = buf; *l; ) {
		size_t ll = strcspn(l, "\n");
		if (ll > kl && strncmp(l, key, kl) == 0 && l[kl] == '=') {
			*len = ll + (l[ll] == '\n');
			return l;
		}
		l += ll + (l[ll] == '\n');
	}
	return NULL;
}

/* Set key to val in buf (size bytes), or remove it when val is NULL; a
 * new key goes first, as in FreeBSD. */
static int
kv_check(const struct param_def *pd, const char *key, const char *val,
    char *err)
{
	for (const char *c = key; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == '=' || *c == 0x7f) {
			errno = EINVAL;
			return jerr(err, "%s.%s: invalid key", pd->name, key);
		}
	if (!*key) {
		errno = EINVAL;
		return jerr(err, "%s.: invalid key", pd->name);
	}
	if (val && (strchr(val, '\n') || check_lines(pd->name, val, err) < 0)) {
		errno = EINVAL;
		return jerr(err, "%s.%s: invalid character in the value",
		    pd->name, key);
	}
	return 0;
}

int
kv_set(const struct param_def *pd, char *buf, const char *key,
    const char *val, char *err)
{
	size_t len, size = pd->size, kl = strlen(key);
	char *l;

	if (kv_check(pd, key, val, err) < 0)
		return -1;
	if ((l = kv_line(buf, key, &len)) != NULL) {
		memmove(l, l + len, strlen(l + len) + 1);
		if ((len = strlen(buf)) > 0 && buf[len - 1] == '\n')
			buf[len - 1] = '\0';
	}
	if (val == NULL)
		return 0;
	size_t add = kl + 1 + strlen(val) + 1, have = strlen(buf);
	if (have + add >= size) {
		errno = EFBIG;
		return jerr(err, "%s: too large (at most %zu bytes)", pd->name,
		    size - 1);
	}
	memmove(buf + add, buf, have + 1);
	memcpy(buf, key, kl);
	buf[kl] = '=';
	memcpy(buf + kl + 1, val, strlen(val));
	buf[add - 1] = '\n';
	if (have == 0)
		buf[add - 1] = '\0';	/* no trailing newline */
	return 0;
}

/*
 * An update's meta.KEY and env.KEY travel as edits (KV_EDITS, then
 * "key=value" to set, a bare "key" to remove, one a line) and are merged
 * into the stored value under the registry's exclusive lock (kv_merge),
 * so two updates of different keys both land.  kv_edit appends one.
 */
int
kv_edit(const struct param_def *pd, char *buf, const char *key,
    const char *val, char *err)
{
	size_t have = strlen(buf);
	int n;

	if (kv_check(pd, key, val, err) < 0)
		return -1;
	if (have == 0)
		buf[have++] = KV_EDITS;
	n = snprintf(buf + have, pd->size - have, "%s%s%s%s",
	    have > 1 ? "\n" : "", key, val ? "=" : "", val ? val : "");
	if (n < 0 || (size_t)n >= pd->size - have) {
		buf[have] = '\0';
		errno = EFBIG;
		return jerr(err, "%s: too large (at most %zu bytes)", pd->name,
		    pd->size - 1);
	}
	return 0;
}

/* Apply edits (as kv_edit made them) to the value in buf. */
int
kv_merge(const struct param_def *pd, char *buf, const char *edits,
    char *err)
{
	char line[4096];

	if (edits[0] != KV_EDITS)
		return 0;
	for (const char *l = edits + 1; *l; ) {
		size_t ll = strcspn(l, "\n");
		char *eq;
		if (ll >= sizeof(line)) {
			errno = EINVAL;
			return jerr(err, "%s: edit too long", pd->name);
		}
		memcpy(line, l, ll);
		line[ll] = '\0';
		if ((eq = strchr(line, '=')) != NULL)
			*eq++ = '\0';
		if (kv_set(pd, buf, line, eq, err) < 0)
			return -1;
		l += ll + (l[ll] == '\n');
	}
	return 0;
}

/* key's value in buf into out (empty if absent). */
void
kv_get(const char *buf, const char *key, char *out, size_t outlen)
{
	size_t len;
	char *l = kv_line((char *)buf, key, &len);

	if (l == NULL || outlen == 0) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	l += strlen(key) + 1;
	len = strcspn(l, "\n");
	snprintf(out, outlen, "%.*s", (int)len, l);
}
