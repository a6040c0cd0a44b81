/* config.c - jail.conf parser (being written). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int conf_parse(const char *path, struct cf_conf *conf, char *err)
{ (void)path; memset(conf, 0, sizeof(*conf)); snprintf(err, CONF_ERRLEN, "jail.conf: not supported yet"); return -1; }
int conf_parse_buf(const char *name, const char *buf, size_t len, struct cf_conf *conf, char *err)
{ (void)name; (void)buf; (void)len; return conf_parse(NULL, conf, err); }
void conf_free(struct cf_conf *conf) { (void)conf; }
int conf_jail_names(const struct cf_conf *conf, char ***names) { (void)conf; *names = NULL; return 0; }
struct cf_block *conf_jail(const struct cf_conf *conf, const char *name, char *err)
{ (void)conf; (void)name; snprintf(err, CONF_ERRLEN, "not supported"); return NULL; }
void conf_block_free(struct cf_block *b) { (void)b; }
const struct cf_param *conf_get(const struct cf_block *b, const char *name) { (void)b; (void)name; return NULL; }
