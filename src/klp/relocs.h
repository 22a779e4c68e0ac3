/* Kernel code clearing a module object's livepatch relocations (see klp_relocs.c). */
#ifndef LPATCH_KLP_RELOCS_H
#define LPATCH_KLP_RELOCS_H

/* The C source of lpatch-relocs.c, compiled into every livepatch module with
 * a module object. It defines
 *   void lpatch_clear_relocs(struct klp_object *obj);
 * for the object's post-unpatch callback (after the patch author's own). */
const char *klp_relocs_source(void);

#endif
