/*
 * Completion stamps for the steps that fill a target's cache directory.
 * A step's stamp is written last, after everything it produced is in place,
 * so a step that was interrupted has no stamp and is redone from scratch.
 */
#ifndef LPATCH_TARGET_STAMP_H
#define LPATCH_TARGET_STAMP_H

#include <stdbool.h>

/* "<dir>/.<step>.done"; caller frees. */
char *stamp_path(const char *dir, const char *step);
bool stamp_done(const char *dir, const char *step);
/* The text the stamp was written with (NULL when the step is not done); caller frees. */
char *stamp_read(const char *dir, const char *step);
/* Mark step done, atomically; text is kept in the stamp (e.g. the version). */
int stamp_mark(const char *dir, const char *step, const char *text);
/* Forget step (before redoing it). 0, or -1 with an error. */
int stamp_clear(const char *dir, const char *step);

#endif
