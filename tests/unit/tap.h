/* Minimal TAP for the unit tier: ok(), and the plan at the end. */
#ifndef VJAIL_TAP_H
#define VJAIL_TAP_H
#include <stdio.h>

static int n_test, n_fail;

static void
ok(int cond, const char *what)
{
	n_test++;
	n_fail += !cond;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, what);
}

/* Print the plan; the exit status of main. */
static int
done_testing(void)
{
	printf("1..%d\n", n_test);
	return n_fail != 0;
}
#endif
