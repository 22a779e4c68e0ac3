/*
 * lpatch build --user: a process patch (.lpatch) from a source diff, for one
 * exact executable or shared library built the usual way.
 */
#ifndef LPATCH_USER_BUILD_H
#define LPATCH_USER_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct user_build {
	const char *src;	/* the program's source tree */
	const char *binary;	/* the ELF that runs in production */
	const char *make;	/* build command, run by sh in the tree (default "make") */
	char **patches;
	size_t npatches;
	const char *out;
	const char *name;	/* patch name (at most 63 characters, no '/' or spaces) */
	bool verify;		/* check the original build against the binary */
	bool keep_work;
	bool quiet;		/* no text report of the changes on stdout (--json prints its own) */
	/*
	 * A stripped installed file (lpatch build --user --deb): binary is then a
	 * rebuild of it with symbols, trusted only when its code and layout are the
	 * installed file's (installed.h); the patch is bound to installed.
	 */
	const char *installed;
	const char *const *env;	/* more NAME=VALUE entries for both builds, NULL-terminated */
	bool link_only;		/* compare only the objects the link of binary's file name took
				 * (a package also builds static and test objects) */
};

/* LP_EXIT_OK, LP_EXIT_FAIL, LP_EXIT_REFUSED or LP_EXIT_NOCHANGE; errors printed. */
int user_build(const struct user_build *b);

#endif
