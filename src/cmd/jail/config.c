/*
 * config.c - jail.conf: a hand-written lexer and recursive-descent parser
 * (one level of blocks, so the only recursion is .include, bounded by
 * CONF_MAX_DEPTH), and the meaning of one jail: its statements merged in
 * file order, then variables expanded (bounded by CONF_MAX_VARDEPTH and
 * CONF_MAX_EXPAND).
 *
 *	conf	 := { stmt | block | ".include" string ";" | ";" }
 *	block	 := string "{" { stmt | ";" } "}"
 *	stmt	 := name [ ("=" | "+=") string { "," string } ] ";"
 *		  | var ("=" | "+=") string { "," string } ";"
 *	string	 := piece { piece }	(adjacent, no blank between)
 *	piece	 := bare-word | '...' | "..." | $name | ${name}
 *
 * A string is kept as a template (see config.h): "${x}" a reference, "$$"
 * a literal '$', everything else itself.
 */
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define CONF_MAX_SIZE	(16 << 20)	/* one file or buffer */
#define CONF_MAX_TOTAL	(64 << 20)	/* every file of one parse */
#define CONF_MAX_FILES	1024
#define CONF_MAX_DEPTH	16		/* .include nesting */
#define CONF_MAX_VARDEPTH 64		/* $a -> $b -> ... */
#define CONF_MAX_EXPAND	(16 << 20)	/* bytes one jail's values expand to */

/* ---- memory ---- */

/* A growable string: a template being read, a value being expanded. */
struct buf {
	char	*s;
	size_t	 len, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/*
 * Room for element n of an array of n: the array itself, a bigger copy,
 * or NULL (the old one still valid).  Capacities are powers of two from 4,
 * so only n's that are such need to grow.
 */
static void *
grown(void *arr, int n, size_t size)
{
	void *p;

	if (arr != NULL && (n < 4 || (n & (n - 1)) != 0))
		return arr;
	if (n > INT_MAX / 4)
		return NULL;
	if ((p = realloc(arr, (size_t)(n < 4 ? 4 : 2 * n) * size)) == NULL)
		return NULL;
	return p;
}

static void
param_free(struct cf_param *p)
{
	free(p->name);
	if (p->vals != NULL)
		for (int i = 0; i < p->nvals; i++)
			free(p->vals[i]);
	free(p->vals);
}

void
conf_block_free(struct cf_block *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < b->nparams; i++)
		param_free(&b->params[i]);
	free(b->params);
	free(b->name);
	free(b);
}

void
conf_free(struct cf_conf *conf)
{
	for (int i = 0; i < conf->nblocks; i++) {
		struct cf_block *b = &conf->blocks[i];

		for (int k = 0; k < b->nparams; k++)
			param_free(&b->params[k]);
		free(b->params);
		free(b->name);
	}
	free(conf->blocks);
	for (int i = 0; i < conf->nvars; i++)
		param_free(&conf->vars[i]);
	free(conf->vars);
	for (int i = 0; i < conf->nfiles; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf->named);
	free(conf->wild);
	memset(conf, 0, sizeof(*conf));
}

/* ---- errors ---- */

static int
fail(char *err, const char *file, int line, const char *fmt, ...)
{
	char msg[CONF_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *c = msg; *c; c++)	/* one line, whatever names hold */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (file != NULL && line > 0)
		snprintf(err, CONF_ERRLEN, "%s:%d: %s", file, line, msg);
	else if (file != NULL)
		snprintf(err, CONF_ERRLEN, "%s: %s", file, msg);
	else
		snprintf(err, CONF_ERRLEN, "%s", msg);
	return -1;
}

/* Can c be in a $name (first: start it)? */
static int
ident(char c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

/* $x, or ${x.y} where x.y is no identifier: as the file would say it */
static const char *
refname(char out[80], const char *name, size_t len)
{
	size_t i = 0;

	if (len > 64)
		len = 64;
	while (i < len && ident(name[i], i == 0))
		i++;
	snprintf(out, 80, i == len ? "$%.*s" : "${%.*s}", (int)len, name);
	return out;
}

/* ---- lexer ---- */

enum { T_EOF, T_STR, T_LBRACE, T_RBRACE, T_SEMI, T_COMMA, T_EQ, T_PLEQ };

struct src {			/* one file being read */
	const char *name;	/* in conf->files */
	const char *p, *end;
	int	 line;
	int	 depth;		/* of .include */
};

struct tok {
	int	 type;
	int	 line, eline;	/* where it starts and ends */
	struct buf t;		/* T_STR: the template */
	int	 nvars;		/* references in it */
	int	 quoted;	/* some of it was quoted or escaped */
};

struct parser {
	struct cf_conf *conf;
	char	*err;
	int	 seq;		/* statements so far */
	size_t	 total;		/* bytes read */
};

static int
space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
oom(struct parser *P, const struct src *s)
{
	return fail(P->err, s->name, s->line, "out of memory");
}

/* Skip blanks and comments (#, //, C). */
static int
skip(struct parser *P, struct src *s)
{
	while (s->p < s->end) {
		char c = *s->p, d = s->p + 1 < s->end ? s->p[1] : '\0';

		if (c == '\n') {
			s->line++;
			s->p++;
		} else if (space(c)) {
			s->p++;
		} else if (c == '#' || (c == '/' && d == '/')) {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (c == '/' && d == '*') {
			int line = s->line;

			for (s->p += 2;; s->p++) {
				if (s->p >= s->end)
					return fail(P->err, s->name, line,
					    "expected '*/' to close a comment");
				if (*s->p == '*' && s->p + 1 < s->end &&
				    s->p[1] == '/')
					break;
				if (*s->p == '\n')
					s->line++;
			}
			s->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

/* Does a string end here: a blank, punctuation, a comment, "+="? */
static int
string_ends(const struct src *s)
{
	char d;

	if (s->p >= s->end)
		return 1;
	d = s->p + 1 < s->end ? s->p[1] : '\0';
	switch (*s->p) {
	case '{': case '}': case ';': case ',': case '=': case '#':
		return 1;
	case '/':
		return d == '/' || d == '*';
	case '+':
		return d == '=';
	}
	return space(*s->p);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A backslash at s->p: C escapes (\a \b \f \n \r \t \v, \NNN octal, \xHH),
 * a line continuation, or the next character itself.
 */
static int
escape(struct parser *P, struct src *s, struct tok *t)
{
	const char *p = s->p + 1;
	unsigned v = 0;
	int n = 0;
	char c;

	if (p >= s->end)
		return fail(P->err, s->name, s->line,
		    "expected a character after '\\'");
	switch (*p) {
	case '\n':
		s->line++;
		s->p = p + 1;
		return 0;
	case '\r':
		if (p + 1 < s->end && p[1] == '\n') {
			s->line++;
			s->p = p + 2;
			return 0;
		}
		c = '\r';
		break;
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	case 'x':
		while (n < 2 && p + 1 < s->end && hexval(p[1]) >= 0)
			v = v * 16 + (unsigned)hexval(*++p), n++;
		if (n == 0)
			return fail(P->err, s->name, s->line,
			    "expected hex digits after '\\x'");
		c = (char)v;
		break;
	case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7':
		v = (unsigned)(*p - '0');
		while (++n < 3 && p + 1 < s->end && p[1] >= '0' && p[1] <= '7')
			v = v * 8 + (unsigned)(*++p - '0');
		if (v > 0377)
			return fail(P->err, s->name, s->line,
			    "expected an octal escape up to \\377");
		c = (char)v;
		break;
	default:
		c = *p;
	}
	if (c == '\0')
		return fail(P->err, s->name, s->line,
		    "a NUL character cannot be in a string");
	s->p = p + 1;
	t->quoted = 1;
	if (c == '$' ? buf_add(&t->t, "$$", 2) : buf_add(&t->t, &c, 1))
		return oom(P, s);
	return 0;
}

/* A '$' at s->p: $name or ${name} is a reference, otherwise a literal $. */
static int
dollar(struct parser *P, struct src *s, struct tok *t)
{
	const char *p = s->p + 1, *name;
	int brace = 0;

	if (p < s->end && *p == '{') {
		for (name = ++p; p < s->end && *p != '}'; p++)
			if (strchr("{\"\\$\n", *p) != NULL)	/* or NUL */
				break;
		if (p >= s->end || *p != '}')
			return fail(P->err, s->name, s->line,
			    "expected '}' to close '${'");
		if (p == name)
			return fail(P->err, s->name, s->line,
			    "expected a variable name in '${}'");
		brace = 1;
	} else if (p < s->end && ident(*p, 1)) {
		for (name = p; p < s->end && ident(*p, 0); p++)
			;
	} else {
		s->p++;
		return buf_add(&t->t, "$$", 2) ? oom(P, s) : 0;
	}
	if (buf_add(&t->t, "${", 2) ||
	    buf_add(&t->t, name, (size_t)(p - name)) || buf_add(&t->t, "}", 1))
		return oom(P, s);
	t->nvars++;
	s->p = p + brace;
	return 0;
}

/* A quoted piece at s->p: '...' (no variables) or "..." (variables). */
static int
quoted(struct parser *P, struct src *s, struct tok *t)
{
	char q = *s->p++;
	int line = s->line;

	t->quoted = 1;
	for (;;) {
		if (s->p >= s->end)
			return fail(P->err, s->name, line, q == '"' ?
			    "expected '\"' to close the string" :
			    "expected \"'\" to close the string");
		if (*s->p == q) {
			s->p++;
			return 0;
		}
		if (*s->p == '\\') {
			if (escape(P, s, t))
				return -1;
		} else if (*s->p == '$' && q == '"') {
			if (dollar(P, s, t))
				return -1;
		} else if (*s->p == '$') {
			if (buf_add(&t->t, "$$", 2))
				return oom(P, s);
			s->p++;
		} else if (*s->p == '\0') {
			return fail(P->err, s->name, s->line,
			    "a NUL character cannot be in a string");
		} else {
			if (*s->p == '\n')
				s->line++;
			if (buf_add(&t->t, s->p++, 1))
				return oom(P, s);
		}
	}
}

/* A string: pieces up to a blank, punctuation or comment. */
static int
string(struct parser *P, struct src *s, struct tok *t)
{
	while (!string_ends(s)) {
		unsigned char c = (unsigned char)*s->p;

		if (c == '\'' || c == '"') {
			if (quoted(P, s, t))
				return -1;
		} else if (c == '\\') {
			if (escape(P, s, t))
				return -1;
		} else if (c == '$') {
			if (dollar(P, s, t))
				return -1;
		} else if (c < 0x20 || c == 0x7f) {
			return fail(P->err, s->name, s->line,
			    "unexpected character 0x%02x", c);
		} else if (buf_add(&t->t, s->p++, 1)) {
			return oom(P, s);
		}
	}
	return 0;
}

static int
lex(struct parser *P, struct src *s, struct tok *t)
{
	static const char punct[] = "{};,=";
	static const int type[] = { T_LBRACE, T_RBRACE, T_SEMI, T_COMMA, T_EQ };
	const char *c;

	t->t.len = 0;
	if (t->t.s != NULL)
		t->t.s[0] = '\0';
	t->nvars = t->quoted = 0;
	if (skip(P, s))
		return -1;
	t->line = t->eline = s->line;
	if (s->p >= s->end) {
		t->type = T_EOF;
	} else if (*s->p != '\0' && (c = strchr(punct, *s->p)) != NULL) {
		t->type = type[c - punct];
		s->p++;
	} else if (*s->p == '+' && s->p + 1 < s->end && s->p[1] == '=') {
		t->type = T_PLEQ;
		s->p += 2;
	} else {
		t->type = T_STR;
		if (string(P, s, t))
			return -1;
		if (t->t.s == NULL && buf_add(&t->t, "", 0))
			return oom(P, s);
	}
	t->eline = s->line;
	return 0;
}

/* ---- parser ---- */

/* Is template t (len) one reference and nothing else? */
static int
sole_ref(const char *t, size_t len)
{
	return len >= 3 && t[0] == '$' && t[1] == '{' &&
	    memchr(t + 2, '}', len - 2) == t + len - 1;
}

/* The text of a template without references ("$$" is '$'). */
static char *
untemplate(const char *t)
{
	char *s = malloc(strlen(t) + 1), *d = s;

	if (s == NULL)
		return NULL;
	for (; *t; t++)
		if ((*d++ = *t) == '$' && t[1] == '$')
			t++;
	*d = '\0';
	return s;
}

/* Append a new parameter (name taken) to *arr; NULL without memory. */
static struct cf_param *
param_new(struct parser *P, const struct src *s, struct cf_param **arr,
    int *n, char *name, int line)
{
	struct cf_param *p = grown(*arr, *n, sizeof(**arr));

	if (p != NULL) {
		*arr = p;
		p += *n;
		p->vals = calloc(4, sizeof(char *));	/* grown()'s least */
	}
	if (p == NULL || p->vals == NULL) {
		free(name);
		return NULL;
	}
	(*n)++;
	p->name = name;
	p->nvals = 0;
	p->append = 0;
	p->file = s->name;
	p->line = line;
	p->seq = ++P->seq;
	return p;
}

/* "= a, b, c;" after a name: the values of p. */
static int
values(struct parser *P, struct src *s, struct tok *t, struct cf_param *p)
{
	for (;;) {
		char *v, **vals;

		if (lex(P, s, t))
			return -1;
		if (t->type != T_STR)
			return fail(P->err, s->name, t->line,
			    p->nvals ? "expected a value after ','" :
			    p->append ? "expected a value after '+='" :
			    "expected a value after '='");
		vals = grown(p->vals, p->nvals + 1, sizeof(char *));
		if (vals == NULL)
			return oom(P, s);
		p->vals = vals;
		if ((v = malloc(t->t.len + 1)) == NULL)
			return oom(P, s);
		memcpy(v, t->t.s, t->t.len + 1);
		p->vals[p->nvals++] = v;
		p->vals[p->nvals] = NULL;
		int eline = t->eline;
		if (lex(P, s, t))
			return -1;
		if (t->type == T_SEMI)
			return 0;
		if (t->type != T_COMMA)
			return fail(P->err, s->name, eline,
			    "expected ';' after parameter value");
	}
}

/* Is name a wildcard ("*", "web.*", "*.db")? -1 for a misplaced '*'. */
static int
wildcard(const char *name)
{
	int wild = 0;

	for (const char *c = strchr(name, '*'); c; c = strchr(c + 1, '*')) {
		if ((c != name && c[-1] != '.') ||
		    (c[1] != '\0' && c[1] != '.'))
			return -1;
		wild = 1;
	}
	return wild;
}

static int statement(struct parser *, struct src *, struct tok *, int);

/* "name { ... }", the '{' read; name is taken. */
static int
block(struct parser *P, struct src *s, struct tok *t, char *name, int line)
{
	struct cf_conf *conf = P->conf;
	struct cf_block *b;
	int bi;

	if (*name == '\0' || wildcard(name) < 0) {
		fail(P->err, s->name, line, *name ? "expected a jail name "
		    "('*' only as a whole component: *, web.*), not \"%.64s\"" :
		    "expected a jail name before '{'", name);
		free(name);
		return -1;
	}
	if ((b = grown(conf->blocks, conf->nblocks, sizeof(*b))) == NULL) {
		free(name);
		return oom(P, s);
	}
	conf->blocks = b;
	bi = conf->nblocks++;
	b = &conf->blocks[bi];
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->file = s->name;
	b->line = line;
	for (;;) {
		if (lex(P, s, t))
			return -1;
		switch (t->type) {
		case T_RBRACE:
			return 0;
		case T_SEMI:
			continue;
		case T_STR:
			if (!t->quoted && strcmp(t->t.s, ".include") == 0)
				return fail(P->err, s->name, t->line,
				    "expected '}' before .include (it is "
				    "not allowed inside a jail block)");
			if (statement(P, s, t, bi))
				return -1;
			continue;
		case T_EOF:
			return fail(P->err, s->name, t->line, "expected '}' to "
			    "close \"%.64s\" (line %d)", conf->blocks[bi].name,
			    line);
		default:
			return fail(P->err, s->name, t->line,
			    "expected a parameter or '}'");
		}
	}
}

/*
 * A statement whose first string is in t: a parameter, a variable, or (at
 * the top, bi 0) a block.
 */
static int
statement(struct parser *P, struct src *s, struct tok *t, int bi)
{
	struct cf_conf *conf = P->conf;
	struct cf_param *p;
	char *name;
	int line = t->line, var = sole_ref(t->t.s, t->t.len);

	if (var) {
		if ((name = malloc(t->t.len)) == NULL)
			return oom(P, s);
		/* "${x}" -> "x", or "$x" in a block */
		snprintf(name, t->t.len, "%s%.*s", bi ? "$" : "",
		    (int)t->t.len - 3, t->t.s + 2);
	} else if (t->nvars) {
		return fail(P->err, s->name, line, "expected a name without "
		    "variables, not \"%.64s\"", t->t.s);
	} else if ((name = untemplate(t->t.s)) == NULL) {
		return oom(P, s);
	}
	if (lex(P, s, t))
		goto bad;
	if (t->type == T_LBRACE && bi == 0 && !var)
		return block(P, s, t, name, line);
	if (t->type == T_LBRACE && bi == 0) {
		fail(P->err, s->name, line,
		    "expected a jail name, not a variable");
		goto bad;
	}
	if (t->type != T_SEMI && t->type != T_EQ && t->type != T_PLEQ) {
		fail(P->err, s->name, t->line, t->type == T_LBRACE ?
		    "expected '=', '+=' or ';' after \"%.64s\" "
		    "(jail blocks do not nest)" : bi ?
		    "expected '=', '+=' or ';' after \"%.64s\"" :
		    "expected '=', '+=', ';' or '{' after \"%.64s\"", name);
		goto bad;
	}
	if (var && t->type == T_SEMI) {
		char rn[80];
		const char *vn = name + (bi != 0);

		fail(P->err, s->name, t->line, "expected '=' or '+=' after "
		    "variable %s", refname(rn, vn, strlen(vn)));
		goto bad;
	}
	if (!var && (*name == '\0' || *name == '$')) {
		fail(P->err, s->name, line, "expected a parameter name, not "
		    "\"%.64s\"", name);
		goto bad;
	}
	p = var && bi == 0 ?
	    param_new(P, s, &conf->vars, &conf->nvars, name, line) :
	    param_new(P, s, &conf->blocks[bi].params,
	    &conf->blocks[bi].nparams, name, line);
	if (p == NULL)
		return oom(P, s);
	if (t->type == T_SEMI)
		return 0;
	p->append = t->type == T_PLEQ;
	return values(P, s, t, p);
bad:
	free(name);
	return -1;
}

static int parse_path(struct parser *, const char *, int, const struct src *,
    int);

/* ".include" read: the file name, ';', then every file it globs to. */
static int
include(struct parser *P, struct src *s, struct tok *t)
{
	int line = t->line, rc = 0;
	char *pat, *path;
	const char *slash;
	glob_t g;

	if (lex(P, s, t))
		return -1;
	if (t->type != T_STR || t->nvars)
		return fail(P->err, s->name, t->line,
		    "expected a file name (without variables) after .include");
	if ((pat = untemplate(t->t.s)) == NULL)
		return oom(P, s);
	if (lex(P, s, t)) {
		free(pat);
		return -1;
	}
	if (t->type != T_SEMI) {
		free(pat);
		return fail(P->err, s->name, t->line,
		    "expected ';' after .include file name");
	}
	if (s->depth >= CONF_MAX_DEPTH) {
		free(pat);
		return fail(P->err, s->name, line, ".include nested more than "
		    "%d deep (does a file include itself?)", CONF_MAX_DEPTH);
	}
	/* relative to the directory of the including file */
	slash = strrchr(s->name, '/');
	if (pat[0] == '/' || slash == NULL) {
		path = pat;
	} else {
		size_t dl = (size_t)(slash - s->name) + 1, pl = strlen(pat) + 1;

		if ((path = malloc(dl + pl)) != NULL) {
			memcpy(path, s->name, dl);
			memcpy(path + dl, pat, pl);
		}
		free(pat);
		if (path == NULL)
			return oom(P, s);
	}
	switch (glob(path, 0, NULL, &g)) {
	case 0:
		for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
			rc = parse_path(P, g.gl_pathv[i], s->depth + 1, s,
			    line);
		globfree(&g);
		break;
	case GLOB_NOMATCH:	/* nothing for a pattern, an error for a name */
		if (strpbrk(path, "*?[") == NULL)
			rc = fail(P->err, s->name, line, ".include \"%s\": %s",
			    path, strerror(ENOENT));
		break;
	default:
		rc = fail(P->err, s->name, line, ".include \"%s\": cannot "
		    "expand the pattern", path);
	}
	free(path);
	return rc;
}

/* Everything of one file or buffer. */
static int
parse_src(struct parser *P, struct src *s)
{
	struct tok t = { 0 };
	int rc = -1;

	for (;;) {
		if (lex(P, s, &t))
			break;
		if (t.type == T_EOF) {
			rc = 0;
			break;
		}
		if (t.type == T_SEMI)
			continue;
		if (t.type != T_STR) {
			fail(P->err, s->name, t.line,
			    "expected a parameter, a variable or a jail name");
			break;
		}
		if (!t.quoted && strcmp(t.t.s, ".include") == 0 ?
		    include(P, s, &t) : statement(P, s, &t, 0))
			break;
	}
	free(t.t.s);
	return rc;
}

static int
parse_buf(struct parser *P, const char *name, const char *buf, size_t len,
    int depth)
{
	struct cf_conf *conf = P->conf;
	struct src s;
	char **files;

	if (conf->nfiles >= CONF_MAX_FILES)
		return fail(P->err, name, 0, "more than %d files",
		    CONF_MAX_FILES);
	if ((files = grown(conf->files, conf->nfiles, sizeof(char *))) == NULL)
		return fail(P->err, name, 0, "out of memory");
	conf->files = files;
	if ((files[conf->nfiles] = strdup(name)) == NULL)
		return fail(P->err, name, 0, "out of memory");
	s.name = files[conf->nfiles++];
	if (len > CONF_MAX_SIZE)
		return fail(P->err, name, 0, "too big (more than %d MiB)",
		    CONF_MAX_SIZE >> 20);
	if ((P->total += len) > CONF_MAX_TOTAL)
		return fail(P->err, name, 0, "too big (files included add up "
		    "to more than %d MiB)", CONF_MAX_TOTAL >> 20);
	s.p = buf;
	s.end = buf + len;
	s.line = 1;
	s.depth = depth;
	return parse_src(P, &s);
}

/* Read and parse path; from:line is the .include that names it, if any. */
static int
parse_path(struct parser *P, const char *path, int depth,
    const struct src *from, int line)
{
	struct buf b = { 0 };
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int fd, rc, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	while (e == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno != EINTR)
			e = errno;
		else if (n > 0 && b.len + (size_t)n > CONF_MAX_SIZE)
			e = EFBIG;
		else if (n > 0 && buf_add(&b, chunk, (size_t)n))
			e = ENOMEM;
	}
	if (fd >= 0)
		close(fd);
	if (e != 0) {
		const char *why = e == EINVAL ? "not a regular file" :
		    e == EFBIG ? "too big" : strerror(e);

		free(b.s);
		if (from != NULL)
			return fail(P->err, from->name, line,
			    ".include \"%s\": %s", path, why);
		return fail(P->err, path, 0, "%s", why);
	}
	rc = parse_buf(P, path, b.s ? b.s : "", b.len, depth);
	free(b.s);
	return rc;
}

/* The global scope is blocks[0], there before anything is read. */
static int
parse_start(struct parser *P, struct cf_conf *conf, char *err)
{
	memset(conf, 0, sizeof(*conf));
	err[0] = '\0';
	P->conf = conf;
	P->err = err;
	P->seq = 0;
	P->total = 0;
	if ((conf->blocks = grown(NULL, 0, sizeof(*conf->blocks))) == NULL)
		return fail(err, NULL, 0, "out of memory");
	memset(conf->blocks, 0, sizeof(*conf->blocks));
	conf->nblocks = 1;
	return 0;
}

static int
by_name(const void *a, const void *b, void *arg)
{
	const struct cf_block *bl = arg;
	int x = *(const int *)a, y = *(const int *)b,
	    c = strcmp(bl[x].name, bl[y].name);

	return c ? c : x - y;
}

/* The blocks by name, and the wildcard ones (see struct cf_conf). */
static int
index_blocks(struct cf_conf *conf)
{
	int n = conf->nblocks;

	if ((conf->named = malloc(sizeof(int) * (size_t)n)) == NULL ||
	    (conf->wild = malloc(sizeof(int) * (size_t)n)) == NULL)
		return -1;
	for (int i = 1; i < n; i++) {
		if (wildcard(conf->blocks[i].name) != 0)
			conf->wild[conf->nwild++] = i;
		else
			conf->named[conf->nnamed++] = i;
	}
	qsort_r(conf->named, (size_t)conf->nnamed, sizeof(int), by_name,
	    conf->blocks);
	return 0;
}

static int
parse_end(struct cf_conf *conf, int rc, char *err)
{
	if (rc >= 0 && index_blocks(conf) < 0)
		rc = fail(err, NULL, 0, "out of memory");
	if (rc < 0)
		conf_free(conf);
	else if (conf->nfiles > 0)
		conf->blocks[0].file = conf->files[0];
	return rc < 0 ? -1 : 0;
}

/* The first of the blocks named name in conf->named, or -1. */
static int
first_named(const struct cf_conf *conf, const char *name)
{
	int lo = 0, hi = conf->nnamed;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(conf->blocks[conf->named[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < conf->nnamed &&
	    strcmp(conf->blocks[conf->named[lo]].name, name) == 0 ? lo : -1;
}

int
conf_parse(const char *path, struct cf_conf *conf, char *err)
{
	struct parser P;

	if (parse_start(&P, conf, err))
		return -1;
	return parse_end(conf, parse_path(&P, path, 0, NULL, 0), err);
}

int
conf_parse_buf(const char *name, const char *buf, size_t len,
    struct cf_conf *conf, char *err)
{
	struct parser P;

	if (parse_start(&P, conf, err))
		return -1;
	return parse_end(conf, parse_buf(&P, name, buf, len, 0), err);
}

/* ---- the meaning of one jail ---- */

int
conf_has_jail(const struct cf_conf *conf, const char *name)
{
	return wildcard(name) == 0 && first_named(conf, name) >= 0;
}

int
conf_jail_names(const struct cf_conf *conf, char ***names)
{
	char **v = NULL;
	int n = 0;

	*names = NULL;
	for (int i = 1; i < conf->nblocks; i++) {
		const char *name = conf->blocks[i].name;
		int f;

		/* a jail once, where its first block is */
		if (wildcard(name) != 0 || (f = first_named(conf, name)) < 0 ||
		    conf->named[f] != i)
			continue;
		char **nv = grown(v, n + 1, sizeof(char *));
		if (nv == NULL || (v = nv, v[n] = strdup(name)) == NULL) {
			while (n > 0)
				free(v[--n]);
			free(v);
			return -1;
		}
		v[++n] = NULL;
	}
	*names = v;
	return n;
}

const struct cf_param *
conf_get(const struct cf_block *b, const char *name)
{
	for (int i = 0; b != NULL && i < b->nparams; i++)
		if (strcmp(b->params[i].name, name) == 0)
			return &b->params[i];
	return NULL;
}

/* "a" and "noa", "x.a" and "x.noa": one parameter, as FreeBSD's equalopts */
static int
no_of(const char *a, const char *b)
{
	return a[0] == 'n' && a[1] == 'o' && strcmp(a + 2, b) == 0;
}

static int
same_param(const char *a, const char *b)
{
	const char *dot;

	if (strcmp(a, b) == 0 || no_of(a, b) || no_of(b, a))
		return 1;
	while ((dot = strchr(a, '.')) != NULL) {
		size_t k = (size_t)(dot - a) + 1;

		if (strncmp(a, b, k) != 0)
			return 0;
		a += k;
		b += k;
		if (no_of(a, b) || no_of(b, a))
			return 1;
	}
	return 0;
}

/* Does jail name j match wildcard w?  A "*" is one component, a last one
 * one or more ("web.*" is web.db and web.db.x). */
static int
wild_match(const char *j, const char *w)
{
	for (;;) {
		const char *jd = strchr(j, '.'), *wd = strchr(w, '.');

		if (wd == NULL)
			return strcmp(w, "*") == 0 || strcmp(j, w) == 0;
		if (jd == NULL)
			return 0;
		if (!(w[0] == '*' && w + 1 == wd) &&
		    (jd - j != wd - w || strncmp(j, w, (size_t)(jd - j)) != 0))
			return 0;
		j = jd + 1;
		w = wd + 1;
	}
}

struct val {			/* a value and where it was written */
	char	*s;
	const char *file;
	int	 line;
};

struct ent {			/* a parameter or variable of the jail */
	char	*name;
	int	 var;
	struct val *v;
	int	 n;
	const char *file;	/* the last statement that set it */
	int	 line;
	int	 state;		/* 0 templates, 1 expanding, 2 done */
};

struct jail {
	struct ent *e;
	int	 n;
	char	*err;
	size_t	 left;		/* of CONF_MAX_EXPAND */
};

struct stmt {
	const struct cf_param *p;
	const char *name;	/* without the '$' of a variable */
	int	 var;
};

static int
by_seq(const void *a, const void *b)
{
	int x = ((const struct stmt *)a)->p->seq;
	int y = ((const struct stmt *)b)->p->seq;

	return (x > y) - (x < y);
}

static void
vals_free(struct val *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

static int
val_push(struct jail *J, struct val **v, int *n, char *s, const char *file,
    int line)
{
	struct val *nv = grown(*v, *n, sizeof(**v));

	if (nv == NULL) {
		free(s);
		return fail(J->err, file, line, "out of memory");
	}
	*v = nv;
	nv[*n].s = s;
	nv[*n].file = file;
	nv[(*n)++].line = line;
	return 0;
}

/* One statement on top of what the jail has so far. */
static int
apply(struct jail *J, const struct stmt *st)
{
	const struct cf_param *p = st->p;
	struct ent *e = NULL;
	char rn[80];

	for (int i = 0; i < J->n; i++) {
		struct ent *x = &J->e[i];

		if (x->var != st->var && strcmp(x->name, st->name) == 0)
			return fail(J->err, p->file, p->line, "%s: a variable "
			    "and a parameter cannot have the same name",
			    refname(rn, st->name, strlen(st->name)));
		if (e != NULL || x->var != st->var || (st->var ?
		    strcmp(x->name, st->name) : !same_param(x->name, st->name)))
			continue;
		if (i == 0)
			return fail(J->err, p->file, p->line,
			    "%s: cannot redefine the jail's name", p->name);
		e = x;
	}
	if (e == NULL) {
		struct ent *ne = grown(J->e, J->n, sizeof(*J->e));

		if (ne == NULL)
			return fail(J->err, p->file, p->line, "out of memory");
		J->e = ne;
		e = &J->e[J->n++];
		memset(e, 0, sizeof(*e));
		e->var = st->var;
	}
	if (e->name == NULL || strcmp(e->name, st->name) != 0) {
		/* "noa" after "a": the name the file says last */
		char *nn = strdup(st->name);

		if (nn == NULL)
			return fail(J->err, p->file, p->line, "out of memory");
		free(e->name);
		e->name = nn;
	}
	if (!p->append) {
		vals_free(e->v, e->n);
		e->v = NULL;
		e->n = 0;
	}
	for (int i = 0; i < p->nvals; i++) {
		char *s = strdup(p->vals[i]);

		if (s == NULL || val_push(J, &e->v, &e->n, s, p->file, p->line))
			return fail(J->err, p->file, p->line, "out of memory");
	}
	e->file = p->file;
	e->line = p->line;
	return 0;
}

static int expand_ent(struct jail *, struct ent *, int);

/* The entry a reference names, expanded; NULL and err if there is none. */
static struct ent *
lookup(struct jail *J, const char *name, size_t len, const struct val *from,
    int depth)
{
	char rn[80];

	refname(rn, name, len);
	for (int i = 0; i < J->n; i++) {
		struct ent *e = &J->e[i];

		if (strlen(e->name) != len || memcmp(e->name, name, len) != 0)
			continue;
		if (e->state == 1) {
			fail(J->err, from->file, from->line, "%s: variable "
			    "loop", rn);
			return NULL;
		}
		if (e->state == 0 && depth >= CONF_MAX_VARDEPTH) {
			fail(J->err, from->file, from->line, "%s: variables "
			    "nested more than %d deep", rn, CONF_MAX_VARDEPTH);
			return NULL;
		}
		if (expand_ent(J, e, depth + 1))
			return NULL;
		if (e->n == 0) {
			fail(J->err, from->file, from->line, "%s: variable has "
			    "no value", rn);
			return NULL;
		}
		return e;
	}
	fail(J->err, from->file, from->line, "%s: undefined variable", rn);
	return NULL;
}

/* Take n bytes of the budget. */
static int
spend(struct jail *J, size_t n, const struct val *from, const char *what,
    size_t wlen)
{
	char rn[80];

	if (n <= J->left) {
		J->left -= n;
		return 0;
	}
	return fail(J->err, from->file, from->line, "%s: expands to more "
	    "than %d MiB", refname(rn, what, wlen), CONF_MAX_EXPAND >> 20);
}

/* One template value into *out (a list reference alone gives a list). */
static int
expand_val(struct jail *J, const struct val *v, struct val **out, int *nout,
    int depth)
{
	const char *t = v->s, *q;
	struct buf b = { 0 };
	struct ent *e;
	size_t len = strlen(t);
	char rn[80];

	if (sole_ref(t, len)) {
		if ((e = lookup(J, t + 2, len - 3, v, depth)) == NULL)
			return -1;
		for (int i = 0; i < e->n; i++) {
			char *s;

			if (spend(J, strlen(e->v[i].s) + 16, v, t + 2, len - 3))
				return -1;
			if ((s = strdup(e->v[i].s)) == NULL ||
			    val_push(J, out, nout, s, v->file, v->line))
				return fail(J->err, v->file, v->line,
				    "out of memory");
		}
		return 0;
	}
	for (; *t; t = q) {
		const char *add = t;
		size_t n;

		if (t[0] == '$' && t[1] == '$') {
			n = 1;
			q = t + 2;
		} else if (t[0] == '$' && t[1] == '{' &&
		    (q = strchr(t + 2, '}')) != NULL) {
			e = lookup(J, t + 2, (size_t)(q - t - 2), v, depth);
			if (e == NULL)
				goto bad;
			if (e->n > 1) {
				fail(J->err, v->file, v->line, "%s: a list "
				    "cannot be substituted inside a string",
				    refname(rn, t + 2, (size_t)(q - t - 2)));
				goto bad;
			}
			add = e->v[0].s;
			n = strlen(add);
			if (spend(J, n, v, t + 2, (size_t)(q - t - 2)))
				goto bad;
			q++;
		} else {
			q = strchr(t + 1, '$');
			q = q ? q : t + strlen(t);
			n = (size_t)(q - t);
		}
		if (buf_add(&b, add, n)) {
			fail(J->err, v->file, v->line, "out of memory");
			goto bad;
		}
	}
	if (b.s == NULL && (b.s = strdup("")) == NULL)
		return fail(J->err, v->file, v->line, "out of memory");
	if (spend(J, 16, v, "", 0)) {
		free(b.s);
		return -1;
	}
	return val_push(J, out, nout, b.s, v->file, v->line);
bad:
	free(b.s);
	return -1;
}

static int
expand_ent(struct jail *J, struct ent *e, int depth)
{
	struct val *nv = NULL;
	int nn = 0;

	if (e->state == 2)
		return 0;
	e->state = 1;
	for (int i = 0; i < e->n; i++)
		if (expand_val(J, &e->v[i], &nv, &nn, depth)) {
			vals_free(nv, nn);
			return -1;
		}
	vals_free(e->v, e->n);
	e->v = nv;
	e->n = nn;
	e->state = 2;
	return 0;
}

/* The resolved block: the parameters (not variables), moved out of J. */
static struct cf_block *
jail_block(struct jail *J, const char *name, const struct cf_block *own)
{
	struct cf_block *b = calloc(1, sizeof(*b));

	if (b == NULL || (b->name = strdup(name)) == NULL ||
	    (b->params = calloc((size_t)J->n, sizeof(*b->params))) == NULL)
		goto bad;
	b->file = own->file;
	b->line = own->line;
	for (int i = 0; i < J->n; i++) {
		struct ent *e = &J->e[i];
		struct cf_param *p;

		if (e->var)
			continue;
		p = &b->params[b->nparams++];
		p->file = e->file;
		p->line = e->line;
		p->seq = b->nparams;
		p->vals = calloc((size_t)e->n + 1, sizeof(char *));
		if (p->vals == NULL)
			goto bad;
		p->name = e->name;
		e->name = NULL;
		for (int k = 0; k < e->n; k++) {
			p->vals[k] = e->v[k].s;
			e->v[k].s = NULL;
		}
		p->nvals = e->n;
	}
	return b;
bad:
	conf_block_free(b);
	fail(J->err, own->file, own->line, "out of memory");
	return NULL;
}

/* Do the statements of block i apply to jail name (own: its own block)? */
static int
applies(const struct cf_conf *conf, int i, const char *name, int *own)
{
	const char *bn = conf->blocks[i].name;
	int w = i ? wildcard(bn) : 1;

	*own = w == 0 && strcmp(bn, name) == 0;
	return i == 0 || *own ||
	    (w == 1 && wildcard(name) == 0 && wild_match(name, bn));
}

struct cf_block *
conf_jail(const struct cf_conf *conf, const char *name, char *err)
{
	struct jail J = { NULL, 0, err, CONF_MAX_EXPAND };
	struct stmt *st = NULL;
	const struct cf_block *own = NULL;
	struct cf_block *b = NULL;
	struct val *nv;
	int n = 0, cap = conf->nvars, mine;

	err[0] = '\0';
	/* the statements that apply: globals, matching wildcards, its own
	 * blocks (by the index: not a look at every block of the file) */
	int first = first_named(conf, name), nown = 0, *pick;
	if ((pick = malloc(sizeof(int) * (size_t)(conf->nwild + 1 +
	    conf->nnamed))) == NULL) {
		fail(err, NULL, 0, "out of memory");
		return NULL;
	}
	pick[nown++] = 0;
	for (int i = 0; i < conf->nwild; i++)
		if (applies(conf, conf->wild[i], name, &mine))
			pick[nown++] = conf->wild[i];
	for (int i = first; i >= 0 && i < conf->nnamed &&
	    strcmp(conf->blocks[conf->named[i]].name, name) == 0; i++) {
		if (own == NULL)
			own = &conf->blocks[conf->named[i]];
		pick[nown++] = conf->named[i];
	}
	for (int i = 0; i < nown; i++)
		cap += conf->blocks[pick[i]].nparams;
	if (own == NULL) {
		free(pick);
		fail(err, conf->nfiles ? conf->files[0] : NULL, 0,
		    "\"%.64s\": no such jail", name);
		return NULL;
	}
	if ((st = calloc((size_t)cap + 1, sizeof(*st))) == NULL)
		goto oom;
	for (int i = 0; i < conf->nvars; i++) {
		const struct cf_param *p = &conf->vars[i];

		st[n++] = (struct stmt){ p, p->name, 1 };
	}
	for (int j = 0; j < nown; j++) {
		const struct cf_block *bl = &conf->blocks[pick[j]];
		for (int k = 0; k < bl->nparams; k++) {
			const struct cf_param *p = &bl->params[k];
			int var = p->name[0] == '$';

			st[n++] = (struct stmt){ p, p->name + var, var };
		}
	}
	/* statements in file order: seq, whatever block they are in */
	qsort(st, (size_t)n, sizeof(*st), by_seq);

	/* "name" first: the block's name, no template */
	if ((J.e = grown(NULL, 0, sizeof(*J.e))) == NULL)
		goto oom;
	memset(J.e, 0, sizeof(*J.e));
	J.n = 1;
	J.e->file = own->file;
	J.e->line = own->line;
	J.e->state = 2;
	if ((J.e->name = strdup("name")) == NULL)
		goto oom;
	if ((nv = malloc(4 * sizeof(*nv))) == NULL)
		goto oom;
	J.e->v = nv;
	if ((nv->s = strdup(name)) == NULL)
		goto oom;
	nv->file = own->file;
	nv->line = own->line;
	J.e->n = 1;

	for (int i = 0; i < n; i++)
		if (apply(&J, &st[i]))
			goto out;
	for (int i = 0; i < J.n; i++)
		if (expand_ent(&J, &J.e[i], 0))
			goto out;
	b = jail_block(&J, name, own);
	goto out;
oom:
	fail(err, own->file, own->line, "out of memory");
out:
	for (int i = 0; i < J.n; i++) {
		free(J.e[i].name);
		vals_free(J.e[i].v, J.e[i].n);
	}
	free(J.e);
	free(st);
	free(pick);
	return b;
}
