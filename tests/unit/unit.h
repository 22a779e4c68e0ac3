/* A minimal unit-test harness: TAP-like lines, and a count at the end. */
#ifndef LPATCH_TESTS_UNIT_H
#define LPATCH_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed, unit_passed, unit_case_failed;
static const char *unit_case;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "  %s:%d: %s: check failed: %s\n", __FILE__, \
				__LINE__, unit_case, #cond);                     \
			unit_case_failed = 1;                                    \
		}                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                          \
	do {                                                                     \
		const char *a_ = (a), *b_ = (b);                                 \
		if (!a_ || !b_ || strcmp(a_, b_)) {                              \
			fprintf(stderr, "  %s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, \
				__LINE__, unit_case, a_ ? a_ : "(null)",         \
				b_ ? b_ : "(null)");                             \
			unit_case_failed = 1;                                    \
		}                                                                \
	} while (0)

/* Run call as one test case named name; its CHECKs decide pass or fail. */
#define RUN_AS(name, call)                                                       \
	do {                                                                     \
		unit_case = (name);                                              \
		unit_case_failed = 0;                                            \
		call;                                                            \
		if (unit_case_failed)                                            \
			unit_failed++;                                           \
		else                                                             \
			unit_passed++;                                           \
		printf("%s %s\n", unit_case_failed ? "FAIL" : "PASS", unit_case); \
	} while (0)

/* Run fn as one test case, named fn. */
#define RUN(fn) RUN_AS(#fn, fn())

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
