/*
 * libFuzzer target for the jail.conf parser (make fuzz): parse the input,
 * then resolve every jail it names; check what comes back is well formed.
 * ASan/UBSan and the leak checker catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cmd/jail/config.h"

static void
check_param(const struct cf_param *p)
{
	if (p->name == NULL || p->vals == NULL || p->nvals < 0 ||
	    p->vals[p->nvals] != NULL || p->file == NULL || p->line < 1)
		abort();
	for (int i = 0; i < p->nvals; i++)
		if (p->vals[i] == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_conf conf;
	char err[CONF_ERRLEN], **names;
	int n;

	if (conf_parse_buf("fuzz.conf", (const char *)data, size, &conf,
	    err) < 0) {
		if (conf.blocks != NULL || conf.nfiles != 0 ||
		    memchr(err, '\0', CONF_ERRLEN) == NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (conf.nblocks < 1 || conf.blocks[0].name != NULL)
		abort();
	for (int i = 0; i < conf.nblocks; i++)
		for (int k = 0; k < conf.blocks[i].nparams; k++)
			check_param(&conf.blocks[i].params[k]);
	n = conf_jail_names(&conf, &names);
	for (int i = 0; i < n; i++) {
		struct cf_block *b = conf_jail(&conf, names[i], err);

		if (b == NULL && err[0] == '\0')
			abort();
		if (b != NULL) {
			const struct cf_param *name = conf_get(b, "name");

			if (b->nparams < 1 || name != &b->params[0] ||
			    name->nvals != 1 || strcmp(name->vals[0], names[i]))
				abort();
			for (int k = 0; k < b->nparams; k++)
				check_param(&b->params[k]);
		}
		conf_block_free(b);
		free(names[i]);
	}
	free(names);
	conf_free(&conf);
	return 0;
}
