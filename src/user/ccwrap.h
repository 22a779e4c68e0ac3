/*
 * The compiler wrapper of `lpatch build --user`: the project's own compiler,
 * called exactly as its build calls it, with one section per function and
 * variable added (-ffunction-sections -fdata-sections), which changes where
 * code is placed but not the code itself.
 */
#ifndef LPATCH_USER_CCWRAP_H
#define LPATCH_USER_CCWRAP_H

/*
 * Write wrappers for the C and C++ compilers found on PATH (and $CC) into
 * dir. Returns the NAME=VALUE entries (PATH with dir first, CC, CXX) the
 * build must run with, NULL-terminated (free with ccwrap_env_free); NULL
 * with an error printed.
 */
char **ccwrap_write(const char *dir);
void ccwrap_env_free(char **env);

#endif
