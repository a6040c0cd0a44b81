/*
 * config.h - jail.conf: the grammar (config.c) and its meaning per jail.
 *
 * A file is global parameters, variable assignments and blocks:
 *
 *	# comment   // comment   (and C comments)
 *	.include "/etc/jail.conf.d/NAME.conf";	globs allowed, relative paths
 *						are relative to the file
 *	path = "/var/jail/$name";		global parameter
 *	$domain = "example.org";		user variable
 *	persist;  nopersist;			bare boolean
 *	web {					a jail (hierarchical: "web.db")
 *		host.hostname = "www.${domain}";
 *		ip4.addr += 198.51.100.2;	append to a list
 *		exec.start = "/bin/sh /etc/rc";
 *	}
 *	* { exec.clean; }			wildcard block: every jail
 *
 * Values are words or quoted strings ('...' literal, "..." with escapes
 * \n \t \\ \" and $var expansion), lists are comma-separated. The meaning
 * of a jail is: globals, then "*" blocks, then its own block, in file
 * order; "=" replaces, "+=" appends; then $name / ${name} are expanded
 * from the jail's own parameters (name, path, host.hostname, ...) and
 * user variables.
 *
 * As FreeBSD's jail(8) does it: "in file order" is over all of them, so a
 * "*" block or global parameter written after a jail's block overrides it
 * ("seq" orders the statements).  A "*" may also be a whole component of a
 * wildcard name: "web.*" is every jail below web.  "allow.nomount" and
 * "allow.mount" are one parameter (the later statement wins and names it).
 * The parameter "name" is the block's name and cannot be set.  A value that
 * is only a reference to a list ("ip4.addr = $addrs;") takes the whole list.
 */
#ifndef VJAIL_CONFIG_H
#define VJAIL_CONFIG_H

#include <stddef.h>

#define CONF_ERRLEN 1024

struct cf_param {
	char	*name;		/* e.g. "host.hostname", "persist", "nopersist" */
	char	**vals;		/* NULL-terminated; none for a bare boolean */
	int	 nvals;
	int	 append;	/* "+=" */
	const char *file;	/* where it was written (a string of files[]) */
	int	 line;
	int	 seq;		/* the statement's place in the whole parse */
};

/*
 * In a cf_conf, values are templates: "${x}" is a reference to x (written
 * $x or ${x}) and "$$" a literal '$' (from '$', "\$", a lone $); a user
 * variable set inside a block is a parameter of that block named "$x", one
 * set outside is in vars named "x".  In a block from conf_jail, values are
 * final and there are no variables.
 */

struct cf_block {
	char	*name;		/* jail name, "*" for a wildcard block, NULL for
				   the global scope */
	struct cf_param *params;
	int	 nparams;
	const char *file;
	int	 line;
};

struct cf_conf {
	struct cf_block *blocks;	/* in file order; blocks[0] is global */
	int	 nblocks;
	struct cf_param *vars;		/* user variables ($x = ...;) */
	int	 nvars;
	char	**files;		/* every file read (owned) */
	int	 nfiles;
	/* made at the end of a parse, so that one jail's meaning does not
	 * cost a look at every block (10 000 jails in a file) */
	int	*named;			/* jail blocks by name, then file order */
	int	 nnamed;
	int	*wild;			/* "*" blocks, in file order */
	int	 nwild;
};

/* Parse path (and what it includes). On error: -1 and "file:line: what
 * was expected" in err; conf is then empty. */
int conf_parse(const char *path, struct cf_conf *conf, char *err);
/* The same from a buffer (fuzzing, tests); name is used in messages. */
int conf_parse_buf(const char *name, const char *buf, size_t len,
    struct cf_conf *conf, char *err);
void conf_free(struct cf_conf *conf);

/* Names of the jails the file defines (not "*"), in file order: a
 * malloc'd NULL-terminated array (NULL if none) of malloc'd strings; the
 * count, or -1 without memory. */
int conf_jail_names(const struct cf_conf *conf, char ***names);
/* Does the file define jail name (a block of its own)? */
int conf_has_jail(const struct cf_conf *conf, const char *name);

/*
 * The parameters of one jail as it means them: merged (globals, "*",
 * its block; "=" replaces, "+=" appends), variables expanded, in first-
 * appearance order.  Returns a new block (free with conf_block_free), or
 * NULL with err ("file:line: $foo: undefined variable").  Its "file"s
 * point into conf, which must outlive it.
 */
struct cf_block *conf_jail(const struct cf_conf *conf, const char *name,
    char *err);
void conf_block_free(struct cf_block *b);

/* A parameter of a resolved block, or NULL. */
const struct cf_param *conf_get(const struct cf_block *b, const char *name);

#endif
