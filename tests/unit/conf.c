/*
 * Unit tier (no root): the jail.conf parser (src/cmd/jail/config.c).
 *
 * The corpus tests/conf/NAME.conf: each valid file has NAME.expect, every
 * jail's resolved parameters one a line ("jail: param=v1,v2", "jail: param"
 * for a bare one; in a value ',' '\' and control characters are escaped
 * C-like); each broken file has NAME.err, the one-line message of parsing
 * or resolving its jails.  Then the API itself.  TAP on stdout.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cmd/jail/config.h"

#include "tap.h"

static void
is_str(const char *got, const char *want, const char *what)
{
	int good = got && want && strcmp(got, want) == 0;

	ok(good, what);
	if (!good)
		printf("#   got: '%s'\n#   expected: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	FILE *m = open_memstream(&s, &len);
	int c;
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(m);
	fclose(f);
	return s;
}

static void
put_escaped(FILE *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == ',')
			fprintf(o, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", o);
		else if (c == '\t')
			fputs("\\t", o);
		else if (c < 0x20 || c == 0x7f)
			fprintf(o, "\\x%02x", c);
		else
			putc(c, o);
	}
}

/*
 * Every jail of conf resolved, in the .expect format; NULL and err if one
 * does not resolve.
 */
static char *
dump(const struct cf_conf *conf, char *err)
{
	char **names, *out = NULL;
	size_t len = 0;
	int n = conf_jail_names(conf, &names), bad = 0;
	FILE *o = open_memstream(&out, &len);

	for (int i = 0; i < n; i++) {
		struct cf_block *b = bad ? NULL : conf_jail(conf, names[i], err);

		bad |= b == NULL;
		for (int k = 0; b && k < b->nparams; k++) {
			const struct cf_param *p = &b->params[k];

			fprintf(o, "%s: %s", names[i], p->name);
			for (int v = 0; v < p->nvals; v++) {
				fputs(v ? "," : "=", o);
				put_escaped(o, p->vals[v]);
			}
			putc('\n', o);
			if (p->vals[p->nvals] != NULL)
				fprintf(o, "vals not NULL-terminated\n");
		}
		conf_block_free(b);
		free(names[i]);
	}
	free(names);
	fclose(o);
	if (bad) {
		free(out);
		return NULL;
	}
	return out;
}

/* tests/conf: each .conf against its .expect or .err */
static void
corpus(void)
{
	glob_t g;
	char err[CONF_ERRLEN], what[512];

	if (chdir("tests/conf") != 0 || glob("*.conf", 0, NULL, &g) != 0) {
		ok(0, "tests/conf/*.conf (run from the top of the tree)");
		return;
	}
	ok(g.gl_pathc >= 20, "the corpus is there");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *f = g.gl_pathv[i];
		char exp[256], erf[256], *want_out, *want_err, *got = NULL;
		struct cf_conf conf;
		int rc;

		snprintf(exp, sizeof(exp), "%.*s.expect", (int)strlen(f) - 5, f);
		snprintf(erf, sizeof(erf), "%.*s.err", (int)strlen(f) - 5, f);
		want_out = slurp(exp);
		want_err = slurp(erf);
		err[0] = '\0';
		rc = conf_parse(f, &conf, err);
		if (rc == 0)
			got = dump(&conf, err);
		if (want_err != NULL) {
			want_err[strcspn(want_err, "\n")] = '\0';
			snprintf(what, sizeof(what), "%s: %s", f, want_err);
			is_str(got ? "(no error)" : err, want_err, what);
		} else if (want_out != NULL) {
			snprintf(what, sizeof(what), "%s: as %s", f, exp);
			is_str(got ? got : err, want_out, what);
		} else {
			snprintf(what, sizeof(what), "%s has a .expect or .err", f);
			ok(0, what);
		}
		if (rc < 0) {
			snprintf(what, sizeof(what), "%s: nothing left after the error", f);
			ok(conf.nblocks == 0 && conf.blocks == NULL &&
			    conf.nfiles == 0 && conf.nvars == 0, what);
		}
		free(got);
		free(want_out);
		free(want_err);
		conf_free(&conf);
	}
	globfree(&g);
	if (chdir("../..") != 0)
		ok(0, "back to the top");
}

static int
parse(const char *text, struct cf_conf *conf, char *err)
{
	return conf_parse_buf("t.conf", text, strlen(text), conf, err);
}

/* The raw parse: blocks, templates, variables, seq. */
static void
raw(void)
{
	struct cf_conf c;
	char err[CONF_ERRLEN], **names;
	int n;

	ok(parse("$g = 1;\na = 'x$y';\nw { $v = \"$g\"; b = ${g}z, \"\\$\"; }\n"
	    "* { c; }\nw { }\n\"q.r\" {}\n", &c, err) == 0, "a file parses");
	ok(c.nblocks == 5 && c.blocks[0].name == NULL, "  blocks[0] is the "
	    "global scope, then each block in file order");
	ok(c.nfiles == 1 && strcmp(c.files[0], "t.conf") == 0 &&
	    c.blocks[0].file == c.files[0], "  files[0] is the buffer's name");
	ok(c.nvars == 1 && strcmp(c.vars[0].name, "g") == 0 &&
	    strcmp(c.vars[0].vals[0], "1") == 0 && c.vars[0].line == 1,
	    "  a global variable is in vars, without '$'");
	is_str(c.blocks[0].params[0].vals[0], "x$$y",
	    "  a literal '$' is \"$$\" in a template");
	ok(c.blocks[1].nparams == 2 &&
	    strcmp(c.blocks[1].params[0].name, "$v") == 0,
	    "  a block's variable is a parameter named \"$v\"");
	is_str(c.blocks[1].params[0].vals[0], "${g}", "  $g is \"${g}\"");
	is_str(c.blocks[1].params[1].vals[0], "${g}z", "  ${g}z is itself");
	is_str(c.blocks[1].params[1].vals[1], "$$", "  \\$ is \"$$\"");
	ok(c.blocks[1].params[1].vals[2] == NULL && c.blocks[1].params[1].nvals == 2,
	    "  values are NULL-terminated");
	ok(c.blocks[2].params[0].nvals == 0 && c.blocks[2].params[0].vals &&
	    c.blocks[2].params[0].vals[0] == NULL, "  a bare name has no values");
	ok(c.vars[0].seq < c.blocks[0].params[0].seq &&
	    c.blocks[0].params[0].seq < c.blocks[1].params[0].seq &&
	    c.blocks[1].params[1].seq < c.blocks[2].params[0].seq,
	    "  seq follows the file");
	n = conf_jail_names(&c, &names);
	ok(n == 2 && strcmp(names[0], "w") == 0 && strcmp(names[1], "q.r") == 0 &&
	    names[2] == NULL, "conf_jail_names: each jail once, not \"*\"");
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);

	struct cf_block *b = conf_jail(&c, "w", err);
	ok(b != NULL && b->nparams == 4, "conf_jail: name, a, b, c");
	if (b) {
		is_str(conf_get(b, "name")->vals[0], "w", "  name is the block's");
		is_str(conf_get(b, "a")->vals[0], "x$y", "  a literal '$' is '$'");
		is_str(conf_get(b, "b")->vals[0], "1z", "  ${g}z");
		is_str(conf_get(b, "b")->vals[1], "$", "  \\$");
		ok(conf_get(b, "$v") == NULL && conf_get(b, "v") == NULL,
		    "  variables are not parameters");
		ok(conf_get(b, "nope") == NULL, "  conf_get of nothing is NULL");
		ok(conf_get(b, "b")->line == 3 && conf_get(b, "b")->file == c.files[0],
		    "  file and line of the statement");
		ok(b->line == 3 && strcmp(b->name, "w") == 0, "  the block's "
		    "name and line are its first block's");
	}
	conf_block_free(b);
	b = conf_jail(&c, "x", err);
	ok(b == NULL, "conf_jail of an undefined jail fails");
	is_str(err, "t.conf: \"x\": no such jail", "  and says so");
	ok(conf_jail(&c, "*", err) == NULL, "conf_jail of \"*\" fails");
	conf_free(&c);
	ok(c.blocks == NULL && c.nblocks == 0, "conf_free empties");
	conf_free(&c);

	ok(parse("# nothing\n", &c, err) == 0 && conf_jail_names(&c, &names) == 0 &&
	    names == NULL, "no jails: 0 and NULL");
	conf_free(&c);
}

static void
errors(void)
{
	struct cf_conf c;
	char err[CONF_ERRLEN];

	ok(conf_parse("/nonexistent/jail.conf", &c, err) < 0, "a missing file");
	is_str(err, "/nonexistent/jail.conf: No such file or directory",
	    "  says which and why");
	ok(c.blocks == NULL && c.nfiles == 0, "  and leaves conf empty");
	ok(conf_parse("tests", &c, err) < 0, "a directory");
	is_str(err, "tests: not a regular file", "  is no file");

	ok(conf_parse_buf("b.conf", "a = 1;\0b = 2;", 13, &c, err) < 0,
	    "a NUL byte in a buffer");
	is_str(err, "b.conf:1: unexpected character 0x00", "  is an error");
	ok(conf_parse_buf("b.conf", "a = 1;", 3, &c, err) < 0,
	    "a buffer ends at len, not at a NUL");
	is_str(err, "b.conf:1: expected a value after '='", "  (a = )");
	ok(conf_parse_buf("b.conf", "", 0, &c, err) == 0 && c.nblocks == 1,
	    "an empty buffer is an empty file");
	conf_free(&c);

	/* relative .include from a buffer named with a directory */
	ok(conf_parse_buf("tests/conf/x.conf", ".include \"inc/c.conf\";", 22,
	    &c, err) == 0 && c.nfiles == 2 && c.nblocks == 2 &&
	    strcmp(c.files[1], "tests/conf/inc/c.conf") == 0,
	    ".include is relative to the including name's directory");
	conf_free(&c);

	/* more than 16 MiB is refused before it is read */
	size_t huge = (16 << 20) + 1;
	char *h = malloc(huge);
	memset(h, ' ', huge);
	ok(conf_parse_buf("h.conf", h, huge, &c, err) < 0, "a buffer over 16 MiB");
	is_str(err, "h.conf: too big (more than 16 MiB)", "  is refused");
	ok(conf_parse_buf("h.conf", h, huge - 1, &c, err) == 0, "16 MiB is not");
	conf_free(&c);
	free(h);

	/* a long value and a long name keep messages bounded */
	size_t big = 100000;
	char *s = malloc(big + 64);
	memset(s, 'x', big);
	strcpy(s + big, " {");
	ok(parse(s, &c, err) < 0 && strlen(err) < CONF_ERRLEN, "a long name "
	    "in an error message is cut");
	free(s);
}

int
main(void)
{
	raw();
	errors();
	corpus();
	return done_testing();
}
