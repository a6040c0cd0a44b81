/*
 * modules/core.c - the jail itself: jid, name, parent, persist,
 * children.max.  Name rules follow FreeBSD: a name that is a number must
 * be the jail's own jid, dots separate parent and child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../vjail.h"

/* Is s valid UTF-8 (no overlong form, surrogate, or beyond U+10FFFF)? */
static bool
utf8_valid(const unsigned char *s)
{
	while (*s) {
		size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 :
		    s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 &&
		    s[0] <= 0xf4 ? 4 : 0;
		if (n == 0)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		if ((n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] >= 0xa0))) ||
		    (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] >= 0x90))))
			return false;
		s += n;
	}
	return true;
}

static int
core_check(struct jail_rec *jr, const struct jail_rec *parent,
    const uint64_t *set, int flags, char *err)
{
	if (set_has_name(set, "jid") && (jr->jid < 0 || jr->jid > JAIL_MAX)) {
		errno = EINVAL;
		return jerr(err, "jid: %d out of range (1 to %d)", jr->jid,
		    JAIL_MAX);
	}
	if (set_has_name(set, "children.max") && jr->children_max < 0) {
		errno = EINVAL;
		return jerr(err, "children.max: must not be negative");
	}
	/* A jail cannot give its children more room than it has itself. */
	if (parent && jr->children_max >= parent->children_max &&
	    jr->children_max > 0) {
		errno = EPERM;
		return jerr(err, "children.max: %d is not below the parent's %d",
		    jr->children_max, parent->children_max);
	}
	if (!(flags & JAIL_CREATE) || !jr->name[0])
		return 0;
	if (mod_check_chars("name", jr->name, false, err) < 0)
		return -1;
	/* A name is how a jail is addressed, also from JSON (jls --libxo),
	 * which cannot carry bytes that are not UTF-8. */
	if (!utf8_valid((const unsigned char *)jr->name)) {
		errno = EINVAL;
		return jerr(err, "name: not valid UTF-8");
	}
	const char *base = strrchr(jr->name, '.');
	base = base ? base + 1 : jr->name;
	if (!*base || jr->name[0] == '.' || strstr(jr->name, "..")) {
		errno = EINVAL;
		return jerr(err, "name: \"%s\" has an empty component",
		    jr->name);
	}
	char *ep;
	long n = strtol(base, &ep, 10);
	if (*ep == '\0' && n != jr->jid) {
		errno = EINVAL;
		return jerr(err, "name: cannot be numeric (unless it is the jid)");
	}
	return 0;
}

const struct module mod_core = {
	.name = "core",
	.check = core_check,
};

