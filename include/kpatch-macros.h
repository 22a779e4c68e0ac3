/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h for lpatch: the macro names kpatch patch sources use,
 * mapped onto lpatch.h, so those sources build with `lpatch build` as they
 * are. Only the names come from kpatch; see lpatch.h for what each does.
 *
 * KPATCH_FORCE_UNSAFE(fn): in kpatch it forces a function into the patch;
 * with the kernel's livepatch (which lpatch always uses) it has the meaning
 * of LPATCH_FORCE_FUNCTION: fn is carried and redirected even when its
 * code did not change. The per-task consistency model still applies.
 */
#ifndef LPATCH_KPATCH_MACROS_H
#define LPATCH_KPATCH_MACROS_H

#include "lpatch.h"

/* kpatch callbacks take a patch_object, which is the klp_object. */
typedef struct klp_object patch_object;

#define KPATCH_PRE_PATCH_CALLBACK(fn)    LPATCH_PRE_PATCH_CALLBACK(fn)
#define KPATCH_POST_PATCH_CALLBACK(fn)   LPATCH_POST_PATCH_CALLBACK(fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn)  LPATCH_PRE_UNPATCH_CALLBACK(fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn) LPATCH_POST_UNPATCH_CALLBACK(fn)

#define KPATCH_IGNORE_FUNCTION(fn)       LPATCH_IGNORE_FUNCTION(fn)
#define KPATCH_IGNORE_SECTION(name)      LPATCH_IGNORE_SECTION(name)
#define KPATCH_FORCE_UNSAFE(fn)          LPATCH_FORCE_FUNCTION(fn)

#endif /* LPATCH_KPATCH_MACROS_H */
