/* Where the patch-author headers (lpatch.h, kpatch-macros.h, ...) are. */
#ifndef LPATCH_KLP_AUTHOR_HEADERS_H
#define LPATCH_KLP_AUTHOR_HEADERS_H

/* The directory holding lpatch.h, for the compiler's include path:
 * $LPATCH_INCLUDE if set; else include/ next to the lpatch binary (the
 * source tree); else ../share/lpatch/include from it (make install).
 * NULL (with a warning, the first time) when none has lpatch.h. Looked
 * up once per run. */
const char *author_headers_dir(void);

#endif
