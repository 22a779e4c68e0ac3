/* A target's loadable modules: where each one is, and its full symbol table. */
#ifndef LPATCH_TARGET_MODSYMS_H
#define LPATCH_TARGET_MODSYMS_H

#include "target/target.h"

#include <stdbool.h>

/* Does the target ship module modname? ('-' and '_' are the same; no
 * message either way) */
bool target_has_module(const struct kernel_target *t, const char *modname);

/*
 * A copy of the module with its full symbol table (FILE symbols included,
 * so same-named statics can be told apart), for binding and verifying a
 * patch of it: for Debian targets the -dbg package's copy, extracted once
 * into the cache. NULL with an error. Caller frees.
 */
char *target_module_symbols(const struct kernel_target *t, const char *modname);

#endif
