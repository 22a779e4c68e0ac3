/* Test hooks (testpoint.h): failures and kills at named steps, for tests only. */
#include "util/testpoint.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static bool named(const char *var, const char *name)
{
	const char *v = getenv(var);
	size_t n = strlen(name);

	while (v && *v) {
		if (!strncmp(v, name, n) && (v[n] == ',' || v[n] == '\0'))
			return true;
		v = strchr(v, ',');
		if (v)
			v++;
	}
	return false;
}

bool test_fail(const char *name)
{
	return named("LPATCH_TEST_FAIL", name);
}

void test_kill_point(const char *name)
{
	if (named("LPATCH_TEST_KILL_AT", name))
		raise(SIGKILL);
}
