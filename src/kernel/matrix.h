/*
 * One fix for many kernels: build the same source diff for each of a list
 * of targets (debian:cloud@all, or several specs), in parallel, one module
 * per release in an output directory, and say for each what came of it.
 */
#ifndef LPATCH_KERNEL_MATRIX_H
#define LPATCH_KERNEL_MATRIX_H

#include "klp/module.h"

#include <stdbool.h>
#include <stddef.h>

enum matrix_result {
	MATRIX_BUILT,		/* a module was written */
	MATRIX_ALREADY_FIXED,	/* the diff does not apply, its reverse does */
	MATRIX_NO_CHANGE,	/* the diff changes no function of this release */
	MATRIX_REFUSED,		/* lpatch refuses the change (or the target) here */
	MATRIX_FAILED,		/* a tool, the download, the compile failed */
};

struct matrix_row {
	char *spec;		/* as built: debian:6.1.0-57-cloud-amd64 */
	char *release;		/* uname -r; NULL when the target could not be opened */
	char *version;		/* the package version; NULL when unknown */
	enum matrix_result result;
	char *reason;		/* one line: the first error, or what was written */
	char *module;		/* DIR/RELEASE/NAME.ko when built, else NULL */
	char *log;		/* the build's whole output */
	double seconds;		/* wall time of this release's build */
};

struct matrix {
	char **specs;		/* exact targets, as target_expand gives them */
	size_t nspecs;
	char **patches;
	size_t npatches;
	const char *outdir;	/* created if missing */
	struct klp_meta meta;	/* the same module name and metadata for every release */
	bool no_verify;
	unsigned jobs;		/* releases built at once (at least 1) */
	/* out */
	struct matrix_row *rows;	/* nspecs of them, in the order of specs */
};

/* Build for every spec. 0 when every release was tried (whatever came of
 * it: see rows), -1 when the matrix could not run at all (error printed). */
int kernel_matrix(struct matrix *m);
/* "built", "already fixed", "no change", "refused", "failed". */
const char *matrix_result_name(enum matrix_result r);
/* The exit code for the matrix (docs/exit-codes.md): 1 if any release failed,
 * else 2 if any was refused, else 3 if none was built, else 0. */
int matrix_exit_code(const struct matrix *m);
void matrix_free(struct matrix *m);

#endif
