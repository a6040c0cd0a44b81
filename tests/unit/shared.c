/*
 * Unit tier: libjail.so as a user of <jail.h> links it: the public names
 * are exported (and only they), and the string layer works through it.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jail.h>

#include "tap.h"

int
main(void)
{
	struct jailparam *all, jp;
	int n = jailparam_all(&all);
	char *v;

	ok(n > 10, "jailparam_all through libjail.so");
	jailparam_free(all, (unsigned)n);
	free(all);
	ok(jailparam_init(&jp, "host.hostname") == 0 &&
	    jailparam_import(&jp, "web.example") == 0 &&
	    (v = jailparam_export(&jp)) != NULL && strcmp(v, "web.example") == 0,
	    "import/export through libjail.so");
	jailparam_free(&jp, 1);
	ok(jailparam_init(&jp, "bogus") < 0 &&
	    strcmp(jail_errmsg, "unknown parameter: bogus") == 0,
	    "jail_errmsg is the library's");
	ok(dlsym(RTLD_DEFAULT, "core_create") == NULL &&
	    dlsym(RTLD_DEFAULT, "reg_open") == NULL,
	    "internal names are not exported");
	return done_testing();
}
