/* lpatch build for kernels: source diff -> objects -> diff -> livepatch module. */
#ifndef LPATCH_KERNEL_BUILD_H
#define LPATCH_KERNEL_BUILD_H

#include "kernel/sign.h"
#include "klp/module.h"
#include "target/target.h"

#include <stdbool.h>

struct kernel_build {
	struct kernel_target *target;
	char **patches;
	size_t npatches;
	const char *out;	/* the .ko to write */
	struct klp_meta meta;
	bool keep_work;		/* keep the work directory (debugging) */
	bool no_verify;		/* skip checking the original objects against the target */
	bool skip_init;		/* leave changed init code out (diff_opts.skip_init) */
	const struct kernel_sign *sign;	/* sign the module with this key (NULL: unsigned) */
	size_t unverified;	/* out: objects that did not match the target */
	bool already_fixed;	/* out: the diff does not apply, its reverse does (the
				 * target's source has the fix); LP_EXIT_REFUSED */
};

/* Returns an LP_EXIT_* code; the .ko appears only on success. */
int kernel_build(struct kernel_build *b);

#endif
