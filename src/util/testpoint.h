/*
 * Hooks for tests only, set through environment variables no user sets:
 *   LPATCH_TEST_FAIL=NAME[,NAME...]   test_fail(NAME) is true (a write that
 *                                     cannot be forced to fail otherwise)
 *   LPATCH_TEST_KILL_AT=NAME          test_kill_point(NAME) sends lpatch a
 *                                     SIGKILL there (a kill at an exact step)
 *   LPATCH_TEST_WATCHDOG_DELAY_MS=N   the boost watchdog (user/session.c) waits
 *                                     N ms before it gives threads back their
 *                                     policy after lpatch died
 */
#ifndef LPATCH_UTIL_TESTPOINT_H
#define LPATCH_UTIL_TESTPOINT_H

#include <stdbool.h>

bool test_fail(const char *name);
void test_kill_point(const char *name);

#endif
