/*
 * allowtable.c - print jail(8)'s table of securelevel and allow.* (mdoc)
 * from the code that enforces them: ALLOW_LIST (names, FreeBSD's
 * defaults and meanings) and modules/secure.c's secure_mapping (what each
 * is on Linux).  `make man` puts it into man/jail.8; tests/unit/manpage.t
 * fails when the manual and the code disagree.
 */
#include <stdio.h>

#include "vjail.h"

int
main(void)
{
#define ALLOW_ROW(i, name, dflt, desc) { i, name, dflt, desc },
	static const struct { int bit; const char *name; int dflt;
	    const char *desc; } rows[] = { ALLOW_LIST(ALLOW_ROW) };

	puts(".\\\" BEGIN allow table: made by `make man` from "
	    "src/libjail/modules/secure.c; do not edit");
	puts(".Bl -tag -width indent");
	puts(".It Va securelevel Pq int");
	puts("At least the parent's (by default the parent's; the host's is "
	    "\\-1); raising it raises every descendant below it.");
	puts("On Linux, levels 0 to 2 add nothing a user namespace does not "
	    "already forbid (immutable flags, raw disks, the clock);");
	puts("3 also takes away the administration of a vnet jail's own "
	    "network stack (addresses, routes, firewall).");
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const char *on = NULL;
		for (const struct allow_map *m = secure_mapping; m->bit >= 0;
		    m++)
			if (m->bit == rows[i].bit)
				on = m->on_linux;
		printf(".It Va allow.%s Pq bool, %s\n", rows[i].name,
		    rows[i].dflt ? "on" : "off");
		printf("%c%s.\n", rows[i].desc[0] >= 'a' && rows[i].desc[0]
		    <= 'z' ? rows[i].desc[0] - 'a' + 'A' : rows[i].desc[0],
		    rows[i].desc + 1);
		printf("Linux: %s.\n", on ? on : "as allow.mount: the file "
		    "system's own rule decides");
	}
	puts(".El");
	puts(".\\\" END allow table");
	return 0;
}
