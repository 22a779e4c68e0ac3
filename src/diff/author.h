/*
 * What a patch author asks for in the patched source through lpatch.h (or
 * the kpatch names in kpatch-macros.h): callbacks, functions and sections
 * to ignore, functions to force. The markers are variables in ".lpatch.*"
 * (or ".kpatch.*") sections of the patched object.
 */
#ifndef LPATCH_DIFF_AUTHOR_H
#define LPATCH_DIFF_AUTHOR_H

#include "elf/elf.h"

enum diff_callback_kind {
	DIFF_CB_PRE_PATCH,
	DIFF_CB_POST_PATCH,
	DIFF_CB_PRE_UNPATCH,
	DIFF_CB_POST_UNPATCH,
	DIFF_CB_KINDS,
};

/* "pre_patch", ...: the field of struct klp_callbacks each kind fills. */
const char *diff_callback_field(enum diff_callback_kind kind);

struct differ;
/* The differ's stage between compare and include: apply the ignore and
 * force markers to what changed, and carry the callback markers (and so
 * their functions) into the output. */
void diff_author(struct differ *d);

/* For the module writer: the function the differ's output carries as the
 * callback of this kind, or NULL when the patch declares none. *err is set
 * (and the reason printed) when a marker is there but names no function of
 * the patch. */
struct symbol *diff_callback(const struct elf_file *out, enum diff_callback_kind kind,
			     const char *source, bool *err);

#endif
